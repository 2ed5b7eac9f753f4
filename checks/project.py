"""项目（合同、立项书）(附件2 item 12): PRJ001–PRJ008.

Each project needs 合同或立项书封面页, 项目金额页, 主要参与人员名单及负责的项目
工作内容 and 盖章页.  Besides the parts, the checker reads the amount in
figures and in 大写 (PRJ006 when they disagree), the applicant's role in the
participant list (PRJ003 also when the list gives nobody's work), the red
seals the reader found on the seal page, the contract dates (PRJ005 when
illogical, PRJ008 outside the window) and the parties' 统一社会信用代码 (PRJ007).

Errors rest on what was read (SPEC §7): every value a finding depends on is a
`Fact` (zjcheck.evidence) and goes into `needs=`, so a value read poorly makes
the finding "could not verify" (GEN012).  A part counts as missing only when
the item surely is a project (`_sure_project`), recognition did not give the
part, the item's own pages do not show it either (a 大写 amount, a list of
members), and no page elsewhere in the package could be it
(`evidence.could_be_part`; a page in the item's folder given to another
material whose text shows the part; a fragment item holding just the parts
this one lacks).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from stdnum.cn import uscc

from zjcheck.checkutil import data_table, window_finding
from zjcheck.codes import finding
from zjcheck.evidence import Fact, could_be_part, grouping_confident, page_source, policy
from zjcheck.extract import Text, date_fact, find_dates, fuzzy_find, fuzzy_pattern, norm, plausible_name, squash, \
    value_after
from zjcheck.extract.money import amount_reading, amounts_written
from zjcheck.extract.orgs import org_pattern
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

MATERIAL = "project"
CODES = ("PRJ001", "PRJ002", "PRJ003", "PRJ004", "PRJ005", "PRJ006", "PRJ007", "PRJ008", "GEN012")

PART_NAMES = {"cover": "合同或立项书封面页", "amount": "项目金额页",
              "personnel": "主要参与人员名单及负责的项目工作内容", "seal_page": "盖章页"}
PART_CODES = {"cover": "PRJ001", "amount": "PRJ002", "personnel": "PRJ003", "seal_page": "PRJ004"}


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return data_table("project")


# ---------------------------------------------------------------- cover fields

_LEAD_JUNK = re.compile(r"^[\s)）\]】:：.,，、_—-]+")
_MARKS = re.compile(r"\((?:甲方|乙方|丙方|盖章|公章|签章|签字|委托方|受托方)\)")


def _clean(value: str) -> str:
    """A cover value without the label's leftovers: ')(甲方) 北京…' -> '北京…'."""
    v = _LEAD_JUNK.sub("", value)
    v = _MARKS.sub("", v)
    return _LEAD_JUNK.sub("", v).strip(" _—-")


def cover_value(text: Text, labels: list[str], stops: list[str] | None = None, *,
                pattern: str | None = None) -> Fact | None:
    """The value after a cover label (on its row or below it), cleaned; None
    when no label is followed by a value.  Labels are tried together (the
    first on the page wins), then one by one: "委托方：" with its value a line
    below, after "（甲方）", reads nothing, "甲方" then reads the unit."""
    for group in ([labels], [[lab] for lab in labels]):
        for labs in group:
            f = value_after(text, labs, stops=stops or (), pattern=pattern)
            if f is None:
                continue
            v = _clean(str(f.value))
            if pattern is None and (len(re.findall(r"[\u4e00-\u9fff]", v)) < 2 or any(norm(lab) == v for lab in labels)):
                continue
            return Fact(v, f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)
    return None


def party(text: Text, labels: list[str], stops: list[str]) -> Fact | None:
    """A contract party: an organisation name (or a person) after its label."""
    f = cover_value(text, labels, stops)
    if f is None:
        return None
    org = org_pattern().search(squash(f.value))
    if org:
        return Fact(org.group(1), f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)
    v = squash(f.value)
    public = re.fullmatch(rf"[\u4e00-\u9fff]{{3,30}}(?:{'|'.join(map(re.escape, data()['cover']['public_units']))})", v)
    return f if public or plausible_name(f.value) else None


# ---------------------------------------------------------------- dates

def _end_of(d: Any) -> date:
    """The last day a date mention stands for (2025年12月 -> 2025-12-31)."""
    from calendar import monthrange
    v: date = d.value
    return v if d.day is not None else v.replace(day=monthrange(v.year, v.month)[1])


