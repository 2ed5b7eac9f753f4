"""Real public documents (tests/realdev): two journal papers as their authors'
lab posted them (a CNKI-style text layer written piece by piece; a damaged PDF
read by OCR) and a book cover photographed.  Each is checked as a package of
its own; what zjcheck read is compared with what a person read (MANIFEST.tsv),
and nothing is claimed that the document does not say."""

from __future__ import annotations

import os
import re

import pytest

from tests.realdev import check_real, items_of, manifest_row
from zjcheck.extract.publication import partial_ratio

pytestmark = pytest.mark.ocr

HIT = "paper_HIT_journal_2011_43_3_p44.pdf"
CSTO = "paper_CSTO_2015_09_p70_malformed.pdf"
COVER = "book_cover_CMP_deep_learning_image_recognition.jpg"


# The default engine must read these (the figures of the report); the second engine
# (ZJCHECK_OCR=tesseract) may leave a field unread, but what it reads must be right.
STRICT = os.environ.get("ZJCHECK_OCR", "auto") in ("auto", "rapidocr")


def _read_right(value, expected, similar: float | None = None) -> bool:  # type: ignore[no-untyped-def]
    """The reading equals (or, with `similar`, resembles) what a person read; an
    unread field passes only off the default engine."""
    if not value:
        return not STRICT
    if similar is not None:
        return partial_ratio(value, expected) >= similar
    return value == expected


def _facts(name: str) -> list[str]:
    return [f.strip() for f in manifest_row(name)["facts"].split(";")]


def _only_item(report: dict, material: str) -> dict:
    assert {d["material"] for d in report["documents"]} == {material}, report["documents"]
    items = items_of(report, material)
    assert len(items) == 1, [i["id"] for i in items]
    return items[0]


def _codes(report: dict, *severities: str) -> set[str]:
    return {f["code"] for f in report["findings"] if f["severity"] in severities}


def test_hit_journal_paper_text_layer():
    row = manifest_row(HIT)
    assert row["material"] == "paper"
    facts = _facts(HIT)
    journal = facts[0].split(" (")[0]                      # 哈尔滨工业大学学报
    title = facts[1]
    authors = re.split(r",\s*", facts[2].removeprefix("作者 "))
    rep = check_real(HIT, applicant=authors[0])
    f = _only_item(rep, "paper")["facts"]
    assert f["journal"] == journal
    assert f["title"] == title
    assert f["authors"] == authors and f["author_position"] == 1
    assert (f["printed_month"], f["issue"], f["kind"]) == ("2011-03", 3, "journal")
    assert re.search(r"第43卷\s*第3期\s*2011年3月", facts[0])
    # the article alone: its journal parts are missing, nothing is wrong with what it shows
    assert not _codes(rep, "error", "warning") & {"PAP003", "PAP006", "PAP007", "PAP009", "PAP010"}


def test_hit_paper_second_author_is_found():
    rep = check_real(HIT, applicant="刘宛予")
    f = _only_item(rep, "paper")["facts"]
    assert f["author_position"] == 2
    assert "PAP007" not in _codes(rep, "error")


def test_hit_paper_someone_else_is_not_an_author():
    rep = check_real(HIT, applicant="周建华")
    assert "PAP007" in _codes(rep, "error")


def test_csto_damaged_pdf_read_by_ocr():
    row = manifest_row(CSTO)
    assert row["material"] == "paper"
    facts = _facts(CSTO)
    title, author = facts[1], facts[2].removeprefix("作者 ").split(" (")[0]
    rep = check_real(CSTO, applicant=author)
    f = _only_item(rep, "paper")["facts"]
    # the OCR may cut the long title line short, but what it reads is the title, not the column label above it
    assert _read_right(f["title"], title, similar=0.9) and (not f["title"] or len(f["title"]) >= 10), f["title"]
    assert _read_right(f["authors"], [author])
    assert _read_right(f["printed_month"], "2015-05") and "2015年5月" in facts[0]
    assert f["journal"] in (None, facts[0].split(" (")[0])
    assert not _codes(rep, "error", "warning") & {"PAP006", "PAP007", "PAP009", "PAP010"}


def test_book_cover_photo():
    row = manifest_row(COVER)
    assert row["material"] == "book"
    facts = _facts(COVER)
    title = facts[0].split(" ")[0]                         # 深度学习图像识别技术
    names = facts[1].removesuffix(" 编著").split()        # 庄建 张晶 许钰雯
    publisher = facts[2].split(" ")[0]
    rep = check_real(COVER, applicant=names[1])
    f = _only_item(rep, "book")["facts"]
    assert _read_right(f["authors"], names)
    assert _read_right(f["publisher"], publisher)
    assert _read_right(f["applicant_role"], "编著")
    assert _read_right(f["title"], title, similar=0.7), f["title"]
    # a cover alone: the other parts are missing, but no number was invented
    assert f["isbn"] is None and f["cip"] is None
    assert not _codes(rep, "error") & {"BOK001", "BOK007", "BOK008", "BOK009", "BOK010"}
