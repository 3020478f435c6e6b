"""The production profile: several Rasa servers on PostgreSQL and Redis (docs/deploy.md).

lock_store     AtomicRedisLockStore, the conversation lock that really locks (SET NX PX + Lua release)
tracker_store  Rasa's SQLTrackerStore that waits for PostgreSQL to come back instead of failing over
stack          make cluster / cluster-down: PostgreSQL, Redis, nginx, 2 Rasa + 2 action servers
load           make cluster-load / cluster-smoke: concurrent conversations, kill -9, restarts
race           make cluster-race: the stock RedisLockStore against ours on one conversation
"""
