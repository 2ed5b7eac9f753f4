"""Personal records across the real families of their documents (issue 14):
pension proofs with one row per period or a month grid, totals that prove or
do not prove coverage; 学时证明 whose stated total is the fact; enterprise
考核表 and results letters; 在职证明 letters; recognition of their pages
(never a project).  Pure logic on OCR-like text, then the rendered packages
of fixtures/variants/records_families.py.
"""

from __future__ import annotations

import pytest

from tests.util import codes, make_item, make_page, run_checker
from zjcheck.extract import Text
from zjcheck.extract.orgs import signing_org
from zjcheck.model import Document, Page, PageText, Seal, SourceFile
from zjcheck.recognise import classify_document
from zjcheck_checks import assessment, cont_edu, employment, pension

NB = "宁波甬江智能装备有限公司"
EARLIER = "宁波北仑华通机械制造有限公司"


def errors(findings: list) -> list[str]:
    return sorted(f.code for f in findings if f.severity in ("error", "warning"))


# ---------------------------------------------------------------- pension: one row per period

def yearly(rows: list[tuple[str, int, str]], *, total: int | None = None, first: str = "2004年07月",
           dash: str = "—") -> str:
    """A city print: 年度 | 缴费起止年月 | 缴费月数 | 基数 | 个人缴费 | 单位, as OCR rows."""
    n = sum(k for _, k, _ in rows) if total is None else total
    head = ("宁波市职工基本养老保险参保缴费证明\n证明编号：NBSB-2026-0803-118372 打印时间：2026年08月03日\n"
            f"姓名 陈思远 性别 男 社会保障号码 330212198107230578\n参保单位 {NB} 参保状态 参保缴费\n"
            f"首次参保年月 {first} 险种 企业职工基本养老保险 累计缴费月数 {n}\n"
            "一、个人缴费情况（按年度汇总）\n年度 缴费起止年月 缴费月数 月缴费基数 个人缴费合计 缴费单位名称\n")
    body = "\n".join(f"{p[:4]} {p.replace('-', dash)} {k} 8940 {k * 715.2:.2f} {unit}" for p, k, unit in rows)
    return head + body + f"\n合计 {n}\n说明：1. 缴费月数为该年度实际足额缴费的月数。\n经办机构（盖章）：宁波市社会保险管理服务中心"


def career_rows(gap: bool = False) -> list[tuple[str, int, str]]:
    rows = [("200407-200412", 6, EARLIER)] + [(f"{y}01-{y}12", 12, EARLIER) for y in range(2005, 2016)]
    rows += [("201601-201605", 5, EARLIER), ("201606-201612", 7, NB)]
    for y in range(2017, 2026):
        if gap and y == 2024:
            rows += [("202401-202402", 2, NB), ("202407-202412", 6, NB)]
        else:
            rows.append((f"{y}01-{y}12", 12, NB))
    return rows + [("202601-202607", 7, NB)]


def pen(text: str, conf: float = 95.0):
    page = make_page(text, ["proof"], "pension", conf=conf)
    from zjcheck.model import Item
    item = Item("pension-1", "pension", [page])
    page.item_id = item.id
    return item


def test_yearly_periods_cover_the_years_and_agree_with_the_totals():
    item = pen(yearly(career_rows(), dash="一"))        # OCR reads the dash as 一
    assert codes(run_checker(pension, [item], employer=NB)) == []
    f = item.facts
    assert f["months_count"] == 265 and f["first_insured"] == "2004-07"
    assert f["totals_disagree"] == [] and len(f["totals_agree"]) == 2
    # the earlier employer paid long before the required years: not another paying unit
    assert list(f["row_units"]) == [NB]


def test_pen002_gap_between_two_period_rows():
    fs = run_checker(pension, [pen(yearly(career_rows(gap=True)))], employer=NB)
    assert codes(fs) == ["PEN002"]
    assert fs[0].data["missing"] == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert "缺 4 个月" in fs[0].message


def test_period_rows_that_disagree_with_the_proofs_totals_are_not_a_gap():
    # a row lost to OCR: the totals still say 265 months
    rows = [r for r in career_rows() if not r[0].startswith("2024")]
    fs = run_checker(pension, [pen(yearly(rows, total=265))], employer=NB)
    assert errors(fs) == [] and codes(fs) == ["GEN012"]
    assert "合计" in fs[0].message and "2024-01 至 2024-12" in fs[0].message


