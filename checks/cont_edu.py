"""继续教育学时证明 (附件2 item 6): CED001, CED002.

One 年度学时证明 per year of `cont_edu_years`: the 学时登记卡 of the provincial
system, a platform's 学时证明 (学习档案), a page of the 继续教育证书 booklet.
A completed year (before the cutoff's year) needs `cont_edu_min_hours`; the
cutoff's own year is not over at the cutoff, so its card is judged on what it
shows and the report says so (GEN012, info) instead of failing it.

The year's hours are what the document states: a total after its label
(累计登记继续教育学时 96 学时, 共获得…学时, 合计 94 学时) or the number that ends
a 合计 row.  The 公需 + 专业 hours and the course rows are cross-checks: they
confirm a total, they never replace one that was read (a row OCR missed would
make 67 of 96).  CED002 rests on a total surely read, and never when another
reading of the same card reaches the requirement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, unassigned_could_be
from zjcheck.codes import finding
from zjcheck.evidence import Fact, derived, page_fact, strong
from zjcheck.extract import Text, first_year, fuzzy_pattern, squash
from zjcheck.extract.orgs import org_after
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

MATERIAL = "cont_edu"
CODES = ("CED001", "CED002", "GEN012")

_YEAR = [re.compile(r"[(]?(20\d\d)年度"), re.compile(r"年度[::]?(20\d\d)"), re.compile(r"(20\d\d)年")]
_AFTER = re.compile(r"[::为是]?(\d{1,3}(?:\.\d)?)(?![\d.])")
_AFTER_UNIT = re.compile(r"[::为是]?(\d{1,3}(?:\.\d)?)(?![\d.])(?:学时|小时|个学时)")
_LAST_NUMBER = re.compile(r"(?<![\d.\-/])(\d{1,3}(?:\.\d)?)(?![\d.\-/])\D*$")
_ROW_HOURS = re.compile(r"(?<![\d.\-/])(\d{1,3}(?:\.\d)?)\s*(?:学时|小时)?\s*(?:合格|通过|已完成|完成|已学完)?\s*$")
_DATEISH = re.compile(r"(?:19|20)\d\d\s?[-./年]")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "cont_edu")


def card_year(text: str) -> int | None:
    return first_year(text, _YEAR)


def _num(s: str) -> float:
    v = float(s)
    return int(v) if v == int(v) else v


Reading = tuple[int, Fact]      # (line it was read on, the fact)


def numbers_after(text: Text, labels: list[str], unit: bool = False) -> list[Reading]:
    """Numbers of hours written right after a label (followed by 学时 when `unit`), as facts."""
    v = text.squashed
    rx = _AFTER_UNIT if unit else _AFTER
    out: list[Reading] = []
    taken: set[int] = set()
    for label in sorted(labels, key=len, reverse=True):
        for m in re.finditer(fuzzy_pattern(squash(label)), v.s):
            if m.start() in taken:
                continue
            n = rx.match(v.s, m.end())
            if n:
                taken.update(range(m.start(), m.end()))
                out.append((v.line_at(n.start(1)), text.fact(_num(n.group(1)), v, n.start(1), n.end(1))))
    return out


def total_rows(text: Text) -> list[Reading]:
    """The number that ends a 合计 / 总计 row (合计 公需科目 30 学时，专业科目 66 学时  96)."""
    out: list[Reading] = []
    v = text.normed
    for i in range(len(text.lines)):
        line = v.line(i)
        sq = squash(line)
        if not any(w in sq for w in table()["total_row_words"]):
            continue
        m = _LAST_NUMBER.search(line)
        if m:
            out.append((i, text.fact(_num(m.group(1)), v, v.starts[i] + m.start(1), v.starts[i] + m.end(1))))
    return out


def row_hours(text: Text) -> tuple[int, int, int]:
    """(公需, 专业, all) hours summed over the course rows: the number that ends each
    row (before a 合格 / 学时).  A cross-check only: OCR may lose a row."""
    pub = spec = total = 0
    tab = table()
    v = text.normed
    for i in range(len(text.lines)):
        line = v.line(i)
        sq = squash(line)
        if any(w in sq for w in (*tab["total_row_words"], "小计", "累计", "汇总", "其中")) or len(sq) < 8:
            continue
        if not (_DATEISH.search(line) or any(w in sq for w in tab["public_words"] + tab["special_words"])):
            continue
        m = _ROW_HOURS.search(line)
        if not m:
            continue
        h = int(float(m.group(1)))
        if not 0 < h <= 200:
            continue
        total += h
        if any(w in sq for w in tab["public_words"]):
            pub += h
        elif any(w in sq for w in tab["special_words"]):
            spec += h
    return pub, spec, total


@dataclass
class Hours:
    """What a card says about its year's hours."""

    total: Fact | None = None
    public: Fact | None = None
    special: Fact | None = None
    readings: list[Fact] = field(default_factory=list)   # every reading of the total
    reliable: bool = False
    conflict: Fact | None = None                         # a sure reading that disagrees with `total`


