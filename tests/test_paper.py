"""论文 checker (PAP001–PAP010): pure logic on text, then the rendered packages."""

from __future__ import annotations

import pytest

from tests.conftest import reported
from tests.util import codes, make_item, run_checker
from zjcheck_checks import paper as mod

TITLE = "基于改进PID算法的伺服进给系统动态特性优化研究"


def cover(issn: str = "1001-4551", cn: str = "33-1088/TH", year: int = 2024, issue: int = 5, month: int = 5,
          freq: str = "月刊") -> str:
    return (f"ISSN {issn}\nCN {cn}\n机电工程\nJIDIAN GONGCHENG\n{year}年 第41卷 第{issue}期\n"
            f"Vol.41 No.{issue}\n{freq}　{year}年{month}月出版\n中文核心期刊\n主办：浙江省机电集团有限公司")


def toc(title: str = TITLE, authors: str = "周建华，王立军，陈晓燕") -> str:
    return (f"机电工程\n第41卷 第5期（总第309期）　2024年5月\n目　　次\n【机械工程】\n"
            f"基于深度学习的永磁同步电机控制策略研究\n（764）\n马晓东，高海燕\n{title}\n（812）\n{authors}\n"
            "考虑摩擦的精密减速器参数辨识\n（801）\n许晓东，梁建国\n期刊基本参数：CN 33-1088/TH*1981*m*A4")


def body(title: str = TITLE, authors: str = "周建华¹，王立军¹，陈晓燕²") -> str:
    return (f"第41卷第5期\n机电工程\nVol.41 No.5\n2024年5月\nJournal of Mechanical & Electrical Engineering\n"
            f"May. 2024\nDOI：10.3969/j.issn.1001-4551.2024.05.036\n{title}\n{authors}\n"
            "（1. 浙江恒锐机电科技有限公司，浙江 杭州 311121）\n摘要：\n针对数控机床伺服进给系统在高速换向时存在的问题\n"
            "关键词：\n伺服进给系统；模糊PID\n中图分类号：TH39　文献标志码：A\n收稿日期：2023-12-18")


def nppa(cn: str = "33-1088/TH", issn: str = "1001-4551", freq: str = "月刊") -> str:
    return ("期刊/期刊社查询 - 国家新闻出版署\n国家新闻出版署\n期刊/期刊社查询\n刊名\n机电工程\nCN\nISSN\n查询\n"
            f"序号\n刊名\n主管单位\n主办单位\n出版地\nCN\nISSN\n刊期\n1\n机电工程\n浙江省机电集团有限公司\n"
            f"浙江省杭州市\n{cn}\n{issn}\n{freq}\n共1条记录\n15:21\n2026/7/20")


def cnki(title: str = TITLE, authors: str = "周建华; 王立军; 陈晓燕", published: str = "2024-05-20") -> str:
    return (f"检索-中国知网\n中国知网\n篇名 ▼\n{title}\n检索\n共找到 1 条结果　　检索范围：学术期刊　篇名：{title}\n"
            f"题名\n作者\n来源\n发表时间\n数据库\n1\n{title}\n{authors}\n机电工程\n{published}\n期刊\n3\n215\n"
            "15:26\n2026/7/20")


def journal_item(**over: str) -> list[tuple[str, list[str]]]:
    parts = {"cover": cover(), "toc": toc(), "body": body(), "nppa_lookup": nppa(), "cnki": cnki()}
    parts.update(over)
    return [(text, [part]) for part, text in parts.items() if text is not None]


def run(pages: list[tuple[str, list[str]]], **profile):
    item = make_item("paper", pages)
    found = run_checker(mod, [item], **profile)
    return item, found


