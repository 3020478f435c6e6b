"""What the interview remembers between messages, as stored in the `interview` slot."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Dict, List, Optional, Type

from numbness_triage.matching import Profile
from numbness_triage.mentions import ABSENT, HISTORICAL, PRESENT
from numbness_triage.patient import SELF

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
START, INTERVIEW, ASSESSED, ESCALATED = "start", "interview", "assessed", "escalated"
STAGES = (START, INTERVIEW, ASSESSED, ESCALATED)
TIMING_KEYS = ("onset", "duration", "episode", "course")


@dataclass
class State:
    """The interview's memory. Values the person was asked and could not give are None with
    their key in `unknown`; a finding they were unsure of is simply not in `findings`."""

    schema_version: int = SCHEMA_VERSION
    stage: str = START
    patient: str = SELF  # self | someone_else
    relation: Optional[str] = None  # "father", when someone types for their father
    pronoun: Optional[str] = None  # he | she | they, for someone else
    findings: Dict[str, str] = field(default_factory=dict)  # finding id -> present | absent | historical
    age: Optional[int] = None
    sex: Optional[str] = None
    side: Optional[str] = None
    onset: Optional[str] = None
    duration: Optional[str] = None
    episode: Optional[str] = None
    course: Optional[str] = None
    unknown: List[str] = field(default_factory=list)  # asked, and the person could not say: "age", "side"...
    eased: Optional[str] = None  # whether the numbness went within minutes of moving (triage.EASED / NOT_EASED)
    asked: List[str] = field(default_factory=list)  # question ids, in the order asked
    times_asked: Dict[str, int] = field(default_factory=dict)  # question or safety question -> times asked
    answers: Dict[str, str] = field(default_factory=dict)  # question id -> yes | no | unsure | what was said
    pending: Optional[str] = None  # question id waiting for an answer
    clarifying: Optional[str] = None  # red flag whose safety question waits for an answer
    clarify_kind: Optional[str] = None  # new | now | check | eased
    cleared_flags: List[str] = field(default_factory=list)  # safety questions answered "no"
    confirmed_flags: List[str] = field(default_factory=list)  # safety questions answered "yes" or "not sure"
    hinted_flags: List[str] = field(default_factory=list)  # cue words heard, to be checked with a question
    red_flags: List[str] = field(default_factory=list)
    rules: List[str] = field(default_factory=list)  # safety rules that set the urgency
    triage: Optional[str] = None
    assessment: Optional[dict] = None
    feedback: Optional[str] = None
    unclear_answers: int = 0  # messages in a row with nothing the interview could read

    def profile(self) -> Profile:
        """What scoring may use: what the person said, not what they were unsure of."""
        known = {k: v for k, v in self.findings.items() if v in (PRESENT, ABSENT, HISTORICAL)}
        return Profile(known, self.age, self.sex, self.side, self.onset, self.duration, self.episode, self.course)

    def knows(self, key: str) -> bool:
        """Whether an opening fact (age, sex, side, onset, duration) is settled: said, or asked and unknown."""
        return getattr(self, key) is not None or key in self.unknown

    def about_someone_else(self) -> bool:
        return self.patient != SELF

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "State":
        """The stored state. One that cannot be read (another version, a damaged slot) is logged
        and replaced by a new interview that keeps the red flags already heard: nobody is talked
        out of an emergency by a storage problem."""
        if not isinstance(data, dict):
            return cls()
        try:
            return _read(cls, _upgraded(data))
        except (TypeError, ValueError, KeyError) as error:
            logger.warning("the stored interview state could not be read (%s); red flags kept", type(error).__name__)
            return _salvaged(cls, data)


def _upgraded(data: dict) -> dict:
    """Version 1 (no schema_version) wrote -1 and "unknown" for what the person could not say."""
    if data.get("schema_version") == SCHEMA_VERSION:
        return data
    if data.get("schema_version") not in (None, 1):
        raise ValueError(f"unknown schema version {data.get('schema_version')!r}")
    upgraded = {k: v for k, v in data.items() if k != "unclear_answers"}
    unknown = []
    for key in ("age", "sex", "side", "onset", "duration"):
        if upgraded.get(key) in (-1, "unknown"):
            upgraded[key] = None
            unknown.append(key)
    upgraded["unknown"] = unknown
    upgraded["schema_version"] = SCHEMA_VERSION
    return upgraded


def _read(cls: Type[State], data: Dict[str, Any]) -> State:
    names = {f.name for f in fields(cls)}
    state = cls(**{k: v for k, v in data.items() if k in names})
    if state.stage not in STAGES or not isinstance(state.findings, dict) or not isinstance(state.red_flags, list):
        raise ValueError("damaged state")
    if state.age is not None and not isinstance(state.age, int):
        raise ValueError("damaged age")
    return state


def _salvaged(cls: Type[State], data: Dict[str, Any]) -> State:
    stored = data.get("red_flags")
    flags = [f for f in stored if isinstance(f, str)] if isinstance(stored, list) else []
    state = cls(red_flags=flags, findings={flag: PRESENT for flag in flags})
    if flags:
        state.stage = ESCALATED
        state.triage = data.get("triage") if isinstance(data.get("triage"), str) else None
        state.assessment = data.get("assessment") if isinstance(data.get("assessment"), dict) else None
    return state
