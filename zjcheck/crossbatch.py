"""The batch's side of the checks across applicants (issue 19): how
`zjcheck batch` feeds them and shows them, kept out of batch.py so that the
batch's scheduling can change without touching them.

The seam is two calls: `take` when an applicant's run ends, wherever it
runs (the embedded pool or a Dask worker: `batch.outcome`), reduces the
result to a small `crossapp.ApplicantPrint` that travels with the outcome
and is kept in the ledger (so a resumed batch compares every applicant);
`finish` once every applicant is done compares the prints and adds the
findings to the rows, reports and exports of the applicants they concern.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zjcheck import crossapp
from zjcheck.errors import ExitCode
from zjcheck.escape import terminal

if TYPE_CHECKING:
    from zjcheck.batch import Applicant, BatchResult, Outcome, Row
    from zjcheck.pipeline import Options, Result


def _problem(row: Row, text: str) -> None:
    row.problem = (row.problem + "；" if row.problem else "") + text


def take(a: Applicant, result: Result, row: Row) -> crossapp.ApplicantPrint | None:
    """What the cross checks need of one applicant's run (None, said in the row, when it cannot be made)."""
    try:
        return crossapp.fingerprint(a.key, result)
    except Exception as e:  # noqa: BLE001 - the cross check loses one applicant, the batch goes on
        _problem(row, f"跨申报人检查未包含该申报人：{type(e).__name__}: {e}")
        return None


def finish(br: BatchResult, outcomes: list[Outcome], apps: list[Applicant], opts: Options,
           runner: Callable[..., Result], out: Path | None) -> None:
    """Compare the prints; add the findings to the applicants they concern:
    their runs are repeated here from the page cache (on a cluster too: the
    client wrote the cache), the findings attached, the reports and their
    ledger written again.  Where a run cannot be repeated, the row's counts
    and verdict still take the findings."""
    from zjcheck import batch, ledger
    from zjcheck.read import ReadSettings, shared_pool
    br.cross = crossapp.cross_check([oc.cross for oc in outcomes if oc.cross is not None])
    concerned = {k for c in br.cross for k in (c.a.applicant, c.b.applicant)}
    if not concerned:
        return
    by_key = {a.key: a for a in apps}
    with shared_pool(opts.jobs or ReadSettings().jobs) as pool:
        for n, row in enumerate(br.rows):
            a = by_key.get(row.applicant)
            if a is None or a.key not in concerned:
                continue
            t = time.monotonic()
            try:
                result = runner(a.path, opts, lambda done, total: None, pool=pool)
            except Exception:  # noqa: BLE001 - the row keeps its report; its counts take the findings below
                result = None
            if result is not None:
                crossapp.attach(result, a.key, br.cross)
                oc = batch.outcome(a, result, row.seconds + time.monotonic() - t)
                oc.row.seconds = row.seconds
                batch._store(a, oc, out, ledger.fingerprint(a.path, opts))
                br.rows[n] = oc.row
                br.findings[:] = [f for f in br.findings if f.get("applicant") != a.key] + oc.findings
                continue
            from zjcheck.report.export import SEVERITY_LABEL
            mine = [c.for_applicant(a.key) for c in br.cross if c.concerns(a.key)]
            listed = {(f.get("applicant"), f.get("code"), f.get("message")) for f in br.findings}
            mine = [f for f in mine if (a.key, f.code, f.message) not in listed]   # kept from an earlier run
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
