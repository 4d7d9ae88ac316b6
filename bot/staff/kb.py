"""The knowledge base for the staff pages: `policy_kb.query.get_kb` (the process's one cache, read off the
event loop), or the one a test hands over."""

from __future__ import annotations

import logging

from policy_kb.query import KnowledgeBase, get_kb

log = logging.getLogger(__name__)


class KnowledgeBaseHolder:
    """A failed read (the KB is not built yet: `make kb`) gives None and is retried on the next use."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self._kb = kb

    async def get(self) -> KnowledgeBase | None:
        if self._kb is not None:
            return self._kb
        try:
            return await get_kb()
        except Exception as exc:
            log.warning("staff: knowledge base not available: %r", exc)
            return None