def test_complete_journal_paper_passes_and_facts():
    item, found = run(journal_item())
    assert [f for f in found if f.severity != "info"] == []
    f = item.facts
    assert f["kind"] == "journal"
    assert f["cn"] == "33-1088/TH" and f["issn"] == "1001-4551"
    assert f["authors"] == ["周建华", "王立军", "陈晓燕"] and f["author_position"] == 1
    assert f["date"] == "2024-05-20" and f["issue"] == 5 and f["year"] == 2024
    assert f["title"] == TITLE
    assert set(f["parts"]) == {"cover", "toc", "body", "nppa_lookup", "cnki"}


@pytest.mark.parametrize("part,code,word", [
    ("cover", "PAP001", "期刊封面"), ("toc", "PAP002", "期刊目录"), ("body", "PAP003", "论文正文"),
    ("nppa_lookup", "PAP004", "国家新闻出版署期刊查询证明"), ("cnki", "PAP005", "中国知网或万方数据检索截图")])
def test_missing_part_is_named(part, code, word):
    pages = [(t, p) for t, p in journal_item() if p != [part]]
    _, found = run(pages)
    hits = [f for f in found if f.code == code]
    assert len(hits) == 1
    assert hits[0].message.startswith("论文-1") and f"缺少{word}" in hits[0].message


def test_conference_paper_needs_invitation_and_report_not_journal_parts():
    proc = "第十八届全国先进制造技术学术年会论文集\n中国机械工程学会 编\n2025年10月\nISBN 978-7-308-25117-4\n浙江大学出版社"
    pages = [(proc, ["proceedings"]), (toc(), ["toc"]), (body(), ["body"]), (cnki(published="2025-10-20"), ["cnki"]),
             ("会议报告\n报告人：周建华", ["report"])]
    item, found = run(pages)
    assert item.facts["kind"] == "conference"
    c = codes(found)
    assert "PAP006" in c and "PAP001" not in c and "PAP004" not in c
    msg = next(f.message for f in found if f.code == "PAP006")
    assert "会议邀请函" in msg and "报告" not in msg.split("缺少")[1]
    # with the invitation, nothing is missing; the ISBN is valid
    item, found = run(pages + [("邀请函\n诚挚邀请您参加会议", ["invitation"])])
    assert "PAP006" not in codes(found) and "PAP009" not in codes(found)


def test_conference_proceedings_isbn_check_digit():
    proc = "学术年会论文集\nISBN 978-7-308-25117-3\n2025年10月"
    _, found = run([(proc, ["proceedings"]), (body(), ["body"]), (cnki(published="2025-10-20"), ["cnki"]),
                    ("邀请函", ["invitation"]), ("会议报告", ["report"])])
    assert "PAP009" in codes(found)
    assert any("ISBN" in f.message for f in found if f.code == "PAP009")


def test_applicant_not_author():
    others = "李晓东，王立军，陈晓燕"
    _, found = run(journal_item(body=body(authors=others), cnki=cnki(authors="李晓东; 王立军; 陈晓燕")))
    assert "PAP007" in codes(found)
    assert "周建华" in next(f.message for f in found if f.code == "PAP007")


def test_author_position_second():
    item, found = run(journal_item(body=body(authors="王立军¹，周建华¹，陈晓燕²"),
                                   cnki=cnki(authors="王立军; 周建华; 陈晓燕")))
    assert "PAP007" not in codes(found)
    assert item.facts["author_position"] == 2


def test_misread_name_is_not_an_error_but_unconfirmed():
    _, found = run(journal_item(body=body(authors="周建乍，王立军"), cnki=cnki(authors="周建乍; 王立军")))
    assert "PAP007" not in codes(found)
    assert "GEN012" in codes(found)


@pytest.mark.parametrize("published,title_date,bad", [
    ("2026-10-15", None, True),            # after the cutoff
    ("2026-08-09", None, False),           # on the cutoff
    ("2018-03-01", "2019-12-20", True),    # before the title and before 近五年
    ("2020-03-01", "2019-12-20", False),   # 任现职后
    ("2021-09-01", "2022-01-01", False),   # 近五年
])
def test_publication_date_window(published, title_date, bad):
    from datetime import date
    td = date.fromisoformat(title_date) if title_date else None
    y, m = int(published[:4]), int(published[5:7])
    pages = journal_item(cover=cover(year=y, month=m, issue=m), cnki=cnki(published=published))
    _, found = run(pages, title_date=td)
    assert ("PAP008" in codes(found)) is bad


