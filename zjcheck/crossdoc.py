"""Checks across documents: secrecy markings (GEN007), the applicant's name
(XDC001, XDC004), ID numbers (XDC002) and impossible dates (XDC003)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from collections.abc import Iterator
from datetime import date

from zjcheck.extract import idnumber as ric

from zjcheck.codes import finding
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import Text, name_in, plausible_name
from zjcheck.materials import personal_materials
from zjcheck.model import Document, Finding, Page, visual_rows
from zjcheck.extract import find_dates, norm

_CJK = "\u4e00-\u9fff"
_NAME_AFTER_LABEL = re.compile(rf"姓\s*名\s*[:：]?\s*([{_CJK}](?:\s?[{_CJK}]){{1,5}})")
# where an award certificate names its winner; other names may follow (a team)
# the applicant on a score sheet or work summary: 申报人：周建华 (not 申报人签名)
APPLICANT_LABEL = re.compile(rf"申\s*报\s*人\s*(?:姓\s*名)?\s*[:：]\s*([{_CJK}](?:\s?[{_CJK}]){{1,5}})")
_WINNER_LABEL = re.compile(rf"获\s*奖\s*(?:者|人)\s*[:：]?\s*([{_CJK}](?:\s?[{_CJK}]){{1,5}})")
# 周建华同志： at the head of a 聘任证书 or a letter
_COMRADE = re.compile(rf"^\s*([{_CJK}](?:\s?[{_CJK}]){{1,3}})\s*同\s*志")
_SECRET = re.compile(r"(?:密\s*级\s*[:：]?\s*)?(绝\s*密|机\s*密|秘\s*密)\s*(?:[★☆*]\s*\d{0,2}\s*年?)?")
# 秘密★5年: OCR often reads the star as 女/大/*; the term in years is the tell
_SECRET_STAR = re.compile(r"(?<!商业)(?<!技术)(?<!工作)(绝密|机密|秘密)\s*(?:[★☆]|[^\d\s]?\s*\d{1,2}\s*年)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_ID_LABEL = re.compile(r"(身份证|公民身份号码|证件号码|身份号码|证件号)")
def labelled_names(page: Page, label: re.Pattern[str] = _NAME_AFTER_LABEL) -> list[tuple[str, float | None]]:
    """Names written in a 姓名 field (or another `label`) on the page, with the
    OCR confidence of the line the name was read from."""
    out: list[tuple[str, float | None]] = []
    lines = page.content.lines or []
    if any(ln.box for ln in lines):
        lines = visual_rows(lines)        # a label beside its value, as printed
    if label is _NAME_AFTER_LABEL:
        for line in lines:
            m = _COMRADE.match(norm(line.text))
            if m:
                out.append((re.sub(r"\s", "", m.group(1)), line.conf))
    first = label.pattern[0]
    for n, line in enumerate(lines):
        text = norm(line.text)
        if first not in text:
            continue
        joined = text + (" " + norm(lines[n + 1].text) if n + 1 < len(lines) else "")
        for m in label.finditer(joined):
            if re.sub(r"\s", "", joined[:m.start()]).endswith(tuple(_names_table()["other_roles"])):
                continue
            cand = re.sub(r"\s", "", m.group(1))
            for lab in _names_table()["next_labels"]:
                k = cand.find(lab)
                if k == 0:
                    cand = ""
                elif k > 1:
                    cand = cand[:k]
            cand = cand[:4]
            if 2 <= len(cand) <= 4:
                # a value read from the next line (labels and values in two columns)
                # is only as sure as that line
                conf = line.conf if m.start(1) < len(text) else lines[n + 1].conf
                out.append((cand, conf))
    return out


@lru_cache(maxsize=1)
def _names_table() -> dict[str, list[str]]:
    """zjcheck/data/extract.toml [names]: the labels that end a name read after
    姓名, and the roles whose 姓名 field is someone else's."""
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/extract.toml").read_text("utf-8"))
    return raw["names"]


