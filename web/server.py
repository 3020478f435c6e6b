"""The web chat page's static server: python web/server.py --port 8080 --rasa-url http://127.0.0.1:5005

Serves the page (index.html, app.js, app.css), the rasa-webchat bundle and React from
web/node_modules (only those two files), and /config.js: where Rasa's socket.io channel is and
the labels the assessment card shows (urgency levels with their advice, red-flag names), read
from the knowledge base so the page says what the bot says. Every response carries a
Content-Security-Policy that allows scripts from this server only and connections to this
server and the Rasa server only.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FILES = {
    "/": (HERE / "index.html", "text/html"),
    "/index.html": (HERE / "index.html", "text/html"),
    "/app.js": (HERE / "app.js", "application/javascript"),
    "/app.css": (HERE / "app.css", "text/css"),
    "/vendor/rasa-webchat.js": (HERE / "node_modules" / "rasa-webchat" / "lib" / "index.js", "application/javascript"),
    "/vendor/react.js": (HERE / "node_modules" / "react" / "umd" / "react.production.min.js", "application/javascript"),
}

logger = logging.getLogger("web")


def page_knowledge() -> dict:
    """What the card needs from the knowledge base: urgency labels and advice, red-flag names,
    the not-a-diagnosis line."""
    from numbness_triage.knowledge import NOT_A_DIAGNOSIS, shared_knowledge_base

    kb = shared_knowledge_base()
    levels = {level.value: {"label": entry.label, "advice": entry.advice, "rank": level.rank}
              for level, entry in kb.urgency_levels.items()}
    red_flags = {finding_id: finding.label for finding_id, finding in kb.red_flags.items()}
    return {"urgency": levels, "red_flags": red_flags, "not_a_diagnosis": kb.advice[NOT_A_DIAGNOSIS].text}


def config_script(rasa_url: str, knowledge: dict) -> str:
    config = {"socketUrl": rasa_url.rstrip("/"), "socketPath": "/socket.io/", "initPayload": "/greet",
              "knowledge": knowledge}
    # json.dumps escapes nothing HTML-ish, but this is served as a script file, never inlined in HTML.
    return "window.TRIAGE_CONFIG = " + json.dumps(config, ensure_ascii=True) + ";\n"


def content_security_policy(rasa_url: str) -> str:
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    rasa = f"{parts.scheme}://{parts.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the widget injects its own <style> elements
        f"connect-src 'self' {rasa} {ws_scheme}://{parts.netloc}",
        "img-src 'self' data:",
        "font-src 'self' data:",  # the widget's icon font is inlined
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def create_app(rasa_url: str, knowledge: dict | None = None) -> web.Application:
    missing = [str(path) for path, _ in FILES.values() if not path.is_file()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run `make web-setup` (npm ci in web/)")
    script = config_script(rasa_url, knowledge if knowledge is not None else page_knowledge())
    headers = {
        "Content-Security-Policy": content_security_policy(rasa_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

    async def serve_file(request: web.Request) -> web.StreamResponse:
        path, content_type = FILES[request.path]
        return web.Response(body=path.read_bytes(), content_type=content_type, charset="utf-8", headers=headers)

    async def serve_config(request: web.Request) -> web.StreamResponse:
        return web.Response(text=script, content_type="application/javascript", headers=headers)

    async def no_icon(request: web.Request) -> web.StreamResponse:
        return web.Response(status=204, headers=headers)

    app = web.Application()
    app.router.add_get("/favicon.ico", no_icon)
    for route in FILES:
        app.router.add_get(route, serve_file)
    app.router.add_get("/config.js", serve_config)
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005", help="the Rasa server the page talks to")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(args.rasa_url)
    logger.info("serving the chat page on http://%s:%s (Rasa: %s)", args.host, args.port, args.rasa_url)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
