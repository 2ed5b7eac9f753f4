"""Money as contracts write it: figures (1,200,000.00 元, ¥120 万元) and
大写 (壹佰贰拾万元整), and whether the two agree.

    amount_facts(text)   the 大写 amount, the figure beside it, agree or not
    amount_reading(Text) the same as Facts (where, how surely read)
    parse_upper("壹佰贰拾万元整") -> Decimal(1200000)
    parse_figure("1,200,000.00") -> Decimal(1200000)
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from zjcheck.extract.normalize import norm, squash
from zjcheck.extract.text import Text


@lru_cache(maxsize=1)
def _confusions() -> dict[str, str]:
    """OCR misreadings of 大写 numerals (zjcheck/data/extract.toml)."""
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/extract.toml").read_text("utf-8"))
    return raw["upper_ocr"]["confusions"]


_CN_DIGIT = {"零": 0, "〇": 0, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
             "柒": 7, "捌": 8, "玖": 9,
             # lower-case numerals also appear in 大写 fields
             "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNIT = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_CN_BIG_UNIT = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_UPPER_CHARS = "".join(_CN_DIGIT) + "".join(_CN_SMALL_UNIT) + "".join(_CN_BIG_UNIT)
UPPER_RE = re.compile(rf"[{_UPPER_CHARS}]+(?:[元圆][{_UPPER_CHARS}角分整正]*|[角分][{_UPPER_CHARS}角分整正]*)")


def _int_part(s: str) -> int | None:
    """壹佰贰拾万 -> 1200000; None when it is not a well-formed number."""
    if not s:
        return 0
    total = 0       # finished 亿/万 sections
    section = 0     # current section below 万
    digit: int | None = None
    last_big = 10 ** 12
    for ch in s:
        if ch in _CN_DIGIT:
            if digit is not None and digit != 0 and _CN_DIGIT[ch] != 0:
                return None              # two digits in a row: 壹贰
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL_UNIT:
            section += (1 if digit is None else digit) * _CN_SMALL_UNIT[ch]
            digit = None
        elif ch in _CN_BIG_UNIT:
            unit = _CN_BIG_UNIT[ch]
            section += digit or 0
            digit = None
            if unit > last_big:          # 壹万亿: 万 then 亿 multiplies everything
                total = (total + section) * unit
            else:
                total += section * unit
                last_big = unit
            section = 0
        else:
            return None
    return total + section + (digit or 0)


def parse_upper(text: str) -> Decimal | None:
    """The value of a 大写 amount: 壹佰贰拾万元整 -> 1200000, 伍万陆仟元整 -> 56000,
    叁仟元伍角陆分 -> 3000.56.  None when the text is not a 大写 amount."""
    s = squash(text).replace("圆", "元").replace("人民币", "")
    s = re.sub(r"[整正]$", "", s)
    if not s or not re.fullmatch(rf"[{_UPPER_CHARS}元角分]+", s):
        return None
    if "元" in s:
        head, _, tail = s.partition("元")
    elif re.search("[角分]", s):
        head, tail = "", s
    else:
        head, tail = s, ""
    if head and not any(c in _CN_DIGIT or c in _CN_SMALL_UNIT for c in head):
        return None                      # 万元 alone is a unit, not an amount
    whole = _int_part(head)
    if whole is None:
        return None
    jiao = fen = 0
    m = re.fullmatch(r"零?(?:([" + "".join(_CN_DIGIT) + r"])角)?零?(?:([" + "".join(_CN_DIGIT) + r"])分)?", tail)
    if not m:
        return None
    if m.group(1):
        jiao = _CN_DIGIT[m.group(1)]
    if m.group(2):
        fen = _CN_DIGIT[m.group(2)]
    if not head and not (jiao or fen):
        return None
    return Decimal(whole) + Decimal(jiao) / 10 + Decimal(fen) / 100


_MONEY = r"\d{1,3}(?:,\d{3})+\.\d{2}"     # 1,200,000.00: written as money, in 元
_FIGURE_RE = re.compile(rf"(?P<cur>[¥￥]|rmb|y(?=\s*\d))?\s*(?P<num>{_MONEY}|\d[\d,.\s]*\d|\d)\s*(?P<unit>万元|元|万)?")


def parse_figure(s: str) -> Decimal | None:
    """'1,200,000.00' -> 1200000; OCR'd separators ('1.200.000.00', '1 200 000') too."""
    s = re.sub(r"\s+", "", s)
    if not s or not re.fullmatch(r"[\d,.]+", s):
        return None
    m = re.fullmatch(r"(.*?)[.,](\d{1,2})", s)
    if m and (re.search(r"[.,]", m.group(1)) or len(m.group(2)) == 2 and "," not in s[-3:]):
        head, frac = m.group(1), m.group(2)
    elif re.fullmatch(r"\d+\.\d+", s):
        head, frac = s.split(".")
    else:
        head, frac = s, ""
    head = re.sub(r"[.,]", "", head)
    try:
        return Decimal(f"{head}.{frac}" if frac else head)
    except InvalidOperation:
        return None


