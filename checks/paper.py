"""论文 (附件2 item 8): PAP001–PAP010.

A journal paper needs 期刊封面, 目录, 论文正文, 国家新闻出版署期刊查询证明 and a
中国知网/万方 检索截图; a conference paper needs the 论文集 plus 会议邀请函 and
报告内容 instead of the journal-only cover and 期刊查询.  Beyond the parts, the
checker reads the authors (PAP007), the publication date (PAP008), the CN/ISSN
(or the proceedings' ISBN, PAP009) and compares title, 期 and numbers between
the parts (PAP010).  Tables live in data/publication.toml.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum import issn as _issn

from zjcheck.checkutil import data_table, window_finding
from zjcheck.codes import finding
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.extract import name_in, norm, squash
from zjcheck.extract.publication import close_name, core, find_isbns, fix_digits, isbn_ok, partial_ratio

MATERIAL = "paper"
CODES = ("PAP001", "PAP002", "PAP003", "PAP004", "PAP005", "PAP006", "PAP007", "PAP008",
         "PAP009", "PAP010", "GEN012")

# parts every paper needs, and the ones only a journal (resp. conference) paper needs
COMMON_PARTS = (("toc", "PAP002", "期刊目录"), ("body", "PAP003", "论文正文"),
                ("cnki", "PAP005", "中国知网或万方数据检索截图"))
JOURNAL_PARTS = (("cover", "PAP001", "期刊封面"), ("nppa_lookup", "PAP004", "国家新闻出版署期刊查询证明"))
CONFERENCE_PARTS = (("proceedings", "会议论文集"), ("invitation", "会议邀请函"), ("report", "会议报告内容"))


# ---------------------------------------------------------------- tables

@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("publication")


def label(item: Item, word: str) -> str:
    """paper-2 -> 论文-2"""
    return f"{word}-{item.id.rsplit('-', 1)[-1]}"


# ---------------------------------------------------------------- paper facts

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_NAME = re.compile(rf"^[{_CJK}]{{2,4}}$")
_DELIMS = re.compile(r"[,，、;；]+")


def author_list(text: str, name: str | None) -> list[str] | None:
    """The author list of the line that names the applicant (or the first
    list-looking line): names split on commas/semicolons, superscripts dropped."""
    best: list[str] | None = None
    for raw in unicodedata.normalize("NFKC", text).splitlines():
        line = raw.strip()
        if not line or (name and squash(name) not in squash(line)):
            continue
        line = re.sub(r"^.*?(?:作者|\[期刊论文\]|\[会议论文\])[:：]?", "", line)
        line = re.split(r"[《(（]|\s-\s|—", line)[0]
        line = re.sub(r"[0-9¹²³⁴⁵*#^]+", " ", line)
        tokens = [re.sub(rf"[^{_CJK}]", "", t) for t in _DELIMS.split(line)]
        if len(tokens) < 2:                     # space-separated (万方): only whole-name runs
            tokens = [t for t in re.split(r"[\s\u3000]{1,}", line.strip()) if t]
            if not all(_NAME.match(t) for t in tokens):
                continue
        tokens = [t for t in tokens if t]
        if tokens and all(_NAME.match(t) for t in tokens) and (len(tokens) >= 2 or name):
            if name and squash(name) in tokens:
                return tokens
            best = best or tokens
    return best


_DOI = re.compile(r"doi|文章编号")
_HEAD = re.compile(r"第\s*\d+\s*卷|vol\.|no\.|journal|[0-9]{4}\s*年\s*[0-9]{1,2}\s*月"
                   r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?:19|20)\d\d")


def body_title(page: Page, name: str | None) -> str | None:
    """The article title on the first body page: the lines after the DOI /
    running head and before the author line."""
    lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
    start = 0
    for i, ln in enumerate(lines[:10]):
        if _DOI.search(norm(ln)) or _HEAD.search(norm(ln)):
            start = i + 1
    picked: list[str] = []
    for ln in lines[start:start + 6]:
        n = norm(ln)
        if (name and squash(name) in squash(ln)) or n.startswith(("(", "（")) or "摘要" in n \
                or author_list(ln, None) and len(picked) > 0:
            break
        if _DOI.search(n) or _HEAD.search(n):
            continue
        cjk = len(re.findall(rf"[{_CJK}]", n))
        if cjk < 4 or cjk < len(core(n)) / 2:       # latin running head, or OCR garbage of the author line
            if picked:
                break
            continue
        picked.append(ln)
        if len(core("".join(picked))) >= 40:
            break
    title = _display("".join(picked))
    return title if len(re.findall(rf"[{_CJK}]", title)) >= 6 else None


def _display(s: str) -> str:
    """A title as shown to the user: NFKC, no whitespace, no stray marks at the ends."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).strip("▼▾·.:：|")


