"""The cluster end to end on loopback: two Rasa servers on PostgreSQL and Redis behind nginx.

A running `make cluster` is used when there is one; otherwise the tests start a private cluster
on free ports (var/cluster-test/) and stop it afterwards. `make cluster-smoke` runs the smoke
subset (10 conversations x 5 turns with one kill -9); CLUSTER_FULL=1 (`make cluster-tests`) adds
100 x 10 and the PostgreSQL and Redis restarts.
"""
import json
import os
import urllib.request

import pytest

from cluster.load import check_trackers, new_conversation, run_load
from cluster.stack import ROOT, Stack, healthy

FULL = pytest.mark.skipif(os.environ.get("CLUSTER_FULL") != "1", reason="full cluster run: make cluster-tests")


@pytest.fixture(scope="module")
def cluster():
    running = Stack()
    if healthy(running):
        yield running, False
        return
    stack = Stack.with_free_ports(ROOT / "var" / "cluster-test")
    try:
        stack.up()
        yield stack, True
    finally:
        stack.down()


def assert_intact(result):
    summary = {k: result[k] for k in ("lost", "duplicated", "out_of_order", "unanswered", "failed_turns")}
    assert summary == {k: 0 for k in summary}, json.dumps(result, indent=1)[:3000]
    assert result["turns_ok"] == result["turns"]


def test_turns_alternate_between_the_servers_and_all_are_kept(cluster):
    stack, _ = cluster
    result = run_load(stack, 10, 4, label="alternate")
    assert_intact(result)
    assert sorted(result["requests_per_server"].values()) == [20, 20]
    assert result["errors"] == 0


def test_kill9_of_a_server_mid_run_clients_carry_on_through_the_other(cluster):
    stack, private = cluster
    result = run_load(stack, 10, 5, [(0.4, "kill9")], label="kill9", restart_killed=not private)
    assert result["faults"] and result["faults"][0]["kind"] == "kill9"
    assert_intact(result)
    if private:  # the rest of the module needs both servers
        stack.start_rasa(0)
        stack.wait_rasa(0)


def test_nginx_balances_rest_and_keeps_a_socketio_session_on_one_server(cluster):
    stack, _ = cluster
    sender = new_conversation([stack.nginx_url])  # issued by whichever server nginx picks
    for turn in range(4):  # REST through nginx
        body = json.dumps({"sender": sender, "message": "my left leg is numb" if turn == 0 else "no"})
        request = urllib.request.Request(f"{stack.nginx_url}/webhooks/rest/webhook", body.encode(),
                                         {"Content-Type": "application/json"})
        assert json.loads(urllib.request.urlopen(request, timeout=60).read())
    for _ in range(6):  # socket.io: handshake, then the session's next poll must reach the same server
        opened = urllib.request.urlopen(f"{stack.nginx_url}/socket.io/?EIO=4&transport=polling", timeout=10)
        cookie = opened.headers["Set-Cookie"].split(";")[0]
        sid = json.loads(opened.read().decode()[1:])["sid"]
        request = urllib.request.Request(f"{stack.nginx_url}/socket.io/?EIO=4&transport=polling&sid={sid}",
                                         b"40", {"Cookie": cookie, "Content-Type": "text/plain;charset=UTF-8"})
        assert urllib.request.urlopen(request, timeout=10).read().lower() == b"ok"  # "Invalid session" elsewhere
    with pytest.raises(urllib.error.HTTPError):  # the HTTP API is not published
        urllib.request.urlopen(f"{stack.nginx_url}/conversations/x/tracker", timeout=10)


@FULL
def test_100_conversations_x_10_turns_concurrently(cluster):
    stack, _ = cluster
    result = run_load(stack, 100, 10, label="100x10")
    assert_intact(result)
    assert result["errors"] == 0


@FULL
def test_postgres_restart_mid_run(cluster):
    stack, _ = cluster
    earlier = run_load(stack, 5, 3, label="before-postgres-restart")
    result = run_load(stack, 30, 8, [(0.4, "postgres")], label="postgres")
    assert_intact(result)
    assert check_trackers(stack, earlier["run"], 5, 3)["lost"] == 0  # earlier conversations still there


@FULL
def test_redis_restart_mid_run(cluster):
    stack, _ = cluster
    result = run_load(stack, 30, 8, [(0.4, "redis")], label="redis")
    assert_intact(result)
