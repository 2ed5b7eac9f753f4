"""Hostile and broken input (issue 18): no crash, nothing lost, memory and
time bounded.

Every case of the generated corpus (tests/hostile.py) is checked in a child
process: its exit code, a finding with its code, valid UTF-8 JSON, peak RSS
of the whole process tree under 1 GB, wall time under 60 s, the evidence's
bytes and mtimes unchanged, nothing left in TMPDIR, no worker left running.
Then what a single case cannot show: SIGTERM and SIGKILL in the middle of
OCR, the CPU and memory budgets of the workers, and `zjcheck batch` over
hostile applicants.  Cases OCR nothing large: bombs are refused before they
are decoded.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from tests import hostile
from tests.hostile import ROOT, run_case, text_pdf, verify

pytestmark = pytest.mark.hostile


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda c: c.name)
def test_hostile_input(case: hostile.Case, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path / "w")
    try:
        verify(case, outcome)
    finally:
        hostile._restore(tmp_path)


# ---------------------------------------------------------------- stopped runs

def _text_image(seed: int, size: tuple[int, int] = (1400, 1980)) -> bytes:
    """A page image with lines of text (OCR takes a few seconds a page)."""
    from PIL import Image, ImageDraw
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    for i in range(45):
        d.text((80, 60 + i * 42), f"Line {i} of page {seed}: registered hours {seed * 7 + i} at Zhejiang unit", fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _env(tmp: Path, cache: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp), "ZJCHECK_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), **extra}


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "zjcheck", "check", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def _wait_for(cond, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def _group_gone(pgid: int, seconds: float = 10) -> bool:
    def gone() -> bool:
        try:
            os.killpg(pgid, 0)
            return False
        except ProcessLookupError:
            return True
    return _wait_for(gone, seconds)


def _ocr_zip(path: Path, pages: int) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for i in range(pages):
            z.writestr(f"材料/扫描{i + 1}.png", _text_image(i + 1))
    return path


def test_sigterm_ends_workers_and_removes_temp_copies(tmp_path: Path) -> None:
    """`timeout` and schedulers send SIGTERM: the run ends at once (128+15),
    its workers with it, and the copies of the zip's members are gone."""
    tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    ev = _ocr_zip(tmp_path / "pkg.zip", 6)
    before = ev.stat().st_mtime_ns, ev.read_bytes()
    proc = _start([str(ev), "--ocr", "tesseract", "-j", "1", "-q"], _env(tmp, cache))
    try:
        assert _wait_for(lambda: any(n.startswith("zjcheck-") for n in os.listdir(tmp)), 60), "no temp copy made"
        started = _wait_for(lambda: len(hostile._group_commands(proc.pid)) >= 3, 90)
        assert started, (proc.poll(), proc.stderr.read().decode() if proc.poll() is not None else "running")
        time.sleep(1.0)                                     # in the middle of OCR
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        assert time.monotonic() - t0 < 15
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert _group_gone(proc.pid), hostile._group_commands(proc.pid)
    assert os.listdir(tmp) == [], os.listdir(tmp)
    assert (ev.stat().st_mtime_ns, ev.read_bytes()) == before


def test_killed_run_keeps_its_pages_and_its_temp_copies_go(tmp_path: Path) -> None:
    """kill -9 in the middle of OCR: the pages read so far are in the cache
    (the next run does not OCR them again), and the temp copies the killed
    run could not remove are removed by the next run."""
    tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    ev = _ocr_zip(tmp_path / "pkg.zip", 5)
    env = _env(tmp, cache)
    proc = _start([str(ev), "--ocr", "tesseract", "-j", "1", "-q"], env)
    try:
        assert _wait_for(lambda: len(list(cache.rglob("*-p*.json"))) >= 1, 120), "no page cached as it finished"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    kept = len(list(cache.rglob("*-p*.json")))
    assert any(n.startswith("zjcheck-") for n in os.listdir(tmp)), "a killed run leaves its temp copies"
    out = tmp_path / "r.json"
    again = subprocess.run([sys.executable, "-m", "zjcheck", "check", str(ev), "--ocr", "tesseract", "-j", "1",
                            "-f", "json", "-o", str(out)], env=env, capture_output=True, timeout=600)
    assert again.returncode in (0, 1), again.stderr.decode("utf-8", "replace")
    stats = json.loads(out.read_text("utf-8"))["stats"]
    assert stats["pages_cached"] >= kept and stats["pages_ocr"] <= 5 - kept, stats
    assert os.listdir(tmp) == [], os.listdir(tmp)
    assert not list(cache.rglob("*-p*.json")), "page entries become one entry once the file is read"


