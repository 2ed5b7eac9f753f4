"""项目（合同、立项书）: PRJ001–PRJ007, the 大写 parser and the end-to-end variants."""

from __future__ import annotations

from decimal import Decimal

from datetime import date

import pytest

from checks import project
from zjcheck.extract import money
from tests.conftest import reported
from tests.util import codes, make_page, run_checker
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
    # one photo a page, as applicants upload a 立项书 (distinct files: pages of different documents)
    ps = [make_page(t, parts, "project", rel=f"10-项目/项目1/IMG_{n}.jpg") for n, (t, parts) in enumerate(pages, 1)]
    item = Item("project-1", "project", ps)
    for p in item.pages:
        p.item_id = item.id
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


def _check(items: list[Item], *extra: object, **profile: object) -> list:
    """facts() and check() with `extra` pages elsewhere in the package (other folders, other materials)."""
    from tests.util import make_context
    from zjcheck.pipeline import set_facts
    ctx = make_context(items, **profile)
    ctx.documents.extend(p.doc for p in extra)  # type: ignore[attr-defined]
    for it in items:
        set_facts(it, project.facts(it, ctx))
    return list(project.check(items, ctx))


def test_missing_part_with_a_candidate_page_is_info() -> None:
    """The amount page is missing from the item, but an unrecognised page in
    the item's own folder could be it: could not verify (evidence.could_be_part)."""
    item = contract(drop=("amount",))
    stray = make_page("（模糊，无法识别）", [], "other", rel="10-项目/项目1/IMG_9.jpg")
    found = _check([item], stray)
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ002"
    assert "IMG_9.jpg" in found[0].message


def test_missing_part_shown_on_a_page_given_to_another_material_is_info() -> None:
    """The member table in the project's folder was recognised as another
    material: it may well be the missing part."""
    item = contract(drop=("personnel",))
    table = make_page(PERSONNEL, ["certificate"], "honor", rel="10-项目/项目1/IMG_5.jpg")
    found = _check([item], table)
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ003" and "IMG_5.jpg" in found[0].message
    # in another material's folder it is not this project's
    table = make_page(PERSONNEL, ["certificate"], "honor", rel="11-荣誉/证书.jpg")
    assert codes(_check([contract(drop=("personnel",))], table)) == ["PRJ003"]


def test_missing_part_of_an_unsure_item_is_info() -> None:
    """A red-sealed signature page alone (an assessment form, a 社保 page) is
    no sure project: nothing is 'missing' from it for sure."""
    page = make_page("单位（盖章）\n负责人（签字）：\n2024年1月8日", ["seal_page"], "project",
                     rel="12-年度考核/2024.jpg", seals=1)
    page.score = 5.0
    item = Item("project-1", "project", [page])
    found = _check([item])
    assert {f.code for f in found} == {"GEN012"}
    assert {f.data.get("would_be") for f in found} >= {"PRJ001", "PRJ002", "PRJ003"}


def test_missing_parts_of_a_split_project_are_info() -> None:
    """Cover and amount in one folder, members and seals in another: two
    fragments of one project, not two projects missing half their parts."""
    a = contract(drop=("personnel", "seal_page"))
    b = contract(drop=("cover", "amount"))
    b.id = "project-2"
    for p in b.pages:
        p.doc.file.rel = p.doc.file.rel.replace("项目1", "项目1-附件")
    found = _check([a, b])
    assert not [f for f in found if f.severity == "error"], found
    assert {f.data.get("would_be") for f in found if f.code == "GEN012"} >= {"PRJ001", "PRJ002", "PRJ003", "PRJ004"}


def test_parts_shown_on_other_pages_are_not_missing() -> None:
    """Recognition missed the member table and the amount page, but the item's
    pages show a 大写 amount and a member table: nothing is missing."""
    item = contract(cover=COVER + "\n" + AMOUNT, drop=("amount", "personnel"))
    extra = make_page(PERSONNEL.replace("八、乙方项目主要参与人员名单：", "附件"), ["other"], "project",
                      rel="10-项目/项目1/IMG_7.jpg")
    extra.item_id = item.id
    item.pages.insert(1, extra)
    found = run_checker(project, [item])
    assert not {"PRJ002", "PRJ003"} & set(codes(found)), found