def parse_hours(text: Text, need: float = 90) -> Hours:
    """The year's total with its support: the stated totals, 公需 + 专业, the rows."""
    tab = table()
    # one reading per line and value (合计 96 is found after its label and as the row's end)
    stated = list({(i, f.value): f for i, f in numbers_after(text, tab["total_labels"]) + total_rows(text)}.values())
    pubs = [f for _, f in numbers_after(text, tab["public_labels"], unit=True)]
    specs = [f for _, f in numbers_after(text, tab["special_labels"], unit=True)]
    h = Hours()
    h.public = max(pubs, key=lambda f: (strong(f), f.confidence)) if pubs else None
    h.special = max(specs, key=lambda f: (strong(f), f.confidence)) if specs else None
    readings = list(stated)
    if h.public is not None and h.special is not None:
        s = derived(h.public.value + h.special.value, [h.public, h.special])
        if s is not None:
            readings.append(s)
    rp, rs, rows = row_hours(text)
    h.readings = readings
    if not readings and rows:
        # rows only: a row lost to OCR lowers the sum, so a low sum is no sure fact
        h.total = Fact(rows, "derived", 0.5)
        return h
    if not readings:
        return h
    votes: dict[float, list[Fact]] = {}
    for f in readings:
        votes.setdefault(f.value, []).append(f)
    if rows:
        votes.setdefault(rows, [])
    support = {v: len(fs) + (1 if rows == v else 0) for v, fs in votes.items() if fs}
    best = max(support, key=lambda v: (support[v], v))
    facts = votes[best]
    f = max(facts, key=lambda x: (strong(x), x.confidence))
    if support[best] >= 2:
        f = f.confirmed(f"{support[best]} 处读数一致")
    h.total = f
    h.reliable = support[best] >= 2
    others = [x for v, fs in votes.items() if v != best for x in fs if strong(x)]
    if best < need and others:
        h.conflict = max(others, key=lambda x: x.value)
    elif best >= need and others and not h.reliable:
        h.conflict = min(others, key=lambda x: x.value)
    return h


def employer_fact(item: Item) -> Fact | None:
    """The 工作单位 printed on the card (a weaker hint than the labour contract)."""
    emp = org_after(item.text, ["工作单位"])
    return page_fact(emp, item.pages[0]).weakened(0.9) if emp else None


@dataclass
class Card:
    """One year's card: the pages of an item that state that year (an applicant may merge
    the three years' cards into one PDF)."""

    item: Item
    pages: list[Page]
    year: int | None
    hours: Hours


def cards_of(item: Item, need: float = 90) -> list[Card]:
    """The item's cards: consecutive pages of one year (a page naming no year continues the one before)."""
    groups: list[tuple[int | None, list[Page]]] = []
    for page in item.pages:
        y = card_year(page.text)
        if groups and (y is None or y == groups[-1][0]):
            groups[-1][1].append(page)
        else:
            groups.append((y, [page]))
    return [Card(item, pages, y, parse_hours(Text.of(*pages), need)) for y, pages in groups]