def test_unreadable_period_row_makes_its_months_doubtful():
    text = yearly(career_rows()).replace("2024 202401—202412 12", "2024 2O24O1—2O2412 12")
    assert "2O24O1" in text
    fs = run_checker(pension, [pen(text)], employer=NB)
    assert errors(fs) == [] and "2024" in fs[0].message


def test_period_in_two_columns():
    """起始年月 | 截止年月 as two cells: no dash between the months."""
    text = yearly(career_rows()).replace("年度 缴费起止年月", "年度 缴费起始年月 缴费截止年月").replace("—", " ")
    item = pen(text)
    assert codes(run_checker(pension, [item], employer=NB)) == []
    assert item.facts["months_count"] == 265
    # no such header: the row's own count says the two months are a period
    plain = yearly(career_rows()).replace("—", " ")
    assert codes(run_checker(pension, [pen(plain)], employer=NB)) == []
    gap = yearly(career_rows(gap=True)).replace("—", " ")
    assert codes(run_checker(pension, [pen(gap)], employer=NB)) == ["PEN002"]


def test_pen002_row_count_short_of_its_period():
    rows = [(p, 8 if p.startswith("2024") else k, u) for p, k, u in career_rows()]
    fs = run_checker(pension, [pen(yearly(rows))], employer=NB)
    assert codes(fs) == ["PEN002"] and fs[0].data["missing_count"] == 4
    assert "2024-01 至 2024-12" in fs[0].message
    # read poorly: the same gap cannot be claimed
    weak = run_checker(pension, [pen(yearly(rows), conf=55.0)], employer=NB)
    assert errors(weak) == [] and any(f.data.get("would_be") == "PEN002" for f in weak)


def test_pen002_needs_the_rows_surely_read():
    fs = run_checker(pension, [pen(yearly(career_rows(gap=True)), conf=50.0)], employer=NB)
    assert errors(fs) == [] and fs[0].code == "GEN012" and fs[0].data["would_be"] == "PEN002"


# ---------------------------------------------------------------- pension: month grid

def grid(rows: dict[int, int], mark: str = "√", printed: str = "2026-08-05") -> str:
    head = ("温州市社会保险参保缴费证明\n(企业职工基本养老保险·按月缴费情况)\n"
            f"姓名 王丽娟 身份证号 330302197511020482 单位名称 温州瓯越电气设备股份有限公司 打印日期：{printed}\n"
            "首次参保 1998-08 参保状态 正常缴费 累计缴费月数 336个月\n"
            "年度 1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月 月数 缴费单位\n")
    body = "\n".join(f"{y} {' '.join([mark] * n)} {n} 温州瓯越电气设备股份有限公司" for y, n in rows.items())
    return head + body + "\n注：“√”表示该月养老保险费已足额缴纳。"


def test_month_grid_counts_cover_full_and_current_years():
    rows = {y: 12 for y in range(2019, 2026)} | {2026: 7}
    item = pen(grid(rows))
    assert codes(run_checker(pension, [item], employer="温州瓯越电气设备股份有限公司")) == []
    assert item.facts["months"][-1] == "2026-07" and item.facts["months_count"] == 91


def test_month_grid_marks_lost_but_count_read():
    text = grid({y: 12 for y in range(2019, 2026)} | {2026: 7}).replace(" √ √ √", "", 3)
    assert errors(run_checker(pension, [pen(text)], employer="温州瓯越电气设备股份有限公司")) == []


def test_pen002_month_grid_year_short():
    rows = {y: 12 for y in range(2019, 2026)} | {2024: 10, 2026: 7}
    fs = run_checker(pension, [pen(grid(rows))], employer="温州瓯越电气设备股份有限公司")
    assert codes(fs) == ["PEN002"] and fs[0].data["missing_count"] == 2


def test_month_grid_of_amounts_the_count_confirmed_by_the_amounts():
    rows = {y: 12 for y in range(2019, 2026)} | {2024: 10, 2026: 7}
    text = grid(rows, mark="1080")
    # read with middling confidence: the year's count agrees with the amounts counted in its row
    fs = run_checker(pension, [pen(text, conf=70.0)], employer="温州瓯越电气设备股份有限公司")
    assert codes(fs) == ["PEN002"] and fs[0].data["missing_count"] == 2
    # an amount lost to OCR: the count alone, read with middling confidence, is not sure
    lost = text.replace("2024 " + " ".join(["1080"] * 10), "2024 " + " ".join(["1080"] * 9))
    fs = run_checker(pension, [pen(lost, conf=70.0)], employer="温州瓯越电气设备股份有限公司")
    assert errors(fs) == [] and any(f.data.get("would_be") == "PEN002" for f in fs)


