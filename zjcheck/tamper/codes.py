"""Barcodes on a page (zxing-cpp, offline) and what their payloads state.

`decode(img)` runs in a worker: every QR, DataMatrix, PDF417, Aztec, Code 128
and EAN-13 symbol on the page image, with its box.  `fields(payload)` (main
side) turns a payload into (field, value) pairs where the payload states
fields: a URL's query (vcode=…), an invoice's comma-separated record
(01,10,发票代码,发票号码,金额,开票日期,校验码,…), `label：value` lines, JSON,
or an EAN-13 book number (978…).  A payload that is only an address gives no
field: it is kept in the page's facts and nothing is said about it.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from PIL import Image

MAX_SYMBOLS = 12          # barcodes kept per page
MAX_PAYLOAD = 2000        # characters kept of one payload


def decode(img: Image.Image, turned: bool = True) -> list[dict[str, Any]]:
    """The barcodes zxing-cpp reads on a page image: format, text, box (pixels of `img`).

    QR codes are found at any angle; DataMatrix, PDF417 and linear codes
    turned a quarter or upside down only with zxing's rotated search, which
    costs three times as much: it runs on pages the reader found turned
    (`turned`).  Light codes on dark ground are not looked for."""
    try:
        import zxingcpp
    except ImportError:             # the reader is optional at run time: no barcode, no finding
        return []
    f = zxingcpp.BarcodeFormat
    wanted = [getattr(f, n) for n in ("QRCode", "MicroQRCode", "DataMatrix", "PDF417", "Aztec", "Code128", "EAN13")
              if hasattr(f, n)]
    out: list[dict[str, Any]] = []
    for bc in zxingcpp.read_barcodes(img.convert("L"), formats=tuple(wanted), try_rotate=turned,
                                     try_invert=False)[:MAX_SYMBOLS]:
        if not getattr(bc, "valid", True):
            continue
        text = _text(bc)
        if not text.strip():
            continue
        pos = bc.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        out.append({"format": str(bc.format).split(".")[-1], "text": text[:MAX_PAYLOAD],
                    "box": [min(xs), min(ys), max(xs), max(ys)]})
    return out


def _text(bc: Any) -> str:
    """The payload as text; bytes that are not UTF-8 are tried as GB 18030 (Chinese systems write it)."""
    text = bc.text or ""
    raw = bytes(getattr(bc, "bytes", b"") or b"")
    if raw and ("\ufffd" in text or not text):
        for enc in ("utf-8", "gb18030"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
    return text


# ---------------------------------------------------------------- payload fields (main side)

@dataclass(frozen=True)
class Field:
    kind: str        # 姓名 / 证件号码 / 证书编号 / 验证码 / 发票代码 / 发票号码 / 金额 / 日期 / ISBN …
    value: str
    key: str         # where in the payload (the URL parameter, the record position, the label)


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath("data/tamper.toml").read_text("utf-8"))


def _kind_of_key(key: str) -> str | None:
    k = re.sub(r"[\s_\-]", "", key).lower()
    for kind, keys in table()["payload_keys"].items():
        if k in (x.lower() for x in keys):
            return kind
    return None


_INVOICE = re.compile(r"^\s*01,(\d{2}),(\d{10,12})?,(\d{8}|\d{20}),([\d.]*),(\d{8}),([^,]*),?")
_KV = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,12})\s*[:：=]\s*([^\n;；|,，]+)")


def fields(payload: str) -> list[Field]:
    """What a payload states, as (kind, value) fields; [] for an address alone or anything unknown."""
    p = payload.strip()
    m = _INVOICE.match(p)
    if m:
        out = [Field("发票号码", m.group(3), "invoice[3]"), Field("开票日期", m.group(5), "invoice[5]")]
        if m.group(2):
            out.append(Field("发票代码", m.group(2), "invoice[2]"))
        if m.group(4):
            out.append(Field("金额", m.group(4), "invoice[4]"))
        return out
    if re.fullmatch(r"97[89]\d{10}", p):
        return [Field("ISBN", p, "ean13")]
    if re.match(r"(?i)^https?://", p):
        u = urlsplit(p)
        pairs = parse_qsl(u.query, keep_blank_values=False) + parse_qsl(u.fragment.partition("?")[2])
        return [Field(kind, v.strip(), k) for k, v in pairs if (kind := _kind_of_key(k)) and v.strip()]
    if p.startswith("{"):
        try:
            obj = json.loads(p)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return [Field(kind, str(v).strip(), str(k)) for k, v in obj.items()
                    if isinstance(v, (str, int)) and (kind := _kind_of_key(str(k))) and str(v).strip()]
    out = []
    for m in _KV.finditer(p):
        kind = _kind_of_key(m.group(1))
        if kind:
            out.append(Field(kind, m.group(2).strip(), m.group(1)))
    return out


def is_address(payload: str) -> bool:
    return re.match(r"(?i)^https?://", payload.strip()) is not None
