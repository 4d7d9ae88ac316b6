"""The cue words of `data/language.yml`, compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGE_FILE = Path(__file__).resolve().parent / "data" / "language.yml"


@dataclass(frozen=True)
class FrameCues:
    """The words of `frames:` in language.yml: what kind of question a message is beyond its measure."""

    correction: re.Pattern[str]
    shorter: re.Pattern[str]
    longer: re.Pattern[str]
    follow_up_frame: re.Pattern[str]
    partial_max_chars: int
    when: re.Pattern[str]
    self_reference: re.Pattern[str]
    negation: re.Pattern[str]
    basis: re.Pattern[str]
    document: re.Pattern[str]
    this_document: re.Pattern[str]
    document_aspects: dict[str, re.Pattern[str]]
    subtract: re.Pattern[str]
    divide: re.Pattern[str]
    total: re.Pattern[str]
    compare: re.Pattern[str]
    count: re.Pattern[str]
    count_words: dict[str, int]
    previous: re.Pattern[str]
    undecided: dict[str, re.Pattern[str]]
    not_covered: re.Pattern[str]
    check_draft: re.Pattern[str]
    only: re.Pattern[str]
    numbered: re.Pattern[str]
    technique: re.Pattern[str]
    policy_words: re.Pattern[str]
    done_before: re.Pattern[str]
    done_after: re.Pattern[str]
    obligation: re.Pattern[str]
    whole_structure: re.Pattern[str]
    where_said: re.Pattern[str]
    unit_role: re.Pattern[str]
    both: re.Pattern[str]
    other_districts: re.Pattern[str]
    claim_fillers: frozenset[str]
    passage_edges: str
    passage_generic: re.Pattern[str]
    passage_who_max_chars: int
    membership_asked: re.Pattern[str]
    given: re.Pattern[str]
    plain_words: dict[str, re.Pattern[str]]
    why: re.Pattern[str]
    self_description: re.Pattern[str]
    content_noise: re.Pattern[str]
    meaning: re.Pattern[str]
    support_asked: re.Pattern[str]
    list_asked: re.Pattern[str]
    issued: re.Pattern[str]
    set_up: re.Pattern[str]
    set_up_at: re.Pattern[str]
    that_clause: re.Pattern[str]
    who: re.Pattern[str]

    def document_words(self, text: str) -> str:
        """The document's phrases for the everyday words of `text` ('大学毕业' → 高校毕业生)."""
        return " ".join(phrase for phrase, cue in self.plain_words.items() if cue.search(text))

    def names_a_place(self, phrase: str) -> bool:
        """A phrase of the document that says something in particular: not only words any question
        about it may hold ('补助政策')."""
        return self.passage_generic.fullmatch(phrase) is None

    def undecided_of(self, text: str) -> str | None:
        """What a question asks that the document never decides ('能叠加吗' → 能否与其他补助同时享受)."""
        return next((what for what, cue in self.undecided.items() if cue.search(text)), None)

    def document_aspect(self, text: str, intent: str | None = None) -> str | None:
        """What a question about the document itself asks ('这个文件有几条' → structure), if it is one:
        it names the document (or DIET read it as one) and asks one of the document's aspects."""
        if not (self.document.search(text) or intent == "ask_document"):
            return None
        return next((name for name, cue in self.document_aspects.items() if cue.search(text)), None)


def _frame_cues(raw: dict[str, Any]) -> FrameCues:
    return FrameCues(
        correction=re.compile(raw["correction"], re.IGNORECASE),
        shorter=re.compile(raw["shorter"], re.IGNORECASE),
        longer=re.compile(raw["longer"], re.IGNORECASE),
        follow_up_frame=re.compile(raw["follow_up_frame"], re.IGNORECASE),
        partial_max_chars=int(raw["partial_max_chars"]),
        when=re.compile(raw["when"]),
        self_reference=re.compile(raw["self_reference"]),
        negation=re.compile(raw["negation"]),
        basis=re.compile(raw["basis"], re.IGNORECASE),
        document=re.compile(raw["document"], re.IGNORECASE),
        this_document=re.compile(raw["this_document"], re.IGNORECASE),
        document_aspects={name: re.compile(cue, re.IGNORECASE) for name, cue in raw["document_aspects"].items()},
        subtract=re.compile(raw["subtract"], re.IGNORECASE),
        divide=re.compile(raw["divide"], re.IGNORECASE),
        total=re.compile(raw["total"], re.IGNORECASE),
        compare=re.compile(raw["compare"], re.IGNORECASE),
        count=re.compile(raw["count"]),
        count_words=dict(raw["count_words"]),
        previous=re.compile(raw["previous"]),
        undecided={what: re.compile(cue, re.IGNORECASE) for what, cue in raw["undecided"].items()},
        not_covered=re.compile(raw["not_covered"], re.IGNORECASE),
        check_draft=re.compile(raw["check_draft"], re.IGNORECASE),
        only=re.compile(raw["only"], re.IGNORECASE),
        numbered=re.compile(raw["numbered"]),
        technique=re.compile(raw["technique"]),
        policy_words=re.compile(raw["policy_words"]),
        done_before=re.compile(raw["done_before"]),
        done_after=re.compile(raw["done_after"]),
        obligation=re.compile(raw["obligation"]),
        whole_structure=re.compile(raw["whole_structure"], re.IGNORECASE),
        where_said=re.compile(raw["where_said"], re.IGNORECASE),
        unit_role=re.compile(raw["unit_role"], re.IGNORECASE),
        both=re.compile(raw["both"], re.IGNORECASE),
        other_districts=re.compile(raw["other_districts"], re.IGNORECASE),
        claim_fillers=frozenset(raw["claim_fillers"].split("|")),
        passage_edges=str(raw["passage_edges"]),
        passage_generic=re.compile(f"(?:{raw['passage_generic']})+"),
        passage_who_max_chars=int(raw["passage_who_max_chars"]),
        membership_asked=re.compile(raw["membership_asked"]),
        given=re.compile(raw["given"], re.IGNORECASE),
        plain_words={phrase: re.compile(cue) for phrase, cue in raw["plain_words"].items()},
        why=re.compile(raw["why"], re.IGNORECASE),
        self_description=re.compile(raw["self_description"]),
        content_noise=re.compile(raw["content_noise"], re.IGNORECASE),
        meaning=re.compile(raw["meaning"], re.IGNORECASE),
        support_asked=re.compile(raw["support_asked"], re.IGNORECASE),
        list_asked=re.compile(raw["list_asked"], re.IGNORECASE),
        issued=re.compile(raw["issued"], re.IGNORECASE),
        set_up=re.compile(raw["set_up"]),
        set_up_at=re.compile(raw["set_up_at"]),
        that_clause=re.compile(raw["that_clause"]),
        who=re.compile(raw["who"], re.IGNORECASE),
    )


