"""Personal names: lists after a label (发明人：…, 主要起草人：…), whether a
name is among them, and whether a string can be a Chinese name at all.

A value that cannot be a name is not returned as one: "信息如下" after 发明人
is no inventor list, and the checker must say it could not read the list.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from zjcheck.extract.normalize import squash

_HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(single-character surnames, compound surnames, not-name words) from
    zjcheck/data/surnames.txt."""
    lines = resources.files("zjcheck").joinpath("data/surnames.txt").read_text("utf-8").splitlines()
    words = [w for ln in lines if not ln.startswith("#") for w in ln.split()]
    names = [w for w in words if not w.startswith("!")]
    return (frozenset(w for w in names if len(w) == 1), frozenset(w for w in names if len(w) == 2),
            tuple(w[1:] for w in words if w.startswith("!")))


def plausible_name(s: str) -> bool:
    """Whether `s` can be a Chinese personal name: 2–4 Han characters starting
    with a known surname (or a transliterated name with a middle dot)."""
    s = squash(s)
    if "·" in s or "•" in s:
        return 3 <= len(s) <= 20 and all(_HAN.match(c) or c in "·•" or c.isascii() and c.isalpha() for c in s)
    if not 2 <= len(s) <= 4 or not all(_HAN.match(c) for c in s):
        return False
    single, compound, not_names = surnames()
    if any(w in s for w in not_names):
        return False
    return s[0] in single or (len(s) >= 3 and s[:2] in compound)


def name_in(name: str, text: str) -> bool:
    """Whether a Chinese personal name occurs in the text, OCR spacing ignored."""
    return bool(name) and squash(name) in squash(text)


def names_after(text: str, labels: list[str], stops: list[str], limit: int = 90) -> tuple[list[str], str] | None:
    """The list of personal names written after a label (发明人：…, 主要起草人：…).

    Returns (names, squashed segment) or None when no label is found or no
    value follows it. Names are split on 、，；/ and on wide spaces; when OCR
    spaced every character the list cannot be split and `names` is empty (the
    segment is still returned so that presence can be tested).  Chunks that
    cannot be names (plausible_name) are dropped; a segment with no plausible
    name at all is not a list of names (None)."""
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
    if len(_HAN.findall(seg)) < 2:
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
    if names and not any(plausible_name(n) for n in names):
        return None             # words, not names: the value was not read
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
