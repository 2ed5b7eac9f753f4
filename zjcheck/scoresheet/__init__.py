"""The applicant's 量化评分表 (附件2 item 15): reading it in its forms and
resolving its 系统佐证目录 against the evidence found.

    model     rows, cells, references; the sheet's words (data/score_sheet.toml)
    labels    which catalogue item a row names
    read      XLSX / DOCX / text layer into a ScoreSheet; finding the sheet
    ocrtable  a scanned sheet's table rebuilt from OCR line boxes
    refs      what a 系统佐证目录 reference names
    claims    points claimed and supported per catalogue item (the gap report)

The engine calls `assess` and reads ctx.shared["score_sheet"] (a ScoreSheet).
"""

from zjcheck.scoresheet.claims import Claim, assess, evidence_errors, row_support
from zjcheck.scoresheet.labels import label_names, match_items, match_label
from zjcheck.scoresheet.model import (EMPTY_REF, ROLES, Grid, GridCell, Ref, ScoreSheet, SheetRow, is_total, parse_cap,
                                      parse_number, parse_score, sheet_route, words)
from zjcheck.scoresheet.ocrtable import grid_from_lines
from zjcheck.scoresheet.read import (find_header, role_of, find_sheet, grid_from_docx, grid_from_text, grid_from_xlsx,
                                     parse_document, rows_from_grid, rows_from_text_lines)
from zjcheck.scoresheet.refs import has_refs, resolve, resolve_sheet, split_refs

__all__ = ["Claim", "EMPTY_REF", "Grid", "GridCell", "ROLES", "Ref", "ScoreSheet", "SheetRow", "assess", "evidence_errors",
           "find_header", "find_sheet", "grid_from_docx", "grid_from_lines", "grid_from_text", "grid_from_xlsx",
           "has_refs", "is_total", "label_names", "match_items", "match_label", "parse_cap", "parse_document",
           "parse_number", "parse_score", "resolve",
           "resolve_sheet", "role_of", "row_support", "rows_from_grid", "rows_from_text_lines", "sheet_route",
           "split_refs", "words"]
