"""Walk the evidence: a folder at any depth, or a zip of one.

Produces SourceFiles plus the findings that need no reading (GEN003, GEN004,
GEN006, GEN009, GEN010).  Nothing is ever written into the evidence, and
nothing is opened that is not a regular file inside the evidence: symlinks
that leave the tree, loops, FIFOs, devices and sockets are findings, never
read.  Every file and member is bounded (zjcheck.limits) before it is read,
and read in chunks: memory does not grow with a file's size, and zip
members are not kept in memory (they are read again from the zip when
needed).  The applicant profile zjcheck.toml goes through the same rules.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from zjcheck import limits
from zjcheck.codes import finding
from zjcheck.escape import raw_hex, readable
from zjcheck.filetypes import CONVERT_TO, describe, detect, expected_extensions, zip_entries
from zjcheck.model import Finding, SourceFile

PROFILE_NAME = "zjcheck.toml"
LITTER_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
LITTER_DIRS = {"__macosx", ".git", ".svn", ".trashes", ".spotlight-v100", ".fseventsd", "$recycle.bin"}
CHUNK = 1 << 20
HEAD = 1 << 16


@dataclass
class EvidenceFile(SourceFile):
    """A SourceFile as the walker found it.  A zip member keeps no bytes in
    memory: `read_bytes` / `copy_to` read it again from the archive (and
    check that it is still the same content).  A file the read stage found
    over the limits (`limited`, e.g. a sheet declaring a million rows) is
    not handed to any other reader: `read_bytes` raises OSError."""

    raw_name: str | None = None        # hex of the name's bytes when they are not UTF-8
    archive: Path | None = None        # the zip a member is read from
    member_offset: int | None = None   # its local header offset (names can repeat in a zip)
    limited: str | None = None         # why the file must not be parsed again (a limit it hit)

    def open_member(self, z: zipfile.ZipFile) -> IO[bytes]:
        info = next((i for i in z.infolist() if i.header_offset == self.member_offset), None)
        if info is None:
            raise OSError("压缩包成员已不存在（压缩包在检查过程中被改动）")
        return z.open(info)

    def read_bytes(self) -> bytes:
        if self.limited:
            raise OSError(self.limited)
        if self.data is not None:
            return self.data
        buf = bytearray()
        self.copy_to(buf.extend)
        return bytes(buf)

    def copy_to(self, write: Callable[[bytes], object], z: zipfile.ZipFile | None = None) -> None:
        """Feed the file's bytes to `write`, bounded, checking they are the
        bytes that were walked (the evidence may change under a long run)."""
        if self.data is not None:
            write(self.data)
            return
        digest = hashlib.sha256()
        n = 0
        if self.archive is not None:
            own = z is None
            z = z or zipfile.ZipFile(self.archive)
            try:
                with self.open_member(z) as f:
                    for chunk in iter(lambda: f.read(CHUNK), b""):
                        n += len(chunk)
                        if n > self.size:
                            break
                        digest.update(chunk)
                        write(chunk)
            finally:
                if own:
                    z.close()
        else:
            assert self.path is not None
            with _open_regular(self.path) as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    n += len(chunk)
                    if n > self.size:
                        break
                    digest.update(chunk)
                    write(chunk)
        if n != self.size or digest.hexdigest() != self.sha256:
            raise OSError("文件在检查过程中被改动，请在检查结束前不要修改材料")


@dataclass
class Walked:
    root: str                       # shown in the report
    files: list[SourceFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    litter: list[str] = field(default_factory=list)
    profile_text: str | None = None  # zjcheck.toml at the package root
    unreadable: int = 0              # files that could not be checked at all
    total: int = 0                   # bytes of the files taken so far

    def refuse(self, code: str, message: str, rel: str | None, count: bool = True, **data: object) -> None:
        self.findings.append(finding(code, message, path=rel, **data))
        if count:
            self.unreadable += 1


def is_litter(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    if not parts:
        return False
    if any(p.lower() in LITTER_DIRS for p in parts[:-1]):
        return True
    name = parts[-1]
    return name.lower() in LITTER_NAMES or name.startswith("~$") or name.startswith("._")


def _open_regular(path: Path) -> IO[bytes]:
    """Open a file for reading only if it is (still) a regular file: never
    blocks on a FIFO swapped in, never follows a symlink at the last step."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("不是普通文件")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _digest(chunks: Iterator[bytes], limit: int) -> tuple[str, int, bytes, bool]:
    """(sha256, bytes, the first 64 KB, whether it went past `limit`) of a stream read in chunks."""
    h = hashlib.sha256()
    n = 0
    head = b""
    for chunk in chunks:
        n += len(chunk)
        if n > limit:
            return "", n, head, True
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        h.update(chunk)
    return h.hexdigest(), n, head, False


