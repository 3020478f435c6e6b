"""python -m review [--host 127.0.0.1] [--port 8090] [--endpoints endpoints.yml | --cluster]

--cluster reads the PostgreSQL of a running `make cluster` (endpoints-production.yml, with the
addresses and the password of var/cluster/).

Settings from the environment: REVIEW_DB_URL (the marks' database; default sqlite var/review.db),
REVIEW_ACCOUNTS_FILE / REVIEW_ACCOUNTS (reviewer accounts, see review/accounts.py),
REVIEW_STUCK_TURNS (default 12), REVIEW_SESSION_IDLE_MINUTES (30), REVIEW_SESSION_HOURS (8),
REVIEW_SECURE_COOKIES (1 / 0; default 1 unless the host is a loopback address).
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cluster_database() -> dict:
    """The POSTGRES_* variables endpoints-production.yml reads, as `make cluster` sets them."""
    from cluster.stack import BASE, Stack

    if not (BASE / "state.json").exists():
        raise SystemExit("review: no `make cluster` here (var/cluster/state.json is missing)")
    return {k: v for k, v in Stack().service_env().items() if k.startswith("POSTGRES_")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml",
                        help="the endpoints file whose tracker_store the bot uses")
    parser.add_argument("--cluster", action="store_true",
                        help="the tracker store of a running `make cluster` (endpoints-production.yml)")
    args = parser.parse_args(argv)
    if args.cluster:
        args.endpoints = ROOT / "endpoints-production.yml"
        os.environ.update(_cluster_database())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from review.accounts import AccountError, ensure_an_account, load_accounts
    from review.app import Settings, create_app
    from review.marks import MarkStore, review_db_url
    from review.tracker_source import StoreConfigError, TrackerSource

    try:
        source = TrackerSource.from_endpoints(args.endpoints)
        marks_url = review_db_url()
        if source.url.get_backend_name() == "sqlite" and marks_url.startswith("sqlite") and \
                Path(marks_url.split("///", 1)[-1]).resolve() == Path(source.url.database or "").resolve():
            raise StoreConfigError("REVIEW_DB_URL names the tracker store's own file: the marks need a file of their "
                                   "own")
        ensure_an_account()
        load_accounts()  # a malformed accounts file stops the start, with its reason
        marks = MarkStore(marks_url)
    except (StoreConfigError, AccountError, OSError) as error:
        print(f"review: {error}", file=sys.stderr)
        return 2
    secure = os.environ.get("REVIEW_SECURE_COOKIES")
    settings = Settings(
        stuck_after=int(os.environ.get("REVIEW_STUCK_TURNS", "12")),
        secure_cookies=(secure == "1") if secure in ("0", "1") else not _loopback(args.host),
        idle_seconds=float(os.environ.get("REVIEW_SESSION_IDLE_MINUTES", "30")) * 60,
        max_seconds=float(os.environ.get("REVIEW_SESSION_HOURS", "8")) * 3600)
    app = create_app(source, marks, load_accounts, settings)
    print(f"\n  The review page: http://{args.host}:{args.port}/  (reads {source.where()}; marks in "
          f"{marks.engine.url.render_as_string(hide_password=True)}; Ctrl-C stops it)\n", flush=True)
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
