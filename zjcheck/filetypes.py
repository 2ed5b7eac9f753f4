"""File type by content (libmagic), never by extension alone."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from collections.abc import Callable
from functools import lru_cache
from typing import IO

import magic

# kind -> (accepted extensions, what to call it in messages)
READABLE: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "PDF"),
    "jpeg": ((".jpg", ".jpeg", ".jpe", ".jfif"), "JPEG 图片"),
    "png": ((".png",), "PNG 图片"),
    "tiff": ((".tif", ".tiff"), "TIFF 图片"),
    "bmp": ((".bmp",), "BMP 图片"),
    "webp": ((".webp",), "WebP 图片"),
    "docx": ((".docx",), "Word 文档（.docx）"),
    "xlsx": ((".xlsx", ".xlsm"), "Excel 表格（.xlsx）"),
}
IMAGE_KINDS = {"jpeg", "png", "tiff", "bmp", "webp"}

_MIME_KIND = {
    "application/pdf": "pdf",
    "image/jpeg": "jpeg", "image/png": "png", "image/tiff": "tiff",
    "image/bmp": "bmp", "image/x-ms-bmp": "bmp", "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/heic": "heic", "image/heif": "heic", "image/heic-sequence": "heic",
    "image/avif": "avif",
    "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/x-ole-storage": "ole", "application/cdfv2": "ole",
    "application/x-rar": "rar", "application/vnd.rar": "rar", "application/x-rar-compressed": "rar",
    "application/x-7z-compressed": "7z", "application/zip": "zip",
    "application/gzip": "gzip", "application/x-tar": "tar",
    "application/x-empty": "empty", "inode/x-empty": "empty",
    "text/plain": "text", "text/html": "html", "text/xml": "xml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "image/gif": "gif", "video/mp4": "video", "video/quicktime": "video",
}

# What to tell the applicant for a kind we cannot take (GEN003).
CONVERT_TO: dict[str, str] = {
    "heic": "苹果手机 HEIC 照片：请转换为 JPG（或在手机设置中选择“兼容性最佳”后重新拍摄）",
    "avif": "AVIF 图片：请转换为 JPG 或 PNG",
    "doc": "旧版 Word（.doc）文档：请另存为 PDF 或 .docx",
    "xls": "旧版 Excel（.xls）表格：请另存为 .xlsx 或 PDF",
    "ppt": "PowerPoint 文件：请导出为 PDF",
    "pptx": "PowerPoint 文件：请导出为 PDF",
    "ole": "WPS/旧版 Office 文件：请另存为 PDF 或 .docx",
    "rar": "RAR 压缩包：请解压后上传其中的材料",
    "7z": "7z 压缩包：请解压后上传其中的材料",
    "zip": "压缩包：请解压后上传其中的材料",
    "gzip": "压缩包：请解压后上传其中的材料",
    "tar": "压缩包：请解压后上传其中的材料",
    "text": "纯文本文件：平台不接受，请转为 PDF",
    "html": "网页文件：请打印为 PDF 或截图",
    "xml": "XML 文件：请转为 PDF",
    "odt": "ODF 文档：请另存为 PDF 或 .docx",
    "ods": "ODF 表格：请另存为 .xlsx 或 PDF",
    "gif": "GIF 图片：请转换为 JPG 或 PNG",
    "video": "视频文件：平台不接受，请改为图片或 PDF",
}


@dataclass(frozen=True)
class FileType:
    kind: str          # a READABLE key, or an unsupported kind
    mime: str

    @property
    def readable(self) -> bool:
        return self.kind in READABLE


@lru_cache(maxsize=1)
def _magic() -> magic.Magic:
    return magic.Magic(mime=True)


def zip_entries(f: IO[bytes]) -> int | None:
    """How many entries a zip's end record declares (read before the central
    directory is parsed, which would take memory in proportion)."""
    try:
        end = zipfile._EndRecData(f)  # type: ignore[attr-defined]
    except (OSError, ValueError, EOFError):
        return None
    if not end:
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _ooxml_kind(source: bytes | Callable[[], IO[bytes]]) -> str | None:
    """docx / xlsx / pptx by the parts a zip holds; a zip that declares more
    entries than an Office file has is not opened (its central directory
    would take memory in proportion)."""
    from zjcheck.limits import OFFICE_PARTS
    try:
        with (io.BytesIO(source) if isinstance(source, bytes) else source()) as f:
            n = zip_entries(f)
            if n is None or n > OFFICE_PARTS:
                return None
            f.seek(0)
            with zipfile.ZipFile(f) as z:
                names = set(z.namelist())
    except Exception:  # noqa: BLE001 - not a zip we can read: not an Office file
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return None


def detect(data: bytes, name: str = "", whole: Callable[[], IO[bytes]] | None = None) -> FileType:
    """The file's type from its bytes (`data`: the whole file, or its first
    64 KB with `whole` opening all of it, needed to tell Office files from
    other zips); WPS files are told apart by name only because libmagic sees
    them as generic OLE2 storage."""
    if not data:
        return FileType("empty", "application/x-empty")
    try:
        mime = _magic().from_buffer(data[: 1 << 16]).lower()
    except Exception:  # libmagic refuses some buffers; fall back to sniffing
        mime = "application/octet-stream"
    kind = _MIME_KIND.get(mime, "unknown")
    if kind in ("zip", "unknown") or mime.startswith("application/vnd.openxml"):
        kind = _ooxml_kind(whole if whole is not None else data) or kind
    if kind == "unknown" and data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1"):
        kind = "heic"
    if kind == "unknown" and data.startswith(b"%PDF"):
        kind = "pdf"
    if kind in ("ole", "doc") and name.lower().endswith((".wps", ".et")):
        kind = "ole"
    return FileType(kind, mime)


def expected_extensions(kind: str) -> tuple[str, ...]:
    return READABLE[kind][0] if kind in READABLE else ()


def describe(kind: str) -> str:
    return READABLE[kind][1] if kind in READABLE else kind
