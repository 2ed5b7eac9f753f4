"""标准 checker (STD001–STD004): pure logic on text, then the rendered ip_* variants."""

from __future__ import annotations

from datetime import date

import pytest

from tests.util import codes, make_item, run_checker
from zjcheck_checks import standard

COVER = """ICS 25.080.01
CCS J 54
T/ZZB
团　　体　　标　　准
T/ZZB 3125—2023
数控卧式车床用伺服动力刀架
Servo power turret for CNC horizontal lathe
2023-06-20 发布                2023-07-20 实施
浙江省品牌建设联合会　　发 布
"""
FOREWORD = """T/ZZB 3125—2023
前　　言
本文件按照GB/T 1.1—2020《标准化工作导则　第1部分：标准化文件的结构和起草规则》的规定起草。
本文件由浙江省品牌建设联合会提出并归口。
本文件主要起草单位：浙江恒锐机电科技有限公司。
本文件参与起草单位：浙江省机电设计研究院有限公司、浙江工业大学。
本文件主要起草人：周建华、王立军、张海涛、徐敏。
本文件评审专家组长：郑国强。
"""


def run(cover: str = COVER, foreword: str | None = FOREWORD, **profile):
    pages = [(cover, ["cover"])] + ([(foreword, ["foreword"])] if foreword is not None else [])
    item = make_item("standard", pages)
    return item, run_checker(standard, [item], **profile)


def with_number(number: str, year: int | None = None):
    cover = COVER.replace("T/ZZB 3125—2023", number)
    if year:
        cover = cover.replace("2023-06-20", f"{year}-06-20").replace("2023-07-20", f"{year}-07-20")
    return run(cover, FOREWORD.replace("T/ZZB 3125—2023", number))


def test_compliant_standard_facts() -> None:
    item, f = run()
    assert f == []
    fx = item.facts
    assert fx["number"] == "T/ZZB 3125—2023" and fx["number_valid"] and fx["level"] == "团体标准"
    assert fx["title"] == "数控卧式车床用伺服动力刀架"
    assert fx["published"] == "2023-06-20" and fx["effective"] == "2023-07-20"
    assert fx["issuer"] == "浙江省品牌建设联合会"
    assert fx["drafters"] == ["周建华", "王立军", "张海涛", "徐敏"] and fx["applicant_position"] == 1
    assert fx["units"] == ["浙江恒锐机电科技有限公司"]


# ---------------------------------------------------------------- STD001

@pytest.mark.parametrize("stage", ["征求意见稿", "送审稿", "报批稿", "讨论稿"])
def test_std001_draft_cover(stage: str) -> None:
    cover = COVER.replace("Servo power turret", f"（{stage}）\nServo power turret")
    _, f = run(cover)
    assert codes(f) == ["STD001"] and stage in f[0].message and "标准需已发布" in f[0].message


def test_std001_stage_in_page_header() -> None:
    _, f = run(COVER, "T/ZZB 3125—2023（征求意见稿）\n" + FOREWORD)
    assert "STD001" in codes(f)


def test_std001_ocr_misread_stage() -> None:
    _, f = run(COVER.replace("Servo", "(征求意儿稿)\nServo"))
    assert codes(f) == ["STD001"]


# ---------------------------------------------------------------- STD002

@pytest.mark.parametrize("number,year,level", [
    ("GB/T 39281—2020", 2020, "国家标准"), ("GB 4706.1—2021", 2021, "国家标准"),
    ("GB/Z 41234—2022", 2022, "国家标准"), ("JB/T 14123-2022", 2022, "行业标准"),
    ("QC/T 1234–2023", 2023, "行业标准"), ("NB/T 10123—2021", 2021, "行业标准"),
    ("HG/T 6001—2022", 2022, "行业标准"), ("YB/T 4999—2022", 2022, "行业标准"),
    ("DB33/T 1234—2021", 2021, "地方标准"), ("DB33 1100—2022", 2022, "地方标准"),
    ("DB32/T 4321—2022", 2022, "地方标准"), ("T/CMES 10001一2021", 2021, "团体标准"),
    ("Q/HRJD 001—2023", 2023, "企业标准"), ("GB/T 3836.1 — 2021", 2021, "国家标准"),
])
def test_valid_numbers(number: str, year: int, level: str) -> None:
    item, f = with_number(number, year)
    assert "STD002" not in codes(f), f
    assert item.facts["number_valid"] and item.facts["level"] == level