def period(text: Text, labels: list[str]) -> tuple[Fact | None, Fact | None]:
    """(start, end) written after a period label (有效期限、起止时间、服务期限 …),
    on the label's line or the next one; month-only ends stand for the month's
    last day.  Impossible dates are skipped (XDC003 reports them)."""
    v = text.normed
    for label in labels:
        lab = norm(label)
        for i in range(len(text.lines)):
            line = v.line(i)
            span = fuzzy_find(lab, line)
            if span is None:
                continue
            base = v.starts[i] + span[1]
            seg = line[span[1]:]
            if i + 1 < len(text.lines):
                seg += "\n" + v.line(i + 1)
            seg = seg[:70]
            ds = [d for d in find_dates(seg) if d.value is not None]
            if len(ds) >= 2:
                a, b = ds[0], ds[1]
                return (text.fact(a.value, v, base + a.start, base + a.end),
                        text.fact(_end_of(b), v, base + b.start, base + b.end))
    return None, None


# ---------------------------------------------------------------- amounts

def _confirm_amounts(upper: Fact | None, figure: Fact | None, text: str) -> dict[str, Fact | None]:
    """The 大写 and the figure, each confirmed where the item writes the same
    sum again (a 合计 row and a 总经费 line, the cover and the clause)."""
    uppers, figures = amounts_written(text)
    out: dict[str, Fact | None] = {"upper": upper, "figure": figure}
    eps = Decimal("0.005")
    if upper is not None and sum(1 for u in uppers if abs(u - Decimal(str(upper.value))) < eps) >= 2:
        out["upper"] = upper.confirmed("大写金额另有一处相同")
    if figure is not None and sum(1 for c in figures if any(abs(v - Decimal(str(figure.value))) < eps for v in c)) >= 2:
        out["figure"] = figure.confirmed("小写金额另有一处相同")
    return out


