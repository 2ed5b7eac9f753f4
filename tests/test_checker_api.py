"""Every installed checker has the same API and keeps it (python-stdnum's
test_robustness, for checkers): it declares each code it can emit, and its
facts, check and hooks run without raising on no items, an empty page,
garbage text and every item of the rendered compliant packages."""

from __future__ import annotations

import pytest

from tests.conftest import check_package
from tests.util import make_context, make_item
from zjcheck.codes import all_codes
from zjcheck.evidence import set_facts
from zjcheck.model import Finding
from zjcheck.plugins import Checker, Plugin, load_plugins

PLUGINS, PROBLEMS = load_plugins()
GARBAGE = ["", " \n\t", "■□▲◆※" * 40, "ZL 2022 1 0345678.X 2026年2月30日 ¥-1.00 第零名 姓名：姓名：", "\x00\x1b[2J" * 10,
           "合计 合计 合计 999999999999 学时 万元 壹贰叁", "信息如下：\n" * 30, "a" * 5000]


def test_every_checker_loads_with_the_api() -> None:
    assert PROBLEMS == []
    assert len(PLUGINS) >= 14
    for p in PLUGINS:
        assert isinstance(p.module, Checker), p.name
        assert p.codes and all(c in all_codes() for c in p.codes) or p.material == "employment", p.name
        assert len(set(p.codes)) == len(p.codes), p.name


def _run(plugin: Plugin, items: list, ctx) -> list[Finding]:  # type: ignore[no-untyped-def]
    """facts, hints, check, review and gap_claims of one plugin, as the engine calls them."""
    mod = plugin.module
    for it in items:
        if hasattr(mod, "facts"):
            set_facts(it, mod.facts(it, ctx))
    if hasattr(mod, "profile_hints"):
        dict(mod.profile_hints(items, ctx))
    out = list(mod.check(items, ctx))
    if hasattr(mod, "review"):
        out += list(mod.review(items, list(out), ctx))
    if hasattr(mod, "gap_claims"):
        mod.gap_claims(items, out, ctx)
    return out


def _declared(plugin: Plugin, found: list[Finding]) -> None:
    emitted = {f.code for f in found}
    assert emitted <= set(plugin.codes), f"{plugin.name} emits {sorted(emitted - set(plugin.codes))} undeclared"


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_no_items_empty_page_and_garbage(plugin: Plugin) -> None:
    _declared(plugin, _run(plugin, [], make_context([])))
    parts = [next(iter(__import__("zjcheck.materials").materials.recognition().materials[plugin.material].parts),
                  "x")]
    for text in GARBAGE:
        item = make_item(plugin.material, [(text, parts)], rel="垃圾.pdf")
        _declared(plugin, _run(plugin, [item], make_context([item])))
        for name in (None, "周建华"):
            ctx = make_context([item], name=name, title_date=None, employer=None)
            _declared(plugin, _run(plugin, [item], ctx))


@pytest.mark.ocr
@pytest.mark.parametrize("package", ["compliant", "compliant-b", "compliant-c"])
def test_every_fixture_item(package: str) -> None:
    """Each checker on the real items of a rendered package, the engine's context."""
    from zjcheck.plugins import Context
    result, _ = check_package(package)
    for plugin in PLUGINS:
        items = [it for it in result.items if it.material == plugin.material]
        ctx = Context(profile=result.profile, catalogue=result.catalogue, items=result.items,
                      documents=result.documents)
        _declared(plugin, _run(plugin, items, ctx))
