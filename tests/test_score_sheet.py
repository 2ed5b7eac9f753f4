"""量化评分表 (SCO001–SCO007): reading the sheet in its forms, resolving the
系统佐证目录, judging claims; end to end on the rendered variants."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.util import make_context, make_item
from zjcheck import catalogue
from zjcheck.codes import finding
from zjcheck.model import Document, Item, Page, PageText, SourceFile
from zjcheck.scoresheet import (ScoreSheet, assess, grid_from_lines, match_label, parse_document,
                                parse_number, resolve, resolve_sheet, rows_from_grid, split_refs)
from zjcheck_checks import score_sheet as sco

CAT = catalogue.load()
HEADER = ["序号", "评价项目", "评分标准", "分值上限", "自评分", "系统佐证目录"]


# ---------------------------------------------------------------- builders

def xlsx_bytes(rows: list[list[object]], *, offset: int = 3, merged_label: bool = False,
               extra_column: bool = False, total: object = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.cell(1, 1, "机电制造专业高级工程师量化评分表")
    ws.cell(2, 1, "申报人：周建华")
    header = HEADER + (["审核得分"] if extra_column else [])
    for c, h in enumerate(header, 1):
        ws.cell(offset + 1, c, h)
    r = offset + 1
    for row in rows:
        r += 1
        for c, v in enumerate(row, 1):
            if v is not None:
                ws.cell(r, c, v)
        if extra_column:
            ws.cell(r, 7, 3)
    if merged_label:        # 评价项目 of the first two rows merged vertically
        ws.merge_cells(start_row=offset + 2, start_column=2, end_row=offset + 3, end_column=2)
        ws.merge_cells(start_row=offset + 2, start_column=1, end_row=offset + 3, end_column=1)
    if total is not None:
        r += 1
        ws.cell(r, 1, "合计")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 5, total)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_item(data: bytes, kind: str = "xlsx", rel: str = "14-量化评分表/量化评分表.xlsx") -> Item:
    sf = SourceFile(rel=rel, kind=kind, mime="", size=len(data), sha256=rel, data=data)
    doc = Document(sf, text_source="doc-text")
    page = Page(doc, 1, PageText("量化评分表 自评分 系统佐证目录", "doc-text"), material="score_sheet",
                parts=["sheet"], score=10)
    doc.pages.append(page)
    item = Item("score_sheet-1", "score_sheet", [page])
    page.item_id = item.id
    return item


def evidence() -> list[Item]:
    """Two papers, two patents and one standard, as the recognisers would group them."""
    return [
        make_item("paper", [("摘要 关键词 数控机床主轴热误差补偿方法研究", ["body"])], "paper-1", rel="06-论文/论文1/正文.pdf"),
        make_item("paper", [("摘要 关键词 伺服刀架可靠性试验", ["body"])], "paper-2", rel="06-论文/论文2.pdf"),
        make_item("patent", [("发明专利证书 专利号 ZL 2021 1 0234567.8", ["certificate"])], "patent-1",
                  rel="08-专利/发明专利证书.jpg"),
        make_item("patent", [("实用新型专利证书", ["certificate"])], "patent-2", rel="08-专利/实用新型专利证书.jpg"),
        make_item("standard", [("团体标准 T/ZZB 3125-2023", ["cover"])], "standard-1", rel="09-标准/T-ZZB 3125.pdf"),
    ]


def run(rows: list[list[object]], items: list[Item] | None = None, extra_findings: list | None = None,
        **kw: object) -> tuple[list, list, dict]:
    """(check findings, review findings, ctx.shared) for a sheet with these rows."""
    profile = {k: kw.pop(k) for k in list(kw) if k in ("route",)}
    ev = evidence() if items is None else items
    sheet = sheet_item(xlsx_bytes(rows, **kw))  # type: ignore[arg-type]
    ctx = make_context([sheet, *ev], **profile)
    if profile:
        ctx.profile.sources.update({k: "命令行" for k in profile})
    sheet.facts = sco.facts(sheet, ctx)
    found = list(sco.check([sheet], ctx))
    reviewed = list(sco.review([sheet], [*found, *(extra_findings or [])], ctx))
    return found, reviewed, ctx.shared


def codes(fs: list) -> list[str]:
    return sorted(f.code for f in fs)


GOOD = [
    [1, "论文", "第一作者论文 5分/篇", 12, 10, "论文-1、论文-2"],
    [2, "专利", "授权专利", 12, 10, "专利-1、专利-2"],
    [3, "标准", "团体标准 6分/项", 8, "6", "09-标准"],
]


# ---------------------------------------------------------------- parsing

def test_parse_number_forms() -> None:
    assert parse_number("１２分") == 12
    assert parse_number(" 8.5 ") == 8.5
    assert parse_number("") is None
    assert parse_number("无") is None


def test_match_label_uses_names_and_tags() -> None:
    assert match_label("学术论文", CAT).id == "paper"
    assert match_label("论著、译著", CAT).id == "book"
    assert match_label("工作业绩（项目）", CAT).id == "project"
    assert match_label("任职资历", CAT).id == "tenure"
    assert match_label("一、基本条件", CAT) is None


def test_xlsx_offset_header_merged_cells_extra_column_text_numbers() -> None:
    rows = [[1, "论文", "期刊论文", 12, "5分", "论文-1"],
            [None, None, "会议论文", None, "5", "论文-2"],
            [2, "专利", "授权专利", 12, 10, "专利-1、专利-2"]]
    data = xlsx_bytes(rows, offset=5, merged_label=True, extra_column=True, total=20)
    sheet = parse_document(sheet_item(data).pages[0].doc, CAT)
    assert sheet is not None and sheet.header_found
    items = sheet.item_rows
    assert [r.catalogue_id for r in items] == ["paper", "paper", "patent"]
    assert [r.score for r in items] == [5, 5, 10]          # 审核得分 column ignored, "5分" read
    assert sheet.stated_total == 20 and sheet.total == 20


def test_section_and_total_rows() -> None:
    rows = [["一、基本条件", None, None, None, None, None], [1, "学历学位", "本科", 10, 8, "学历"]]
    sheet = parse_document(sheet_item(xlsx_bytes(rows, total=8)).pages[0].doc, CAT)
    assert [r.kind for r in sheet.rows] == ["section", "item", "total"]


def test_docx_table_with_vertical_merge() -> None:
    import docx
    d = docx.Document()
    d.add_paragraph("量化评分表")
    t = d.add_table(rows=1, cols=6)
    for c, h in enumerate(HEADER):
        t.rows[0].cells[c].text = h
    a, b = t.add_row().cells, t.add_row().cells
    a[1].text, a[4].text, a[5].text = "论文", "5", "论文-1"
    b[4].text, b[5].text = "5", "论文-2"
    a[1].merge(b[1])
    buf = io.BytesIO()
    d.save(buf)
    sheet = parse_document(sheet_item(buf.getvalue(), "docx", "评分表.docx").pages[0].doc, CAT)
    assert [(r.catalogue_id, r.score) for r in sheet.item_rows] == [("paper", 5), ("paper", 5)]


def test_formula_without_cached_value_is_a_note() -> None:
    data = xlsx_bytes([[1, "论文", "", 12, 10, "论文-1"]], total="=SUM(E5:E5)")
    sheet = parse_document(sheet_item(data).pages[0].doc, CAT)
    assert sheet.stated_total is None
    assert any("公式" in n for n in sheet.notes)


def test_scanned_sheet_rebuilt_from_line_positions() -> None:
    lines = [("序号", (100, 100, 140, 130)), ("评价项目", (180, 100, 290, 130)), ("评分标准", (480, 100, 600, 130)),
             ("分值上限", (760, 100, 860, 130)),
             ("自评分", (900, 100, 980, 130)), ("系统佐证目录", (1050, 100, 1250, 130)),
             ("1", (110, 200, 125, 230)), ("论文", (200, 200, 260, 230)),
             ("在期刊发表论文5分/篇，", (420, 185, 700, 215)), ("最多12分", (420, 220, 560, 250)),
             ("12", (790, 200, 820, 230)), ("10", (930, 200, 960, 230)), ("论文-1、论文-2", (1060, 200, 1240, 230)),
             ("2", (110, 330, 125, 360)), ("专利", (200, 330, 260, 360)), ("12 6", (790, 330, 960, 360)),
             ("专利-1", (1060, 330, 1160, 360)), ("合计", (200, 430, 260, 460)), ("16", (930, 430, 960, 460))]
    grid, _ = grid_from_lines(lines)
    sheet = ScoreSheet("x.pdf", "ocr")
    rows_from_grid(grid, CAT, sheet)
    assert [(r.catalogue_id, r.cap, r.score, r.refs_text) for r in sheet.item_rows] == [
        ("paper", 12, 10, "论文-1、论文-2"), ("patent", 12, 6, "专利-1")]
    assert sheet.stated_total == 16


def test_text_layer_sheet_with_single_spaces() -> None:
    from zjcheck.scoresheet import rows_from_text_lines
    text = "量化评分表\n序号 评价项目 评分标准 分值上限 自评分 系统佐证目录\n1 论文 期刊论文5分/篇 12 10 论文-1 论文-2\n合计 10"
    sheet = ScoreSheet("x.pdf", "pdf-text")
    rows_from_text_lines(text, CAT, sheet)
    assert [(r.catalogue_id, r.cap, r.score) for r in sheet.item_rows] == [("paper", 12, 10)]
    assert sheet.stated_total == 10


# ---------------------------------------------------------------- references

def test_split_refs_forms() -> None:
    assert split_refs("论文-1、论文-2") == ["论文-1", "论文-2"]
    assert split_refs("P-3；P - 4") == ["p-3", "p-4"]
    assert split_refs("06-论文/论文1") == ["06-论文/论文1"]
    assert split_refs("论文1 论文2") == ["论文1", "论文2"]


@pytest.mark.parametrize("token,expected", [
    ("论文-2", ["paper-2"]), ("论文2", ["paper-2"]), ("论文二", ["paper-2"]), ("P-1", ["patent-1"]),
    ("p2", ["patent-2"]), ("专利", ["patent-1", "patent-2"]), ("06-论文/论文1", ["paper-1"]),
    ("论文/论文1", ["paper-1"]), ("08-专利/实用新型专利证书.jpg", ["patent-2"]), ("09-标准", ["standard-1"]),
    ("数控机床主轴热误差补偿方法研究", ["paper-1"]), ("论文1~2", ["paper-1", "paper-2"]),
])
def test_resolve_reference(token: str, expected: list[str]) -> None:
    ev = evidence()
    docs = [p.doc for it in ev for p in it.pages]
    ref = resolve(token, CAT, ev, docs)
    assert ref.items == expected and ref.problem is None


@pytest.mark.parametrize("token", ["论文-3", "专利-9", "10-项目/项目3", "见附件", "一种不存在的论文题目研究"])
def test_resolve_reference_to_nothing(token: str) -> None:
    ev = evidence()
    ref = resolve(token, CAT, ev, [p.doc for it in ev for p in it.pages])
    assert not ref.items and ref.problem


# ---------------------------------------------------------------- judging

def test_good_sheet_has_no_findings() -> None:
    found, reviewed, shared = run(GOOD, total=26)
    assert [f for f in found if f.severity != "info"] == [] and reviewed == []
    assert shared["score_sheet"].total == 26


def test_sco001_no_sheet() -> None:
    ctx = make_context(evidence())
    assert codes(sco.check([], ctx)) == ["SCO001"]


def test_sco002_evidence_without_score() -> None:
    rows = [GOOD[0], [2, "专利", "授权专利", 12, None, "专利-1"], GOOD[2]]
    found, _, _ = run(rows)
    assert "SCO002" in codes(found)
    found, _, _ = run([GOOD[0], GOOD[2]])           # no 专利 row at all, but two patents
    assert any(f.code == "SCO002" and "专利" in f.message for f in found)


def test_sco002_score_above_cap() -> None:
    found, _, _ = run([GOOD[0], [2, "专利", "授权专利", 12, 14, "专利-1、专利-2"], GOOD[2]])
    assert codes(found) == ["SCO002"]
    f = found[0]
    assert f.item == "patent" and "14" in f.message and "12" in f.message



def test_catalogue_cap_is_a_guess_unless_official() -> None:
    """No cap printed on the sheet: the catalogue's cap (15 for 专利) is not
    the official table's, so exceeding it is "could not verify"; a catalogue
    that declares its caps official makes it an error."""
    import dataclasses
    found, _, _ = run([[1, "专利", "", None, 16, "专利-1、专利-2"]], items=evidence()[2:4])
    assert codes(found) == ["GEN012"] and "参考上限" in found[0].message
    sheet = sheet_item(xlsx_bytes([[1, "专利", "", None, 16, "专利-1、专利-2"]]))
    ctx = make_context([sheet, *evidence()[2:4]])
    ctx.catalogue = dataclasses.replace(ctx.catalogue, rules={**ctx.catalogue.rules, "caps_official": True})
    sheet.facts = sco.facts(sheet, ctx)
    assert codes(sco.check([sheet], ctx)) == ["SCO002"]


def test_sco003_scored_row_without_reference() -> None:
    found, _, _ = run([GOOD[0], GOOD[1], [3, "标准", "", 8, 6, None]])
    assert codes(found) == ["SCO003"]
    found, _, _ = run([GOOD[0], GOOD[1], [3, "标准", "", 8, 6, "无"]])
    assert codes(found) == ["SCO003"]


def test_sco004_reference_to_nothing() -> None:
    found, _, _ = run([[1, "论文", "", 12, 10, "论文-1、论文-3"], GOOD[1], GOOD[2]])
    assert codes(found) == ["SCO004"]
    assert "论文-3" in found[0].message and "2" in found[0].message


def test_sco005_failing_evidence_puts_points_at_risk() -> None:
    bad = finding("PAP005", "论文-1 缺少中国知网检索截图", evidence="paper-1")
    found, reviewed, shared = run(GOOD, extra_findings=[bad])
    assert codes(reviewed) == ["SCO005"]
    assert reviewed[0].data["points_at_risk"] == 5 and reviewed[0].item == "paper"
    claims = assess(shared["score_sheet"], CAT, [bad])
    assert claims["paper"].claimed == 10 and claims["paper"].supported == 5
    assert claims["patent"].supported == 10


def test_sco005_ignores_warnings() -> None:
    warn = finding("PAP010", "题名不一致", evidence="paper-1")
    assert warn.severity == "warning"
    _, reviewed, _ = run(GOOD, extra_findings=[warn])
    assert reviewed == []


def test_sco006_exceptional_route_below_threshold() -> None:
    found, _, _ = run(GOOD, route="破格")
    assert codes(found) == ["SCO006"]
    found, _, _ = run(GOOD, route="常规")
    assert "SCO006" not in codes(found)


def test_sco006_short_tenure_on_the_normal_route() -> None:
    """TIT002 (title held < 5 years) puts the applicant on the 自评分 ≥ 80 route
    whatever the profile says: a total below 80 is then SCO006."""
    tit002 = finding("TIT002", "任职年限不足", evidence="title-1")
    _, reviewed, _ = run(GOOD, route="常规", extra_findings=[tit002])
    assert codes(reviewed) == ["SCO006"] and "TIT002" in reviewed[0].message
    _, reviewed, _ = run(GOOD, route="常规")
    assert "SCO006" not in codes(reviewed)
    found, reviewed, _ = run(GOOD, route="破格", extra_findings=[tit002])       # said once, by check()
    assert codes(found) == ["SCO006"] and "SCO006" not in codes(reviewed)


@pytest.mark.parametrize("route,extra", [("破格", []), ("常规", ["TIT002"])])
def test_sco008_threshold_reached_only_with_failing_evidence(route: str, extra: list[str]) -> None:
    """The self-score route needs the threshold; points whose evidence fails
    its checks may not count (a lower threshold here: GOOD claims 26)."""
    import dataclasses
    sheet = sheet_item(xlsx_bytes(GOOD))
    ctx = make_context([sheet, *evidence()], route=route)
    ctx.profile.sources["route"] = "命令行"
    ctx.catalogue = dataclasses.replace(ctx.catalogue, rules={**ctx.catalogue.rules, "self_score_threshold": 20})
    sheet.facts = sco.facts(sheet, ctx)
    found = list(sco.check([sheet], ctx))
    assert "SCO006" not in codes(found)
    pre = [*found, *(finding(c, "x", evidence="title-1") for c in extra)]
    paper = finding("PAP005", "论文-1 缺少中国知网检索截图", evidence="paper-1")
    patent = finding("PAT001", "专利-1 只是申请", evidence="patent-1")
    reviewed = list(sco.review([sheet], [*pre, paper, patent], ctx))       # 26 - 5 - 5 = 16 supported
    sco008 = [f for f in reviewed if f.code == "SCO008"]
    assert len(sco008) == 1 and sco008[0].data["supported"] == 16
    assert "SCO008" not in codes(list(sco.review([sheet], [*pre, paper], ctx)))   # 21 still reaches 20


def test_sco006_route_from_the_sheet() -> None:
    ev = evidence()
    data = xlsx_bytes(GOOD)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb.active.cell(3, 1, "申报路线：☑破格  □常规")
    buf = io.BytesIO()
    wb.save(buf)
    sheet = sheet_item(buf.getvalue())
    ctx = make_context([sheet, *ev])
    sheet.facts = sco.facts(sheet, ctx)
    assert "SCO006" in codes(sco.check([sheet], ctx))


def test_sco007_stated_total_differs() -> None:
    found, _, _ = run(GOOD, total=30)
    assert codes(found) == ["SCO007"]
    assert found[0].severity == "warning"


def test_unmapped_row_and_unreadable_score_are_info() -> None:
    found, _, _ = run([*GOOD, [4, "其他贡献", "", 5, "五", "论文-1"]])
    assert all(f.code == "GEN012" for f in found) and found


def test_gap_rows_carry_claims() -> None:
    from zjcheck.pipeline import gap_table
    bad = finding("PAT001", "不是授权专利", evidence="patent-2")
    bad.item = "patent"
    _, _, shared = run(GOOD)
    claims = assess(shared["score_sheet"], CAT, [bad])
    ev = evidence()
    rows = {g.item: g for g in gap_table(CAT, ev, [bad], {"paper", "patent", "standard"}, claims)}
    assert (rows["patent"].claimed, rows["patent"].cited, rows["patent"].found) == (10, 2, 2)
    assert rows["patent"].verified == 1 and rows["patent"].supported == 5
    assert rows["paper"].supported == 10 and rows["book"].claimed is None


# ---------------------------------------------------------------- end to end (real OCR)

def _codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


def _sheet_facts(report: dict) -> dict:
    return next(i["facts"] for i in report["items"] if i["material"] == "score_sheet")


def _sco005_backed(report: dict) -> bool:
    """Every SCO005 names evidence that really has an error finding of its own."""
    failing = {f["evidence"] for f in report["findings"] if f["severity"] == "error" and f["evidence"]
               and f["material"] != "score_sheet"}
    return all(set(f["data"]["failing"]) <= failing for f in report["findings"] if f["code"] == "SCO005")


@pytest.mark.ocr
def test_compliant_sheet_parses(checked) -> None:  # type: ignore[no-untyped-def]
    r = checked("compliant")
    errs = [f for f in r["findings"] if f["material"] == "score_sheet" and f["severity"] == "error"]
    # SCO005 only echoes another checker's error on cited evidence
    assert not [f for f in errs if f["code"] != "SCO005"] and _sco005_backed(r)
    facts = _sheet_facts(r)
    assert facts["header_found"] and facts["source"] == "xlsx"      # merged title, header on row 4
    assert facts["total"] == 84
    gap = {g["item"]: g for g in r["gap"]}
    assert gap["patent"]["claimed"] == 10 and gap["patent"]["cited"] == 2 and gap["patent"]["found"] == 2
    assert gap["project"]["claimed"] == 16 and gap["project"]["cited"] == 2
    assert r["totals"]["claimed"] == 84


@pytest.mark.ocr
@pytest.mark.parametrize("name,code", [
    ("score_sheet_missing", "SCO001"), ("score_sheet_over_cap", "SCO002"), ("score_sheet_no_refs", "SCO003"),
    ("score_sheet_bad_ref", "SCO004"), ("score_sheet_failing_evidence", "SCO005"),
    ("score_sheet_exceptional_low", "SCO006"), ("score_sheet_total_mismatch", "SCO007"),
])
def test_variant_fires(checked, name: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert code in _codes(checked(name))


@pytest.mark.ocr
def test_docx_sheet_variant(checked) -> None:  # type: ignore[no-untyped-def]
    r = checked("score_sheet_docx")
    assert not {c for c in _codes(r) if c.startswith("SCO")} - {"SCO005"} and _sco005_backed(r)
    facts = _sheet_facts(r)
    assert facts["source"] == "docx" and facts["total"] == 84 and facts["stated_total"] == 84
    rows = [x for x in facts["rows"] if x["catalogue_item"] == "project"]
    assert [x["score"] for x in rows] == [8, 8] and rows[1]["label"] == "项目"    # merged 评价项目


@pytest.mark.ocr
def test_failing_evidence_names_the_paper(checked) -> None:  # type: ignore[no-untyped-def]
    r = checked("score_sheet_failing_evidence")
    sco5 = [f for f in r["findings"] if f["code"] == "SCO005" and f["item"] == "paper"]
    assert sco5 and "paper-1" in sco5[0]["data"]["failing"] and _sco005_backed(r)
    gap = {g["item"]: g for g in r["gap"]}
    assert gap["paper"]["supported"] < gap["paper"]["claimed"]


@pytest.mark.ocr
def test_scanned_sheet_variant(checked) -> None:  # type: ignore[no-untyped-def]
    r = checked("score_sheet_scan")
    # an OCR'd table is "could not verify", never a hard SCO error
    assert not [f for f in r["findings"] if f["material"] == "score_sheet" and f["severity"] != "info"]
    facts = _sheet_facts(r)
    assert facts["source"] == "ocr" and facts["header_found"]
    mapped = {x["catalogue_item"] for x in facts["rows"] if x["kind"] == "item" and x["catalogue_item"]}
    assert len(mapped) >= 4
    assert any(f["code"] == "GEN012" and "扫描件" in f["message"] for f in r["findings"])


def test_scanned_sheet_errors_need_confirmed_numbers() -> None:
    """An OCR'd table: a score above its row's cap is an error only when the
    sheet's own totals confirm the numbers were read in the right columns."""
    lines = [("序号", (100, 100, 140, 130)), ("评价项目", (180, 100, 290, 130)), ("分值上限", (760, 100, 860, 130)),
             ("自评分", (900, 100, 980, 130)), ("系统佐证目录", (1050, 100, 1250, 130)),
             ("1", (110, 200, 125, 230)), ("论文", (200, 200, 260, 230)), ("12", (790, 200, 820, 230)),
             ("10", (930, 200, 960, 230)), ("论文-1、论文-2", (1060, 200, 1240, 230)),
             ("2", (110, 330, 125, 360)), ("专利", (200, 330, 260, 360)), ("12", (790, 330, 820, 360)),
             ("15", (930, 330, 960, 360)), ("专利-1、专利-2", (1060, 330, 1240, 360)),
             ("合计", (200, 430, 260, 460)), ("24", (790, 430, 820, 460))]

    def judged(total: str) -> list:
        boxed = [(t, b, 95.0) for t, b in lines] + [(total, (930, 430, 960, 460), 95.0)]
        grid, _ = grid_from_lines(boxed)
        sheet = ScoreSheet("x.pdf", "ocr", page=1)
        rows_from_grid(grid, CAT, sheet)
        from zjcheck.scoresheet.model import confirm
        confirm(sheet)
        ev = evidence()
        resolve_sheet(sheet, CAT, ev, [p.doc for it in ev for p in it.pages])
        ctx = make_context(ev)
        ctx.shared["score_sheet"] = sheet
        return [f for f in sco.check([], ctx) if f.code != "GEN012" or "would_be" in f.data]

    confirmed = judged("25")            # 10 + 15: the total confirms the scores, 12 + 12 the caps
    assert [(f.code, f.item) for f in confirmed if f.code.startswith("SCO")] == [("SCO002", "patent")]
    unsure = judged("27")               # the total disagrees: which number is which is not sure
    assert not [f for f in unsure if f.code.startswith("SCO")]
    assert any(f.data.get("would_be") == "SCO002" for f in unsure)


