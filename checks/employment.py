"""工作经历 (附件2 item 5): 劳动合同 as evidence of engineering work.

No finding codes of its own: item 5 is met by the 基本养老保险参保缴费证明
(checked in pension.py) or a labour contract.  The parsed parties and term
are facts; the employer is offered to the engine as a profile hint, so that
pension.py can compare the paying unit with it (PEN003).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table
from zjcheck.evidence import Fact, page_fact
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import find_dates, fuzzy_pattern, squash
from zjcheck.extract.orgs import org_after

MATERIAL = "employment"
CODES: tuple[str, ...] = ()

_NAME = re.compile(r"^(?:[(〈<《][^)）>〉》]{0,8}[)）>〉》])?[::]([\u4e00-\u9fff]{2,4}?)(?=性别|居民|身份|户籍|签订|联系|$|[^\u4e00-\u9fff]|乙方|甲方)")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "employment")


def person_after(text: str, labels: list[str]) -> str | None:
    t = squash(text)
    for label in labels:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            n = _NAME.match(t[m.end(): m.end() + 12])
            if n:
                return n.group(1)
    return None


def _term(text: str) -> tuple[date | None, date | None, bool]:
    """(start, end, open-ended) of the contract term."""
    t = squash(text)
    open_ended = False
    start = end = None
    for kw in table()["open_ended"]:
        for m in re.finditer(re.escape(kw) + r"[::]?自(.{6,16}?)起", t):
            ds = [d.value for d in find_dates(m.group(1)) if d.value]
            if ds:
                return ds[0], None, True
        open_ended = open_ended or kw in t
    m = re.search(r"自(\d{4}年\d{1,2}月\d{1,2}日)起至(\d{4}年\d{1,2}月\d{1,2}日)止", t)
    if m:
        s = [d.value for d in find_dates(m.group(1)) if d.value]
        e = [d.value for d in find_dates(m.group(2)) if d.value]
        start, end = (s[0] if s else None), (e[0] if e else None)
    return start, end, open_ended


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = item.text
    start, end, open_ended = _term(text)
    signed = None
    t = squash(text)
    for label in table()["signed_labels"]:
        m = re.search(fuzzy_pattern(label), t)
        if m:
            ds = [d.value for d in find_dates(t[m.end(): m.end() + 16]) if d.value]
            if ds:
                signed = ds[0]
                break
    return {
        "employer": org_after(text, table()["employer_labels"]),
        "employee": person_after(text, table()["employee_labels"]),
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "open_ended": open_ended,
        "signed": signed.isoformat() if signed else None,
    }


def profile_hints(items: list[Item], ctx: Context) -> dict[str, Fact]:
    """The employer named on the labour contract (用人单位)."""
    for it in items:
        emp = it.facts.get("employer")
        if emp:
            return {"employer": page_fact(emp, it.pages[0])}
    return {}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    return iter(())