def misread_apart(a: float, b: float) -> bool:
    """Whether two sums differ as one misread digit would make them (one digit
    changed, dropped or added): 1500000 vs 1800000, 120000 vs 1200000."""
    x, y = f"{round(a * 100)}", f"{round(b * 100)}"
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y)) == 1
    if abs(len(x) - len(y)) != 1:
        return False
    short, long_ = sorted((x, y), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# ---------------------------------------------------------------- 统一社会信用代码

_USCC_RE = re.compile(r"统一社会信用代码[::]?([0-9a-z]{18})(?![0-9a-z])")


def uscc_codes(text: str) -> list[dict[str, Any]]:
    out = []
    for m in _USCC_RE.finditer(squash(text)):
        code = m.group(1).upper()
        out.append({"code": code, "status": _uscc_status(code)})
    return out


def _uscc_status(code: str) -> str:
    try:
        uscc.validate(code)
        return "valid"
    except Exception as e:  # noqa: BLE001 - stdnum raises its own ValidationError subclasses
        return "checksum" if type(e).__name__ == "InvalidChecksum" else "format"


def uscc_facts(text: Text) -> list[Fact]:
    """Every 统一社会信用代码 read, as a Fact whose value is the code.  A code
    OCR read with a wrong check digit is far more often a misreading than a
    wrong code: it is weakened, so it takes a second reading of the same code
    (confirmed_by) before PRJ007 may rest on it."""
    v = text.squashed
    seen: dict[str, Fact] = {}
    for m in _USCC_RE.finditer(v.s):
        code = m.group(1).upper()
        f = text.fact(code, v, *m.span(1))
        if code in seen:
            seen[code] = seen[code].confirmed(f"{f.path}#{f.page}")
            continue
        if f.source == "ocr" and _uscc_status(code) != "valid":
            f = f.weakened(0.7)
        seen[code] = f
    return list(seen.values())


# ---------------------------------------------------------------- participants

def applicant_role(text: str, name: str) -> tuple[bool, str | None, str | None]:
    """(the name is in the list, role keyword, the work text after the name)."""
    t = norm(text)
    sq_name = squash(name)
    pat = r"\s*".join(map(re.escape, sq_name))
    surnames = data()["personnel"]["surnames"]
    posts = "|".join(map(re.escape, data()["personnel"]["not_names"]))
    for m in re.finditer(pat, t):
        after = t[m.end(): m.end() + 80]
        # stop at the next row: a row number, or a line that starts with a
        # name (a surname and one or two characters) and a title or post
        after = re.split(rf"\n\s*(?:\d{{1,2}}\s|[{surnames}][\u4e00-\u9fff]{{1,2}}\s*(?:{posts}))", after,
                         maxsplit=1)[0]
        role = next((r for r in data()["personnel"]["roles"] if r in squash(after)), None)
        work = after.strip() if any(w in after for w in data()["personnel"]["work"]) else None
        return True, role, work
    return False, None, None


def role_elsewhere(text: str, name: str) -> str | None:
    """The role a label gives the applicant outside the member table:
    项目负责人：周建华, 课题负责人（签字）周建华 — the name within a few
    characters after a role label."""
    pat = r"\s*".join(map(re.escape, squash(name)))
    for role in data()["personnel"]["roles"]:
        if "负责人" in role and re.search(re.escape(role) + r"[^\n\d]{0,6}?[:：]?\s*" + pat, text):
            return role
    return None


def _not_a_row(sq: str) -> bool:
    """Headings and signature lines (项目负责人（签字）：) are no member rows."""
    d = data()["personnel"]
    return any(h in sq for h in d["list_headings"]) or any(s in sq for s in d["not_rows"])


def list_rows(text: str) -> tuple[int, int]:
    """(rows whose name was read, rows whose name was not) of a member list
    (see `read_rows`).  OCR often drops the short name cells of a ruled table."""
    rows = read_rows(text.splitlines())
    return len(rows.names), rows.unread


def lists_work(text: str) -> bool:
    """Whether any member row of the list says what someone does (a role or
    work words): a list of names and titles alone lacks the 负责的项目工作内容
    the notice asks for (附件2 item 12)."""
    return read_rows(text.splitlines()).work


# a row number: 1 / 1. / 1、 / 1周建华, but not 3月 or 12个 (a date or a count in prose)
_ROW_NO = re.compile(r"\s*(\d{1,2})(?:\s+|[.、](?!\d)|(?=[\u4e00-\u9fff]))(?![年月日号个天次条页章节批])")


def _row_name(line: str) -> tuple[str | None, bool]:
    """(the name of a member row, whether the row is numbered): the first of
    its first three cells (after a row number) that can be a personal name and
    is no title, post or role word (项目经理 and 高级技师 start with a surname
    too).  `line` keeps the spaces between cells (a text layer's or OCR's row)."""
    d = data()["personnel"]
    words = sorted(set(d["roles"]) | set(d["not_names"]), key=len, reverse=True)
    numbered = _ROW_NO.match(line) is not None       # before NFKC: ① is a clause, not a row number
    t = unicodedata.normalize("NFKC", line).strip()
    if numbered:
        t = re.sub(r"^\d{1,2}[.、]?", " ", t)
    t = re.sub("|".join(map(re.escape, words)), " | ", t)       # 周建华工程师: a title glued to the name
    cells = [c for seg in re.split(r"[|/]", t) for c in _cells(seg)][:3]
    return next((c for c in cells if plausible_name(c)), None), numbered


_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def _cells(segment: str) -> list[str]:
    """The cells of a row segment.  OCR spaces the characters of a name
    (李 明 远, 王立 军): a CJK token joins the one before it while that is
    shorter than three characters and one of the two is a single character
    (周建华 男 stays apart: the gender is no part of the name)."""
    out: list[str] = []
    for tok in segment.split():
        tok = tok.strip(",，;；:：.、\"“”'‘’()（）[]")
        if not tok:
            continue
        prev = out[-1] if out else ""
        if prev and _HAN_RUN.fullmatch(prev) and _HAN_RUN.fullmatch(tok) and len(prev) < 3 \
                and (len(tok) == 1 or len(prev) == 1) and len(prev) + len(tok) <= 4 and tok not in ("男", "女"):
            out[-1] = prev + tok
        else:
            out.append(tok)
    return out


@dataclass
class Rows:
    """The rows of a member list as read (see `read_rows`)."""

    names: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)     # line indices of the rows
    unread: int = 0                                 # rows whose name was not read
    work: bool = False                              # some row says what someone does
    members: int = 0                                # named rows with a title or a gender: people, not items


