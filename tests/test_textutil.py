"""Text normalisation and date parsing (pure logic)."""

from datetime import date

from zjcheck.textutil import date_after, find_dates, fuzzy_contains, fuzzy_pattern, name_in, norm, squash
import re


def test_norm_removes_ocr_spaces_and_width() -> None:
    assert norm("专业 技术 职务  任职 资格 证 书") == "专业技术职务任职资格证书"
    assert norm("ＩＳＳＮ　１００１－４５５１") == "issn 1001-4551"
    assert norm("姓名 : 周建华 性 别 : 男") == "姓名:周建华性别:男"
    assert squash("ZL 2021 2 0345678.9") == "zl202120345678.9"


def test_dates_in_every_form() -> None:
    got = [(d.year, d.month, d.day) for d in find_dates(
        "授权公告日：2023 年 5 月 12 日；实施 2024-01-01，二〇二四年十二月三十一日，2022.3")]
    assert got == [(2023, 5, 12), (2024, 1, 1), (2024, 12, 31)]


def test_impossible_dates_are_kept_without_value() -> None:
    ds = find_dates("签订日期：2025年2月30日，2024年2月29日，2023年9月31日")
    assert [(d.day, d.value) for d in ds] == [(30, None), (29, date(2024, 2, 29)), (31, None)]
    assert [d.valid for d in ds] == [False, True, False]


def test_date_after_label_tolerates_misread_label() -> None:
    text = "发明人：周建华\n受权公告日：2023年05月12日"      # OCR read 授 as 受
    assert date_after(text, ["授权公告日"]) == date(2023, 5, 12)
    assert date_after("没有日期", ["授权公告日"]) is None


def test_fuzzy_pattern_one_misread_character() -> None:
    rx = re.compile(fuzzy_pattern("学时登记卡"))
    assert rx.search("学时登汜卡") and rx.search("学时登记卡")
    assert not rx.search("学时卡")


def test_name_in_ignores_spacing() -> None:
    assert name_in("周建华", "作者：周 建 华，李明")
    assert not name_in("周建华", "作者：周建明")


def test_fuzzy_contains_one_misread_character() -> None:
    assert fuzzy_contains("授权公告日", "受权公告日:2023年")          # first character misread
    assert fuzzy_contains("授权公告日", "授权公告曰:2023年")          # last character misread
    assert fuzzy_contains("学时登记卡", "本学时登汜卡")
    assert not fuzzy_contains("学时登记卡", "学时卡")
    assert not fuzzy_contains("授权公告日", "受权公吿日")              # two misread: no
    assert not fuzzy_contains("证书号", "证书编号")                   # short keywords are exact
