"""论著 checker (BOK001–BOK011): pure logic on text, then the rendered packages."""

from __future__ import annotations

from datetime import date

import pytest

from tests.util import codes, make_item, run_checker
from zjcheck_checks import book as mod

TITLE = "伺服驱动与精密运动控制技术"
ISBN = "978-7-111-73215-0"
CIP = "中国版本图书馆CIP数据核字（2023）第123456号"


def copyright_page(isbn: str = ISBN, cip: str = CIP) -> str:
    return (f"图书在版编目（CIP）数据\n{TITLE}/王立军主编. —北京：机械工业出版社，2023.9\n（智能制造关键技术丛书）\n"
            f"ISBN {isbn}\nⅠ.①伺…　Ⅱ.①王…　Ⅳ.①TM921.541\n{cip}\n机械工业出版社出版发行\n"
            f"2023年9月第1版第1次印刷\n184mm×260mm·18.5印张·452千字\n标准书号：ISBN {isbn}\n定价：89.00元")


def lookup(authors: str = "王立军主编；周建华，陈晓燕副主编", isbn: str = ISBN) -> str:
    return (f"CIP数据核字号查询 - 中国版本图书馆\n中国版本图书馆\nCIP数据核字号查询\n书名\n{TITLE}\nISBN\n"
            f"{isbn.replace('-', '')}\n查询\n书名\n{TITLE}\nISBN\n{isbn}\nCIP核字号\n（2023）第123456号\n著者\n{authors}\n"
            "出版社\n机械工业出版社\n出版时间\n2023-09\n09:42\n2026/7/21")


def proof(isbn: str | None = ISBN, share: bool = True, name: str = "周建华", cip: str | None = CIP) -> str:
    s = f"出 版 证 明\n兹证明{name}同志（身份证号：330106198503120317）参与编写的《{TITLE}》一书，已于2023年9月由我社正式出版发行。"
    if isbn:
        s += f"该书ISBN为{isbn}，"
    if cip:
        s += f"{cip}，"
    s += "全书共452千字。"
    if share:
        s += f"{name}同志任该书副主编，负责编写第3、4、5章，共计约15.6万字。"
    return s + "\n特此证明。\n机械工业出版社\n2026年7月10日"


PAGES = {
    "cover": f"智能制造关键技术丛书\n{TITLE}\n王立军　主编\n周建华　陈晓燕　副主编\n机械工业出版社",
    "copyright": copyright_page(),
    "toc": "目　　录\n前言\n第1章　绪论\n1\n1.1　精密运动控制技术的发展\n13\n第2章　永磁同步电机数学模型\n31",
    "preface": "前　　言\n本书是编者团队在多年从事伺服驱动产品研发的基础上编写而成的。\n编　者",
    "content": "第4章　伺服进给系统动态特性分析\n本章在建立双惯量系统模型的基础上，分析机械谐振。",
    "cip_lookup": lookup(),
    "pub_proof": proof(),
}


def book_pages(**over: str | None) -> list[tuple[str, list[str]]]:
    d = {**PAGES, **over}
    return [(t, [p]) for p, t in d.items() if t is not None]


def run(pages, **profile):
    item = make_item("book", pages)
    return item, run_checker(mod, [item], **profile)


def test_complete_book_passes_and_facts():
    item, found = run(book_pages())
    assert found == []
    f = item.facts
    assert f["title"] == TITLE
    assert f["isbn"] == "9787111732150"
    assert f["cip_ok"] is True
    assert f["publisher"] == "机械工业出版社"
    assert f["date"] == "2023-09-01"
    assert f["authors"][:3] == ["王立军", "周建华", "陈晓燕"]
    assert f["applicant_role"] == "副主编"


@pytest.mark.parametrize("part,code,word", [
    ("cover", "BOK001", "封面"), ("copyright", "BOK002", "版权页"), ("toc", "BOK003", "目录"),
    ("preface", "BOK004", "自序"), ("content", "BOK005", "本人负责编写的部分"),
    ("cip_lookup", "BOK006", "中国版本图书馆查询截图")])
def test_missing_part(part, code, word):
    _, found = run(book_pages(**{part: None}))
    hits = [f for f in found if f.code == code]
    assert len(hits) == 1 and hits[0].message.startswith("论著-1") and word in hits[0].message


def test_lookup_without_author_needs_proof():
    _, found = run(book_pages(cip_lookup=lookup(authors="—"), pub_proof=None))
    assert "BOK007" in codes(found)
    _, found = run(book_pages(cip_lookup=lookup(authors="—")))
    assert "BOK007" not in codes(found)
    _, found = run(book_pages(pub_proof=None))
    assert "BOK007" not in codes(found)


