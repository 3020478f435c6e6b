"""No file under version control holds something that looks like a secret.

Scans every file `git ls-files` lists (text files; binary ones are skipped) for Slack tokens,
Telegram bot tokens, private keys, AWS keys and literal passwords / secrets in YAML. Channel
credentials come from environment variables (docs/channels.md); YAML may refer to them as
${VAR}. The detectors themselves are tested on samples built at run time, so this file holds
none.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN_CHAR = r"[A-Za-z0-9_-]"
DETECTORS = {
    "Slack token": re.compile(r"\bxox[abposr]-(?:\d{6,}-)+[A-Za-z0-9-]{6,}|\bxox[bp]-[A-Za-z0-9-]{24,}"),
    "Slack webhook URL": re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    "Telegram bot token": re.compile(rf"(?<![A-Za-z0-9_:-])\d{{8,10}}:{TOKEN_CHAR}{{35}}(?!{TOKEN_CHAR})"),
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)"
                                    r"[A-Z0-9]{16}(?![A-Z0-9])"),
    "AWS secret access key": re.compile(r"(?i)aws_?secret_?access_?key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}"),
}
# A YAML key that names a secret, with a literal value (not empty, not null, not a ${VAR} placeholder).
YAML_SECRET = re.compile(
    r"^\s*-?\s*[\"']?(?P<key>[A-Za-z0-9_]*(?:password|passwd|secret|api_key|apikey|access_token|auth_token|bot_token|"
    r"signing_secret|private_key)[A-Za-z0-9_]*)[\"']?\s*:\s*(?P<value>\S.*?)\s*(?:#.*)?$",
    re.IGNORECASE)
# The same as a list item of environment variables (docker compose): - POSTGRES_PASSWORD=literal
YAML_ENV_SECRET = re.compile(
    r"^\s*-\s*[\"']?(?P<key>[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY)[A-Za-z0-9_]*)=(?P<value>[^\s\"']*)",
    re.IGNORECASE)
PLACEHOLDER = re.compile(r"""^["']?(\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}|null|~|""|''|<[^>]+>|"""
                         r"""\|[-+]?|>[-+]?)["']?$""")
SECRET_FILE_NAMES = re.compile(r"(^|/)(\.env(\.[^/]*)?|id_rsa|id_ed25519|[^/]*\.pem|[^/]*\.key|[^/]*\.p12|[^/]*\.pfx)$")


def tracked_files():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing is tracked")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]


def findings_in(name, text):
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for what, pattern in DETECTORS.items():
            if pattern.search(line):
                found.append(f"{name}:{number}: {what}")
        if name.endswith((".yml", ".yaml")):
            for pattern in (YAML_SECRET, YAML_ENV_SECRET):
                match = pattern.match(line)
                if match and match.group("value") and not PLACEHOLDER.match(match.group("value")):
                    found.append(f"{name}:{number}: literal value for {match.group('key')!r} (use a ${{VAR}} "
                                 f"placeholder)")
    return found


def test_no_tracked_file_looks_like_a_secret():
    found, scanned = [], 0
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file():  # deleted in the working tree, or a submodule
            continue
        if SECRET_FILE_NAMES.search(name):
            found.append(f"{name}: a file of this kind should not be committed")
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        scanned += 1
        found += findings_in(name, data.decode("utf-8", "replace"))
    assert scanned > 20, f"only {scanned} text files scanned: is `git ls-files` working?"
    assert not found, "things that look like secrets in tracked files:\n" + "\n".join(found)


@pytest.mark.parametrize("sample, what", [
    ("SLACK_BOT_TOKEN=" + "xoxb-" + "1234567890-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx", "Slack token"),
    ("token: " + "xoxp-" + "1234567890-1234567890-1234567890123-" + "0123456789abcdef0123456789abcdef", "Slack token"),
    ("TELEGRAM_BOT_TOKEN=" + "123456789:" + "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_", "Telegram bot token"),
    ("-----BEGIN " + "RSA PRIVATE KEY-----", "private key"),
    ("-----BEGIN " + "OPENSSH PRIVATE KEY-----", "private key"),
    ("-----BEGIN " + "PRIVATE KEY-----", "private key"),
    ("aws_access_key_id = " + "AKIA" + "IOSFODNN7EXAMPLE", "AWS access key id"),
    ("aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
])
def test_the_detectors_fire(sample, what):
    assert any(what in finding for finding in findings_in("sample.txt", sample))


@pytest.mark.parametrize("line, flagged", [
    ("  password: " + "hunter2", True),
    ("  password: " + "'s3cr3t'", True),
    ("  signing_secret: " + "8f742231b10e8888abcd99yyyzzz85a5", True),
    ("  password: ${DB_PASSWORD}", False),
    ('  password: "${DB_PASSWORD}"', False),
    ("  password:", False),
    ("  password: null", False),
    ("  slack_token: ${SLACK_BOT_TOKEN}  # from the environment", False),
    ("      - POSTGRES_PASSWORD=" + "hunter2", True),
    ("      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}", False),
])
def test_yaml_passwords(line, flagged):
    assert bool(findings_in("endpoints.yml", line)) == flagged
    assert not findings_in("notes.md", line)  # only YAML is read for key: value pairs
