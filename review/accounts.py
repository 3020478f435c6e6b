"""Reviewer accounts: a name and a password hashed with scrypt (Python's hashlib; n=2**15, r=8, p=1,
a random 16-byte salt per password). Only the hash is stored.

Accounts come from the file var/review-accounts (REVIEW_ACCOUNTS_FILE names another), one
`name:hash` a line, and from the environment variable REVIEW_ACCOUNTS (`name:hash` entries
separated by commas or spaces). Both may be used; the environment wins for a name in both.

    python -m review.accounts add NAME        # asks for the password (twice); adds or replaces NAME
    python -m review.accounts remove NAME
    python -m review.accounts hash            # asks for a password; prints a hash for REVIEW_ACCOUNTS
    python -m review.accounts list
"""
from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Dict, Optional

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "var" / "review-accounts"
INITIAL_PASSWORD_NAME = "review-initial-password"  # beside the accounts file
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
MIN_PASSWORD = 10
NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class AccountError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * r * (n + p + 2) + 2 ** 20,
                          dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return (f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${_b64(salt)}$"
            f"{_b64(_scrypt(password, salt, **SCRYPT))}")


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


# Checked against when the name is unknown, so an unknown name takes as long as a wrong password.
_DUMMY = hash_password(secrets.token_hex(16))


def check_login(accounts: Dict[str, str], name: str, password: str) -> bool:
    encoded = accounts.get(name)
    matches = verify_password(password, encoded or _DUMMY)
    return bool(encoded) and matches


def _parse(text: str, where: str) -> Dict[str, str]:
    accounts = {}
    for number, entry in enumerate(re.split(r"[\s,]+", text), start=1):
        if not entry or entry.startswith("#"):
            continue
        name, _, encoded = entry.partition(":")
        if not NAME.match(name) or not encoded.startswith("scrypt$") or encoded.count("$") != 5:
            raise AccountError(f"{where}: entry {number} is not 'name:scrypt$...' (make review-account NAME=... writes "
                               f"one)")
        accounts[name] = encoded
    return accounts


def accounts_file() -> Path:
    return Path(os.environ.get("REVIEW_ACCOUNTS_FILE") or DEFAULT_FILE)


def load_accounts(path: Optional[Path] = None) -> Dict[str, str]:
    path = path or accounts_file()
    accounts = {}
    if path.exists():
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
        accounts.update(_parse("\n".join(lines), str(path)))
    accounts.update(_parse(os.environ.get("REVIEW_ACCOUNTS", ""), "REVIEW_ACCOUNTS"))
    return accounts


def _write(path: Path, accounts: Dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# reviewer accounts of the review page: name:scrypt hash (make review-account NAME=...)\n")
        handle.writelines(f"{name}:{encoded}\n" for name, encoded in sorted(accounts.items()))


def set_account(name: str, password: str, path: Optional[Path] = None) -> None:
    if not NAME.match(name):
        raise AccountError("a name is 1-64 letters, digits or _ . @ -")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    path = path or accounts_file()
    existing = {}
    if path.exists():
        existing = _parse("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                                    if not line.lstrip().startswith("#")), str(path))
    existing[name] = hash_password(password)
    _write(path, existing)


def ensure_an_account(path: Optional[Path] = None) -> None:
    """On a fresh clone there is no account: ask for one at a terminal; otherwise create `reviewer`
    with a random password written (not printed) to review-initial-password beside the accounts
    file (var/, mode 600)."""
    if load_accounts(path):
        return
    path = path or accounts_file()
    if sys.stdin.isatty():
        print("No reviewer account yet: create one (make review-account NAME=... adds more).")
        name = input("name: ").strip()
        set_account(name, _ask_password(), path)
        print(f"account {name!r} saved in {path}")
        return
    password = secrets.token_urlsafe(18)
    set_account("reviewer", password, path)
    initial = path.parent / INITIAL_PASSWORD_NAME
    fd = os.open(initial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    print(f"No reviewer account yet: created 'reviewer'; its password is in {initial} "
          f"(read it, then delete the file, or set your own with make review-account NAME=reviewer)")


def _ask_password() -> str:
    while True:
        password = getpass.getpass(f"password (at least {MIN_PASSWORD} characters): ")
        if len(password) < MIN_PASSWORD:
            print("too short")
        elif getpass.getpass("again: ") != password:
            print("the two differ")
        else:
            return password


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Reviewer accounts of the review page.")
    parser.add_argument("command", choices=["add", "remove", "hash", "list"])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--file", type=Path, help=f"the accounts file (default {DEFAULT_FILE})")
    args = parser.parse_args(argv)
    path = args.file or accounts_file()
    try:
        if args.command == "hash":
            print(hash_password(_ask_password()))
        elif args.command == "list":
            print("\n".join(sorted(load_accounts(path))) or "no accounts")
        elif not args.name:
            parser.error(f"{args.command} needs a NAME")
        elif args.command == "add":
            set_account(args.name, _ask_password(), path)
            print(f"account {args.name!r} saved in {path}")
        else:
            accounts = {k: v for k, v in load_accounts(path).items() if k != args.name}
            _write(path, accounts)
            print(f"account {args.name!r} removed from {path}")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
