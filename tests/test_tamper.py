"""Signs of editing (issue 21): TMP001–TMP005.

Each code has a pure test that fails when its check is removed (readers on
files built here, the checker on pages with marks), and a test of where it
stays silent on purpose.  The edited fixture packages (fixtures/variants/
tamper.py) are checked end to end by tests/test_exact.py.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from fixtures.variants import tamper as fx
from fixtures.render.profile import DEFAULT
from tests.util import codes, make_page
from zjcheck.model import Page, Seal
from zjcheck.tamper import codes as barcodes
from zjcheck.tamper import image, pdf, seals
from zjcheck.tamper.inspect import InspectTask, inspect_page, points_to_pixels
from zjcheck_checks import tamper as checker


def _with_marks(page: Page, marks: dict[str, Any], kind: str = "pdf", source: str | None = None) -> Page:
    page.content.marks = marks
    page.doc.file.kind = kind
    if source:
        page.content.source = source     # type: ignore[assignment]
    page.content.width, page.content.height = 827, 1170
    return page


# ---------------------------------------------------------------- TMP001

def test_payload_fields() -> None:
    f = barcodes.fields("https://www.chsi.com.cn/xlcx/bg.do?vcode=A7K3M9Q2T5W8X4R6&srcid=bgcx")
    assert [(x.kind, x.value) for x in f] == [("验证码", "A7K3M9Q2T5W8X4R6")]
    inv = {x.kind: x.value for x in barcodes.fields("01,10,033001900111,12345678,1000.00,20230301,12345678901234567890,ABCD,")}
    assert inv == {"发票号码": "12345678", "开票日期": "20230301", "发票代码": "033001900111", "金额": "1000.00"}
    assert {x.kind for x in barcodes.fields("姓名：周建华\n证书编号：浙人社证2023-J-0352918")} == {"姓名", "证书编号"}
    assert [x.kind for x in barcodes.fields('{"xm": "周建华", "zsbh": "123456"}')] == ["姓名", "证书编号"]
    assert barcodes.fields("9787111234567")[0].kind == "ISBN"
    # an address alone states nothing
    assert barcodes.fields("https://zwfw.zj.gov.cn/verify/abcdef") == []
    assert barcodes.fields("weixin://dl/business/?t=xyz") == []


def test_decode_reads_a_real_qr_with_its_box() -> None:
    png = fx._qr_png("A7K3M9Q2T5W8X4R6")
    page = Image.new("RGB", (800, 1000), "white")
    page.paste(Image.open(io.BytesIO(png)), (500, 600))
    got = barcodes.decode(page)
    assert got and "vcode=A7K3M9Q2T5W8X4R6" in got[0]["text"]
    x0, y0, x1, y1 = got[0]["box"]
    assert 500 <= x0 < x1 <= 800 and 600 <= y0 < y1 <= 900
    # the quick search (a page the reader did not turn) still finds a QR code at any angle
    for angle in (90, 180, 7):
        turned = page.rotate(angle, expand=True, fillcolor="white")
        assert "vcode=A7K3M9Q2T5W8X4R6" in barcodes.decode(turned, turned=False)[0]["text"]


RECORD_TEXT = "教育部学历证书电子注册备案表\n姓名 周建华 性别 男\n在线验证码：A7K3M9Q2T5W8X4R6\n本备案表在线验证有效期至2026年12月18日"
URL = "https://www.chsi.com.cn/xlcx/bg.do?vcode={}&srcid=bgcx"


def _record_page(text: str = RECORD_TEXT, payload: str = URL.format("M2Q8T4W6B1K9X3R7"), source: str = "pdf-text",
                 conf: float = 95.0) -> Page:
    page = make_page(text, ["xueli_record"], "education", rel="01/备案表.pdf", source=source, conf=conf)
    return _with_marks(page, {"codes": [{"format": "QRCode", "text": payload, "box": [600, 560, 740, 700]}]})


def test_tmp001_qr_vcode_differs_from_the_printed_one() -> None:
    found = checker.qr_findings(_record_page())
    assert codes(found) == ["TMP001"]
    assert found[0].data["payload_value"] == "M2Q8T4W6B1K9X3R7" and found[0].data["printed"] == "A7K3M9Q2T5W8X4R6"
    assert found[0].severity == "warning" and found[0].data["boxes"][0] == [600, 560, 740, 700]


def test_tmp001_silent_where_it_should_be() -> None:
    assert checker.qr_findings(_record_page(payload=URL.format("A7K3M9Q2T5W8X4R6"))) == []      # they agree
    assert checker.qr_findings(_record_page(payload="https://www.chsi.com.cn/")) == []            # an address only
    # on a scan, one character off is a misread, not an edit
    assert checker.qr_findings(_record_page(payload=URL.format("A7K3M9Q2T5W8X4RB"), source="ocr")) == []
    assert checker.qr_findings(_record_page(payload=URL.format("A7K3M9O2T5W8X4R6"), source="ocr")) == []   # Q read as O
    # … but the same difference on a text layer is what it is
    assert codes(checker.qr_findings(_record_page(payload=URL.format("A7K3M9O2T5W8X4R6")))) == ["TMP001"]
    # the printed code not read surely: could not verify, no warning
    weak = checker.qr_findings(_record_page(source="ocr", conf=40.0))
    assert codes(weak) == ["GEN012"] and weak[0].data["would_be"] == "TMP001"


def test_tmp001_invoice_amount_and_number() -> None:
    text = "浙江增值税电子普通发票\n发票代码：033001900111\n发票号码：12345678\n开票日期：2023年03月01日\n合 计 ¥1800.00 ¥108.00"
    page = make_page(text, ["amount"], "project", source="pdf-text")
    payload = "01,10,033001900111,12345678,1000.00,20230301,12345678901234567890,ABCD,"
    _with_marks(page, {"codes": [{"format": "QRCode", "text": payload, "box": [1, 1, 50, 50]}]})
    found = checker.qr_findings(page)
    assert codes(found) == ["TMP001"] and found[0].data["field"] == "金额"
    page.content.text = page.content.text.replace("1800.00", "1000.00")
    assert checker.qr_findings(page) == []
    # on a scan, one digit off is a misread (1000.00 read as 1600.00), not another amount
    page.content.text = page.content.text.replace("1000.00", "1600.00")
    page.content.source = "ocr"                          # type: ignore[assignment]
    assert checker.qr_findings(page) == []
    page.content.source = "pdf-text"                     # type: ignore[assignment]
    assert codes(checker.qr_findings(page)) == ["TMP001"]


# ---------------------------------------------------------------- TMP002 / TMP004 (PDF)

@pytest.fixture(scope="module")
def record_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("records")
    clean = fx.record_pdf(DEFAULT)
    edited = fx.edited_in_place(fx.record_pdf(DEFAULT, name="周建明"), fx.record_pdf(DEFAULT, name_font="kai"))
    out = {"clean": d / "clean.pdf", "edited": d / "edited.pdf"}
    out["clean"].write_bytes(clean)
    out["edited"].write_bytes(edited)
    return out


def test_revisions_and_changed_page(record_pdfs: dict[str, Path]) -> None:
    assert "changed" not in pdf.file_marks(str(record_pdfs["clean"]))
    fm = pdf.file_marks(str(record_pdfs["edited"]))
    assert fm["revisions"] == 2 and fm["producer"].startswith("Foxit")
    change = fm["changed"]["0"]
    assert [x["text"] for x in change["removed"]] == ["周建明"] and [x["text"] for x in change["added"]] == ["周建华"]


def test_linearized_first_trailer_is_no_revision() -> None:
    body = b"%PDF-1.5\n1 0 obj<</Linearized 1/L 200>>endobj\nxref\ntrailer<<>>\nstartxref\n0\n%%EOF\n"
    data = body + b"x" * (200 - len(body) - 6) + b"%%EOF\n"
    assert pdf.revision_ends(data) == [200]
    assert len(pdf.revision_ends(data + b"2 0 obj<<>>endobj\nstartxref\n9\n%%EOF\n")) == 2


def test_tmp002_and_tmp004_on_the_edited_record(record_pdfs: dict[str, Path]) -> None:
    def page_of(name: str) -> Page:
        path = str(record_pdfs[name])
        marks = inspect_page(InspectTask((0, 0), path, "pdf", 0, True, "pdf-text", (827, 1170), 100, 0, ()))
        page = make_page("教育部学历证书电子注册备案表 姓名 周建华", ["xueli_record"], "education", rel="备案表.pdf",
                         source="pdf-text")
        return _with_marks(page, marks)
    edited = checker.pdf_findings(page_of("edited").doc)
    assert sorted(set(codes(edited))) == ["TMP002", "TMP004"]
    revision = next(f for f in edited if "修订" in f.message)
    assert "删去“周建明”" in revision.message and revision.data["boxes"]
    assert checker.pdf_findings(page_of("clean").doc) == []
    # a work summary changed after export is normal work on a draft
    summary = page_of("edited")
    summary.material, summary.parts = "summary", ["summary"]
    assert checker.pdf_findings(summary.doc) == []


def test_tmp002_pages_added_later_only_matter_on_issued_documents() -> None:
    fm = {"revisions": 2, "base": 100, "changed": {"pages": {"before": 1, "after": 3}}}
    scan = _with_marks(make_page("技术开发合同", ["cover"], "project", source="ocr"), {"file": fm})
    assert checker.pdf_findings(scan.doc) == []               # a scan completed with more pages
    issued = _with_marks(make_page("备案表", ["xueli_record"], "education", source="pdf-text"), {"file": fm})
    assert codes(checker.pdf_findings(issued.doc)) == ["TMP002"]
    # an update that changed what an existing page shows matters on a scan too (a pasted image)
    fm2 = {"revisions": 2, "base": 100, "changed": {"0": {"removed": [], "page_box": [0, 0, 595, 842],
                                                          "added": [{"kind": "image", "text": "", "box": [1, 2, 3, 4]}]}}}
    scan.content.marks["file"] = fm2
    found = checker.pdf_findings(scan.doc)
    assert codes(found) == ["TMP002"] and "图片" in found[0].message


def test_tmp002_text_over_a_white_box(tmp_path: Path) -> None:
    from fixtures.render.writers import new_text_pdf
    doc = new_text_pdf()
    doc.add_page()                      # type: ignore[attr-defined]
    doc.set_font("serif", "", 12)       # type: ignore[attr-defined]
    doc.set_xy(30, 40)                  # type: ignore[attr-defined]
    doc.cell(40, 8, "姓名：周建明")       # type: ignore[attr-defined]
    doc.set_fill_color(255, 255, 255)   # type: ignore[attr-defined]
    doc.rect(44, 40, 30, 8, style="F")  # type: ignore[attr-defined]
    doc.set_xy(46, 40)                  # type: ignore[attr-defined]
    doc.cell(20, 8, "周建华")             # type: ignore[attr-defined]
    path = tmp_path / "covered.pdf"
    path.write_bytes(bytes(doc.output()))  # type: ignore[attr-defined]
    cov = pdf.page_marks(str(path), 0)["covered"]
    assert len(cov) == 1 and "周建明" in cov[0]["under"] and cov[0]["over"] == "周建华"
    page = _with_marks(make_page("x", ["xueli_record"], "education", source="pdf-text"),
                       {"covered": [{**cov[0], "box": [1, 2, 3, 4]}]})
    assert codes(checker.pdf_findings(page.doc)) == ["TMP002"]


def test_tmp002_editor_producer_only_on_system_documents() -> None:
    page = _with_marks(make_page("备案表", ["xueli_record"], "education", source="pdf-text"),
                       {"file": {"producer": "Foxit PDF Editor 12.1", "created": "D:2026", "modified": "D:2026"}})
    assert codes(checker.pdf_findings(page.doc)) == ["TMP002"]
    page.material, page.parts = "project", ["cover"]          # a contract the applicant saved in an editor
    assert checker.pdf_findings(page.doc) == []
    page.material, page.parts = "education", ["xueli_record"]
    page.content.marks["file"]["producer"] = "iText 5.5.13"
    assert checker.pdf_findings(page.doc) == []


def test_font_candidates() -> None:
    def run(text: str, font: str, x: float, y: float) -> dict[str, Any]:
        return {"text": text, "font": font, "box": [x, y, x + 10 * len(text), y + 10]}
    rows = [("姓名", "周建华"), ("性别", "男"), ("证件号码", "330106198503120319"), ("学校名称", "浙江工业大学"),
            ("专业", "机械设计制造及其自动化")]
    runs = []
    for k, (label, value) in enumerate(rows):
        runs.append(run(label, "AAAAAA+Sans", 50, 700 - 30 * k))
        runs.append(run(value, "AAAAAA+Kai" if k == 0 else "AAAAAA+Serif", 150, 700 - 30 * k))
    got = pdf.font_candidates(runs)
    assert [(c["value"], c["font"], c["usual"]) for c in got] == [("周建华", "AAAAAA+Kai", "AAAAAA+Serif")]
    runs[1]["font"] = "AAAAAA+Serif"
    assert pdf.font_candidates(runs) == []
    # labels and values in two faces throughout (楷体 values, 宋体 labels): a design, not an edit
    for r in runs[1::2]:
        r["font"] = "AAAAAA+Kai"
    assert pdf.font_candidates(runs) == []


def test_font_candidates_lone_number_in_a_latin_face() -> None:
    """Generators that set digits in a Latin face of their own: the one number
    of a page whose usual face sets only Chinese is no sign."""
    def run(text: str, font: str, x: float, y: float) -> dict[str, Any]:
        return {"text": text, "font": font, "box": [x, y, x + 10 * len(text), y + 10]}
    rows = [("姓名", "周建华", "A+Song"), ("性别", "男", "A+Song"), ("证书编号", "330106198503120319", "B+Arial"),
            ("学校名称", "浙江工业大学", "A+Song"), ("专业", "机械设计制造及其自动化", "A+Song")]
    runs = []
    for k, (label, value, font) in enumerate(rows):
        runs.append(run(label, "A+Hei", 50, 700 - 30 * k))
        runs.append(run(value, font, 150, 700 - 30 * k))
    assert pdf.font_candidates(runs) == []
    # … but where the usual face sets digits too (a date), a number in another face stands out
    runs[3]["text"] = "1985年03月12日"
    assert [c["value"] for c in pdf.font_candidates(runs)] == ["330106198503120319"]


def test_revision_that_only_adds_an_ocr_layer_or_highlights_is_no_change(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    from fixtures.render.writers import new_text_pdf
    doc = new_text_pdf()
    doc.add_page()                      # type: ignore[attr-defined]
    doc.set_font("serif", "", 12)       # type: ignore[attr-defined]
    doc.set_xy(30, 40)                  # type: ignore[attr-defined]
    doc.cell(60, 8, "作者：周建华 浙江恒锐机电科技有限公司")       # type: ignore[attr-defined]
    original = bytes(doc.output())      # type: ignore[attr-defined]

    def update(edit: Any) -> dict[str, Any]:
        writer = PdfWriter(PdfReader(io.BytesIO(original)), incremental=True)
        edit(writer)
        out = io.BytesIO()
        writer.write(out)
        path = tmp_path / "updated.pdf"
        path.write_bytes(out.getvalue())
        return pdf.file_marks(str(path))

    def highlight(writer: PdfWriter) -> None:
        quad = ArrayObject([FloatObject(v) for v in (80, 760, 200, 760, 80, 745, 200, 745)])
        writer.add_annotation(0, Highlight(rect=(80, 745, 200, 760), quad_points=quad))

    fm = update(highlight)
    assert fm["revisions"] == 2 and fm.get("changed") == {}

    def ocr_layer(writer: PdfWriter) -> None:        # invisible text (render mode 3) appended to the page
        page = writer.pages[0]
        font = page["/Resources"]["/Font"]
        name = next(iter(font))
        stream = DecodedStreamObject()
        stream.set_data(f"BT 3 Tr {name} 12 Tf 80 700 Td <0001> Tj ET".encode())
        contents = page.get_contents()
        assert contents is not None
        both = ArrayObject([writer._add_object(DecodedStreamObject.initialize_from_dictionary(
            {"__streamdata__": contents.get_data()})), writer._add_object(stream)])
        page[NameObject("/Contents")] = both
    assert update(ocr_layer).get("changed") == {}

    def visible(writer: PdfWriter) -> None:          # the same text, shown: that is a change
        page = writer.pages[0]
        name = next(iter(page["/Resources"]["/Font"]))
        stream = DecodedStreamObject()
        stream.set_data(f"BT {name} 12 Tf 80 700 Td <0001> Tj ET".encode())
        contents = page.get_contents()
        assert contents is not None
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(DecodedStreamObject.initialize_from_dictionary(
            {"__streamdata__": contents.get_data()})), writer._add_object(stream)])
    assert "0" in update(visible)["changed"]


def test_tmp004_only_for_names_dates_numbers_on_system_documents() -> None:
    cand = {"label": "姓名", "value": "周建华", "font": "B+Kai", "usual": "A+Serif", "label_font": "A+Serif",
            "same_family": False, "box": [1, 2, 3, 4]}
    page = _with_marks(make_page("备案表", ["xueli_record"], "education", source="pdf-text"), {"fonts": [cand]})
    assert codes(checker.pdf_findings(page.doc)) == ["TMP004"]
    page.content.marks["fonts"] = [{**cand, "label": "备注", "value": "无"}]
    assert checker.pdf_findings(page.doc) == []
    page.content.marks["fonts"] = [cand]
    page.material, page.parts = "summary", ["summary"]
    assert checker.pdf_findings(page.doc) == []


# ---------------------------------------------------------------- TMP003

def _jpeg(im: Image.Image, quality: int, **kw: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def scan() -> Image.Image:
    """A scan-like page: text strokes, paper grain."""
    from fixtures.render import effects
    from fixtures.render.canvas import Page as Canvas
    pg = Canvas(dpi=150)
    for k in range(18):
        pg.text(20, 20 + 12 * k, "专业技术职务任职资格证书 编号 2023-J-0352918 浙江省人力资源和社会保障厅", 12)
    return effects.scan(pg.finish("title", ["certificate"], "title-1"), "tamper-test").image


def test_double_compression(tmp_path: Path, scan: Image.Image) -> None:
    once = tmp_path / "once.jpg"
    once.write_bytes(_jpeg(scan, 80))
    assert image.file_marks(str(once)).get("double") is None
    twice = tmp_path / "twice.jpg"
    twice.write_bytes(_jpeg(Image.open(io.BytesIO(_jpeg(scan, 75))), 95))
    got = image.file_marks(str(twice))["double"]
    assert got and len(got["frequencies"]) >= image.MIN_FREQS
    # saved again coarser (a chat app): no gaps, not reported
    coarser = tmp_path / "coarser.jpg"
    coarser.write_bytes(_jpeg(Image.open(io.BytesIO(_jpeg(scan, 95))), 75))
    assert image.file_marks(str(coarser)).get("double") is None


def test_tmp003_editor_software_and_exempt_parts(tmp_path: Path, scan: Image.Image) -> None:
    path = tmp_path / "cert.jpg"
    path.write_bytes(fx.photoshop_resave(_jpeg(scan, 85)))
    fm = image.file_marks(str(path))
    assert fm["software"].startswith("Adobe Photoshop") and any("Photoshop" in t for t in fm["xmp_tools"])
    page = _with_marks(make_page("任职资格证书", ["certificate"], "title", rel="cert.jpg"), {"file": fm}, kind="image")
    found = checker.image_findings(page.doc)
    assert codes(found) == ["TMP003"] and "Photoshop" in found[0].message
    page.material, page.parts = "paper", ["cnki"]        # a screenshot marked up in an editor: nothing to say
    assert checker.image_findings(page.doc) == []
    page.material, page.parts = "title", ["certificate"]
    page.content.marks["file"] = {"software": "MI 9 HDR+", "quality": 92}      # camera firmware
    assert checker.image_findings(page.doc) == []


def _with_app13(jpeg: bytes, resources: dict[int, bytes]) -> bytes:
    """`jpeg` with a Photoshop image resource block (APP13) holding `resources`."""
    import struct
    body = b"Photoshop 3.0\x00"
    for code, data in resources.items():
        body += b"8BIM" + struct.pack(">H", code) + b"\x00\x00" + struct.pack(">I", len(data)) + data
        if len(data) % 2:
            body += b"\x00"
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def test_tmp003_photoshop_resource_block_only_when_photoshop_wrote_it(tmp_path: Path, scan: Image.Image) -> None:
    import struct
    plain = _jpeg(scan, 85)
    name = "Adobe Photoshop".encode("utf-16-be")
    version = struct.pack(">I", 1) + b"\x01" + struct.pack(">I", 15) + name + struct.pack(">I", 0) + struct.pack(">I", 1)
    page = _with_marks(make_page("任职资格证书", ["certificate"], "title", rel="cert.jpg"), {}, kind="image")
    path = tmp_path / "irb.jpg"
    path.write_bytes(_with_app13(plain, {0x0421: version}))
    page.content.marks["file"] = image.file_marks(str(path))
    found = checker.image_findings(page.doc)
    assert codes(found) == ["TMP003"] and "Adobe Photoshop" in found[0].message
    # IPTC captions alone (0x0404): written by catalogue and scanner tools too
    path.write_bytes(_with_app13(plain, {0x0404: b"\x1c\x02\x00\x00\x02\x00\x04"}))
    page.content.marks["file"] = image.file_marks(str(path))
    assert checker.image_findings(page.doc) == []


# ---------------------------------------------------------------- TMP005

@pytest.fixture(scope="module")
def imprints() -> dict[str, dict[str, Any]]:
    """One seal pasted on two scanned pages, and two stampings of the same seal."""
    from fixtures.render import effects
    from fixtures.render.canvas import Page as Canvas
    from fixtures.render.seal import round_seal, stamp_mm
    from zjcheck.imaging import seal as detector
    name = "浙江恒锐机电科技有限公司"
    one, other = round_seal(name, 200, "tmp-a", diameter_mm=42), round_seal(name, 200, "tmp-b", diameter_mm=42)
    out = {}
    for key, s, angle in (("pasted-1", one, 5), ("pasted-2", one, 5), ("stamped", other, 5)):
        pg = Canvas(dpi=200)
        pg.text(30, 150, f"甲方（盖章）： {key}", 12)
        stamp_mm(pg, s, 60, 155, angle)
        img = effects.scan(pg.finish("project", ["seal_page"], "project-1"), key).image
        found, _others, _like = detector.analyse(img)
        out[key] = {"box": list(found[0].box), **seals.signature(img, found[0].box)}   # type: ignore[dict-item]
    return out


def test_seal_compare(imprints: dict[str, dict[str, Any]]) -> None:
    assert seals.pasted(seals.compare(imprints["pasted-1"], imprints["pasted-2"]))
    sim = seals.compare(imprints["pasted-1"], imprints["stamped"])
    assert not seals.pasted(sim)         # the same seal stamped twice leaves two imprints


def _seal_page(rel: str, sig: dict[str, Any], text: str, source: str = "ocr") -> Page:
    page = make_page(text, ["seal_page"], "project", rel=rel, source=source)
    page.content.seals = [Seal(tuple(sig["box"]), "round", 0.9)]   # type: ignore[arg-type]
    return _with_marks(page, {"seals": [sig]})


def test_tmp005_pasted_seal_on_two_documents(imprints: dict[str, dict[str, Any]]) -> None:
    a = _seal_page("合同一.pdf", imprints["pasted-1"], "技术开发合同 委托方（甲方）浙江宏达精密机械股份有限公司 受托方（乙方）"
                                                     "浙江恒锐机电科技有限公司 签订日期 2022年4月15日 项目名称 数控系统")
    b = _seal_page("合同二.pdf", imprints["pasted-2"], "劳动合同 第三十条 本合同未尽事宜或与今后国家、省有关规定相悖的，按有关规定"
                                                     "执行。第三十一条 本合同一式两份，甲乙双方各执一份")
    c = _seal_page("合同三.pdf", imprints["stamped"], "技术服务合同 委托方 受托方 服务内容 验收标准 付款方式 违约责任 争议的解决"
                                                    "本合同自双方签字盖章之日起生效")
    found = checker.seal_findings([a.doc, b.doc, c.doc])
    assert codes(found) == ["TMP005"] and found[0].data["pair"]["path"] == "合同二.pdf"
    # the same page scanned into two files is not a pasted seal
    b2 = _seal_page("合同二副本.pdf", imprints["pasted-2"], a.text)
    assert checker.seal_findings([a.doc, b2.doc]) == []
    # electronic seals drawn into generated PDFs are the same image by design
    e1 = _seal_page("电子合同一.pdf", imprints["pasted-1"], a.text + "一", source="pdf-text")
    e2 = _seal_page("电子合同二.pdf", imprints["pasted-2"], b.text, source="pdf-text")
    assert checker.seal_findings([e1.doc, e2.doc]) == []


def test_tmp005_across_applicants_in_a_batch(imprints: dict[str, dict[str, Any]]) -> None:
    """The batch compares the imprints kept in each applicant's print (zjcheck.crossapp),
    also after a round trip through the ledger's JSON."""
    import json
    from types import SimpleNamespace

    from zjcheck import catalogue
    from zjcheck import crossapp as X
    first = _seal_page("项目/合同.pdf", imprints["pasted-1"], "技术开发合同 委托方（甲方）浙江宏达精密机械股份有限公司 受托方"
                                                       "（乙方）浙江恒锐机电科技有限公司 签订日期 2022年4月15日")
    second = _seal_page("工作经历/劳动合同.pdf", imprints["pasted-2"], "劳动合同 第三十条 本合同未尽事宜或与今后国家、省有关规定"
                                                                "相悖的，按有关规定执行。第三十一条 本合同一式两份")
    third = _seal_page("项目/服务合同.pdf", imprints["stamped"], "技术服务合同 委托方 受托方 服务内容 验收标准 付款方式 违约责任"
                                                        " 争议的解决 本合同自双方签字盖章之日起生效")
    cat = catalogue.load(None)

    def printed(key: str, name: str, *pages: Any) -> X.ApplicantPrint:
        result = SimpleNamespace(profile=SimpleNamespace(name=name, id_number=None), catalogue=cat, items=[],
                                 documents=[p.doc for p in pages])
        return X.print_from_json(json.loads(json.dumps(X.print_to_json(X.fingerprint(key, result)))))

    a, b = printed("a", "张三", first), printed("b", "李四", second, third)
    assert [len(a.seals), len(b.seals)] == [1, 2]
    found = X.tmp005([a, b])
    assert [c.code for c in found] == ["TMP005"] and found[0].severity == "warning"
    mine = found[0].for_applicant("b")
    assert mine.path == "工作经历/劳动合同.pdf" and mine.data["other_applicant"] == "a"
    assert mine.data["boxes"] == [list(imprints["pasted-2"]["box"])]
    # one person's two folders, or the same document in both packages: nothing
    assert X.tmp005([a, printed("a-again", "张三", second)]) == []
    assert X.tmp005([a, printed("b", "李四", _seal_page("合同副本.pdf", imprints["pasted-2"], first.text))]) == []


