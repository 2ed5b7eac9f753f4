"""论文 checker (PAP001–PAP010): pure logic on text, then the rendered packages."""

from __future__ import annotations

import pytest

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


# ---------------------------------------------------------------- rendered packages (real OCR)

PAPER_ERRORS = {"PAP001", "PAP002", "PAP003", "PAP004", "PAP005", "PAP006", "PAP007", "PAP008", "PAP009"}


def _codes(report, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["code"] == code]


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