# ---------------------------------------------------------------- pension: totals only

def summary(total: int, first: str = "2004年07月", until: str = "2026年07月") -> str:
    return ("社会保险参保证明\n兹证明 陈思远（社会保障号码：330212198107230578）参加本市社会保险情况如下：\n"
            f"参保单位：{NB}\n参保险种：企业职工基本养老保险 参保状态：正常参保\n"
            f"首次参保年月：{first} 本单位参保起始年月：2016年06月\n累计缴费月数：{total}个月（截至{until}）\n特此证明。\n"
            "宁波市社会保险管理服务中心\n2026年08月03日")


def test_proof_with_totals_only_is_never_pen002():
    fs = run_checker(pension, [pen(summary(259))], employer=NB)
    assert codes(fs) == ["GEN012"] and "累计缴费月数 259" in fs[0].message
    # 累计 equal to the months since the first month insured proves every month
    assert codes(run_checker(pension, [pen(summary(265))], employer=NB)) == []


def test_stated_period_with_its_full_count_proves_it():
    text = ("参保缴费证明\n单位名称 浙江恒锐机电科技有限公司\n证明期间 2023-07 至 2026-07 期间缴费月数 37个月\n"
            "打印日期：2026-08-01")
    assert codes(run_checker(pension, [pen(text)])) == []
    short = text.replace("37个月", "33个月")
    assert codes(run_checker(pension, [pen(short)])) == ["GEN012"]


# ---------------------------------------------------------------- pension: paying unit

def test_pen003_only_for_units_paying_in_the_required_years():
    assert "PEN003" not in codes(run_checker(pension, [pen(yearly(career_rows()))], employer=NB))
    other = yearly([(p, k, EARLIER if p >= "2023" else u) for p, k, u in career_rows()])
    fs = run_checker(pension, [pen(other)], employer=NB)
    assert codes(fs) == ["PEN003"] and EARLIER in fs[0].message
    weak = run_checker(pension, [pen(other, conf=50.0)], employer=NB)
    assert "PEN003" not in codes(weak) and any(f.data.get("would_be") == "PEN003" for f in weak)


# ---------------------------------------------------------------- employment

FIXED = """劳 动 合 同 书
(固定期限)
用人单位（甲方）：宁波甬江智能装备有限公司
劳动者（乙方）：陈思远
签订日期：2022年5月26日
劳动合同双方基本情况
劳动者（乙方）
姓名 陈思远 性别 男
居民身份证号码 330212198107230578
用人单位（甲方）
单位名称 宁波甬江智能装备有限公司
第一条 本合同为固定期限劳动合同。合同期限自2022年6月1日起至2027年5月31日止，其中试用期自＿＿年＿＿月＿＿日起"""

LETTER = """瀘州瓯越电气  温州瓯越电气设备股份有限公司
在职证明
兹证明王丽娟同志(性别:女,居民身份证号码:
330302197511020482）自2003年8月起在我公司工作至今，现任技术中心主
任工程师，已签订无固定期限劳动合同，劳动关系正常。
特此证明。
联系人：人力资源部 周立群 联系电话：0577-86695120
温州越电气股份专限公司
2026年7月20日"""


def test_fixed_term_contract_in_table_order():
    item = make_item("employment", [(FIXED, ["labour_contract"])])
    run_checker(employment, [item])
    f = item.facts
    assert (f["employer"], f["employee"], f["start"], f["end"], f["open_ended"]) == \
        (NB, "陈思远", "2022-06-01", "2027-05-31", False)


def test_work_proof_letter_employer_is_the_signing_unit_read_in_full():
    item = make_item("employment", [(LETTER, ["work_proof"])])
    run_checker(employment, [item])
    f = item.facts
    assert f["kind"] == "work_proof" and f["employee"] == "王丽娟" and f["start"] == "2003-08-01"
    # under the seal OCR lost two characters; the letterhead names the unit in full
    assert f["employer"] == "温州瓯越电气设备股份有限公司"
    assert signing_org(Text.plain("特此证明。\n杭州某某\n2026年1月2日")) is None


