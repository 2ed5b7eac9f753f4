"""专利 checker (PAT001–PAT004): pure logic on text, then the rendered ip_* variants."""

from __future__ import annotations

import pytest

from tests.conftest import reported
from tests.util import codes, make_item, make_page, run_checker
from zjcheck.model import Item
from zjcheck_checks import patent
from zjcheck_checks.patent import check_char, find_numbers, validate

# Real published Chinese patent numbers, check characters verified by hand
# against the weights 2,3,4,5,6,7,8,9,2,3,4,5 (mod 11, 10 = X):
REAL_2003 = [
    # from public GitHub pages found with the code search (find_string "专利号：ZL20" / "ZL 2019"):
    "ZL202010566088.9",      # a résumé page: image-processing patent
    "ZL2015 1 0958772.0",    # 微播易 "广告精准投放方法和系统"
    "ZL2005 10096239.4",     # 急救止血敷片 product page
    "ZL202322865413.3",      # 适用于多口径接口的真空泵
    "ZL202510942578.7",      # 动作序列生成方法、装置、电子设备及存储介质
    "ZL201811564288.X",      # 齐俏、陈晓明 publication list (check character X)
    "ZL201910603565.1",      # same list
    "ZL 202110100658.X",     # a researcher's homepage (Poster CTR prediction)
    "ZL 201911304845.9",     # same homepage
    "ZL 2019 1 0197190.3",   # blockchain spectrum-access patent, OCR-like spacing
    # 绍兴市第一中学 "创新成果" page (sxyz.net), 2004–2006 applications:
    "200420023327.2", "200410024861.X", "200520100748.5", "200620101117.X", "200630161199.2",
]
# Pre-2003 8-digit form, same page (绍兴市第一中学 学校荣誉/创新成果): 2-digit year,
# type digit, 5-digit serial; the weights are 2..9 over the 8 digits.
REAL_1985 = ["ZL 98 211883.X", "ZL 00 208221.7", "ZL 00 237623.7", "ZL 002 37710.1",
             "ZL 012 09457.9", "ZL 02 216572.X", "ZL 03 232685.8"]

CERT = """证书号第6412387号
发明专利证书
发明名称：一种数控机床主轴热变形自动补偿装置及方法
发 明 人：刘志强；周建华；王立军；张海涛
专 利 号：ZL 2022 1 0345678.8
专利申请日：2022年03月28日
专 利 权 人：浙江恒锐机电科技有限公司
地　　址：311121 浙江省杭州市余杭区
授权公告日：2023年10月17日        授权公告号：CN 114669823 B
国家知识产权局依照中华人民共和国专利法进行审查，决定授予专利权，颁发发明专利证书并在专利登记簿上予以登记。
局长 申文远
"""


def _number() -> str:
    """A valid number for the CERT text (its check character computed here)."""
    return "ZL 2022 1 0345678." + check_char("202210345678").upper()


def cert(**repl: str) -> str:
    t = CERT.replace("ZL 2022 1 0345678.8", _number())
    for old, new in repl.items():
        t = t.replace(old, new)
    return t


def run(text: str, parts: list[str] | None = None, **profile):
    item = make_item("patent", [(text, parts or ["certificate"])])
    return item, run_checker(patent, [item], **profile)


def run_read(text: str, source: str, conf: float, parts: list[str] | None = None, **profile):
    """As `run`, the page read from a text layer or by OCR at confidence `conf` (0–100)."""
    page = make_page(text, parts or ["certificate"], "patent", source=source, conf=conf)
    item = Item("patent-1", "patent", [page])
    page.item_id = item.id
    return item, run_checker(patent, [item], **profile)


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("number", REAL_2003 + REAL_1985)
def test_real_patent_numbers_are_valid(number: str) -> None:
    found = find_numbers(f"专利号：{number}", 2026)
    assert len(found) == 1 and found[0].valid, found


def test_check_character_rule() -> None:
    assert check_char("201811564288") == "x"
    assert check_char("98211883") == "x"          # 8-digit form uses weights 2..9
    assert check_char("00208221") == "7"


