"""Batch exports: summary.csv (UTF-8 with BOM, so Excel shows Chinese) and
summary.xlsx (sheet 1: one row per applicant; sheet 2: one row per finding).

File names and OCR text are hostile input: a cell that starts with ``=``,
``+``, ``-``, ``@`` (or a tab/CR) would be run as a formula by Excel, so such
strings are written as text (xlsx) or prefixed with an apostrophe (csv);
control characters (which XLSX cannot hold) are shown escaped, and names
that are not UTF-8 are decoded readably (zjcheck.escape).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from zjcheck.escape import cell as xlsx_text, readable

# (key, Chinese header) — the order of the columns.
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("applicant", "申报人（文件夹）"),
    ("name", "姓名"),
    ("verdict", "结论"),
    ("exit_code", "退出码"),
    ("errors", "错误"),
    ("warnings", "警告"),
    ("infos", "提示"),
    ("claimed", "自评分合计"),
    ("supported", "有佐证的分数"),
    ("files", "文件数"),
    ("pages", "页数"),
    ("pages_ocr", "本次OCR页数"),
    ("unreadable", "无法读取的文件"),
    ("problem", "主要问题"),
    ("seconds", "用时（秒）"),
    ("path", "材料路径"),
    ("report", "HTML报告"),
)

FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("applicant", "申报人（文件夹）"),
    ("code", "代码"),
    ("severity", "级别"),
    ("item", "评分项目"),
    ("material", "材料"),
    ("evidence", "佐证材料"),
    ("path", "文件"),
    ("page", "页"),
    ("message", "问题"),
    ("fix", "修改方法"),
)

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_csv(v: Any) -> Any:
    if isinstance(v, str):
        v = readable(v)                   # a GBK file name: readable text, not an encoding error
        return "'" + v if v.startswith(_FORMULA_START) else v
    if isinstance(v, float) and v.is_integer():
        return int(v)                     # 72, as the XLSX shows it, not 72.0
    return "" if v is None else v


def write_csv(rows: Iterable[Mapping[str, Any]], path: Path,
              columns: Sequence[tuple[str, str]] = SUMMARY_COLUMNS) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([label for _, label in columns])
        for row in rows:
            w.writerow([_safe_csv(row.get(key)) for key, _ in columns])


def _sheet(ws: Any, rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font
    ws.append([label for _, label in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (key, _) in enumerate(columns, start=1):
            v = row.get(key)
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str):
                cell.value = xlsx_text(v)     # control characters cannot be stored in XLSX: shown escaped
                cell.data_type = "s"          # never a formula, whatever the text starts with
                if key == "report" and v and "://" not in v:
                    cell.hyperlink = v        # the applicant's HTML report, beside summary.xlsx
                    cell.style = "Hyperlink"
            else:
                cell.value = int(v) if isinstance(v, float) and v.is_integer() else v
    ws.freeze_panes = "B2"
    for c, (key, label) in enumerate(columns, start=1):
        width = {"message": 60, "problem": 50, "fix": 40, "path": 40, "report": 30}.get(key, max(8, len(label) * 2 + 2))
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = width
    ws.auto_filter.ref = ws.dimensions


def write_xlsx(summary: Iterable[Mapping[str, Any]], findings: Iterable[Mapping[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "申报人汇总"
    _sheet(ws, summary, SUMMARY_COLUMNS)
    _sheet(wb.create_sheet("问题明细"), findings, FINDING_COLUMNS)
    wb.save(path)
