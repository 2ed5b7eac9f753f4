"""`zjcheck batch ROOT`: every sub-folder or zip directly under ROOT is one
applicant.  Applicants are checked one after another with one shared pool of
OCR worker processes (started once, and only when some page is not in the
page cache); one broken package never stops the batch: it gets its row with
what went wrong.

Outputs (``--out DIR``, never inside the evidence): per applicant
``<applicant>.json`` and ``<applicant>.html``, plus ``summary.csv``,
``summary.xlsx`` and ``summary.json`` (schema zjcheck-batch/1: totals and one
object per applicant with the fields of `Row`).

Exit code of the batch: 3 when some applicant (or some file of one) could not
be checked; otherwise 1 when any applicant has errors; otherwise 0.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zjcheck.errors import ExitCode, UsageError
from zjcheck.escape import readable, terminal
from zjcheck.pipeline import Options, Result
from zjcheck.walk import LITTER_DIRS, LITTER_NAMES

VERDICT_OK = "通过"
VERDICT_WARN = "通过（有警告）"
VERDICT_ERRORS = "有缺漏"
VERDICT_PARTIAL = "部分文件无法检查"
VERDICT_FAILED = "无法检查"
UNREADABLE_CODES = ("GEN001", "GEN002", "GEN003", "GEN011")


@dataclass(frozen=True)
class Applicant:
    key: str          # folder or zip name under ROOT: the applicant's id in the batch
    path: Path
    slug: str         # safe, unique file-name stem for the reports


@dataclass
class Row:
    """One applicant's line of the summary."""

    applicant: str
    path: str
    name: str | None = None
    verdict: str = VERDICT_FAILED
    exit_code: int = ExitCode.unchecked
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    claimed: float | None = None      # sum of the 自评分 claimed (None: no score sheet read)
    supported: float | None = None    # of those, the points whose item has verified evidence and no error
    files: int = 0
    pages: int = 0
    pages_ocr: int = 0
    pages_cached: int = 0
    unreadable: int = 0
    problem: str = ""
    seconds: float = 0.0
    report: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchResult:
    root: str
    rows: list[Row] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)   # flat, for the XLSX sheet 2
    ignored: list[str] = field(default_factory=list)              # entries under ROOT that are no applicant
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return int(ExitCode.worst({r.exit_code for r in self.rows}))

    def totals(self) -> dict[str, Any]:
        pages = sum(r.pages for r in self.rows)
        n = len(self.rows)
        return {
            "applicants": n,
            "verdicts": dict(Counter(r.verdict for r in self.rows)),
            "pages": pages,
            "pages_ocr": sum(r.pages_ocr for r in self.rows),
            "pages_cached": sum(r.pages_cached for r in self.rows),
            "seconds": round(self.seconds, 2),
            "seconds_per_applicant": round(self.seconds / n, 2) if n else None,
            "seconds_per_page": round(self.seconds / pages, 3) if pages else None,
        }


class Progress:
    """Callbacks for a progress display; the default does nothing."""

    def start(self, applicants: list[Applicant]) -> None: ...
    def applicant(self, a: Applicant) -> None: ...
    def pages(self, done: int, total: int) -> None: ...
    def done(self, a: Applicant, row: Row) -> None: ...


# ---------------------------------------------------------------- discovery

def _slug(name: str) -> str:
    s = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', "_", name).strip(" .") or "applicant"
    return s[:100]


def _is_zip(p: Path) -> bool:
    if p.suffix.lower() == ".zip":
        return True
    try:
        return zipfile.is_zipfile(p)
    except OSError:
        return False


def discover(root: Path) -> tuple[list[Applicant], list[str]]:
    """(applicants, ignored entry names) directly under ROOT, sorted by name."""
    if not root.is_dir():
        raise UsageError(f"{root} 不是文件夹：batch 需要一个文件夹，其中每个子文件夹或 zip 是一位申报人的材料")
    found: list[tuple[str, Path]] = []
    ignored: list[str] = []
    for p in sorted(root.iterdir(), key=lambda x: x.name):
        low = p.name.lower()
        if p.name.startswith(".") or low in LITTER_NAMES or low in LITTER_DIRS or p.name.startswith("~$"):
            continue
        if p.is_dir() or (p.is_file() and _is_zip(p)):
            found.append((p.name, p))
        else:
            ignored.append(readable(p.name))
    seen: dict[str, int] = {}
    apps = []
    for name, p in found:
        base = _slug(p.stem if p.is_file() else name)
        n = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = n
        apps.append(Applicant(readable(name), p, base if n == 1 else f"{base}-{n}"))
    return apps, ignored


