"""专利 (附件2 item 10: 专利需已授权): PAT001–PAT004.

A granted patent is proved by its certificate (发明/实用新型/外观设计专利证书),
a 专利登记簿副本 or the 授权公告 page.  Everything else (受理通知书, 申请公布,
实质审查 notices, 缴费通知, a bare application number) is PAT001.  The
patent number (ZL + application number + check character) is validated
structurally and by its check character (PAT002); the applicant must be an
inventor/designer (PAT003) and the 授权公告日 within the window (PAT004).
Keyword tables: zjcheck/data/ip.toml.
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
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.extract import date_after, find_dates, fuzzy_pattern, norm, squash

MATERIAL = "patent"
CODES = ("PAT001", "PAT002", "PAT003", "PAT004")

MIN_TEXT = 20          # fewer readable characters than this: the page could not be read
WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


@lru_cache(maxsize=1)
def ip_data() -> dict[str, Any]:
    """zjcheck/data/ip.toml (shared with the standard checker)."""
    return data_table("ip")


def has_keyword(text_norm: str, keyword: str) -> bool:
    """Keyword in normalised text; 4+ character keywords tolerate one misread character."""
    return re.search(fuzzy_pattern(keyword), text_norm) is not None


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
_STRICT = re.compile(rf"[ \t]*(?P<body>(?:{_D}[ \t]*){{11}}{_D}|(?:{_D}[ \t]*){{7}}{_D})[ \t]*[.,:\-]?[ \t]*"
                     rf"(?P<chk>[0-9x])(?![0-9]|[ \t]*[.,][ \t]*[0-9x])")
_LOOSE = re.compile(rf"[ \t]*(?P<body>{_D}(?:[ \t]?{_D}){{4,18}})(?:[ \t]*[.,][ \t]*(?P<chk>[0-9x]))?")


def find_numbers(text: str, max_year: int) -> list[PatentNumber]:
    """Every patent/application number in the text, OCR spacing tolerated:
    `ZL 2021 2 0345678.9`, `ZL202120345678.9`, `·` or `,` for the dot."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("\u00b7", ".").replace("•", ".").replace("\u3002", ".")
    out: list[PatentNumber] = []
    seen: set[tuple[str, bool]] = set()
    pos = 0
    while True:
        m = _LABEL.search(t, pos)
        if m is None:
            break
        pos = m.end()
        zl = m.group("label").replace(" ", "") == "zl" or bool(m.group("zl"))
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
        out.append(validate(body, check, zl=zl, raw=shown, max_year=max_year))
    return out


# ---------------------------------------------------------------- documents

def page_kind(page: Page) -> str | None:
    """'grant' when the page proves the grant, a not-granted kind id, or None."""
    data = ip_data()["patent"]
    t = norm(page.text)
    if any(has_keyword(t, k) for k in data["grant_strong"]):
        return "grant"
    weak = sum(1 for k in data["grant_weak"] if k in t)
    if weak >= data["grant_weak_min"] and ("授权公告" in t or "证书号" in t):
        return "grant"
    if re.search(r"授权公告号[::]?\s*cn\s*\d{6,12}\s*[" + "".join(data["grant_kind_codes"]) + r"]\b", t):
        return "grant"
    for kind in data["not_granted"]:
        if any(has_keyword(t, k) for k in kind["keywords"]):
            return kind["kind"]
    # fall back on what recognition decided for the page
    for part in page.parts:
        if part in ("certificate", "register"):
            # recognition's word alone is not proof: the page must carry a ZL number too
            if any(n.zl for n in find_numbers(page.text, 2100)):
                return "grant"
            continue
        if part in ("application", "publication", "exam_notice"):
            return part
    return None


def kind_name(kind: str) -> str:
    for k in ip_data()["patent"]["not_granted"]:
        if k["kind"] == kind:
            return k["name"]
    return kind


