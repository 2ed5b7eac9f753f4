"""The HTML report: one self-contained file a reviewer opens in a browser.

Inline CSS, page thumbnails as inline ``data:`` URIs, no JavaScript, nothing
fetched from anywhere (a Content-Security-Policy forbids it), readable when
printed.  Order: header and verdict, the gap table, the findings (each with a
thumbnail of the page it points at, the region outlined where the check knows
it), the pages zjcheck grouped into items, the files read.

Every string that comes from the evidence (file names, OCR text, names read
from documents) is hostile input and goes through ``html.escape``.

Regions: a finding's ``data`` may carry ``box`` ``[x0, y0, x1, y1]`` (or
``boxes``, a list of those) in pixels of the analysed page image, upright
(after ``page.content.rotation``), i.e. the frame of ``page.content.lines``
boxes and of ``page.content.seals`` when the page was not turned.
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from zjcheck.materials import material_name, part_name
from zjcheck.model import Document, Finding, Page
from zjcheck.pipeline import Result

SEV_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
TEXT_SOURCE = {"pdf-text": "PDF 文字层", "doc-text": "文档文字", "ocr": "OCR 识别", "none": "无文字"}
NAME_SOURCE = {"inferred": "从材料推断", "zjcheck.toml": "zjcheck.toml", "命令行": "命令行"}
THUMB_WIDTH = 420          # pixels; enough to recognise the page and the outlined region
THUMB_DPI = 60             # PDF pages are rendered this small for thumbnails
MAX_THUMBS = 150           # findings with a picture per report (bounds the file size)
CROP_DPI = 150             # PDF pages are rendered this sharp for crops around a finding's region
CROP_WIDTH = 560           # pixels; a crop is at most this wide
BOX_COLOUR = (230, 0, 60)

CSS = """
:root { --err:#c62828; --warn:#b26a00; --info:#1565c0; --ok:#2e7d32; --line:#d0d4da; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 16px 24px; color: #1d2330; line-height: 1.5;
       overflow-wrap: anywhere; }
