"""The knowledge base for the actions: read once per process, off the event loop."""

from __future__ import annotations

import asyncio

from policy_kb.query import KnowledgeBase, load_kb

_kb: KnowledgeBase | None = None
_lock = asyncio.Lock()


def _load() -> KnowledgeBase:
    kb = load_kb()
    kb.find_measures("预热")  # builds the term indexes and loads jieba now, not in a user's turn
    return kb


async def get_kb() -> KnowledgeBase:
    global _kb
    if _kb is None:
        async with _lock:
            if _kb is None:
                _kb = await asyncio.to_thread(_load)
    return _kb
