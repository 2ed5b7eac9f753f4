"""Terminal layout for any width, 80 columns first: display widths of CJK
text (two cells a character), wrapping with hanging indents that never
splits a token (a code, a number with its unit, a date, a path part), and
item labels instead of internal ids.

Wrapping rules: a CJK character is a token of its own, but punctuation that
must not start a line (，。：；）…, 避头点) stays with the token before it; a
run of Latin letters, digits and ASCII punctuation is one token (PEN002,
2024-02) and keeps the character after it (10分, "29 个"月: a number never
ends a line without its unit); a token wider than the line is cut only then.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from rich.cells import cell_len

NO_LINE_START = set("，。、；：？！）》」』】”’％%,.;:?!)]…·")
NO_LINE_END = set("（《「『【“‘([")
# a Latin/digit run keeps the unit after it (10分, 29 个月 keeps "29 个")
_TOKEN = re.compile(r"[ \t]+|[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f.\-_/:#%@+=~×]*(?: ?[\u4e00-\u9fff])?|.",
                    re.S)


def tokens(text: str) -> list[str]:
    """Tokens that must stay on one line (see the module doc)."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if out and (tok[0] in NO_LINE_START or (out[-1] and out[-1][-1] in NO_LINE_END)) and not tok.isspace():
            out[-1] += tok
        else:
            out.append(tok)
    return out


def wrap(text: str, width: int, indent: int = 0, first: str = "") -> list[str]:
    """`text` wrapped to `width` cells: the first line starts with `first`, the
    others with `indent` spaces (a hanging indent).  Line breaks in `text`
    start new lines with the indent."""
    pad = " " * indent
    lines: list[str] = []
    for n, para in enumerate(text.split("\n")):
        cur = first if n == 0 else pad
        start_len = cell_len(cur)
        for tok in tokens(para):
            if tok.isspace() and cell_len(cur) == start_len:
                continue
            if cell_len(cur) + cell_len(tok) > width and cell_len(cur) > start_len:
                lines.append(cur.rstrip())
                cur = pad
                start_len = indent
                if tok.isspace():
                    continue
            while cell_len(cur) + cell_len(tok) > width:      # a token wider than the line
                room = width - cell_len(cur)
                head = _cut(tok, room)
                if not head:
                    break
                lines.append(cur + head)
                cur, tok = pad, tok[len(head):]
            cur += tok
        lines.append(cur.rstrip())
    return lines


def _cut(s: str, cells: int) -> str:
    out = ""
    for ch in s:
        if cell_len(out + ch) > cells:
            break
        out += ch
    return out


def fit(text: str, cells: int) -> str:
    """`text` in at most `cells` cells, cut with … when longer."""
    if cell_len(text) <= cells:
        return text
    return _cut(text, max(0, cells - 1)) + "…"


def pad(text: str, cells: int, right: bool = False) -> str:
    gap = " " * max(0, cells - cell_len(text))
    return gap + text if right else text + gap


# ---------------------------------------------------------------- item labels

@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/report.toml").read_text("utf-8"))
    return raw["item_labels"]


def item_label(evidence_id: str | None) -> str:
    """paper-2 -> 论文-2: how the notice and the applicant name a piece of evidence."""
    if not evidence_id:
        return ""
    material, _, n = evidence_id.rpartition("-")
    label = _labels().get(material)
    return f"{label}-{n}" if label and n.isdigit() else evidence_id


@lru_cache(maxsize=1)
def _id_pattern() -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, _labels()), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z_])({names})-(\d+)(?![\d])")


def relabel(text: str) -> str:
    """Every internal evidence id in a message (education-1, cont_edu-3) as its label."""
    return _id_pattern().sub(lambda m: item_label(m.group(0)), text)
