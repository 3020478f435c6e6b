"""endpoints.yml with the action server on the port actually used.

endpoints.yml names the action server at port 5055; `make chat`, `make run`, `make slack`,
`make telegram` and `make web` start it on $(ACTION_PORT), so they give Rasa a copy of
endpoints.yml that says that port (var/endpoints-<port>.yml), written by this script:

    python scripts/endpoints_file.py --action-port 5056 --out var/endpoints-5056.yml
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tooling.bot import write_endpoints  # noqa: E402


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--action-port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_endpoints(args.out, args.action_port)


if __name__ == "__main__":
    main()
