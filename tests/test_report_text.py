"""The terminal report at 80 columns (issue 17): no line wider than the
terminal, no token split across lines, item labels instead of internal ids."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from tests.conftest import check_package
from zjcheck.report import layout, text as text_report

pytestmark = pytest.mark.ocr


def _render(name: str, width: int) -> str:
    result, _ = check_package(name)
    buf = io.StringIO()
    text_report.render(result, Console(file=buf, width=width, color_system=None, force_terminal=False))
    return buf.getvalue()


@pytest.mark.parametrize("name", ["records-defects", "paper-defects", "gen-bad-files", "compliant"])
@pytest.mark.parametrize("width", [80, 100])
def test_report_fits_the_terminal_and_splits_no_token(name: str, width: int) -> None:
    out = _render(name, width)
    lines = out.splitlines()
    wide = [ln for ln in lines if cell_len(ln) > width]
    assert not wide, "\n".join(wide)
    result, _ = check_package(name)
    # every token of every message, code and path lands whole on one line
    for f in result.findings:
        for tok in layout.tokens(layout.relabel(f.message)) + [f.code, *(f.path or "").split("/")]:
            tok = tok.strip()
            if tok and cell_len(tok) < width - 16:
                assert any(tok in ln for ln in lines), f"{tok!r} split in:\n{out}"


def test_no_internal_ids_in_the_report() -> None:
    out = _render("records-defects", 80)
    assert not re.search(r"\b(?:education|cont_edu|assessment|project|paper|book|patent)-\d", out), out


def test_wrap_keeps_tokens_and_indents() -> None:
    lines = layout.wrap("缺 29 个月：2023-07 至 2024-02，见 PEN002、XDC001；自评 10 分", 20, 4, "错误 ")
    assert all(cell_len(ln) <= 20 for ln in lines)
    assert all(ln.startswith("    ") for ln in lines[1:])
    joined = "\n".join(lines)
    for tok in ("2023-07", "2024-02，", "PEN002、", "XDC001", "10 分", "29 个"):
        assert any(tok in ln for ln in lines), joined


def test_relabel_and_item_label() -> None:
    assert layout.item_label("cont_edu-3") == "继续教育-3"
    assert layout.relabel("佐证：education-1（XDC002）；project-2") == "佐证：学历-1（XDC002）；项目-2"
    assert layout.relabel("title-1x") == "职称-1x" and layout.relabel("subtitle-1") == "subtitle-1"