@pytest.mark.parametrize("written", ["ZL 2022 1 0345678.{c}", "ZL202210345678.{c}", "ZL 2022 1 0345678·{c}",
                                     "ZL 202210345678 . {c}", "Z L 2022 10345678,{c}", "ZL2022103456 78{c}"])
def test_ocr_spacing_tolerated(written: str) -> None:
    c = check_char("202210345678").upper()
    found = find_numbers("专利号：" + written.format(c=c), 2026)
    assert found and found[0].valid and found[0].body == "202210345678", found


def test_number_followed_by_a_date_column() -> None:
    c = check_char("202120345678")
    found = find_numbers(f"申请号：202120345678.{c}   2021.03.15", 2026)
    assert found[0].valid and not found[0].zl


@pytest.mark.parametrize("body,check,why", [
    ("202210345678", "0", "校验位"),       # wrong check character
    ("20221034567", "8", "位数不对"),      # 11 digits
    ("202250345678", None, "类型位"),      # type digit 5
    ("203010345678", None, "年份"),        # year 2030
    ("71200345", None, "年份"),            # pre-2003 form with year 1971
])
def test_malformed_numbers(body: str, check: str | None, why: str) -> None:
    chk = check if check is not None else check_char(body) if len(body) in (8, 12) else "1"
    pn = validate(body, chk, zl=True, raw=body, max_year=2026)
    assert not pn.valid and why in pn.problem


def test_pat002_wrong_check_character() -> None:
    good = check_char("202210345678")
    bad = str((int(good) + 3) % 10) if good != "x" else "1"
    wrong = cert(**{_number(): f"ZL 2022 1 0345678.{bad}"})
    for source, conf in (("pdf-text", 100.0), ("ocr", 98.0)):
        item, f = run_read(wrong, source, conf)
        assert codes(f) == ["PAT002"], (source, f)
        assert f"应为 {good.upper()}" in f[0].message
        assert item.facts["number_valid"] is False


def test_pat002_look_alike_misread_needs_a_sure_reading() -> None:
    """A check character off by a look-alike misread (8 read as 3) on an OCR line
    below OCR_DIGIT_SURE is 'could not verify', not an error."""
    assert check_char("202210345678") == "8"
    wrong = cert(**{_number(): "ZL 2022 1 0345678.3"})
    _, f = run_read(wrong, "ocr", 90.0)
    assert codes(f) == ["GEN012"] and "专利号" in f[0].message and f[0].data["would_be"] == "PAT002"
    _, f = run_read(wrong, "ocr", 97.0)
    assert codes(f) == ["PAT002"]
    _, f = run_read(wrong, "pdf-text", 100.0)
    assert codes(f) == ["PAT002"]


def test_pat002_type_digit_disagrees_with_certificate_title() -> None:
    body = "202220345678"
    _, f = run(cert(**{_number(): f"ZL 2022 2 0345678.{check_char(body).upper()}"}))
    assert codes(f) == ["PAT002"] and "实用新型" in f[0].message


def test_compliant_certificate_facts() -> None:
    item, f = run(cert())
    assert f == []
    fx = item.facts
    assert fx["granted"] and fx["number_valid"] and fx["type"] == "发明"
    assert fx["inventors"] == ["刘志强", "周建华", "王立军", "张海涛"]
    assert fx["applicant_position"] == 2
    assert fx["patentee"] == "浙江恒锐机电科技有限公司"
    assert fx["grant_date"] == "2023-10-17" and fx["filing_date"] == "2022-03-28"
    assert fx["title"].startswith("一种数控机床主轴")


# ---------------------------------------------------------------- PAT001

ACCEPT = """国家知识产权局
专利申请受理通知书
申请号或专利号：202120345678.9    发文日：2021年03月20日
申请人：浙江恒锐机电科技有限公司
发明创造名称：一种伺服电机用散热防护罩
经核实，国家知识产权局确认收到文件如下：实用新型专利请求书
"""
PUBLICATION = """(19)国家知识产权局
(12)发明专利申请
(10)申请公布号 CN 114669823 A
(43)申请公布日 2022.06.28
(21)申请号 202210345678.8
(22)申请日 2022.03.28
(71)申请人 浙江恒锐机电科技有限公司
(72)发明人 周建华 刘志强 王立军
(54)发明名称 一种数控机床主轴热变形自动补偿装置及方法
"""
EXAM = """国家知识产权局
进入实质审查阶段通知书
申请号：202210345678.8
申请人：浙江恒锐机电科技有限公司
根据专利法第35条第1款的规定，经审查，该申请自2022年08月10日起进入实质审查阶段。
"""
FEE = """国家知识产权局
缴费通知书
申请号：202210345678.8
申请人：浙江恒锐机电科技有限公司
请于规定期限内缴纳申请费、公布印刷费。
"""


