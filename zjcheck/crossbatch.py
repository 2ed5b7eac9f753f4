"""The batch's side of the checks across applicants (issue 19): how
`zjcheck batch` feeds them and shows them, kept out of batch.py so that the
batch's scheduling can change without touching them.

The seam is two calls: `take` after each applicant's run (its result reduced
to a small `crossapp.ApplicantPrint`, which can travel from a worker or be
kept with a resumable ledger) and `finish` once every applicant is checked
(the prints compared; the findings added to the rows, reports and exports
of the applicants they concern).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zjcheck import crossapp
from zjcheck.errors import ExitCode
from zjcheck.escape import terminal
from zjcheck.model import Finding

if TYPE_CHECKING:
    from zjcheck.batch import Applicant, BatchResult, Row
    from zjcheck.pipeline import Options, Result


def _problem(row: Row, text: str) -> None:
    row.problem = (row.problem + "；" if row.problem else "") + text


def take(prints: list[crossapp.ApplicantPrint], a: Applicant, result: Result, row: Row) -> None:
    """Keep what the cross checks need of one applicant's run."""
    try:
        prints.append(crossapp.fingerprint(a.key, result))
    except Exception as e:  # noqa: BLE001 - the cross check loses one applicant, the batch goes on
        _problem(row, f"跨申报人检查未包含该申报人：{type(e).__name__}: {e}")


def finish(br: BatchResult, prints: list[crossapp.ApplicantPrint], apps: list[Applicant], opts: Options,
           runner: Callable[..., Result], pool: Any, out: Path | None) -> None:
    """Compare the prints; add the findings to the applicants they concern:
    their runs are repeated (from the page cache), the findings attached, the
    reports written again.  Where a run cannot be repeated, the row's counts
    and verdict still take the findings."""
    from zjcheck import batch
    from zjcheck.report.export import SEVERITY_LABEL
    br.cross = crossapp.cross_check(prints)
    concerned = {k for c in br.cross for k in (c.a.applicant, c.b.applicant)}
    by_key = {a.key: a for a in apps}
    for n, row in enumerate(br.rows):
        a = by_key.get(row.applicant)
        if a is None or a.key not in concerned:
            continue
        mine: list[Finding] = []
        try:
            result = runner(a.path, opts, lambda done, total: None, pool=pool)
        except Exception:  # noqa: BLE001 - the row keeps its report; its counts take the findings below
            result = None
        if result is not None:
            mine = crossapp.attach(result, a.key, br.cross)
            new = batch.row_for(a, result, row.seconds)
            new.report = row.report
            if out is not None:
                try:
                    new.report = batch._write_reports(a, result, out)
                except Exception as e:  # noqa: BLE001
                    _problem(new, f"报告无法写入：{type(e).__name__}: {e}")
            br.rows[n] = new
        else:
            mine = [c.for_applicant(a.key) for c in br.cross if c.concerns(a.key)]
            row.errors += sum(f.severity == "error" for f in mine)
            row.warnings += sum(f.severity == "warning" for f in mine)
            row.infos += sum(f.severity == "info" for f in mine)
            if row.exit_code == ExitCode.ok and row.errors:
                row.exit_code, row.verdict = int(ExitCode.errors), batch.VERDICT_ERRORS
            elif row.verdict == batch.VERDICT_OK and row.warnings:
                row.verdict = batch.VERDICT_WARN
        br.findings.extend({"applicant": a.key, "code": f.code, "severity": SEVERITY_LABEL.get(f.severity, f.severity),
                            "item": f.item, "material": f.material, "evidence": f.evidence, "path": f.path,
                            "page": f.page, "message": f.message, "fix": f.fix} for f in mine)


def rows(br: BatchResult) -> list[dict[str, Any]]:
    """One export row per cross finding (cross.csv, sheet 3 "跨申报人")."""
    from zjcheck.report.export import SEVERITY_LABEL
    return [{**c.to_row(), "severity": SEVERITY_LABEL.get(c.severity, c.severity)} for c in br.cross]


def write(br: BatchResult, out: Path) -> list[dict[str, Any]]:
    """cross.csv; returns the rows for summary.xlsx's third sheet."""
    from zjcheck.report.export import CROSS_COLUMNS, write_csv
    found = rows(br)
    write_csv(found, out / "cross.csv", CROSS_COLUMNS)
    return found


def lines(br: BatchResult, width: int) -> list[tuple[str, str | None]]:
    """The cross findings under the summary table: code, severity, both
    applicants, then the message (which names both paths), wrapped."""
    from zjcheck.report.export import SEVERITY_LABEL
    from zjcheck.report.layout import wrap
    if not br.cross:
        return []
    out: list[tuple[str, str | None]] = [("", None), (f"跨申报人检查：{len(br.cross)} 项", "bold")]
    style = {"error": "red", "warning": "yellow"}
    for c in br.cross:
        head = (f"{c.code} {SEVERITY_LABEL.get(c.severity, c.severity)}  {terminal(c.a.applicant, keep_newlines=False)}"
                f" ↔ {terminal(c.b.applicant, keep_newlines=False)}")
        out.extend((ln, style.get(c.severity)) for ln in wrap(head, width))
        out.extend((ln, None) for ln in wrap("  " + terminal(c.message, keep_newlines=False), width))
    return out
