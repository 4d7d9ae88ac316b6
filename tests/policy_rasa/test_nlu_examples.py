"""policy_rasa.nlu_examples: the texts of NLU files as users type them, annotated or not."""

from __future__ import annotations

from pathlib import Path

from policy_rasa.nlu_examples import examples_by_intent, plain


def test_markup_is_taken_out_of_both_annotation_forms() -> None:
    assert plain('[小站子]{"entity": "measure", "value": "xingchuang_nongke"}给钱不') == "小站子给钱不"
    assert plain("[创新券](measure)补给谁") == "创新券补给谁"
    assert plain("研发补助[最多]多少") == "研发补助[最多]多少"  # brackets without an entity stay


def test_examples_by_intent_reads_every_intent_block(tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.yml"
    reviewed.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_amount\n  examples: |\n'
        '    - [小站子]{"entity": "measure", "value": "xingchuang_nongke"}给钱不\n    - 券子能抵多少钱\n'
        "- synonym: rd_subsidy\n  examples: |\n    - 研发补贴\n",
        encoding="utf-8",
    )
    assert examples_by_intent([reviewed, tmp_path / "missing.yml"]) == {
        "ask_amount": {"小站子给钱不", "券子能抵多少钱"}
    }
