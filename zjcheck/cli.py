"""Command line: `zjcheck check PATH`, `zjcheck batch ROOT`, `zjcheck explain CODE`, `zjcheck --version`.

Exit codes (SPEC §3): 0 no errors; 1 errors found; 2 usage or configuration
error; 3 some files could not be checked at all.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from zjcheck import __version__
from zjcheck.errors import ExitCode, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="浙江省机电制造专业高级工程师申报材料离线检查工具（zjcheck）。材料不会离开本机。")



class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zjcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="显示版本后退出")) -> None:
    """zjcheck: 申报材料检查。"""


def _fail(msg: str) -> None:
    Console(stderr=True).print(f"[bold red]错误：[/]{msg}")
    raise typer.Exit(ExitCode.usage)


@app.command()
def check(
    path: Path = typer.Argument(..., help="申报材料文件夹或 .zip 压缩包"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="输出格式：text / json / html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="把报告写入文件（不写入材料目录）"),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="并行 OCR 进程数（默认：CPU 核数）"),
    no_cache: bool = typer.Option(False, "--no-cache", help="不使用页面缓存，全部重新识别"),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help="目录名称或 TOML 文件（默认 2026-jidian）"),
    name: Optional[str] = typer.Option(None, "--name", help="申报人姓名"),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="申报人身份证号"),
    employer: Optional[str] = typer.Option(None, "--employer", help="工作单位"),
    title_date: Optional[str] = typer.Option(None, "--title-date", help="取得现任职务资格日期，如 2019-12-20"),
    graduation_date: Optional[str] = typer.Option(None, "--graduation-date", help="毕业日期"),
    route: Optional[str] = typer.Option(None, "--route", help="申报路线：常规 / 破格"),
    profile: Optional[Path] = typer.Option(None, "--profile", help="申报人信息文件（zjcheck.toml 格式）"),
    ocr: str = typer.Option(os.environ.get("ZJCHECK_OCR", "auto"), "--ocr",
                            help="OCR 引擎：auto（默认，即 rapidocr）/ rapidocr / tesseract"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出结论行"),
) -> None:
    """检查一份申报材料，输出差距报告。"""
    from zjcheck.pipeline import Options, run

    if output is not None:
        _refuse_inside(output, path)
    opts = Options(
        catalogue=catalogue, profile_file=profile, jobs=jobs, cache=not no_cache, engine=ocr,
        profile={"name": name, "id_number": id_number, "employer": employer, "title_date": title_date,
                 "graduation_date": graduation_date, "route": route},
    )
    err = Console(stderr=True)
    try:
        if format is Format.text and output is None and not quiet and err.is_terminal:
            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True) as bar:
                task = bar.add_task("读取页面", total=None)
                result = run(path, opts, lambda done, total: bar.update(task, completed=done, total=total))
        else:
            result = run(path, opts)
    except UsageError as e:
        _fail(str(e))
        return
    if format is Format.json:
        from zjcheck.report import json as json_report
        _emit(json_report.render(result), output)
    elif format is Format.html:
        try:
            from zjcheck.report import html as html_report
        except ImportError:
            _fail("HTML 报告尚未实现，请使用 --format text 或 json")
            return
        _emit(html_report.render(result), output)
    else:
        from zjcheck.report import text as text_report
        if output is not None:
            console = Console(record=True, width=120, file=open(os.devnull, "w"))
            text_report.render(result, console, quiet)
            _emit(console.export_text(), output)
        else:
            text_report.render(result, Console(), quiet)
    raise typer.Exit(result.exit_code)


@app.command()
def batch(
    root: Path = typer.Argument(..., help="文件夹：其中每个子文件夹或 .zip 是一位申报人的材料"),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="报告目录：每人一份 JSON 和 HTML，以及 summary.csv / summary.xlsx（不能在材料目录内）"),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="共用的 OCR 进程数（默认：CPU 核数）"),
    no_cache: bool = typer.Option(False, "--no-cache", help="不使用页面缓存，全部重新识别"),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help="目录名称或 TOML 文件（默认 2026-jidian）"),
    ocr: str = typer.Option(os.environ.get("ZJCHECK_OCR", "auto"), "--ocr",
                            help="OCR 引擎：auto（默认，即 rapidocr）/ rapidocr / tesseract"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示汇总表，只输出结论行"),
) -> None:
    """批量检查：ROOT 下每个子文件夹或 zip 是一位申报人，输出汇总表和报告。"""
    from zjcheck.batch import BarProgress, render_summary, run_batch
    from zjcheck.pipeline import Options

    opts = Options(catalogue=catalogue, jobs=jobs, cache=not no_cache, engine=ocr)
    err = Console(stderr=True)
    try:
        with BarProgress(err, enabled=err.is_terminal and not quiet) as progress:
            br = run_batch(root, opts, out, progress)
    except UsageError as e:
        _fail(str(e))
        return
    render_summary(br, Console() if sys.stdout.isatty() else Console(width=160), quiet, out)
    raise typer.Exit(br.exit_code)


def _refuse_inside(output: Path, evidence: Path) -> None:
    try:
        if output.resolve().is_relative_to(evidence.resolve()) and evidence.is_dir():
            _fail(f"报告文件 {output} 在材料目录之内：zjcheck 不向材料目录写入任何文件")
    except OSError:
        pass


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


@app.command()
def explain(code: str = typer.Argument(..., help="检查代码，如 PAT001")) -> None:
    """说明一个检查代码的含义和修改方法。"""
    from zjcheck.codes import all_codes
    codes = all_codes()
    c = codes.get(code.strip().upper())
    if c is None:
        _fail(f"没有代码 {code}。全部代码：{', '.join(codes)}")
        return
    sev = {"error": "错误", "warning": "警告", "info": "提示"}[c.severity]
    typer.echo(f"{c.code}（{sev}，{c.material}）\n{c.title}\n修改方法：{c.fix}")


@app.command()
def init(
    dest: Path = typer.Argument(..., help="新建的申报材料文件夹"),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help="目录名称或 TOML 文件（默认 2026-jidian）"),
) -> None:
    """新建材料文件夹：空白《量化评分表》、zjcheck.toml 和建议的文件夹结构（不覆盖已有文件）。"""
    from zjcheck import catalogue as catalogue_mod
    from zjcheck.init import init as do_init
    try:
        cat = catalogue_mod.load(catalogue)
        plan = do_init(dest, cat)
    except UsageError as e:
        _fail(str(e))
        return
    except OSError as e:
        _fail(f"无法写入 {dest}：{e.strerror or e}")
        return
    out = Console()
    out.print(f"已创建 [bold]{dest}[/]：")
    out.print(f"  {plan.sheet.relative_to(dest)}  （空白量化评分表：填写“自评分”和“系统佐证目录”两栏）")
    out.print(f"  {plan.profile.relative_to(dest)}  （申报人信息：去掉 # 后填写）")
    for f in plan.folders:
        out.print(f"  {f.relative_to(dest)}/")
    out.print(f"材料放好后运行：zjcheck check {dest}")


catalogue_app = typer.Typer(no_args_is_help=True, help="查看或校验目录文件（量化评分表的评分项目、日期和规则）。")
app.add_typer(catalogue_app, name="catalogue")


def _catalogue_table(cat) -> "object":  # type: ignore[no-untyped-def]
    from rich.table import Table
    from zjcheck.materials import material_name
    t = Table(title=f"{cat.name}（{cat.id}，{cat.notice}）", header_style="bold")
    for col, just in (("id", "left"), ("评分项目", "left"), ("附件2", "right"), ("上限", "right"),
                      ("计分", "center"), ("必备", "center"), ("佐证材料", "left"), ("佐证写法（标签）", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for ci in cat.items:
        t.add_row(ci.id, ci.name, str(ci.notice_item or ""), "" if ci.cap is None else f"{ci.cap:g}",
                  "是" if ci.scored else "否", "是" if ci.required else "",
                  "、".join(material_name(m) for m in ci.materials), "、".join(ci.tags))
    t.caption = (f"材料截止 {cat.cutoff.isoformat()}；近五年 {cat.window_start.isoformat()} 起；"
                 f"任职年限计算到 {cat.tenure_until.isoformat()}；"
                 f"破格自评分线 {cat.rules.get('self_score_threshold', '—')}")
    return t


@catalogue_app.command("show")
def catalogue_show(name: Optional[str] = typer.Argument(None, help="目录名称或 TOML 文件（默认 2026-jidian）")) -> None:
    """显示目录：评分项目、分值上限、佐证材料和佐证写法。"""
    from zjcheck import catalogue as catalogue_mod
    try:
        cat = catalogue_mod.load(name)
    except UsageError as e:
        _fail(str(e))
        return
    Console().print(_catalogue_table(cat))


@catalogue_app.command("check")
def catalogue_check(file: Path = typer.Argument(..., help="要校验的目录 TOML 文件")) -> None:
    """校验一个目录文件；有错时说明错在哪里（退出码 2）。"""
    from zjcheck import catalogue as catalogue_mod
    if not file.is_file():
        _fail(f"找不到目录文件：{file}")
        return
    try:
        cat = catalogue_mod.load(str(file))
    except UsageError as e:
        _fail(str(e))
        return
    scored = [ci for ci in cat.items if ci.scored]
    typer.echo(f"目录文件有效：{cat.name}（{cat.id}），{len(cat.items)} 个评分项目，其中计分 {len(scored)} 项，"
               f"分值上限合计 {sum(ci.cap or 0 for ci in scored):g} 分")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