def _card_json(c: Card) -> dict[str, Any]:
    h = c.hours
    return {"year": c.year, "public_hours": h.public.value if h.public else None,
            "special_hours": h.special.value if h.special else None,
            "total_hours": h.total.value if h.total else None, "reliable": h.reliable,
            "readings": sorted({f.value for f in h.readings})}


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    cards = cards_of(item, float(ctx.catalogue.rule("cont_edu_min_hours")))
    first = cards[0]
    out: dict[str, Any] = {**_card_json(first), "total_hours": first.hours.total, "employer": employer_fact(item)}
    if len(cards) > 1:
        out["cards"] = [_card_json(c) for c in cards]
    return out


def profile_hints(items: list[Item], ctx: Context) -> dict[str, Fact]:
    for it in items:
        f = it.fact("employer")
        if f is not None:
            return {"employer": f}
    return {}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = [int(y) for y in ctx.catalogue.rule("cont_edu_years")]
    need = float(ctx.catalogue.rule("cont_edu_min_hours"))
    cut = ctx.catalogue.cutoff
    by_year: dict[int, list[Card]] = {}
    unplaced: list[Page] = []
    for it in items:
        for card in cards_of(it, need):
            if card.year is None:
                unplaced.extend(card.pages)
                yield finding("GEN012", "无法确认这张继续教育学时登记卡的年度（未识别出“XXXX年度”）",
                              material=MATERIAL, evidence=it.id, at=card.pages[0], severity="info")
                continue
            by_year.setdefault(card.year, []).append(card)
    unplaced += unassigned_could_be(ctx.documents, MATERIAL)
    span = f"{years[0]}–{years[-1]}" if years else ""
    for y in years:
        if y not in by_year:
            if unplaced:        # a card whose year was not read may be this year's
                yield finding("GEN012", f"无法确认是否缺少 {y} 年度继续教育学时证明：{'、'.join(p.ref for p in unplaced[:3])} "
                                        "的年度未能识别，可能就是该年度的学时证明", material=MATERIAL, at=unplaced[0],
                              severity="info", year=y, would_be="CED001")
                continue
            yield finding("CED001", f"缺少 {y} 年度继续教育学时登记卡（须按年度上传 {span} 各年度学时证明）", year=y)
            continue
        best = max(by_year[y], key=lambda c: (c.hours.total.value if c.hours.total else -1, strong(c.hours.total)))
        h = best.hours
        page, ev = best.pages[0], best.item.id
        if h.total is None:
            yield finding("GEN012", f"无法确认 {y} 年度学时证明上的学时数，是否达到 {need:g} 学时未核对",
                          material=MATERIAL, evidence=ev, at=page, severity="info", year=y, would_be="CED002")
            continue
        total = h.total.value
        pub, spec = (h.public.value if h.public else None), (h.special.value if h.special else None)
        detail = f"（公需科目 {pub} 学时，专业科目 {spec} 学时）" if pub is not None and spec is not None else ""
        if y < cut.year:
            others = [f.value for f in h.readings if f.value != total]
            if total < need:
                if any(r >= need for r in others):
                    yield finding("GEN012", f"无法确认 {y} 年度学时：证明上读出 {total} 学时，另一处读出 "
                                            f"{max(others)} 学时，请人工核对",
                                  material=MATERIAL, evidence=ev, at=page, severity="info", year=y, would_be="CED002")
                    continue
                yield finding("CED002", f"{y} 年度继续教育学时为 {total} 学时{detail}，不足每年 {need:g} 学时",
                              evidence=ev, at=page, needs={f"{y} 年度学时合计": h.total}, year=y, hours=total,
                              required=need)
            elif not h.reliable and not strong(h.total):
                yield finding("GEN012", f"{y} 年度学时识别为 {total} 学时，但识别可信度低、合计与分项未能相互印证，请人工核对",
                              material=MATERIAL, evidence=ev, at=page, severity="info", year=y, would_be="CED002")
        elif y == cut.year:
            state = "已达到" if total >= need else "尚未达到"
            yield finding("GEN012", f"{y} 年度尚未结束：学时证明显示截至导出时已登记 {total} 学时{detail}，"
                                    f"{state}全年 {need:g} 学时；按截止日 {cut.isoformat()} 前的登记情况核对，不作为缺学时处理",
                          material=MATERIAL, evidence=ev, at=page, severity="info", year=y, hours=total)
