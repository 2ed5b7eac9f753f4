"""Cross-document checks on text: GEN007, XDC001–XDC004 (pure logic)."""

from __future__ import annotations

from stdnum.cn import ric

from tests.util import make_page
from zjcheck import crossdoc
from zjcheck.profile import infer_name
from zjcheck.evidence import Fact
from zjcheck.materials import personal_materials

APPLICANT = Fact("周建华", "profile")

_BASE = "33010619850312451"
GOOD_ID = _BASE + ric.calc_check_digit(_BASE + "0")   # stdnum wants the check position present


def docs(*pages):
    return [p.doc for p in pages]


def test_secrecy_marking() -> None:
    marked = make_page("秘密★5年\n关于某型号装备的技术报告", ["other"], "project")
    plain = make_page("第八条 保密\n乙方对甲方的商业秘密负有保密义务。", ["other"], "project")
    got = list(crossdoc.check_secrecy(docs(marked, plain)))
    assert [(f.code, f.data["marking"]) for f in got] == [("GEN007", "秘密")]
    assert [f.code for f in crossdoc.check_secrecy(docs(make_page("密级：机密", [], "other")))] == ["GEN007"]
    for line in ("秘密女5年", "秘密 妇 5 年 合同登记编号", "机密★", "绝密★长期"):
        page = make_page(f"{line}\n技术开发合同", ["cover"], "project")
        assert [f.code for f in crossdoc.check_secrecy(docs(page))] == ["GEN007"], line
    clause = make_page("双方对商业秘密5年内负有保密义务；技术秘密 3 年", ["other"], "project")
    assert list(crossdoc.check_secrecy(docs(clause))) == []


def test_name_typo_and_other_person() -> None:
    ok = make_page("姓名：周建华 性别：男", ["certificate"], "title")
    typo = make_page("姓名：周建明 性别：男", ["certificate"], "title")
    other = make_page("2023年度考核登记表\n姓名 李晓东 单位 浙江恒锐", ["form"], "assessment")
    not_personal = make_page("姓名 职称 分工\n李晓东 工程师 软件", ["personnel"], "project")
    got = sorted((f.code, f.data.get("found")) for f in crossdoc.check_names(docs(ok, typo, other, not_personal), APPLICANT))
    assert got == [("XDC001", "周建明"), ("XDC004", "李晓东")]


def test_other_roles_name_fields_are_not_the_applicants() -> None:
    """A 学信网 备案表 names the president in 校(院)长姓名; RapidOCR reads that
    label and its value on one line."""
    record = make_page("姓名 周建华 性别 男\n校(院)长姓名 郑明远 民族 汉族", ["record"], "education")
    pension = make_page("姓名 周建华\n经办人姓名：王丽", ["record"], "pension")
    assert list(crossdoc.check_names(docs(record, pension), APPLICANT)) == []
    other = make_page("姓名 郑明远 性别 男", ["record"], "education")
    assert [f.code for f in crossdoc.check_names(docs(other), APPLICANT)] == ["XDC004"]


def test_low_confidence_name_is_could_not_verify() -> None:
    from zjcheck.model import Line
    page = make_page("姓名：周建半", ["certificate"], "title")
    page.content.lines = [Line("姓名：周建半", None, 40.0)]
    got = list(crossdoc.check_names(docs(page), APPLICANT))
    assert [(f.code, f.severity) for f in got] == [("GEN012", "info")]


def test_name_inferred_from_personal_records() -> None:
    pages = [make_page("姓名：周建华", ["certificate"], "title"),
             make_page("姓名 周建华 性别 男", ["proof"], "pension"),
             make_page("姓名 李晓东 职称", ["personnel"], "project")]
    assert infer_name(docs(*pages), personal_materials()).value == "周建华"


