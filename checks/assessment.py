"""年度考核材料 (附件2 item 13): ASM001, ASM002.

One 年度考核登记表 (or a unit's certificate of results) per year of
`assessment_years`; the result words come from the catalogue
(`assessment_pass`, `assessment_fail`).  A result is read after a label
(考核等次：合格), from a ticked box (☑合格 / √合格), or from a line naming
the year and the result (a multi-year results table).  Fail words are tried
first because 基本合格 contains 合格.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import first_year, fuzzy_pattern, norm, squash

MATERIAL = "assessment"
CODES = ("ASM001", "ASM002")

_YEAR = [re.compile(r"(20\d\d)年度"), re.compile(r"考核年度[::]?(20\d\d)")]
_BOX = "□☐口〇○"


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "assessment")


def result_words(ctx_rules: tuple[list[str], list[str]]) -> list[str]:
    fail, ok = ctx_rules
    return sorted(set(fail) | set(ok), key=len, reverse=True)


def _first_result(chunk: str, words: list[str]) -> str | None:
    """The result word nearest the start of chunk; longer words win ties."""
    best: tuple[int, int, str] | None = None
    for w in words:
        k = chunk.find(w)
        if k >= 0 and (best is None or (k, -len(w)) < (best[0], best[1])):
            best = (k, -len(w), w)
    return best[2] if best else None


def read_result(text: str, words: list[str]) -> str | None:
    t = squash(text)
    # a ticked box: the mark right before a word; an unticked box (□) is skipped
    for mark in table()["tick_marks"]:
        for w in words:
            if squash(mark) + w in t:
                return w
    # after a label; a row of empty boxes (□优秀□合格…) or a list of the grades
    # (考核等次分为优秀、合格…) names options, not the result.  The last one
    # wins: the unit's decision comes after the supervisor's suggestion.
    found: list[tuple[int, str]] = []
    for label in table()["result_labels"]:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            chunk = t[m.end(): m.end() + 14].lstrip(":：为")
            if chunk[:1] in _BOX or sum(1 for w in words if w in chunk[:10] and not any(
                    w != o and w in o and o in chunk[:10] for o in words)) >= 2:
                continue
            r = _first_result(chunk[:8], words)
            if r:
                found.append((m.start(), r))
    for m in re.finditer(r"(?:考核|评定|确定)为[:：]?", t):
        r = _first_result(t[m.end(): m.end() + 8], words)
        if r:
            found.append((m.start(), r))
    if found:
        return max(found)[1]
    # last resort: a result word standing alone after a colon (“…为：合格。” with the label misread)
    alone = [m.group(1) for m in re.finditer(rf"[::]({'|'.join(map(re.escape, words))})[。.]", t)]
    return alone[-1] if alone else None


def year_results(text: str, years: list[int], words: list[str]) -> dict[int, str]:
    """year -> result from lines that name both (a table of several years)."""
    out: dict[int, str] = {}
    for line in text.splitlines():
        sq = squash(line)
        ys = [y for y in years if str(y) in sq]
        if len(ys) == 1:
            r = _first_result(sq[sq.find(str(ys[0])):], words)
            if r:
                out[ys[0]] = r
    return out


def form_year(text: str) -> int | None:
    return first_year(text, _YEAR)


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    fail = list(ctx.catalogue.rule("assessment_fail"))
    ok = list(ctx.catalogue.rule("assessment_pass"))
    words = result_words((fail, ok))
    years = [int(y) for y in ctx.catalogue.rule("assessment_years")]
    text = item.text
    results: dict[int, str | None] = {}
    table_rows = year_results(text, years, words)
    if len(table_rows) >= 2:          # one page listing several years' results
        results.update(table_rows)
    else:                             # one form per page
        for page in item.pages:
            y = form_year(page.text)
            if y is not None and results.get(y) is None:
                results[y] = read_result(page.text, words)
    year = form_year(text)
    return {
        "year": year,
        "result": results.get(year) if year is not None else None,
        "results": {str(y): r for y, r in sorted(results.items())},
    }


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = [int(y) for y in ctx.catalogue.rule("assessment_years")]
    fail = {norm(w) for w in ctx.catalogue.rule("assessment_fail")}
    seen: dict[int, tuple[Item, str | None]] = {}
    for it in items:
        res = {int(y): r for y, r in (it.facts.get("results") or {}).items()}
        y = it.facts.get("year")
        if y is None and not res:
            yield finding("GEN012", "无法确认这份年度考核材料的考核年度（未识别出“XXXX年度”）",
                          material=MATERIAL, evidence=it.id, at=it.pages[0], severity="info")
            continue
        if y is not None and int(y) not in res:
            res[int(y)] = None  # type: ignore[assignment]
        for yy, r in res.items():
            if r is None and yy in seen:
                continue
            if yy not in seen or (seen[yy][1] is None and r is not None):
                seen[yy] = (it, r)
    span = f"{years[0]}–{years[-1]}" if years else ""
    for y in years:
        if y not in seen:
            yield finding("ASM001", f"缺少 {y} 年度考核材料（须提供近五年 {span} 年度考核材料）", year=y)
            continue
        it, r = seen[y]
        page = it.pages[0]
        if r is None:
            yield finding("GEN012", f"无法确认 {y} 年度考核结果（考核等次未能识别），请人工核对",
                          material=MATERIAL, evidence=it.id, at=page, severity="info", year=y)
        elif r in fail:
            yield finding("ASM002", f"{y} 年度考核结果为“{r}”，低于合格（称职）等次",
                          evidence=it.id, at=page, year=y, result=r)