# ---------------------------------------------------------------- cont_edu

def ced(*texts: str, conf: float = 95.0):
    out = []
    for n, t in enumerate(texts, 1):
        page = make_page(t, ["card"], "cont_edu", conf=conf, rel=f"c{n}.pdf")
        from zjcheck.model import Item
        it = Item(f"cont_edu-{n}", "cont_edu", [page])
        page.item_id = it.id
        out.append(it)
    return out


def online(year: int, rows: list[tuple[str, int]], total: int | None = None, sentence: bool = True) -> str:
    t = sum(h for _, h in rows) if total is None else total
    pub = sum(h for k, h in rows if k == "公需课")
    head = (f"专业技术人员继续教育学时证明\n（{year}年度）\n姓名：陈思远 身份证号：330212198107230578\n"
            f"工作单位：{NB}\n序号 课程名称 课程类别 学习方式 完成日期 学时 考核结果\n")
    body = "\n".join(f"{i} 课程{i} {k} 在线学习 {year}-0{i}-1{i} {h} 合格" for i, (k, h) in enumerate(rows, 1))
    tail = f"\n合计 {t}\n"
    if sentence:
        tail += f"截至打印之日，该学员{year}年度共获得继续教育学时{t}学时，其中公需课{pub}学时，专业课{t - pub}学时。"
    return head + body + tail


ROWS = [("公需课", 10), ("公需课", 8), ("公需课", 12), ("专业课", 16), ("专业课", 12), ("专业课", 14),
        ("专业课", 12), ("专业课", 12)]


def test_stated_total_not_rows_lost_to_ocr():
    # three course rows were not read: their sum is 58, the card says 96
    lost = online(2025, ROWS, 96).replace("\n4 课程4", "").replace("\n5 课程5", "").replace("\n6 课程6", "")
    items = ced(online(2024, ROWS), lost, online(2026, ROWS[:4]))
    fs = run_checker(cont_edu, items)
    assert errors(fs) == [] and items[1].facts["total_hours"] == 96 and items[1].facts["reliable"]


def test_total_row_of_the_provincial_card_is_its_last_number():
    card = ("继续教育学时登记卡\n（2024年度）\n合计 公需科目 30 学时，专业科目 66 学时 96\n")
    item = ced(card)[0]
    run_checker(cont_edu, [item])
    assert item.facts["total_hours"] == 96


def test_ced002_on_a_surely_read_total_only():
    short = online(2025, ROWS[:7], 84)
    fs = run_checker(cont_edu, ced(online(2024, ROWS), short, online(2026, ROWS[:4])))
    assert errors(fs) == ["CED002"] and "84 学时" in next(f.message for f in fs if f.code == "CED002")
    # read poorly and not confirmed by 公需+专业 or the rows: could not verify
    poor = online(2025, ROWS[:7], 84, sentence=False).replace("\n1 课程1 公需课 在线学习 2025-01-11 10 合格", "")
    assert "课程1 " not in poor
    items = ced(online(2024, ROWS), poor, online(2026, ROWS[:4]), conf=60.0)
    fs = run_checker(cont_edu, items)
    assert errors(fs) == [] and any(f.data.get("would_be") == "CED002" for f in fs)


def test_a_second_reading_reaching_90_is_no_ced002():
    text = online(2025, ROWS).replace("共获得继续教育学时96学时", "共获得继续教育学时56学时")
    fs = run_checker(cont_edu, ced(online(2024, ROWS), text, online(2026, ROWS[:4])))
    assert errors(fs) == []


def test_rows_alone_below_90_are_not_sure():
    rows_only = "\n".join(online(2025, ROWS[:6]).splitlines()[:-2])
    fs = run_checker(cont_edu, ced(online(2024, ROWS), rows_only, online(2026, ROWS[:4])))
    assert errors(fs) == [] and any(f.data.get("would_be") == "CED002" for f in fs)


def test_three_years_merged_into_one_pdf():
    item = make_item("cont_edu", [(online(2024, ROWS), ["card"]), (online(2025, ROWS), ["card"]),
                                  (online(2026, ROWS[:4]), ["card"])])
    fs = run_checker(cont_edu, [item])
    assert errors(fs) == [] and [c["year"] for c in item.facts["cards"]] == [2024, 2025, 2026]
    short = make_item("cont_edu", [(online(2024, ROWS), ["card"]), (online(2025, ROWS[:7], 84), ["card"])])
    assert errors(run_checker(cont_edu, [short])) == ["CED001", "CED002"]