def test_no_date_is_unconfirmed():
    pages = [("ISSN 1001-4551\nCN 33-1088/TH\n机电工程", ["cover"]), (toc().replace("2024年5月", ""), ["toc"]),
             (body().replace("2024年5月", ""), ["body"]), (nppa(), ["nppa_lookup"]),
             (cnki(published="").replace("2026/7/20", ""), ["cnki"])]
    _, found = run(pages)
    assert "PAP008" not in codes(found)
    assert any(f.code == "GEN012" and "发表时间" in f.message for f in found)


def test_issn_check_digit():
    _, found = run(journal_item(cover=cover(issn="1001-4582")))
    assert "PAP009" in codes(found)
    assert any("ISSN" in f.message and "1001-4582" in f.message for f in found if f.code == "PAP009")
    # no other source at all: the cover's reading stands
    _, found = run(journal_item(cover=cover(issn="1001-4552"), nppa_lookup=None,
                                body=body().replace("1001-4551", "1001-4552")))
    assert "PAP009" in codes(found)


def test_one_misread_digit_next_to_a_valid_lookup_is_ocr_noise():
    item, found = run(journal_item(cover=cover(issn="1002-4551", cn="33-1088/TR")))
    assert "PAP009" not in codes(found) and "PAP010" not in codes(found)
    assert item.facts["issn"] == "1001-4551" and item.facts["cn"] == "33-1088/TH"
    assert set(item.facts["ocr_corrected"]) == {"cn", "issn"}


@pytest.mark.parametrize("cn", ["99-1088/TH", "33-1088/W", "33-1088/TZ"])
def test_cn_number_malformed(cn):
    _, found = run(journal_item(cover=cover(cn=cn), nppa_lookup=nppa(cn=cn), toc=toc().replace("33-1088/TH", cn)))
    assert "PAP009" in codes(found)


def test_journal_without_any_number_is_not_a_journal():
    plain = "机电工程\n2024年 第41卷 第5期\n月刊　2024年5月出版"
    look = "期刊/期刊社查询 - 国家新闻出版署\n刊名\n机电工程\n共0条记录"
    toc_plain = toc().replace("期刊基本参数：CN 33-1088/TH*1981*m*A4", "")
    body_plain = body().replace("DOI：10.3969/j.issn.1001-4551.2024.05.036", "")
    _, found = run(journal_item(cover=plain, nppa_lookup=look, toc=toc_plain, body=body_plain))
    assert "PAP009" in codes(found)


def test_ocr_noise_in_number_is_tolerated():
    _, found = run(journal_item(cover=cover(issn="1OO1-455l").replace("CN 33-1088/TH", "C N 33 - 1088 / TH")))
    assert "PAP009" not in codes(found) and "PAP010" not in codes(found)


def test_title_mismatch_between_body_and_retrieval():
    other = "基于扰动观测器的直线电机伺服系统振动抑制研究"
    _, found = run(journal_item(cnki=cnki(title=other)))
    hits = [f for f in found if f.code == "PAP010" and f.data.get("aspect") == "title"]
    assert hits and hits[0].severity == "warning"


def test_title_missing_from_toc():
    _, found = run(journal_item(toc=toc(title="基于扰动观测器的直线电机伺服系统振动抑制研究")))
    assert any(f.code == "PAP010" and f.data.get("part") == "toc" for f in found)