def read_rows(lines: list[str]) -> Rows:
    """The rows of a member list.  A row is a line that starts with a row
    number, or has cells (spaced apart) and says what someone does (a role or
    work words), or is a lone role cell (项目负责人，负责…: a row whose other
    cells OCR lost); prose, headings and signature lines are not, nor the
    clauses above the list's header row.  OCR rebuilds a table row whose cells
    wrap as two or three visual rows, the name on one of them: a nameless row
    next to a named one (neither numbered twice) is part of it.  A nameless
    row that is no such part, or row numbers beyond the names read, mean names
    were not read."""
    d = data()["personnel"]
    cues = d["roles"] + d["work"]
    recs: list[tuple[int, str | None, bool]] = []
    numbers: list[int] = []
    out = Rows()
    head = table_header(lines)
    for i, line in enumerate(lines):
        if head is not None and i <= head:
            continue
        sq = re.sub(r"\s+", "", norm(line))
        if not sq or _not_a_row(sq):
            continue
        name, numbered = _row_name(line)
        cue = any(c in sq for c in cues)
        if not numbered:
            cells = unicodedata.normalize("NFKC", line).split()
            role_cell = any(sq.startswith(r) for r in d["roles"])
            if "。" in sq or not ((len(cells) >= 2 and cue) or role_cell):
                continue                 # prose (a wrapped sentence), not a row of the list
        if numbered and name is None and not any(w in sq for w in cues + d["not_names"]):
            continue                     # a numbered clause (1. 温度测点不少于12个，…), not a member's row
        if numbered:
            numbers.append(int(unicodedata.normalize("NFKC", _ROW_NO.match(line).group(1))))  # type: ignore[union-attr]
        recs.append((i, name, numbered))
        out.work = out.work or cue
        if name is not None and (any(w in sq for w in d["not_names"]) or re.search("[男女]", sq)):
            out.members += 1
    absorbed = [0] * len(recs)
    for k, (_i, name, numbered) in enumerate(recs):
        if name is not None:
            continue
        for j in (k + 1, k - 1):
            if 0 <= j < len(recs) and recs[j][1] is not None and absorbed[j] < 2 and not (numbered and recs[j][2]):
                absorbed[j] += 1
                break
        else:
            out.unread += 1
    out.names = [n for _i, n, _num in recs if n is not None]
    out.at = [i for i, _n, _num in recs]
    if numbers and max(numbers) > len(set(out.names)) + out.unread and max(numbers) <= 50:
        out.unread = max(numbers) - len(set(out.names))
    return out


def _rows(lines: list[str]) -> tuple[list[str], list[int], int]:
    """(names, line indices of the rows, rows whose name was not read): `read_rows`."""
    r = read_rows(lines)
    return r.names, r.at, r.unread


def table_header(lines: list[str]) -> int | None:
    """The index of a member table's header row (姓名 with 职称, 分工, 单位 …)."""
    heads = data()["personnel"]["header_with"]
    for i, line in enumerate(lines):
        sq = squash(line)
        if "姓名" in sq and any(h in sq for h in heads):
            return i
    return None


def member_table(lines: list[str]) -> list[str]:
    """The names of a member table (a header row, then rows with names) on
    pages recognition did not call a list: [] when there is no such table."""
    if table_header(lines) is None:
        return []
    names, _rows_at, _unread = _rows(lines)
    return names


def member_list(text: Text) -> Fact | None:
    """The names of a member list's rows, as a Fact: as sure as the least sure
    row, and valid only when every row's name was read and there are at least
    two rows (a list, not the 项目负责人 line of a cover)."""
    names, rows, unread = _rows([ln.text for ln in text.lines])
    if not rows:
        return None
    v = text.normed
    start = v.starts[rows[0]]
    end = v.starts[rows[-1]] + len(v.line(rows[-1]))
    return text.fact(names, v, start, end, valid=not unread and len(set(names)) >= 2)


def near_name(name: str, names: list[str]) -> str | None:
    """A listed name one character off the applicant's (3+ characters): a
    misreading as likely as another person."""
    target = squash(name)
    if len(target) < 3:
        return None
    for n in names:
        s = squash(n)
        if len(s) == len(target) and sum(a != b for a, b in zip(s, target)) == 1:
            return n
    return None


def list_pages(item: Item) -> list[Page]:
    """Pages with the participant list; a cover naming only the 项目负责人 is not
    one.  A page of the item that continues the list (rows of names without
    the list's heading: the second page of a long 成员表) is one too."""
    pages = [p for p in item.pages_with("personnel") if p.parts[0] != "cover"]
    if not pages:
        return []
    listed = {id(p) for p in pages}
    more = [p for p in item.pages if id(p) not in listed and p.parts[:1] != ["cover"]
            and read_rows([ln.text for ln in Text.of(p).lines]).members >= 2]
    return [p for p in item.pages if id(p) in listed or any(p is q for q in more)]


def is_seal_page(page: Page) -> bool:
    """A page recognised mainly as the 盖章页, or one with two of its cues (a
    member table with a 签字 column is no seal page)."""
    if page.parts[:1] == ["seal_page"]:
        return True
    t = squash(page.text)
    return sum(1 for c in data()["seal_page"]["cues"] if squash(c) in t) >= 2


def _no_seal_fact(page: Page) -> Fact:
    """'No red seal on this page' as read: sure when the page image was
    analysed and shows no red mark at all; red marks that are no seal shape
    may be a faint or cut-off seal, so the reading is unsure."""
    analysed = bool(page.content.width) or page.content.source == "pdf-text"
    conf = 1.0 if analysed and not page.content.red_marks else 0.5
    return Fact(0, page_source(page) if analysed else "derived", conf if analysed else 0.0, page.doc.rel,
                page.number, valid=analysed)


