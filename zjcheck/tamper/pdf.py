"""What a PDF tells about its own history (worker side; pdfium and the raw bytes).

- Revisions.  A PDF is changed in place by appending an incremental update
  (new objects, a new cross-reference section and another ``%%EOF``) after
  the original.  The original is the file up to its first ``%%EOF`` (for a
  linearized file: its ``/L`` bytes), or up to the end of what the last
  digital signature covers (``/ByteRange``): that is what was issued or
  signed.  When more follows, the original is opened on its own and every
  page is compared with the page as it reads now: the text objects, images,
  filled shapes and markup annotations that were removed or added
  (invisible text, an OCR layer, and the reader's own marks are not counted).
- Text over a covering box: on a page, a filled white rectangle drawn over
  text that was drawn before it, with new text drawn on top of it.
- Type faces of label/value lines: for each label (姓名：) and the value
  right of it on its line, the font of each; a value in a font that no other
  text on the page uses, while the page's other values share one font, is a
  candidate for TMP004 (the checker decides whether the value is a name,
  date or number on a system-generated document).
- Producer, Creator, creation and modification dates, and the XMP tools.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from typing import Any

from zjcheck import limits

MAX_OBJECTS = 4000          # page objects looked at per page
MAX_PAGES_DIFF = 300        # pages compared between revisions
MAX_RUNS = 400              # text runs kept (with their boxes) of a page that may carry a barcode
WHITE = 235                 # a covering box is filled at least this light (0-255, each channel)
INSIDE = 0.6                # share of a text object's box inside a covering box (the text on top)
UNDER = 0.3                 # … and of a text drawn before it (a whiteout may cover a word of a longer run)


def _pdfium():  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    return pdfium, raw


# ---------------------------------------------------------------- file level

_EOF = re.compile(rb"%%EOF[ \t\r\n\x00]*")


def revision_ends(data: bytes) -> list[int]:
    """Byte offsets where a revision of the file ends (after each %%EOF and its
    line end), without the first-page trailer of a linearized file."""
    ends: list[int] = []
    last = 0
    for m in _EOF.finditer(data):
        if ends and not data[last:m.start()].strip():
            ends[-1] = m.end()        # a repeated marker with nothing in between
        else:
            ends.append(m.end())
        last = m.end()
    lin = re.search(rb"/Linearized\b[^>]*?/L\s+(\d+)", data[:2048])
    if lin:
        length = int(lin.group(1))
        after = [e for e in ends if e >= length - 64]
        if after:
            ends = after
    return ends


def signature_ends(doc: Any) -> list[int]:
    """Where the byte ranges of the document's digital signatures end."""
    _, raw = _pdfium()
    out = []
    try:
        n = raw.FPDF_GetSignatureCount(doc.raw)
    except Exception:  # noqa: BLE001 - an old pdfium: no signatures read
        return []
    for i in range(max(0, min(n, 50))):
        sig = raw.FPDF_GetSignatureObject(doc.raw, i)
        k = raw.FPDFSignatureObj_GetByteRange(sig, None, 0)
        if k <= 0 or k > 64:
            continue
        buf = (ctypes.c_int * k)()
        raw.FPDFSignatureObj_GetByteRange(sig, buf, k)
        vals = list(buf)
        if len(vals) >= 4:
            out.append(vals[-2] + vals[-1])
    return sorted(out)


_XMP_TOOL = re.compile(rb"<(xmp:CreatorTool|pdf:Producer|stEvt:softwareAgent)>([^<]{1,200})</"
                       rb"|(xmp:CreatorTool|pdf:Producer|stEvt:softwareAgent)=\"([^\"]{1,200})\"")


def _xmp_tools(data: bytes) -> list[str]:
    out: list[str] = []
    for m in _XMP_TOOL.finditer(data):
        v = (m.group(2) or m.group(4) or b"").decode("utf-8", "replace").strip()
        if v and v not in out:
            out.append(v)
        if len(out) >= 12:
            break
    return out


