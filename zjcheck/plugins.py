"""Checker plugins: one module per material, found through the entry-point
group `zjcheck.checks` (so another package can add or replace a checker).

Every checker module has the same small API, as python-stdnum's formats do
(`Checker` below states it as a Protocol; `load_plugins` checks it):

    MATERIAL: str                 the material id it checks (SPEC §4)
    CODES: tuple[str, ...]        every finding code it may emit (GEN012 too)
    def facts(item, ctx) -> Mapping[str, Any]                    (optional)
                                  parsed facts of one item: plain values or
                                  zjcheck.evidence.Fact (value + provenance);
                                  shown in the JSON.  Main process.
    def check(items, ctx) -> Iterable[Finding]
                                  findings for all items of its material
                                  (called even when there are none, so that
                                  "missing" findings can be made).  Main process.
    DATA: str                     (optional) a TOML file beside the module with
                                  what the core needs to know of a new material:
                                  [codes.XXX001] (as zjcheck/data/codes.toml),
                                  [material.<id>] (recognition cues, as
                                  zjcheck/data/materials.toml) and, there,
                                  `catalogue_item = "<catalogue item id>"`, the
                                  量化评分表 item its pieces are evidence for.
                                  A new material needs no edit of the core.

Optional hooks, each called with the plugin's own items, in the main process,
at the stage its name says; a hook that raises is GEN011 for its material and
the plugin is skipped from then on:

    def profile_hints(items, ctx) -> Mapping[str, Fact]
                                  applicant facts this material's documents
                                  state (title_date on the title certificate,
                                  employer on the labour contract); after every
                                  checker's `facts`, before any `check`.  The
                                  engine fills profile fields that neither
                                  zjcheck.toml nor the command line gave.
    def review(items, findings, ctx) -> Iterable[Finding]
                                  after every `check` and the cross-document
                                  checks, with all findings so far (item and
                                  evidence attached): rules about other
                                  checkers' findings (SCO005).  It must not
                                  change the findings it is given.
    def gap_claims(items, findings, ctx) -> GapClaims | None
                                  last: what the applicant claims per
                                  catalogue item on the 量化评分表, for the
                                  gap table (the first plugin answering wins).

The engine never names a plugin: what it needs from one comes through these
hooks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from zjcheck.catalogue import Catalogue
from zjcheck.model import Document, Finding, Item, Profile

GROUP = "zjcheck.checks"


@dataclass
class Context:
    """What a checker may look at besides its own items."""

    profile: Profile
    catalogue: Catalogue
    items: list[Item] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)   # what a plugin keeps between its own hooks

    def items_of(self, material: str) -> list[Item]:
        return [i for i in self.items if i.material == material]

    @property
    def name(self) -> str | None:
        return self.profile.name


@runtime_checkable
class Checker(Protocol):
    """The API every checker module has (a module satisfies it structurally)."""

    MATERIAL: str
    CODES: tuple[str, ...]

    def check(self, items: list[Item], ctx: Context) -> Iterable[Finding]: ...


class Claim(Protocol):
    """Points claimed on the 量化评分表 for one catalogue item."""

    claimed: float | None           # points the applicant claims
    cited: list[Any]                # the pieces of evidence the sheet names for it
    supported: float | None         # claimed points its evidence supports
    at_risk: float | None           # claimed points not supported
    cap: float | None               # the item's cap as the sheet prints it (None: not printed)


@dataclass
class GapClaims:
    """What the `gap_claims` hook answers: the sheet's claims for the gap table."""

    claims: Mapping[str, Claim]     # catalogue item id -> its claim
    sheet: str | None               # the sheet's path
    claimed: float | None           # the item rows' scores added up
    stated: float | None = None     # the sheet's own 合计
    route: str | None = None        # the route the sheet states (常规 / 破格)


@dataclass
class Plugin:
    name: str
    module: ModuleType
    material: str
    codes: tuple[str, ...]


class PluginError(Exception):
    pass


@lru_cache(maxsize=1)
def _entry_modules() -> tuple[tuple[str, str, ModuleType | None, str | None], ...]:
    """(name, value, module or None, why it failed) of every registered plugin, loaded once."""
    out = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            out.append((ep.name, ep.value, ep.load(), None))
        except Exception as e:  # noqa: BLE001 - a broken third-party plugin must not stop the run
            out.append((ep.name, ep.value, None, f"{type(e).__name__}: {e}"))
    return tuple(out)


def _data_of(mod: ModuleType) -> dict[str, Any]:
    name = getattr(mod, "DATA", None)
    if not name:
        return {}
    package = mod.__name__.rpartition(".")[0] or mod.__name__
    return tomllib.loads(resources.files(package).joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def plugin_tables() -> dict[str, dict[str, Any]]:
    """What installed plugins ship in their DATA files, merged: {"codes": …,
    "material": …}.  Built-in tables (zjcheck/data) win over a plugin's."""
    out: dict[str, dict[str, Any]] = {"codes": {}, "material": {}}
    for _name, _value, mod, _why in _entry_modules():
        if mod is None:
            continue
        try:
            data = _data_of(mod)
        except (OSError, tomllib.TOMLDecodeError):
            continue            # reported by load_plugins
        for key in out:
            for k, v in data.get(key, {}).items():
                out[key].setdefault(k, v)
    return out


def _check_api(mod: ModuleType) -> str:
    """The module's material after checking it has the checker API; raises PluginError."""
    from zjcheck.codes import all_codes
    from zjcheck.materials import recognition
    material = getattr(mod, "MATERIAL", None)
    if not isinstance(material, str) or not material:
        raise PluginError("没有 MATERIAL（材料 id）")
    if material not in recognition().materials:
        raise PluginError(f"材料 {material} 未登记：在 DATA 文件中写 [material.{material}]")
    codes = getattr(mod, "CODES", None)
    if not isinstance(codes, tuple) or not all(isinstance(c, str) for c in codes):
        raise PluginError("CODES 应为代码的元组，如 (\"PAT001\", \"GEN012\")")
    unknown = [c for c in codes if c not in all_codes()]
    if unknown:
        raise PluginError(f"CODES 中的 {', '.join(unknown)} 未登记：在 DATA 文件中写 [codes.{unknown[0]}]")
    if not callable(getattr(mod, "check", None)):
        raise PluginError("没有 check(items, ctx) 函数")
    for hook in ("facts", "review", "profile_hints", "gap_claims"):
        if hasattr(mod, hook) and not callable(getattr(mod, hook)):
            raise PluginError(f"{hook} 不是函数")
    if getattr(mod, "DATA", None):
        _data_of(mod)                           # a missing or broken DATA file is the plugin's problem
    return material


def load_plugins() -> tuple[list[Plugin], list[str]]:
    """(plugins, problems): a plugin that fails to load or lacks the API is
    reported (GEN011 in the run), not fatal; two plugins for one material:
    the later name wins (how another package replaces a built-in checker)."""
    plugins: dict[str, Plugin] = {}
    problems: list[str] = []
    for name, value, mod, why in _entry_modules():
        try:
            if mod is None:
                raise PluginError(why or "无法加载")
            material = _check_api(mod)
            plugins[material] = Plugin(name, mod, material, tuple(mod.CODES))
        except Exception as e:  # noqa: BLE001 - a broken third-party plugin must not stop the run
            problems.append(f"{name}（{value}）：{e}")
    return list(plugins.values()), problems
