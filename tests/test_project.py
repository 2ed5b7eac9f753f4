"""项目（合同、立项书）: PRJ001–PRJ007, the 大写 parser and the end-to-end variants."""

from __future__ import annotations

from decimal import Decimal

from datetime import date

import pytest

from checks import project
from zjcheck.extract import money
from tests.util import codes, make_item, make_page, run_checker
from zjcheck.model import Item, Seal

COVER = """技 术 开 发 （委托） 合 同
项 目 名 称： 高速精密数控转台伺服驱动系统研制
委托方（甲方）： 浙江宏达精密机械股份有限公司
受托方（乙方）： 浙江恒锐机电科技有限公司
合 同 编 号： HRJD-JS-2022-018
签订时间： 2022年4月15日
有效期限： 2022年4月15日至2024年4月14日"""
AMOUNT = """四、研究开发经费及其支付方式：
1. 本项目研究开发经费和报酬总额为人民币（大写）壹佰贰拾万元整（¥1,200,000.00）。
2. 支付方式：合同签订后10个工作日内支付30%，计¥360,000.00；样机交付后支付40%，计¥480,000.00。"""
PERSONNEL = """八、乙方项目主要参与人员名单：
序号 姓名 职称 所在单位 在项目中承担的工作
1 周建华 工程师 浙江恒锐机电科技有限公司 项目负责人，负责总体方案设计、伺服驱动算法开发及样机联调
2 王立军 高级工程师 浙江恒锐机电科技有限公司 技术顾问，负责关键技术路线把关"""
SEAL = """委托方（甲方） 名称（或姓名） 浙江宏达精密机械股份有限公司
法定代表人 （签章）
委托代理人 （签章）
签订日期 2022年4月15日
统一社会信用代码：91330106MA2H0XK54A"""


def contract(cover: str = COVER, amount: str = AMOUNT, personnel: str = PERSONNEL, seal: str = SEAL,
             seals: int = 2, drop: tuple[str, ...] = ()) -> Item:
    pages = [(cover, ["cover"]), (amount, ["amount"]), (personnel, ["personnel"]), (seal, ["seal_page"])]
    pages = [p for p in pages if p[1][0] not in drop]
    item = make_item("project", pages)
    for p in item.pages:
        p.content.width = 1654
        if "seal_page" in p.parts:
            p.content.seals = make_page("", [], "project", seals=seals).content.seals
    return item


def run(item: Item, **profile: object) -> list[str]:
    return codes(run_checker(project, [item], **profile))


def errors(item: Item, **profile: object) -> list[str]:
    return [c for c in run(item, **profile) if c != "GEN012"]


# ---------------------------------------------------------------- 大写 parser

@pytest.mark.parametrize("text,value", [
    ("壹佰贰拾万元整", "1200000"), ("壹拾贰万元整", "120000"), ("伍万陆仟元整", "56000"),
    ("拾万元整", "100000"), ("壹万零伍元", "10005"), ("壹拾万零叁佰元整", "100300"),
    ("叁仟元伍角陆分", "3000.56"), ("贰仟零贰拾叁元零伍分", "2023.05"), ("陆角", "0.6"),
    ("贰亿零伍拾万元整", "200500000"), ("玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", "9999999.99"),
    ("人民币壹佰捌拾万元整", "1800000"), ("壹佰捌拾万圆正", "1800000"), ("壹 佰 贰 拾 万 元 整", "1200000"),
])
def test_parse_upper(text: str, value: str) -> None:
    assert money.parse_upper(text) == Decimal(value)


@pytest.mark.parametrize("text", ["壹贰元", "", "元整", "万元", "项目负责人"])
def test_parse_upper_rejects(text: str) -> None:
    assert money.parse_upper(text) is None


@pytest.mark.parametrize("text,value", [("1,200,000.00", "1200000"), ("1.200.000.00", "1200000"),
                                        ("1 200 000", "1200000"), ("56000", "56000"), ("180.0", "180")])
def test_parse_figure(text: str, value: str) -> None:
    assert money.parse_figure(text) == Decimal(value)


def test_amount_in_wan_table() -> None:
    f = money.amount_facts("五、项目经费预算 单位：万元\n合 计 180.0 大写：壹佰捌拾万元整\n经费来源：企业自筹")
    assert f["agree"] is True and f["upper_value"] == 1_800_000


# ---------------------------------------------------------------- rules