@pytest.mark.parametrize("text,parts,name", [
    (ACCEPT, ["application"], "专利申请受理通知书"),
    (PUBLICATION, ["publication"], "发明专利申请公布"),
    (EXAM, ["exam_notice"], "进入实质审查阶段通知书"),
    (FEE, ["application"], "缴费通知书"),
])
def test_pat001_not_granted_documents(text: str, parts: list[str], name: str) -> None:
    item, f = run(text, parts)
    assert "PAT001" in codes(f)
    pat1 = next(x for x in f if x.code == "PAT001")
    assert name in pat1.message and "专利需已授权" in pat1.message
    assert item.facts["granted"] is False
    assert "PAT003" not in codes(f) and "PAT004" not in codes(f)


def test_pat001_bare_application_number() -> None:
    _, f = run("专利\n申请号：202120345678.9\n一种伺服电机用散热防护罩\n浙江恒锐机电科技有限公司", ["certificate"])
    assert codes(f) == ["PAT001"] and "只有申请号" in f[0].message


def test_register_copy_counts_as_grant() -> None:
    text = """专利登记簿副本
专利号：ZL 2022 1 0345678.8
发明人：刘志强；周建华
专利权人：浙江恒锐机电科技有限公司
授权公告日：2023年10月17日
法律状态：专利权有效
""".replace("ZL 2022 1 0345678.8", _number())
    item, f = run(text, ["register"])
    assert item.facts["granted"] and f == []


def test_grant_gazette_page_counts_as_grant() -> None:
    text = """(19)国家知识产权局
(12)发明专利
(10)授权公告号 CN 114669823 B
(45)授权公告日 2023.10.17
(21)申请号 202210345678.8
(65)同一申请的已公布的文献号 申请公布号 CN 114669823 A
(73)专利权人 浙江恒锐机电科技有限公司
(72)发明人 刘志强 周建华 王立军
""".replace("202210345678.8", "202210345678." + check_char("202210345678"))
    item, f = run(text, ["publication"])
    assert item.facts["granted"] and "PAT001" not in codes(f)
    assert item.facts["applicant_position"] == 2


# ---------------------------------------------------------------- PAT003

def test_pat003_applicant_not_an_inventor() -> None:
    item, f = run(cert(**{"刘志强；周建华；王立军；张海涛": "刘志强；王立军；张海涛"}))
    assert codes(f) == ["PAT003"]
    assert "周建华" in f[0].message and "刘志强" in f[0].message
    assert item.facts["applicant_is_inventor"] is False


def test_pat003_ocr_spaced_and_misread_names() -> None:
    item, f = run(cert(**{"刘志强；周建华；王立军；张海涛": "刘 志 强 ； 周 建 华 ； 王 立 军"}))
    assert f == [] and item.facts["applicant_position"] == 2
    item, f = run(cert(**{"刘志强；周建华；王立军；张海涛": "刘志强；周建毕；王立军"}))   # one character misread
    assert "PAT003" not in codes(f)


def test_inventors_unreadable_is_gen012() -> None:
    _, f = run(cert(**{"发 明 人：刘志强；周建华；王立军；张海涛\n": ""}))
    assert codes(f) == ["GEN012"]


# ---------------------------------------------------------------- PAT004

def test_pat004_granted_after_cutoff() -> None:
    _, f = run(cert(**{"授权公告日：2023年10月17日": "授权公告日：2026年09月15日"}))
    assert codes(f) == ["PAT004"] and "2026-09-15" in f[0].message and "截止" in f[0].message