@pytest.mark.parametrize("kw,what", [
    (dict(isbn=None), "ISBN"), (dict(share=False), "实际参与情况"), (dict(cip=None), "CIP核字号"),
    (dict(name="王立军"), "作者姓名")])
def test_proof_lacks(kw, what):
    _, found = run(book_pages(pub_proof=proof(**kw)))
    hits = [f for f in found if f.code == "BOK008"]
    assert hits and what in hits[0].message


def test_proof_without_title():
    text = proof().replace(f"《{TITLE}》", "该书")
    _, found = run(book_pages(pub_proof=text))
    assert any(f.code == "BOK008" and "书名" in f.message for f in found)


@pytest.mark.parametrize("isbn", ["978-7-111-73215-3", "7-111-73215-1"])
def test_isbn_check_digit(isbn):
    _, found = run(book_pages(copyright=copyright_page(isbn=isbn)))
    assert "BOK009" in codes(found)


def test_bad_check_digit_not_excused_by_another_page():
    """The lookup screenshot, also read as a 版权页, holds the right number; the
    real 版权页 holds one a digit off: that is the book's error, not OCR noise."""
    pages = [(t, ["cip_lookup", "copyright"] if p == "cip_lookup" else [p]) for t, [p] in book_pages(
        copyright=copyright_page(isbn="978-7-111-73215-3"))]
    _, found = run(pages)
    assert any(f.code == "BOK009" and "73215" in f.message for f in found), [f.message for f in found]


def test_isbn10_valid_and_same_as_13():
    from stdnum import isbn as sn
    ten = sn.to_isbn10("9787111732150")
    _, found = run(book_pages(copyright=copyright_page(isbn=ten)))
    assert "BOK009" not in codes(found)


def test_isbn_differs_between_copyright_and_lookup():
    other = "978-7-111-70001-2"
    from stdnum import isbn as sn
    assert sn.is_valid(other)
    _, found = run(book_pages(cip_lookup=lookup(isbn=other)))
    assert any(f.code == "BOK009" and "不一致" in f.message for f in found)


def test_isbn_single_misread_next_to_good_reading_is_noise():
    text = copyright_page().replace(f"ISBN {ISBN}\nⅠ", "ISBN 978-7-111-73215-6\nⅠ", 1)
    _, found = run(book_pages(copyright=text))
    assert "BOK009" not in codes(found)


@pytest.mark.parametrize("cip", [
    "中国版本图书馆CIP数据核字（2023）第123456号",
    "中国版本图书馆CIP数据核字(2023)第078654号",
    "中国国家版本馆CIP数据核字第2024PR2624号",
    "中国国家版本馆CIP数据核字（2024）第103518号",
    "中国国家版本馆 CIP 数据核字 (2024) 第 103518 号",
    "中 国 版 本 图 书 馆 CIP 数 据 核 字 （ 2O23 ） 第 12345б 号".replace("б", "6"),
])
def test_cip_forms_valid(cip):
    _, found = run(book_pages(copyright=copyright_page(cip=cip)))
    assert "BOK010" not in codes(found), [f.message for f in found]


@pytest.mark.parametrize("cip", [
    "中国版本图书馆CIP数据核字（2023）第1234号",
    "中国版本图书馆CIP数据核字第12345号",
    "中国国家版本馆CIP数据核字第PR2624号",
    "中国版本图书馆CIP数据核字（2023）第12A456号",
])
def test_cip_malformed(cip):
    _, found = run(book_pages(copyright=copyright_page(cip=cip)))
    assert "BOK010" in codes(found)


def test_cip_label_is_not_a_number():
    """A lookup screenshot read as part of the copyright page brings the column
    label "CIP数据核字号" before the real number; RapidOCR reads it whole."""
    assert mod.find_cip("CIP数据核字号查询") == []
    text = "CIP数据核字号查询\n" + copyright_page(cip="中国版本图书馆CIP数据核字（2023）第123456号")
    item, found = run(book_pages(copyright=text))
    assert "BOK010" not in codes(found), [f.message for f in found]
    assert item.facts["cip_ok"] is True


def test_cip_missing():
    _, found = run(book_pages(copyright=copyright_page(cip="")))
    assert any(f.code == "BOK010" and "没有" in f.message for f in found)


def test_no_items_no_findings():
    assert run_checker(mod, []) == []


# ---------------------------------------------------------------- documents made by others (issue 14)

def test_a_copyright_page_that_also_scored_as_proof_is_no_proof():
    """The 版权页 was listed with 出版证明 as a further part: it neither stands in for
    the missing proof (BOK007) nor is it checked as one (BOK008)."""
    pages = [(t, ["copyright", "pub_proof"] if p == ["copyright"] else p)
             for t, p in book_pages(cip_lookup=lookup(authors="—"), pub_proof=None)]
    item, found = run(pages)
    assert "BOK007" in codes(found) and "BOK008" not in codes(found)
    assert item.facts["has_pub_proof"] is False