def _evidence_all() -> list[Item]:
    """evidence() plus 学历, 资历 (title) and three 继续教育 cards named by year."""
    return [*evidence(),
            make_item("education", [("学士学位证书", ["degree"])], "education-1", rel="01-学历学位/学位证书.jpg"),
            make_item("title", [("工程师 资格证书", ["certificate"])], "title-1", rel="02-职称/工程师资格证书.jpg"),
            *(make_item("cont_edu", [(f"{y}年度继续教育学时登记卡", ["card"])], f"cont_edu-{y}",
                        rel=f"05-继续教育/{y}年度继续教育学时登记卡.png") for y in (2024, 2025, 2026))]


def _docs(items: list[Item]) -> list[Document]:
    return [p.doc for it in items for p in it.pages]


@pytest.mark.parametrize("label,expected", [
    ("学历资历", ["education", "tenure"]), ("学历、资历", ["education", "tenure"]),
    ("专业技术工作经历", ["tenure"]), ("知识产权（专利、软件著作权）", ["patent"]), ("项目业绩", ["project"]),
    ("论文论著", ["paper", "book"]), ("继续教盲", ["cont_edu"]), ("年度考枋", ["assessment"]), ("一、基本条件", []),
])
def test_labels_by_meaning(label: str, expected: list[str]) -> None:
    """Synonyms (data), combined rows, the longest name winning where names
    overlap (著作权 is no 著作), one misread character in a long name."""
    from zjcheck.scoresheet import match_items
    assert [ci.id for ci in match_items(label, CAT)] == expected