def test_member_list_continued_on_the_next_page() -> None:
    """A long 成员表 goes on over a second page without its heading: the
    applicant in its rows is in the list."""
    first = ("七、项目组主要成员\n序号 姓名 职称 部门/职务 项目分工\n1 王立军 高级工程师 研发部 项目负责人，总体方案\n"
             "2 陈晓燕 工程师 研发部 图像处理算法与软件开发")
    second = "3 何俊峰 助理工程师 研发部 上下料机构设计\n4 周建华 工程师 研发部 视觉检测算法开发与现场验证"
    item = contract(personnel=first)
    nxt = make_page(second, ["other"], "project", rel="10-项目/项目1/IMG_3b.jpg")
    nxt.item_id = item.id
    item.pages.insert(3, nxt)
    found = run_checker(project, [item])
    assert "PRJ003" not in codes(found) and item.facts["applicant_listed"] is True
    assert item.facts["work"] and "视觉检测" in item.facts["work"]


def test_applicant_on_an_unrecognised_page_nearby_is_info() -> None:
    """Not in the list read, but an unrecognised photo in the same folder
    names the applicant: the list may go on there."""
    item = contract(personnel=PERSONNEL.replace("周建华", "李明远"))
    stray = make_page("5 周建华 工 程 师 负 责 视 觉 检 测", [], "other", rel="10-项目/项目1/IMG_8.jpg")
    found = _check([item], stray)
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ003"


def test_leader_named_apart_from_the_member_table() -> None:
    """Forms that give the 项目负责人 on the cover and list the other members in
    the table: the applicant leads the project, nothing is missing."""
    cover = COVER + "\n项目负责人： 周建华"
    item = contract(cover=cover, personnel=PERSONNEL.replace("周建华", "李明远"))
    assert errors(item) == [] and item.facts["role"] == "项目负责人"
    # the cover's leader is someone else: the applicant is in neither place
    item = contract(cover=COVER + "\n项目负责人： 李明远", personnel=PERSONNEL.replace("周建华", "李明远"))
    assert errors(item) == ["PRJ003"]


def test_applicant_absent_from_a_poorly_read_list_is_info() -> None:
    item = contract()
    for ln in item.pages[2].content.lines:
        ln.conf = 70.0
    found = run_checker(project, [item], name="李明远")
    assert codes(found) == ["GEN012"] and "主要参与人员名单识别可信度低" in found[0].message


def test_applicant_one_character_off_is_info() -> None:
    """周建华 read as 周建毕: as likely a misreading as another person."""
    item = contract(personnel=PERSONNEL.replace("周建华", "周建毕"))
    found = run_checker(project, [item])
    assert codes(found) == ["GEN012"] and "周建毕" in found[0].message


def test_wrapped_table_rows_are_one_member() -> None:
    """OCR visual rows of a table whose cells wrap: the name sits on the
    second visual row of its row; the first holds the wrapped cells' first
    lines.  The list is read whole (no unread row), so an absent applicant is
    PRJ003, not 'could not verify'."""
    rows = ["五、项目组主要成员表", "序号 姓名 性别 出生年月 职称 工作单位 项目分工 签字",
            "正高级工程 温州瓯越电气设备股份 项目负责人，总体技术方案与项 本程车",
            "金建平 男 1972.05 师 有限公司 目管理",
            "2 叶丽萍 女 1986.09 高级工程师 温州瓯越电气设备股份 有限公司 灭弧室结构仿真与优化 叶丽苹",
            "3 潘国华 男 1983.02 工程师 温州瓯越电气设备股份 有限公司 智能控制器硬件设计 潘国华"]
    names, _at, unread = project._rows(rows)
    assert names == ["金建平", "叶丽萍", "潘国华"] and unread == 0
    assert errors(contract(personnel="\n".join(rows)), name="王丽娟") == ["PRJ003"]
    # a row number beyond the names read: a row was lost
    assert project._rows(rows + ["5 男 1990.11 工程师 在线监测软件开发"])[2] >= 1


