"""Education, title, honor and summary on the documents of every template
family (issue 14): what is read, and that errors rest on what was read
(weakly read facts, a page elsewhere that could be the part, an inferred name
not confirmed: GEN012, never the error).

Pure logic on OCR-like text first, then the rendered families and their
planted defects (fixtures/variants/people.py) end to end.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import reported
from tests.util import codes, make_context, make_item, make_page, run_checker
from zjcheck import catalogue
from zjcheck.checkutil import applicant_fact
from zjcheck.model import Document, Item, Profile, SourceFile
from zjcheck.pipeline import set_facts
from zjcheck.plugins import Context
from zjcheck.recognise import classify_document
from zjcheck.scoresheet import split_refs
from zjcheck_checks import education, honor, summary, title

# ---------------------------------------------------------------- helpers


def run_with(module, items: list[Item], extra_pages=(), **profile):
    """facts() then check() with more pages in the package than the items'
    (pages recognised as something else, which might be a missing part)."""
    ctx = make_context(items, **profile)
    ctx.documents = ctx.documents + [p.doc for p in extra_pages]
    for it in items:
        set_facts(it, module.facts(it, ctx))
    return list(module.check(items, ctx))


def elsewhere(text: str, material: str, part: str, rel: str = "其他/扫描.pdf"):
    """A page filed as `other` whose second reading is (material, part)."""
    pg = make_page(text, ["other"], "other", rel=rel)
    pg.score = 5.0
    pg.alternatives = {material: (3.0, part)}
    return pg


def edu(*pages, conf: float = 90.0):
    item = make_item("education", list(pages))
    for p in item.pages:
        p.content.conf = conf
        for ln in p.content.lines:
            ln.conf = conf
    return item


# ---------------------------------------------------------------- education

OLD_DIPLOMA = """毕 业 证 书
学生王丽娟，性别女，一九七五年十一月生，于一九九四年九月至一九九八年七月在本校电气工程及其自动化专业四年制本科学习，
修完教学计划规定的全部课程，成绩合格，准予毕业。
校 长：
浙江大学
一九九八年七月一日
证书编号：103351000428
本复印件与原件相符 2026年5月12日"""
REGISTER_P4 = """三、组织鉴定
院（系）意见 该生在校期间表现良好，完成教学计划规定的全部课程，同意毕业。（盖章） 1998年7月
学校意见 经审核，该生符合毕业条件，准予毕业，颁发毕业证书。 浙江大学（盖章） 1998年7月1日
毕业去向 温州市工作"""


def test_graduation_read_off_an_old_diploma_not_its_birth_or_copy_note():
    item = edu((OLD_DIPLOMA, ["diploma"]))
    fs = run_checker(education, [item], graduation_date=None)
    assert item.facts["graduation_date"] == "1998-07-01"
    assert codes(fs) == ["EDU002"] and "高校毕业生登记表" in fs[0].message


def test_graduation_from_the_study_start_and_the_schooling_when_the_end_is_misread():
    """Tesseract read 一九九八 as 一九九入: the start and 四年制 still say 1998,
    and the start of the study is never taken for the graduation."""
    misread = OLD_DIPLOMA.replace("至一九九八年七月", "至一九九入年七月").replace("一九九八年七月一日", "")
    item = edu((misread, ["diploma"]))
    fs = run_checker(education, [item], graduation_date=None)
    assert item.facts["graduation_date"] == "1998-07-01"
    assert codes(fs) == ["EDU002"] and "1998 年毕业" in fs[0].message
    no_schooling = misread.replace("四年制", "")
    item = edu((no_schooling, ["diploma"]))
    assert codes(run_checker(education, [item], graduation_date=None)) == ["GEN012"]


def test_edu002_on_a_weakly_read_date_is_could_not_verify():
    item = edu((OLD_DIPLOMA, ["diploma"]), conf=55.0)
    fs = run_checker(education, [item], graduation_date=None)
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "EDU002")]
    assert "毕业时间" in fs[0].message


def test_edu002_not_raised_while_a_page_elsewhere_could_be_the_register():
    item = edu((OLD_DIPLOMA, ["diploma"]))
    maybe = elsewhere(REGISTER_P4, "education", "grad_register")
    fs = run_with(education, [item], [maybe], graduation_date=date(1998, 7, 1))
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "EDU002")]
    assert fs[0].path == "其他/扫描.pdf"


def test_register_pages_are_recognised_by_their_sections():
    d = Document(SourceFile(rel="一、学历学位证书/普通高等学校毕业生登记表.pdf", kind="pdf", mime="application/pdf",
                            size=1, sha256="r"))
    from zjcheck.model import Page, PageText
    d.pages = [Page(d, 1, PageText(REGISTER_P4, "ocr"))]
    classify_document(d)
    assert (d.pages[0].material, d.pages[0].parts[0]) == ("education", "grad_register")


def test_edu004_needs_the_code_label_read():
    rec = "教育部学历证书电子注册备案表\n姓名 周建华\n毕(结)业日期 2007年06月30日\n在线验证码：\n本备案表在线验证有效期至2026年12月18日。"
    assert codes(run_checker(education, [edu((rec, ["xueli_record"]))])) == ["EDU004"]
    weak = edu((rec, ["xueli_record"]), conf=50.0)
    assert [(f.code, f.data.get("would_be")) for f in run_checker(education, [weak])] == [("GEN012", "EDU004")]


def test_edu003_needs_the_foreign_cue_read_surely():
    hk = "香港理工大学\n学位证书\n兹证明 周建华 修毕本校机电工程理学硕士课程，授予理学硕士学位。\n颁授日期：2012年11月20日"
    assert codes(run_checker(education, [edu((hk, ["degree"]))])) == ["EDU003"]
    fs = run_checker(education, [edu((hk, ["degree"]), conf=50.0)])
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "EDU003")]


def test_education_holder_with_provenance():
    item = edu(("中国高等教育学历认证报告\n姓名 王丽娟 性别 女\n毕业日期 1998年07月", ["verify_report"]))
    run_checker(education, [item], graduation_date=None)
    fact = item.fact("holder")
    assert fact.value == "王丽娟" and fact.source == "ocr" and fact.page == 1


# ---------------------------------------------------------------- title

BOOKLET = """专业技术职务任职资格证书
姓 名 王丽娟
性 别 女
工作单位 温州瓯越电气设备股份有限公司
经浙江省电气工程专业工程师职务任职资格评审委员会评审通过，王丽娟同志具备工程师任职资格。
专 业 电气工程
评审通过时间 二〇一六年十二月
证书编号 浙人社证2016-J-0418253
发证机关（盖章） 二〇一六年十二月"""
E_CERT = """专 业 技 术 人 员 职 称 证 书
证 书 编 号 ： 甬 人 社 证 2018-G-0936417
姓 名 陈 思 远
评 审 委 员 会 宁 波 市 机 械 工 程 专 业 工 程 师 职 务 任 职 资 格 评 审 委 员 会
资 格 名 称 工 程 师
取 得 资 格 时 间 2018 年 11 月 15 日
发 证 日 期 ： 2021 年 03 月 02 日"""
APPT = "关于聘任陈思远同志为工程师的通知\n经公司研究决定，自2019年1月1日起聘任陈思远同志为工程师。"


def titled(text: str, conf: float = 92.0, appointment: bool = True) -> Item:
    pages = [(text, ["certificate"])] + ([(APPT, ["appointment"])] if appointment else [])
    item = make_item("title", pages)
    for p in item.pages:
        p.content.conf = conf
        for ln in p.content.lines:
            ln.conf = conf
    return item


def test_title_booklet_with_chinese_numeral_dates():
    item = titled(BOOKLET)
    assert run_checker(title, [item], title_date=None, name="王丽娟") == []
    assert item.facts["title_date"] == "2016-12-01" and item.facts["level"] == "工程师"
    assert item.fact("holder").value == "王丽娟"


def test_title_e_certificate_date_is_the_qualification_not_the_issue():
    item = titled(E_CERT)
    run_checker(title, [item], title_date=None, name="陈思远")
    assert item.facts["title_date"] == "2018-11-15"
    assert item.facts["certificate_number"].endswith("2018-g-0936417")


def test_an_earlier_assistant_title_on_the_page_is_not_the_level():
    history = BOOKLET + "\n备注：2011年取得助理工程师资格"
    item = titled(history)
    assert codes(run_checker(title, [item], name="王丽娟")) == []
    assert item.facts["below_engineer"] is False


def test_tit001_below_engineer_needs_the_level_read_surely():
    low = BOOKLET.replace("具备工程师任职资格", "具备助理工程师任职资格")
    assert codes(run_checker(title, [titled(low)], name="王丽娟")) == ["TIT001"]
    fs = run_checker(title, [titled(low, conf=50.0)], name="王丽娟")
    assert ("GEN012", "TIT001") in [(f.code, f.data.get("would_be")) for f in fs]


def test_tit003_not_raised_while_a_page_elsewhere_could_be_the_appointment():
    item = titled(BOOKLET, appointment=False)
    assert codes(run_with(title, [item], name="王丽娟")) == ["TIT003"]
    maybe = elsewhere("专业技术职务聘用合同书\n乙方（受聘人员）：王丽娟", "title", "appointment")
    item = titled(BOOKLET, appointment=False)
    fs = run_with(title, [item], [maybe], name="王丽娟")
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "TIT003")]


def test_tit001_missing_with_a_maybe_certificate_elsewhere():
    maybe = elsewhere(BOOKLET, "title", "certificate")
    fs = run_with(title, [], [maybe])
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "TIT001")]


# ---------------------------------------------------------------- honor

TEAM = """2023年度浙江省机械工业科学技术奖
获 奖 证 书
项目名称：大型精密数控机床关键功能部件可靠性提升技术及应用
奖励等级：三等奖
获奖人员：
排名 姓名 工作单位
第一完成人 方建国 宁波甬江智能装备有限公司
第二完成人 俞海燕 宁波甬江智能装备有限公司
第三完成人 {third} 宁波甬江智能装备有限公司
第四完成人 邵伟明 宁波甬江智能装备有限公司
第十完成人 {tenth} 宁波甬江智能装备有限公司
浙江省机械工业联合会
2024年1月18日"""


def award(text: str, conf: float = 92.0) -> Item:
    item = make_item("honor", [(text, ["certificate"])])
    for p in item.pages:
        p.content.conf = conf
        for ln in p.content.lines:
            ln.conf = conf
    return item


@pytest.mark.parametrize("third,tenth,rank", [("陈思远", "董文杰", 3), ("竺立新", "陈思远", 10)])
def test_honor_rank_on_the_applicants_row(third, tenth, rank):
    item = award(TEAM.format(third=third, tenth=tenth))
    assert run_checker(honor, [item], name="陈思远") == []
    assert item.facts["rank"] == rank


def test_hon001_not_on_the_list():
    item = award(TEAM.format(third="竺立新", tenth="董文杰"))
    assert codes(run_checker(honor, [item], name="陈思远")) == ["HON001"]


def test_hon001_rests_on_a_sure_name_and_a_readable_certificate():
    not_listed = TEAM.format(third="竺立新", tenth="董文杰")
    # the certificate read poorly
    fs = run_checker(honor, [award(not_listed, conf=50.0)], name="陈思远")
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "HON001")]
    # a name one character off the applicant's: a misreading, not someone else
    fs = run_checker(honor, [award(TEAM.format(third="陈恩远", tenth="董文杰"))], name="陈思远")
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "HON001")]


def test_hon001_for_a_unit_rests_on_the_line_naming_the_unit():
    text = ("浙江省机械工业科学技术奖\n证 书\n项目名称：高精度伺服进给系统关键技术研究及产业化\n"
            "获奖者：浙江恒锐机电科技有限公司\n证书号：2024-JX-2-015\n浙江省机械工业联合会 2024年12月")
    item = award(text, conf=60.0)
    for ln in item.pages[0].content.lines:
        if "有限公司" in ln.text:
            ln.conf = 93.0
    assert codes(run_checker(honor, [item], name="周建华")) == ["HON001"]
    item = award(text, conf=60.0)
    assert [(f.code, f.data.get("would_be")) for f in run_checker(honor, [item], name="周建华")] == [
        ("GEN012", "HON001")]


def test_hon001_with_an_inferred_name_no_document_confirms():
    """林晓雯 read 林晓去 once and inferred from that reading: the award that prints
    林晓雯 must not be reported as not naming the applicant."""
    item = award(TEAM.format(third="林晓雯", tenth="董文杰"))
    ctx = make_context([item], name="林晓去")
    ctx.profile.sources["name"] = "inferred"
    set_facts(item, honor.facts(item, ctx))
    fs = list(honor.check([item], ctx))
    assert "HON001" not in codes(fs)


def test_applicant_fact_strength():
    docs = []
    for n in range(3):
        pg = make_page(f"姓名 陈思远 第{n}份", ["x"], "other", rel=f"d{n}.pdf")
        docs.append(pg.doc)
    prof = Profile(name="陈思远", sources={"name": "inferred"})
    ctx = Context(profile=prof, catalogue=catalogue.load(), documents=docs)
    assert applicant_fact(ctx).strong
    ctx.documents = docs[:1]
    assert not applicant_fact(ctx).strong
    ctx.profile.sources = {"name": "zjcheck.toml"}
    assert applicant_fact(ctx).strong


def test_hon002_needs_the_date_read_surely():
    old = "荣 誉 证 书\n王丽娟 同志：\n在2014年度工作中成绩突出，被评为2014年度“优秀工程师”。\n特发此证，以资鼓励。\n温州市机械工程学会\n二〇一五年一月"
    assert codes(run_checker(honor, [award(old)], name="王丽娟", title_date=date(2016, 12, 28))) == ["HON002"]
    fs = run_checker(honor, [award(old, conf=50.0)], name="王丽娟", title_date=date(2016, 12, 28))
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "HON002")]


# ---------------------------------------------------------------- summary and score sheet references

def test_sum001_not_raised_while_a_page_elsewhere_could_be_the_summary():
    assert codes(run_with(summary, [])) == ["SUM001"]
    maybe = elsewhere("专业技术工作总结\n本人任现职以来……", "summary", "summary")
    fs = run_with(summary, [], [maybe])
    assert [(f.code, f.data.get("would_be")) for f in fs] == [("GEN012", "SUM001")]


def test_summary_author_with_provenance():
    body = "专业技术工作总结\n" + "本人任现职以来，负责数控机床主轴系统的设计与改进。" * 12 + "\n总结人：王丽娟"
    item = make_item("summary", [(body, ["summary"])])
    run_checker(summary, [item], name="王丽娟")
    assert item.fact("author").value == "王丽娟"


def test_score_sheet_cites_folders_numbered_with_a_chinese_heading():
    known = ["一、学历学位证书", "二、现任职称证书及聘书"]          # the package's own folder names
    assert split_refs("一、学历学位证书、二、现任职称证书及聘书", known) == known
    assert split_refs("论文一、论文二") == ["论文一", "论文二"]


# ---------------------------------------------------------------- the families, end to end

def _codes_of(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"] if f["severity"] in ("error", "warning")}


def _facts(report: dict, material: str) -> list[dict]:
    return [i["facts"] for i in report["items"] if i["material"] == material]


MINE = {"EDU001", "EDU002", "EDU003", "EDU004", "TIT001", "TIT002", "TIT003", "HON001", "HON002", "SUM001"}


@pytest.mark.ocr
@pytest.mark.parametrize("package", ["compliant-b", "compliant-c"])
@pytest.mark.exact_reading
def test_e2e_new_families_compliant(checked, package):
    report = checked(package)
    assert not MINE & _codes_of(report)
    edu_f, = _facts(report, "education")
    title_f, = _facts(report, "title")
    if package == "compliant-b":        # 毕业证书 + 登记表; electronic 职称证书; team award
        assert "grad_register" in edu_f["parts"] and edu_f["graduation_date"].startswith("2004-06")
        assert title_f["title_date"] == "2018-11-15" and title_f["has_appointment"]
        assert _facts(report, "honor")[0]["rank"] == 3
    else:                               # 学历认证报告 + old diploma photo; booklet with Chinese numerals
        assert "verify_report" in edu_f["parts"] and edu_f["graduation_date"].startswith("1998-07")
        assert title_f["title_date"].startswith("2016-12") and title_f["has_appointment"]


@pytest.mark.ocr
@pytest.mark.parametrize("package,code", [
    ("people-edu-old-diploma", "EDU002"), ("people-edu-no-register", "EDU002"),
    ("people-tit-recent-ecert", "TIT002"), ("people-tit-no-contract", "TIT003"),
    ("people-hon-not-listed", "HON001"), ("people-hon-old", "HON002"),
    ("people-sum-missing-b", "SUM001"), ("people-sum-missing-c", "SUM001")])
def test_e2e_planted_defects_on_the_new_families(checked, package, code):
    assert reported(checked(package), code)