def test_parse_cap_and_score_cells() -> None:
    from zjcheck.scoresheet import parse_cap, parse_score
    assert parse_cap("15") == (15, True) and parse_cap("最高15分") == (15, True) and parse_cap("15分封顶") == (15, True)
    assert parse_cap("5分/篇") == (None, True) and parse_cap("每项3分") == (None, True)
    assert parse_cap("5分/篇，最高15分") == (15, True)
    assert parse_score("8分") == (8, True) and parse_score("4+4") == (8, True) and parse_score("4+4=8") == (8, True)
    assert parse_score("约8") == (8, False) and parse_score("") == (None, True)


def test_combined_row_covers_both_items_and_takes_its_printed_cap() -> None:
    """学历资历 (20 分) is one row for two catalogue items: neither "资历 has no
    row" nor the catalogue's guess for 学历学位 (10) is an error."""
    ce = [4, "继续教育", "", 5, 5, "05-继续教育"]
    rows = [[1, "学历资历", "本科学士，任职满5年", 20, 18, "01-学历学位、02-职称"], *GOOD, ce]
    found, _, shared = run(rows, items=_evidence_all())
    assert not [f for f in found if f.severity != "info"], [f.message for f in found]
    row = shared["score_sheet"].item_rows[0]
    assert row.items == ["education", "tenure"] and row.catalogue_id == "education"
    claims = assess(shared["score_sheet"], CAT, [])
    assert claims["education"].claimed == 18 and claims["tenure"].claimed is None
    assert claims["tenure"].combined_with == "education" and claims["tenure"].cited == ["title-1"]
    # without a printed cap the guessed caps of both items (10 + 10) are the reference: 18 is below
    found, _, _ = run([[1, "学历资历", "", None, 18, "01-学历学位、02-职称"], *GOOD, ce], items=_evidence_all())
    assert not [f for f in found if "参考上限" in f.message]


