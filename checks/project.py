"""项目（合同、立项书）(附件2 item 12): PRJ001–PRJ008.

Each project needs 合同或立项书封面页, 项目金额页, 主要参与人员名单及负责的项目
工作内容 and 盖章页.  Besides the parts, the checker reads the amount in
figures and in 大写 (PRJ006 when they disagree), the applicant's role in the
participant list (PRJ003 also when the list gives nobody's work), the red
seals the reader found on the seal page, the contract dates (PRJ005 when
illogical, PRJ008 outside the window) and the parties' 统一社会信用代码 (PRJ007).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum.cn import uscc

from zjcheck.checkutil import data_table, window_finding
from zjcheck.codes import finding
from zjcheck.model import Finding, Item, Page
from zjcheck.plugins import Context
from zjcheck.extract import find_dates, fuzzy_pattern, norm, squash
from zjcheck.extract.money import amount_facts

MATERIAL = "project"
CODES = ("PRJ001", "PRJ002", "PRJ003", "PRJ004", "PRJ005", "PRJ006", "PRJ007", "PRJ008", "GEN012")

PART_NAMES = {"cover": "合同或立项书封面页", "amount": "项目金额页",
              "personnel": "主要参与人员名单及负责的项目工作内容", "seal_page": "盖章页"}
PART_CODES = {"cover": "PRJ001", "amount": "PRJ002", "personnel": "PRJ003", "seal_page": "PRJ004"}


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return data_table("project")


# ---------------------------------------------------------------- other facts

def _label_value(text: str, labels: list[str]) -> str | None:
    """The value after the first label found: 'label: value' up to the end of the line."""
    t = norm(text)
    for label in labels:
        for m in re.finditer(re.escape(norm(label)) + r"\s*[::]?\s*", t):
            rest = t[m.end():].split("\n", 1)[0].strip(" _—-")
            rest = re.split(r"\s{2,}|\s(?=[\u4e00-\u9fff]{2,6}[::])", rest)[0].strip()
            if len(squash(rest)) >= 2:
                return rest
    return None


def _period(text: str, labels: list[str]) -> tuple[date | None, date | None]:
    t = norm(text)
    for label in labels:
        for m in re.finditer(fuzzy_pattern(label), t):
            ds = [d for d in find_dates(t[m.end(): m.end() + 60]) if d.value is not None]
            if len(ds) >= 2:
                return ds[0].value, ds[1].value
    return None, None


def _signed(text: str, labels: list[str]) -> date | None:
    t = norm(text)
    for label in labels:
        for m in re.finditer(fuzzy_pattern(label), t):
            ds = [d for d in find_dates(t[m.end(): m.end() + 30]) if d.value is not None]
            if ds:
                return ds[0].value
    return None


_USCC_RE = re.compile(r"统一社会信用代码[::]?\s*([0-9a-z]{18})(?![0-9a-z])")


def uscc_codes(text: str) -> list[dict[str, Any]]:
    out = []
    for m in _USCC_RE.finditer(squash(text)):
        code = m.group(1).upper()
        try:
            uscc.validate(code)
            status = "valid"
        except Exception as e:  # noqa: BLE001 - stdnum raises its own ValidationError subclasses
            status = "checksum" if type(e).__name__ == "InvalidChecksum" else "format"
        out.append({"code": code, "status": status})
    return out


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


def list_rows(text: str) -> tuple[int, int]:
    """Rows of a member list whose name could not be read: a line that says
    what someone does (a role or work words) with no name-like run of 2-4
    CJK characters starting with a common surname before it.  OCR often drops
    the short name cells of a ruled table.  Returns (rows read, rows whose
    name was not read)."""
    d = data()["personnel"]
    surnames = d["surnames"]
    cues = d["roles"] + d["work"]
    n = ok = 0
    for line in norm(text).splitlines():
        sq = re.sub(r"\s+", "", line)
        cut = min((sq.find(c) for c in cues if c in sq), default=-1)
        if cut < 0 or any(h in sq for h in d["list_headings"]):
            continue
        if not (any(r in sq for r in d["roles"]) or re.match(r"\s*\d{1,2}\s", line)):
            continue                     # prose, not a row of the list
        head = re.sub("|".join(map(re.escape, d["not_names"])), "|", sq[:cut])
        if re.search(rf"[{surnames}][\u4e00-\u9fff]{{1,3}}", head):
            ok += 1
        else:
            n += 1
    return ok, n


def lists_work(text: str) -> bool:
    """Whether any member row of the list says what someone does (a role or
    work words): a list of names and titles alone lacks the 负责的项目工作内容
    the notice asks for (附件2 item 12)."""
    d = data()["personnel"]
    for line in norm(text).splitlines():
        sq = re.sub(r"\s+", "", line)
        if any(h in sq for h in d["list_headings"]) or "名单" in sq:
            continue
        if any(w in sq for w in d["roles"] + d["work"]):
            return True
    return False


def list_pages(item: Item) -> list[Page]:
    """Pages with the participant list; a cover naming only the 项目负责人 is not one."""
    return [p for p in item.pages_with("personnel") if p.parts[0] != "cover"]


def is_seal_page(page: Page) -> bool:
    if "seal_page" in page.parts:
        return True
    t = squash(page.text)
    return sum(1 for c in data()["seal_page"]["cues"] if squash(c) in t) >= 2


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    d = data()
    personnel = list_pages(item)
    parts = item.parts() - {"personnel"} | ({"personnel"} if personnel else set())
    cover_pages = item.pages_with("cover") or item.pages[:1]
    cover_text = "\n".join(p.text for p in cover_pages)
    sq_cover = squash(cover_text).replace("〈", "(").replace("《", "(")
    kind = next((k for k in d["kinds"] if re.search(fuzzy_pattern(k), sq_cover)), None)
    cover = {f: _label_value(cover_text, labels) for f, labels in d["cover"].items()}
    all_text = item.text
    amount_pages = item.pages_with("amount") or item.pages
    amount = amount_facts("\n".join(p.row_text for p in amount_pages))
    start, end = _period(all_text, d["dates"]["period"])
    signed = _signed(cover_text, d["dates"]["signed"]) or _signed(all_text, d["dates"]["signed"])
    seal_pages = [p for p in item.pages if is_seal_page(p)]
    seal_ids = {id(p) for p in seal_pages}
    in_list, role, work = (False, None, None)
    list_text = "\n".join(p.row_text for p in personnel)      # rows: name beside its role
    if ctx.name and personnel:
        in_list, role, work = applicant_role(list_text, ctx.name)
    return {
        "kind": kind,
        "parts": sorted(parts),
        "project_name": cover["project_name"],
        "party_a": cover["party_a"],
        "party_b": cover["party_b"],
        "number": cover["number"],
        "amount_upper": amount["upper"],
        "amount_upper_value": amount["upper_value"],
        "amount_figure_value": amount["figure_value"],
        "amount_agree": amount["agree"],
        "applicant_listed": in_list if personnel and ctx.name else None,
        "list_rows": list(list_rows(list_text)) if personnel else [0, 0],
        "list_has_work": lists_work(list_text) if personnel else None,
        "role": role,
        "work": work,
        "signed": signed.isoformat() if signed else None,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "seal_pages": [p.ref for p in seal_pages],
        "seals": {p.ref: len(p.content.seals) for p in item.pages if p.content.seals or id(p) in seal_ids},
        # the units named around the seals' rims (None: not read), for comparing with the parties
        "seal_units": [s.text for p in seal_pages for s in p.content.seals if s.shape in UNIT_SHAPES],
        "uscc": uscc_codes(all_text),
    }


# ---------------------------------------------------------------- check

UNIT_SHAPES = ("round", "ellipse")      # a unit's seal (公章, 合同专用章 …); "square": a 法人名章 / 个人名章


def _seal_findings(item: Item, label: str, seal_pages: list[Page]) -> Iterator[Finding]:
    """PRJ004 on the seal page: an error only where the page was seen in colour and
    nothing on it could be a seal.  A 盖章页 needs the unit's seal; a square 法人名章
    alone is weaker but no proof of a missing seal, so it is for a person to look at."""
    seals = [s for p in seal_pages for s in p.content.seals]
    if any(s.shape in UNIT_SHAPES for s in seals):
        return
    if seals:
        yield finding("GEN012", f"{label}：盖章页上只发现方形印章（法人名章或个人名章），未发现单位公章或合同专用章，"
                      "无法确认合同已由单位盖章", material=MATERIAL, evidence=item.id, at=seal_pages[0],
                      severity="info")
        return
    unread = [p for p in seal_pages if not p.content.width and p.content.source != "pdf-text"]
    if unread:
        yield finding("GEN012", f"{label}：盖章页的图像未能分析，无法确认是否盖有红色印章",
                      material=MATERIAL, evidence=item.id, at=unread[0], severity="info")
        return
    doubtful = [p for p in seal_pages if p.content.seal_like and not p.content.gray]
    if doubtful:
        yield finding("GEN012", f"{label}：盖章页上有红色印迹，但未能确认是印章（可能过淡、残缺或被遮挡），请人工核对",
                      material=MATERIAL, evidence=item.id, at=doubtful[0], severity="info")
        return
    hint = "（页面为黑白扫描，红色印章无法辨认，请改为彩色扫描）" if any(p.content.gray for p in seal_pages) \
        else "（若为黑白扫描，请改为彩色扫描）"
    yield finding("PRJ004", f"{label}：盖章页上未发现红色印章{hint}", evidence=item.id,
                  at=seal_pages[0], pages=[p.number for p in seal_pages])


def _label(item: Item) -> str:
    name = item.facts.get("project_name")
    return f"{item.id}（{name}）" if name else item.id


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    for item in items:
        yield from _check_item(item, ctx)


def _check_item(item: Item, ctx: Context) -> Iterator[Finding]:
    f = item.facts
    parts = set(f.get("parts", []))
    first = item.pages[0]
    label = _label(item)
    # the four parts of 附件2 item 12
    for part in ("cover", "amount", "personnel"):
        if part not in parts:
            yield finding(PART_CODES[part], f"{label}：缺少{PART_NAMES[part]}", evidence=item.id, at=first,
                          part=part)
    seal_pages = [p for p in item.pages if p.ref in f.get("seal_pages", [])]
    sealed_elsewhere = [p for p in item.pages if any(s.shape in UNIT_SHAPES for s in p.content.seals)]
    if not seal_pages and sealed_elsewhere:
        pass            # no 盖章 cues were read, but a page carries the unit's seal: that page is the seal page
    elif not seal_pages:
        yield finding("PRJ004", f"{label}：缺少盖章页（双方签字盖章的页面）", evidence=item.id, at=first)
    else:
        yield from _seal_findings(item, label, seal_pages)
    # participants and the applicant's role
    if "personnel" in parts:
        page = list_pages(item)[0]
        if not ctx.name:
            yield finding("GEN012", f"{label}：不知道申报人姓名，无法确认其是否在主要参与人员名单中",
                          material=MATERIAL, evidence=item.id, at=page, severity="info")
        elif not f.get("applicant_listed") and _list_unclear(f.get("list_rows", [0, 0])):
            yield finding("GEN012", f"{label}：主要参与人员名单中有 {f['list_rows'][1]} 行的姓名未能识别，"
                          f"无法确认申报人“{ctx.name}”是否在名单中", material=MATERIAL, evidence=item.id,
                          at=page, severity="info")
        elif not f.get("applicant_listed"):
            yield finding("PRJ003", f"{label}：主要参与人员名单中没有申报人“{ctx.name}”", evidence=item.id,
                          at=page, name=ctx.name)
        elif not f.get("role") and not f.get("work") and f.get("list_has_work") is False:
            yield finding("PRJ003", f"{label}：主要参与人员名单只列了姓名等，没有各人负责的项目工作内容（分工）",
                          evidence=item.id, at=page, aspect="work")
        elif not f.get("role") and not f.get("work"):
            yield finding("GEN012", f"{label}：名单中有申报人，但未能识别其角色和负责的项目工作内容",
                          material=MATERIAL, evidence=item.id, at=page, severity="info")
    # the amount
    if "amount" in parts:
        page = item.pages_with("amount")[0]
        if f.get("amount_agree") is False:
            yield finding("PRJ006",
                          f"{label}：大写金额“{f['amount_upper']}”（{_money(f['amount_upper_value'])}）"
                          f"与小写金额 {_money(f['amount_figure_value'])} 不一致", evidence=item.id, at=page,
                          upper=f["amount_upper_value"], figure=f["amount_figure_value"])
        elif f.get("amount_upper_value") is None and f.get("amount_figure_value") is None:
            yield finding("GEN012", f"{label}：金额页上未能识别出项目金额", material=MATERIAL,
                          evidence=item.id, at=page, severity="info")
    if "cover" in parts and not f.get("project_name"):
        yield finding("GEN012", f"{label}：封面页上未能识别出项目名称", material=MATERIAL, evidence=item.id,
                      at=item.pages_with("cover")[0], severity="info")
    # dates
    yield from _check_dates(item, ctx, label)
    # 统一社会信用代码
    for u in f.get("uscc", []):
        if u["status"] == "checksum":
            yield finding("PRJ007", f"{label}：统一社会信用代码 {u['code']} 校验位不正确", evidence=item.id,
                          at=first, uscc=u["code"])


def _list_unclear(rows: list[int]) -> bool:
    """Any name unread: the missing applicant may be that row, so PRJ003
    cannot be asserted (could not verify, never a guess)."""
    read, unread = rows
    return unread > 0


def _money(v: float | None) -> str:
    return "未识别" if v is None else f"¥{v:,.2f}"


def _check_dates(item: Item, ctx: Context, label: str) -> Iterator[Finding]:
    f = item.facts
    start = date.fromisoformat(f["start"]) if f.get("start") else None
    end = date.fromisoformat(f["end"]) if f.get("end") else None
    signed = date.fromisoformat(f["signed"]) if f.get("signed") else None
    at = (item.pages_with("cover") or item.pages)[0]
    cat = ctx.catalogue
    if start and end and end < start:
        yield finding("PRJ005", f"{label}：项目结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
                      evidence=item.id, at=at, start=start.isoformat(), end=end.isoformat())
    if signed and end and signed > end and not (start and end < start):
        yield finding("PRJ005", f"{label}：签订日期 {signed.isoformat()} 晚于项目结束日期 {end.isoformat()}",
                      evidence=item.id, at=at, signed=signed.isoformat(), end=end.isoformat())
    # PRJ008: 业绩 after the cutoff, or ended before both 近五年 and 任现职
    first_day = min(d for d in (signed, start) if d) if (signed or start) else None
    last_day = end or signed
    if first_day and first_day > cat.cutoff:
        when: tuple[str, date | None] = ("签订（开始）日期", first_day)
    else:
        when = ("项目结束日期" if end else "签订日期", last_day)
    if when[1]:
        found = window_finding("PRJ008", label, when[0], when[1], ctx, at=at, evidence=item.id, material=MATERIAL,
                               date=when[1].isoformat())
        if found:
            yield found
    if not (signed or start):
        yield finding("GEN012", f"{label}：未能识别合同签订日期或项目起止时间，时间未核对", material=MATERIAL,
                      evidence=item.id, at=at, severity="info")
