"""基本养老保险参保缴费证明 (附件2 items 4, 5): PEN001–PEN003.

What a proof shows is read row by row, in the layouts 社保 offices print:

- one row per month (费款所属期 202307, 2023-07, 2023年07月);
- one row per period (缴费起止 202301—202312 with its 缴费月数 12), a year or longer;
- a month grid: a row per year, 1月–12月 columns with √ (or amounts) and the year's 月数.

Rows marked 欠费/未缴 … do not count; lines that state the proof's own period
(证明期间 …) are not rows.  A row whose own month count is below its period's
length (202401—202412, 8) paid only that many months of it, which ones unsaid.

The proof's totals (期间缴费月数, a 合计 row, 累计缴费月数 where the rows go back
to the first month insured) cross-check the rows: rows that disagree with them
were not all read, so a month that seems missing "cannot be confirmed"
(GEN012), never PEN002.  A proof without rows (a 参保证明 with 累计缴费月数
only) shows coverage only where its statements prove it: a 证明期间 whose
期间缴费月数 equals its length, or a 累计 equal to the months from the first
month insured to the last.  PEN002 needs the rows it rests on surely read;
PEN003 the paying unit and the employer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, unassigned_could_be
from zjcheck.codes import finding
from zjcheck.evidence import Fact, derived, strong
from zjcheck.extract import Text, date_fact, fuzzy_contains, month_range, norm, periods, shift, squash, value_after
from zjcheck.extract.orgs import org_pattern, same_org
from zjcheck.materials import material_name
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context

MATERIAL = "pension"
CODES = ("PEN001", "PEN002", "PEN003", "GEN012")

YM = tuple[int, int]

_MONTH = r"(20[0-4]\d|19[5-9]\d)\s?(?:[-./年]\s?)?(0[1-9]|1[0-2]|[1-9](?=\s?月))\s?月?"
_SINGLE = re.compile(rf"(?<![\d.\-/]){_MONTH}(?![\d]|\s?[-./]\s?\d)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a 6-character 费款所属期 with the first two characters misread (s02601, z02511, 2O2404)
_OCR_MONTH = re.compile(r"(?<![0-9a-z])([2zs])([0o])([0-4][0-9])(0[1-9]|1[0-2])(?![0-9])")
_AMOUNT = re.compile(r"\d{3,6}\.\d{2}")
_FULL_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d\s?(?:年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|([-./])\s?\d{1,2}\s?\1\s?\d{1,2}(?!\d))")
# a table header with the period in two columns (起始年月 | 截止年月, 开始年月 | 终止年月)
_SPLIT_HEAD = re.compile(r"(?:起始|开始|起)年?月.{0,12}(?:截止|终止|截至|止)年?月")
_GRID_HEAD = re.compile(r"(?<!\d)(1[0-2]|[1-9])\s?月")
_GRID_ROW = re.compile(r"^\D{0,2}((?:19|20)\d\d)\s?(?:年度|年)?(?!\d)(.*)$")
_GRID_MARK = re.compile(r"[√✓✔]|(?<![a-z])v(?![a-z])")
_GRID_AMOUNT = re.compile(r"(?<![\d.])\d{3,5}(?:\.\d{1,2})?(?![\d.])")
_COUNT_TOKEN = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
_YM_VALUE = r"((?:19|20)\d\d\s?(?:[-./年]\s?)?(?:0[1-9]|1[0-2]|[1-9](?!\d)))"


# the unit after its label, past OCR specks (单位名称 。。 杭州…有限公司)
_HEAD_UNIT = re.compile(r"[^\u4e00-\u9fff]{0,4}" + org_pattern().pattern)


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "pension")


def fmt(ym: YM) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


def _ym(s: str) -> YM | None:
    m = re.match(r"((?:19|20)\d\d)\D*(\d{1,2})", squash(s))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


# ---------------------------------------------------------------- reading a proof

@dataclass
class Row:
    """One detail row of the proof as read."""

    index: int                  # line of the Text
    months: list[YM]            # the months the row covers
    kind: str                   # "month" | "period" | "grid"
    unpaid: bool = False
    stated: int | None = None   # the row's own month count
    short: int = 0              # months of `months` the count says were not paid (which ones unsaid)
    unit: str | None = None
    confirmed: bool = False     # the count agrees with the marks (or amounts) counted in the row


@dataclass
class Proof:
    """Everything read off one item (all pages of the proof)."""

    text: Text
    rows: list[Row] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)    # detail rows whose months could not be read
    printed: Fact | None = None
    first: Fact | None = None                              # 首次参保年月 (YM)
    total: Fact | None = None                              # 累计缴费月数
    last: Fact | None = None                               # 截至 (YM) of the 累计
    table_total: Fact | None = None                        # the table's 合计 row
    period: Fact | None = None                             # 证明期间 (start YM, end YM)
    period_count: Fact | None = None                       # 期间缴费月数
    unit: Fact | None = None                               # 单位名称 / 参保单位 in the header

    @property
    def paid(self) -> set[YM]:
        return {m for r in self.rows if not r.unpaid and not r.short for m in r.months}

    @property
    def unpaid(self) -> set[YM]:
        return {m for r in self.rows if r.unpaid for m in r.months}

    @property
    def partial(self) -> list[Row]:
        return [r for r in self.rows if not r.unpaid and r.short]

    def paid_count(self) -> int:
        return sum(len(r.months) - r.short for r in self.rows if not r.unpaid)

    def totals(self) -> tuple[list[str], list[str]]:
        """(agreeing, disagreeing) cross-checks of the rows against the proof's own totals."""
        agree: list[str] = []
        disagree: list[str] = []
        for label, stated, got in self.total_checks():
            (agree if stated == got else disagree).append(f"{label} {stated}，识别出的明细 {got}")
        return agree, disagree

    def deficit(self) -> int | None:
        """How many months the proof's totals state beyond the rows read (the
        largest shortfall; -1 when the rows exceed a total); None when they agree."""
        gaps = [stated - got for _label, stated, got in self.total_checks() if stated != got]
        if not gaps:
            return None
        return -1 if min(gaps) < 0 else max(gaps)

    def total_checks(self) -> list[tuple[str, int, int]]:
        """(label, stated months, months the rows show) for each total the rows can be compared with."""
        out: list[tuple[str, int, int]] = []
        if not self.rows:
            return out
        paid, listed = self.paid, self.paid | self.unpaid
        if self.period is not None and self.period_count is not None:
            span = set(month_range(*self.period.value))
            n = int(self.period_count.value)
            got = len(paid & span) + sum(len(set(r.months) & span) - r.short for r in self.partial)
            out.append(("证明期间缴费月数", n, n if n == len(listed & span) else got))
        count = self.paid_count()
        if self.table_total is not None:
            out.append(("合计月数", int(self.table_total.value), count))
        if self.total is not None and self.first is not None and listed and min(listed) <= self.first.value:
            out.append(("累计缴费月数", int(self.total.value), count))
        return out

    def lost_months(self) -> set[YM]:
        """Months an unreadable detail row stands for: those between the rows read
        before and after it (a row lost to OCR, not a gap)."""
        out: set[YM] = set()
        ordered = sorted(self.rows, key=lambda r: r.index)
        for i in self.unreadable:
            before = [r for r in ordered if r.index < i and r.months]
            after = [r for r in ordered if r.index > i and r.months]
            if before and after:
                a, b = max(before[-1].months), min(after[0].months)
                out.update(month_range(shift(a, 1), shift(b, -1)))
            elif before:
                out.update(month_range(shift(max(before[-1].months), 1), shift(max(before[-1].months), 12)))
            elif after:
                out.update(month_range(shift(min(after[0].months), -12), shift(min(after[0].months), -1)))
        return out

    def stated_months(self) -> tuple[list[YM], Fact | None]:
        """Months the proof's statements prove paid without rows: a 证明期间 with
        期间缴费月数 equal to its length; first month insured to the last with a 累计
        equal to their distance."""
        if self.period is not None and self.period_count is not None:
            span = month_range(*self.period.value)
            if int(self.period_count.value) == len(span):
                return span, derived(len(span), [self.period, self.period_count])
        if self.first is not None and self.total is not None:
            last = self.last.value if self.last is not None else (
                shift((self.printed.value.year, self.printed.value.month), -1) if self.printed is not None else None)
            if last is not None:
                span = month_range(self.first.value, last)
                if int(self.total.value) == len(span):
                    return span, derived(len(span), [self.first, self.total, self.last or self.printed])
        return [], None

    def rows_fact(self, lo: YM, hi: YM) -> Fact | None:
        """How surely the rows between lo and hi (and the rows next to them) were
        read: the weakest of them, confirmed when the proof's totals agree."""
        idx = [r.index for r in self.rows if any(lo <= m <= hi for m in r.months)]
        if not idx:
            idx = [r.index for r in self.rows]
        if not idx:
            return None
        facts = [self.text.line_fact(len(idx), i) for i in sorted(set(idx))]
        f = min(facts, key=lambda x: (strong(x), x.confidence))
        agree, _ = self.totals()
        if agree:
            f = f.confirmed("；".join(agree))
        return f


