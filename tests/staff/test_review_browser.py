"""The review loop in real headless Chromium against the real stack: questions asked through the chat
(answered by the real model, whose id the log records), an analyst's five verdicts on /staff/review,
the gap report on the analytics page; then the loop the README gives, in a copy of the checkout:
`python -m bot.review export`, `python -m bot.review accept --all`, `make model`, and the copy's stack
answers the re-pointed questions as annotated while the held-out scores hold (within one conversation).
Saves review-queue.png (see tests/staff/test_browser.py for the fixtures and screenshots).
"""

from __future__ import annotations

import json
import tarfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app_store import QuestionLogRow, engine_for
from app_store.models import ReviewRow
from bot.staff.analytics import CHINA
from harness.stack import MODEL, Stack, running_stack
from tests.conversations.runner import run_all
from tests.review.retrain import checkout_copy, run_in
from tests.staff.test_browser import _log_in, _no_problems, _page, _screenshot, browser, create_account  # noqa: F401

playwright_sync = pytest.importorskip("playwright.sync_api")
# Two stacks started inside the test (the live one and the retrained copy's), not by a fixture.
pytestmark = pytest.mark.stack
expect = playwright_sync.expect
HELD_OUT = Path(__file__).resolve().parents[1] / "conversations"

# (question, verdict, KB label to pick, the user's word for the measure, aspect, note). The same words every
# run, so the retrained model is the same every run and its held-out scores are comparable.
MARKS = [
    ("俺们那小站子政府给钱不", "wrong", "星创天地和农科驿站奖补（措施 xingchuang_nongke）", "小站子", "amount", ""),
    ("那个券子能抵多少钱", "wrong", "科技创新券（措施 innovation_voucher）", "券子", "amount", ""),
    ("办营业执照去哪", "out_of_scope", "", "", "", ""),
    ("村里建冷库有补助吗", "policy_gap", "", "", "", "农产品冷库建设补助"),
    ("科技特派员有什么奖励", "correct", "", "", "", ""),
]
# What each question is answered with once the copy is retrained: the annotated measure's amount reply
# and its clause, the out-of-scope reply (what the document does not cover), and the correct answer as before.
RETRAINED = [
    ("星创天地和农科驿站奖补：文件只写明“市级择优给予奖补”", "依据：威政办发〔2018〕32号 二（十二）"),
    ("科技创新券：文件只写明“根据服务类型和收入，给予一定比例的奖补”", "依据：威政办发〔2018〕32号 二（十二）"),
    ("本文件没有涉及“营业执照”", "12345"),  # a topic the document does not cover, and where to ask
    None,  # 政策空白: the document has no answer, retraining teaches nothing
    ("科技特派员研发支持：每名科技特派员不低于10万元", "依据：威政办发〔2018〕32号 二（十二）"),
]


def _model_id(model: Path = MODEL) -> str:
    with tarfile.open(model) as archive:
        member = archive.extractfile("metadata.json")
        assert member is not None
        return json.load(member)["model_id"]


def _scores(stack: Stack) -> dict[str, int]:
    return {
        path.stem: sum(r.passed for r in run_all(stack.url, path)) for path in sorted(HELD_OUT.glob("heldout*.yml"))
    }


