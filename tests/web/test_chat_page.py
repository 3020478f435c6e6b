"""The web chat page in headless chromium, against the real Rasa server and action server."""
import re


from numbness_triage.knowledge import Urgency, shared_knowledge_base

from tests.web.widget import DESCRIPTION, RED_FLAG, answer_for

INJECTION = "<img src=x onerror=alert(1)>"
NOT_UNDERSTOOD = "Sorry, I didn't catch that"
OPENING = "Please tell me in your own words"
# The card's colours (web/app.css), as the browser computes them.
TRIAGE_COLOURS = {
    "self_care": "rgb(46, 125, 50)",
    "consultation": "rgb(21, 101, 192)",
    "consultation_24": "rgb(180, 83, 9)",
    "emergency": "rgb(198, 40, 40)",
    "emergency_ambulance": "rgb(139, 0, 0)",
}


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def test_the_disclaimer_shows_before_the_first_message_then_folds_to_one_line(chat):
    chat.goto()
    disclaimer = chat.page.locator("#disclaimer")
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text("not a doctor", ignore_case=True)
    expect(disclaimer).to_contain_text("call 911")
    expect(disclaimer).to_contain_text("slurred speech")  # the serious signs, in full before the start
    assert chat.person.count() == 0
    # Above the chat, so it is read first.
    assert disclaimer.bounding_box()["y"] < chat.page.locator("#chat").bounding_box()["y"]
    expect(chat.bot.filter(has_text=OPENING)).to_have_count(1, timeout=60_000)

    chat.send("my left foot is numb")
    toggle = chat.page.get_by_role("button", name="More")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(chat.page.locator("#disclaimer-full")).to_be_hidden()
    expect(disclaimer).to_contain_text("911")
    assert disclaimer.bounding_box()["height"] <= 72, disclaimer.bounding_box()  # one line and its button
    toggle.click()
    expect(chat.page.locator("#disclaimer-full")).to_be_visible()
    expect(chat.page.get_by_role("button", name="Less")).to_have_attribute("aria-expanded", "true")


def test_the_page_itself_says_not_a_doctor_once(chat):
    chat.open()
    outside_the_chat = chat.page.evaluate(
        "() => [...document.body.children].map(e => e.innerText).join(' "
        "').replace(document.getElementById('chat').innerText, '')")
    assert outside_the_chat.lower().count("not a doctor") == 1, outside_the_chat
    assert "not a doctor" not in chat.page.locator(".rw-header").all_inner_texts()


def test_the_greeting_says_not_a_doctor_once(chat):
    chat.open()
    greeting = " ".join(text for text in chat.bot_texts())
    assert greeting.lower().count("not a doctor") == 1, greeting


def test_a_typed_message_gets_a_reply(chat):
    chat.open()
    before = len(chat.bot_texts())
    chat.send("my left foot is numb and tingling")
    expect(chat.person.last).to_have_text("my left foot is numb and tingling")
    replies = chat.bot_texts()[before:]
    assert replies and all(replies), replies
    assert "?" in replies[-1], f"the bot should ask its next question, said {replies}"


def test_a_button_click_answers_the_question(chat):
    chat.open()
    chat.send(DESCRIPTION)
    for _ in range(6):  # answer by typing until a question comes with buttons
        if chat.button_titles():
            break
        chat.send(answer_for(chat.last_bot_text()))
    titles = chat.button_titles()
    assert titles, "no question with buttons came"
    question = chat.last_bot_text()
    title = next((t for t in ("Gradually", "No", "Both legs") if t in titles), titles[0])
    chat.click(title)
    expect(chat.person.last).to_have_text(title)
    reply = chat.last_bot_text()
    assert NOT_UNDERSTOOD not in reply, reply
    assert reply != question, f"the bot asked again: {reply}"


