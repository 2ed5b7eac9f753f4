"""学历学位证明 (附件2 item 2): EDU001–EDU004.

Evidence: 教育部学历证书电子注册备案表 (学信网), 中国高等教育学历认证报告,
毕业证书, 学位证书, 高校毕业生登记表, 留服中心 国外（港澳台）学历学位认证书.

What is checkable on a 备案表 (EDU004): the 在线验证码 must be printed and
readable (10+ letters/digits after the label), and when the page prints
“在线验证有效期至 …” that date must not be before the evidence cutoff (a
reviewer verifies the code after the applicant uploads, so a code that has
lapsed by the cutoff cannot be verified).  学信网 lets the holder choose the
validity, so the 更新日期 alone says nothing about it: when no 有效期 is
printed we say so (GEN012, info) instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from zjcheck.checkutil import data_table, missing_part
from zjcheck.codes import finding
from zjcheck.model import Finding, Item
from zjcheck.plugins import Context
from zjcheck.evidence import Fact, derived
from zjcheck.extract import Text, date_fact, find_dates, fuzzy_pattern, norm, plausible_name, squash, to_int, value_after
from zjcheck.extract.normalize import fuzzy_find

MATERIAL = "education"
CODES = ("EDU001", "EDU002", "EDU003", "EDU004", "GEN012")

EVIDENCE_PARTS = ("xueli_record", "verify_report", "diploma", "degree", "foreign_cert")
CERT_PARTS = ("diploma", "degree")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return data_table("records", "education")


def _after_label(text: str, labels: list[str], window: int = 40) -> list[str]:
    """Squashed text following each occurrence of a label (OCR spacing ignored)."""
    t = squash(text)
    out = []
    for label in labels:
        for m in re.finditer(fuzzy_pattern(squash(label)), t):
            out.append(t[m.end(): m.end() + window])
    return out


def date_after_label(text: str, labels: list[str], window: int = 24) -> date | None:
    for chunk in _after_label(text, labels, window):
        for dm in find_dates(chunk):
            if dm.value is not None:
                return dm.value
    return None


_CODE = re.compile(r"^[::]?([0-9a-z]{10,24})")


def verify_code(text: str) -> str | None:
    """The 在线验证码 printed after its label, upper-cased; None when unreadable."""
    for chunk in _after_label(text, table()["verify_code_labels"], 30):
        m = _CODE.match(chunk)
        if m and re.search(r"\d", m.group(1)) and re.search(r"[a-z]", m.group(1)):
            return m.group(1).upper()
    return None


def highest_level(text: str) -> str | None:
    t = squash(text)
    for level, words in table()["levels"]:
        if any(w in t for w in words):
            return level
    return None


_DISCIPLINES = ("哲学", "经济学", "法学", "教育学", "文学", "历史学", "理学", "工学", "农学", "医学", "军事学",
                "管理学", "艺术学", "工程", "工商管理", "公共管理")
_DEGREE = re.compile(rf"((?:{'|'.join(_DISCIPLINES)})(?:学士|硕士|博士))(?:学位)?(?!证书)")


def foreign_cue(text: str) -> str | None:
    """A cue that the degree was earned abroad / in HK, Macao or Taiwan."""
    t = squash(text)
    for phrase in table()["foreign_ignore"]:
        t = t.replace(squash(phrase), "")
    for cue in table()["foreign_cues"]:
        if squash(cue) in t:
            return cue
    low = norm(text)
    for rx in table()["foreign_english"]:
        m = re.search(rx, low)
        if m:
            return m.group(0)
    return None


def foreign_cue_fact(text: Text) -> Fact | None:
    """foreign_cue with where it was read (EDU003 rests on it)."""
    cue = foreign_cue(text.raw.s)
    if cue is None:
        return None
    for view, needle in ((text.squashed, squash(cue)), (text.normed, norm(cue))):
        k = view.s.find(needle)
        if k >= 0:
            return text.fact(cue, view, k, k + len(needle))
    return Fact(cue, "derived", 0.0)


_STUDY_END = re.compile(r"(?:至|到|—|-|~)\s*$")
_NOTE = re.compile(r"原件|复印|相符|一致|打印|下载|查询|生成")
_STUDY_START = re.compile(r"^\s*(?:至|到|—|~|起)")
_SCHOOLING = re.compile(r"([一二三四五六七八2-8])\s*年\s*制|学\s*制\s*[:：]?\s*([一二三四五六七八2-8])\s*年")
_BIRTH_AFTER = re.compile(r"^\s*(?:出?生|出生)")


def _cert_graduation(text: Text, ctx: Context) -> Fact | None:
    """The graduation date a 毕业证书 / 学位证书 writes: the end of its study period
    (于一九九四年九月至一九九八年七月在本校学习), else its latest date that is not
    the holder's birth date.  Dates after the evidence cutoff (a 与原件相符 note
    written at upload time) are no graduation date."""
    v = text.normed
    ends: list[Fact] = []
    others: list[Fact] = []
    starts: list[Fact] = []
    for dm in find_dates(v.s):
        if dm.value is None or not 1950 <= dm.value.year or dm.value > ctx.catalogue.cutoff:
            continue
        if _BIRTH_AFTER.match(v.s[dm.end: dm.end + 4]) or _NOTE.search(v.line(v.line_at(dm.start))):
            continue            # the holder's birth; a 与原件相符 / 打印 note
        f = text.fact(dm.value, v, dm.start, dm.end)
        if _STUDY_START.match(v.s[dm.end: dm.end + 3]):
            starts.append(f)            # 于一九九四年九月至: the start of the study, no graduation
        elif _STUDY_END.search(v.s[max(0, dm.start - 3): dm.start]):
            ends.append(f)
        else:
            others.append(f)
    if ends:
        return max(ends, key=lambda f: f.value)
    # only the start of the study period was read (于一九九四年九月至……): with the
    # 学制 printed (四年制, 学制4年) the graduation follows from it
    by_schooling = None
    years = _SCHOOLING.search(v.s)
    n = to_int(years.group(1) or years.group(2)) if years else None
    if starts and years and n and 2 <= n <= 8:
        start = min(starts, key=lambda f: f.value)
        by_schooling = derived(date(start.value.year + n, 7, 1), [start, text.fact(n, v, *years.span())])
    if others:
        latest = max(others, key=lambda f: f.value)
        if by_schooling is None or abs(latest.value.year - by_schooling.value.year) <= 2:
            return latest
    return by_schooling


def graduation_fact(item: Item, ctx: Context) -> Fact | None:
    """毕业日期 printed beside its label (备案表, 认证报告, 登记表); else the date a
    certificate gives (see _cert_graduation)."""
    labelled = date_fact(Text.of(*item.pages), table()["graduation_labels"])
    if labelled is not None:
        return labelled
    certs = [p for p in item.pages if set(p.parts) & set(CERT_PARTS)]
    return _cert_graduation(Text.of(*certs), ctx) if certs else None


def graduation_date(item: Item, ctx: Context) -> date | None:
    f = graduation_fact(item, ctx)
    return f.value if f else None


def verify_code_fact(record: Text) -> tuple[Fact | None, Fact | None]:
    """(the 在线验证码 label as read, the code after it): the label tells that the
    place of the code was read, so an absent code is a fact, not a misreading."""
    v = record.normed
    label = None
    for lab in table()["verify_code_labels"]:
        span = fuzzy_find(norm(lab), v.s)
        if span:
            label = record.fact(lab, v, *span)
            break
    code = value_after(record, table()["verify_code_labels"], pattern=r"([0-9a-z][0-9a-z ]{9,30})", window=40)
    if code is not None:
        compact = re.sub(r"\s", "", code.value)
        if re.search(r"\d", compact) and re.search(r"[a-z]", compact) and 10 <= len(compact) <= 24:
            return label, Fact(compact.upper(), code.source, code.confidence, code.path, code.page, code.box,
                               code.raw, code.valid)
    return label, None


def holder_fact(item: Item) -> Fact | None:
    """The holder's name in the 姓名 field, with where it was read (for the name vote)."""
    f = value_after(Text.of(*item.pages), ["姓名"], pattern=r"([\u4e00-\u9fff·]{2,5})",
                    stops=["性别", "出生", "民族", "身份", "证件"])
    return f if f is not None and plausible_name(f.value) else None


