"""The review page in headless chromium (Debian's, through Playwright), as a reviewer uses it:
sign in, read the overview and the conversations, mark one, export the marked ones; an XSS
attempt typed to the bot (and into a reviewer's note) stays text on every page. Screenshots of
each page go to results/screenshots/review-*.png."""
import pytest
import yaml

from tests.review.conftest import XSS_COMMAND, XSS_OPENING
from tests.review.harness import PASSWORD, REVIEWER, conversation_path

XSS_NOTE = '<img src=x onerror="window.__xss=1;alert(5)"><script>window.__xss=2</script>'
INJECTED = "script, img[onerror], svg, iframe, [onload], [onclick]"


@pytest.fixture
def page(browser, review):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.browser_errors = errors
    yield page
    try:
        assert not dialogs, f"a page opened dialogs: {dialogs}"
        assert not errors, f"errors in the browser: {errors}"
    finally:
        context.close()


def sign_in(page, review, path="/"):
    page.goto(review.url + path)
    assert "/login" in page.url
    page.fill("input[name=name]", REVIEWER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button")
    page.wait_for_load_state("load")


def plots_drawn(page) -> bool:
    return page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")


def test_sign_in_then_the_overview(page, review, store, screenshots):
    page.goto(review.url + "/")
    assert "/login" in page.url
    page.screenshot(path=str(screenshots / "review-login.png"))
    page.fill("input[name=name]", REVIEWER)
    page.fill("input[name=password]", "wrong password!")
    page.click("form[action='/login'] button")
    assert "Wrong name or password" in page.inner_text("main")
    assert page.browser_errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    page.browser_errors.clear()
    sign_in(page, review)
    assert page.url == review.url + "/"
    assert page.inner_text("#total") == str(len(store["played"]))
    assert page.locator("main img").count() == 5 and plots_drawn(page)
    page.screenshot(path=str(screenshots / "review-overview.png"), full_page=True)


def test_the_list_and_a_conversation(page, review, store, screenshots):
    sign_in(page, review, "/conversations")
    assert "/conversations" in page.url
    assessed = store["played"]["assessed"]
    page.screenshot(path=str(screenshots / "review-conversations.png"), full_page=True)
    row = page.locator("#conversations tr", has_text=assessed.sent[0][:60])
    row.locator("a").first.click()
    page.wait_for_load_state("load")
    assert page.inner_text("#transcript").count("PERSON") == len(assessed.sent)
    assert "numbness in the foot or toes · present" in page.inner_text("#transcript")
    page.screenshot(path=str(screenshots / "review-conversation.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": 1700})  # the top: facts, assessment, transcript
    page.goto(review.url + conversation_path(store["played"]["escalation"].id))
    assert "slurred speech" in page.inner_text("#red-flags")
    page.screenshot(path=str(screenshots / "review-escalation.png"), full_page=True)


def test_a_reviewer_marks_a_conversation_and_exports_the_marked_ones(page, review, store, screenshots):
    escalation = store["played"]["escalation"]
    sign_in(page, review, conversation_path(escalation.id))
    page.check("input[name=verdict][value=correct]")
    page.select_option("select[name=expected_cause]", "stroke_tia")
    page.fill("textarea[name=note]", "right call: slurred speech")
    page.click("form.mark button")
    page.wait_for_load_state("load")
    assert page.inner_text("#current-mark") == "correct"
    page.locator("#mark").screenshot(path=str(screenshots / "review-mark.png"))
    with page.expect_download() as download:
        page.click("a[href='/export.yml']")
    cases = yaml.safe_load(open(download.value.path(), encoding="utf-8"))["vignettes"]
    exported = [c for c in cases if c["opening"] == escalation.sent[0]]
    assert len(exported) == 1 and exported[0]["red_flag"] is True
    assert exported[0]["expected_triage"] == escalation.assessment["triage"]


def test_an_xss_attempt_is_inert_on_every_page(page, review, store, screenshots):
    xss = store["played"]["xss"]
    sign_in(page, review, conversation_path(xss.id))
    page.check("input[name=verdict][value=not_readable]")
    page.fill("textarea[name=note]", XSS_NOTE)
    page.click("form.mark button")
    page.wait_for_load_state("load")
    shown = {
        "/": [XSS_COMMAND],
        "/conversations": [XSS_OPENING],
        "/conversations?show=unread": [XSS_OPENING],
        conversation_path(xss.id): [XSS_OPENING, XSS_COMMAND, XSS_NOTE, xss.id],
    }
    for path, texts in shown.items():
        page.goto(review.url + path)
        assert page.locator(INJECTED).count() == 0, path
        assert page.evaluate("window.__xss") is None, path
        body = page.inner_text("body")
        for text in texts:
            assert text in body, (path, text)  # shown as the text it is
    page.screenshot(path=str(screenshots / "review-xss.png"), full_page=True)