# ---------------------------------------------------------------- facts

def facts(item: Item, ctx: Context) -> dict[str, Any]:
    d = data()
    personnel = list_pages(item)
    cover_pages = item.pages_with("cover") or item.pages[:1]
    cover_t = Text.of(*cover_pages)
    all_t = Text.of(*item.pages)
    sq_cover = squash(cover_t.raw.s).replace("〈", "(").replace("《", "(")
    kind = next((k for k in d["kinds"] if re.search(fuzzy_pattern(k), sq_cover)), None)
    stops = d["cover"]["stops"]
    project_name = cover_value(cover_t, d["cover"]["project_name"], stops)
    party_a = party(cover_t, d["cover"]["party_a"], stops)
    party_b = party(cover_t, d["cover"]["party_b"], stops)
    number = cover_value(cover_t, d["cover"]["number"], pattern=r"([a-z0-9][a-z0-9\-_/]{4,}[a-z0-9])")
    amount_pages = item.pages_with("amount") or item.pages
    amount = amount_reading(Text.of(*amount_pages))
    amount = {**amount, **_confirm_amounts(amount["upper"], amount["figure"], all_t.raw.s)}
    start, end = period(cover_t, d["dates"]["period"])
    if start is None:
        start, end = period(all_t, d["dates"]["period"])
    signed = date_fact(cover_t, d["dates"]["signed"], window=30) or date_fact(all_t, d["dates"]["signed"], window=30)
    seal_pages = [p for p in item.pages if is_seal_page(p)]
    seal_ids = {id(p) for p in seal_pages}
    list_t = Text.of(*personnel)                 # OCR'd pages as visual rows: a name beside its role
    list_text = list_t.raw.s
    members = member_list(list_t) if personnel else None
    in_list, role, work = (False, None, None)
    if ctx.name and personnel:
        in_list, role, work = applicant_role(list_text, ctx.name)
        if not in_list:
            # forms that list the 项目负责人 apart from the 主要成员 table (on the cover, in a 负责人 section)
            role = role_elsewhere(all_t.normed.s, ctx.name)
            in_list = role is not None
    listed = {id(p) for p in personnel}
    rows_elsewhere = member_table([ln.text for ln in Text.of(*[p for p in item.pages if id(p) not in listed]).lines])
    return {
        "kind": kind,
        "parts": sorted(item.parts() - {"personnel"} | ({"personnel"} if personnel else set())),
        "project_name": project_name,
        "party_a": party_a,
        "party_b": party_b,
        "number": number,
        "amount_upper": amount["upper_text"],
        "amount_upper_value": amount["upper"],
        "amount_figure_value": amount["figure"],
        "amount_agree": amount["agree"],
        "upper_anywhere": amount["upper"] is not None or amount_reading(all_t)["upper"] is not None,
        "applicant_listed": in_list if personnel and ctx.name else None,
        "members": members,
        "list_rows": list(list_rows(list_text)) if personnel else [0, 0],
        "list_has_work": lists_work(list_text) if personnel else None,
        "member_rows_elsewhere": len(set(rows_elsewhere)),
        "role": role,
        "work": work,
        "signed": signed,
        "start": start,
        "end": end,
        "seal_pages": [p.ref for p in seal_pages],
        "seals": {p.ref: len(p.content.seals) for p in item.pages if p.content.seals or id(p) in seal_ids},
        # the units named around the seals' rims (None: not read), for comparing with the parties
        "seal_units": [s.text for p in seal_pages for s in p.content.seals if s.shape in UNIT_SHAPES],
        "uscc": uscc_codes(all_t.raw.s),
    }


# ---------------------------------------------------------------- check

UNIT_SHAPES = ("round", "ellipse")      # a unit's seal (公章, 合同专用章 …); "square": a 法人名章 / 个人名章


def _label(item: Item) -> str:
    name = item.facts.get("project_name")
    return f"{item.id}（{name}）" if name else item.id


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        yield from _check_item(item, items, ctx)


def _sure_project(item: Item) -> bool:
    """Whether the item surely is a project: grouped with confidence, and a
    page of its own is a cover, amount or member page scoring clearly, or its
    cover names a kind of project document (技术开发合同, 任务书; a bare 合同
    is any contract).  An item made only of signature pages (an assessment
    form with a red seal, a 社保 page, an e-signing screenshot) is not."""
    if not grouping_confident(item):
        return False
    sure = policy()["page_confident"]
    own = any(p.parts and p.parts[0] in ("cover", "amount", "personnel") and p.score >= sure for p in item.pages)
    kind = item.facts.get("kind")
    return own or bool(kind and kind not in data()["generic_kinds"] and "cover" in item.parts())


