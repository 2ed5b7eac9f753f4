"""Page recognition and grouping on text (pure logic; OCR-like spacing included)."""

from __future__ import annotations

import pytest

from zjcheck.model import Document, Page, PageText, SourceFile
from zjcheck.recognise import classify_document, group, name_hint
from zjcheck.materials import recognition


def doc(rel: str, *texts: str) -> Document:
    d = Document(SourceFile(rel=rel, kind="pdf", mime="application/pdf", size=1, sha256=rel))
    d.pages = [Page(d, n, PageText(t, "ocr")) for n, t in enumerate(texts, 1)]
    classify_document(d)
    return d


CASES = [
    ("x/1.jpg", "发 明 专 利 证 书\n证书号第5678901号\n发明名称：一种数控机床主轴热变形补偿装置\n发明人：周建华；李明\n"
                "专利号：ZL 2022 1 0345678.1\n专利申请日：2022年03月15日\n专利权人：浙江恒锐机电科技有限公司\n"
                "授权公告日：2023年05月12日\n局长 申长雨\n国家知识产权局", "patent", "certificate"),
    ("x/2.jpg", "专利申请受理通知书\n申请号或专利号：202210345678.1\n申请日：2022年03月15日\n"
                "国家知识产权局专利局初审及流程管理部", "patent", "application"),
    ("x/3.jpg", "T/ZZB 1234—2023\n浙江制造团体标准\n数控卧式车床\nICS 25.080.10\nCCS J 53\n"
                "2023-06-30 发布    2023-07-31 实施\n浙江省品牌建设联合会 发布", "standard", "cover"),
    ("x/4.jpg", "前 言\n本文件按照GB/T 1.1—2020《标准化工作导则》的规定起草。\n本文件起草单位：浙江恒锐机电科技有限公司\n"
                "本文件主要起草人：周建华、李明、王芳", "standard", "foreword"),
    ("x/5.jpg", "浙江省工业和信息化领域专业技术人员继续教育学时登记卡\n年度：2024\n姓名：周建华\n公需科目 30 学时\n"
                "专业科目 64 学时\n合计 94 学时", "cont_edu", "card"),
    ("x/6.jpg", "教育部学历证书电子注册备案表\n姓名 周建华 性别 男\n学校名称 浙江工业大学\n毕业证书编号 103371200705001234\n"
                "在线验证码 A1B2C3D4E5F6G7H8\n更新日期 2026年07月01日", "education", "xueli_record"),
    ("x/7.jpg", "技术开发合同\n项目名称：高速冲压线智能控制系统开发\n委托方（甲方）：宁波某某汽车部件有限公司\n"
                "受托方（乙方）：浙江恒锐机电科技有限公司\n合同编号：HR-JS-2023-018\n签订地点：杭州", "project", "cover"),
    ("x/8.jpg", "2023年度事业单位工作人员年度考核登记表\n姓名 周建华 单位 浙江恒锐机电科技有限公司\n个人总结 ……\n"
                "考核等次 合格\n单位意见", "assessment", "form"),
    ("x/9.jpg", "机电工程\nJOURNAL OF MECHANICAL & ELECTRICAL ENGINEERING\n2024年第5期 第41卷\n主管：浙江省科学技术协会\n"
                "主办：浙江大学\nISSN 1001-4551\nCN 33-1088/TH\n邮发代号 32-68", "paper", "cover"),
    ("x/a.jpg", "摘要：针对数控机床主轴热变形问题，提出一种补偿方法。\n关键词：数控机床；热变形；补偿\n中图分类号：TH161\n"
                "文献标志码：A\n文章编号：1001-4551(2024)05-0612-06", "paper", "body"),
    ("x/b.png", "中国知网 CNKI\n检索 主题：数控机床主轴热变形\n数控机床主轴热变形补偿方法研究 周建华;李明 机电工程 2024-05-20 期刊\n"
                "被引 3 下载 120", "paper", "cnki"),
    ("x/c.png", "国家新闻出版署\n期刊/期刊社查询\n刊名：机电工程\n国内统一连续出版物号：33-1088/TH\n主管单位：浙江省科学技术协会\n"
                "主办单位：浙江大学\n出版地：浙江省", "paper", "nppa_lookup"),
    ("x/d.jpg", "图书在版编目（CIP）数据\n智能制造装备设计 / 周建华等编著. —北京：机械工业出版社，2023.6\n"
                "ISBN 978-7-111-72345-6\n中国版本图书馆CIP数据核字（2023）第123456号\n开本 787mm×1092mm 1/16 印张 18 定价 79.00元",
     "book", "copyright"),
    ("x/e.jpg", "浙江省社会保险参保缴费证明（个人）\n姓名 周建华 身份证号码 330106198503124517\n单位名称 浙江恒锐机电科技有限公司\n"
                "险种 基本养老保险 缴费基数 8000 已缴费\n累计缴费月数 37", "pension", "proof"),
]


