"""A conversation that did not get back to listening still answers the next message.

Rasa predicts actions after a message until one of them is `action_listen`, and stops after ten
("Circuit breaker tripped"). It counts those ten back to the last `action_listen`, so a
conversation left without one trips the limit again at once on every later message and says
nothing, red flags included, until its session expires (12 hours). That is how /restart silenced
the bot (issue 16): data/rules.yml now says what follows each action. This is the net under
those rules, for a loop nobody foresaw and for conversations stored while the bug was live: such a
conversation gets the `action_listen` it missed before the person's next message is logged, and
that message is answered like any other. A conversation that listens, as each should, is left alone.
Installed when the pipeline loads (nlu_components/message_limit.py imports this module).
"""
from __future__ import annotations

import logging

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


def listen_if_not_listening(tracker: DialogueStateTracker) -> None:
    last_action = tracker.latest_action_name
    if last_action not in (None, ACTION_LISTEN_NAME):
        logger.warning("a conversation was not listening (last action: %s); it listens again", last_action)
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def install() -> None:
    original = MessageProcessor._handle_message_with_tracker
    if getattr(original, "listens_first", False):
        return

    async def handle_message_with_tracker(self: MessageProcessor, message: UserMessage,
                                          tracker: DialogueStateTracker) -> None:
        listen_if_not_listening(tracker)
        await original(self, message, tracker)

    handle_message_with_tracker.listens_first = True  # type: ignore[attr-defined]
    MessageProcessor._handle_message_with_tracker = handle_message_with_tracker


install()
