"""Walking folders and zips: file types, litter, archives, hostile input (no OCR)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from zjcheck.filetypes import detect
from zjcheck.walk import member_name, walk, walk_folder, walk_zip


def _png(w: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, 30), "white").save(buf, "PNG")
    return buf.getvalue()


def _pdf(password: str | None = None) -> bytes:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    if password:
        w.encrypt(password)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
RAR = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64


class _GbkInfo(zipfile.ZipInfo):
    """A member name written as GBK bytes without the UTF-8 flag, as Windows tools do."""

    def __init__(self, name: str) -> None:
        super().__init__(name.encode("gbk").decode("cp437"))

    def _encodeFilenameFlags(self):  # type: ignore[no-untyped-def]
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def codes_for(w, rel: str) -> list[str]:
    return sorted(f.code for f in w.findings if f.path == rel)


def test_types_by_content_not_extension() -> None:
    assert detect(_png()).kind == "png"
    assert detect(_pdf()).kind == "pdf"
    assert detect(HEIC).kind == "heic"
    assert detect(OLE2, "a.doc").kind in ("doc", "ole")
    assert detect(OLE2, "a.wps").kind == "ole"
    assert detect(RAR).kind == "rar"
    assert detect(b"").kind == "empty"


def test_folder_walk_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "empty.pdf").write_bytes(b"")
    (tmp_path / "a" / "photo.heic").write_bytes(HEIC)
    (tmp_path / "a" / "old.doc").write_bytes(OLE2)
    (tmp_path / "a" / "pack.rar").write_bytes(RAR)
    (tmp_path / "a" / "scan.pdf").write_bytes(_png(50))        # a PNG named .pdf
    (tmp_path / "a" / "cert.png").write_bytes(_png())
    (tmp_path / "b.png").write_bytes(_png())                    # same content again
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "Thumbs.db").write_bytes(OLE2)
    (tmp_path / "~$总结.docx").write_bytes(b"x")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "._cert.png").write_bytes(b"x")
    w = walk_folder(tmp_path)
    assert codes_for(w, "a/empty.pdf") == ["GEN001"]
    assert codes_for(w, "a/photo.heic") == ["GEN003"]
    assert codes_for(w, "a/old.doc") == ["GEN003"]
    assert codes_for(w, "a/pack.rar") == ["GEN003"]
    assert codes_for(w, "a/scan.pdf") == ["GEN004"]
    assert [(f.path, f.data["same_as"]) for f in w.findings if f.code == "GEN006"] == [("b.png", "a/cert.png")]
    assert sorted(w.litter) == sorted([".DS_Store", "Thumbs.db", "~$总结.docx", "__MACOSX/._cert.png"])
    assert sum(f.code == "GEN009" for f in w.findings) == 1          # said once
    assert {f.rel for f in w.files} == {"a/scan.pdf", "a/cert.png", "b.png"}
    assert w.unreadable == 4


def test_gbk_zip_member_names(tmp_path: Path) -> None:
    zpath = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for name in ("申报材料/08-专利/专利证书.png", "申报材料/13-工作总结/总结.png"):
            z.writestr(_GbkInfo(name), _png() + name.encode())
    with zipfile.ZipFile(zpath) as z:
        assert not any(i.flag_bits & 0x800 for i in z.infolist())
        assert [member_name(i) for i in z.infolist()][0] == "申报材料/08-专利/专利证书.png"
    w = walk_zip(zpath)
    assert sorted(f.rel for f in w.files) == ["08-专利/专利证书.png", "13-工作总结/总结.png"]


def test_utf8_flagged_zip_names(tmp_path: Path) -> None:
    zpath = tmp_path / "u.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("论文一/知网.png", _png())
        z.writestr("zjcheck.toml", 'name = "周建华"\n')
    w = walk(zpath)
    assert [f.rel for f in w.files] == ["论文一/知网.png"]
    assert w.profile_text and "周建华" in w.profile_text


def test_zip_traversal_refused(tmp_path: Path) -> None:
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("../evil.txt", "x")
        z.writestr("/etc/passwd2", "x")
        z.writestr("ok/cert.png", _png())
    w = walk_zip(zpath)
    refused = sorted(f.path for f in w.findings if f.code == "GEN010")
    assert refused == ["../evil.txt", "/etc/passwd2"]
    assert [f.rel for f in w.files] == ["cert.png"]      # a zip of one folder reads as that folder
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zjcheck.limits as limits
    monkeypatch.setattr(limits, "FILE_BYTES", 1 << 20)
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.png", b"\x00" * (4 << 20))
    w = walk_zip(zpath)
    assert [f.code for f in w.findings] == ["GEN010"]
    assert w.files == []


def test_corrupt_zip(tmp_path: Path) -> None:
    zpath = tmp_path / "broken.zip"
    zpath.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    w = walk(zpath)
    assert [f.code for f in w.findings] == ["GEN001"]


def test_symlink_outside_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(_png())
    root = tmp_path / "pkg"
    root.mkdir()
    os.symlink(outside, root / "link.png")
    w = walk_folder(root)
    assert [f.code for f in w.findings] == ["GEN001"]
    assert w.files == []


def test_walk_never_writes(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(_png())
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tmp_path.rglob("*")}
    walk_folder(tmp_path)
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tmp_path.rglob("*")}
    assert before == after
