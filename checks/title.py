"""现任专业技术职务任职资格 (附件2 item 3): TIT001, TIT002, TIT003 (聘任证书 missing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from zjcheck.checkutil import data_table, missing_part
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.evidence import Fact
from zjcheck.extract import Text, date_fact, plausible_name, squash, value_after

MATERIAL = "title"
CODES = ("TIT001", "TIT002", "TIT003", "GEN012")

_T = data_table("records", "title")
DATE_LABELS: list[str] = _T["date_labels"]
_BELOW = re.compile("|".join(_T["below_engineer"]))
# longest first, so that 高级工程师 is not read as 工程师
_LEVEL = re.compile("(" + "|".join(sorted(_T["levels"], key=len, reverse=True)) + ")")
# the board that awarded it names a level too: 浙江省机械工程专业工程师职务任职资格评审委员会
_BOARD = re.compile(r"[\u4e00-\u9fff]{0,20}(?:职务)?任职资格评审委员会|评审委员会[:：]?[\u4e00-\u9fff]{0,30}")
LEVEL_LABELS: list[str] = _T["level_labels"]
_NUMBER = re.compile(r"(?:证书编号|编号)[:：]?\s*([\u4e00-\u9fffA-Za-z0-9\-]{0,6}[A-Za-z0-9\-]{6,})")


def level_fact(text: Text) -> Fact | None:
    """The qualification the certificate grants: beside 资格名称, else in the
    sentence 具备…任职资格, else the one level word left once the board's
    name is set aside (two different ones: read, but not surely)."""
    f = value_after(text, LEVEL_LABELS, pattern=_LEVEL, window=20)
    if f is not None:
        return f
    v = text.squashed
    m = re.search(r"具备(.{0,8}?)(?:任职)?资格", v.s)
    if m:
        lv = _LEVEL.search(m.group(1))
        if lv:
            return text.fact(lv.group(1), v, m.start(1) + lv.start(1), m.start(1) + lv.end(1))
    board = [b.span() for b in _BOARD.finditer(v.s)]
    found = [lv for lv in _LEVEL.finditer(v.s) if not any(a <= lv.start() < b for a, b in board)]
    if not found:
        return None
    kinds = {lv.group(1) for lv in found}
    first = found[0]
    return text.fact(first.group(1), v, *first.span(1), factor=1.0 if len(kinds) == 1 else 0.5)


def holder_fact(text: Text) -> Fact | None:
    """The holder's name in the 姓名 field (with provenance, for the name vote)."""
    f = value_after(text, ["姓名"], pattern=r"([\u4e00-\u9fff·]{2,5})", stops=["性别", "出生", "身份"])
    return f if f is not None and plausible_name(f.value) else None


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
    rows = Text.of(*certs)
    lv = level_fact(rows) if certs else None
    # a label and its value share a visual row even where the reading order
    # lists the labels first and the values after them (two-column certificates)
    got = date_fact(rows, DATE_LABELS) or date_fact(Text.of(*certs, rows=False), DATE_LABELS)
    num = next((m for ln in rows.lines if (m := _NUMBER.search(squash(ln.text)))), None)
    return {
        "has_certificate": bool(certs),
        "has_appointment": bool(item.pages_with("appointment")),
        "level": lv,
        "below_engineer": bool(lv and _BELOW.fullmatch(lv.value)),   # 助理工程师 / 技术员: not a title one may apply from
        "title_date": got,
        "certificate_number": num.group(1) if num else None,
        "holder": holder_fact(Text.of(*item.pages)),
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
        yield missing_part("TIT001", f"{what}未找到现任专业技术职务任职资格证书", MATERIAL, ("certificate",), ctx,
                           item=items[0] if items else None, evidence=items[0].id if items else None)
        return
    item = certs[0]
    page = item.pages_with("certificate")[0]
    level = item.facts.get("level")
    if item.facts.get("below_engineer"):
        yield finding("TIT001", f"任职资格证书上的资格为“{level}”，不是工程师（或相当）资格",
                      evidence=item.id, at=page, level=level, needs={"资格名称": item.fact("level")})
        return
    if not any(i.facts.get("has_appointment") for i in items):
        yield missing_part("TIT003", "未找到现任专业技术职务的聘任证书（通知附件2第3条）；单位实行聘用制、不发聘任证书的，"
                                     "可上传单位的聘任文件或聘用合同", MATERIAL, ("appointment",), ctx, item=item,
                           evidence=item.id, at=page)
    cert_date = item.fact("title_date")
    if ctx.profile.title_date and ctx.profile.sources.get("title_date") != "inferred":
        start, start_fact = ctx.profile.title_date, Fact(ctx.profile.title_date, "profile")
    else:
        start, start_fact = (cert_date.value, cert_date) if cert_date else (None, None)
    if start is None:
        yield finding("GEN012", "无法确认现任职务的取得时间（证书上的日期未能识别，申报人信息中也没有 title_date），任职年限未核对",
                      material=MATERIAL, evidence=item.id, at=page, severity="info", would_be="TIT002")
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