def _merged_xlsx(cap_merge: bool, scores: tuple[float, float], score_merge: bool = False) -> bytes:
    """项目业绩 in two sub-rows; their 满分 (or 自评分) cell merged over both."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for c, h in enumerate(HEADER, 1):
        ws.cell(1, c, h)
    ws.append([1, "项目业绩", "项目一：技术开发合同", 30, scores[0], "项目-1"])
    ws.append([None, None, "项目二：立项书", None if cap_merge else 30, None if score_merge else scores[1], "项目-2"])
    ws.merge_cells("B2:B3")
    if cap_merge:
        ws.merge_cells("D2:D3")
    if score_merge:
        ws.merge_cells("E2:E3")
    ws.append([3, "论文", "", 15, 10, "论文1-2"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _judge(data: bytes, items: list[Item] | None = None, kind: str = "xlsx", rel: str = "评分表.xlsx") -> list:
    sheet = sheet_item(data, kind, rel)
    ctx = make_context([sheet, *(evidence()[:2] + [make_item("project", [("技术开发合同", ["cover"])], "project-1",
                                                          rel="10-项目/项目1.pdf"),
                                              make_item("project", [("立项书", ["cover"])], "project-2",
                                                        rel="10-项目/项目2.pdf")] if items is None else items)])
    sheet.facts = sco.facts(sheet, ctx)
    return list(sco.check([sheet], ctx))


def test_cap_merged_over_sub_rows_applies_to_their_sum() -> None:
    found = _judge(_merged_xlsx(True, (16, 16)))
    assert codes([f for f in found if f.severity != "info"]) == ["SCO002"]
    assert "共用分值上限" in found[0].message and "32" in found[0].message and "30" in found[0].message
    assert not [f for f in _judge(_merged_xlsx(True, (12, 12))) if f.severity != "info"]
    assert not [f for f in _judge(_merged_xlsx(False, (16, 16))) if f.severity != "info"]    # each row its own 30


def test_score_merged_over_sub_rows_is_one_score() -> None:
    """One 自评分 cell over two sub-rows: the second row is not "unscored"."""
    found = _judge(_merged_xlsx(True, (20, 0), score_merge=True))
    assert not [f for f in found if f.severity != "info"], [f.message for f in found]


def test_subtotal_rows_are_not_counted() -> None:
    rows = [*GOOD, ["小计", None, None, 32, 26, None]]
    found, _, shared = run(rows, total=26)
    assert not [f for f in found if f.severity != "info"]
    assert shared["score_sheet"].total == 26 and [r.kind for r in shared["score_sheet"].rows][-2:] == ["subtotal", "total"]


def test_docx_table_going_on_after_a_page_break() -> None:
    """A Word sheet in two tables (the second without a header): both are read."""
    import docx
    d = docx.Document()
    t = d.add_table(rows=1, cols=6)
    for c, h in enumerate(HEADER):
        t.rows[0].cells[c].text = h
    for row in GOOD[:2]:
        cells = t.add_row().cells
        for c, v in enumerate(row):
            cells[c].text = str(v)
    d.add_paragraph("（续表）")
    t2 = d.add_table(rows=0, cols=6)
    for row in [GOOD[2], ["合计", "", "", "", "26", ""]]:
        cells = t2.add_row().cells
        for c, v in enumerate(row):
            cells[c].text = str(v)
    buf = io.BytesIO()
    d.save(buf)
    sheet = parse_document(sheet_item(buf.getvalue(), "docx", "评分表.docx").pages[0].doc, CAT)
    assert [r.catalogue_id for r in sheet.item_rows] == ["paper", "patent", "standard"]
    assert sheet.stated_total == 26 == sheet.total


@pytest.mark.parametrize("token,members", [
    ("论文1-3", ["论文1", "论文2", "论文3"]), ("论文一至论文三", ["论文一", "论文二", "论文三"]),
    ("P1-P3", ["P1", "P2", "P3"]), ("专利-1～3", ["专利-1", "专利-2", "专利-3"]),
    ("08考核2021.jpg~08考核2025.jpg", [f"08考核{y}.jpg" for y in range(2021, 2026)]),
    ("12-年度考核/2021.jpg~2025.jpg", [f"12-年度考核/{y}.jpg" for y in range(2021, 2026)]),
    # the folder written once, before the first member only
    ("十一、年度考核/08考核2021.jpg~08考核2025.jpg", [f"十一、年度考核/08考核{y}.jpg" for y in range(2021, 2026)]),
    ("2024~2026年度学时卡.png", ["2024年度学时卡.png", "2025年度学时卡.png", "2026年度学时卡.png"]),
    ("T-ZZB 3125-2023", None), ("01-学历学位", None), ("论文3-1", None),
])
def test_expand_range(token: str, members: list[str] | None) -> None:
    from zjcheck.scoresheet.refs import expand_range
    assert expand_range(token) == members


def test_range_references_resolve_member_by_member() -> None:
    ev = _evidence_all()
    good = resolve("05-继续教育/2024年度继续教育学时登记卡.png~2026年度继续教育学时登记卡.png", CAT, ev, _docs(ev))
    assert good.kind == "range" and good.items == ["cont_edu-2024", "cont_edu-2025", "cont_edu-2026"] and not good.problem
    bad = resolve("05-继续教育/2023年度继续教育学时登记卡.png~2026年度继续教育学时登记卡.png", CAT, ev, _docs(ev))
    assert bad.problem and bad.sure and "2023年度继续教育学时登记卡.png" in bad.problem and len(bad.items) == 3
    tags = resolve("论文1-2", CAT, ev, _docs(ev))
    assert tags.items == ["paper-1", "paper-2"] and not tags.problem
    assert resolve("论文1-3", CAT, ev, _docs(ev)).problem


def test_folder_names_with_separators_stay_whole() -> None:
    assert split_refs("五、论文/论文一、五、论文/论文二", ["五、论文", "论文一"]) == ["五、论文/论文一", "五、论文/论文二"]
    ev = [make_item("paper", [("摘要", ["body"])], "paper-1", rel="五、论文/论文一/正文.pdf"),
          make_item("paper", [("摘要", ["body"])], "paper-2", rel="五、论文/论文二/正文.pdf")]
    ref = resolve("陈思远申报材料/五、论文/论文二", CAT, ev, _docs(ev))       # the applicant's own top folder
    assert ref.items == ["paper-2"] and not ref.problem


def test_tag_number_follows_the_folder_name() -> None:
    """论文三 is the item in the folder 论文三, whatever order the paths sort in (三 < 二 in Unicode)."""
    ev = [make_item("paper", [("摘要", ["body"])], f"paper-{i}", rel=f"五、论文/论文{cn}/正文.pdf")
          for i, cn in enumerate("三二一", 1)]
    assert resolve("论文三", CAT, ev, _docs(ev)).items == ["paper-1"]
    assert resolve("论文一", CAT, ev, _docs(ev)).items == ["paper-3"]


def test_references_we_cannot_follow_are_not_errors() -> None:
    """Platform words name nothing in the folder; a reference we cannot read
    or a title not found in the read text is "could not verify", never SCO004."""
    found, _, _ = run([[1, "论文", "", 12, 10, "系统自动提取"], GOOD[1], GOOD[2]])
    assert not [f for f in found if f.severity != "info"]
    found, _, _ = run([[1, "论文", "", 12, 10, "见附件；一种不存在的论文题目研究"], GOOD[1], GOOD[2]])
    assert codes(found) == ["GEN012", "GEN012"] and all(f.data["would_be"] == "SCO004" for f in found)


def test_count_beyond_items_is_unsure_when_a_page_may_be_one() -> None:
    """论文-3 with two papers found: SCO004 — unless a page of the package may be a third paper."""
    found, _, _ = run([[1, "论文", "", 15, 15, "论文-1~3"], GOOD[1], GOOD[2]])
    assert codes(found) == ["SCO004"]
    ev = evidence()
    stray = make_item("other", [("期刊 目次 第3期", ["unknown"])], "other-1", rel="06-论文/扫描0003.jpg")
    stray.pages[0].alternatives["paper"] = (8.0, "toc")
    found, _, _ = run([[1, "论文", "", 15, 15, "论文-1~3"], GOOD[1], GOOD[2]], items=[*ev, stray])
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "SCO004"


def _sheet_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sheet_without_reference_column() -> None:
    """No 系统佐证目录 column at all: one SCO003 for the sheet; a header
    column we do not know could be it: "could not verify"."""
    rows = [[1, "论文", 12, 10], [2, "专利", 12, 10], [3, "标准", 8, 6]]
    found = _judge(_sheet_bytes(["序号", "评价项目", "分值", "自评分"], rows), evidence())
    assert codes([f for f in found if f.severity != "info"]) == ["SCO003"] and "3 个" in found[-1].message
    found = _judge(_sheet_bytes(["序号", "评价项目", "分值", "自评分", "页码"],
                                [[*r, "第3页"] for r in rows]), evidence())
    assert not [f for f in found if f.severity != "info"]
    assert any("页码" in f.message for f in found)


def test_typed_sheet_without_known_header_is_not_a_missing_sheet() -> None:
    found = _judge(_sheet_bytes(["No.", "名称", "分"], [[1, "论文", 10]]), evidence())
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "SCO001"


def _ocr_lines(key: str) -> list:
    import json
    from pathlib import Path
    data = json.loads((Path(__file__).parent / "data" / "score_sheet_ocr_lines.json").read_text("utf-8"))
    return [(t, tuple(b), c) for t, b, c in data["lines"][key]]


@pytest.mark.parametrize("key,rows", [
    ("scan-ruled-form/rapidocr", [("education", 8, 8), ("tenure", 12, 11), ("cont_edu", 5, 5), ("assessment", 5, 5),
                                  ("project", 25, 16), ("paper", 12, 10), ("patent", 10, 8), ("standard", 8, 6),
                                  ("book", 7, 5), ("honor", 8, 5)]),
    ("three-line/rapidocr", [("education", 8, 8), ("tenure", 10, 10), ("cont_edu", 5, 5), ("project", 20, 16),
                             ("patent", 12, 10), ("standard", 8, 6), ("honor", 8, 5), ("paper", 12, 10), ("book", 7, 5),
                             ("assessment", 5, 5), ("summary", 5, 4)]),
])
def test_ocr_table_rebuilt_from_real_lines(key: str, rows: list[tuple[str, float, float]]) -> None:
    """Real OCR lines of the rendered scans (RapidOCR joins a row's cells into
    one line, wrapped cells out of order): every row's cap and score land in
    their columns, and the sheet's totals confirm them."""
    from zjcheck.scoresheet.model import confirm
    grid, _ = grid_from_lines(_ocr_lines(key))
    sheet = ScoreSheet("x.pdf", "ocr", page=1)
    rows_from_grid(grid, CAT, sheet)
    confirm(sheet)
    assert [(r.catalogue_id, r.cap, r.score) for r in sheet.item_rows] == rows
    assert sheet.stated_total == sheet.total and sheet.stated_cap_total == 100
    assert all(r.facts["score"].strong and r.facts["cap"].strong for r in sheet.item_rows)
    assert not any(r.facts["refs"].strong for r in sheet.item_rows)          # references are never confirmed


