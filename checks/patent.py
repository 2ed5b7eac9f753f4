"""专利 (附件2 item 10: 专利需已授权): PAT001–PAT004.

A granted patent is proved by its certificate (发明/实用新型/外观设计专利证书,
paper or electronic), a 专利登记簿副本 or the 授权公告 page.  Everything else
(受理通知书, 申请公布, 实质审查 notices, 缴费通知, the application text, a
bare application number, a 软件著作权登记证书) is PAT001.  The patent number
(ZL + application number + check character) is validated structurally and by
its check character (PAT002); the applicant must be an inventor/designer
(PAT003) and the 授权公告日 within the window (PAT004).

Every error rests on what was read (SPEC §7): the document kind, the number,
the inventor list and the date are Facts with provenance, and each finding
names the facts it needs, so a poor reading is "could not verify" (GEN012),
never an error.  Keyword tables: zjcheck/data/ip.toml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, window_finding
from zjcheck.codes import finding
from zjcheck.evidence import Fact, policy
from zjcheck.extract import Text, date_fact, find_dates, fuzzy_find, name_in, name_position, norm, squash
from zjcheck.extract.names import names_fact
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context

MATERIAL = "patent"
CODES = ("PAT001", "PAT002", "PAT003", "PAT004", "GEN012")

MIN_TEXT = 20          # fewer readable characters than this: the page could not be read
WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# An OCR'd number failing its check character, that one misread of a
# look-alike digit would make valid, is taken as read only from a line this
# sure (the 3 of a photographed 8 is the likelier story otherwise).
OCR_DIGIT_SURE = 0.95
LOOK_ALIKE = {"0": "689", "1": "74", "2": "7", "3": "8", "4": "1", "5": "6", "6": "058", "7": "12", "8": "0369",
              "9": "08", "x": ""}


@lru_cache(maxsize=1)
def ip_data() -> dict[str, Any]:
    """zjcheck/data/ip.toml (shared with the standard checker)."""
    return data_table("ip")


def label(item: Item, word: str) -> str:
    """patent-2 -> 专利-2 (how the notice and the applicant name the item)."""
    return f"{word}-{item.id.rsplit('-', 1)[-1]}"


# ---------------------------------------------------------------- numbers

@dataclass(frozen=True)
class PatentNumber:
    """One patent/application number as written; `problem` says what is wrong with it."""

    raw: str
    body: str                  # the digits before the check character
    check: str | None          # as written ('x' for X)
    zl: bool                   # written with the ZL prefix (a granted patent's number)
    year: int | None = None
    type_digit: str | None = None
    expected: str | None = None
    problem: str | None = None
    start: int = -1            # where it was read in the text given to find_numbers
    end: int = -1
    label: str = ""            # the label it was read after (zl, 专利号, 申请号 …), squashed

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def text(self) -> str:
        chk = (self.check or "?").upper()
        return f"{'ZL' if self.zl else ''}{self.body}.{chk}"


def check_char(body: str) -> str:
    """Check character of a CN application number: weights 2..9,2..5 over the
    digits, sum mod 11, 10 written X (the same rule for the 8-digit pre-2003 form)."""
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    r = total % 11
    return "x" if r == 10 else str(r)


def validate(body: str, check: str | None, *, zl: bool, raw: str, max_year: int) -> PatentNumber:
    """Structure (length, year, type digit) and check character of one number."""
    types = ip_data()["patent"]["types"]
    if not body.isdigit() or len(body) not in (8, 12):
        return PatentNumber(raw, body, check, zl, problem=(
            f"位数不对：{raw} 去掉 ZL 和校验位后有 {len(body)} 位，应为 12 位（2003 年 10 月起：4 位年份 + 1 位类型 + 7 位流水号）"
            f"或 8 位（2003 年前：2 位年份 + 1 位类型 + 5 位流水号）"))
    if len(body) == 12:
        year, tdigit = int(body[:4]), body[4]
        year_ok = 2003 <= year <= max_year
    else:
        yy, tdigit = int(body[:2]), body[2]
        year = 1900 + yy if yy >= 85 else 2000 + yy
        year_ok = 1985 <= year <= 2003
    expected = check_char(body)
    pn = PatentNumber(raw, body, check, zl, year, tdigit, expected)
    if not year_ok:
        return PatentNumber(raw, body, check, zl, year, tdigit, expected,
                            problem=f"{raw} 中的申请年份 {year} 不可能（{len(body)} 位申请号）")
    if tdigit not in types:
        return PatentNumber(raw, body, check, zl, year, tdigit, expected,
                            problem=f"{raw} 的专利类型位是 {tdigit}，应为 1（发明）、2（实用新型）、3（外观设计）、8 或 9（PCT 进入中国）")
    if check is None:
        return PatentNumber(raw, body, check, zl, year, tdigit, expected,
                            problem=f"{raw} 缺少校验位（应为 {body}.{expected.upper()}）")
    if check != expected:
        return PatentNumber(raw, body, check, zl, year, tdigit, expected,
                            problem=f"{raw} 的校验位是 {check.upper()}，按申请号计算应为 {expected.upper()}")
    return pn


_LABEL = re.compile(r"(?P<label>z\s*l|专\s*利\s*号|专\s*利\s*申\s*请\s*号|申\s*请\s*号)\s*[:：]?\s*(?P<zl>z\s*l)?\s*[:：]?")
_D = r"[0-9o]"
_DOT = r"[.,:\-·•。]"
_STRICT = re.compile(rf"[ \t]*(?P<body>(?:{_D}[ \t]*){{11}}{_D}|(?:{_D}[ \t]*){{7}}{_D})[ \t]*{_DOT}?[ \t]*"
                     rf"(?P<chk>[0-9x])(?![0-9]|[ \t]*[.,·][ \t]*[0-9x])")
_LOOSE = re.compile(rf"[ \t]*(?P<body>{_D}(?:[ \t]?{_D}){{4,18}})(?:[ \t]*[.,·•。][ \t]*(?P<chk>[0-9x]))?")


def find_numbers(text: str, max_year: int) -> list[PatentNumber]:
    """Every patent/application number in the text, OCR spacing tolerated:
    `ZL 2021 2 0345678.9`, `ZL202120345678.9`, `·` or `,` for the dot.
    `start`/`end` are positions in the NFKC-normalised, lower-cased text
    (the same as in a `Text.normed` view)."""
    t = unicodedata.normalize("NFKC", text).lower()
    out: list[PatentNumber] = []
    seen: set[tuple[str, bool]] = set()
    pos = 0
    while True:
        m = _LABEL.search(t, pos)
        if m is None:
            break
        pos = m.end()
        lab = re.sub(r"\s", "", m.group("label"))
        zl = lab == "zl" or bool(m.group("zl"))
        s = _STRICT.match(t, m.end()) or _LOOSE.match(t, m.end())
        if s is None:
            continue
        pos = s.end()
        body = re.sub(r"[ \t]", "", s.group("body")).replace("o", "0")
        check = s.group("chk")
        key = (body + (check or ""), zl)
        if key in seen:
            continue
        seen.add(key)
        shown = ("ZL" if zl else "") + body + (f".{check.upper()}" if check else "")
        pn = validate(body, check, zl=zl, raw=shown, max_year=max_year)
        start = m.start() if zl else s.start("body")
        out.append(replace(pn, start=start, end=s.end(), label=lab))
    return out


def look_alike_fix(pn: PatentNumber) -> bool:
    """Whether one look-alike character misread (3 for 8, 1 for 7 …) would make
    a number that fails its check character valid."""
    if pn.valid or pn.check is None or len(pn.body) not in (8, 12):
        return False
    chars = list(pn.body + pn.check)
    for i, c in enumerate(chars):
        for alt in LOOK_ALIKE.get(c, ""):
            if i == len(chars) - 1 and alt == "x":
                continue
            new = chars[:]
            new[i] = alt
            body, chk = "".join(new[:-1]), new[-1]
            if check_char(body) == chk:
                return True
    if check_char(pn.body) == "x" and pn.check in "1k":        # X read as 1 or K
        return True
    return False


# ---------------------------------------------------------------- documents

@dataclass(frozen=True)
class Kind:
    """What a page proves: 'grant' or a not-granted kind id, and the reading it rests on."""

    kind: str
    fact: Fact
    page: Page


def _keyword_fact(t: Text, keyword: str, value: Any) -> Fact | None:
    """The Fact of a keyword found in a page's text (one misread character
    tolerated in 4+ character keywords, at a lower confidence).  A keyword of
    4+ characters read exactly confirms itself: OCR does not invent 受理通知书
    out of other text, whatever else its line holds."""
    v = t.normed
    kw = norm(keyword)
    exact = v.s.find(kw)
    if exact >= 0:
        f = t.fact(value, v, exact, exact + len(kw))
        return f.confirmed(f"“{keyword}”完整读出") if len(kw) >= 4 and f.source == "ocr" else f
    span = fuzzy_find(kw, v.s)
    if span is None:
        return None
    return t.fact(value, v, *span, factor=0.9)


def page_kind(page: Page) -> Kind | None:
    """What the page proves: the grant, a not-granted document kind, or nothing."""
    data = ip_data()["patent"]
    t = Text.of(page)
    tn = t.normed.s
    for k in data["grant_strong"]:
        f = _keyword_fact(t, k, "grant")
        if f is not None:
            return Kind("grant", f, page)
    for kind in data["not_granted"]:
        if not kind.get("exclusive"):
            continue
        for k in kind["keywords"]:
            f = _keyword_fact(t, k, kind["kind"])
            if f is not None:
                return Kind(kind["kind"], f, page)
    weak = sum(1 for k in data["grant_weak"] if norm(k) in tn)
    if weak >= data["grant_weak_min"]:
        for k in ("授权公告", "证书号"):
            f = _keyword_fact(t, k, "grant")
            if f is not None:
                return Kind("grant", f.weakened(0.95), page)
    m = re.search(r"授权公告号[:：]?\s*cn\s*\d{6,12}\s*[" + "".join(data["grant_kind_codes"]) + r"]\b", tn)
    if m:
        return Kind("grant", t.fact("grant", t.normed, m.start(), m.end()), page)
    for kind in data["not_granted"]:
        for k in kind["keywords"]:
            f = _keyword_fact(t, k, kind["kind"])
            if f is not None:
                return Kind(kind["kind"], f, page)
    # what recognition decided: a certificate must carry a ZL number too
    for part in page.parts:
        if part in ("certificate", "register"):
            zl = [n for n in find_numbers(tn, 2100) if n.zl]
            if zl:
                return Kind("grant", t.fact("grant", t.normed, zl[0].start, zl[0].end).weakened(0.9), page)
            continue
        if part in ("application", "publication", "exam_notice", "spec", "software"):
            # recognition's cue without the document's own title: not proof enough for an error
            return Kind(part, Fact(part, "derived", 0.5, page.doc.rel, page.number), page)
    return None


def kind_name(kind: str) -> str:
    for k in ip_data()["patent"]["not_granted"]:
        if k["kind"] == kind:
            return k["name"]
    return kind


def field_after(text: str, labels: list[str], stops: list[str], limit: int = 60) -> str | None:
    """The value on the same line after a label (专利权人：…, 发明名称：…), squashed."""
    t = unicodedata.normalize("NFKC", text)
    for lab in labels:
        pat = r"\s*".join(re.escape(c) for c in lab)
        m = re.search(pat + r"\s*[:：]\s*(.+)", t)
        if m:
            v = squash(m.group(1)[:limit])
            for stop in stops:
                i = v.find(stop)
                if i > 0:
                    v = v[:i]
            v = v.strip(":;,.\"'”“")
            return v or None
    return None


_NAME_LIST = re.compile(r"^\s*[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3}(?:\s*[;、]\s*[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3})+\s*$")


def _unlabelled_names(t: Text) -> Fact | None:
    """The inventors when OCR lost the 发明人 label: a line made only of names
    separated by ；/、 (certificates print nothing else that way).  A guess:
    never sure enough for an error."""
    for i, line in enumerate(t.lines):
        s = unicodedata.normalize("NFKC", line.text)
        if _NAME_LIST.match(s):
            names = [re.sub(r"\s", "", x) for x in re.split(r"[;、]", s) if x.strip()]
            return t.line_fact(names, i, factor=0.7)
    return None


def _grant_date_fallback(t: Text, filing: Fact | None) -> Fact | None:
    """授权公告日 when OCR lost its label: the date written just before 授权公告号
    on the same line (certificates print both on one row), else the only date
    on the certificate that is not the filing date (a guess, never sure
    enough for an error)."""
    v = t.normed
    for m in re.finditer(r"授权公告号", v.s):
        i = v.line_at(m.start())
        start = v.starts[i]
        before = [d for d in find_dates(v.s[start:m.start()]) if d.value]
        if before:
            d = before[-1]
            return t.fact(d.value, v, start + d.start, start + d.end, factor=0.95)
    others = [d for d in find_dates(v.s) if d.value and (filing is None or d.value != filing.value)]
    if len({d.value for d in others}) == 1:
        d = others[0]
        return t.fact(d.value, v, d.start, d.end, factor=0.7)
    return None


def _value(f: Fact | None) -> Any:
    return f.value if f is not None else None


# ---------------------------------------------------------------- facts

def facts(item: Item, ctx: Context) -> dict[str, Any]:
    data = ip_data()["patent"]
    kinds = [(p, page_kind(p)) for p in item.pages]
    grants = [k for _, k in kinds if k and k.kind == "grant"]
    others = [k for _, k in kinds if k and k.kind != "grant"]
    pages = [p for p, k in kinds if not (k and k.kind != "grant")] if grants else item.pages
    rows, flat = Text.of(*pages), Text.of(*pages, rows=False)
    tn = rows.normed.s
    numbers = find_numbers(tn, ctx.catalogue.cutoff.year)
    zl = [n for n in numbers if n.zl]
    chosen = next((n for n in zl if n.valid), None) or (zl[0] if zl else None) \
        or next((n for n in numbers if n.valid), None) or (numbers[0] if numbers else None)
    number_fact = None
    if chosen is not None:
        factor = 1.0
        if not chosen.valid and look_alike_fix(chosen):
            factor = policy()["ocr_strong"] / OCR_DIGIT_SURE
        number_fact = rows.fact(chosen.text, rows.normed, chosen.start, chosen.end,
                                factor=factor if rows.lines and any(ln.source == "ocr" for ln in rows.lines) else 1.0)
    type_by_digit = data["types"].get(chosen.type_digit) if chosen and chosen.type_digit else None
    title_fact = None
    for k, v in data["titles"].items():
        title_fact = _keyword_fact(rows, k, v)
        if title_fact is not None:
            break
    type_by_title = title_fact.value if title_fact else next(
        (v for k, v in (("发明专利", "发明"), ("实用新型", "实用新型"), ("外观设计", "外观设计")) if k in tn), None)
    stops = data["field_labels"]
    inv = names_fact(rows, data["inventor_labels"], stops) or names_fact(flat, data["inventor_labels"], stops)
    inv_guessed = False
    if inv is None and grants:
        inv = _unlabelled_names(rows) or _unlabelled_names(flat)
        inv_guessed = inv is not None
    found, pos = (name_position(ctx.name, inv.value, inv.raw or "") if inv and ctx.name else (None, None))
    if inv_guessed and not found:
        inv = None          # a guessed line without the applicant proves nothing either way
    # dates by their labels, first in visual rows (OCR reads a label column and
    # a value column of the certificate apart), then in reading order
    grant = date_fact(rows, data["grant_date_labels"]) or date_fact(flat, data["grant_date_labels"])
    filing = date_fact(rows, data["filing_date_labels"]) or date_fact(flat, data["filing_date_labels"])
    grant_inferred = False
    if grant is None and grants:
        grant = _grant_date_fallback(Text.of(*[k.page for k in grants]), filing)
        grant_inferred = grant is not None
    text = "\n".join(p.text for p in pages)
    return {
        "granted": bool(grants),
        "documents": sorted({k.kind for _, k in kinds if k}),
        "document": grants[0].fact if grants else (others[0].fact if others else None),
        "not_granted_kind": others[0].kind if others and not grants else None,
        "number": number_fact,
        "number_valid": chosen.valid if chosen else None,
        "number_problem": chosen.problem if chosen else None,
        "number_label": chosen.label if chosen else None,
        "has_zl": bool(zl),
        "type": type_by_digit or type_by_title,
        "type_by_number": type_by_digit,
        "type_by_title": title_fact or type_by_title,
        "title": field_after(text, data["title_labels"], stops),
        "inventors": inv,
        "inventors_unlabelled": inv_guessed,
        "applicant_is_inventor": found,
        "applicant_position": pos,
        "patentee": field_after(text, data["patentee_labels"], stops),
        "grant_date": grant,
        "grant_date_inferred": grant_inferred,
        "filing_date": filing,
        "chars": len(squash(item.text)),
    }


# ---------------------------------------------------------------- check

def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        yield from _check_item(item, ctx)


def _first_page(item: Item, kind: str | None = None) -> Page:
    if kind:
        for p in item.pages:
            k = page_kind(p)
            if k is not None and k.kind == kind:
                return p
    return item.pages[0]


def _check_item(item: Item, ctx: Context) -> Iterator[Finding]:
    f = item.facts
    lab = label(item, "专利")
    if f.get("chars", 0) < MIN_TEXT:
        yield finding("GEN012", f"{lab}：文字几乎未能识别，无法确认是否为已授权专利", material=MATERIAL,
                      evidence=item.id, at=item.pages[0], severity="info", would_be="PAT001")
        return
    number = item.fact("number")
    # PAT001: 专利需已授权
    if not f.get("granted"):
        kind = f.get("not_granted_kind")
        if kind:
            what = kind_name(kind)
            yield finding("PAT001", f"{lab}：是{what}，不是专利证书；专利需已授权，请上传专利证书（或授权公告、专利登记簿副本）",
                          evidence=item.id, at=_first_page(item, kind), document=what,
                          needs={"文件类型": item.fact("document")})
        elif number is not None and not f.get("has_zl") and f.get("number_label") in ("申请号", "专利申请号"):
            yield finding("PAT001", f"{lab}：只有申请号 {f['number']}（无 ZL 专利号），未见专利证书；专利需已授权",
                          evidence=item.id, at=item.pages[0], document="只有专利申请号", needs={"申请号": number})
        else:
            yield finding("GEN012", f"{lab}：未能确认是否为已授权专利（未识别出专利证书、授权公告或专利登记簿副本的标志）",
                          material=MATERIAL, evidence=item.id, at=item.pages[0], severity="info", would_be="PAT001")
    cert = _first_page(item, "grant")
    # PAT002: number structure and check character
    if number is None:
        if f.get("granted"):
            yield finding("GEN012", f"{lab}：专利证书上的专利号（ZL…）未能识别，专利号未核对", material=MATERIAL,
                          evidence=item.id, at=cert, severity="info", would_be="PAT002")
    elif not f.get("number_valid"):
        yield finding("PAT002", f"{lab}：专利号格式不正确——{f['number_problem']}", evidence=item.id, at=cert,
                      number=f["number"], needs={"专利号": number})
    else:
        by_num, by_title = f.get("type_by_number"), f.get("type_by_title")
        title_fact = item.fact("type_by_title")
        if by_num and by_title and by_num != by_title and f.get("granted"):
            yield finding("PAT002", f"{lab}：专利号 {f['number']} 的类型位表示{by_num}专利，但证书是{by_title}专利证书",
                          evidence=item.id, at=cert, number=f["number"],
                          needs={"专利号": number, "证书名称": title_fact})
    if not f.get("granted"):
        return          # inventors and dates of a document that is no grant are moot
    # PAT003: applicant among the inventors
    if ctx.name:
        inv = item.fact("inventors")
        if inv is None:
            yield finding("GEN012", f"{lab}：专利证书上的发明人（设计人）未能识别，无法确认申报人是否为发明人",
                          material=MATERIAL, evidence=item.id, at=cert, severity="info", would_be="PAT003")
        elif not f.get("applicant_is_inventor"):
            names = "、".join(f["inventors"]) or "（未能逐个识别）"
            if name_in(ctx.name, item.text):
                yield finding("GEN012", f"{lab}：申报人 {ctx.name} 的姓名出现在证书上，但不在识别出的发明人（设计人）"
                                        f"名单 {names} 中，请人工核对", material=MATERIAL, evidence=item.id, at=cert,
                              severity="info", would_be="PAT003")
            else:
                yield finding("PAT003", f"{lab}：发明人（设计人）为 {names}，其中没有申报人 {ctx.name}",
                              evidence=item.id, at=cert, inventors=f["inventors"], needs={"发明人（设计人）": inv})
    # PAT004: 授权公告日 against cutoff and window
    late = window_finding("PAT004", lab, "授权公告日", f.get("grant_date"), ctx, at=cert,
                          evidence=item.id, material=MATERIAL, grant_date=f.get("grant_date"),
                          needs={"授权公告日": item.fact("grant_date")})
    if late is not None:
        yield late
