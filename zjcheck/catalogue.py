"""The catalogue: dates, rules and the items of the 量化评分表 (SPEC §6).

One TOML file per year and specialty; validated on load so that a reviewer
who edits next year's file gets a precise message, not a traceback.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from zjcheck.errors import UsageError
from zjcheck.model import MATERIALS

DEFAULT = "2026-jidian"


@dataclass(frozen=True)
class CatalogueItem:
    id: str
    name: str
    materials: tuple[str, ...]
    tags: tuple[str, ...]
    cap: float | None
    scored: bool
    required: bool
    notice_item: int | None
    criteria: str = ""          # 评分标准 text for the sheet `zjcheck init` writes
    folder: str = ""            # folder name in the layout `zjcheck init` suggests


@dataclass
class Catalogue:
    id: str
    name: str
    notice: str
    cutoff: date
    tenure_until: date
    window_start: date
    graduation_rule_year: int
    rules: dict[str, Any]
    items: list[CatalogueItem]
    source: str = ""
    by_material: dict[str, CatalogueItem] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for it in self.items:
            for m in it.materials:
                self.by_material.setdefault(m, it)

    def item_for(self, material: str) -> CatalogueItem | None:
        """The item a material's pieces are evidence for: the catalogue's, or
        the one an installed plugin names for its own material (catalogue_item)."""
        found = self.by_material.get(material)
        if found is None:
            from zjcheck.plugins import plugin_tables
            target = plugin_tables()["material"].get(material, {}).get("catalogue_item")
            found = self.item(target) if target else None
        return found

    def item(self, item_id: str) -> CatalogueItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def rule(self, key: str) -> Any:
        if key not in self.rules:
            raise UsageError(f"目录文件 {self.source} 缺少规则 [rules].{key}")
        return self.rules[key]

    def in_window(self, d: date, title_date: date | None) -> bool:
        """任现职后 or 近五年, and not after the cutoff."""
        if d > self.cutoff:
            return False
        return d >= self.window_start or (title_date is not None and d >= title_date)


def builtin_names() -> list[str]:
    data = resources.files("zjcheck").joinpath("data")
    return sorted(p.name[len("catalogue-"):-len(".toml")] for p in data.iterdir()
                  if p.name.startswith("catalogue-") and p.name.endswith(".toml"))


def load(name_or_path: str | None = None) -> Catalogue:
    """Load a built-in catalogue by name, or a TOML file by path."""
    name = name_or_path or DEFAULT
    p = Path(name)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise UsageError(f"找不到目录文件：{name}")
        text, source = p.read_text("utf-8"), str(p)
    else:
        res = resources.files("zjcheck").joinpath(f"data/catalogue-{name}.toml")
        if not res.is_file():
            raise UsageError(f"没有名为 {name} 的内置目录；可用：{', '.join(builtin_names())}")
        text, source = res.read_text("utf-8"), f"内置目录 {name}"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"目录文件 {source} 不是有效的 TOML：{e}") from None
    return parse(raw, source)


def _need(d: dict[str, Any], key: str, typ: type | tuple[type, ...], where: str, source: str) -> Any:
    if key not in d:
        raise UsageError(f"目录文件 {source}：{where} 缺少 {key}")
    v = d[key]
    if not isinstance(v, typ):
        raise UsageError(f"目录文件 {source}：{where}.{key} 类型不对（应为 {typ}，实际为 {type(v).__name__}）")
    return v


def parse(raw: dict[str, Any], source: str = "<catalogue>") -> Catalogue:
    head = _need(raw, "catalogue", dict, "顶层", source)
    dates = _need(raw, "dates", dict, "顶层", source)
    rules = raw.get("rules", {})
    items_raw = _need(raw, "item", list, "顶层", source)
    items: list[CatalogueItem] = []
    seen: set[str] = set()
    for n, it in enumerate(items_raw, 1):
        where = f"第 {n} 个 [[item]]"
        iid = _need(it, "id", str, where, source)
        if iid in seen:
            raise UsageError(f"目录文件 {source}：{where} 的 id {iid} 重复")
        seen.add(iid)
        mats = _need(it, "materials", list, where, source)
        from zjcheck.plugins import plugin_tables
        known = (*MATERIALS, *plugin_tables()["material"])
        bad = [m for m in mats if m not in known]
        if bad:
            raise UsageError(f"目录文件 {source}：{where} ({iid}) 的 materials 含未知材料 {bad}；可用：{', '.join(known)}")
        cap = it.get("cap")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap < 0):
            raise UsageError(f"目录文件 {source}：{where} ({iid}) 的 cap 应为非负数")
        items.append(CatalogueItem(
            id=iid, name=_need(it, "name", str, where, source), materials=tuple(mats),
            tags=tuple(it.get("tags", [])), cap=float(cap) if cap is not None else None,
            scored=bool(it.get("scored", True)), required=bool(it.get("required", False)),
            notice_item=it.get("notice_item"), criteria=it.get("criteria", ""), folder=it.get("folder", ""),
        ))
    cat = Catalogue(
        id=_need(head, "id", str, "[catalogue]", source),
        name=_need(head, "name", str, "[catalogue]", source),
        notice=head.get("notice", ""),
        cutoff=_need(dates, "cutoff", date, "[dates]", source),
        tenure_until=_need(dates, "tenure_until", date, "[dates]", source),
        window_start=_need(dates, "window_start", date, "[dates]", source),
        graduation_rule_year=_need(dates, "graduation_rule_year", int, "[dates]", source),
        rules=rules, items=items, source=source,
    )
    if cat.window_start > cat.cutoff:
        raise UsageError(f"目录文件 {source}：window_start 晚于 cutoff")
    for n, (it, ci) in enumerate(zip(items_raw, items), 1):     # after the dates: their errors come first
        _validate_item(it, ci.id, f"第 {n} 个 [[item]]", source, list(ci.materials), items[:n - 1])
    thr = rules.get("self_score_threshold")
    if thr is not None and (isinstance(thr, bool) or not isinstance(thr, (int, float)) or thr < 0):
        raise UsageError(f"目录文件 {source}：[rules].self_score_threshold（破格自评分线）应为非负数")
    return cat


ITEM_KEYS = {"id", "name", "notice_item", "materials", "tags", "cap", "scored", "required", "criteria", "folder"}


def _validate_item(it: dict[str, Any], iid: str, where: str, source: str, mats: list[Any],
                   earlier: list[CatalogueItem]) -> None:
    """The checks beyond types: unknown keys, empty names, tags two items share
    (a 佐证 reference like 论文-1 must name one item), materials claimed twice."""
    head = f"目录文件 {source}：{where} ({iid})"
    unknown = sorted(set(it) - ITEM_KEYS)
    if unknown:
        raise UsageError(f"{head} 有不认识的字段 {', '.join(unknown)}；可用：{', '.join(sorted(ITEM_KEYS))}")
    if not str(it.get("name", "")).strip():
        raise UsageError(f"{head} 的 name（评分项目名称）为空")
    if not mats:
        raise UsageError(f"{head} 的 materials 为空：至少列出一种佐证材料")
    for m in mats:
        other = next((e for e in earlier if m in e.materials), None)
        if other is not None:
            raise UsageError(f"{head}：材料 {m} 已列在评分项目 {other.id} 中，一种材料只能计入一个评分项目")
    tags = it.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise UsageError(f"{head} 的 tags 应为非空文字的列表，如 [\"论文\", \"LW\"]")
    for t in tags:
        if any(ch.isdigit() for ch in t) or any(ch in t for ch in "-_/、,，"):
            raise UsageError(f"{head} 的标签“{t}”不能含数字或 - _ / 、 等分隔符（佐证写法“{t}-1”中的数字是第几份材料）")
        clash = next((e for e in earlier if t.casefold() in {x.casefold() for x in e.tags}), None)
        if clash is not None:
            raise UsageError(f"{head} 的标签“{t}”已被评分项目 {clash.id} 使用：佐证写法“{t}-1”会有歧义")
    if len({t.casefold() for t in tags}) != len(tags):
        raise UsageError(f"{head} 的 tags 有重复")
    ni = it.get("notice_item")
    if ni is not None and (isinstance(ni, bool) or not isinstance(ni, int) or not 1 <= ni <= 15):
        raise UsageError(f"{head} 的 notice_item 应为通知附件2 的条目号 1–15")
    for key in ("scored", "required"):
        if key in it and not isinstance(it[key], bool):
            raise UsageError(f"{head} 的 {key} 应为 true 或 false")
    for key in ("criteria", "folder"):
        if key in it and not isinstance(it[key], str):
            raise UsageError(f"{head} 的 {key} 应为文字")
    if it.get("scored", True) and it.get("cap") is None:
        pass    # a scored item without a cap is allowed: the sheet's own 分值上限 column is used
