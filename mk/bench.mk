# The speed benchmark: this bot against the stock bot of `rasa init` (bench/README.md).
#   make bench          everything -> bench/results.json, bench/latency.png (about 15 minutes;
#                       the first run also trains the stock bot into bench/.stock/ and times a
#                       fresh training of this bot). BENCH_RETRAIN=1 times this bot's training again.
#   make bench-smoke    a few turns against this bot only, no training; part of `make test`
#   make bench-plot     redraw bench/latency.png from bench/results.json
#   make bench-hostile  the worst case alone (issue 16): another conversation's p95 while a 1 MB hostile
#                       message is processed -> var/bench-hostile.json (part of make bench too)
BENCH_ARGS ?=

.PHONY: bench bench-smoke bench-plot bench-hostile

bench: $(MODEL)  ## the speed benchmark against the stock rasa init bot -> bench/results.json, bench/latency.png
	$(PY) bench/run.py --model $(MODEL) --train-data $(TRAINING_DATA) $(BENCH_ARGS)

bench-smoke: $(MODEL)  ## the benchmark's load generator for a few turns against this bot (checks the results structure)
	@mkdir -p var
	timeout 120 $(PY) bench/run.py --smoke --model $(MODEL) --out var/bench-smoke.json

bench-plot: $(STAMP)
	$(PY) bench/plot.py bench/results.json bench/latency.png

test: bench-smoke

bench-hostile: $(MODEL)  ## issue 16's worst case alone: another conversation's p95 while a 1 MB hostile message is processed
	@mkdir -p var
	$(PY) bench/run.py --only-hostile --model $(MODEL) --out var/bench-hostile.json
