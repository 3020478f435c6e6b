"""Start and stop the production profile on this machine, from Debian's packages.

    python -m cluster.stack up       PostgreSQL, Redis, 2 action servers, nginx, 2 Rasa servers
    python -m cluster.stack down     stop all of them
    python -m cluster.stack status   what runs, and where
    python -m cluster.stack install  apt-get install what is missing (as root)

Everything listens on 127.0.0.1. PostgreSQL is a private cluster in var/cluster/pg (initdb, run as
the `postgres` user when we are root; in /var/tmp/leg-numbness-pg-<hash> when that user cannot
enter the clone's directory), Redis a private instance on its own port, nginx runs a config
generated into var/cluster/nginx/. Secrets (database and Redis passwords, the Rasa API token) are
generated once into var/cluster/secrets.env (mode 600) and handed to the servers as environment
variables, which endpoints-production.yml reads. State (ports, process ids): var/cluster/state.json.
Logs: logs/cluster/.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Optional, TypeGuard

from tooling.bot import MODEL, action_server_command, rasa_server_command
from tooling.processes import ROOT, free_port, server_env, spawn, wait_for

BASE = ROOT / "var" / "cluster"
ENDPOINTS = ROOT / "endpoints-production.yml"
CREDENTIALS = ROOT / "credentials.yml"
SERVERS = 2
DEFAULT_PORTS = {"postgres": 55432, "redis": 56379, "nginx": 8088, "nginx_actions": 5150,
                 "rasa": [5105, 5106], "actions": [5155, 5156]}
DEBIAN_PACKAGES = {"postgresql": "initdb", "redis-server": "redis-server", "nginx": "nginx"}
PG_USER = "postgres"  # the OS user that runs PostgreSQL when we are root
DB_NAME, DB_USER = "rasa", "rasa"


def is_root() -> bool:
    return os.geteuid() == 0


def _postgres_can_reach(path: Path) -> bool:
    """Whether the PostgreSQL user may enter `path`'s nearest existing directory (and so every
    directory above it)."""
    existing = path.resolve()
    while not existing.exists():
        existing = existing.parent
    return subprocess.run(["runuser", "-u", PG_USER, "--", "test", "-x", str(existing)], cwd="/",
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def pg_bin(name: str) -> str:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name))
    for directory in reversed(dirs):
        if Path(directory, name).exists():
            return str(Path(directory, name))
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found: apt-get install -y postgresql")
    return found


def missing_packages() -> List[str]:
    missing = []
    for package, binary in DEBIAN_PACKAGES.items():
        try:
            if package == "postgresql":
                pg_bin("initdb")
            elif not (shutil.which(binary) or Path("/usr/sbin", binary).exists()):
                missing.append(package)
        except FileNotFoundError:
            missing.append(package)
    return missing


def install() -> None:
    """apt-get install PostgreSQL, Redis and nginx when one is missing (root only)."""
    missing = missing_packages()
    if not missing:
        return
    if not is_root():
        raise SystemExit(f"missing Debian packages: {' '.join(missing)} (apt-get install -y {' '.join(missing)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    # Debian's packages start their own services where systemd runs; ours are private instances.


def _alive(pid: Optional[int]) -> TypeGuard[int]:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie (our own dead child) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Stack:
    """One cluster, described by var/cluster/state.json (or another base folder for tests)."""

    def __init__(self, base: Path = BASE, ports: Optional[dict] = None, endpoints: Path = ENDPOINTS,
                 model: Path = MODEL, lock_log: Optional[Path] = None) -> None:
        self.base = Path(base)
        self.logs = ROOT / "logs" / "cluster" / (self.base.name if self.base != BASE else "")
        self.state_file = self.base / "state.json"
        state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        self.ports: Dict[str, Any] = ports or state.get("ports") or DEFAULT_PORTS
        self.pids: Dict[str, int] = state.get("pids", {})
        self.endpoints = Path(state.get("endpoints", endpoints)) if not ports else Path(endpoints)
        self.model = Path(model)
        self.lock_log = lock_log
        self.processes: Dict[str, subprocess.Popen] = {}

    @classmethod
    def with_free_ports(cls, base: Path, **kwargs) -> "Stack":
        ports = {"postgres": free_port(), "redis": free_port(), "nginx": free_port(), "nginx_actions": free_port(),
                 "rasa": [free_port() for _ in range(SERVERS)], "actions": [free_port() for _ in range(SERVERS)]}
        return cls(base, ports=ports, **kwargs)

    # -- bookkeeping ----------------------------------------------------------------------------

    def save_state(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps({"ports": self.ports, "pids": self.pids,
                                               "endpoints": str(self.endpoints)}, indent=2))

    def secrets(self) -> Dict[str, str]:
        path = self.base / "secrets.env"
        if not path.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            values = {"POSTGRES_PASSWORD": secrets.token_hex(16), "REDIS_PASSWORD": secrets.token_hex(16),
                      "RASA_AUTH_TOKEN": secrets.token_hex(16)}
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write("".join(f"{k}={v}\n" for k, v in values.items()))
        return dict(line.split("=", 1) for line in path.read_text().split())

    def service_env(self) -> Dict[str, str]:
        """The variables endpoints-production.yml reads."""
        s = self.secrets()
        return {
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['nginx_actions']}/webhook",
            "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(self.ports["postgres"]),
            "POSTGRES_DB": DB_NAME, "POSTGRES_USER": DB_USER, "POSTGRES_PASSWORD": s["POSTGRES_PASSWORD"],
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.ports["redis"]),
            "REDIS_PASSWORD": s["REDIS_PASSWORD"], "REDIS_LOCK_DB": "1",
        }

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports["rasa"]]

    @property
    def nginx_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def _as_pg(self, command: List[str]) -> List[str]:
        return ["runuser", "-u", PG_USER, "--", *command] if is_root() else command

    # -- PostgreSQL -----------------------------------------------------------------------------

    @cached_property
    def pg_dir(self) -> Path:
        """base/pg, unless the PostgreSQL user cannot reach it (a clone in a private directory, as
        `mktemp -d` makes): then a directory of its own under /var/tmp, named after base."""
        inside = self.base / "pg"
        if not is_root() or _postgres_can_reach(self.base):
            return inside
        digest = hashlib.sha1(str(self.base.resolve()).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"leg-numbness-pg-{digest}"

    def _pg_owned(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if is_root():
            shutil.chown(path, PG_USER, PG_USER)
        path.chmod(0o700)

    def start_postgres(self) -> None:
        data, sock = self.pg_dir / "data", self.pg_dir / "sock"
        self._pg_owned(self.pg_dir)
        self._pg_owned(sock)
        if not (data / "PG_VERSION").exists():
            subprocess.run(self._as_pg([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                                        "--auth-local=trust", "--auth-host=scram-sha-256"]),
                           check=True, stdout=subprocess.DEVNULL)
        if not self.postgres_running():
            options = (f"-c port={self.ports['postgres']} -c listen_addresses=127.0.0.1 "
                       f"-c unix_socket_directories={sock} -c max_connections=100 -c fsync=on")
            subprocess.run(self._as_pg([pg_bin("pg_ctl"), "-D", str(data), "-l", str(self.pg_dir / "postgres.log"),
                                        "-w", "-t", "60", "-o", options, "start"]),
                           check=True, stdout=subprocess.DEVNULL)
        password = self.secrets()["POSTGRES_PASSWORD"]
        self.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{DB_USER}') THEN "
                  f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{password}'; END IF; END $$;")
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'").strip() != "1":
            self.psql(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")

    def psql(self, sql: str, db: str = "postgres") -> str:
        result = subprocess.run(self._as_pg([pg_bin("psql"), "-h", str(self.pg_dir / "sock"), "-p",
                                             str(self.ports["postgres"]), "-U", "postgres", "-d", db, "-tAq",
                                             "-v", "ON_ERROR_STOP=1", "-c", sql]),
                                check=True, capture_output=True, text=True, cwd="/")
        return result.stdout

    def postgres_running(self) -> bool:
        data = self.pg_dir / "data"
        if not (data / "postmaster.pid").exists():
            return False
        return subprocess.run(self._as_pg([pg_bin("pg_ctl"), "-D", str(data), "status"]), cwd="/",
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def stop_postgres(self, mode: str = "fast") -> None:
        if self.postgres_running():
            subprocess.run(self._as_pg([pg_bin("pg_ctl"), "-D", str(self.pg_dir / "data"), "-m", mode, "-w", "stop"]),
                           check=False, stdout=subprocess.DEVNULL, cwd="/")

    def restart_postgres(self, down_seconds: float = 2.0) -> None:
        self.stop_postgres()
        time.sleep(down_seconds)
        self.start_postgres()

    def db_connect(self):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.ports["postgres"], dbname=DB_NAME, user=DB_USER,
                                password=self.secrets()["POSTGRES_PASSWORD"], connect_timeout=5)

    # -- Redis ----------------------------------------------------------------------------------

    def redis_client(self):
        import redis

        return redis.StrictRedis(host="127.0.0.1", port=self.ports["redis"], password=self.secrets()["REDIS_PASSWORD"],
                                 socket_timeout=5)

    def start_redis(self) -> None:
        directory = self.base / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "redis.conf"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"port {self.ports['redis']}\nbind 127.0.0.1\nprotected-mode yes\n"
                         f"requirepass {self.secrets()['REDIS_PASSWORD']}\ndaemonize yes\n"
                         f"pidfile {directory / 'redis.pid'}\nlogfile {directory / 'redis.log'}\ndir {directory}\n"
                         'save ""\nappendonly no\n')
        if not self.redis_running():
            subprocess.run(["redis-server", str(config)], check=True)
            deadline = time.time() + 20
            while not self.redis_running():
                if time.time() > deadline:
                    raise TimeoutError("redis did not start; see var/cluster/redis/redis.log")
                time.sleep(0.1)

    def redis_running(self) -> bool:
        try:
            return bool(self.redis_client().ping())
        except Exception:
            return False

    def stop_redis(self) -> None:
        if self.redis_running():
            try:
                self.redis_client().shutdown(nosave=True)
            except Exception:
                pass
            deadline = time.time() + 10
            while self.redis_running() and time.time() < deadline:
                time.sleep(0.1)

    def restart_redis(self, down_seconds: float = 2.0) -> None:
        self.stop_redis()
        time.sleep(down_seconds)
        self.start_redis()

    # -- nginx ----------------------------------------------------------------------------------

    def nginx_config(self) -> str:
        d = self.base / "nginx"
        rasa = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in self.ports["rasa"])
        actions = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in self.ports["actions"])
        user = "user www-data;\n" if is_root() else ""
        return f"""# generated by cluster/stack.py -- do not edit
{user}worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy; fastcgi_temp_path {d}/tmp/fastcgi;
  uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;

  # REST: any server will do (the lock store and PostgreSQL make them interchangeable); the least
  # busy one gets the turn, and a server that refuses connections is skipped.
  upstream rasa_rest {{
    least_conn;
{rasa}
    keepalive 16;
  }}
  # socket.io keeps a session in one server's memory: the first request of a client gets a random
  # key, sent back in the rasa_sticky cookie; the same key hashes to the same server afterwards.
  map $cookie_rasa_sticky $sticky_key {{ "" $request_id; default $cookie_rasa_sticky; }}
  upstream rasa_socketio {{
    hash $sticky_key consistent;
{rasa}
  }}
  upstream rasa_actions {{
    least_conn;
{actions}
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}

  server {{
    listen 127.0.0.1:{self.ports['nginx']};
    proxy_connect_timeout 2s;
    location = / {{ proxy_pass http://rasa_rest; }}
    location /webhooks/ {{
      proxy_pass http://rasa_rest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
    }}
    location /socket.io/ {{
      add_header Set-Cookie "rasa_sticky=$sticky_key; Path=/; HttpOnly; SameSite=Lax" always;
      proxy_pass http://rasa_socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 300s;
    }}
    location / {{ return 404; }}   # the HTTP API (/conversations, /model ...) stays private
  }}
  server {{
    listen 127.0.0.1:{self.ports['nginx_actions']};
    location / {{
      proxy_pass http://rasa_actions;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""

    def start_nginx(self) -> None:
        d = self.base / "nginx"
        for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (d / sub).mkdir(parents=True, exist_ok=True)
            if is_root():
                shutil.chown(d / sub, "www-data", "www-data")
        config = d / "nginx.conf"
        config.write_text(self.nginx_config())
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(d), "-e", str(d / "error.log")], check=True)
        if self.nginx_running():
            subprocess.run([nginx, "-c", str(config), "-p", str(d), "-e", str(d / "error.log"), "-s", "reload"],
                           check=True)
        else:
            subprocess.run([nginx, "-c", str(config), "-p", str(d), "-e", str(d / "error.log")], check=True)

    def nginx_pid(self) -> Optional[int]:
        try:
            return int((self.base / "nginx" / "nginx.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def nginx_running(self) -> bool:
        return _alive(self.nginx_pid())

    def stop_nginx(self) -> None:
        pid = self.nginx_pid()
        if _alive(pid):
            os.kill(pid, signal.SIGQUIT)
            deadline = time.time() + 10
            while _alive(pid) and time.time() < deadline:
                time.sleep(0.1)

    # -- Rasa and action servers ----------------------------------------------------------------

    def _spawn(self, name: str, command: List[str], env: Dict[str, str]) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as output:
            output.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} {name} starting\n")
        process = spawn(command, log, server_env(**env), append=True)
        self.processes[name] = process
        self.pids[name] = process.pid
        self.save_state()
        return process

    def start_actions(self, index: int) -> subprocess.Popen:
        return self._spawn(f"actions-{index + 1}", action_server_command(self.ports["actions"][index]), {})

    def start_rasa(self, index: int) -> subprocess.Popen:
        env = {**self.service_env(), "CLUSTER_SERVER_NAME": f"rasa-{index + 1}", "SQL_POOL_SIZE": "5",
               "SQL_MAX_OVERFLOW": "10"}
        if self.lock_log:
            env["CLUSTER_LOCK_LOG"] = str(self.lock_log)
        return self._spawn(f"rasa-{index + 1}", rasa_server_command(
            self.model, self.endpoints, CREDENTIALS, self.ports["rasa"][index],
            api_token=self.secrets()["RASA_AUTH_TOKEN"]), env)

    def wait_rasa(self, index: int, seconds: float = 300) -> None:
        wait_for(f"{self.rasa_urls[index]}/", seconds, self.processes.get(f"rasa-{index + 1}"))

    def wait_actions(self, index: int, seconds: float = 120) -> None:
        wait_for(f"http://127.0.0.1:{self.ports['actions'][index]}/health", seconds,
                 self.processes.get(f"actions-{index + 1}"))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        pid = self.pids.get(name)
        if _alive(pid):
            os.kill(pid, sig)
        process = self.processes.get(name)
        if process is not None:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_process(self, name: str) -> None:
        pid = self.pids.get(name)
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 20
            while _alive(pid) and time.time() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
        process = self.processes.pop(name, None)
        if process is not None:
            process.wait()
        self.pids.pop(name, None)
        self.save_state()

    def restart_rasa(self, index: int) -> None:
        self.stop_process(f"rasa-{index + 1}")
        self.start_rasa(index)
        self.wait_rasa(index)

    def restart_all_rasa(self) -> None:
        """Every Rasa server stopped, then all started together (they load the model in parallel)."""
        for i in range(SERVERS):
            self.stop_process(f"rasa-{i + 1}")
        for i in range(SERVERS):
            self.start_rasa(i)
        for i in range(SERVERS):
            self.wait_rasa(i)

    # -- the whole ------------------------------------------------------------------------------

    def up(self, rasa: bool = True) -> "Stack":
        install()
        if not self.model.exists():
            raise SystemExit(f"{self.model} is missing: make train")
        self.base.mkdir(parents=True, exist_ok=True)
        self.save_state()
        self.start_postgres()
        self.start_redis()
        for i in range(SERVERS):
            if not _alive(self.pids.get(f"actions-{i + 1}")):
                self.start_actions(i)
        self.start_nginx()
        if rasa:
            for i in range(SERVERS):
                if not _alive(self.pids.get(f"rasa-{i + 1}")):
                    self.start_rasa(i)
            for i in range(SERVERS):
                self.wait_rasa(i)
        for i in range(SERVERS):
            self.wait_actions(i)
        return self

    def down(self) -> None:
        for name in list(self.pids):
            self.stop_process(name)
        self.stop_nginx()
        self.stop_redis()
        self.stop_postgres()
        self.save_state()

    def status(self) -> Dict[str, Dict[str, Any]]:
        return {
            "postgres": {"address": f"127.0.0.1:{self.ports['postgres']}", "running": self.postgres_running(),
                         "db": DB_NAME, "user": DB_USER},
            "redis": {"address": f"127.0.0.1:{self.ports['redis']}", "running": self.redis_running()},
            "nginx": {"address": self.nginx_url, "rest": f"{self.nginx_url}/webhooks/rest/webhook",
                      "socketio": f"{self.nginx_url}/socket.io/", "running": self.nginx_running(),
                      "actions": f"http://127.0.0.1:{self.ports['nginx_actions']}/webhook"},
            **{f"rasa-{i + 1}": {"address": self.rasa_urls[i], "running": _alive(self.pids.get(f"rasa-{i + 1}"))}
               for i in range(SERVERS)},
            **{f"actions-{i + 1}": {"address": f"http://127.0.0.1:{self.ports['actions'][i]}",
                                    "running": _alive(self.pids.get(f"actions-{i + 1}"))} for i in range(SERVERS)},
        }

    def print_addresses(self) -> None:
        for name, info in self.status().items():
            flag = "up  " if info["running"] else "DOWN"
            extra = "  ".join(f"{k}={v}" for k, v in info.items() if k not in ("address", "running"))
            print(f"{flag} {name:10} {info['address']:28} {extra}")
        print(f"secrets (mode 600): {self.base / 'secrets.env'}   logs: {self.logs}")


def healthy(stack: Stack) -> bool:
    """All of the cluster answers (used by the tests to reuse a running `make cluster`)."""
    try:
        for url in stack.rasa_urls + [stack.nginx_url]:
            urllib.request.urlopen(url + "/", timeout=3).read()
        return stack.postgres_running() and stack.redis_running()
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "install"])
    args = parser.parse_args()
    stack = Stack()
    if args.command == "install":
        install()
    elif args.command == "up":
        started = time.time()
        stack.up()
        print(f"cluster up in {time.time() - started:.0f}s")
        stack.print_addresses()
    elif args.command == "down":
        stack.down()
        print("cluster stopped")
    else:
        stack.print_addresses()
    return 0


if __name__ == "__main__":
    sys.exit(main())