def facts(item: Item, ctx: Context) -> dict[str, Any]:
    parts = item.parts()
    record = Text.of(*item.pages_with("xueli_record"))
    record_text = "\n".join(p.text for p in item.pages_with("xueli_record"))
    degree = _DEGREE.search(squash(item.text))
    valid = date_fact(record, table()["valid_until_labels"]) if record else None
    updated = date_after_label(record_text, table()["updated_labels"]) if record_text else None
    label, code = verify_code_fact(record) if record else (None, None)
    return {
        "parts": sorted(parts),
        "level": highest_level(item.text),
        "degree": degree.group(1) if degree else None,
        "graduation_date": graduation_fact(item, ctx),
        "foreign_cue": foreign_cue_fact(Text.of(*[p for p in item.pages if "foreign_cert" not in p.parts])),
        "verify_code": code if code is not None else (verify_code(record_text) if record_text else None),
        "verify_code_label": label,
        "verify_valid_until": valid,
        "record_updated": updated.isoformat() if updated else None,
        "holder": holder_fact(item),
    }


def _missing_evidence_message() -> str:
    return ("未找到学历学位证明：须上传学历学位证书、《教育部学历证书电子注册备案表》"
            "或《中国高等教育学历认证报告》")


def _best(items: list[Item], key: str) -> tuple[Item, Fact | None]:
    """The item and the fact of `key` read most surely across the items."""
    have = [(it, it.fact(key)) for it in items if it.fact(key) is not None]
    if not have:
        return max(items, key=lambda i: len(i.pages)), None
    return max(have, key=lambda x: (x[1].strong, x[1].confidence))  # type: ignore[union-attr]