def test_complete_contract_passes_and_facts() -> None:
    item = contract()
    assert run(item) == []
    f = item.facts
    assert f["kind"] == "技术开发(委托)合同"
    assert f["project_name"].startswith("高速精密数控转台")
    assert "宏达" in f["party_a"] and "恒锐" in f["party_b"]
    assert f["number"].upper() == "HRJD-JS-2022-018"
    assert f["amount_upper_value"] == 1_200_000 and f["amount_figure_value"] == 1_200_000
    assert f["role"] == "项目负责人" and f["applicant_listed"] is True
    assert (f["signed"], f["start"], f["end"]) == ("2022-04-15", "2022-04-15", "2024-04-14")
    assert list(f["seals"].values()) == [2]
    assert f["uscc"] == [{"code": "91330106MA2H0XK54A", "status": "valid"}]


@pytest.mark.parametrize("part,code", [("cover", "PRJ001"), ("amount", "PRJ002"), ("personnel", "PRJ003"),
                                       ("seal_page", "PRJ004")])
def test_missing_part(part: str, code: str) -> None:
    found = run_checker(project, [contract(drop=(part,))])
    hit = [f for f in found if f.code == code]
    assert hit, found
    assert (project.PART_NAMES[part] if part != "seal_page" else "缺少盖章页") in hit[0].message


def test_seal_page_without_seal() -> None:
    found = run_checker(project, [contract(seals=0)])
    assert [f.code for f in found if f.severity == "error"] == ["PRJ004"]
    assert "未发现红色印章" in next(f.message for f in found if f.code == "PRJ004")


def _seal_page_with(item: Item, seals: list[Seal], **content: object) -> Item:
    page = next(p for p in item.pages if "seal_page" in p.parts)
    page.content.seals = seals
    for k, v in content.items():
        setattr(page.content, k, v)
    return item


def test_square_name_seal_alone_is_not_proof_either_way() -> None:
    """A 法人名章 alone: the unit's seal was not found, but that is no sure error."""
    item = _seal_page_with(contract(), [Seal((0, 0, 60, 60), "square", 0.9)])
    found = run_checker(project, [item])
    assert "PRJ004" not in codes(found)
    assert any(f.code == "GEN012" and "法人名章" in f.message for f in found)


def test_oval_contract_seal_counts() -> None:
    assert "PRJ004" not in run(_seal_page_with(contract(), [Seal((0, 0, 90, 60), "ellipse", 0.8)]))


def test_red_mark_that_may_be_a_seal_is_no_error() -> None:
    """A seal-sized red mark the detector could not confirm (faint, cut off): GEN012, not PRJ004."""
    item = _seal_page_with(contract(), [], seal_like=1)
    found = run_checker(project, [item])
    assert "PRJ004" not in codes(found)
    assert any(f.code == "GEN012" and "红色印迹" in f.message for f in found)


def test_black_and_white_seal_page() -> None:
    found = run_checker(project, [_seal_page_with(contract(), [], gray=True, seal_like=1)])
    assert [f.code for f in found if f.severity == "error"] == ["PRJ004"]
    assert "黑白扫描" in next(f.message for f in found if f.code == "PRJ004")


def test_sealed_page_without_cues_is_the_seal_page() -> None:
    item = contract(drop=("seal_page",))
    item.pages[0].content.seals = [Seal((0, 0, 90, 90), "round", 0.9)]
    assert "PRJ004" not in run(item)


def test_seal_units_fact() -> None:
    item = _seal_page_with(contract(), [Seal((0, 0, 90, 90), "round", 0.9, text="浙江宏达精密机械股份有限公司",
                                             text_conf=97.0), Seal((100, 0, 190, 90), "round", 0.9)])
    run_checker(project, [item])
    assert item.facts["seal_units"] == ["浙江宏达精密机械股份有限公司", None]


def test_seal_page_recognised_by_cues() -> None:
    item = contract(drop=("seal_page",))
    item.pages.append(make_page("法定代表人（签字）：\n单位（盖章）\n签订日期：2022年4月15日", ["other"], "project",
                                number=5, seals=1))
    item.pages[-1].content.width = 1000
    assert "PRJ004" not in run(item)


def test_amount_mismatch() -> None:
    item = contract(amount=AMOUNT.replace("壹佰贰拾万元整", "壹佰贰拾伍万元整"))
    found = run_checker(project, [item])
    assert codes(found) == ["PRJ006"]
    assert "壹佰贰拾伍万元整" in found[0].message


def test_applicant_absent_from_list() -> None:
    assert errors(contract(), name="李明远") == ["PRJ003"]


def test_applicant_role_unreadable_is_info() -> None:
    """Others' rows say what they do, the applicant's row was not read whole: could not verify."""
    item = contract(personnel="主要参与人员名单\n序号 姓名 职称 分工\n1 周建华 工程师\n2 王立军 高级工程师 负责控制算法开发")
    assert run(item) == ["GEN012"]


def test_applicant_role_stops_at_the_next_member() -> None:
    """Unnumbered rows: the next member's work is not the applicant's."""
    listed, role, work = project.applicant_role("周建华 工程师\n王立军 高级工程师 负责控制算法开发", "周建华")
    assert listed and role is None and work is None
    listed, role, work = project.applicant_role("周建华 工程师 负责伺服驱动\n算法开发及样机联调", "周建华")
    assert listed and work and "负责伺服驱动" in work


