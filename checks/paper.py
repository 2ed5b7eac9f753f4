"""论文 (附件2 item 8): PAP001–PAP010.

A journal paper needs 期刊封面, 目录, 论文正文, 国家新闻出版署期刊查询证明 and a
中国知网/万方 检索截图; a conference paper needs the 论文集 plus 会议邀请函 and
报告内容 instead of the journal-only cover and 期刊查询.  Beyond the parts, the
checker reads the authors (PAP007), the publication date (PAP008), the CN/ISSN
(or the proceedings' ISBN, PAP009) and compares title, 期 and numbers between
the parts (PAP010).  Tables live in data/publication.toml.

Every error rests on what was read (SPEC §7): the kind (journal/conference)
follows what the pages show and is left open when they show neither; a
missing part is an error only for a surely grouped paper with no page that
could be the part (checkutil.missing_part); findings on read values carry
their facts (`needs=`), so a weak OCR reading becomes GEN012.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum import issn as _issn

from zjcheck.checkutil import data_table, main_parts, missing_item_part, window_finding
from zjcheck.codes import finding
from zjcheck.evidence import Fact, set_facts, derived, page_fact, weakest
from zjcheck.extract import Text, date_fact, name_in, norm, squash
from zjcheck.extract.publication import (citation, close_name, core, find_author_line, find_isbns, fix_digits, isbn_ok,
                                         journal_in_head, partial_ratio, reflowed, title_above)
from zjcheck.extract.regions import provinces
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

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


# ---------------------------------------------------------------- reading the parts

CORE_PARTS = frozenset({"cover", "toc", "body", "proceedings"})     # what makes a paper; the rest are attachments


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
    if region not in provinces() or region in ("71", "81", "82"):      # CN 刊号: mainland provinces only
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


def _pages_text(item: Item, *parts: str) -> str:
    return "\n".join(p.text for p in item.pages if set(parts) & set(p.parts))


def _page_text(page: Page) -> Text:
    """A page's lines in reading order (an author line stays one line), pieces of a
    text layer joined back."""
    return reflowed(Text.of(page, rows=False))


def _record(kind: str) -> re.Pattern[str]:
    return re.compile("|".join(table()["paper"][f"{kind}_record"]))


_ARTICLE_NO = re.compile(r"文章编号\s*[:：]?\s*\d{4}\s*[-—–]?\s*\d{3}[\dx]")


def paper_kind(item: Item) -> tuple[str | None, list[str]]:
    """("journal" | "conference" | None, what says so).  A 论文集 makes a
    conference paper; a journal cover, a 期刊查询, a running head with 卷/期 or
    a journal record make a journal paper (an invitation beside them changes
    nothing); an invitation or slides alone make a conference paper.  Nothing
    of these: unknown, and the kind's own parts are not asked for."""
    mains = main_parts(item)
    if "proceedings" in mains:
        return "conference", ["会议论文集"]
    why = []
    if "cover" in mains:
        why.append("期刊封面")
    if "nppa_lookup" in mains:
        why.append("期刊查询证明")
    for p in item.pages_with("body")[:1]:
        head = norm(_head(p, 14))
        if re.search(r"第\s*\d+\s*卷|第\s*\d{1,2}\s*期|vol\s*\.?\s*\d", head) or _ARTICLE_NO.search(norm(p.text)):
            why.append("正文页眉的卷期")
    cnki = norm(_pages_text(item, "cnki"))
    if _record("journal").search(cnki):
        why.append("检索记录（期刊）")
    if why:
        return "journal", why
    conf = [w for part, w in (("invitation", "会议邀请函"), ("report", "会议报告")) if part in mains]
    if _record("conference").search(cnki):
        conf.append("检索记录（会议）")
    return ("conference", conf) if conf else (None, [])


def _authors_fact(item: Item, name: str | None) -> Fact | None:
    """The author list: the body's author line, else the retrieval record's, else a 引用格式 line."""
    for page in [*item.pages_with("body")[:1], *item.pages_with("cnki"), *item.pages_with("proceedings")]:
        t = _page_text(page)
        found = find_author_line(t, name)
        if found:
            i, names = found
            return t.line_fact(names, i)
    for page in item.pages_with("body")[:2]:
        cite = citation(page.text)
        if cite:
            return page_fact(cite[0], page)
    return None


def _journal_from_head(item: Item, name: str | None) -> str | None:
    """The journal's name in the running head above the article's title."""
    for page in item.pages_with("body")[:1]:
        t = _page_text(page)
        found = find_author_line(t, name)
        above = title_above(t, found[0]) if found else None
        if above:
            return journal_in_head(t, above[1][0])
    return None