def _skip_line(sq: str, prev: str) -> bool:
    tab = table()
    if any(fuzzy_contains(squash(w), sq) for w in tab["period_line_words"]):
        return True
    if not _CJK.search(sq) and any(fuzzy_contains(squash(w), prev[-len(w) - 2:]) for w in tab["period_line_words"]):
        return True        # the value cell of a period label (ending the line before) read as a line of its own
    return any(sq.startswith(w) for w in (*tab["total_row_words"], "累计", "小计"))


def _row_unit(line: str) -> str | None:
    sq = squash(line)
    for m in org_pattern().finditer(sq):
        name = re.sub(r"^.*?(?:养老保险|基本养老|已缴费|缴费|足额)", "", m.group(1))
        if len(name) >= 6 and not any(w in name for w in table()["agency_words"]):
            return name
    return None


def _count_after(line: str, pos: int, limit: int) -> int | None:
    """The row's month count: the first small number after the period."""
    rest = _AMOUNT.sub(" ", line[pos:])
    m = _COUNT_TOKEN.search(rest)
    if m and 0 < int(m.group(1)) <= limit:
        return int(m.group(1))
    return None


def _grid_row(rest: str, year: int, proof: Proof) -> tuple[list[YM], int | None, int, bool]:
    """(months, stated count, shortfall) of one month-grid row.  The year's 月数 is
    the fact; marks are counted where the count is not read.  A count below 12 says
    which months only where no other months could have been paid (a first or a
    current year: before the first month insured, after the proof was printed)."""
    body = _GRID_AMOUNT.sub(" √ ", rest)            # a month's amount is its mark
    marks = len(_GRID_MARK.findall(body))
    nums = [int(n) for n in _COUNT_TOKEN.findall(_GRID_MARK.sub(" ", body)) if 0 < int(n) <= 12]
    stated = nums[-1] if nums else None
    n = stated if stated is not None else marks
    confirmed = stated is not None and marks == stated
    months = month_range((year, 1), (year, 12))
    possible = [m for m in months
                if (proof.first is None or m >= proof.first.value)
                and (proof.printed is None or m < (proof.printed.value.year, proof.printed.value.month))]
    if n >= 12:
        return months, stated, 0, confirmed
    if n == len(possible) and n > 0:
        return possible, stated, 0, confirmed
    return possible, stated, max(0, len(possible) - n), confirmed