def names_after(text: str, labels: list[str], stops: list[str], limit: int = 90) -> tuple[list[str], str] | None:
    """The list of personal names written after a label (发明人：…, 主要起草人：…).

    Returns (names, squashed segment) or None when no label is found. Names
    are split on 、，；/ and on wide spaces; when OCR spaced every character
    the list cannot be split and `names` is empty (the segment is still
    returned so that presence can be tested)."""
    t = unicodedata.normalize("NFKC", text)
    tl = t.lower()
    best = None
    for lab in sorted(labels, key=len, reverse=True):
        pat = r"\s*".join(re.escape(c) for c in lab.lower())
        m = re.search(pat + r"\s*[::]?", tl)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    seg = t[best.end(): best.end() + limit]
    # stop at the next field label, at the end of the sentence, or after two line breaks
    cut = len(seg)
    segl = seg.lower()
    for stop in stops:
        pat = r"\s*".join(re.escape(c) for c in stop.lower())
        m = re.search(pat, segl)
        if m and m.start() > 0:
            cut = min(cut, m.start())
    for end in ("。", "\n\n"):
        i = seg.find(end)
        if i > 0:
            cut = min(cut, i)
    seg = seg[:cut]
    if len(re.findall(r"[\u3400-\u9fff]", seg)) < 2:
        return None             # the label was read, its value was not (OCR)
    names: list[str] = []
    for chunk in re.split(r"[、,;/|\n]|\s{2,}", seg):
        chunk = chunk.strip(" \t:：.。")
        if not chunk:
            continue
        toks = chunk.split()
        if len(toks) > 1 and all(len(x) >= 2 for x in toks):
            names.extend(toks)                       # 周建华 李明 王强
        elif len(toks) > 1:
            joined = "".join(toks)                    # 周 建 华 (OCR spacing)
            if len(joined) <= 4:
                names.append(joined)
            else:
                return [], squash(seg)
        else:
            names.append(chunk)
    names = [n for n in (re.sub(r"[^\u3400-\u9fff·A-Za-z]", "", x) for x in names) if n]
    return names, squash(seg)


def name_position(name: str, names: list[str], segment: str) -> tuple[bool, int | None]:
    """(found, 1-based position); one misread character tolerated in 3+ character names."""
    target = squash(name)
    for i, n in enumerate(names, 1):
        if squash(n) == target:
            return True, i
    if target and target in segment:
        return True, None
    if len(target) >= 3:
        for i, n in enumerate(names, 1):
            s = squash(n)
            if len(s) == len(target) and sum(a != b for a, b in zip(s, target)) <= 1:
                return True, i
    return False, None


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


def _unlabelled_names(text: str) -> tuple[list[str], str] | None:
    """The inventors when OCR lost the 发明人 label: a line made only of names
    separated by ；/、 (certificates print nothing else that way)."""
    for line in unicodedata.normalize("NFKC", text).splitlines():
        if _NAME_LIST.match(line):
            names = [re.sub(r"\s", "", x) for x in re.split(r"[;、]", line) if x.strip()]
            return names, squash(line)
    return None


def _grant_date_fallback(text: str, filing: date | None) -> date | None:
    """授权公告日 when OCR lost its label: the date written just before 授权公告号
    (certificates print both on one line), else the only date on the certificate
    that is not the filing date."""
    t = norm(text)
    m = re.search(r"授权公告号", t)
    if m:
        before = [d for d in find_dates(t[max(0, m.start() - 30): m.start()]) if d.value]
        if before:
            return before[-1].value
    others = {d.value for d in find_dates(t) if d.value and d.value != filing}
    return others.pop() if len(others) == 1 else None


# ---------------------------------------------------------------- facts

def facts(item: Item, ctx: Context) -> dict[str, Any]:
    data = ip_data()["patent"]
    kinds = [(p, page_kind(p)) for p in item.pages]
    grant_pages = [p for p, k in kinds if k == "grant"]
    other = [k for _, k in kinds if k and k != "grant"]
    text = item.text
    tn = norm(text)
    numbers = find_numbers(text, ctx.catalogue.cutoff.year)
    zl = [n for n in numbers if n.zl]
    chosen = next((n for n in zl if n.valid), None) or (zl[0] if zl else None) \
        or next((n for n in numbers if n.valid), None) or (numbers[0] if numbers else None)
    type_by_digit = data["types"].get(chosen.type_digit) if chosen and chosen.type_digit else None
    type_by_title = next((v for k, v in data["titles"].items() if has_keyword(tn, k)), None)
    if type_by_title is None:
        type_by_title = next((v for k, v in (("发明专利", "发明"), ("实用新型", "实用新型"), ("外观设计", "外观设计")) if k in tn), None)
    inv = names_after(text, data["inventor_labels"], data["field_labels"])
    inv_guessed = False
    if inv is None and grant_pages:
        inv = _unlabelled_names("\n".join(p.text for p in grant_pages))
        inv_guessed = inv is not None
    found, pos = (name_position(ctx.name, inv[0], inv[1]) if inv and ctx.name else (None, None))
    if inv_guessed and not found:
        inv = None          # a guessed line without the applicant proves nothing either way
    # Dates by their labels, first in visual rows (OCR reads a label column and
    # a value column of the certificate apart), then in reading order.
    rows = "\n".join(p.row_text for p in item.pages)
    grant = date_after(rows, data["grant_date_labels"]) or date_after(text, data["grant_date_labels"])
    filing = date_after(rows, data["filing_date_labels"]) or date_after(text, data["filing_date_labels"])
    grant_inferred = False
    if grant is None and grant_pages:
        grant = _grant_date_fallback("\n".join(p.text for p in grant_pages), filing)
        grant_inferred = grant is not None
    chars = len(squash(text))
    return {
        "granted": bool(grant_pages),
        "documents": sorted({k for _, k in kinds if k}),
        "not_granted_kind": other[0] if other and not grant_pages else None,
        "number": chosen.text if chosen else None,
        "number_valid": chosen.valid if chosen else None,
        "number_problem": chosen.problem if chosen else None,
        "has_zl": bool(zl),
        "type": type_by_digit or type_by_title,
        "type_by_number": type_by_digit,
        "type_by_title": type_by_title,
        "title": field_after(text, data["title_labels"], data["field_labels"]),
        "inventors": inv[0] if inv else None,
        "inventors_unlabelled": inv_guessed,
        "applicant_is_inventor": found,
        "applicant_position": pos,
        "patentee": field_after(text, data["patentee_labels"], data["field_labels"]),
        "grant_date": grant.isoformat() if grant else None,
        "grant_date_inferred": grant_inferred,
        "filing_date": filing.isoformat() if filing else None,
        "chars": chars,
    }


