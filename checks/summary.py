"""专业技术工作总结 (附件2 item 14): SUM001.

SUM001 is a "missing material" error: it stands only when no page anywhere
in the package could be the summary (a page recognised as something else
whose second reading is the summary is "could not verify", GEN012)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zjcheck.checkutil import missing_part
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.extract import Text, name_in, plausible_name, squash, value_after

MATERIAL = "summary"
CODES = ("SUM001", "GEN012")
MIN_CHARS = 300     # shorter than this is a heading, not a summary


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = item.text
    return {
        "pages": len(item.pages),
        "chars": len(squash(text)),
        "names_applicant": name_in(ctx.name, text) if ctx.name else None,
        "author": author_fact(item),
    }


def author_fact(item: Item) -> Any:
    """Who signed the summary (总结人 / 本人签名 / 姓名), with provenance, for the name vote."""
    f = value_after(Text.of(*item.pages), ["总结人", "申报人", "姓名"], pattern=r"([\u4e00-\u9fff·]{2,5})")
    return f if f is not None and plausible_name(f.value) else None


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    if not items:
        yield missing_part("SUM001", "未找到专业技术工作总结", MATERIAL, ("summary",), ctx)
        return
    for item in items:
        if item.facts.get("chars", 0) < MIN_CHARS:
            yield finding("GEN012", f"工作总结只识别出 {item.facts.get('chars', 0)} 个字，无法确认内容完整",
                          material=MATERIAL, evidence=item.id, at=item.pages[0], severity="info")