h1 { font-size: 1.5em; margin: .2em 0 .4em; }
h2 { font-size: 1.2em; border-bottom: 2px solid #1d2330; padding-bottom: 2px; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
nav a { margin-right: 1.2em; display: inline-block; }
.meta { display: grid; grid-template-columns: 7em minmax(0, 1fr); gap: 2px 12px; margin: 0; }
.meta dt { color: #555; } .meta dd { margin: 0; }
.verdict { padding: 8px 12px; border-radius: 4px; font-weight: bold; margin: 12px 0; border-left: 6px solid; }
.verdict.error { background: #fdecea; border-color: var(--err); color: var(--err); }
.verdict.warning { background: #fff4e0; border-color: var(--warn); color: var(--warn); }
.verdict.ok { background: #e8f5e9; border-color: var(--ok); color: var(--ok); }
.verdict.unreadable { background: #f3e5f5; border-color: #6a1b9a; color: #6a1b9a; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: .95em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.miss { color: var(--err); } td.warn { color: var(--warn); } td.fine { color: var(--ok); } td.note { color: #1565c0; } td.none { color: #777; }
.finding { display: flex; flex-wrap: wrap; gap: 8px 16px; border: 1px solid var(--line); border-left: 6px solid;
           border-radius: 4px; padding: 8px 12px; margin: 8px 0; break-inside: avoid; page-break-inside: avoid; }
.finding.error { border-left-color: var(--err); } .finding.warning { border-left-color: var(--warn); }
.finding.info { border-left-color: var(--info); }
.finding .body { flex: 1 1 240px; min-width: 0; }
.code { font-family: monospace; font-weight: bold; }
.sev { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: .85em; margin-left: 6px; }
.sev.error { background: var(--err); } .sev.warning { background: var(--warn); } .sev.info { background: var(--info); }
.where { color: #555; font-size: .9em; word-break: break-all; }
.fix { color: var(--ok); }
figure { margin: 0; flex: 0 1 300px; max-width: 100%; text-align: center; }
figure img { display: block; width: 100%; max-width: 300px; height: auto; border: 1px solid #999;
             background: #fff; margin: 0 auto; }
figcaption { font-size: .8em; color: #555; word-break: break-all; }
details.page summary { font-size: .8em; color: var(--info); cursor: zoom-in; }
div.page { width: 100%; background-size: contain; background-repeat: no-repeat; border: 1px solid #999;
           background-color: #fff; }
.nothumb { font-size: .8em; color: #777; flex: 0 1 300px; }
.muted { color: #777; }
@media (max-width: 640px) {
  body { padding: 8px 10px; font-size: 15px; }
  .meta { grid-template-columns: 5em minmax(0, 1fr); }
  figure, .nothumb { flex-basis: 100%; }
  figure img { max-width: 100%; }
  th, td { padding: 3px 4px; }
  table.files td:nth-child(2), table.files th:nth-child(2), table.files td:nth-child(4), table.files th:nth-child(4) {
    display: none; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, details.page { display: none; }
  .verdict, .sev, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  tr, .finding, figure { break-inside: avoid; page-break-inside: avoid; }
  figure { flex-basis: 48mm; } figure img { max-width: 48mm; }
  section#items, section#files { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
"""


def e(value: Any) -> str:
    """Escape anything for HTML text and attribute values; control and bidi
    characters (invalid in HTML, or turning a name around) shown as \x1b, \u202e."""
    from zjcheck.escape import terminal
    return html.escape(terminal("" if value is None else str(value)), quote=True)


# ---------------------------------------------------------------- thumbnails

def _boxes(f: Finding) -> list[tuple[float, float, float, float]]:
    raw: list[Any] = []
    if "box" in f.data:
        raw.append(f.data["box"])
    if isinstance(f.data.get("boxes"), (list, tuple)):
        raw.extend(f.data["boxes"])
    out = []
    for b in raw:
        try:
            x0, y0, x1, y1 = (float(v) for v in b)
        except (TypeError, ValueError):
            continue
        if x1 > x0 and y1 > y0:
            out.append((x0, y0, x1, y1))
    return out


def _page_image(path: str, kind: str, page: Page, dpi: int = THUMB_DPI, width: int | None = THUMB_WIDTH) -> Image.Image:
    from zjcheck.imaging import render
    if kind == "pdf":
        img = render.render_pdf_page(path, page.number - 1, dpi)
    else:
        img = render.load_image(path, page.number - 1)
    rot = page.content.rotation % 360
    if rot:
        img = img.rotate(-rot, expand=True)      # as analysed: turned clockwise by `rotation`
    if width:
        img.thumbnail((width, width * 3), Image.Resampling.LANCZOS)
    return img.convert("RGB")


def _encode(img: Image.Image, quality: int = 72) -> str:
    import io
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _frame(page: Page) -> tuple[int, int]:
    """(width, height) of the page as analysed, upright: the frame of boxes."""
    c = page.content
    return (c.height, c.width) if c.rotation % 360 in (90, 270) else (c.width, c.height)


def _with_boxes(img: Image.Image, page: Page, boxes: list[tuple[float, float, float, float]],
                origin: tuple[float, float] = (0.0, 0.0), scale: float | None = None) -> Image.Image:
    w, h = _frame(page)
    if not boxes or not w or not h:
        return img
    sx = scale or img.width / w
    sy = scale or img.height / h
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in boxes:
        pad = 3
        draw.rectangle(((x0 - origin[0]) * sx - pad, (y0 - origin[1]) * sy - pad,
                        (x1 - origin[0]) * sx + pad, (y1 - origin[1]) * sy + pad), outline=BOX_COLOUR, width=3)
    return out


_LOCATE_KEYS = ("found", "number", "date", "marking", "level", "value", "unit", "units", "name", "title")


def locate(f: Finding, page: Page) -> list[tuple[float, float, float, float]]:
    """Where on the page a finding is about when the check gave no box: the
    OCR line that carries one of the values the finding names (the name,
    number or date it quotes)."""
    from zjcheck.extract import squash
    values: list[str] = []
    for key in _LOCATE_KEYS:
        v = f.data.get(key)
        if isinstance(v, str):
            values.append(v)
        elif isinstance(v, (list, tuple)):
            values.extend(x for x in v if isinstance(x, str))
    wanted = [squash(v) for v in values if len(squash(v)) >= 2]
    for line in page.content.lines:
        if line.box and any(v in squash(line.text) for v in wanted):
            return [tuple(float(x) for x in line.box)]  # type: ignore[list-item]
    return []


class Thumbnails:
    """Pictures of the pages findings point at, rendered from the evidence
    (archive members from a private temp copy, never in the evidence folder):
    for a finding about a region (its box, or the line quoting its value) a
    crop around it, sharp enough to read, with the whole page one click away;
    otherwise the page."""

    def __init__(self, r: Result, findings: Iterable[Finding], limit: int | None = None) -> None:
        limit = MAX_THUMBS if limit is None else limit
        self.docs: dict[str, Document] = {d.rel: d for d in r.documents}
        self.base: dict[tuple[str, int], Image.Image | None] = {}
        self.big: dict[tuple[str, int], Image.Image | None] = {}
        self.chosen: set[int] = set()        # id() of the findings that get a picture
        self.regions: dict[int, list[tuple[float, float, float, float]]] = {}
        wanted: dict[tuple[str, int], bool] = {}
        for f in findings:
            key = self._key(f)
            if key is not None and len(self.chosen) < limit:
                self.chosen.add(id(f))
                page = self.docs[key[0]].pages[key[1] - 1]
                region = _boxes(f) or locate(f, page)
                if region:
                    self.regions[id(f)] = region
                wanted[key] = wanted.get(key, False) or bool(region)
        self._render(wanted)

    def _key(self, f: Finding) -> tuple[str, int] | None:
        if self.why_not(f) is not None:
            return None
        return f.path, f.page or 1  # type: ignore[return-value]

    def why_not(self, f: Finding) -> str | None:
        """Why a finding's page has no picture (None: it can have one)."""
        doc = self.docs.get(f.path or "")
        n = f.page or 1
        if doc is None or not doc.readable or not doc.pages:
            return "（文件无法读取，无缩略图）"
        if doc.file.kind in ("docx", "xlsx"):
            return "（文档类文件，无缩略图）"
        if n < 1 or n > len(doc.pages):
            return "（页码超出范围，无缩略图）"
        return None

    def _render(self, keys: dict[tuple[str, int], bool]) -> None:
        from zjcheck.imaging import render
        pages: dict[str, list[int]] = defaultdict(list)
        for rel, n in keys:
            pages[rel].append(n)
        with tempfile.TemporaryDirectory(prefix="zjcheck-html-") as tmp:
            for i, (rel, numbers) in enumerate(pages.items()):
                doc = self.docs[rel]
                try:
                    path = self._on_disk(doc, Path(tmp) / str(i))
                    for n in numbers:
                        page = doc.pages[n - 1]
                        if page.content.error:        # a page that could not be read (a bomb …) is not drawn here
                            self.base[(rel, n)] = None
                            continue
                        try:
                            self.base[(rel, n)] = _page_image(path, doc.file.kind, page)
                            if keys[(rel, n)]:
                                self.big[(rel, n)] = _page_image(path, doc.file.kind, page, CROP_DPI, None)
                        except Exception:  # noqa: BLE001 - a page that cannot be drawn gets no picture
                            self.base[(rel, n)] = None
                except OSError:
                    continue
                finally:
                    render._pdf.cache_clear()        # release the file before the temp copy goes

    @staticmethod
    def _on_disk(doc: Document, spare: Path) -> str:
        """A path to render from: the evidence file itself (read only), or for
        archive members a private temp copy outside the evidence."""
        if doc.file.path is not None:
            return str(doc.file.path)
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(doc.file.read_bytes())
        return str(spare)

    def page_class(self, key: tuple[str, int]) -> str:
        keys = sorted(k for k, v in self.base.items() if v is not None)
        return f"pg{keys.index(key)}"

    def css(self) -> str:
        """One CSS rule per page picture (each page's image is in the file once)."""
        out = []
        for key in sorted(k for k, v in self.base.items() if v is not None):
            img = self.base[key]
            out.append(f".{self.page_class(key)}{{background-image:url({_encode(img)});"  # type: ignore[arg-type]
                       f"aspect-ratio:{img.width}/{img.height}}}")  # type: ignore[union-attr]
        return "".join(out)

    def crop(self, f: Finding) -> Image.Image | None:
        """The region of a finding, with some page around it, outlined."""
        key = self._key(f)
        region = self.regions.get(id(f))
        big = self.big.get(key) if key else None
        if not region or big is None or key is None:
            return None
        page = self.docs[key[0]].pages[key[1] - 1]
        w, h = _frame(page)
        if not w or not h:
            return None
        x0 = min(b[0] for b in region)
        y0 = min(b[1] for b in region)
        x1 = max(b[2] for b in region)
        y1 = max(b[3] for b in region)
        half_w = max((x1 - x0) / 2 + 0.05 * w, 0.22 * w)
        half_h = max((y1 - y0) / 2 + 0.04 * h, 0.06 * h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        left, top = max(0.0, cx - half_w), max(0.0, cy - half_h)
        right, bottom = min(float(w), cx + half_w), min(float(h), cy + half_h)
        scale = big.width / w
        piece = big.crop((int(left * scale), int(top * scale), int(right * scale), int(bottom * scale)))
        piece = _with_boxes(piece, page, region, (left, top), scale)
        if piece.width > CROP_WIDTH:
            piece = piece.resize((CROP_WIDTH, max(1, int(piece.height * CROP_WIDTH / piece.width))),
                                 Image.Resampling.LANCZOS)
        return piece

    def uri(self, f: Finding) -> str | None:
        """The picture of a finding: its crop, or the page with its boxes drawn."""
        key = self._key(f) if id(f) in self.chosen else None
        img = self.base.get(key) if key else None
        if img is None or key is None:
            return None
        piece = self.crop(f)
        if piece is not None:
            return _encode(piece, 80)
        page = self.docs[key[0]].pages[key[1] - 1]
        return _encode(_with_boxes(img, page, _boxes(f)))


# ---------------------------------------------------------------- sections

def _verdict(r: Result) -> tuple[str, str]:
    from zjcheck.report.text import verdict
    c = r.counts()
    cls = "unreadable" if r.unreadable or r.unchecked else "error" if c["error"] else "warning" if c["warning"] else "ok"
    return cls, verdict(r).plain


def _header(r: Result) -> str:
    s = r.stats
    prof = r.profile
    name = prof.name or "（未知）"
    src = prof.sources.get("name")
    if src:
        name += f"（{NAME_SOURCE.get(src, src)}）"
    from zjcheck.report.text import title_since
    cls, text = _verdict(r)
    rows = [
        ("申报人", name), ("申报路线", prof.route), ("任现职时间", title_since(prof)),
        ("工作单位", prof.employer or "—"),
        ("材料", r.root),
        ("评分目录", f"{r.catalogue.name}（{r.catalogue.notice}，材料截止 {r.catalogue.cutoff.isoformat()}）"),
        ("读取", f"文件 {s.get('files', 0)} 个，共 {s.get('pages', 0)} 页；本次 OCR {s.get('pages_ocr', 0)} 页，"
                 f"缓存 {s.get('pages_cached', 0)} 页；用时 {float(s.get('seconds', 0)):.1f} 秒"),
        ("zjcheck", s.get("zjcheck", "")),
    ]
    meta = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    c = r.counts()
    return (f"<header><h1>申报材料检查报告：{e(prof.name or '（未知）')}</h1>"
            f"<dl class=\"meta\">{meta}</dl>"
            f"<p class=\"verdict {cls}\" id=\"verdict\">{e(text)}</p>"
            f"<p>错误 <b>{c['error']}</b> 个，警告 <b>{c['warning']}</b> 个，提示 {c['info']} 个。</p></header>")


def _gap(r: Result) -> str:
    """The gap table with the terminal's columns (zjcheck.report.text): item,
    cap, points claimed / supported, evidence found, one result word linking
    to the item's findings."""
    from zjcheck.report.text import result_word
    rows = []
    listed = {f.item for f in r.findings}
    for g in r.gap:
        word, style = result_word(g)
        cls = {"red": "miss", "magenta": "miss", "yellow": "warn", "cyan": "note", "dim": "none"}.get(style, "fine")
        if g.item in listed:
            word_html = f"<a href=\"#item-{e(g.item)}\">{e(word)}</a>"
        else:
            word_html = e(word)
        name = g.name + ("" if g.scored else "（必备）")
        cap = "" if g.cap is None or not g.scored else f"{g.cap:g}"
        pts = "" if not g.scored else f"{_pts(g.claimed)}/{_pts(g.supported)}"
        rows.append(f"<tr><td>{e(name)}</td><td class=\"num\">{e(cap)}</td><td class=\"num\">{e(pts)}</td>"
                    f"<td class=\"num\">{g.found} 项</td><td class=\"{cls}\">{word_html}</td></tr>")
    tot = getattr(r, "totals", None) or {}
    if tot.get("claimed") is not None:
        note = f"，{tot['at_risk']:g} 分有风险" if tot.get("at_risk") else ""
        rows.append(f"<tr><th>合计</th><td></td><td class=\"num\"><b>{_pts(tot['claimed'])}/"
                    f"{_pts(tot.get('supported'))}</b></td><td></td><td>{e(note.lstrip('，'))}</td></tr>")
    return ("<section id=\"gap\"><h2>量化评分表对照（差距报告）</h2><table class=\"gap\">"
            "<thead><tr><th>评分项目</th><th class=\"num\">上限</th><th class=\"num\">自评/可支持</th>"
            "<th class=\"num\">材料</th><th>结果</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _pts(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def _finding(f: Finding, thumbs: Thumbnails) -> str:
    from zjcheck.report.layout import item_label, relabel
    where = ""
    if f.path:
        where = f.path + (f" 第 {f.page} 页" if f.page else "")
    label = item_label(f.evidence)
    parts = [f"<div class=\"body\"><div><span class=\"code\">{e(f.code)}</span>"
             f"<span class=\"sev {e(f.severity)}\">{e(SEV_LABEL.get(f.severity, f.severity))}</span>"
             + (f" <span class=\"muted\">{e(label)}</span>" if label else "") + "</div>",
             f"<div class=\"msg\">{e(relabel(f.message))}</div>"]
    if where:
        parts.append(f"<div class=\"where\">{e(where)}</div>")
    if f.fix and f.severity != "info":
        parts.append(f"<div class=\"fix\">修改：{e(f.fix)}</div>")
    parts.append("</div>")
    fig = ""
    if f.path:
        uri = thumbs.uri(f)
        if uri:
            key = thumbs._key(f)
            cropped = thumbs.crop(f) is not None
            boxed = "（红框为问题所在位置）" if cropped or _boxes(f) else ""
            full = (f"<details class=\"page\"><summary>查看整页</summary>"
                    f"<div class=\"page {thumbs.page_class(key)}\" role=\"img\" aria-label=\"{e(where)} 整页\"></div>"
                    "</details>") if cropped and key else ""
            fig = (f"<figure><img class=\"thumb\" src=\"{uri}\" alt=\"{e(where)}\">"
                   f"<figcaption>{e(where)}{boxed}</figcaption>{full}</figure>")
        else:
            reason = thumbs.why_not(f)
            if reason is None:
                reason = "（无法生成此页缩略图）" if id(f) in thumbs.chosen else "（缩略图数量已达上限，未显示）"
            fig = f"<div class=\"nothumb\">{e(reason)}</div>"
    return f"<div class=\"finding {e(f.severity)}\">{''.join(parts)}{fig}</div>"


def grouped(r: Result) -> list[tuple[str, str, list[Finding]]]:
    """(item id, name, findings) by catalogue item, in catalogue order (general ones last)."""
    names = {ci.id: ci.name for ci in r.catalogue.items}
    by_item: dict[str, list[Finding]] = defaultdict(list)
    for f in r.findings:
        by_item[f.item if f.item in names else "_general"].append(f)
    return [(key, names.get(key, "通用检查与其他"), by_item[key])
            for key in [ci.id for ci in r.catalogue.items] + ["_general"] if by_item.get(key)]


def _findings(groups: list[tuple[str, str, list[Finding]]], thumbs: Thumbnails) -> str:
    if not groups:
        return "<section id=\"findings\"><h2>问题清单</h2><p class=\"verdict ok\">没有发现问题。</p></section>"
    out = ["<section id=\"findings\"><h2>问题清单（按评分项目）</h2>"]
    for key, name, fs in groups:
        out.append(f"<h3 id=\"item-{e(key)}\">{e(name)}（{len(fs)} 条）</h3>")
        out.extend(_finding(f, thumbs) for f in fs)
    out.append("</section>")
    return "".join(out)


def _items(r: Result) -> str:
    from zjcheck.report.layout import item_label
    out = ["<section id=\"items\"><h2>材料分组（每项材料由哪些页组成）</h2>"]
    if not r.items:
        out.append("<p class=\"muted\">没有识别出任何材料。</p>")
    for it in r.items:
        rows = []
        for page in it.pages:
            names = "、".join(part_name(it.material, p) for p in page.parts) or "（未识别部分）"
            rows.append(f"<tr><td>{e(names)}</td><td>{e(page.doc.rel)}</td><td class=\"num\">{page.number}</td></tr>")
        out.append(f"<h3>{e(item_label(it.id))}（{e(material_name(it.material))}）</h3>"
                   "<table><thead><tr><th>部分</th><th>文件</th><th>页</th></tr></thead>"
                   f"<tbody>{''.join(rows)}</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _documents(r: Result) -> str:
    from zjcheck.report.json import document_material
    rows = []
    for d in r.documents:
        mat = document_material(d)
        rows.append(f"<tr><td>{e(d.rel)}</td><td>{e(d.file.kind)}</td><td class=\"num\">{len(d.pages)}</td>"
                    f"<td>{e(TEXT_SOURCE.get(d.text_source, d.text_source))}</td>"
                    f"<td>{e(material_name(mat) if mat != 'other' else '未归类')}</td>"
                    f"<td>{'是' if d.readable else '<b>否</b>'}</td></tr>")
    return ("<section id=\"files\"><h2>读取的文件</h2><table class=\"files\"><thead><tr><th>文件</th><th>类型</th><th>页数</th>"
            "<th>文字来源</th><th>材料</th><th>可读</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def render(r: Result) -> str:
    """The whole report as one HTML document (str)."""
    groups = grouped(r)
    thumbs = Thumbnails(r, [f for _, _, fs in groups for f in fs])
    title = f"zjcheck 检查报告 — {r.profile.name or '未知申报人'}"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"zjcheck {e(r.stats.get('zjcheck', ''))}\">"
        f"<title>{e(title)}</title><style>{CSS}{thumbs.css()}</style></head><body>"
        "<nav><a href=\"#gap\">差距报告</a><a href=\"#findings\">问题清单</a>"
        "<a href=\"#items\">材料分组</a><a href=\"#files\">读取的文件</a></nav>"
        + _header(r) + _gap(r) + _findings(groups, thumbs) + _items(r) + _documents(r)
        + "<footer class=\"muted\"><p>本报告由 zjcheck 在本机离线生成，材料未离开本机。</p></footer>"
        "</body></html>\n"
    )
