"""The review page over HTTP, reading the conversations the bot really had (conftest.py plays them):
what each page shows, who may see it, the marks, the export, and what the log keeps."""
import hashlib
import html
import re
import statistics
import time
from datetime import date, timedelta

import pytest
import yaml

from review.conversation import LEVELS
from tests.review.conftest import XSS_COMMAND, XSS_OPENING
from tests.review.harness import Client, ReviewServer, conversation_path

CSP_NEEDED = ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"]


def figure(text: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', text).group(1)


def tracker_rows(db) -> tuple:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*), MAX(id), TOTAL(LENGTH(data)) FROM events").fetchone()


# ---------------------------------------------------------------- access
def every_route(store, review):
    """(method, path) of every route the application has, with real arguments."""
    from review.access import PUBLIC
    from review.app import create_app
    from review.marks import MarkStore
    from review.tracker_source import TrackerSource

    app = create_app(TrackerSource.from_endpoints(store["endpoints"]), MarkStore(review.marks_url, create=False),
                     dict, name=f"routes{time.time_ns()}")
    sender = store["played"]["assessed"].id
    examples = {"/conversation": conversation_path(sender), "/plots/<file_name:str>": "/plots/per_day.png"}
    found = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        for method in route.methods:
            if (method, path) not in PUBLIC and method != "HEAD" and not path.startswith("/static"):
                found.append((method, examples.get(path, path)))
    return found


def test_every_route_refuses_a_visitor_who_has_not_signed_in(store, review, client):
    routes = every_route(store, review)
    paths = {p.split("?")[0] for _, p in routes}
    assert {"/", "/conversations", "/export.yml", "/conversation/mark", "/logout"} <= paths
    secret_words = [store["played"]["assessed"].sent[0], "numbness", "slurred"]
    for method, path in routes:
        reply = client.request(method, path, form={} if method == "POST" else None)
        assert reply.status in (303, 403), (method, path, reply.status)
        if reply.status == 303:
            assert reply.location.startswith("/login?next="), (path, reply.location)
        assert not any(word in reply.text for word in secret_words), path


def test_a_wrong_password_is_refused_and_the_right_one_opens_a_session(client):
    assert client.login(password="not the password").status == 401
    assert client.get("/").status == 303
    assert client.login().status == 303
    assert client.get("/").status == 200
    session = next(c for c in client.cookies if c.name == "review_session")
    assert session.has_nonstandard_attr("HttpOnly")


def test_sign_out_needs_the_forms_token_and_ends_the_session(signed_in):
    assert signed_in.post("/logout", {}).status == 403
    assert signed_in.get("/").status == 200  # still signed in
    assert signed_in.post("/logout", {"csrf_token": signed_in.csrf()}).status == 303
    assert signed_in.get("/").status == 303


def test_a_session_expires_after_its_idle_time(store, tmp_path):
    server = ReviewServer(store["endpoints"], tmp_path, env={"REVIEW_SESSION_IDLE_MINUTES": "0.04"},
                          name="review-expiry").start()
    try:
        client = Client(server.url)
        client.login()
        assert client.get("/").status == 200
        time.sleep(3)  # idle for longer than 2.4 s
        reply = client.get("/")
        assert reply.status == 303 and reply.location.startswith("/login")
    finally:
        server.stop()


def test_pages_are_never_cached_framed_or_allowed_scripts(store, signed_in):
    sender = store["played"]["assessed"].id
    for path in ["/", "/conversations", conversation_path(sender), "/plots/triage.png", "/export.yml", "/login"]:
        reply = signed_in.get(path)
        assert reply.status == 200, path
        policy = reply.headers["content-security-policy"]
        assert all(rule in policy for rule in CSP_NEEDED) and "script-src" not in policy and "unsafe" not in policy
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in signed_in.get("/").text


# ---------------------------------------------------------------- the overview
def test_the_overview_counts_what_the_bot_really_did(store, signed_in):
    played = store["played"].values()
    page = signed_in.get("/").text
    assert figure(page, "total") == str(len(played))
    given = [p.assessment for p in played if p.assessment]
    assert figure(page, "assessed") == str(len(given))
    escalated = [p for p in played if p.assessment and p.assessment["red_flags"]]
    assert figure(page, "escalated") == str(len(escalated)) == "1"
    triage = {level: int(n) for level, n in re.findall(r'data-level="([^"]+)"><td>.*?</td><td>(\d+)</td>', page)}
    assert triage == {level: sum(1 for a in given if a["triage"] == level) for level in LEVELS}
    top = [a["causes"][0]["id"] for a in given if a["causes"]]
    cause_rows = re.findall(r'data-cause="([^"]+)"><td>.*?</td><td>(\d+)</td>', page)
    assert {cause: int(n) for cause, n in cause_rows} == {c: top.count(c) for c in set(top)}
    assert re.findall(r'data-flag="([^"]+)"><td>.*?</td><td>(\d+)</td>', page) == [("slurred_speech", "1")]
    turns = [len([t for t in p.sent]) for p in played]
    assert float(figure(page, "median-turns")) == statistics.median(turns)
    assert figure(page, "helpful") == "1" and figure(page, "not-helpful") == "1"
    assert figure(page, "stuck") == "1"  # the unreadable one: 5 turns, no assessment (stuck after 4 here)


