"""End to end on rendered sample packages, real Tesseract OCR (cached per session)."""

from __future__ import annotations

import hashlib
import json
import re
import os
import shutil
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import PACKAGES, ROOT, check_package, reported

pytestmark = pytest.mark.ocr


def codes_of(report: dict) -> Counter[str]:
    return Counter(f["code"] for f in report["findings"])


def errors_of(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["severity"] == "error"]


def test_compliant_package_has_no_errors(checked) -> None:
    report = checked("compliant")
    errs = errors_of(report)
    assert errs == [], json.dumps(errs, ensure_ascii=False, indent=1)
    assert report["summary"]["exit_code"] == 0
    assert report["applicant"]["name"] == "周建华"
    assert report["applicant"]["name_source"] == "zjcheck.toml"
    assert report["stats"]["pages"] >= 30


def test_compliant_pages_recognised(checked, manifest) -> None:
    """Every page's material (and main part) against the rendered ground truth."""
    report = checked("compliant")
    truth = {f["path"]: f["pages"] for f in manifest["packages"]["compliant"]["files"]}
    got = {d["path"]: d["page_info"] for d in report["documents"]}
    total = mat_ok = part_ok = 0
    wrong: list[str] = []
    for path, pages in truth.items():
        if path not in got:
            continue
        for t, g in zip(pages, got[path]):
            total += 1
            if g["material"] == t["material"]:
                mat_ok += 1
                if set(t["parts"]) & set(g["parts"]):
                    part_ok += 1
                    continue
            wrong.append(f"{path}#{g['page']}: {t['material']}/{t['parts']} -> {g['material']}/{g['parts']}")
    print(f"\nrecognition on compliant: material {mat_ok}/{total}, part {part_ok}/{total}")
    assert total >= 30
    assert mat_ok == total, "\n".join(wrong)
    assert part_ok == total, "\n".join(wrong)


def test_compliant_pages_grouped_into_items(checked, manifest) -> None:
    """Pages the fixture drew as one item (a paper over five files, one patent)
    form exactly one zjcheck item, and no item mixes two."""
    report = checked("compliant")
    got = {(d["path"], p["page"]): p["item"] for d in report["documents"] for p in d["page_info"]}
    truth_to_ours: dict[str, set] = {}
    ours_to_truth: dict[str, set] = {}
    for f in manifest["packages"]["compliant"]["files"]:
        for n, page in enumerate(f["pages"], 1):
            ours = got.get((f["path"], n))
            truth_to_ours.setdefault(page["item"], set()).add(ours)
            ours_to_truth.setdefault(ours, set()).add(page["item"])
    assert all(len(v) == 1 for v in truth_to_ours.values()), truth_to_ours
    assert all(len(v) == 1 for v in ours_to_truth.values()), ours_to_truth
    print(f"\ngrouping on compliant: {len(truth_to_ours)} items, all exact")


def test_documents_in_json(checked) -> None:
    report = checked("compliant")
    for d in report["documents"]:
        assert d["text_source"] in ("pdf-text", "ocr", "none", "doc-text")
        assert d["material"] != "other", d["path"]
    for it in report["items"]:
        assert it["parts"] and all({"part", "path", "page"} <= set(p) for p in it["parts"])
    assert all(not os.path.isabs(f["path"]) for f in report["findings"] if f["path"])


def test_rotated_page_is_read_upright(checked, manifest) -> None:
    report = checked("compliant")
    rotated = [(f["path"], n + 1) for f in manifest["packages"]["compliant"]["files"]
               for n, p in enumerate(f["pages"]) if p.get("rotation") in (90, 270)]
    assert rotated, "the compliant package should contain a page scanned sideways"
    info = {(d["path"], p["page"]): p for d in report["documents"] for p in d["page_info"]}
    for key in rotated:
        assert info[key]["rotation"] in (90, 270), key
        assert info[key]["material"] != "other", key


@pytest.mark.parametrize("package,code,severity", [
    ("gen-bad-files", "GEN001", "error"),
    ("gen-bad-files", "GEN002", "error"),
    ("gen-bad-files", "GEN003", "error"),
    ("gen-bad-files", "GEN004", "warning"),
    ("gen-bad-files", "GEN006", "warning"),
    ("gen-bad-files", "GEN009", "info"),
    ("gen-lowres", "GEN005", "warning"),
    ("gen-secret", "GEN007", "error"),
    ("gen-unknown", "GEN008", "warning"),
    ("xdc-name", "XDC001", "error"),
    ("xdc-id", "XDC002", "error"),
    ("xdc-date", "XDC003", "error"),
    ("xdc-other-person", "XDC004", "error"),
    ("sum-missing", "SUM001", "error"),
    ("tit-missing", "TIT001", "error"),
    ("tit-recent", "TIT002", "warning"),
    ("tit-no-appointment", "TIT003", "warning"),
])
def test_planted_defect_found(checked, package: str, code: str, severity: str) -> None:
    report = checked(package)
    found = reported(report, code)
    assert found, f"{code} not found in {package}: {sorted(codes_of(report))}"
    assert all(f["severity"] == severity for f in found if f["code"] == code)
    assert code not in codes_of(checked("compliant"))