def read_proof(pages: list[Any]) -> Proof:
    text = Text.of(*pages)
    proof = Proof(text)
    tab = table()
    proof.printed = date_fact(text, tab["printed_labels"], window=24)
    proof.first = _ym_fact(text, tab["first_labels"])
    proof.last = _ym_fact(text, tab["until_labels"])
    n = value_after(text, tab["total_labels"], pattern=r"(\d{1,3})(?!\d)", below=False, window=16)
    proof.total = _int_fact(n)
    n = value_after(text, tab["period_count_labels"], pattern=r"(\d{1,3})(?!\d)", below=False, window=16)
    proof.period_count = _int_fact(n)
    proof.period = _period_fact(text, tab["period_labels"])
    proof.unit = value_after(text, tab["unit_labels"], pattern=_HEAD_UNIT, below=False, window=48)
    grid = split = False
    prev = ""
    view = text.normed
    for i in range(len(text.lines)):
        line = view.line(i)
        sq = squash(line)
        if not sq:
            continue
        label_line, prev = prev, sq
        if len(_GRID_HEAD.findall(line)) >= 6:
            grid = True
            continue
        if _SPLIT_HEAD.search(sq):
            split = True
            continue
        if sq.startswith(tuple(tab["total_row_words"])):
            m = _COUNT_TOKEN.search(_AMOUNT.sub(" ", line))
            if m and proof.table_total is None:
                proof.table_total = text.line_fact(int(m.group(1)), i)
            continue
        if _skip_line(sq, label_line):
            continue
        body = _FULL_DATE.sub(" ", line)
        unpaid = any(w in sq for w in tab["unpaid_words"])
        unit = _row_unit(line)
        ps = periods(body)
        if ps:
            for p in ps:
                stated = _count_after(body, p.span[1], len(p.months))
                short = len(p.months) - stated if stated is not None else 0
                proof.rows.append(Row(i, p.months, "period", unpaid, stated, short, unit))
            continue
        g = _GRID_ROW.match(body.strip())
        if g and not grid and not _grid_like(g.group(2), unit):
            g = None
        if g:
            months, stated, short, confirmed = _grid_row(g.group(2), int(g.group(1)), proof)
            proof.rows.append(Row(i, months, "grid", unpaid, stated, short, unit, confirmed))
            continue
        found = list(_SINGLE.finditer(body))
        singles = [(int(m.group(1)), int(m.group(2))) for m in found]
        if not singles:
            singles = [(int("20" + m.group(3)), int(m.group(4))) for m in _OCR_MONTH.finditer(body)]
        if len(singles) == 2 and singles[0] < singles[1]:
            # 起始年月 and 截止年月 in two columns: a period when the table says so or the row's count does
            span = month_range(singles[0], singles[1])
            stated = _count_after(body, found[1].end(), len(span)) if len(found) == 2 else None
            if split or stated == len(span):
                short = len(span) - stated if stated is not None else 0
                proof.rows.append(Row(i, span, "period", unpaid, stated, short, unit))
                continue
        if singles:
            proof.rows.append(Row(i, sorted(set(singles)), "month", unpaid, None, 0, unit))
        elif _AMOUNT.search(body) or (unit and not any(fuzzy_contains(squash(w), sq) for w in tab["unit_labels"])):
            proof.unreadable.append(i)       # a detail row (amounts, the paying unit) but no readable month
    return proof


