# The production profile (docs/deploy.md): two Rasa servers and two action servers on PostgreSQL
# and Redis, behind nginx, all on 127.0.0.1, from Debian's packages (installed when missing, as
# root). Settings: endpoints-production.yml, which reads addresses and secrets from the
# environment; state, data and generated configs: var/cluster/ (gitignored); logs: logs/cluster/.
#
#   make cluster          start PostgreSQL, Redis, nginx, 2 action servers, 2 Rasa servers; print addresses
#   make cluster-down     stop all of them
#   make cluster-status   what runs, and where
#   make cluster-smoke    lock store against Redis + 10 x 5 across both servers with one kill -9 (part of make test)
#   make cluster-tests    the full cluster tests: 100 x 10, kill -9, PostgreSQL and Redis restarts
#   make cluster-load     the full load run with its figures -> results/cluster_load.json
#   make cluster-race     stock RedisLockStore vs AtomicRedisLockStore on one conversation -> results/lock_race.json

CLUSTER_PY := PYTHONPATH=$(CURDIR) RASA_TELEMETRY_ENABLED=false $(PY)

.PHONY: cluster cluster-down cluster-status cluster-install cluster-smoke cluster-tests cluster-load cluster-race

cluster-install: $(STAMP)  ## apt-get install postgresql redis-server nginx when missing (root)
	$(CLUSTER_PY) -m cluster.stack install

cluster: $(MODEL) cluster-install  ## the whole cluster on 127.0.0.1; prints the addresses
	$(CLUSTER_PY) -m cluster.stack up

cluster-down: $(STAMP)  ## stop the cluster
	$(CLUSTER_PY) -m cluster.stack down

cluster-status: $(STAMP)
	$(CLUSTER_PY) -m cluster.stack status

cluster-smoke: $(MODEL) cluster-install  ## the short cluster tests (uses a running `make cluster`, else starts a private one)
	RUN_CLUSTER_TESTS=1 $(CLUSTER_PY) -m pytest -q -p no:cacheprovider tests/cluster

cluster-tests: $(MODEL) cluster-install  ## every cluster test, the long ones too
	RUN_CLUSTER_TESTS=1 CLUSTER_FULL=1 $(CLUSTER_PY) -m pytest -q -p no:cacheprovider tests/cluster

cluster-load: $(MODEL) cluster-install  ## 100 x 10 across both servers, then kill -9 / PostgreSQL / Redis restarts -> results/cluster_load.json
	$(CLUSTER_PY) -m cluster.load

cluster-race: $(MODEL) cluster-install  ## how often two servers held one conversation: stock vs atomic -> results/lock_race.json
	$(CLUSTER_PY) -m cluster.race

test: cluster-smoke
