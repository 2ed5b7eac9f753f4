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
        "standard", "project", "honor", "assessment", "summary", "score_sheet",
        "tamper"}                           # signs of editing (TMP001-TMP005): on every page, no parts of its own
    from zjcheck.codes import all_codes
    registry = all_codes()
    for p in plugins:                      # the uniform API
        assert callable(p.module.check) and callable(getattr(p.module, "facts", None))
        assert all(c in registry for c in p.codes), p.name
    claimed = {c for p in plugins for c in p.codes}
    material_codes = {c for c, v in registry.items() if v.material not in ("general", "xdc", "batch")}  # batch: crossapp
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
    # "could not check", never a pass: exit 3, said in the verdict
    assert result.unchecked == ["summary"] and result.exit_code == 3
    from zjcheck.report.text import verdict
    assert "未能检查" in verdict(result).plain
    from zjcheck.report.json import to_dict
    assert to_dict(result)["summary"]["unchecked_materials"] == ["summary"]


def test_a_crashing_facts_skips_that_check_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = docx.Document()
    d.add_paragraph("专业技术工作总结")
    d.add_paragraph("本人任现职以来，负责数控机床主轴系统的设计与改进。" * 20)
    d.save(tmp_path / "总结.docx")
    called = []

    def facts(item, ctx):  # type: ignore[no-untyped-def]
        raise ValueError("facts bug")

    bad = types.SimpleNamespace(MATERIAL="summary", CODES=("SUM001",), facts=facts,
                                check=lambda items, ctx: called.append(1) or [])
    monkeypatch.setattr(pipeline, "load_plugins", lambda: ([Plugin("summary", bad, "summary", ("SUM001",))], []))
    result = pipeline.run(tmp_path, pipeline.Options(cache=False, jobs=1, profile={"name": "周建华"}))
    assert [f.code for f in result.findings if f.code == "GEN011"] == ["GEN011"] and called == []
    assert result.exit_code == 3


def test_title_date_from_the_certificate_before_any_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --title-date / zjcheck.toml, the date read on the title certificate
    is the 任现职 date every window check uses; it is said to be inferred."""
    from datetime import date

    from tests.util import make_item
    from zjcheck_checks import title as title_checker
    from zjcheck.evidence import Fact
    from zjcheck.pipeline import set_facts
    cert = make_item("title", [("专业技术资格证书", ["certificate"])])
    set_facts(cert, {"has_certificate": True, "level": "工程师", "below_engineer": False,
                     "title_date": Fact(date(2018, 12, 20), "ocr", 0.95)})
    below = make_item("title", [("助理工程师", ["certificate"])])
    set_facts(below, {"has_certificate": True, "level": "助理工程师", "below_engineer": True,
                      "title_date": Fact(date(2012, 12, 20), "ocr", 0.95)})
    assert title_checker.profile_hints([below, cert], None)["title_date"].value == date(2018, 12, 20)
    assert title_checker.profile_hints([below], None) == {}

    d = docx.Document()
    d.add_paragraph("专业技术工作总结")
    d.save(tmp_path / "总结.docx")
    seen = []
    first = types.SimpleNamespace(MATERIAL="summary", CODES=("SUM001",),
                                  check=lambda items, ctx: seen.append(ctx.profile.title_date) or [])
    title = types.SimpleNamespace(MATERIAL="title", CODES=(), facts=lambda it, ctx: {}, check=lambda items, ctx: [],
                                  profile_hints=lambda items, ctx: {"title_date": Fact(date(2018, 12, 20), "ocr", 0.9)})
    monkeypatch.setattr(pipeline, "load_plugins", lambda: (
        [Plugin("summary", first, "summary", ("SUM001",)), Plugin("title", title, "title", ())], []))
    result = pipeline.run(tmp_path, pipeline.Options(cache=False, jobs=1, profile={"name": "周建华"}))
    assert seen == [date(2018, 12, 20)]          # set before the first checker (listed before title) ran
    assert result.profile.sources["title_date"] == "inferred"
    from zjcheck.report import html
    from zjcheck.report.text import title_since
    assert title_since(result.profile) == "2018-12-20（从职称证书读取）"
    assert "2018-12-20（从职称证书读取）" in html.render(result)


def test_plugin_runner_calls_a_hook_of_every_plugin_and_survives_a_crash() -> None:
    """A hook raising in one plugin is GEN011 and that plugin is skipped in
    every later stage; the others run (the review hook sees all findings)."""
    from zjcheck.codes import finding
    from zjcheck.pipeline import PluginRunner
    from tests.util import make_context
    seen: list[int] = []

    def review(items, findings, ctx):  # type: ignore[no-untyped-def]
        seen.append(len(findings))
        return [finding("SCO005", "x")]

    def broken(items, findings, ctx):  # type: ignore[no-untyped-def]
        raise ValueError("boom")

    plugins = [Plugin("score_sheet", types.SimpleNamespace(review=review, check=lambda i, c: []), "score_sheet", ()),
               Plugin("paper", types.SimpleNamespace(review=broken, check=lambda i, c: []), "paper", ()),
               Plugin("patent", types.SimpleNamespace(check=lambda i, c: []), "patent", ())]
    runner = PluginRunner(plugins, make_context([]))
    out = runner.call("review", lambda fn, its: fn(its, [finding("PAP005", "y")], None))
    assert seen == [1] and [f.code for _, found in out for f in found] == ["SCO005"]
    assert [f.code for f in runner.findings] == ["GEN011"] and runner.broken == {"paper"}
    assert [p.material for p, _ in runner.call("check", lambda fn, its: fn(its, None))] == ["score_sheet", "patent"]
