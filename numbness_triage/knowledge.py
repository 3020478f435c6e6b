"""Load and validate the knowledge base (data/knowledge/*.yml).

Everything medical the bot knows lives in those YAML files. This module turns them into
typed, cross-checked objects; a bad entry fails with the file, the entry and the reason.
"""
from __future__ import annotations

import functools
import re
from enum import Enum
from pathlib import Path
from typing import Any, Dict, Iterable, List, NoReturn, Optional, Pattern, Tuple, Type, TypeVar, Union

import yaml
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from numbness_triage.finding_ids import NAMED_IN_CODE
from numbness_triage.timing import COURSES, DURATIONS, EPISODES, ONSETS

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
SOURCES_FILE = "sources.yml"  # the seed pages every entry must cite
GENERAL_KNOWLEDGE = "general clinical knowledge"  # what a rule cites where the pages are silent
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


class KnowledgeError(ValueError):
    """A knowledge-base file or entry is invalid; the message says which and why."""


class Urgency(str, Enum):
    self_care = "self_care"
    consultation = "consultation"
    consultation_24 = "consultation_24"
    emergency = "emergency"
    emergency_ambulance = "emergency_ambulance"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)

    def at_least(self, other: "Urgency") -> bool:
        return self.rank >= other.rank


URGENCY_LEVELS = [level.value for level in Urgency]  # least urgent first
EMERGENCY_LEVELS = (Urgency.emergency.value, Urgency.emergency_ambulance.value)


def highest(levels: Iterable[Urgency]) -> Optional[Urgency]:
    """The most urgent of `levels`, None when there is none."""
    listed = list(levels)
    return max(listed, key=lambda level: level.rank) if listed else None


def most_urgent(*levels: Optional[Urgency]) -> Urgency:
    """The most urgent of `levels`, leaving out None; at least one must be a level."""
    level = highest(level for level in levels if level is not None)
    if level is None:
        raise ValueError("no urgency level given")
    return level


def seed_pages(directory: Path = DEFAULT_KNOWLEDGE_DIR) -> Dict[str, str]:
    """File name -> title of the seed pages (data/knowledge/sources.yml)."""
    path = Path(directory) / SOURCES_FILE
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {page["file"]: page["title"] for page in document["seed_pages"]}
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except (yaml.YAMLError, KeyError, TypeError) as error:
        raise KnowledgeError(f"{path}: expected seed_pages: a list of {{file, title}} ({error})") from None


_KNOWN_PAGES: Dict[str, str] = {}  # set by load_knowledge_base before entries are validated


def cites_a_seed_page(value: str) -> bool:
    return value.split("#")[0].strip() in _KNOWN_PAGES


class Entry(BaseModel):
    """Every entry says which seed page it came from."""

    source: str

    @validator("source")
    def _known_seed(cls, value: str) -> str:
        if not cites_a_seed_page(value):
            raise ValueError(f"source must name a seed page ({', '.join(_KNOWN_PAGES)}), got {value!r}")
        return value

    class Config:
        extra = "forbid"


class UrgencyLevel(Entry):
    id: Urgency
    label: str
    advice: str
    seed_wording: List[str] = Field(default_factory=list)


RECENT, EASED_WITHIN_MINUTES = "recent", "eased_within_minutes"


class Explanation(BaseModel):
    """A finding that makes a red flag benign, and when it does: `recent` (said of now, not of
    long ago) or `eased_within_minutes` (recent, and the numbness went within minutes of moving)."""

    finding: str
    holds_if: str = RECENT

    @validator("holds_if")
    def _condition(cls, value: str) -> str:
        if value not in (RECENT, EASED_WITHIN_MINUTES):
            raise ValueError(f"holds_if must be {RECENT} or {EASED_WITHIN_MINUTES}")
        return value

    class Config:
        extra = "forbid"


# How a red flag escalates: at once, or after its clarify_question ("is the weakness new?").
IMMEDIATE, CLARIFY = "immediate", "clarify"


