"""专业技术工作总结 (附件2 item 14): SUM001."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import name_in, squash

MATERIAL = "summary"
CODES = ("SUM001",)
MIN_CHARS = 300     # shorter than this is a heading, not a summary


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = item.text
    return {
        "pages": len(item.pages),
        "chars": len(squash(text)),
        "names_applicant": name_in(ctx.name, text) if ctx.name else None,
    }


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    if not items:
        yield finding("SUM001", "未找到专业技术工作总结")
        return
    for item in items:
        if item.facts.get("chars", 0) < MIN_CHARS:
            yield finding("GEN012", f"工作总结只识别出 {item.facts.get('chars', 0)} 个字，无法确认内容完整",
                          material=MATERIAL, evidence=item.id, at=item.pages[0], severity="info")
