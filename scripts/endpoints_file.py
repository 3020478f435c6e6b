"""endpoints.yml with the action server on the port actually used.

endpoints.yml names the action server at port 5055; `make chat`, `make run`, `make slack`,
`make telegram` and `make web` start it on $(ACTION_PORT), so they give Rasa a copy of
endpoints.yml that says that port (var/endpoints-<port>.yml), written by this script:

    python scripts/endpoints_file.py --action-port 5056 --out var/endpoints-5056.yml
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent


def endpoints_for(action_port: int, tracker_db: Optional[str] = None, source: Path = ROOT / "endpoints.yml") -> dict:
    """The endpoints of `source`, the action server at 127.0.0.1:`action_port` (and, for tests,
    the tracker store on a file of their own)."""
    endpoints = yaml.safe_load(source.read_text()) or {}
    endpoints["action_endpoint"] = {**(endpoints.get("action_endpoint") or {}),
                                    "url": f"http://127.0.0.1:{action_port}/webhook"}
    if tracker_db:
        endpoints["tracker_store"] = {**(endpoints.get("tracker_store") or {}), "db": str(tracker_db)}
    return endpoints


def write_endpoints(out: Path, action_port: int, tracker_db: Optional[str] = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(endpoints_for(action_port, tracker_db), sort_keys=False)
    out.write_text(f"# Written by scripts/endpoints_file.py from endpoints.yml: the action server on port {action_port}.\n"
                   + text)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--action-port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_endpoints(args.out, args.action_port)


if __name__ == "__main__":
    main()
