"""The hostile corpus (issue 18): inputs an attacker or an unlucky user
gives zjcheck, generated at test time (never committed), and a harness that
runs `zjcheck check` on one of them in a child process and measures it.

Each case builds its evidence (a folder or a zip) in a fresh directory and
says what must happen: the exit code, a finding with its code, and for
every case the same bounds: valid UTF-8 JSON, peak RSS of the whole
process tree under 1 GB, wall time under 60 s, the evidence's bytes and
mtimes unchanged, nothing left in TMPDIR.

    python tests/hostile.py --out /tmp/corpus            # build every case
    python tests/hostile.py --run [NAME ...]              # build, run, print a table

Bombs here are bounded by zjcheck's limits before they can grow: nothing
in this corpus is decompressed in full by the test itself either (the
archives are written from one compressed block, repeated).
"""

from __future__ import annotations

import binascii
import io
import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RSS_LIMIT = 1 << 30
WALL_LIMIT = 60.0

# ---------------------------------------------------------------- small writers


def text_pdf(pages: int = 1, text: str = "Certificate of continuing education, registered hours 96") -> bytes:
    """A text-layer PDF (Helvetica, ASCII): every page has a text layer long
    enough to be read without OCR."""
    objs: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(pages):
        body = f"BT /F1 14 Tf 72 720 Td ({text} page {i + 1}) Tj ET".encode()
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                    b" /Contents %d 0 R >>" % len(objs))
        kids.append(len(objs))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages
    return _pdf(objs)


def _pdf(objs: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


@lru_cache(maxsize=8)
def deflate_zeros(megabytes: int, raw: bool = False) -> bytes:
    """zlib (or raw deflate) data that inflates to `megabytes` MB of zeros
    (about 1000:1).  After a full flush a deflate compressor starts afresh,
    so the bytes for each further megabyte are the same: they are made once
    and repeated (the test never compresses gigabytes)."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    block = b"\x00" * (1 << 20)
    first = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    end = co.flush(zlib.Z_FINISH)
    body = first + again * (megabytes - 1)
    if raw:
        return body + end
    adler = (((megabytes << 20) % 65521) << 16) | 1     # Adler-32 of n zero bytes: a = 1, b = n
    return body + end[:-4] + struct.pack(">I", adler)


def raw_deflate_zeros(megabytes: int) -> bytes:
    return deflate_zeros(megabytes, raw=True)


@lru_cache(maxsize=4)
def _crc_zeros(megabytes: int) -> int:
    crc = 0
    block = b"\x00" * (1 << 20)
    for _ in range(megabytes):
        crc = binascii.crc32(block, crc)
    return crc


def flate_bomb_pdf(megabytes: int = 2048) -> bytes:
    """A page whose content stream is ~2 MB of flate data that inflates to
    `megabytes` MB (the issue's 2 MB PDF → 3.2 GB RSS)."""
    data = deflate_zeros(megabytes)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    return _pdf(objs)


def image_bomb_pdf(width: int = 60000, height: int = 60000, megabytes: int = 8192) -> bytes:
    """An image XObject declaring width × height pixels, with flate data that
    inflates to `megabytes` MB (the issue's 8 MB PDF → pdfium SIGABRT)."""
    data = deflate_zeros(megabytes)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >>"
            b" /Contents 4 0 R >>",
            b"<< /Length 32 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q  \nendstream",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
            b" /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(data)) + data + b"\nendstream"]
    return _pdf(objs)


def encrypted(data: bytes, user: str, owner: str, algorithm: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    w.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width × height (1-bit) and holds one tiny IDAT: a
    few hundred bytes that claim gigapixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", binascii.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def small_png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buf, "PNG")
    return buf.getvalue()


def raw_zip(members: list[tuple[str | bytes, bytes, int, int, int]], utf8: bool = True) -> bytes:
    """A zip written by hand: (name, stored bytes, method, CRC, size) per
    member; for what zipfile will not write (pre-compressed bombs, corrupt
    deflate data, names like "." or undecodable bytes with the UTF-8 flag)."""
    out = io.BytesIO()
    central = []
    for name, body, method, crc, size in members:
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        flags = 0x800 if utf8 else 0
        off = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc,
                              len(body), size, len(raw), 0) + raw)
        out.write(body)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc,
                                   len(body), size, len(raw), 0, 0, 0, 0, 0, off) + raw)
    start = out.tell()
    for c in central:
        out.write(c)
    end = out.tell()
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0))
    return out.getvalue()