@pytest.mark.parametrize("key", ["scan-ruled-form/tesseract", "three-line/tesseract"])
def test_ocr_table_read_poorly_stays_unsure(key: str) -> None:
    """Tesseract reads these scans poorly: whatever the rebuilt table holds,
    no score is sure (the totals do not confirm it), so nothing can be an error."""
    from zjcheck.scoresheet.model import confirm
    grid, _ = grid_from_lines(_ocr_lines(key))
    sheet = ScoreSheet("x.pdf", "ocr", page=1)
    rows_from_grid(grid, CAT, sheet)
    confirm(sheet)
    assert not any(f.strong for r in sheet.item_rows for f in r.facts.values())


@pytest.mark.ocr
def test_word_indicator_family(checked) -> None:  # type: ignore[no-untyped-def]
    """compliant-b's Word sheet: 学历资历 one row for two items, 项目业绩 sub-rows
    under one 满分, 小计 rows left out, the second table read on."""
    r = checked("compliant-b")
    assert not [f for f in r["findings"] if f["material"] == "score_sheet" and f["severity"] != "info"]
    facts = _sheet_facts(r)
    assert facts["source"] == "docx" and facts["total"] == facts["stated_total"]
    rows = [x for x in facts["rows"] if x["kind"] == "item"]
    assert rows[0]["catalogue_items"] == ["education", "tenure"]
    proj = [x for x in rows if x["catalogue_item"] == "project"]
    assert len(proj) == 2 and proj[1]["cap_shared_with"] == proj[0]["line"]
    assert [x["kind"] for x in facts["rows"]].count("subtotal") == 2
    assert any(x["kind"] == "range" and not x["problem"] for row in rows for x in row["refs"])
    gap = {g["item"]: g for g in r["gap"]}
    assert gap["tenure"]["cited"] >= 1 and gap["cont_edu"]["cited"] == 3


