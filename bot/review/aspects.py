"""What a reviewer can say about a question: the choices the page, the API and the export share."""

from __future__ import annotations

# What a reviewer says a question asked about: the NLU intent it trains, and its Chinese name.
ASPECTS: dict[str, tuple[str, str]] = {
    "info": ("ask_measure_info", "措施内容"),
    "amount": ("ask_amount", "补助多少"),
    "eligibility": ("ask_eligibility", "谁能申请"),
    "conditions": ("ask_conditions", "申请条件"),
    "cost_share": ("ask_cost_share", "分担比例"),
    "lead_unit": ("ask_lead_unit", "牵头单位"),
    "apply": ("ask_how_to_apply", "如何申报"),
}
VERDICT_NAMES = {"correct": "答对了", "wrong": "答错了", "out_of_scope": "不在文件范围", "policy_gap": "政策空白"}
