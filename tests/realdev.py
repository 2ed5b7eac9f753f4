"""Real public documents (tests/realdev/, a copy of the team's shared
development set with its MANIFEST.tsv): run zjcheck on one of them as a
package of its own and compare what it read with what a person read.

    report = check_real("patent_utility_ZL201620045293_scan_color.jpg")
    row = manifest_row(name)          # the MANIFEST.tsv row: what_it_is, material, facts

Each file is checked once per test session (the page cache of conftest).
Tests per material live in tests/test_realdev_<group>.py.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

REALDEV = Path(__file__).resolve().parent / "realdev"


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict[str, str]]:
    with open(REALDEV / "MANIFEST.tsv", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def manifest_row(name: str) -> dict[str, str]:
    return manifest()[name]


_REPORTS: dict[tuple[str, str, str], dict[str, Any]] = {}


def check_real(name: str, applicant: str = "申报人", folder: str = "") -> dict[str, Any]:
    """The JSON report of a package holding only this real document (under
    `folder` when given, as an applicant would file it)."""
    from zjcheck.pipeline import Options, run
    from zjcheck.report.json import to_dict
    key = (name, folder, applicant)
    if key not in _REPORTS:
        tmp = Path(tempfile.mkdtemp(prefix="zjcheck-realdev-"))
        try:
            dest = tmp / folder / name if folder else tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REALDEV / name, dest)
            engine = os.environ.get("ZJCHECK_OCR", "auto")
            result = run(tmp, Options(profile={"name": applicant}, jobs=os.cpu_count() or 2, engine=engine))
            report = to_dict(result)
            report["_items"] = result.items          # the Item objects, for facts with provenance
            _REPORTS[key] = report
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return _REPORTS[key]


def items_of(report: dict[str, Any], material: str) -> list[dict[str, Any]]:
    return [it for it in report["items"] if it["material"] == material]
