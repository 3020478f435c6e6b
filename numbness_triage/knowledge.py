"""Load and validate the knowledge base (data/knowledge/*.yml).

Everything medical the bot knows lives in those YAML files. This module turns them into
typed, cross-checked objects; a bad entry fails with the file, the entry and the reason.
"""
from __future__ import annotations

import functools
import re
from enum import Enum
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
SEED_PAGES = {
    "000_e189db9327c4d401.txt": "Leg numbness (overview, serious symptoms, cause groups)",
    "004_b1a047c432c3b2df.txt": "Lower leg numbness (ten causes, FAQ, doctor's questions)",
}
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


def highest(levels) -> Optional[Urgency]:
    levels = list(levels)
    return max(levels, key=lambda level: level.rank) if levels else None


class Entry(BaseModel):
    """Every entry says which seed page it came from."""

    source: str

    @validator("source")
    def _known_seed(cls, value):
        page = value.split("#")[0].strip()
        if page not in SEED_PAGES:
            raise ValueError(f"source must name a seed page ({', '.join(SEED_PAGES)}), got {value!r}")
        return value

    class Config:
        extra = "forbid"


class UrgencyLevel(Entry):
    id: Urgency
    label: str
    advice: str
    seed_wording: List[str] = Field(default_factory=list)


class RedFlag(BaseModel):
    urgency: Urgency
    escalation: str = "immediate"  # immediate | clarify
    clarify_question: Optional[str] = None
    heard: str  # how the bot names it back: "you said your speech is slurred"
    explained_by: List[str] = Field(default_factory=list)  # findings that make it benign
    # Words that hint at the flag when no phrase matched ("my right eye went dark"): the bot then
    # asks check_question rather than risk missing it. Matched as word starts: "breath" finds "breathless".
    cues: List[str] = Field(default_factory=list)
    check_question: Optional[str] = None

    @root_validator(skip_on_failure=True)
    def _clarify_needs_question(cls, values):
        if values["escalation"] not in ("immediate", "clarify"):
            raise ValueError("escalation must be 'immediate' or 'clarify'")
        if values["escalation"] == "clarify" and not values.get("clarify_question"):
            raise ValueError("a red flag that escalates after clarifying needs clarify_question")
        if values.get("cues") and not values.get("check_question"):
            raise ValueError("a red flag with cues needs the check_question the bot asks when one is heard")
        if not values["urgency"].at_least(Urgency.emergency):
            raise ValueError("a red flag's urgency must be emergency or emergency_ambulance")
        return values

    class Config:
        extra = "forbid"


class Finding(Entry):
    """A symptom, a pattern of symptoms, or a piece of history a person can report."""

    id: str
    label: str
    kind: str = "symptom"  # symptom | pattern | history
    phrases: List[str]
    denial_phrases: List[str] = Field(default_factory=list)  # count only when denied: "my speech is fine"
    location: Optional[str] = None
    red_flag: Optional[RedFlag] = None

    @validator("id")
    def _snake_case(cls, value):
        if not SNAKE_CASE.match(value):
            raise ValueError(f"id {value!r} is not snake_case")
        return value

    @validator("kind")
    def _kind(cls, value):
        if value not in ("symptom", "pattern", "history"):
            raise ValueError("kind must be symptom, pattern or history")
        return value

    @validator("phrases")
    def _phrases(cls, value):
        if not value:
            raise ValueError("needs at least one phrase")
        return _clean_phrases(value)

    @validator("denial_phrases")
    def _denial_phrases(cls, value):
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
    def _sex(cls, value):
        for key, share in value.items():
            if key not in ("female", "male") or not 0 <= share <= 1:
                raise ValueError("sex shares are female/male between 0 and 1")
        return value

    class Config:
        extra = "forbid"


class Features(BaseModel):
    """Typical presentation: side (one/both/any), onset (sudden/gradual/any)."""

    side: str = "any"
    onset: str = "any"
    duration: str = "any"  # minutes | days | weeks | months | any

    @validator("side")
    def _side(cls, value):
        if value not in ("one", "both", "any"):
            raise ValueError("side must be one, both or any")
        return value

    @validator("onset")
    def _onset(cls, value):
        if value not in ("sudden", "gradual", "any"):
            raise ValueError("onset must be sudden, gradual or any")
        return value

    @validator("duration")
    def _duration(cls, value):
        if value not in ("minutes", "days", "weeks", "months", "any"):
            raise ValueError("duration must be minutes, days, weeks, months or any")
        return value

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
    advice: str = ""

    @validator("rarity")
    def _rarity(cls, value):
        if value not in (None, "common", "uncommon", "rare"):
            raise ValueError("rarity must be common, uncommon, rare or null")
        return value

    @validator("description")
    def _two_lines(cls, value):
        lines = [line for line in value.strip().splitlines() if line.strip()]
        if not 1 <= len(lines) <= 2:
            raise ValueError("description must be one or two plain-language lines")
        return value.strip()

    def finding_ids(self) -> List[str]:
        return [*self.top_symptoms, *self.other_symptoms, *self.always, *self.never,
                *self.risk.factors, *self.risk.required_factors]


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