def retrieval_title(text: str) -> str | None:
    """The title on a CNKI (篇名：…) or 万方 (1. …) result page."""
    t = unicodedata.normalize("NFKC", text)
    for rx in (r"篇\s*名\s*[:：]\s*(.+)", r"^\s*1\s*[\.、]\s*(.{6,})$", r"题\s*名\s*[:：]\s*(.+)"):
        m = re.search(rx, t, re.M)
        if m and len(core(m.group(1))) >= 6:
            return _display(m.group(1))
    return None


_CN_RX = re.compile(r"cn\s*[:：]?\s*([0-9ol]{2})\s*[-—–]\s*([0-9ol]{4})\s*/\s*([a-z]{1,2}[0-9]{0,2})")
_CN_BARE = re.compile(r"(?<![0-9a-z])([0-9]{2})\s*[-—–]\s*([0-9]{4})\s*/\s*([a-z]{1,2})(?![a-z])")
_ISSN_RX = re.compile(r"issn\s*[:：.]?\s*([0-9ol]{4})\s*[-—–]?\s*([0-9ol]{3}[0-9olx])")
_ISSN_BARE = re.compile(r"(?<![0-9\-.])([0-9]{4})-([0-9]{3}[0-9x])(?![0-9])")


def find_cn(text: str, bare: bool = False) -> list[str]:
    t = norm(text)
    out = [f"{fix_digits(a)}-{fix_digits(b)}/{c.upper()}" for a, b, c in _CN_RX.findall(t)]
    if bare and not out:
        out = [f"{a}-{b}/{c.upper()}" for a, b, c in _CN_BARE.findall(t)]
    return out


def find_issn(text: str, bare: bool = False) -> list[str]:
    t = norm(text)
    out = [f"{fix_digits(a)}-{fix_digits(b).upper()}" for a, b in _ISSN_RX.findall(t)]
    if bare and not out:
        out = [f"{a}-{b.upper()}" for a, b in _ISSN_BARE.findall(t) if not a.startswith(("19", "20"))]
    return out