def test_ocr_spaced_names_in_member_rows() -> None:
    """Tesseract spaces the characters of a name (李 明 远, 王立 军); the
    gender cell beside a name is no part of it."""
    rows = ["序号 姓名 职称 部门/职务 项目分工", "1  李 明 远  工程 师  研发 部 副 经 理  项 目 负责 人 ， 总 体 方案",
            "2  王立 军  高 级 工程 师  研发 部  图 像 处 理 算法 开发", "3 何 俊 峰 助理 工程 师 研发 部 上下料机构设计",
            "4 陈思远 男 工程师/工艺主管 负责样机装调"]
    assert project._rows(rows)[0] == ["李明远", "王立军", "何俊峰", "陈思远"]
    assert project._rows(rows)[2] == 0


def test_prose_and_clauses_are_no_member_rows() -> None:
    """Numbered clauses, payment options (① …), 3月 in a schedule and wrapped
    sentences are not rows of a member list."""
    lines = ["3月，完成硬件选型、机构设计与算法开发；2024年4月—2024年9月", "①一次总付 贰佰伍拾 万 元，时间：2020 年 10 月 2 日",
             "　　甲方提供试验机床、加工工件及现场试验条件；乙方负责对甲方技术人员进行补",
             "1. 温度测点不少于12个，测温分辨率0.1 ℃；", "项目负责人（签字）： 金建平"]
    assert project._rows(lines) == ([], [], 0)


def test_illogical_dates_read_poorly_are_info() -> None:
    item = contract(cover=COVER.replace("至2024年4月14日", "至2022年1月14日"))
    for ln in item.pages[0].content.lines:
        ln.conf = 60.0
    found = run_checker(project, [item])
    assert "PRJ005" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "PRJ005" for f in found)


def test_amount_mismatch_read_poorly_is_info() -> None:
    item = contract(amount=AMOUNT.replace("壹佰贰拾万元整", "壹佰贰拾伍万元整"))
    for ln in item.pages[1].content.lines:
        ln.conf = 65.0
    found = run_checker(project, [item])
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ006"


def test_seal_on_another_page_counts() -> None:
    """The 盖章页 shows no seal, but the cover is stamped: the item is sealed."""
    item = contract(seals=0)
    item.pages[0].content.seals = make_page("", [], "project", seals=1).content.seals
    assert "PRJ004" not in run(item)


def test_no_seal_with_red_marks_is_info() -> None:
    """Red marks that are no seal shape may be a faint or cut-off seal."""
    item = contract(seals=0)
    item.pages[-1].content.red_marks = 2
    found = run_checker(project, [item])
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ004"


def test_cover_parties_below_their_labels() -> None:
    """北京 standard form: 委托方：/（甲方） 北京… on the line below; public bodies as parties."""
    cover = ("技术开发合同\n项目名称：山东省企业就业失业数据采集系统\n委托人：\n（甲方） 山东省商业部\n研究开发人\n"
             "（乙方） 北京摸鱼科技有限公司\n签订日期： 2020 年 2 月 29 日\n有效期限： 2020 年 3 月 1 日至年 10 月 1 日")
    item = contract(cover=cover)
    run(item)
    f = item.facts
    assert (f["party_a"], f["party_b"]) == ("山东省商业部", "北京摸鱼科技有限公司")
    assert f["signed"] == "2020-02-29" and f["number"] is None


def test_task_book_period_in_months() -> None:
    """项目起止年限：2023年1月至2025年12月: the end is the month's last day."""
    item = contract(cover="浙江省重点研发计划项目任务书\n项目编号：2023C01062\n项目名称：智能中压真空断路器\n"
                          "项目承担单位：温州瓯越电气设备股份有限公司\n项目起止年限：2023年1月至2025年12月")
    run(item)
    assert (item.facts["start"], item.facts["end"]) == ("2023-01-01", "2025-12-31")
    assert item.facts["number"] == "2023c01062" and item.facts["party_b"] == "温州瓯越电气设备股份有限公司"


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
    item = contract(amount=AMOUNT.replace("壹佰贰拾万元整", "壹佰叁拾伍万元整"))
    found = run_checker(project, [item])
    assert codes(found) == ["PRJ006"]
    assert "壹佰叁拾伍万元整" in found[0].message


