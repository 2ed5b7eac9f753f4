"""Catalogue and profile loading: valid data loads, bad data gives a clear error."""

from datetime import date
from pathlib import Path

import pytest

from zjcheck import catalogue, profile
from zjcheck.errors import UsageError


def test_default_catalogue_has_the_notice_dates() -> None:
    cat = catalogue.load()
    assert cat.cutoff == date(2026, 8, 9)
    assert cat.tenure_until == date(2026, 12, 31)
    assert cat.window_start == date(2021, 8, 10)
    assert cat.rule("cont_edu_years") == [2024, 2025, 2026]
    assert cat.rule("cont_edu_min_hours") == 90
    assert cat.rule("assessment_years") == [2021, 2022, 2023, 2024, 2025]
    assert cat.rule("self_score_threshold") == 80
    ids = {i.id for i in cat.items}
    assert {"education", "tenure", "pension", "cont_edu", "project", "patent", "standard", "honor",
            "paper", "book", "assessment", "summary"} <= ids
    assert cat.item_for("employment").id == "pension"


def test_window_rule() -> None:
    cat = catalogue.load()
    assert cat.in_window(date(2022, 1, 1), None)
    assert not cat.in_window(date(2026, 8, 10), None)                 # after the cutoff
    assert not cat.in_window(date(2020, 5, 1), None)                  # older than 5 years ...
    assert cat.in_window(date(2020, 5, 1), date(2019, 12, 20))        # ... but after the current title


def test_bad_catalogue_errors_are_precise(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[catalogue]\nid="x"\nname="x"\n[dates]\ncutoff=2026-08-09\n[[item]]\nid="a"\nname="a"\nmaterials=[]\n', encoding="utf-8")
    with pytest.raises(UsageError, match="tenure_until"):
        catalogue.load(str(bad))
    bad.write_text(open(catalogue.__file__.replace("catalogue.py", "data/catalogue-2026-jidian.toml"),
                        encoding="utf-8").read().replace('materials = ["patent"]', 'materials = ["patents"]'),
                   encoding="utf-8")
    with pytest.raises(UsageError, match="patents"):
        catalogue.load(str(bad))
    with pytest.raises(UsageError, match="没有名为"):
        catalogue.load("1999-nothing")


def test_profile_layers_and_validation(tmp_path: Path) -> None:
    p = profile.build('name = "周建华"\ntitle_date = 2019-12-20\nroute = "常规"\n', None,
                      {"name": None, "route": "破格"})
    assert p.name == "周建华" and p.title_date == date(2019, 12, 20) and p.route == "破格"
    assert p.sources == {"name": "zjcheck.toml", "title_date": "zjcheck.toml", "route": "命令行"}
    with pytest.raises(UsageError, match="route"):
        profile.build('route = "快速"\n', None, {})
    with pytest.raises(UsageError, match="不认识的字段"):
        profile.build('nmae = "周建华"\n', None, {})
    with pytest.raises(UsageError, match="有效日期"):
        profile.build("", None, {"title_date": "去年"})