def _title_fact(item: Item, name: str | None) -> Fact | None:
    """The title printed above the author line of the article's first page (or in its 引用格式)."""
    for page in item.pages_with("body")[:2]:
        t = _page_text(page)
        found = find_author_line(t, name)
        if found:
            above = title_above(t, found[0])
            if above:
                title, idx = above
                return Fact(title, *_where(t, idx))
        cite = citation(page.text)
        if cite:
            return page_fact(_display(cite[1]), page)
    return None


def _where(t: Text, idx: list[int]) -> tuple[Any, ...]:
    f = t.line_fact(None, idx[0])
    conf = min((t.line_fact(None, i).confidence for i in idx), default=f.confidence)
    return f.source, conf, f.path, f.page, f.box


def _number_facts(pages: list[Page], finder) -> list[Fact]:  # type: ignore[no-untyped-def]
    """Every CN (or ISSN) number on the pages, as facts of the line it was read on."""
    out: list[Fact] = []
    for page in pages:
        t = Text.of(page)
        for i, ln in enumerate(t.lines):
            out.extend(t.line_fact(n, i) for n in finder(ln.text))
    return out


def _retrieval_fact(pages: list[Page]) -> Fact | None:
    """发表时间 on a CNKI/万方 record: after its label, else a YYYY-MM-DD that is no clock."""
    for page in pages:
        t = Text.of(page)
        f = date_fact(t, table()["paper"]["date_labels"])
        if f is not None:
            return f
        for i, ln in enumerate(t.lines):
            d = _retrieval_date(ln.text)
            if d:
                return t.line_fact(d, i)
    return None


def _printed_fact(item: Item) -> Fact | None:
    """(year, month) printed on the cover, 论文集, 目次 or the article's running head."""
    for part in ("cover", "proceedings", "toc", "body"):
        for page in item.pages_with(part)[:1 if part == "body" else None]:
            t = Text.of(page, rows=False)
            for i, ln in enumerate(t.lines[:14] if part == "body" else t.lines):
                ms = _months(ln.text)
                if ms:
                    return t.line_fact(ms[0], i)
            if part == "body":          # a text layer writing 2 0 1 1 / 年 / 3 / 月 piece by piece
                ms = _months(squash(_head(page, 14)))
                if ms:
                    return page_fact(ms[0], page)
    return None


def _issue_fact(item: Item) -> Fact | None:
    """(year, issue) from '2024年 第41卷 第5期' on the cover, 目次, running head or record."""
    for part in ("cover", "toc", "body", "cnki"):
        for page in item.pages_with(part)[:1 if part == "body" else None]:
            text = squash(_head(page, 14)) if part == "body" else page.text
            y, i = _issue(text)
            if i:
                return page_fact((y, i), page)
    return None


