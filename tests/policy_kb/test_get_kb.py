"""One cache of the knowledge base per process: load_kb fills it, get_kb (the action server and the staff
pages) reads it and builds the indexes off the event loop; a failed read is tried again."""

from __future__ import annotations

from pathlib import Path

import pytest

import policy_kb.query
from bot.staff.kb import KnowledgeBaseHolder
from policy_kb.query import get_kb, load_kb
from policy_kb.store import engine_for, load_into
from tests.policy_kb.helpers import DATA_FILE, sqlite_url


@pytest.fixture
def kb_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url(tmp_path / "policy.db")
    load_into(engine_for(url), DATA_FILE)
    monkeypatch.setenv("POLICY_KB_DB_URL", url)
    return url


async def test_the_actions_and_the_staff_pages_share_load_kbs_cache(kb_url: str) -> None:
    kb = await get_kb()
    assert kb is load_kb(kb_url) is await KnowledgeBaseHolder().get() is await get_kb()
    assert kb.warmed and "_search_index" in vars(kb) and "_measure_terms" in vars(kb)


async def test_a_reload_reaches_every_user(kb_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # No second copy anywhere: what the one cache holds is what every caller gets.
    before = await get_kb()
    monkeypatch.setattr(policy_kb.query, "_cache", {})
    after = await KnowledgeBaseHolder().get()
    assert after is not before and after is await get_kb() and after.warmed


async def test_a_missing_kb_is_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_url(tmp_path / "later.db")
    monkeypatch.setenv("POLICY_KB_DB_URL", url)
    assert await KnowledgeBaseHolder().get() is None  # not built yet: the staff pages show their notice
    with pytest.raises(Exception):  # noqa: B017 (whatever the database says)
        await get_kb()
    load_into(engine_for(url), DATA_FILE)
    assert (await get_kb()).document.code == "weihai-2018-32"
