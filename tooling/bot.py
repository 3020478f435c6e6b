"""This bot's two servers: the action server and the Rasa server, their commands and endpoints,
and `running_bot`, both on free ports of 127.0.0.1 for as long as a `with` block lasts."""
from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import yaml

from tooling.processes import ROOT, free_port, server_env, spawn, stop_processes, wait_for

RASA = str(Path(sys.executable).parent / "rasa")
ENDPOINTS = ROOT / "endpoints.yml"
MODEL = ROOT / "models" / "leg-numbness.tar.gz"
# The REST channel of credentials.yml (channels/rest_safe.py) alone.
REST_CREDENTIALS = "channels.rest_safe.SafeRestInput:\n"
START_SECONDS = 300  # the Rasa server loads the model and the extractor in ~40 s on 2 cores


def action_server_command(port: int) -> List[str]:
    return [RASA, "run", "actions", "--port", str(port)]


def rasa_server_command(model: Any, endpoints: Any, credentials: Any, port: int, *, interface: str = "127.0.0.1",
                        api_token: Optional[str] = None, cors: Sequence[str] = ()) -> List[str]:
    """`rasa run` on `interface`; the HTTP API only with `api_token`, which every call must then carry."""
    command = [RASA, "run", "--model", str(model), "--endpoints", str(endpoints), "--credentials", str(credentials),
               "--port", str(port), "--interface", interface]
    if api_token:
        command += ["--enable-api", "--auth-token", api_token]
    if cors:
        command += ["--cors", *cors]
    return command


def endpoints_for(action_port: int, tracker_db: Any = None, source: Optional[Path] = ENDPOINTS) -> Dict[str, Any]:
    """The endpoints of `source` (none when it is missing), the action server at
    127.0.0.1:`action_port` and, with `tracker_db`, a SQLite tracker store on that file instead."""
    endpoints = (yaml.safe_load(source.read_text(encoding="utf-8")) if source and source.exists() else None) or {}
    endpoints["action_endpoint"] = {**(endpoints.get("action_endpoint") or {}),
                                    "url": f"http://127.0.0.1:{action_port}/webhook"}
    store = endpoints.get("tracker_store")
    if tracker_db and isinstance(store, dict) and store.get("dialect") == "sqlite":
        store["db"] = str(tracker_db)
    return endpoints


def write_endpoints(out: Path, action_port: int, tracker_db: Any = None) -> Path:
    """endpoints.yml with the action server on `action_port`, written to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(endpoints_for(action_port, tracker_db), sort_keys=False)
    out.write_text(f"# Written from endpoints.yml (tooling/bot.py): the action server on port {action_port}.\n" + text,
                   encoding="utf-8")
    return out


@dataclass
class Bot:
    url: str  # the Rasa server
    action_port: int
    rasa_port: int


@contextmanager
def running_bot(name: str, *, model: Any = MODEL, log_dir: Path = ROOT / "logs", tracker_db: Any = None,
                tracker_store: Optional[Dict[str, Any]] = None, credentials: str = REST_CREDENTIALS,
                env: Optional[Dict[str, Optional[str]]] = None, start_seconds: float = START_SECONDS) -> Iterator[Bot]:
    """The action server and the Rasa server (by default its REST channel alone) on free ports, with
    the tracker store of endpoints.yml on `tracker_db` (by default a file of a temporary folder),
    or `tracker_store` (endpoints.yml's section) instead; logs in `log_dir`/`name`-actions.log and
    -rasa.log. Yields once both answer; stops both afterwards."""
    work = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    action_port, rasa_port = free_port(), free_port()
    endpoints = endpoints_for(action_port, tracker_db or work / "conversations.db")
    if tracker_store is not None:
        endpoints["tracker_store"] = tracker_store
    (work / "endpoints.yml").write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    (work / "credentials.yml").write_text(credentials, encoding="utf-8")
    environment = server_env(**(env or {}))
    logs = {server: log_dir / f"{name}-{server}.log" for server in ("actions", "rasa")}
    processes = []
    try:
        processes.append(spawn(action_server_command(action_port), logs["actions"], environment))
        processes.append(spawn(rasa_server_command(model, work / "endpoints.yml", work / "credentials.yml", rasa_port),
                               logs["rasa"], environment))
        wait_for(f"http://127.0.0.1:{action_port}/health", start_seconds, processes[0], logs["actions"])
        wait_for(f"http://127.0.0.1:{rasa_port}/", start_seconds, processes[1], logs["rasa"])
        yield Bot(f"http://127.0.0.1:{rasa_port}", action_port, rasa_port)
    finally:
        stop_processes(processes, group=True)
        shutil.rmtree(work, ignore_errors=True)
