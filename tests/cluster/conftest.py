"""The cluster tests (make cluster-smoke, make cluster-tests) need Redis, PostgreSQL and nginx from
Debian's packages and several servers: they run only with RUN_CLUSTER_TESTS=1, so a plain `pytest`
(make unit) skips them."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from tooling.processes import free_port


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RUN_CLUSTER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="cluster tests: make cluster-smoke / make cluster-tests (RUN_CLUSTER_TESTS=1)")
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def redis_server():
    """A private redis-server on a free loopback port, with a password (stopped after the session)."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.fail("redis-server is missing: make cluster-install (apt-get install -y redis-server)")
    port, password = free_port(), "test-secret"
    workdir = tempfile.mkdtemp(prefix="lockstore-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
                                "--save", "", "--appendonly", "no", "--dir", workdir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield {"host": "127.0.0.1", "port": port, "password": password, "process": process, "binary": binary,
           "workdir": workdir}
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)