def _grid_like(rest: str, unit: str | None) -> bool:
    """A year's row of a month grid whose header was not read: after the year only
    marks, the year's month count and the unit (no amounts, no other year)."""
    if unit is None or _AMOUNT.search(rest) or re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", rest):
        return False
    head = rest.split(unit[:2])[0] if unit[:2] in rest else rest
    nums = _COUNT_TOKEN.findall(_GRID_MARK.sub(" ", head))
    return bool(nums) and 0 < int(nums[-1]) <= 12


def _int_fact(f: Fact | None) -> Fact | None:
    if f is None:
        return None
    try:
        return Fact(int(f.value), f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)
    except ValueError:
        return None


def _ym_fact(text: Text, labels: list[str]) -> Fact | None:
    f = value_after(text, labels, pattern=_YM_VALUE, below=False, window=24)
    ym = _ym(f.value) if f is not None else None
    if f is None or ym is None:
        return None
    return Fact(ym, f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)


def _period_fact(text: Text, labels: list[str]) -> Fact | None:
    f = value_after(text, labels, below=False, window=40)
    if f is None:
        return None
    ps = periods(norm(f.value))
    if ps:
        span = (ps[0].start, ps[0].end)
    else:       # the 至 between the two months misread (2023-07 % 2026-07): the label says it is a period
        yms = [(int(m.group(1)), int(m.group(2))) for m in _SINGLE.finditer(norm(f.value))]
        if len(yms) < 2 or yms[0] >= yms[1]:
            return None
        span = (yms[0], yms[1])
        f = f.weakened(0.95)
    return Fact(span, f.source, f.confidence, f.path, f.page, f.box, f.raw, f.valid)