def test_the_overview_lists_the_messages_the_bot_could_not_read_with_why(store, signed_in):
    page = signed_in.get("/").text
    listed = re.search(r'id="unread-list".*?</table>', page, re.S).group(0)
    for text, reason in [("/foo", "a command, not words"), ("(empty)", "empty"),
                         ("je ne sais pas quoi dire", "not in English"), ("/help me", "a command, not words"),
                         (XSS_COMMAND, "a command, not words")]:
        assert re.search(rf"<td>{re.escape(reason)}</td><td class=\"said\">{re.escape(html.escape(text))}</td>",
                         listed), text
    assert int(figure(page, "unread")) >= 5


def test_the_overview_filters_by_channel_and_by_date(store, signed_in):
    today = date.today()
    assert figure(signed_in.get("/?channel=socketio").text, "total") == "1"
    assert figure(signed_in.get("/?channel=rest").text, "total") == str(len(store["played"]) - 1)
    assert figure(signed_in.get(f"/?from={today + timedelta(days=1)}").text, "total") == "0"
    assert figure(signed_in.get(f"/?to={today - timedelta(days=1)}").text, "total") == "0"
    assert figure(signed_in.get(f"/?from={today}&to={today}").text, "total") == str(len(store["played"]))
    page = signed_in.get("/?from=yesterday").text
    assert "is not a date" in page and figure(page, "total") == str(len(store["played"]))
    listed = signed_in.get("/conversations?channel=socketio").text
    assert html.escape(store["played"]["denied"].sent[0]) in listed
    assert html.escape(store["played"]["assessed"].sent[0]) not in listed


def test_the_plots_are_images_drawn_on_the_server(signed_in):
    for name in ("per_day", "triage", "red_flags", "causes", "feedback"):
        reply = signed_in.get(f"/plots/{name}.png?channel=rest")
        assert reply.status == 200 and reply.body.startswith(b"\x89PNG")
        assert reply.headers["content-type"] == "image/png"
    assert signed_in.get("/plots/nothing.png").status == 404


# ---------------------------------------------------------------- a conversation
def test_a_conversation_shows_each_message_with_what_the_extractor_found(store, signed_in):
    played = store["played"]["assessed"]
    page = signed_in.get(conversation_path(played.id)).text
    for text in played.sent:
        assert html.escape(text) in page
    assert "numbness in the foot or toes · present" in page
    assert "lower back pain · absent" in page
    assert "side: left" in page
    for cause in played.assessment["causes"]:
        assert f'data-cause="{cause["id"]}"' in page and html.escape(cause["name"]) in page
    assert re.search(r'id="feedback">helpful<', page)
    questions = re.search(r'id="questions".*?</table>', page, re.S).group(0)
    assert "How old are you" in questions and "54, female" in questions


def test_an_escalation_shows_its_red_flag_and_level(store, signed_in):
    played = store["played"]["escalation"]
    page = signed_in.get(conversation_path(played.id)).text
    assert played.assessment["triage"] == "emergency_ambulance"
    assert 'class="level emergency_ambulance"' in page
    assert re.search(r'id="red-flags"><span class="tag urgent" data-flag="slurred_speech">slurred speech', page)
    assert "slurred speech · present" in page


def test_a_denied_red_flag_is_shown_as_denied_and_raised_nothing(store, signed_in):
    played = store["played"]["denied"]
    page = signed_in.get(conversation_path(played.id)).text
    assert "slurred speech · absent" in page
    assert re.search(r'id="red-flags">none<', page)
    assert played.assessment["triage"] not in ("emergency", "emergency_ambulance")
    assert "socketio" in page


def test_an_unknown_conversation_is_not_found(signed_in):
    assert signed_in.get(conversation_path("no-such-conversation")).status == 404


# ---------------------------------------------------------------- marks
def test_a_mark_without_the_forms_token_is_refused_and_stores_nothing(store, signed_in):
    sender = store["played"]["unreadable"].id
    before = signed_in.get(conversation_path(sender)).text
    for token in (None, "forged-token"):
        form = {"id": sender, "verdict": "not_readable", "note": "csrf attempt"}
        if token:
            form["csrf_token"] = token
        assert signed_in.post("/conversation/mark", form).status == 403
    other = Client(signed_in.base)
    other.login()
    stolen = other.csrf()  # a token of another session does not do either
    form = {"id": sender, "verdict": "not_readable", "csrf_token": stolen}
    assert signed_in.post("/conversation/mark", form).status == 403
    assert "csrf attempt" not in signed_in.get(conversation_path(sender)).text
    assert 'id="current-mark"' not in before