def test_amount_mismatch_one_misread_digit_apart() -> None:
    """OCR read 大写 and figure once each and one misread digit would explain
    the difference (¥1,250,000 vs 1,200,000): could not verify.  Written
    twice the same, or on a text layer, the difference is the document's."""
    once = AMOUNT.replace("壹佰贰拾万元整", "壹佰贰拾伍万元整")
    found = run_checker(project, [contract(amount=once)])
    assert codes(found) == ["GEN012"] and found[0].data["would_be"] == "PRJ006"
    twice = once + "\n合同总金额（大写）：壹佰贰拾伍万元整"
    assert codes(run_checker(project, [contract(amount=twice)])) == ["PRJ006"]
    item = contract(amount=once)
    item.pages[1].content.source = "pdf-text"
    assert codes(run_checker(project, [item])) == ["PRJ006"]
    assert project.misread_apart(1_500_000, 1_800_000) and project.misread_apart(120_000, 1_200_000)
    assert not project.misread_apart(1_350_000, 1_200_000)


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
    # OCR'd once: a wrong check digit is more likely a misreading (could not verify) ...
    assert run(contract(seal=SEAL.replace("91330106MA2H0XK54A", bad))) == ["GEN012"]
    # ... read the same twice, or from a text layer, it is the document's (PRJ007)
    twice = SEAL.replace("91330106MA2H0XK54A", bad)
    assert run(contract(seal=twice, cover=COVER + "\n统一社会信用代码：" + bad)) == ["PRJ007"]
    item = contract(seal=twice)
    item.pages[-1].content.source = "pdf-text"
    assert run(item) == ["PRJ007"]


@pytest.mark.parametrize("rel,text", [
    ("12-年度考核/2024.jpg", "2024年度考核登记表\n单位（盖章）：浙江恒锐机电科技有限公司\n姓名 周建华 性别 男\n"
                           "主管领导评语和考核等次建议 主管领导签名：王立军\n单位考核意见 同意\n本人签名：周建华"),
    ("03-养老保险/证明-2.jpg", "序号 费款所属期 险种 缴费基数 单位缴费 个人缴费 缴费单位\n1 202509 企业职工基本养老保险 14200.00\n"
                             "经办机构（盖章）\n负责人签字"),
    ("04-工作经历/劳动合同-3.jpg", "甲方（盖章）\n乙方（签字）：周建华\n法定代表人或委托代理人（签字或盖章）：沈国强\n"
                                 "签订日期：2018年12月26日\n劳动合同续订、变更记录"),
])
def test_seal_and_table_pages_of_other_records_are_no_project(rel: str, text: str) -> None:
    """A 年度考核登记表, a 社保 page and a 劳动合同's last page carry seals,
    signatures and tables like a contract's: not project pages, nor a
    project part within the could_be_part margin (materials.toml negatives)."""
    from zjcheck.evidence import policy
    from zjcheck.model import Document, Page, PageText, SourceFile
    from zjcheck.recognise import classify_document
    d = Document(SourceFile(rel=rel, kind="image", mime="image/jpeg", size=1, sha256=rel))
    d.pages = [Page(d, 1, PageText(text, "ocr", seals=make_page("", [], "x", seals=1).content.seals))]
    classify_document(d)
    page = d.pages[0]
    assert page.material != "project"
    alt = page.alternatives.get("project")
    assert alt is None or page.score - alt[0] > policy()["part_margin"] or page.material == "other"


def test_pages_photographed_as_task_book_1_to_4_are_one_item() -> None:
    """任务书1.jpg … 任务书4.jpg number the pages of one 任务书, not four projects
    (项目1, 项目二, project3 still number items)."""
    from zjcheck.model import Document, Page, PageText, SourceFile
    from zjcheck.recognise import classify_document, group
    texts = [COVER.replace("技 术 开 发 （委托） 合 同", "浙江省重点研发计划项目任务书"), AMOUNT, PERSONNEL, SEAL]
    docs = []
    for n, t in enumerate(texts, 1):
        d = Document(SourceFile(rel=f"九、项目业绩/断路器项目/任务书{n}.jpg", kind="image", mime="image/jpeg", size=1,
                                sha256=str(n)))
        d.pages = [Page(d, 1, PageText(t, "ocr"))]
        classify_document(d)
        docs.append(d)
    items = group([p for d in docs for p in d.pages])
    assert [i.id for i in items] == ["project-1"] and len(items[0].pages) == 4


