"""The web chat's three servers: the action server, the Rasa server (socket.io + REST) and the
page's static server, each in a process group of its own, waited for and stopped together.

`make web` runs them through scripts/web_stack.py; the browser tests in tests/web use `WebStack`
on free ports with a throw-away tracker store.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from tooling.bot import MODEL, START_SECONDS, action_server_command, rasa_server_command, write_endpoints
from tooling.processes import ROOT, log_tail, server_env, spawn, stop_processes, wait_for


class WebStack:
    """The three processes, logs under `log_dir` (web-actions.log, web-rasa.log, web-static.log)."""

    def __init__(self, *, host: str = "127.0.0.1", web_port: int = 8080, rasa_port: int = 5005,
                 action_port: int = 5055, model: str = str(MODEL.relative_to(ROOT)),
                 cors: Optional[List[str]] = None, tracker_db: Optional[str] = None,
                 log_dir: Path = ROOT / "logs", work_dir: Optional[Path] = None):
        self.host = host
        self.web_port, self.rasa_port, self.action_port = web_port, rasa_port, action_port
        self.model = model
        self.page_url = f"http://{host}:{web_port}/"
        self.rasa_url = f"http://{host}:{rasa_port}"
        self.cors = cors or [self.page_url.rstrip("/")]
        self.tracker_db = tracker_db
        self.log_dir = Path(log_dir)
        self.work_dir = Path(work_dir) if work_dir else self.log_dir
        self.processes: Dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> Path:
        return self.log_dir / f"web-{name}.log"

    def endpoints_file(self) -> Path:
        """endpoints.yml with the action server on our port (and, for tests, the tracker store on
        a file of their own)."""
        return write_endpoints(self.work_dir / "web-endpoints.yml", self.action_port, self.tracker_db)

    def start(self, timeout: float = START_SECONDS) -> "WebStack":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        commands = {
            "actions": action_server_command(self.action_port),
            "rasa": rasa_server_command(self.model, self.endpoints_file(), "credentials.yml", self.rasa_port,
                                        interface=self.host, cors=self.cors),
            "static": [sys.executable, str(ROOT / "web" / "server.py"), "--host", self.host,
                       "--port", str(self.web_port), "--rasa-url", self.rasa_url],
        }
        # the same origins for socket.io's WebSocket connections (channels/webchat_socketio.py)
        env = server_env(SOCKETIO_ALLOWED_ORIGINS=" ".join(self.cors))
        try:
            for name, command in commands.items():
                self.processes[name] = spawn(command, self.log(name), env)
            deadline = time.monotonic() + timeout
            for name, url in (("static", self.page_url), ("actions", f"http://127.0.0.1:{self.action_port}/health"),
                              ("rasa", f"{self.rasa_url}/webhooks/socketio/")):
                wait_for(url, max(0.0, deadline - time.monotonic()), self.processes[name], self.log(name))
        except BaseException:
            self.stop()
            raise
        return self

    def log_tail(self, name: str, lines: int = 30) -> str:
        return log_tail(self.log(name), lines)

    def stop(self) -> None:
        stop_processes(self.processes.values(), group=True)
        self.processes.clear()

    def first_exited(self) -> Optional[str]:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None
