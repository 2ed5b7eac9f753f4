"""`zjcheck init` and `zjcheck catalogue show|check`; the catalogue's validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from zjcheck import catalogue
from zjcheck.cli import app
from zjcheck.errors import UsageError
from zjcheck.init import HEADER, init
from zjcheck.model import Document, SourceFile
from zjcheck.profile import parse_profile_text
from zjcheck.scoresheet import parse_document

runner = CliRunner()
CAT = catalogue.load()
BUILTIN = Path(catalogue.__file__).parent / "data" / "catalogue-2026-jidian.toml"


def test_init_writes_sheet_profile_and_folders(tmp_path: Path) -> None:
    dest = tmp_path / "申报材料"
    res = runner.invoke(app, ["init", str(dest)])
    assert res.exit_code == 0, res.output
    sheet = dest / "13-量化评分表" / "量化评分表.xlsx"
    assert sheet.is_file() and (dest / "zjcheck.toml").is_file()
    folders = sorted(p.name for p in dest.iterdir() if p.is_dir())
    assert folders[0] == "01-学历学位" and len(folders) == len(CAT.items)
    assert not list(dest.rglob("*.txt"))          # the platform takes no .txt (GEN003)
    ws = openpyxl.load_workbook(sheet).active
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
    assert tuple(header[:6]) == HEADER


def test_init_profile_is_all_comments_and_documents_every_field(tmp_path: Path) -> None:
    p = init(tmp_path / "a", CAT)
    text = p.profile.read_text("utf-8")
    assert parse_profile_text(text, "zjcheck.toml") == {}       # nothing set until the applicant fills it
    uncommented = "\n".join(line.lstrip("# ") for line in text.splitlines() if "=" in line)
    assert set(tomllib.loads(uncommented)) == {"name", "id_number", "employer", "title_date",
                                               "graduation_date", "route"}


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    dest = tmp_path / "b"
    init(dest, CAT)
    before = (dest / "zjcheck.toml").read_bytes()
    res = runner.invoke(app, ["init", str(dest)])
    assert res.exit_code == 2 and "不覆盖" in res.output
    assert (dest / "zjcheck.toml").read_bytes() == before


def test_blank_sheet_round_trips_through_the_reader(tmp_path: Path) -> None:
    p = init(tmp_path / "c", CAT)
    wb = openpyxl.load_workbook(p.sheet)
    ws = wb.active
    for row in ws.iter_rows(min_row=5):
        if row[1].value == "论文":
            row[4].value, row[5].value = 10, "论文-1、论文-2"
        if row[1].value == "专利":
            row[4].value, row[5].value = "6分", "09-专利/专利1"
    wb.save(p.sheet)
    sf = SourceFile(rel="13-量化评分表/量化评分表.xlsx", kind="xlsx", mime="", size=0, sha256="x", path=p.sheet)
    sheet = parse_document(Document(sf), CAT)
    assert sheet is not None and sheet.header_found
    assert {r.catalogue_id for r in sheet.item_rows} == {ci.id for ci in CAT.items if ci.scored}
    scored = {r.catalogue_id: (r.score, r.refs_text) for r in sheet.item_rows if r.score is not None}
    assert scored == {"paper": (10, "论文-1、论文-2"), "patent": (6, "09-专利/专利1")}
    caps = {r.catalogue_id: r.cap for r in sheet.item_rows}
    assert caps["project"] == CAT.item("project").cap


def test_catalogue_show_and_check() -> None:
    res = runner.invoke(app, ["catalogue", "show"])
    assert res.exit_code == 0 and "专利" in res.output
    res = runner.invoke(app, ["catalogue", "check", str(BUILTIN)])
    assert res.exit_code == 0 and "有效" in res.output
    res = runner.invoke(app, ["catalogue", "show", "no-such"])
    assert res.exit_code == 2


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = BUILTIN.read_text("utf-8")
    assert old in text
    p = tmp_path / "cat.toml"
    p.write_text(text.replace(old, new, 1), "utf-8")
    return p


@pytest.mark.parametrize("old,new,words", [
    ('tags = ["专利", "P", "ZL"]', 'tags = ["专利", "论文", "ZL"]', "已被评分项目"),     # shared tag
    ('tags = ["专利", "P", "ZL"]', 'tags = ["专利-1"]', "不能含数字"),
    ('materials = ["patent"]', 'materials = ["paper"]', "只能计入一个评分项目"),
    ('materials = ["patent"]', 'materials = []', "materials 为空"),
    ("cap = 15", 'cap = "十五"', "cap 应为非负数"),
    ("notice_item = 10", "notice_item = 16", "notice_item"),
    ('id = "patent"', 'id = "patent"\nweight = 2', "不认识的字段"),
    ("self_score_threshold = 80", 'self_score_threshold = "八十"', "self_score_threshold"),
])
def test_catalogue_check_explains_errors(tmp_path: Path, old: str, new: str, words: str) -> None:
    p = _broken(tmp_path, old, new)
    with pytest.raises(UsageError, match=words):
        catalogue.load(str(p))
    res = runner.invoke(app, ["catalogue", "check", str(p)])
    assert res.exit_code == 2 and words.split("（")[0] in res.output.replace("\n", "")
