"""One resource policy for every reader (issue 18).

Evidence is hostile input: a file, a zip member, a PDF stream or page, an
Office part or an image may declare or decompress to far more than any real
document needs.  Every reader asks this module before it reads: declared
and actual sizes, decompressed bytes, pixels, pages, rows × columns, and a
CPU-time and memory budget for the worker process that reads a page.  A
limit that is hit becomes a finding for that file (GEN010, or GEN001 when a
reader ran out of time or memory), never a dead run; the message says which
limit and what to do.

The numbers are generous for real packages (a 300 dpi scan of a whole
package, a 200-megapixel phone photo, a book of 300 pages) and small enough
that no single input can take the machine.  The worker budgets can be set
through the environment (ZJCHECK_PAGE_SECONDS, ZJCHECK_WORKER_MEMORY_MB),
e.g. on a slow machine.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from typing import Any

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

# ---------------------------------------------------------------- files and archives
FILE_BYTES = 256 * MiB            # one file of the package (folder file or zip member), declared or actual
PACKAGE_BYTES = 2 * GiB           # all files of one package together (zip members: decompressed)
FILES = 5000                      # files in one package
DEPTH = 32                        # folder levels below the package root
ZIP_MEMBERS = 20000               # entries in one zip's central directory
ZIP_RATIO = 100                   # a member this many times larger than its compressed size …
ZIP_RATIO_FROM = 8 * MiB          # … and at least this large is a compression bomb
PROFILE_BYTES = 64 * KiB          # zjcheck.toml (or --profile)

# ---------------------------------------------------------------- documents
PAGES = 300                       # pages read of one PDF (or frames of one image)
PACKAGE_PAGES = 3000              # pages read of one package
PDF_STREAM_BYTES = 75 * MiB       # one decompressed PDF stream (pypdf's own limit too)
PDF_PAGE_POINTS = 14400           # a page side in PDF points (200 inches: larger is no document)
IMAGE_PIXELS = 100_000_000        # decoded at full size (PNG, TIFF, BMP, WebP, images in a PDF)
JPEG_PIXELS = 400_000_000         # JPEGs are decoded reduced (draft), so a 200 MP phone photo is fine
OFFICE_PART_BYTES = 64 * MiB      # one decompressed part of a .docx / .xlsx
OFFICE_BYTES = 256 * MiB          # all parts of one .docx / .xlsx, decompressed
OFFICE_PARTS = 5000               # parts of one .docx / .xlsx
SHEET_ROWS = 10000                # rows read of one worksheet
SHEET_COLUMNS = 200               # columns read of one worksheet
PAGE_CHARS = 200_000              # characters kept of one page's text (a dense A4 page has < 5000)
PAGE_LINES = 5000                 # lines kept of one page's text

# ---------------------------------------------------------------- worker processes
PAGE_SECONDS = 90                 # CPU seconds one page (or one file's probe) may take in a worker
WORKER_MEMORY = 3 * GiB           # address space of one reader/OCR worker (RLIMIT_AS)


def page_seconds() -> int:
    return _env_int("ZJCHECK_PAGE_SECONDS", PAGE_SECONDS, 1)


def worker_memory() -> int:
    return _env_int("ZJCHECK_WORKER_MEMORY_MB", WORKER_MEMORY // MiB, 256) * MiB


def wall_seconds() -> float:
    """Wall-clock time without any page finishing after which the workers are
    stopped (a worker blocked without using CPU, which RLIMIT_CPU cannot see)."""
    return 3 * page_seconds() + 30


def _env_int(name: str, default: int, minimum: int) -> int:
    try:
        return max(minimum, int(os.environ.get(name, default)))
    except ValueError:
        return default


def size(n: float) -> str:
    """A byte count for a message: 1.5 GB, 49 MB, 12 KB."""
    for unit, div in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if n >= div:
            v = n / div
            return f"{v:.1f} {unit}" if v < 10 and v != int(v) else f"{v:.0f} {unit}"
    return f"{int(n)} 字节"


def pixels(n: float) -> str:
    return f"{n / 10000:.0f} 万像素" if n >= 10000 else f"{int(n)} 像素"


# ---------------------------------------------------------------- messages (what limit, what to do)

def too_big(actual: int, limit: int = FILE_BYTES) -> str:
    return f"文件 {size(actual)}，超过单个文件上限 {size(limit)}，未读取：请压缩图片或拆分文件后再上传"


def bomb(actual: int, compressed: int) -> str:
    ratio = actual / max(compressed, 1)
    return (f"解压后 {size(actual)}，压缩比 {ratio:.0f}:1，疑似压缩炸弹，已拒绝：请直接上传原文件，不要上传异常的压缩文件")


def too_many_pixels(w: int, h: int, limit: int = IMAGE_PIXELS) -> str:
    return (f"图片 {w}×{h} 像素，超过上限（{pixels(limit)}），未读取：请重新扫描为 300 dpi 以内，"
            f"或把照片缩小到 6000 像素宽以内")


def too_many_pages(n: int, limit: int = PAGES) -> str:
    return f"共 {n} 页，超过单个文件上限 {limit} 页：只读取了前 {limit} 页，请只上传申报需要的页面"


def out_of_time(seconds: int) -> str:
    return f"读取超过 {seconds} 秒（单页时间上限），已跳过：文件可能已损坏或过于复杂，请重新导出或重新扫描"


def out_of_memory(limit: int) -> str:
    return (f"读取时内存超过上限（{size(limit)}），已跳过：页面图像过大或文件已损坏，"
            f"请重新扫描为 300 dpi 以内或重新导出")


def crashed(why: str) -> str:
    return f"读取时解码程序异常退出（{why}），已跳过：文件可能已损坏，请重新导出或重新扫描"


# ---------------------------------------------------------------- bounded decompression

class LimitExceeded(Exception):
    """A reader hit a limit; the message is the finding's (Chinese)."""

    def __init__(self, message: str, code: str = "GEN010") -> None:
        super().__init__(message)
        self.code = code


def inflated_size(chunks: Iterable[bytes], limit: int, wbits: int = zlib.MAX_WBITS) -> int:
    """Bytes a zlib/deflate stream decompresses to, stopping at `limit` + 1
    (never more than a chunk in memory).  Corrupt data ends the count."""
    d = zlib.decompressobj(wbits)
    total = 0
    try:
        for chunk in chunks:
            while chunk:
                out = d.decompress(chunk, 1 << 20)
                total += len(out)
                if total > limit:
                    return total
                chunk = d.unconsumed_tail
            if d.eof:
                break
    except zlib.error:
        pass
    return total


def setup_worker() -> None:
    """Caps for a reader/OCR worker process: its address space (a bomb fails
    an allocation there, not in the main process) and one thread for OCR."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        import resource
        cap = worker_memory()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (ImportError, ValueError, OSError):
        pass


_trim: Any = None          # glibc's malloc_trim, False where there is none


def release_memory() -> None:
    """Hand the heap memory freed by the page just read back to the system
    (glibc's malloc_trim; elsewhere nothing).  A worker's resident memory then
    follows the page it reads, not the largest it has read: about 50 MB less
    at the peak of a RapidOCR worker on the compliant package."""
    global _trim
    if _trim is None:
        try:
            import ctypes
            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


def start_budget() -> None:
    """The CPU-time budget of the task starting now in this worker: the
    kernel stops the process (SIGXCPU) when the task runs past it, also
    inside C code (pdfium, OCR), where no Python timeout can reach."""
    try:
        import resource
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = spent + page_seconds()
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass
