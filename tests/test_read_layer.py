"""Garbled PDF text layers (zjcheck.read.layer_problem): a layer that is not
real text is OCR'd like a scan; a good layer is kept, also when it is
broken into many lines."""

from __future__ import annotations

import random

import pytest

from zjcheck.read import layer_problem, repair_layer

GOOD = ("本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。"
        "本文件由中国机械工业联合会提出。本文件由全国金属切削机床标准化技术委员会（SAC/TC 22）归口。"
        "本文件起草单位：浙江恒锐机电科技有限公司、浙江工业大学。本文件主要起草人：周建华、王立军、张海涛。")
# the real journal PDF of tests/realdev breaks its text layer at every formula symbol: still text
BROKEN_LINES = ("但当图像的目标与背景对比度不足\n，\n边界模糊或\n噪声较强时\n，\n这类方法会导致水平集演化抖动或\n"
                "从弱边界泄露\n．\n基于区域的水平集模型\n［\n7\n］\n将边缘\n信息与全局同质区域信息相结合\n，\n"
                "F\n(\nu\n，\nf\n1\n，\nf\n2\n)\n=\nξ\n(\nu\n，\nf\n1\n，\nf\n2\n)\n+ vL\n(\nu\n)\n+\nμ\nP\n(\nu\n)\n．\n") * 3
ENGLISH = ("Performance requirements and test methods of anti-lock braking system for commercial vehicle and "
           "trailer. This document specifies the classification and performance requirements.")


def _pua(text: str) -> str:
    """The layer of a font whose ToUnicode map sends every hanzi to the private-use area."""
    return "".join(chr(0xE000 + (ord(c) % 0x1000)) if "\u4e00" <= c <= "\u9fff" else c for c in text)


def _cid_soup(text: str) -> str:
    """A CID font without ToUnicode: each glyph's CID taken as a code point (Hangul, Yi, Cyrillic …)."""
    rng = random.Random(7)
    return "".join(chr(rng.randrange(0x0400, 0xD7A0)) if not c.isascii() else c for c in text)


def _rare_hanzi(text: str) -> str:
    """A wrong CMap that still lands on hanzi: a soup of rare ones (CJK Extension A and beyond GB 2312)."""
    rng = random.Random(3)
    return "".join(chr(rng.choice([rng.randrange(0x3400, 0x4DB0), rng.randrange(0x9700, 0x9FA0)]))
                   if "\u4e00" <= c <= "\u9fff" else c for c in text)


def _subset_gids(text: str) -> str:
    """An fpdf2/subset font without ToUnicode as pypdf extracts it: glyph ids 1, 2, 3 … as characters."""
    ids: dict[str, int] = {}
    return "".join(chr(ids.setdefault(c, len(ids) + 1)) if not c.isspace() else c for c in text)


@pytest.mark.parametrize("text", [GOOD, BROKEN_LINES, ENGLISH, "ICS 43.040.40\nCCS T 24\nGB/T 13594—2025",
                                  "目  次\n前言 Ⅲ" + "…" * 60 + "\n1 范围 1" + "…" * 60])
def test_good_layers_are_kept(text: str) -> None:
    assert layer_problem(text) is None


@pytest.mark.parametrize("garble,why", [(_pua, "私用区"), (_cid_soup, "中文文件不用"), (_rare_hanzi, "常用字"),
                                        (_subset_gids, "控制")])
def test_garbled_layers_are_refused(garble, why: str) -> None:
    problem = layer_problem(garble(GOOD))
    assert problem is not None and why in problem, problem


def test_replacement_characters() -> None:
    assert layer_problem("\ufffd" * 30 + GOOD[:40]) is not None


def test_symbol_soup_without_hanzi() -> None:
    assert layer_problem("!\"#$ %&'( )*+, -./: ;<=> ?@[\\ ]^_` {|}~ !#%& ()*+") is not None


def test_kangxi_radicals_are_repaired_not_ocrd() -> None:
    """Word's PDFs often map 一 to the radical ⼀ (U+2F00): the layer is made plain, and kept."""
    quirky = GOOD.replace("一", "\u2f00").replace("人", "\u2f08").replace("工", "\u2f2f")
    fixed = repair_layer(quirky)
    assert fixed == GOOD and layer_problem(fixed) is None


@pytest.mark.ocr
def test_garbled_page_is_ocrd_and_good_page_kept(tmp_path) -> None:
    """One PDF, two pages in two fonts: the first font's ToUnicode map is
    garbled (private-use area), the second's is clean.  Page 1 is OCR'd (and
    read), page 2 keeps its text layer."""
    from fixtures.render.writers import garble_tounicode, new_text_pdf
    from zjcheck.cache import PageCache
    from zjcheck.read import ReadSettings, read_all
    from zjcheck.walk import walk_folder

    pdf = new_text_pdf((("serif", False), ("sans", True)))
    pdf.compress = False                                           # type: ignore[attr-defined]
    for text, style in (("本文件主要起草人：周建华、王立军、张海涛", ("serif", "")),
                        ("本文件起草单位：浙江恒锐机电科技有限公司", ("sans", "B"))):
        pdf.add_page()                                             # type: ignore[attr-defined]
        pdf.set_font(style[0], style[1], 18)                       # type: ignore[attr-defined]
        pdf.set_xy(20, 40)                                         # type: ignore[attr-defined]
        pdf.multi_cell(170, 14, text)                              # type: ignore[attr-defined]
    (tmp_path / "mixed.pdf").write_bytes(garble_tounicode(bytes(pdf.output()), which=[0]))  # type: ignore[attr-defined]
    walked = walk_folder(tmp_path)
    read = read_all(walked.files, ReadSettings(jobs=1), PageCache(None, "test"))
    doc = read.documents[0]
    assert [p.content.source for p in doc.pages] == ["ocr", "pdf-text"]
    assert "起草人" in doc.pages[0].text.replace(" ", "") and not any(0xE000 <= ord(c) <= 0xF8FF for c in doc.pages[0].text)
    assert "起草单位" in doc.pages[1].text