def check(items: list[Item], ctx: Context) -> Iterator[Finding]:
    found = {p for it in items for p in it.parts()}
    if not found & set(EVIDENCE_PARTS):
        extra = "（只有《高校毕业生登记表》）" if "grad_register" in found else ""
        yield missing_part("EDU001", _missing_evidence_message() + extra, MATERIAL, EVIDENCE_PARTS, ctx,
                           item=items[0] if items else None, evidence=items[0].id if items else None)
        return
    item = items[0] if len(items) == 1 else max(items, key=lambda i: len(i.pages))
    f: dict[str, Any] = {}
    for it in items:
        for k, v in it.facts.items():
            if v is not None:
                f.setdefault(k, v)
    first = item.pages[0]

    # EDU002: graduated before the rule year.  The profile's date (the
    # applicant's own statement) wins; else the one read most surely.
    rule_year = ctx.catalogue.graduation_rule_year
    if ctx.profile.graduation_date and ctx.profile.sources.get("graduation_date") != "inferred":
        grad_fact: Fact | None = Fact(ctx.profile.graduation_date, "profile")
    else:
        item_g, grad_fact = _best(items, "graduation_date")
        item = item_g if grad_fact else item
    grad = grad_fact.value if grad_fact else None
    if grad is None:
        if "xueli_record" not in found and "verify_report" not in found:
            yield finding("GEN012", "无法确认毕业时间（材料上的毕业日期未能识别，申报人信息中也没有 graduation_date），"
                                    f"{rule_year} 年之前毕业须附《高校毕业生登记表》的要求未核对",
                          material=MATERIAL, evidence=item.id, at=first, severity="info", would_be="EDU002")
    elif grad.year < rule_year and "verify_report" not in found:
        missing, parts = [], []
        if not found & set(CERT_PARTS):
            missing.append("学历学位证书")
            parts += list(CERT_PARTS)
        if "grad_register" not in found:
            missing.append("《高校毕业生登记表》")
            parts += ["grad_register", "verify_report"]
        if missing:
            msg = (f"{grad.year} 年毕业（{rule_year} 年之前），缺少{'和'.join(missing)}扫描件"
                   "（或上传《中国高等教育学历认证报告》）")
            doubt = finding("EDU002", msg, evidence=item.id, at=first, needs={"毕业时间": grad_fact})
            if doubt.code != "EDU002":
                yield doubt
            else:
                yield missing_part("EDU002", msg, MATERIAL, parts, ctx, item=item, evidence=item.id, at=first,
                                   graduation=grad.isoformat(), missing=missing)

    # EDU003: foreign / HK-Macao-Taiwan degree
    cue = f.get("foreign_cue")
    cue_item = next((it for it in items if it.facts.get("foreign_cue")), item)
    if cue and "foreign_cert" not in found:
        doubt = finding("EDU003", "学历学位材料显示为国外或港澳台学历", needs={"境外学历标志": cue_item.fact("foreign_cue")},
                        evidence=cue_item.id, at=cue_item.pages[0], cue=cue)
        yield doubt if doubt.code != "EDU003" else missing_part("EDU003", f"学历学位材料显示为国外或港澳台学历（“{cue}”），缺少教育部留学服务中心出具的"
                                     "《国外学历学位认证书》或《港澳台学历学位认证书》", MATERIAL, ("foreign_cert",), ctx,
                           item=item, evidence=item.id, at=first, cue=cue)

    # EDU004: 学信网 备案表 verification code and validity
    for it in items:
        rec_pages = it.pages_with("xueli_record")
        if not rec_pages:
            continue
        page = rec_pages[0]
        if not it.facts.get("verify_code"):
            yield finding("EDU004", "《教育部学历证书电子注册备案表》上没有可识别的在线验证码，审核时无法在学信网核验",
                          evidence=it.id, at=page, needs={"在线验证码栏": it.fact("verify_code_label")})
            continue
        valid = it.facts.get("verify_valid_until")
        if valid and date.fromisoformat(valid) < ctx.catalogue.cutoff:
            yield finding("EDU004", f"《教育部学历证书电子注册备案表》在线验证有效期至 {valid}，早于材料截止日 "
                                    f"{ctx.catalogue.cutoff.isoformat()}，审核时已无法验证",
                          evidence=it.id, at=page, valid_until=valid,
                          needs={"在线验证有效期": it.fact("verify_valid_until")})
        elif not valid:
            upd = it.facts.get("record_updated")
            yield finding("GEN012", "无法确认《教育部学历证书电子注册备案表》在线验证码的有效期（页面上未识别出“有效期至”日期"
                                    f"{'，更新日期 ' + upd if upd else ''}），请在学信网确认验证码在审核期间有效",
                          material=MATERIAL, evidence=it.id, at=page, severity="info")
