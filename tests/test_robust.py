"""Hostile input, in process and fast (issue 18): the walker's rules, the
resource policy's readers, escaping, the page cache, the profile and the
output checks; property-based fuzzing (hypothesis) of the zip walker and of
the escaping.  The child-process corpus with its measurements is
tests/test_hostile.py."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests import hostile
from tests.hostile import raw_zip, stored, text_pdf
from zjcheck import limits
from zjcheck.escape import cell, json_safe, markup, raw_hex, readable, terminal
from zjcheck.walk import EvidenceFile, _safe_rel, walk_folder, walk_zip

CONTROL = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | set(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


# ---------------------------------------------------------------- escaping

def test_terminal_shows_control_characters_as_escapes() -> None:
    assert terminal("\x1b[2J清屏.pdf") == "\\x1b[2J清屏.pdf"
    assert terminal("a\rb\x07\u202eFDP.exe") == "a\\x0db\\x07\\u202eFDP.exe"
    assert terminal("两行\n\t缩进") == "两行\n\t缩进"
    assert terminal("两行\n", keep_newlines=False) == "两行\\x0a"


def test_markup_is_shown_not_interpreted() -> None:
    from rich.text import Text
    assert Text.from_markup(markup("张三[/]")).plain == "张三[/]"
    assert Text.from_markup(markup("[link=file:///etc/passwd]x[/link]")).plain == "[link=file:///etc/passwd]x[/link]"


def test_names_that_are_not_utf8() -> None:
    gbk = os.fsdecode("知网检索.pdf".encode("gbk"))          # what os.listdir gives for GBK bytes
    assert readable(gbk) == "知网检索.pdf" and raw_hex(gbk) is None
    junk = os.fsdecode(b"\xff\xfe-x.pdf")
    assert readable(junk) == "\\xff\\xfe-x.pdf" and raw_hex(junk) == b"\xff\xfe-x.pdf".hex()
    assert readable("普通.pdf") == "普通.pdf" and raw_hex("普通.pdf") is None


def test_json_safe_and_xlsx_cells() -> None:
    value = {"a": float("nan"), os.fsdecode(b"\xff"): [float("inf"), 1.5, os.fsdecode("李四".encode("gbk"))]}
    text = json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == {"a": None, "\\xff": [None, 1.5, "李四"]}
    assert cell("a\x1b[2Jb\x00") == "a\\x1b[2Jb\\x00"


names = st.one_of(st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape")))


@settings(max_examples=300, deadline=None)
@given(names)
def test_escaping_properties(s: str) -> None:
    """Whatever a name holds: no control character reaches the terminal,
    markup round-trips to exactly the escaped text, and JSON/XLSX can hold it."""
    from openpyxl import Workbook
    from rich.text import Text
    shown = terminal(s)
    assert not (set(shown) - {"\n", "\t"}) & CONTROL
    assert terminal(shown) == shown                          # idempotent: safe to apply twice
    assert Text.from_markup(f"[bold]{markup(s)}[/bold]").plain == shown     # as it is used: inside markup
    readable(s).encode("utf-8")
    json.dumps(json_safe({s: [s]}), ensure_ascii=False).encode("utf-8")
    Workbook().active.cell(row=1, column=1).value = cell(s)


@settings(max_examples=200, deadline=None)
@given(names, st.integers(min_value=60, max_value=120))
def test_report_lines_carry_no_control_characters(s: str, width: int) -> None:
    from zjcheck.codes import finding
    from zjcheck.report.text import finding_lines
    f = finding("GEN001", f"无法读取：{s}", path=f"{s}/{s}.pdf", page=2)
    for line, _style in finding_lines(f, width):
        assert not (set(line) - {"\t"}) & CONTROL


# ---------------------------------------------------------------- the zip walker

def test_safe_rel() -> None:
    assert _safe_rel("a/b.pdf") == "a/b.pdf"
    assert _safe_rel("a\\b.pdf") == "a/b.pdf"
    for bad in (".", "./", "a/..", "..", "../x", "/etc/passwd", "C:/x", "a/../../x"):
        assert _safe_rel(bad) is None, bad


def _zip_of(members: list[tuple[str | bytes, bytes, int, int, int]], path: Path, utf8: bool = True) -> Path:
    path.write_bytes(raw_zip(members, utf8=utf8))
    return path


def test_zip_member_rules(tmp_path: Path) -> None:
    pdf = text_pdf()
    good = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = good.compress(pdf) + good.flush()
    z = _zip_of([stored(".", b"x"), stored("a/..", b"y"), stored("ok.pdf", pdf),
                 ("bad.pdf", b"\xff" * 8 + body[8:], 8, zlib.crc32(pdf), len(pdf)),
                 ("liar.pdf", body, 8, zlib.crc32(pdf), 100)], tmp_path / "m.zip")
    w = walk_zip(z)
    by = {(f.code, f.path) for f in w.findings}
    assert ("GEN010", ".") in by and ("GEN010", "a/..") in by
    assert ("GEN001", "bad.pdf") in by
    assert any(p == "liar.pdf" for _, p in by)               # never read past its declared size
    assert [f.rel for f in w.files] == ["ok.pdf"]
    assert w.files[0].read_bytes() == pdf and w.files[0].data is None     # members are not kept in memory


def test_member_changed_under_the_run_is_noticed(tmp_path: Path) -> None:
    z = tmp_path / "c.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.pdf", text_pdf())
    w = walk_zip(z)
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.pdf", text_pdf(text="something else entirely, and longer than before"))
    with pytest.raises(OSError):
        w.files[0].read_bytes()


def test_zip_ratio_and_entries_bounded_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = walk_zip(hostile.b_forty_members(tmp_path))
    assert sum(f.code == "GEN010" and "压缩比" in f.message for f in w.findings) == 40
    monkeypatch.setattr(limits, "ZIP_MEMBERS", 10)
    many = _zip_of([stored(f"e{i}.pdf", b"%PDF") for i in range(11)], tmp_path / "many.zip")
    w = walk_zip(many)
    assert [f.code for f in w.findings] == ["GEN010"] and "11 个条目" in w.findings[0].message


member_names = st.one_of(
    st.lists(st.sampled_from(list("ab/\\.:~$ 论文\x1b\u202e") + ["..", "__MACOSX/", "zjcheck.toml", "pkg/"]),
             max_size=8).map("".join),
    st.binary(max_size=12))


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    members = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(member_names)
        data = draw(st.sampled_from([b"", b"%PDF-1.4 x", text_pdf(), b"PK\x03\x04junk", b"\x89PNG\r\n\x1a\n"]))
        if draw(st.booleans()):
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = co.compress(data) + co.flush()
            members.append((name, body, 8, zlib.crc32(data), draw(st.sampled_from([len(data), len(data) + 7, 0]))))
        else:
            members.append(stored(name, data))
    data = bytearray(raw_zip(members, utf8=draw(st.booleans())))
    for _ in range(draw(st.integers(0, 3))):              # damage: a few bytes anywhere
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zips())
def test_zip_walker_fuzz(tmp_path: Path, data: bytes) -> None:
    """Any archive: the walker never raises, every path it gives is inside
    the package and unique, every finding has a known code, and each file's
    bytes are the ones it hashed."""
    path = tmp_path / "fuzz.zip"
    path.write_bytes(data)
    w = walk_zip(path)
    rels = [f.rel for f in w.files]
    assert len(rels) == len(set(rels))
    for f in w.files:
        parts = f.rel.split("/")
        assert f.rel and not f.rel.startswith("/") and ".." not in parts and "." not in parts and "\\" not in f.rel
        assert not any("\ud800" <= c <= "\udfff" for c in f.rel)
        assert f.size <= limits.FILE_BYTES
        assert hashlib.sha256(f.read_bytes()).hexdigest() == f.sha256
    assert {f.code for f in w.findings} <= {"GEN001", "GEN003", "GEN004", "GEN006", "GEN009", "GEN010"}
    assert w.profile_text is None or isinstance(w.profile_text, str)


# ---------------------------------------------------------------- the folder walker

def test_links_loops_and_special_files(tmp_path: Path) -> None:
    pkg = hostile.b_symlinked_dirs(tmp_path)
    os.symlink("x.pdf", pkg / "y.pdf")
    os.symlink("y.pdf", pkg / "x.pdf")
    os.mkfifo(pkg / "pipe.pdf")
    w = walk_folder(pkg)
    by = {f.path: f for f in w.findings}
    assert by["out-link"].code == "GEN001" and by["in-link"].code == "GEN009"
    assert by["x.pdf"].code == "GEN001" and "循环" in by["x.pdf"].message
    assert by["pipe.pdf"].code == "GEN001"
    assert sorted(f.rel for f in w.files) == ["ok.pdf", "sub/in.pdf"]


def test_folder_that_cannot_be_entered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root the mode does not stop us, so the refusal is simulated (the
    child-process corpus has the real one)."""
    pkg = hostile.b_plain(tmp_path)
    (pkg / "closed").mkdir()
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied")
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    w = walk_folder(pkg)
    assert [(f.code, f.path) for f in w.findings] == [("GEN001", "closed")] and w.unreadable == 1


