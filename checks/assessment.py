"""年度考核材料 (附件2 item 13): ASM001, ASM002.

One 年度考核登记表 / 员工年度考核表 per year of `assessment_years`, or a unit's
letter (年度考核情况证明) listing the years' results; the result words come
from the catalogue (`assessment_pass`, `assessment_fail`).  A result is read
after a label (考核等次：合格), from a sentence (…考核等级为“良好”), from a
ticked box (☑合格 / √合格), or from a line naming the year and the result (a
multi-year results table).  Fail words are tried first because 基本合格
contains 合格.  A hand tick over a printed box often leaves OCR with the other
options' boxes and none before the ticked one: that reading is an inference,
too weak for ASM002 on its own.  A year is "missing" (ASM001) only when no
assessment page of the package could be that year's (a page whose year was not
read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, unassigned_could_be
from zjcheck.codes import finding
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import Text, first_year, fuzzy_pattern, norm, plausible_name, squash
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

MATERIAL = "assessment"
CODES = ("ASM001", "ASM002", "GEN012")

_YEAR = [re.compile(r"(20\d\d)年度"), re.compile(r"考核年度[::]?(20\d\d)")]
_BOX = "□☐口〇○"
# how surely each way of reading a result reads it (times the page's OCR confidence)
_HOW = {"tick": 1.0, "label": 1.0, "sentence": 1.0, "row": 1.0, "alone": 0.8, "unboxed": 0.7}


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


def _options(chunk: str, words: list[str]) -> list[tuple[int, str]]:
    """Result words in a row of options, longest first, not overlapping: (position, word)."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, str]] = []
    for w in words:
        for m in re.finditer(re.escape(w), chunk):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append(m.span())
                out.append((m.start(), w))
    return sorted(out)


def _unboxed(t: str, words: list[str]) -> str | None:
    """The one option of a printed row of boxes (□优秀 □良好 □合格 …) that has no
    box left before it: the one a hand tick covered."""
    for label in table()["result_labels"]:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            chunk = t[m.end(): m.end() + 24].lstrip(":：")
            opts = _options(chunk, words)
            if len(opts) < 3:
                continue
            boxed = [w for k, w in opts if k > 0 and chunk[k - 1] in _BOX]
            bare = [w for k, w in opts if not (k > 0 and chunk[k - 1] in _BOX)]
            if len(bare) == 1 and len(boxed) >= 2:
                return bare[0]
    return None


def read_result_how(text: str, words: list[str]) -> tuple[str | None, str]:
    """(result, how it was read) of one form's text."""
    t = squash(text)
    # a ticked box: the mark right before a word; an unticked box (□) is skipped
    for mark in table()["tick_marks"]:
        for w in words:
            if squash(mark) + w in t:
                return w, "tick"
    # after a label; a row of empty boxes (□优秀□合格…) or a list of the grades
    # (考核等次分为优秀、合格…) names options, not the result.  The last one
    # wins: the unit's decision comes after the supervisor's suggestion.
    found: list[tuple[int, str, str]] = []
    for label in table()["result_labels"]:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            chunk = t[m.end(): m.end() + 14].lstrip(":：为")
            if chunk[:1] in _BOX or sum(1 for w in words if w in chunk[:10] and not any(
                    w != o and w in o and o in chunk[:10] for o in words)) >= 2:
                continue
            r = _first_result(chunk[:8], words)
            if r:
                found.append((m.start(), r, "label"))
    for m in re.finditer(r"(?:考核|评定|确定|等次|等级|结果)为[:：]?", t):
        r = _first_result(t[m.end(): m.end() + 8], words)
        if r:
            found.append((m.start(), r, "sentence"))
    if found:
        _, r, how = max(found)
        return r, how
    unboxed = _unboxed(t, words)
    if unboxed:
        return unboxed, "unboxed"
    # last resort: a result word standing alone after a colon (“…为：合格。” with the label misread)
    alone = [m.group(1) for m in re.finditer(rf"[::]({'|'.join(map(re.escape, words))})[。.]", t)]
    return (alone[-1], "alone") if alone else (None, "")


def read_result(text: str, words: list[str]) -> str | None:
    return read_result_how(text, words)[0]


def year_results(text: str, years: list[int], words: list[str]) -> dict[int, str]:
    """year -> result from lines that name both (a table of several years)."""
    return {y: f.value for y, f in _year_rows(Text.plain(text), years, words).items()}


def _year_rows(text: Text, years: list[int], words: list[str]) -> dict[int, Fact]:
    out: dict[int, Fact] = {}
    for i, line in enumerate(text.lines):
        sq = squash(line.text)
        ys = [y for y in years if str(y) in sq]
        if len(ys) == 1:
            r = _first_result(sq[sq.find(str(ys[0])):], words)
            if r:
                out[ys[0]] = text.line_fact(r, i)
    return out