def test_title_ocr_noise_does_not_warn():
    noisy = "基 于 改 进 PID 算 法 的 伺 服 进 给 系 统 动 态 特 性 优 化 研 宄"   # 究 misread as 宄, spaces
    _, found = run(journal_item(toc=toc(title=noisy), cnki=cnki(title=noisy.replace("伺", "何"))))
    assert "PAP010" not in codes(found)


@pytest.mark.parametrize("freq,issue,month,bad", [
    ("月刊", 5, 5, False), ("月刊", 5, 6, False), ("月刊", 5, 9, True), ("月刊", 14, 5, True),
    ("双月刊", 3, 5, False), ("双月刊", 3, 6, False), ("双月刊", 3, 11, True),
    ("半月刊", 3, 2, False), ("半月刊", 20, 3, True), ("季刊", 2, 5, False),
])
def test_issue_vs_month(freq, issue, month, bad):
    pages = journal_item(cover=cover(issue=issue, month=month, freq=freq), nppa_lookup=nppa(freq=freq),
                         cnki=cnki(published=f"2024-{month:02d}-20"))
    _, found = run(pages)
    assert any(f.code == "PAP010" and f.data.get("aspect") == "issue" for f in found) is bad


def test_cover_numbers_differ_from_lookup():
    _, found = run(journal_item(nppa_lookup=nppa(issn="1001-3881", cn="44-1259/TH")))
    assert any(f.code == "PAP010" and f.data.get("aspect") == "number" for f in found)
    assert "PAP009" not in codes(found)


def test_no_items_no_findings():
    assert run_checker(mod, []) == []


# ---------------------------------------------------------------- documents made by others (issue 14)

def cnki_layer(title: str = TITLE, authors: str = "周建华①　王立军①　陈晓燕②") -> str:
    """A CNKI-downloaded article's first page as its text layer reads: running head,
    copyright footer, then the footnote block (收稿日期, 基金项目 …) before the title."""
    return ("第41卷　第5期　机电工程　Vol.41　No.5\n2024年5月　Journal of Mechanical & Electrical Engineering　May. 2024\n"
            "(C)1994-2025 China Academic Journal Electronic Publishing House. All rights reserved.\n"
            "收稿日期：2023-12-18\n基金项目：浙江省“尖兵”“领雁”研发攻关计划项目（2023C01058）\n"
            "作者简介：周建华（1985—），男，工程师。\nDOI：10.3969/j.issn.1001-4551.2024.05.036\n"
            f"{title}\n{authors}\n（①浙江恒锐机电科技有限公司；②浙江工业大学）\n摘要：针对数控机床伺服进给系统\n"
            "关键词：伺服进给系统；模糊PID\n中图分类号：TH39　　文献标识码：A")


def test_title_is_read_above_the_authors_not_from_the_fund_line():
    item, found = run(journal_item(body=cnki_layer()))
    assert item.facts["title"] == TITLE
    assert item.facts["authors"] == ["周建华", "王立军", "陈晓燕"]
    assert "PAP010" not in codes(found)


def test_column_label_and_article_number_do_not_make_the_title():
    page = ("电器与能效管理技术2024年第5期\n设计与研究\n" + TITLE + "\n周建华，王立军\n（浙江恒锐机电科技有限公司）\n"
            "摘要：针对问题\n中图分类号：TM561 文献标识码：A 文章编号：1001-4551(2024)05-0812-07\n0 引言\n"
            "操动机构是低压断路器实现分合闸操作的核心部件，其运动特性直接决定断路器的分断能力。")
    item, found = run(journal_item(body=page))
    assert item.facts["title"] == TITLE
    assert "PAP010" not in codes(found)


def test_names_run_together_are_split():
    item, found = run(journal_item(body=body(authors="周建华王立军陈晓燕")))
    assert item.facts["authors"] == ["周建华", "王立军", "陈晓燕"] and item.facts["author_position"] == 1
    assert "PAP007" not in codes(found)