@pytest.mark.parametrize("rel,text,material,part", CASES, ids=[c[2] + "-" + c[3] for c in CASES])
def test_page_recognised(rel: str, text: str, material: str, part: str) -> None:
    page = doc(rel, text).pages[0]
    assert (page.material, page.parts[0]) == (material, part)


def test_unrelated_page_is_other() -> None:
    page = doc("x/menu.jpg", "红烧肉 58元\n清蒸鲈鱼 88元\n谢谢惠顾").pages[0]
    assert page.material == "other" and page.parts == []


def test_path_hints_alone_never_decide() -> None:
    page = doc("08-专利/专利1.jpg", "模糊不清").pages[0]
    assert page.material == "other"


def test_continuation_page_joins_previous_part() -> None:
    d = doc("论文1/正文.pdf", CASES[9][1], "1 引言\n数控机床在加工过程中主轴温升导致热变形，影响加工精度。")
    assert [(p.material, p.parts[0]) for p in d.pages] == [("paper", "body"), ("paper", "body")]


def test_name_hints() -> None:
    mats = recognition().materials
    assert name_hint("06-论文/论文1/封面.jpg", mats["paper"]) == "1"
    assert name_hint("06-论文/论文二.pdf", mats["paper"]) == "2"
    assert name_hint("10-项目/项目2/p1.jpg", mats["project"]) == "2"
    assert name_hint("06-论文/知网.png", mats["paper"]) is None


def test_grouping_one_paper_over_many_files_and_two_patents_in_one_pdf() -> None:
    paper = [doc(f"06-论文/论文1/{name}", text) for name, text in
             [("封面.jpg", CASES[8][1]), ("正文.pdf", CASES[9][1]), ("知网.png", CASES[10][1]),
              ("期刊查询.png", CASES[11][1])]]
    paper2 = [doc("06-论文/论文2.pdf", CASES[8][1], CASES[9][1], CASES[10][1])]
    patents = [doc("08-专利/全部专利.pdf", CASES[0][1],
                   CASES[0][1].replace("ZL 2022 1 0345678.1", "ZL 2021 2 0123456.7"))]
    pages = [p for d in paper + paper2 + patents for p in d.pages]
    items = group(pages)
    got = {it.id: sorted((p.doc.rel, p.number) for p in it.pages) for it in items}
    assert got["paper-1"] == sorted([("06-论文/论文1/封面.jpg", 1), ("06-论文/论文1/正文.pdf", 1),
                                     ("06-论文/论文1/知网.png", 1), ("06-论文/论文1/期刊查询.png", 1)])
    assert got["paper-2"] == [("06-论文/论文2.pdf", 1), ("06-论文/论文2.pdf", 2), ("06-论文/论文2.pdf", 3)]
    assert got["patent-1"] == [("08-专利/全部专利.pdf", 1)]
    assert got["patent-2"] == [("08-专利/全部专利.pdf", 2)]


def test_grouping_cards_by_year() -> None:
    cards = [doc(f"05-继续教育/{y}.png", CASES[4][1].replace("2024", str(y))) for y in (2024, 2025, 2026)]
    items = group([p for d in cards for p in d.pages])
    assert [it.id for it in items] == ["cont_edu-1", "cont_edu-2", "cont_edu-3"]


def test_page_follows_its_file_when_nearly_tied() -> None:
    """The signature page of a 劳动合同 also looks like a contract's 盖章页;
    in a file that is otherwise a labour contract it stays one."""
    d = doc("04-工作经历/劳动合同.pdf",
            "劳动合同书\n甲方（用人单位）：浙江恒锐机电科技有限公司\n乙方（劳动者）：周建华\n合同期限：无固定期限",
            "第五条 劳动报酬\n用人单位按月支付劳动者工资，依法参加社会保险。试用期为三个月。",
            "第三十一条 本合同一式两份，经甲乙双方签字（盖章）后生效。\n甲方（盖章）\n法定代表人（主要负责人）\n"
            "乙方（签字）\n签订日期：2018年12月26日\n劳动合同续订、变更记录")
    assert [p.material for p in d.pages] == ["employment"] * 3


def test_items_numbered_in_natural_order() -> None:
    """论文二 before 论文三 (Unicode order puts 三 first), 论文9 before 论文10."""
    from zjcheck.recognise import natural_key
    paths = ["论文三/a.pdf", "论文10/x.pdf", "论文二/a.pdf", "论文9/x.pdf", "论文一/a.pdf"]
    assert sorted(paths, key=natural_key) == ["论文一/a.pdf", "论文二/a.pdf", "论文三/a.pdf", "论文9/x.pdf",
                                                "论文10/x.pdf"]
