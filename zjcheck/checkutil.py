"""Small rules several checkers share, so that every checker words them alike."""

from __future__ import annotations

import tomllib
from calendar import monthrange
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any
from collections.abc import Callable

from zjcheck.codes import finding
from zjcheck.evidence import could_be_part, grouping_confident, page_fact, strong
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context


TITLE_UNKNOWN = "任现职时间未知（证书上的日期未能识别，申报人信息中也没有 title_date）"


def window_finding(code: str, label: str, what: str, d: date | str | int | None, ctx: Context, *, at: Page | None,
                   evidence: str, material: str, month_only: bool = False, **data: Any) -> Finding | None:
    """The finding for an achievement dated `d` (授权公告日, 发布日期 … or only a
    year) that is after the cutoff, or neither 任现职后 nor 近五年 (notice
    附件2 item 7); None when it counts.  "Could not verify" (GEN012) when the
    date was not read, or when it is before the 近五年 window and the current
    title's date is unknown (it may still be 任现职后)."""
    if not d:
        return finding("GEN012", f"{label}：{what}未能识别，无法确认是否在截止日前、任现职后或近五年内",
                       material=material, evidence=evidence, at=at, severity="info")
    if isinstance(d, str):
        d = date.fromisoformat(d)
    cat = ctx.catalogue
    title = ctx.profile.title_date
    if isinstance(d, int):          # a year only: judge it only where the whole year is on one side
        day = f"{d} 年"
        late = d > cat.cutoff.year
        early = d < cat.window_start.year and not (title and d >= title.year)
    else:
        day = f"{d.year} 年 {d.month} 月" if month_only else d.isoformat()
        first = d.replace(day=1) if month_only else d
        last = d.replace(day=monthrange(d.year, d.month)[1]) if month_only else d
        late = first > cat.cutoff
        early = not late and not cat.in_window(min(last, cat.cutoff), title)
    if late:
        return finding(code, f"{label}：{what} {day} 晚于材料截止日 {cat.cutoff.isoformat()}，不能作为本次申报业绩",
                       evidence=evidence, at=at, **data)
    if early and title is None:
        return finding("GEN012", f"{label}：{what} {day} 早于近五年起点 {cat.window_start.isoformat()}，"
                                 f"{TITLE_UNKNOWN}，无法确认是否为任现职后取得",
                       material=material, evidence=evidence, at=at, severity="info", would_be=code)
    if early:
        return finding(code, f"{label}：{what} {day} 早于近五年起点 {cat.window_start.isoformat()}，"
                             f"也早于任现职时间（{title.isoformat()}）", evidence=evidence, at=at, **data)
    return None


@lru_cache(maxsize=None)
def _data_file(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath(f"data/{name}.toml").read_text("utf-8"))


def data_table(name: str, section: str | None = None) -> dict[str, Any]:
    """A checker's keyword/pattern table: zjcheck/data/<name>.toml, or one section of it."""
    data = _data_file(name)
    return data[section] if section else data


def main_parts(item: Item) -> set[str]:
    """The parts the item's pages were recognised as first (not the also-parts)."""
    return {p.parts[0] for p in item.pages if p.parts}


def missing_part(material: str, item: Item, ctx: Context, code: str, part: str, what: str, label: str, *,
                 core_parts: frozenset[str], at: Page | None, belongs: Callable[[Item], bool] | None = None,
                 **data: Any) -> Finding | None:
    """The finding for a part an item lacks (SPEC §7: an error only on a confident
    grouping, with no page anywhere in the package that could be the part).

    None when an item of attachments only (a lookup filed beside the book's
    folder) holds the part and `belongs` to this item; GEN012 when this item is
    itself only attachments while other items exist (a stray part of one of
    them), when its grouping is not confident, when such an unplaced
    attachment could be the part, or when another page may be it
    (evidence.could_be_part); else the error `code`."""
    def core(it: Item) -> bool:
        return bool(main_parts(it) & core_parts)

    siblings = [o for o in ctx.items_of(material) if o is not item]
    holders = [o for o in siblings if not core(o) and part in o.parts()]
    if belongs is not None:
        if any(belongs(o) for o in holders):
            return None
        # one read surely that shows another title or number is not this item's part
        holders = [o for o in holders if not all(strong(page_fact(True, p)) for p in o.pages_with(part))]
    doubt = None
    if not core(item) and any(core(o) for o in siblings):
        doubt = "这些材料只有查询截图、证明等附件，可能属于另一项成果"
    elif not grouping_confident(item):
        doubt = "材料未能可靠归组"
    elif holders:
        doubt = f"{'、'.join(o.pages[0].ref for o in holders)} 单独存放，可能就是该部分"
    else:
        maybe = could_be_part(material, part, [pg for d in ctx.documents for pg in d.pages], item)
        if maybe:
            doubt = "；".join(maybe.reasons[:3])
    if doubt:
        return finding("GEN012", f"{label}：未识别出{what}（{doubt}），无法确认是否缺少", material=material,
                       evidence=item.id, at=at, severity="info", would_be=code, part=part)
    return finding(code, f"{label}：缺少{what}", evidence=item.id, at=at, part=part, **data)


def store_facts(item: Item, values: dict[str, Any]) -> None:
    """A checker's facts on the item as the engine stores them (pipeline.set_facts):
    plain values in item.facts, the Facts behind them in item.provenance.  For a
    `check` called on items whose facts were not computed yet."""
    from zjcheck.evidence import Fact
    item.facts, item.provenance = {}, {}
    for key, value in values.items():
        if isinstance(value, Fact):
            item.facts[key] = value.value.isoformat() if isinstance(value.value, date) else value.value
            item.provenance[key] = value
        else:
            item.facts[key] = value