def _take(w: Walked, sf: EvidenceFile, head: bytes, reopen: Callable[[], IO[bytes]], seen: dict[str, str]) -> None:
    """Type, extension and duplicate checks of a file that was read."""
    rel = sf.rel
    ft = detect(head, rel, reopen if head.startswith(b"PK") else None)
    sf.kind, sf.mime = ft.kind, ft.mime
    ext = PurePosixPath(rel).suffix.lower()
    if ft.kind == "empty":
        w.refuse("GEN001", "文件为空（0 字节）", rel)
        return
    if not ft.readable:
        what = CONVERT_TO.get(ft.kind, f"无法识别的文件类型（{ft.mime}）：请转换为 PDF 或 JPG")
        w.refuse("GEN003", f"平台不接受此格式：{what}", rel, kind=ft.kind)
        return
    if ext not in expected_extensions(ft.kind):
        w.findings.append(finding(
            "GEN004", f"扩展名为“{ext or '无'}”，实际内容是{describe(ft.kind)}",
            path=rel, fix=f"把扩展名改为 {expected_extensions(ft.kind)[0]}，或按实际格式重新导出。"))
    if sf.sha256 in seen:
        w.findings.append(finding("GEN006", f"与 {seen[sf.sha256]} 内容完全相同", path=rel, same_as=seen[sf.sha256]))
    else:
        seen[sf.sha256] = rel
    w.total += sf.size
    w.files.append(sf)


def _room(w: Walked, rel: str, size: int) -> bool:
    """Whether the package can take one more file of `size` bytes."""
    if w.total + size > limits.PACKAGE_BYTES:
        w.refuse("GEN010", f"材料总量超过上限 {limits.size(limits.PACKAGE_BYTES)}，此文件未读取：请压缩图片后再上传",
                 rel, limit="package_bytes")
        return False
    return True


def _too_many(w: Walked, rest: int) -> None:
    """The package has more files than FILES: the rest are not looked at (one finding)."""
    w.refuse("GEN010", f"材料中的文件超过上限 {limits.FILES} 个，其余 {rest} 个文件未读取：请只上传申报需要的材料",
             None, limit="files")


# ---------------------------------------------------------------- folders

def _entries(w: Walked, root: Path) -> Iterator[tuple[str, Path, os.DirEntry[str], str | None]]:
    """(rel, path, entry, raw name hex) of every non-directory entry below
    root, without following symlinked directories; folders that cannot be
    entered, symlinked directories and folders too deep are findings."""
    root_real = os.path.realpath(root)
    stack: list[tuple[Path, str, str, int]] = [(root, "", "", 0)]
    while stack:
        folder, prefix, raw_prefix, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            shown = prefix.rstrip("/") or "."
            why = "权限不足" if isinstance(e, PermissionError) else (e.strerror or type(e).__name__)
            w.refuse("GEN001", f"文件夹无法打开（{why}），其中的材料未检查：请确认该文件夹可以正常打开", shown)
            continue
        for e in reversed(entries):
            rel = prefix + readable(e.name)
            hexname = raw_hex(raw_prefix + e.name)
            path = folder / e.name
            try:
                if e.is_symlink():
                    target = _symlink_target(w, root_real, rel, path)
                    if target is None or not stat.S_ISDIR(target.st_mode):
                        if target is not None:
                            yield rel, path, e, hexname
                        continue
                    w.findings.append(finding(
                        "GEN009", "符号链接指向的文件夹未跟随（其中的文件在材料目录中原来的位置检查）", path=rel,
                        limit="symlinked_dir"))
                    continue
                if e.is_dir(follow_symlinks=False):
                    if depth + 1 > limits.DEPTH:
                        w.refuse("GEN010", f"文件夹层级超过上限 {limits.DEPTH} 层，其中的材料未读取：请减少文件夹嵌套", rel)
                    else:
                        stack.append((path, rel + "/", raw_prefix + e.name + "/", depth + 1))
                    continue
            except OSError as err:
                w.refuse("GEN001", f"无法读取：{err.strerror or err}", rel)
                continue
            yield rel, path, e, hexname


def _symlink_target(w: Walked, root_real: str, rel: str, path: Path) -> os.stat_result | None:
    """The stat of a symlink's target when it is inside the evidence and
    exists; otherwise a finding and None."""
    try:
        st = os.stat(path)                  # follows; ELOOP for a loop
    except OSError:
        w.refuse("GEN001", "符号链接无法解析（循环或目标不存在），未读取", rel)
        return None
    real = os.path.realpath(path)
    if os.path.commonpath([real, root_real]) != root_real:
        w.refuse("GEN001", "符号链接指向材料目录之外，未读取：请把文件本身复制到材料文件夹中", rel)
        return None
    return st