def file_marks(path: str) -> dict[str, Any]:
    """The document's history: metadata, revisions, signatures and the pages an
    update changed (`changed`: page index -> what was removed and added)."""
    pdfium, _ = _pdfium()
    with open(path, "rb") as f:
        data = f.read(limits.FILE_BYTES + 1)
    doc = pdfium.PdfDocument(data)
    try:
        meta = doc.get_metadata_dict(skip_empty=True)
        ends = revision_ends(data)
        signed = signature_ends(doc)
        out: dict[str, Any] = {
            "producer": meta.get("Producer"), "creator": meta.get("Creator"),
            "created": meta.get("CreationDate"), "modified": meta.get("ModDate"),
            "xmp_tools": _xmp_tools(data), "revisions": len(ends), "size": len(data), "signed": signed,
        }
        tail = len(data.rstrip(b" \t\r\n\x00"))
        base = None
        if signed:
            covered = max(signed)
            if covered < tail - 2:       # bytes after what the last signature covers
                base = covered
        elif len(ends) > 1:
            base = ends[0]
        if base is not None and base < len(data):
            out["base"] = base
            out["changed"] = _changed_pages(data[:base], doc)
        return out
    finally:
        doc.close()


def _changed_pages(original: bytes, now: Any) -> dict[str, Any]:
    """Per page index (as str: JSON), what differs between the original revision and now."""
    pdfium, _ = _pdfium()
    try:
        old = pdfium.PdfDocument(original)
    except Exception as e:  # noqa: BLE001 - an original that does not open on its own
        return {"-1": {"unreadable": f"{type(e).__name__}"}}
    out: dict[str, Any] = {}
    try:
        n_old, n_new = len(old), len(now)
        if n_old != n_new:
            out["pages"] = {"before": n_old, "after": n_new}
        for i in range(min(n_old, n_new, MAX_PAGES_DIFF)):
            page = now[i]
            try:
                crop = [float(v) for v in page.get_bbox()]
                turned = page.get_rotation() % 360 != 0
            finally:
                page.close()
            a, b = _page_items(old[i]), _page_items(now[i])
            removed = list((Counter(a) - Counter(b)).elements())
            added = list((Counter(b) - Counter(a)).elements())
            if removed or added:
                out[str(i)] = {"removed": [_show(x) for x in removed][:40], "added": [_show(x) for x in added][:40],
                               "page_box": [] if turned else crop}
    finally:
        old.close()
    return out


def _show(item: tuple[Any, ...]) -> dict[str, Any]:
    kind, text, box = item[0], item[1], item[2]
    return {"kind": kind, "text": text, "box": list(box)}


def _page_items(page: Any) -> list[tuple[Any, ...]]:
    """What is drawn on a page, comparable across revisions: text objects
    (text, box), images (box), filled shapes (box, colour), markup annotations."""
    _, raw = _pdfium()
    items: list[tuple[Any, ...]] = []
    textpage = page.get_textpage()
    try:
        for obj in _objects(page):
            kind = obj.type
            box = _rounded(obj.get_bounds())
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                if _invisible(obj):
                    continue          # an OCR layer added to a scan: nothing shown changed
                t = _obj_text(obj, textpage)
                if t.strip():
                    items.append(("text", t.strip(), box))
            elif kind == raw.FPDF_PAGEOBJ_IMAGE:
                items.append(("image", "", box))
            elif kind == raw.FPDF_PAGEOBJ_PATH and _filled(obj):
                items.append(("shape", _fill_hex(obj), box))
        n = raw.FPDFPage_GetAnnotCount(page.raw)
        for k in range(min(n, 200)):
            annot = raw.FPDFPage_GetAnnot(page.raw, k)
            try:
                sub = raw.FPDFAnnot_GetSubtype(annot)
                if sub in _MARKING:
                    continue
                r = raw.FS_RECTF()
                raw.FPDFAnnot_GetRect(annot, r)
                items.append(("annotation", str(sub), _rounded((r.left, r.bottom, r.right, r.top))))
            finally:
                raw.FPDFPage_CloseAnnot(annot)
    finally:
        textpage.close()
        page.close()
    return items