@pytest.mark.ocr
def test_scanned_form_family(checked) -> None:  # type: ignore[no-untyped-def]
    r = checked("compliant-c")
    assert not [f for f in r["findings"] if f["material"] == "score_sheet" and f["severity"] != "info"]
    facts = _sheet_facts(r)
    assert facts["source"] == "ocr" and facts["header_found"]


@pytest.mark.ocr
@pytest.mark.parametrize("name,code", [("score_docx_over_cap", "SCO002"), ("score_docx_range_missing", "SCO004"),
                                       ("score_docx_no_refs", "SCO003")])
def test_defects_on_the_word_family(checked, name: str, code: str) -> None:  # type: ignore[no-untyped-def]
    r = checked(name)
    assert code in _codes(r)
    f = next(f for f in r["findings"] if f["code"] == code)
    assert f["path"].endswith(".docx") and f["item"] in ("cont_edu", "standard")


@pytest.mark.ocr
def test_defect_on_the_scanned_form(checked) -> None:  # type: ignore[no-untyped-def]
    """论文 15 points where the printed row allows 12: an error where the OCR'd
    totals confirm the numbers (RapidOCR); never a silent pass."""
    import os
    r = checked("score_scan_over_cap")
    hits = [f for f in r["findings"] if f["item"] == "paper" and
            (f["code"] == "SCO002" or (f.get("data") or {}).get("would_be") == "SCO002")]
    if os.environ.get("ZJCHECK_OCR", "auto") in ("auto", "rapidocr"):
        assert hits and hits[0]["code"] == "SCO002" and hits[0]["severity"] == "error"
    else:       # Tesseract garbles this scan's rows: the rows it could not map are said to be unchecked
        assert hits or any(f["code"] == "GEN012" and f["material"] == "score_sheet" and "未能核对" in f["message"]
                           for f in r["findings"])


