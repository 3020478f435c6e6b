"""Browser tests of the web chat. They start the action server, the Rasa server and the page's
server on free ports of 127.0.0.1 (a throw-away tracker store), drive Debian's chromium headless
through Playwright, and stop everything at the end.

They run only with RUN_WEB_TESTS=1 (`make web-tests`, part of `make test`): a plain `pytest`
(`make unit`) skips them, and never imports Playwright. While working on the page, point them at a
`make web` already running with WEB_TESTS_RUNNING_STACK="<page port> <rasa port>" (no restart:
the page's server reads web/ on every request).
"""
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RUN = os.environ.get("RUN_WEB_TESTS") == "1"
SCREENSHOTS = ROOT / "results" / "screenshots"


if not RUN:  # not even collected: the test modules import Playwright, installed by `make web-test-setup`
    collect_ignore_glob = ["test_*.py"]


def pytest_collection_modifyitems(config, items):
    if RUN:
        return
    skip = pytest.mark.skip(reason="browser tests: run them with `make web-tests` (RUN_WEB_TESTS=1)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory):
    from tooling.processes import free_port
    from tooling.web_stack import WebStack

    running = os.environ.get("WEB_TESTS_RUNNING_STACK")  # "page-port rasa-port": a `make web` already running
    if running:
        web_port, rasa_port = (int(port) for port in running.split())
        yield WebStack(host="127.0.0.1", web_port=web_port, rasa_port=rasa_port)
        return
    work = tmp_path_factory.mktemp("web")
    logs = ROOT / "logs" / "web-tests"
    logs.mkdir(parents=True, exist_ok=True)
    stack = WebStack(host="127.0.0.1", web_port=free_port(), rasa_port=free_port(), action_port=free_port(),
                     tracker_db=str(work / "conversations.db"), log_dir=logs, work_dir=work)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def open_chat(browser, web_stack):
    """open_chat(viewport) -> a fresh browser context (so a new conversation) on the chat page;
    each is checked for JavaScript errors and dialogs, and closed, at the end of the test."""
    from tests.web.widget import ChatPage

    pages = []

    def new_page(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1100, "height": 1000})
        pages.append(ChatPage(context, web_stack))
        return pages[-1]

    yield new_page
    try:
        for page in pages:
            assert not page.page_errors, f"JavaScript errors on the page: {page.page_errors}"
            assert not page.dialogs, f"the page opened dialogs: {page.dialogs}"
    finally:
        for page in pages:
            page.context.close()


@pytest.fixture
def chat(open_chat):
    """A fresh browser context (so a new conversation) on the chat page."""
    return open_chat()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
