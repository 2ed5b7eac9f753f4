"""Signs of editing (TMP001–TMP005, issue 21): warnings for a human reviewer.

Every finding says what was seen and where and asks to check the original
("请核对原件"); none is an error.  The observations come from the reading
workers (zjcheck/tamper, `page.content.marks`); this checker decides which
of them is worth a reviewer's second look, given what the page is.

- TMP001: a barcode whose payload states a field (a verification code, a
  certificate or invoice number, a name, a date, an ISBN) that is printed on
  the same page with another value.  Silent on purpose: a payload that is
  only an address, a code that cannot be decoded, a printed value not read
  surely (OCR: GEN012), a value one character off on an OCR'd page (a
  misread, not an edit), and a payload value printed anywhere on the page.
- TMP002: a PDF changed after it was issued or signed: an incremental update
  that changed what a page shows; text covered by a white box with other
  text on top; a PDF-editing program as Producer/Creator of a document a
  system generates.  Silent on self-made documents (work summary, score
  sheet) and on updates that change no page (metadata only, a page turned),
  on signatures added as updates, on linearized files, on updates that
  only add an invisible OCR layer or the reader's own marks (highlights,
  underlines, sticky notes), and on pages added or removed (a scan
  completed later) unless a system issued the document.
- TMP003: an image file saved by an image editor (EXIF/XMP/PNG software,
  Photoshop's resource block) or saved twice as JPEG, coarser first and finer
  after.  Silent on screenshots and self-made documents, on camera and
  scanner software, on IPTC captions alone (catalogue tools write them), on
  images re-saved coarser (chat apps) and on photos too large to decode in full.
- TMP004: on a text-layer page of a system-generated document, a name, date
  or number in a type face no other text on the page uses, while the page's
  other values share one.  Silent on values in their label's face, on pages
  with fewer than four label/value pairs, and on a number in a Latin face
  where the usual face sets no digits on the page (generators do that).
- TMP005: the same seal imprint (same ink, not only the same design) on two
  documents.  Silent on electronic seals in text-layer PDFs (the same image
  by design), on the same page scanned twice (near-identical text), on
  copies turned by more than 3° or photographed askew (they no longer align).
  A printed electronic seal is the same on every print: the message says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from zjcheck.codes import finding
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import Text, find_dates, plausible_name, squash
from zjcheck.extract.labels import value_after
from zjcheck.extract.money import parse_figure
from zjcheck.extract.publication import find_isbns
from zjcheck.model import Document, Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.tamper import codes as barcodes
from zjcheck.tamper import seals as sealsig
from zjcheck.tamper.codes import table
from zjcheck.tamper.inspect import points_to_pixels

MATERIAL = "tamper"
CODES = ("TMP001", "TMP002", "TMP003", "TMP004", "TMP005", "GEN012")

_PATTERNS = {
    "姓名": r"([\u4e00-\u9fff·]{2,5})",
    "证件号码": r"(\d{17}[\dXx])",
    "证书编号": r"([0-9A-Za-z\u4e00-\u9fff\-—（）()〔〕]{4,40})",
    "验证码": r"([0-9A-Za-z]{6,24})",
    "发票号码": r"(\d{20}|\d{8})",
    "发票代码": r"(\d{10,12})",
    "专利号": r"((?:ZL|zl)?\s*[\d\s.]{9,16}[\dXx])",
}


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    """No items of its own (no page is recognised as `tamper`): the uniform plugin API."""
    return {}


def check(items: list[Item], ctx: Context) -> Iterable[Finding]:
    out: list[Finding] = []
    for doc in ctx.documents:
        if not doc.readable or not doc.pages or doc.file.kind in ("docx", "xlsx"):
            continue
        for page in doc.pages:
            out.extend(qr_findings(page))
        if doc.file.kind == "pdf":
            out.extend(pdf_findings(doc))
        else:
            out.extend(image_findings(doc))
    out.extend(seal_findings(ctx.documents))
    return out


def _part(page: Page) -> str:
    return f"{page.material}.{page.parts[0] if page.parts else page.material}"


def _self_made(page: Page) -> bool:
    return page.material == "other" or _part(page) in table()["self_made_parts"]


def _system(page: Page) -> bool:
    return any(f"{page.material}.{p}" in table()["system_parts"] for p in page.parts)


def _structure_fact(what: str, page: Page) -> Fact:
    """A fact read from the file's structure (not OCR): as sure as a text layer."""
    return Fact(what, "text-layer", 1.0, page.doc.rel, page.number)


# ---------------------------------------------------------------- TMP001

def _norm_code(s: str) -> str:
    return re.sub(r"[\s\-—_]", "", squash(s)).upper()


