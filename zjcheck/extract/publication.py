"""Readers the publication checkers share (paper, book): titles compared
across pages with OCR noise, ISBNs, a name read with one character misread.

    core("基于改进 PID 算法的…")           CJK, digits and latin letters only
    partial_ratio(title, other_page_text)  best similarity of a title to any window
    find_isbns(text)                       ISBNs written after the word ISBN, compacted
    close_name("周建华", text)              the name with one character misread
    find_author_line(Text.of(page), name)  the author line of an article's first page
    title_above(text, i)                   the title right above that line
    reflowed(text)                         a text layer written piece by piece, joined back
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from stdnum import isbn as _isbn

from zjcheck.extract.normalize import norm, squash
from zjcheck.extract.text import Text, TextLine

_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")


def core(text: str) -> str:
    """Only CJK characters, digits and latin letters: what survives OCR reliably."""
    return _KEEP.sub("", squash(text))


def partial_ratio(needle: str, haystack: str) -> float:
    """Best similarity (0..1) of `needle` to any window of `haystack` (both `core`d).

    A title printed on another page with a misread character or two still
    scores high; a different title scores low.
    """
    n, h = core(needle), core(haystack)
    if not n or not h:
        return 0.0
    if n in h:
        return 1.0
    if len(h) <= len(n):
        return SequenceMatcher(None, n, h, autojunk=False).ratio()
    best = 0.0
    chars = set(n)
    for width in {len(n) - 1, len(n), len(n) + 1}:
        for i in range(0, len(h) - width + 1):
            w = h[i:i + width]
            if w[0] not in chars and w[-1] not in chars:
                continue
            sm = SequenceMatcher(None, n, w, autojunk=False)
            if sm.quick_ratio() <= best:
                continue
            best = max(best, sm.ratio())
    return best


def fix_digits(s: str) -> str:
    """OCR letter/digit confusions inside a number: o->0, l/i/|->1."""
    return s.translate(str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1"}))


def find_isbns(text: str) -> list[str]:
    """ISBNs written after the word ISBN (10 or 13 digits, OCR spaces tolerated), compacted."""
    t = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for m in re.finditer(r"i\s*s\s*b\s*n\s*(?:书号|号|为|是)?\s*[:：]?\s*((?:[0-9oO][\s\-—–]{0,3}){9,13}[0-9xX]?)", t, re.I):
        raw = fix_digits(re.sub(r"[\s\-—–]", "", m.group(1))).upper()
        if len(raw) in (10, 13) or len(raw) > 13 and raw[:3] in ("978", "979"):
            raw = raw[:13] if len(raw) > 13 else raw
            out.append(raw)
        elif len(raw) > 10 and not raw.startswith(("978", "979")):
            out.append(raw[:10])
    return out


def isbn_ok(number: str) -> bool:
    return _isbn.is_valid(number)


def close_name(name: str, text: str) -> bool:
    """The name with one character misread (same surname), for 'could not confirm'."""
    n, t = squash(name), squash(text)
    if len(n) < 3:
        return False
    pat = re.escape(n[0]) + "".join(
        "(?:" + "|".join(re.escape(n[1:][:i]) + "." + re.escape(n[1:][i + 1:]) for i in range(len(n) - 1)) + ")")
    return bool(re.search(pat, t))


# ---------------------------------------------------------------- an article's first page

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# lines that are a label and its value, not a title or an author list
LABEL_LINE = re.compile(
    r"^\W{0,3}(?:doi|文章编号|中图分类号|中图法分类号|分类号|文献标[志识]码|收稿日期|修回日期|录用日期|基金项目|基金资助|"
    r"作者简介|第一作者|通信作者|通讯作者|引用格式|本文引用格式|引用本文|网络出版|网络首发|摘\s*要|关键词|关键字|"
    r"abstract|key\s*words|作者单位|专辑|专题|e-?mail)", re.I)
# running heads and issue lines: 第43卷 第3期 / Vol.43 No.3 / 2011年3月 / 哈尔滨工业大学学报 / …论文集
HEAD_LINE = re.compile(
    r"第\s*\d+\s*卷|第\s*\d{1,2}\s*期|vol\s*\.?\s*\d|no\s*\.\s*\d|(?:19|20)\d\d\s*年\s*(?:第\s*)?\d{1,2}\s*[月期]|journal|学报|"
    r"论文集|杂志|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s*[.．]?\s*(?:19|20)\d\d", re.I)
_SEPARATORS = "，,、;；"


def cjk_count(s: str) -> int:
    return len(_CJK_CHAR.findall(s))


def reflowed(text: Text) -> Text:
    """A text layer that writes every piece on its own line (CNKI files made by
    TTKN/ReaderEx: 包立君 / ， / 刘宛予 / ， / 浦昭邦) with the separators
    joined back: a line that is only a separator glues its neighbours."""
    out: list[TextLine] = []
    glue = False
    for ln in text.lines:
        s = ln.text.strip()
        if s and all(c in _SEPARATORS for c in s) and out:
            prev = out[-1]
            out[-1] = TextLine(prev.text + s, prev.page, _min_conf(prev.conf, ln.conf), prev.box, prev.source)
            glue = True
            continue
        if glue and out and s:
            prev = out[-1]
            out[-1] = TextLine(prev.text + s, prev.page, _min_conf(prev.conf, ln.conf), prev.box, prev.source)
            glue = False
            continue
        glue = False
        out.append(ln)
    return Text(out)


def _min_conf(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


_TOKEN_SPLIT = re.compile(r"[\s\u3000,，、;；:：()（）\[\]【】*#＊†‡§¹²³⁴⁵⁶⁷⁸⁹⁰①②③④⑤⑥⑦⑧⑨0-9a-z.\"'“”‘’`|]+", re.I)


def name_tokens(line: str) -> list[str]:
    """The pieces of a would-be author line: names split on commas, spaces and
    the superscripts that tie them to their affiliations (陈思远¹，方建国① …)."""
    t = unicodedata.normalize("NFKC", line).strip()
    t = re.sub(r"^\s*(?:作\s*者|\[?(?:期刊|会议)论文\]?)\s*[:：]?", "", t)
    toks = [x for x in _TOKEN_SPLIT.split(t) if x]
    singles = sum(1 for x in toks if len(x) == 1 and _CJK_CHAR.match(x))
    if toks and singles >= 0.6 * len(toks):
        # Tesseract spaces every character (李 晓 东 ， 王 立 军): close the spaces, keep the commas;
        # names that then run together are split by `unglue`
        toks = [x for x in _TOKEN_SPLIT.split(norm(t)) if x]
    return toks


def unglue(token: str, name: str | None) -> list[str]:
    """Names OCR ran together (陈思远邵伟明): split around the applicant's name,
    the rest into 3- or 2-character pieces that each start with a surname."""
    if len(token) < 4 or not all(_CJK_CHAR.match(c) for c in token):
        return [token]
    n = squash(name) if name else ""
    if n and n in token and token != n:
        i = token.index(n)
        left, right = _segment(token[:i]), _segment(token[i + len(n):])
        return [*left, n, *right] if left is not None and right is not None else [token]
    if len(token) <= 4 and _plausible(token):
        return [token]                     # a four-character name stays whole
    seg = _segment(token)
    return seg if seg and len(seg) > 1 else [token]


def _plausible(s: str) -> bool:
    from zjcheck.extract.names import plausible_name
    return plausible_name(s)


def _segment(s: str) -> list[str] | None:
    """s cut into names of 3 characters (or 2) that each start with a surname; None when it cannot be."""
    if not s:
        return []
    for first in (3, 2):
        head, rest = s[:first], s[first:]
        if len(head) == first and _plausible(head):
            tail = _segment(rest)
            if tail is not None:
                return [head, *tail]
    return None


def author_names(line: str, name: str | None = None) -> list[str] | None:
    """The names of an author line, or None when the line is no author list.

    With the applicant's `name` among the pieces, the run of plausible names
    around it (a row of a search result also holds the title and the source);
    otherwise a line of two or more pieces, most of them plausible names."""
    from zjcheck.extract.names import plausible_name
    if LABEL_LINE.match(norm(line).strip()):
        return None
    toks = [n for t in name_tokens(line) for n in unglue(t, name)]
    if not toks:
        return None
    if name and squash(name) in toks:
        i = toks.index(squash(name))
        lo, hi = i, i + 1
        while lo > 0 and plausible_name(toks[lo - 1]):
            lo -= 1
        while hi < len(toks) and plausible_name(toks[hi]):
            hi += 1
        return toks[lo:hi]
    if len(core(line)) > 40:
        return _semicolon_names(line)
    names = [t for t in toks if plausible_name(t)]
    if len(names) >= 2 and len(names) >= 0.75 * len(toks):
        return names
    return _semicolon_names(line)


def _semicolon_names(line: str) -> list[str] | None:
    """The author cell of a search-result row read as one line with the title and
    the source glued on (…优化研究李晓东;王立军;陈晓燕机电工程2024-05-20): names
    between semicolons, the first and last cut off the text they touch."""
    from zjcheck.extract.names import plausible_name
    parts = re.split(r"\s*[;；]\s*", norm(line))
    if len(parts) < 2:
        return None
    names: list[str] = []
    for i, part in enumerate(parts):
        run = re.findall(r"[\u3400-\u9fff·]+", part)
        if not run:
            continue
        piece = run[-1] if i == 0 else run[0]
        if i not in (0, len(parts) - 1) and plausible_name(piece):
            names.append(piece)
            continue
        cut = [piece[-k:] if i == 0 else piece[:k] for k in (3, 2) if len(piece) >= k]
        pick = next((c for c in cut if plausible_name(c)), None)
        if pick:
            names.append(pick)
    return names if len(names) >= 2 else None


def find_author_line(text: Text, name: str | None, limit: int = 45) -> tuple[int, list[str]] | None:
    """(line index, names) of the author line near the top of an article's
    first page: the line listing the applicant, else the first list of names."""
    first: tuple[int, list[str]] | None = None
    for i, ln in enumerate(text.lines[:limit]):
        names = author_names(ln.text, name)
        if names is None:
            continue
        if name and squash(name) in names:
            return i, names
        if first is None and len(names) >= 2:
            first = (i, names)
    return first


def title_above(text: Text, i: int) -> tuple[str, list[int]] | None:
    """The article title: the line(s) right above the author line, stopping at
    a label (DOI, 文章编号, 基金项目 …), a running head or a short column label."""
    picked: list[int] = []
    j = i - 1
    while j >= 0 and len(picked) < 3:
        s = text.lines[j].text.strip()
        n = norm(s).strip()
        j -= 1
        if not n:
            continue
        if LABEL_LINE.match(n) or HEAD_LINE.search(n):
            break
        k = cjk_count(n)
        if k < 2 or len(re.findall(r"[a-z]", n)) > k:
            if picked:
                break
            continue                      # the English title, a journal's English name or a stray mark
        if picked and (k < 8 or cjk_count("".join(text.lines[x].text for x in picked)) + k > 60):
            break
        picked.insert(0, j + 1)
    title = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(text.lines[x].text for x in picked)))
    title = title.strip("▼▾·.:：|")
    return (title, picked) if cjk_count(title) >= 6 else None


_CITE = re.compile(r"(?:引用格式|引用本文|本文引用格式)\s*[:：]\s*(.+?)[.．]\s*(.{6,80}?)\s*\[\s*[jJ]\s*\]")


def citation(text: str) -> tuple[list[str], str] | None:
    """(authors, title) from a 引用格式 line: 陈思远，方建国. 大型薄壁…优化[J]. 制造技术与机床，…"""
    m = _CITE.search(re.sub(r"\s*\n\s*", "", unicodedata.normalize("NFKC", text)))
    if not m:
        return None
    names = [x for x in re.split(r"[,，、\s]+", m.group(1)) if x and x not in ("等", "et", "al")]
    return names, m.group(2).strip()


_ISSUE_WORDS = re.compile(r"^[第卷期年月日上中下旬总]+|[第卷期年月日上中下旬总]+$")


def journal_in_head(text: Text, before: int) -> str | None:
    """The journal's name in an article page's running head (the lines above
    line `before`, the title): the first run of 4–16 CJK characters there that is
    no label and no 第43卷/第3期/年月 (哈尔滨工业大学学报, 制造技术与机床)."""
    for ln in text.lines[:max(0, before)]:
        n = squash(ln.text)
        if LABEL_LINE.match(n) or len(re.findall(r"[a-z]", n)) > 2 * cjk_count(n):
            continue
        for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", n):
            run = _ISSUE_WORDS.sub("", run)
            if 4 <= len(run) <= 16 and not re.search(r"[卷期]", run) and run != "书书书":
                return run
    return None
