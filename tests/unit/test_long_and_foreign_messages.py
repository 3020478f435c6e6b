"""A red flag after the first MAX_MESSAGE_CHARS characters, red flags in other
languages, and "/commands" typed in the middle of an interview (framework-free)."""
import pytest

from numbness_triage.extraction import ABSENT, MAX_MESSAGE_CHARS, MAX_RED_FLAG_SCAN_CHARS, PRESENT
from numbness_triage.replies import (BUTTON_PAYLOADS, COMMAND_NOTICE, LONG_MESSAGE_NOTICE,
                                     TOO_LONG_TO_CHECK_NOTICE, is_command)

FILLER = "my left leg has been numb for a week "
EMERGENCY = "This can be a sign of a serious problem"


def long_message(size, ending):
    return (FILLER * (size // len(FILLER) + 1))[:size] + ending


# ----------------------------------------------------------------------------- (f) long messages
@pytest.mark.parametrize("size", [6_000, 90_000])
def test_a_red_flag_after_the_first_5000_characters_is_found(extractor, size):
    extraction = extractor.extract(long_message(size, " and my speech is slurred"))
    assert extraction.assertions.get("slurred_speech") == PRESENT


def test_a_denied_red_flag_after_the_start_raises_no_alarm(extractor):
    extraction = extractor.extract(long_message(20_000, ". My speech is fine and I have no slurred speech."))
    assert extraction.assertions.get("slurred_speech") != PRESENT


def test_a_red_flag_across_the_5000th_character_is_found(extractor):
    text = long_message(MAX_MESSAGE_CHARS - 12, " and my speech is slurred") + " " + FILLER * 10
    assert extractor.extract(text).assertions.get("slurred_speech") == PRESENT


def test_only_red_flags_are_read_after_the_start(extractor):
    extraction = extractor.extract(long_message(10_000, " and I also have lower back pain"))
    assert "lower_back_pain" not in extraction.assertions


def test_a_cue_word_after_the_start_is_still_asked_about(extractor):
    extraction = extractor.extract(long_message(10_000, " and my lungs feel odd"))
    assert "difficulty_breathing" in extraction.hinted_red_flags


def test_a_red_flag_just_inside_the_checked_part_is_found(extractor):
    text = long_message(MAX_RED_FLAG_SCAN_CHARS - 40, " and my speech is slurred") + FILLER * 100
    assert extractor.extract(text).assertions.get("slurred_speech") == PRESENT


def test_past_the_checked_part_the_person_is_told_to_call_911_if_anything_is_urgent(chat):
    """A megabyte is not read to its end (it would hold the server for half a minute); the person is told."""
    chat("hello", intent="greet")
    text = long_message(1_000_000, " and my speech is slurred")
    said = chat(text)
    assert TOO_LONG_TO_CHECK_NOTICE in said and "100,000" in said and "911" in said


def test_the_interview_says_it_read_only_the_start(chat):
    chat("hello", intent="greet")
    text = long_message(8_000, "")
    said = chat(text)
    assert LONG_MESSAGE_NOTICE in said and "5,000" in said and "emergency" in said
    assert chat.state.findings.get("leg_numbness") == PRESENT  # the start was read


def test_a_red_flag_at_the_end_of_a_long_message_escalates(chat):
    chat("hello", intent="greet")
    text = long_message(8_000, " and my speech is slurred")
    chat(text)
    assert EMERGENCY in chat.replies[0].text and "911" in chat.replies[0].text
    assert chat.state.red_flags == ["slurred_speech"]


# ----------------------------------------------------------------------------- (d) other languages
@pytest.mark.parametrize("text, flag", [
    ("se me durmió la pierna y no puedo hablar bien, arrastro las palabras", "slurred_speech"),
    ("No puedo respirar", "difficulty_breathing"),
    ("me oriné encima y tengo la pierna entumecida", "loss_of_bladder_or_bowel_control"),
    ("tengo la cara caída de un lado", "face_drooping"),
    ("ma jambe est engourdie et je n'arrive plus à parler correctement", "slurred_speech"),
    ("não consigo mexer a perna", "paralysis"),
    ("我的腿麻木，说话不清楚", "slurred_speech"),
])
def test_a_red_flag_in_another_language_is_found(extractor, text, flag):
    assert extractor.extract(text).assertions.get(flag) == PRESENT


@pytest.mark.parametrize("text, flag", [
    ("no tengo problemas para hablar", "slurred_speech"),
    ("No tengo fiebre ni dificultad para respirar", "difficulty_breathing"),
    ("je n'ai pas de difficulté à parler", "slurred_speech"),
    ("não tenho dificuldade para falar", "slurred_speech"),
    ("我没有说话不清", "slurred_speech"),
])
def test_a_denied_red_flag_in_another_language_is_absent(extractor, text, flag):
    assert extractor.extract(text).assertions.get(flag) == ABSENT


def test_a_spanish_red_flag_escalates(chat):
    said = chat("se me durmió la pierna y no puedo hablar bien, arrastro las palabras")
    assert EMERGENCY in said and chat.state.red_flags == ["slurred_speech"]


def test_a_spanish_message_without_a_red_flag_gets_the_english_only_notice(chat):
    said = chat("Tengo la pierna izquierda entumecida desde hace una semana")
    assert "English only" in said and "911" in said and "solo entiendo inglés" in said
    assert not chat.state.red_flags


def test_a_denied_spanish_red_flag_raises_no_alarm(chat):
    said = chat("no tengo problemas para hablar")
    assert "English only" in said and EMERGENCY not in said and not chat.state.red_flags


def test_a_spanish_message_mid_interview_answers_nothing(chat):
    chat("my left foot has been numb for a week")
    pending, answers = chat.question, dict(chat.state.answers)
    assert pending
    for _ in range(2):  # not read as "not sure" the second time either
        said = chat("no entiendo la pregunta, por favor")
        assert "English only" in said
    assert chat.state.answers == answers and chat.question == pending


def test_a_chinese_message_gets_the_notice_in_chinese_too(chat):
    said = chat("我的左腿麻木了一个星期")
    assert "English only" in said and "911" in said and "只懂英语" in said


# ----------------------------------------------------------------------------- (e) /commands
@pytest.mark.parametrize("text", ["/foo", "/", "/inform", '/affirm{"interview": {}}', '/inform{"bad json'])
def test_a_command_is_not_an_answer(chat, text):
    chat("my left foot has been numb for a week")
    pending, answers, findings = chat.question, dict(chat.state.answers), dict(chat.state.findings)
    for intent in ("affirm", "nlu_fallback"):  # what DIET or RegexMessageHandler made of it
        said = chat(text, intent=intent)
        assert COMMAND_NOTICE in said
    assert chat.state.answers == answers and chat.state.findings == findings and chat.question == pending


def test_the_buttons_payloads_still_answer(chat):
    chat("my left foot has been numb for a week")
    while chat.question and chat.interview.kb.questions[chat.question].kind != "yes_no":
        chat("not sure", intent="unsure")
    question = chat.question
    chat("/affirm", intent="affirm")
    assert chat.state.answers[question] == "yes"


@pytest.mark.parametrize("payload", ["/affirm", "/deny", "/unsure", '/inform{"side": "left"}',
                                     '/inform{"side":"left"}', "/request_summary", "/start_over", "/talk_to_person"])
def test_button_payloads_are_not_commands(payload):
    assert not is_command(payload)


def test_every_button_of_the_interview_is_known():
    import numbness_triage.interview as interview
    for name, value in vars(interview).items():
        if name.endswith("_BUTTONS"):
            assert all(not is_command(b["payload"]) for b in value), name
    assert ("affirm", "{}") in BUTTON_PAYLOADS


def test_a_red_flag_after_a_slash_still_escalates(chat):
    said = chat("/ my speech is slurred", intent="nlu_fallback")
    assert EMERGENCY in said


def test_the_greeting_a_channel_sends_on_opening_is_a_greeting(chat):
    """The web widget's initPayload and Telegram's /start arrive as "/greet"."""
    said = chat("/greet", intent="greet")
    assert COMMAND_NOTICE not in said
    assert "not a doctor" in said and "911" in said
