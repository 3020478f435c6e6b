"""WCAG 2.1 AA on the chat page: axe-core in each state a person meets (the greeting, the middle of
the interview, the assessment, an emergency) at desktop and phone sizes, with a screenshot of each
(results/screenshots/<state>-<size>.png) and the report in results/accessibility.json."""
from tests.web.accessibility import SIZES, Report, run_axe, serious
from tests.web.widget import DESCRIPTION, OPENING, RED_FLAG, answer_for

STATES = ("greeting", "mid-interview", "assessment", "emergency")


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def check_state(chat, state, report, screenshots):
    """axe and a screenshot at each size; the page is left at desktop size."""
    for size, viewport in SIZES.items():
        chat.page.set_viewport_size(viewport)
        chat.page.wait_for_timeout(300)  # the layout settles (media queries, the widget's scrolling)
        report.add(state, size, run_axe(chat.page))
        chat.page.screenshot(path=str(screenshots / f"{state}-{size}.png"))
    chat.page.set_viewport_size(SIZES["desktop"])


def test_axe_finds_no_serious_violation_in_any_state_at_either_size(open_chat, screenshots):
    report = Report()
    try:
        chat = open_chat(SIZES["desktop"])
        chat.open()
        check_state(chat, "greeting", report, screenshots)

        chat.send(DESCRIPTION)
        for _ in range(6):  # the middle of the interview: a question with answer buttons
            if chat.button_titles():
                break
            chat.send(answer_for(chat.last_bot_text()))
        check_state(chat, "mid-interview", report, screenshots)

        for _ in range(15):
            if chat.cards.count():
                break
            chat.send(answer_for(chat.last_bot_text()))
        expect(chat.cards.last).to_be_visible()
        check_state(chat, "assessment", report, screenshots)

        emergency = open_chat(SIZES["desktop"])
        emergency.open()
        emergency.send(RED_FLAG)
        expect(emergency.banner).to_be_visible()
        check_state(emergency, "emergency", report, screenshots)
    finally:
        report.save()

    assert set(report.states) == set(STATES)
    found = {f"{state} at {size}": [f"{v['impact']}: {v['id']} ({v['help']}) at {v['where']}"
                                    for v in serious(result["violations"])]
             for state, sizes in report.states.items() for size, result in sizes.items()}
    assert not any(found.values()), found


def keyboard_answer(question: str, titles):
    """The person of widget.answer_for, choosing among the question's buttons when it has them."""
    answer = answer_for(question)
    for title in titles:
        if title.lower() == answer or (answer == "no" and title == "No"):
            return title
    return None


def test_a_whole_conversation_with_the_keyboard_alone(open_chat):
    """The description, every question, the assessment, "was this helpful?" and "start over",
    with Tab, Shift+Tab, typing, Enter and Space only; the focus always visible."""
    chat = open_chat(SIZES["desktop"])
    chat.open()
    chat.type_with_keyboard(DESCRIPTION)
    pressed, space = 0, False
    for _ in range(15):
        if chat.cards.count():
            break
        question, titles = chat.last_bot_text(), chat.button_titles()
        title = keyboard_answer(question, titles)
        if title:
            chat.press_button_with_keyboard(title, key="Space" if space else "Enter")
            pressed, space = pressed + 1, not space
        else:
            chat.type_with_keyboard(answer_for(question))
    expect(chat.cards.last).to_be_visible()
    assert pressed >= 2, "no question was answered with a button"

    expect(chat.bot.last).to_contain_text("helpful")
    chat.press_button_with_keyboard("Yes")
    chat.press_button_with_keyboard("Start over", key="Space")
    expect(chat.bot.last).to_contain_text(OPENING)
    # And the conversation goes on, still by keyboard.
    chat.type_with_keyboard("my left foot is numb and tingling")
    assert "?" in chat.last_bot_text()