def test_lookup_shows_what_it_lists():
    _, found = run(book_pages(cip_lookup=lookup(authors="王立军主编；陈晓燕副主编"), pub_proof=None))
    hit = next(f for f in found if f.code == "BOK007")
    assert "王立军" in hit.message and "周建华" in hit.message


def test_weakly_read_lookup_gives_no_bok007():
    item = make_item("book", book_pages(cip_lookup=lookup(authors="—"), pub_proof=None))
    look = item.pages_with("cip_lookup")[0]
    look.content.conf = 45.0
    found = run_checker(mod, [item])
    assert "BOK007" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "BOK007" for f in found)


def test_weakly_read_isbn_gives_no_bok009():
    item = make_item("book", book_pages(copyright=copyright_page(isbn="978-7-111-73215-3")))
    cp = item.pages_with("copyright")[0]
    cp.content.lines = [type(ln)(ln.text, ln.box, 50.0 if "ISBN" in ln.text else ln.conf) for ln in cp.content.lines]
    found = run_checker(mod, [item])
    assert "BOK009" not in codes(found)
    assert any(f.code == "GEN012" and f.data.get("would_be") == "BOK009" for f in found)


def _books(*specs):
    from tests.util import make_page
    from zjcheck.model import Item
    items = []
    for n, (rel, pages) in enumerate(specs, 1):
        ps = [make_page(t, p, "book", rel=rel, number=k) for k, (t, p) in enumerate(pages, 1)]
        it = Item(f"book-{n}", "book", ps)
        for pg in ps:
            pg.item_id = it.id
        items.append(it)
    return items


def test_a_lookup_filed_apart_is_the_books_own_and_no_phantom_book():
    """Issue 14: the CIP lookup saved at the top of the books' folder became a
    second book missing everything while the real book lacked its lookup."""
    items = _books(("著作/著作一/a.pdf", book_pages(cip_lookup=None)), ("著作/CIP查询.png", [(lookup(), ["cip_lookup"])]))
    found = run_checker(mod, items)
    assert not [f for f in found if f.severity == "error"], [f.message for f in found]
    assert {f.data.get("would_be") for f in found if f.evidence == "book-2" and f.code == "GEN012"} >= {
        "BOK001", "BOK002", "BOK003", "BOK004", "BOK005"}


def test_a_lookup_of_another_book_leaves_the_lookup_missing():
    other = lookup(isbn="978-7-111-70001-2").replace(TITLE, "工业机器人离线编程与仿真")
    items = _books(("著作/著作一/a.pdf", book_pages(cip_lookup=None)), ("著作/CIP查询.png", [(other, ["cip_lookup"])]))
    found = run_checker(mod, items)
    assert [f.code for f in found if f.severity == "error" and f.evidence == "book-1"] == ["BOK006"]
    assert not [f for f in found if f.severity == "error" and f.evidence == "book-2"]


def test_a_proof_alone_is_a_book_missing_its_parts():
    """No other book it could belong to: the parts are missing (variant book-proof)."""
    _, found = run([(proof(), ["pub_proof"])])
    assert {"BOK001", "BOK002", "BOK003", "BOK004", "BOK005", "BOK006"} <= set(codes(found))


def test_new_cip_form_and_bianzhu_authors():
    cp = (f"图书在版编目（CIP）数据\n智能装备机电系统设计与调试/方建国，周建华，俞海燕编著. —上海：上海科学技术出版社，2024.3\n"
          f"ISBN {ISBN}\n中国国家版本馆CIP数据核字第2024GQ3381号\n出版发行：上海科学技术出版社\n版　　次：2024年3月第1版")
    item, found = run(book_pages(copyright=cp, cover="智能装备机电系统设计与调试\n方建国　周建华　俞海燕　编著\n上海科学技术出版社"))
    assert "BOK010" not in codes(found)
    assert item.facts["authors"][:3] == ["方建国", "周建华", "俞海燕"]
    assert item.facts["publisher"] == "上海科学技术出版社"
    assert item.facts["date"] == "2024-03-01"


@pytest.mark.parametrize("line,names", [
    ("庄建 张晶 许钰雯 编著", ["庄建", "张晶", "许钰雯"]),
    ("庄建张晶许钰雯编著", ["庄建", "张晶", "许钰雯"]),
    ("（德）汉斯·米勒　著　　王丽娟　叶丽萍　译", ["王丽娟", "叶丽萍"]),
    ("王立军　主编\n周建华　陈晓燕　副主编", ["王立军", "周建华", "陈晓燕"]),
])
def test_cover_authors(line, names):
    assert mod._authors(line) == names