def test_letter_tag_in_another_items_row_is_unsure() -> None:
    """P3 is the third patent in the 专利 row; in a paper's row it is more likely a page number."""
    ev = evidence()
    assert resolve("P3", CAT, ev, _docs(ev), CAT.item("patent")).sure
    ref = resolve("P3-P5", CAT, ev, _docs(ev), CAT.item("paper"))
    assert ref.problem and not ref.sure


def test_caps_of_the_init_template_are_the_catalogues() -> None:
    """The blank sheet `zjcheck init` writes prints the catalogue's reference
    caps: a score above one is "could not verify", not SCO002."""
    from zjcheck.init import sheet_bytes
    wb = openpyxl.load_workbook(io.BytesIO(sheet_bytes(CAT, ["06-论文"])))
    ws = wb.active
    for row in ws.iter_rows(min_row=5):
        if row[1].value == "论文":
            row[4].value, row[5].value = 18, "论文-1、论文-2"        # the catalogue's 论文 cap is 15
    buf = io.BytesIO()
    wb.save(buf)
    found = _judge(buf.getvalue(), evidence()[:2])
    assert not [f for f in found if f.severity != "info"]
    assert any("参考值" in f.message and f.item == "paper" for f in found)


def test_a_heading_naming_an_item_is_no_unscored_row() -> None:
    """"业绩成果" alone on its row heads the rows below (论文, 专利): it is no
    项目 row left unscored, even though 业绩 names 项目."""
    rows = [[None, "业绩成果", None, None, None, None], *GOOD]
    proj = make_item("project", [("技术开发合同", ["cover"])], "project-1", rel="10-项目/项目1.pdf")
    found, _, shared = run(rows, items=[*evidence(), proj])
    assert shared["score_sheet"].rows[0].kind == "section"
    assert [f.code for f in found if f.severity != "info"] == ["SCO002"] and "评分表中没有该项" in found[0].message