def test_an_analyst_marks_five_questions_exports_and_the_retrained_bot_answers_them(
    browser: object,  # noqa: F811  the fixture imported above, used by name
    tmp_path: Path,
) -> None:
    # A stack of its own: its log holds these five questions only, and the export reads just them.
    (tmp_path / "live").mkdir()
    with running_stack(tmp_path / "live") as stack:
        before = [stack.texts(f"visitor-{uuid.uuid4().hex[:8]}", text) for text, *_ in MARKS]
        assert not any(RETRAINED[i][0] in before[i] for i in (0, 1))  # misread today: no such answer
        engine = engine_for(stack.app_db_url)
        with Session(engine) as session:
            logged = session.execute(select(QuestionLogRow)).scalars().all()
        assert sorted(row.text for row in logged) == sorted(text for text, *_ in MARKS)
        assert {row.model_version for row in logged} == {_model_id()}  # the model that answered, from Rasa
        analyst = create_account(stack, "analyst")

        page = _page(browser, stack)
        _log_in(page, stack, analyst, "/staff/review")
        # From yesterday: the questions were asked before midnight in China if the run crosses it.
        today = datetime.now(CHINA).date()
        page.goto(f"{stack.url}/staff/review?from={today - timedelta(days=1)}&to={today}")
        expect(page.locator(".review-item")).to_have_count(len(MARKS))
        for text, verdict, label, word, aspect, note in MARKS:
            item = page.locator(".review-item", has=page.locator("h3", has_text=text))
            assert "模型：" + _model_id()[:8] in item.locator(".facts").text_content()
            if label:
                item.locator(".kb-picker").fill(label)
            if word:
                item.locator(".alias").fill(word)
            if aspect:
                item.locator(".aspect").select_option(aspect)
            if note:
                item.locator(".note").fill(note)
            item.locator(f"button[data-verdict={verdict}]").click()
            expect(item.locator(".review-result")).to_contain_text("已标注")
        page.screenshot(path=str(_screenshot("review-queue.png")), full_page=True)

        with Session(engine) as session:
            stored = {row.question_id: row for row in session.execute(select(ReviewRow)).scalars()}
        by_text = {row.text: stored[row.id] for row in logged}
        assert [(by_text[t].verdict, by_text[t].target_id, by_text[t].aspect, by_text[t].alias) for t, *_ in MARKS] == [
            ("wrong", "xingchuang_nongke", "amount", "小站子"),
            ("wrong", "innovation_voucher", "amount", "券子"),
            ("out_of_scope", None, None, None),
            ("policy_gap", None, None, None),
            ("correct", None, None, None),
        ]
        assert {by_text[t].reviewer for t, *_ in MARKS} == {analyst}

        # the gap report on the analytics page lists the 政策空白 one
        page.goto(f"{stack.url}/staff/analytics?from={today}&to={today}")
        expect(page.locator("#gaps")).to_contain_text(MARKS[3][0])
        expect(page.locator("#gaps")).to_contain_text("农产品冷库建设补助")
        expect(page.locator("#models")).to_contain_text(_model_id()[:8])
        _no_problems(page)
        page.context.close()
        baseline = _scores(stack)
        app_db_url = stack.app_db_url

    # The loop, as the README gives it, in a copy of the checkout on that stack's database.
    copy = checkout_copy(tmp_path / "checkout")
    python = str(copy / ".venv" / "bin" / "python")
    run_in(copy, [python, "-m", "policy_kb", "load"])
    reviewed = copy / "data" / "nlu" / "reviewed.yml"
    printed = run_in(copy, [python, "-m", "bot.review", "export", "--url", app_db_url])
    assert "xingchuang_nongke（星创天地和农科驿站奖补）← “小站子”" in printed, printed
    examples = {block["intent"]: block["examples"] for block in yaml.safe_load(reviewed.read_text())["nlu"]}
    assert MARKS[2][0] in examples["out_of_scope"]
    assert '[小站子]{"entity": "measure", "value": "xingchuang_nongke"}' in examples["ask_amount"]
    assert MARKS[3][0] not in reviewed.read_text()  # a gap teaches nothing
    printed = run_in(copy, [python, "-m", "bot.review", "accept", "--all", "--url", app_db_url])
    assert "accepted xingchuang_nongke ← 小站子" in printed and "accepted innovation_voucher ← 券子" in printed
    run_in(copy, ["make", "model"])
    assert _model_id(copy / "models" / "current.tar.gz") != _model_id()

    (tmp_path / "retrained").mkdir()
    with running_stack(tmp_path / "retrained", root=copy) as retrained:
        after = [retrained.texts(f"visitor-{uuid.uuid4().hex[:8]}", text) for text, *_ in MARKS]
        scores = _scores(retrained)
    print(f"held-out conversations correct, before/after the retrain: {baseline} / {scores}")
    for i, expected in enumerate(RETRAINED):
        if expected is not None:
            assert all(part in after[i] for part in expected), (MARKS[i][0], after[i])
    assert "依据" not in after[3]  # the gap question gets no invented answer
    # Retrained on five more examples, DIET moves a borderline held-out question or two either way
    # (measured 2026-12-07: on 479 conversations the total one down; on 1,320 in ten sets one up and
    # four down, one each; on 1,836 in thirteen sets one set two down): a set falling by more than two, or
    # the total by more than one in 250 conversations, is a loss.
    assert all(scores[name] >= baseline[name] - 2 for name in baseline), (baseline, scores)
    slack = max(1, sum(baseline.values()) // 250)
    assert sum(scores.values()) >= sum(baseline.values()) - slack, (baseline, scores)
