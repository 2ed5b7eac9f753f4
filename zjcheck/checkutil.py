"""Small rules several checkers share, so that every checker words them alike."""

from __future__ import annotations

import tomllib
from calendar import monthrange
from datetime import date
from functools import lru_cache
from importlib import resources
from collections.abc import Callable
from typing import Any

from zjcheck.codes import finding
from zjcheck.evidence import Fact, PartSearch, could_be_part, grouping_confident, page_fact, strong
from zjcheck.extract import name_in
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context


TITLE_UNKNOWN = "任现职时间未知（证书上的日期未能识别，申报人信息中也没有 title_date）"


def window_finding(code: str, label: str, what: str, d: date | str | int | Fact | None, ctx: Context, *,
                   at: Page | None, evidence: str, material: str, month_only: bool = False,
                   **data: Any) -> Finding | None:
    """The finding for an achievement dated `d` (授权公告日, 发布日期 … or only a
    year) that is after the cutoff, or neither 任现职后 nor 近五年 (notice
    附件2 item 7); None when it counts.  "Could not verify" (GEN012) when the
    date was not read, or when it is before the 近五年 window and the current
    title's date is unknown (it may still be 任现职后).  The error rests on
    the date (when given as a Fact) and, for "too early", on the current
    title's date as surely as it was read (given, or inferred off the
    certificate)."""
    needs: dict[str, Fact | None] = dict(data.pop("needs", None) or {})
    if isinstance(d, Fact):
        needs[what] = d
        d = d.value
    if not d:
        return finding("GEN012", f"{label}：{what}未能识别，无法确认是否在截止日前、任现职后或近五年内",
                       material=material, evidence=evidence, at=at, severity="info", would_be=code)
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
                       evidence=evidence, at=at, needs=needs or None, **data)
    if early and title is None:
        return finding("GEN012", f"{label}：{what} {day} 早于近五年起点 {cat.window_start.isoformat()}，"
                                 f"{TITLE_UNKNOWN}，无法确认是否为任现职后取得",
                       material=material, evidence=evidence, at=at, severity="info", would_be=code)
    if early:
        from zjcheck.profile import fact_of
        needs["任现职时间"] = fact_of(ctx.profile, "title_date")
        return finding(code, f"{label}：{what} {day} 早于近五年起点 {cat.window_start.isoformat()}，"
                             f"也早于任现职时间（{title.isoformat()}）", evidence=evidence, at=at, needs=needs, **data)
    return None


@lru_cache(maxsize=None)
def _data_file(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath(f"data/{name}.toml").read_text("utf-8"))


def data_table(name: str, section: str | None = None) -> dict[str, Any]:
    """A checker's keyword/pattern table: zjcheck/data/<name>.toml, or one section of it."""
    data = _data_file(name)
    return data[section] if section else data


def all_pages(ctx: Context) -> list[Page]:
    return [p for d in ctx.documents for p in d.pages]


def applicant_fact(ctx: Context) -> Fact | None:
    """The applicant's name as a fact an error may rest on ("证书上没有申报人").

    A name given in zjcheck.toml or on the command line is sure.  An inferred
    one (a vote over 姓名 fields, which one OCR misreading can swing) is only as
    sure as the documents that print it: sure when three documents or more
    carry it, weak otherwise."""
    name = ctx.profile.name
    if not name:
        return None
    if ctx.profile.sources.get("name") != "inferred":
        return Fact(name, "profile")
    voted = (getattr(ctx.profile, "facts", None) or {}).get("name")
    if isinstance(voted, Fact) and voted.value == name:
        return voted                # the vote's own fact (zjcheck.profile.infer_name), where it keeps one
    docs = sorted({p.doc.rel for p in all_pages(ctx) if name_in(name, p.text)})
    conf = 0.9 if len(docs) >= 3 else 0.6 if len(docs) == 2 else 0.3
    return Fact(name, "derived", conf, confirmed_by=tuple(docs[:5]))


def part_elsewhere(material: str, parts: tuple[str, ...] | list[str], ctx: Context,
                   item: Item | None = None) -> PartSearch:
    """Pages of the package that could be one of `parts` of `material` although
    recognition did not file them so (zjcheck.evidence.could_be_part over every
    page): a "missing" error must not be raised while one of them exists."""
    pages = all_pages(ctx)
    found = PartSearch()
    for part in parts:
        got = could_be_part(material, part, pages, item)
        for pg, why in zip(got.pages, got.reasons):
            if pg not in found.pages:
                found.pages.append(pg)
                found.reasons.append(why)
    return found


def missing_part(code: str, message: str, material: str, parts: tuple[str, ...] | list[str], ctx: Context, *,
                 item: Item | None = None, at: Page | None = None, evidence: str | None = None,
                 **data: Any) -> Finding:
    """A "missing X" finding (SPEC §7): the error when the item is grouped with
    confidence and no page anywhere could be the part; else GEN012 naming the
    pages that could be it (or the doubtful grouping)."""
    maybe = part_elsewhere(material, parts, ctx, item)
    if maybe:
        where = "；".join(maybe.reasons[:3])
        return finding("GEN012", f"无法确认（{where}）：{message}", material=material, evidence=evidence,
                       at=maybe.pages[0], severity="info", would_be=code, **data)
    if item is not None and not grouping_confident(item):
        return finding("GEN012", f"无法确认（材料归类可信度低）：{message}", material=material, evidence=evidence,
                       at=at, severity="info", would_be=code, **data)
    return finding(code, message, evidence=evidence, at=at, **data)


def unassigned_could_be(documents: Any, material: str) -> list[Page]:
    """Pages of the package recognised as no material whose reading scored for
    `material` too: a "missing" finding for the material cannot be sure while
    such a page exists (SPEC §7)."""
    return [p for doc in documents for p in doc.pages if p.material == "other" and material in p.alternatives]


def main_parts(item: Item) -> set[str]:
    """The parts the item's pages were recognised as first (not the also-parts)."""
    return {p.parts[0] for p in item.pages if p.parts}


def missing_item_part(material: str, item: Item, ctx: Context, code: str, part: str, what: str, label: str, *,
                      core_parts: frozenset[str], at: Page | None, belongs: Callable[[Item], bool] | None = None,
                      **data: Any) -> Finding | None:
    """`missing_part` for materials whose attachments may be filed apart (a
    lookup beside the book's folder): None when an item of attachments only
    holds the part and `belongs` to this item; GEN012 when this item is itself
    only attachments while other items exist (a stray part of one of them), or
    when such an unplaced attachment could be the part; else `missing_part`."""
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
    elif holders:
        doubt = f"{'、'.join(o.pages[0].ref for o in holders)} 单独存放，可能就是该部分"
    if doubt:
        return finding("GEN012", f"{label}：未识别出{what}（{doubt}），无法确认是否缺少", material=material,
                       evidence=item.id, at=at, severity="info", would_be=code, part=part)
    return missing_part(code, f"{label}：缺少{what}", material, (part,), ctx, item=item, at=at, evidence=item.id,
                        part=part, **data)