@pytest.mark.parametrize("number,why", [
    ("T/ZZB 3125—23", "四位年份"),
    ("GB/T 3125", "缺少年代号"),
    ("GB/T 3125 2023", "连接号"),
    ("DB99/T 1234—2023", "行政区划代码"),
    ("XY/T 123—2023", "代号"),
    ("QC/T 1234—2035", "不可能"),
    ("T/ZZB 3125—2019", "与发布日期"),
])
def test_std002_malformed(number: str, why: str) -> None:
    _, f = with_number(number)
    std2 = [x for x in f if x.code == "STD002"]
    assert std2 and why in std2[0].message, f


def test_replaced_standard_is_not_the_number() -> None:
    cover = COVER.replace("数控卧式车床", "代替 T/ZZB 1000—2015\n数控卧式车床")
    item, f = run(cover)
    assert item.facts["number"] == "T/ZZB 3125—2023" and f == []


def test_number_from_header_without_cover() -> None:
    item = make_item("standard", [(FOREWORD, ["foreword"]), ("T/ZZB 3125—2023\n1 范围\n本文件规定了", ["body"])])
    f = run_checker(standard, [item])
    assert item.facts["number"] == "T/ZZB 3125—2023"
    assert "STD002" not in codes(f) and "GEN012" in codes(f)       # no cover: publication date unknown


# ---------------------------------------------------------------- STD003

def test_std003_applicant_not_a_drafter() -> None:
    item, f = run(COVER, FOREWORD.replace("周建华、", ""))
    assert codes(f) == ["STD003"] and "王立军" in f[0].message
    assert item.facts["applicant_is_drafter"] is False


def test_std003_no_foreword() -> None:
    _, f = run(COVER, None)
    assert codes(f) == ["STD003"] and "前言" in f[0].message


def test_drafters_ocr_spacing() -> None:
    item, f = run(COVER, FOREWORD.replace("周建华、王立军", "王 立 军 、 周 建 华"))
    assert f == [] and item.facts["applicant_position"] == 2


# Tesseract's reading of the compliant 前言 page: spaced names, 一 for the dash.
OCR_FOREWORD = """T/ZZB 3125 一 2023
Lil
前
本 文件 按照 GB/T 1.1 一 2020《 标 准 化 工作 导 则 ”第 1 部 分 : 标准 化 文件 的 结构 和 起 草 规则 》
本 文件 主要 起 草 单位 : 浙江 恒 锐 机 电 科技 有 限 公司 。
本 文件 主要 起 草 人 : 周建华 、 王 立 军 、 张 海 涛 、 徐 敏 、 孙 丽 娟 、 吴 国平 。
本 文件 评审 专家 组 长 : 郑 国 强 。
"""


def test_real_ocr_foreword() -> None:
    item, f = run(COVER, OCR_FOREWORD)
    assert f == []
    assert item.facts["drafters"] == ["周建华", "王立军", "张海涛", "徐敏", "孙丽娟", "吴国平"]
    item = make_item("standard", [(OCR_FOREWORD, ["foreword"])])
    run_checker(standard, [item])
    assert item.facts["number"] == "T/ZZB 3125—2023"        # from the page header


# ---------------------------------------------------------------- STD004

def test_std004_after_cutoff() -> None:
    cover = COVER.replace("2023-06-20 发布", "2026-09-01 发布").replace("2023-07-20", "2026-10-01")
    item, f = run(cover.replace("T/ZZB 3125—2023", "T/ZZB 3125—2026"),
                  FOREWORD.replace("T/ZZB 3125—2023", "T/ZZB 3125—2026"))
    assert codes(f) == ["STD004"] and "2026-09-01" in f[0].message


