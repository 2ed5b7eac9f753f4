"""Label → value: the value printed after a label on its visual row, or on
the line below it (forms that print labels above their values).

    value_after(t, ["专利号", "专 利 号"], pattern=r"zl\\s*[\\d .]+[\\dx]")
    value_after(t, ["姓名"], stops=["性别", "出生"])

Labels are matched on normalised text (no spaces inside CJK runs, so
"发 明 人" finds "发明人"); labels of 4+ characters tolerate one misread
character.  The value is cut at the next label of `stops`.  A value that
does not match `pattern` is not a value: the function returns None rather
than a guess ("信息如下" is not a list of inventors).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zjcheck.evidence import Fact
from zjcheck.extract.normalize import fuzzy_find, norm
from zjcheck.extract.text import Text

_LEAD = re.compile(r"^[\s:：;；,，.、|_]*")


def find_label(line: str, labels: Sequence[str], start: int = 0) -> tuple[int, int] | None:
    """The earliest span of any of `labels` in a normalised line."""
    best: tuple[int, int] | None = None
    for lab in labels:
        span = fuzzy_find(norm(lab), line, start)
        if span and (best is None or span[0] < best[0] or (span[0] == best[0] and span[1] > best[1])):
            best = span
    return best


def _cut(value: str, stops: Sequence[str]) -> str:
    cut = len(value)
    for stop in stops:
        span = fuzzy_find(norm(stop), value)
        if span and span[0] > 0:
            cut = min(cut, span[0])
    return value[:cut]


def value_after(text: Text, labels: Sequence[str], *, pattern: str | re.Pattern[str] | None = None,
                stops: Sequence[str] = (), window: int = 60, below: bool = True) -> Fact | None:
    """The first value found after one of `labels` (see the module doc).

    With `pattern`, the value is the pattern's first group (or whole match)
    searched at the start of the text after the label; otherwise the rest of
    the row up to the next stop label, stripped.  `below`: when the row has
    nothing after the label, the next line is tried."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    v = text.normed
    n = len(text.lines)
    for i in range(n):
        line = v.line(i)
        pos = 0
        while True:
            span = find_label(line, labels, pos)
            if span is None:
                break
            pos = span[1]
            candidates = [(i, span[1])]
            if below and i + 1 < n:
                candidates.append((i + 1, 0))
            for j, off in candidates:
                seg_line = v.line(j)
                seg = seg_line[off:off + window]
                lead = _LEAD.match(seg)
                k = lead.end() if lead else 0
                seg = _cut(seg[k:], stops)
                if j != i and find_label(seg, labels) is not None:
                    continue
                if rx is not None:
                    m = rx.match(seg) or (rx.search(seg) if j != i or not seg[:1].strip() else None)
                    if m is None:
                        if j == i and seg.strip():
                            break           # something else follows the label on its row
                        continue
                    g = 1 if m.groups() else 0
                    start = v.starts[j] + off + k + m.start(g)
                    return text.fact(m.group(g), v, start, start + len(m.group(g)))
                value = seg.strip()
                if value:
                    start = v.starts[j] + off + k + (len(seg) - len(seg.lstrip()))
                    return text.fact(value, v, start, start + len(value))
    return None