def test_fragments_by_main_part_are_info() -> None:
    """Four one-page items, each mainly one part (secondary parts overlap: a
    cover naming the 项目负责人 also scores as a member page): fragments of
    one project, no missing-part error; a member table with a 签字 column is
    no seal page without a seal."""
    pages = [(COVER, ["cover", "personnel"]), (AMOUNT, ["amount"]), (PERSONNEL + "\n签字", ["personnel", "seal_page"]),
             (SEAL, ["seal_page", "cover"])]
    items = []
    for n, (t, parts) in enumerate(pages, 1):
        pg = make_page(t, parts, "project", rel=f"10-项目/IMG_{n}.jpg", seals=2 if n == 4 else 0)
        pg.content.width = 1000
        items.append(Item(f"project-{n}", "project", [pg]))
        pg.item_id = items[-1].id
    found = run_checker(project, items)
    assert not [f for f in found if f.severity == "error"], [f.message for f in found if f.severity == "error"]


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


@pytest.mark.parametrize("package,expect", [
    ("compliant-b", {"project-1": ("数控机床主轴热误差实时补偿系统开发", 860_000, "text-layer"),
                     "project-2": ("汽车转向节自动化生产线工艺优化技术服务", 380_000, "ocr")}),
    ("compliant-c", {"project-1": ("智能中压真空断路器关键技术研发及产业化", 2_000_000, "ocr")}),
])
def test_template_families(checked, package: str, expect: dict) -> None:
    """北京 standard-form text-layer contract + 技术服务合同 scan (compliant-b); 浙江省重点研发计划项目任务书
    photos (compliant-c): no project finding, every part found, sealed; the text layer read exactly
    (the applicant in the member list with a role), the photos and scans as well as the engine reads."""
    from tests.conftest import check_package
    rep = checked(package)
    assert not [f for f in rep["findings"] if f["code"] in MINE]
    result = check_package(package)[0]
    items = {i.id: i for i in result.items if i.material == "project"}
    assert set(items) == set(expect)
    from rapidfuzz import fuzz
    for iid, (name, amount, source) in expect.items():
        it = items[iid]
        f = it.facts
        assert set(f["parts"]) >= {"cover", "amount", "personnel", "seal_page"}
        assert sum(f["seals"].values()) >= 2
        assert it.fact("project_name").source == source
        if source == "text-layer":          # read exactly, on any engine
            assert f["project_name"] == name and f["amount_upper_value"] == amount
            assert f["applicant_listed"] is True
            assert it.fact("members").strong and (f["role"] or f["work"])
            assert f["start"] and f["end"] and f["start"] < f["end"]
        else:                               # OCR: a misread character may remain (Tesseract: 真空 -> 趴空);
            assert fuzz.ratio(f["project_name"], name) >= 85    # an unread name is GEN012, never PRJ003 (above)
            assert f["amount_upper_value"] in (amount, None)


@pytest.mark.parametrize("variant,code", [
    ("project-no-cover", "PRJ001"), ("project-no-amount", "PRJ002"), ("project-no-personnel", "PRJ003"),
    ("project-no-seal-page", "PRJ004"), ("project-amount-mismatch", "PRJ006"),
    ("project-gray-seal", "PRJ004"), ("project-applicant-absent", "PRJ003"), ("project-dates", "PRJ005"),
    ("project-window", "PRJ008"), ("project-no-work", "PRJ003"),
])
def test_variants(checked, variant: str, code: str) -> None:
    rep = checked(variant)
    assert [f for f in reported(rep, code) if f["material"] == "project"]


def test_unread_names_in_list_is_info_not_error() -> None:
    # OCR dropped the name cells of the ruled table: cannot say the applicant is absent
    item = contract(personnel="八、乙方项目主要参与人员名单：\n项目负责人，负责总体方案设计\n"
                              "技术顾问，负责关键技术路线把关\n2 EME 高级工程师 负责电气控制系统设计")
    assert run(item) == ["GEN012"]
    assert item.facts["list_rows"] == [0, 3]


def test_money_format_figure_with_ocr_junk() -> None:
    f = money.amount_facts("项目总经费小写：1,800,000.007t\n项目总经费大写：壹佰伍拾万元整\n其中2023年度安排100.0万元")
    assert f["agree"] is False and f["figure_value"] == 1_800_000