def test_retrieval_date_by_label_not_the_received_date():
    record = (f"{TITLE} - 中国知网\n中国知网\n机电工程. 2024,(05)\n{TITLE}\n周建华1　王立军1\n摘要：针对\n"
              "在线公开时间：2024-05-20 10:15（知网首发）\n下载：215　页码：812-818\n21:05\n2026/7/18")
    item, _ = run(journal_item(body=cnki_layer(), cnki=record))
    assert item.facts["date"] == "2024-05-20"


def test_a_journal_toc_mentioning_a_conference_stays_a_journal_paper():
    toc_conf = toc() + "\n2024年全国机械工程学术年会征文通知"
    pages = [(t, p) for t, p in journal_item(toc=toc_conf) if p not in (["cover"], ["nppa_lookup"])]
    item, found = run(pages)
    assert item.facts["kind"] == "journal"
    assert {"PAP001", "PAP004"} <= set(codes(found))


def test_invitation_beside_a_journal_paper_does_not_make_it_a_conference_paper():
    item, found = run(journal_item() + [("邀请函\n诚挚邀请您参加学术年会", ["invitation"])])
    assert item.facts["kind"] == "journal"
    assert "PAP006" not in codes(found)


def test_unknown_kind_asks_for_no_kind_specific_part():
    plain_body = body().replace("第41卷第5期\n", "").replace("Vol.41 No.5\n", "").replace(
        "DOI：10.3969/j.issn.1001-4551.2024.05.036\n", "")
    item, found = run([(toc(), ["toc"]), (plain_body, ["body"]), (cnki(), ["cnki"])])
    assert item.facts["kind"] is None
    c = codes(found)
    assert not {"PAP001", "PAP004", "PAP006"} & set(c)
    assert any(f.code == "GEN012" and "期刊论文还是会议论文" in f.message for f in found)


def test_applicant_missing_from_a_weakly_read_author_line_is_not_an_error():
    pages = journal_item(body=body(authors="李晓东，王立军，陈晓燕"), cnki=None)
    item = make_item("paper", pages)
    for pg in item.pages:
        pg.content.lines = [type(ln)(ln.text, ln.box, 40.0) for ln in pg.content.lines]
        pg.content.conf = 40.0
    found = run_checker(mod, [item])
    assert "PAP007" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "PAP007" for f in found)


def test_unreadable_author_line_is_not_an_error():
    unreadable = body(authors="").replace("（1. 浙江恒锐机电科技有限公司，浙江 杭州 311121）\n", "")
    _, found = run(journal_item(body=unreadable, cnki=cnki(authors="")))
    assert "PAP007" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "PAP007" for f in found)


def _items_in_folders(*specs: tuple[str, list[tuple[str, list[str]]]]):
    from tests.util import make_page
    from zjcheck.model import Item
    items = []
    for n, (rel, pages) in enumerate(specs, 1):
        ps = [make_page(t, parts, "paper", rel=rel, number=k) for k, (t, parts) in enumerate(pages, 1)]
        it = Item(f"paper-{n}", "paper", ps)
        for pg in ps:
            pg.item_id = it.id
        items.append(it)
    return items


def test_a_stray_screenshot_item_beside_a_paper_has_no_missing_part_errors():
    items = _items_in_folders(("论文/论文1/a.pdf", [(t, p) for t, p in journal_item() if p != ["cnki"]]),
                              ("论文/知网.png", [(cnki(title="另一篇论文的题目：基于深度学习的齿轮故障诊断方法"), ["cnki"])]))
    found = run_checker(mod, items)
    errors = [f for f in found if f.severity == "error"]
    assert not [f for f in errors if f.evidence == "paper-2"], errors
    assert any(f.code == "GEN012" and f.evidence == "paper-2" and f.data.get("would_be") == "PAP003" for f in found)
    assert [f.code for f in errors if f.evidence == "paper-1"] == ["PAP005"]


