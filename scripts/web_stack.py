"""Start the web chat: the action server, the Rasa server (socket.io + REST) and the page's
static server; wait until each answers; stop all three together.

`make web` runs it in the foreground (Ctrl-C stops everything); the browser tests in tests/web use
`WebStack` on free ports with a throw-away tracker store.

    python scripts/web_stack.py --host 127.0.0.1 --web-port 8080 --rasa-port 5005 --action-port 5055
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.endpoints_file import write_endpoints  # noqa: E402
from scripts.processes import stop_processes  # noqa: E402

START_TIMEOUT = 300  # the Rasa server loads the model and the extractor in ~40 s on 2 cores




class WebStack:
    """The three processes, each in its own process group, logs under `log_dir`."""

    def __init__(self, *, host: str = "127.0.0.1", web_port: int = 8080, rasa_port: int = 5005,
                 action_port: int = 5055, model: str = "models/leg-numbness.tar.gz",
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

    # ------------------------------------------------------------------ set-up
    def endpoints_file(self) -> Path:
        """endpoints.yml with the action server on our port (and, for tests, the tracker store on
        a file of their own)."""
        return write_endpoints(self.work_dir / "web-endpoints.yml", self.action_port, self.tracker_db)

    def _spawn(self, name: str, command: List[str], env: Optional[dict] = None) -> None:
        log = open(self.log_dir / f"web-{name}.log", "w")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
                 "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **(env or {})},
            start_new_session=True)
        log.close()

    def start(self, timeout: float = START_TIMEOUT) -> "WebStack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        bin_dir = Path(sys.executable).parent
        rasa = str(bin_dir / "rasa")
        try:
            # rasa_sdk binds to SANIC_HOST (0.0.0.0 when unset); the Rasa server to --interface.
            self._spawn("actions", [rasa, "run", "actions", "--port", str(self.action_port)],
                        env={"SANIC_HOST": "127.0.0.1"})
            self._spawn("rasa", [rasa, "run", "--model", self.model, "--endpoints", str(self.endpoints_file()),
                                 "--credentials", "credentials.yml", "--interface", self.host,
                                 "--port", str(self.rasa_port), "--cors", *self.cors],
                        # the same origins for socket.io's WebSocket connections (channels/webchat_socketio.py)
                        env={"SOCKETIO_ALLOWED_ORIGINS": " ".join(self.cors)})
            self._spawn("static", [sys.executable, str(ROOT / "web" / "server.py"), "--host", self.host,
                                   "--port", str(self.web_port), "--rasa-url", self.rasa_url])
            deadline = time.monotonic() + timeout
            self._wait("static", self.page_url, deadline)
            self._wait("actions", f"http://127.0.0.1:{self.action_port}/health", deadline)
            self._wait("rasa", f"{self.rasa_url}/webhooks/socketio/", deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, name: str, url: str, deadline: float) -> None:
        process = self.processes[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the {name} server exited with {process.returncode}: "
                                   f"see {self.log_dir / f'web-{name}.log'}\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the {name} server did not answer {url} in time: see {self.log_dir / f'web-{name}.log'}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"web-{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # ------------------------------------------------------------------ tear-down
    def stop(self) -> None:
        stop_processes(self.processes.values(), group=True)
        self.processes.clear()

    def first_exited(self) -> Optional[str]:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Start the web chat (action server, Rasa, the page).")
    parser.add_argument("--host", default="127.0.0.1", help="interface of the Rasa server and the page")
    parser.add_argument("--web-port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--model", default="models/leg-numbness.tar.gz")
    parser.add_argument("--cors", nargs="*", help="origins allowed to call the Rasa server (default: the page's)")
    args = parser.parse_args(argv)

    stack = WebStack(host=args.host, web_port=args.web_port, rasa_port=args.rasa_port,
                     action_port=args.action_port, model=args.model, cors=args.cors,
                     log_dir=ROOT / "logs", work_dir=ROOT / "var")
    stopping = []

    def on_signal(signum, _frame):
        if not stopping:  # a second signal while stopping does not interrupt the clean-up
            stopping.append(signum)
            raise KeyboardInterrupt

    # Ctrl-C, kill and a closed terminal all stop the three servers (SIGINT explicitly: a shell
    # that starts this in the background leaves it ignored).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    print(f"starting the action server (:{args.action_port}), the Rasa server (:{args.rasa_port}, "
          f"CORS {' '.join(stack.cors)}) and the page (:{args.web_port}); logs in logs/web-*.log", flush=True)
    try:
        stack.start()
        print(f"\n  The web chat is ready: open {stack.page_url}\n  (Ctrl-C stops it)\n", flush=True)
        while True:
            exited = stack.first_exited()
            if exited:
                print(f"the {exited} server stopped: see logs/web-{exited}.log\n{stack.log_tail(exited)}",
                      file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping the web chat", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
