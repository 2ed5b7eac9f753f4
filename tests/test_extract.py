"""The extraction layer (zjcheck.extract): normalisation, dates, periods,
numerals, labels, names, totals, ID numbers; facts with provenance (pure logic)."""

import re
from datetime import date

import pytest

from zjcheck.evidence import Fact, strong
from zjcheck.extract import (Text, TextLine, date_after, date_fact, find_dates, fuzzy_contains, fuzzy_pattern,
                             idnumber, name_in, norm, ordinal, periods, plausible_name, squash, to_int, total_after,
                             value_after)


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


# ---------------------------------------------------------------- the extraction layer (issue 14)


@pytest.mark.parametrize("s, n", [("二十", 20), ("十二", 12), ("二〇二四", 2024), ("三十一", 31), ("九十六", 96),
                                  ("一百零五", 105), ("壹拾万", 100000), ("两百", 200), ("2024", 2024),
                                  ("信息", None), ("", None)])
def test_to_int(s: str, n: int | None) -> None:
    assert to_int(s) == n


@pytest.mark.parametrize("s, n", [("周建华 第十名", 10), ("第二十名", 20), ("排名第3完成人", 3), ("第十二", 12),
                                  ("无排名", None)])
def test_ordinal(s: str, n: int | None) -> None:
    assert ordinal(s) == n


@pytest.mark.parametrize("s, want", [
    ("202301-202312 12", [((2023, 1), (2023, 12))]),
    ("缴费起止 202301–202312 月数 12", [((2023, 1), (2023, 12))]),
    ("2023.01-2023.12", [((2023, 1), (2023, 12))]),
    ("2023年1月至2023年12月", [((2023, 1), (2023, 12))]),
    ("2023.01-12", [((2023, 1), (2023, 12))]),
    ("2023年1月-12月", [((2023, 1), (2023, 12))]),
    ("2024.1-2024.6", [((2024, 1), (2024, 6))]),
    ("2023-07 至 2026-07", [((2023, 7), (2026, 7))]),
    ("2023-01-05", []),                     # a date, not January to May
    ("2024-12 至 2023-01", []),             # end before start: no period
])
def test_periods(s: str, want: list) -> None:
    assert [(p.start, p.end) for p in periods(s)] == want


def test_value_after_same_row_and_below() -> None:
    t = Text.plain("姓 名 周建华 性别 男\n取得资格时间：\n2019年12月20日\n证书编号 浙人社证2019-J-02")
    assert value_after(t, ["姓名"], stops=["性别"]).value == "周建华"
    assert value_after(t, ["证书编号"], pattern=r"(\S+)").value == "浙人社证2019-j-02"
    assert date_fact(t, ["取得资格时间"]).value == date(2019, 12, 20)
    assert value_after(t, ["专利号"]) is None


def test_value_after_refuses_what_is_not_the_value() -> None:
    t = Text.plain("发明人：信息如下\n专利号：见附页")
    assert value_after(t, ["专利号"], pattern=r"zl\s*(\d{12})") is None


def test_facts_carry_the_ocr_confidence_of_their_line() -> None:
    t = Text([TextLine("专利号 ZL 2022 1 0345678.6", None, 97.0, None, "ocr"),
              TextLine("授权公告日 2023年04月18日", None, 55.0, None, "ocr")])
    num = value_after(t, ["专利号"], pattern=r"(zl[\d .]+)")
    day = date_fact(t, ["授权公告日"])
    assert num.source == "ocr" and num.confidence == 0.97 and strong(num)
    assert day.value == date(2023, 4, 18) and day.confidence == 0.55 and not strong(day)


def test_total_after() -> None:
    t = Text.plain("课程 学时\n机械设计新进展 24\n智能制造概论 36\n合 计 96 学时")
    assert total_after(t, unit="学时").value == 96.0


@pytest.mark.parametrize("s, ok", [("周建华", True), ("欧阳明远", True), ("王君", True), ("信息如下", False),
                                   ("详见附页", False), ("公司", False), ("周", False), ("D·德希尔", True)])
def test_plausible_name(s: str, ok: bool) -> None:
    assert plausible_name(s) is ok


def test_id_number_region_created_after_birth_is_valid() -> None:
    """330212 (鄞州区) did not exist in 1981, but IDs issued later carry it:
    stdnum.cn.ric rejects them, zjcheck must not (XDC002 would be false)."""
    from stdnum.cn import ric
    number = "330212198107230578"
    assert not ric.is_valid(number) and idnumber.is_valid(number)
    assert not idnumber.is_valid(number[:-1] + "1")                 # check digit
    assert not idnumber.is_valid("330212198102300570")              # 2月30日
    assert not idnumber.is_valid("990212198107230578")              # no such province


