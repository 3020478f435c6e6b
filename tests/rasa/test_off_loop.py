"""Issue 16, finding 3: while one message is parsed, the server's event loop serves everyone else,
and a parse that does not finish in time is answered from a red-flag scan."""
import asyncio
import threading

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

import nlu_components.off_loop as off_loop
from nlu_components.symptom_extractor import RED_FLAG_INTENT, red_flag_parse


def processor_parsing_with(graph_run):
    """A MessageProcessor whose NLU graph run is `graph_run` (what Rasa calls synchronously)."""
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.http_interpreter = None
    processor.domain = None
    processor._parse_message_with_graph = graph_run
    return processor


def parsed(text, intent="greet"):
    return {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}


def test_rasa_parses_through_the_off_loop_boundary():
    assert MessageProcessor.parse_message is off_loop.parse_message


async def test_the_event_loop_serves_others_while_a_message_is_parsed():
    others_served = threading.Event()

    def slow_graph_run(message, tracker, only_output_properties):
        # a parse on the event loop would wait here for ever: nobody else could run
        assert others_served.wait(timeout=20), "the event loop was blocked by the parse"
        return parsed(message.text)

    async def another_conversation():
        others_served.set()

    processor = processor_parsing_with(slow_graph_run)
    result, _ = await asyncio.gather(processor.parse_message(UserMessage("a very long message")),
                                     another_conversation())
    assert result["text"] == "a very long message" and result["intent"]["name"] == "greet"


async def test_a_parse_that_takes_too_long_is_answered_from_a_red_flag_scan(monkeypatch):
    monkeypatch.setenv("NLU_PARSE_TIMEOUT_SECONDS", "0.2")
    release = threading.Event()

    def stuck_graph_run(message, tracker, only_output_properties):
        release.wait(timeout=20)
        return parsed(message.text)

    processor = processor_parsing_with(stuck_graph_run)
    try:
        result = await processor.parse_message(UserMessage("HELP, I CAN’T BREATHE, " * 50))
    finally:
        release.set()
    assert result["intent"]["name"] == RED_FLAG_INTENT
    assert any(e["entity"] == "symptom" and e["value"] == "difficulty_breathing" and "role" not in e
               for e in result["entities"])


def test_the_red_flag_scan_keeps_denials_and_offsets():
    text = "MY SPEECH IS FINE, no trouble breathing"
    result = red_flag_parse(text)
    assert result["intent"]["name"] != RED_FLAG_INTENT
    for entity in result["entities"]:
        if entity["entity"] == "symptom":
            assert entity.get("role") == "absent"
            assert text[entity["start"]:entity["end"]] in ("SPEECH", "trouble breathing")


def test_the_red_flag_scan_of_a_command_or_nothing_is_not_understood():
    for text in ["/foo", "", "hello there"]:
        assert red_flag_parse(text)["intent"]["name"] != RED_FLAG_INTENT


def test_the_extractor_reads_the_same_from_several_threads_at_once(extractor):
    """Parses run in a pool of threads: they share one extractor (PyRuSH gets one per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    texts = ["I CAN'T BREATHE and my leg is numb", "no fever\nI can't breathe",
             "my speech is fine, my left foot is numb", "Suddenly my right leg went numb. My mum's face is drooping",
             "i think i passed out, maybe"] * 20

    def reading(text):
        result = extractor.extract(text)
        return sorted((m.finding, m.assertion, m.start, m.end) for m in result.mentions), result.side, result.onset

    alone = [reading(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(reading, texts)) == alone
