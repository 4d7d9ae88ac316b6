"""Personal data on the command line: the purge production mode runs daily, and one erasure.

    python -m bot.privacy purge              # remove what is older than its retention period
    python -m bot.privacy erase REFERENCE    # one conversation: conversation id, message id or sender id
    python -m bot.privacy rotate-key         # re-seal the callback numbers under DATA_KEY

Each prints what it did as JSON. Periods and databases come from the gateway's settings
(RETAIN_CONVERSATION_DAYS, RETAIN_TICKET_PHONE_DAYS, CALLBACK_HOLD_MINUTES, APP_DB_URL, TRACKER_DB*);
the rules are in app_store.retention and app_store.erasure. The masking itself is app_store.privacy.mask,
which the gateway applies to every message before Rasa sees it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web
from sqlalchemy.engine import Engine

from app_store import engine_for
from app_store.erasure import ErasureReport, conversation_for, erase_conversation
from app_store.privacy import mask, pseudonym
from app_store.retention import PurgeReport, purge
from app_store.rotation import rotate
from app_store.tracker import tracker_engine
from bot.settings import Settings, load_settings

__all__ = ["erase", "main", "mask", "pseudonym", "rotate_key", "run_purge", "scheduled_purge"]

log = logging.getLogger(__name__)


def _tracker(settings: Settings) -> Engine | None:
    return tracker_engine(settings.tracker_db_url) if settings.tracker_db_url else None


def run_purge(settings: Settings, now: datetime | None = None) -> PurgeReport:
    return purge(engine_for(settings.app_db_url), _tracker(settings), settings.retention, now)


def erase(settings: Settings, reference: str) -> ErasureReport | None:
    """Erase the conversation `reference` names; None when it names none (an unknown message id)."""
    app_engine = engine_for(settings.app_db_url)
    conversation = conversation_for(app_engine, settings.app_secret, reference)
    if conversation is None:
        return None
    return erase_conversation(app_engine, _tracker(settings), settings.app_secret, conversation)


def rotate_key(settings: Settings) -> dict[str, int]:
    """Re-seal every callback number not sealed under DATA_KEY (those under DATA_KEYS_RETIRED or the key
    derived from APP_SECRET); how many per column. Afterwards the retired key may be dropped."""
    return rotate(engine_for(settings.app_db_url), settings.data_keys)


async def scheduled_purge(app: web.Application) -> AsyncIterator[None]:
    """The gateway's cleanup context: the purge at start and every PURGE_EVERY_HOURS (0: off)."""
    from bot.appkeys import SETTINGS  # not at the top: bot.appkeys imports the app's whole wiring

    settings = app[SETTINGS]
    if not settings.purge_every_hours:
        yield
        return
    task = asyncio.create_task(_purge_forever(settings, settings.purge_every_hours * 3600.0), name="privacy-purge")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _purge_forever(settings: Settings, every_s: float) -> None:
    while True:
        try:
            report = await asyncio.to_thread(run_purge, settings)
            log.info("privacy purge: %s", json.dumps(report.as_dict()))
        except Exception:
            # A database away today is purged tomorrow; the gateway goes on answering.
            log.exception("privacy purge failed; next attempt in %.0f h", every_s / 3600)
        await asyncio.sleep(every_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("purge", help="remove personal data older than its retention period")
    erase_parser = commands.add_parser("erase", help="delete one conversation from every store")
    erase_parser.add_argument("reference", help="conversation id (16 hex), message id (32 hex) or sender id")
    commands.add_parser("rotate-key", help="re-seal the callback numbers under DATA_KEY")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "purge":
        print(json.dumps(run_purge(settings).as_dict(), ensure_ascii=False))
        return 0
    if args.command == "rotate-key":
        print(json.dumps(rotate_key(settings), ensure_ascii=False))
        return 0
    report = erase(settings, args.reference)
    if report is None:
        print("没有找到这条消息编号对应的对话", file=sys.stderr)
        return 1
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