def test_booklet_summary_line():
    page = ("专业技术人员继续教育证书\n继续教育登记(2024年度)\n起止时间 学习内容 形式 学时 登记单位\n"
            "2024.03—04 数字经济与制造业高质量发展（公需） 网络 30\n2024.11 智能配电系统标准宣贯 网络 10\n"
            "年度学时汇总:\n公需科目30学时；专业科目64学时；合计94学时\n审验单位（盖章)：")
    item = ced(page)[0]
    run_checker(cont_edu, [item])
    f = item.facts
    assert (f["year"], f["total_hours"], f["public_hours"], f["special_hours"]) == (2024, 94, 30, 64)


# ---------------------------------------------------------------- assessment

def enterprise(year: int, box_row: str, hr: str | None) -> str:
    text = (f"宁波甬江智能装备有限公司\n员工年度绩效考核表\n考核年度：{year}年 表单编号：HR-KH-{year}-0578\n"
            f"姓名 陈思远 部门 工艺技术部 岗位 工艺主管\n考核周期 {year}年1月1日—{year}年12月31日\n"
            "考核维度 权重 考核要点 自评分 上级评分\n工作业绩 50% 年度工作目标完成情况 90 88\n综合得分 87.4\n"
            f"考核等级 {box_row}\n直接上级评语 直接上级签字: 日期：{year + 1}年1月6日\n")
    if hr:
        text += f"经公司绩效考核领导小组评定，该员工{year}年度考核等级为“{hr}”。\n"
    return text + "人力资源部审核意见 人力资源部（盖章）\n注：考核等级分为优秀、良好、合格、基本合格、不合格五档。"


def asm(*texts: str):
    return [make_item("assessment", [(t, ["form"])], item_id=f"assessment-{n}") for n, t in enumerate(texts, 1)]


BOXES = "□优秀 □良好 □合格 □基本合格 □不合格"


def test_enterprise_form_result_from_hr_sentence_and_from_the_ticked_box():
    forms = [enterprise(y, BOXES.replace("□良好", "良好"), "良好") for y in (2021, 2022, 2023)]
    forms.append(enterprise(2024, BOXES.replace("□优秀", "优秀"), None))      # the sentence under the seal
    forms.append(enterprise(2025, BOXES, "优秀"))
    items = asm(*forms)
    assert codes(run_checker(assessment, items)) == []
    assert [i.facts["result"] for i in items] == ["良好", "良好", "良好", "优秀", "优秀"]


def test_asm002_not_on_a_box_inference_alone():
    forms = [enterprise(y, BOXES, "良好") for y in (2021, 2022, 2024, 2025)]
    inferred = asm(*forms, enterprise(2023, BOXES.replace("□基本合格", "基本合格"), None))
    fs = run_checker(assessment, inferred)
    assert errors(fs) == [] and fs[0].data.get("would_be") == "ASM002"
    stated = asm(*forms, enterprise(2023, BOXES, "基本合格"))
    assert codes(run_checker(assessment, stated)) == ["ASM002"]


def test_results_letter_table():
    letter = ("年度考核情况证明\n兹证明王丽娟同志系我公司技术中心主任工程师。经查阅本单位年度考核档案，该同志\n"
              "2021-2025年度考核结果如下:\n考核年度 考核结果 备注\n2021年度 合格\n2022年度 合格\n2023年度 基本合格\n"
              "2024年度 合格\n2025年度 优秀\n以上情况属实，特此证明。")
    fs = run_checker(assessment, asm(letter))
    assert codes(fs) == ["ASM002"] and "2023" in fs[0].message


def test_a_units_notice_listing_several_people():
    notice = ("关于公布2023年度考核结果的通知\n各部门：经考核委员会审核，现将2023年度考核结果公布如下：\n"
              "序号 姓名 部门 考核结果\n1 方建国 工艺技术部 基本合格\n2 周建华 技术研发中心 合格\n3 俞海燕 质量部 优秀")
    forms = [form_text(y) for y in (2021, 2022, 2024, 2025)]
    items = asm(*forms, notice)
    assert codes(run_checker(assessment, items)) == [] and items[-1].facts["result"] == "合格"
    # the applicant not on the list: whose result it is cannot be told
    other = notice.replace("周建华", "竺立新")
    fs = run_checker(assessment, asm(*forms, other))
    assert errors(fs) == [] and "2023" in fs[0].message


