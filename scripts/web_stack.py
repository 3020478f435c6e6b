"""Start the web chat (tooling/web_stack.py): the action server, the Rasa server (socket.io + REST)
and the page's static server; wait until each answers; stop all three together. `make web` runs it
in the foreground (Ctrl-C stops everything).

    python scripts/web_stack.py --host 127.0.0.1 --web-port 8080 --rasa-port 5005 --action-port 5055
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tooling.web_stack import WebStack  # noqa: E402


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
    stopping: List[int] = []

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
