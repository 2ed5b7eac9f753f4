"""The HTML report: self-contained, escaped, thumbnails with regions, and a
real headless Chromium loading it (gap table visible, thumbnails decoded)."""

from __future__ import annotations

import base64
import html as html_lib
import io
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from zjcheck import catalogue
from zjcheck.codes import finding
from zjcheck.model import Document, Page, PageText, Profile, SourceFile
from zjcheck.pipeline import GapRow, Result
from zjcheck.report import html as html_report

HOSTILE = '论文<img src=x onerror=alert(1)>"&\'.png'


def _png(w: int = 600, h: int = 800, text_box: tuple[int, int, int, int] = (100, 100, 300, 140)) -> bytes:
    im = Image.new("RGB", (w, h), "white")
    ImageDraw.Draw(im).rectangle(text_box, fill="black")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _pdf(w: int = 595, h: int = 842) -> bytes:
    im = Image.new("RGB", (w, h), "white")
    ImageDraw.Draw(im).rectangle((50, 50, 200, 120), fill="black")
    buf = io.BytesIO()
    im.save(buf, "PDF", resolution=72)
    return buf.getvalue()


def _doc(rel: str, data: bytes, kind: str, pages: int = 1, rotation: int = 0, w: int = 600, h: int = 800,
         readable: bool = True, path: Path | None = None) -> Document:
    sf = SourceFile(rel=rel, kind=kind, mime="x", size=len(data), sha256=rel,
                    data=None if path else data, path=path)
    d = Document(sf, readable=readable, text_source="ocr")
    for n in range(1, pages + 1):
        d.pages.append(Page(d, n, PageText("某某 文本 <b>OCR</b>", "ocr", rotation=rotation, width=w, height=h),
                            material="paper", parts=["body"], item_id="paper-1"))
    return d


def _result(docs: list[Document], findings: list, gap: list[GapRow] | None = None) -> Result:
    cat = catalogue.load()
    from zjcheck.model import Item
    items = [Item("paper-1", "paper", [p for d in docs for p in d.pages])] if docs else []
    gap = gap if gap is not None else [GapRow("paper", "论文", None, 1, 0, ["paper-1：缺少期刊封面"], False, True)]
    return Result("/tmp/x<script>", cat, Profile(name="周<i>建华</i>"), docs, items, findings, gap,
                  {"files": len(docs), "pages": 1, "pages_ocr": 1, "pages_cached": 0, "seconds": 1.0,
                   "zjcheck": "t"}, 0)


