"""`python -m bot.review export` over a real (migrated SQLite) app DB and the real KB; the YAML is read
back by Rasa's own loader."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from app_store import QuestionRecord, engine_for, log_questions
from app_store.reviews import Review, save_review
from bot.migrate import upgrade
from bot.review.__main__ import main
from bot.review.export import build, known_texts
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into, read_document

PHONE = "13912345678"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    engine = kb_engine_for(f"sqlite:///{tmp_path_factory.mktemp('kb') / 'policy.db'}")
    load_into(engine, DEFAULT_DATA_FILE)
    return KnowledgeBase(*read_document(engine))


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = engine_for(url)
    texts = ["农科驿站 能给几个钱", "农科驿站 能给几个钱", "俺们的小站子政府给钱不", "办营业执照去哪儿办啊",
             f"冷库有补助吗 {PHONE}", "研发补贴 怎么申请呀", "天气咋样呢朋友"]
    ids = log_questions(engine, [
        QuestionRecord(created_at=NOW, channel="web", conversation="c" * 16, text=text, outcome="fallback",
                       latency_ms=5, intent="ask_how_to_apply" if "申请" in text else None)
        for text in texts])
    verdicts = [
        (ids[0], "wrong", "measure", "xingchuang_nongke", "amount", None),
        (ids[1], "wrong", "measure", "xingchuang_nongke", "amount", None),  # the same words: one example
        (ids[2], "wrong", "measure", "xingchuang_nongke", "amount", None),  # a word the KB does not know
        (ids[3], "out_of_scope", None, None, None, None),
        (ids[4], "policy_gap", None, None, None, "冷库"),
        (ids[5], "correct", "measure", "rd_subsidy", None, None),  # the intent the bot read stands
        (ids[6], "wrong", "measure", "rd_subsidy", None, None),  # no aspect: teaches nothing
    ]
    for question_id, verdict, kind, target, aspect, note in verdicts:
        assert save_review(engine, Review(question_id=question_id, verdict=verdict, target_kind=kind,
                                          target_id=target, aspect=aspect, note=note, reviewer="analyst1",
                                          reviewed_at=NOW))
    return url


def test_export_writes_rasa_nlu_that_rasa_reads(db: str, kb: KnowledgeBase, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out, aliases = tmp_path / "reviewed.yml", tmp_path / "aliases.txt"
    assert main(["export", "--out", str(out), "--aliases", str(aliases), "--url", db]) == 0
    text = out.read_text(encoding="utf-8")
    assert PHONE not in text and "冷库" not in text  # the gap teaches nothing; nothing unmasked
    training = load_data(str(out))
    by_text = {m.get("text"): m for m in training.intent_examples}
    assert set(by_text) == {"农科驿站 能给几个钱", "俺们的小站子政府给钱不", "办营业执照去哪儿办啊",
                            "研发补贴 怎么申请呀"}
    assert by_text["农科驿站 能给几个钱"].get("intent") == "ask_amount"
    [entity] = by_text["农科驿站 能给几个钱"].get("entities")
    assert (entity["entity"], entity["value"], entity["start"], entity["end"]) == ("measure", "xingchuang_nongke", 0, 4)
    assert by_text["办营业执照去哪儿办啊"].get("intent") == "out_of_scope"
    assert by_text["研发补贴 怎么申请呀"].get("intent") == "ask_how_to_apply"
    printed = capsys.readouterr().out
    assert "wrote" in printed and "xingchuang_nongke" in printed and "俺们的小站子政府给钱不" in printed
    assert "俺们的小站子政府给钱不" in aliases.read_text(encoding="utf-8")
    # idempotent: same reviews, same bytes, file left alone
    before = out.stat().st_mtime_ns
    assert main(["export", "--out", str(out), "--aliases", str(aliases), "--url", db]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == text and out.stat().st_mtime_ns == before


def test_questions_in_the_held_out_set_or_hand_written_data_are_left_out(db: str, kb: KnowledgeBase,
                                                                          tmp_path: Path) -> None:
    export = build(engine_for(db), kb, {"办营业执照去哪儿办啊"})
    assert "out_of_scope" not in export.examples
    held_out = known_texts(tmp_path / "reviewed.yml")
    assert held_out  # data/nlu and tests/nlu/test_nlu.yml were read


def test_no_reviews_gives_an_empty_file_rasa_accepts(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    out = tmp_path / "reviewed.yml"
    assert main(["export", "--out", str(out), "--aliases", str(tmp_path / "a.txt"), "--url", url]) == 0
    assert load_data(str(out)).intent_examples == []