def form_text(year: int, grade: str = "合格") -> str:
    return (f"{year}年度考核登记表\n姓 名 周建华 性 别 男\n单位考核意见 经考核委员会审核，确定该同志{year}年度考核等次为：{grade}。")


def test_asm001_only_when_no_page_could_be_that_year():
    forms = [enterprise(y, BOXES, "良好") for y in (2021, 2022, 2024, 2025)]
    assert codes(run_checker(assessment, asm(*forms))) == ["ASM001"]
    unknown = "员工绩效考核表\n考核等级 □优秀 □良好\n（年度字迹模糊）"
    fs = run_checker(assessment, asm(*forms, unknown))
    assert errors(fs) == [] and any(f.data.get("would_be") == "ASM001" for f in fs)


def test_missing_findings_wait_for_pages_that_could_be_the_record():
    """PEN001 / CED001 only when no page of the package could be the record (SPEC §7)."""
    from tests.util import make_context
    page = make_page("养老 保险 ……（模糊）", [], "other")
    page.material, page.parts = "other", []
    page.alternatives = {"pension": (3.5, "proof"), "cont_edu": (3.0, "card")}
    ctx = make_context([])
    ctx.documents = [page.doc]
    fs = list(pension.check([], ctx))
    assert codes(fs) == ["GEN012"] and fs[0].data["would_be"] == "PEN001"
    cards = ced(online(2024, ROWS), online(2025, ROWS))
    for c in cards:
        from zjcheck.pipeline import set_facts
        set_facts(c, cont_edu.facts(c, ctx))
    fs = list(cont_edu.check(cards, ctx))
    assert errors(fs) == [] and any(f.data.get("would_be") == "CED001" for f in fs)
    ctx.documents = []
    assert errors(list(cont_edu.check(cards, ctx))) == ["CED001"]


# ---------------------------------------------------------------- recognition: never a project

def _doc(rel: str, *pages: tuple[str, int]) -> Document:
    d = Document(SourceFile(rel=rel, kind="pdf", mime="application/pdf", size=1, sha256=rel))
    d.pages = [Page(d, n, PageText(t, "ocr", seals=[Seal((0, 0, 10, 10), "round", 0.9)] * s))
               for n, (t, s) in enumerate(pages, 1)]
    classify_document(d)
    return d


PENSION_P2 = ("第2页 共2页\n年度 缴费起止年月 缴费月数 月缴费基数 个人缴费合计 缴费单位名称\n"
              f"2025 202501—202512 12 14200 13632.00 {NB}\n2026 202601一202607 7 14900 8344.00 {NB}\n合计 265\n"
              "说明:1.本证明反映参保人员参加企业职工基本养老保险的年度缴费汇总情况。\n2.缴费起止年月内如有中断，按中断前后分段列示。\n"
              "经办机构（盖章）：宁波市社会保险管理服务中心\n2026年8月3日")
CONTRACT_SIGN = ("第二十二条 本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。\n甲方（盖章） 乙方（签名）\n"
                 "法定代表人或委托代理人（签名）\n2022 年 5 月 26 日 2022 年 5 月 26 日")


@pytest.mark.parametrize("rel, pages, material", [
    ("三、社保缴费证明/证明.pdf", [(yearly(career_rows())[:400], 0), (PENSION_P2, 1)], "pension"),
    ("十一、年度考核/08考核2021.jpg", [(enterprise(2021, BOXES, "良好"), 1)], "assessment"),
    ("appraisal/证明.pdf", [("年度考核情况证明\n兹证明王丽娟同志系我公司职工，其年度考核结果如下:\n2021年度 合格\n"
                            "2022年度 优秀\n以上情况属实，特此证明。\n温州瓯越电气设备股份有限公司（盖章）", 1)], "assessment"),
    ("social-security/在职证明.jpg", [(LETTER, 1)], "employment"),
    ("三、社保缴费证明/劳动合同.pdf", [(FIXED, 0), (FIXED, 0), (CONTRACT_SIGN, 1)], "employment"),
])
def test_record_pages_with_seals_are_never_projects(rel: str, pages: list, material: str):
    d = _doc(rel, *pages)
    assert [p.material for p in d.pages] == [material] * len(pages), [(p.material, p.alternatives) for p in d.pages]