def _shown_anyway(item: Item, part: str) -> bool:
    """The item's own pages show the part although recognition did not name
    it: a 大写 amount, or the rows of a member list."""
    f = item.facts
    if part == "amount":
        return bool(f.get("upper_anywhere"))
    if part == "personnel":
        return f.get("member_rows_elsewhere", 0) >= 2
    if part == "cover":
        return bool(f.get("project_name") and f.get("kind"))
    return False


def _folder(page: Page) -> str:
    return page.doc.rel.rsplit("/", 1)[0] if "/" in page.doc.rel else ""


def _shown_nearby(item: Item, part: str, ctx: Context) -> list[Page]:
    """Pages in the item's folders that recognition gave to another material
    (or to none) but whose text shows the part: a 大写 amount, a member table,
    a project document's title.  Pages of other project items are not
    candidates (see `_complementary`)."""
    folders = {_folder(p) for p in item.pages}
    out = []
    for doc in ctx.documents:
        for p in doc.pages:
            if p.material == MATERIAL or _folder(p) not in folders or not p.text.strip():
                continue
            t = Text.of(p)
            if part == "amount" and amount_reading(t)["upper"] is not None:
                out.append(p)
            elif part == "personnel" and len(set(member_table([ln.text for ln in t.lines]))) >= 2:
                out.append(p)
            elif part == "cover" and any(re.search(fuzzy_pattern(k), squash(p.text)) for k in data()["kinds"]
                                         if k not in data()["generic_kinds"]):
                out.append(p)
            elif part == "seal_page" and (p.content.seals or is_seal_page(p)):
                out.append(p)
    return out


def _main_parts(item: Item) -> set[str]:
    return {p.parts[0] for p in item.pages if p.parts} - {"other"}


def _complementary(item: Item, others: list[Item], part: str) -> list[Item]:
    """Other project items whose pages are mainly `part` and share no main
    part with this one: fragments of one project split over files (photos
    named 任务书1.jpg, 任务书2.jpg …) or folders."""
    mine = _main_parts(item)
    return [o for o in others if o is not item and part in _main_parts(o) and not _main_parts(o) & mine]


def _missing(item: Item, items: list[Item], part: str, ctx: Context, label: str, what: str) -> Finding:
    """PRJ001–PRJ004 for a part the item lacks, or GEN012 where that is not sure."""
    code = PART_CODES[part]
    first = item.pages[0]
    pages = [p for d in ctx.documents for p in d.pages]
    found = could_be_part(MATERIAL, part, pages, item)
    split = _complementary(item, items, part)
    why: list[str] = list(found.reasons)
    why += [f"{o.id} 有该部分，可能与本项目是同一份材料" for o in split]
    seen = {id(p) for p in found.pages}
    why += [f"同一文件夹中的 {p.ref} 可能就是该部分" for p in _shown_nearby(item, part, ctx) if id(p) not in seen]
    if not _sure_project(item):
        why.append("这些页面是否为项目材料未能可靠识别")
    if why:
        return finding("GEN012", f"{label}：未找到{what}，但{'；'.join(why)}，无法确认是否缺少", material=MATERIAL,
                       evidence=item.id, at=first, severity="info", would_be=code, part=part)
    return finding(code, f"{label}：缺少{what}", evidence=item.id, at=first, part=part)


def _check_item(item: Item, items: list[Item], ctx: Context) -> Iterator[Finding]:
    f = item.facts
    parts = set(f.get("parts", []))
    label = _label(item)
    # the four parts of 附件2 item 12
    for part in ("cover", "amount", "personnel"):
        if part not in parts and not _shown_anyway(item, part):
            yield _missing(item, items, part, ctx, label, PART_NAMES[part])
    yield from _check_seals(item, items, ctx, label)
    if "personnel" in parts:
        yield from _check_members(item, ctx, label)
    # the amount
    if "amount" in parts:
        page = item.pages_with("amount")[0]
        upper, figure = item.fact("amount_upper_value"), item.fact("amount_figure_value")
        if f.get("amount_agree") is False and upper and figure and "ocr" in (upper.source, figure.source) \
                and misread_apart(upper.value, figure.value) and not (upper.confirmed_by or figure.confirmed_by):
            # OCR read them once each, and one misread digit would explain the difference
            upper, figure = upper.weakened(0.8), figure.weakened(0.8)
        if f.get("amount_agree") is False:
            yield finding("PRJ006",
                          f"{label}：大写金额“{f['amount_upper']}”（{_money(f['amount_upper_value'])}）"
                          f"与小写金额 {_money(f['amount_figure_value'])} 不一致", evidence=item.id, at=page,
                          upper=f["amount_upper_value"], figure=f["amount_figure_value"],
                          needs={"大写金额": upper, "小写金额": figure})
        elif f.get("amount_upper_value") is None and f.get("amount_figure_value") is None:
            yield finding("GEN012", f"{label}：金额页上未能识别出项目金额", material=MATERIAL,
                          evidence=item.id, at=page, severity="info")
    if "cover" in parts and not f.get("project_name"):
        yield finding("GEN012", f"{label}：封面页上未能识别出项目名称", material=MATERIAL, evidence=item.id,
                      at=item.pages_with("cover")[0], severity="info")
    yield from _check_dates(item, ctx, label)
    # 统一社会信用代码
    for u in uscc_facts(Text.of(*item.pages)):
        if _uscc_status(u.value) == "checksum":
            yield finding("PRJ007", f"{label}：统一社会信用代码 {u.value} 校验位不正确", evidence=item.id,
                          path=u.path, page=u.page, uscc=u.value, needs={"统一社会信用代码": u})


