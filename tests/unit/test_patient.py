"""Who the patient is, and their age and sex, from what anyone types."""
import pytest

from numbness_triage.patient import explicit_age, explicit_sex, find_framing, pronoun_in, third_person_age


@pytest.mark.parametrize("text, relation, pronoun, age", [
    ("I'm writing for my father, he's 79 and can't use computers", "father", "he", 79),
    ("asking for my husband (71). he has to stop when we walk", "husband", "he", 71),
    ("I'm typing this for my husband, he is 70. his legs are numb", "husband", "he", 70),
    ("my wife (62) has numb toes", "wife", "she", 62),
    ("on behalf of my nan, she is 88", "nan", "she", 88),
    ("my dad, 79, cant feel his feet", "dad", "he", 79),
    ("my mum's legs went numb and she's confused", "mum", "she", None),
    ("worried about my partner, their feet are numb", "partner", "they", None),
])
def test_someone_typing_for_another_person(text, relation, pronoun, age):
    framing = find_framing(text)
    assert (framing.relation, framing.pronoun, framing.age) == (relation, pronoun, age)


@pytest.mark.parametrize("text", ["my father had a stroke", "my leg is numb", "I'm 45 and my dad has diabetes"])
def test_no_framing_where_the_typist_is_the_patient(text):
    assert find_framing(text) is None


@pytest.mark.parametrize("text, age, sex", [
    ("I'm a 45 year old man, my left foot is numb", 45, "male"), ("45M numb foot", 45, "male"),
    ("F 62, feet numb", 62, "female"), ("63 male", 63, "male"), ("i am 5 foot 2", None, None),
    ("numb for 45 minutes", None, None), ("for 3 years", None, None), ("I'm 30 and pregnant", 30, "female"),
])
def test_age_and_sex_said_outright(text, age, sex):
    assert (explicit_age(text), explicit_sex(text)) == (age, sex)


def test_a_caregivers_age_and_pronoun():
    assert third_person_age("he's 79 and his feet are numb") == 79
    assert pronoun_in("she can't feel her toes") == "she"
