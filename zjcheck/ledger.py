"""The batch ledger (issue 20): `--out DIR` of `zjcheck batch` is where a
batch remembers what it has done, so that a re-run, or a run that was
interrupted (Ctrl-C, a killed client), checks only what is not done yet.

Each applicant's `<slug>.json` carries a `ledger` block: the fingerprint of
the applicant's inputs, the summary row and the flat finding rows.  A re-run
skips an applicant whose report holds the same fingerprint and takes its row
from the ledger; the summary files are always rebuilt from the ledger, so a
resumed run's summary equals that of one uninterrupted run.

The fingerprint covers what decides the result: every file's path, size and
SHA-256 (as the walker sees them; for a zip, its members), what the walker
found (unreadable members, the zjcheck.toml text), the catalogue, the
profile (--profile file and CLI fields), zjcheck's version, the installed
checkers and the OCR engine with its settings and the page-cache schema.
Not the folder's name or location, not file times, not the number of jobs
or workers, not whether the cache is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

LEDGER_SCHEMA = 2       # 2: the applicant's print for the checks across applicants (zjcheck.crossapp)


@lru_cache(maxsize=8)
def _engine_key(engine: str, dpi: int) -> str:
    from zjcheck.ocr import get_engine, resolve
    name = resolve(engine)
    try:
        settings = get_engine(name).settings_key()
    except Exception:  # noqa: BLE001 - an engine that cannot load: its name still counts
        settings = "?"
    return f"{name}|{dpi}|{settings}"


@lru_cache(maxsize=8)
def _catalogue_key(name: str | None) -> str:
    """The catalogue's content: a built-in name or a file (its bytes)."""
    from zjcheck import catalogue as catalogue_mod
    try:
        cat = catalogue_mod.load(name)
    except Exception as e:  # noqa: BLE001 - the run reports it; the fingerprint only needs to differ
        return f"error:{type(e).__name__}:{e}"
    import dataclasses
    content = dataclasses.asdict(cat)
    content.pop("source", None)             # where the file lies is no content
    content.pop("by_material", None)        # derived from the items
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)


@lru_cache(maxsize=8)
def _plugins_key() -> str:
    from zjcheck.plugins import load_plugins
    try:
        plugins, problems = load_plugins()
    except Exception as e:  # noqa: BLE001
        return f"error:{e}"
    return json.dumps([sorted(pl.material for pl in plugins), sorted(problems)], ensure_ascii=False)


def inputs_of(walked: Any, opts: Any) -> dict[str, Any]:
    """What the fingerprint is made of, readable (a `Walked` and batch Options)."""
    from zjcheck import __version__
    from zjcheck.cache import SCHEMA
    profile_file = None
    if opts.profile_file is not None:
        try:
            profile_file = hashlib.sha256(Path(opts.profile_file).read_bytes()).hexdigest()
        except OSError as e:
            profile_file = f"unreadable:{e.strerror}"
    return {
        "files": sorted((f.rel, f.size, f.sha256, f.kind) for f in walked.files),
        "walk": sorted((f.code, f.path or "", f.message) for f in walked.findings),
        "profile_text": walked.profile_text,
        "profile_file": profile_file,
        "profile": sorted((str(k), repr(v)) for k, v in (opts.profile or {}).items()),
        "catalogue": _catalogue_key(opts.catalogue),
        "zjcheck": __version__,
        "checkers": _plugins_key(),
        "engine": _engine_key(opts.engine, opts.dpi),
        "cache_schema": SCHEMA,
    }


def fingerprint_of(inputs: dict[str, Any]) -> str:
    blob = json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(path: Path, opts: Any, walked: Any = None) -> str | None:
    """The fingerprint of one applicant's inputs; None when the package cannot
    even be walked (it is then always checked again)."""
    if walked is None:
        from zjcheck.walk import walk
        try:
            walked = walk(path)
        except Exception:  # noqa: BLE001 - the check itself reports it
            return None
    return fingerprint_of(inputs_of(walked, opts))


def entry(out: Path, slug: str) -> dict[str, Any] | None:
    """The ledger block of `<slug>.json` in OUT, or None (no report, damaged, other schema)."""
    try:
        data = json.loads((out / f"{slug}.json").read_text("utf-8"))
        block = data["ledger"]
        if block.get("schema") != LEDGER_SCHEMA or not isinstance(block.get("row"), dict):
            return None
        return block
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def lookup(out: Path | None, slug: str, key: str, fp: str | None) -> dict[str, Any] | None:
    """The ledger block of an applicant already checked with the same inputs."""
    if out is None or fp is None:
        return None
    block = entry(out, slug)
    if block is None or block.get("fingerprint") != fp or block.get("applicant") != key:
        return None
    report = block["row"].get("report")
    if report and not (out / str(report)).is_file():
        return None                 # its HTML report was removed: write it again
    return block


def block(key: str, fp: str | None, row: dict[str, Any], findings: list[dict[str, Any]],
          cross: dict[str, Any] | None = None) -> dict[str, Any]:
    """`cross`: the applicant's print for the checks across applicants (crossapp.print_to_json)."""
    return {"schema": LEDGER_SCHEMA, "applicant": key, "fingerprint": fp, "row": row, "findings": findings,
            "cross": cross}


def with_ledger(report_json: str, ledger_block: dict[str, Any]) -> str:
    """A package's JSON report with the ledger block added."""
    from zjcheck.escape import json_safe
    data = json.loads(report_json)
    data["ledger"] = ledger_block
    return json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a run killed while writing leaves the old one or
    the new one, never half of one (a half-written report is no ledger entry)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".zjcheck-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
