"""Moved to infra.outcome (the question log in app_store stores it and may not import the answer engine);
these names stay importable from here for the answer engine and the actions."""

from infra.outcome import OUTCOME_LABELS, UNANSWERED, Outcome, label

__all__ = ["OUTCOME_LABELS", "UNANSWERED", "Outcome", "label"]