def _check_seals(item: Item, items: list[Item], ctx: Context, label: str) -> Iterator[Finding]:
    """PRJ004: no 盖章页, or a 盖章页 without the unit's seal.  A unit's seal
    (round or oval) anywhere on the item's pages is its seal (a stamped cover
    or last clause page).  An error only where the seal page was seen in colour
    and nothing on it could be a seal; a square 法人名章 alone, or a red mark
    the size of a seal that could not be confirmed, is for a person to look at."""
    f = item.facts
    seal_pages = [p for p in item.pages if p.ref in f.get("seal_pages", [])]
    if any(s.shape in UNIT_SHAPES for p in item.pages for s in p.content.seals):
        return
    if not seal_pages:
        yield _missing(item, items, "seal_page", ctx, label, "盖章页（双方签字盖章的页面）")
        return
    if any(p.content.seals for p in seal_pages):
        yield finding("GEN012", f"{label}：盖章页上只发现方形印章（法人名章或个人名章），未发现单位公章或合同专用章，"
                      "无法确认合同已由单位盖章", material=MATERIAL, evidence=item.id, at=seal_pages[0],
                      severity="info", would_be="PRJ004")
        return
    unread = [p for p in seal_pages if not p.content.width and p.content.source != "pdf-text"]
    if unread:
        yield finding("GEN012", f"{label}：盖章页的图像未能分析，无法确认是否盖有红色印章",
                      material=MATERIAL, evidence=item.id, at=unread[0], severity="info", would_be="PRJ004")
        return
    doubtful = [p for p in seal_pages if getattr(p.content, "seal_like", 0) and not getattr(p.content, "gray", False)]
    if doubtful:
        yield finding("GEN012", f"{label}：盖章页上有红色印迹，但未能确认是印章（可能过淡、残缺或被遮挡），请人工核对",
                      material=MATERIAL, evidence=item.id, at=doubtful[0], severity="info", would_be="PRJ004")
        return
    hint = "（页面为黑白扫描，红色印章无法辨认，请改为彩色扫描）" if any(getattr(p.content, "gray", False)
                                                                 for p in seal_pages) \
        else "（若为黑白扫描，请改为彩色扫描）"
    facts_ = {f"{p.ref} 无红色印章": _no_seal_fact(p) for p in seal_pages}
    yield finding("PRJ004", f"{label}：盖章页上未发现红色印章{hint}", evidence=item.id,
                  at=seal_pages[0], pages=[p.number for p in seal_pages], needs=facts_)


