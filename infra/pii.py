"""The patterns of personal data in a message: the one definition the cleaner (placeholders before the
NLU) and the gateway's masking (question log, tickets) both use. It lives in infra/ because the app database
(app_store, below the answer engine) masks with it."""

from __future__ import annotations

import re

# Chinese input methods often produce full-width digits and symbols. Mapping them one-to-one onto ASCII
# keeps string positions, so the patterns run on the mapped copy and the spans are cut from the original.
HALF_WIDTH = str.maketrans("０１２３４５６７８９＋－（）＠．＿", "0123456789+-()@._")

EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
# ID cards (15 digits, or 17 and a check digit that may be X) and bank cards (16-19 digits), written
# in one run or in the groups people use: 4-4-4-4(-3) for cards, 6-8-4 for ID cards.
LONG_NUMBER = re.compile(
    r"(?<![\d*])"
    r"(?:\d{14,18}[\dXx]|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?|\d{6}[ -]\d{8}[ -]\d{3}[\dXx])"
    r"(?![\d*])",
    re.ASCII,
)
MOBILE = re.compile(r"(?<![\d*+])(\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d*])", re.ASCII)
LANDLINE = re.compile(r"(?<![\d*])(\(0\d{2,3}\)|0\d{2,3})([ -]?)(\d{7,8})(?![\d*])", re.ASCII)

# What app_store.privacy.mask makes of each: the gateway masks a message before Rasa sees it, so the
# cleaner meets these forms ('138****5678', '370************234', '0631-*****34', 'z***@example.com')
# and gives them the same placeholders as the values themselves.
MASKED_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]\*{3}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MASKED_LONG_NUMBER = re.compile(r"(?<![\d*])\d{3,4}\*{6,}\d{3,4}[Xx]?(?![\d*])", re.ASCII)
MASKED_MOBILE = re.compile(r"(?<![\d*+])(?:\+?86[ -]?)?1[3-9]\d\*{4}\d{4}(?![\d*])", re.ASCII)
MASKED_LANDLINE = re.compile(r"(?<![\d*])(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\*{5,6}\d{2}(?![\d*])", re.ASCII)

# In the order they must be tried: an e-mail's local part may look like a phone number, and a card
# number must never be cut into a phone number and a rest.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", EMAIL),
    ("email", MASKED_EMAIL),
    ("long_number", LONG_NUMBER),
    ("long_number", MASKED_LONG_NUMBER),
    ("mobile", MOBILE),
    ("mobile", MASKED_MOBILE),
    ("landline", LANDLINE),
    ("landline", MASKED_LANDLINE),
)
