"""继续教育学时证明 (附件2 item 6): CED001, CED002.

One 年度学时登记卡 per year of `cont_edu_years`.  A completed year (before
the cutoff's year) needs `cont_edu_min_hours`; the cutoff's own year is not
over at the cutoff, so its card is judged on what it shows and the report
says so (GEN012, info) instead of failing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract.orgs import org_after
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import first_year, fuzzy_pattern, norm, squash

MATERIAL = "cont_edu"
CODES = ("CED001", "CED002")

_YEAR = [re.compile(r"[(]?(20\d\d)年度"), re.compile(r"年度[::]?(20\d\d)"), re.compile(r"(20\d\d)年")]
_HOURS = re.compile(r"^[::为]?(\d{1,3})(?![\d.])")
_HOURS_UNIT = re.compile(r"^[::为]?(\d{1,3})(?!\d)(?:学|时)")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "cont_edu")


def card_year(text: str) -> int | None:
    return first_year(text, _YEAR)


def hours_after(text: str, labels: list[str], unit: bool = False) -> list[int]:
    """Numbers of hours written right after a label (followed by 学时 when `unit`)."""
    t = squash(text)
    out: list[int] = []
    for label in labels:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            h = (_HOURS_UNIT if unit else _HOURS).match(t[m.end(): m.end() + 8])
            if h:
                out.append(int(h.group(1)))
    return out


_ROW = re.compile(r"(公需科目|专业科目).*\s(\d{1,3})\s*$")


def row_hours(text: str) -> tuple[int, int]:
    """(公需, 专业) summed over the course rows: the last number of each row line."""
    pub = spec = 0
    for line in text.splitlines():
        sq = squash(line)
        if "合计" in sq or "累计" in sq:
            continue
        m = _ROW.search(norm(line))
        if m:
            if m.group(1) == "公需科目":
                pub += int(m.group(2))
            else:
                spec += int(m.group(2))
    return pub, spec


def parse_hours(text: str) -> dict[str, Any]:
    """Public, specialised and total hours, cross-checked; `reliable` when they agree."""
    tab = table()
    totals = hours_after(text, tab["total_labels"])
    pubs = hours_after(text, tab["public_labels"], unit=True)
    specs = hours_after(text, tab["special_labels"], unit=True)
    rp, rs = row_hours(text)
    pub = max(pubs) if pubs else (rp or None)
    spec = max(specs) if specs else (rs or None)
    total = None
    reliable = False
    if pub is not None and spec is not None and pub + spec in totals:
        total, reliable = pub + spec, True
    elif totals:
        total = max(totals)
        reliable = totals.count(total) >= 2
    elif pub is not None and spec is not None:
        total = pub + spec
    if total is not None and rp + rs == total:
        reliable = True
    return {"public_hours": pub, "special_hours": spec, "total_hours": total, "reliable": reliable}


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = item.text
    return {"year": card_year(text), **parse_hours(text)}


def profile_hints(items: list[Item], ctx: Context) -> dict[str, Fact]:
    """The 工作单位 printed on a 学时登记卡 (a weaker hint than the labour contract)."""
    for it in items:
        emp = org_after(it.text, ["工作单位"])
        if emp:
            return {"employer": page_fact(emp, it.pages[0]).weakened(0.9)}
    return {}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = [int(y) for y in ctx.catalogue.rule("cont_edu_years")]
    need = float(ctx.catalogue.rule("cont_edu_min_hours"))
    cut = ctx.catalogue.cutoff
    by_year: dict[int, list[Item]] = {}
    for it in items:
        y = it.facts.get("year")
        if y is None:
            yield finding("GEN012", "无法确认这张继续教育学时登记卡的年度（未识别出“XXXX年度”）",
                          material=MATERIAL, evidence=it.id, at=it.pages[0], severity="info")
            continue
        by_year.setdefault(int(y), []).append(it)
    span = f"{years[0]}–{years[-1]}" if years else ""
    for y in years:
        if y not in by_year:
            yield finding("CED001", f"缺少 {y} 年度继续教育学时登记卡（须按年度上传 {span} 各年度学时证明）", year=y)
            continue
        cards = by_year[y]
        best = max(cards, key=lambda i: i.facts.get("total_hours") or -1)
        total = best.facts.get("total_hours")
        page = best.pages[0]
        if total is None:
            yield finding("GEN012", f"无法确认 {y} 年度学时登记卡上的学时数，是否达到 {need:g} 学时未核对",
                          material=MATERIAL, evidence=best.id, at=page, severity="info", year=y)
            continue
        detail = f"（公需科目 {best.facts.get('public_hours')} 学时，专业科目 {best.facts.get('special_hours')} 学时）" \
            if best.facts.get("public_hours") is not None and best.facts.get("special_hours") is not None else ""
        if y < cut.year:
            if total < need:
                yield finding("CED002", f"{y} 年度继续教育学时为 {total} 学时{detail}，不足每年 {need:g} 学时",
                              evidence=best.id, at=page, year=y, hours=total, required=need)
            elif not best.facts.get("reliable"):
                yield finding("GEN012", f"{y} 年度学时识别为 {total} 学时，但合计与分项未能相互印证，请人工核对",
                              material=MATERIAL, evidence=best.id, at=page, severity="info", year=y)
        elif y == cut.year:
            state = "已达到" if total >= need else "尚未达到"
            yield finding("GEN012", f"{y} 年度尚未结束：学时卡显示截至导出时已登记 {total} 学时{detail}，"
                                    f"{state}全年 {need:g} 学时；按截止日 {cut.isoformat()} 前的登记情况核对，不作为缺学时处理",
                          material=MATERIAL, evidence=best.id, at=page, severity="info", year=y, hours=total)
