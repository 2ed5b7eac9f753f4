"""Strings from the evidence, made safe for where they are shown.

File and member names, profile values and text read from documents are
hostile input.  On the terminal a control character would act (``\\x1b[2J``
clears the reviewer's screen, ``\\r`` overwrites a line, U+202E turns text
around), so it is shown as its escape (``\\x1b``).  In JSON, CSV and XLSX a
file name is UTF-8: a name that is not (GBK bytes from a Windows zip
unpacked on Linux reach Python as surrogate escapes) is decoded to a
readable form, and its raw bytes are kept in hex when no decoding fits.
"""

from __future__ import annotations

import math
import re
from typing import Any

# C0 and C1 controls (newline and tab kept), DEL, and the invisible
# bidirectional and line/paragraph separators that change how text is laid out
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _show(m: re.Match[str]) -> str:
    o = ord(m.group(0))
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def has_surrogates(s: str) -> bool:
    return bool(_SURROGATE.search(s))


def readable(s: str) -> str:
    """A name as text that can be written as UTF-8: surrogate escapes (bytes
    that were not UTF-8) decoded as GB18030 when that fits (Windows zips),
    otherwise shown as \\xNN."""
    if not has_surrogates(s):
        return s
    raw = s.encode("utf-8", "surrogateescape") if _only_escapes(s) else None
    if raw is not None:
        for enc in ("utf-8", "gb18030"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
        return raw.decode("utf-8", "backslashreplace")
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


def raw_hex(s: str) -> str | None:
    """The bytes of a name in hex when no decoding fits them (not UTF-8, not
    GB18030): `readable` then shows them as \\xNN, and this keeps them exact."""
    if not has_surrogates(s) or not _only_escapes(s):
        return None
    raw = s.encode("utf-8", "surrogateescape")
    for enc in ("utf-8", "gb18030"):
        try:
            raw.decode(enc)
            return None
        except UnicodeDecodeError:
            continue
    return raw.hex()


def _only_escapes(s: str) -> bool:
    """Whether every surrogate in `s` is a surrogateescape'd byte (U+DC80–U+DCFF)."""
    return all("\udc80" <= c <= "\udcff" for c in _SURROGATE.findall(s))


def terminal(s: str, keep_newlines: bool = True) -> str:
    """`s` for the terminal: control and layout-changing characters shown as
    escapes (\\x1b, \\u202e), names decoded (see `readable`)."""
    s = readable(s)
    return (_CONTROL if keep_newlines else _CONTROL_ALL).sub(_show, s)


def markup(s: str) -> str:
    """`s` for a rich markup string: escaped for the terminal, and brackets
    that rich would read as markup escaped."""
    from rich.markup import escape
    return escape(terminal(s))


def json_safe(obj: Any) -> Any:
    """A JSON value whose every string (keys too) is valid UTF-8 and whose
    numbers are finite (NaN is not JSON)."""
    if isinstance(obj, str):
        return readable(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {(json_safe(k) if isinstance(k, str) else k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


# characters XML 1.0 (and so XLSX) cannot hold
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def cell(s: str) -> str:
    """A string an XLSX cell can hold (control characters shown as escapes)."""
    return _XML_ILLEGAL.sub(_show, readable(s))