def test_sco001_not_when_a_page_may_be_the_sheet() -> None:
    """No sheet recognised, but a page read as something else could be it (its
    second reading): "could not verify", not "no sheet"."""
    page = make_item("other", [("序 号 评 价 项 目 合 计", ["other"])], "other-1", rel="扫描件/IMG_0001.jpg")
    page.pages[0].alternatives["score_sheet"] = (page.pages[0].score - 1, "sheet")
    found = list(sco.check([], make_context([*evidence(), page])))
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "SCO001"


def test_gap_shows_the_cap_the_sheet_prints() -> None:
    from zjcheck.pipeline import gap_table
    ce = [4, "继续教育", "", 5, 5, "05-继续教育"]
    _, _, shared = run([[1, "学历资历", "", 20, 18, "01-学历学位、02-职称"], *GOOD, ce], items=_evidence_all())
    claims = assess(shared["score_sheet"], CAT, [])
    assert claims["education"].cap == 20 and claims["paper"].cap == 12
    rows = {g.item: g for g in gap_table(CAT, _evidence_all(), [], {"education", "paper"}, claims)}
    assert rows["education"].cap == 20 and rows["paper"].cap == 12 and rows["book"].cap == CAT.item("book").cap


def test_word_family_in_a_layout_with_enumerated_folders() -> None:
    """The Word family rendered for a package laid out as 一、学历学位证书/…,
    五、论文/论文一/… (LAYOUT_B): its references — lists of files whose folder
    names hold 、, a file range, tag ranges — all resolve, and nothing is an error."""
    from fixtures.families import LAYOUT_B, PackageContext
    from fixtures.families import score_sheet as fam
    from fixtures.files import FileEntry
    from fixtures.render.profile import APPLICANT_B
    paths = {
        "education": [("education-1", "一、学历学位证书/学位证书.jpg"), ("education-1", "一、学历学位证书/学历备案表.pdf")],
        "title": [("title-1", "二、现任职称证书及聘书/工程师资格证书.jpg")],
        "cont_edu": [(f"cont_edu-{y}", f"四、继续教育证书/{y}年度继续教育学时登记卡.png") for y in (2024, 2025, 2026)],
        "paper": [("paper-1", "五、论文/论文一/封面.jpg"), ("paper-1", "五、论文/论文一/正文.pdf"),
                  ("paper-2", "五、论文/论文二/正文.pdf")],
        "patent": [("patent-1", "七、专利/专利一.jpg"), ("patent-2", "七、专利/专利二.jpg")],
        "standard": [("standard-1", "八、标准/T-ZZB 3125-2023.pdf")],
        "project": [("project-1", "九、项目业绩/项目一/合同.pdf"), ("project-1", "九、项目业绩/项目一/盖章页.jpg"),
                    ("project-2", "九、项目业绩/项目二.pdf")],
        "honor": [("honor-1", "十、获奖证书/科技进步奖.jpg")],
        "book": [("book-1", "六、著作/封面.jpg")],
        "assessment": [(f"assessment-{y}", f"十一、年度考核/{y}年度考核表.jpg") for y in range(2021, 2026)],
    }
    files = [FileEntry(p, b"", "image", [{"material": m, "item": i}]) for m, ps in paths.items() for i, p in ps]
    entry = fam.render_docx_indicator(PackageContext(APPLICANT_B, LAYOUT_B, 1, files))[0]
    items: dict[str, Item] = {}
    for m, ps in paths.items():
        for i, p in ps:
            it = make_item(m, [("x", ["x"])], i, rel=p)
            if i in items:
                items[i].pages.append(it.pages[0])
                it.pages[0].item_id = i
            else:
                items[i] = it
    found = _judge(entry.data, list(items.values()), "docx", entry.path)
    assert not [f for f in found if f.severity != "info"], [f.message for f in found]
    assert not [f for f in found if f.data.get("would_be")], [f.message for f in found]