def read_item(item: Item) -> Proof:
    return read_proof(item.pages)


# ---------------------------------------------------------------- facts

def window_units(proof: Proof, lo: YM, hi: YM) -> dict[str, int]:
    """Paying units named in the rows that cover months between lo and hi, with how many rows name them."""
    counts: dict[str, int] = {}
    for r in proof.rows:
        if r.unit and any(lo <= m <= hi for m in r.months):
            counts[r.unit] = counts.get(r.unit, 0) + 1
    return counts


def required_months(ctx: Context) -> list[YM]:
    years = int(ctx.catalogue.rule("pension_years"))
    cut = ctx.catalogue.cutoff
    end = shift((cut.year, cut.month), -1)
    return month_range(shift(end, -(years * 12 - 1)), end)


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    proof = read_item(item)
    need = required_months(ctx)
    agree, disagree = proof.totals()
    stated, _ = proof.stated_months()
    return {
        "unit": proof.unit.value if proof.unit else None,
        "row_units": window_units(proof, need[0], need[-1]),
        "months": [fmt(m) for m in sorted(proof.paid)],
        "months_count": len(proof.paid),
        "unpaid_months": [fmt(m) for m in sorted(proof.unpaid)],
        "partial_rows": [{"from": fmt(r.months[0]), "to": fmt(r.months[-1]), "paid": len(r.months) - r.short}
                         for r in proof.partial],
        "unreadable_rows": len(proof.unreadable),
        "printed": proof.printed.value.isoformat() if proof.printed else None,
        "first_insured": fmt(proof.first.value) if proof.first else None,
        "total_months": proof.total.value if proof.total else None,
        "totals_agree": agree,
        "totals_disagree": disagree,
        "stated_months": len(stated),
    }


# ---------------------------------------------------------------- check

def _compress(months: list[YM]) -> str:
    """2024-03, 2024-05 至 2024-08 style list of months."""
    runs: list[tuple[YM, YM]] = []
    for ym in sorted(months):
        if runs and shift(runs[-1][1], 1) == ym:
            runs[-1] = (runs[-1][0], ym)
        else:
            runs.append((ym, ym))
    return "、".join(fmt(a) if a == b else f"{fmt(a)} 至 {fmt(b)}" for a, b in runs)


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    years = int(ctx.catalogue.rule("pension_years"))
    if not items:
        maybe = unassigned_could_be(ctx.documents, MATERIAL)
        if maybe:
            yield finding("GEN012", f"无法确认是否缺少《基本养老保险参保缴费证明》：{'、'.join(p.ref for p in maybe[:3])} "
                                    "未能识别，可能就是缴费证明", material=MATERIAL, at=maybe[0], severity="info",
                          would_be="PEN001")
            return
        yield finding("PEN001", f"未找到近 {years} 年《基本养老保险参保缴费证明》")
        return
    proofs = [(it, read_item(it)) for it in items]
    item = items[0]
    at = item.pages[0]
    yield from _coverage(proofs, ctx, years)
    yield from _units(proofs, ctx, item, at)


