"""标准 (附件2 item 11: 标准需已发布): STD001–STD004.

Reads the cover (标准编号, 名称, 发布日期, 实施日期, 发布单位) and the 前言
(起草单位, 主要起草人).  Drafts (征求意见稿, 送审稿, 报批稿 …) are STD001; the
number must be a well-formed GB, GB/T, GB/Z, 行业标准, DBxx(/T), T/…, Q/…
number with a four-digit year (STD002); the applicant must be a drafter
(STD003); the 发布日期 within the window (STD004).

Every error rests on what was read (SPEC §7): stage, number, drafter list and
dates are Facts with provenance and each finding names the facts it needs;
a missing 前言 is an error only when the item was surely grouped and no page
of the package could be it.  Prefix tables: zjcheck/data/ip.toml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, window_finding
from zjcheck.codes import finding
from zjcheck.evidence import Fact, could_be_part, derived, grouping_confident, page_fact
from zjcheck.extract import Text, date_fact, fuzzy_find, name_in, name_position, norm, squash
from zjcheck.extract.names import names_fact
from zjcheck.extract.regions import provinces
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

MATERIAL = "standard"
CODES = ("STD001", "STD002", "STD003", "STD004", "GEN012")

MIN_TEXT = 20
HEADER_LINES = 3       # lines at the top and bottom of a page that count as header/footer
SEP = "—\\-–一_~"       # OCR reads the em dash as 一 now and then


def _data() -> dict[str, Any]:
    return data_table("ip", "standard")


def label(item: Item) -> str:
    """standard-2 -> 标准-2 (how the notice and the applicant name the item)."""
    return f"标准-{item.id.rsplit('-', 1)[-1]}"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    d = _data()
    industry = "|".join(sorted(d["industry"]["codes"], key=len, reverse=True))
    prefix = (r"gb\s*/\s*[tz]|gb|db\s*\d{2}\s*/\s*t|db\s*\d{2}|t\s*/\s*[a-z]{2,10}"
              r"|q\s*/\s*[a-z0-9]{1,12}(?:\s+[a-z]{2,8}(?=\s*\d))?"
              rf"|(?:{industry})\s*/\s*[tz]|(?:{industry})")
    strict = re.compile(rf"(?<![a-z0-9/])(?P<prefix>{prefix})\s*(?P<seq>\d{{1,6}}(?:\.\d{{1,3}}){{0,3}})"
                        rf"\s*(?P<sep>[{SEP}]{{1,2}})\s*(?P<year>\d{{4}})(?!\d)")
    loose = re.compile(rf"(?<![a-z0-9/])(?P<prefix>(?:gb|db\s*\d{{1,3}}|t|q|(?!db)[a-z]{{2}})(?:\s*/\s*[a-z0-9]{{1,10}})?)"
                       rf"\s*(?<![0-9])(?P<seq>\d{{1,6}}(?:\.\d{{1,3}}){{0,3}})"
                       rf"(?:\s*(?P<sep>[{SEP}]{{1,2}})\s*(?P<year>\d{{1,5}})|(?P<gap>\s+)(?P<year2>\d{{4}})(?!\d))?")
    return strict, loose


@dataclass(frozen=True)
class StdNumber:
    text: str
    prefix: str
    level: str | None
    year: int | None
    problem: str | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None


def _fmt_prefix(prefix: str) -> str:
    return re.sub(r"\s+", "", prefix).upper()


def level_of(prefix: str) -> str | None:
    """国家/行业/地方/团体/企业 from a (squashed, lower-case) prefix."""
    d = _data()
    lv = d["levels"]
    p = re.sub(r"\s+", "", prefix.lower())
    if p in d["national"]["prefixes"]:
        return lv["national"]
    if p.startswith("db"):
        return lv["local"]
    if p.startswith("t/"):
        return lv["group"]
    if p.startswith("q/"):
        return lv["enterprise"]
    if p.split("/")[0] in d["industry"]["codes"]:
        return lv["industry"]
    return None


def _judge(m: re.Match[str], strict: bool, max_year: int) -> StdNumber:
    d = _data()
    prefix = _fmt_prefix(m.group("prefix"))
    seq = m.group("seq")
    year_s = m.group("year") if strict else (m.group("year") or m.group("year2"))
    text = f"{prefix} {seq}" + (f"—{year_s}" if year_s else "")
    level = level_of(prefix)
    year = int(year_s) if year_s and len(year_s) == 4 else None
    problem = None
    if level is None:
        problem = (f"“{prefix}”不是国家标准（GB、GB/T、GB/Z）、行业标准（如 JB/T、QC/T）、地方标准（DB33、DB33/T）、"
                   f"团体标准（T/…）或企业标准（Q/…）的代号")
    elif prefix.startswith("DB") and re.sub(r"\D", "", prefix)[:2] not in provinces():
        code = re.sub(r"\D", "", prefix)
        problem = f"地方标准代号 {prefix} 中的 {code} 不是省级行政区划代码（浙江为 DB33）"
    elif not strict and not year_s:
        problem = f"{text} 缺少年代号（应写作“{prefix} {seq}—四位年份”）"
    elif not strict and m.group("gap") is not None:
        problem = f"{text} 的顺序号与年代号之间缺少连接号“—”"
    elif year_s and len(year_s) != 4:
        problem = f"{text} 的年代号“{year_s}”应为四位年份"
    elif year is not None and not (d["earliest_year"] <= year <= max_year):
        problem = f"{text} 的年代号 {year} 不可能"
    return StdNumber(text, prefix, level, year, problem)


def _before_is_other(text: str, start: int) -> bool:
    """Whether the number at `start` is another standard (代替 GB/T …, 按照 GB/T 1.1 …)."""
    window = squash(text[max(0, start - 12): start])
    return any(w in window for w in _data()["other_number_before"])


def find_number(pages: list[Page], cover: list[Page], max_year: int) -> tuple[StdNumber, Fact] | None:
    """The standard's own number and its reading: the first on the cover, else
    the one most page headers and footers carry (confirmed by each further page)."""
    strict, loose = _patterns()
    if cover:
        t = Text.of(*cover)
        v = t.normed
        for rx, is_strict in ((strict, True), (loose, False)):
            for m in rx.finditer(v.s):
                if _before_is_other(v.s, m.start()) or not (is_strict or _plausible_candidate(m)):
                    continue
                n = _judge(m, is_strict, max_year)
                return n, t.fact(n.text, v, m.start(), m.end())
    found: dict[str, list[Fact]] = {}
    judged: dict[str, StdNumber] = {}
    for page in pages:
        t = Text.of(page, rows=False)
        v = t.normed
        idx = [i for i in range(len(t.lines)) if v.line(i).strip()]
        for i in sorted(set(idx[:HEADER_LINES] + idx[-HEADER_LINES:])):
            line = v.line(i)
            for m in strict.finditer(line):
                if not _before_is_other(line, m.start()):
                    n = _judge(m, True, max_year)
                    judged[n.text] = n
                    found.setdefault(n.text, []).append(t.line_fact(n.text, i))
                    break
    if not found:
        return None
    best = max(found, key=lambda k: len(found[k]))
    facts = sorted(found[best], key=lambda f: -f.confidence)
    fact = facts[0]
    for other in facts[1:]:
        fact = fact.confirmed(f"{other.path}#{other.page}")
    return judged[best], fact


def _plausible_candidate(m: re.Match[str]) -> bool:
    """A loose match that looks like a standard number rather than stray letters and digits."""
    p = re.sub(r"\s+", "", m.group("prefix"))
    return "/" in p or p.startswith(("gb", "db")) or bool(m.group("sep"))


# ---------------------------------------------------------------- cover fields

_DATE_BEFORE = re.compile(r"((?:19|20)\d\d)\s*[-—–一./年]\s*(\d{1,2})\s*[-—–一./月]\s*(\d{1,2})\s*日?\s*(发布|实施)")


def cover_dates(t: Text) -> dict[str, Fact | None]:
    """发布 and 实施 dates: `2023-05-10 发布` on the cover, or 发布日期：… labels."""
    out: dict[str, Fact | None] = {"发布": None, "实施": None}
    v = t.normed
    for m in _DATE_BEFORE.finditer(v.s):
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if out[m.group(4)] is None:
            out[m.group(4)] = t.fact(d, v, m.start(), m.end(3))
    if out["发布"] is None:
        out["发布"] = date_fact(t, ["发布日期", "发布时间"])
    if out["实施"] is None:
        out["实施"] = date_fact(t, ["实施日期", "实施时间"])
    return out


_BODY_END = re.compile(r"([\u4e00-\u9fff]{3,}(?:委员会|联合会|协会|学会|总局|局|部|院|公司))[a-z\s]*$")


def issuer(text: str) -> str | None:
    """The issuing body: the cover line that ends in 发布 and carries no date
    (or, when OCR lost the 发布, the last line ending in 局, 委员会, 联合会 …)."""
    lines = [ln.replace(" ", "") for ln in norm(text).splitlines()]
    for s in lines:
        if s.endswith("发布") and not re.search(r"\d", s) and len(s) > 4:
            return s[:-2]
    for s in reversed(lines):
        m = _BODY_END.search(s)
        if m and not re.search(r"\d", s):
            return m.group(1)
    return None


def title(text: str) -> str | None:
    """The standard's name: the longest Chinese line of the cover that is no heading."""
    skip = ("标准", "ics", "ccs", "代替", "发布", "实施", "备案号", "稿", "中华人民共和国")
    best = None
    for line in norm(text).splitlines():
        s = line.replace(" ", "")
        if len(re.findall(r"[\u4e00-\u9fff]", s)) < 4 or any(k in s for k in skip) or re.search(r"\d{4}", s) \
                or _BODY_END.search(s):
            continue
        if best is None or len(s) > len(best):
            best = s
    return best