def test_a_lone_signature_page_stays_with_its_file():
    """Tesseract garbles 乙方（签名）: the page reads as a contract's 盖章页 only, yet in
    a file of labour-contract pages it is the contract's, not a project of its own."""
    garbled = ("第 二 十 二 条 ”本 合同 一 式 两 份 ， 甲 乙 双方 各 执 一 份 ， 自 双方 签字 盖 章 之 日 起 生效 。\n"
               "甲 方 ( 盖 章 公 z 方 签名 换 起 光\n法 定 代 让 人 或 委 忆 人 理 人 “等 名 )\n2022 £5 H 248")
    alone = _doc("x/sign.jpg", (garbled, 1)).pages[0]
    assert alone.material == "project" and "employment" in alone.alternatives
    d = _doc("三、社保缴费证明/劳动合同.pdf", (FIXED, 0), (FIXED, 0), (garbled, 1))
    assert [p.material for p in d.pages] == ["employment"] * 3
    # a project contract keeps its own seal page
    cover = "技术开发合同\n项目名称：高速冲压线智能控制系统开发\n委托方（甲方）：宁波某某汽车部件有限公司\n合同编号：HR-JS-2023-018"
    d = _doc("10-项目/合同.pdf", (cover, 0), (garbled, 1))
    assert [p.material for p in d.pages] == ["project", "project"]


# ---------------------------------------------------------------- end to end (rendered packages)

def _findings(report: dict, *materials: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        if f["material"] in materials:
            out.setdefault(f["code"], []).append(f)
    return out


MINE = {"pension", "employment", "cont_edu", "assessment"}


@pytest.mark.ocr
@pytest.mark.parametrize("name", ["compliant-b", "compliant-c", "records-b-defects", "records-c-defects"])
def test_e2e_record_pages_are_their_materials(checked, manifest, name):
    """Every page the ground truth says is a record is recognised as that record (never a project)."""
    report = checked(name)
    got = {(d["path"], pi["page"]): pi["material"] for d in report["documents"] for pi in d.get("page_info") or []}
    truth = {(f["path"], pg["page"]): pg["material"] for f in manifest["packages"][name]["files"] if "pages" in f
             for pg in f["pages"] if pg["material"] in MINE} if "files" in manifest["packages"][name] else {}
    if not truth:      # a variant package: its files are the compliant package's
        base = manifest["packages"]["compliant-" + name.split("-")[1]]
        truth = {(f["path"], pg["page"]): pg["material"] for f in base["files"] for pg in f["pages"]
                 if pg["material"] in MINE and (f["path"], pg["page"]) in got}
    assert truth and {k: got.get(k) for k in truth} == truth


@pytest.mark.ocr
@pytest.mark.parametrize("name", ["compliant-b", "compliant-c"])
def test_e2e_family_packages_read_every_record(checked, name):
    report = checked(name)
    items = {i["id"]: i.get("facts", {}) for i in report.get("items", [])}
    assert items["pension-1"]["totals_disagree"] == [] and "2026-07" in items["pension-1"]["months"]
    years = sorted(f["year"] for k, f in items.items() if k.startswith("cont_edu"))
    assert years == [2024, 2025, 2026]
    results = {y: r for k, f in items.items() if k.startswith("assessment") for y, r in f["results"].items()}
    assert sorted(results) == ["2021", "2022", "2023", "2024", "2025"] and None not in results.values()
    assert items["employment-1"]["employer"]


@pytest.mark.ocr
def test_e2e_records_b_defects(checked):
    got = _findings(checked("records-b-defects"), "pension", "cont_edu", "assessment")
    assert got["PEN002"][0]["data"]["missing"] == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert got["CED002"][0]["data"]["hours"] == 84
    assert [f["data"]["year"] for f in got["ASM001"]] == [2023]


@pytest.mark.ocr
def test_e2e_records_c_defects(checked):
    got = _findings(checked("records-c-defects"), "pension", "assessment")
    assert got["ASM002"][0]["data"]["result"] == "基本合格" and got["ASM002"][0]["data"]["year"] == 2023
    assert got["PEN002"][0]["data"]["missing_count"] == 2


@pytest.mark.ocr
def test_e2e_pension_with_totals_only(checked):
    got = _findings(checked("records-b-pension-total"), "pension")
    assert "PEN002" not in got and any("累计缴费月数" in f["message"] for f in got["GEN012"])
