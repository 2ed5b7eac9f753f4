"""The registry of finding codes (data/codes.toml) and the one way to make a finding."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from zjcheck.model import Finding, Page, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    material: str
    title: str
    fix: str


@lru_cache(maxsize=1)
def all_codes() -> dict[str, Code]:
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/codes.toml").read_text("utf-8"))
    return {k: Code(k, v["severity"], v["material"], v["title"], v["fix"]) for k, v in raw.items()}


def finding(code: str, message: str | None = None, *, material: str | None = None,
            path: str | None = None, page: int | None = None, evidence: str | None = None,
            severity: Severity | None = None, fix: str | None = None,
            at: Page | None = None, **data: Any) -> Finding:
    """A finding for a registered code; `at` fills path and page from a page."""
    c = all_codes()[code]
    if at is not None:
        path = at.doc.rel
        page = at.number
    return Finding(
        code=code, severity=severity or c.severity,
        material=material or c.material, message=message or c.title,
        path=path, page=page, evidence=evidence, fix=fix or c.fix, data=data,
    )