def _similar(a: str, b: str) -> bool:
    """Same length and one character apart: a typo or a near namesake."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def check_names(documents: list[Document], applicant: Fact | None) -> Iterator[Finding]:
    """XDC001 (the name spelt differently) and XDC004 (another person's name)
    on personal records and award certificates.  Both rest on two facts read
    surely: the applicant's name and the name on the page; a page that also
    names the applicant exactly is taken to be misread, not another person's."""
    if applicant is None or not applicant.value:
        return
    name = applicant.value
    personal = personal_materials()
    for doc in documents:
        for page in doc.pages:
            if page.material in personal:
                named, others_allowed = labelled_names(page), False
            elif page.material == "honor":
                named, others_allowed = labelled_names(page, _WINNER_LABEL), True
            else:
                continue
            page_names_applicant = name_in(name, page.text)
            for cand, conf in named:
                if cand.startswith(name):
                    continue
                base = cand[: len(name)]
                read = page_fact(cand, page, conf, valid=plausible_name(base))
                if others_allowed and not (_similar(base, name) and read.strong):
                    continue     # a team award may name a colleague first
                needs = {"申报人姓名": applicant, f"此处姓名“{cand}”": read}
                if name.startswith(cand) or page_names_applicant:
                    yield finding("GEN012", f"无法确认姓名：识别为“{cand}”，与申报人“{name}”不同，"
                                            "但同页也写有申报人姓名，可能是识别误差", at=page, severity="info")
                elif _similar(base, name):
                    yield finding("XDC001", f"姓名写作“{base}”，与申报人“{name}”不一致", at=page,
                                  found=base, expected=name, needs=needs)
                else:
                    yield finding("XDC004", f"应为申报人“{name}”之处出现他人姓名“{cand}”（疑似套用他人材料）",
                                  at=page, found=cand, expected=name, needs=needs)


def _birth_date_ok(number: str) -> bool:
    """Whether digits 7–14 of an 18-digit number are a plausible birth date."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def check_ids(documents: list[Document], profile_id: str | None) -> Iterator[Finding]:
    personal = personal_materials()
    seen: dict[str, str] = {}
    if profile_id:
        if not ric.is_valid(profile_id):
            yield finding("XDC002", f"申报人信息中的身份证号 {profile_id} 无效（校验位或出生日期不对）")
        else:
            seen[ric.compact(profile_id)] = "申报人信息"
    for doc in documents:
        for page in doc.pages:
            text = norm(page.text).upper()
            for m in _ID.finditer(text):
                number = m.group(1)
                labelled = bool(_ID_LABEL.search(text[max(0, m.start() - 14): m.start()]))
                if not (labelled or page.material in personal):
                    continue
                if not labelled and not _birth_date_ok(number):
                    continue    # an 18-digit 证书编号 on a personal record, not an ID number
                if not ric.is_valid(number):
                    # one digit off a valid number seen elsewhere: a misreading, unless read surely
                    near = [s for s in seen if sum(a != b for a, b in zip(s, number)) == 1]
                    read = page_fact(number, page, _line_conf(page, number))
                    if near and not read.strong:
                        yield finding("GEN012", f"身份证号识别为 {number}，与 {near[0]} 相差一位，可能是识别误差，请人工核对",
                                      at=page, severity="info")
                    else:
                        yield finding("XDC002", f"身份证号 {number} 无效（校验位或出生日期不对）", at=page, number=number,
                                      needs={"身份证号": read})
                    continue
                if page.material in personal and seen and number not in seen:
                    first = next(iter(seen.items()))
                    yield finding("XDC002", f"身份证号 {number} 与{first[1]}中的 {first[0]} 不一致", at=page, number=number)
                seen.setdefault(number, page.ref)


def _line_conf(page: Page, needle: str) -> float | None:
    """OCR confidence of the line that carries `needle` (None: not found)."""
    for line in page.content.lines:
        if needle in norm(line.text).upper().replace(" ", ""):
            return line.conf
    return None


def check_dates(documents: list[Document]) -> Iterator[Finding]:
    """XDC003: a date that cannot exist (2月30日), read surely (one misread
    digit makes 2月28日 into 2月29日 or 2月38日)."""
    for doc in documents:
        for page in doc.pages:
            t = Text.of(page, rows=False)
            for i, line in enumerate(t.lines):
                for dm in find_dates(line.text):
                    if dm.day is not None and dm.value is None:
                        written = re.sub(r"\s", "", dm.text)
                        yield finding("XDC003", f"日期“{written}”不存在（{dm.year} 年 {dm.month} 月没有 {dm.day} 日）",
                                      at=page, date=written, needs={f"日期“{written}”": t.line_fact(written, i)})


def check_secrecy(documents: list[Document]) -> Iterator[Finding]:
    for doc in documents:
        for page in doc.pages:
            marked, read = None, None
            lines = Text.of(page, rows=False)
            for i, line in enumerate(lines.lines):
                t = norm(line.text).strip()
                m = _SECRET_STAR.search(t.replace(" ", ""))
                if m or (t and _SECRET.fullmatch(t)):
                    marked = (m.group(1) if m else _SECRET.fullmatch(t).group(1)).replace(" ", "")  # type: ignore[union-attr]
                    read = lines.line_fact(marked, i)
                    break
            if marked:
                yield finding("GEN007", f"材料带有密级标志“{marked}”：严禁上传涉密材料", at=page, marking=marked,
                              needs={"密级标志": read})


def check_all(documents: list[Document], applicant: Fact | None, profile_id: str | None) -> list[Finding]:
    out: list[Finding] = []
    out.extend(check_secrecy(documents))
    out.extend(check_names(documents, applicant))
    out.extend(check_ids(documents, profile_id))
    out.extend(check_dates(documents))
    return out