def test_a_screenshot_filed_apart_that_names_the_paper_counts_as_its_part():
    items = _items_in_folders(("论文/论文1/a.pdf", [(t, p) for t, p in journal_item() if p != ["cnki"]]),
                              ("论文/知网.png", [(cnki(), ["cnki"])]))
    found = run_checker(mod, items)
    assert not [f for f in found if f.severity == "error"], [f.message for f in found]


def test_a_weakly_grouped_item_gets_no_missing_part_error():
    item = make_item("paper", [(t, p) for t, p in journal_item() if p != ["toc"]])
    for pg in item.pages:
        pg.score = 4.0              # recognised only faintly (evidence.toml page_confident = 6)
    found = run_checker(mod, [item])
    assert "PAP002" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "PAP002" for f in found)


def test_an_unrecognised_page_in_the_papers_folder_may_be_the_missing_part():
    from tests.util import make_context, make_page
    from zjcheck.pipeline import set_facts
    item = make_item("paper", [(t, p) for t, p in journal_item() if p != ["toc"]], rel="论文1/a.pdf")
    stray = make_page("（字迹模糊）", [], "other", rel="论文1/scan.jpg")
    ctx = make_context([item])
    ctx.documents.append(stray.doc)
    set_facts(item, mod.facts(item, ctx))
    found = list(mod.check([item], ctx))
    assert "PAP002" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "PAP002" and "scan.jpg" in f.message for f in found)


# ---------------------------------------------------------------- rendered packages (real OCR)

PAPER_ERRORS = {"PAP001", "PAP002", "PAP003", "PAP004", "PAP005", "PAP006", "PAP007", "PAP008", "PAP009"}


def _codes(report, code: str) -> list[dict]:
    return reported(report, code)


@pytest.mark.ocr
def test_compliant_package_has_no_paper_findings(checked):
    rep = checked("compliant")
    bad = [f for f in rep["findings"] if f["code"].startswith("PAP")]
    assert bad == [], bad
    papers = [i for i in rep["items"] if i["material"] == "paper"]
    assert len(papers) == 2
    for it in papers:
        assert it["facts"]["author_position"] == 1
        assert it["facts"]["kind"] == "journal"


@pytest.mark.ocr
@pytest.mark.parametrize("variant,code", [
    ("paper-gaps-a", "PAP001"), ("paper-gaps-b", "PAP002"), ("paper-gaps-b", "PAP003"),
    ("paper-gaps-a", "PAP004"), ("paper-gaps-a", "PAP005"), ("paper-conference", "PAP006"),
    ("paper-not-author", "PAP007"), ("paper-defects", "PAP008"), ("paper-defects", "PAP009"),
    ("paper-conference", "PAP009"),
])
def test_variant_plants_code(checked, variant, code):
    hits = _codes(checked(variant), code)
    assert hits, f"{code} not reported for {variant}"
    assert all(h["material"] == "paper" for h in hits)


@pytest.mark.ocr
def test_variant_title_mismatch(checked):
    hits = _codes(checked("paper-defects"), "PAP010")
    assert any(h.get("data", {}).get("aspect") == "title" for h in hits), hits


@pytest.mark.ocr
def test_variant_messages_name_the_paper(checked):
    msg = _codes(checked("paper-gaps-a"), "PAP005")[0]["message"]
    assert msg.startswith("论文-1") and "缺少中国知网或万方数据检索截图" in msg


# ---------------------------------------------------------------- recognition of these documents (materials.toml)

def _doc(rel: str, texts: list[str]):
    from zjcheck.model import Document, Page, PageText, SourceFile
    doc = Document(SourceFile(rel=rel, kind="pdf", mime="application/pdf", size=1, sha256=rel))
    for n, t in enumerate(texts, 1):
        doc.pages.append(Page(doc, n, PageText(t, "pdf-text", [])))
    return doc