def _page_fact(pages: list[Page]) -> Fact | None:
    """How surely a page as a whole was read (for findings about what it lacks)."""
    return page_fact(True, pages[0]) if pages else None


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    name = ctx.name
    kind, kind_why = paper_kind(item)
    title_f = _title_fact(item, name)
    t_retr = next((t for t in (retrieval_title(p.text) for p in item.pages_with("cnki")) if t), None)
    authors_f = _authors_fact(item, name)
    authors = authors_f.value if authors_f else None
    pos = authors.index(squash(name)) + 1 if authors and name and squash(name) in authors else None
    retrieval_f = _retrieval_fact(item.pages_with("cnki"))
    printed_f = _printed_fact(item)
    issue_f = _issue_fact(item)
    freq = _frequency(_pages_text(item, "nppa_lookup", "cover"))
    journal = None
    m = re.search(r"《([\u4e00-\u9fff]{2,24})[》)]", norm(_pages_text(item, "cnki")))
    if m:
        journal = m.group(1).strip()
    else:
        m = re.search(r"刊\s*名[:：]?\s*(?!主管|主办|cn|issn)([\u4e00-\u9fff]{2,16})",
                      norm(_pages_text(item, "nppa_lookup", "cnki")))
        journal = m.group(1) if m else _journal_from_head(item, name)
    covers = item.pages_with("cover") + item.pages_with("proceedings")
    looks = item.pages_with("nppa_lookup")
    others = looks + item.pages_with("toc") + item.pages_with("body")
    cn_f = _settle(_number_facts(covers, find_cn),
                   _number_facts(looks, lambda s: find_cn(s, bare=True)) + _number_facts(others, find_cn),
                   lambda x: cn_problem(x) is None)
    issn_f = _settle(_number_facts(covers, find_issn),
                     _number_facts(looks, lambda s: find_issn(s, bare=True)) + _number_facts(others, find_issn),
                     _issn.is_valid)
    isbn_f = None
    if kind == "conference":
        isbns = _number_facts(item.pages_with("proceedings") or covers, find_isbns)
        isbn_f = isbns[0] if isbns else None
    if retrieval_f is not None:
        date_f = retrieval_f
    elif printed_f is not None:
        y, mo = printed_f.value
        date_f = derived(date(y, mo, 1), [printed_f])
    else:
        date_f = None
    if retrieval_f is not None:
        year = derived(retrieval_f.value.year, [retrieval_f])
    elif issue_f is not None and issue_f.value[0]:
        year = derived(issue_f.value[0], [issue_f])
    else:
        year = derived(printed_f.value[0], [printed_f]) if printed_f else None
    look_text = _pages_text(item, "nppa_lookup")
    return {
        "kind": kind,
        "kind_why": kind_why,
        "parts": sorted(item.parts()),
        "title": title_f.value if title_f else t_retr,
        "title_body": title_f,
        "title_retrieval": t_retr,
        "journal": journal,
        "cn": cn_f,
        "issn": issn_f,
        "ocr_corrected": [k for k, f in (("cn", cn_f), ("issn", issn_f)) if f is not None and f.confirmed_by],
        "lookup_cn": (find_cn(look_text, bare=True) or [None])[0],
        "lookup_issn": (find_issn(look_text, bare=True) or [None])[0],
        "isbn": isbn_f,
        "year": year,
        "issue": issue_f.value[1] if issue_f else None,
        "printed_month": (f"{printed_f.value[0]}-{printed_f.value[1]:02d}" if printed_f else None),
        "date": date_f,
        "date_source": "retrieval" if retrieval_f else ("printed" if printed_f else None),
        "frequency": freq[0] if freq else None,
        "authors": authors_f,
        "author_position": pos,
    }


def _settle(own: list[Fact], others: list[Fact], valid) -> Fact | None:  # type: ignore[no-untyped-def]
    """The cover's number as a fact; when it is invalid but a valid reading one
    misread character away exists elsewhere (lookup, 目次, DOI), that reading,
    marked as confirmed by the cover (an OCR correction)."""
    value, fixed = settle([f.value for f in own], [f.value for f in others], valid)
    if value is None:
        return None
    pool = own + others
    f = next((x for x in pool if x.value == value), None)
    if f is None:
        return None
    return f.confirmed("cover") if fixed else f


# ---------------------------------------------------------------- checks

def _belongs(item: Item, part: str):  # type: ignore[no-untyped-def]
    """Whether an item of attachments only (a CNKI screenshot in the papers' common
    folder) shows this paper: its pages of `part` carry this paper's title."""
    title = item.facts.get("title")
    need = float(table()["paper"]["title_ratio"])

    def test(other: Item) -> bool:
        text = "\n".join(p.text for p in other.pages_with(part))
        return bool(title and text and partial_ratio(title, text) >= need)
    return test


def _absent(item: Item, ctx: Context, code: str, part: str, what: str, lab: str, at: Page | None,
            **data: Any) -> Finding | None:
    return missing_item_part(MATERIAL, item, ctx, code, part, what, lab, core_parts=CORE_PARTS, at=at,
                        belongs=_belongs(item, part), **data)