def _check_members(item: Item, ctx: Context, label: str) -> Iterator[Finding]:
    """PRJ003: the applicant is not in the member list, or the list says
    nobody's work; both need the list surely read."""
    f = item.facts
    members: Fact | None = item.fact("members")
    pages = list_pages(item)
    page = next((p for p in pages if members and (p.doc.rel, p.number) == (members.path, members.page)), pages[0])
    if not ctx.name:
        yield finding("GEN012", f"{label}：不知道申报人姓名，无法确认其是否在主要参与人员名单中",
                      material=MATERIAL, evidence=item.id, at=page, severity="info")
        return
    if not f.get("applicant_listed"):
        near = near_name(ctx.name, members.value) if members else None
        if near:
            yield finding("GEN012", f"{label}：主要参与人员名单中有“{near}”，与申报人“{ctx.name}”只差一个字，"
                          "可能是识别误差，无法确认", material=MATERIAL, evidence=item.id, at=page, severity="info", would_be="PRJ003")
        elif _list_unclear(f.get("list_rows", [0, 0])):
            yield finding("GEN012", f"{label}：主要参与人员名单中有 {f['list_rows'][1]} 行的姓名未能识别，"
                          f"无法确认申报人“{ctx.name}”是否在名单中", material=MATERIAL, evidence=item.id,
                          at=page, severity="info", would_be="PRJ003")
        elif elsewhere := _name_nearby(item, ctx):
            yield finding("GEN012", f"{label}：主要参与人员名单中未找到申报人“{ctx.name}”，但同一文件夹中未识别的"
                          f"{elsewhere.ref} 上有该姓名（可能是名单的续页），无法确认", material=MATERIAL,
                          evidence=item.id, at=elsewhere, severity="info", would_be="PRJ003")
        else:
            yield finding("PRJ003", f"{label}：主要参与人员名单中没有申报人“{ctx.name}”", evidence=item.id,
                          at=page, name=ctx.name, needs={"主要参与人员名单": members})
    elif not f.get("role") and not f.get("work") and f.get("list_has_work") is False:
        yield finding("PRJ003", f"{label}：主要参与人员名单只列了姓名等，没有各人负责的项目工作内容（分工）",
                      evidence=item.id, at=page, aspect="work", needs={"主要参与人员名单": members})
    elif not f.get("role") and not f.get("work"):
        yield finding("GEN012", f"{label}：名单中有申报人，但未能识别其角色和负责的项目工作内容",
                      material=MATERIAL, evidence=item.id, at=page, severity="info", would_be="PRJ003")


def _name_nearby(item: Item, ctx: Context) -> Page | None:
    """An unrecognised page in the item's folder that names the applicant:
    the list may go on there (a second photo of a long 成员表)."""
    if not ctx.name:
        return None
    folders = {p.doc.rel.rsplit("/", 1)[0] if "/" in p.doc.rel else "" for p in item.pages}
    for doc in ctx.documents:
        folder = doc.rel.rsplit("/", 1)[0] if "/" in doc.rel else ""
        for p in doc.pages if folder in folders else []:
            if p.material == "other" and squash(ctx.name) in squash(p.text):
                return p
    return None


def _list_unclear(rows: list[int]) -> bool:
    """Any name unread: the missing applicant may be that row, so PRJ003
    cannot be asserted (could not verify, never a guess)."""
    read, unread = rows
    return unread > 0


def _money(v: float | None) -> str:
    return "未识别" if v is None else f"¥{v:,.2f}"


def _check_dates(item: Item, ctx: Context, label: str) -> Iterator[Finding]:
    f = item.facts
    start_f, end_f, signed_f = item.fact("start"), item.fact("end"), item.fact("signed")
    start = date.fromisoformat(f["start"]) if f.get("start") else None
    end = date.fromisoformat(f["end"]) if f.get("end") else None
    signed = date.fromisoformat(f["signed"]) if f.get("signed") else None
    at = (item.pages_with("cover") or item.pages)[0]
    cat = ctx.catalogue
    if start and end and end < start:
        yield finding("PRJ005", f"{label}：项目结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
                      evidence=item.id, at=at, start=start.isoformat(), end=end.isoformat(),
                      needs={"开始日期": start_f, "结束日期": end_f})
    if signed and end and signed > end and not (start and end < start):
        yield finding("PRJ005", f"{label}：签订日期 {signed.isoformat()} 晚于项目结束日期 {end.isoformat()}",
                      evidence=item.id, at=at, signed=signed.isoformat(), end=end.isoformat(),
                      needs={"签订日期": signed_f, "结束日期": end_f})
    # PRJ008: 业绩 after the cutoff, or ended before both 近五年 and 任现职
    firsts = [(d, fc) for d, fc in ((signed, signed_f), (start, start_f)) if d]
    first_day, first_fact = min(firsts, key=lambda t: t[0]) if firsts else (None, None)
    last_day, last_fact = (end, end_f) if end else (signed, signed_f)
    if first_day and first_day > cat.cutoff:
        when: tuple[str, date | None, Fact | None] = ("签订（开始）日期", first_day, first_fact)
    else:
        when = ("项目结束日期" if end else "签订日期", last_day, last_fact)
    if when[1]:
        found = window_finding("PRJ008", label, when[0], when[1], ctx, at=at, evidence=item.id, material=MATERIAL,
                               date=when[1].isoformat(), needs={when[0]: when[2]})
        if found:
            yield found
    if not (signed or start):
        yield finding("GEN012", f"{label}：未能识别合同签订日期或项目起止时间，时间未核对", material=MATERIAL,
                      evidence=item.id, at=at, severity="info", would_be="PRJ005")
