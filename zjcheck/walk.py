"""Walk the evidence: a folder at any depth, or a zip of one.

Produces SourceFiles plus the findings that need no reading (GEN003, GEN004,
GEN006, GEN009, GEN010).  Nothing is ever written into the evidence.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from zjcheck.codes import finding
from zjcheck.filetypes import CONVERT_TO, describe, detect, expected_extensions
from zjcheck.model import Finding, SourceFile

PROFILE_NAME = "zjcheck.toml"
LITTER_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
LITTER_DIRS = {"__macosx", ".git", ".svn", ".trashes", ".spotlight-v100", ".fseventsd", "$recycle.bin"}
MAX_TOTAL_BYTES = 2 << 30          # 2 GiB of decompressed evidence per package
MAX_MEMBER_BYTES = 512 << 20       # 512 MiB for one file
MAX_RATIO = 200                    # compression ratio beyond which a member is a bomb


@dataclass
class Walked:
    root: str                       # shown in the report
    files: list[SourceFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    litter: list[str] = field(default_factory=list)
    profile_text: str | None = None  # zjcheck.toml at the package root
    unreadable: int = 0              # files that could not be checked at all


def is_litter(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    if any(p.lower() in LITTER_DIRS for p in parts[:-1]):
        return True
    name = parts[-1]
    return name.lower() in LITTER_NAMES or name.startswith("~$") or name.startswith("._")


def _add(w: Walked, rel: str, data: bytes | None, path: Path | None, seen: dict[str, str]) -> None:
    if data is None:
        assert path is not None
        try:
            data_for_hash = path.read_bytes()
        except OSError as e:
            w.findings.append(finding("GEN001", f"无法读取文件：{e.strerror or e}", path=rel))
            w.unreadable += 1
            return
    else:
        data_for_hash = data
    digest = hashlib.sha256(data_for_hash).hexdigest()
    ft = detect(data_for_hash, rel)
    sf = SourceFile(rel=rel, kind=ft.kind, mime=ft.mime, size=len(data_for_hash),
                    sha256=digest, data=data, path=path)
    ext = PurePosixPath(rel).suffix.lower()
    if ft.kind == "empty":
        w.findings.append(finding("GEN001", "文件为空（0 字节）", path=rel))
        w.unreadable += 1
        return
    if not ft.readable:
        what = CONVERT_TO.get(ft.kind, f"无法识别的文件类型（{ft.mime}）：请转换为 PDF 或 JPG")
        w.findings.append(finding("GEN003", f"平台不接受此格式：{what}", path=rel, kind=ft.kind))
        w.unreadable += 1
        return
    if ext not in expected_extensions(ft.kind):
        w.findings.append(finding(
            "GEN004", f"扩展名为“{ext or '无'}”，实际内容是{describe(ft.kind)}",
            path=rel, fix=f"把扩展名改为 {expected_extensions(ft.kind)[0]}，或按实际格式重新导出。"))
    if digest in seen:
        w.findings.append(finding("GEN006", f"与 {seen[digest]} 内容完全相同", path=rel, same_as=seen[digest]))
    else:
        seen[digest] = rel
    w.files.append(sf)


def walk_folder(root: Path) -> Walked:
    w = Walked(root=str(root))
    seen: dict[str, str] = {}
    root_real = root.resolve()
    entries: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            rel = p.relative_to(root).as_posix()
            entries.append((rel, p))
    for rel, p in sorted(entries):
        if rel == PROFILE_NAME:
            w.profile_text = _read_text(p)
            continue
        if is_litter(rel):
            w.litter.append(rel)
            continue
        if p.is_symlink():
            target = p.resolve()
            if not target.is_relative_to(root_real) or not target.is_file():
                w.findings.append(finding("GEN001", "符号链接指向材料目录之外或不存在，未读取", path=rel))
                w.unreadable += 1
                continue
        if not p.is_file():       # sockets, fifos, devices: never open them
            w.findings.append(finding("GEN001", "不是普通文件，未读取", path=rel))
            w.unreadable += 1
            continue
        _add(w, rel, None, p, seen)
    _litter_finding(w)
    return w


def _read_text(p: Path) -> str | None:
    try:
        return p.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names from Windows tools are GBK without the UTF-8 flag;
    Python then decodes them as cp437.  Undo that and try UTF-8, then GB18030."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _safe_rel(name: str) -> str | None:
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == ".." or "/../" in f"/{name}/":
        return None
    return norm


def walk_zip(zpath: Path) -> Walked:
    w = Walked(root=str(zpath))
    seen: dict[str, str] = {}
    try:
        z = zipfile.ZipFile(zpath)
    except (zipfile.BadZipFile, OSError) as e:
        w.findings.append(finding("GEN001", f"压缩包无法打开：{e}", path=zpath.name))
        w.unreadable += 1
        return w
    with z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        names = [(member_name(i), i) for i in infos]
        safe = [(_safe_rel(n), n, i) for n, i in names]
        # A zip of one folder: strip that folder so paths read as in the folder.
        tops = {PurePosixPath(r).parts[0] for r, _, _ in safe if r and not is_litter(r)}
        strip = ""
        if len(tops) == 1 and all(r is None or "/" in r or is_litter(r) for r, _, _ in safe):
            strip = next(iter(tops)) + "/"
        total = 0
        for rel, raw_name, info in sorted(safe, key=lambda t: t[0] or ""):
            if rel is None:
                w.findings.append(finding("GEN010", f"压缩包成员“{raw_name}”的路径越出压缩包目录，已拒绝", path=raw_name))
                continue
            if strip and rel.startswith(strip):
                rel = rel[len(strip):]
            if rel == PROFILE_NAME:
                w.profile_text = _read_member(z, info, MAX_MEMBER_BYTES, w, rel, text=True)  # type: ignore[assignment]
                continue
            if is_litter(rel):
                w.litter.append(rel)
                continue
            if info.flag_bits & 0x1:
                w.findings.append(finding("GEN001", "压缩包成员已加密，无法读取", path=rel))
                w.unreadable += 1
                continue
            if info.file_size > MAX_MEMBER_BYTES or total + info.file_size > MAX_TOTAL_BYTES or \
                    (info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > (50 << 20)):
                w.findings.append(finding("GEN010", "解压后体积过大（疑似压缩炸弹），已拒绝", path=rel))
                continue
            data = _read_member(z, info, MAX_MEMBER_BYTES, w, rel)
            if data is None:
                continue
            total += len(data)
            _add(w, rel, data, None, seen)
    _litter_finding(w)
    return w


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, w: Walked, rel: str,
                 text: bool = False) -> bytes | str | None:
    try:
        with z.open(info) as f:
            data = f.read(limit + 1)     # never trust the declared size
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as e:
        w.findings.append(finding("GEN001", f"压缩包成员损坏，无法解压：{e}", path=rel))
        w.unreadable += 1
        return None
    if len(data) > limit:
        w.findings.append(finding("GEN010", "解压后体积过大（疑似压缩炸弹），已拒绝", path=rel))
        return None
    if text:
        return data.decode("utf-8-sig", errors="replace")
    return data


def _litter_finding(w: Walked) -> None:
    if w.litter:
        shown = "、".join(w.litter[:5]) + ("等" if len(w.litter) > 5 else "")
        w.findings.append(finding("GEN009", f"已忽略 {len(w.litter)} 个系统生成的无关文件：{shown}",
                                  count=len(w.litter)))


def walk(path: Path) -> Walked:
    if path.is_dir():
        return walk_folder(path)
    return walk_zip(path)
