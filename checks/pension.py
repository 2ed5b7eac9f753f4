"""基本养老保险参保缴费证明 (附件2 items 4, 5): PEN001–PEN003.

Covered months are read from the table rows: single-month rows (费款所属期
202307, 2023-07, 2023年07月) or period rows (2023.07-2024.06).  Rows marked
欠费/未缴 … do not count, and lines that state the certificate's own
period (证明期间 …) are not rows.  The months required are the last
`pension_years` × 12 calendar months before the cutoff month.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import find_dates, fuzzy_pattern, norm, squash
from zjcheck.extract.orgs import same_org
from zjcheck.materials import material_name

MATERIAL = "pension"
CODES = ("PEN001", "PEN002", "PEN003")

YM = tuple[int, int]

_MONTH = r"(20[0-4]\d|19[5-9]\d)\s?(?:[-./年]\s?)?(0[1-9]|1[0-2]|[1-9](?=\s?月))\s?月?"
_RANGE = re.compile(rf"(?<!\d){_MONTH}\s*(?:至|到|~|～|-|—|–)\s*{_MONTH}(?![\d])")
_SINGLE = re.compile(rf"(?<![\d.\-/]){_MONTH}(?![\d]|\s?[-./]\s?\d)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a 6-character 费款所属期 with the first two characters misread (s02601, z02511, 2O2404)
_OCR_MONTH = re.compile(r"(?<![0-9a-z])([2zs])([0o])([0-4][0-9])(0[1-9]|1[0-2])(?![0-9])")
_AMOUNT = re.compile(r"\d{3,6}\.\d{2}")
_FULL_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d\s?(?:年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|([-./])\s?\d{1,2}\s?\1\s?\d{1,2}(?!\d))")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "pension")


def month_range(a: YM, b: YM) -> list[YM]:
    out: list[YM] = []
    y, m = a
    while (y, m) <= b and len(out) < 1200:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def shift(ym: YM, n: int) -> YM:
    k = ym[0] * 12 + ym[1] - 1 + n
    return k // 12, k % 12 + 1


def fmt(ym: YM) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


def covered_months(text: str) -> tuple[set[YM], set[YM]]:
    """(paid months, months marked unpaid) read from the table rows."""
    paid, unpaid, _ = read_rows(text)
    return paid, unpaid


def read_rows(text: str) -> tuple[set[YM], set[YM], int]:
    """(paid months, months marked unpaid, detail rows whose month could not be read)."""
    tab = table()
    unreadable = 0
    singles: set[YM] = set()
    ranged: set[YM] = set()
    unpaid: set[YM] = set()
    prev = ""
    for raw_line in text.splitlines():
        line = _FULL_DATE.sub(" ", norm(raw_line))
        sq = squash(raw_line)
        if not sq:
            continue
        label_line, prev = prev, sq
        if any(w in sq for w in tab["period_line_words"]):
            continue
        if not _CJK.search(sq) and any(w in label_line for w in tab["period_line_words"]):
            continue        # the value cell of a period label read as a line of its own
        is_unpaid = any(w in sq for w in tab["unpaid_words"])
        taken: list[tuple[int, int]] = []
        for m in _RANGE.finditer(line):
            a, b = (int(m.group(1)), int(m.group(2))), (int(m.group(3)), int(m.group(4)))
            if a <= b:
                (unpaid if is_unpaid else ranged).update(month_range(a, b))
                taken.append(m.span())
        found = bool(taken)
        for m in _SINGLE.finditer(line):
            if any(s <= m.start() < e for s, e in taken):
                continue
            ym = (int(m.group(1)), int(m.group(2)))
            (unpaid if is_unpaid else singles).add(ym)
            found = True
        if not found:
            for m in _OCR_MONTH.finditer(line):
                ym = (int("20" + m.group(3)), int(m.group(4)))
                (unpaid if is_unpaid else singles).add(ym)
                found = True
        if not found and _AMOUNT.search(line):
            unreadable += 1      # a row with amounts but no readable month
    # period rows only count when the proof has no month-by-month rows
    paid = singles if len(singles) >= 3 else singles | ranged
    return paid - unpaid, unpaid, unreadable


def _label_value(text: str, labels: list[str], window: int = 40) -> str | None:
    t = squash(text)
    for label in labels:
        m = re.search(fuzzy_pattern(squash(label)), t)
        if m:
            return t[m.end(): m.end() + window].lstrip(":：")
    return None


def _org(chunk: str | None) -> str | None:
    if not chunk:
        return None
    suffixes = "|".join(re.escape(s) for s in table()["unit_suffixes"])
    m = re.match(rf"[^\u4e00-\u9fff]{{0,3}}([\u4e00-\u9fff()]{{2,40}}?(?:{suffixes}))", chunk)
    return m.group(1) if m else None


def row_units(text: str) -> dict[str, int]:
    """Organisation names in the detail rows with how many rows name them."""
    suffixes = "|".join(re.escape(s) for s in table()["unit_suffixes"])
    rx = re.compile(rf"([\u4e00-\u9fff()]{{4,40}}?(?:{suffixes}))")
    counts: dict[str, int] = {}
    for raw_line in text.splitlines():
        sq = squash(raw_line)
        if not _SINGLE.search(norm(raw_line)) and not _RANGE.search(norm(raw_line)):
            continue
        for m in rx.finditer(sq):
            name = re.sub(r"^.*?(?:养老保险|基本养老|已缴费|缴费)", "", m.group(1))
            if len(name) >= 6 and not any(w in name for w in table()["agency_words"]):
                counts[name] = counts.get(name, 0) + 1
    return counts


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = item.text
    paid, unpaid, unreadable = read_rows(text)
    unit = _org(_label_value(text, table()["unit_labels"]))
    printed = None
    chunk = _label_value(text, table()["printed_labels"], 20)
    if chunk:
        ds = [d.value for d in find_dates(chunk) if d.value]
        printed = ds[0] if ds else None
    total = None
    chunk = _label_value(text, table()["total_labels"], 12)
    if chunk:
        m = re.match(r"(\d{1,3})", chunk)
        total = int(m.group(1)) if m else None
    return {
        "unit": unit,
        "row_units": row_units(text),
        "months": [fmt(m) for m in sorted(paid)],
        "months_count": len(paid),
        "unpaid_months": [fmt(m) for m in sorted(unpaid)],
        "unreadable_rows": unreadable,
        "printed": printed.isoformat() if printed else None,
        "total_months": total,
    }


def required_months(ctx: Context) -> list[YM]:
    years = int(ctx.catalogue.rule("pension_years"))
    cut = ctx.catalogue.cutoff
    end = shift((cut.year, cut.month), -1)
    return month_range(shift(end, -(years * 12 - 1)), end)


def _compress(months: list[YM]) -> str:
    """2024-03, 2024-05 – 2024-08 style list of months."""
    runs: list[tuple[YM, YM]] = []
    for ym in sorted(months):
        if runs and shift(runs[-1][1], 1) == ym:
            runs[-1] = (runs[-1][0], ym)
        else:
            runs.append((ym, ym))
    return "、".join(fmt(a) if a == b else f"{fmt(a)} 至 {fmt(b)}" for a, b in runs)


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = int(ctx.catalogue.rule("pension_years"))
    if not items:
        yield finding("PEN001", f"未找到近 {years} 年《基本养老保险参保缴费证明》")
        return
    paid = {(int(s[:4]), int(s[5:7])) for it in items for s in it.facts.get("months", [])}
    item = items[0]
    first = item.pages[0]
    need = required_months(ctx)
    if not paid:
        yield finding("GEN012", f"无法确认养老保险缴费月份：缴费证明中未识别出缴费明细，近 {years} 年是否连续缴费未核对",
                      material=MATERIAL, evidence=item.id, at=first, severity="info")
    else:
        missing = [m for m in need if m not in paid]
        printed_s = next((it.facts.get("printed") for it in items if it.facts.get("printed")), None)
        grace = int(table()["recent_grace_months"])
        if printed_s and missing:
            pd = date.fromisoformat(printed_s)
            not_yet = [m for m in missing if m >= (pd.year, pd.month) and m >= shift(need[-1], -(grace - 1))]
            missing = [m for m in missing if m not in not_yet]
        # an isolated month between two paid ones, while some detail rows could not be
        # read, is more likely an OCR loss than a gap: say it cannot be confirmed
        unreadable = sum(int(it.facts.get("unreadable_rows") or 0) for it in items)
        isolated = [m for m in missing if shift(m, -1) in paid and shift(m, 1) in paid]
        if unreadable and isolated:
            doubtful = isolated[:unreadable]
            missing = [m for m in missing if m not in doubtful]
            yield finding("GEN012", f"无法确认 {_compress(doubtful)} 的养老保险缴费：证明上有 {unreadable} 行缴费明细的月份未能识别，请人工核对",
                          material=MATERIAL, evidence=item.id, at=first, severity="info",
                          months=[fmt(m) for m in doubtful])
        if missing:
            unpaid = {(int(s[:4]), int(s[5:7])) for it in items for s in it.facts.get("unpaid_months", [])}
            marked = [m for m in missing if m in unpaid]
            note = f"（其中 {_compress(marked)} 标为欠费/未缴）" if marked else ""
            yield finding("PEN002",
                          f"缴费证明未覆盖近 {years} 年（{fmt(need[0])} 至 {fmt(need[-1])}）全部月份："
                          f"缺 {len(missing)} 个月：{_compress(missing)}{note}",
                          evidence=item.id, at=first, missing=[fmt(m) for m in missing],
                          required_from=fmt(need[0]), required_to=fmt(need[-1]))

    employer = ctx.profile.employer
    src = ctx.profile.sources.get("employer")
    where = (material_name(ctx.profile.inferred_from["employer"]) if src == "inferred" else "申报人信息")
    units = paying_units(items)
    if not units:
        yield finding("GEN012", "无法确认养老保险缴费单位（证明上的单位名称未能识别），缴费单位与工作单位是否一致未核对",
                      material=MATERIAL, evidence=item.id, at=first, severity="info")
        return
    if not employer:
        yield finding("GEN012", "无法确认申报人的工作单位（申报人信息和劳动合同中均未找到），缴费单位是否一致未核对",
                      material=MATERIAL, evidence=item.id, at=first, severity="info")
        return
    others = [u for u in units if not same_org(u, employer)]
    if others:
        yield finding("PEN003", f"养老保险缴费单位“{'、'.join(others)}”与{where}中的工作单位“{employer}”不一致",
                      evidence=item.id, at=first, units=others, employer=employer)


def paying_units(items: list[Item]) -> list[str]:
    """The units the proof shows as paying, OCR variants merged.

    Row units (the 缴费单位 column) are the stronger evidence: a name read in
    two or more rows counts, rarer readings merge into a similar frequent one.
    The header's 单位名称 counts unless it is a garbled reading of a row unit.
    """
    counts: dict[str, int] = {}
    for it in items:
        for name, n in (it.facts.get("row_units") or {}).items():
            counts[name] = counts.get(name, 0) + n
    merged: dict[str, int] = {}
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        home = next((m for m in merged if same_org(name, m)), None)
        if home:
            merged[home] += n
        else:
            merged[name] = n
    units = [u for u, n in merged.items() if n >= 2]
    for it in items:
        head = it.facts.get("unit")
        if head and not any(SequenceMatcher(None, squash(head), squash(u)).ratio() >= 0.6 for u in units):
            units.append(head)
    return units
