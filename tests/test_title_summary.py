"""The title (TIT001–TIT003) and summary (SUM001) checkers on text."""

from __future__ import annotations

from datetime import date

from tests.util import codes, make_item, run_checker
from zjcheck_checks import summary, title

CERT = ("专业技术职务任职资格证书\n姓名：周建华\n资格名称：工程师\n专业：机械工程\n"
        "取得资格时间：2019年12月20日\n证书编号：ZJ2019GC0012345\n浙江省人力资源和社会保障厅")
APPT = "聘任证书\n兹聘任周建华同志为工程师\n聘期自2020年1月1日起"


def cert(text: str = CERT) -> object:
    """The title certificate with its 聘任证书, as the compliant package has them."""
    return make_item("title", [(text, ["certificate"]), (APPT, ["appointment"])])


def test_title_ok() -> None:
    item = cert()
    assert run_checker(title, [item]) == []
    assert item.facts["level"] == "工程师" and item.facts["title_date"] == "2019-12-20"


def test_tit001_missing_or_only_appointment() -> None:
    assert codes(run_checker(title, [])) == ["TIT001"]
    appt = make_item("title", [("聘任证书\n兹聘任周建华同志为工程师", ["appointment"])])
    assert codes(run_checker(title, [appt])) == ["TIT001"]
    assistant = cert(CERT.replace("资格名称：工程师", "资格名称：助理工程师"))
    assert codes(run_checker(title, [assistant])) == ["TIT001"]


def test_tit002_recent_title() -> None:
    recent = cert(CERT.replace("2019年12月20日", "2023年12月20日"))
    got = run_checker(title, [recent], title_date=None)
    assert codes(got) == ["TIT002"] and got[0].data["years"] < 5
    # the profile's date wins over the certificate's
    assert codes(run_checker(title, [cert()], title_date=date(2022, 1, 1))) == ["TIT002"]


def test_title_date_unreadable_is_could_not_verify() -> None:
    got = run_checker(title, [cert("专业技术职务任职资格证书\n资格名称：工程师")], title_date=None)
    assert [(f.code, f.severity) for f in got] == [("GEN012", "info")]


def test_tit003_no_appointment() -> None:
    alone = make_item("title", [(CERT, ["certificate"])])
    got = run_checker(title, [alone])
    assert [(f.code, f.severity) for f in got] == [("TIT003", "warning")] and "聘任证书" in got[0].message
    # the 聘任证书 filed as its own item counts as well
    appt = make_item("title", [(APPT, ["appointment"])], item_id="title-2")
    assert run_checker(title, [make_item("title", [(CERT, ["certificate"])]), appt]) == []


def test_summary() -> None:
    assert codes(run_checker(summary, [])) == ["SUM001"]
    body = "专业技术工作总结\n" + "本人任现职以来，负责数控机床主轴系统的设计与改进。" * 20
    assert run_checker(summary, [make_item("summary", [(body, ["summary"])])]) == []
    short = run_checker(summary, [make_item("summary", [("工作总结", ["summary"])])])
    assert [(f.code, f.severity) for f in short] == [("GEN012", "info")]


def test_title_date_read_on_the_scanned_certificates(checked) -> None:
    """Real OCR: the two-column certificate lists its labels before the values;
    the date is read beside its label in the visual row."""
    for package, want in (("compliant", "2019-12-20"), ("tit-recent", "2023-12-26")):
        titles = [i for i in checked(package)["items"] if i["material"] == "title"]
        assert any(i["facts"].get("title_date") == want for i in titles), (package, [i["facts"] for i in titles])