def figures_near(text: str, pos: int, window: int = 60) -> list[tuple[int, list[Decimal], bool]]:
    """Numbers in figures near `pos`: (distance, candidate values in 元, explicit currency/unit)."""
    return [(d, c, e) for d, c, e, _span in _figures_near(text, pos, window)]


def _figures_near(text: str, pos: int, window: int = 60) -> list[tuple[int, list[Decimal], bool, tuple[int, int]]]:
    """`figures_near` with the span of each number in `text`."""
    wan_table = bool(re.search(r"单位[::]?万元", text))
    out = []
    lo = max(0, pos - window)
    for m in _FIGURE_RE.finditer(text, lo, min(len(text), pos + window)):
        v = parse_figure(m.group("num"))
        if v is None or v == 0:
            continue
        before = text[max(0, m.start() - 1): m.start()]
        if before in (",", "，", ".") or (before and "\u4e00" <= before <= "\u9fff" and not m.group("cur")
                                          and text[m.start():m.start() + 1] in ",，"):
            continue      # the leading digits were lost to OCR (轩,200,000.00): not a reliable figure
        unit = m.group("unit")
        money = bool(re.fullmatch(_MONEY, m.group("num")))
        explicit = bool(m.group("cur") or unit or money)
        if unit in ("万元", "万"):
            cands = [v * 10_000]
        elif unit == "元" or m.group("cur") or money:
            cands = [v]
        else:
            cands = [v * 10_000, v] if wan_table else [v]
            if len(re.sub(r"\D", "", m.group("num"))) < 2 and not wan_table:
                continue                     # a list number, not an amount
        out.append((min(abs(m.start() - pos), abs(m.end() - pos)), cands, explicit, m.span("num")))
    out.sort(key=lambda t: t[0])
    return out


def _upper_ocr_fixed(t: str) -> str:
    """Undo common OCR misreadings of 大写 numerals right after a 大写 label."""
    table = str.maketrans(_confusions())
    return re.sub(r"(大写\)?\s*[:：]?\s*)(\S{2,20})", lambda m: m.group(1) + m.group(2).translate(table), t)


BESIDE = 24      # characters between a 大写 amount and its figures in 小写


