"""Chinese figures: parse amounts and percentages as people and documents write them.

One place for number handling, shared by the knowledge-base check (every figure in the data must be
in the official text), the NLU money normaliser and the amount arithmetic.
"""

from __future__ import annotations

import re
from decimal import Decimal

import cn2an

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_NUM_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_LEADING_UNITS = "百佰千仟万亿"

# A money figure: Arabic or Chinese numerals, an optional 万/亿/千 multiplier and a 元/块 unit.
MONEY_RE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[" + _CN_NUM_CHARS + r"]+)\s*(?P<mult>万亿|千万|百万|万|亿|千)?\s*(?P<unit>元|块钱|块)?"
)
PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|％)")


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def strip_space(text: str) -> str:
    """The official text carries page-break line feeds and half-width spaces around figures."""
    return _normalise_space(text)


def chinese_to_int(text: str) -> int | None:
    """'两百' -> 200, '一千五百' -> 1500, '十' -> 10, '三十五' -> 35, '千' -> 1000; None when not a numeral.

    cn2an (PyPI) reads the numeral, in its "normal" mode: 两, 〇, financial forms (壹仟), the colloquial
    '一千五' (1500) and digit-by-digit years ('二〇一八'). A numeral that starts with its unit ('千人规模',
    '万元') is one of that unit, as people mean it; cn2an reads that only for 十.
    """
    if not text or any(ch not in _CN_NUM_CHARS for ch in text):
        return None
    if text[0] in _LEADING_UNITS:
        text = "一" + text
    try:
        value = cn2an.cn2an(text, "normal")
    except ValueError:  # characters of numerals in no numeral's order ('五五十')
        return None
    return int(value)


def _split_match(match: re.Match[str]) -> tuple[str, str | None, str | None]:
    """'一千五百万' is matched whole as a numeral: take a trailing 万/亿 back as the multiplier."""
    num, mult, unit = match.group("num"), match.group("mult"), match.group("unit")
    if mult is None and len(num) > 1 and num[-1] in _BIG_UNITS and not num[0].isdigit():
        whole = chinese_to_int(num)
        num, mult = num[:-1], num[-1]
        if whole is not None and any(ch in _BIG_UNITS for ch in num):  # 一亿两千万 = 12000 万
            num = f"{Decimal(whole) / _BIG_UNITS[mult]:f}"
    return num, mult, unit


_MONEY_MULTIPLIERS = {"万", "亿", "百万", "千万", "万亿"}


def _is_money(num: str, mult: str | None, unit: str | None) -> bool:
    """'200万' and '3000元' are money; '一千人' and '千万别' are not."""
    if not num[0].isdigit() and num[0] in "百佰千仟万亿":
        return False
    return unit is not None or mult in _MONEY_MULTIPLIERS


# '一块' is mostly 'together' ('加一块多少', '跟旅游搭一块'), and a few '块' without a multiplier are
# pieces ('三块加起来多少钱': the three sums named before): yuan only as '…块钱'


def _together(num: str, mult: str | None, unit: str | None) -> bool:
    return unit == "块" and not mult and not num.isdigit()


def _number(text: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    value = chinese_to_int(text)
    return Decimal(value) if value is not None else None


_MULTIPLIERS = {
    None: 1,
    "千": 1000,
    "万": 10_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
    "万亿": 1_000_000_000_000,
}


def parse_money(text: str) -> int | None:
    """The first money figure in `text`, in yuan: '200万' -> 2000000, '两百万元' -> 2000000,
    '1.5亿' -> 150000000, '最高 1000 万元' -> 10000000. A bare number needs 元/块 to count as money."""
    spans = money_spans(_normalise_space(text))
    return spans[0][3] if spans else None


def find_money(text: str) -> list[tuple[str, int]]:
    """Every money figure in `text` as (surface text, yuan), in order."""
    return [(surface, yuan) for _start, _end, surface, yuan in money_spans(text)]


def money_spans(text: str) -> list[tuple[int, int, str, int]]:
    """Every money figure in `text` as (start, end, surface text, yuan), positions in `text`."""
    spans = []
    for match in MONEY_RE.finditer(text):
        num, mult, unit = _split_match(match)
        if not _is_money(num, mult, unit) or _together(num, mult, unit):
            continue
        number = _number(num)
        if number is not None:
            spans.append((match.start(), match.end(), match.group(0), int(number * _MULTIPLIERS[mult])))
    return spans


def parse_percent(text: str) -> Decimal | None:
    match = PERCENT_RE.search(text)
    return Decimal(match.group(1)) if match else None


def arabic_figures(text: str) -> list[str]:
    """Every Arabic number in `text` ('1000', '0.1', '2020'), for the figure check."""
    return re.findall(r"\d+(?:\.\d+)?", _normalise_space(text))


def format_yuan(yuan: int | Decimal) -> str:
    """Render yuan the way the document does: '1000万元', '250万元', '12.5万元', '3000元'."""
    value = Decimal(yuan)
    if value >= 100_000_000 and value % 10_000_000 == 0:
        return f"{_plain(value / 100_000_000)}亿元"
    if value >= 10_000:
        return f"{_plain(value / 10_000)}万元"
    return f"{_plain(value)}元"


def _plain(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.0001')):f}".rstrip("0").rstrip(".")
    return text or "0"