def _marking() -> frozenset[int]:
    """Annotations that hide and add nothing: links, pop-ups, form widgets, and
    the reader's own marks (sticky notes, highlights, underlines): an applicant
    marking their name in a downloaded paper is no change of the document."""
    try:
        _, raw = _pdfium()
        return frozenset((raw.FPDF_ANNOT_LINK, raw.FPDF_ANNOT_POPUP, raw.FPDF_ANNOT_WIDGET, raw.FPDF_ANNOT_TEXT,
                          raw.FPDF_ANNOT_HIGHLIGHT, raw.FPDF_ANNOT_UNDERLINE, raw.FPDF_ANNOT_SQUIGGLY))
    except (ImportError, AttributeError):
        return frozenset()


_MARKING = _marking()


def _invisible(obj: Any) -> bool:
    _, raw = _pdfium()
    try:
        return bool(raw.FPDFTextObj_GetTextRenderMode(obj.raw) == raw.FPDF_TEXTRENDERMODE_INVISIBLE)
    except AttributeError:
        return False


def _objects(page: Any) -> list[Any]:
    out = []
    for k, obj in enumerate(page.get_objects(max_depth=1)):
        if k >= MAX_OBJECTS:
            break
        out.append(obj)
    return out


def _rounded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return tuple(round(float(v), 0) for v in box)  # type: ignore[return-value]


def _obj_text(obj: Any, textpage: Any) -> str:
    _, raw = _pdfium()
    n = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    if n <= 2:
        return ""
    n = min(n, 20000)
    buf = ctypes.create_string_buffer(n)
    raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    return buf.raw[: n - 2].decode("utf-16-le", "replace").replace("\x00", "")


def _font(obj: Any) -> str:
    _, raw = _pdfium()
    font = raw.FPDFTextObj_GetFont(obj.raw)
    if not font:
        return ""
    n = raw.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 1:
        return ""
    buf = ctypes.create_string_buffer(min(n, 256))
    raw.FPDFFont_GetBaseFontName(font, buf, min(n, 256))
    return buf.value.decode("latin-1", "replace")


def _filled(obj: Any) -> bool:
    _, raw = _pdfium()
    mode, stroke = ctypes.c_int(0), ctypes.c_int(0)
    if not raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(mode), ctypes.byref(stroke)):
        return False
    return mode.value != raw.FPDF_FILLMODE_NONE