def test_std004_outside_window() -> None:
    item, f = with_number("T/ZZB 3125—2018", 2018)
    assert codes(f) == ["STD004"]
    cover = COVER.replace("2023", "2018")
    _, f = run(cover, FOREWORD.replace("2023", "2018"), title_date=date(2017, 1, 1))
    assert f == []          # 任现职后 qualifies


def test_published_date_unreadable_is_gen012() -> None:
    _, f = run(COVER.replace("2023-06-20 发布", "发布"))
    assert codes(f) == ["GEN012"]


# ---------------------------------------------------------------- end to end

@pytest.mark.ocr
def test_e2e_compliant_has_no_standard_errors(checked) -> None:
    rep = checked("compliant")
    assert [f for f in rep["findings"] if f["code"].startswith("STD")] == []
    stds = [i for i in rep["items"] if i["material"] == "standard"]
    assert stds and all(i["facts"]["number_valid"] and i["facts"]["applicant_is_drafter"] for i in stds)


@pytest.mark.ocr
def test_e2e_draft(checked) -> None:
    rep = checked("ip-standard-draft")
    assert any(f["code"] == "STD001" and "征求意见稿" in f["message"] for f in rep["findings"])


@pytest.mark.ocr
def test_e2e_malformed_number(checked) -> None:
    rep = checked("ip-standard-defects")
    assert any(f["code"] == "STD002" for f in rep["findings"])


@pytest.mark.ocr
def test_e2e_applicant_not_drafter(checked) -> None:
    rep = checked("ip-standard-defects")
    assert any(f["code"] == "STD003" for f in rep["findings"])


@pytest.mark.ocr
def test_e2e_published_after_cutoff(checked) -> None:
    rep = checked("ip-standard-defects")
    assert any(f["code"] == "STD004" and "2026-09" in f["message"] for f in rep["findings"])


def test_drafter_label_without_names_is_gen012() -> None:
    _, f = run(COVER, FOREWORD.replace("周建华、王立军、张海涛、徐敏。", "\n"))
    assert codes(f) == ["GEN012"]


# ---------------------------------------------------------------- readings an error may rest on (SPEC §7)

def run_read(cover: str, foreword: str | None, source: str, conf: float, **profile):
    from tests.util import make_page
    from zjcheck.model import Item
    pages = [make_page(cover, ["cover"], "standard", source=source, conf=conf)]
    if foreword is not None:
        pages.append(make_page(foreword, ["foreword"], "standard", number=2, source=source, conf=conf))
        pages[1].doc = pages[0].doc
        pages[0].doc.pages.append(pages[1])
    item = Item("standard-1", "standard", pages)
    for p in pages:
        p.item_id = item.id
    return item, run_checker(standard, [item], **profile)


# the 前言 of a national standard as its official PDF's text layer gives it: spaced, wrapping
GB_FOREWORD = """前  言
本文件由全国汽车标准化技术委员会(SAC/TC114)归口。
本文件起草单位:东风商用车有限公司、一汽解放汽车有限公司、浙江 万 安 科 技 股 份 有 限 公 司。
本文件主 要 起 草 人:吴 怀 主、孙 建 军、黄 志 刚、刘 少 军、陈 宇 超、肖 文 建、陈 振 日、程 伟 涛、段 慧 萍、
何飞、吴旭、夏坚超、吕征、宋元磊、景振龙、朱奇章、万里恩、王智博、姜松林、周建华。
本文件于1992年首次发布,2003年第一次修订,本次为第二次修订。
GB/T 13594—2025
"""


def test_drafter_list_wrapping_and_spaced() -> None:
    item, f = run(COVER, GB_FOREWORD)
    assert item.facts["drafters"][0] == "吴怀主" and item.facts["drafters"][-1] == "周建华"
    assert item.facts["applicant_position"] == 20 and "STD003" not in codes(f)