# ---------------------------------------------------------------- plumbing

def test_boxes_in_page_pixels() -> None:
    to_px = points_to_pixels([0, 0, 595.0, 842.0], 0, (827, 1170))
    assert to_px is not None
    assert to_px([0, 0, 595, 842]) == [0.0, 0.0, 827.0, 1170.0]
    assert to_px([0, 742, 100, 842]) == [0.0, 0.0, 139.0, 139.0]
    assert points_to_pixels([0, 0, 595.0, 842.0], 90, (827, 1170)) is None


def test_html_shows_two_places_side_by_side() -> None:
    from zjcheck.report import html
    a = Image.new("RGB", (300, 200), "white")
    b = Image.new("RGB", (200, 400), "white")
    both = html._side_by_side([a, b])
    assert both is not None and both.height <= 240 and both.width > a.width
    from zjcheck.codes import finding
    f = finding("TMP005", "x", path="a.pdf", page=1, boxes=[[1, 2, 3, 4]], pair={"path": "b.pdf", "page": 2, "box": [5, 6, 7, 8]})
    assert html._pair(f) == ("b.pdf", 2, (5.0, 6.0, 7.0, 8.0))


def test_inspect_page_of_an_image(tmp_path: Path) -> None:
    png = fx._qr_png("A7K3M9Q2T5W8X4R6")
    im = Image.new("RGB", (900, 1200), "white")
    im.paste(Image.open(io.BytesIO(png)), (600, 900))
    path = tmp_path / "scan.jpg"
    path.write_bytes(_jpeg(im, 90))
    marks = inspect_page(InspectTask((0, 0), str(path), "image", 0, True, "ocr", (900, 1200), 0, 0, ()))
    assert marks["file"]["format"] == "JPEG" and "vcode" in marks["codes"][0]["text"]
    # turned a quarter clockwise before OCR: the box follows the page
    turned = inspect_page(InspectTask((0, 0), str(path), "image", 0, False, "ocr", (900, 1200), 0, 90, ()))
    x0, y0, x1, y1 = turned["codes"][0]["box"]
    assert x1 <= 1200 - 900 + 10 and y0 >= 590
    assert np.isfinite([x0, y0, x1, y1]).all()
