"""现任专业技术职务任职资格 (附件2 item 3): TIT001, TIT002, TIT003 (聘任证书 missing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.evidence import Fact
from zjcheck.extract import Text, date_fact, norm

MATERIAL = "title"
CODES = ("TIT001", "TIT002", "TIT003")

DATE_LABELS = ["取得资格时间", "资格取得时间", "取得时间", "评审通过时间", "批准时间", "批准日期",
               "资格确认时间", "发证时间", "发证日期", "授予时间"]
_BELOW = re.compile(r"助理工程师|技术员")
_LEVEL = re.compile(r"(高级工程师|工程师|高级技师|技师|经济师|会计师|讲师)")
_NUMBER = re.compile(r"(?:证书编号|编号)[:：]?\s*([A-Za-z0-9\-]{6,})")


def years_between(start: date, end: date) -> float:
    return round((end - start).days / 365.25, 2)


def anniversary(start: date, years: int) -> date:
    """The date `years` full years after `start` (29 Feb -> 28 Feb)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    certs = item.pages_with("certificate")
    text = "\n".join(p.text for p in certs)
    t = norm(text)
    level = None
    below = _BELOW.search(t)
    if below:
        level = below.group(0)
    else:
        m = _LEVEL.search(t)
        level = m.group(1) if m else None
    # a label and its value share a visual row even where the reading order
    # lists the labels first and the values after them (two-column certificates)
    got = date_fact(Text.of(*certs), DATE_LABELS) or date_fact(Text.of(*certs, rows=False), DATE_LABELS)
    num = _NUMBER.search(t)
    return {
        "has_certificate": bool(certs),
        "has_appointment": bool(item.pages_with("appointment")),
        "level": level,
        "below_engineer": bool(below),      # 助理工程师 / 技术员: not a title one may apply from
        "title_date": got,
        "certificate_number": num.group(1) if num else None,
    }


def profile_hints(items: list[Item], ctx: Context) -> dict[str, Fact]:
    """The date on the current title certificate, for the 任现职后 window when
    neither zjcheck.toml nor --title-date gives it."""
    for it in items:
        f = it.fact("title_date")
        if it.facts.get("has_certificate") and f is not None and not it.facts.get("below_engineer"):
            return {"title_date": f}
    return {}


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    certs = [i for i in items if i.facts.get("has_certificate")]
    if not certs:
        what = "只有聘任证书，" if items else ""
        yield finding("TIT001", f"{what}未找到现任专业技术职务任职资格证书")
        return
    item = certs[0]
    page = item.pages_with("certificate")[0]
    level = item.facts.get("level")
    if item.facts.get("below_engineer"):
        yield finding("TIT001", f"任职资格证书上的资格为“{level}”，不是工程师（或相当）资格",
                      evidence=item.id, at=page, level=level)
        return
    if not any(i.facts.get("has_appointment") for i in items):
        yield finding("TIT003", "未找到现任专业技术职务的聘任证书（通知附件2第3条）；单位实行聘用制、不发聘任证书的，"
                                "可上传单位的聘任文件或聘用合同", evidence=item.id, at=page)
    cert_date = item.fact("title_date")
    if ctx.profile.title_date and ctx.profile.sources.get("title_date") != "inferred":
        start, start_fact = ctx.profile.title_date, Fact(ctx.profile.title_date, "profile")
    else:
        start, start_fact = (cert_date.value, cert_date) if cert_date else (None, None)
    if start is None:
        yield finding("GEN012", "无法确认现任职务的取得时间（证书上的日期未能识别，申报人信息中也没有 title_date），任职年限未核对",
                      material=MATERIAL, evidence=item.id, at=page, severity="info")
        return
    need = int(ctx.catalogue.rule("normal_route_title_years"))
    held = years_between(start, ctx.catalogue.tenure_until)
    if anniversary(start, need) > ctx.catalogue.tenure_until:
        route = "；申报人信息中填的是常规申报" if ctx.profile.route == "常规" else ""
        yield finding("TIT002",
                      f"现任职务自 {start.isoformat()} 起算到 {ctx.catalogue.tenure_until.isoformat()} 只有 {held:.1f} 年，"
                      f"不足常规申报要求的 {need:g} 年，须按自评分达到 {ctx.catalogue.rule('self_score_threshold')} 分以上的条件申报{route}",
                      evidence=item.id, at=page, years=held, required=need,
                      needs={"现任职务取得时间": start_fact})