def test_profile_by_the_walkers_rules(tmp_path: Path) -> None:
    pkg = hostile.b_toml_devzero(tmp_path)
    w = walk_folder(pkg)
    assert w.profile_text is None and [f.path for f in w.findings] == ["zjcheck.toml"]
    gbk = hostile.b_gbk_toml(tmp_path / "g")
    assert "周建华" in (walk_folder(gbk).profile_text or "")
    big = hostile.b_plain(tmp_path / "b")
    (big / "zjcheck.toml").write_bytes(b"# x\n" * 20000)
    w = walk_folder(big)
    assert w.profile_text is None and w.findings[0].code == "GEN010"


def test_sparse_file_refused_by_its_size(tmp_path: Path) -> None:
    pkg = hostile.b_sparse(tmp_path)
    w = walk_folder(pkg)
    big = [f for f in w.findings if f.path == "big.pdf"]
    assert big[0].code == "GEN010" and "1.5 GB" in big[0].message


# ---------------------------------------------------------------- readers

def test_pdf_bombs_refused_on_their_raw_streams(tmp_path: Path) -> None:
    from pypdf import PdfReader
    from zjcheck.read import pdf_page_problem
    for data, word in ((hostile.flate_bomb_pdf(512), "压缩炸弹"), (hostile.image_bomb_pdf(60000, 60000, 64), "60000×60000"),
                       (hostile.image_bomb_pdf(2000, 2000, 512), "压缩炸弹")):
        page = PdfReader(io.BytesIO(data)).pages[0]
        with pytest.raises(limits.LimitExceeded, match=word):
            pdf_page_problem(page)
    pdf_page_problem(PdfReader(io.BytesIO(text_pdf())).pages[0])       # a real page passes