# ---------------------------------------------------------------- worker budgets

def test_cpu_budget_turns_a_slow_page_into_its_finding(tmp_path: Path) -> None:
    """A page that takes longer than the CPU budget (here 1 s) ends its
    worker (SIGXCPU, also inside the OCR library); the page is a finding
    saying so and the rest of the package is read."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "scan.png").write_bytes(_text_image(3, (2400, 3400)))
    (pkg / "ok.pdf").write_bytes(text_pdf())
    tmp, cache, out = tmp_path / "tmp", tmp_path / "cache", tmp_path / "r.json"
    tmp.mkdir()
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "zjcheck", "check", str(pkg), "--ocr", "tesseract", "-j", "2",
                           "-f", "json", "-o", str(out)], env=_env(tmp, cache, ZJCHECK_PAGE_SECONDS="1"),
                          capture_output=True, timeout=300)
    assert time.monotonic() - t0 < 60
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 3 and "Traceback" not in err, err
    report = json.loads(out.read_text("utf-8"))
    slow = [f for f in report["findings"] if f["path"] == "scan.png"]
    assert slow and slow[0]["code"] == "GEN001" and "1 秒" in slow[0]["message"], slow
    docs = {d["path"]: d for d in report["documents"]}
    assert docs["ok.pdf"]["text_source"] == "pdf-text"
    assert os.listdir(tmp) == []


def _black_png(width: int, height: int) -> bytes:
    """An RGB PNG of width × height black pixels, written without ever holding
    the pixels (a small file that decodes to width*height*3 bytes)."""
    import binascii
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", binascii.crc32(kind + body))
    co = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    idat = b"".join(co.compress(row) for _ in range(height)) + co.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_memory_cap_turns_a_large_image_into_its_finding(tmp_path: Path) -> None:
    """An image within the pixel limit that still needs more memory than a
    worker may have (here 700 MB of address space): the allocation fails in
    the worker, the image is a finding that names the memory limit, and the
    main process never holds the pixels."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "huge.png").write_bytes(_black_png(9000, 9000))          # 81 Mpx: 243 MB decoded
    (pkg / "ok.pdf").write_bytes(text_pdf())
    case = hostile.Case("memory-cap", lambda root: pkg, 3, ("GEN001",),
                        env={"ZJCHECK_WORKER_MEMORY_MB": "700"})
    outcome = run_case(case, tmp_path / "w")
    verify(case, outcome)
    huge = [f for f in outcome.report["findings"] if f["path"] == "huge.png"]   # type: ignore[index]
    assert huge and "内存" in huge[0]["message"], huge


# ---------------------------------------------------------------- batch

def test_batch_over_hostile_applicants(tmp_path: Path) -> None:
    """Applicant folders named with escape sequences or GBK bytes, a zip of
    bombs, a FIFO named .zip: the batch finishes, the terminal gets no
    control character, and summary.csv / summary.xlsx / the JSON reports are
    written (XLSX cannot hold control characters: they are shown escaped)."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "\x1b[2J张三").mkdir()
    (root / "\x1b[2J张三" / "a.pdf").write_bytes(text_pdf())
    gbk = root / os.fsdecode("李四".encode("gbk"))
    gbk.mkdir()
    (gbk / "b.pdf").write_bytes(text_pdf())
    hostile.b_forty_members(root)                       # root/pkg.zip: forty 49 MB members
    os.mkfifo(root / "pipe.zip")
    out, tmp, cache = tmp_path / "out", tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "zjcheck", "batch", str(root), "--out", str(out), "--ocr",
                           "tesseract", "-j", "2"], env=_env(tmp, cache, COLUMNS="100"),
                          capture_output=True, timeout=300)
    assert time.monotonic() - t0 < 60
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 3 and "Traceback" not in err, err
    text = proc.stdout.decode("utf-8")
    assert "\x1b" not in text and "\\x1b[2J张三" in text and "李四" in text, text
    import openpyxl
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    names = {r[0] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert {"\\x1b[2J张三", "李四", "pkg.zip"} <= names, names
    rows = list(csv.reader(io.StringIO((out / "summary.csv").read_text("utf-8-sig"))))
    assert any(r[0] == "李四" for r in rows)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["exit_code"] == 3
    for report in out.glob("*.json"):
        json.loads(report.read_text("utf-8"))
    assert os.listdir(tmp) == []