def stored(name: str | bytes, data: bytes) -> tuple[str | bytes, bytes, int, int, int]:
    return name, data, 0, binascii.crc32(data), len(data)


def xlsx_million_rows() -> bytes:
    """A 1.5 KB workbook whose sheet declares A1:XFD1048576, with a cell in
    the last column of the first and of the last row."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="评分表" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '</Relationships>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:XFD1048576"/><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>量化评分表</t></is></c><c r="XFD1"><v>1</v></c></row>'
             '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in (("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                           ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet)):
            z.writestr(name, body)
    return buf.getvalue()


def docx_with_huge_part(megabytes: int = 1024) -> bytes:
    """A ~1 MB .docx whose word/document.xml inflates to `megabytes` MB."""
    from fixtures.render.writers import docx_bytes
    import docx
    d = docx.Document()
    d.add_paragraph("专业技术工作总结")
    base = docx_bytes(d)
    members = []
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        for info in z.infolist():
            if info.filename == "word/document.xml":
                continue
            members.append(stored(info.filename, z.read(info)))
    members.append(("word/document.xml", raw_deflate_zeros(megabytes), 8, _crc_zeros(megabytes), megabytes << 20))
    return raw_zip(members)


# ---------------------------------------------------------------- cases

@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]            # builds the evidence under the given dir, returns its path
    exit: int | tuple[int, ...]              # expected exit code(s)
    codes: tuple[str, ...] = ()              # codes that must be among the findings
    args: tuple[str, ...] = ()               # extra options ({out} and {ev} are replaced)
    json: bool = True                        # run with -f json -o report.json
    check: Callable[[dict[str, Any] | None, subprocess.CompletedProcess[bytes]], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    as_user: bool = False                    # file permissions must hold (as root: without CAP_DAC_*)
    about: str = ""


def _folder(root: Path, files: dict[str, bytes]) -> Path:
    pkg = root / "pkg"
    for rel, data in files.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    pkg.mkdir(exist_ok=True)
    return pkg


def _zip(root: Path, data: bytes, name: str = "pkg.zip") -> Path:
    p = root / name
    p.write_bytes(data)
    return p


def _has(report: dict[str, Any] | None, code: str, text: str = "", path: str | None = None) -> bool:
    return any(f["code"] == code and text in f["message"] and (path is None or f.get("path") == path)
               for f in (report or {}).get("findings", []))


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


# -- builders

def b_out_is_zip(root: Path) -> Path:
    return _zip(root, raw_zip([stored("a.pdf", text_pdf())]))


def b_plain(root: Path) -> Path:
    return _folder(root, {"a.pdf": text_pdf()})


def b_aes256_user(root: Path) -> Path:
    return _folder(root, {"社保证明.pdf": encrypted(text_pdf(), "123456", "owner", "AES-256"),
                          "other.pdf": text_pdf()})


def b_aes256_owner(root: Path) -> Path:
    return _folder(root, {"owner256.pdf": encrypted(text_pdf(), "", "owner-secret", "AES-256")})


def b_aes128_owner(root: Path) -> Path:
    return _folder(root, {"owner128.pdf": encrypted(text_pdf(), "", "owner-secret", "AES-128")})


def b_corrupt_deflate(root: Path) -> Path:
    good = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = good.compress(text_pdf()) + good.flush()
    broken = b"\xff" * 8 + body[8:]
    return _zip(root, raw_zip([("pkg/bad.pdf", broken, 8, binascii.crc32(text_pdf()), len(text_pdf())),
                               stored("pkg/ok.pdf", text_pdf())]))


def b_dot_names(root: Path) -> Path:
    return _zip(root, raw_zip([stored(".", b"x"), stored("a/..", b"y"), stored("./", b""),
                               stored("ok.pdf", text_pdf())]))


def b_symlink_loop(root: Path) -> Path:
    pkg = _folder(root, {"ok.pdf": text_pdf()})
    os.symlink("b.pdf", pkg / "a.pdf")
    os.symlink("a.pdf", pkg / "b.pdf")
    os.symlink("self.pdf", pkg / "self.pdf")
    return pkg


def b_closed_folder(root: Path) -> Path:
    pkg = _folder(root, {"ok.pdf": text_pdf(), "私密/inside.pdf": text_pdf(text="hidden page text for the check")})
    os.chmod(pkg / "私密", 0)
    return pkg


def b_symlinked_dirs(root: Path) -> Path:
    outside = root / "outside"
    outside.mkdir()
    (outside / "x.pdf").write_bytes(text_pdf(text="outside the package, never read"))
    pkg = _folder(root, {"ok.pdf": text_pdf(), "sub/in.pdf": text_pdf(text="inside a sub folder of the package")})
    os.symlink(outside, pkg / "out-link")
    os.symlink(pkg / "sub", pkg / "in-link")
    os.symlink(pkg, pkg / "sub" / "loop")
    return pkg


def b_markup_name(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": '[applicant]\nname = "张三[/]\\u001b[2J"\nemployer = "[bold red]某公司[/]\\u001b[2J"\n'
                                          .encode(), "a.pdf": text_pdf()})


def b_markup_date(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": 'title_date = "[/][link=file:///etc/passwd]x"\n'.encode(), "a.pdf": text_pdf()})


def b_deep_toml(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": b"name = " + b"[" * 20000 + b"]" * 20000 + b"\n", "a.pdf": text_pdf()})


def b_odd_toml(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": b"applicant = 5\n", "a.pdf": text_pdf()})


def b_datetime_toml(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": "name = \"周建华\"\ntitle_date = 2019-12-20T08:00:00\n".encode(),
                          "a.pdf": text_pdf()})


def b_gbk_toml(root: Path) -> Path:
    return _folder(root, {"zjcheck.toml": 'name = "周建华"\n'.encode("gbk"), "a.pdf": text_pdf()})


def b_gbk_names(root: Path) -> Path:
    pkg = root / "pkg"
    (pkg / os.fsdecode("论文".encode("gbk"))).mkdir(parents=True)
    (pkg / os.fsdecode("论文".encode("gbk")) / os.fsdecode("知网检索.pdf".encode("gbk"))).write_bytes(text_pdf())
    (pkg / os.fsdecode(b"\xff\xfe-raw.pdf")).write_bytes(text_pdf(text="a name that decodes in no encoding"))
    return pkg


def b_toml_outside(root: Path) -> Path:
    (root / "secret.toml").write_text('name = "外部文件"\n', "utf-8")
    pkg = _folder(root, {"a.pdf": text_pdf()})
    os.symlink(root / "secret.toml", pkg / "zjcheck.toml")
    return pkg


def b_toml_devzero(root: Path) -> Path:
    pkg = _folder(root, {"a.pdf": text_pdf()})
    os.symlink("/dev/zero", pkg / "zjcheck.toml")
    return pkg


def b_toml_fifo(root: Path) -> Path:
    pkg = _folder(root, {"a.pdf": text_pdf()})
    os.mkfifo(pkg / "zjcheck.toml")
    os.mkfifo(pkg / "pipe.pdf")
    return pkg


def b_flate_bomb(root: Path) -> Path:
    return _folder(root, {"bomb.pdf": flate_bomb_pdf(2048), "ok.pdf": text_pdf()})


def b_image_bomb(root: Path) -> Path:
    return _folder(root, {"scan.pdf": image_bomb_pdf(60000, 60000, 8192), "ok.pdf": text_pdf()})


def b_image_stream_bomb(root: Path) -> Path:
    # dimensions within the pixel limit, data far beyond them
    return _folder(root, {"scan.pdf": image_bomb_pdf(2000, 2000, 2048), "ok.pdf": text_pdf()})


def b_xlsx_rows(root: Path) -> Path:
    return _folder(root, {"评分表.xlsx": xlsx_million_rows(), "ok.pdf": text_pdf()})


def b_docx_part(root: Path) -> Path:
    return _folder(root, {"工作总结.docx": docx_with_huge_part(1024), "ok.pdf": text_pdf()})


def b_sparse(root: Path) -> Path:
    pkg = _folder(root, {"ok.pdf": text_pdf()})
    with open(pkg / "big.pdf", "wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(1536 << 20)
    return pkg


def b_forty_members(root: Path) -> Path:
    body = raw_deflate_zeros(49)
    crc = _crc_zeros(49)
    members = [(f"pkg/scan{i:02d}.bmp", body, 8, crc, 49 << 20) for i in range(40)]
    members.append(stored("pkg/ok.pdf", text_pdf()))
    return _zip(root, raw_zip(members))


def b_many_pages(root: Path) -> Path:
    return _folder(root, {"book.pdf": text_pdf(2000, "Chapter text of a very long book, paragraph one")})


def b_esc_names(root: Path) -> Path:
    pkg = _folder(root, {"\x1b[2J\x1b[31m清屏.pdf": text_pdf(), "[bold]标记[/].pdf": text_pdf(text="markup in a name")})
    return pkg


def b_esc_zip(root: Path) -> Path:
    return _zip(root, raw_zip([stored("\x1b]0;owned\x07title.pdf", text_pdf()),
                               stored("\u202eFDP.exe.pdf", text_pdf(text="right to left override name"))]))


def b_png_bomb(root: Path) -> Path:
    return _folder(root, {"photo.png": png_header(60000, 60000), "ok.pdf": text_pdf()})


def b_zip_entries(root: Path) -> Path:
    return _zip(root, raw_zip([stored(f"e{i}.txt", b"") for i in range(25000)]))


def b_deep_folders(root: Path) -> Path:
    rel = "/".join(["d"] * 40)
    return _folder(root, {f"{rel}/deep.pdf": text_pdf(), "ok.pdf": text_pdf()})


def b_zip_links(root: Path) -> Path:
    import warnings
    link = zipfile.ZipInfo("pkg/link.pdf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(link, "/etc/passwd")
        z.writestr("pkg/ok.pdf", text_pdf())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # the duplicate is the point
            z.writestr("pkg/ok.pdf", text_pdf(text="a second member with the same name"))
    return _zip(root, buf.getvalue())


def b_zip_bad_utf8(root: Path) -> Path:
    return _zip(root, raw_zip([stored(b"\xff\xfe\xfa.pdf", text_pdf())]))


def b_truncated(root: Path) -> Path:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buf, "JPEG")
    data = buf.getvalue()
    return _folder(root, {"cut.jpg": data[: len(data) // 3], "nopages.pdf": _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                                                                   b"<< /Type /Pages /Kids [] /Count 0 >>"]),
                          "loop.pdf": _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                            b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"]),
                          "ok.pdf": text_pdf()})


def b_bombs_for_html(root: Path) -> Path:
    pkg = b_image_bomb(root)
    (pkg / "photo.png").write_bytes(png_header(60000, 60000))
    (pkg / "\x1b[2J名.pdf").write_bytes(text_pdf(text="a page to draw in the HTML report, named with ESC"))
    return pkg


def c_html(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    out = Path(proc.args[proc.args.index("-o") + 1])
    page = out.read_bytes().decode("utf-8")
    _expect("GEN010" in page and "60000×60000" in page, "the HTML report has the bombs' findings")
    _expect("\x1b" not in page, "no raw ESC in the HTML report")


def b_many_files(root: Path) -> Path:
    pkg = _folder(root, {"ok.pdf": text_pdf()})
    for i in range(5100):
        (pkg / f"e{i:05d}.pdf").write_bytes(b"")
    return pkg


# -- checks on the report

def c_out_zip(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    _expect(b"pkg.zip" in proc.stderr or "pkg.zip".encode() in proc.stderr, "the refusal names the report file")


def c_owner(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    docs = (report or {}).get("documents", [])
    _expect(docs and docs[0]["text_source"] == "pdf-text" and docs[0]["readable"], f"owner-only PDF read as text: {docs}")
    _expect(not any(f["code"] in ("GEN001", "GEN002") for f in report["findings"]), "no unreadable finding")


def c_markup(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    out = proc.stdout.decode("utf-8")
    _expect("张三[/]" in out, "the name is shown as written")
    _expect("\x1b" not in out and "\\x1b[2J" in out, "ESC shown as \\x1b, never sent")


def c_usage_markup(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    err = proc.stderr.decode("utf-8")
    _expect("[/][link=file:///etc/passwd]" in err, f"the bad value is quoted as written: {err}")


def c_name_set(name: str) -> Callable[[dict | None, subprocess.CompletedProcess[bytes]], None]:
    def check(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
        _expect((report or {}).get("applicant", {}).get("name") == name, f"name {name!r} from zjcheck.toml")
    return check


def c_not_named(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    _expect((report or {}).get("applicant", {}).get("name") != "外部文件", "a profile outside the tree is not read")


def c_gbk(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    paths = {d["path"]: d for d in (report or {}).get("documents", [])}
    _expect("论文/知网检索.pdf" in paths, f"GBK name decoded: {sorted(paths)}")
    raw = [d for d in paths.values() if d.get("path_hex")]
    _expect(len(raw) == 1 and raw[0]["path_hex"].startswith("fffe"), f"raw bytes in hex: {raw}")


def c_no_escape(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    out = proc.stdout.decode("utf-8")
    _expect("\x1b" not in out and "\x07" not in out and "\u202e" not in out, "no control character reaches the terminal")
    _expect("\\x1b" in out, "shown escaped")


def c_closed(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    _expect(_has(report, "GEN001", "权限不足", "私密"), "the closed folder is named")


def c_links(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    _expect(_has(report, "GEN001", "之外", "out-link"), "a link out of the tree is a finding")
    _expect(_has(report, "GEN009", "符号链接", "in-link"), "a link inside the tree is said")
    paths = {d["path"] for d in report["documents"]}
    _expect(paths == {"ok.pdf", "sub/in.pdf"}, f"only the tree's own files are read: {paths}")


def c_partial_pages(report: dict | None, proc: subprocess.CompletedProcess[bytes]) -> None:
    docs = report["documents"]
    _expect(docs[0]["pages"] == 300, f"the first 300 pages are read: {docs[0]['pages']}")


CASES: list[Case] = [
    Case("out-is-the-zip", b_out_is_zip, 2, args=("-o", "{ev}"), json=False, check=c_out_zip,
         about="-o pkg.zip on pkg.zip: refused before any work, the zip untouched"),
    Case("out-missing-dir", b_plain, 2, args=("-o", "{root}/nowhere/r.json"), json=False),
    Case("out-is-a-dir", b_plain, 2, args=("-o", "{root}"), json=False),
    Case("out-inside-folder", b_plain, 2, args=("-o", "{ev}/r.json"), json=False),
    Case("out-is-the-profile", b_plain, 2, args=("--profile", "{ev}/a.pdf", "-o", "{ev}/a.pdf"), json=False),
    Case("pdf-aes256-user", b_aes256_user, 3, ("GEN002",)),
    Case("pdf-aes256-owner", b_aes256_owner, (0, 1), check=c_owner),
    Case("pdf-aes128-owner", b_aes128_owner, (0, 1), check=c_owner),
    Case("zip-corrupt-deflate", b_corrupt_deflate, 3, ("GEN001",)),
    Case("zip-dot-names", b_dot_names, 1, ("GEN010",)),
    Case("symlink-loop", b_symlink_loop, 3, ("GEN001",)),
    Case("folder-no-permission", b_closed_folder, 3, ("GEN001",), check=c_closed, as_user=True),
    Case("symlinked-dirs", b_symlinked_dirs, 3, ("GEN001", "GEN009"), check=c_links),
    Case("toml-markup-name", b_markup_name, 1, json=False, check=c_markup),
    Case("toml-markup-date", b_markup_date, 2, json=False, check=c_usage_markup),
    Case("toml-deep-nesting", b_deep_toml, 2, json=False),
    Case("toml-not-a-table", b_odd_toml, 2, json=False),
    Case("toml-datetime", b_datetime_toml, 1, check=c_name_set("周建华")),
    Case("toml-gbk", b_gbk_toml, 1, check=c_name_set("周建华")),
    Case("gbk-file-names", b_gbk_names, 1, check=c_gbk),
    Case("toml-symlink-outside", b_toml_outside, 3, ("GEN001",), check=c_not_named),
    Case("toml-dev-zero", b_toml_devzero, 3, ("GEN001",)),
    Case("toml-fifo", b_toml_fifo, 3, ("GEN001",)),
    Case("pdf-flate-bomb", b_flate_bomb, 3, ("GEN010",)),
    Case("pdf-image-bomb", b_image_bomb, 3, ("GEN010",)),
    Case("pdf-image-stream-bomb", b_image_stream_bomb, 3, ("GEN010",)),
    Case("xlsx-million-rows", b_xlsx_rows, 1, ("GEN010",)),
    Case("docx-1gb-part", b_docx_part, 3, ("GEN010",)),
    Case("sparse-1.5gb", b_sparse, 3, ("GEN010",)),
    Case("zip-forty-49mb", b_forty_members, 3, ("GEN010",)),
    Case("pdf-2000-pages", b_many_pages, 1, ("GEN010",), check=c_partial_pages),
    Case("esc-file-names", b_esc_names, 1, json=False, check=c_no_escape),
    Case("esc-zip-members", b_esc_zip, 1, json=False, check=c_no_escape),
    Case("png-60000px", b_png_bomb, 3, ("GEN010",)),
    Case("zip-25000-entries", b_zip_entries, 3, ("GEN010",)),
    Case("deep-folders", b_deep_folders, 3, ("GEN010",)),
    Case("zip-links-and-duplicates", b_zip_links, 3, ("GEN001", "GEN010")),
    Case("zip-invalid-utf8-name", b_zip_bad_utf8, 3, ("GEN001",)),
    Case("broken-images-and-pdfs", b_truncated, 3, ("GEN001",)),
    Case("many-files", b_many_files, 3, ("GEN001", "GEN010")),
    Case("html-report-over-bombs", b_bombs_for_html, 3, json=False, args=("-f", "html", "-o", "{root}/r.html"),
         check=c_html),
]


# ---------------------------------------------------------------- running

@dataclass
class Outcome:
    exit: int
    seconds: float
    rss: int                         # peak of the summed RSS of the process tree (bytes)
    report: dict[str, Any] | None
    proc: subprocess.CompletedProcess[bytes]
    tmp_left: list[str]
    changed: list[str]               # evidence paths whose bytes, mode or mtime changed


def _tree_state(path: Path) -> dict[str, tuple[int, int, str]]:
    """(mode, mtime_ns, sha256) of every entry of the evidence (not following links)."""
    import hashlib
    out: dict[str, tuple[int, int, str]] = {}
    items = [path] if not path.is_dir() or path.is_symlink() else [path, *_all(path)]
    for p in items:
        st = os.lstat(p)
        digest = ""
        if stat.S_ISREG(st.st_mode) and st.st_size < (64 << 20) and os.access(p, os.R_OK):
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        out[str(p)] = (st.st_mode, st.st_mtime_ns, digest or str(st.st_size))
    return out


def _all(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
        for n in dirnames + filenames:
            found.append(Path(dirpath) / n)
    return found


def _children(pid: int) -> list[int]:
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def _group_commands(pgid: int) -> list[str]:
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.getpgid(int(name)) == pgid:
                out.append(open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode()[:80])
        except (OSError, ProcessLookupError):
            continue
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    """Summed RSS of a process and all its descendants now."""
    todo, total, seen = [pid], 0, set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        todo.extend(_children(p))
    return total


def _drop_dac() -> None:     # pragma: no cover - runs in the child, before exec
    """Root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: file permissions
    apply to it as to anyone (a mode-000 folder cannot be entered)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):                      # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, cap, 0, 0, 0)        # PR_CAPBSET_DROP: gone from every exec'd program