def _same_clause(t: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether nothing but brackets, labels and spaces separates two spans:
    no ，；。 between them (a line break is no clause end: 小写 and 大写 lines)."""
    lo, hi = (a[1], b[0]) if a[0] < b[0] else (b[1], a[0])
    return not re.search(r"[,，;；。]", t[lo:hi])


def amount_facts(text: str) -> dict[str, Any]:
    """The 大写 amount, the figure next to it, and whether they agree."""
    got = _amounts(_upper_ocr_fixed(norm(text)))
    return {k: got[k] for k in ("upper", "upper_value", "figure_value", "agree")}


def _amounts(t: str) -> dict[str, Any]:
    """amount_facts on a normalised, OCR-fixed text, with the spans read
    (`upper_span`, `figure_span`) so that a caller can say where."""
    best: dict[str, Any] = {"upper": None, "upper_value": None, "figure_value": None, "agree": None,
                            "upper_span": None, "figure_span": None}
    for m in UPPER_RE.finditer(t):
        value = parse_upper(m.group(0))
        if value is None or value == 0:
            continue
        near = _figures_near(t, m.start()) + _figures_near(t, m.end())
        # the 大写 agrees when a figure near it has its value; it disagrees when
        # figures with ¥ or a unit are near and none has (the total is the largest)
        eps = Decimal("0.005")
        agree: bool | None = None
        figure: Decimal | None = None
        span: tuple[int, int] | None = None
        # only a figure written with the 大写 (beside it, or labelled 小写) states the same sum;
        # figures further on are instalments (首付 30%，计 ¥360,000.00)
        # and in the same clause: 经费200.00万元（大写：贰佰万元整），自筹经费600.00万元 — the 600 is another sum
        explicit = [(c, n[3]) for n in near if n[2] and n[0] <= BESIDE and _same_clause(t, m.span(), n[3])
                    for c in n[1]]
        same = [n[3] for n in near for c in n[1] if abs(c - value) < eps]
        if same:
            agree, figure, span = True, value, same[0]
        elif explicit:
            figure, span = max(explicit, key=lambda cs: cs[0])
            agree = False
        elif near and near[0][0] <= BESIDE:
            figure, span = near[0][1][0], near[0][3]
        return {"upper": m.group(0), "upper_value": float(value),
                "figure_value": float(figure) if figure is not None else None, "agree": agree,
                "upper_span": m.span(), "figure_span": span}
    # no 大写: at least a figure with a currency sign or unit
    m = re.search(r"(?:合同金额|总金额|经费|报酬|总额|合计|总投资)[^0-9¥￥]{0,20}([¥￥]?\s*\d[\d,.]*\s*(?:万元|元))", t)
    if m:
        fm = _FIGURE_RE.search(m.group(1))
        v = parse_figure(fm.group("num")) if fm else None
        if v is not None and fm is not None:
            best["figure_value"] = float(v * 10_000 if fm.group("unit") in ("万元", "万") else v)
            best["figure_span"] = (m.start(1) + fm.start("num"), m.start(1) + fm.end("num"))
    return best


def amount_reading(text: Text) -> dict[str, Any]:
    """`amount_facts` on a Text, the amounts as Facts that say where and how
    surely they were read: {"upper": Fact | None (the 大写, its value in 元),
    "figure": Fact | None (the figure beside it, in 元), "agree": bool | None,
    "upper_text": str | None}.  A 大写 that needed an OCR repair (考 read for
    壹) is read less surely."""
    view = text.normed
    fixed = _upper_ocr_fixed(view.s)
    got = _amounts(fixed)
    out: dict[str, Any] = {"upper": None, "figure": None, "agree": got["agree"], "upper_text": got["upper"]}
    if got["upper_span"] is not None:
        a, b = got["upper_span"]
        repaired = fixed[a:b] != view.s[a:b]
        out["upper"] = text.fact(got["upper_value"], view, a, b, factor=0.9 if repaired else 1.0)
    if got["figure_span"] is not None and got["figure_value"] is not None:
        a, b = got["figure_span"]
        out["figure"] = text.fact(got["figure_value"], view, a, b)
    return out


def amounts_written(text: str) -> tuple[list[Decimal], list[set[Decimal]]]:
    """Every amount a text writes: (the 大写 amounts, the figures written as
    money: with ¥, 元/万元 or 1,234.00; in a 单位：万元 table a bare number may
    be either, so each figure is a set of candidate values in 元).  For
    confirming a reading: the same sum written twice."""
    t = _upper_ocr_fixed(norm(text))
    uppers = [v for m in UPPER_RE.finditer(t) if (v := parse_upper(m.group(0)))]
    wan_table = bool(re.search(r"单位[::]?万元", t))
    figures: list[set[Decimal]] = []
    for m in _FIGURE_RE.finditer(t):
        v = parse_figure(m.group("num"))
        if not v:
            continue
        unit = m.group("unit")
        if unit in ("万元", "万"):
            figures.append({v * 10_000})
        elif unit == "元" or m.group("cur") or re.fullmatch(_MONEY, m.group("num")):
            figures.append({v})
        elif wan_table and len(re.sub(r"\D", "", m.group("num"))) >= 2:
            figures.append({v * 10_000, v})
    return uppers, figures
