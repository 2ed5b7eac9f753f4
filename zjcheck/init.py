"""`zjcheck init DIR`: a starting point for an applicant's package.

Writes into a new (or empty) folder:
- one empty folder per catalogue item (01-学历学位 … 13-量化评分表), named
  with the words recognition takes as path hints;
- a blank 量化评分表.xlsx keyed to the catalogue (序号, 评价项目, 评分标准,
  分值上限, 自评分, 系统佐证目录) in the score sheet's folder;
- zjcheck.toml, the applicant profile, every field commented.

No 说明.txt goes into the folders: the platform does not take .txt files
(the walker reports them as GEN003), so the guidance is in zjcheck.toml's
comments, under the sheet's table and on the terminal.  Existing files are
never overwritten.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from zjcheck.catalogue import Catalogue, CatalogueItem
from zjcheck.errors import UsageError
from zjcheck.materials import recognition

SHEET_NAME = "量化评分表.xlsx"
PROFILE_NAME = "zjcheck.toml"
HEADER = ("序号", "评价项目", "评分标准", "分值上限", "自评分", "系统佐证目录")
HEADER_ROW = 4          # the title and the applicant lines come first, as on the official form


@dataclass
class Plan:
    folders: list[Path]
    sheet: Path
    profile: Path


def folder_name(n: int, ci: CatalogueItem) -> str:
    return f"{n:02d}-{ci.folder or ci.name.split('（')[0].replace('、', '')}"


def plan(dest: Path, cat: Catalogue) -> Plan:
    folders = [dest / folder_name(n, ci) for n, ci in enumerate(cat.items, 1)]
    sheet_dir = next((f for f, ci in zip(folders, cat.items) if "score_sheet" in ci.materials), dest)
    return Plan(folders, sheet_dir / SHEET_NAME, dest / PROFILE_NAME)


def example_tag(ci: CatalogueItem) -> str:
    cjk = [t for t in ci.tags if not t.isascii()]
    return (cjk or list(ci.tags) or [ci.name])[0]


def criteria(ci: CatalogueItem) -> str:
    if ci.criteria:
        return ci.criteria
    parts = "、".join(recognition().materials[m].name for m in ci.materials if m in recognition().materials)
    tag = example_tag(ci)
    return f"按评价条件量化赋分标准自评（佐证：{parts}）；佐证目录写“{tag}-1、{tag}-2”或材料文件夹路径"


def sheet_bytes(cat: Catalogue, dest_folders: list[str]) -> bytes:
    """The blank sheet: merged title, applicant lines, header on row 4, one row
    per scored catalogue item, a 合计 row with a SUM formula, then notes."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "量化评分表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.cell(1, 1, cat.name or "量化评分表").font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.cell(2, 1, f"依据：{cat.notice}    申报人：            工作单位：")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADER))
    ws.cell(3, 1, "申报路线：□常规  □破格（未达学历资历条件、自评分须达到 "
                  f"{cat.rules.get('self_score_threshold', 80)} 分以上）")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(HEADER))
    for c, h in enumerate(HEADER, 1):
        cell = ws.cell(HEADER_ROW, c, h)
        cell.font = Font(bold=True)
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center")
    r = HEADER_ROW
    n = 0
    for ci in cat.items:
        if not ci.scored:
            continue
        n += 1
        r += 1
        values = (n, ci.name, criteria(ci), ci.cap, None, None)
        for c, v in enumerate(values, 1):
            cell = ws.cell(r, c, v)
            cell.border = box
            cell.alignment = wrap
    r += 1
    ws.cell(r, 1, "合计").font = Font(bold=True)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    ws.cell(r, 4, sum(ci.cap or 0 for ci in cat.items if ci.scored))
    ws.cell(r, 5, f"=SUM(E{HEADER_ROW + 1}:E{r - 1})")
    for c in range(1, len(HEADER) + 1):
        ws.cell(r, c).border = box
    notes = [
        "填写说明：",
        "1. 只填“自评分”和“系统佐证目录”两栏；自评分不得超过分值上限，无证明材料的不予评分。",
        "2. 系统佐证目录写材料编号（如 论文-1、专利-2，按各材料文件夹中的顺序编号），或材料的文件夹路径（如 09-论文/论文1）。",
        "3. 材料按以下文件夹存放：" + "、".join(dest_folders),
        "4. 填好后运行 zjcheck check 检查整个材料文件夹。",
    ]
    for k, t in enumerate(notes, r + 2):
        ws.cell(k, 1, t)
    for col, w in zip("ABCDEF", (6, 22, 48, 10, 10, 30)):
        ws.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def profile_text(cat: Catalogue, folders: list[str]) -> str:
    thr = cat.rules.get("self_score_threshold", 80)
    layout = "\n".join(f"#   {f}/" for f in folders)
    return f"""# zjcheck 申报人信息（{cat.notice}，{cat.name}）
# 去掉行首的 # 并填写；未填写的字段 zjcheck 会尽量从材料中识别。
# 命令行参数（--name、--route 等）优先于本文件。本文件不会被上传检查。

# 申报人姓名，与身份证一致
# name = "张三"

# 公民身份号码（18 位）
# id_number = "330106198503120314"

# 现工作单位全称，与社保缴费单位一致
# employer = "浙江某某机电有限公司"

# 取得现任专业技术职务（工程师）资格的时间，写作 年-月-日；不填时用职称证书上识别出的日期，
# 两处都没有时，近五年以前的业绩无法确认是否“任现职后”取得
# title_date = 2019-12-20

# 最高学历毕业时间，写作 年-月-日
# graduation_date = 2007-06-30

# 申报路线："常规"，或"破格"（未达学历资历条件，自评分须达到 {thr} 分以上）
# route = "常规"

# 建议的材料文件夹（zjcheck init 已创建；每份材料一个子文件夹或文件，
# 如 论文/论文1/封面.pdf、专利/专利1.pdf，佐证目录里写 论文-1、专利-1）：
{layout}
"""


def init(dest: Path, cat: Catalogue) -> Plan:
    """Create the layout; refuses (UsageError) before writing anything when a
    file to be written exists or DEST is a non-empty folder's file."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} 已存在且不是文件夹")
    p = plan(dest, cat)
    existing = [x for x in (p.sheet, p.profile) if x.exists()]
    if existing:
        raise UsageError("不覆盖已有文件：" + "、".join(str(x) for x in existing))
    names = [f.name for f in p.folders]
    data = sheet_bytes(cat, names)
    for f in p.folders:
        f.mkdir(parents=True, exist_ok=True)
    p.sheet.parent.mkdir(parents=True, exist_ok=True)
    with open(p.sheet, "xb") as fh:
        fh.write(data)
    with open(p.profile, "x", encoding="utf-8") as fh:
        fh.write(profile_text(cat, names))
    return p
