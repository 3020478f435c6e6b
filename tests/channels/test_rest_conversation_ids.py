"""Issue 16, finding 5 (REST): the server issues the conversation ids; a message under an id it did
not issue (made up, guessed, altered, another server's) is refused before the bot, so nobody reads
another person's conversation by naming it. Scripted agent, no model (tests/channels/test_rest.py);
the same with the trained bot and /request_summary: test_rest_summary_privacy.py."""
import pytest

from channels.conversation_ids import SECRET_VARIABLE, ConversationIds
from tests.channels.rest_app import ISSUE_URL


@pytest.fixture(scope="module")
def rest(scripted_rest):
    return scripted_rest


def test_the_server_issues_a_new_unguessable_id_for_each_conversation(rest):
    ids = {rest.issue() for _ in range(20)}
    assert len(ids) == 20
    assert all(i.startswith("c1-") and len(i) >= 40 and len(i) <= 255 for i in ids)


def test_a_message_under_an_issued_id_is_handled(rest):
    sender = rest.issue()
    reply = rest.post({"sender": sender, "message": "my left foot is numb"})
    assert reply.status_code == 200 and reply.json()[0]["recipient_id"] == sender
    assert rest.agent.received[-1]["sender"] == sender


@pytest.mark.parametrize("made_up", ["alice", "default", "123456789", "c1-", "c1-abc.def",
                                     "c1-" + "A" * 24 + "." + "B" * 24])
def test_an_id_the_client_made_up_is_refused_before_the_bot(rest, made_up):
    handled = len(rest.agent.received)
    reply = rest.post({"sender": made_up, "message": "/request_summary"})
    assert reply.status_code == 403
    error = reply.json()["error"]
    assert "not a conversation id this server issued" in error and ISSUE_URL in error
    assert made_up not in error, "the refusal repeats the id"
    assert len(rest.agent.received) == handled, "the bot handled a message under a made-up id"


def test_an_issued_id_altered_by_one_character_is_refused(rest):
    sender = rest.issue()
    for position in (5, len(sender) - 1):
        altered = sender[:position] + ("A" if sender[position] != "A" else "B") + sender[position + 1:]
        assert rest.post({"sender": altered, "message": "/request_summary"}).status_code == 403


def test_servers_sharing_the_secret_accept_each_others_ids(rest, monkeypatch):
    monkeypatch.setenv(SECRET_VARIABLE, "x" * 40)
    other_server = ConversationIds.from_environment()
    rest.channel._conversation_ids = ConversationIds.from_environment()
    try:
        assert rest.post({"sender": other_server.issue(), "message": "numb"}).status_code == 200
        stranger = ConversationIds(b"y" * 40).issue()
        assert rest.post({"sender": stranger, "message": "numb"}).status_code == 403
    finally:
        rest.channel._conversation_ids = None


def test_the_secret_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    monkeypatch.setenv("CONVERSATION_ID_SECRET_FILE", str(tmp_path / "var" / "key"))
    first = ConversationIds.from_environment().issue()
    assert ConversationIds.from_environment().is_issued(first), "a restart ends every conversation"
    assert (tmp_path / "var" / "key").stat().st_mode & 0o077 == 0, "the secret is readable by others"