def _coverage(proofs: list[tuple[Item, Proof]], ctx: Context, years: int) -> Iterator[Finding]:
    need = required_months(ctx)
    lo, hi = need[0], need[-1]
    item, _ = proofs[0]
    at = item.pages[0]
    paid: set[YM] = set()
    unpaid: set[YM] = set()
    statement: set[YM] = set()
    for _it, pr in proofs:
        paid |= pr.paid
        unpaid |= pr.unpaid
        stated, sf = pr.stated_months()
        if stated and strong(sf) and not pr.rows:       # rows, where read, are the more direct evidence
            statement |= set(stated)
    covered = paid | statement
    has_rows = any(pr.rows for _, pr in proofs)
    if not has_rows and not statement:
        totals = [f"累计缴费月数 {pr.total.value} 个月" for _, pr in proofs if pr.total is not None]
        what = f"证明只列出{'、'.join(totals)}，" if totals else "缴费证明中未识别出缴费明细，"
        yield finding("GEN012", f"无法确认养老保险缴费月份：{what}近 {years} 年（{fmt(lo)} 至 {fmt(hi)}）"
                                "是否逐月连续缴费未能核对；请补充打印含逐月（或逐年起止）缴费明细的参保缴费证明",
                      material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PEN002")
        return
    missing = [m for m in need if m not in covered]
    printed = next((pr.printed.value for _, pr in proofs if pr.printed is not None), None)
    grace = int(table()["recent_grace_months"])
    if printed and missing:
        missing = [m for m in missing if not (m >= (printed.year, printed.month) and m >= shift(hi, -(grace - 1)))]
    if not missing:
        return
    # months inside a row whose count is short: the gap is sure, which months is not
    partial: list[tuple[Row, Proof, list[YM]]] = []
    for _it, pr in proofs:
        for r in pr.partial:
            inside = [m for m in r.months if m in missing]
            if inside:
                partial.append((r, pr, inside))
                missing = [m for m in missing if m not in inside]
    # a month is doubtful where an unreadable row stands for it, or where the
    # proof's own totals say more months were paid than the rows read show
    doubtful: list[YM] = []
    reasons: list[str] = []
    lost = set().union(*(pr.lost_months() for _, pr in proofs))
    located = [m for m in missing if m in lost]
    if located:
        doubtful = located
        reasons.append(f"证明上有 {sum(len(pr.unreadable) for _, pr in proofs)} 行缴费明细的年月未能识别")
    for _, pr in proofs:
        d = pr.deficit()
        if d is not None and (d < 0 or d > len(located)):
            doubtful = list(missing)
            reasons.append(f"识别出的缴费明细与证明所列合计不符（{'；'.join(pr.totals()[1])}）")
            break
    if doubtful:
        missing = [m for m in missing if m not in doubtful]
        yield finding("GEN012", f"无法确认 {_compress(doubtful)} 的养老保险缴费：{'；'.join(reasons)}，请人工核对",
                      material=MATERIAL, evidence=item.id, at=at, severity="info",
                      months=[fmt(m) for m in doubtful], would_be="PEN002")
    span = f"近 {years} 年（{fmt(lo)} 至 {fmt(hi)}）"
    if missing:
        marked = [m for m in missing if m in unpaid]
        note = f"（其中 {_compress(marked)} 标为欠费/未缴）" if marked else ""
        rows = _weakest([pr.rows_fact(shift(min(missing), -1), shift(max(missing), 1)) for _, pr in proofs
                         if pr.rows])
        where = _page_of(proofs, rows) or at
        yield finding("PEN002", f"缴费证明未覆盖{span}全部月份：缺 {len(missing)} 个月：{_compress(missing)}{note}",
                      evidence=item.id, at=where, needs={"缴费明细": rows}, missing=[fmt(m) for m in missing],
                      required_from=fmt(lo), required_to=fmt(hi))
    for r, pr, inside in partial:
        outside = len(r.months) - len(inside)
        lacking = r.short if outside == 0 else max(0, r.short - outside)
        if lacking == 0:
            yield finding("GEN012", f"无法确认 {fmt(r.months[0])} 至 {fmt(r.months[-1])} 中哪些月份已缴费"
                                    f"（该行缴费月数 {r.stated}，少于 {len(r.months)} 个月），请人工核对",
                          material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PEN002")
            continue
        count = pr.text.line_fact(r.stated, r.index)
        if r.confirmed:
            count = count.confirmed("该行逐月金额/标记数与缴费月数一致")
        yield finding("PEN002", f"缴费证明未覆盖{span}全部月份：{fmt(r.months[0])} 至 {fmt(r.months[-1])} 共 "
                                f"{len(r.months)} 个月只缴费 {r.stated} 个月，近 {years} 年内至少缺 {lacking} 个月",
                      evidence=item.id, at=pr.text.lines[r.index].page or at, needs={"该行缴费月数": count}, missing_count=lacking,
                      period=[fmt(r.months[0]), fmt(r.months[-1])], required_from=fmt(lo), required_to=fmt(hi))


def _page_of(proofs: list[tuple[Item, Proof]], fact: Fact | None) -> Any:
    """The page a fact was read on."""
    if fact is None:
        return None
    for it, _ in proofs:
        for p in it.pages:
            if p.doc.rel == fact.path and p.number == fact.page:
                return p
    return None


def _weakest(facts: list[Fact | None]) -> Fact | None:
    fs = [f for f in facts if f is not None]
    if not fs:
        return None
    return min(fs, key=lambda f: (strong(f), f.confidence))


# ---------------------------------------------------------------- paying unit

def _employer_fact(ctx: Context) -> Fact | None:
    """The applicant's employer as a fact: given in the profile, or the reading
    (with its provenance) the engine inferred it from."""
    employer = ctx.profile.employer
    if not employer:
        return None
    if ctx.profile.sources.get("employer") != "inferred":
        return Fact(employer, "profile")
    found = [it.fact("employer") for it in ctx.items if it.fact("employer") is not None]
    same = [f for f in found if f is not None and f.value == employer]
    if same:
        return max(same, key=lambda f: (strong(f), f.confidence))
    return Fact(employer, "derived", 0.0)


def paying_units(proofs: list[Proof], lo: YM, hi: YM) -> dict[str, Fact]:
    """The units the proof shows paying in the required years, OCR variants merged.

    Row units (the 缴费单位 column) are the stronger evidence: a name read in two
    or more rows counts, rarer readings merge into a similar frequent one.  The
    header's 单位名称 counts unless it is a garbled reading of a row unit."""
    readings: dict[str, list[Fact]] = {}
    for pr in proofs:
        for r in pr.rows:
            if r.unit and any(lo <= m <= hi for m in r.months):
                readings.setdefault(r.unit, []).append(pr.text.line_fact(r.unit, r.index))
    merged: dict[str, list[Fact]] = {}
    for name, fs in sorted(readings.items(), key=lambda kv: -len(kv[1])):
        home = next((m for m in merged if same_org(name, m)), None)
        merged.setdefault(home or name, []).extend(fs)
    units = {u: max(fs, key=lambda f: f.confidence).confirmed(f"{len(fs)} 行")
             if len(fs) > 1 else fs[0] for u, fs in merged.items() if len(fs) >= 2 or strong(fs[0])}
    for pr in proofs:
        head = pr.unit
        if head is not None and not any(SequenceMatcher(None, squash(head.value), squash(u)).ratio() >= 0.6
                                         for u in units):
            units[head.value] = head
    return units


def _units(proofs: list[tuple[Item, Proof]], ctx: Context, item: Item, at: Any) -> Iterator[Finding]:
    need = required_months(ctx)
    units = paying_units([pr for _, pr in proofs], need[0], need[-1])
    if not units:
        yield finding("GEN012", "无法确认养老保险缴费单位（证明上的单位名称未能识别），缴费单位与工作单位是否一致未核对",
                      material=MATERIAL, evidence=item.id, at=at, severity="info", would_be="PEN003")
        return
    employer = _employer_fact(ctx)
    if employer is None:
        yield finding("GEN012", "无法确认申报人的工作单位（申报人信息和劳动合同中均未找到），缴费单位是否一致未核对",
                      material=MATERIAL, evidence=item.id, at=at, severity="info")
        return
    others = {u: f for u, f in units.items() if not same_org(u, employer.value)}
    if others:
        src = ctx.profile.sources.get("employer")
        where = material_name(ctx.profile.inferred_from["employer"]) if src == "inferred" else "申报人信息"
        yield finding("PEN003", f"养老保险缴费单位“{'、'.join(others)}”与{where}中的工作单位“{employer.value}”不一致",
                      evidence=item.id, at=at, needs={"缴费单位": _weakest(list(others.values())), "工作单位": employer},
                      units=list(others), employer=employer.value)