def form_year(text: str) -> int | None:
    return first_year(text, _YEAR)


def item_results(item: Item, ctx: Context) -> dict[int, Fact | None]:
    """year -> the result read for it (a Fact), None where the year's result was not read."""
    fail = list(ctx.catalogue.rule("assessment_fail"))
    ok = list(ctx.catalogue.rule("assessment_pass"))
    words = result_words((fail, ok))
    years = [int(y) for y in ctx.catalogue.rule("assessment_years")]
    rows = _year_rows(Text.of(*item.pages), years, words)
    if len(rows) >= 2:          # one page listing several years' results
        return dict(rows)
    results: dict[int, Fact | None] = {}
    for page in item.pages:     # one form per page
        y = form_year(page.text)
        if y is not None and results.get(y) is None:
            results[y] = _page_result(page, words, ctx.profile.name)
    return results


def _page_result(page: Page, words: list[str], name: str | None = None) -> Fact | None:
    """The page's result; on a list of several people's results (a unit's notice),
    the one on the applicant's line, or none when it cannot be told whose it is."""
    text = Text.of(page)
    people: list[int] = []
    for i, ln in enumerate(text.lines):
        toks = ln.text.split()             # cells of a visual row (norm would join them)
        if _first_result(squash(ln.text), words) and any(plausible_name(t) for t in toks):
            people.append(i)
    if name:
        for i in people:
            if squash(name) in squash(text.lines[i].text):
                return text.line_fact(_first_result(squash(text.lines[i].text), words), i)
    if len(people) >= 2:
        return None
    r, how = read_result_how(page.text, words)
    if r is None:
        return None
    return page_fact(r, page).weakened(_HOW.get(how, 0.7))


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    results = item_results(item, ctx)
    year = form_year(item.text)
    res = results.get(year) if year is not None else None
    return {
        "year": year,
        "result": res.value if res is not None else None,
        "results": {str(y): (f.value if f is not None else None) for y, f in sorted(results.items())},
    }


def _unplaced(ctx: Context, items: list[Item]) -> list[Page]:
    """Pages that could be a year's assessment the check did not place: assessment
    pages whose year was not read, pages left unassigned whose reading scored for one."""
    out = [p for it in items if it.facts.get("year") is None and not it.facts.get("results") for p in it.pages]
    return out + unassigned_could_be(ctx.documents, MATERIAL)


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = [int(y) for y in ctx.catalogue.rule("assessment_years")]
    fail = {norm(w) for w in ctx.catalogue.rule("assessment_fail")}
    seen: dict[int, tuple[Item, Fact | None]] = {}
    for it in items:
        res = item_results(it, ctx)
        y = it.facts.get("year")
        if y is None and not res:
            yield finding("GEN012", "无法确认这份年度考核材料的考核年度（未识别出“XXXX年度”）",
                          material=MATERIAL, evidence=it.id, at=it.pages[0], severity="info")
            continue
        if y is not None and int(y) not in res:
            res[int(y)] = None
        for yy, r in res.items():
            if r is None and yy in seen:
                continue
            if yy not in seen or (seen[yy][1] is None and r is not None):
                seen[yy] = (it, r)
    span = f"{years[0]}–{years[-1]}" if years else ""
    unplaced = _unplaced(ctx, items)
    for y in years:
        if y not in seen:
            if unplaced:
                refs = "、".join(p.ref for p in unplaced[:3])
                yield finding("GEN012", f"无法确认是否缺少 {y} 年度考核材料：{refs} 的考核年度未能识别，可能就是该年度的材料",
                              material=MATERIAL, at=unplaced[0], severity="info", year=y, would_be="ASM001")
                continue
            yield finding("ASM001", f"缺少 {y} 年度考核材料（须提供近五年 {span} 年度考核材料）", year=y)
            continue
        it, r = seen[y]
        page = it.pages[0]
        if r is None:
            yield finding("GEN012", f"无法确认 {y} 年度考核结果（考核等次未能识别），请人工核对",
                          material=MATERIAL, evidence=it.id, at=page, severity="info", year=y, would_be="ASM002")
        elif norm(r.value) in fail:
            at = next((p for p in it.pages if form_year(p.text) == y), page)
            yield finding("ASM002", f"{y} 年度考核结果为“{r.value}”，低于合格（称职）等次",
                          evidence=it.id, at=at, needs={f"{y} 年度考核结果": r}, year=y, result=r.value)
