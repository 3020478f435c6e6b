"""A conversation lock in Redis that two Rasa servers cannot both hold.

Rasa 3.6's `RedisLockStore` keeps a ticket queue as one JSON value and changes it by GET, edit in
Python, SET (rasa issue #9213): two servers that take a ticket at the same moment both read the
empty queue, both write ticket 0 and both go ahead, and one server's clean-up can delete the
other's lock. Two servers then process the same conversation at once and the SQL tracker store
interleaves or drops their events.

`AtomicRedisLockStore` takes the lock with one atomic command, `SET lock:<id> <token> NX PX
<lease>`, where the token is random per holder, and frees it with a Lua compare-and-delete, so only
the holder can free it. While held, a background task extends the lease (Lua compare-and-pexpire)
every lease/3, so a long turn keeps its lock but a server killed with kill -9 blocks its
conversation for at most one lease (default 10 s) instead of Rasa's 60 s ticket lifetime. A waiter
retries with jittered exponential back-off until `lock_lifetime` seconds have passed, then raises
Rasa's `LockError`, as the stock store does. Redis connection errors while waiting are retried too
(the lock waits through a Redis restart); a SET whose reply was lost is recognised by its token.

Plug it in through the endpoints file (Rasa loads a lock store class by module path and passes
`endpoint_config=`):

    lock_store:
      type: cluster.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: ${REDIS_LOCK_DB}
      lease_seconds: 10          # optional

Rasa calls only `lock(conversation_id, lock_lifetime, wait_time_in_seconds)` as an async context
manager (rasa/core/agent.py, processor.py, server.py); the ticket methods of the base class are
kept working as a view of the one holder.

Set CLUSTER_LOCK_LOG=/path to append one JSON line per held lock (server, conversation, acquired,
released): `make cluster-race` counts overlapping holds from those lines.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Dict, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 10.0
RETRY_MIN_SECONDS = 0.005
RETRY_MAX_SECONDS = 0.1

# KEYS[1] the lock, ARGV[1] the holder's token: delete only when the caller still holds it.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# KEYS[1] the lock, ARGV[1] the token, ARGV[2] the new lease in ms: extend only the caller's lock.
RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def _server_name() -> str:
    return os.environ.get("CLUSTER_SERVER_NAME") or f"{socket.gethostname()}:{os.getpid()}"


class _HoldLog:
    """Appends one JSON line per held lock to $CLUSTER_LOCK_LOG (off when unset)."""

    def __init__(self, store: str) -> None:
        self.path = os.environ.get("CLUSTER_LOCK_LOG")
        self.store = store
        self.server = _server_name()

    def write(self, conversation_id: Text, acquired: float, released: float) -> None:
        if not self.path:
            return
        line = json.dumps({"store": self.store, "server": self.server, "conversation": conversation_id,
                           "acquired": acquired, "released": released})
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _redis_settings(endpoint_config: Optional[EndpointConfig], settings: Dict[Text, Any]) -> Dict[Text, Any]:
    """Merge an endpoint config (url = host, other keys as they are) into keyword settings."""
    merged = dict(settings)
    if endpoint_config is not None:
        if endpoint_config.url:
            merged.setdefault("host", endpoint_config.url)
        for key, value in (endpoint_config.kwargs or {}).items():
            merged.setdefault(key, value)
    return merged


class AtomicRedisLockStore(LockStore):
    """One holder per conversation: SET NX PX with an owner token, Lua compare-and-delete release."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **settings: Any) -> None:
        import redis

        settings = _redis_settings(endpoint_config, settings)
        self.lease_seconds = float(settings.pop("lease_seconds", DEFAULT_LEASE_SECONDS))
        self.renew = str(settings.pop("renew", True)).lower() not in ("false", "0", "no")
        key_prefix = settings.pop("key_prefix", None)
        self.key_prefix = (f"{key_prefix}:" if key_prefix and str(key_prefix).isalnum() else "") + \
            DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX + "atomic:"
        username = settings.pop("username", None) or None
        password = settings.pop("password", None) or None
        self._connection = {
            "host": settings.pop("host", "localhost") or "localhost",
            "port": int(settings.pop("port", 6379) or 6379),
            "db": int(settings.pop("db", 1) or 0),
            "username": username,
            "password": password,
            "ssl": str(settings.pop("use_ssl", False)).lower() in ("true", "1", "yes"),
            "ssl_certfile": settings.pop("ssl_certfile", None),
            "ssl_keyfile": settings.pop("ssl_keyfile", None),
            "ssl_ca_certs": settings.pop("ssl_ca_certs", None),
            "socket_timeout": float(settings.pop("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)),
            "socket_connect_timeout": float(settings.pop("socket_connect_timeout", 2)),
        }
        if settings:
            logger.debug(f"AtomicRedisLockStore ignores unknown settings: {sorted(settings)}")
        # The synchronous client serves the ticket-view methods of the base class and the tests; the
        # lock itself uses one asyncio client per event loop (Sanic's, or a test's).
        self.red = redis.StrictRedis(**{k: v for k, v in self._connection.items() if k != "ssl"},
                                     ssl=self._connection["ssl"])
        self._async_clients: Dict[int, Any] = {}
        self._holds = _HoldLog("atomic")
        super().__init__()

    # -- the lock Rasa uses ---------------------------------------------------------------------

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _client(self):
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._async_clients.get(id(loop))
        if client is None:
            client = redis.asyncio.StrictRedis(**self._connection)
            self._async_clients = {id(loop): client}  # one loop at a time; drop clients of closed loops
        return client

    async def acquire(self, conversation_id: Text, token: Text, timeout: float,
                      max_interval: float = RETRY_MAX_SECONDS) -> float:
        """Wait until `token` holds the conversation's lock; return the time it was taken.

        Raises `LockError` after `timeout` seconds.
        """
        import redis

        key, lease_ms = self._key(conversation_id), int(self.lease_seconds * 1000)
        deadline = time.monotonic() + timeout
        interval, attempts = RETRY_MIN_SECONDS, 0
        while True:
            attempts += 1
            try:
                if await self._client().set(key, token, nx=True, px=lease_ms):
                    break
            except (redis.ConnectionError, redis.TimeoutError) as error:
                logger.warning(f"Redis unreachable while locking '{conversation_id}', retrying: {error}")
                try:  # a SET that succeeded but whose reply was lost: the lock is ours
                    if (await self._client().get(key)) == token.encode():
                        break
                except (redis.ConnectionError, redis.TimeoutError):
                    pass
            if time.monotonic() >= deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}' "
                                f"within {timeout:.1f}s ({attempts} attempts).")
            await asyncio.sleep(min(interval * random.uniform(0.5, 1.5), max(0.0, deadline - time.monotonic())))
            interval = min(interval * 2, max_interval)
        logger.debug(f"Acquired lock for conversation '{conversation_id}' after {attempts} attempt(s).")
        return time.time()

    async def release(self, conversation_id: Text, token: Text) -> bool:
        """Free the lock if `token` still holds it; False when it had expired or someone else holds it."""
        import redis

        for attempt in range(3):
            try:
                released = bool(await self._client().eval(RELEASE_SCRIPT, 1, self._key(conversation_id), token))
                if not released:
                    logger.warning(f"Lock for conversation '{conversation_id}' was no longer ours at release "
                                   f"(lease of {self.lease_seconds}s expired).")
                return released
            except (redis.ConnectionError, redis.TimeoutError) as error:
                logger.warning(f"Redis unreachable while unlocking '{conversation_id}': {error}")
                await asyncio.sleep(0.1 * (attempt + 1))
        return False  # the lease frees it

    async def renew_lease(self, conversation_id: Text, token: Text) -> bool:
        """Extend the lease if `token` still holds the lock."""
        result = await self._client().eval(RENEW_SCRIPT, 1, self._key(conversation_id), token,
                                           int(self.lease_seconds * 1000))
        return bool(result)

    async def _keep_renewing(self, conversation_id: Text, token: Text) -> None:
        import redis

        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                if not await self.renew_lease(conversation_id, token):
                    logger.error(f"Lost the lock of conversation '{conversation_id}' while holding it.")
                    return
            except (redis.ConnectionError, redis.TimeoutError) as error:
                logger.warning(f"Could not extend the lock of '{conversation_id}': {error}")

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for the body of the `async with`.

        Waits at most `lock_lifetime` seconds (Rasa's ticket lifetime), polling with back-off from
        5 ms up to min(`wait_time_in_seconds`, 100 ms); raises `LockError` after that.
        """
        token = uuid.uuid4().hex
        acquired = await self.acquire(conversation_id, token, timeout=lock_lifetime,
                                      max_interval=min(max(wait_time_in_seconds, RETRY_MIN_SECONDS), RETRY_MAX_SECONDS))
        renewer = asyncio.ensure_future(self._keep_renewing(conversation_id, token)) if self.renew else None
        try:
            view = TicketLock(conversation_id)
            view.issue_ticket(self.lease_seconds)
            yield view
        finally:
            released_at = time.time()
            if renewer is not None:
                renewer.cancel()
            await self.release(conversation_id, token)
            self._holds.write(conversation_id, acquired, released_at)

    # -- the ticket methods of the base class: a view of the one holder --------------------------

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        """The lock as a one-ticket `TicketLock` while someone holds it, else None."""
        ttl_ms = self.red.pttl(self._key(conversation_id))
        if ttl_ms is None or ttl_ms < 0:
            return None
        view = TicketLock(conversation_id)
        view.issue_ticket(ttl_ms / 1000)
        return view

    def delete_lock(self, conversation_id: Text) -> None:
        """Force-free the lock (an operator's tool: the holder's release then reports it lost)."""
        deleted = self.red.delete(self._key(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore keeps no ticket queue: use `lock()`.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        raise NotImplementedError("AtomicRedisLockStore issues no tickets: use `lock()`.")

    def is_someone_waiting(self, conversation_id: Text) -> bool:
        return self.red.exists(self._key(conversation_id)) > 0

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Nothing to do: `lock()` frees its own lock."""

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Nothing to do: `lock()` frees its own lock."""


class LoggingRedisLockStore(RedisLockStore):
    """Rasa's stock RedisLockStore, unchanged, that logs each hold to $CLUSTER_LOCK_LOG.

    Used by `make cluster-race` to measure the stock store's overlapping holds.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **settings: Any) -> None:
        settings = _redis_settings(endpoint_config, settings)
        for key in ("lease_seconds", "renew", "socket_connect_timeout"):
            settings.pop(key, None)
        settings["port"] = int(settings.get("port", 6379))
        settings["db"] = int(settings.get("db", 1))
        super().__init__(**settings)
        self._holds = _HoldLog("stock")

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            acquired = time.time()
            try:
                yield held
            finally:
                self._holds.write(conversation_id, acquired, time.time())