def test_strength_policy() -> None:
    assert strong(Fact("x", "text-layer"))
    assert strong(Fact("x", "sheet"))
    assert not strong(Fact("x", "path"))
    assert strong(Fact("x", "ocr", 0.9)) and not strong(Fact("x", "ocr", 0.7))
    assert strong(Fact("x", "ocr", 0.7, confirmed_by=("出版证明",)))
    assert not strong(Fact("x", "ocr", 0.99, valid=False))
    assert not strong(None)


def test_amount_reading_facts() -> None:
    """money.amount_reading: the 大写 and the figure beside it as Facts of the lines they were read on."""
    from zjcheck.extract.money import amount_reading
    t = Text([TextLine("四、研究开发经费", None, 99.0, source="ocr"),
              TextLine("总额为人民币（大写）壹佰贰拾万元整（¥1,200,000.00）。", None, 91.0, source="ocr"),
              TextLine("合同签订后支付30%，计¥360,000.00", None, 60.0, source="ocr")])
    got = amount_reading(t)
    assert got["agree"] is True and got["upper_text"] == "壹佰贰拾万元整"
    assert got["upper"].value == 1_200_000 and got["upper"].confidence == 0.91 and got["upper"].strong
    assert got["figure"].value == 1_200_000 and got["figure"].raw == "1,200,000.00"
    # a 大写 OCR had to repair (考 read for 壹) is read less surely
    fixed = amount_reading(Text([TextLine("合计 180.0 大写：考佰捌拾万元整", None, 90.0, source="ocr")]))
    assert fixed["upper"].value == 1_800_000 and fixed["upper"].confidence < 0.85
    # no 大写: the labelled figure alone, from a text layer
    only = amount_reading(Text.plain("合同金额：¥86,000.00元"))
    assert only["upper"] is None and only["figure"].value == 86_000 and only["figure"].source == "text-layer"


def test_amounts_written() -> None:
    from decimal import Decimal

    from zjcheck.extract.money import amounts_written
    uppers, figures = amounts_written("单位：万元\n合 计 180.0 大写：壹佰捌拾万元整\n项目总经费小写：1,800,000.00元\n第3页")
    assert uppers == [Decimal(1_800_000)]
    assert {Decimal(1_800_000), Decimal(180)} in figures and {Decimal(1_800_000)} in figures
    assert not any(Decimal(3) in c for c in figures)        # a page number is no amount


def test_amount_of_another_clause_is_no_disagreement() -> None:
    """经费200.00万元（大写：贰佰万元整），自筹经费600.00万元: with the 200 unread the
    600 of the next clause is no figure of this 大写 (no PRJ006 on it)."""
    from zjcheck.extract.money import amount_facts
    f = amount_facts("其中省财政资助经费（大写：贰佰万元整），项目承担单位自筹经费600.00万元。")
    assert f["agree"] is None
    f = amount_facts("其中省财政资助经费200.00万元（大写：贰佰万元整），项目承担单位自筹经费600.00万元。")
    assert f["agree"] is True
    f = amount_facts("总额为人民币（大写）壹佰伍拾万元整（¥1,800,000.00）。")
    assert f["agree"] is False and f["figure_value"] == 1_800_000


# ---------------------------------------------------------------- publication readers (paper, book)

def test_reflowed_joins_a_text_layer_written_piece_by_piece():
    from zjcheck.extract.publication import find_author_line, reflowed, title_above
    t = reflowed(Text.plain("第\n43\n卷 第\n3\n期\n融合图像局部能量和梯度的水平集分割方法\n包立君\n，\n刘宛予\n，\n浦昭邦\n("))
    i, names = find_author_line(t, "刘宛予")
    assert names == ["包立君", "刘宛予", "浦昭邦"]
    assert title_above(t, i)[0] == "融合图像局部能量和梯度的水平集分割方法"


@pytest.mark.parametrize("line,name,names", [
    ("周建华¹，王立军¹，陈晓燕²", "周建华", ["周建华", "王立军", "陈晓燕"]),
    ("陈思远①　方建国①　俞海燕②", None, ["陈思远", "方建国", "俞海燕"]),
    ("陈思远邵伟明", "陈思远", ["陈思远", "邵伟明"]),
    ("作者： 叶丽萍 王丽娟 潘国华", "王丽娟", ["叶丽萍", "王丽娟", "潘国华"]),
    ("1 面向离散制造车间的数字孪生产线建模与调度优化 陈思远; 邵伟明 第十九届年会 2025-10-17", "陈思远", ["陈思远", "邵伟明"]),
    ("基金项目：宁波市重大科技攻关项目（2023Z045）", None, None),
    ("作者简介：陈思远（1981—），男，工程师", "陈思远", None),
    ("设计与研究", None, None),
    ("0 引言", None, None),
])
def test_author_names(line, name, names):
    from zjcheck.extract.publication import author_names
    assert author_names(line, name) == names