def walk_folder(root: Path) -> Walked:
    w = Walked(root=readable(str(root)))
    seen: dict[str, str] = {}
    entries = sorted(_entries(w, root), key=lambda t: t[0])
    looked = 0
    for n, (rel, p, e, hexname) in enumerate(entries):
        if rel != PROFILE_NAME and is_litter(rel):
            w.litter.append(rel)
            continue
        looked += 1
        if looked > limits.FILES:
            _too_many(w, len(entries) - n)
            break
        try:
            real = Path(os.path.realpath(p)) if e.is_symlink() else p    # inside the tree (checked)
            st = os.stat(real)
        except OSError as err:
            w.refuse("GEN001", f"无法读取文件：{err.strerror or err}", rel)
            continue
        if not stat.S_ISREG(st.st_mode):   # sockets, fifos, devices: never open them
            w.refuse("GEN001", "不是普通文件，未读取", rel)
            continue
        if rel == PROFILE_NAME:
            w.profile_text = _profile_from_file(w, rel, real, st.st_size)
            continue
        if st.st_size > limits.FILE_BYTES:
            w.refuse("GEN010", limits.too_big(st.st_size), rel, limit="file_bytes")
            continue
        if not _room(w, rel, st.st_size):
            continue
        _add_file(w, rel, real, hexname, seen)
    _litter_finding(w)
    return w


def _add_file(w: Walked, rel: str, p: Path, hexname: str | None, seen: dict[str, str]) -> None:
    try:
        with _open_regular(p) as f:
            digest, n, head, over = _digest(iter(lambda: f.read(CHUNK), b""), limits.FILE_BYTES)
    except OSError as e:
        w.refuse("GEN001", f"无法读取文件：{e.strerror or e}", rel)
        return
    if over:
        w.refuse("GEN010", limits.too_big(n), rel, limit="file_bytes")
        return
    sf = EvidenceFile(rel=rel, kind="", mime="", size=n, sha256=digest, path=p, raw_name=hexname)
    _take(w, sf, head, lambda: _open_regular(p), seen)


def _profile_from_file(w: Walked, rel: str, p: Path, size: int) -> str | None:
    """zjcheck.toml by the walker's rules: a regular file inside the tree
    (checked by the caller), bounded."""
    if size > limits.PROFILE_BYTES:
        return _profile_text(w, rel, b"\x00" * (limits.PROFILE_BYTES + 1))
    try:
        with _open_regular(p) as f:
            data = f.read(limits.PROFILE_BYTES + 1)
    except OSError as e:
        w.refuse("GEN001", f"申报人信息文件无法读取（{e.strerror or e}），未使用", rel)
        return None
    return _profile_text(w, rel, data)


def _profile_text(w: Walked, rel: str, data: bytes) -> str | None:
    if len(data) > limits.PROFILE_BYTES:
        w.refuse("GEN010", f"申报人信息文件超过上限 {limits.size(limits.PROFILE_BYTES)}，未使用", rel)
        return None
    text = decode_text(data)
    if text is None:
        w.refuse("GEN001", "申报人信息文件不是文本（UTF-8 或 GBK），未使用：请用记事本另存为 UTF-8", rel)
    return text


def decode_text(data: bytes) -> str | None:
    """A small text file as Windows and Linux editors save it: UTF-8 (BOM or
    not), UTF-16 with a BOM, or GBK/GB18030 (Notepad's "ANSI" on a Chinese system)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encs: tuple[str, ...] = ("utf-16",)
    else:
        encs = ("utf-8-sig", "gb18030")
    for enc in encs:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


# ---------------------------------------------------------------- zips

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
    """The member's path inside the package, or None when it escapes the
    archive (absolute, drive letter, ../) or names no file (".", "a/..")."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "", "..") or norm.startswith("../") or "/../" in f"/{name}/":
        return None
    return norm


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def walk_zip(zpath: Path) -> Walked:
    w = Walked(root=readable(str(zpath)))
    seen: dict[str, str] = {}
    shown = readable(zpath.name)
    try:
        with _open_regular(zpath) as f:
            n = zip_entries(f)
    except OSError as e:
        w.refuse("GEN001", f"压缩包无法打开：{e.strerror or e}", shown)
        return w
    if n is not None and n > limits.ZIP_MEMBERS:
        w.refuse("GEN010", f"压缩包有 {n} 个条目，超过上限 {limits.ZIP_MEMBERS} 个，未读取：请只打包申报材料", shown)
        return w
    try:
        z = zipfile.ZipFile(zpath)
    except Exception as e:  # noqa: BLE001 - any damage to the archive is its finding
        w.refuse("GEN001", f"压缩包无法打开：{type(e).__name__}: {e}"[:200], shown)
        return w
    with z:
        infos = [i for i in z.infolist() if not i.filename.endswith("/")]     # ZipInfo.is_dir fails on ""
        safe = [(_safe_rel(readable(member_name(i))), readable(member_name(i)), i) for i in infos]
        # A zip of one folder: strip that folder so paths read as in the folder.
        tops = {PurePosixPath(r).parts[0] for r, _, _ in safe if r and not is_litter(r)}
        strip = ""
        if len(tops) == 1 and all(r is None or "/" in r or is_litter(r) for r, _, _ in safe):
            strip = next(iter(tops)) + "/"
        taken: set[str] = set()
        ordered = sorted(safe, key=lambda t: t[0] or "")
        for n, (rel, raw_name, info) in enumerate(ordered):
            if n >= limits.FILES:
                _too_many(w, len(ordered) - n)
                break
            if rel is None:
                w.findings.append(finding("GEN010", f"压缩包成员“{raw_name}”的路径越出压缩包目录或不是文件名，已拒绝",
                                          path=raw_name))
                continue
            if strip and rel.startswith(strip):
                rel = rel[len(strip):]
            if rel in taken:
                w.findings.append(finding("GEN010", "压缩包中有同名的成员，解压时会互相覆盖：后一个已拒绝，请重新打包",
                                          path=rel))
                continue
            taken.add(rel)
            if rel == PROFILE_NAME:
                w.profile_text = _profile_member(w, z, info, rel)
                continue
            if is_litter(rel):
                w.litter.append(rel)
                continue
            try:
                _add_member(w, z, zpath, info, rel, seen)
            except Exception as e:  # noqa: BLE001 - a member zipfile cannot handle is its finding
                w.refuse("GEN001", f"压缩包成员无法读取：{type(e).__name__}: {e}"[:200], rel)
    _litter_finding(w)
    return w