def check_out_dir(out: Path, root: Path, applicants: list[Applicant]) -> None:
    """Refuse an output folder inside the evidence (ROOT or any applicant), or
    one that is a file or cannot be made (before any applicant is checked)."""
    try:
        target = out.resolve()
    except (OSError, RuntimeError):
        raise UsageError(f"输出目录 {out} 无法使用") from None
    if target.exists() and not target.is_dir():
        raise UsageError(f"输出目录 {out} 已存在且不是文件夹：请换一个输出目录")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"输出目录 {out} 无法创建：{parent} 不是文件夹")
            break
    for ev in [root, *(a.path for a in applicants)]:
        try:
            evr = ev.resolve()
        except OSError:
            continue
        if target.is_relative_to(evr):
            raise UsageError(f"输出目录 {out} 位于材料目录 {ev} 之内：zjcheck 不向材料目录写入任何文件，请换一个输出目录")


# ---------------------------------------------------------------- rows

def points(result: Result) -> tuple[float | None, float | None]:
    """(claimed, supported) points from the gap rows.  `claimed` stays None
    when no 自评分 was read; a row's claim counts as supported when the row
    has verified evidence and no error (or the gap row says so itself)."""
    claimed = supported = 0.0
    any_claim = False
    for g in result.gap:
        if g.claimed is None:
            continue
        any_claim = True
        claimed += g.claimed
        own = getattr(g, "supported", None)
        if isinstance(own, (int, float)):
            supported += own
        elif g.verified > 0 and not any(not m.startswith("（") for m in g.missing):
            supported += g.claimed
    return (round(claimed, 2), round(supported, 2)) if any_claim else (None, None)


def _problem(result: Result) -> str:
    fs = result.findings
    if result.unreadable:
        bad = [f for f in fs if f.code in UNREADABLE_CODES and f.severity == "error"]
        text = "；".join(f"{f.path or ''}：{f.message}" for f in bad[:3])
        return f"{result.unreadable} 个文件无法检查：{text}" + ("等" if len(bad) > 3 else "")
    from zjcheck.codes import all_codes
    errs = Counter(f.code for f in fs if f.severity == "error")
    titles = all_codes()
    listed = "；".join(f"{titles[c].title}（{c}{'×' + str(n) if n > 1 else ''}）" for c, n in errs.most_common(3))
    if len(errs) > 3:
        listed += f"；另有 {len(errs) - 3} 类问题"
    if result.unchecked:
        return "；".join(filter(None, [f"{'、'.join(result.unchecked)} 检查出错（GEN011）", listed]))
    return listed


def row_for(a: Applicant, result: Result, seconds: float) -> Row:
    c = result.counts()
    claimed, supported = points(result)
    code = result.exit_code
    nothing_read = not any(d.readable for d in result.documents)
    verdict = (VERDICT_FAILED if code == ExitCode.unchecked and nothing_read
               else VERDICT_PARTIAL if code == ExitCode.unchecked
               else VERDICT_ERRORS if c["error"]
               else VERDICT_WARN if c["warning"] else VERDICT_OK)
    s = result.stats
    return Row(a.key, str(a.path), result.profile.name, verdict, code, c["error"], c["warning"], c["info"],
               claimed, supported, s.get("files", 0), s.get("pages", 0), s.get("pages_ocr", 0),
               s.get("pages_cached", 0), result.unreadable, _problem(result), round(seconds, 2))


def failed_row(a: Applicant, exc: BaseException, seconds: float) -> Row:
    msg = str(exc) if isinstance(exc, UsageError) else f"{type(exc).__name__}: {exc}"
    return Row(a.key, str(a.path), problem=f"无法检查：{msg}"[:300], seconds=round(seconds, 2))


def finding_rows(a: Applicant, result: Result) -> list[dict[str, Any]]:
    from zjcheck.report.export import SEVERITY_LABEL
    names = {ci.id: ci.name for ci in result.catalogue.items}
    return [{"applicant": a.key, "code": f.code, "severity": SEVERITY_LABEL.get(f.severity, f.severity),
             "item": names.get(f.item or "", f.item), "material": f.material, "evidence": f.evidence,
             "path": f.path, "page": f.page, "message": f.message, "fix": f.fix} for f in result.findings]


