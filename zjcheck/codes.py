"""The registry of finding codes (data/codes.toml) and the one way to make a finding."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zjcheck.model import Finding, Page, Severity

if TYPE_CHECKING:
    from zjcheck.evidence import Fact


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    material: str
    title: str
    fix: str


@lru_cache(maxsize=1)
def all_codes() -> dict[str, Code]:
    """zjcheck/data/codes.toml, and the codes installed plugins ship (plugins.DATA)."""
    from zjcheck.plugins import plugin_tables
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/codes.toml").read_text("utf-8"))
    for k, v in plugin_tables()["codes"].items():
        raw.setdefault(k, v)
    return {k: Code(k, v["severity"], v["material"], v["title"], v["fix"]) for k, v in raw.items()}


def finding(code: str, message: str | None = None, *, material: str | None = None,
            path: str | None = None, page: int | None = None, evidence: str | None = None,
            severity: Severity | None = None, fix: str | None = None,
            at: Page | None = None, needs: Mapping[str, Fact | None] | None = None, **data: Any) -> Finding:
    """A finding for a registered code; `at` fills path and page from a page.

    `needs` names the facts an error (or warning) rests on ({"发明人": fact,
    ...}).  When one of them is missing or weak (zjcheck.evidence.strong), the
    finding is not made: the result is GEN012 ("无法确认 …"), saying what could not be read
    and what the error would have been (data `would_be`).  One rule for every
    checker (SPEC §7)."""
    c = all_codes()[code]
    if at is not None:
        path = at.doc.rel
        page = at.number
    sev = severity or c.severity
    if needs and "box" not in data:
        # where on the page the finding is about: the first needed fact read
        # with a box on this page (the HTML report shows a crop around it)
        box = next((f.box for f in needs.values() if f is not None and f.box and f.path == path
                    and (page is None or f.page == page)), None)
        if box:
            data = {**data, "box": list(box)}
    if needs and sev in ("error", "warning"):
        from zjcheck.evidence import unsure
        doubts = unsure(needs)
        if doubts:
            text = message or c.title
            return Finding(
                code="GEN012", severity="info", material=material or c.material,
                message=f"无法确认（{'；'.join(doubts)}）：{text}", path=path, page=page,
                evidence=evidence, fix=all_codes()["GEN012"].fix, data={**data, "would_be": code})
    return Finding(
        code=code, severity=sev,
        material=material or c.material, message=message or c.title,
        path=path, page=page, evidence=evidence, fix=fix or c.fix, data=data,
    )
