"""专利 and 标准 on the real public documents of tests/realdev (MANIFEST.tsv):
what zjcheck reads of each (material, granted or published, numbers, dates,
inventors and drafters) against what a person read, and which errors it
reports: errors only on what was read, and only true ones.

On the default engine every fact below is read; on Tesseract
(ZJCHECK_OCR=tesseract) a fact may stay unread, but what is read must be
right and no error may rest on a wrong reading.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.realdev import check_real, items_of, manifest_row

pytestmark = pytest.mark.ocr

DEFAULT_ENGINE = os.environ.get("ZJCHECK_OCR", "auto") in ("auto", "rapidocr")


def read(value: Any, truth: Any) -> None:
    """A fact read right; on the second engine it may also stay unread, never read wrong."""
    if DEFAULT_ENGINE:
        assert value == truth, (value, truth)
    else:
        assert value in (None, truth), (value, truth)


def ip_errors(report: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"].startswith(prefix) and f["severity"] == "error"]


def only_material(report: dict[str, Any], material: str) -> None:
    """Every page of the document went to this material (not split into papers, books, 'other')."""
    for doc in report["documents"]:
        assert doc["material"] == material, doc
    assert {it["material"] for it in report["items"]} == {material}, [it["id"] for it in report["items"]]


# ---------------------------------------------------------------- granted utility models

CERTS = [
    # file, number, filing date, grant date, inventors, an inventor to apply as (and their position)
    ("patent_utility_ZL201721297411_scan.pdf", "ZL201721297411.7", "2017-10-10", "2019-05-07", ["罗旋"], "罗旋", 1),
    ("patent_utility_ZL201620045293_scan_color.jpg", "ZL201620045293.X", "2016-01-18", "2016-06-08",
     ["孙金凤", "汪泉", "沈开源", "胡曾明", "张恒", "闫鑫宇", "熊伟", "王君", "任军"], "任军", 9),
    ("patent_utility_ZL201620034549_scan_photocopy.jpg", "ZL201620034549.7", "2016-01-14", "2016-06-29",
     ["段磊磊", "沈开源"], "沈开源", 2),
]


@pytest.mark.parametrize("name,number,filed,granted,inventors,inventor,position", CERTS)
def test_granted_certificate(name: str, number: str, filed: str, granted: str, inventors: list[str],
                             inventor: str, position: int) -> None:
    row = manifest_row(name)
    assert row["material"] == "patent" and number[2:] in row["facts"].replace(" ", "")
    rep = check_real(name, applicant=inventor)
    only_material(rep, "patent")
    pats = items_of(rep, "patent")
    assert len(pats) == 1, [p["id"] for p in pats]          # the back page continues the certificate
    fx = pats[0]["facts"]
    assert fx["granted"] is True and fx["not_granted_kind"] is None
    read(fx["number"], number)
    if fx["number"]:
        assert fx["number_valid"] is True
    read(fx["filing_date"], filed)
    read(fx["grant_date"], granted)
    read(fx["type"], "实用新型")
    if DEFAULT_ENGINE:
        assert len(fx["inventors"]) == len(inventors)
        # one hanzi may be misread (孙金凤 read 孙金风); the wrapped second line is read too
        assert sum(a != b for x, y in zip(fx["inventors"], inventors) for a, b in zip(x, y)) <= 1
        assert fx["applicant_position"] == position
    assert ip_errors(rep, "PAT") == [], ip_errors(rep, "PAT")
    # granted before 近五年 and the title date unknown: could not verify, not an error
    assert any(f["code"] == "GEN012" and "授权公告日" in f["message"] for f in rep["findings"]) or not fx["grant_date"]


@pytest.mark.parametrize("name", [c[0] for c in CERTS])
def test_not_an_inventor_only_on_a_sure_reading(name: str) -> None:
    """An applicant who is not among the inventors: PAT003 where the list was read
    surely, "could not verify" where it was not; never "信息如下" as a name list."""
    rep = check_real(name, applicant="郑某某")
    fx = items_of(rep, "patent")[0]["facts"]
    pat3 = [f for f in rep["findings"] if f["code"] == "PAT003"]
    unsure = [f for f in rep["findings"] if f["code"] == "GEN012" and f.get("data", {}).get("would_be") == "PAT003"]
    if DEFAULT_ENGINE:
        assert len(pat3) == 1 and "郑某某" in pat3[0]["message"]
    assert len(pat3) + len(unsure) <= 1 and all("信息如下" not in f["message"] for f in pat3)
    if fx["inventors"] is None:
        assert not pat3


# ---------------------------------------------------------------- not granted (PAT001)

def test_acceptance_notice_and_software_copyright() -> None:
    """A 受理通知书 (an application, not a grant) and a 软件著作权登记证书 (no
    patent at all) in one PDF: two items, PAT001 for each."""
    name = "patent_acceptance_notice_and_softcopyright_cert.pdf"
    assert manifest_row(name)["material"] == "patent"
    rep = check_real(name, applicant="张宜千")
    only_material(rep, "patent")
    pats = items_of(rep, "patent")
    assert [p["facts"]["not_granted_kind"] for p in pats] == ["application", "software"]
    first = pats[0]["facts"]
    assert first["number"] == "202311333042.2" and first["has_zl"] is False and first["number_valid"]
    assert first["filing_date"] == "2023-10-16" and first["granted"] is False
    pat1 = [f for f in rep["findings"] if f["code"] == "PAT001"]
    assert len(pat1) == 2 and "受理通知书" in pat1[0]["message"] and "软件著作权" in pat1[1]["message"]
    assert {f["code"] for f in ip_errors(rep, "PAT")} == {"PAT001"}


PUBLICATIONS = [
    ("patent_publication_CN117241076A.pdf", "202311156924.6", "2023-09-08", ["张广辉", "王子铭", "于东晓", "成秀珍"]),
    ("patent_publication_CN102446330A_soopat.pdf", "201110339401.6", "2011-10-24", None),
]


@pytest.mark.parametrize("name,number,filed,inventors", PUBLICATIONS)
def test_published_application_is_not_granted(name: str, number: str, filed: str, inventors: list[str] | None) -> None:
    rep = check_real(name)
    only_material(rep, "patent")
    pats = items_of(rep, "patent")
    assert len(pats) == 1
    fx = pats[0]["facts"]
    assert fx["granted"] is False and fx["not_granted_kind"] == "publication"
    assert fx["number"] == number and fx["has_zl"] is False and fx["filing_date"] == filed
    if inventors:
        assert fx["inventors"] == inventors
    assert [f["code"] for f in ip_errors(rep, "PAT")] == ["PAT001"]
    assert "申请公布" in ip_errors(rep, "PAT")[0]["message"]


def test_unfiled_draft_is_not_granted_and_has_no_number() -> None:
    name = "patent_application_draft_vehicular_cloud.pdf"
    rep = check_real(name)
    only_material(rep, "patent")
    fx = items_of(rep, "patent")[0]["facts"]
    assert fx["number"] is None and fx["grant_date"] is None and fx["filing_date"] is None   # nothing invented
    assert fx["not_granted_kind"] == "spec"
    assert [f["code"] for f in ip_errors(rep, "PAT")] == ["PAT001"]


# ---------------------------------------------------------------- published national standards

STANDARDS = [
    ("standard_GBT13594-2025.pdf", "GB/T 13594—2025", "2025-04-25", "2025-08-01", 20, "段慧萍", 9, "吴怀主", "牛超"),
    ("standard_GBT7714-2015.pdf", "GB/T 7714—2015", "2015-05-15", "2015-12-01", 5, "刘曙光", 4, "段明莲", "曾燕"),
]


@pytest.mark.parametrize("name,number,published,effective,n,drafter,position,first,last", STANDARDS)
def test_published_standard(name: str, number: str, published: str, effective: str, n: int, drafter: str,
                            position: int, first: str, last: str) -> None:
    assert manifest_row(name)["material"] == "standard"
    rep = check_real(name, applicant=drafter)
    only_material(rep, "standard")
    stds = items_of(rep, "standard")
    assert len(stds) == 1, [s["id"] for s in stds]       # body pages are no papers or books, references no cover
    fx = stds[0]["facts"]
    assert fx["number"] == number and fx["number_valid"] and fx["level"] == "国家标准"
    assert fx["published"] == published and fx["effective"] == effective and fx["draft_stage"] is None
    assert len(fx["drafters"]) == n and fx["drafters"][0] == first and fx["drafters"][-1] == last
    assert fx["applicant_position"] == position
    assert ip_errors(rep, "STD") == [], ip_errors(rep, "STD")


@pytest.mark.parametrize("name", [s[0] for s in STANDARDS])
def test_not_a_drafter_of_a_standard(name: str) -> None:
    """The drafter list is a clean text layer: an applicant not on it is STD003."""
    rep = check_real(name, applicant="郑某某")
    assert [f["code"] for f in ip_errors(rep, "STD")] == ["STD003"]
