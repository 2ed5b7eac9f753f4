"""RLV001: an achievement that looks unrelated to the 机电制造 specialty
(附件2 item 7: 工作业绩、专业学术成果 … 与申报专业相关联; 附件1 评审专业范围).

Whether a piece of work belongs to a specialty is a reviewer's judgement; a
program can only see the plain cases.  So the rule is one-sided and its
vocabulary lives in data/relevance.toml: an achievement warns only when it
shows a sign of another field (a word in its title or keywords, or a 中图分类号
/ IPC code of another field, where printed) and no sign of the specialty
anywhere — not in the title, not in the keywords, not in a class code.  A
title with no sign either way, or one word of the specialty, keeps it silent.
The warning rests on the title as read (`needs=`): a title read poorly is
"could not verify", not a warning; and the message says which words and
codes made the case.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from zjcheck.codes import finding
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import squash
from zjcheck.materials import material_name
from zjcheck.model import Finding, Item

_CLC = re.compile(r"中\s*图\s*(?:分\s*类\s*号|法?\s*分\s*类\s*号|分\s*类)\s*[:：]?\s*"
                  r"([A-Z](?:[\s.\-+/0-9A-Z]|[；;，,、](?=\s*[A-Z]))*)")
_IPC = re.compile(r"(?:Int\s*\.?\s*C[lI1]\s*\.?|IPC(?:分类号)?|国际专利分类号?)\s*(?:\(\s*\d{4}[.\d]*\s*\))?\s*[:：]?\s*"
                  r"((?:[A-H]\s?\d{2}\s?[A-Z]\s?\d{0,4}(?:\s?/\s?\d{1,6})?\s*(?:\(\s*\d{4}\s*\.\s*\d{2}\s*\))?[\s;；,，]*){1,6})")
_IPC_ONE = re.compile(r"[A-H]\s?\d{2}\s?[A-Z](?:\s?\d{1,4}(?:\s?/\s?\d{1,6})?)?")
_KEYWORDS = re.compile(r"关\s*键\s*(?:词|字)\s*[:：]\s*([^\n]{2,120}?)(?=\s*(?:DOI|doi|中图|文献标|$|\n))")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """data/relevance.toml, words normalised as titles are (NFKC, no spaces, lower case)."""
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/relevance.toml").read_text("utf-8"))
    for side in ("specialty", "unrelated"):
        raw[side]["words"] = sorted({squash(w) for w in raw[side]["words"]}, key=len, reverse=True)
        raw[side]["ipc"] = [re.sub(r"\s", "", c).upper() for c in raw[side]["ipc"]]
    return raw


@dataclass
class Signs:
    """What one achievement shows of the specialty and of other fields."""

    on: list[str] = field(default_factory=list)       # why it belongs (words, codes)
    off: list[str] = field(default_factory=list)      # why it may not

    @property
    def unrelated(self) -> bool:
        return bool(self.off) and not self.on


def _words(text: str, words: list[str]) -> list[str]:
    t = squash(text)
    return [w for w in words if w in t]


def class_codes(text: str) -> tuple[list[str], list[str]]:
    """(中图分类号, IPC codes) printed in a text ('TH39；TP273', 'Int.Cl. B23Q 11/00')."""
    t = unicodedata.normalize("NFKC", text)
    clc: list[str] = []
    for m in _CLC.finditer(t):
        clc += [c for c in (re.sub(r"\s", "", x) for x in re.split(r"[；;，,、]", m.group(1))) if re.match(r"[A-Z]", c)]
    ipc: list[str] = []
    for m in _IPC.finditer(t):
        ipc += [re.sub(r"\s", "", x).upper() for x in _IPC_ONE.findall(m.group(1))]
    return clc, ipc


def keywords(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for m in _KEYWORDS.finditer(t):
        out += [k.strip() for k in re.split(r"[；;，,、\s]+", m.group(1)) if k.strip()]
    return out


def signs(title: str, keys: list[str], clc: list[str], ipc: list[str]) -> Signs:
    """The specialty's and other fields' signs in a title, its keywords and class codes."""
    v = vocabulary()
    s = Signs()
    on_t, off_t = _words(title, v["specialty"]["words"]), _words(title, v["unrelated"]["words"])
    on_k = [w for w in _words("；".join(keys), v["specialty"]["words"]) if w not in on_t]
    off_k = [w for w in _words("；".join(keys), v["unrelated"]["words"]) if w not in off_t]
    if on_t:
        s.on.append(f"题名中有“{'”“'.join(on_t[:3])}”")
    if on_k:
        s.on.append(f"关键词中有“{'”“'.join(on_k[:3])}”")
    if off_t:
        s.off.append(f"题名中有“{'”“'.join(off_t[:3])}”")
    if off_k:
        s.off.append(f"关键词中有“{'”“'.join(off_k[:3])}”")
    for label, codes, key in (("中图分类号", clc, "clc"), ("IPC 分类号", ipc, "ipc")):
        for c in codes:
            if any(c.upper().startswith(p) for p in v["specialty"][key]):
                s.on.append(f"{label} {c}")
            elif any(c.upper().startswith(p) for p in v["unrelated"][key]):
                s.off.append(f"{label} {c}（其他专业的分类）")
    return s


def _title(item: Item) -> tuple[str, Fact] | None:
    """The achievement's title as its checker read it, with the fact behind it."""
    for key in vocabulary()["fields"].get(item.material, []):
        value = item.facts.get(key)
        if not isinstance(value, str) or len(squash(value)) < 4:
            continue
        fact = item.fact(key)
        if fact is None:
            # a checker that keeps the title as a plain value: the page it stands on
            want = squash(value)
            page = next((p for p in item.pages if want in squash(p.text)), None)
            if page is None:
                continue
            fact = page_fact(value, page)
        return value, fact
    return None


def check(items: list[Item]) -> Iterator[Finding]:
    """RLV001 for every achievement whose title, keywords and class codes say
    only "another field"."""
    for item in items:
        if item.material not in vocabulary()["fields"]:
            continue
        got = _title(item)
        if got is None:
            continue
        title, fact = got
        text = item.text
        clc, ipc = class_codes(text)
        s = signs(title, keywords(text), clc, ipc)
        if not s.unrelated:
            continue
        yield finding("RLV001", f"{material_name(item.material)}《{title}》看起来与机电制造专业无关："
                                f"{'；'.join(s.off)}，题名、关键词和分类号中都没有机电制造专业（设计开发、生产制造、集成服务）"
                                f"的词语或分类；附件2第7项要求业绩成果与申报专业相关联，请确认",
                      evidence=item.id, path=fact.path, page=fact.page, why=s.off, needs={"题名": fact})