def test_pat004_before_window_and_title() -> None:
    t = cert(**{"授权公告日：2023年10月17日": "授权公告日：2018年05月08日"})
    _, f = run(t)
    assert codes(f) == ["PAT004"] and "近五年" in f[0].message
    # granted after taking up the current title: 任现职后 qualifies
    _, f = run(t, title_date=__import__("datetime").date(2017, 12, 1))
    assert f == []


def test_grant_date_unreadable_is_gen012() -> None:
    _, f = run(cert(**{"授权公告日：2023年10月17日": "授权公告日：2O23年1O月"}))
    assert codes(f) == ["GEN012"]


# Tesseract's reading of the compliant 实用新型专利证书 (rotated scan): spaces
# everywhere, the 授权公告日 label lost, 罩 read as 军.
OCR_UM = """证 书号 第 1958624] 呈 WV ON0000 4 OU |
实用 新 型 专利 证 书
实用 新 型 名 称 : ”一 种 伺服 电机 用 散热 防护 军
发 明 人 : 周建华 ; 何 俊 峰
专利 号 : ZL 2023 2 0298731.3
专利 申请 日 : 2023 年 02 月 14 日
专利 权 人 : 浙江 恒 锐 机 电 科 技 有 限 公司
311121 浙江 省 杭州 市 余杭 区 仓 前 街道 龙潭 路 17 号
2023 年 07 月 04 日 授权 公告 号 : CN 219287345 U
国家 知识 产权 局 依照 中 华人 民 共 和 国 专利 法 进行 审查 ， 决定 授予 专利 权 ， 颁 发 实用 新
"""


def test_real_ocr_text_and_grant_date_fallback() -> None:
    item, f = run(OCR_UM)
    assert f == []
    fx = item.facts
    assert fx["number"] == "ZL202320298731.3" and fx["number_valid"] and fx["type"] == "实用新型"
    assert fx["inventors"] == ["周建华", "何俊峰"] and fx["applicant_position"] == 1
    assert fx["grant_date"] == "2023-07-04" and fx["grant_date_inferred"]
    late = OCR_UM.replace("2023 年 07 月 04 日 授权", "2026 年 09 月 15 日 授权")
    assert codes(run(late)[1]) == ["PAT004"]


def test_grant_date_beside_its_label_in_a_column_reading() -> None:
    """Tesseract reads the certificate's label column first and the dates last
    (a second look recovers them); the boxes put each date beside its label."""
    from zjcheck.model import Line
    rows = [("发 明 人 :", (170, 654, 262, 698)), ("专利 号 :", (170, 730, 279, 776)),
            ("专利 申请 日 ;", (172, 811, 319, 840)), ("授权 公告 日 :", (176, 1042, 324, 1071)),
            ("实用 新 型 专利 证 书", (413, 424, 967, 513)), ("ZL 2023 2 0298731.3", (397, 730, 661, 756)),
            ("授权 公告 号 : CN 219287345 U", (805, 1020, 1187, 1061)), ("周建华 ; 何 俊 峰", (383, 649, 628, 683)),
            ("2023 年 02 月 14 日", (386, 805, 614, 836)), ("2023 年 07 月 04 日", (391, 1035, 622, 1067))]
    item = make_item("patent", [("\n".join(t for t, _ in rows), ["certificate"])])
    item.pages[0].content.lines = [Line(t, box, 90.0) for t, box in rows]
    f = run_checker(patent, [item])
    assert item.facts["grant_date"] == "2023-07-04" and not item.facts["grant_date_inferred"], item.facts
    assert "GEN012" not in codes(f)


def test_unreadable_page() -> None:
    _, f = run("专利 证书", ["certificate"])
    assert codes(f) == ["GEN012"]


# ---------------------------------------------------------------- end to end

@pytest.mark.ocr
def test_e2e_compliant_has_no_patent_errors(checked) -> None:
    rep = checked("compliant")
    bad = [f for f in rep["findings"] if f["code"].startswith("PAT")]
    assert bad == []
    pats = [i for i in rep["items"] if i["material"] == "patent"]
    assert pats and all(i["facts"]["granted"] and i["facts"]["number_valid"] for i in pats)
    # the rotated utility-model certificate included (its dates are read in a second look)
    assert all(i["facts"]["grant_date"] for i in pats), [i["facts"]["grant_date"] for i in pats]


