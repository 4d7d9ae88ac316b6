"""The app database: the question log, feedback on answers and the hand-off tickets.

Shared by the gateway and the Rasa custom actions, so it is plain synchronous SQLAlchemy with no aiohttp
imports; async callers run these functions in a thread (`asyncio.to_thread`). Every function opens its
own Session, and every text written here goes through `app_store.privacy.mask` first; the one raw value
kept, a callback number, is sealed (`app_store.sealing`).
"""

from app_store import accounts  # noqa: F401  (registers the staff_accounts table on Base)
from app_store.engine import engine_for, ping
from app_store.feedback import Feedback, FeedbackResult, feedback_for, record_feedback
from app_store.models import Base, FeedbackRow, HandoffTicketRow, QuestionLogRow
from app_store.questions import ERROR, UNKNOWN, QuestionRecord, log_question, log_questions
from app_store.tickets import Ticket, close_ticket, create_ticket, open_tickets

__all__ = [
    "ERROR",
    "UNKNOWN",
    "Base",
    "Feedback",
    "FeedbackResult",
    "FeedbackRow",
    "HandoffTicketRow",
    "QuestionLogRow",
    "QuestionRecord",
    "Ticket",
    "close_ticket",
    "create_ticket",
    "engine_for",
    "feedback_for",
    "log_question",
    "log_questions",
    "open_tickets",
    "ping",
    "record_feedback",
]
