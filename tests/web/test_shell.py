"""`make chat` as a person meets it, in a terminal of its own (a pseudo-terminal), and the port
variables of the Makefile. Run by `make web-tests` with the browser tests."""
import os
import pty
import re
import select
import subprocess
import time

import yaml

from tests.web.conftest import ROOT

PROMPT = "Your input ->"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\r\x08]")
NOISE = ("Warning", "WARNING", "INFO", "DEBUG", "ERROR", "Traceback", "Custom json", "pkg_resources", "rasa.")


class Terminal:
    """A command in a pseudo-terminal: what it shows, and typing into it."""

    def __init__(self, command, env):
        self.control, terminal = pty.openpty()
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal,
                                        env=env, start_new_session=True, close_fds=True)
        os.close(terminal)
        self.screen = ""

    def read_until(self, text, seconds, after=""):
        """What the command shows until `text` appears (after `after`, when given)."""
        deadline = time.monotonic() + seconds
        start = len(self.screen)
        while time.monotonic() < deadline:
            shown = self.screen[start:]
            if text in shown[shown.find(after) + len(after):] and after in shown:
                return shown
            ready, _, _ = select.select([self.control], [], [], 0.5)
            if ready:
                try:
                    self.screen += ANSI.sub("", os.read(self.control, 65536).decode(errors="replace"))
                except OSError:  # the command has ended
                    break
        raise AssertionError(f"{text!r} did not appear within {seconds}s; the screen:\n{self.screen[-3000:]}")

    def type(self, line):
        os.write(self.control, line.encode() + b"\r")

    def close(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(30)
        os.close(self.control)


def test_make_chat_opens_on_a_clean_screen_and_its_custom_actions_answer():
    """No warnings or server logs before the prompt (they go to logs/), the action server found
    on the port ACTION_PORT names, and the assessment said once, as text."""
    from tooling.processes import free_port

    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    env.pop("MAKEFLAGS", None)
    # The set-up (install, training) is `make web-tests`' own prerequisite: here the shell alone is
    # judged, even if something touched the install's stamp meanwhile (-o: do not remake).
    terminal = Terminal(["make", "--no-print-directory", "-o", "models/leg-numbness.tar.gz", "-o", ".venv/.installed",
                         "chat", f"ACTION_PORT={free_port()}"], env)
    try:
        opening = terminal.read_until(PROMPT, 240)
        terminal.type("my left leg is numb")
        reply = terminal.read_until(PROMPT, 90, after="?")  # the interview's next question
        terminal.type("my speech is slurred")
        emergency = terminal.read_until(PROMPT, 90, after="911")
        terminal.type("/stop")
        terminal.process.wait(60)
    finally:
        terminal.close()
    assert not any(word in opening for word in NOISE), opening
    # The interview's own question, from the action server: not the "I'm having trouble" fallback.
    assert "?" in reply and "having trouble" not in reply, reply
    assert "911" in emergency and "{" not in emergency, emergency
    for screen in (reply, emergency):
        assert not any(word in screen for word in NOISE), screen


def make_commands(*arguments):
    """The commands `make -n` would run, one string."""
    return subprocess.run(["make", "-n", "--no-print-directory", *arguments], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}).stdout


def test_every_port_variable_reaches_what_it_affects():
    commands = make_commands("run", "ACTION_PORT=5998", "RASA_PORT=5997")
    assert "run actions --port 5998" in commands
    assert "--endpoints var/endpoints-5998.yml" in commands and "--port 5997" in commands
    for target in ("chat", "slack", "telegram"):
        commands = make_commands(target, "ACTION_PORT=5998")
        assert "run actions --port 5998" in commands and "--endpoints var/endpoints-5998.yml" in commands, target
    commands = make_commands("web", "ACTION_PORT=5998", "WEB_RASA_PORT=5996", "WEB_PORT=5995")
    assert "--action-port 5998" in commands and "--rasa-port 5996" in commands and "--web-port 5995" in commands

    subprocess.run(["make", "--no-print-directory", "var/endpoints-5998.yml", "ACTION_PORT=5998"], cwd=ROOT, check=True)
    endpoints = yaml.safe_load((ROOT / "var" / "endpoints-5998.yml").read_text())
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5998/webhook"
    assert endpoints["tracker_store"] == yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