@pytest.mark.ocr
def test_e2e_not_granted(checked) -> None:
    rep = checked("ip-patent-not-granted")
    msgs = [f["message"] for f in rep["findings"] if f["code"] == "PAT001"]
    assert any("专利申请受理通知书" in m for m in msgs), msgs
    assert any("发明专利申请公布" in m for m in msgs), msgs


@pytest.mark.ocr
def test_e2e_wrong_check_character(checked) -> None:
    rep = checked("ip-patent-defects")
    assert any("校验位" in f["message"] for f in reported(rep, "PAT002"))


@pytest.mark.ocr
def test_e2e_applicant_not_inventor(checked) -> None:
    rep = checked("ip-patent-defects")
    assert reported(rep, "PAT003")


@pytest.mark.ocr
def test_e2e_granted_after_cutoff(checked) -> None:
    rep = checked("ip-patent-defects")
    assert any(f["code"] == "PAT004" and "2026-09" in f["message"] for f in rep["findings"])


def test_inventors_without_label() -> None:
    """OCR of a rotated scan lost the left-column labels; the names line is still used."""
    text = OCR_UM.replace("发 明 人 : 周建华 ; 何 俊 峰", "周建华 ; 何 俊 峰").replace("专利 号 : ", "")
    item, f = run(text)
    assert f == [] and item.facts["inventors"] == ["周建华", "何俊峰"] and item.facts["inventors_unlabelled"]
    # a guessed line without the applicant is not proof of absence: could-not-verify, not PAT003
    item, f = run(text.replace("周建华 ; 何 俊 峰", "刘志强 ; 何 俊 峰"))
    assert codes(f) == ["GEN012"]


def test_labels_read_without_values_is_gen012() -> None:
    """OCR read the label column (发明人：/专利号：…) but not the values: could not verify, not PAT003."""
    text = ("证 书号 第 19586241 号\n实用 新 型 名 称 :\n发 明 人 :\n专利 号 :\n专利 申请 日 ;\n专利 权 人 :\n"
            "授权 公告 日 :\n实用 新 型 专利 证 书\n一 种 伺服 电机 用 散热 防护 罩\nZL 2023 2 0298731.3\n"
            "浙江 恒 锐 机 电 科 技 有 限 公司\n授权 公告 号 : CN 219287345 U\n国家 知识 产权 局 依照 专利 法 进行 审查")
    item, f = run(text)
    assert codes(f) == ["GEN012", "GEN012"]           # inventors and grant date unreadable
    assert item.facts["granted"] and item.facts["number_valid"]


# ---------------------------------------------------------------- readings an error may rest on (SPEC §7)

# The 2017+ certificate's back page (and the 电子专利证书's second page), as RapidOCR reads it.
BACK = """证书号第8815333号
专利权人应当依照专利法及其实施细则规定缴纳年费。本专利的年费应当在每年10月10日
前缴纳。未按照规定缴纳年费的，专利权自应当缴纳年费期满之日起终止。
申请日时本专利记载的申请人、发明人信息如下：
申请人：
浙江恒锐机电科技有限公司
发明人：
刘志强；周建华；王立军
第 2 页(共 2 页)
"""


def test_inventors_information_page_is_no_name_list() -> None:
    """'发明人信息如下' is no list of inventors: the list below its own label is."""
    item, f = run(cert(**{"发 明 人：刘志强；周建华；王立军；张海涛\n": ""}) + BACK)
    assert item.facts["inventors"] == ["刘志强", "周建华", "王立军"] and item.facts["applicant_position"] == 2
    assert f == []
    _, f = run(cert(**{"发 明 人：刘志强；周建华；王立军；张海涛\n": ""}) + BACK.replace("周建华；", ""))
    assert codes(f) == ["PAT003"] and "信息如下" not in f[0].message


# The 2016 certificate layout (realdev ZL201620045293): nine inventors wrapping to a second line.
OLD_2016 = """证书号第5279344号
实用新型专利证书
实用新型名称：一种伺服电机用散热防护罩
发 明人：孙金凤;汪泉;沈开源;胡曾明;张恒;闫鑫宇;熊伟;王君
周建华
专利号：ZL 2023 2 0298731.3
专利申请日：2023年02月14日
专利权人：浙江恒锐机电科技有限公司
授权公告日：2023年07月04日
本实用新型经过本局依照中华人民共和国专利法进行初步审查，决定授予专利权，颁
局长 申长雨
2023年07月04日
第 1 页(共 1页)
"""