# ---------------------------------------------------------------- run

def _write_reports(a: Applicant, result: Result, out: Path) -> str:
    from zjcheck.report import html as html_report, json as json_report
    (out / f"{a.slug}.json").write_text(json_report.render(result) + "\n", encoding="utf-8", errors="backslashreplace")
    name = f"{a.slug}.html"
    (out / name).write_text(html_report.render(result), encoding="utf-8", errors="backslashreplace")
    return readable(name)


def run_batch(root: Path, opts: Options, out: Path | None = None, progress: Progress | None = None,
              runner: Callable[..., Result] | None = None) -> BatchResult:
    """Check every applicant under ROOT; write reports and exports to OUT."""
    from zjcheck.pipeline import run
    from zjcheck.read import ReadSettings, shared_pool
    runner = runner or run
    progress = progress or Progress()
    t0 = time.monotonic()
    apps, ignored = discover(root)
    if not apps:
        raise UsageError(f"{root} 下没有申报人：batch 需要其中每个子文件夹或 zip 是一位申报人的材料")
    if out is not None:
        check_out_dir(out, root, apps)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(f"输出目录 {out} 无法创建：{e.strerror or e}") from None
    br = BatchResult(str(root), ignored=ignored)
    progress.start(apps)
    jobs = opts.jobs or ReadSettings().jobs
    with shared_pool(jobs) as pool:
        for a in apps:
            progress.applicant(a)
            t = time.monotonic()
            try:
                result = runner(a.path, opts, progress.pages, pool=pool)
            except Exception as e:  # noqa: BLE001 - one broken package must not stop the batch
                from concurrent.futures.process import BrokenProcessPool
                if isinstance(e, BrokenProcessPool) and pool is not None:
                    pool.reset()
                row = failed_row(a, e, time.monotonic() - t)
            else:
                row = row_for(a, result, time.monotonic() - t)
                br.findings.extend(finding_rows(a, result))
                if out is not None:
                    try:
                        row.report = _write_reports(a, result, out)
                    except Exception as e:  # noqa: BLE001 - a report that cannot be written is the row's problem
                        row.problem = (row.problem + "；" if row.problem else "") + f"报告无法写入：{type(e).__name__}: {e}"
                row.seconds = round(time.monotonic() - t, 2)
                del result
            br.rows.append(row)
            progress.done(a, row)
    br.seconds = time.monotonic() - t0
    if out is not None:
        write_exports(br, out)
    return br


