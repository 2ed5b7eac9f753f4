"""工作经历 (附件2 item 5): 劳动合同 or a unit's 在职（工作）证明 as evidence of engineering work.

No finding codes of its own: item 5 is met by the 基本养老保险参保缴费证明
(checked in pension.py) or a labour contract.  The parties and term are facts,
read by label whatever the template's field order (用人单位 / 甲方 / 单位名称 on
a contract; on a letter the unit that signs it, next to its seal and date).
The employer is offered to the engine as a profile hint, with its provenance,
so that pension.py can compare the paying unit with it (PEN003).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table
from zjcheck.evidence import Fact
from zjcheck.extract import Text, find_dates, fuzzy_pattern, plausible_name, squash, value_after
from zjcheck.extract.orgs import org_value_pattern, signing_org
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context

MATERIAL = "employment"
CODES: tuple[str, ...] = ()

_NAME = re.compile(r"^(?:[(〈<《][^)）>〉》]{0,8}[)）>〉》])?[::]?([\u4e00-\u9fff]{2,4}?)(?=性别|居民|身份|户籍|签订|联系|$|[^\u4e00-\u9fff]|乙方|甲方|同志)")
_SINCE = re.compile(r"自(\d{4}年\d{1,2}月(?:\d{1,2}日)?)(?:起|至今|开始)")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "employment")


def person_after(text: str, labels: list[str]) -> str | None:
    """The person named right after a label (乙方（劳动者）：周建华, 姓名 陈思远, 兹证明王丽娟同志)."""
    t = squash(text)
    for label in labels:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            n = _NAME.match(t[m.end(): m.end() + 12])
            if n and plausible_name(n.group(1)):
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
    if start is None:                       # a letter: 自2003年8月起在我公司工作
        m = _SINCE.search(t)
        if m:
            ds = find_dates(m.group(1))
            start = ds[0].value if ds and ds[0].value else None
    return start, end, open_ended


def employer_fact(item: Item) -> Fact | None:
    """The employer: after its label on a contract (甲方（用人单位）, 单位名称 …), else
    the unit that signs a letter (the organisation by the seal and the date)."""
    text = Text.of(*item.pages)
    f = value_after(text, table()["employer_labels"], pattern=org_value_pattern(), window=60)
    if f is not None:
        return f
    return signing_org(text)


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
    kind = item.pages[0].parts[0] if item.pages and item.pages[0].parts else "labour_contract"
    return {
        "kind": kind,
        "employer": employer_fact(item),
        "employee": person_after(text, table()["employee_labels"]),
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "open_ended": open_ended,
        "signed": signed.isoformat() if signed else None,
    }


def profile_hints(items: list[Item], ctx: Context) -> dict[str, Fact]:
    """The employer named on the labour contract (用人单位) or the unit's 在职证明."""
    found = [f for it in items if (f := it.fact("employer")) is not None]
    if not found:
        return {}
    return {"employer": max(found, key=lambda f: (f.strong, f.confidence))}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    return iter(())
