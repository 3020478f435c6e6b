"""`rasa shell` that shows the assessment once, as text: `make chat` runs it.

    python scripts/shell.py --model models/leg-numbness.tar.gz --endpoints var/endpoints-5055.yml

The interview sends each assessment as a text and, for API users, the custom JSON
`{"assessment": {...}}` beside it (README). Rasa's console prints both ("Custom json:" and the
payload after the text); this prints the text alone. Anything else is Rasa's shell unchanged.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def without_the_assessment_json(print_bot_output):
    def print_message(message: Dict[str, Any], *args: Any, **kwargs: Any):
        from channels.render import assessment_of

        if assessment_of(message.get("custom")) is not None:
            message = {key: value for key, value in message.items() if key != "custom"}
        return print_bot_output(message, *args, **kwargs)

    return print_message


def main(argv=None) -> None:
    import rasa.__main__
    import rasa.core.channels.console as console

    console._print_bot_output = without_the_assessment_json(console._print_bot_output)
    sys.argv = ["rasa", "shell", *(sys.argv[1:] if argv is None else argv)]
    rasa.__main__.main()


if __name__ == "__main__":
    main()
