"""AtomicRedisLockStore against a real Redis: one holder at a time, expiry, only the owner frees it."""
import asyncio
import time
import uuid
from pathlib import Path

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from cluster.lock_store import AtomicRedisLockStore

ROOT = Path(__file__).resolve().parents[2]


def store(redis_server, **settings):
    return AtomicRedisLockStore(host=redis_server["host"], port=redis_server["port"],
                                password=redis_server["password"], db=3, **settings)


def conversation():
    return f"test-{uuid.uuid4().hex[:8]}"


async def test_two_servers_never_hold_one_conversation_at_once(redis_server):
    # Two store instances = two Rasa servers; 20 workers do a read-modify-write under the lock.
    servers = [store(redis_server), store(redis_server)]
    conv, counter_key = conversation(), f"counter:{uuid.uuid4().hex}"
    client = redis.StrictRedis(host=redis_server["host"], port=redis_server["port"],
                               password=redis_server["password"], db=3)
    holds, inside = [], [0]

    async def worker(i):
        async with servers[i % 2].lock(conv, lock_lifetime=30, wait_time_in_seconds=0.01):
            inside[0] += 1
            assert inside[0] == 1, "two holders at once"
            value = int(client.get(counter_key) or 0)
            await asyncio.sleep(0.01)  # the other server gets every chance to step in
            client.set(counter_key, value + 1)
            holds.append(i)
            inside[0] -= 1

    await asyncio.gather(*(worker(i) for i in range(20)))
    assert int(client.get(counter_key)) == 20
    assert sorted(holds) == list(range(20))
    assert client.exists(servers[0]._key(conv)) == 0  # freed after the last one


async def test_second_acquirer_waits_for_the_first(redis_server):
    first, second = store(redis_server), store(redis_server)
    conv, order = conversation(), []

    async def holder():
        async with first.lock(conv):
            order.append("first in")
            await asyncio.sleep(0.3)
            order.append("first out")

    async def waiter():
        await asyncio.sleep(0.05)
        async with second.lock(conv):
            order.append("second in")

    await asyncio.gather(holder(), waiter())
    assert order == ["first in", "first out", "second in"]


async def test_a_dead_holders_lock_expires_after_its_lease(redis_server):
    # A holder that dies (kill -9) never releases nor renews: the lease frees the conversation.
    crashed, other = store(redis_server, lease_seconds=0.5), store(redis_server, lease_seconds=0.5)
    conv = conversation()
    await crashed.acquire(conv, "dead-server-token", timeout=1)
    started = time.monotonic()
    async with other.lock(conv, lock_lifetime=5):
        waited = time.monotonic() - started
    assert 0.3 < waited < 2.0


async def test_the_lease_is_renewed_while_held(redis_server):
    holder, other = store(redis_server, lease_seconds=0.3), store(redis_server, lease_seconds=0.3)
    conv = conversation()
    async with holder.lock(conv):
        await asyncio.sleep(1.0)  # three leases: without renewal the other store would get in
        with pytest.raises(LockError):
            async with other.lock(conv, lock_lifetime=0.2):
                pass
        assert holder.red.get(holder._key(conv)) is not None


async def test_only_the_owner_can_release(redis_server):
    one = store(redis_server)
    conv = conversation()
    await one.acquire(conv, "owner-token", timeout=1)
    assert await one.release(conv, "someone-else") is False
    assert one.red.get(one._key(conv)) == b"owner-token"
    assert await one.release(conv, "owner-token") is True
    assert one.red.get(one._key(conv)) is None


async def test_a_late_release_does_not_free_the_next_holders_lock(redis_server):
    # The first holder's lease expired and a second took the lock: the first's release changes nothing.
    first, second = store(redis_server, lease_seconds=0.2), store(redis_server, lease_seconds=5)
    conv = conversation()
    await first.acquire(conv, "first", timeout=1)
    await second.acquire(conv, "second", timeout=2)  # after first's lease ran out
    assert await first.release(conv, "first") is False
    assert second.red.get(second._key(conv)) == b"second"
    await second.release(conv, "second")


async def test_gives_up_after_lock_lifetime_with_rasas_lock_error(redis_server):
    holder, waiter = store(redis_server), store(redis_server)
    conv = conversation()
    await holder.acquire(conv, "holder", timeout=1)
    started = time.monotonic()
    with pytest.raises(LockError):
        async with waiter.lock(conv, lock_lifetime=0.5):
            pass
    assert time.monotonic() - started < 1.5
    await holder.release(conv, "holder")


async def test_waits_through_a_redis_restart(redis_server, tmp_path):
    # A second private Redis that goes away for a moment: the lock waits instead of failing.
    import subprocess

    from tooling.processes import free_port

    port = free_port()
    command = [redis_server["binary"], "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        one = AtomicRedisLockStore(host="127.0.0.1", port=port, db=0, socket_timeout=1)
        for _ in range(50):
            try:
                one.red.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        process.terminate()
        process.wait()

        async def restart_later():
            await asyncio.sleep(0.5)
            return subprocess.Popen(command, stdout=subprocess.DEVNULL)

        restarter = asyncio.ensure_future(restart_later())
        async with one.lock(conversation(), lock_lifetime=10):
            pass
        process = await restarter
    finally:
        process.terminate()
        process.wait()


def test_rasa_loads_it_from_the_production_endpoints_file(redis_server, monkeypatch):
    for name, value in {"ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook", "POSTGRES_HOST": "127.0.0.1",
                        "POSTGRES_PORT": "1", "POSTGRES_DB": "rasa", "POSTGRES_USER": "rasa",
                        "POSTGRES_PASSWORD": "x", "REDIS_HOST": redis_server["host"],
                        "REDIS_PORT": str(redis_server["port"]), "REDIS_PASSWORD": redis_server["password"],
                        "REDIS_LOCK_DB": "2"}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(ROOT / "endpoints-production.yml"), "lock_store")
    assert config.type == "cluster.lock_store.AtomicRedisLockStore"
    lock_store = LockStore.create(config)  # rasa/core/lock_store.py: class by module path, endpoint_config=
    assert isinstance(lock_store, AtomicRedisLockStore)
    assert lock_store._connection["port"] == redis_server["port"]
    assert lock_store._connection["db"] == 2
    assert lock_store.red.ping()


def test_rasa_refuses_the_endpoints_file_when_a_secret_is_unset(monkeypatch):
    for name in ("ACTION_ENDPOINT_URL", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER",
                 "POSTGRES_PASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_LOCK_DB"):
        monkeypatch.setenv(name, "1")
    monkeypatch.delenv("REDIS_PASSWORD", raising=False)
    with pytest.raises(Exception, match="REDIS_PASSWORD"):
        read_endpoint_config(str(ROOT / "endpoints-production.yml"), "lock_store")


def test_ticket_view_of_the_holder(redis_server):
    one = store(redis_server)
    conv = conversation()
    assert one.get_lock(conv) is None and not one.is_someone_waiting(conv)
    asyncio.run(one.acquire(conv, "t", timeout=1))
    assert one.get_lock(conv) is not None and one.is_someone_waiting(conv)
    one.delete_lock(conv)
    assert one.get_lock(conv) is None


def test_stock_endpoint_config_shape(redis_server):
    # What Rasa passes: EndpointConfig(url=host, **other keys as strings).
    config = EndpointConfig(url=redis_server["host"], type="cluster.lock_store.AtomicRedisLockStore",
                            port=str(redis_server["port"]), password=redis_server["password"], db="4",
                            lease_seconds="2")
    one = AtomicRedisLockStore(endpoint_config=config)
    assert one.lease_seconds == 2.0 and one._connection["db"] == 4