def write_exports(br: BatchResult, out: Path) -> None:
    from zjcheck.report.export import write_csv, write_xlsx
    import json
    rows = [r.to_json() for r in br.rows]
    from zjcheck.escape import json_safe
    (out / "summary.json").write_text(json.dumps(json_safe(
        {"schema": "zjcheck-batch/1", "root": br.root, "exit_code": br.exit_code, "totals": br.totals(),
         "ignored": br.ignored, "applicants": rows}), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8", errors="backslashreplace")
    write_csv(rows, out / "summary.csv")
    write_xlsx(rows, br.findings, out / "summary.xlsx")


# ---------------------------------------------------------------- terminal

class BarProgress(Progress):
    """A rich progress bar: applicants and pages done, ETA (on stderr)."""

    def __init__(self, console: Any, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self.bar: Any = None
        self.pages_before = 0      # pages of the applicants already done
        self.current_total = 0

    def __enter__(self) -> BarProgress:
        if self.enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)
            self.bar = RichProgress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                                    MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("剩余"),
                                    TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def start(self, applicants: list[Applicant]) -> None:
        if self.bar is not None:
            self.t_apps = self.bar.add_task("申报人", total=len(applicants))
            self.t_pages = self.bar.add_task("OCR 页面", total=0)

    def applicant(self, a: Applicant) -> None:
        if self.bar is not None:
            from zjcheck.escape import markup
            self.bar.update(self.t_apps, description=f"申报人 {markup(a.key[:24])}")
            self.current_total = 0

    def pages(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.current_total = total
            self.bar.update(self.t_pages, completed=self.pages_before + done, total=self.pages_before + total)

    def done(self, a: Applicant, row: Row) -> None:
        if self.bar is not None:
            self.pages_before += self.current_total
            self.bar.update(self.t_pages, completed=self.pages_before, total=self.pages_before)
            self.bar.advance(self.t_apps)


VERDICT_STYLE = {VERDICT_OK: "green", VERDICT_WARN: "yellow", VERDICT_ERRORS: "red",
                 VERDICT_PARTIAL: "magenta", VERDICT_FAILED: "bold magenta"}


def _pts(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def summary_lines(br: BatchResult, width: int) -> list[tuple[str, str | None]]:
    """The summary table laid out for `width` cells (80 first): one row per
    applicant, cells wrapped inside their columns; pages and seconds only
    where there is room."""
    from zjcheck.report.layout import pad, wrap
    from rich.cells import cell_len
    wide = width >= 110
    name_w = max(8, min(24, max((cell_len(terminal(r.applicant)) for r in br.rows), default=8)))
    cols: list[tuple[str, int, bool]] = [("申报人", name_w, False), ("错误", 4, True),
                                         ("警告", 4, True), ("自评/佐证", 9, True), ("结论", 10, False)]
    if wide:
        cols += [("页/OCR", 9, True), ("秒", 6, True)]
    used = sum(w for _, w, _ in cols) + len(cols)
    cols.append(("主要问题", max(16, width - used), False))
    out: list[tuple[str, str | None]] = [(terminal(f"批量检查汇总：{br.root}", keep_newlines=False), "bold")]
    out.append((" ".join(pad(h, w, right) for h, w, right in cols).rstrip(), "bold"))
    out.append(("─" * width, "dim"))
    for r in br.rows:
        name = terminal(r.applicant, keep_newlines=False)
        values = [name, str(r.errors), str(r.warnings), f"{_pts(r.claimed)}/{_pts(r.supported)}", r.verdict]
        if wide:
            values += [f"{r.pages}/{r.pages_ocr}", f"{r.seconds:.1f}"]
        values.append(terminal(r.problem, keep_newlines=False) or "—")
        cells = [wrap(v, w) for v, (_, w, _) in zip(values, cols)]
        if len(cells[0]) > 1:            # a name longer than its column: whole, on a line of its own
            out.append((name, "bold"))
            cells[0] = [""]
        for i in range(max(len(c) for c in cells)):
            line = " ".join(pad(c[i] if i < len(c) else "", w, right) for c, (_, w, right) in zip(cells, cols))
            out.append((line.rstrip(), VERDICT_STYLE.get(r.verdict) if i == 0 and r.verdict != VERDICT_OK else None))
    return out


def render_summary(br: BatchResult, console: Any, quiet: bool = False, out: Path | None = None) -> None:
    from rich.text import Text

    from zjcheck.report.layout import wrap
    tot = br.totals()
    width = max(60, min(160, console.width))
    if not quiet:
        for line, style in summary_lines(br, width):
            console.print(Text(terminal(line), style=style or ""), soft_wrap=True, highlight=False)
        notes = []
        if br.ignored:
            notes.append(f"已忽略 {br.root} 下不是文件夹或 zip 的 {len(br.ignored)} 项：{'、'.join(br.ignored[:5])}"
                         + ("等" if len(br.ignored) > 5 else ""))
        if out is not None:
            notes.append(f"报告已写入 {out}（每人 JSON + HTML，summary.csv、summary.xlsx、summary.json）")
        for note in notes:
            for ln in wrap(terminal(note, keep_newlines=False), width):
                console.print(Text(ln, style="dim"), soft_wrap=True, highlight=False)
    v = tot["verdicts"]
    per = (f"平均每人 {tot['seconds_per_applicant']:.1f} 秒" if tot["seconds_per_applicant"] is not None else "")
    if tot["seconds_per_page"] is not None:
        per += f"、每页 {tot['seconds_per_page']:.2f} 秒"
    line = (f"共 {tot['applicants']} 人：" + "，".join(f"{k} {n}" for k, n in v.items())
            + f"。读取 {tot['pages']} 页，本次 OCR {tot['pages_ocr']} 页（缓存 {tot['pages_cached']} 页）；"
            f"用时 {tot['seconds']:.1f} 秒（{per}）。")
    style = ("bold magenta" if br.exit_code == ExitCode.unchecked else "bold red" if br.exit_code == ExitCode.errors
             else "bold green")
    for ln in wrap(line, width):
        console.print(Text(ln, style=style), soft_wrap=True, highlight=False)
