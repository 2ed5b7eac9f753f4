"""`zjcheck batch` on Dask (issue 20) and the batch ledger: the fingerprint
(what changes it, what does not), the same results as the embedded pool,
a worker killed mid-batch, a page that kills workers, and a resumed batch
that checks only what was not finished."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from zjcheck import batch as B
from zjcheck import ledger
from zjcheck.pipeline import Options

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "fixtures" / "packages"
THREE = ("compliant-c", "people-sum-missing-c", "paper-c-not-author")
# what differs with the clock or with how warm the page cache was, not with the result
TIMINGS = {"seconds", "seconds_per_applicant", "seconds_per_page", "pages_ocr", "pages_cached"}


def _engine() -> str:
    return os.environ.get("ZJCHECK_OCR", "auto")


def _untimed(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _untimed(v) for k, v in d.items() if k not in TIMINGS}
    if isinstance(d, list):
        return [_untimed(x) for x in d]
    return d


def _reports(out: Path) -> dict[str, Any]:
    """Every JSON of a batch's output (per applicant and summary.json), timings aside."""
    return {p.name: _untimed(json.loads(p.read_text("utf-8"))) for p in sorted(out.glob("*.json"))}


def _csv(out: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8-sig"))))
    return [{k: v for k, v in r.items() if "秒" not in k and "时" not in k and "OCR" not in k} for r in rows]


# ---------------------------------------------------------------- fingerprint (pure logic)

def _package(root: Path) -> Path:
    pkg = root / "张三"
    (pkg / "01-学历").mkdir(parents=True)
    (pkg / "01-学历" / "毕业证书.pdf").write_bytes(b"%PDF-1.4 one")
    (pkg / "02-职称.pdf").write_bytes(b"%PDF-1.4 two")
    return pkg


def test_fingerprint_changes_with_what_decides_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = _package(tmp_path)
    opts = Options(engine="tesseract")
    base = ledger.fingerprint(pkg, opts)
    assert base and base == ledger.fingerprint(pkg, opts)
    changed = {}
    (pkg / "02-职称.pdf").write_bytes(b"%PDF-1.4 TWO")                       # a file's content
    changed["content"] = ledger.fingerprint(pkg, opts)
    (pkg / "02-职称.pdf").write_bytes(b"%PDF-1.4 two")
    assert ledger.fingerprint(pkg, opts) == base
    (pkg / "02-职称.pdf").rename(pkg / "02-任职资格.pdf")                       # a file's name
    changed["renamed"] = ledger.fingerprint(pkg, opts)
    (pkg / "02-任职资格.pdf").rename(pkg / "02-职称.pdf")
    (pkg / "03-论文.pdf").write_bytes(b"%PDF-1.4 three")                      # a file added …
    changed["added"] = ledger.fingerprint(pkg, opts)
    (pkg / "03-论文.pdf").unlink()
    (pkg / "01-学历" / "毕业证书.pdf").unlink()                               # … or removed
    changed["removed"] = ledger.fingerprint(pkg, opts)
    (pkg / "01-学历" / "毕业证书.pdf").write_bytes(b"%PDF-1.4 one")
    (pkg / "zjcheck.toml").write_text('name = "张三"\n', "utf-8")             # the package's profile
    changed["zjcheck.toml"] = ledger.fingerprint(pkg, opts)
    (pkg / "zjcheck.toml").unlink()
    assert ledger.fingerprint(pkg, opts) == base
    changed["cli profile"] = ledger.fingerprint(pkg, Options(engine="tesseract", profile={"name": "李四"}))
    prof = tmp_path / "profile.toml"
    prof.write_text('name = "张三"\n', "utf-8")
    changed["--profile"] = ledger.fingerprint(pkg, Options(engine="tesseract", profile_file=prof))
    changed["engine"] = ledger.fingerprint(pkg, Options(engine="rapidocr"))
    changed["dpi"] = ledger.fingerprint(pkg, Options(engine="tesseract", dpi=300))
    raw = (ROOT / "zjcheck" / "data" / "catalogue-2026-jidian.toml").read_text("utf-8")
    same_cat, other_cat = tmp_path / "same.toml", tmp_path / "other.toml"
    same_cat.write_text(raw, "utf-8")
    other_cat.write_text(raw.replace("self_score_threshold = 80", "self_score_threshold = 85"), "utf-8")
    assert ledger.fingerprint(pkg, Options(engine="tesseract", catalogue=str(same_cat))) == base   # content, not place
    changed["catalogue"] = ledger.fingerprint(pkg, Options(engine="tesseract", catalogue=str(other_cat)))
    import zjcheck
    monkeypatch.setattr(zjcheck, "__version__", "9.9.9")
    changed["version"] = ledger.fingerprint(pkg, opts)
    monkeypatch.undo()
    from zjcheck import cache
    monkeypatch.setattr(cache, "SCHEMA", cache.SCHEMA + 1)
    changed["cache schema"] = ledger.fingerprint(pkg, opts)
    monkeypatch.undo()
    same = [k for k, v in changed.items() if v == base]
    assert not same, f"the fingerprint ignores: {same}"
    assert len(set(changed.values())) == len(changed)


def test_fingerprint_ignores_place_times_and_how_it_runs(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    base = ledger.fingerprint(pkg, Options(engine="tesseract"))
    os.utime(pkg / "02-职称.pdf", (1e9, 1e9))                                     # file times
    moved = tmp_path / "elsewhere" / "另一个名字"
    moved.parent.mkdir()
    shutil.copytree(pkg, moved)                                                   # another folder, another name
    for p in (pkg, moved):
        for o in (Options(engine="tesseract"), Options(engine="tesseract", jobs=7),
                  Options(engine="tesseract", cache=False), Options(engine="tesseract", cache_dir=tmp_path / "c")):
            assert ledger.fingerprint(p, o) == base
    # the same package as a zip: the members are the files
    import zipfile
    zpath = tmp_path / "张三.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for f in sorted(pkg.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(pkg).as_posix())
    assert ledger.fingerprint(zpath, Options(engine="tesseract")) == base


def test_ledger_entry_needs_same_fingerprint_and_applicant(tmp_path: Path) -> None:
    row = B.Row("张三", "/x/张三", verdict=B.VERDICT_OK, exit_code=0).to_json()
    text = ledger.with_ledger('{"schema": "zjcheck/1"}', ledger.block("张三", "sha256:a", row, []))
    ledger.write_atomic(tmp_path / "张三.json", text)
    assert ledger.lookup(tmp_path, "张三", "张三", "sha256:a")["row"]["verdict"] == B.VERDICT_OK
    assert ledger.lookup(tmp_path, "张三", "张三", "sha256:b") is None          # inputs changed
    assert ledger.lookup(tmp_path, "张三", "张三.zip", "sha256:a") is None       # another applicant's slot
    assert ledger.lookup(tmp_path, "张三", "张三", None) is None                 # could not be walked
    assert ledger.lookup(None, "张三", "张三", "sha256:a") is None
    row["report"] = "张三.html"
    ledger.write_atomic(tmp_path / "张三.json", ledger.with_ledger('{}', ledger.block("张三", "sha256:a", row, [])))
    assert ledger.lookup(tmp_path, "张三", "张三", "sha256:a") is None          # its HTML report is gone
    (tmp_path / "张三.html").write_text("<html></html>", "utf-8")
    assert ledger.lookup(tmp_path, "张三", "张三", "sha256:a") is not None
    (tmp_path / "张三.json").write_text(text[: len(text) // 2], "utf-8")        # half written (a killed run)
    assert ledger.lookup(tmp_path, "张三", "张三", "sha256:a") is None
    assert not list(tmp_path.glob(".zjcheck-*"))                                # no temp file left behind


# ---------------------------------------------------------------- the three-package batch

@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (PACKAGES / THREE[0]).exists():
        pytest.fail("fixtures/packages is not rendered: run `make fixtures` (make test does it)")
    root = tmp_path_factory.mktemp("three") / "root"
    for name in THREE:
        shutil.copytree(PACKAGES / name, root / name)
    return root


@pytest.fixture(scope="module")
def embedded(three: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embedded") / "out"
    B.run_batch(three, Options(engine=_engine(), jobs=2), out)
    return out


@pytest.mark.ocr
def test_local_cluster_gives_the_same_results(three: Path, embedded: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner
    from zjcheck.cli import app
    out, shared = tmp_path / "out", tmp_path / "shared-cache"
    res = CliRunner().invoke(app, ["batch", str(three), "--out", str(out), "--ocr", _engine(),
                                   "--scheduler", "local", "--workers", "2", "--shared-cache", str(shared)])
    assert res.exit_code == 1, res.output                     # two of the three have a planted defect
    assert "Dask 调度器 tcp://127.0.0.1:" in res.output
    mine, theirs = _reports(out), _reports(embedded)
    assert sorted(mine) == sorted(theirs) == sorted([f"{n}.json" for n in THREE] + ["summary.json"])
    for name in mine:
        assert mine[name] == theirs[name], name
    assert _csv(out) == _csv(embedded)
    assert {r["结论"] for r in _csv(out)} == {B.VERDICT_OK, B.VERDICT_ERRORS}
    # the pages the client had go to the shared page cache too (other clients need not read them again)
    from zjcheck.walk import walk
    files = {f.sha256 for name in THREE for f in walk(three / name).files}
    assert {p.name.split("-")[0] for p in shared.rglob("*.json")} == files


@pytest.mark.ocr
@pytest.mark.parametrize("where", ["embedded", "cluster"])
def test_interrupted_batch_resumes_where_it_stopped(three: Path, embedded: Path, tmp_path: Path, where: str) -> None:
    """Interrupted (Ctrl-C) after the first applicant is written, on the
    embedded pool or on the cluster; the re-run (embedded: it can count what
    it checks) checks only the other two and writes the same summary."""
    from zjcheck.cluster import ClusterOptions
    from zjcheck.pipeline import run
    out = tmp_path / "out"

    class Stop(B.Progress):
        def done(self, a: B.Applicant, row: B.Row) -> None:
            raise KeyboardInterrupt

    cluster = ClusterOptions("local", workers=1) if where == "cluster" else None
    with pytest.raises(KeyboardInterrupt):
        B.run_batch(three, Options(engine=_engine(), jobs=2), out, Stop(), cluster=cluster)
    written = [p.stem for p in out.glob("*.json")]
    assert len(written) == 1 and not (out / "summary.json").exists()
    checked: list[str] = []

    def counting(path: Path, opts: Options, cb: Any, pool: Any = None) -> Any:
        checked.append(path.name)
        return run(path, opts, cb, pool=pool)

    again = B.run_batch(three, Options(engine=_engine(), jobs=2), out, runner=counting)
    assert checked == sorted(set(THREE) - set(written))   # only what was not finished
    assert again.exit_code == 1
    assert _reports(out) == _reports(embedded)          # the summary rebuilt from the ledger equals one run's
    assert _csv(out) == _csv(embedded)
    checked.clear()
    B.run_batch(three, Options(engine=_engine(), jobs=2), out, runner=counting)
    assert checked == []                                # nothing changed: nothing checked
    (three / THREE[1] / "changed.txt").write_text("新增一个文件", "utf-8")
    try:
        B.run_batch(three, Options(engine=_engine(), jobs=2), out, runner=counting)
    finally:
        (three / THREE[1] / "changed.txt").unlink()
    assert checked == [THREE[1]]                        # its inputs changed: checked again


# ---------------------------------------------------------------- faults (worker killed, page that kills)

def _scan(key: str) -> bytes:
    from fixtures.render import effects, title, writers
    from fixtures.render.profile import Profile as P
    return writers.jpeg_bytes(effects.scan(title.qualification_certificate(P()), key).image)


def _scans(root: Path, keys: dict[str, str]) -> dict[str, str]:
    """One applicant per key with one scanned certificate; {applicant: sha256 of its page}."""
    import hashlib
    shas = {}
    for applicant, key in keys.items():
        (root / applicant / "03-职称").mkdir(parents=True)
        data = _scan(key)
        (root / applicant / "03-职称" / "资格证书.jpg").write_bytes(data)
        shas[applicant] = hashlib.sha256(data).hexdigest()
    return shas


def _killer(marker: str, poison: str) -> Any:
    """A Dask worker plugin (test only): the worker process exits when a page
    task starts, once (the first page task of the batch) or always (the page
    of the `poison` file)."""
    from distributed import WorkerPlugin

    class Killer(WorkerPlugin):
        name = "zjcheck-test-killer"

        def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
            k = str(key)
            if finish != "executing" or "zjcheck-page-" not in k:
                return
            if poison and f"zjcheck-page-{poison[:16]}-" in k:
                os._exit(1)
            if not os.path.exists(marker):
                open(marker, "w").close()
                os._exit(1)

    return Killer()


@pytest.fixture
def cluster_with(tmp_path: Path):  # type: ignore[no-untyped-def]
    """cluster_with(plugin, allowed_failures) -> scheduler address of a 2-worker LocalCluster."""
    import dask
    from distributed import Client, LocalCluster
    made: list[Any] = []

    def make(plugin: Any, allowed_failures: int = 3) -> str:
        with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0", silence_logs=50)
        client = Client(cluster)
        client.register_plugin(plugin)
        made.append((client, cluster))
        return cluster.scheduler_address

    yield make
    for client, cluster in made:
        client.close()
        cluster.close()


@pytest.mark.ocr
def test_worker_killed_mid_batch_the_batch_completes(tmp_path: Path, cluster_with: Any) -> None:
    from zjcheck.cluster import ClusterOptions
    root = tmp_path / "root"
    _scans(root, {"A": "one", "B": "two", "C": "three"})
    marker = tmp_path / "killed"
    address = cluster_with(_killer(str(marker), ""))
    opts = Options(engine=_engine(), cache_dir=tmp_path / "cache-cluster")

    class Record(B.Progress):
        def __init__(self) -> None:
            self.notes: list[str] = []
            self.inflight = self.most = 0

        def applicant(self, a: B.Applicant) -> None:
            self.inflight += 1
            self.most = max(self.most, self.inflight)

        def done(self, a: B.Applicant, row: B.Row) -> None:
            self.inflight -= 1

        def note(self, text: str, lasting: bool = False) -> None:
            self.notes.append(text)

    seen = Record()
    got = B.run_batch(root, opts, tmp_path / "out-cluster", seen, cluster=ClusterOptions(address, window=2))
    assert marker.exists()                                  # a worker did die while reading a page
    assert seen.most == 2                                   # never more applicants in flight than the window
    import re
    assert any(re.fullmatch(r"申报人 3/3，[\d.]+ 页/秒，预计剩余 .+，工作进程 [12] 个", n) for n in seen.notes), seen.notes
    assert seen.notes[0].startswith(f"Dask 调度器 {address}")
    want = B.run_batch(root, Options(engine=_engine(), jobs=2, cache_dir=tmp_path / "cache-embedded"),
                       tmp_path / "out-embedded")
    assert [r.pages_ocr for r in got.rows] == [1, 1, 1]     # every page read once, on the cluster
    assert _reports(tmp_path / "out-cluster") == _reports(tmp_path / "out-embedded")
    assert got.exit_code == want.exit_code


@pytest.mark.ocr
def test_page_that_kills_workers_is_unchecked_for_its_applicant(tmp_path: Path, cluster_with: Any) -> None:
    from zjcheck.cluster import ClusterOptions
    root = tmp_path / "root"
    shas = _scans(root, {"A": "one", "B": "two"})
    marker = tmp_path / "killed"
    marker.touch()                                          # no kill-once: only the poison page
    address = cluster_with(_killer(str(marker), shas["B"]), allowed_failures=1)
    # --ship: the workers get the files' bytes from the client (and the checks run on the client)
    got = B.run_batch(root, Options(engine=_engine(), cache_dir=tmp_path / "cache"), tmp_path / "out",
                      cluster=ClusterOptions(address, ship=True))
    by = {r.applicant: r for r in got.rows}
    assert by["B"].exit_code == 3 and by["B"].unreadable == 1 and "工作进程多次退出" in by["B"].problem
    assert by["A"].exit_code != 3 and by["A"].pages_ocr == 1
    assert got.exit_code == 3
    report = json.loads((tmp_path / "out" / "B.json").read_text("utf-8"))
    assert [(f["code"], f["path"]) for f in report["findings"] if "工作进程多次退出" in f["message"]] == [
        ("GEN001", "03-职称/资格证书.jpg")]


def test_ship_needs_a_scheduler_and_default_batch_needs_no_dask(tmp_path: Path) -> None:
    import subprocess
    import sys
    from typer.testing import CliRunner
    from zjcheck.cli import app
    (tmp_path / "root" / "A").mkdir(parents=True)
    res = CliRunner().invoke(app, ["batch", str(tmp_path / "root"), "--ship"])
    assert res.exit_code == 2 and "--scheduler" in res.output
    # the embedded path never imports Dask (it stays offline: no scheduler, no sockets)
    code = ("import sys; from zjcheck import batch, cli, ledger; "
            "assert not any(m == 'distributed' or m.startswith(('distributed.', 'dask')) for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