def test_list_without_work_content() -> None:
    """Names and titles only: the 负责的项目工作内容 the notice asks for is missing (PRJ003)."""
    item = contract(personnel="主要参与人员名单\n序号 姓名 职称\n1 周建华 工程师\n2 王立军 高级工程师")
    found = run_checker(project, [item])
    assert codes(found) == ["PRJ003"] and "工作内容" in found[0].message


def test_dates_illogical() -> None:
    assert "PRJ005" in run(contract(cover=COVER.replace("至2024年4月14日", "至2022年1月14日")))
    # signed after the work was done
    assert "PRJ005" in run(contract(cover=COVER.replace("签订时间： 2022年4月15日", "签订时间： 2024年6月1日")))


def test_dates_window() -> None:
    """PRJ008: 业绩 after the cutoff, or ended before both 近五年 and 任现职 (notice 附件2 item 7)."""
    late = COVER.replace("签订时间： 2022年4月15日", "签订时间： 2026年9月1日").replace(
        "2022年4月15日至2024年4月14日", "2026年9月1日至2027年9月1日")
    assert run(contract(cover=late), title_date=date(2019, 12, 20)) == ["PRJ008"]
    old = COVER.replace("签订时间： 2022年4月15日", "签订时间： 2015年3月1日").replace(
        "2022年4月15日至2024年4月14日", "2015年3月1日至2016年3月1日")
    found = run_checker(project, [contract(cover=old)], title_date=date(2019, 12, 20))
    assert codes(found) == ["PRJ008"] and "2016-03-01" in found[0].message and found[0].severity == "error"
    # ended before 近五年 but after the current title: it counts
    assert run(contract(cover=old), title_date=date(2014, 6, 1)) == []
    # the current title's date unknown: could not verify, not an error
    found = run_checker(project, [contract(cover=old)], title_date=None)
    assert codes(found) == ["GEN012"] and "任现职时间未知" in found[0].message


def test_uscc_checksum() -> None:
    from stdnum.cn import uscc
    body = "91330106MA2H0XK54"
    good = body + uscc.calc_check_digit(body)
    bad = body + ("0" if good[-1] != "0" else "1")
    assert "PRJ007" not in run(contract(seal=SEAL.replace("91330106MA2H0XK54A", good)))
    assert run(contract(seal=SEAL.replace("91330106MA2H0XK54A", bad))) == ["PRJ007"]


def test_no_projects_no_findings() -> None:
    assert run_checker(project, []) == []


# ---------------------------------------------------------------- end to end

MINE = {"PRJ001", "PRJ002", "PRJ003", "PRJ004", "PRJ005", "PRJ006", "PRJ007", "PRJ008"}


def test_compliant_projects(checked) -> None:
    rep = checked("compliant")
    items = [i for i in rep["items"] if i["material"] == "project"]
    assert len(items) == 2
    bad = [f for f in rep["findings"] if f["code"] in MINE]
    assert bad == []
    for it in items:
        assert set(it["facts"]["parts"]) >= {"cover", "amount", "personnel", "seal_page"}
        assert sum(it["facts"]["seals"].values()) >= 1


@pytest.mark.parametrize("variant,code", [
    ("project-no-cover", "PRJ001"), ("project-no-amount", "PRJ002"), ("project-no-personnel", "PRJ003"),
    ("project-no-seal-page", "PRJ004"), ("project-amount-mismatch", "PRJ006"),
    ("project-gray-seal", "PRJ004"), ("project-applicant-absent", "PRJ003"), ("project-dates", "PRJ005"),
    ("project-window", "PRJ008"), ("project-no-work", "PRJ003"),
])
def test_variants(checked, variant: str, code: str) -> None:
    rep = checked(variant)
    assert code in {f["code"] for f in rep["findings"] if f["material"] == "project"}


def test_unread_names_in_list_is_info_not_error() -> None:
    # OCR dropped the name cells of the ruled table: cannot say the applicant is absent
    item = contract(personnel="八、乙方项目主要参与人员名单：\n项目负责人，负责总体方案设计\n"
                              "技术顾问，负责关键技术路线把关\n2 EME 高级工程师 负责电气控制系统设计")
    assert run(item) == ["GEN012"]
    assert item.facts["list_rows"] == [0, 3]


def test_money_format_figure_with_ocr_junk() -> None:
    f = money.amount_facts("项目总经费小写：1,800,000.007t\n项目总经费大写：壹佰伍拾万元整\n其中2023年度安排100.0万元")
    assert f["agree"] is False and f["figure_value"] == 1_800_000
