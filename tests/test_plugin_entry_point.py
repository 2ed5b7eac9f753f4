"""A plugin from another package adds a material the core does not know — its
own codes, recognition cues and catalogue item — through the `zjcheck.checks`
entry point alone; it is recognised, checked and reported, and `explain`
knows its code (issue 16).  The package is tests/plugin_example; its
distribution metadata (the entry point) is written at test time."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent / "plugin_example"


def _caches() -> None:
    from zjcheck import codes, materials, plugins
    for fn in (plugins._entry_modules, plugins.plugin_tables, codes.all_codes, materials.recognition):
        fn.cache_clear()


@pytest.fixture()
def installed(tmp_path: Path) -> Iterator[None]:
    dist = tmp_path / "site" / "zjcheck_example-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: zjcheck-example\nVersion: 0.1\n", "utf-8")
    (dist / "entry_points.txt").write_text("[zjcheck.checks]\nachievement = zjcheck_example.achievement\n", "utf-8")
    sys.path[:0] = [str(tmp_path / "site"), str(EXAMPLE)]
    _caches()
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path / "site"))
        sys.path.remove(str(EXAMPLE))
        for mod in [m for m in sys.modules if m.startswith("zjcheck_example")]:
            del sys.modules[mod]
        _caches()


def _certificate(path: Path, people: str) -> None:
    from fixtures.render.writers import text_pdf_bytes

    def draw(pdf: object) -> None:
        pdf.add_page()  # type: ignore[attr-defined]
        pdf.set_font("serif", "", 14)  # type: ignore[attr-defined]
        for line in ("科学技术成果登记证书", "成果名称：高速主轴热误差补偿技术", "成果登记号：2024330512",
                     f"完成人：{people}", "完成单位：浙江恒锐机电科技有限公司", "登记日期：2024年6月18日"):
            pdf.cell(0, 12, line, new_x="LMARGIN", new_y="NEXT")  # type: ignore[attr-defined]

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text_pdf_bytes(draw))


def _check(tmp_path: Path, people: str) -> dict:
    from zjcheck.pipeline import Options, run
    from zjcheck.report.json import to_dict
    pkg = tmp_path / people
    _certificate(pkg / "成果登记" / "登记证书.pdf", people)
    return to_dict(run(pkg, Options(cache=False, jobs=1, profile={"name": "周建华"})))


def test_plugin_adds_a_material_without_a_core_edit(installed: None, tmp_path: Path) -> None:
    from zjcheck.plugins import load_plugins
    plugins, problems = load_plugins()
    assert problems == [] and "achievement" in {p.material for p in plugins}
    report = _check(tmp_path, "李明、王强")
    (item,) = [it for it in report["items"] if it["material"] == "achievement"]
    assert item["catalogue_item"] == "honor" and item["facts"]["people"] == ["李明", "王强"]
    (ach,) = [f for f in report["findings"] if f["code"] == "ACH001"]
    assert ach["severity"] == "error" and ach["item"] == "honor" and "周建华" in ach["message"]
    row = next(g for g in report["gap"] if g["item"] == "honor")
    assert row["found"] == 1 and any("ACH001" in m or "完成人" in m for m in row["missing"])
    ok = _check(tmp_path, "周建华、李明")
    assert not [f for f in ok["findings"] if f["code"] == "ACH001"]
    from typer.testing import CliRunner
    from zjcheck.cli import app
    out = CliRunner().invoke(app, ["explain", "ACH001"])
    assert out.exit_code == 0 and "完成人中没有申报人" in out.output


def test_a_plugin_without_the_api_is_reported_not_loaded(installed: None, tmp_path: Path) -> None:
    from zjcheck import plugins
    bad = tmp_path / "site" / "zjcheck_example-0.1.dist-info" / "entry_points.txt"
    bad.write_text("[zjcheck.checks]\nachievement = zjcheck_example.achievement\nbroken = zjcheck_example\n", "utf-8")
    _caches()
    loaded, problems = plugins.load_plugins()
    assert "achievement" in {p.material for p in loaded}
    assert len(problems) == 1 and problems[0].startswith("broken") and "MATERIAL" in problems[0]