def test_bad_files_do_not_stop_the_run(checked) -> None:
    report = checked("gen-bad-files")
    assert report["summary"]["exit_code"] == 3          # some files could not be checked at all
    assert report["stats"]["pages"] >= checked("compliant")["stats"]["pages"]
    by_code = {f["code"]: f for f in report["findings"]}
    assert by_code["GEN002"]["path"].endswith(".pdf")
    assert "JPG" in by_code["GEN003"]["message"] or "PDF" in by_code["GEN003"]["message"]


def test_gbk_zip_reads_like_the_folder(checked) -> None:
    report = checked("zip-gbk.zip")
    folder = checked("compliant")
    assert sorted(d["path"] for d in report["documents"]) == sorted(d["path"] for d in folder["documents"])
    assert errors_of(report) == []


def test_zip_traversal_member_refused(checked) -> None:
    report = checked("zip-traversal.zip")
    assert "GEN010" in codes_of(report)
    assert not (PACKAGES / "evil.txt").exists() and not (PACKAGES.parent / "evil.txt").exists()


def test_report_says_which_engine_and_backend_read_it() -> None:
    """Issue 15: the JSON stats and the text header name the engine and, for
    RapidOCR, the backend with its version and precision (also in the cache key)."""
    from zjcheck.report.text import header_lines
    result, report = check_package("compliant")
    ocr = report["stats"]["ocr_engine"]
    assert ocr["name"] in ("rapidocr", "tesseract") and ocr["settings"].startswith(ocr["name"])
    if ocr["name"] == "rapidocr":
        assert ocr["backend"] in ocr["settings"] and ocr["backend"].startswith(("openvino", "ort"))
        assert "PP-OCR" in ocr["settings"]
        assert f"引擎 rapidocr（{ocr['backend']}）" in "\n".join(header_lines(result, 200))


def test_second_run_does_no_ocr() -> None:
    check_package("compliant")
    again, _ = check_package("compliant", route="常规")      # a new run, same files
    assert again.stats["pages_ocr"] == 0
    assert again.stats["pages_cached"] > 0


def _tree_state(root: Path) -> dict[str, tuple[int, str]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_input_is_never_modified(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "tit-recent", pkg)
    before = _tree_state(pkg)
    dirs_before = sorted(str(p) for p in pkg.rglob("*"))
    env = {**os.environ, "ZJCHECK_CACHE_DIR": os.environ["ZJCHECK_CACHE_DIR"]}
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "zjcheck", "check", str(pkg), "-f", "json", "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    assert _tree_state(pkg) == before
    assert sorted(str(p) for p in pkg.rglob("*")) == dirs_before
    inside = subprocess.run([sys.executable, "-m", "zjcheck", "check", str(pkg), "-o", str(pkg / "r.txt")],
                            env=env, capture_output=True, text=True, timeout=600)
    assert inside.returncode == 2 and not (pkg / "r.txt").exists()


def test_no_network_during_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run opens no socket (in-process run, jobs=1, so workers are this process)."""
    from zjcheck.pipeline import Options, run

    def refuse(*args, **kwargs):
        raise AssertionError("zjcheck tried to open a network socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = run(PACKAGES / "sum-missing", Options(jobs=1, engine=os.environ.get("ZJCHECK_OCR", "auto")))
    assert "SUM001" in {f.code for f in result.findings}


def test_cli_exit_codes(tmp_path: Path) -> None:
    env = {**os.environ}
    def zj(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "zjcheck", *args], env=env, capture_output=True,
                              text=True, timeout=600, cwd=ROOT)
    assert zj("check", str(PACKAGES / "compliant"), "-q").returncode == 0
    assert zj("check", str(PACKAGES / "sum-missing"), "-q").returncode == 1
    assert zj("check", str(PACKAGES / "gen-bad-files"), "-q").returncode == 3
    assert zj("check", str(tmp_path / "nothing-here")).returncode == 2
    assert zj("check", str(PACKAGES / "compliant"), "--catalogue", "1999-nothing").returncode == 2
    ok = zj("check", str(PACKAGES / "compliant"))
    assert "未发现问题" in ok.stdout or "未发现错误" in ok.stdout
    explained = zj("explain", "PAT001")
    assert explained.returncode == 0 and "授权" in explained.stdout
    assert zj("explain", "XYZ999").returncode == 2


def test_could_not_verify_is_reported_not_passed(checked) -> None:
    """Whatever a checker could not read (GEN012) shows in the gap row of its item."""
    report = checked("compliant")
    unsure = [f for f in report["findings"] if f["code"] == "GEN012" and f["item"]]
    assert any(f["material"] == "cont_edu" for f in unsure)    # 2026 is judged on the hours so far
    for f in unsure:
        row = next(g for g in report["gap"] if g["item"] == f["item"])
        assert any(f["message"] in u for u in row["unconfirmed"]), f


def test_html_gap_shows_could_not_verify() -> None:
    from zjcheck.report import html as html_report
    result, _ = check_package("compliant")
    page = html_report.render(result)
    row = re.search(r"<tr><td>继续教育</td>.*?</tr>", page).group(0)
    assert "处无法确认" in row and 'href="#item-cont_edu"' in row
    assert "2026 年度尚未结束" in page and "继续教育-3" in page and "cont_edu-3" not in page
