"""量化评分表 (附件2 item 15): SCO001–SCO008.

`facts` reads the applicant's sheet (zjcheck/scoresheet/) and resolves
each row's 系统佐证目录 to the evidence items the recognisers found; the
parsed sheet is kept in ctx.shared between its hooks; gap_claims gives the engine the claims for the gap table.
`check` judges the sheet itself; `review` runs after every checker and the
cross-document checks, so it can see which cited evidence failed (SCO005)
and judge the self-score route against what the evidence supports (SCO006
for a short tenure, SCO008).

Every error rests on what was read (SPEC §7, `needs=`): a typed XLSX/DOCX
cell is sure; a number in a table rebuilt from a scan or a text layer only
once the sheet's own 合计 confirms it (zjcheck.scoresheet.model.confirm);
caps are the ones the sheet prints — the catalogue's caps are guesses (the
official points table is not public) and never make an error unless the
catalogue says they are official (`[rules] caps_official = true`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from zjcheck.codes import finding
from zjcheck.evidence import Fact, could_be_part, derived, grouping_confident
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context, GapClaims
from zjcheck.scoresheet import (EMPTY_REF, ScoreSheet, SheetRow, assess, evidence_errors, find_sheet,
                                resolve_sheet, row_support)
from zjcheck.scoresheet.model import cell_source

MATERIAL = "score_sheet"
CODES = ("SCO001", "SCO002", "SCO003", "SCO004", "SCO005", "SCO006", "SCO007", "SCO008", "GEN012")
SHARED = "score_sheet"
OCR_NOTE = "（扫描件的表格由 OCR 识别，可能识别有误，请人工核对；同时上传 Excel/Word 原件可精确核对）"


def _sheet(items: list[Item], ctx: Context) -> ScoreSheet | None:
    if SHARED not in ctx.shared:
        mine = [i for i in items if i.material == MATERIAL] or ctx.items_of(MATERIAL)
        sheet = find_sheet(mine, ctx.documents, ctx.catalogue)
        if sheet is not None and sheet.header_found:
            resolve_sheet(sheet, ctx.catalogue, ctx.items, ctx.documents)
        ctx.shared[SHARED] = sheet
    return ctx.shared[SHARED]


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    sheet = _sheet([item], ctx)
    return sheet.to_json() if sheet is not None else {"header_found": False}


def _at(f: Finding, sheet: ScoreSheet, catalogue_id: str | None) -> Finding:
    """Point a finding at the sheet file and key it to the row's catalogue item;
    on a scan, say that the table was read by OCR."""
    f.path = sheet.path
    if sheet.page is not None and f.page is None:
        f.page = sheet.page
    f.item = catalogue_id or "score_sheet"
    if f.code == "GEN012" and sheet.source == "ocr" and OCR_NOTE not in f.message:
        f.message += OCR_NOTE
    return f


def _info(message: str, sheet: ScoreSheet, catalogue_id: str | None = None, **data: Any) -> Finding:
    return _at(finding("GEN012", message, material=MATERIAL, severity="info", **data), sheet, catalogue_id)


def _where(row: SheetRow) -> str:
    return f"评分表第 {row.line} 行“{row.name}”"


def route(sheet: ScoreSheet, ctx: Context) -> tuple[str, str, Fact | None]:
    """(route, where it comes from, the fact): the profile when it was given, else the sheet."""
    if "route" in ctx.profile.sources:
        return ctx.profile.route, "申报人信息", Fact(ctx.profile.route, "profile")
    if sheet.route:
        return sheet.route, "评分表", sheet.route_fact
    return ctx.profile.route, "默认", Fact(ctx.profile.route, "profile")


def _score_fact(sheet: ScoreSheet, row: SheetRow) -> Fact | None:
    """The fact behind a row's score (the merged cell's, for a sub-row sharing it)."""
    if "score" in row.facts:
        return row.facts["score"]
    head = next((r for r in sheet.rows if r.line == row.score_cell), None)
    return head.facts.get("score") if head is not None else None


def _refs_fact(sheet: ScoreSheet, row: SheetRow) -> Fact | None:
    if "refs" in row.facts:
        return row.facts["refs"]
    head = next((r for r in sheet.rows if r.line == row.refs_cell), None)
    return head.facts.get("refs") if head is not None else None


def _rows_read(sheet: ScoreSheet) -> Fact:
    """That the sheet's rows and their labels were all read: typed cells, yes;
    a rebuilt table may have lost or misread a row (its labels are not
    confirmed by any total)."""
    return Fact("rows", cell_source(sheet), 1.0 if sheet.typed else 0.0, sheet.path, sheet.page)


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    sheet = _sheet(items, ctx)
    if sheet is None:
        maybe = could_be_part(MATERIAL, "sheet", (p for d in ctx.documents for p in d.pages))
        if maybe:
            yield finding("GEN012", f"无法确认是否缺少《量化评分表》：{'；'.join(maybe.reasons[:3])}",
                          material=MATERIAL, severity="info", path=maybe.pages[0].doc.rel, page=maybe.pages[0].number,
                          would_be="SCO001")
            return
        yield finding("SCO001", "未找到《量化评分表》（附件2 第15项：须填写自评分一栏并注明系统佐证目录）")
        return
    yield from _check(sheet, ctx)


def _check(sheet: ScoreSheet, ctx: Context) -> Iterator[Finding]:
    if not sheet.header_found:
        # the sheet is there (recognised, or it speaks of 自评分): only its header's words are not ours
        yield _info(f"无法确认：{sheet.path} 像是量化评分表，但未能识别出表头（自评分、系统佐证目录），自评分无法核对", sheet,
                    would_be="SCO001")
        return
    cat = ctx.catalogue
    if sheet.source == "ocr":
        yield _info(f"量化评分表是扫描件，共读出 {len(sheet.item_rows)} 行、自评分合计 {sheet.total:g} 分", sheet)
    for note in sheet.notes:
        yield _info(f"评分表：{note}", sheet)
    unmapped = [r for r in sheet.item_rows if not r.items]
    for row in sheet.item_rows:
        if not row.items and row.score is not None:
            yield _info(f"{_where(row)}对应不到目录中的评分项目，该行 {row.score:g} 分未能核对", sheet)
        if row.score_text and row.score is None:
            yield _info(f"{_where(row)}的自评分“{row.score_text}”不是数字，无法核对", sheet, row.catalogue_id)
    yield from _sco002_missing(sheet, ctx, unmapped)
    yield from _sco002_caps(sheet, ctx)
    yield from _sco003_sco004(sheet)
    # SCO007: the stated total
    if sheet.stated_total is not None and abs(sheet.stated_total - sheet.total) > 0.01:
        yield _at(finding("SCO007", f"评分表合计栏为 {sheet.stated_total:g} 分，而各项自评分相加为 {sheet.total:g} 分",
                          material=MATERIAL, stated=sheet.stated_total, computed=sheet.total,
                          needs={"合计栏": sheet.total_fact, "各项自评分": sheet.total_read()}), sheet, None)
    # SCO006: the 破格 route needs a total of at least the threshold
    rt, src, rt_fact = route(sheet, ctx)
    if rt == "破格":
        need = float(cat.rule("self_score_threshold"))
        if sheet.total < need:
            stated = f"（合计栏写 {sheet.stated_total:g} 分）" if sheet.stated_total not in (None, sheet.total) else ""
            yield _at(finding("SCO006", f"按破格条件申报（{src}），自评分合计 {sheet.total:g} 分{stated}，低于 {need:g} 分",
                              material=MATERIAL, total=sheet.total, threshold=need,
                              needs={"自评分合计": sheet.total_read(), "申报路线": rt_fact}), sheet, None)


def _sco002_missing(sheet: ScoreSheet, ctx: Context, unmapped: list[SheetRow]) -> Iterator[Finding]:
    """SCO002: an item with evidence and no 自评分 (no row, or its row left empty)."""
    for ci in ctx.catalogue.items:
        if not ci.scored:
            continue
        found = [i for i in ctx.items if i.material in ci.materials]
        if not found:
            continue
        rows = sheet.rows_covering(ci.id)
        if any(sheet.score_of(r) is not None for r in rows):
            continue
        ev = Fact(len(found), "derived", 1.0 if any(grouping_confident(i) for i in found) else 0.5)
        names = "、".join(i.id for i in found[:5])
        if not rows and unmapped:
            yield _info(f"“{ci.name}”有 {len(found)} 份佐证材料（{names}），评分表中找不到对应的行；"
                        f"对应不到评分项目的行（{'、'.join(_where(r) for r in unmapped[:3])}）可能就是该项", sheet, ci.id)
            continue
        what = "评分表中没有该项" if not rows else "该项未填自评分"
        needs = {"评分表各行": _rows_read(sheet), "佐证材料": ev}
        if rows:
            needs["自评分"] = _score_fact(sheet, rows[0])
        yield _at(finding("SCO002", f"“{ci.name}”有 {len(found)} 份佐证材料（{names}），但{what}",
                          material=MATERIAL, found=len(found), needs=needs), sheet, ci.id)


def _blocks(sheet: ScoreSheet) -> list[list[SheetRow]]:
    """Rows bound together by a merged 分值 or 自评分 cell (one cap for two
    sub-rows, one score for 学历 and 资历); every other row alone."""
    rows = sheet.item_rows
    parent = {r.line: r.line for r in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for r in rows:
        for head in (r.cap_cell, r.score_cell):
            if head is not None and head != r.line and head in parent:
                parent[find(r.line)] = find(head)
    out: dict[int, list[SheetRow]] = {}
    for r in rows:
        out.setdefault(find(r.line), []).append(r)
    return list(out.values())


def _sco002_caps(sheet: ScoreSheet, ctx: Context) -> Iterator[Finding]:
    """SCO002: a score above the cap the sheet prints for its row (or for the
    rows one merged 分值 cell spans); a negative score.  The catalogue's caps
    are guesses: "could not verify" unless declared official."""
    cat = ctx.catalogue
    official = bool(cat.rules.get("caps_official", False))
    printed: set[str] = set()
    for block in _blocks(sheet):
        scored = [r for r in block if r.score is not None]
        if not scored:
            continue
        for r in scored:
            if (r.score or 0) < 0:
                yield _at(finding("SCO002", f"{_where(r)}自评分为负数（{r.score:g}）", material=MATERIAL,
                                  needs={"自评分": r.facts.get("score")}), sheet, r.catalogue_id)
        heads = [r for r in block if r.cap_cell in (None, r.line)]
        if any(r.cap_cell is None for r in block) or any(r.cap is None for r in heads):
            continue
        printed |= {i for r in block for i in r.items}
        cap = sum(r.cap or 0 for r in heads)
        score = round(sum(r.score or 0 for r in scored), 2)
        if score <= cap + 1e-9:
            continue
        first = block[0]
        if sheet.template and not official:
            yield _info(f"{_where(first)}自评 {score:g} 分，超过表中分值上限 {cap:g} 分；该上限是 zjcheck init 按目录写入的"
                        "参考值（非官方数值），请对照官方量化赋分标准核对", sheet, first.catalogue_id, score=score, cap=cap)
            continue
        needs = {f"第 {r.line} 行自评分": r.facts.get("score") for r in scored}
        needs |= {f"第 {r.line} 行分值上限": r.facts.get("cap") for r in heads}
        if len(block) == 1:
            msg = f"{_where(first)}自评 {score:g} 分，超过该行分值上限 {cap:g} 分"
        else:
            msg = (f"评分表第 {block[0].line}–{block[-1].line} 行“{first.name}”（{len(block)} 行共用分值上限）"
                   f"自评合计 {score:g} 分，超过分值上限 {cap:g} 分")
        yield _at(finding("SCO002", msg, material=MATERIAL, score=score, cap=cap, needs=needs), sheet, first.catalogue_id)
    for ci in cat.items:
        rows = sheet.rows_for(ci.id)
        scored = [r for r in rows if r.score is not None]
        total = round(sum(r.score or 0 for r in scored), 2)
        covered = {i for r in rows for i in r.items}           # 学历资历: the caps of both items
        caps = [c.cap for c in cat.items if c.id in covered]
        cap = sum(c for c in caps if c is not None) if caps and None not in caps else None
        if cap is None or not scored or covered & printed or total <= cap:
            continue
        if official:
            score = derived(total, [r.facts.get("score") for r in scored])
            yield _at(finding("SCO002", f"“{ci.name}”自评合计 {total:g} 分，超过该项上限 {cap:g} 分",
                              material=MATERIAL, score=total, cap=cap, needs={"自评分": score}), sheet, ci.id)
        else:
            yield _info(f"“{ci.name}”自评合计 {total:g} 分；评分表没有印出该项分值上限，目录中的参考上限为 {cap:g} 分"
                        f"（非官方数值），请对照官方量化赋分标准核对", sheet, ci.id, score=total, cap=cap)


def _sco003_sco004(sheet: ScoreSheet) -> Iterator[Finding]:
    """SCO003: a scored row that names no evidence; SCO004: a reference that names nothing."""
    if "refs" not in sheet.columns:
        scored = [r for r in sheet.item_rows if (r.score or 0) > 0]
        if not scored:
            return
        if sheet.unknown_columns:
            yield _info(f"评分表中未找到“系统佐证目录”一栏（表头中的“{'”“'.join(sheet.unknown_columns[:3])}”可能就是），"
                        "无法核对佐证目录", sheet)
        else:
            header = Fact(sheet.columns, cell_source(sheet), 1.0 if sheet.typed else 0.0, sheet.path, sheet.page)
            yield _at(finding("SCO003", f"评分表没有“系统佐证目录”一栏：{len(scored)} 个有自评分的项目都没有注明佐证材料",
                              material=MATERIAL, rows=len(scored), needs={"评分表表头": header}), sheet, None)
        return
    for row in sheet.item_rows:
        refs = sheet.refs_of(row)
        score = sheet.score_of(row) if row.score is not None else row.score
        if score and score > 0 and not any(r.problem != EMPTY_REF for r in refs):
            yield _at(finding("SCO003", f"{_where(row)}自评 {score:g} 分，但“系统佐证目录”栏没有注明佐证材料",
                              material=MATERIAL, needs={"自评分": _score_fact(sheet, row),
                                                        "系统佐证目录": _refs_fact(sheet, row)}),
                      sheet, row.catalogue_id)
        for ref in row.refs:
            if ref.problem and ref.problem != EMPTY_REF:
                needs = {"系统佐证目录": _refs_fact(sheet, row)}
                if ref.sure:
                    yield _at(finding("SCO004", f"{_where(row)}的佐证“{ref.text}”：{ref.problem}", material=MATERIAL,
                                      ref=ref.text, needs=needs), sheet, row.catalogue_id)
                else:
                    yield _info(f"无法确认{_where(row)}的佐证“{ref.text}”：{ref.problem}", sheet, row.catalogue_id,
                                ref=ref.text, would_be="SCO004")
            elif ref.kind in ("path", "range") and ref.files and not ref.items:
                yield _info(f"{_where(row)}的佐证“{ref.text}”指向的文件未能识别为任何一类申报材料，无法核对",
                            sheet, row.catalogue_id)


def review(items: list[Item], findings: list[Finding], ctx: Context) -> Iterable[Finding]:
    """SCO005, after all checks: cited evidence with error findings puts the row's points at risk."""
    sheet: ScoreSheet | None = ctx.shared.get(SHARED)
    if sheet is None or not sheet.header_found:
        return []
    by_ev, by_item = evidence_errors(findings)
    out: list[Finding] = []
    claims = assess(sheet, ctx.catalogue, findings)
    for row in sheet.item_rows:
        refs = sheet.refs_of(row)
        if not row.score or row.score <= 0 or not any(r.problem != EMPTY_REF for r in refs):
            continue
        item_level = by_item.get(row.catalogue_id or "", [])
        sup, failing = row_support(row, by_ev, item_level, refs)
        if not failing and not item_level:
            continue
        risk = round((row.score or 0) - sup, 2)
        why = [f"{i}（{'、'.join(by_ev[i])}）" for i in failing]
        if item_level:
            why.append(f"该项本身有错误（{'、'.join(item_level)}）")
        out.append(_at(finding("SCO005", f"{_where(row)}自评 {row.score:g} 分，其佐证材料未通过检查：{'；'.join(why)}；"
                                         f"约 {risk:g} 分有风险", material=MATERIAL, points_at_risk=risk, failing=failing,
                               needs={"自评分": _score_fact(sheet, row), "系统佐证目录": _refs_fact(sheet, row)}),
                       sheet, row.catalogue_id))
    out.extend(_self_score_route(sheet, findings, ctx, claims))
    ctx.shared["score_claims"] = claims
    return out


