"""荣誉证书、获奖证书 (附件2 item 3): HON001, HON002.

HON002: like papers and patents, an honour or award counts only when it came
after the current title or within 近五年, and not after the cutoff (notice
§二(一), 附件2 item 7).  The date is the latest one written on the
certificate (often under the seal, so OCR misses it); failing that, an
award's 年度 (a 2025年度 award is given in 2025 or later, so it is never judged
early on that alone), or the year a 证书号 starts with when that year lies
wholly inside the window (2024-JX-2-015).  Anything else: could not verify.

“集体项目须提供本人系主要贡献者依据”: an award whose certificate does not
name the applicant (a 单位 is the winner, or the applicant is simply not
on it) needs a 主要贡献者 proof, either in the same file or in a
contributor_proof page elsewhere that names the applicant and shares the
award's folder or its project title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from zjcheck.checkutil import applicant_fact, data_table, window_finding
from zjcheck.codes import finding
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import Text, find_dates, fuzzy_pattern, name_in, norm, ordinal, plausible_name, squash, to_int

MATERIAL = "honor"
CODES = ("HON001", "HON002", "GEN012")

_CJK = "\u4e00-\u9fff"
_ORG = re.compile(rf"([{_CJK}()]{{4,40}}?(?:股份有限公司|有限责任公司|有限公司|集团|研究院|研究所|设计院|大学|学院|公司|厂))")
_RANK = re.compile(r"(?:排名|排序|第)\s*([0-9一二三四五六七八九十]{1,2})\s*(?:位|名|完成人)?")
_NUMBER_YEAR = re.compile(r"(?:证书号|证书编号|编号)[:：]?[A-Za-z]{0,6}[-\[（(]?(20\d\d)(?!\d)")
_PROJECT = re.compile(rf"(?:项目名称|成果名称|获奖项目|项目)[:：]?[“\"《]?([{_CJK}A-Za-z0-9\-]{{6,40}}?)[”\"》]?(?=获|荣获|被评为|项目|完成|奖励|等级|$|[,，。;；])")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "honor")


def award_level(text: str) -> str | None:
    t = squash(text)
    for level, words in table()["levels"]:
        if any(squash(w) in t for w in words):
            return level
    return None


def award_grade(text: str) -> str | None:
    t = squash(text)
    for grade, word in table()["grades"]:
        if re.search(fuzzy_pattern(word) if len(word) >= 4 else re.escape(word), t):
            return grade
    return None


def contributors(text: str) -> list[str]:
    """Names listed after 主要完成人 / 完成人 / 获奖者 (separated by 、，; or spaces)."""
    for raw_line in text.splitlines():
        line = re.sub(r"[(（〈<《][^)）〉>》]*[)）〉>》]?", " ", norm(raw_line))
        for label in table()["contributor_labels"]:
            m = re.search(rf"{label}\s*[:：]\s*(.+)", re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", line))
            if not m:
                continue
            names = [re.sub(r"\s", "", n) for n in re.split(r"[、，,;；]|\s+", m.group(1))]
            names = [n for n in names if re.fullmatch(rf"[{_CJK}]{{2,4}}", n) and not re.search("排名|排序|第", n)]
            if names:
                return names
    return []


def applicant_rank(text: str, name: str | None, rows: Text | None = None) -> int | None:
    """The applicant's place: in a 主要完成人 list, on the applicant's own row
    of a 获奖人员 table (第三完成人 | 陈思远 | 单位), or just after the name
    (周建华（排名第1）)."""
    if not name:
        return None
    names = contributors(text)
    if name in names:
        return names.index(name) + 1
    target = squash(name)
    for ln in (rows.lines if rows is not None else []):
        row = squash(ln.text)
        k = row.find(target)
        if k < 0:
            continue
        n = ordinal(row[k + len(target):]) or ordinal(row[:k])
        if n:
            return n
    t = squash(text)
    k = t.find(target)
    if k >= 0:
        m = _RANK.search(t[k: k + 20])
        if m:
            return to_int(m.group(1))
    return None


def named_near(name: str, text: str) -> str | None:
    """A name on the certificate one character off the applicant's (an OCR
    misreading, or a typo): the certificate may well name the applicant."""
    target = squash(name)
    t = squash(text)
    n = len(target)
    if n < 2:
        return None
    for i in range(len(t) - n + 1):
        cand = t[i:i + n]
        if sum(a != b for a, b in zip(cand, target)) == 1 and (cand[0] == target[0] or plausible_name(cand)):
            return cand
    return None


def winner_unit(text: str) -> str | None:
    t = squash(text)
    for label in table()["unit_winner_labels"]:
        m = re.search(fuzzy_pattern(label) + r"[:：]?", t)
        if m:
            o = _ORG.match(t[m.end(): m.end() + 50])
            if o:
                return o.group(1)
    # a certificate addressed to a unit: the text starts with its name ("XX有限公司：")
    m = re.search(rf"(?:^|\n)\s*([{_CJK}()]{{4,40}}?(?:有限公司|研究院|研究所|公司|厂))\s*[:：]", text)
    return re.sub(r"\s", "", m.group(1)) if m else None


def winner_unit_fact(rows: Text) -> Fact | None:
    """winner_unit with where it was read: the line naming the unit is what a
    "the winner is a unit" finding rests on."""
    unit = winner_unit(rows.raw.s)
    if unit is None:
        return None
    v = rows.squashed
    k = v.s.find(squash(unit))
    return rows.fact(unit, v, k, k + len(squash(unit))) if k >= 0 else None


def project_title(text: str) -> str | None:
    m = _PROJECT.search(squash(text))
    return m.group(1) if m else None


def date_fact_latest(text: Text, ctx: Context) -> Fact | None:
    """The latest date written on the certificate (the award date), as a fact."""
    v = text.normed
    best = None
    for dm in find_dates(v.s):
        if dm.value is not None and (best is None or dm.value > best.value):
            best = dm
    if best is None:
        return None
    return text.fact(best.value, v, best.start, best.end)


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    certs = item.pages_with("certificate") or item.pages
    text = "\n".join(p.text for p in certs)
    rows = Text.of(*certs)
    mentions = [d for d in find_dates(text) if d.value is not None]
    years = [d.year for d in mentions]
    latest = max(mentions, key=lambda d: d.value, default=None)     # the award date is the latest one written
    if not years:      # the date is often under the seal: a year in the certificate number
        years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", text) if int(y) <= ctx.catalogue.cutoff.year]
    ym = re.search(r"(20\d\d)\s*年度", norm(text))
    name = ctx.name
    issued = date_fact_latest(rows, ctx)
    return {
        "kind": "获奖" if re.search(r"奖", squash(text)) and not re.search(r"荣誉证书", squash(text)) else "荣誉",
        "level": award_level(text),
        "grade": award_grade(text),
        "year": int(ym.group(1)) if ym else (max(years) if years else None),
        "date": issued if issued is not None else (latest.value.isoformat() if latest else None),
        "date_month_only": bool(latest and latest.day is None),
        "annual_year": int(ym.group(1)) if ym else None,
        "number_year": int(nm.group(1)) if (nm := _NUMBER_YEAR.search(squash(text))) else None,
        "rank": applicant_rank(text, name, rows),
        "contributors": contributors(text),
        "names_applicant": name_in(name, text) if name else None,
        "name_near": named_near(name, text) if name and not name_in(name, text) else None,
        "winner_unit": winner_unit(text),
        "project": project_title(text),
        "has_contributor_proof": bool(item.pages_with("contributor_proof")),
        # what "the applicant is not on it" rests on: the line naming the winning
        # unit where there is one, else how well the certificate was read
        "read": winner_unit_fact(rows) or (page_fact(len(squash(text)), certs[0]) if certs else None),
    }


def _proof_elsewhere(item: Item, proofs: list[Page], name: str | None) -> bool:
    folder = str(PurePosixPath(item.pages[0].doc.rel).parent)
    title = item.facts.get("project")
    for p in proofs:
        if p.item_id == item.id:
            return True
        if name and not name_in(name, p.text):
            continue
        same_dir = str(PurePosixPath(p.doc.rel).parent) == folder and folder not in ("", ".")
        if same_dir or (title and squash(title) in squash(p.text)):
            return True
    return False


def _date(item: Item, ctx: Context, page: Page) -> Iterator[Finding]:
    f = item.facts
    what = f"“{f['project']}”" if f.get("project") else ""
    lab = f"荣誉/获奖证书{what}"
    if f.get("date"):
        found = window_finding("HON002", lab, "颁发时间", f["date"], ctx, at=page, evidence=item.id,
                               material=MATERIAL, month_only=bool(f.get("date_month_only")),
                               needs={"颁发时间": item.fact("date")})
    elif f.get("annual_year"):
        year, cat, title = f["annual_year"], ctx.catalogue, ctx.profile.title_date
        if year > cat.cutoff.year:
            found = window_finding("HON002", lab, "获奖年度", year, ctx, at=page, evidence=item.id, material=MATERIAL)
        elif year >= cat.window_start.year or (title and year >= title.year):
            found = None
        else:
            found = finding("GEN012", f"{lab}：获奖年度为 {year} 年度，颁发时间未能识别，无法确认是否在任现职后或近五年内取得",
                            material=MATERIAL, evidence=item.id, at=page, severity="info", would_be="HON002")
    elif f.get("number_year") and ctx.catalogue.window_start.year < f["number_year"] < ctx.catalogue.cutoff.year:
        found = None        # 证书号 2024-JX-2-015: awarded in a year wholly inside the window
    else:
        found = window_finding("HON002", lab, "颁发时间", None, ctx, at=page, evidence=item.id, material=MATERIAL)
    if found:
        yield found


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    proofs = [p for it in items for p in it.pages_with("contributor_proof")]
    for it in items:
        certs = it.pages_with("certificate")
        if not certs:
            continue        # a proof page on its own: used by the certificates below
        page = certs[0]
        yield from _date(it, ctx, page)
        if not ctx.name:
            yield finding("GEN012", "无法确认获奖证书上是否有申报人（申报人姓名未知），集体项目的主要贡献者依据未核对",
                          material=MATERIAL, evidence=it.id, at=page, severity="info")
            continue
        if it.facts.get("names_applicant"):
            continue
        if _proof_elsewhere(it, proofs, ctx.name):
            continue
        near = it.facts.get("name_near")
        if near:
            yield finding("GEN012", f"无法确认获奖证书上是否有申报人：证书上的“{near}”与申报人“{ctx.name}”只差一个字，"
                                    "可能是识别误差，请人工核对", material=MATERIAL, evidence=it.id, at=page,
                          severity="info", would_be="HON001")
            continue
        unit = it.facts.get("winner_unit")
        who = f"获奖者为单位“{unit}”" if unit else f"证书上没有申报人“{ctx.name}”的姓名"
        what = f"“{it.facts['project']}”" if it.facts.get("project") else ""
        yield finding("HON001", f"{what}{'集体' if unit else ''}荣誉/获奖证书{who}，未提供本人系主要贡献者的依据"
                                "（如主要完成人名单、单位出具的主要贡献者证明）",
                      evidence=it.id, at=page, winner=unit,
                      needs={"申报人姓名": applicant_fact(ctx), "证书内容": it.fact("read")})