class Question(Entry):
    id: str
    text: str
    kind: str  # yes_no | age_sex | side | onset | duration
    finding: Optional[str] = None  # the finding a yes/no answer sets present or absent
    doctor_asks: bool = False  # one of the page's "questions your doctor may ask"

    @root_validator(skip_on_failure=True)
    def _yes_no_needs_finding(cls, values):
        if values["kind"] not in ("yes_no", "age_sex", "side", "onset", "duration"):
            raise ValueError("kind must be yes_no, age_sex, side, onset or duration")
        if values["kind"] == "yes_no" and not values.get("finding"):
            raise ValueError("a yes/no question needs the finding it answers")
        return values


class Faq(Entry):
    id: str
    question: str
    answer: str

    @validator("id")
    def _snake_case(cls, value):
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
    def _code(cls, value):
        if not re.fullmatch(r"[a-z]{2}", value):
            raise ValueError(f"id {value!r} must be a two-letter language code")
        return value

    @validator("negations", "clause_breaks")
    def _words(cls, value):
        return _clean_phrases(value)

    @validator("english_only_notice")
    def _notice(cls, value):
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
    def _says_what(cls, value):
        if not value.strip():
            raise ValueError("translation_of must give the seed page's words for the red flag")
        return value

    @validator("phrases")
    def _phrases(cls, value):
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

    class Config:
        arbitrary_types_allowed = True

    @property
    def red_flags(self) -> Dict[str, Finding]:
        return {fid: f for fid, f in self.findings.items() if f.red_flag}

    def advice_for(self, level: Urgency) -> str:
        return self.urgency_levels[level].advice

    def label(self, finding_id: str) -> str:
        return self.findings[finding_id].label


# file name -> (top-level key, model, attribute on KnowledgeBase)
_FILES: Dict[str, Tuple[str, type, str]] = {
    "urgency.yml": ("urgency_levels", UrgencyLevel, "urgency_levels"),
    "findings.yml": ("findings", Finding, "findings"),
    "causes.yml": ("causes", Cause, "causes"),
    "cause_groups.yml": ("cause_groups", CauseGroup, "cause_groups"),
    "questions.yml": ("questions", Question, "questions"),
    "faq.yml": ("faqs", Faq, "faqs"),
    "advice.yml": ("advice", Advice, "advice"),
}
TRANSLATED_RED_FLAGS_FILE = "red_flags_translated.yml"  # two lists: languages, red_flags
REQUIRED_ADVICE = ("disclaimer", "what_i_am", "home_care", "when_to_see_doctor", "talk_to_person", "not_a_diagnosis",
                   "temporary_compression_care", "trouble", "record_unreachable")


def _entry_name(raw, index: int) -> str:
    if isinstance(raw, dict) and raw.get("id"):
        return f"entry {index} ({raw['id']!r})"
    return f"entry {index}"


def _load_file(path: Path, key: str, model: type) -> Dict[str, BaseModel]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise KnowledgeError(f"{path}: expected a top-level list under {key!r}")
    entries: Dict[str, BaseModel] = {}
    for index, raw in enumerate(document[key], start=1):
        where = f"{path}: {_entry_name(raw, index)}"
        try:
            entry = model.parse_obj(raw)
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            raise KnowledgeError(f"{where}: {reasons}") from None
        if entry.id in entries:
            raise KnowledgeError(f"{where}: duplicate id {entry.id!r}")
        entries[entry.id] = entry
    return entries


def _check_integrity(kb: KnowledgeBase, directory: Path) -> None:
    """Every reference points at something that exists."""

    def fail(file: str, entry: str, reason: str):
        raise KnowledgeError(f"{directory / file}: entry {entry!r}: {reason}")

    missing_levels = set(Urgency) - set(kb.urgency_levels)
    if missing_levels:
        raise KnowledgeError(
            f"{directory / 'urgency.yml'}: missing levels {sorted(l.value for l in missing_levels)}"
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
    for finding in kb.red_flags.values():
        for other in finding.red_flag.explained_by:
            if other not in kb.findings:
                fail("findings.yml", finding.id, f"explained_by unknown finding {other!r}")
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

    def fail(entry: str, reason: str):
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
    parts = {
        attribute: _load_file(directory / name, key, model)
        for name, (key, model, attribute) in _FILES.items()
    }
    translated = directory / TRANSLATED_RED_FLAGS_FILE
    parts["languages"] = _load_file(translated, "languages", Language)
    parts["translated_red_flags"] = _load_file(translated, "red_flags", TranslatedRedFlag)
    kb = KnowledgeBase(**parts)
    _check_integrity(kb, directory)
    return kb


@functools.lru_cache(maxsize=4)
def shared_knowledge_base(directory: str = str(DEFAULT_KNOWLEDGE_DIR)) -> KnowledgeBase:
    """One loaded copy per process, shared by the NLU component and the actions."""
    return load_knowledge_base(Path(directory))
