"""Plugin loading and isolation: a broken checker is reported (GEN011), never fatal."""

from __future__ import annotations

import types
from pathlib import Path

import docx
import pytest

from zjcheck import pipeline
from zjcheck.plugins import Plugin, load_plugins


def test_every_builtin_material_has_a_checker() -> None:
    plugins, problems = load_plugins()
    assert problems == []
    assert {p.material for p in plugins} == {
        "education", "title", "pension", "employment", "cont_edu", "paper", "book", "patent",
        "standard", "project", "honor", "assessment", "summary", "score_sheet"}
    from zjcheck.codes import all_codes
    registry = all_codes()
    for p in plugins:                      # the uniform API
        assert callable(p.module.check) and callable(getattr(p.module, "facts", None))
        assert all(c in registry for c in p.codes), p.name
    claimed = {c for p in plugins for c in p.codes}
    material_codes = {c for c, v in registry.items() if v.material not in ("general", "xdc")}
    assert material_codes <= claimed, material_codes - claimed    # every SPEC code has its checker


def test_a_crashing_checker_becomes_gen011(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = docx.Document()
    d.add_paragraph("专业技术工作总结")
    d.add_paragraph("本人任现职以来，负责数控机床主轴系统的设计与改进。" * 20)
    (tmp_path / "总结.docx").parent.mkdir(exist_ok=True)
    d.save(tmp_path / "总结.docx")

    def boom(items, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("checker bug")

    bad = types.SimpleNamespace(MATERIAL="summary", CODES=("SUM001",), check=boom)
    monkeypatch.setattr(pipeline, "load_plugins", lambda: ([Plugin("summary", bad, "summary", ("SUM001",))], []))
    result = pipeline.run(tmp_path, pipeline.Options(cache=False, jobs=1, profile={"name": "周建华"}))
    gen011 = [f for f in result.findings if f.code == "GEN011"]
    assert len(gen011) == 1 and "checker bug" in gen011[0].message
    assert [d.rel for d in result.documents] == ["总结.docx"]      # the run went on
