"""The chat page as a person uses it: open it, type, click a button, read the replies.

Waiting is Playwright's own (expect / wait_for_function); a turn is over when the bot's new
messages have all been shown: the widget shows its typing dots while it still holds messages back.
"""
from __future__ import annotations

import re
import time
from typing import List
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect

TURN_TIMEOUT = 60_000  # ms: a first message also warms up the NLU and the action server
PAGE_TIMEOUT = 60_000
SETTLE_SECONDS = 1.5  # no new message and no typing dots for this long: the turn is over

BOT = ".rw-conversation-container .rw-message:not(.rw-typing-indication) .rw-response"
PERSON = ".rw-conversation-container .rw-client"
CARD = ".assessment-card"
BUTTON = ".rw-replies .rw-reply"
INPUT = ".rw-new-message"
TYPING = ".rw-typing-indication"
OPENING = "Please tell me in your own words"
DESCRIPTION = "my feet are numb and burn, I have diabetes"
RED_FLAG = "my speech is slurred and my leg went numb"


def answer_for(question: str) -> str:
    """What the person of the issue answers: 63, male, gradually, for months, no to the rest."""
    q = question.lower()
    if "how old" in q or "male or female" in q:
        return "63 male"
    if "suddenly" in q and "gradually" in q:
        return "gradually"
    if "how long" in q:
        return "months"
    return "no"


class ChatPage:
    def __init__(self, context: BrowserContext, stack):
        self.context = context
        self.stack = stack
        self.page_errors: List[str] = []
        self.dialogs: List[str] = []
        allowed = {urlsplit(stack.page_url).netloc, urlsplit(stack.rasa_url).netloc}

        def only_local(route):  # nothing leaves the machine (the widget asks for a web font)
            if urlsplit(route.request.url).netloc in allowed:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_local)
        self.page: Page = context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

        def on_dialog(dialog):
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

    # ------------------------------------------------------------------ locators
    @property
    def bot(self):
        return self.page.locator(BOT)

    @property
    def person(self):
        return self.page.locator(PERSON)

    @property
    def cards(self):
        return self.page.locator(CARD)

    @property
    def buttons(self):
        return self.page.locator(BUTTON)

    @property
    def banner(self):
        return self.page.locator("#emergency-banner")

    # ------------------------------------------------------------------ actions
    def goto(self) -> None:
        self.page.goto(self.stack.page_url, wait_until="load")

    def open(self) -> None:
        """Open the page and wait for the bot's greeting (the widget sends /greet)."""
        self.goto()
        expect(self.bot.filter(has_text=OPENING)).to_have_count(1, timeout=TURN_TIMEOUT)
        self.settle()

    def send(self, text: str) -> None:
        """Type a message, press Enter, wait for the bot's reply to be shown in full."""
        before = self._bot_count()
        mine = self.person.count()
        self.page.locator(INPUT).fill(text)
        self.page.locator(INPUT).press("Enter")
        expect(self.person).to_have_count(mine + 1, timeout=TURN_TIMEOUT)
        self._wait_for_reply(before)

    def click(self, title: str) -> None:
        """Click one of the buttons of the bot's last question."""
        before = self._bot_count()
        mine = self.person.count()
        self.buttons.filter(has_text=re.compile(f"^{re.escape(title)}$")).last.click()
        expect(self.person).to_have_count(mine + 1, timeout=TURN_TIMEOUT)
        self._wait_for_reply(before)

    # ------------------------------------------------------------------ the keyboard alone
    def focused(self) -> dict:
        """What has the keyboard focus: its kind, text, and whether the focus can be seen."""
        return self.page.evaluate("""() => {
            const e = document.activeElement;
            const style = getComputedStyle(e);
            return {input: e.matches('.rw-new-message'), reply: !!e.closest('.rw-reply'),
                    text: (e.textContent || '').trim(), tag: e.tagName,
                    visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
        }""")

    def tab_until(self, wanted, key: str = "Tab", presses: int = 40) -> dict:
        """Press Tab (or Shift+Tab) until wanted(focused) holds; the focus must show each time."""
        for _ in range(presses):
            self.page.keyboard.press(key)
            focused = self.focused()
            if focused["tag"] not in ("BODY", "HTML"):
                assert focused["visible"], f"no visible focus on {focused}"
            if wanted(focused):
                return focused
        raise AssertionError(f"{key} never reached the element wanted; focus on {self.focused()}")

    def type_with_keyboard(self, text: str) -> None:
        """Type into the text box (Tab to it first if the focus is elsewhere), press Enter."""
        before, mine = self._bot_count(), self.person.count()
        if not self.focused()["input"]:
            self.tab_until(lambda focused: focused["input"])
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        expect(self.person).to_have_count(mine + 1, timeout=TURN_TIMEOUT)
        self._wait_for_reply(before)

    def press_button_with_keyboard(self, title: str, key: str = "Enter") -> None:
        """Shift+Tab from the text box to the answer button `title`, press it with Enter or Space."""
        before, mine = self._bot_count(), self.person.count()
        self.tab_until(lambda focused: focused["reply"] and focused["text"] == title, key="Shift+Tab")
        self.page.keyboard.press(key)
        expect(self.person).to_have_count(mine + 1, timeout=TURN_TIMEOUT)
        self._wait_for_reply(before)

    def reload(self) -> None:
        self.page.reload(wait_until="load")
        expect(self.person.first).to_be_visible(timeout=TURN_TIMEOUT)
        self.settle()

    # ------------------------------------------------------------------ reading
    def last_bot_text(self) -> str:
        return self.bot.last.inner_text().strip()

    def bot_texts(self) -> List[str]:
        return [text.strip() for text in self.bot.all_inner_texts()]

    def button_titles(self) -> List[str]:
        return [text.strip() for text in self.buttons.all_inner_texts()]

    # ------------------------------------------------------------------ waiting
    def _bot_count(self) -> int:
        return self.page.evaluate(f"() => document.querySelectorAll({BOT!r}).length + "
                                  f"document.querySelectorAll({CARD!r}).length")

    def _wait_for_reply(self, before: int) -> None:
        self.page.wait_for_function(
            f"n => document.querySelectorAll({BOT!r}).length + document.querySelectorAll({CARD!r}).length > n",
            arg=before, timeout=TURN_TIMEOUT)
        self.settle()

    def settle(self) -> None:
        """Wait until the widget has shown every message it holds: no typing dots, and no new
        message for SETTLE_SECONDS."""
        deadline = time.monotonic() + TURN_TIMEOUT / 1000
        stable_since, last = time.monotonic(), -1
        while time.monotonic() < deadline:
            count = self._bot_count()
            typing = self.page.locator(TYPING).count() > 0
            if count != last or typing:
                stable_since, last = time.monotonic(), count
            elif time.monotonic() - stable_since >= SETTLE_SECONDS:
                return
            self.page.wait_for_timeout(250)
        raise AssertionError("the bot kept typing")