def draft_stage(item: Item) -> tuple[str, Fact, Page] | None:
    """The draft stage named on the cover, or in a page header or footer, with its reading."""
    stages = [norm(s) for s in _data()["draft_stages"]]
    cover = _cover_pages(item)
    for page in item.pages:
        t = Text.of(page, rows=False)
        v = t.normed
        idx = [i for i in range(len(t.lines)) if v.line(i).strip()]
        if not any(page is c for c in cover):
            idx = sorted(set(idx[:HEADER_LINES] + idx[-HEADER_LINES:]))
        for i in idx:
            line = v.line(i)
            for stage in stages:
                span = fuzzy_find(stage, line)
                if span is None:
                    continue
                # one misread character in a 5-character stage name (征求意儿稿) leaves no other
                # reading; one read exactly confirms itself, whatever else its line holds
                exact = stage in line
                factor = 1.0 if exact else 0.95 if len(stage) >= 5 else 0.9
                fact = t.line_fact(stage, i, factor=factor)
                if exact and len(stage) >= 4 and fact.source == "ocr":
                    fact = fact.confirmed(f"“{stage}”完整读出")
                return stage, fact, page
    return None


def units(text: str) -> list[str] | None:
    """起草单位 from the 前言: the list after 起草单位：… up to the full stop."""
    t = unicodedata.normalize("NFKC", text)
    for lab in sorted(_data()["unit_labels"], key=len, reverse=True):
        pat = r"\s*".join(re.escape(c) for c in lab)
        m = re.search(pat + r"\s*[:：]?\s*", t)
        if m:
            seg = t[m.end(): m.end() + 400]
            seg = re.split(r"[。]|\n\s*\n|本文件|本标准", seg)[0]
            out = [squash(x) for x in re.split(r"[、,;]", seg)]
            return [x for x in out if x]
    return None


