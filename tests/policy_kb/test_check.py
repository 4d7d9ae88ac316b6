"""`python -m policy_kb check`: the real file passes; a copy with ONE figure or quote changed fails
and the failure names the field an editor has to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy_kb.helpers import DATA_FILE, SHARED_SOURCE, SOURCE_FILE, copy_data, replace_once, run_main

# (test id, text in the YAML, its replacement, what the failure must name)
MUTATIONS = [
    (
        "rd_subsidy cap 1000万 -> 1200万",
        "value_yuan: 10000000\n",
        "value_yuan: 12000000\n",
        "measures[rd_subsidy].amount.value_yuan",
    ),
    (
        "innovative_county_award 500万 -> 600万 in its quote",
        "quote: 对创建为国家创新型县（市）的区市，市级给予 500 万元奖励",
        "quote: 对创建为国家创新型县（市）的区市，市级给予 600 万元奖励",
        "measures[innovative_county_award].quote",
    ),
    (
        "innovative_county_award 500万 -> 600万 in its amount quote",
        "quote: 市级给予 500 万元奖励",
        "quote: 市级给予 600 万元奖励",
        "measures[innovative_county_award].amount",
    ),
    (
        "share 市级 25 -> 30 (shares no longer add up)",
        "{level: city, percent: 25, quote: 市级 25%}",
        "{level: city, percent: 30, quote: 市级 25%}",
        "measures[rd_subsidy].cost_shares.default",
    ),
    (
        "share 市级 25 -> 30, 县级 25 -> 20 (still 100, contradicts the quotes)",
        "{level: city, percent: 25, quote: 市级 25%}\n        - {level: county, percent: 25, quote: 县级 25%}",
        "{level: city, percent: 30, quote: 市级 25%}\n        - {level: county, percent: 20, quote: 县级 25%}",
        "measures[rd_subsidy].cost_shares.default[city].percent",
    ),
    (
        "荣成市 exception 50 -> 40, province 50 -> 60",
        "- {level: province, percent: 50, quote: 省级 50%}\n"
        "            - {level: county, percent: 50, quote: 荣成市按 50%}",
        "- {level: province, percent: 60, quote: 省级 50%}\n"
        "            - {level: county, percent: 40, quote: 荣成市按 50%}",
        "measures[rd_subsidy].cost_shares.exceptions[rongcheng][county].percent",
    ),
    (
        "fund_allocation limit 20% -> 30%",
        "percent: 20\n        of: 县级财政科技专项资金",
        "percent: 30\n        of: 县级财政科技专项资金",
        "measures[fund_allocation].limits.percent",
    ),
    (
        "tech_commissioner floor 10万 -> 20万",
        "value_yuan: 100000\n",
        "value_yuan: 200000\n",
        "measures[tech_commissioner].amount.value_yuan",
    ),
    ("target 技术交易额 35亿 -> 36亿 in value", "value: 3500000000", "value: 3600000000", "targets[tech_trade].value"),
    (
        "target 省级以上创新平台 330 -> 340 in value",
        "value: 330,",
        "value: 340,",
        "targets[provincial_platforms].value",
    ),
    (
        "consultation meetings once a year -> twice",
        "per_year_min: 1\n",
        "per_year_min: 2\n",
        "measures[consultation_meeting].frequency.per_year_min",
    ),
    (
        "clause text: a word changed",
        "（十四）深化科技创新体制机制改革。",
        "（十四）推进科技创新体制机制改革。",
        "clauses[二（十四）].text",
    ),
    (
        "clause text: a figure changed",
        "省级以上创新平台达到 330 个，其中",
        "省级以上创新平台达到 340 个，其中",
        "clauses[一（三）].text",
    ),
    (
        "quote replaced by a sentence the document does not contain",
        "quote: 探索开展科技保险，鼓励保险公司结合科技企业需求，加大保险产品和服务的创新力度。",
        "quote: 对购买科技保险的企业给予保费补贴。",
        "measures[tech_insurance].quote",
    ),
    (
        "unknown clause reference",
        "clause: 二（六）\n    beneficiaries: [enterprise]\n    support: 实施企业研究开发财政补助政策",
        "clause: 二（十五）\n    beneficiaries: [enterprise]\n    support: 实施企业研究开发财政补助政策",
        "measures[rd_subsidy].clause",
    ),
    (
        "unknown clause reference of a target",
        "clause: 二（八）, scope: 全市, kind: level, value: 1000, unit: 名",
        "clause: 二（十八）, scope: 全市, kind: level, value: 1000, unit: 名",
        "targets[tech_brokers].clause",
    ),
    (
        "a figure not in the document inserted into free-text support (Arabic)",
        "support: 对在县域开展公共创新服务的机构，根据服务类型和收入给予一定比例的奖补",
        "support: 对在县域开展公共创新服务的机构，根据服务类型和收入给予一定比例的奖补，最高 2000 万元",
        "measures[innovation_voucher].support",
    ),
    (
        "a figure not in the document inserted into free-text support (Chinese numerals)",
        "support: 对在县域开展公共创新服务的机构，根据服务类型和收入给予一定比例的奖补",
        "support: 对在县域开展公共创新服务的机构，根据服务类型和收入给予一定比例的奖补，最高两千万元",
        "measures[innovation_voucher].support",
    ),
    (
        "a money figure not in the document inserted into a silent_on note",
        "silent_on: [奖补比例, 企业领用创新券的办法]",
        "silent_on: [奖补比例（一般为 30 万元）, 企业领用创新券的办法]",
        "measures[innovation_voucher].silent_on",
    ),
]


def test_the_real_file_passes(cli):
    result = cli("check", str(DATA_FILE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK ")
    assert "威政办发〔2018〕32号" in result.stdout and "21 clauses" in result.stdout
    assert "FAIL" not in result.stdout + result.stderr


def test_the_default_file_passes(cli):
    result = cli("check")
    assert result.returncode == 0, result.stderr


def test_the_bundled_text_is_the_official_text():
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} is not on this machine")
    assert SOURCE_FILE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_an_untouched_copy_passes(capsys, tmp_path: Path):
    code, out, err = run_main(capsys, "check", str(copy_data(tmp_path)))
    assert code == 0, err
    assert out.startswith("OK ")


@pytest.mark.parametrize(("old", "new", "field"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_one_changed_figure_fails_and_names_the_field(capsys, tmp_path: Path, old: str, new: str, field: str):
    copy = copy_data(tmp_path)
    replace_once(copy, old, new)
    code, out, err = run_main(capsys, "check", str(copy))
    assert code != 0, f"the check accepted the change {old!r} -> {new!r}"
    failures = [line for line in err.splitlines() if line.startswith("FAIL ")]
    assert failures, err
    assert any(field in line for line in failures), "\n".join(failures)
    assert not out.startswith("OK")


def test_a_changed_figure_fails_as_a_process(cli, tmp_path: Path):
    """The exit status an operator's script sees (the cases above run the same main() in-process)."""
    copy = copy_data(tmp_path)
    replace_once(copy, "value_yuan: 10000000\n", "value_yuan: 12000000\n")
    result = cli("check", str(copy))
    assert result.returncode == 1
    expected = "FAIL measures[rd_subsidy].amount.value_yuan: 12000000 but the quote states 10000000"
    assert expected in result.stderr


def test_a_missing_source_text_fails(capsys, tmp_path: Path):
    copy = copy_data(tmp_path)
    (tmp_path / SOURCE_FILE.name).unlink()
    code, _, err = run_main(capsys, "check", str(copy))
    assert code != 0
    assert "document.source" in err


def test_a_changed_source_text_fails(capsys, tmp_path: Path):
    """The check is against the text, so an edited text (1000 万元 -> 2000 万元) fails too."""
    copy = copy_data(tmp_path)
    source = tmp_path / SOURCE_FILE.name
    text = source.read_text(encoding="utf-8")
    assert text.count("最高 1000 万元补助") == 1
    source.write_text(text.replace("最高 1000 万元补助", "最高 2000 万元补助"), encoding="utf-8")
    code, _, err = run_main(capsys, "check", str(copy))
    assert code != 0
    assert "measures[rd_subsidy].quote" in err
    assert "clauses[二（六）].text" in err
