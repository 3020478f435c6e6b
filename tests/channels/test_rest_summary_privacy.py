"""Issue 16, finding 5 (REST) with the trained bot: /request_summary returns only the asker's own
conversation. Before, {"sender": "<someone else's id>", "message": "/request_summary"} returned that
person's summary. Needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (`make channel-tests`)."""
import os

import pytest


pytestmark = pytest.mark.skipif(os.environ.get("RUN_CHANNEL_SERVER_TESTS") != "1",
                                reason="needs the trained model: RUN_CHANNEL_SERVER_TESTS=1 (make channel-tests)")


def texts(reply):
    return [m.get("text") or "" for m in reply.json()] if reply.status_code == 200 else []


def summary_with_data(reply):
    return [t for t in texts(reply) if t.startswith("Summary to show a doctor") and "nothing yet" not in t]


def test_only_the_person_gets_their_summary(rest):
    patient = rest.issue()
    rest.post({"sender": patient, "message": "my left foot has been numb for a week"})
    own = rest.post({"sender": patient, "message": "/request_summary"})
    assert summary_with_data(own), "the person's own summary is missing"
    for guess in ("patient-1", "alice", patient[:-2] + "xx", patient.upper()):
        stolen = rest.post({"sender": guess, "message": "/request_summary"})
        assert stolen.status_code == 403 and not summary_with_data(stolen)


def test_a_conversation_under_a_name_anyone_could_guess_cannot_be_started(rest, bot):
    reply = rest.post({"sender": "patient-7", "message": "my left foot has been numb for a week"})
    assert reply.status_code == 403
    assert bot.user_texts("patient-7") == []