def test_slides_after_the_title_slide_are_the_report_not_the_body():
    from zjcheck.recognise import classify_document
    doc = _doc("论文/论文二/会议报告.pdf", [
        "面向离散制造车间的数字孪生产线建模与调度优化\n汇报人：陈思远\n宁波甬江智能装备有限公司\n第十九届中国机械工程学会年会·智能制造分会场",
        "03　滚动调度方法\n■　以设备、物料、工艺三类孪生模型的实时状态为输入\n■　改进遗传算法求解，单次调度耗时小于3 s",
        "04　结论与展望\n■　数字孪生模型实现了车间状态的实时映射\n谢谢！敬请各位专家批评指正"])
    classify_document(doc)
    assert [(p.material, p.parts[:1]) for p in doc.pages] == [("paper", ["report"])] * 3


def test_cnki_download_pages_are_body_not_search_screenshots():
    from zjcheck.recognise import classify_document
    footer = "(C)1994-2025 China Academic Journal Electronic Publishing House. All rights reserved. http://www.cnki.net"
    doc = _doc("论文/论文一/全文.pdf", [
        f"第48卷　第8期　制造技术与机床\n{footer}\n收稿日期：2024-03-11\n基金项目：宁波市重大科技攻关项目\n{TITLE}\n"
        "陈思远①　方建国①\n摘要：针对问题\n关键词：薄壁件\n中图分类号：TG54　文献标识码：A",
        f"·67·　制造技术与机床　2024年第8期\n{footer}\n由图1可知，支撑点布置在壳体加强筋的下方。",
        f"·68·　制造技术与机床　2024年第8期\n{footer}\n参考文献\n[1]　王志刚，李明. 薄壁件铣削加工变形控制研究进展[J]. "
        "航空制造技术，2021，64（9）：22-31.\n[2]　赵凯，孙伟. 基于生死单元法的铣削变形仿真[J]. 制造技术与机床，2020（11）：95-99."])
    classify_document(doc)
    assert [p.parts[0] for p in doc.pages] == ["body", "body", "body"]
    assert not any("cnki" in p.parts or "cover" in p.parts for p in doc.pages)


def test_a_lookup_filed_beside_the_books_folder_joins_the_book():
    from tests.util import make_page
    from zjcheck.recognise import group
    isbn = "ISBN 978-7-5478-6523-1"
    book = [make_page(t, [p], "book", rel=f"六、著作/著作一/{p}.jpg") for t, p in (
        ("智能装备机电系统设计与调试", "cover"), (f"图书在版编目（CIP）数据\n{isbn}", "copyright"),
        ("目录\n第1章", "toc"), ("前言\n本书", "preface"), ("第3章", "content"))]
    look = make_page(f"CIP数据查询\n{isbn}", ["cip_lookup"], "book", rel="六、著作/CIP查询截图.png")
    items = group([*book, look])
    assert [len(i.pages) for i in items] == [6]
    other = make_page("CIP数据查询\nISBN 978-7-111-70001-2\n工业机器人离线编程与仿真", ["cip_lookup"], "book",
                      rel="六、著作/另一本.png")
    items = group([*book, look, other])
    assert sorted(len(i.pages) for i in items) == [1, 6]      # another book's lookup stays apart


def test_a_faint_cover_reading_does_not_cut_the_photographed_journal_in_two():
    from tests.util import make_page
    from zjcheck.recognise import group
    pages = [make_page(t, [p], "paper", rel="papers/paper1/拍照.pdf", number=n) for n, (t, p) in enumerate(
        (("cover", "cover"), ("toc", "toc"), ("body", "body"), ("running head 2023年第6期", "cover")), 1)]
    pages[3].score = 5.0          # below start_score: a running head, not a second journal
    assert len(group(pages)) == 1
    pages[3].score = 12.0         # a sure cover, but alone: no clearly second paper either
    assert len(group(pages)) == 1
    pages += [make_page("toc", ["toc"], "paper", rel="papers/paper1/拍照.pdf", number=5)]
    assert len(group(pages)) == 2     # a sure cover with its own 目次: the next journal


