"""量化评分表 (附件2 item 15): SCO001–SCO008.

`facts` reads the applicant's sheet (zjcheck/scoresheet/) and resolves
each row's 系统佐证目录 to the evidence items the recognisers found; the
parsed sheet is published as ctx.shared["score_sheet"] for the gap report.
`check` judges the sheet itself; `review` runs after every checker and the
cross-document checks, so it can see which cited evidence failed (SCO005)
and judge the self-score route against what the evidence supports (SCO006
for a short tenure, SCO008).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.scoresheet import ScoreSheet, SheetRow, assess, evidence_errors, find_sheet, has_refs, resolve_sheet, row_support

MATERIAL = "score_sheet"
CODES = ("SCO001", "SCO002", "SCO003", "SCO004", "SCO005", "SCO006", "SCO007", "SCO008")
SHARED = "score_sheet"


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
    """Point a finding at the sheet file and key it to the row's catalogue item."""
    f.path = sheet.path
    if sheet.page is not None and f.page is None:
        f.page = sheet.page
    f.item = catalogue_id or "score_sheet"
    return f


def _where(row: SheetRow) -> str:
    return f"评分表第 {row.line} 行“{row.name}”"


def route(sheet: ScoreSheet, ctx: Context) -> tuple[str, str]:
    """(route, where it comes from): the profile when it was given, else the sheet."""
    if "route" in ctx.profile.sources:
        return ctx.profile.route, "申报人信息"
    if sheet.route:
        return sheet.route, "评分表"
    return ctx.profile.route, "默认"


OCR_NOTE = "（扫描件的表格由 OCR 识别，可能识别有误，请人工核对；同时上传 Excel/Word 原件可精确核对）"


def _soften(f: Finding, sheet: ScoreSheet) -> Finding:
    """On a scanned sheet the numbers and references come from OCR of a table,
    which misreads digits and drops cells: a judgement on them is "could not
    verify" (GEN012, info), never an error the applicant cannot trust."""
    if sheet.source != "ocr" or f.code == "GEN012":
        return f
    out = finding("GEN012", f"无法确认（{f.code}）：{f.message}{OCR_NOTE}", material=MATERIAL,
                  severity="info", path=f.path, page=f.page, **{**f.data, "would_be": f.code})
    out.item = f.item
    return out


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    sheet = _sheet(items, ctx)
    if sheet is None:
        yield finding("SCO001", "未找到《量化评分表》（附件2 第15项：须填写自评分一栏并注明系统佐证目录）")
        return
    for f in _check(sheet, ctx):
        yield _soften(f, sheet)