def test_marks_are_kept_in_the_review_table_and_never_in_the_tracker_store(store, review, signed_in):
    sender = store["played"]["unreadable"].id
    before = tracker_rows(store["db"])
    reply = signed_in.post("/conversation/mark", {"csrf_token": signed_in.csrf(), "id": sender,
                                                  "verdict": "not_readable", "note": "garbled on purpose"})
    assert reply.status == 303
    page = signed_in.get(conversation_path(sender)).text
    assert re.search(r'id="current-mark">not readable<', page) and "garbled on purpose" in page
    assert tracker_rows(store["db"]) == before
    from review.marks import MarkStore

    assert MarkStore(review.marks_url, create=False).history(sender)[0].note == "garbled on purpose"


def test_under_triaged_needs_a_level_more_urgent_than_the_bots(store, signed_in):
    played = store["played"]["assessed"]
    lower = LEVELS[max(0, LEVELS.index(played.assessment["triage"]) - 1)]
    reply = signed_in.post("/conversation/mark", {"csrf_token": signed_in.csrf(), "id": played.id,
                                                  "verdict": "under_triaged", "expected_triage": lower})
    assert reply.status == 400 and "MORE urgent" in reply.text
    assert 'value="under_triaged" checked' in reply.text  # the form keeps what was chosen


# ---------------------------------------------------------------- the export
def test_marked_conversations_export_as_vignette_cases(store, signed_in):
    played = store["played"]
    token = signed_in.csrf()
    higher = LEVELS[LEVELS.index(played["denied"].assessment["triage"]) + 1]
    marks = {"assessed": {"verdict": "correct"}, "escalation": {"verdict": "correct", "expected_cause": "stroke_tia"},
             "denied": {"verdict": "under_triaged", "expected_triage": higher, "note": "should be quicker"},
             "unreadable": {"verdict": "not_readable"}}
    for name, form in marks.items():
        assert signed_in.post("/conversation/mark", {"csrf_token": token, "id": played[name].id, **form}).status == 303
    reply = signed_in.get("/export.yml")
    assert reply.headers["content-disposition"].startswith("attachment")
    assert "remove anything that could identify a person" in reply.text
    cases = {case["id"]: case for case in yaml.safe_load(reply.text)["vignettes"]}

    def case(name):
        return cases["review_" + hashlib.sha256(played[name].id.encode()).hexdigest()[:10]]

    assessed = case("assessed")
    assert assessed["opening"] == played["assessed"].sent[0]
    assert assessed["expected_triage"] == played["assessed"].assessment["triage"]
    assert assessed["expected_causes"] == [played["assessed"].assessment["causes"][0]["id"]]
    assert assessed["answers"]["age_sex"] == "54, female"
    assert assessed["answers"].get("duration") in (None, "about two weeks")  # the opening said it: not asked
    assert assessed["red_flag"] is False and assessed["denies_red_flags"] is False
    assert all(f["answer"] in ("yes", "no", "not sure") and f["about"] for f in assessed["facts"])
    assert "yes" not in assessed.get("volunteer", [])  # the feedback came after the assessment: not part of the case
    escalation = case("escalation")
    assert escalation["red_flag"] is True and escalation["expected_triage"] == "emergency_ambulance"
    assert escalation["expected_causes"] == ["stroke_tia"]
    denied = case("denied")
    assert denied["denies_red_flags"] is True and denied["red_flag"] is False
    assert denied["expected_triage"] == higher
    for one in cases.values():
        assert set(one) >= {"id", "typed_by", "style", "expected_causes", "expected_triage", "red_flag",
                            "denies_red_flags", "opening", "answers", "facts", "default"}
        assert one["expected_triage"] in LEVELS and one["typed_by"] in ("patient", "caregiver")
    with pytest.raises(KeyError):
        case("unreadable")  # not readable, no expected triage: no case


# ---------------------------------------------------------------- the log
def test_the_review_log_holds_no_message_text_and_no_note(store, review, signed_in):
    token = signed_in.csrf()
    note = "private clinical note 7731"
    for played in store["played"].values():
        signed_in.get(conversation_path(played.id))
        signed_in.post("/conversation/mark", {"csrf_token": token, "id": played.id, "verdict": "correct", "note": note})
    signed_in.post("/conversation/mark", {"csrf_token": token, "id": "x", "verdict": "bogus", "note": note})
    signed_in.get("/export.yml")
    log = review.log.read_text()
    assert "signed in" in log and "marked correct" in log
    said = [t for p in store["played"].values() for t in p.sent if len(t.strip()) >= 6] + [XSS_OPENING]
    assert not [t for t in said + [note] if t in log]
    assert not [p.id for p in store["played"].values() if p.id in log]  # conversations by a hash only