def test_a_red_flag_shows_the_emergency_banner(chat, screenshots):
    chat.open()
    expect(chat.banner).to_be_hidden()
    chat.send(RED_FLAG)
    banner = chat.banner
    expect(banner).to_be_visible(timeout=60_000)
    expect(banner).to_contain_text("911")
    expect(banner).to_contain_text("slurred speech")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_be_in_viewport()
    colour = banner.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour in (TRIAGE_COLOURS["emergency"], TRIAGE_COLOURS["emergency_ambulance"]), colour
    call = banner.get_by_role("link", name="Call 911")
    expect(call).to_have_attribute("href", "tel:911")
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    card = chat.cards.last
    expect(card).to_have_attribute("data-triage", re.compile(r"^emergency"))
    expect(card).to_contain_text("slurred speech")
    # The banner stays in the window while the person scrolls the conversation.
    chat.page.locator("#rw-messages").hover()
    chat.page.mouse.wheel(0, -2000)
    expect(banner).to_be_in_viewport()
    chat.page.screenshot(path=str(screenshots / "emergency-banner.png"))


# Test instrumentation, run before the page's own scripts: when the emergency payload arrives over
# the socket, and when the banner shows.
BANNER_CLOCK = """
(() => {
  window.__clock = {};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener('message', event => {
      if (typeof event.data === 'string' && event.data.includes('"assessment"') && !window.__clock.payload)
        window.__clock.payload = performance.now();
    });
    return socket;
  };
  Object.assign(window.WebSocket, Native);
  window.WebSocket.prototype = Native.prototype;
  new MutationObserver(() => {
    const banner = document.getElementById('emergency-banner');
    if (banner && !banner.hidden && !window.__clock.banner) window.__clock.banner = performance.now();
  }).observe(document, {attributes: true, subtree: true, childList: true});
})();
"""


def test_the_banner_shows_the_moment_the_emergency_is_known(chat):
    """Not after the widget's typing delays: within 300 ms of the payload's arrival, before the
    turn's messages have all been shown."""
    chat.page.add_init_script(BANNER_CLOCK)
    chat.open()
    chat.page.wait_for_function("() => window.WebSocket && document.querySelector('.rw-new-message')")
    sent = chat.page.evaluate("performance.now()")
    chat.page.locator(".rw-new-message").fill(RED_FLAG)
    chat.page.locator(".rw-new-message").press("Enter")
    expect(chat.banner).to_be_visible(timeout=60_000)
    clock = chat.page.evaluate("window.__clock")
    assert "payload" in clock, "the payload did not come over the WebSocket"
    after_payload = clock["banner"] - clock["payload"]
    print(f"banner: {clock['banner'] - sent:.0f} ms after Enter, {after_payload:.0f} ms after the payload arrived")
    assert after_payload < 300, clock