def run_case(case: Case, work: Path, cache: Path | None = None, engine: str = "tesseract",
             measure: bool = True, src: Path = ROOT, cap_mb: int = 0) -> Outcome:
    """Build the case under `work` and check it in a child process (with the
    zjcheck found in `src`: another checkout shows what older code does;
    `cap_mb` caps the child's address space, for code that has no bounds)."""
    work.mkdir(parents=True, exist_ok=True)
    ev = case.build(work)
    tmp = work / "tmp"
    tmp.mkdir()
    cache = cache or work / "cache"
    cache.mkdir(exist_ok=True)
    out = work / "report.json"
    args = [a.format(ev=ev, root=work, out=out) for a in case.args]
    cmd = [sys.executable, "-m", "zjcheck", "check", str(ev), "--ocr", engine, "-j", "2", *args]
    if case.json:
        cmd += ["-f", "json", "-o", str(out)]
    env = {**os.environ, "TMPDIR": str(tmp), "ZJCHECK_CACHE_DIR": str(cache), "COLUMNS": "100",
           "PYTHONPATH": str(src), **case.env}
    drop = case.as_user and os.geteuid() == 0

    def preexec() -> None:     # pragma: no cover - runs in the child, before exec
        if drop:
            _drop_dac()
        if cap_mb:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))
    before = _tree_state(ev)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work,
                            preexec_fn=preexec, start_new_session=True)
    peak = 0
    stdout: list[bytes] = []
    stderr: list[bytes] = []
    import threading
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, stdout), (proc.stderr, stderr))]
    for r in readers:
        r.start()
    while proc.poll() is None:
        if measure:
            peak = max(peak, tree_rss(proc.pid))
        if time.monotonic() - t0 > (1.5 if cap_mb else 4) * WALL_LIMIT:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.05)
    seconds = time.monotonic() - t0
    for r in readers:
        r.join()
    # the process group must be gone soon: no worker left behind
    leftover = ""
    for _ in range(50):
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            leftover = ""
            break
        leftover = " ".join(_group_commands(proc.pid))
        time.sleep(0.1)
    if leftover:
        os.killpg(proc.pid, signal.SIGKILL)
    completed = subprocess.CompletedProcess(cmd, proc.returncode, b"".join(stdout),
                                            b"".join(stderr) + (f"\n[workers left running] {leftover}".encode() if leftover else b""))
    report = None
    if case.json and out.exists():
        try:
            report = json.loads(out.read_bytes().decode("utf-8"))
        except ValueError as e:                                      # not UTF-8, or not JSON
            completed.stderr += f"\n[invalid JSON report: {e}]".encode()
    after = _tree_state(ev)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return Outcome(proc.returncode, seconds, peak, report, completed, sorted(os.listdir(tmp)), changed)


