"""`zjcheck batch`: discovery, rows, exit codes, exports, the output-folder
guard, re-runs served from the page cache, and the fixture batch end to end."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from zjcheck import batch as B
from zjcheck import catalogue
from zjcheck.codes import finding
from zjcheck.errors import UsageError
from zjcheck.model import Profile
from zjcheck.pipeline import GapRow, Options, Result
from zjcheck.report.html import MAX_THUMBS
from zjcheck.report.export import FINDING_COLUMNS, SUMMARY_COLUMNS, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "fixtures" / "packages"


def _result(path: Path, findings: list | None = None, gap: list[GapRow] | None = None, unreadable: int = 0,
            name: str | None = "周建华") -> Result:
    return Result(str(path), catalogue.load(), Profile(name=name), [], [], list(findings or []), list(gap or []),
                  {"files": 1, "pages": 2, "pages_ocr": 1, "pages_cached": 1, "seconds": 0.1, "zjcheck": "t"},
                  unreadable)


# ---------------------------------------------------------------- discovery and guards

def test_discover(tmp_path: Path) -> None:
    for d in ("张三", "李四", "__MACOSX", ".hidden"):
        (tmp_path / d).mkdir()
    (tmp_path / "张三.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)         # empty zip; same stem as a folder
    (tmp_path / "坏的.zip").write_bytes(b"not a zip at all")                  # named .zip: still an applicant
    (tmp_path / "说明.txt").write_text("x")
    (tmp_path / "Thumbs.db").write_bytes(b"x")
    apps, ignored = B.discover(tmp_path)
    assert [a.key for a in apps] == ["坏的.zip", "张三", "张三.zip", "李四"]
    assert [a.slug for a in apps] == ["坏的", "张三", "张三-2", "李四"]         # report names never collide
    assert ignored == ["说明.txt"]
    with pytest.raises(UsageError):
        B.discover(tmp_path / "说明.txt")


def test_out_dir_inside_evidence_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "A").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    (outside / "B").mkdir(parents=True)
    (root / "B").symlink_to(outside / "B")                                   # an applicant linked in from elsewhere
    apps, _ = B.discover(root)
    for bad in (root, root / "out", root / "A" / "reports", outside / "B" / "r"):
        with pytest.raises(UsageError, match="材料目录"):
            B.check_out_dir(bad, root, apps)
    B.check_out_dir(tmp_path / "reports", root, apps)
    with pytest.raises(UsageError):
        B.run_batch(root, Options(jobs=1), root / "out", runner=lambda p, o, cb, pool=None: _result(p))
    assert not (root / "out").exists()


def test_no_applicants_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(UsageError, match="没有申报人"):
        B.run_batch(tmp_path, Options(jobs=1))


# ---------------------------------------------------------------- rows and points

def test_points_with_and_without_claims(tmp_path: Path) -> None:
    none = [GapRow("paper", "论文", None, 1, 1, [], False, True)]
    assert B.points(_result(tmp_path, gap=none)) == (None, None)
    rows = [GapRow("paper", "论文", 12, 2, 2, [], False, True),                       # backed
            GapRow("patent", "专利", 8, 1, 0, ["patent-1：不是授权专利"], False, True),   # claimed, failing
            GapRow("standard", "标准", 5, 0, 0, [], False, True),                     # claimed, no evidence
            GapRow("honor", "荣誉", 3, 1, 1, ["（该项检查尚未实现：无法确认）"], False, True),  # note only
            GapRow("summary", "总结", None, 1, 1, [], True, False)]
    assert B.points(_result(tmp_path, gap=rows)) == (28, 15)


def test_points_prefer_gap_rows_own_support(tmp_path: Path) -> None:
    g = GapRow("paper", "论文", 12, 2, 1, ["paper-2：缺目录"], False, True)
    g.supported = 6                       # a score-sheet engine may say how much of the claim stands
    assert B.points(_result(tmp_path, gap=[g])) == (12, 6)


def test_rows_verdicts_and_exit_codes(tmp_path: Path) -> None:
    for d in ("a-clean", "b-warn", "c-errors", "d-crash", "e-unreadable"):
        (tmp_path / d).mkdir()
    made = {
        "a-clean": [], "b-warn": [finding("GEN006", "重复")],
        "c-errors": [finding("SUM001", "未找到专业技术工作总结"), finding("PAP001", "缺封面"), finding("PAP001", "缺封面")],
        "e-unreadable": [finding("GEN002", "PDF 设有打开密码", path="x.pdf")],
    }

    def runner(path: Path, opts: Options, cb, pool=None) -> Result:     # noqa: ANN001
        if path.name == "d-crash":
            raise RuntimeError("boom")
        cb(1, 1)
        return _result(path, made[path.name], unreadable=1 if path.name == "e-unreadable" else 0)

    out = tmp_path.parent / (tmp_path.name + "-out")
    br = B.run_batch(tmp_path, Options(jobs=1), out, runner=runner)
    by = {r.applicant: r for r in br.rows}
    assert [r.applicant for r in br.rows] == ["a-clean", "b-warn", "c-errors", "d-crash", "e-unreadable"]
    assert by["a-clean"].verdict == B.VERDICT_OK and by["a-clean"].exit_code == 0
    assert by["b-warn"].verdict == B.VERDICT_WARN and by["b-warn"].warnings == 1
    assert by["c-errors"].verdict == B.VERDICT_ERRORS and by["c-errors"].errors == 3
    assert by["c-errors"].problem == "论文缺少期刊封面（PAP001×2）；缺少专业技术工作总结（SUM001）"
    assert by["d-crash"].verdict == B.VERDICT_FAILED and "boom" in by["d-crash"].problem and by["d-crash"].exit_code == 3
    assert by["e-unreadable"].exit_code == 3 and "PDF 设有打开密码" in by["e-unreadable"].problem
    assert br.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{ext}" for n in made for ext in ("json", "html")] + ["summary.csv", "summary.json", "summary.xlsx"])
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["exit_code"] == 3 and [a["applicant"] for a in summary["applicants"]] == list(by)
    assert len(br.findings) == 5 and {f["applicant"] for f in br.findings} == {"b-warn", "c-errors", "e-unreadable"}
    # without the crash and the unreadable one: 1 (errors); only clean and warnings: 0
    shutil.rmtree(tmp_path / "d-crash")
    shutil.rmtree(tmp_path / "e-unreadable")
    assert B.run_batch(tmp_path, Options(jobs=1), runner=runner).exit_code == 1
    shutil.rmtree(tmp_path / "c-errors")
    assert B.run_batch(tmp_path, Options(jobs=1), runner=runner).exit_code == 0


# ---------------------------------------------------------------- exports

def test_csv_has_bom_chinese_headers_and_no_formulas(tmp_path: Path) -> None:
    rows = [{"applicant": "=HYPERLINK(\"http://x\")", "name": "周建华", "verdict": "有缺漏", "errors": 2, "claimed": None}]
    write_csv(rows, tmp_path / "s.csv")
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [label for _, label in SUMMARY_COLUMNS]
    assert table[1][0] == "'=HYPERLINK(\"http://x\")" and table[1][1] == "周建华" and table[1][4] == "2"


def test_xlsx_two_sheets_text_not_formula(tmp_path: Path) -> None:
    import openpyxl
    rows = [{"applicant": "@SUM(A1)", "name": "周建华", "errors": 1, "claimed": 12.5}]
    fs = [{"applicant": "@SUM(A1)", "code": "SUM001", "severity": "错误", "message": "=1+1", "page": 3}]
    write_xlsx(rows, fs, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["申报人汇总", "问题明细"]
    s1, s2 = wb.worksheets
    assert [c.value for c in s1[1]] == [label for _, label in SUMMARY_COLUMNS]
    assert [c.value for c in s2[1]] == [label for _, label in FINDING_COLUMNS]
    assert s1["A2"].value == "@SUM(A1)" and s1["A2"].data_type == "s" and s1["H2"].value == 12.5
    msg = s2.cell(row=2, column=[k for k, _ in FINDING_COLUMNS].index("message") + 1)
    assert msg.value == "=1+1" and msg.data_type == "s"


# ---------------------------------------------------------------- real OCR

def _scan(key: str) -> bytes:
    from fixtures.render import effects, title, writers
    from fixtures.render.profile import Profile as P
    return writers.jpeg_bytes(effects.scan(title.qualification_certificate(P()), key).image)


@pytest.mark.ocr
def test_rerun_reads_only_changed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zjcheck import read
    pools: list[int] = []
    real_new_pool = read._new_pool
    monkeypatch.setattr(read, "_new_pool", lambda jobs: pools.append(jobs) or real_new_pool(jobs))
    root = tmp_path / "root"
    for a in ("A", "B", "C"):
        (root / a / "03-职称").mkdir(parents=True)
    (root / "A" / "03-职称" / "资格证书.jpg").write_bytes(_scan("one"))
    (root / "B" / "03-职称" / "资格证书.jpg").write_bytes(_scan("one"))           # same bytes as A's
    (root / "C" / "03-职称" / "资格证书.jpg").write_bytes(_scan("three"))
    opts = Options(jobs=2, cache_dir=tmp_path / "cache")
    first = B.run_batch(root, opts)
    assert [(r.applicant, r.pages, r.pages_ocr) for r in first.rows] == [("A", 1, 1), ("B", 1, 0), ("C", 1, 1)]
    assert pools == [2]                          # one worker pool shared by every applicant
    second = B.run_batch(root, opts)
    assert [r.pages_ocr for r in second.rows] == [0, 0, 0] and second.totals()["pages_cached"] == 3
    assert pools == [2]                          # all from the cache: no worker process started
    (root / "B" / "03-职称" / "资格证书.jpg").write_bytes(_scan("two"))      # B re-scanned its certificate
    third = B.run_batch(root, opts)
    assert [(r.applicant, r.pages_ocr) for r in third.rows] == [("A", 0), ("B", 1), ("C", 0)]
    print(f"\n重跑：第一次 OCR {first.totals()['pages_ocr']} 页，第二次 {second.totals()['pages_ocr']} 页，"
          f"改动一个文件后 {third.totals()['pages_ocr']} 页")


@pytest.fixture(scope="module")
def fixture_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (PACKAGES / "compliant").exists():
        pytest.fail("fixtures/packages is not rendered: run `make fixtures` (make test does it)")
    from fixtures.variants.batch import make_batch
    dest = tmp_path_factory.mktemp("batch") / "batch"
    make_batch(PACKAGES, dest)
    return dest


@pytest.mark.ocr
def test_fixture_batch_end_to_end(fixture_batch: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner
    from zjcheck.cli import app
    from fixtures.variants import batch as V
    out = tmp_path / "reports"
    res = CliRunner().invoke(app, ["batch", str(fixture_batch), "--out", str(out)])
    assert res.exit_code == 3, res.output                          # the broken zip could not be checked
    for key in (V.FOLDER_OK, V.FOLDER_NO_SUMMARY, V.ZIP_OK, V.ZIP_BROKEN):
        assert key in res.output
    table = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8-sig"))))
    by = {r["申报人（文件夹）"]: r for r in table}
    assert set(by) == {V.FOLDER_OK, V.FOLDER_NO_SUMMARY, V.ZIP_OK, V.ZIP_BROKEN}
    assert by[V.ZIP_BROKEN]["结论"] == B.VERDICT_FAILED and "压缩包无法打开" in by[V.ZIP_BROKEN]["主要问题"]
    assert by[V.FOLDER_OK]["错误"] == by[V.ZIP_OK]["错误"] and by[V.FOLDER_OK]["页数"] == by[V.ZIP_OK]["页数"]
    assert "SUM001" in by[V.FOLDER_NO_SUMMARY]["主要问题"] and by[V.FOLDER_NO_SUMMARY]["结论"] == B.VERDICT_ERRORS
    assert by[V.FOLDER_OK]["姓名"] == by[V.ZIP_OK]["姓名"] != ""
    import openpyxl
    wb = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    assert wb.sheetnames == ["申报人汇总", "问题明细"]
    codes = {row[1] for row in wb["问题明细"].iter_rows(min_row=2, values_only=True)}
    assert {"SUM001", "GEN001"} <= codes
    for slug in ("申报人03", V.FOLDER_OK):      # zip input: thumbnails rendered from the bytes in memory
        report = json.loads((out / f"{slug}.json").read_text("utf-8"))
        docs = {d["path"]: d for d in report["documents"]}
        pictured = [f for f in report["findings"] if f["path"] in docs and docs[f["path"]]["readable"]
                    and docs[f["path"]]["kind"] not in ("docx", "xlsx")]
        page = (out / f"{slug}.html").read_text("utf-8")
        assert 'id="gap"' in page and page.count('<img class="thumb"') == min(len(pictured), MAX_THUMBS)
    # second run: every page comes from the page cache
    again = B.run_batch(fixture_batch, Options(engine=os.environ.get("ZJCHECK_OCR", "auto")))
    assert again.totals()["pages_ocr"] == 0 and again.totals()["pages"] > 0
    print(f"\n批量（复跑）：{again.totals()}")


def test_summary_table_fits_80_columns_and_keeps_names_whole() -> None:
    """The summary table at 80 columns (also when piped: the console's width,
    i.e. COLUMNS): no line wider, no applicant name or code split."""
    from rich.cells import cell_len
    rows = [B.Row("2026申报材料-温州瓯越电气设备股份有限公司-王丽娟", "/x/a", "王丽娟", B.VERDICT_ERRORS, 1, 3, 1, 0,
                  72.0, 60.0, problem="论文缺少期刊封面（PAP001×2）；缺少专业技术工作总结（SUM001）；另有 2 类问题"),
             B.Row("breakout", "/x/b", None, B.VERDICT_PARTIAL, 3, problem="1 个文件无法检查：x.pdf：PDF 设有打开密码")]
    br = B.BatchResult("/受理点/2026", rows)
    for width in (80, 120):
        lines = [ln for ln, _ in B.summary_lines(br, width)]
        assert all(cell_len(ln) <= width for ln in lines), "\n".join(lines)
        text = "\n".join(lines)
        for token in ("2026申报材料-温州瓯越电气设备股份有限公司-王丽娟", "breakout", "PAP001×2", "SUM001", "72/60"):
            assert any(token in ln for ln in lines), text