def test_inflated_size_stops_at_the_limit() -> None:
    data = hostile.deflate_zeros(64)
    assert limits.inflated_size([data], 10 << 20) == (10 << 20) + (1 << 20) or limits.inflated_size([data], 10 << 20) > 10 << 20
    assert limits.inflated_size([zlib.compress(b"abc")], 100) == 3
    assert limits.inflated_size([b"not zlib"], 100) == 0


def test_sheet_rows_and_columns_bounded(tmp_path: Path) -> None:
    from zjcheck.read import FileTask, _office
    p = tmp_path / "s.xlsx"
    p.write_bytes(hostile.xlsx_million_rows())
    probe = _office(FileTask(0, str(p), "xlsx"))
    assert probe.partial and probe.partial[0] == "GEN010" and "1048576" in probe.partial[1]
    assert probe.texts and "量化评分表" in probe.texts[0].text


def test_office_parts_bounded(tmp_path: Path) -> None:
    from zjcheck.read import FileTask, _office
    p = tmp_path / "d.docx"
    p.write_bytes(hostile.docx_with_huge_part(128))
    with pytest.raises(limits.LimitExceeded, match="word/document.xml"):
        _office(FileTask(0, str(p), "docx"))


def test_image_pixels_refused_with_their_size(tmp_path: Path) -> None:
    from zjcheck.imaging.render import TooManyPixels, image_frames, load_image
    p = tmp_path / "bomb.png"
    p.write_bytes(hostile.png_header(60000, 60000))
    for fn in (load_image, image_frames):
        with pytest.raises(TooManyPixels, match="60000×60000 像素.*300 dpi"):
            fn(str(p))


def test_jpeg_size_from_its_sof() -> None:
    from PIL import Image
    from zjcheck.read import _jpeg_size
    buf = io.BytesIO()
    Image.new("RGB", (321, 123)).save(buf, "JPEG")
    assert _jpeg_size(buf.getvalue()) == (321, 123)
    assert _jpeg_size(b"\xff\xd8\xff") is None


