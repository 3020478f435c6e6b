"""Names for the ids the bot stores (findings, causes, triage levels, questions), from the knowledge
base. The review page still works when the knowledge base cannot be loaded (it shows the ids)."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Dict, List, Optional

if TYPE_CHECKING:
    from numbness_triage.knowledge import KnowledgeBase

logger = logging.getLogger(__name__)

LEVEL_NAMES = {"self_care": "self-care", "consultation": "see a doctor", "consultation_24": "see a doctor within 24 h",
               "emergency": "emergency", "emergency_ambulance": "emergency - ambulance"}
_STOP_WORDS = {"have", "your", "with", "that", "this", "does", "from", "when", "were", "been", "what", "about",
               "there", "they", "them", "then", "than", "into", "over", "more", "some", "like", "just", "feel",
               "legs", "other"}


class Vocabulary:
    def __init__(self, kb: Optional["KnowledgeBase"] = None) -> None:
        self.kb = kb
        self._questions: Dict[str, str] = {}  # question text -> id
        if kb is not None:
            self._questions = {q.text: q.id for q in kb.questions.values()}
            for flag in kb.red_flags:
                for text in (kb.red_flag(flag).clarify_question, kb.red_flag(flag).check_question):
                    if text:
                        self._questions[text] = f"red_flag:{flag}"

    @classmethod
    def load(cls) -> "Vocabulary":
        try:
            from numbness_triage.knowledge import shared_knowledge_base

            return cls(shared_knowledge_base())
        except Exception as error:  # a knowledge base being edited must not take the review page down
            logger.warning(f"Review: the knowledge base could not be loaded ({type(error).__name__}); ids are shown")
            return cls(None)

    def finding(self, finding_id: str) -> str:
        found = self.kb.findings.get(finding_id) if self.kb else None
        return found.label if found else finding_id

    def is_red_flag(self, finding_id: str) -> bool:
        found = self.kb.findings.get(finding_id) if self.kb else None
        return bool(found and found.red_flag)

    def cause(self, cause_id: Optional[str]) -> str:
        found = self.kb.causes.get(cause_id) if self.kb and cause_id else None
        return found.name if found else str(cause_id)

    @property
    def cause_ids(self) -> List[str]:
        return sorted(self.kb.causes) if self.kb else []

    @staticmethod
    def level(level: Optional[str]) -> str:
        return LEVEL_NAMES.get(level or "", level or "-")

    def question_id(self, bot_text: str) -> Optional[str]:
        """The question a bot message asks (it may carry a lead such as "To carry on: ")."""
        for text, question_id in self._questions.items():
            if text and text in bot_text:
                return question_id
        return None

    def question(self, question_id: str) -> str:
        found = self.kb.questions.get(question_id) if self.kb else None
        return found.text if found else question_id

    def question_kind(self, question_id: Optional[str]) -> Optional[str]:
        if not question_id:
            return None
        if question_id.startswith("red_flag:"):
            return "red_flag"
        found = self.kb.questions.get(question_id) if self.kb else None
        return found.kind if found else None

    def question_finding(self, question_id: Optional[str]) -> Optional[str]:
        if question_id and question_id.startswith("red_flag:"):
            return question_id.split(":", 1)[1]
        found = self.kb.questions.get(question_id) if self.kb and question_id else None
        return found.finding if found else None

    def keywords(self, question_id: str) -> List[str]:
        """Short lower-case word stems a question on this topic would contain (the vignette
        format's `about`): the content words of the finding's label and of the question."""
        finding = self.question_finding(question_id)
        texts = [self.finding(finding)] if finding else []
        texts.append(self.question(question_id.split(":", 1)[-1]) if not question_id.startswith("red_flag:") else "")
        stems: List[str] = []
        for text in texts:
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                stem = word[:6]
                if word not in _STOP_WORDS and stem not in stems:
                    stems.append(stem)
        return stems[:4] or [question_id.split(":")[-1].replace("_", " ")]
