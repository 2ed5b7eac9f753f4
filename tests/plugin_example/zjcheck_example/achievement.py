"""科学技术成果登记证书: the applicant must be among the 完成人 (ACH001)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zjcheck.codes import finding
from zjcheck.evidence import Fact
from zjcheck.extract import Text, names_after, value_after
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context

MATERIAL = "achievement"
CODES = ("ACH001", "GEN012")
DATA = "achievement.toml"


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    text = Text.of_item(item)
    number = value_after(text, ["成果登记号", "登记号"], pattern=r"([0-9a-z]{6,})")
    listed = names_after(text.raw.s, ["完成人"], ["完成单位", "登记日期", "成果登记号"])
    people = None
    if listed and listed[0]:
        line = next((i for i, ln in enumerate(text.lines) if listed[0][0] in ln.text), 0)
        people = text.line_fact(listed[0], line)
    return {"number": number, "people": people}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        people: Fact | None = item.fact("people")
        if ctx.name and people is not None and ctx.name not in people.value:
            yield finding("ACH001", f"{item.id}：成果完成人为 {'、'.join(people.value)}，其中没有申报人 {ctx.name}",
                          evidence=item.id, at=item.pages[0], needs={"完成人": people})
