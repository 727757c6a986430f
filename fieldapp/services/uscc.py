"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), entity category (1), administrative
division (6), organisation code (9, itself carrying a GB 11714 check
character) and a check character over the first 17. The alphabet has 31
characters: digits and capitals without I, O, S, V, Z.
"""

from __future__ import annotations

import re

from fieldapp.i18n import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=False))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def normalise(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()


def problem(code: str) -> str | None:
    """Which rule ``code`` (normalised) breaks, as a message for the user; None if valid."""
    if len(code) != 18:
        return _("统一社会信用代码应为 18 位，当前为 %(n)d 位。", n=len(code))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return _(
            "统一社会信用代码含有不允许的字符：%(chars)s（只能使用数字和除 I、O、S、V、Z 以外的大写字母）。",
            chars=_("、").join(bad),
        )
    if not code[2:8].isdigit():
        return _("统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）。")
    expected = check_character(code[:17])
    if code[17] != expected:
        return _("统一社会信用代码校验位不正确（第 18 位应为 %(expected)s），请核对是否输错。", expected=expected)
    return None


def is_valid(code: str) -> bool:
    return problem(normalise(code)) is None


def make(authority: str, category: str, division: str, org_body: str) -> str:
    """Assemble a valid code from its parts (used by demo data and tests)."""
    org = org_body + org_code_check(org_body)
    first17 = authority + category + division + org
    return first17 + check_character(first17)
