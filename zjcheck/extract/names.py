"""Personal names: lists after a label (发明人：…, 主要起草人：…), whether a
name is among them, and whether a string can be a Chinese name at all.

A value that cannot be a name is not returned as one: "信息如下" after 发明人
is no inventor list, and the checker must say it could not read the list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from zjcheck.evidence import Fact
from zjcheck.extract.normalize import squash
from zjcheck.extract.text import Text

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
    return _parse_names(seg)


def _parse_names(seg: str) -> tuple[list[str], str] | None:
    """Split a segment into names (see names_after); None when no chunk is a plausible name."""
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


_SEPS = re.compile(r"[、,;/|；，]|\s{2,}")


def _names_only(line: str) -> bool:
    """Whether a line is made of names only (a list wrapping onto it, or printed below its label)."""
    chunks = [c.strip(" \t:：.。") for c in _SEPS.split(unicodedata.normalize("NFKC", line))]
    chunks = [c for c in chunks if c]
    if not chunks:
        return False
    for c in chunks:
        s = re.sub(r"\s+", "", c)
        if not (plausible_name(s) or (1 <= len(s) <= 4 and all(_HAN.match(x) for x in s))):
            return False
    return any(plausible_name(re.sub(r"\s+", "", c)) for c in chunks) or len(chunks) == 1


def names_fact(text: Text, labels: Sequence[str], stops: Sequence[str], *, limit: int = 240,
               max_wrap: int = 4) -> Fact | None:
    """The names listed after a label (发明人：…, 主要起草人：…) as a Fact:
    value the list of names (empty when OCR spaced every character and the
    list cannot be split), `raw` the squashed segment (so presence can still
    be tested), as sure as the least sure line it was read from.

    The list is read from the rest of the label's line up to the next label
    of `stops` or the full stop, and continues on the following lines while
    they hold names only (a list wrapping to a second line, or printed below
    its label).  A label followed by no name ("发明人信息如下：") is skipped
    and the next occurrence tried; None when no label is followed by names.
    A list with chunks that are no plausible name is read less surely."""
    raw = text.raw
    pats = [re.compile(r"\s*".join(re.escape(c) for c in unicodedata.normalize("NFKC", lab).lower())
                       + r"\s*(?:[(（][^)）]{1,6}[)）])?\s*[:：]?") for lab in sorted(labels, key=len, reverse=True)]
    stop_pats = [re.compile(r"\s*".join(re.escape(c) for c in unicodedata.normalize("NFKC", st).lower()))
                 for st in stops]
    n = len(text.lines)
    for i in range(n):
        line = unicodedata.normalize("NFKC", raw.line(i))
        low = line.lower()
        found = sorted((m for p in pats for m in p.finditer(low)), key=lambda m: (m.start(), -m.end()))
        for m in found:
            seg = line[m.end():]
            cut = _cut_at(seg, stop_pats)
            seg = seg[:cut]
            used = [i]
            ended = cut < len(line) - m.end()
            j = i + 1
            while not ended and j < n and j <= i + max_wrap and len(seg) < limit:
                nxt = unicodedata.normalize("NFKC", raw.line(j))
                c = _cut_at(nxt, stop_pats)
                if c == 0 or not _names_only(nxt[:c]):
                    break
                seg += _join(seg, nxt[:c])
                used.append(j)
                ended = c < len(nxt)
                j += 1
            parsed = _parse_names(seg) if len(_HAN.findall(seg)) >= 2 else None
            if parsed is None:
                continue
            names, squashed = parsed
            plausible = all(plausible_name(x) for x in names) if names else False
            fact = text._fact(names, used, raw=squashed, valid=True, factor=1.0 if plausible else 0.8)
            return fact
    return None


def _join(seg: str, nxt: str) -> str:
    """How a wrapped line continues a list: a name cut by the line end (董文|杰,
    吴|晓明: a one-character piece on either side) is joined, else a new name begins."""
    tail = re.split(r"[、,;/|；，\s]", seg.rstrip())[-1]
    head = re.split(r"[、,;/|；，\s]", nxt.lstrip())[0]
    t, h = squash(tail), squash(head)
    if t and h and (len(t) == 1 or len(h) == 1) and len(t) + len(h) <= 4 and not seg.rstrip()[-1:] in "、,;/|；，":
        return nxt.lstrip()
    return "\n" + nxt


def _cut_at(seg: str, stop_pats: list[re.Pattern[str]]) -> int:
    """Where a names segment ends: the next label, or the full stop."""
    low = seg.lower()
    cut = len(seg)
    for p in stop_pats:
        m = p.search(low)
        if m and m.start() > 0:
            cut = min(cut, m.start())
        elif m and m.start() == 0:
            cut = 0
    i = seg.find("。")
    if i >= 0:
        cut = min(cut, i)
    return cut
