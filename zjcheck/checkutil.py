"""Small rules several checkers share, so that every checker words them alike."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from zjcheck.codes import finding
from zjcheck.model import Finding, Page
from zjcheck.plugins import Context


def window_finding(code: str, label: str, what: str, d: date | str | None, ctx: Context, *, at: Page,
                   evidence: str, material: str, **data: Any) -> Finding | None:
    """The finding for an achievement dated `d` (授权公告日, 发布日期 …) that is
    after the cutoff, or neither 任现职后 nor 近五年 (notice 附件2 item 7);
    "could not verify" (GEN012) when the date was not read; None when it counts."""
    if not d:
        return finding("GEN012", f"{label}：{what}未能识别，无法确认是否在截止日前、任现职后或近五年内",
                       material=material, evidence=evidence, at=at, severity="info")
    if isinstance(d, str):
        d = date.fromisoformat(d)
    cat = ctx.catalogue
    day = d.isoformat()
    if d > cat.cutoff:
        return finding(code, f"{label}：{what} {day} 晚于材料截止日 {cat.cutoff.isoformat()}，不能作为本次申报业绩",
                       evidence=evidence, at=at, **data)
    if not cat.in_window(d, ctx.profile.title_date):
        td = ctx.profile.title_date.isoformat() if ctx.profile.title_date else "未知"
        return finding(code, f"{label}：{what} {day} 早于近五年起点 {cat.window_start.isoformat()}，"
                             f"也早于任现职时间（{td}）", evidence=evidence, at=at, **data)
    return None


@lru_cache(maxsize=None)
def _data_file(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath(f"data/{name}.toml").read_text("utf-8"))


def data_table(name: str, section: str | None = None) -> dict[str, Any]:
    """A checker's keyword/pattern table: zjcheck/data/<name>.toml, or one section of it."""
    data = _data_file(name)
    return data[section] if section else data
