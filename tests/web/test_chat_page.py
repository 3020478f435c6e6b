"""The web chat page in headless chromium, against the real Rasa server and action server."""
import re


from numbness_triage.knowledge import Urgency, shared_knowledge_base

DESCRIPTION = "my feet are numb and burn, I have diabetes"
RED_FLAG = "my speech is slurred and my leg went numb"
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


def test_the_disclaimer_shows_before_the_first_message(chat):
    chat.goto()
    disclaimer = chat.page.locator("#disclaimer")
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text("not a doctor")
    expect(disclaimer).to_contain_text("call 911")
    assert chat.person.count() == 0
    # Above the chat, so it is read first.
    assert disclaimer.bounding_box()["y"] < chat.page.locator("#chat").bounding_box()["y"]
    # The widget's /greet makes the bot greet with its own disclaimer.
    expect(chat.bot.first).to_contain_text("not a doctor", timeout=60_000)
    expect(chat.bot.filter(has_text=OPENING)).to_have_count(1, timeout=60_000)


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
    card = chat.cards.last
    expect(card).to_have_attribute("data-triage", re.compile(r"^emergency"))
    expect(card).to_contain_text("slurred speech")
    # The banner stays at the top of the window while the person scrolls.
    chat.page.mouse.wheel(0, 2000)
    expect(banner).to_be_in_viewport()
    chat.page.evaluate("window.scrollTo(0, 0)")
    chat.page.screenshot(path=str(screenshots / "emergency-banner.png"))


def test_a_full_interview_ends_in_an_assessment_card(chat, screenshots):
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

    triage = card.get_attribute("data-triage")
    level = kb.urgency_levels[Urgency(triage)]
    expect(card.locator(".card__level-label")).to_have_text(level.label)
    expect(card.locator(".card__advice")).to_have_text(level.advice)
    colour = card.locator(".card__level").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == TRIAGE_COLOURS[triage]

    causes = card.locator(".cause")
    assert 1 <= causes.count() <= 3
    names = [name.strip() for name in card.locator(".cause__name").all_inner_texts()]
    assert "Diabetic neuropathy" in names, names
    for index in range(causes.count()):
        cause = causes.nth(index)
        expect(cause.locator(".cause__score")).to_have_text(re.compile(r"^\d+%$"))
        expect(cause.locator(".badge")).to_have_text(re.compile(r"\w"))
        expect(cause.locator(".cause__why--for")).to_contain_text("Fits:")
    # The card shows what the bot's text says: the same causes in the same order, the same triage.
    said = "\n".join(chat.bot_texts())
    summary = said[said.rindex("Here is what your answers fit best"):]
    positions = [summary.index(name) for name in names]
    assert positions == sorted(positions), (names, summary)
    assert f"What to do: {level.label}" in summary
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