def test_one_reader_per_document(tmp_path: Path) -> None:
    """Reading page k does not open the PDF again (a reader per page made a
    2000-page PDF quadratic)."""
    import zjcheck.read as read
    p = tmp_path / "book.pdf"
    p.write_bytes(text_pdf(50))
    read._reader.cache_clear()
    for j in (0, 25, 49):
        assert "page" in read._pdf_layer_text(str(p), j)
    assert read._reader.cache_info().misses == 1


# ---------------------------------------------------------------- page cache

def test_pages_cached_one_by_one(tmp_path: Path) -> None:
    from zjcheck.cache import PageCache
    from zjcheck.model import PageText
    c = PageCache(tmp_path, "s")
    c.put_page("ab" * 32, 0, PageText("第一页", "ocr"))
    c.put_page("ab" * 32, 1, PageText("", "none", error="GEN001 x"))     # errors are never cached
    assert c.get_page("ab" * 32, 0).text == "第一页" and c.get_page("ab" * 32, 1) is None
    c.put("ab" * 32, [PageText("第一页", "ocr"), PageText("第二页", "ocr")])
    assert [p.text for p in c.get("ab" * 32)] == ["第一页", "第二页"]
    assert c.get_page("ab" * 32, 0) is None                            # merged into the file's entry


# ---------------------------------------------------------------- profile and output

@pytest.mark.parametrize("text,word", [
    ("applicant = 5", "应是一个表"), ("name = " + "[" * 5000 + "]" * 5000, "嵌套过深"),
    ("title_date = 1066-10-14", "不合理"), ("route = []", "route"), ('"[/]" = 1', "不认识的字段")])
def test_profile_values_that_are_usage_errors(text: str, word: str) -> None:
    from zjcheck.errors import UsageError
    from zjcheck.profile import parse_profile_text
    with pytest.raises(UsageError, match=word):
        parse_profile_text(text, "x")


def test_profile_datetime_is_its_day() -> None:
    from datetime import date
    from zjcheck.profile import parse_profile_text
    assert parse_profile_text("title_date = 2019-12-20T08:00:00", "x") == {"title_date": date(2019, 12, 20)}


def test_profile_file_by_the_walkers_rules(tmp_path: Path) -> None:
    from zjcheck.errors import UsageError
    from zjcheck.profile import read_profile_file
    os.mkfifo(tmp_path / "fifo.toml")
    for bad in (Path("/dev/zero"), tmp_path / "fifo.toml", tmp_path):
        with pytest.raises(UsageError):
            read_profile_file(bad)


def test_output_refused_when_it_is_an_input(tmp_path: Path) -> None:
    import typer
    from zjcheck.cli import _check_output
    ev = hostile.b_plain(tmp_path)
    z = hostile.b_out_is_zip(tmp_path)
    link = tmp_path / "hard.zip"
    os.link(z, link)
    os.mkfifo(tmp_path / "fifo")
    prof = tmp_path / "p.toml"
    prof.write_text('name = "x"\n', "utf-8")
    for out, evidence, inputs in ((z, z, []), (link, z, []), (ev / "r.json", ev, []), (tmp_path, ev, []),
                                  (tmp_path / "none" / "r.json", ev, []), (prof, ev, [prof]),
                                  (tmp_path / "fifo", ev, [])):
        with pytest.raises(typer.Exit):
            _check_output(out, evidence, inputs)
    _check_output(tmp_path / "r.json", ev, [prof])                      # an ordinary report path


def test_worker_death_is_explained() -> None:
    import signal
    from zjcheck.read import _death
    assert "秒" in _death(-signal.SIGXCPU, False)
    assert "内存" in _death(-signal.SIGKILL, False)
    assert "SIGABRT" in _death(-signal.SIGABRT, False)
    assert "秒" in _death(None, True)
    assert math.isfinite(limits.wall_seconds())


def test_evidence_file_refuses_when_limited(tmp_path: Path) -> None:
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"x")
    f = EvidenceFile(rel="a.xlsx", kind="xlsx", mime="", size=1, sha256=hashlib.sha256(b"x").hexdigest(), path=p)
    assert f.read_bytes() == b"x"
    f.limited = "表格超过上限"
    with pytest.raises(OSError, match="表格超过上限"):
        f.read_bytes()