def _missing(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    kind = item.facts.get("kind")
    have = item.parts()
    at = item.pages[0] if item.pages else None
    for part, code, what in COMMON_PARTS + (JOURNAL_PARTS if kind == "journal" else ()):
        if part not in have:
            if part == "toc" and kind == "conference":
                what = "论文集目录"
            found = _absent(item, ctx, code, part, what, lab, at)
            if found:
                yield found
    if kind is None and not have & {"cover", "nppa_lookup", "invitation", "report"}:
        yield finding("GEN012", f"{lab}：无法判断是期刊论文还是会议论文（没有期刊封面、期刊查询证明、论文集或会议邀请函），"
                                "未核对期刊封面、国家新闻出版署查询证明或会议邀请函、报告内容", material=MATERIAL,
                      evidence=item.id, at=at, severity="info")
    if kind == "conference":
        gone = [(part, what) for part, what in CONFERENCE_PARTS if part not in have]
        if gone:
            found = _absent(item, ctx, "PAP006", gone[0][0], "、".join(w for _, w in gone), lab, at,
                            missing_parts=[w for _, w in gone])
            if found and found.code == "PAP006":
                found.message = f"{lab}：会议论文缺少{'、'.join(w for _, w in gone)}"
            if found:
                yield found


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
                      material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PAP007")
        return
    fact = item.fact("authors")
    who = item.facts.get("authors")
    listed = f"（识别到的作者：{'、'.join(who)}）" if who else ""
    yield finding("PAP007", f"{lab}：论文正文和检索截图的作者中没有申报人{name}{listed}",
                  evidence=item.id, at=fact and _page_of(item, fact) or at, authors=who, needs={"作者名单": fact})


def _page_of(item: Item, fact: Fact) -> Page | None:
    return next((p for p in item.pages if p.doc.rel == fact.path and p.number == fact.page), None)


def _date(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    at = (item.pages_with("cnki") or item.pages_with("cover") or item.pages)[0] if item.pages else None
    f = item.facts
    fact = item.fact("date")
    when = f.get("date") or f.get("year")
    data = {"date": f["date"]} if f.get("date") else {"year": f.get("year")}
    needs = {"发表时间": fact if f.get("date") else item.fact("year")} if when else {}
    found = window_finding("PAP008", lab, "发表时间", when, ctx, at=fact and _page_of(item, fact) or at,
                           evidence=item.id, material=MATERIAL, needs=needs or None, **data)
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
        isbns = _number_facts(procs, find_isbns)
        if isbns:
            bad = [n for n in isbns if not isbn_ok(n.value)]
            if bad and not any(isbn_ok(n.value) for n in isbns):
                yield finding("PAP009", f"{lab}：会议论文集的 ISBN {bad[0].value} 校验位错误或位数不对",
                              evidence=item.id, at=_page_of(item, bad[0]) or procs[0], isbn=bad[0].value,
                              needs={"ISBN": bad[0]})
        elif f.get("cn") or f.get("issn") or find_issn(text):
            return                                   # proceedings published as a journal issue
        elif "isbn" in norm(text):
            yield finding("GEN012", f"{lab}：会议论文集上的 ISBN 号未能识别，无法核对",
                          material=MATERIAL, evidence=item.id, at=procs[0], severity="info", would_be="PAP009")
        else:
            yield finding("PAP009", f"{lab}：会议论文集上没有 ISBN 书号（也无 CN/ISSN 刊号），不是正式出版物",
                          evidence=item.id, at=procs[0], needs={"论文集封面": _page_fact(procs)})
        return
    if f["kind"] != "journal":
        return
    cn_f, issn_f = item.fact("cn"), item.fact("issn")
    cn, issn = f.get("cn"), f.get("issn")
    lcn, lissn = f.get("lookup_cn"), f.get("lookup_issn")
    if cn:
        why = cn_problem(cn)
        if why:
            yield finding("PAP009", f"{lab}：期刊 CN 号 {cn} 无效：{why}", evidence=item.id,
                          at=cn_f and _page_of(item, cn_f) or at, cn=cn, needs={"CN 号": cn_f})
    if issn and not _issn.is_valid(issn):
        yield finding("PAP009", f"{lab}：期刊 ISSN {issn} 校验位错误", evidence=item.id,
                      at=issn_f and _page_of(item, issn_f) or at, issn=issn, needs={"ISSN": issn_f})
    if not cn and not issn and not lcn and not lissn:
        pages = item.pages_with("cover") + item.pages_with("toc") + item.pages_with("nppa_lookup")
        src = "\n".join(p.text for p in pages)
        if not src.strip():
            return                                   # no page that would carry it: PAP001/PAP004
        if re.search(r"issn|\bcn\b|连续出版物号", norm(src)):
            yield finding("GEN012", f"{lab}：期刊 CN/ISSN 号未能识别，无法核对",
                          material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PAP009")
        else:
            yield finding("PAP009", f"{lab}：期刊封面和查询证明上都没有 CN 刊号或 ISSN 号，不是正规期刊",
                          evidence=item.id, at=at, needs={"期刊封面和查询证明": _page_fact(pages)})
        return
    diffs = []
    if cn and lcn and cn != lcn and not _near(cn, lcn):
        diffs.append(f"CN 号（封面 {cn}，查询结果 {lcn}）")
    if issn and lissn and issn != lissn and not _near(issn, lissn):
        diffs.append(f"ISSN（封面 {issn}，查询结果 {lissn}）")
    if diffs:
        look = item.pages_with("nppa_lookup")
        yield finding("PAP010", f"{lab}：期刊封面与国家新闻出版署查询结果的{'、'.join(diffs)}不一致",
                      evidence=item.id, at=look[0] if look else at, aspect="number",
                      needs={"封面刊号": weakest([cn_f, issn_f] if cn_f and issn_f else [cn_f or issn_f]),
                             "查询结果": _page_fact(look)})


def _titles(item: Item, lab: str) -> Iterator[Finding]:
    f = item.facts
    refs = [t for t in (f.get("title_body"), f.get("title_retrieval")) if t]
    if not refs:
        if item.pages_with("body") or item.pages_with("cnki"):
            at = (item.pages_with("body") or item.pages_with("cnki"))[0]
            yield finding("GEN012", f"{lab}：未能识别论文题目，无法核对正文、目录和检索截图的题目是否一致",
                          material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PAP010")
        return
    need = float(table()["paper"]["title_ratio"])
    tb_fact = item.fact("title_body")
    body_text = "\n".join(p.text for p in item.pages_with("body"))
    cnki_pages = item.pages_with("cnki")
    cnki_text = "\n".join(p.text for p in cnki_pages)
    tb, tr = f.get("title_body"), f.get("title_retrieval")
    if body_text and cnki_text:
        score = max(partial_ratio(tb, cnki_text) if tb else 0.0, partial_ratio(tr, body_text) if tr else 0.0)
        if score < need:
            shown = f"正文“{tb}”" if tb else "正文"
            shown += f"，检索截图“{tr}”" if tr else ""
            yield finding("PAP010", f"{lab}：论文正文与检索截图上的题目不一致（{shown}，相似度 {score:.0%}）",
                          evidence=item.id, at=cnki_pages[0], aspect="title", part="cnki",
                          ratio=round(score, 2), needs={"正文题目": tb_fact if tb else None,
                                                        "检索截图": _page_fact(cnki_pages)})
    tocs = item.pages_with("toc")
    if tocs:
        text = "\n".join(p.text for p in tocs)
        score = max(partial_ratio(t, text) for t in refs)
        if score < need:
            yield finding("PAP010", f"{lab}：期刊目录上找不到论文题目“{refs[0]}”（最高相似度 {score:.0%}）",
                          evidence=item.id, at=tocs[0], aspect="title", part="toc", ratio=round(score, 2),
                          needs={"论文题目": tb_fact or _page_fact(cnki_pages), "目录": _page_fact(tocs)})


def _issue_month(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    f = item.facts
    if f["kind"] != "journal":
        return
    printed_f, retrieval_f, issue_f = _printed_fact(item), _retrieval_fact(item.pages_with("cnki")), _issue_fact(item)
    printed = printed_f.value if printed_f else None
    retrieval = retrieval_f.value if retrieval_f else None
    at = (item.pages_with("cover") or item.pages_with("cnki") or item.pages)[0]
    if printed and retrieval and printed[0] != retrieval.year:
        yield finding("PAP010", f"{lab}：期刊上印的出版时间 {printed[0]}年{printed[1]}月与检索截图的发表时间 "
                      f"{retrieval.isoformat()} 不是同一年", evidence=item.id, at=at, aspect="date",
                      needs={"期刊上印的出版时间": printed_f, "检索截图的发表时间": retrieval_f})
        return
    month = printed[1] if printed else (retrieval.month if retrieval else None)
    month_f = printed_f if printed else retrieval_f
    freq = _frequency(_pages_text(item, "nppa_lookup", "cover"))
    issue = issue_f.value[1] if issue_f else None
    if not (issue and month and freq) or "增刊" in norm(_pages_text(item, "cover", "toc")):
        return
    word, per_year = freq
    slack = int(table()["paper"]["issue_month_slack"])
    needs = {"期号": issue_f, "出版月份": month_f}
    if issue > per_year:
        yield finding("PAP010", f"{lab}：{word}不应有第{issue}期", evidence=item.id, at=at, aspect="issue",
                      needs=needs)
        return
    first = math.floor((issue - 1) * 12 / per_year) + 1
    last = math.ceil(issue * 12 / per_year)
    if month < first - slack or month > last + slack:
        span = f"{first}月" if first == last else f"{first}–{last}月"
        yield finding("PAP010", f"{lab}：{word}第{issue}期应在 {span} 出版，材料上的出版月份是 {month} 月",
                      evidence=item.id, at=at, aspect="issue", issue=issue, month=month, needs=needs)


def check(items: list[Item], ctx: Context) -> Iterable[Finding]:
    for item in items:
        if not item.facts:
            set_facts(item, facts(item, ctx))
        lab = label(item, "论文")
        title = item.facts.get("title")
        if title:
            lab += f"（{title[:18]}{'…' if len(title) > 18 else ''}）"
        yield from _missing(item, ctx, lab)
        yield from _authors(item, ctx, lab)
        yield from _date(item, ctx, lab)
        yield from _numbers(item, lab)
        yield from _titles(item, lab)
        yield from _issue_month(item, ctx, lab)

