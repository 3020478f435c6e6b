"""Starting and stopping the servers that the evaluation, benchmark, reliability and web scripts run."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from typing import Iterable, Optional


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float, process: Optional[subprocess.Popen] = None) -> None:
    """Until `url` answers; fails early when `process` (the server behind it) exits."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited early (code {process.returncode}); see logs/")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


def _signal(process: subprocess.Popen, signum: int, group: bool) -> None:
    try:
        if group:
            os.killpg(process.pid, signum)  # the server and whatever it started
        else:
            process.send_signal(signum)
    except ProcessLookupError:
        pass


def stop_processes(processes: Iterable[Optional[subprocess.Popen]], group: bool = False) -> None:
    """Terminate, give each 20 s to exit, then kill. `group`: signal each one's process group
    (for processes started with start_new_session=True)."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        _signal(process, signal.SIGTERM, group)
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _signal(process, signal.SIGKILL, group)
            process.wait(timeout=20)
