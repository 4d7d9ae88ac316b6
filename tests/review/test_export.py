"""`python -m bot.review export` over a real (migrated SQLite) app DB and the real KB; the YAML is read
back by Rasa's own loader."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from app_store import QuestionRecord, engine_for, log_questions
from app_store.reviews import Review, save_review
from bot.migrate import upgrade
from bot.review.__main__ import main
from bot.review.aliases import add_aliases
from bot.review.export import build, known_texts
from policy_kb.loader import DEFAULT_DATA_FILE
from policy_kb.query import KnowledgeBase
from policy_kb.store import engine_for as kb_engine_for
from policy_kb.store import load_into, read_document
from policy_kb.verify import KnowledgeBaseError

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
    texts = [
        "农科驿站 能给几个钱",
        "农科驿站 能给几个钱",
        "俺们的小站子政府给钱不",
        "办营业执照去哪儿办啊",
        f"冷库有补助吗 {PHONE}",
        "研发补贴 怎么申请呀",
        "天气咋样呢朋友",
    ]
    ids = log_questions(
        engine,
        [
            QuestionRecord(
                created_at=NOW,
                channel="web",
                conversation="c" * 16,
                text=text,
                outcome="fallback",
                latency_ms=5,
                intent="ask_how_to_apply" if "申请" in text else None,
            )
            for text in texts
        ],
    )
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
        assert save_review(
            engine,
            Review(
                question_id=question_id,
                verdict=verdict,
                target_kind=kind,
                target_id=target,
                aspect=aspect,
                note=note,
                reviewer="analyst1",
                reviewed_at=NOW,
            ),
        )
    return url


def test_export_writes_rasa_nlu_that_rasa_reads(
    db: str, kb: KnowledgeBase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, aliases = tmp_path / "reviewed.yml", tmp_path / "aliases.txt"
    assert main(["export", "--out", str(out), "--aliases", str(aliases), "--url", db]) == 0
    text = out.read_text(encoding="utf-8")
    assert PHONE not in text and "冷库" not in text  # the gap teaches nothing; nothing unmasked
    training = load_data(str(out))
    by_text = {m.get("text"): m for m in training.intent_examples}
    assert set(by_text) == {
        "农科驿站 能给几个钱",
        "俺们的小站子政府给钱不",
        "办营业执照去哪儿办啊",
        "研发补贴 怎么申请呀",
    }
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


def test_questions_in_the_held_out_set_or_hand_written_data_are_left_out(
    db: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
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


def _reviewed(tmp_path: Path, reviews: list[tuple[str, str, str, str | None]], name: str = "words.db") -> str:
    """An app DB with one 答错了 review per (question, measure, aspect, the reviewer's word)."""
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    engine = engine_for(url)
    ids = log_questions(
        engine,
        [
            QuestionRecord(
                created_at=NOW, channel="web", conversation="w" * 16, text=text, outcome="fallback", latency_ms=5
            )
            for text, _, _, _ in reviews
        ],
    )
    for question_id, (_, measure, aspect, word) in zip(ids, reviews, strict=True):
        assert save_review(
            engine,
            Review(
                question_id=question_id,
                verdict="wrong",
                target_kind="measure",
                target_id=measure,
                aspect=aspect,
                note=None,
                reviewer="analyst1",
                reviewed_at=NOW,
                alias=word,
            ),
        )
    return url


@pytest.fixture
def kb_copy(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the KB data (with its official text beside it, as the data file names it) and a KB DB."""
    folder = tmp_path / "data"
    folder.mkdir()
    for source in DEFAULT_DATA_FILE.parent.iterdir():
        shutil.copy(source, folder / source.name)
    url = f"sqlite:///{tmp_path / 'policy.db'}"
    load_into(kb_engine_for(url), folder / DEFAULT_DATA_FILE.name)
    return folder / DEFAULT_DATA_FILE.name, url


def test_the_reviewers_word_is_annotated_and_suggested_then_accepted_into_the_kb(
    tmp_path: Path, kb_copy: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data, kb_url = kb_copy
    url = _reviewed(
        tmp_path,
        [
            ("俺们那小站子政府给钱不", "xingchuang_nongke", "amount", "小站子"),
            ("搞研发花的钱能报点不", "rd_subsidy", "amount", "研发花的钱"),
            ("那个补钱的事儿咋申请呢", "rd_subsidy", "apply", None),
        ],
    )
    out, aliases = tmp_path / "reviewed.yml", tmp_path / "aliases.txt"
    common = ["--out", str(out), "--aliases", str(aliases), "--url", url, "--kb-url", kb_url]
    assert main(["export", *common]) == 0
    printed = capsys.readouterr().out
    assert "xingchuang_nongke（星创天地和农科驿站奖补）← “小站子”" in printed
    assert "（复核时未填用户的叫法" in printed  # the third: the reviewer gave no word
    examples = {m.get("text"): m for m in load_data(str(out)).intent_examples}
    [entity] = examples["俺们那小站子政府给钱不"].get("entities")
    assert (entity["value"], entity["start"], entity["end"]) == ("xingchuang_nongke", 3, 6)
    assert examples["搞研发花的钱能报点不"].get("intent") == "ask_amount"
    assert not examples["那个补钱的事儿咋申请呢"].get("entities")

    before = data.read_text(encoding="utf-8")
    assert main(["accept", "--all", "--data", str(data), *common]) == 0
    printed = capsys.readouterr().out
    assert "accepted xingchuang_nongke ← 小站子" in printed and "make model" in printed
    after = data.read_text(encoding="utf-8")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) == 2 and all("aliases: [" in line for line in changed)  # one line per measure
    kb = KnowledgeBase(*read_document(kb_engine_for(kb_url)))  # reloaded: the KB now knows both words
    assert [h.key for h in kb.find_measures("俺们那小站子政府给钱不", fuzzy=False)] == ["xingchuang_nongke"]
    assert "rd_subsidy" in [h.key for h in kb.find_measures("搞研发花的钱能报点不", fuzzy=False)]
    assert "小站子" not in aliases.read_text(encoding="utf-8")  # no longer a suggestion
    # accepting again changes nothing
    assert main(["accept", "--all", "--data", str(data), *common]) == 0
    assert "没有可采纳的别名建议" in capsys.readouterr().err
    assert data.read_text(encoding="utf-8") == after


def test_words_the_kb_reads_as_something_else_are_refused_and_the_file_left_alone(
    tmp_path: Path, kb_copy: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data, kb_url = kb_copy
    before = data.read_text(encoding="utf-8")
    url = _reviewed(
        tmp_path,
        [
            ("企业那个钱咋拿", "rd_subsidy", "amount", "企业"),
            ("荣成的站子给多少", "xingchuang_nongke", "amount", "荣成"),
        ],
    )
    common = ["--out", str(tmp_path / "r.yml"), "--aliases", str(tmp_path / "a.txt"), "--url", url, "--kb-url", kb_url]
    assert main(["accept", "--all", "--data", str(data), *common]) == 1
    errors = capsys.readouterr().err
    assert "“企业”在知识库里已是申请主体" in errors and "“荣成”在知识库里已是区市" in errors
    assert data.read_text(encoding="utf-8") == before
    # another measure's alias: refused by name; and the KB's own check stands behind it
    url = _reviewed(tmp_path, [("研发补贴给多少钱", "xingchuang_nongke", "amount", "研发补贴")], "other.db")
    common[5] = url
    assert main(["accept", "--all", "--data", str(data), *common]) == 1
    assert "“研发补贴”在知识库里已是措施 rd_subsidy 的叫法" in capsys.readouterr().err
    with pytest.raises(KnowledgeBaseError):
        add_aliases(data, [("xingchuang_nongke", "小站子"), ("xingchuang_nongke", "研发补贴")])
    assert data.read_text(encoding="utf-8") == before
    assert not list(data.parent.glob("*.new"))


def test_accept_names_unknown_words(
    tmp_path: Path, kb_copy: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data, kb_url = kb_copy
    url = _reviewed(tmp_path, [("俺们那小站子政府给钱不", "xingchuang_nongke", "amount", "小站子")])
    assert (
        main(
            [
                "accept",
                "大站子",
                "--data",
                str(data),
                "--out",
                str(tmp_path / "r.yml"),
                "--aliases",
                str(tmp_path / "a.txt"),
                "--url",
                url,
                "--kb-url",
                kb_url,
            ]
        )
        == 1
    )
    assert "没有“大站子”这条别名建议" in capsys.readouterr().err
