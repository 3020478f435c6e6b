"""How much of a message is read: the interview reads its start, red flags are looked for further."""

MAX_MESSAGE_CHARS = 5000  # longer messages are read up to here; the rest for red flags only
# ... and the rest up to here (a pasted book would hold the server for minutes; the person is told)
MAX_RED_FLAG_SCAN_CHARS = 100_000
# Beside a message cut for the action server: how long it was (nlu_components/action_fallback.py)
TEXT_LENGTH = "text_length"