def verify(case: Case, o: Outcome) -> None:
    """Every bound of the issue, and the case's own expectations."""
    err = o.proc.stderr.decode("utf-8", "replace")
    expected = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    _expect(o.exit in expected, f"{case.name}: exit {o.exit}, expected {expected}\n{err[-3000:]}")
    _expect("Traceback" not in err, f"{case.name}: traceback\n{err[-3000:]}")
    _expect("[invalid JSON report" not in err, f"{case.name}: {err[-300:]}")
    _expect("[workers left running]" not in err, f"{case.name}: processes outlived the run: {err[-300:]}")
    _expect(o.seconds < WALL_LIMIT, f"{case.name}: {o.seconds:.1f} s")
    _expect(o.rss < RSS_LIMIT, f"{case.name}: peak RSS {o.rss >> 20} MB")
    _expect(not o.changed, f"{case.name}: evidence changed: {o.changed}")
    _expect(not o.tmp_left, f"{case.name}: left in TMPDIR: {o.tmp_left}")
    if case.json and o.exit != 2:
        _expect(o.report is not None, f"{case.name}: no JSON report\n{err[-2000:]}")
    for code in case.codes:
        _expect(_has(o.report, code), f"{case.name}: no {code} finding: "
                f"{[(f['code'], f['path'], f['message']) for f in (o.report or {}).get('findings', [])][:12]}")
    if case.check:
        case.check(o.report, o.proc)


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="build the corpus into this folder")
    ap.add_argument("--run", action="store_true", help="run every case and print exit code, time, peak RSS")
    ap.add_argument("--engine", default="tesseract")
    ap.add_argument("--src", type=Path, default=ROOT, help="run the zjcheck of this source tree")
    ap.add_argument("--cap-mb", type=int, default=0, help="cap the child's address space (for unbounded old code)")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    cases = [c for c in CASES if not a.names or c.name in a.names]
    if a.out:
        for c in cases:
            d = a.out / c.name
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
            c.build(d)
        print(f"{len(cases)} cases in {a.out}")
    if a.run:
        failed = 0
        print(f"{'case':28} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  result")
        for c in cases:
            with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
                o = run_case(c, Path(tmp) / "w", engine=a.engine, src=a.src, cap_mb=a.cap_mb)
                try:
                    verify(c, o)
                    res = "ok"
                except AssertionError as e:
                    res, failed = f"FAIL {' '.join(str(e).split())[:150]}", failed + 1
                codes = sorted({f["code"] for f in (o.report or {}).get("findings", []) if f["code"].startswith("GEN")})
                print(f"{c.name:28} {o.exit:>4} {o.seconds:>8.1f} {o.rss / (1 << 20):>7.0f}MB  {res} {' '.join(codes)}",
                      flush=True)
                _restore(Path(tmp))
        return 1 if failed else 0
    return 0


def _restore(root: Path) -> None:
    """Make a case's tree removable (closed folders)."""
    for dirpath, dirnames, _ in os.walk(root, onerror=lambda e: None):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                with_suppress_chmod(p)


def with_suppress_chmod(p: str) -> None:
    try:
        os.chmod(p, 0o755)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
