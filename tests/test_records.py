"""Personal records: education, pension, employment, cont_edu, honor, assessment.

Pure-logic tests on OCR-like text (spaces between characters, full-width
punctuation, one table row per line), then end-to-end tests on the rendered
variant packages of fixtures/variants/records.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.util import codes, make_item, run_checker
from zjcheck_checks import assessment, cont_edu, education, employment, honor, pension

# ---------------------------------------------------------------- education

XUELI = """学信网 www.chsi.com.cn 中国高等教育学生信息网
教育部学历证书电子注册备案表
更新日期：2026年06月18日
姓名 周建华 性别 男
入学日期 2003年09月01日 毕(结)业日期 2007年06月30日
学校名称 浙江工业大学 专业 机械设计制造及其自动化
学历类别 普通高等教育 层次 本科
毕(结)业 毕业 证书编号 103371200705001862
在线验证码：A7K3M9Q2T5W8X4R6
本备案表在线验证有效期至2026年12月18日。
"""
DEGREE_2000 = """学 士 学 位 证 书
周建华，男，一九七八年三月十二日生。在浙江工业大学机械设计制造及其自动化专业完成了本科学习计划，
业已毕业，授予工学学士学位。
证书编号：1033741999001915   二〇〇〇年七月一日
"""
DIPLOMA_2000 = "毕 业 证 书\n学生 周建华 于1996年9月至2000年7月在本校学习，修完教学计划规定的全部课程，准予毕业。\n二〇〇〇年七月一日"
REGISTER = "高校毕业生登记表\n姓名 周建华 班级 机制96-2\n自我鉴定 ……\n学校意见 同意"
FOREIGN = """香港理工大学
THE HONG KONG POLYTECHNIC UNIVERSITY
This is to certify that ZHOU Jianhua has been conferred the degree of Master of Science
学位证书（中文翻译件）  授予理学硕士学位  2012年11月20日"""
FOREIGN_CERT = "教育部留学服务中心\n港澳台学历学位认证书\n周建华 于2012年11月 获得香港理工大学理学硕士学位"


def edu(*pages: tuple[str, list[str]]):
    return make_item("education", list(pages))


def test_education_compliant_record_facts():
    item = edu((XUELI, ["xueli_record"]))
    fs = run_checker(education, [item])
    assert codes(fs) == []
    f = item.facts
    assert f["level"] == "本科" and f["graduation_date"] == "2007-06-30"
    assert f["verify_code"] == "A7K3M9Q2T5W8X4R6" and f["verify_valid_until"] == "2026-12-18"


def test_edu001_no_education_evidence():
    assert codes(run_checker(education, [])) == ["EDU001"]
    only_register = edu((REGISTER, ["grad_register"]))
    assert "EDU001" in codes(run_checker(education, [only_register]))


def test_edu002_before_2001_needs_certificate_and_register():
    item = edu((DEGREE_2000, ["degree"]))
    fs = run_checker(education, [item], graduation_date=None)
    assert item.facts["graduation_date"] == "2000-07-01"
    assert codes(fs) == ["EDU002"]
    assert "高校毕业生登记表" in fs[0].message
    ok = edu((DIPLOMA_2000, ["diploma"]), (DEGREE_2000, ["degree"]), (REGISTER, ["grad_register"]))
    assert "EDU002" not in codes(run_checker(education, [ok]))
    report = edu((DEGREE_2000, ["degree"]), ("中国高等教育学历认证报告\n认证结论 ……", ["verify_report"]))
    assert "EDU002" not in codes(run_checker(education, [report]))


def test_edu002_uses_profile_date_when_documents_show_none():
    item = edu(("学位证书\n授予工学学士学位", ["degree"]))
    assert codes(run_checker(education, [item], graduation_date=date(1999, 7, 1))) == ["EDU002"]
    fs = run_checker(education, [edu(("学位证书\n授予工学学士学位", ["degree"]))], graduation_date=None)
    assert codes(fs) == ["GEN012"]


def test_edu003_foreign_degree_without_certificate():
    item = edu((FOREIGN, ["degree"]))
    fs = run_checker(education, [item])
    assert codes(fs) == ["EDU003"]
    assert item.facts["level"] == "硕士"
    ok = edu((FOREIGN, ["degree"]), (FOREIGN_CERT, ["foreign_cert"]))
    assert codes(run_checker(education, [ok])) == []
    # the certificate's own wording (港澳台学历学位认证书) is not a foreign cue
    assert education.foreign_cue(XUELI + "\n须提供国外学历学位认证书") is None


def test_edu004_record_without_code_or_expired():
    no_code = XUELI.replace("在线验证码：A7K3M9Q2T5W8X4R6", "在线验证码：")
    assert codes(run_checker(education, [edu((no_code, ["xueli_record"]))])) == ["EDU004"]
    expired = XUELI.replace("有效期至2026年12月18日", "有效期至2026年07月18日")
    fs = run_checker(education, [edu((expired, ["xueli_record"]))])
    assert codes(fs) == ["EDU004"] and "2026-07-18" in fs[0].message
    no_validity = XUELI.replace("本备案表在线验证有效期至2026年12月18日。", "")
    assert codes(run_checker(education, [edu((no_validity, ["xueli_record"]))])) == ["GEN012"]


def test_education_ocr_spacing():
    spaced = "教 育 部 学 历 证 书 电 子 注 册 备 案 表\n毕 (结) 业 日 期 2007 年 06 月 30 日\n在 线 验 证 码 ： A7K3 M9Q2T5W8X4R6\n有 效 期 至 2026 年 12 月 18 日"
    item = edu((spaced, ["xueli_record"]))
    assert codes(run_checker(education, [item])) == []
    assert item.facts["graduation_date"] == "2007-06-30"


# ---------------------------------------------------------------- pension

def pension_text(months: list[tuple[int, int]], unit: str = "浙江恒锐机电科技有限公司",
                 unpaid: tuple[tuple[int, int], ...] = ()) -> str:
    paid = len([m for m in months if m not in unpaid and (2023, 7) <= m <= (2026, 7)])
    head = (f"浙江省社会保险参保缴费证明（个人）\n打印日期：2026-08-01 单位：元\n"
            f"姓名 周建华 公民身份号码 330106198503120319\n单位名称 {unit} 统一社会信用代码 91330110MA27WK3F8M\n"
            f"首次参保时间 2007-07 累计缴费月数 229个月\n证明期间 2023-07 至 2026-07 期间缴费月数 {paid}个月\n"
            "序号 费款所属期 险种 缴费基数 单位缴费 个人缴费 缴费单位 缴费状态\n")
    rows = []
    for n, (y, m) in enumerate(months, 1):
        state = "欠费" if (y, m) in unpaid else "已缴费"
        rows.append(f"{n} {y}{m:02d} 企业职工基本养老保险 13500.00 2160.00 1080.00 {unit} {state}")
    return head + "\n".join(rows) + "\n杭州市余杭区社会保险管理服务中心 2026年08月01日"


ALL = pension.month_range((2023, 7), (2026, 7))


def pen(text: str):
    return make_item("pension", [(text, ["proof"])])


def test_pension_compliant():
    item = pen(pension_text(ALL))
    assert codes(run_checker(pension, [item])) == []
    assert item.facts["months_count"] == 37 and item.facts["unit"] == "浙江恒锐机电科技有限公司"
    assert item.facts["printed"] == "2026-08-01" and item.facts["total_months"] == 229


def test_pen001_no_proof():
    assert codes(run_checker(pension, [])) == ["PEN001"]


def test_pen002_gap_lists_missing_months():
    months = [m for m in ALL if not ((2024, 3) <= m <= (2024, 6))]
    fs = run_checker(pension, [pen(pension_text(months, unpaid=((2025, 1),)))])
    assert codes(fs) == ["PEN002"]
    assert "2024-03 至 2024-06" in fs[0].message and "2025-01" in fs[0].message
    assert fs[0].data["missing"] == ["2024-03", "2024-04", "2024-05", "2024-06", "2025-01"]


def test_pen002_too_short_and_period_rows():
    fs = run_checker(pension, [pen(pension_text(pension.month_range((2025, 1), (2026, 7))))])
    assert codes(fs) == ["PEN002"] and "缺 17 个月：2023-08 至 2024-12" in fs[0].message
    periods = ("基本养老保险参保缴费证明\n单位名称 浙江恒锐机电科技有限公司\n起止年月 月数 缴费单位\n"
               "2023.08-2024.12 17 浙江恒锐机电科技有限公司\n2025.03-2026.07 17 浙江恒锐机电科技有限公司")
    fs = run_checker(pension, [pen(periods)])
    assert codes(fs) == ["PEN002"] and fs[0].data["missing"] == ["2025-01", "2025-02"]


def test_pen002_month_after_printing_is_not_a_gap():
    text = pension_text(pension.month_range((2023, 7), (2026, 6))).replace("打印日期：2026-08-01", "打印日期：2026-07-20")
    assert codes(run_checker(pension, [pen(text)])) == []
    text = pension_text(pension.month_range((2023, 7), (2026, 4))).replace("打印日期：2026-08-01", "打印日期：2026-05-20")
    assert codes(run_checker(pension, [pen(text)])) == ["PEN002"]


def test_pension_ocr_noise():
    noisy = pension_text(ALL).replace("202405", "2024 05").replace("单位名称", "单 位 名 称")
    item = pen(noisy)
    assert codes(run_checker(pension, [item])) == []


def test_pen003_other_unit():
    fs = run_checker(pension, [pen(pension_text(ALL, unit="杭州诚达精密机械有限公司"))])
    assert codes(fs) == ["PEN003"] and "杭州诚达精密机械有限公司" in fs[0].message
    # one misread character is the same unit
    assert codes(run_checker(pension, [pen(pension_text(ALL, unit="浙江恒锐机电科枝有限公司"))])) == []


def test_pen003_employer_from_labour_contract():
    contract = make_item("employment", [(CONTRACT, ["labour_contract"])])
    proof = pen(pension_text(ALL, unit="杭州诚达精密机械有限公司"))
    fs = run_checker(pension, [proof], employer=None)
    assert codes(fs) == ["GEN012"]             # no employer known: says so
    from tests.util import make_context
    from zjcheck.pipeline import set_facts
    from zjcheck.profile import apply_hints
    ctx = make_context([contract, proof], employer=None)
    set_facts(contract, employment.facts(contract, ctx))
    set_facts(proof, pension.facts(proof, ctx))
    apply_hints(ctx.profile, [("employment", employment.profile_hints([contract], ctx))])
    assert ctx.profile.sources["employer"] == "inferred"
    fs = list(pension.check([proof], ctx))
    assert codes(fs) == ["PEN003"] and "劳动合同" in fs[0].message


# ---------------------------------------------------------------- employment

CONTRACT = """劳 动 合 同 书
（无固定期限）
甲方（用人单位）：浙江恒锐机电科技有限公司
乙方（劳动者）：周建华
签订日期：2018年12月26日
3. 无固定期限：自2019年1月1日起至依法解除、终止劳动合同时止。"""


def test_employment_facts():
    item = make_item("employment", [(CONTRACT, ["labour_contract"])])
    fs = run_checker(employment, [item])
    assert fs == []
    assert item.facts == {"kind": "labour_contract", "employer": "浙江恒锐机电科技有限公司", "employee": "周建华",
                          "start": "2019-01-01", "end": None, "open_ended": True, "signed": "2018-12-26"}
    assert item.fact("employer").strong
    fixed = CONTRACT.replace("（无固定期限）", "").replace(
        "3. 无固定期限：自2019年1月1日起至依法解除、终止劳动合同时止。", "1. 固定期限：自2019年1月1日起至2024年12月31日止")
    item = make_item("employment", [(fixed, ["labour_contract"])])
    run_checker(employment, [item])
    assert item.facts["start"] == "2019-01-01" and item.facts["end"] == "2024-12-31"


# ---------------------------------------------------------------- cont_edu

def card(year: int, pub: int, spec: int) -> str:
    return (f"浙江省工业和信息化领域专业技术人员\n继续教育学时登记卡\n（{year}年度）\n姓名 周建华\n"
            f"序号 科目类别 培训内容 培训形式 培训机构 培训时间 学时\n"
            f"1 公需科目 数字经济与制造业高质量发展 网络学习 浙江省专业技术人员继续教育网 {year}.03.04-{year}.04.12 {pub}\n"
            f"2 专业科目 {year}中国（杭州）智能装备技术论坛 学术会议 浙江省机械工程学会 {year}.11.14-{year}.11.15 {spec}\n"
            f"合计 公需科目 {pub} 学时，专业科目 {spec} 学时 {pub + spec}\n"
            f"登记说明：该同志{year}年度累计登记继续教育学时{pub + spec}学时（其中公需科目{pub}学时，专业科目{spec}学时）。")


def ced(*cards: str):
    return [make_item("cont_edu", [(c, ["card"])], item_id=f"cont_edu-{n}") for n, c in enumerate(cards, 1)]


def test_cont_edu_compliant_and_facts():
    items = ced(card(2024, 30, 66), card(2025, 30, 72), card(2026, 30, 26))
    fs = run_checker(cont_edu, items)
    assert [f.code for f in fs if f.severity == "error"] == []
    assert [(i.facts["year"], i.facts["total_hours"], i.facts["public_hours"], i.facts["special_hours"])
            for i in items] == [(2024, 96, 30, 66), (2025, 102, 30, 72), (2026, 56, 30, 26)]
    # the current year is judged on what it shows, as an info that says so
    info = [f for f in fs if f.code == "GEN012"]
    assert len(info) == 1 and info[0].severity == "info" and "2026 年度尚未结束" in info[0].message


def test_ced001_missing_year():
    fs = run_checker(cont_edu, ced(card(2025, 30, 72), card(2026, 30, 26)))
    assert [f.code for f in fs if f.severity == "error"] == ["CED001"]
    assert "2024 年度" in next(f.message for f in fs if f.code == "CED001")
    assert codes([f for f in run_checker(cont_edu, []) if f.severity == "error"]) == ["CED001"] * 3


def test_ced002_short_full_year_only():
    fs = run_checker(cont_edu, ced(card(2024, 30, 66), card(2025, 30, 42), card(2026, 10, 8)))
    errs = [f for f in fs if f.severity == "error"]
    assert codes(errs) == ["CED002"] and "2025 年度" in errs[0].message and "72 学时" in errs[0].message


def test_cont_edu_unreadable_hours_is_not_a_silent_pass():
    items = ced("继续教育学时登记卡\n（2024年度）\n姓名 周建华", card(2025, 30, 72), card(2026, 30, 26))
    fs = run_checker(cont_edu, items)
    assert any(f.code == "GEN012" and "2024" in f.message for f in fs)


# ---------------------------------------------------------------- honor

AWARD = """浙江省机械工业科学技术奖
证 书
为表彰在推动机械工业科学技术进步工作中做出突出贡献者，特颁发此证书，以资鼓励。
项目名称：高精度伺服进给系统关键技术研究及产业化
奖励等级：二等奖
获 奖 者：{who}
证 书 号：2024-JX-2-015
浙江省机械工业联合会 2024年12月"""
PROOF = ("主要贡献者证明\n兹证明周建华同志为“高精度伺服进给系统关键技术研究及产业化”项目的主要完成人（排名第2），"
         "负责伺服驱动系统设计。\n浙江恒锐机电科技有限公司 2025年1月10日")


def test_honor_facts_individual():
    item = make_item("honor", [(AWARD.format(who="周建华（排名第1）"), ["certificate"])])
    assert codes(run_checker(honor, [item])) == []
    f = item.facts
    assert (f["level"], f["grade"], f["year"], f["rank"]) == ("省", "二等", 2024, 1)
    listed = make_item("honor", [(AWARD.format(who="王立军、周建华、陈晓燕"), ["certificate"])])
    run_checker(honor, [listed])
    assert listed.facts["rank"] == 2 and listed.facts["contributors"] == ["王立军", "周建华", "陈晓燕"]


def test_hon001_collective_award_without_proof():
    cert = AWARD.format(who="浙江恒锐机电科技有限公司")
    fs = run_checker(honor, [make_item("honor", [(cert, ["certificate"])])])
    assert codes(fs) == ["HON001"] and "浙江恒锐机电科技有限公司" in fs[0].message
    # proof in the same file
    same = make_item("honor", [(cert, ["certificate"]), (PROOF, ["contributor_proof"])])
    assert codes(run_checker(honor, [same])) == []
    # proof in another file that names the project
    c = make_item("honor", [(cert, ["certificate"])], item_id="honor-1", rel="荣誉/证书.jpg")
    p = make_item("honor", [(PROOF, ["contributor_proof"])], item_id="honor-2", rel="其他/证明.pdf")
    assert codes(run_checker(honor, [c, p])) == []
    # applicant simply not named
    other = AWARD.format(who="王立军（排名第1）")
    assert codes(run_checker(honor, [make_item("honor", [(other, ["certificate"])])])) == ["HON001"]


@pytest.mark.parametrize("issued,title_date,expect", [
    ("2026年9月", date(2019, 12, 20), "HON002"),     # after the cutoff
    ("2018年6月", date(2019, 12, 20), "HON002"),     # before 任现职 and before 近五年
    ("2018年6月", date(2017, 7, 1), None),           # 任现职后
    ("2021年8月", date(2019, 12, 20), None),         # the window's first month: only the month is written
    ("2018年6月", None, "GEN012"),                   # the current title's date unknown: could not verify
    ("", date(2019, 12, 20), None),                  # no date read (under the seal): 证书号 2024-…
])
def test_hon002_award_date_window(issued, title_date, expect):
    cert = AWARD.format(who="周建华（排名第1）").replace("2024年12月", issued)
    fs = run_checker(honor, [make_item("honor", [(cert, ["certificate"])])], title_date=title_date)
    assert codes(fs) == ([expect] if expect else []), [f.message for f in fs]
    if expect == "HON002":
        assert fs[0].severity == "error" and issued[:4] in fs[0].message


def test_hon002_award_year_only():
    annual = AWARD.format(who="周建华（排名第1）").replace("2024年12月", "").replace("浙江省机械工业科学技术奖",
                                                                                  "2023年度浙江省机械工业科学技术奖")
    assert codes(run_checker(honor, [make_item("honor", [(annual, ["certificate"])])])) == []
    old = annual.replace("2023年度", "2017年度")
    fs = run_checker(honor, [make_item("honor", [(old, ["certificate"])])], title_date=date(2019, 12, 20))
    assert codes(fs) == ["GEN012"] and "2017 年度" in fs[0].message


# ---------------------------------------------------------------- assessment

def form(year: int, grade: str) -> str:
    return (f"{year}年度考核登记表\n单位（盖章）：浙江恒锐机电科技有限公司\n姓 名 周建华 性 别 男\n"
            f"主管领导评语和考核等次建议 该同志工作认真负责。建议考核等次为：合格。\n"
            f"单位考核意见 经考核委员会审核，确定该同志{year}年度考核等次为：{grade}。\n"
            "注：考核等次分为优秀、合格、基本合格、不合格四个等次。")


def asm(*forms: str):
    return [make_item("assessment", [(f, ["form"])], item_id=f"assessment-{n}") for n, f in enumerate(forms, 1)]


def test_assessment_compliant_facts():
    items = asm(*(form(y, g) for y, g in ((2021, "合格"), (2022, "优秀"), (2023, "合格"), (2024, "优秀"), (2025, "称职"))))
    assert codes(run_checker(assessment, items)) == []
    assert [i.facts["result"] for i in items] == ["合格", "优秀", "合格", "优秀", "称职"]


def test_asm001_missing_year():
    items = asm(*(form(y, "合格") for y in (2021, 2022, 2024, 2025)))
    fs = run_checker(assessment, items)
    assert codes(fs) == ["ASM001"] and "2023" in fs[0].message


@pytest.mark.parametrize("grade", ["基本合格", "基本称职", "不合格", "不称职"])
def test_asm002_below_pass(grade):
    items = asm(*(form(y, grade if y == 2023 else "合格") for y in (2021, 2022, 2023, 2024, 2025)))
    fs = run_checker(assessment, items)
    assert codes(fs) == ["ASM002"] and grade in fs[0].message


def test_assessment_ticked_box_and_multi_year_table():
    ticked = "2024年度考核登记表\n考核等次 □优秀 ☑合格 □基本合格 □不合格"
    assert assessment.read_result(ticked, ["基本合格", "不合格", "优秀", "合格"]) == "合格"
    table = ("年度考核情况证明\n兹证明周建华同志近五年年度考核结果如下：\n2021年度 合格\n2022年度 优秀\n"
             "2023年度 基本合格\n2024年度 合格\n2025年度 合格")
    items = asm(table)
    fs = run_checker(assessment, items)
    assert codes(fs) == ["ASM002"] and items[0].facts["results"]["2023"] == "基本合格"


def test_assessment_unreadable_result():
    items = asm(*(form(y, "合格") for y in (2021, 2022, 2023, 2024)), "2025年度考核登记表\n（字迹模糊）")
    fs = run_checker(assessment, items)
    assert codes(fs) == ["GEN012"] and "2025" in fs[0].message


def test_pension_misread_month_token_and_unreadable_row():
    text = pension_text(ALL).replace("202601 ", "s02601 ")
    item = pen(text)
    assert codes(run_checker(pension, [item])) == []
    assert "2026-01" in item.facts["months"]
    # a row whose month is lost entirely: the isolated month is doubtful, not a gap
    text = pension_text(ALL).replace("202601 ", "ab cd ")
    fs = run_checker(pension, [pen(text)])
    assert codes(fs) == ["GEN012"] and "2026-01" in fs[0].message
    # a real gap of several months is still a gap even with one unreadable row
    months = [m for m in ALL if not ((2024, 3) <= m <= (2024, 6))]
    fs = run_checker(pension, [pen(pension_text(months).replace("202601 ", "ab cd "))])
    assert "PEN002" in codes(fs)
    assert next(f for f in fs if f.code == "PEN002").data["missing"] == ["2024-03", "2024-04", "2024-05", "2024-06"]


def test_pen003_garbled_header_is_not_another_unit():
    text = pension_text(ALL).replace("单位名称 浙江恒锐机电科技有限公司", "单位名称 | 渡全名机电科技有限公司")
    assert codes(run_checker(pension, [pen(text)])) == []


def test_assessment_pages_of_one_pdf_and_misread_label():
    item = make_item("assessment", [(form(y, "合格"), ["form"]) for y in (2021, 2022, 2023, 2024, 2025)])
    assert codes(run_checker(assessment, [item])) == []
    assert item.facts["results"] == {str(y): "合格" for y in (2021, 2022, 2023, 2024, 2025)}
    garbled = "2021 年 度 考 核 登记 表\n建 议 考\nBERN: 基本合格 。\n注 : 考核 等 次 分 为 优秀 、 合 格 、 基 本 合格 、 不 合格 四 个 等 次 。"
    assert assessment.read_result(garbled, ["基本合格", "不合格", "优秀", "合格"]) == "基本合格"


# ---------------------------------------------------------------- end to end (rendered packages)

MY_ERRORS = {"EDU001", "EDU002", "EDU003", "EDU004", "PEN001", "PEN002", "PEN003", "CED001", "CED002",
             "HON001", "ASM001", "ASM002"}


def _codes_of(report: dict) -> list[str]:
    return [f["code"] for f in report["findings"]]


def _package(checked, name: str) -> dict:
    return checked(name)        # fails with "run make fixtures" when the package is not rendered


@pytest.mark.ocr
def test_e2e_compliant_has_none_of_the_record_codes(checked):
    report = _package(checked, "compliant")
    assert not MY_ERRORS & set(_codes_of(report))
    facts = {i["id"]: i.get("facts", {}) for i in report.get("items", [])}
    assert facts["education-1"]["graduation_date"] == "2007-06-30"
    assert [facts[f"cont_edu-{n}"]["total_hours"] for n in (1, 2, 3)] == [96, 102, 56]


@pytest.mark.ocr
@pytest.mark.parametrize("code", ["EDU001", "PEN001", "CED001"])
def test_e2e_records_missing(checked, code):
    assert code in _codes_of(_package(checked, "records-missing"))


@pytest.mark.ocr
@pytest.mark.parametrize("code", ["PEN002", "PEN003", "CED002", "ASM001", "ASM002", "HON001", "EDU003", "EDU004"])
def test_e2e_records_defects(checked, code):
    assert code in _codes_of(_package(checked, "records-defects"))


@pytest.mark.ocr
def test_e2e_records_defects_messages(checked):
    report = _package(checked, "records-defects")
    by_code = {f["code"]: f for f in report["findings"]}
    assert by_code["PEN002"]["data"]["missing"] == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert "杭州恒锐精密传动有限公司" in by_code["PEN003"]["message"]
    assert "2024" in by_code["ASM001"]["message"] and "基本合格" in by_code["ASM002"]["message"]
    assert "2025" in by_code["CED002"]["message"]


@pytest.mark.ocr
def test_e2e_records_edu_old(checked):
    assert "EDU002" in _codes_of(_package(checked, "records-edu-old"))


def test_hon002_year_in_the_certificate_number():
    """The date is often under the seal; a 证书号 that starts with a year wholly
    inside the window is enough, one on the window's edge is not."""
    cert = AWARD.format(who="周建华（排名第1）").replace("2024年12月", "")
    assert codes(run_checker(honor, [make_item("honor", [(cert, ["certificate"])])])) == []
    edge = cert.replace("2024-JX-2-015", "2026-JX-2-015")
    assert codes(run_checker(honor, [make_item("honor", [(edge, ["certificate"])])])) == ["GEN012"]