def test_std003_needs_a_sure_reading_of_the_list() -> None:
    foreword = FOREWORD.replace("周建华、", "")
    _, f = run_read(COVER, foreword, "ocr", 60.0)
    assert "STD003" not in codes(f)
    assert any(x.code == "GEN012" and x.data.get("would_be") == "STD003" for x in f)
    _, f = run_read(COVER, foreword, "pdf-text", 100.0)
    assert codes(f) == ["STD003"]


def test_std003_name_elsewhere_is_gen012() -> None:
    foreword = FOREWORD.replace("周建华、", "").replace("评审专家组长：郑国强", "评审专家组长：周建华")
    _, f = run(COVER, foreword)
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "STD003"


def test_std003_missing_foreword_but_a_page_could_be_it() -> None:
    """No 前言 in the item, but an unrecognised page in the same folder could be
    it: could not verify, not an error."""
    from tests.util import make_page
    from zjcheck.model import Item
    page = make_page(COVER, ["cover"], "standard")
    stray = make_page("（页面模糊，仅识别出少量文字）本文件", [], "other", number=2)
    stray.doc = page.doc
    page.doc.pages.append(stray)
    item = Item("standard-1", "standard", [page])
    page.item_id = item.id
    f = run_checker(standard, [item])
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "STD003"


def test_std001_needs_a_sure_reading() -> None:
    """The stage read exactly confirms itself on a fair line (Tesseract's 《征求 意见 稿 ) at 73);
    on a poor line, or misread, it is could-not-verify."""
    cover = COVER.replace("Servo power turret", "（征求意见稿）\nServo power turret")
    _, f = run_read(cover, FOREWORD, "ocr", 70.0)
    assert codes(f) == ["STD001"]
    _, f = run_read(cover, FOREWORD, "ocr", 50.0)
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "STD001"
    _, f = run_read(cover.replace("征求意见稿", "征求意儿稿"), FOREWORD, "ocr", 70.0)
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "STD001"


def test_std004_needs_a_sure_date() -> None:
    cover = COVER.replace("2023-06-20 发布", "2026-09-01 发布").replace("2023-07-20", "2026-10-01") \
        .replace("T/ZZB 3125—2023", "T/ZZB 3125—2026")
    _, f = run_read(cover, FOREWORD.replace("T/ZZB 3125—2023", "T/ZZB 3125—2026"), "ocr", 60.0)
    assert "STD004" not in codes(f)
    assert any(x.code == "GEN012" and x.data.get("would_be") == "STD004" for x in f)


def test_std002_needs_a_sure_reading() -> None:
    cover = COVER.replace("T/ZZB 3125—2023", "T/ZZB 3125—23")
    _, f = run_read(cover, FOREWORD, "ocr", 60.0)
    assert "STD002" not in codes(f)
    assert any(x.code == "GEN012" and x.data.get("would_be") == "STD002" for x in f)


def test_number_from_running_headers_is_confirmed_by_each_page() -> None:
    item = make_item("standard", [(FOREWORD, ["foreword"]), ("T/ZZB 3125—2023\n1 范围\n本文件规定了", ["body"]),
                                  ("T/ZZB 3125—2023\n4 要求\n4.1 应符合", ["body"])])
    run_checker(standard, [item])
    fact = item.fact("number")
    assert item.facts["number"] == "T/ZZB 3125—2023" and len(fact.confirmed_by) == 2


def test_local_standard_mark_is_no_number() -> None:
    """The big DB33 mark of a local standard's cover is no number: the number below it is."""
    cover = COVER.replace("T/ZZB\n团　　体　　标　　准\nT/ZZB 3125—2023", "DB33\n浙江省地方标准\nDB33/T 2561—23")
    item, f = run(cover, FOREWORD.replace("T/ZZB 3125—2023", "DB33/T 2561—23"))
    assert item.facts["number"] == "DB33/T 2561—23"
    assert [x for x in f if x.code == "STD002"][0].message.endswith("应为四位年份")
