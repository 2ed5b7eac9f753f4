"""Checker plugins: one module per material, found through the entry-point
group `zjcheck.checks` (so another package can add or replace a checker).

Every checker module has the same small API, as python-stdnum's formats do:

    MATERIAL: str                 the material id it checks (SPEC §4)
    CODES: tuple[str, ...]        the finding codes it may emit
    def facts(item, ctx) -> dict  parsed facts of one item, shown in the JSON
    def check(items, ctx) -> Iterable[Finding]
                                  findings for all items of its material
                                  (called even when there are none, so that
                                  "missing" findings can be made)
    def review(items, findings, ctx) -> Iterable[Finding]     (optional)
                                  a post-check step, called once every
                                  checker's `check` and the cross-document
                                  checks have run, with all findings so far
                                  (their `item`/`evidence` already attached);
                                  for rules about other checkers' findings
                                  (SCO005: cited evidence that fails its checks).
                                  It must not change the findings it is given.
    def profile_hints(items, ctx) -> Mapping[str, Fact]       (optional)
                                  applicant facts this material's documents
                                  state (title_date on the title certificate,
                                  employer on the labour contract); called
                                  after every checker's `facts`, before any
                                  `check`.  The engine fills profile fields
                                  that neither zjcheck.toml nor the command
                                  line gave, and says they were inferred.

The engine never names a plugin: what it needs from one comes through these
hooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from zjcheck.catalogue import Catalogue
from zjcheck.model import Document, Item, Profile


@dataclass
class Context:
    """What a checker may look at besides its own items."""

    profile: Profile
    catalogue: Catalogue
    items: list[Item] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)   # facts checkers publish for others

    def items_of(self, material: str) -> list[Item]:
        return [i for i in self.items if i.material == material]

    @property
    def name(self) -> str | None:
        return self.profile.name


@dataclass
class Plugin:
    name: str
    module: ModuleType
    material: str
    codes: tuple[str, ...]


class PluginError(Exception):
    pass


def load_plugins() -> tuple[list[Plugin], list[str]]:
    """(plugins, problems): a plugin that fails to load is reported, not fatal."""
    plugins: dict[str, Plugin] = {}
    problems: list[str] = []
    for ep in sorted(entry_points(group="zjcheck.checks"), key=lambda e: e.name):
        try:
            mod = ep.load()
            material = getattr(mod, "MATERIAL")
            if not callable(getattr(mod, "check", None)):
                raise PluginError("没有 check(items, ctx) 函数")
            plugins[material] = Plugin(ep.name, mod, material, tuple(getattr(mod, "CODES", ())))
        except Exception as e:  # noqa: BLE001 - a broken third-party plugin must not stop the run
            problems.append(f"{ep.name}（{ep.value}）：{type(e).__name__}: {e}")
    return list(plugins.values()), problems