def _thumbs(html: str) -> list[Image.Image]:
    return [Image.open(io.BytesIO(base64.b64decode(m))) for m in
            re.findall(r'<img class="thumb" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)]


def test_self_contained_escaped_and_ordered() -> None:
    d = _doc(HOSTILE, _png(), "image")
    f = finding("PAP001", "缺少期刊封面 <script>alert(2)</script>", path=HOSTILE, page=1, evidence="paper-1")
    f.item = "paper"
    html = html_report.render(_result([d], [f]))
    assert "<script" not in html.lower() and "<img src=x" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "周&lt;i&gt;建华&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r'(src|href)="(https?:|//|file:)', html)          # nothing to fetch
    assert html.index('id="gap"') < html.index('id="findings"') < html.index('id="items"')
    assert "量化评分表对照" in html and "问题清单" in html and "@media print" in html
    assert len(_thumbs(html)) == 1


def test_crop_around_where_the_finding_points() -> None:
    """A finding with a region gets a crop around it (sharp, outlined), with
    the whole page one click away; without one, the page itself."""
    d = _doc("a.png", _png(), "image")
    f = finding("PAP001", "x", path="a.png", page=1, box=[400, 600, 560, 760])
    html = html_report.render(_result([d], [f]))
    (img,) = _thumbs(html)
    assert img.width < 600 and img.height < 800              # a crop, at the page's own resolution

    def red_at(im: Image.Image, x: int, y: int) -> bool:
        rgb = im.convert("RGB")
        return any(r > 150 and g < 100 and b < 130 for r, g, b in (rgb.getpixel((x + dx, y)) for dx in range(-6, 4)))

    # the crop spans x 348-600, y 568-792 of the page: the box's left edge is at x 52
    assert red_at(img, 400 - 348, 680 - 568)
    assert "查看整页" in html and 'class="page pg0"' in html and ".pg0{background-image:url(data:image/jpeg" in html
    plain = html_report.render(_result([d], [finding("PAP001", "x", path="a.png", page=1)]))
    (img2,) = _thumbs(plain)
    assert img2.width / img2.height == pytest.approx(600 / 800, abs=0.02)     # the whole page
    assert "红框为问题所在位置" in html and "红框" not in plain and "查看整页" not in plain


def test_region_found_from_the_value_a_finding_quotes() -> None:
    """No box from the check, but the finding names what it read: the crop is
    around the OCR line that carries it."""
    from zjcheck.model import Line
    d = _doc("a.png", _png(), "image")
    d.pages[0].content.lines = [Line("姓名 周建明", (100, 100, 300, 140), 95.0), Line("其他", (100, 500, 200, 540), 95.0)]
    f = finding("XDC001", "姓名写作“周建明”", path="a.png", page=1, found="周建明", expected="周建华")
    html = html_report.render(_result([d], [f]))
    (img,) = _thumbs(html)
    assert img.height < 400 and "查看整页" in html


def test_pdf_from_memory_rotation_and_unreadable() -> None:
    pdf = _doc("z/scan.pdf", _pdf(), "pdf", rotation=90, w=842, h=595)    # analysed turned by 90°
    bad = _doc("broken.pdf", b"%PDF-1.4 broken", "pdf", readable=False)
    fs = [finding("PAP002", "缺目录", path="z/scan.pdf", page=1), finding("GEN001", "坏了", path="broken.pdf"),
          finding("SUM001", "未找到专业技术工作总结")]
    html = html_report.render(_result([pdf, bad], fs))
    (img,) = _thumbs(html)
    assert img.width > img.height                      # portrait A4 turned to landscape as analysed
    assert "文件无法读取，无缩略图" in html and "未找到专业技术工作总结" in html


def test_thumbnail_count_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_report, "MAX_THUMBS", 2)
    d = _doc("a.png", _png(), "image", pages=1)
    fs = [finding("PAP001", f"问题{i}", path="a.png", page=1) for i in range(4)]
    html = html_report.render(_result([d], fs))
    assert len(_thumbs(html)) == 2 and html.count("缩略图数量已达上限") == 2


def test_folder_input_is_not_touched(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "a.png").write_bytes(_png())
    before = sorted(p.name for p in ev.iterdir())
    d = _doc("a.png", b"", "image", path=ev / "a.png")
    html = html_report.render(_result([d], [finding("PAP001", "x", path="a.png", page=1)]))
    assert len(_thumbs(html)) == 1 and sorted(p.name for p in ev.iterdir()) == before


# ---------------------------------------------------------------- browser

def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe or not shutil.which("chromedriver"):
        pytest.fail("浏览器测试需要 Debian 软件包 chromium 和 chromium-driver：运行 `make test`（以 root 运行时自动安装），"
                    "或 `sudo apt-get install -y chromium chromium-driver`")
    return exe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wd(port: int, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def report_file() -> Path:
    out = Path(tempfile.mkdtemp(prefix="zjcheck-html-test-"))
    docs = [_doc(HOSTILE, _png(), "image"), _doc("b/scan.pdf", _pdf(), "pdf", w=595, h=842)]
    fs = [finding("PAP001", "缺少期刊封面", path=HOSTILE, page=1, box=[100, 100, 300, 140]),
          finding("PAP002", "缺少目录", path="b/scan.pdf", page=1)]
    for f in fs:
        f.item = "paper"
    path = out / "report.html"
    path.write_text(html_report.render(_result(docs, fs)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def package_report() -> Path:
    """The HTML report of a rendered package with many findings (real OCR)."""
    from tests.conftest import check_package
    result, _ = check_package("records-defects")
    out = Path(tempfile.mkdtemp(prefix="zjcheck-html-pkg-"))
    path = out / "records-defects.html"
    path.write_text(html_report.render(result), encoding="utf-8")
    return path


def _browse(exe: str, art: Path, page: Path, widths: tuple[int, ...]) -> list[dict]:
    """Load `page` in headless Chromium (WebDriver) at each window width; what it measured."""
    port = _free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = []
    try:
        for _ in range(100):
            try:
                _wd(port, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        for width in widths:
            caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                "binary": exe, "args": [*CHROME_ARGS, f"--user-data-dir={art / f'profile{width}'}",
                                        f"--window-size={width},1600"]}}}}
            sid = _wd(port, "POST", "/session", caps)["value"]["sessionId"]
            try:
                _wd(port, "POST", f"/session/{sid}/url", {"url": page.as_uri()})
                info = _wd(port, "POST", f"/session/{sid}/execute/sync", {"args": [], "script": """
                    const gap = document.querySelector('table.gap');
                    const r = gap ? gap.getBoundingClientRect() : null;
                    const cards = [...document.querySelectorAll('.finding')];
                    const wider = [...document.querySelectorAll('body *')].filter(
                        el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                        .map(el => el.tagName + '.' + el.className).slice(0, 5);
                    return {
                      width: document.documentElement.clientWidth,
                      scroll: document.documentElement.scrollWidth,
                      wider: wider,
                      gapVisible: !!r && r.width > 0 && r.height > 0 && getComputedStyle(gap).visibility === 'visible',
                      gapRows: gap ? gap.tBodies[0].rows.length : 0,
                      thumbs: [...document.querySelectorAll('img.thumb')].map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
                      cards: cards.length,
                      pictured: cards.filter(c => c.querySelector('.where') && c.querySelector('img.thumb')).length,
                      located: cards.filter(c => c.querySelector('.where')).length,
                      unpictured: cards.filter(c => c.querySelector('.where') && !c.querySelector('img.thumb')
                                               && !c.querySelector('.nothumb')).length,
                      narrowText: [...document.querySelectorAll('.finding .body')].filter(
                        b => b.getBoundingClientRect().width < 160).length,
                      resources: performance.getEntriesByType('resource').length,
                      scripts: document.scripts.length,
                      title: document.title,
                    };"""})["value"]
                png = base64.b64decode(_wd(port, "GET", f"/session/{sid}/screenshot")["value"])
                (art / f"{page.stem}-{width}.png").write_bytes(png)
                info["png"] = png
                out.append(info)
            finally:
                _wd(port, "DELETE", f"/session/{sid}")
    finally:
        driver.terminate()
        driver.wait(10)
    return out


def test_browser_renders_report(report_file: Path) -> None:
    exe = _chromium()
    (info,) = _browse(exe, report_file.parent, report_file, (1280,))
    print(f"\n浏览器截图：{report_file.parent}  报告：{report_file}")
    assert info["gapVisible"] and info["gapRows"] >= 1
    assert len(info["thumbs"]) == 2 and all(c and w > 0 and h > 0 for c, w, h in info["thumbs"]), info["thumbs"]
    assert info["resources"] == 0 and info["scripts"] == 0
    assert "周<i>建华</i>" in info["title"]          # shown as text, not markup
    assert Image.open(io.BytesIO(info["png"])).size[0] > 0


@pytest.mark.ocr
def test_browser_phone_and_desktop_widths(package_report: Path) -> None:
    """Issue 17: at 400 px (a phone) and 1280 px nothing runs off the right
    edge, the findings' text keeps a usable width, and every finding that
    points at a page shows a picture of it (a crop where the region is known)."""
    exe = _chromium()
    for info in _browse(exe, package_report.parent, package_report, (400, 1280)):
        where = f"{info['width']} px: {info['wider']}"
        assert info["scroll"] <= info["width"] + 1, where
        assert info["narrowText"] == 0, where
        assert info["cards"] >= 8 and info["unpictured"] == 0 and info["pictured"] >= 1, info
        assert all(c and w > 0 and h > 0 for c, w, h in info["thumbs"])


@pytest.mark.ocr
def test_print_strands_no_heading(package_report: Path) -> None:
    """Printed (Chromium's print to PDF, A4): no page ends with a heading."""
    import unicodedata

    from pypdf import PdfReader
    exe = _chromium()
    pdf = package_report.parent / "print.pdf"
    subprocess.run([exe, *CHROME_ARGS, f"--user-data-dir={package_report.parent / 'profile-print'}",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer", package_report.as_uri()],
                   capture_output=True, timeout=180, check=False)
    html = package_report.read_text("utf-8")
    headings = {unicodedata.normalize("NFKC", re.sub(r"<[^>]+>", "", h)).strip()
                for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)}
    headings = {html_lib.unescape(h) for h in headings}
    pages = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in PdfReader(pdf).pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages[:-1], 1):
        last = [ln.strip() for ln in text.splitlines() if ln.strip()][-1:]
        assert not last or last[0] not in headings, f"page {n} ends with the heading {last[0]!r}"


def test_browser_screenshot_and_print(report_file: Path) -> None:
    """Chromium's own headless modes: a screenshot and a printed PDF (print CSS)."""
    exe = _chromium()
    art = report_file.parent
    base = [exe, *CHROME_ARGS, f"--user-data-dir={art / 'profile2'}"]
    shot, pdf = art / "shot.png", art / "print.pdf"
    subprocess.run([*base, f"--screenshot={shot}", "--window-size=1280,2000", report_file.as_uri()],
                   capture_output=True, timeout=120, check=False)
    subprocess.run([*base, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report_file.as_uri()],
                   capture_output=True, timeout=120, check=False)
    print(f"\n截图：{shot}  打印：{pdf}")
    assert Image.open(shot).size == (1280, 2000)
    from pypdf import PdfReader
    import unicodedata
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() or "" for p in PdfReader(pdf).pages))
    assert "量化评分表对照" in text and "缺少期刊封面" in text
    assert text.lstrip().startswith("申报材料检查报告")          # print CSS hides the navigation links


def test_check_format_html_cli(tmp_path: Path) -> None:
    """`zjcheck check --format html -o FILE` on a tiny package (one image, OCR'd once)."""
    from typer.testing import CliRunner
    from zjcheck.cli import app
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "scan.png").write_bytes(_png(300, 400, (20, 20, 100, 40)))
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["check", str(ev), "--format", "html", "-o", str(out), "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    html = out.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="gap"' in html
    bad = CliRunner().invoke(app, ["check", str(ev), "--format", "html", "-o", str(ev / "r.html")])
    assert bad.exit_code == 2 and not (ev / "r.html").exists()
