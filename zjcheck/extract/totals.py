"""Totals rows: the number a 合计 / 总计 / 累计 row states (学时合计 96, 累计缴费月数 229).

A card that lists courses with their hours and a 合计 row states its own
total; summing the rows instead loses any row OCR missed.  The stated total
is the fact; the rows are a cross-check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zjcheck.evidence import Fact
from zjcheck.extract.labels import value_after
from zjcheck.extract.text import Text

TOTAL_LABELS = ("合计", "总计", "共计", "累计", "小计", "总学时", "学时合计", "总分")
_NUMBER = r"(\d{1,5}(?:\.\d{1,2})?)"


def total_after(text: Text, labels: Sequence[str] = TOTAL_LABELS, *, unit: str = "",
                stops: Sequence[str] = ()) -> Fact | None:
    """The first number printed after one of the total labels on its row
    (or below it), as a float; `unit` (学时, 个月, 分) may follow the number."""
    rx = re.compile(r"[^\d]{0,12}?" + _NUMBER + (r"\s*(?:" + re.escape(unit) + ")?" if unit else ""))
    f = value_after(text, labels, pattern=rx, stops=stops, window=40)
    if f is None:
        return None
    try:
        return Fact(float(f.value), f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)
    except ValueError:
        return None