def test_cover_title_when_nothing_else_names_the_book():
    item, _ = run([("深度学习图像识别技术\n基于TensorFlow Object Detection API\n庄建 张晶 许钰雯 编著\n机械工业出版社", ["cover"])],
                  name="张晶")
    assert item.facts["title"] == "深度学习图像识别技术"
    assert item.facts["publisher"] == "机械工业出版社" and item.facts["applicant_role"] == "编著"


# ---------------------------------------------------------------- rendered packages (real OCR)

def _codes(report, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["code"] == code]


@pytest.mark.ocr
def test_compliant_package_has_no_book_findings(checked):
    rep = checked("compliant")
    bad = [f for f in rep["findings"] if f["code"].startswith("BOK")]
    assert bad == [], bad
    books = [i for i in rep["items"] if i["material"] == "book"]
    assert len(books) == 1
    f = books[0]["facts"]
    assert f["isbn"] == "9787111732150" and f["cip_ok"] is True


@pytest.mark.ocr
@pytest.mark.parametrize("variant,code", [
    ("book-proof", "BOK001"), ("book-proof", "BOK002"), ("book-numbers", "BOK003"), ("book-numbers", "BOK004"),
    ("book-numbers", "BOK005"), ("book-proof", "BOK006"), ("book-lookup", "BOK007"), ("book-proof", "BOK008"),
    ("book-numbers", "BOK009"), ("book-numbers", "BOK010"),
])
def test_variant_plants_code(checked, variant, code):
    hits = _codes(checked(variant), code)
    assert hits, f"{code} not reported for {variant}"
    assert all(h["material"] == "book" for h in hits)


@pytest.mark.ocr
def test_variant_proof_names_missing_isbn(checked):
    msg = _codes(checked("book-proof"), "BOK008")[0]["message"]
    assert "ISBN" in msg and "CIP" not in msg and "作者姓名" not in msg


def _published(when: str) -> str:
    """The copyright page with its 版次 and CIP line dated `when` ("2016年9月")."""
    y, m = when.rstrip("月").split("年")
    return copyright_page().replace("2023年9月第1版", f"{when}第1版").replace("2023.9", f"{y}.{m}")


@pytest.mark.parametrize("when,title_date,expect", [
    ("2026年10月", date(2019, 12, 20), "BOK011"),   # after the cutoff
    ("2016年9月", date(2019, 12, 20), "BOK011"),    # before 任现职 and before 近五年
    ("2016年9月", date(2015, 7, 1), None),          # 任现职后
    ("2021年8月", date(2019, 12, 20), None),        # the window's first month: only the month is printed
    ("2016年9月", None, "GEN012"),                  # current title's date unknown: could not verify
])
def test_publication_window(when, title_date, expect):
    _, found = run(book_pages(copyright=_published(when)), title_date=title_date)
    dated = [f for f in found if f.code == "BOK011" or (f.code == "GEN012" and "出版时间" in f.message)]
    assert [f.code for f in dated] == ([expect] if expect else []), [f.message for f in found]


def test_cip_year_after_cutoff_without_date():
    text = copyright_page(cip="中国国家版本馆CIP数据核字（2027）第103518号").replace("2023年9月第1版", "第1版").replace(
        "2023.9", "")
    _, found = run(book_pages(copyright=text, cip_lookup=lookup().replace("出版时间\n2023-09\n", "")))
    assert any(f.code == "BOK011" and "2027" in f.message for f in found), [f.message for f in found]
    assert "BOK010" not in codes(found)


# ---------------------------------------------------------------- the other template families (real OCR)

@pytest.mark.ocr
def test_bianzhu_photos_family_lookup_joins_the_book(checked):
    rep = checked("compliant-b")
    assert not [f for f in rep["findings"] if f["code"].startswith("BOK")]
    books = [i for i in rep["items"] if i["material"] == "book"]
    assert len(books) == 1                   # the lookup at the folder's top is no second book
    f = books[0]["facts"]
    assert "cip_lookup" in f["parts"] and f["has_pub_proof"] and f["cip_ok"] is True
    assert f["applicant_role"] == "编著"


@pytest.mark.ocr
def test_translation_family_lookup_shows_the_translators(checked):
    rep = checked("compliant-c")
    assert not [f for f in rep["findings"] if f["code"].startswith("BOK")]
    f = next(i for i in rep["items"] if i["material"] == "book")["facts"]
    assert f["lookup_names_applicant"] is True and not f["has_pub_proof"]
    assert f["applicant_role"] == "译" and f["isbn"] == "9787111708322"


@pytest.mark.ocr
@pytest.mark.parametrize("variant", ["book-b-lookup", "book-c-lookup"])
def test_new_family_lookup_without_author(checked, variant):
    hits = _codes(checked(variant), "BOK007")
    assert hits and all(h["material"] == "book" for h in hits)