def test_the_phone_layout_keeps_the_text_box_on_screen_and_targets_big(open_chat):
    chat = open_chat({"width": 390, "height": 844})
    chat.open()
    page = chat.page
    assert page.evaluate("document.documentElement.scrollHeight") <= 844 + 1, "the page scrolls as well as the chat"
    for name in (".rw-new-message", ".rw-send"):
        box = page.locator(name).bounding_box()
        assert box["y"] + box["height"] <= 844, (name, box)
        assert box["height"] >= 44, (name, box)
    chat.send(DESCRIPTION)
    for _ in range(6):
        if chat.button_titles():
            break
        chat.send(answer_for(chat.last_bot_text()))
    assert chat.button_titles(), "no question with buttons came"
    for index in range(chat.buttons.count()):
        box = chat.buttons.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    box = page.locator(".rw-new-message").bounding_box()
    assert box["y"] + box["height"] <= 844, box
    toggle = page.locator("#disclaimer-toggle").bounding_box()
    assert toggle["height"] >= 44 and toggle["width"] >= 44, toggle
    # The disclaimer has folded to one line.
    expect(page.locator("#disclaimer-full")).to_be_hidden()
    lines = page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('.disclaimer__summary'));
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    }""")
    assert lines == 1, f"the folded disclaimer takes {lines} lines"
    # The conversation gets the screen: at least half of it once the disclaimer has folded.
    assert page.locator("#rw-messages").bounding_box()["height"] >= 844 / 2


def test_a_full_interview_ends_in_one_assessment_the_card(chat, screenshots):
    kb = shared_knowledge_base()
    chat.open()
    chat.send(DESCRIPTION)
    for _ in range(15):
        if chat.cards.count():
            break
        question = chat.last_bot_text()
        assert NOT_UNDERSTOOD not in question, question
        chat.send(answer_for(question))
    card = chat.cards.last
    expect(card).to_be_visible()
    expect(chat.cards).to_have_count(1)
    # One assessment: no text bubbles saying it again beside the card.
    said = "\n".join(chat.bot_texts())
    assert "Fits:" not in said and "fit best" not in said, said

    triage = card.get_attribute("data-triage")
    level = kb.urgency_levels[Urgency(triage)]
    expect(card.locator(".card__level-label")).to_have_text(level.label)
    advice = card.locator(".card__advice")
    expect(advice).to_have_text(level.advice)
    assert int(advice.evaluate("el => getComputedStyle(el).fontWeight")) < 600, "the advice is bold"
    colour = card.locator(".card__level").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == TRIAGE_COLOURS[triage]

    causes = card.locator(".cause")
    assert 1 <= causes.count() <= 3
    names = [name.strip() for name in card.locator(".cause__name").all_inner_texts()]
    assert "Diabetic neuropathy" in names, names
    by_name = {cause.name: cause for cause in kb.causes.values()}
    differs = False
    for index in range(causes.count()):
        cause = causes.nth(index)
        known = by_name[names[index]]
        expect(cause.locator(".cause__score")).to_have_text(re.compile(r"^\(\d+%\)$"))
        expect(cause.locator(".cause__description")).to_have_text(known.description.splitlines()[0])
        expect(cause.locator(".cause__why--for")).to_contain_text("Fits:")
        own = kb.urgency_levels[known.urgency].label
        expect(cause.locator(".cause__urgency")).to_contain_text(own)
        differs = differs or own != level.label
    # When a cause's own urgency differs from the overall level, the card says which to follow.
    note = card.locator(".card__causes-note")
    if differs:
        expect(note).to_contain_text("What to do")
    else:
        expect(note).to_have_count(0)
    # A calm assessment raises no banner.
    if triage not in ("emergency", "emergency_ambulance"):
        expect(chat.banner).to_be_hidden()
    expect(chat.bot.last).to_contain_text("Was this helpful?")
    chat.page.screenshot(path=str(screenshots / "assessment-page.png"))
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(screenshots / "assessment-card.png"))


def test_a_reload_keeps_the_conversation(chat):
    chat.open()
    chat.send(DESCRIPTION)
    question = chat.last_bot_text()
    assert "?" in question, question
    shown_before = chat.bot_texts()

    chat.reload()
    expect(chat.person.first).to_have_text(DESCRIPTION)
    assert chat.bot_texts() == shown_before
    expect(chat.bot.filter(has_text=OPENING)).to_have_count(1)  # no second greeting

    # The server kept the conversation too: the answer fits the question asked before the reload.
    chat.send(answer_for(question))
    reply = chat.last_bot_text()
    assert NOT_UNDERSTOOD not in reply and OPENING not in reply, reply
    assert reply != question, reply


def test_html_in_a_message_is_shown_as_text(chat):
    chat.open()
    chat.send(INJECTION)
    expect(chat.person.last).to_have_text(INJECTION)
    assert "&lt;img" in chat.person.last.inner_html()
    images = chat.page.locator(".rw-messages-container img").evaluate_all("els => els.map(e => e.outerHTML)")
    assert images == []
    assert chat.page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert chat.last_bot_text()  # the bot answered; the fixture checks no dialog opened