def test_title_above_stops_at_labels_heads_and_column_labels():
    from zjcheck.extract.publication import find_author_line, title_above
    t = Text.plain("第48卷　第8期　制造技术与机床\n基金项目：宁波市重大科技攻关项目（2023Z045）\nDOI：10.19287/j.mtmt\n"
                   "大型薄壁铝合金壳体铣削变形\n预测与工艺优化研究\n陈思远，方建国")
    i, _ = find_author_line(t, "陈思远")
    assert title_above(t, i)[0] == "大型薄壁铝合金壳体铣削变形预测与工艺优化研究"
    t = Text.plain("工艺设计改造及检测检修 China Science & Technology Overview\n一种基于灵敏度分析的模态拟合参数辨识算法\n杜水淼")
    assert title_above(t, 2)[0] == "一种基于灵敏度分析的模态拟合参数辨识算法"


def test_journal_in_head_and_citation():
    from zjcheck.extract.publication import citation, journal_in_head
    t = Text.plain("书书书\n第\n43\n卷 第\n哈 尔 滨 工 业 大 学 学 报\nJOURNAL OF HARBIN INSTITUTE OF TECHNOLOGY\n标题")
    assert journal_in_head(t, 6) == "哈尔滨工业大学学报"
    assert journal_in_head(Text.plain("第48卷　第8期制造技术与机床Vol.48\n标题"), 1) == "制造技术与机床"
    assert citation("引用格式：陈思远，方建国. 大型薄壁铝合金壳体铣削变形预测[J]. 制造技术与机床，2024（8）：66-71.") == (
        ["陈思远", "方建国"], "大型薄壁铝合金壳体铣削变形预测")


@pytest.mark.parametrize("line,names", [
    ("李 晓 东 ， 王 立 军 ， 陈 晓 燕", ["李晓东", "王立军", "陈晓燕"]),                 # Tesseract spacing
    ("作者 : 叶 丽 萍 ” 潘 国 华 ” 金 建 平", ["叶丽萍", "潘国华", "金建平"]),
    ("1 基于 改进 PID 算 法 的 伺服 进 给 系统 动态 特性 优化 研究 李晓东 ; 王立 军 ; 陈 晓 燕 机 电工 程 2024-05-20",
     ["李晓东", "王立军", "陈晓燕"]),                                                  # a CNKI row read whole
    ("关键词：伺服进给系统；模糊PID；动态特性", None),
])
def test_author_names_as_ocr_engines_write_them(line, names):
    from zjcheck.extract.publication import author_names
    assert author_names(line) == names


def test_names_fact_reads_wrapped_lists_and_refuses_what_is_no_list() -> None:
    from zjcheck.extract.names import names_fact
    stops = ["专利号", "申请人", "第"]
    # a list wrapping to a second line, read at the lines' OCR confidence
    t = Text([TextLine("发 明人：孙金凤;汪泉;沈开源;胡曾明;张恒;闫鑫宇;熊伟;王君", None, 94.3, None, "ocr"),
              TextLine("任军", None, 100.0, None, "ocr"), TextLine("专利号：ZL 2016 2 0045293.X", None, 96.7, None, "ocr")])
    f = names_fact(t, ["发明人"], stops)
    assert f is not None and f.value[-2:] == ["王君", "任军"] and len(f.value) == 9
    assert f.source == "ocr" and f.confidence == 0.943 and strong(f)
    # "发明人信息如下" is no list; the list printed below its own label is
    t = Text.plain("申请日时本专利记载的申请人、发明人信息如下：\n申请人：\n某某大学\n发明人：\n罗旋\n第 2 页(共 2 页)")
    f = names_fact(t, ["发明人"], stops)
    assert f is not None and f.value == ["罗旋"]
    # nothing but the label: no fact
    assert names_fact(Text.plain("发明人：信息如下"), ["发明人"], stops) is None
    # chunks that are no names make the reading unsure
    f = names_fact(Text.plain("主要起草人：周建华、浙江工大、王立军。", source="ocr", conf=95.0), ["起草人"], [])
    assert f is not None and not strong(f)


def test_names_fact_joins_a_name_cut_by_the_line_end() -> None:
    from zjcheck.extract.names import names_fact
    t = Text.plain("发明人：方建国;俞海燕;毛晓东;董文\n杰;陈思远\n专利号：ZL 2021 2 2874315.7")
    assert names_fact(t, ["发明人"], ["专利号"]).value == ["方建国", "俞海燕", "毛晓东", "董文杰", "陈思远"]
    t = Text.plain("本文件主要起草人：周海涛、吴\n晓明、郑立军。")
    assert names_fact(t, ["起草人"], []).value == ["周海涛", "吴晓明", "郑立军"]
    # a list wrapping at a name boundary keeps both names
    t = Text.plain("发 明人：孙金凤;汪泉;熊伟;王君\n任军\n专利号：ZL 2016 2 0045293.X")
    assert names_fact(t, ["发明人"], ["专利号"]).value[-2:] == ["王君", "任军"]