def _member_problem(w: Walked, info: zipfile.ZipInfo, rel: str) -> bool:
    """Refuse a member before reading it: a link, encrypted, or too large by
    what it declares (size, ratio, the package's total)."""
    if _is_symlink(info):
        w.refuse("GEN001", "压缩包成员是符号链接，未读取：请把文件本身打包", rel)
    elif info.flag_bits & 0x1:
        w.refuse("GEN001", "压缩包成员已加密，无法读取", rel)
    elif info.file_size > limits.FILE_BYTES:
        w.refuse("GEN010", limits.too_big(info.file_size), rel, limit="file_bytes")
    elif info.file_size >= limits.ZIP_RATIO_FROM and info.file_size > limits.ZIP_RATIO * max(info.compress_size, 1):
        w.refuse("GEN010", limits.bomb(info.file_size, info.compress_size), rel, limit="ratio")
    else:
        return not _room(w, rel, info.file_size)
    return True


def _add_member(w: Walked, z: zipfile.ZipFile, zpath: Path, info: zipfile.ZipInfo, rel: str,
                seen: dict[str, str]) -> None:
    if _member_problem(w, info, rel):
        return
    limit = min(limits.FILE_BYTES, info.file_size)      # never trust the declared size: never read past it
    try:
        with z.open(info) as f:
            digest, n, head, over = _digest(iter(lambda: f.read(CHUNK), b""), max(limit, 0))
    except Exception as e:  # noqa: BLE001 - corrupt deflate (zlib.error), bad CRC, unsupported method …
        w.refuse("GEN001", f"压缩包成员损坏，无法解压：{type(e).__name__}: {e}"[:200], rel)
        return
    if over:
        w.refuse("GEN010", "解压后的大小与压缩包记录的不符（疑似压缩炸弹），已拒绝", rel, limit="file_bytes")
        return
    sf = EvidenceFile(rel=rel, kind="", mime="", size=n, sha256=digest, archive=zpath,
                      member_offset=info.header_offset)
    _take(w, sf, head, lambda: z.open(info), seen)


def _profile_member(w: Walked, z: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str) -> str | None:
    if _is_symlink(info) or info.flag_bits & 0x1:
        w.refuse("GEN001", "申报人信息文件是符号链接或已加密，未使用", rel)
        return None
    if info.file_size > limits.PROFILE_BYTES:
        return _profile_text(w, rel, b"\x00" * (limits.PROFILE_BYTES + 1))
    try:
        with z.open(info) as f:
            data = f.read(limits.PROFILE_BYTES + 1)
    except Exception as e:  # noqa: BLE001
        w.refuse("GEN001", f"申报人信息文件无法解压：{type(e).__name__}", rel)
        return None
    return _profile_text(w, rel, data)


def _litter_finding(w: Walked) -> None:
    if w.litter:
        shown = "、".join(w.litter[:5]) + ("等" if len(w.litter) > 5 else "")
        w.findings.append(finding("GEN009", f"已忽略 {len(w.litter)} 个系统生成的无关文件：{shown}",
                                  count=len(w.litter)))


def walk(path: Path) -> Walked:
    if path.is_dir():
        return walk_folder(path)
    return walk_zip(path)