def _check(sheet: ScoreSheet, ctx: Context) -> Iterator[Finding]:
    if not sheet.header_found and sheet.source == "ocr":
        yield _at(finding("GEN012", f"无法确认：{sheet.path} 是扫描的量化评分表，但未能识别出表头（自评分、系统佐证目录），"
                                    f"自评分无法核对{OCR_NOTE}", material=MATERIAL, severity="info"), sheet, None)
        return
    if not sheet.header_found:
        yield _at(finding("SCO001", f"{sheet.path} 像是量化评分表，但找不到含“自评分”“系统佐证目录”的表头，"
                                    "无法读出自评分", path=sheet.path), sheet, None)
        return
    cat = ctx.catalogue
    if sheet.source == "ocr":
        yield _at(finding("GEN012", f"量化评分表是扫描件，共读出 {len(sheet.item_rows)} 行、自评分合计 {sheet.total:g} 分"
                                    f"{OCR_NOTE}", material=MATERIAL, severity="info"), sheet, None)
    for note in sheet.notes:
        yield _at(finding("GEN012", f"评分表：{note}", material=MATERIAL, severity="info"), sheet, None)
    for row in sheet.item_rows:
        if row.catalogue_id is None and row.score is not None:
            yield _at(finding("GEN012", f"{_where(row)}对应不到目录中的评分项目，该行 {row.score:g} 分未能核对",
                              material=MATERIAL, severity="info"), sheet, None)
        if row.score_text and row.score is None:
            yield _at(finding("GEN012", f"{_where(row)}的自评分“{row.score_text}”不是数字，无法核对",
                              material=MATERIAL, severity="info"), sheet, row.catalogue_id)
    # SCO002: evidence but no score; a score above the cap
    for ci in cat.items:
        if not ci.scored:
            continue
        rows = sheet.rows_for(ci.id)
        found = [i for i in ctx.items if i.material in ci.materials]
        scored = [r for r in rows if r.score is not None]
        if found and not scored and rows and sheet.source == "ocr":
            yield _at(finding("GEN012", f"扫描的评分表中“{ci.name}”一行的自评分未能识别，无法核对",
                              material=MATERIAL, severity="info"), sheet, ci.id)
        elif found and not scored:
            what = "评分表中没有该项" if not rows else "该项未填自评分"
            yield _at(finding("SCO002", f"“{ci.name}”有 {len(found)} 份佐证材料（{'、'.join(i.id for i in found[:5])}），"
                                        f"但{what}", found=len(found)), sheet, ci.id)
        for r in scored:
            if r.cap is not None and (r.score or 0) > r.cap:
                yield _at(finding("SCO002", f"{_where(r)}自评 {r.score:g} 分，超过该行分值上限 {r.cap:g} 分",
                                  score=r.score, cap=r.cap), sheet, ci.id)
        total = sum(r.score or 0 for r in scored)
        if ci.cap is not None and total > ci.cap and not any(r.cap is not None and (r.score or 0) > r.cap for r in scored):
            yield _at(finding("SCO002", f"“{ci.name}”自评合计 {total:g} 分，超过该项上限 {ci.cap:g} 分",
                              score=total, cap=ci.cap), sheet, ci.id)
        for r in scored:
            if (r.score or 0) < 0:
                yield _at(finding("SCO002", f"{_where(r)}自评分为负数（{r.score:g}）"), sheet, ci.id)
    # SCO003 / SCO004: references
    for row in sheet.item_rows:
        if row.score and row.score > 0 and not has_refs(row):
            yield _at(finding("SCO003", f"{_where(row)}自评 {row.score:g} 分，但“系统佐证目录”栏没有注明佐证材料"),
                      sheet, row.catalogue_id)
        for ref in row.refs:
            if ref.problem and ref.problem != "没有写明佐证材料":
                yield _at(finding("SCO004", f"{_where(row)}的佐证“{ref.text}”：{ref.problem}", ref=ref.text),
                          sheet, row.catalogue_id)
            elif ref.kind == "path" and ref.files and not ref.items:
                yield _at(finding("GEN012", f"{_where(row)}的佐证“{ref.text}”指向的文件未能识别为任何一类申报材料，无法核对",
                                  material=MATERIAL, severity="info"), sheet, row.catalogue_id)
    # SCO007: the stated total
    if sheet.stated_total is not None and abs(sheet.stated_total - sheet.total) > 0.01:
        yield _at(finding("SCO007", f"评分表合计栏为 {sheet.stated_total:g} 分，而各项自评分相加为 {sheet.total:g} 分",
                          stated=sheet.stated_total, computed=sheet.total), sheet, None)
    # SCO006: the 破格 route needs a total of at least the threshold
    rt, src = route(sheet, ctx)
    if rt == "破格":
        need = float(cat.rule("self_score_threshold"))
        if sheet.total < need:
            stated = f"（合计栏写 {sheet.stated_total:g} 分）" if sheet.stated_total not in (None, sheet.total) else ""
            yield _at(finding("SCO006", f"按破格条件申报（{src}），自评分合计 {sheet.total:g} 分{stated}，"
                                        f"低于 {need:g} 分", total=sheet.total, threshold=need), sheet, None)


def review(items: list[Item], findings: list[Finding], ctx: Context) -> Iterable[Finding]:
    """SCO005, after all checks: cited evidence with error findings puts the row's points at risk."""
    sheet: ScoreSheet | None = ctx.shared.get(SHARED)
    if sheet is None or not sheet.header_found:
        return []
    by_ev, by_item = evidence_errors(findings)
    out: list[Finding] = []
    claims = assess(sheet, ctx.catalogue, findings)
    for row in sheet.item_rows:
        if not row.score or row.score <= 0 or not has_refs(row):
            continue
        item_level = by_item.get(row.catalogue_id or "", [])
        sup, failing = row_support(row, by_ev, item_level)
        if not failing and not item_level:
            continue
        risk = round((row.score or 0) - sup, 2)
        why = [f"{i}（{'、'.join(by_ev[i])}）" for i in failing]
        if item_level:
            why.append(f"该项本身有错误（{'、'.join(item_level)}）")
        out.append(_soften(_at(finding("SCO005", f"{_where(row)}自评 {row.score:g} 分，其佐证材料未通过检查：{'；'.join(why)}；"
                                         f"约 {risk:g} 分有风险", points_at_risk=risk, failing=failing),
                       sheet, row.catalogue_id), sheet))
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
    if sheet.total < need:
        if not by_route:
            yield _soften(_at(finding("SCO006", f"现任职务任职年限不足常规申报要求（见 TIT002），只能按自评分达到 {need:g} 分以上"
                                                f"的条件申报，而自评分合计 {sheet.total:g} 分，低于 {need:g} 分",
                                      total=sheet.total, threshold=need, reason="TIT002"), sheet, None), sheet)
        return
    supported = round(sum(c.supported for c in claims.values() if c.supported is not None), 2)
    if supported < need:
        why = "按破格条件申报" if by_route else "任职年限不足常规条件（见 TIT002）"
        yield _soften(_at(finding("SCO008", f"{why}，须自评分达到 {need:g} 分以上：自评 {sheet.total:g} 分，"
                                            f"但佐证材料通过检查的只有约 {supported:g} 分（其余见 SCO005）",
                                  total=sheet.total, supported=supported, threshold=need), sheet, None), sheet)
