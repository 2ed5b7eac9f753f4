"""Recognition data (data/materials.toml): materials, their parts and cues."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from zjcheck.extract import norm


@dataclass(frozen=True)
class PartSpec:
    material: str
    id: str
    name: str
    starts_item: bool
    strong: tuple[str, ...]          # normalised; matched with one misread character allowed
    weak: tuple[str, ...]            # normalised; exact
    patterns: tuple[re.Pattern[str], ...]
    negative: tuple[str, ...]        # normalised; exact
    path_hints: tuple[str, ...]
    seal_bonus: bool = False
    continues: bool = False          # a page with no cues after this part is more of it (slides, a 2-page TOC)


@dataclass(frozen=True)
class MaterialSpec:
    id: str
    name: str
    grouping: str
    path_hints: tuple[str, ...]
    identity: tuple[re.Pattern[str], ...]
    parts: dict[str, PartSpec]
    continuation: str | None = None
    personal: bool = False
    attachments: tuple[str, ...] = ()                    # parts that never make an item on their own
    join_keys: tuple[re.Pattern[str], ...] = ()          # numbers that tie an attachment to its item (ISBN)
    join_only: bool = False                              # an unnamed attachment joins the only item
    start_score: float = 0.0                             # a starting part cuts a file only when this sure

    def part_name(self, part: str) -> str:
        return self.parts[part].name if part in self.parts else part


@dataclass(frozen=True)
class Recognition:
    min_score: float
    also_score: float
    materials: dict[str, MaterialSpec]


def _kw(words: list[str]) -> tuple[str, ...]:
    return tuple(norm(w) for w in words)


@lru_cache(maxsize=1)
def recognition() -> Recognition:
    from zjcheck.plugins import plugin_tables
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/materials.toml").read_text("utf-8"))
    for mid, m in plugin_tables()["material"].items():       # materials installed plugins add
        raw["material"].setdefault(mid, m)
    mats: dict[str, MaterialSpec] = {}
    for mid, m in raw["material"].items():
        parts = {}
        for pid, p in m.get("part", {}).items():
            parts[pid] = PartSpec(
                material=mid, id=pid, name=p["name"], starts_item=p.get("starts_item", False),
                strong=_kw(p.get("strong", [])),
                weak=_kw(p.get("weak", [])),
                patterns=tuple(re.compile(x) for x in p.get("patterns", [])),
                negative=_kw(p.get("negative", [])),
                path_hints=tuple(norm(h) for h in p.get("path_hints", [])),
                seal_bonus=p.get("seal_bonus", False),
                continues=p.get("continues", False),
            )
        mats[mid] = MaterialSpec(
            id=mid, name=m["name"], grouping=m.get("grouping", "file"),
            path_hints=tuple(norm(h) for h in m.get("path_hints", [])),
            identity=tuple(re.compile(x) for x in m.get("identity", [])),
            parts=parts,
            personal=m.get("personal", False),
            continuation=m.get("continuation") or (next(iter(parts)) if len(parts) == 1 else None),
            attachments=tuple(m.get("attachments", [])),
            join_keys=tuple(re.compile(x) for x in m.get("join_keys", [])),
            join_only=m.get("join_only", False),
            start_score=float(m.get("start_score", 0.0)),
        )
    r = raw["recognition"]
    return Recognition(float(r["min_score"]), float(r["also_score"]), mats)


def material_name(mid: str) -> str:
    spec = recognition().materials.get(mid)
    return spec.name if spec else mid


def part_name(mid: str, part: str) -> str:
    spec = recognition().materials.get(mid)
    return spec.part_name(part) if spec else part


def personal_materials() -> set[str]:
    """Materials about the applicant alone, whose 姓名 field must be theirs."""
    return {m.id for m in recognition().materials.values() if m.personal}
