"""Messages are parsed in worker threads, never on the Rasa server's event loop.

Rasa 3.6 parses a message in `MessageProcessor.parse_message`, an async method that runs the
NLU graph synchronously: while one message is parsed the server answers nobody (issue 16: a
message of 5,000 commas held every conversation for 10 s, and another person's message was
cancelled). An NLU component cannot await, so the boundary is that method: here it hands the
graph run to a pool of threads and awaits it. Every channel (REST, socket.io, Telegram, Slack,
the shell) and the HTTP API's /model/parse parse through it; nothing else changes (the same
graph, the same tracker, which NLU only reads).

The symptom extractor bounds its own time (a budget per message, then only a scan for red-flag
phrases). As a last guard, a parse that has not finished after NLU_PARSE_TIMEOUT_SECONDS (30 s:
the pool is full, or a component hangs) is answered from a red-flag scan of the message alone
(`symptom_extractor.red_flag_parse`), so the person is answered and an emergency still escalates.
The threads: NLU_PARSE_THREADS (4). Installed when the NLU pipeline loads.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Dict, Optional, Text

from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


@lru_cache(maxsize=1)
def parse_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=int(_setting("NLU_PARSE_THREADS", 4)), thread_name_prefix="nlu-parse")


@lru_cache(maxsize=1)
def fallback_pool() -> ThreadPoolExecutor:
    """Apart from parse_pool: a fallback must not wait behind the parses that timed out."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-fallback")


def parse_timeout() -> float:
    return _setting("NLU_PARSE_TIMEOUT_SECONDS", 30.0)


async def parse_message(self: MessageProcessor, message, tracker: Optional[DialogueStateTracker] = None,
                        only_output_properties: bool = True) -> Dict[Text, Any]:
    """MessageProcessor.parse_message with the graph run in a worker thread."""
    if self.http_interpreter:
        return await _rasa_parse_message(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    loop = asyncio.get_running_loop()
    parsing = loop.run_in_executor(parse_pool(), self._parse_message_with_graph, message, tracker,
                                   only_output_properties)
    try:
        parse_data = await asyncio.wait_for(asyncio.shield(parsing), parse_timeout())
    except asyncio.CancelledError:  # the channel gave up: the thread finishes for nobody
        parsing.add_done_callback(_forget)
        raise
    except asyncio.TimeoutError:
        logger.error("parsing a message took over %.0f s; answered from a red-flag scan", parse_timeout())
        parsing.add_done_callback(_forget)
        from nlu_components.symptom_extractor import red_flag_parse

        parse_data = await loop.run_in_executor(fallback_pool(), red_flag_parse, message.text)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


def _forget(future: "asyncio.Future") -> None:
    """A parse nobody waits for any more: its error is logged (its type, no text), not raised."""
    if not future.cancelled() and future.exception() is not None:
        logger.error("a parse nobody waited for failed: %s", type(future.exception()).__name__)


_rasa_parse_message = getattr(MessageProcessor.parse_message, "rasa_parse_message", MessageProcessor.parse_message)
parse_message.rasa_parse_message = _rasa_parse_message  # type: ignore[attr-defined]


def install() -> None:
    MessageProcessor.parse_message = parse_message


install()