def _fill(obj: Any) -> tuple[int, int, int, int]:
    _, raw = _pdfium()
    r, g, b, a = (ctypes.c_uint(0) for _ in range(4))
    if not raw.FPDFPageObj_GetFillColor(obj.raw, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return (0, 0, 0, 0)
    return r.value, g.value, b.value, a.value


def _fill_hex(obj: Any) -> str:
    r, g, b, _a = _fill(obj)
    return f"#{r:02x}{g:02x}{b:02x}"


# ---------------------------------------------------------------- page level

def page_marks(path: str, index: int) -> dict[str, Any]:
    """Covering boxes with text under and over them, and the type-face
    candidates of the page's label/value lines.  Boxes in PDF points
    (left, bottom, right, top); `page_box` is the page's crop box."""
    pdfium, raw = _pdfium()
    from zjcheck.imaging.render import _pdf
    page = _pdf(path)[index]
    textpage = page.get_textpage()
    try:
        runs: list[dict[str, Any]] = []
        drawn: list[tuple[str, Any]] = []          # ("text", run) / ("white", box), in drawing order
        l, b, r, t = page.get_bbox()      # the crop box as shown (inherited boxes resolved)
        page_area = max(1.0, (r - l) * (t - b))
        square = 0
        for obj in _objects(page):
            if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                if _invisible(obj):
                    continue          # an OCR layer: not what the page shows
                text = _obj_text(obj, textpage).strip()
                if not text:
                    continue
                run = {"text": text, "font": _font(obj), "box": [float(v) for v in obj.get_bounds()]}
                runs.append(run)
                drawn.append(("text", run))
            elif obj.type == raw.FPDF_PAGEOBJ_PATH and _filled(obj):
                cr, cg, cb, ca = _fill(obj)
                box = [float(v) for v in obj.get_bounds()]
                area = (box[2] - box[0]) * (box[3] - box[1])
                if min(cr, cg, cb) >= WHITE and ca >= 200 and 4 <= area <= 0.25 * page_area:
                    drawn.append(("white", box))
            elif obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                x0, y0, x1, y1 = obj.get_bounds()
                w, h = x1 - x0, y1 - y0
                if 20 <= min(w, h) and max(w, h) <= 260 and abs(w / max(h, 1e-6) - 1) <= 0.15:
                    square += 1          # a picture that may be a QR or DataMatrix code
        rotation = page.get_rotation()
        out = {"page_box": [l, b, r, t], "rotation": rotation, "covered": _covered(drawn),
               "fonts": font_candidates(runs), "square_images": square}
        if square:        # a page that may carry a code: where its printed values are (TMP001's crop)
            out["runs"] = [{"text": x["text"][:200], "box": x["box"]} for x in runs[:MAX_RUNS]]
        return out
    finally:
        textpage.close()
        page.close()


def _inside(inner: list[float], outer: list[float]) -> float:
    w = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    h = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = max(1e-6, (inner[2] - inner[0]) * (inner[3] - inner[1]))
    return w * h / area


def _covered(drawn: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """White boxes drawn over earlier text, with later text on top of them."""
    out: list[dict[str, Any]] = []
    for k, (kind, box) in enumerate(drawn):
        if kind != "white":
            continue
        under = [run for kd, run in drawn[:k] if kd == "text" and _inside(run["box"], box) >= UNDER]
        over = [run for kd, run in drawn[k + 1:] if kd == "text" and _inside(run["box"], box) >= INSIDE]
        if under and over:
            out.append({"box": box, "under": "".join(r["text"] for r in under)[:200],
                        "over": "".join(r["text"] for r in over)[:200],
                        "over_boxes": [r["box"] for r in over][:10]})
        if len(out) >= 20:
            break
    return out


def _script(text: str) -> str:
    """'c' for Chinese characters, 'l' for Latin letters or digits, both or none."""
    return ("c" if re.search(r"[\u4e00-\u9fff]", text) else "") + ("l" if re.search(r"[0-9A-Za-z]", text) else "")


_SUBSET = re.compile(r"^[A-Z]{6}\+")
_LABEL_END = re.compile(r"[:：]\s*$")


def font_candidates(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Label/value pairs on one line whose value is set in a type face that no
    other text on the page uses, while most values of the page share one."""
    if len(runs) < 4:
        return []
    lines: list[list[dict[str, Any]]] = []
    for run in sorted(runs, key=lambda x: -(x["box"][1] + x["box"][3]) / 2):
        y0, y1 = run["box"][1], run["box"][3]
        if lines:
            ly0 = min(x["box"][1] for x in lines[-1])
            ly1 = max(x["box"][3] for x in lines[-1])
            if min(y1, ly1) - max(y0, ly0) > 0.5 * min(y1 - y0, ly1 - ly0):
                lines[-1].append(run)
                continue
        lines.append([run])
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for line in lines:
        line.sort(key=lambda x: x["box"][0])
        for a, v in zip(line, line[1:]):
            label = a["text"].strip()
            if _LABEL_END.search(label) or (len(label) <= 8 and re.fullmatch(r"[\u4e00-\u9fff（）()/　 ]{2,8}", label)):
                if v["text"].strip() and not _LABEL_END.search(v["text"]):
                    pairs.append((a, v))
    if len(pairs) < 4:
        return []
    uses = Counter(r["font"] for r in runs)
    value_fonts = Counter(v["font"] for _a, v in pairs)
    usual, n_usual = value_fonts.most_common(1)[0]
    if n_usual < 3:
        return []
    # what the usual face sets on this page: Chinese, and/or Latin letters and digits (many
    # generators set digits in a Latin face of their own: a lone number in it is no sign)
    usual_sets = {_script(r["text"]) for r in runs if r["font"] == usual} - {""}
    out = []
    for a, v in pairs:
        f = v["font"]
        if f == usual or f == a["font"] or uses[f] > 1:
            continue
        if not (set(_script(v["text"])) <= set("".join(usual_sets))):
            continue
        out.append({"label": a["text"][:40], "value": v["text"][:60], "font": f, "usual": usual,
                    "label_font": a["font"], "same_family": _SUBSET.sub("", f) == _SUBSET.sub("", usual),
                    "box": v["box"]})
    return out[:10]
