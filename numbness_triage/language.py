"""Is a message written in another language than English? (The bot reads English only.)"""
from __future__ import annotations

import re

_FOREIGN_WORDS = {
    # Spanish, French, German, Portuguese, Italian, Dutch function words and a few symptom words
    "el", "la", "los", "las", "que", "por", "una", "pierna", "piernas", "dolor", "tengo", "entumecida",
    "je", "les", "des", "est", "pas", "une", "jambe", "jambes", "mal", "j'ai", "engourdie",
    "ich", "und", "nicht", "das", "mein", "meine", "bein", "beine", "habe", "taub",
    "não", "minha", "perna", "estou", "dormente", "il", "mia", "gamba", "sono", "mijn", "been", "het", "een",
    "para", "con", "mi", "muy", "pero", "puedo", "puede", "hablar", "desde", "hace", "semana", "problemas", "estoy",
    "del", "como", "sin", "nada", "nao", "tenho", "consigo", "com", "uma", "muito", "suis", "avec", "dans", "mon",
    "pour", "ne",
}
_ENGLISH_WORDS = {"the", "my", "i", "is", "and", "it", "a", "to", "in", "have", "leg", "legs", "foot", "feet",
                  "numb", "pain", "yes", "not", "am", "of", "for", "with", "been"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def looks_non_english(text: str) -> bool:
    """Mostly non-Latin letters (Chinese, Arabic, Cyrillic...), or foreign function words and
    no English ones. Short answers ("ok", "no") are never judged."""
    letters = [ch for ch in text or "" if ch.isalpha()]
    if len(letters) < 4:
        return False
    non_latin = sum(1 for ch in letters if ord(ch) > 0x24F)
    if non_latin / len(letters) > 0.5:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    foreign = sum(1 for w in words if w in _FOREIGN_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return foreign >= 2 and english == 0