def _date_of(s: str) -> date | None:
    m = re.fullmatch(r"\s*((?:19|20)\d\d)(\d\d)(\d\d)\s*", s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    ds = find_dates(s)
    return ds[0].value if ds else None


def _printed(page: Page, kind: str) -> Fact | None:
    """The value printed after the field's label on the page (None: not printed or not read)."""
    labels = table()["printed_labels"].get(kind)
    if not labels:
        return None
    text = Text.of(page)
    if kind == "开票日期":
        f = value_after(text, labels, pattern=r"((?:19|20)\d\d\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2}\s*日?)")
        if f is not None:
            d = _date_of(f.value)
            return Fact(d, f.source, f.confidence, f.path, f.page, f.box, f.raw, d is not None)
        return None
    f = value_after(text, labels, pattern=_PATTERNS.get(kind))
    if f is None:
        return None
    valid = plausible_name(f.value) if kind == "姓名" else True
    return Fact(f.value, f.source, f.confidence, f.path, f.page, f.box, f.raw, valid) if not valid else f


def qr_findings(page: Page) -> list[Finding]:
    out: list[Finding] = []
    for code in page.content.marks.get("codes", []):
        payload = code.get("text", "")
        for fld in barcodes.fields(payload):
            got = _disagreement(page, fld)
            if got is None:
                continue
            printed, shown = got
            where = _printed_box(page, printed)
            boxes = [code["box"]] + ([where] if where else [])
            out.append(finding(
                "TMP001", f"{code.get('format', '二维码')} 中的{fld.kind}为“{fld.value}”，页面上印的{fld.kind}是“{shown}”："
                          f"二者应当一致，请核对原件", at=page, needs={f"页面上的{fld.kind}": printed},
                boxes=boxes, side_by_side=True, field=fld.kind, payload_value=fld.value, printed=shown))
    return out


def _printed_box(page: Page, printed: Fact) -> list[float] | None:
    """Where the printed value is: its OCR line, or the text-layer run holding it."""
    if printed.box:
        return [float(v) for v in printed.box]
    want = _norm_code(str(printed.value))
    for run in page.content.marks.get("runs", []):
        if want and want in _norm_code(run.get("text", "")):
            return run.get("box")
    return None


def _disagreement(page: Page, fld: barcodes.Field) -> tuple[Fact, str] | None:
    """(the printed fact, as shown) when the page prints the field with another value."""
    flat = _norm_code(page.text)
    if fld.kind == "金额":
        return _amount_disagreement(page, fld.value)
    if fld.kind == "ISBN":
        isbns = find_isbns(page.text)
        if not isbns or fld.value in isbns:
            return None
        printed = page_fact(isbns[0], page)
        return (printed, isbns[0]) if fld.value[3:12] not in isbns[0] else None
    if fld.kind in ("开票日期",):
        pd = _date_of(fld.value)
        printed = _printed(page, fld.kind)
        if pd is None or printed is None or printed.value is None or printed.value == pd:
            return None
        return printed, printed.value.isoformat()
    value = _norm_code(fld.value)
    if len(value) < 2 or value in flat:
        return None                      # printed somewhere on the page: nothing to say
    printed = _printed(page, fld.kind)
    if printed is None:
        return None
    shown = _norm_code(str(printed.value))
    if not shown or shown == value or value in shown or (shown in value and len(shown) >= 0.8 * len(value)):
        return None
    if printed.source == "ocr" and _misread(shown, value):
        return None                      # a character or two off on a scan: a misread, not an edit
    return printed, shown if re.fullmatch(r"[0-9A-Z]+", shown) else str(printed.value)


_LOOKALIKE = str.maketrans("OQDILZSBG", "001112586")


def _misread(printed: str, payload: str) -> bool:
    """Whether an OCR reading may be the payload value misread: the same up to
    look-alike characters (O/0, I/1, S/5 …) and one edit in every eight characters."""
    a, b = printed.translate(_LOOKALIKE), payload.translate(_LOOKALIKE)
    return Levenshtein.distance(a, b) <= max(1, len(b) // 8)


def _amount_disagreement(page: Page, value: str) -> tuple[Fact, str] | None:
    try:
        v = Decimal(value)
    except InvalidOperation:
        return None
    figures = []
    for m in re.finditer(r"[¥￥]\s*(\d[\d,]*\.\d{2})", page.text):
        d = parse_figure(m.group(1))
        if d is not None:
            figures.append(d)
    if not figures or v in figures:
        return None
    if page.content.source == "ocr" and any(_misread(f"{d:.2f}", f"{v:.2f}") for d in figures):
        return None                      # a digit misread on a scan, not another amount
    shown = "、".join(f"{d:.2f}" for d in figures[:4])
    return page_fact(shown, page), shown


# ---------------------------------------------------------------- TMP002, TMP004

def _editor(names: Iterable[str | None], words: list[str]) -> str | None:
    for n in names:
        if n and any(w.lower() in n.lower() for w in words):
            return n
    return None


def pdf_findings(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    fm = doc.pages[0].content.marks.get("file") or {}
    changed = fm.get("changed") or {}
    after = "数字签名之后" if fm.get("signed") else "文件生成之后"
    reported: set[int] = set()
    for key, what in changed.items():
        if not key.lstrip("-").isdigit():
            continue
        j = int(key)
        page = doc.pages[j] if 0 <= j < len(doc.pages) else doc.pages[0]
        if _self_made(page):
            continue
        if "unreadable" in what:
            text = f"{after}追加了修订，且原始版本无法单独打开"
            boxes: list[Any] = []
        else:
            text = f"第 {page.number} 页的内容在{after}追加的修订中被改动（{_diff_words(what)}）"
            to_px = points_to_pixels(what.get("page_box") or [], 0, (page.content.width, page.content.height))
            boxes = [to_px(x["box"]) for x in what.get("added", []) if to_px and x.get("box")][:6]
        reported.add(page.number)
        out.append(finding("TMP002", f"{text}：请核对原件", at=page, needs={"文件结构": _structure_fact("revision", page)},
                           boxes=boxes, revisions=fm.get("revisions"), base=fm.get("base"), size=fm.get("size")))
    if "pages" in changed and not reported and any(_system(p) for p in doc.pages):
        # pages added to or removed from a scan after its first save is ordinary work; on a
        # document a system issued it is not
        pc = changed["pages"]
        out.append(finding("TMP002", f"文件在{after}追加了修订，页数由 {pc.get('before')} 页变为 {pc.get('after')} 页："
                                     "请核对原件", at=doc.pages[0], needs={"文件结构": _structure_fact("revision", doc.pages[0])}))
    for page in doc.pages:
        if _self_made(page):
            continue
        for c in page.content.marks.get("covered", []):
            out.append(finding(
                "TMP002", f"第 {page.number} 页：原有文字“{c['under'][:30]}”被白色方块盖住，其上另写了“{c['over'][:30]}”："
                          "请核对原件", at=page, needs={"文字层": _structure_fact(c["over"], page)},
                boxes=[c["box"]], under=c["under"], over=c["over"]))
    system = [p for p in doc.pages if _system(p)]
    if system:
        tools = [fm.get("producer"), fm.get("creator"), *(fm.get("xmp_tools") or [])]
        editor = _editor(tools, table()["pdf_editors"])
        if editor:
            when = f"（创建 {fm.get('created') or '未记录'}，修改 {fm.get('modified') or '未记录'}）"
            out.append(finding(
                "TMP002", f"系统生成的文件由 PDF 编辑软件“{editor}”保存过{when}：请核对原件", at=system[0],
                needs={"文件信息": _structure_fact(editor, system[0])}, producer=fm.get("producer"),
                creator=fm.get("creator")))
        for page in system:
            if page.content.source != "pdf-text":
                continue
            for c in page.content.marks.get("fonts", []):
                if not _field_value(c.get("value", "")):
                    continue
                usual = _font_name(c.get("usual", ""))
                font = _font_name(c.get("font", ""))
                how = "（同一字体的另一个子集）" if c.get("same_family") else ""
                out.append(finding(
                    "TMP004", f"第 {page.number} 页“{c.get('label', '').rstrip('：:')}”一栏的“{c.get('value')}”用的字体"
                              f"（{font}）与本页其他填写内容（{usual}）不同{how}，本页别处也未用此字体：请核对原件",
                    at=page, needs={"文字层": page_fact(c.get("value"), page)}, box=c.get("box"),
                    font=c.get("font"), usual=c.get("usual")))
    return out


def _diff_words(what: dict[str, Any]) -> str:
    def texts(items: list[dict[str, Any]]) -> list[str]:
        return [x["text"] for x in items if x.get("kind") == "text" and x.get("text")]
    removed, added = texts(what.get("removed", [])), texts(what.get("added", []))
    parts = []
    if removed:
        parts.append("删去“" + "”“".join(t[:20] for t in removed[:3]) + "”")
    if added:
        parts.append("加入“" + "”“".join(t[:20] for t in added[:3]) + "”")
    others = [x for x in what.get("added", []) + what.get("removed", []) if x.get("kind") != "text"]
    if others:
        kinds = {"image": "图片", "shape": "图形", "annotation": "批注"}
        parts.append("改动了" + "、".join(sorted({kinds.get(x["kind"], x["kind"]) for x in others})))
    return "，".join(parts) or "页面内容有变化"


def _font_name(f: str) -> str:
    return re.sub(r"^[A-Z]{6}\+", "", f) or "未命名字体"


def _field_value(v: str) -> bool:
    """A name, a date or a number: the fields an edit changes."""
    s = v.strip()
    if plausible_name(s) and len(s) <= 5:
        return True
    ds = find_dates(s)
    if ds and len(ds[0].text) >= 0.6 * len(s):
        return True
    digits = sum(c.isdigit() for c in s)
    return digits >= 6 and digits >= 0.6 * len(re.sub(r"\s", "", s))


# ---------------------------------------------------------------- TMP003

def image_findings(doc: Document) -> list[Finding]:
    first = doc.pages[0]
    fm = first.content.marks.get("file") or {}
    if not fm or "error" in fm:
        return []
    if any(_part(p) in table()["image_exempt_parts"] for p in doc.pages):
        return []
    seen: list[str] = []
    irb = fm.get("photoshop_irb")
    tools = [fm.get("software"), *(fm.get("xmp_tools") or []), *(fm.get("texts") or []),
             irb if isinstance(irb, str) else None]           # the writer named in Photoshop's resource block
    editor = _editor(tools, table()["image_editors"])
    if editor:
        seen.append(f"文件中记录的保存软件为“{editor}”")
    double = fm.get("double")
    if double:
        q1 = sorted({f["q1"] for f in double["frequencies"]})
        q2 = sorted({f["q2"] for f in double["frequencies"]})
        seen.append(f"JPEG 压缩系数只出现每隔几个取值（{len(double['frequencies'])} 个频率，前一次量化步长 {q1[0]}、"
                    f"本次 {q2[0]}），说明先以较低质量保存过、又以较高质量（约 {fm.get('quality')}）另存")
    if not seen:
        return []
    return [finding("TMP003", "；".join(seen) + "：扫描件或照片本应由扫描仪或相机直接生成，请核对原件", at=first,
                    needs={"文件信息": _structure_fact("metadata", first)}, software=editor,
                    double=bool(double), quality=fm.get("quality"))]


# ---------------------------------------------------------------- TMP005

def seal_findings(documents: list[Document]) -> list[Finding]:
    imprints = []
    for doc in documents:
        if not doc.readable or doc.file.kind in ("docx", "xlsx"):
            continue
        for page in doc.pages:
            if page.content.source == "pdf-text":      # a seal drawn into a generated PDF: an electronic seal
                continue
            for s in page.content.marks.get("seals", []):
                imprints.append((doc, page, s))
    return [f for a, b, sim in pasted_pairs(imprints) for f in [_seal_finding(a, b, sim)]]


def pasted_pairs(imprints: list[tuple[Document, Page, dict[str, Any]]]
                 ) -> list[tuple[tuple[Page, dict[str, Any]], tuple[Page, dict[str, Any]], dict[str, float]]]:
    """Pairs of imprints on two different documents that are one imprint."""
    out = []
    for i, (da, pa, sa) in enumerate(imprints):
        for db, pb, sb in imprints[i + 1:]:
            if da is db or da.file.sha256 == db.file.sha256:
                continue
            if _same_page(pa, pb):
                continue              # the same page scanned twice: not a pasted seal (BAT001/XDC005's)
            sim = sealsig.compare(sa, sb)
            if sealsig.pasted(sim):
                out.append(((pa, sa), (pb, sb), sim))  # type: ignore[arg-type]
    return out


def _same_page(a: Page, b: Page) -> bool:
    ta, tb = squash(a.text), squash(b.text)
    return len(ta) > 40 and len(tb) > 40 and fuzz.ratio(ta, tb) >= 90


def _seal_finding(a: tuple[Page, dict[str, Any]], b: tuple[Page, dict[str, Any]], sim: dict[str, float]) -> Finding:
    (pa, sa), (pb, sb) = a, b
    where = f"{pb.doc.rel} 第 {pb.number} 页"
    return finding(
        "TMP005", f"本页的印章与 {where} 的印章是同一个印迹（图像相关 {sim['ncc']:.2f}，墨色浓淡分布一致）："
                  "实物盖章每次留下的印迹都不相同，请核对原件（若为电子签章的打印件，请提供电子原件）", at=pa,
        needs={"印章图像": _structure_fact("seal", pa), "另一印章图像": _structure_fact("seal", pb)},
        boxes=[sa["box"]], pair={"path": pb.doc.rel, "page": pb.number, "box": sb["box"]},
        ncc=sim["ncc"], field=sim["field"])
