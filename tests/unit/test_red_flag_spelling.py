"""Issue 16, findings 2 and 9: a red flag is found however it is typed.

Generated from the knowledge base, not a hand list: every phrase of every red flag that
escalates at once, in a short sentence (tests/unit/red_flag_variants.py), typed in lower case,
Title Case, UPPER CASE, with curly or dropped apostrophes, a soft hyphen or zero-width character
inside a word, stretched letters, line breaks or emoji between words. Each must escalate.

A phrase that one way of typing makes genuinely ambiguous may instead get the safety question:
list it in QUESTION_IS_ENOUGH with the reason. None needs it today (counts before and after the
normal form, per variant: results/red_flag_spelling.json).
"""
import pytest

from tests.unit.red_flag_variants import ESCALATED, QUESTION, VARIANTS, outcomes

# (variant, phrase) -> why the safety question is the right answer there
QUESTION_IS_ENOUGH = {}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_immediate_red_flag_phrase_escalates_however_it_is_typed(extractor, kb, variant):
    missed = []
    for flag, phrase, text, result in outcomes(extractor, kb, variant):
        if result == ESCALATED or (result == QUESTION and (variant, phrase) in QUESTION_IS_ENOUGH):
            continue
        missed.append(f"{flag}: {text!r} -> {result}")
    assert not missed, f"{len(missed)} phrases typed the '{variant}' way do not escalate:\n" + "\n".join(missed[:40])


def test_the_phrases_are_those_of_the_knowledge_base(kb):
    from tests.unit.red_flag_variants import red_flag_phrases

    phrases = red_flag_phrases(kb)
    immediate = [f for f in kb.red_flags.values() if f.red_flag.escalation == "immediate"]
    assert len(phrases) == sum(len(f.phrases) for f in immediate) > 1000