# ---------------------------------------------------------------- facts

def _cover_pages(item: Item) -> list[Page]:
    """The cover: the item's first page recognised as one (a later 'cover' is a
    修改单 or the back cover), else the first page naming the standard's level."""
    pages = [p for p in item.pages if "cover" in p.parts][:1]
    if not pages:
        pages = [p for p in item.pages if re.search(r"(国家|行业|地方|团体|企业)标准", norm(p.text))][:1]
    return pages


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    d = _data()
    cover = _cover_pages(item)
    cover_text = "\n".join(p.text for p in cover)
    got = find_number(item.pages, cover, ctx.catalogue.cutoff.year + 1)
    number, number_fact = got if got else (None, None)
    dates = cover_dates(Text.of(*cover) if cover else Text.of(*item.pages))
    stage = draft_stage(item)
    stops = d["drafter_stops"]
    drafters = names_fact(Text.of(*item.pages), d["drafter_labels"], stops) \
        or names_fact(Text.of(*item.pages, rows=False), d["drafter_labels"], stops)
    found, pos = (name_position(ctx.name, drafters.value, drafters.raw or "") if drafters and ctx.name
                  else (None, None))
    level = number.level if number and number.level else next(
        (lv for lv in d["levels"].values() if lv in norm(cover_text)), None)
    return {
        "has_cover": bool(cover),
        "has_foreword": any("foreword" in p.parts for p in item.pages) or "前言" in norm(item.text),
        "number": number_fact,
        "number_valid": number.valid if number else None,
        "number_problem": number.problem if number else None,
        "number_year": number.year if number else None,
        "level": level,
        "title": title(cover_text) if cover_text else None,
        "published": dates["发布"],
        "effective": dates["实施"],
        "issuer": issuer(cover_text) if cover_text else None,
        "draft_stage": stage[1] if stage else None,
        "units": units(item.text),
        "drafters": drafters,
        "applicant_is_drafter": found,
        "applicant_position": pos,
        "chars": len(squash(item.text)),
    }


