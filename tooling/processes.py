"""Starting, waiting for and stopping the processes of the project's servers."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 20  # what a process gets to exit after SIGTERM, before SIGKILL
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(**changes: Optional[str]) -> Dict[str, str]:
    """This process's environment for one of the project's servers: the project on PYTHONPATH,
    quiet TensorFlow and SQLAlchemy, no telemetry, rasa_sdk on loopback (it binds to SANIC_HOST,
    0.0.0.0 when unset). `changes` add or override variables; None removes one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1"}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def spawn(command: Sequence[str], log: Optional[Path], env: Optional[Mapping[str, str]] = None, *,
          cwd: Path = ROOT, append: bool = False) -> subprocess.Popen:
    """`command` in a process group of its own (stop it with `stop_processes(..., group=True)`),
    its output in `log` (None: discarded), no input; `env` defaults to `server_env()`."""
    environment = dict(env) if env is not None else server_env()
    if log is None:
        return subprocess.Popen(list(command), cwd=cwd, env=environment, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a" if append else "w") as output:
        return subprocess.Popen(list(command), cwd=cwd, env=environment, stdout=output,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def log_tail(log: Optional[Path], lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_for(url: str, seconds: float, process: Optional[subprocess.Popen] = None,
             log: Optional[Path] = None) -> None:
    """Until `url` answers; fails early when `process` (the server behind it) exits. `log`: the
    server's log, whose end the error shows."""
    deadline = time.monotonic() + seconds
    where = f"see {log}" if log else "see logs/"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited early (code {process.returncode}); {where}\n{log_tail(log)}")
        try:
            _DIRECT.open(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f}s; {where}")


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05, what: str = "") -> Any:
    """Until `predicate()` is true; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")


def _signal(process: subprocess.Popen, signum: int, group: bool) -> None:
    try:
        if group:
            os.killpg(process.pid, signum)  # the server and whatever it started
        else:
            process.send_signal(signum)
    except ProcessLookupError:
        pass


def stop_processes(processes: Iterable[Optional[subprocess.Popen]], group: bool = False) -> None:
    """Terminate, give each STOP_SECONDS to exit, then kill. `group`: signal each one's process
    group (for processes started by `spawn`)."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        _signal(process, signal.SIGTERM, group)
    for process in running:
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            _signal(process, signal.SIGKILL, group)
            process.wait(timeout=STOP_SECONDS)