def test_inventor_list_wrapping_to_a_second_line() -> None:
    item, f = run(OLD_2016)
    assert f == [], f
    assert item.facts["inventors"][-1] == "周建华" and item.facts["applicant_position"] == 9
    assert item.facts["grant_date"] == "2023-07-04" and item.facts["number_valid"]


def test_pat003_needs_a_sure_reading_of_the_list() -> None:
    text = cert(**{"刘志强；周建华；王立军；张海涛": "刘志强；王立军；张海涛"})
    _, f = run_read(text, "ocr", 60.0)
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT003" and "发明人" in f[0].message
    _, f = run_read(text, "pdf-text", 100.0)
    assert codes(f) == ["PAT003"]


def test_pat003_name_elsewhere_on_the_certificate_is_gen012() -> None:
    """The applicant's name on the certificate but not in the list read (a
    patentee, or a line the reader cut off): could not verify, not an error."""
    _, f = run(cert(**{"刘志强；周建华；王立军；张海涛": "刘志强；王立军；张海涛",
                       "专 利 权 人：浙江恒锐机电科技有限公司": "专 利 权 人：周建华"}))
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT003"


def test_pat004_needs_a_sure_date() -> None:
    late = cert(**{"授权公告日：2023年10月17日": "授权公告日：2026年09月15日"})
    _, f = run_read(late, "ocr", 60.0)
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT004"


def test_pat001_needs_a_sure_reading_of_the_document() -> None:
    """The document's own title read exactly confirms itself on a fair line; a
    title read with a misread character, or on a poor line, does not."""
    _, f = run_read(ACCEPT, "ocr", 65.0, ["application"])
    assert codes(f) == ["PAT001"]
    _, f = run_read(ACCEPT, "ocr", 50.0, ["application"])
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT001"
    misread = ACCEPT.replace("专利申请受理通知书", "专利申请受埋通知书").replace("受理处", "")
    _, f = run_read(misread, "ocr", 65.0, ["application"])
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT001"


SOFTWARE = """计算机软件著作权登记证书
证书号：软著登字第12184503号
软件名称：数控机床主轴热变形补偿控制软件V1.0
著作权人：浙江恒锐机电科技有限公司
开发完成日期：2023年06月30日
首次发表日期：未发表
权利取得方式：原始取得
权利范围：全部权利
登记号：2023SR1597330
根据《计算机软件保护条例》和《计算机软件著作权登记办法》的规定，经中国版权保护中心审核，对以上事项予以登记。
"""
DRAFT = """说明书摘要
本发明公开了一种数控机床主轴热变形自动补偿装置及方法，包括温度传感器阵列和补偿控制器。
权利要求书
1.一种数控机床主轴热变形自动补偿装置，其特征在于，包括主轴箱体、温度传感器阵列和补偿控制器。
说明书
技术领域
本发明涉及数控机床技术领域。
"""


@pytest.mark.parametrize("text,parts,name", [(SOFTWARE, ["software"], "软件著作权"), (DRAFT, ["spec"], "专利申请文件")])
def test_pat001_near_misses(text: str, parts: list[str], name: str) -> None:
    """A 软件著作权登记证书 filed as intellectual property is no patent; an
    application text (draft or published) is no grant."""
    item, f = run_read(text, "pdf-text", 100.0, parts)
    assert codes(f) == ["PAT001"] and name in f[0].message
    assert item.facts["granted"] is False and item.facts["number"] is None


def test_unrecognised_patent_document_is_gen012() -> None:
    """No sign of a grant, nor of a known not-granted document: could not
    verify, not 'not a patent'."""
    _, f = run("专利 技术 说明\n发 明 人：周建华；刘志强\n一种伺服电机用散热防护罩 浙江恒锐机电科技有限公司", ["certificate"])
    assert codes(f) == ["GEN012"] and f[0].data["would_be"] == "PAT001"
