import os
import shutil

import pytest

from numbness_triage.extraction import shared_extractor
from numbness_triage.interview import Interview, Turn
from numbness_triage.state import State
from numbness_triage.knowledge import shared_knowledge_base

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def kb():
    return shared_knowledge_base()


@pytest.fixture(scope="session")
def extractor():
    return shared_extractor()


@pytest.fixture
def chat(kb, extractor):
    """Talk to the framework-free interview: chat("text") or chat("text", intent="affirm")."""

    class Conversation:
        def __init__(self):
            self.state = State()
            self.interview = Interview(kb)
            self.replies = []

        def __call__(self, text, intent="describe_symptoms"):
            turn = Turn(intent, text, extractor.extract(text))
            self.replies = self.interview.handle_turn(self.state, turn)
            return "\n".join(r.text for r in self.replies)

        def answer_until_done(self, answers, default=("no", "deny"), most=20):
            """Answers each question by its kind (answers: kind -> (text, intent)) while the
            interview asks; returns the last replies."""
            for _ in range(most):
                if self.state.stage != "interview":
                    break
                question = self.interview.kb.questions[self.question]
                text, intent = answers.get(question.kind, default)
                self(text, intent=intent)
            return self.replies

        @property
        def payload(self):
            customs = [r.custom for r in self.replies if r.custom]
            return customs[-1]["assessment"] if customs else None

        @property
        def question(self):
            return self.state.pending

    return Conversation()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, through Playwright (the web and review browser tests)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(executable):
        pytest.fail(f"{executable} is missing: `make web-test-setup` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