# ---------------------------------------------------------------- check

def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        yield from _check_item(item, ctx)


def _check_item(item: Item, ctx: Context) -> Iterator[Finding]:
    f = item.facts
    lab = label(item)
    if f.get("chars", 0) < MIN_TEXT:
        yield finding("GEN012", f"{lab}：文字几乎未能识别，无法确认是否为已发布的标准", material=MATERIAL,
                      evidence=item.id, at=item.pages[0], severity="info", would_be="STD001")
        return
    cover = (_cover_pages(item) or item.pages)[0]
    # STD001: 标准需已发布
    stage = draft_stage(item)
    if stage:
        yield finding("STD001", f"{lab}：是标准{stage[0]}，不是正式发布的标准；标准需已发布，请上传发布稿",
                      evidence=item.id, at=stage[2], stage=stage[0], needs={"稿次": stage[1]})
        return          # a draft has no number and date of its own yet
    if not f.get("has_cover"):
        yield finding("GEN012", f"{lab}：未找到标准封面，无法确认标准编号和发布日期", material=MATERIAL,
                      evidence=item.id, at=item.pages[0], severity="info", would_be="STD002")
    # STD002: number format
    number = item.fact("number")
    if number is None:
        if f.get("has_cover"):
            yield finding("GEN012", f"{lab}：标准封面上的标准编号未能识别，编号未核对", material=MATERIAL,
                          evidence=item.id, at=cover, severity="info", would_be="STD002")
    elif not f.get("number_valid"):
        yield finding("STD002", f"{lab}：标准编号不正确——{f['number_problem']}", evidence=item.id, at=cover,
                      number=f["number"], needs={"标准编号": number})
    elif f.get("published") and f.get("number_year"):
        py = date.fromisoformat(f["published"]).year
        if abs(py - f["number_year"]) > 1:
            yield finding("STD002", f"{lab}：标准编号 {f['number']} 的年代号 {f['number_year']} 与发布日期 {f['published']} 不符",
                          evidence=item.id, at=cover, number=f["number"],
                          needs={"标准编号": number, "发布日期": item.fact("published")})
    # STD003: applicant among the drafters
    if ctx.name:
        yield from _drafter_findings(item, ctx, lab)
    # STD004: 发布日期 against cutoff and window
    late = window_finding("STD004", lab, "发布日期", f.get("published"), ctx, at=cover,
                          evidence=item.id, material=MATERIAL, published=f.get("published"),
                          needs={"发布日期": item.fact("published")})
    if late is not None:
        yield late


def _drafter_findings(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    f = item.facts
    drafters = item.fact("drafters")
    if drafters is None:
        if f.get("has_foreword"):
            yield finding("GEN012", f"{lab}：前言中的主要起草人未能识别，无法确认申报人是否为起草人",
                          material=MATERIAL, evidence=item.id, at=item.pages[-1], severity="info", would_be="STD003")
            return
        # a missing part: only with a sure grouping and no page anywhere that could be the 前言
        maybe = could_be_part(MATERIAL, "foreword", (p for d in ctx.documents for p in d.pages), item)
        if maybe or not grouping_confident(item):
            why = "；".join(maybe.reasons[:3]) if maybe else "该标准的页面未能可靠归组"
            yield finding("GEN012", f"{lab}：未找到列有主要起草人的前言页（{why}），无法确认申报人是否为起草人",
                          material=MATERIAL, evidence=item.id, at=item.pages[0], severity="info", would_be="STD003")
            return
        read = derived(False, [page_fact(True, p) for p in item.pages])
        yield finding("STD003", f"{lab}：未找到列有主要起草人的前言页，无法证明申报人 {ctx.name} 是起草人",
                      evidence=item.id, at=item.pages[0], needs={"标准文本": read})
        return
    if f.get("applicant_is_drafter"):
        return
    names = "、".join(f["drafters"]) or "（未能逐个识别）"
    page = next((p for p in item.pages if "起草人" in norm(p.text)), item.pages[-1])
    if name_in(ctx.name, item.text):
        yield finding("GEN012", f"{lab}：申报人 {ctx.name} 的姓名出现在标准文本中，但不在识别出的主要起草人名单 {names} 中，"
                                f"请人工核对", material=MATERIAL, evidence=item.id, at=page, severity="info",
                      would_be="STD003")
        return
    yield finding("STD003", f"{lab}：主要起草人为 {names}，其中没有申报人 {ctx.name}",
                  evidence=item.id, at=page, drafters=f["drafters"], needs={"主要起草人": drafters})

