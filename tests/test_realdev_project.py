"""项目 on real public documents (tests/realdev): the 北京技术市场管理办公室
standard-form 技术开发合同 filled in as a course exercise (Word-to-PDF text
layer, typed signature blocks, no seal) and, as seal-page checks, the seal
images of the development set that are contracts (tests/realdev/seals)."""

from __future__ import annotations

import csv

import pytest

from tests.realdev import REALDEV, check_real, items_of, manifest_row

pytestmark = pytest.mark.ocr

CONTRACT = "project_tech_dev_contract_course_exercise.pdf"
SEALS = REALDEV / "seals"


def _project_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["material"] == "project"]


def test_contract_is_one_project_item() -> None:
    assert manifest_row(CONTRACT)["material"] == "project"
    report = check_real(CONTRACT, folder="10-项目/项目1")
    items = items_of(report, "project")
    assert len(items) == 1
    doc = report["documents"][0]
    assert doc["material"] == "project" and doc["text_source"] == "pdf-text" and doc["pages"] == 8


def test_contract_facts_as_a_person_read_them() -> None:
    """MANIFEST: 项目名称 山东省企业就业失业数据采集系统; 甲方 山东省商业部; 乙方 北京摸鱼科技有限公司;
    签订日期 2020-02-29; 有效期 2020-03-01 起 (the cover's end year is left blank; 履行期限 gives 2020-10-01)."""
    report = check_real(CONTRACT, folder="10-项目/项目1")
    f = items_of(report, "project")[0]["facts"]
    assert f["kind"] == "技术开发合同"
    assert f["project_name"] == "山东省企业就业失业数据采集系统"
    assert f["party_a"] == "山东省商业部"
    assert f["party_b"] == "北京摸鱼科技有限公司"
    assert f["signed"] == "2020-02-29"
    assert f["start"] == "2020-03-01" and f["end"] == "2020-10-01"
    assert f["number"] is None                       # 合同登记编号 is blank: no number invented
    assert f["amount_upper_value"] == 2_500_000      # （大写） 贰佰伍拾 万元
    # read from the text layer: every fact an error could rest on is strong
    item = report["_items"][0]
    for key in ("project_name", "signed", "start", "end", "amount_upper_value"):
        assert item.fact(key).source == "text-layer" and item.fact(key).strong, key


def test_contract_without_seal_is_prj004() -> None:
    """The signature blocks are typed and nothing is stamped: PRJ004 is right
    there (a text layer, and the rendered page shows no red at all)."""
    report = check_real(CONTRACT, folder="10-项目/项目1")
    prj004 = [f for f in _project_findings(report) if f["code"] == "PRJ004"]
    assert len(prj004) == 1 and prj004[0]["severity"] == "error"
    assert prj004[0]["page"] == 7 and "未发现红色印章" in prj004[0]["message"]
    # the form has no member list: PRJ003; nothing else is an error
    errors = {f["code"] for f in _project_findings(report) if f["severity"] == "error"}
    assert errors == {"PRJ003", "PRJ004"}


def _seal_manifest() -> dict[str, dict[str, str]]:
    with open(SEALS / "MANIFEST.tsv", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


# the seal images that show a contract's signature page (MANIFEST.tsv what_it_is)
CONTRACT_SEALS = [name for name, row in _seal_manifest().items() if "合同" in row["what_it_is"]]


def test_seal_manifest_has_contracts() -> None:
    assert "contract_gov_procurement_round_and_oval_seals_signatures.jpg" in CONTRACT_SEALS


@pytest.mark.parametrize("name", CONTRACT_SEALS)
def test_contract_seal_pages_are_no_prj004(name: str) -> None:
    """A real signature page with seals, filed alone in a project folder: it is
    stamped (no PRJ004), and since a lone signature page is no sure project,
    the parts it lacks are 'could not verify', never errors."""
    findings = _project_findings(check_real(f"seals/{name}", folder="10-项目/项目1"))
    assert not [f for f in findings if f["severity"] == "error"], findings
    assert not [f for f in findings if f["code"] == "PRJ004"]


def test_procurement_contract_seals_found() -> None:
    """The low-resolution procurement contract: a round seal and a faint oval
    seal under handwritten signatures (MANIFEST seals = 2): at least one found."""
    report = check_real("seals/contract_gov_procurement_round_and_oval_seals_signatures.jpg", folder="10-项目/项目1")
    doc = report["documents"][0]
    assert sum(pi["seals"] for pi in doc["page_info"]) >= 1