class RedFlag(BaseModel):
    urgency: Urgency
    escalation: str = IMMEDIATE  # IMMEDIATE | CLARIFY
    clarify_question: Optional[str] = None
    heard: str  # how the bot names it back: "you said your speech is slurred"
    explained_by: List[Explanation] = Field(default_factory=list)  # findings that make it benign
    # asked when an explanation needs the numbness to have eased and nobody has said whether it did
    explanation_question: Optional[str] = None
    # Words that hint at the flag when no phrase matched ("my right eye went dark"): the bot then
    # asks check_question rather than risk missing it. Matched as word starts: "breath" finds "breathless".
    cues: List[str] = Field(default_factory=list)
    check_question: Optional[str] = None
    check_is_about_onset: bool = False  # the check question asks how it came on: "gradually" answers it

    def explanation_ids(self) -> List[str]:
        return [explanation.finding for explanation in self.explained_by]

    @validator("explained_by", pre=True)
    def _explanations(cls, value: Any) -> List[Any]:
        return [{"finding": item} if isinstance(item, str) else item for item in value or []]

    @root_validator(skip_on_failure=True)
    def _clarify_needs_question(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if (any(e.holds_if == EASED_WITHIN_MINUTES for e in values.get("explained_by") or [])
                and not values.get("explanation_question")):
            raise ValueError("an explanation that holds only if the numbness eased needs explanation_question")
        if values["escalation"] not in (IMMEDIATE, CLARIFY):
            raise ValueError(f"escalation must be {IMMEDIATE!r} or {CLARIFY!r}")
        if values["escalation"] == CLARIFY and not values.get("clarify_question"):
            raise ValueError("a red flag that escalates after clarifying needs clarify_question")
        if values.get("cues") and not values.get("check_question"):
            raise ValueError("a red flag with cues needs the check_question the bot asks when one is heard")
        if not values["urgency"].at_least(Urgency.emergency):
            raise ValueError("a red flag's urgency must be emergency or emergency_ambulance")
        return values

    class Config:
        extra = "forbid"


# The kinds of finding (findings.yml)
SYMPTOM, PATTERN, HISTORY = "symptom", "pattern", "history"


class Finding(Entry):
    """A symptom, a pattern of symptoms, or a piece of history a person can report."""

    id: str
    label: str
    absent_label: Optional[str] = None  # how a denial reads where "no <label>" is not English
    kind: str = SYMPTOM  # SYMPTOM | PATTERN | HISTORY
    phrases: List[str]
    denial_phrases: List[str] = Field(default_factory=list)  # count only when denied: "my speech is fine"
    location: Optional[str] = None
    red_flag: Optional[RedFlag] = None
    chronic: bool = False  # a condition that lasts: "had diabetes for years" is diabetes now, not past

    @validator("id")
    def _snake_case(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"id {value!r} is not snake_case")
        return value

    @validator("kind")
    def _kind(cls, value: str) -> str:
        if value not in (SYMPTOM, PATTERN, HISTORY):
            raise ValueError("kind must be symptom, pattern or history")
        return value

    @validator("phrases")
    def _phrases(cls, value: List[str]) -> List[str]:
        if not value:
            raise ValueError("needs at least one phrase")
        return _clean_phrases(value)

    @validator("denial_phrases")
    def _denial_phrases(cls, value: List[str]) -> List[str]:
        return _clean_phrases(value)


def _clean_phrases(phrases: List[str]) -> List[str]:
    cleaned = [str(p).strip().lower() for p in phrases]
    if any(not p for p in cleaned):
        raise ValueError("phrases must not be empty")
    return cleaned


class AgeRange(BaseModel):
    min: int = 0
    max: int = 120

    class Config:
        extra = "forbid"


class Risk(BaseModel):
    ages: Optional[AgeRange] = None
    sex: Dict[str, float] = Field(default_factory=dict)  # share of patients: {"female": 0.9}
    factors: List[str] = Field(default_factory=list)  # finding ids that raise the risk
    required_factors: List[str] = Field(default_factory=list)  # the cause needs one of these
    text: str = ""

    @validator("sex")
    def _sex(cls, value: Dict[str, float]) -> Dict[str, float]:
        for key, share in value.items():
            if key not in ("female", "male") or not 0 <= share <= 1:
                raise ValueError("sex shares are female/male between 0 and 1")
        return value

    class Config:
        extra = "forbid"


class Features(BaseModel):
    """Typical presentation: side (one/both/any), onset (sudden/gradual/any), how long it has
    lasted when people report it (duration), how long one episode lasts (episode: minutes when
    it always passes within minutes), and its course."""

    side: str = "any"
    onset: str = "any"
    duration: str = "any"  # minutes | hours | days | weeks | months | years | any
    episode: str = "any"  # minutes | any
    course: str = "any"  # constant | intermittent | worsening | improving | any

    @validator("side")
    def _side(cls, value: str) -> str:
        return _one_of(value, ("one", "both", "any"), "side")

    @validator("onset")
    def _onset(cls, value: str) -> str:
        return _one_of(value, ("sudden", "gradual", "any"), "onset")

    @validator("duration")
    def _duration(cls, value: str) -> str:
        return _one_of(value, (*DURATIONS, "any"), "duration")

    @validator("episode")
    def _episode(cls, value: str) -> str:
        return _one_of(value, ("minutes", "any"), "episode")

    @validator("course")
    def _course(cls, value: str) -> str:
        return _one_of(value, (*COURSES, "any"), "course")

    class Config:
        extra = "forbid"


def _one_of(value: str, allowed: Tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    return value


class Hallmarks(BaseModel):
    """What a cause needs before it may lead the ranking: one of these findings present, or one
    of these onsets. An emergency cause must have hallmarks: "not sure" to everything never makes
    a rare emergency the likeliest cause."""

    findings: List[str] = Field(default_factory=list)
    onsets: List[str] = Field(default_factory=list)

    class Config:
        extra = "forbid"


class Cause(Entry):
    id: str
    name: str
    description: str
    rarity: Optional[str]  # common | uncommon | rare; null where the page gives none
    rarity_note: str = ""
    urgency: Urgency
    urgency_note: str = ""
    top_symptoms: List[str]
    other_symptoms: List[str] = Field(default_factory=list)
    always: List[str] = Field(default_factory=list)
    never: List[str] = Field(default_factory=list)
    risk: Risk = Field(default_factory=Risk)
    features: Features = Field(default_factory=Features)
    group: Optional[str] = None
    advice: str = ""  # what to do when this cause leads, beside the urgency's advice
    hallmarks: Hallmarks = Field(default_factory=Hallmarks)
    diagnosed_by: List[str] = Field(default_factory=list)  # a diagnosis the person already has (ms_diagnosis)

    @validator("rarity")
    def _rarity(cls, value: Optional[str]) -> Optional[str]:
        if value not in (None, "common", "uncommon", "rare"):
            raise ValueError("rarity must be common, uncommon, rare or null")
        return value

    @validator("description")
    def _two_lines(cls, value: str) -> str:
        lines = [line for line in value.strip().splitlines() if line.strip()]
        if not 1 <= len(lines) <= 2:
            raise ValueError("description must be one or two plain-language lines")
        return value.strip()

    def finding_ids(self) -> List[str]:
        return [*self.top_symptoms, *self.other_symptoms, *self.always, *self.never,
                *self.risk.factors, *self.risk.required_factors, *self.hallmarks.findings, *self.diagnosed_by]


class GroupMember(BaseModel):
    name: str
    says: str
    cause: Optional[str] = None  # the scored cause it is, where there is one

    class Config:
        extra = "forbid"


class CauseGroup(Entry):
    id: str
    name: str
    says: str
    members: List[GroupMember]


# The kinds of question (questions.yml): a yes/no question about a finding, or an opening question.
YES_NO, AGE_SEX, SIDE, ONSET, DURATION = "yes_no", "age_sex", "side", "onset", "duration"
QUESTION_KINDS = (YES_NO, AGE_SEX, SIDE, ONSET, DURATION)


class Question(Entry):
    id: str
    text: str
    # the same question about someone else, with {they} {them} {their} {is} {does} {has} {was}
    # {Is} {Does} {Has} {Was} filled for he / she / they
    text_other: Optional[str] = None
    kind: str  # yes_no | age_sex | side | onset | duration
    finding: Optional[str] = None  # the finding a yes/no answer sets present or absent
    doctor_asks: bool = False  # one of the page's "questions your doctor may ask"

    @root_validator(skip_on_failure=True)
    def _yes_no_needs_finding(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if values["kind"] not in QUESTION_KINDS:
            raise ValueError(f"kind must be one of {', '.join(QUESTION_KINDS)}")
        if values["kind"] == YES_NO and not values.get("finding"):
            raise ValueError("a yes/no question needs the finding it answers")
        return values


PROFILE_KEYS = {"side": ("left", "right", "both", "one"), "onset": ONSETS, "duration": DURATIONS,
                "episode": EPISODES, "course": COURSES}


class SafetyRule(BaseModel):
    """A combination that sets the urgency whatever the ranking of causes
    (data/knowledge/safety_rules.yml). `all`: each item a finding id, or a list of ids of which
    one is enough; `profile`: allowed values of side, onset, duration, episode or course;
    `profile_not`: values that stop the rule."""

    id: str
    says: str  # what the bot tells the person when the rule sets the urgency
    urgency: Urgency
    all: List[Union[str, List[str]]]
    profile: Dict[str, List[str]] = Field(default_factory=dict)
    profile_not: Dict[str, List[str]] = Field(default_factory=dict)
    source: str

    @validator("source")
    def _cited(cls, value: str) -> str:
        if not (cites_a_seed_page(value) or value.lower().startswith(GENERAL_KNOWLEDGE)):
            raise ValueError(f"source must name a seed page or start with {GENERAL_KNOWLEDGE!r}, got {value!r}")
        return value

    @validator("profile", "profile_not")
    def _profile(cls, value: Dict[str, List[str]]) -> Dict[str, List[str]]:
        for key, values in value.items():
            if key not in PROFILE_KEYS:
                raise ValueError(f"unknown profile key {key!r} (keys: {', '.join(PROFILE_KEYS)})")
            unknown = set(values) - set(PROFILE_KEYS[key])
            if unknown:
                raise ValueError(f"{key}: unknown values {sorted(unknown)}")
        return value

    def finding_ids(self) -> List[str]:
        return [f for item in self.all for f in ([item] if isinstance(item, str) else item)]

    class Config:
        extra = "forbid"


class Faq(Entry):
    id: str
    question: str
    answer: str

    @validator("id")
    def _snake_case(cls, value: str) -> str:
        if not SNAKE_CASE.match(value):
            raise ValueError(f"id {value!r} is not snake_case")
        return value


class Advice(Entry):
    id: str
    text: str


class Language(BaseModel):
    """A language whose red flags the bot recognises (data/knowledge/red_flags_translated.yml)."""

    id: str
    name: str
    negations: List[str]  # words that deny what follows: "no", "sin", "pas de", "没有"
    clause_breaks: List[str] = Field(default_factory=list)  # words that end a clause: "pero", "y"
    english_only_notice: str  # "I understand English only; if this is an emergency, call 911", in this language

    @validator("id")
    def _code(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2}", value):
            raise ValueError(f"id {value!r} must be a two-letter language code")
        return value

    @validator("negations", "clause_breaks")
    def _words(cls, value: List[str]) -> List[str]:
        return _clean_phrases(value)

    @validator("english_only_notice")
    def _notice(cls, value: str) -> str:
        if "911" not in value:
            raise ValueError("the notice must say to call 911")
        return value

    class Config:
        extra = "forbid"


class TranslatedRedFlag(Entry):
    """A seed page's red flag in other languages: `id` is the red flag's finding id."""

    id: str
    translation_of: str  # the seed page's words for the red flag
    phrases: Dict[str, List[str]]  # language id -> phrases

    @validator("translation_of")
    def _says_what(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("translation_of must give the seed page's words for the red flag")
        return value

    @validator("phrases")
    def _phrases(cls, value: Dict[str, List[str]]) -> Dict[str, List[str]]:
        if not value:
            raise ValueError("needs phrases in at least one language")
        cleaned = {}
        for language, phrases in value.items():
            if not phrases:
                raise ValueError(f"no phrases for language {language!r}")
            try:
                cleaned[language] = _clean_phrases(phrases)
            except ValueError as error:
                raise ValueError(f"language {language!r}: {error}") from None
        return cleaned


class KnowledgeBase(BaseModel):
    urgency_levels: Dict[Urgency, UrgencyLevel]
    findings: Dict[str, Finding]
    causes: Dict[str, Cause]
    cause_groups: Dict[str, CauseGroup]
    questions: Dict[str, Question]
    faqs: Dict[str, Faq]
    advice: Dict[str, Advice]
    languages: Dict[str, Language] = Field(default_factory=dict)
    translated_red_flags: Dict[str, TranslatedRedFlag] = Field(default_factory=dict)
    safety_rules: Dict[str, SafetyRule] = Field(default_factory=dict)
    cue_idioms: List[str] = Field(default_factory=list)  # phrases in which a cue word hints at nothing

    class Config:
        arbitrary_types_allowed = True

    @property
    def red_flags(self) -> Dict[str, Finding]:
        return {fid: f for fid, f in self.findings.items() if f.red_flag}

    def red_flag(self, finding_id: str) -> RedFlag:
        """The red flag of a finding that is one (KeyError for any other)."""
        red_flag = self.findings[finding_id].red_flag
        if red_flag is None:
            raise KeyError(f"{finding_id!r} is not a red flag")
        return red_flag

    def advice_for(self, level: Urgency) -> str:
        return self.urgency_levels[level].advice

    def label(self, finding_id: str) -> str:
        return self.findings[finding_id].label

    def absent_label(self, finding_id: str) -> str:
        """How a denied finding reads: "no lower back pain", "symptoms don't improve with activity"."""
        finding = self.findings[finding_id]
        return finding.absent_label or f"no {finding.label}"


TRANSLATED_RED_FLAGS_FILE = "red_flags_translated.yml"  # two lists: languages, red_flags
CUE_IDIOMS_FILE = "cue_idioms.yml"  # a list of phrases: idioms
# The advice the code reads by its id (advice.yml)
DISCLAIMER, WHAT_I_AM, TALK_TO_PERSON, NOT_A_DIAGNOSIS = "disclaimer", "what_i_am", "talk_to_person", "not_a_diagnosis"
TROUBLE, RECORD_UNREACHABLE_NOTICE = "trouble", "record_unreachable"
REQUIRED_ADVICE = (DISCLAIMER, WHAT_I_AM, TALK_TO_PERSON, NOT_A_DIAGNOSIS, TROUBLE, RECORD_UNREACHABLE_NOTICE)


Model = TypeVar("Model", bound=BaseModel)


def _entry_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("id"):
        return f"entry {index} ({raw['id']!r})"
    return f"entry {index}"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from None


def _load_file(path: Path, key: str, model: Type[Model]) -> Dict[Any, Model]:
    """The entries of the list under `key`, by id; a bad one fails with the file, the entry and why."""
    document = _read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise KnowledgeError(f"{path}: expected a top-level list under {key!r}")
    entries: Dict[Any, Model] = {}
    for index, raw in enumerate(document[key], start=1):
        where = f"{path}: {_entry_name(raw, index)}"
        try:
            entry = model.parse_obj(raw)
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            raise KnowledgeError(f"{where}: {reasons}") from None
        entry_id = getattr(entry, "id")  # noqa: B009 - every model of a list has an id (mypy cannot know)
        if entry_id in entries:
            raise KnowledgeError(f"{where}: duplicate id {entry_id!r}")
        entries[entry_id] = entry
    return entries


def _load_idioms(path: Path) -> List[str]:
    document = _read_yaml(path)
    idioms = document.get("idioms") if isinstance(document, dict) else None
    if not isinstance(idioms, list) or not all(isinstance(idiom, str) and idiom.strip() for idiom in idioms):
        raise KnowledgeError(f"{path}: expected a top-level list of phrases under 'idioms'")
    return [idiom.strip().lower() for idiom in idioms]


def cue_pattern(cues: List[str]) -> Pattern[str]:
    """A red flag's cue words as one pattern: "breath*" matches words that start with it; any other
    cue only as a whole word or phrase."""
    parts = [re.escape(cue[:-1]) + r"\w*" if cue.endswith("*") else re.escape(cue) + r"\b" for cue in cues]
    return re.compile(r"\b(" + "|".join(parts) + ")")


def _check_integrity(kb: KnowledgeBase, directory: Path) -> None:
    """Every reference points at something that exists."""

    def fail(file: str, entry: str, reason: str) -> NoReturn:
        raise KnowledgeError(f"{directory / file}: entry {entry!r}: {reason}")

    missing_levels = set(Urgency) - set(kb.urgency_levels)
    if missing_levels:
        raise KnowledgeError(
            f"{directory / 'urgency.yml'}: missing levels {sorted(level.value for level in missing_levels)}"
        )
    for cause in kb.causes.values():
        for finding_id in cause.finding_ids():
            if finding_id not in kb.findings:
                fail("causes.yml", cause.id, f"refers to unknown finding {finding_id!r}")
        if cause.group and cause.group not in kb.cause_groups:
            fail("causes.yml", cause.id, f"unknown group {cause.group!r}")
        overlap = set(cause.always) & set(cause.never)
        if overlap:
            fail("causes.yml", cause.id, f"{sorted(overlap)} both always and never occur")
    for group in kb.cause_groups.values():
        for member in group.members:
            if member.cause and member.cause not in kb.causes:
                fail("cause_groups.yml", group.id, f"member {member.name!r}: unknown cause {member.cause!r}")
    for cause in kb.causes.values():
        if cause.urgency.at_least(Urgency.emergency) and not (cause.hallmarks.findings or cause.hallmarks.onsets):
            fail("causes.yml", cause.id, "an emergency cause needs hallmarks (positive evidence before it may lead)")
        for onset in cause.hallmarks.onsets:
            if onset not in ONSETS:
                fail("causes.yml", cause.id, f"hallmark onset {onset!r} is not one of {', '.join(ONSETS)}")
    for flag in kb.red_flags:
        for explanation in kb.red_flag(flag).explained_by:
            if explanation.finding not in kb.findings:
                fail("findings.yml", flag, f"explained_by unknown finding {explanation.finding!r}")
    for rule in kb.safety_rules.values():
        for finding_id in rule.finding_ids():
            if finding_id not in kb.findings:
                fail("safety_rules.yml", rule.id, f"refers to unknown finding {finding_id!r}")
    for question in kb.questions.values():
        if question.finding and question.finding not in kb.findings:
            fail("questions.yml", question.id, f"unknown finding {question.finding!r}")
    doctor = [q for q in kb.questions.values() if q.doctor_asks]
    if len(doctor) != 4:
        raise KnowledgeError(
            f"{directory / 'questions.yml'}: expected the page's 4 doctor's questions, found {len(doctor)}"
        )
    for advice_id in REQUIRED_ADVICE:
        if advice_id not in kb.advice:
            raise KnowledgeError(f"{directory / 'advice.yml'}: missing entry {advice_id!r}")
    for finding_id in NAMED_IN_CODE:
        if finding_id not in kb.findings:
            raise KnowledgeError(f"{directory / 'findings.yml'}: missing entry {finding_id!r} (the code names it: "
                                 "numbness_triage/finding_ids.py)")
    owner: Dict[str, str] = {}
    for finding in kb.findings.values():
        for phrase in [*finding.phrases, *finding.denial_phrases]:
            if phrase in owner and owner[phrase] != finding.id:
                fail("findings.yml", finding.id, f"phrase {phrase!r} also belongs to {owner[phrase]!r}")
            owner[phrase] = finding.id
    _check_translations(kb, directory, owner)


def _check_translations(kb: KnowledgeBase, directory: Path, english: Dict[str, str]) -> None:
    """Translated red flags: of a known red flag, in a known language, a phrase in one place only,
    and not an English phrase (the English extractor reads those, with its fuller negation)."""

    def fail(entry: str, reason: str) -> NoReturn:
        raise KnowledgeError(f"{directory / TRANSLATED_RED_FLAGS_FILE}: entry {entry!r}: {reason}")

    owner: Dict[Tuple[str, str], str] = {}
    for entry in kb.translated_red_flags.values():
        if entry.id not in kb.findings:
            fail(entry.id, f"unknown red flag {entry.id!r}: no finding of findings.yml has this id")
        if kb.findings[entry.id].red_flag is None:
            fail(entry.id, f"finding {entry.id!r} is not a red flag")
        for language, phrases in entry.phrases.items():
            if language not in kb.languages:
                fail(entry.id, f"unknown language {language!r} (languages: {', '.join(sorted(kb.languages))})")
            for phrase in phrases:
                if phrase in english:
                    fail(entry.id, f"phrase {phrase!r} ({language}) is an English phrase of {english[phrase]!r}")
                key = (language, phrase)
                if key in owner and owner[key] != entry.id:
                    fail(entry.id, f"phrase {phrase!r} ({language}) also belongs to {owner[key]!r}")
                owner[key] = entry.id


def load_knowledge_base(directory: Path = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    directory = Path(directory)
    _KNOWN_PAGES.clear()
    _KNOWN_PAGES.update(seed_pages(directory))
    urgency_levels = _load_file(directory / "urgency.yml", "urgency_levels", UrgencyLevel)
    findings = _load_file(directory / "findings.yml", "findings", Finding)
    causes = _load_file(directory / "causes.yml", "causes", Cause)
    cause_groups = _load_file(directory / "cause_groups.yml", "cause_groups", CauseGroup)
    questions = _load_file(directory / "questions.yml", "questions", Question)
    faqs = _load_file(directory / "faq.yml", "faqs", Faq)
    advice = _load_file(directory / "advice.yml", "advice", Advice)
    safety_rules = _load_file(directory / "safety_rules.yml", "rules", SafetyRule)
    translated = directory / TRANSLATED_RED_FLAGS_FILE
    kb = KnowledgeBase(urgency_levels=urgency_levels, findings=findings, causes=causes, cause_groups=cause_groups,
                       questions=questions, faqs=faqs, advice=advice, safety_rules=safety_rules,
                       languages=_load_file(translated, "languages", Language),
                       translated_red_flags=_load_file(translated, "red_flags", TranslatedRedFlag),
                       cue_idioms=_load_idioms(directory / CUE_IDIOMS_FILE))
    _check_integrity(kb, directory)
    return kb


@functools.lru_cache(maxsize=4)
def shared_knowledge_base(directory: str = str(DEFAULT_KNOWLEDGE_DIR)) -> KnowledgeBase:
    """One loaded copy per process, shared by the NLU component and the actions."""
    return load_knowledge_base(Path(directory))
