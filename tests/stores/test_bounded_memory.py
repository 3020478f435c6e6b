"""Issue 16, finding 4: the tracker store's memory is bounded in bytes, and a huge message does not
weigh its size in every later turn (cluster.tracker_store.DurableSQLTrackerStore)."""
import gc
import json
import tracemalloc

from rasa.shared.core.events import UserUttered

from numbness_triage.extraction import MAX_MESSAGE_CHARS
from tests.stores.test_durable_tracker_store import (  # noqa: F401 - fixtures
    domain, make_store, new_tracker, place, turn, user_texts)

HUGE = ("my left leg has been numb and tingly for a while and it gets worse when I walk far " * 12_000)[:950_000]


def conversation(domain, sender, text=HUGE, metadata=None):
    tracker = new_tracker(domain, sender)
    tracker.update(UserUttered(text, {"name": "describe_symptoms", "confidence": 1.0},
                               parse_data={"text": text, "intent": {"name": "describe_symptoms"}, "entities": []},
                               metadata=metadata))
    turn(tracker, "it's my left leg", "inform", ("interview", {"stage": "interview", "side": "left"}))
    return tracker


async def test_a_huge_message_is_stored_as_its_first_5000_characters_with_its_length(domain, place):
    store = await make_store(domain, place)
    await store.save(conversation(domain, "huge"))
    stored = [e for _, e in place.rows("huge") if e["event"] == "user"][0]
    assert stored["text"] == HUGE[:MAX_MESSAGE_CHARS]
    assert stored["parse_data"]["text"] == HUGE[:MAX_MESSAGE_CHARS]
    assert stored["metadata"]["stored_text"] == {"chars": len(HUGE), "kept": MAX_MESSAGE_CHARS}
    read_back = await (await make_store(domain, place)).retrieve("huge")  # another server
    assert read_back.get_slot("interview") == {"stage": "interview", "side": "left"}
    texts = [e.text for e in read_back.events if isinstance(e, UserUttered)]
    assert len(texts[0]) == MAX_MESSAGE_CHARS and texts[1].startswith("it's my left leg"), "a short message was cut"


async def test_conversations_of_one_huge_message_each_keep_kilobytes_not_megabytes(domain, place):
    store = await make_store(domain, place)
    await store.save(conversation(domain, "warm-up"))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(30):
            tracker = conversation(domain, f"huge-{number}")
            await store.save(tracker)
            del tracker
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 3_000_000, f"30 conversations of one 950 KB message keep {kept / 1e6:.1f} MB in memory"
    assert len(store.pending_conversations) == 0


async def test_the_copies_are_capped_in_bytes_most_recent_kept(domain, place):
    store = await make_store(domain, place, keep_megabytes=0.1)
    for number in range(40):
        await store.save(conversation(domain, f"talk-{number}", text=f"my left foot is numb {number} " * 100))
    assert store.copies_bytes <= 100_000
    place.down()
    recent = await store.retrieve("talk-39")  # continues from the copy during an outage
    assert recent.get_slot("interview") == {"stage": "interview", "side": "left"}
    oldest = await store.retrieve("talk-0")  # no copy left: a fresh session, the person is told
    assert oldest.get_slot("interview") is None


async def test_a_conversation_over_its_cap_is_read_from_the_database_only(domain, place):
    store = await make_store(domain, place, keep_kilobytes_per_conversation=5)
    await store.save(conversation(domain, "long"))
    await store.save(conversation(domain, "short", text="my foot is numb"))
    assert store.copies_bytes < 5_000
    assert (await store.retrieve("long")).get_slot("interview") == {"stage": "interview", "side": "left"}


async def test_unsaved_conversations_stay_whatever_they_weigh(domain, place):
    store = await make_store(domain, place, keep_megabytes=0.01, keep_kilobytes_per_conversation=1)
    place.down()
    for number in range(5):
        await store.save(conversation(domain, f"outage-{number}"))
    assert sorted(store.pending_conversations) == [f"outage-{n}" for n in range(5)]
    place.up()
    for number in range(5):
        await store.retrieve(f"outage-{number}")  # written on the conversation's next message
    await store.stop_retrying()
    assert store.pending_conversations == []
    assert all(len(user_texts([e for _, e in place.rows(f"outage-{n}")])) == 2 for n in range(5))


async def test_metadata_over_10_kb_is_not_stored(domain, place):
    store = await make_store(domain, place)
    await store.save(conversation(domain, "meta-big", text="numb", metadata={"blob": "x" * 50_000}))
    await store.save(conversation(domain, "meta-small", text="numb", metadata={"id": "7"}))
    big = [e for _, e in place.rows("meta-big") if e["event"] == "user"][0]
    small = [e for _, e in place.rows("meta-small") if e["event"] == "user"][0]
    assert len(json.dumps(big)) < 5_000 and "metadata_not_stored" in big["metadata"]
    assert small["metadata"] == {"id": "7"}

