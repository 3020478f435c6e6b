# The speed benchmark: this bot against the stock bot of `rasa init` (bench/README.md).
#   make bench          everything -> bench/results.json, bench/latency.png (about 15 minutes;
#                       the first run also trains the stock bot into bench/.stock/ and times a
#                       fresh training of this bot). BENCH_RETRAIN=1 times this bot's training again.
#   make bench-smoke    a few turns against this bot only, no training; part of `make test`
#   make bench-plot     redraw bench/latency.png from bench/results.json
BENCH_ARGS ?=

.PHONY: bench bench-smoke bench-plot

bench: $(MODEL)  ## the speed benchmark against the stock rasa init bot -> bench/results.json, bench/latency.png
	$(PY) bench/run.py --model $(MODEL) --train-data $(TRAINING_DATA) $(BENCH_ARGS)

bench-smoke: $(MODEL)  ## the benchmark's load generator for a few turns against this bot (checks the results structure)
	@mkdir -p var
	timeout 120 $(PY) bench/run.py --smoke --model $(MODEL) --out var/bench-smoke.json

bench-plot: $(STAMP)
	$(PY) bench/plot.py bench/results.json bench/latency.png

test: bench-smoke