# ---------------------------------------------------------------- the other template families (real OCR)

@pytest.mark.ocr
@pytest.mark.exact_reading
def test_cnki_download_and_conference_folder_family(checked):
    rep = checked("compliant-b")
    assert not [f for f in rep["findings"] if f["code"].startswith("PAP")]
    papers = {i["id"]: i for i in rep["items"] if i["material"] == "paper"}
    assert len(papers) == 2
    j, c = papers["paper-1"]["facts"], papers["paper-2"]["facts"]
    assert j["kind"] == "journal" and j["title"] == "大型薄壁铝合金壳体铣削变形预测与工艺优化"
    assert j["authors"][0] == "陈思远" and j["issn"] == "1005-2402"
    assert c["kind"] == "conference" and c["title"] == "面向离散制造车间的数字孪生产线建模与调度优化"
    assert {"report", "invitation", "proceedings"} <= set(c["parts"])
    assert not [d for d in rep["documents"] if d["path"].endswith("会议报告.pdf") and d["material"] != "paper"]


@pytest.mark.ocr
@pytest.mark.exact_reading
def test_journal_photos_family(checked):
    rep = checked("compliant-c")
    assert not [f for f in rep["findings"] if f["code"].startswith("PAP")]
    papers = [i for i in rep["items"] if i["material"] == "paper"]
    assert len(papers) == 1
    f = papers[0]["facts"]
    assert f["author_position"] == 2 and f["title"] == "基于改进粒子群算法的低压断路器操动机构优化设计"


@pytest.mark.ocr
@pytest.mark.parametrize("variant,code", [
    ("paper-b-not-author", "PAP007"), ("paper-c-not-author", "PAP007"), ("paper-b-no-invitation", "PAP006"),
    ("paper-c-no-wanfang", "PAP005")])
def test_new_family_variant_plants_code(checked, variant, code):
    hits = _codes(checked(variant), code)
    assert hits and all(h["material"] == "paper" for h in hits), f"{code} not reported for {variant}"


def test_front_and_back_cover_in_a_row_are_one_journal():
    from tests.util import make_page
    from zjcheck.recognise import group
    pages = [make_page(t, [p], "paper", rel="论文/论文1/期刊.pdf", number=n) for n, (t, p) in enumerate(
        (("cover", "cover"), ("back cover", "cover"), ("toc", "toc"), ("body", "body")), 1)]
    assert len(group(pages)) == 1
    pages += [make_page(t, [p], "paper", rel="论文/论文1/期刊.pdf", number=n)
              for n, (t, p) in ((5, ("cover of another issue", "cover")), (6, ("its toc", "toc")))]
    assert len(group(pages)) == 2          # a cover after other parts, with its own 目次, starts the next journal


def test_a_folder_is_one_paper_unless_it_clearly_holds_several():
    """An invitation letter misread as a 论文集 page (OCR lost 邀请函) beside the real
    论文集 file does not make the conference folder two papers; two complete
    journal papers in one folder stay two."""
    from tests.util import make_page
    from zjcheck.recognise import group
    d = "论文/论文二"
    pages = [make_page("邀请画 尊敬的…", ["proceedings"], "paper", rel=f"{d}/会议邀请函.pdf"),
             make_page("汇报人", ["report"], "paper", rel=f"{d}/会议报告.pdf"),
             *[make_page(t, [p], "paper", rel=f"{d}/论文集.pdf", number=n)
               for n, (t, p) in enumerate((("论文集", "proceedings"), ("目录", "toc"), ("摘要", "body")), 1)]]
    assert len(group(pages)) == 1
    two = [make_page(t, [p], "paper", rel=f"论文/{f}.pdf", number=n) for f in ("期刊A", "期刊B")
           for n, (t, p) in enumerate((("封面", "cover"), ("目次", "toc"), ("摘要", "body")), 1)]
    assert len(group(two)) == 2