# ---------------------------------------------------------------- check

def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        yield from _check_item(item, ctx)


def _first_page(item: Item, kind: str | None = None) -> Page:
    if kind:
        for p in item.pages:
            if page_kind(p) == kind:
                return p
    return item.pages[0]


def _check_item(item: Item, ctx: Context) -> Iterator[Finding]:
    f = item.facts
    lab = label(item, "专利")
    if f.get("chars", 0) < MIN_TEXT:
        yield finding("GEN012", f"{lab}：文字几乎未能识别，无法确认是否为已授权专利", material=MATERIAL,
                      evidence=item.id, at=item.pages[0], severity="info")
        return
    # PAT001: 专利需已授权
    if not f.get("granted"):
        kind = f.get("not_granted_kind")
        if kind:
            what = kind_name(kind)
            page = _first_page(item, kind)
            msg = f"{lab}：是{what}，不是专利证书；专利需已授权，请上传专利证书（或授权公告、专利登记簿副本）"
        elif f.get("number") and not f.get("has_zl"):
            what, page = "只有专利申请号", item.pages[0]
            msg = f"{lab}：只有申请号 {f['number']}（无 ZL 专利号），未见专利证书；专利需已授权"
        else:
            what, page = "未见专利证书", item.pages[0]
            msg = f"{lab}：未找到专利证书、授权公告或专利登记簿副本；专利需已授权"
        yield finding("PAT001", msg, evidence=item.id, at=page, document=what)
    cert = _first_page(item, "grant")
    # PAT002: number structure and check character
    if f.get("number") is None:
        if f.get("granted"):
            yield finding("GEN012", f"{lab}：专利证书上的专利号（ZL…）未能识别，专利号未核对", material=MATERIAL,
                          evidence=item.id, at=cert, severity="info")
    elif not f.get("number_valid"):
        yield finding("PAT002", f"{lab}：专利号格式不正确——{f['number_problem']}", evidence=item.id, at=cert,
                      number=f["number"])
    else:
        by_num, by_title = f.get("type_by_number"), f.get("type_by_title")
        if by_num and by_title and by_num != by_title and f.get("granted"):
            yield finding("PAT002", f"{lab}：专利号 {f['number']} 的类型位表示{by_num}专利，但证书是{by_title}专利证书",
                          evidence=item.id, at=cert, number=f["number"])
    if not f.get("granted"):
        return          # inventors and dates of a document that is no grant are moot
    # PAT003: applicant among the inventors
    if ctx.name:
        if f.get("inventors") is None:
            yield finding("GEN012", f"{lab}：专利证书上的发明人（设计人）未能识别，无法确认申报人是否为发明人",
                          material=MATERIAL, evidence=item.id, at=cert, severity="info")
        elif not f.get("applicant_is_inventor"):
            names = "、".join(f["inventors"]) or "（未能逐个识别）"
            yield finding("PAT003", f"{lab}：发明人（设计人）为 {names}，其中没有申报人 {ctx.name}",
                          evidence=item.id, at=cert, inventors=f["inventors"])
    # PAT004: 授权公告日 against cutoff and window
    late = window_finding("PAT004", lab, "授权公告日", f.get("grant_date"), ctx, at=cert,
                          evidence=item.id, material=MATERIAL, grant_date=f.get("grant_date"))
    if late is not None:
        yield late
