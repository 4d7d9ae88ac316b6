"""The period and channel a staff page reads, as conditions on the question log: shared by the analytics
(bot.staff) and the review queue (bot.review), neither of which may import the other's internals."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from app_store.models import QuestionLogRow
from infra.outcome import OUTCOME_LABELS

# Days, weeks and the date filter are in Weihai's time, not UTC.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
# Rasa's FallbackClassifier gives up below 0.4 (config.yml); answers between that and this are guesses
# worth a look.
LOW_CONFIDENCE = 0.6
OUTCOME_NAMES = {o.value: name for o, name in OUTCOME_LABELS.items()}


@dataclass(frozen=True)
class Filters:
    start: date  # first day, inclusive, China time
    end: date  # last day, inclusive
    channel: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.start, datetime.min.time(), CHINA)
        end = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), CHINA)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def question_conditions(filters: Filters) -> list[Any]:
    """The WHERE conditions on QuestionLogRow for the filters' days and channel."""
    start, end = filters.utc_bounds()
    conditions = [QuestionLogRow.created_at >= start, QuestionLogRow.created_at < end]
    if filters.channel:
        conditions.append(QuestionLogRow.channel == filters.channel)
    return conditions


def normalise(text: str) -> str:
    """The grouping key of a question: full-width folded, lower case, no spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "S", "Z", "C")))