def _near(a: str, b: str) -> bool:
    """Same length and at most one character different: one OCR misread."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1


def settle(own: list[str], others: list[str], valid) -> tuple[str | None, bool]:
    """(reading, excused): the cover's number, or - when it is invalid but a
    valid reading one misread character away exists elsewhere (lookup, TOC,
    DOI) - that reading, flagged as an OCR correction."""
    if not own:
        return (next((o for o in others if valid(o)), others[0] if others else None), False)
    for r in own:
        if valid(r):
            return r, False
    for r in own:
        for o in others:
            if valid(o) and _near(r, o):
                return o, True
    return own[0], False


def cn_problem(cn: str) -> str | None:
    """Why a CN number is malformed, or None."""
    m = re.fullmatch(r"(\d{2})-(\d{4})/([A-Z]{1,2})(\d{0,2})", cn)
    if not m:
        return "格式应为 CN XX-XXXX/X（2位地区代码-4位序号/分类号）"
    region, serial, cls, _ = m.groups()
    j = table()["journal"]
    if region not in j["cn_regions"]:
        return f"地区代码 {region} 不是有效的省级行政区代码"
    if serial == "0000":
        return "序号不能为 0000"
    if cls[0] not in j["clc_classes"] or (len(cls) == 2 and cls not in j["clc_t_subclasses"]):
        return f"分类号 {cls} 不是中图法分类号"
    return None


def _months(text: str) -> list[tuple[int, int]]:
    return [(int(y), int(m)) for y, m in re.findall(r"(20\d\d|19\d\d)\s*年\s*([0-9]{1,2})\s*月(?!\s*[0-9]{1,2}\s*日)", text)
            if 1 <= int(m) <= 12]


def _issue(text: str) -> tuple[int | None, int | None]:
    """(year, issue) from '2024年 第41卷 第5期' / '2025年3期' / 'No.5'."""
    t = norm(text)
    m = re.search(r"(20\d\d|19\d\d)\s*年\s*(?:第?\s*\d{1,3}\s*卷\s*)?第?\s*([0-9]{1,2})\s*期", t)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"第\s*\d{1,3}\s*卷\s*第\s*([0-9]{1,2})\s*期", t) or re.search(r"no\.\s*([0-9]{1,2})\b", t)
    if m:
        return None, int(m.group(1))
    return None, None


def _frequency(text: str) -> tuple[str, int] | None:
    t = norm(text)
    for word, n in table()["journal"]["frequency"].items():
        if word in t:
            return word, int(n)
    return None


def _retrieval_date(text: str) -> date | None:
    """发表时间 on a CNKI page (YYYY-MM-DD, not the taskbar clock)."""
    t = unicodedata.normalize("NFKC", text)
    for m in re.finditer(r"(?<![0-9])(20\d\d|19\d\d)\s*-\s*([0-9]{2})\s*-\s*([0-9]{2})(?![0-9])(?!\s*[0-9]{1,2}:[0-9]{2})", t):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def _head(page: Page, n: int = 8) -> str:
    return "\n".join([ln for ln in page.text.splitlines() if ln.strip()][:n])


def is_conference(item: Item) -> bool:
    parts = {p.parts[0] for p in item.pages if p.parts}
    if parts & {"proceedings", "invitation", "report"}:
        return True
    cues = [norm(c) for c in table()["paper"]["conference_cues"]]
    text = norm("\n".join(p.text for p in item.pages if {"cover", "toc"} & set(p.parts)))
    return any(c in text for c in cues)


def _pages_text(item: Item, *parts: str) -> str:
    return "\n".join(p.text for p in item.pages if set(parts) & set(p.parts))


@dataclass
class _Dates:
    printed: tuple[int, int] | None        # (year, month) printed on cover / TOC / running head
    retrieval: date | None                 # 发表时间 on the CNKI record
    year: int | None
    issue: int | None


def _dates(item: Item) -> _Dates:
    printed = None
    for part in ("cover", "proceedings", "toc"):
        for p in item.pages_with(part):
            ms = _months(p.text)
            if ms:
                printed = ms[0]
                break
        if printed:
            break
    if printed is None:
        for p in item.pages_with("body")[:1]:
            ms = _months(_head(p))
            printed = ms[0] if ms else None
    retrieval = None
    for p in item.pages_with("cnki"):
        retrieval = retrieval or _retrieval_date(p.text)
    year = issue = None
    for part in ("cover", "toc", "body", "cnki"):
        for p in item.pages_with(part):
            y, i = _issue(_head(p, 12) if part == "body" else p.text)
            year, issue = year or y, issue or i
        if issue:
            break
    return _Dates(printed, retrieval, year or (printed[0] if printed else None), issue)


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    name = ctx.name
    parts = sorted(item.parts())
    kind = "conference" if is_conference(item) else "journal"
    bodies = item.pages_with("body")
    t_body = body_title(bodies[0], name) if bodies else None
    t_retr = next((t for t in (retrieval_title(p.text) for p in item.pages_with("cnki")) if t), None)
    authors = None
    for p in [*bodies[:1], *item.pages_with("cnki")]:
        authors = author_list(p.text, name)
        if authors:
            break
    pos = authors.index(squash(name)) + 1 if authors and name and squash(name) in authors else None
    d = _dates(item)
    freq = _frequency(_pages_text(item, "nppa_lookup", "cover"))
    journal = None
    m = re.search(r"《([\u4e00-\u9fff]{2,24})[》)]", norm(_pages_text(item, "cnki")))
    if m:
        journal = m.group(1).strip()
    else:
        m = re.search(r"刊名[:：]?\s*(?!主管|主办|cn|issn)([\u4e00-\u9fff]{2,16})", norm(_pages_text(item, "nppa_lookup")))
        journal = m.group(1) if m else None
    cover_text = _pages_text(item, "cover", "proceedings")
    look = _pages_text(item, "nppa_lookup")
    cn_others = find_cn(look, bare=True) + find_cn(_pages_text(item, "toc", "body"))
    issn_others = find_issn(look, bare=True) + find_issn(_pages_text(item, "toc", "body"))
    cn, cn_fixed = settle(find_cn(cover_text), cn_others, lambda x: cn_problem(x) is None)
    issn, issn_fixed = settle(find_issn(cover_text), issn_others, _issn.is_valid)
    pub = d.retrieval or (date(*d.printed, 1) if d.printed else None)
    return {
        "kind": kind,
        "parts": parts,
        "title": t_body or t_retr,
        "title_body": t_body,
        "title_retrieval": t_retr,
        "journal": journal,
        "cn": cn,
        "issn": issn,
        "ocr_corrected": [k for k, v in (("cn", cn_fixed), ("issn", issn_fixed)) if v],
        "lookup_cn": (find_cn(look, bare=True) or [None])[0],
        "lookup_issn": (find_issn(look, bare=True) or [None])[0],
        "isbn": (find_isbns(cover_text) or [None])[0] if kind == "conference" else None,
        "year": d.year,
        "issue": d.issue,
        "printed_month": f"{d.printed[0]}-{d.printed[1]:02d}" if d.printed else None,
        "date": pub.isoformat() if pub else None,
        "date_source": "retrieval" if d.retrieval else ("printed" if d.printed else None),
        "frequency": freq[0] if freq else None,
        "authors": authors,
        "author_position": pos,
    }


# ---------------------------------------------------------------- checks

def _missing(item: Item, kind: str, lab: str) -> Iterator[Finding]:
    have = item.parts()
    at = item.pages[0] if item.pages else None
    for part, code, what in COMMON_PARTS + (JOURNAL_PARTS if kind == "journal" else ()):
        if part not in have:
            if part == "toc" and kind == "conference":
                what = "论文集目录"
            yield finding(code, f"{lab}：缺少{what}", evidence=item.id, at=at, part=part)
    if kind == "conference":
        gone = [what for part, what in CONFERENCE_PARTS if part not in have]
        if gone:
            yield finding("PAP006", f"{lab}：会议论文缺少{'、'.join(gone)}", evidence=item.id, at=at, parts=gone)


def _authors(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    name = ctx.name
    pages = [*item.pages_with("body")[:1], *item.pages_with("cnki")]
    if not pages:
        return
    at = pages[0]
    if not name:
        yield finding("GEN012", f"{lab}：未确定申报人姓名，无法核对作者", material=MATERIAL,
                      evidence=item.id, at=at, severity="info")
        return
    text = "\n".join(p.text for p in pages)
    if name_in(name, text):
        return
    if close_name(name, text):
        yield finding("GEN012", f"{lab}：作者姓名未能可靠识别，无法确认申报人{name}是否为作者",
                      material=MATERIAL, evidence=item.id, at=at, severity="info")
        return
    who = item.facts.get("authors")
    listed = f"（识别到的作者：{'、'.join(who)}）" if who else ""
    yield finding("PAP007", f"{lab}：论文正文和检索截图的作者中没有申报人{name}{listed}",
                  evidence=item.id, at=at, authors=who)


def _date(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    at = (item.pages_with("cnki") or item.pages_with("cover") or item.pages)[0] if item.pages else None
    f = item.facts
    when = f.get("date") or f.get("year")
    data = {"date": f["date"]} if f.get("date") else {"year": f.get("year")}
    found = window_finding("PAP008", lab, "发表时间", when, ctx, at=at, evidence=item.id, material=MATERIAL, **data)
    if found:
        yield found


def _numbers(item: Item, lab: str) -> Iterator[Finding]:
    f = item.facts
    cover = (item.pages_with("cover") or item.pages_with("proceedings") or [None])[0]
    at = cover or (item.pages[0] if item.pages else None)
    if f["kind"] == "conference":
        procs = item.pages_with("proceedings")
        if not procs:
            return
        text = "\n".join(p.text for p in procs)
        isbns = find_isbns(text)
        if isbns:
            bad = [n for n in isbns if not isbn_ok(n)]
            if bad:
                yield finding("PAP009", f"{lab}：会议论文集的 ISBN {bad[0]} 校验位错误或位数不对",
                              evidence=item.id, at=procs[0], isbn=bad[0])
        elif f.get("cn") or f.get("issn") or find_issn(text):
            return                                   # proceedings published as a journal issue
        elif "isbn" in norm(text):
            yield finding("GEN012", f"{lab}：会议论文集上的 ISBN 号未能识别，无法核对",
                          material=MATERIAL, evidence=item.id, at=procs[0], severity="info")
        else:
            yield finding("PAP009", f"{lab}：会议论文集上没有 ISBN 书号（也无 CN/ISSN 刊号），不是正式出版物",
                          evidence=item.id, at=procs[0])
        return
    cn, issn = f.get("cn"), f.get("issn")
    lcn, lissn = f.get("lookup_cn"), f.get("lookup_issn")
    if cn:
        why = cn_problem(cn)
        if why:
            yield finding("PAP009", f"{lab}：期刊 CN 号 {cn} 无效：{why}", evidence=item.id, at=at, cn=cn)
    if issn and not _issn.is_valid(issn):
        yield finding("PAP009", f"{lab}：期刊 ISSN {issn} 校验位错误", evidence=item.id, at=at, issn=issn)
    if not cn and not issn and not lcn and not lissn:
        src = _pages_text(item, "cover", "toc", "nppa_lookup")
        if not src.strip():
            return                                   # no page that would carry it: PAP001/PAP004
        if re.search(r"issn|\bcn\b", norm(src)):
            yield finding("GEN012", f"{lab}：期刊 CN/ISSN 号未能识别，无法核对",
                          material=MATERIAL, evidence=item.id, at=at, severity="info")
        else:
            yield finding("PAP009", f"{lab}：期刊封面和查询证明上都没有 CN 刊号或 ISSN 号，不是正规期刊",
                          evidence=item.id, at=at)
        return
    diffs = []
    if cn and lcn and cn != lcn and not _near(cn, lcn):
        diffs.append(f"CN 号（封面 {cn}，查询结果 {lcn}）")
    if issn and lissn and issn != lissn and not _near(issn, lissn):
        diffs.append(f"ISSN（封面 {issn}，查询结果 {lissn}）")
    if diffs:
        look = item.pages_with("nppa_lookup")
        yield finding("PAP010", f"{lab}：期刊封面与国家新闻出版署查询结果的{'、'.join(diffs)}不一致",
                      evidence=item.id, at=look[0] if look else at, aspect="number")


def _titles(item: Item, lab: str) -> Iterator[Finding]:
    f = item.facts
    refs = [t for t in (f.get("title_body"), f.get("title_retrieval")) if t]
    if not refs:
        if item.pages_with("body") or item.pages_with("cnki"):
            at = (item.pages_with("body") or item.pages_with("cnki"))[0]
            yield finding("GEN012", f"{lab}：未能识别论文题目，无法核对正文、目录和检索截图的题目是否一致",
                          material=MATERIAL, evidence=item.id, at=at, severity="info")
        return
    need = float(table()["paper"]["title_ratio"])
    body_text = "\n".join(p.text for p in item.pages_with("body"))
    cnki_text = "\n".join(p.text for p in item.pages_with("cnki"))
    tb, tr = f.get("title_body"), f.get("title_retrieval")
    if body_text and cnki_text:
        score = max(partial_ratio(tb, cnki_text) if tb else 0.0, partial_ratio(tr, body_text) if tr else 0.0)
        if score < need:
            shown = f"正文“{tb}”" if tb else "正文"
            shown += f"，检索截图“{tr}”" if tr else ""
            yield finding("PAP010", f"{lab}：论文正文与检索截图上的题目不一致（{shown}，相似度 {score:.0%}）",
                          evidence=item.id, at=item.pages_with("cnki")[0], aspect="title", part="cnki",
                          ratio=round(score, 2))
    tocs = item.pages_with("toc")
    if tocs:
        text = "\n".join(p.text for p in tocs)
        score = max(partial_ratio(t, text) for t in refs)
        if score < need:
            yield finding("PAP010", f"{lab}：期刊目录上找不到论文题目“{refs[0]}”（最高相似度 {score:.0%}）",
                          evidence=item.id, at=tocs[0], aspect="title", part="toc", ratio=round(score, 2))


def _issue_month(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    f = item.facts
    if f["kind"] != "journal":
        return
    d = _dates(item)
    at = (item.pages_with("cover") or item.pages_with("cnki") or item.pages)[0]
    if d.printed and d.retrieval and d.printed[0] != d.retrieval.year:
        yield finding("PAP010", f"{lab}：期刊上印的出版时间 {d.printed[0]}年{d.printed[1]}月与检索截图的发表时间 "
                      f"{d.retrieval.isoformat()} 不是同一年", evidence=item.id, at=at, aspect="date")
        return
    month = d.printed[1] if d.printed else (d.retrieval.month if d.retrieval else None)
    freq = _frequency(_pages_text(item, "nppa_lookup", "cover"))
    if not (d.issue and month and freq) or "增刊" in norm(_pages_text(item, "cover", "toc")):
        return
    word, per_year = freq
    slack = int(table()["paper"]["issue_month_slack"])
    if d.issue > per_year:
        yield finding("PAP010", f"{lab}：{word}不应有第{d.issue}期", evidence=item.id, at=at, aspect="issue")
        return
    first = math.floor((d.issue - 1) * 12 / per_year) + 1
    last = math.ceil(d.issue * 12 / per_year)
    if month < first - slack or month > last + slack:
        span = f"{first}月" if first == last else f"{first}–{last}月"
        yield finding("PAP010", f"{lab}：{word}第{d.issue}期应在 {span} 出版，材料上的出版月份是 {month} 月",
                      evidence=item.id, at=at, aspect="issue", issue=d.issue, month=month)


def check(items: list[Item], ctx: Context) -> Iterable[Finding]:
    for item in items:
        if not item.facts:
            item.facts = facts(item, ctx)
        lab = label(item, "论文")
        title = item.facts.get("title")
        if title:
            lab += f"（{title[:18]}{'…' if len(title) > 18 else ''}）"
        yield from _missing(item, item.facts["kind"], lab)
        yield from _authors(item, ctx, lab)
        yield from _date(item, ctx, lab)
        yield from _numbers(item, lab)
        yield from _titles(item, lab)
        yield from _issue_month(item, ctx, lab)