@dataclass(frozen=True)
class Language:
    aspects: dict[str, re.Pattern[str]]
    yes_no: re.Pattern[str]
    open_question: re.Pattern[str]
    figure_roles: dict[str, re.Pattern[str]]
    claim_verbs: re.Pattern[str]
    ceiling: re.Pattern[str]
    floor: re.Pattern[str]
    profile: re.Pattern[str]
    handoff: re.Pattern[str]
    target_question: re.Pattern[str]
    levels: dict[str, re.Pattern[str]]
    share_words: dict[str, int | None]
    several: re.Pattern[str]
    joined: re.Pattern[str]
    question_break: re.Pattern[str]
    aspect_not_asked: re.Pattern[str]
    several_questions_max_chars: int
    pleasantry_first: re.Pattern[str]  # one pleasantry at the start
    pleasantry_last: re.Pattern[str]  # one at the end
    themes: dict[str, re.Pattern[str]]  # KB topic id -> the user's words for it
    theme_question: re.Pattern[str]
    frames: FrameCues

    def aspect_of(self, text: str) -> str | None:
        """The aspect a plain cue names, in the file's order (lead unit before amount: '谁给钱')."""
        text = self.aspect_not_asked.sub("", text)
        found = next((aspect for aspect, cue in self.aspects.items() if cue.search(text)), None)
        return "amount" if found == "frequency" else found  # how often is asked as the measure's figure

    def theme_of(self, text: str) -> str | None:
        """The KB topic a question about a whole theme names, if it asks what there is."""
        if not self.theme_question.search(text):
            return None
        found = [(match.start(), topic) for topic, cue in self.themes.items() if (match := cue.search(text))]
        return min(found)[1] if found else None

    def is_yes_no(self, text: str) -> bool:
        text = text.strip()
        return bool(self.yes_no.search(text)) and not self.open_question.search(text)


@lru_cache(maxsize=1)
def language() -> Language:
    raw = yaml.safe_load(LANGUAGE_FILE.read_text(encoding="utf-8"))
    return Language(
        aspects={name: re.compile(cue, re.IGNORECASE) for name, cue in raw["aspects"].items()},
        yes_no=re.compile(raw["yes_no"], re.IGNORECASE),
        open_question=re.compile(raw["open_question"], re.IGNORECASE),
        figure_roles={name: re.compile(cue, re.IGNORECASE) for name, cue in raw["figure_roles"].items()},
        claim_verbs=re.compile(raw["claim_verbs"]),
        ceiling=re.compile(raw["ceiling"]),
        floor=re.compile(raw["floor"]),
        profile=re.compile(raw["profile"], re.IGNORECASE),
        handoff=re.compile(raw["handoff"]),
        target_question=re.compile(raw["target_question"], re.IGNORECASE),
        levels={name: re.compile(cue, re.IGNORECASE) for name, cue in raw["levels"].items()},
        share_words=dict(raw["share_words"]),
        several=re.compile(raw["several"]),
        joined=re.compile(raw["joined"]),
        question_break=re.compile(raw["question_break"]),
        aspect_not_asked=re.compile(raw["aspect_not_asked"]),
        several_questions_max_chars=int(raw["several_questions_max_chars"]),
        pleasantry_first=re.compile("^" + raw["pleasantries"]["before"], re.IGNORECASE),
        pleasantry_last=re.compile(raw["pleasantries"]["after"] + "$", re.IGNORECASE),
        themes={topic: re.compile(cue, re.IGNORECASE) for topic, cue in raw["themes"].items()},
        theme_question=re.compile(raw["theme_question"], re.IGNORECASE),
        frames=_frame_cues(raw["frames"]),
    )