def _self_score_route(sheet: ScoreSheet, findings: list[Finding], ctx: Context,
                      claims: dict[str, Any]) -> Iterator[Finding]:
    """The self-score route (破格, or a title held too short for the normal
    route: TIT002, notice §二(一)) needs the threshold.  SCO006 for a TIT002
    applicant below it (check() already said it for a declared 破格); SCO008
    when the total reaches it only with points whose evidence fails its checks."""
    by_route = route(sheet, ctx)[0] == "破格"
    if not by_route and not any(f.code == "TIT002" for f in findings):
        return
    need = float(ctx.catalogue.rule("self_score_threshold"))
    total = sheet.total_read()
    if sheet.total < need:
        if not by_route:
            yield _at(finding("SCO006", f"现任职务任职年限不足常规申报要求（见 TIT002），只能按自评分达到 {need:g} 分以上"
                                        f"的条件申报，而自评分合计 {sheet.total:g} 分，低于 {need:g} 分", material=MATERIAL,
                              total=sheet.total, threshold=need, reason="TIT002", needs={"自评分合计": total}), sheet, None)
        return
    supported = round(sum(c.supported for c in claims.values() if c.supported is not None), 2)
    if supported < need:
        why = "按破格条件申报" if by_route else "任职年限不足常规条件（见 TIT002）"
        yield _at(finding("SCO008", f"{why}，须自评分达到 {need:g} 分以上：自评 {sheet.total:g} 分，"
                                    f"但佐证材料通过检查的只有约 {supported:g} 分（其余见 SCO005）", material=MATERIAL,
                          total=sheet.total, supported=supported, threshold=need, needs={"自评分合计": total}), sheet, None)


def gap_claims(items: list[Item], findings: list[Finding], ctx: Context) -> GapClaims | None:
    """The sheet's claims per catalogue item, for the engine's gap table."""
    sheet: ScoreSheet | None = ctx.shared.get(SHARED)
    if sheet is None or not sheet.header_found:
        return GapClaims(assess(sheet, ctx.catalogue, findings), None, None) if sheet is not None else None
    return GapClaims(assess(sheet, ctx.catalogue, findings), sheet.path,
                     round(sum(r.score or 0 for r in sheet.item_rows), 2), sheet.stated_total, sheet.route)
