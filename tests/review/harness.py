"""The review server as a person starts it (`python -m review`, what `make review` runs) on a free
port, and an HTTP client that keeps its cookies and does not follow redirects."""
from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from tooling.processes import free_port, server_env, spawn, stop_processes, wait_for

ROOT = Path(__file__).resolve().parents[2]
REVIEWER, PASSWORD = "dr-tester", "a long test password"


class ReviewServer:
    def __init__(self, endpoints: Path, work: Path, env: Optional[Dict[str, str]] = None, name: str = "review"):
        self.endpoints, self.work = endpoints, work
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ROOT / "logs" / "review-tests" / f"{name}.log"
        self.marks_url = f"sqlite:///{work / 'review.db'}"
        self.accounts = work / "review-accounts"
        self.env = {"REVIEW_ACCOUNTS_FILE": str(self.accounts), "REVIEW_DB_URL": self.marks_url,
                    "REVIEW_STUCK_TURNS": "4", **(env or {})}
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "ReviewServer":
        from review.accounts import load_accounts, set_account

        if not self.accounts.exists() or REVIEWER not in load_accounts(self.accounts):
            set_account(REVIEWER, PASSWORD, self.accounts)
        command = [sys.executable, "-m", "review", "--port", str(self.port), "--endpoints", str(self.endpoints)]
        self.process = spawn(command, self.log, server_env(**self.env))
        wait_for(f"{self.url}/login", 60, self.process, self.log)
        return self

    def stop(self) -> None:
        stop_processes([self.process], group=True)


@dataclass
class Reply:
    status: int
    headers: Dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, method: str, path: str, form: Optional[dict] = None, headers: Optional[dict] = None) -> Reply:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Reply:
        return self.request("POST", path, form)

    def login(self, name: str = REVIEWER, password: str = PASSWORD) -> Reply:
        token = re.search(r'name="login_token" value="([^"]+)"', self.get("/login").text).group(1)
        return self.post("/login", {"login_token": token, "name": name, "password": password, "next": "/"})

    def csrf(self, path: str = "/") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)


def conversation_path(sender_id: str) -> str:
    return "/conversation?" + urllib.parse.urlencode({"id": sender_id})
