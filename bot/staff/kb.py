"""The knowledge base for the staff pages, read once off the event loop."""

from __future__ import annotations

import asyncio
import logging

from policy_kb.query import KnowledgeBase, load_kb

log = logging.getLogger(__name__)


class KnowledgeBaseHolder:
    """A failed read (the KB is not built yet: `make kb`) is retried on the next use."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self._kb = kb
        self._lock = asyncio.Lock()

    async def get(self) -> KnowledgeBase | None:
        if self._kb is None:
            async with self._lock:
                if self._kb is None:
                    try:
                        self._kb = await asyncio.to_thread(_load)
                    except Exception as exc:
                        log.warning("staff: knowledge base not available: %r", exc)
        return self._kb


def _load() -> KnowledgeBase:
    kb = load_kb()
    kb.search("预热")  # builds the search index now, not on the first keypress
    return kb
