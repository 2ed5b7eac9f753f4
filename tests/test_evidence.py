"""Severity follows evidence (SPEC §7): one mechanism in codes.finding(needs=...)."""

from __future__ import annotations

from zjcheck.codes import finding
from zjcheck.evidence import Fact, derived, grouping_confident
from tests.util import make_item


def test_error_on_strong_facts_stays_an_error() -> None:
    f = finding("PAT003", "专利-1：发明人中没有申报人", needs={"发明人": Fact(["李明"], "ocr", 0.95)})
    assert f.code == "PAT003" and f.severity == "error"


def test_error_on_a_weak_or_missing_fact_is_could_not_verify() -> None:
    weak = finding("PAT003", "专利-1：发明人中没有申报人", needs={"发明人": Fact(["信息如下"], "ocr", 0.41)})
    assert weak.code == "GEN012" and weak.severity == "info"
    assert "发明人识别可信度低" in weak.message and weak.data["would_be"] == "PAT003"
    missing = finding("PAT004", "专利-1：授权公告日晚于截止日", needs={"授权公告日": None})
    assert missing.code == "GEN012" and "授权公告日未能识别" in missing.message
    invalid = finding("PAT002", "专利号校验位错误", needs={"专利号": Fact("ZL2022", "ocr", 0.99, valid=False)})
    assert invalid.code == "GEN012"


def test_warnings_follow_the_same_rule_and_infos_are_untouched() -> None:
    assert finding("TIT002", "任职年限不足", needs={"取得时间": Fact(1, "ocr", 0.5)}).code == "GEN012"
    assert finding("GEN012", "无法确认", needs={"x": None}).code == "GEN012"


def test_derived_fact_is_as_sure_as_its_weakest_input() -> None:
    d = derived(36, [Fact(1, "text-layer"), Fact(2, "ocr", 0.6)])
    assert d is not None and not d.strong
    assert derived(36, [Fact(1, "text-layer"), None]) is None
    assert derived(36, [Fact(1, "text-layer"), Fact(2, "ocr", 0.95)]).strong


def test_grouping_confident_needs_one_page_recognised_on_its_own() -> None:
    item = make_item("book", [("CIP 查询结果", ["cip_lookup"])])
    item.pages[0].score = 4.0
    assert not grouping_confident(item)
    item.pages[0].score = 9.0
    assert grouping_confident(item)
