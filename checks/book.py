"""论著、译著 (附件2 item 9): BOK001–BOK011.

A book needs 封面, 版权页, 目录, 自序, the parts the applicant wrote and a
国家新闻出版署 / 中国版本图书馆 lookup screenshot; when that screenshot does not
show the author's name, the publisher's 《出版证明》 giving author, title, ISBN,
CIP 核字号 and the author's actual share.  ISBNs are validated with
python-stdnum; CIP 数据核字 numbers in both the 中国版本图书馆 form
（2023）第123456号 and the 中国国家版本馆 form 第2024PR2624号 / (2024)第103518号.

Errors rest on what was read (SPEC §7): the 出版证明 is a page recognised as
one; a lookup or proof filed apart from the book belongs to it when it names it
(ISBN, title), and an item of such attachments alone beside another book gets
no missing-part errors (checkutil.missing_part); findings on read values carry
their facts (`needs=`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from zjcheck.checkutil import missing_item_part, window_finding
from zjcheck.evidence import Fact, set_facts, page_fact, weakest
from zjcheck.codes import finding
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.extract import Text, fuzzy_pattern, name_in, squash

from zjcheck.checkutil import data_table
from zjcheck.extract.publication import unglue, close_name, core, find_isbns, isbn_ok, partial_ratio


def table() -> dict[str, Any]:
    return data_table("publication")


def label(item: Item, word: str) -> str:
    """book-1 -> 论著-1"""
    return f"{word}-{item.id.rsplit('-', 1)[-1]}"

MATERIAL = "book"
CODES = ("BOK001", "BOK002", "BOK003", "BOK004", "BOK005", "BOK006", "BOK007", "BOK008",
         "BOK009", "BOK010", "BOK011", "GEN012")

PARTS = (("cover", "BOK001", "封面"), ("copyright", "BOK002", "版权页"), ("toc", "BOK003", "目录"),
         ("preface", "BOK004", "自序（前言）"), ("content", "BOK005", "本人负责编写的部分内容"),
         ("cip_lookup", "BOK006", "国家新闻出版署或中国版本图书馆查询截图"))

# ---------------------------------------------------------------- CIP 数据核字

_CIP_KEY = re.compile(fuzzy_pattern("数据核字"))
_OPEN, _CLOSE = r"[\(\[{（【]", r"[\)\]}）】]"
_CIP_FORMS = (
    # 中国版本图书馆CIP数据核字（2023）第123456号 / 中国国家版本馆CIP数据核字（2024）第103518号
    re.compile(rf"^{_OPEN}((?:19|20)\d\d){_CLOSE}第?([0-9]{{5,6}})号"),
    # older two-digit years: （98）第12345号
    re.compile(rf"^{_OPEN}(9\d){_CLOSE}第?([0-9]{{4,6}})号"),
    # 中国国家版本馆CIP数据核字第2024PR2624号
    re.compile(r"^第?((?:19|20)\d\d)([a-z]{1,3}[0-9]{3,6})号"),
)


def _digits_fix(s: str) -> str:
    """OCR confusions inside the number part only (letters of 2024PR… stay)."""
    return re.sub(r"(?<=\d)[ol](?=\d)|(?<=\d)[ol]$", lambda m: {"o": "0", "l": "1"}[m.group(0)], s)


def find_cip(text: str) -> list[tuple[str, bool]]:
    """[(number as written after 数据核字, well-formed?)] for every 数据核字 on the page."""
    t = squash(text)
    out: list[tuple[str, bool]] = []
    for m in _CIP_KEY.finditer(t):
        tail = t[m.end(): m.end() + 24]
        if tail.startswith("号"):        # "CIP数据核字号" is a label (the lookup's column, its title)
            continue
        stop = tail.find("号")
        raw = tail[:stop + 1] if 0 <= stop <= 20 else tail[:16]
        fixed = _digits_fix(raw)
        ok = any(rx.match(fixed) for rx in _CIP_FORMS)
        out.append((raw, ok))
    return out


_STRICT = (re.compile(r"[\(\[{（【]((?:19|20)\d\d)[\)\]}）】]第([0-9]{5,6})号"),
           re.compile(r"第((?:19|20)\d\d)([a-z]{1,3}[0-9]{3,6})号"))


def strict_cips(text: str) -> list[tuple[str, str]]:
    """Well-formed CIP numbers anywhere in the text (lookup 核字号 column, 出版证明): [(year, serial)]."""
    t = squash(text)
    return [(m.group(1), m.group(2)) for rx in _STRICT for m in rx.finditer(t)]


def confirmed_by(raw: str, refs: list[tuple[str, str]]) -> bool:
    """An OCR-garbled copyright-page number that contains the serial the lookup/出版证明 give."""
    digits = re.sub(r"\D", "", _digits_fix(raw))
    return any(serial in digits for _, serial in refs)


def cip_year(number: str) -> int | None:
    m = re.search(r"((?:19|20)\d\d)", number)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- facts

def _text(item: Item, *parts: str) -> str:
    return "\n".join(p.text for p in item.pages if set(parts) & set(p.parts))


def proof_pages(item: Item) -> list[Page]:
    """Pages that are the publisher's 出版证明 itself: recognised as one first, or
    saying 出版证明 / 兹证明 (a 版权页 that also scored for it is none)."""
    return [p for p in item.pages_with("pub_proof")
            if p.parts[0] == "pub_proof" or re.search(r"出\s*版\s*证\s*明|兹\s*证\s*明", p.text)]


def _date_fact(item: Item) -> Fact | None:
    """The publication month (版次 line, CIP line or the lookup's 出版时间) with the line it was read on."""
    for part in ("copyright", "cip_lookup"):
        for page in item.pages_with(part):
            t = Text.of(page)
            for i, ln in enumerate(t.lines):
                d = _pub_date(ln.text)
                if d:
                    return t.line_fact(d, i)
            d = _pub_date(page.text)
            if d:
                return page_fact(d, page)
    return None


def _line_facts(pages: list[Page], finder) -> list[tuple[Fact, Page]]:  # type: ignore[no-untyped-def]
    """Every value `finder` reads on a line of the pages, as a fact of that line."""
    out: list[tuple[Fact, Page]] = []
    for page in pages:
        t = Text.of(page)
        for i, ln in enumerate(t.lines):
            out.extend((t.line_fact(v, i), page) for v in finder(ln.text))
    return out


def book_title(item: Item) -> str | None:
    """From the CIP block (书名/作者. —出版地：出版社), the lookup's 书名, or 《…》 in the 出版证明."""
    for p in item.pages_with("copyright"):
        t = unicodedata.normalize("NFKC", p.text)
        m = re.search(r"(?:cip\)?\s*数据)\s*\n?\s*([^\n/]{4,40}?)\s*/", t, re.I)
        if m and len(core(m.group(1))) >= 4:
            return re.sub(r"\s+", "", m.group(1))
    for p in item.pages_with("cip_lookup"):
        t = unicodedata.normalize("NFKC", p.text)
        for m in re.finditer(r"书\s*名\s*[:：]?\s*\n?\s*([^\n]{4,40})", t):
            v = re.sub(r"\s+", "", m.group(1))
            if len(core(v)) >= 4 and "isbn" not in v.lower():
                return v
    m = re.search(r"《([^》]{4,40})》", unicodedata.normalize("NFKC", _text(item, "pub_proof", "preface")))
    if m:
        return re.sub(r"\s+", "", m.group(1))
    return _cover_title(item)


def _cover_title(item: Item) -> str | None:
    """The title on the cover: the nearest line above the authors' line (…编著 / 主编)
    that is mostly CJK and no series or publisher line."""
    for p in item.pages_with("cover"):
        lines = [ln.strip() for ln in unicodedata.normalize("NFKC", p.text).splitlines() if ln.strip()]
        for i, ln in enumerate(lines):
            if not _ROLE_RX.search(ln) or not _authors(ln):
                continue
            for above in reversed(lines[:i]):
                k = len(re.findall(r"[\u4e00-\u9fff]", above))
                if k >= 4 and len(re.findall(r"[a-zA-Z]", above)) <= k and not re.search(r"丛书|出版社|系列", above):
                    return re.sub(r"\s+", "", above)
            break
    return None


def _role(text: str, name: str | None) -> str | None:
    """The applicant's role (主编, 副主编, 参编, 著 …) as written next to the name."""
    if not name:
        return None
    t = squash(text)
    n = squash(name)
    roles = sorted(table()["book"]["roles"], key=len, reverse=True)
    alt = "|".join(re.escape(r) for r in roles)
    for m in re.finditer(re.escape(n), t):
        after = t[m.end(): m.end() + 20]
        # 周建华同志任该书副主编 / 周建华，陈晓燕副主编 / 周建华主编
        mm = re.match(rf"(?:同志)?(?:任该书|任|担任|为|是)?(?:第[一二三四五六七八九十]作者)?({alt})", after) \
            or re.match(rf"(?:[,，、][\u4e00-\u9fff]{{2,4}}?){{0,4}}({alt})", after)
        if mm:
            return mm.group(1)
    for line in unicodedata.normalize("NFKC", text).splitlines():   # 庄建 张晶 许钰雯 编著 (spaces, no commas)
        names = _authors(line)
        m = _ROLE_RX.search(line)
        if m and n in names:
            return re.sub(r"^等", "", m.group(1))
    return None


def _publisher(text: str) -> str | None:
    """The publisher: the name ending in 出版社 on its own line (not the authors
    and 编著 before it), skipping labels such as 出版发行：."""
    for line in text.splitlines():
        for tok in re.split(r"[\s\u3000:：,，;；/()（）]+", unicodedata.normalize("NFKC", line)):
            m = re.search(r"((?:[\u4e00-\u9fff]{2,14}?)出版社)", tok)
            if m:
                name = re.sub(r"^.*(?:编著|主编|著|译|由|出版发行|发行)", "", m.group(1))
                if len(name) >= 4:
                    return name
    return None


def _pub_date(text: str) -> date | None:
    t = squash(text)
    m = re.search(r"((?:19|20)\d\d)年(\d{1,2})月第\d+版", t) or re.search(r"出版时间[:：]?((?:19|20)\d\d)[-.年](\d{1,2})", t) \
        or re.search(r"—[\u4e00-\u9fff]{2,6}[:：][\u4e00-\u9fff]{2,14}出版社[,，]((?:19|20)\d\d)\.(\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1)
    return None


_ROLE_RX = re.compile(r"(副主编|主编|等?编著|主译|副主译|著(?!者)|译(?!者))")
_SPLIT = re.compile(r"[\s\u3000,，、;；/]+")
_NOT_NAME = re.compile(r"[书社版页章本全由任等者编著译丛]")


def _authors(text: str) -> list[str]:
    """Names written in front of 主编/副主编/编著/著/译 (cover, CIP line, lookup 著者);
    names OCR ran together (庄建张晶许钰雯) split where each piece starts with a surname."""
    out: list[str] = []
    for raw in unicodedata.normalize("NFKC", text).lower().splitlines():
        # a role glued to the last name (许钰雯编著): a space before it, not inside 副主编 / 编著
        line = re.sub(r"(?<=[\u4e00-\u9fff])(?<![副主编等])(?=(?:副主编|主编|等?编著|主译|副主译|著|译)(?![\u4e00-\u9fff]))",
                      " ", raw)
        prev = 0
        for m in _ROLE_RX.finditer(line):
            seg = line[prev:m.start()]
            prev = m.end()
            names: list[str] = []
            toks = [n for t in _SPLIT.split(seg) if t for n in unglue(t, None)]
            for tok in reversed(toks):
                if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", tok) or _NOT_NAME.search(tok):
                    break
                names.insert(0, tok)
            out.extend(n for n in names if n not in out)
    return out


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    name = ctx.name
    copy = _text(item, "copyright")
    look = _text(item, "cip_lookup")
    proof = _text(item, "pub_proof")
    isbns = {part: find_isbns(_text(item, part)) for part in ("copyright", "cip_lookup", "pub_proof")}
    cips = sorted(find_cip(copy), key=lambda c: not c[1]) or find_cip(proof)    # a well-formed one first
    all_text = item.text
    date_f = _date_fact(item)
    return {
        "parts": sorted(item.parts()),
        "title": book_title(item),
        "isbn": next((n for n in isbns["copyright"] + isbns["cip_lookup"] + isbns["pub_proof"] if isbn_ok(n)),
                     (isbns["copyright"] or isbns["cip_lookup"] or [None])[0]),
        "isbns": {k: v for k, v in isbns.items() if v},
        "cip": cips[0][0] if cips else None,
        "cip_ok": (cips[0][1] or confirmed_by(cips[0][0], strict_cips(look + "\n" + proof))) if cips else None,
        "publisher": _publisher(copy) or _publisher(look) or _publisher(_text(item, "cover")),
        "date": date_f,
        "authors": _authors(_text(item, "cover", "copyright", "cip_lookup")),
        "applicant_role": _role(proof, name) or _role(look, name) or _role(_text(item, "cover"), name)
        or _role(all_text, name),
        "lookup_names_applicant": name_in(name, look) if name and look else None,
        "has_pub_proof": bool(proof_pages(item)),
    }


# ---------------------------------------------------------------- checks

CORE_PARTS = frozenset({"cover", "copyright", "toc", "preface", "content"})   # lookups and proofs are attachments


def _belongs(item: Item, part: str):  # type: ignore[no-untyped-def]
    """Whether an item of attachments only (a lookup saved beside the book's folder)
    is this book's: the same ISBN, or this book's title on its pages of `part`."""
    isbn = item.facts.get("isbn")
    title = item.facts.get("title")
    need = float(table()["paper"]["title_ratio"])

    def test(other: Item) -> bool:
        text = "\n".join(p.text for p in other.pages_with(part))
        if isbn and any(_to13(n) == _to13(isbn) for n in find_isbns(text)):
            return True
        return bool(title and text and partial_ratio(title, text) >= need)
    return test


def _missing(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    have = item.parts()
    at = item.pages[0] if item.pages else None
    for part, code, what in PARTS:
        if part not in have:
            found = missing_item_part(MATERIAL, item, ctx, code, part, what, lab, core_parts=CORE_PARTS, at=at,
                                 belongs=_belongs(item, part))
            if found:
                yield found


def _lookup(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    looks = item.pages_with("cip_lookup")
    if not looks:
        return
    name = ctx.name
    if not name:
        yield finding("GEN012", f"{lab}：未确定申报人姓名，无法核对查询截图是否体现作者",
                      material=MATERIAL, evidence=item.id, at=looks[0], severity="info")
        return
    text = "\n".join(p.text for p in looks)
    if name_in(name, text) or proof_pages(item):
        return
    if close_name(name, text):
        yield finding("GEN012", f"{lab}：查询截图上的作者姓名未能可靠识别，无法确认是否体现申报人{name}",
                      material=MATERIAL, evidence=item.id, at=looks[0], severity="info", would_be="BOK007")
        return
    listed = _authors(text)
    shown = f"（截图上的作者：{'、'.join(listed)}）" if listed else "（截图上没有作者信息）"
    yield finding("BOK007", f"{lab}：查询截图未体现申报人{name}的姓名{shown}，且未附出版社出具的《出版证明》",
                  evidence=item.id, at=looks[0], needs={"查询截图": page_fact(True, looks[0])})


_PARTICIPATION: list[re.Pattern[str]] = []


def _participation(text: str) -> bool:
    if not _PARTICIPATION:
        _PARTICIPATION.extend(re.compile(p) for p in table()["book"]["participation"])
    t = squash(text)
    return any(p.search(t) for p in _PARTICIPATION)


def _proof(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    proofs = proof_pages(item)
    if not proofs:
        return
    text = "\n".join(p.text for p in proofs)
    t = squash(text)
    lacks: list[str] = []
    name = ctx.name
    if name and not name_in(name, text):
        lacks.append("作者姓名")
    title = item.facts.get("title")
    has_title = "《" in unicodedata.normalize("NFKC", text) or "书名" in t
    if title and not has_title:
        has_title = partial_ratio(title, text) >= float(table()["paper"]["title_ratio"])
    if not has_title:
        lacks.append("书名")
    if not find_isbns(text) and not re.search(r"97[89][0-9\-]{10,}", t):
        lacks.append("ISBN书号")
    if not find_cip(text) and not re.search(r"cip.{0,6}\d{4}", t):
        lacks.append("CIP核字号")
    if not _participation(text):
        lacks.append("作者的实际参与情况（编写章节或字数）")
    if lacks:
        yield finding("BOK008", f"{lab}：《出版证明》缺少{'、'.join(lacks)}", evidence=item.id, at=proofs[0],
                      lacks=lacks, needs={"出版证明": weakest(page_fact(True, p) for p in proofs)})


def _isbn(item: Item, lab: str) -> Iterator[Finding]:
    readings: dict[str, list[tuple[str, Page]]] = {}
    facts_of: dict[tuple[str, int], Fact] = {}
    for part in ("copyright", "cip_lookup", "pub_proof"):
        pages = proof_pages(item) if part == "pub_proof" else item.pages_with(part)
        for f, p in _line_facts(pages, find_isbns):
            readings.setdefault(part, []).append((f.value, p))
            facts_of.setdefault((f.value, id(p)), f)
        for p in pages:                 # an ISBN broken over two lines
            for n in find_isbns(p.text):
                if (n, id(p)) not in facts_of:
                    readings.setdefault(part, []).append((n, p))
                    facts_of[(n, id(p))] = page_fact(n, p)
    if not readings:
        pages = item.pages_with("copyright")
        if pages:
            yield finding("GEN012", f"{lab}：版权页上的 ISBN 书号未能识别，无法核对校验位",
                          material=MATERIAL, evidence=item.id, at=pages[0], severity="info", would_be="BOK009")
        return
    names = {"copyright": "版权页", "cip_lookup": "查询截图", "pub_proof": "出版证明"}
    valid: dict[str, set[str]] = {}
    for part, rs in readings.items():
        good = {n for n, _ in rs if isbn_ok(n)}
        valid[part] = good
        for n, page in rs:
            if n in good:
                continue
            # a misread digit next to a correct reading of the same number on the same page is OCR noise
            # (only the same page: a lookup screenshot that is also read as a 版权页 must not excuse it)
            if any(len(g) == len(n) and sum(a != b for a, b in zip(g, n)) <= 1
                   for g, q in rs if q is page and g in good):
                continue
            yield finding("BOK009", f"{lab}：{names[part]}上的 ISBN {n} 校验位错误或位数不对",
                          evidence=item.id, at=page, isbn=n, needs={"ISBN": facts_of.get((n, id(page)))})
            break
    as13 = {part: {_to13(n) for n in v} for part, v in valid.items() if v}
    if len(as13) >= 2:
        base_part, base = next(iter(as13.items()))
        for part, v in list(as13.items())[1:]:
            if not (v & base):
                n, page = readings[part][0]
                b, base_page = readings[base_part][0]
                yield finding("BOK009", f"{lab}：{names[part]}上的 ISBN（{'、'.join(sorted(v))}）与"
                              f"{names[base_part]}（{'、'.join(sorted(base))}）不一致", evidence=item.id, at=page,
                              needs={"ISBN": weakest([facts_of.get((n, id(page))), facts_of.get((b, id(base_page)))])})


def _to13(n: str) -> str:
    from stdnum import isbn as _isbn
    try:
        return _isbn.to_isbn13(n).replace("-", "")
    except Exception:  # noqa: BLE001 - invalid numbers compare as written
        return n


def _cip(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    pages = item.pages_with("copyright")
    if not pages:
        return
    text = "\n".join(p.text for p in pages)
    cips = find_cip(text)
    cip_lines = _line_facts(pages, lambda s: [raw for raw, _ in find_cip(s)])
    cip_fact = cip_lines[0][0] if cip_lines else weakest(page_fact(True, p) for p in pages)
    if not cips:
        if re.search(r"cip|在版编目", squash(text)):
            yield finding("BOK010", f"{lab}：版权页上没有“CIP数据核字”号", evidence=item.id, at=pages[0],
                          needs={"版权页": weakest(page_fact(True, p) for p in pages)})
        else:
            yield finding("GEN012", f"{lab}：版权页上未能识别图书在版编目（CIP）数据，无法核对 CIP 核字号",
                          material=MATERIAL, evidence=item.id, at=pages[0], severity="info", would_be="BOK010")
        return
    if not any(ok for _, ok in cips):
        raw = cips[0][0]
        refs = strict_cips(_text(item, "cip_lookup", "pub_proof"))
        if confirmed_by(raw, refs):
            return                      # OCR garbled 第/号 around the same number the lookup shows
        loose = re.search(r"\((?:19|20)\d\d\)\D{0,2}\d{5,}", _digits_fix(raw))
        if refs:
            yield finding("BOK010", f"{lab}：版权页上的 CIP 数据核字号“{raw}”格式不正确，或与查询结果/出版证明上的"
                          f"（{refs[0][0]}）第{refs[0][1]}号不一致", evidence=item.id, at=pages[0], cip=raw,
                          needs={"CIP 数据核字号": cip_fact})
            return
        if loose:
            yield finding("GEN012", f"{lab}：版权页上的 CIP 数据核字号“{raw}”未能可靠识别，无法确认格式",
                          material=MATERIAL, evidence=item.id, at=pages[0], severity="info", would_be="BOK010")
            return
        yield finding("BOK010", f"{lab}：版权页上的 CIP 数据核字号“{raw}”格式不正确（应为“（2023）第123456号”"
                      f"或“第2024PR2624号”的形式）", evidence=item.id, at=pages[0], cip=raw, needs={"CIP 数据核字号": cip_fact})
        return


def _date(item: Item, ctx: Context, lab: str) -> Iterator[Finding]:
    """BOK011: published (版次 or lookup date, month precision) after the cutoff
    or before both 近五年 and 任现职; without a date, a CIP 核字号 year after
    the cutoff year still tells (CIP data come before printing)."""
    at = (item.pages_with("copyright") or item.pages)[0]
    when: date | int | None = date.fromisoformat(item.facts["date"]) if item.facts.get("date") else None
    if when is None and item.facts.get("cip") and item.facts.get("cip_ok"):
        year = cip_year(item.facts["cip"])
        if year and year > ctx.catalogue.cutoff.year:
            when = year
    fact = item.fact("date")
    if not item.facts.get("date") and when is not None:         # the CIP 核字号's year
        pages = item.pages_with("copyright")
        cips = _line_facts(pages, lambda s: [raw for raw, _ in find_cip(s)])
        fact = cips[0][0] if cips else None
    needs = {"出版时间": fact} if when is not None else {}
    found = window_finding("BOK011", lab, "出版时间", when, ctx, at=at, evidence=item.id, material=MATERIAL,
                           month_only=True, needs=needs or None)
    if found:
        yield found


def check(items: list[Item], ctx: Context) -> Iterable[Finding]:
    for item in items:
        if not item.facts:
            set_facts(item, facts(item, ctx))
        lab = label(item, "论著")
        title = item.facts.get("title")
        if title:
            lab += f"（《{title}》）"
        yield from _missing(item, ctx, lab)
        yield from _lookup(item, ctx, lab)
        yield from _proof(item, ctx, lab)
        yield from _date(item, ctx, lab)
        yield from _isbn(item, lab)
        yield from _cip(item, ctx, lab)