def test_name_vote_outweighs_one_misreading() -> None:
    """林晓雯 read once as 林晓去 must not become the applicant's name: readings
    one character apart are one candidate, spelt as the best-supported
    reading; typed and text-layer readings count most."""
    pages = [make_page("姓名：林晓去", ["certificate"], "title", rel="a.jpg", conf=95.0),
             make_page("姓名 林晓雯 性别 女", ["proof"], "pension", rel="b.pdf", source="pdf-text"),
             make_page("申报人：林晓雯", ["sheet"], "score_sheet", rel="c.xlsx", source="doc-text")]
    got = infer_name(docs(*pages), personal_materials())
    assert got.value == "林晓雯" and got.strong
    # and the misread page is no XDC001: it is not read surely enough against two exact readings
    one = [make_page("姓名：林晓去", ["certificate"], "title", rel="a.jpg", conf=95.0),
           make_page("姓名：林晓雯", ["proof"], "pension", rel="b.jpg", conf=97.0),
           make_page("姓名：林晓雯", ["form"], "assessment", rel="c.jpg", conf=96.0)]
    assert infer_name(docs(*one), personal_materials()).value == "林晓雯"


def test_name_vote_without_support_is_not_sure() -> None:
    only = infer_name(docs(make_page("姓名：周建华", ["certificate"], "title", conf=70.0)), personal_materials())
    assert only.value == "周建华" and not only.strong
    tie = [make_page("姓名：周建华", ["certificate"], "title", rel="a.jpg", conf=90.0),
           make_page("姓名：李晓东", ["form"], "assessment", rel="b.jpg", conf=90.0)]
    assert infer_name(docs(*tie), personal_materials()) is None


def test_weakly_inferred_applicant_name_gives_no_name_error() -> None:
    weak = Fact("周建华", "ocr", 0.6)
    other = make_page("姓名：周建明 性别：男", ["certificate"], "title", conf=95.0)
    assert [f.code for f in crossdoc.check_names(docs(other), weak)] == ["GEN012"]


def test_id_numbers() -> None:
    bad = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
    other = "110101199003074514"
    assert ric.is_valid(other)
    p1 = make_page(f"身份证号码：{GOOD_ID}", ["proof"], "pension", source="pdf-text")
    p2 = make_page(f"公民身份号码 {bad}", ["certificate"], "title", source="pdf-text")
    p3 = make_page(f"身份证号：{other}", ["form"], "assessment")
    got = [(f.code, f.data.get("number")) for f in crossdoc.check_ids(docs(p1, p2, p3), GOOD_ID)]
    assert got == [("XDC002", bad), ("XDC002", other)]
    assert [f.code for f in crossdoc.check_ids([], "330106198502304517")] == ["XDC002"]


def test_id_one_digit_off_in_ocr() -> None:
    """A poorly read line one digit off the known ID may be OCR noise; a clearly
    read one is a wrong number (the fixture xdc-id plants a wrong check digit)."""
    wrong = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] != "1" else "2")
    assert not ric.is_valid(wrong)
    blurry = make_page(f"身份证号码：{wrong}", ["proof"], "pension", conf=60.0)
    clear = make_page(f"身份证号码：{wrong}", ["proof"], "pension", conf=92.0)
    assert [f.code for f in crossdoc.check_ids(docs(blurry), GOOD_ID)] == ["GEN012"]
    assert [f.code for f in crossdoc.check_ids(docs(clear), GOOD_ID)] == ["XDC002"]


def test_winner_and_comrade_names() -> None:
    award = make_page("获奖者：周建明（排名第1）\n证书号：2024-JX-2-015", ["certificate"], "honor")
    team = make_page("获奖者：王立军、周建华", ["certificate"], "honor")
    letter = make_page("周建明同志：\n经公司研究决定，续聘您为工程师", ["appointment"], "title")
    got = [(f.code, f.path) for f in crossdoc.check_names(docs(award, team, letter), APPLICANT)]
    assert [c for c, _ in got] == ["XDC001", "XDC001"]


def test_value_on_next_line_uses_its_own_confidence() -> None:
    from zjcheck.model import Line
    page = make_page("姓名\n下是", ["certificate"], "title")
    page.content.lines = [Line("姓 名", None, 85.0), Line("下 是", None, 39.5)]
    assert [f.code for f in crossdoc.check_names(docs(page), APPLICANT)] == ["GEN012"]


def test_impossible_dates() -> None:
    page = make_page("签订日期：2025年2月30日\n生效日期：2024年2月29日", ["seal_page"], "project")
    got = list(crossdoc.check_dates(docs(page)))
    assert [(f.code, f.data["date"]) for f in got] == [("XDC003", "2025年2月30日")]
