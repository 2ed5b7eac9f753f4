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
from zjcheck.catalogue import DEFAULT as DEFAULT_CATALOGUE
from zjcheck.errors import ExitCode, UsageError

CATALOGUE_HELP = f"目录名称或 TOML 文件（默认 {DEFAULT_CATALOGUE}）"
CATALOGUE_BYTES = 1 << 20

app = typer.Typer(add_completion=False, no_args_is_help=True, options_metavar="[选项]",
                  subcommand_metavar="命令 [参数]...",
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
                                       help="显示版本后退出", metavar="")) -> None:
    """zjcheck: 申报材料检查。"""


def _fail(msg: str) -> None:
    """A usage error in Chinese on stderr (exit code 2).  `msg` may quote the
    evidence or the user's own values: it is shown as text, never as markup
    or control sequences."""
    from rich.text import Text
    from zjcheck.escape import terminal
    Console(stderr=True).print(Text("错误：", style="bold red") + Text(terminal(msg)), highlight=False)
    raise typer.Exit(ExitCode.usage)


def _say(msg: str, stderr: bool = True) -> None:
    """A line of zjcheck's own with evidence strings in it (paths), as text."""
    from rich.text import Text
    from zjcheck.escape import terminal
    Console(stderr=stderr).print(Text(terminal(msg)), highlight=False, soft_wrap=True)


@app.command(options_metavar="[选项]")
def check(
    path: Path = typer.Argument(..., help="申报材料文件夹或 .zip 压缩包", metavar="材料"),
    format: Format = typer.Option(Format.text, "--format", "-f", help="输出格式：text / json / html", metavar="格式"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="把报告写入文件（不写入材料目录）", metavar="文件"),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="并行 OCR 进程数（默认：CPU 核数）", metavar="N", show_default=False),
    no_cache: bool = typer.Option(False, "--no-cache", help="不使用页面缓存，全部重新识别", metavar=""),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help=CATALOGUE_HELP, metavar="目录"),
    name: Optional[str] = typer.Option(None, "--name", help="申报人姓名", metavar="姓名"),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="申报人身份证号", metavar="号码"),
    employer: Optional[str] = typer.Option(None, "--employer", help="工作单位", metavar="单位"),
    title_date: Optional[str] = typer.Option(None, "--title-date", help="取得现任职务资格日期，如 2019-12-20", metavar="日期"),
    graduation_date: Optional[str] = typer.Option(None, "--graduation-date", help="毕业日期", metavar="日期"),
    route: Optional[str] = typer.Option(None, "--route", help="申报路线：常规 / 破格", metavar="路线"),
    profile: Optional[Path] = typer.Option(None, "--profile", help="申报人信息文件（zjcheck.toml 格式）", metavar="文件"),
    ocr: str = typer.Option(os.environ.get("ZJCHECK_OCR", "auto"), "--ocr",
                            help="OCR 引擎：auto（默认，即 rapidocr）/ rapidocr / tesseract", metavar="引擎"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出结论行", metavar=""),
) -> None:
    """检查一份申报材料，输出差距报告。"""
    from zjcheck.pipeline import Options, run

    catalogue_file = _catalogue_file(catalogue)
    if output is not None:
        _check_output(output, path, [profile, catalogue_file])
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


@app.command(options_metavar="[选项]")
def batch(
    root: Path = typer.Argument(..., help="文件夹：其中每个子文件夹或 .zip 是一位申报人的材料", metavar="文件夹"),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="报告目录：每人一份 JSON 和 HTML，以及 summary.csv / summary.xlsx（不能在材料目录内）", metavar="文件夹"),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="共用的 OCR 进程数（默认：CPU 核数）", metavar="N", show_default=False),
    no_cache: bool = typer.Option(False, "--no-cache", help="不使用页面缓存，全部重新识别", metavar=""),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help=CATALOGUE_HELP, metavar="目录"),
    ocr: str = typer.Option(os.environ.get("ZJCHECK_OCR", "auto"), "--ocr",
                            help="OCR 引擎：auto（默认，即 rapidocr）/ rapidocr / tesseract", metavar="引擎"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示汇总表，只输出结论行", metavar=""),
) -> None:
    """批量检查：ROOT 下每个子文件夹或 zip 是一位申报人，输出汇总表和报告。"""
    from zjcheck.batch import BarProgress, render_summary, run_batch
    from zjcheck.pipeline import Options

    _catalogue_file(catalogue)
    opts = Options(catalogue=catalogue, jobs=jobs, cache=not no_cache, engine=ocr)
    err = Console(stderr=True)
    try:
        with BarProgress(err, enabled=err.is_terminal and not quiet) as progress:
            br = run_batch(root, opts, out, progress)
    except UsageError as e:
        _fail(str(e))
        return
    render_summary(br, Console(), quiet, out)
    raise typer.Exit(br.exit_code)


def _catalogue_file(catalogue: Optional[str]) -> Optional[Path]:
    """The --catalogue option when it names a file (an input the report must
    not overwrite); refused when it is no regular file of reasonable size."""
    if catalogue and (catalogue.endswith(".toml") or os.sep in catalogue or Path(catalogue).exists()):
        p = Path(catalogue)
        try:
            st = p.stat()
        except OSError:
            return p                          # the catalogue loader says it is missing
        import stat
        if not stat.S_ISREG(st.st_mode) or st.st_size > CATALOGUE_BYTES:
            _fail(f"目录文件 {catalogue} 不是普通文件或超过 {CATALOGUE_BYTES >> 20} MB：请给出目录 TOML 文件")
        return p
    return None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_output(output: Path, evidence: Path, inputs: list[Optional[Path]] | None = None) -> None:
    """Refuse, before any work, a report path that is the evidence itself (a
    zip, a folder, or a link to either), lies inside the evidence folder, is
    another input (--profile, --catalogue), is a folder or a FIFO, or whose
    folder does not exist."""
    import stat
    try:
        out, ev = output.resolve(), evidence.resolve()
    except (OSError, RuntimeError):
        _fail(f"报告文件路径 {output} 无法使用")
        return
    if out == ev or _same(output, evidence) or (ev.is_dir() and out.is_relative_to(ev)):
        _fail(f"报告文件 {output} 就是材料本身或在材料目录之内：zjcheck 不向材料写入任何内容，请换一个报告文件名")
    for other in inputs or []:
        if other is not None and (_same(output, other) or out == other.resolve()):
            _fail(f"报告文件 {output} 就是输入文件 {other}：请换一个报告文件名")
    if out.is_dir():
        _fail(f"{output} 是一个文件夹：请给出报告文件的名字，如 {output / '报告.html'}")
    if not out.parent.is_dir():
        _fail(f"报告文件所在的文件夹 {out.parent} 不存在：请先建好它，或换一个位置")
    try:
        mode = out.stat().st_mode
    except OSError:
        return
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        _fail(f"报告文件 {output} 不是普通文件（管道或套接字）：请换一个报告文件名")


def _emit(text: str, output: Optional[Path]) -> None:
    """The report on stdout, or written to `output` with a line saying where;
    always UTF-8 (evidence strings were made writable by zjcheck.escape)."""
    text = text if text.endswith("\n") else text + "\n"
    data = text.encode("utf-8", "backslashreplace")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as e:
            _fail(f"无法写入报告文件 {output}：{e.strerror or e}")
        _say(f"报告已写入 {output}")


@app.command(options_metavar="[选项]")
def explain(code: str = typer.Argument(..., help="检查代码，如 PAT001", metavar="代码")) -> None:
    """说明一个检查代码的含义和修改方法。"""
    from zjcheck.codes import all_codes
    codes = all_codes()
    c = codes.get(code.strip().upper())
    if c is None:
        from difflib import get_close_matches
        near = get_close_matches(code.strip().upper(), list(codes), n=3, cutoff=0.5)
        prefix = code.strip().upper()[:3]
        same = [k for k in codes if k.startswith(prefix)]
        hint = (f"是不是 {'、'.join(near)}？" if near else
                f"{prefix} 开头的代码有：{'、'.join(same)}" if same else "运行 zjcheck catalogue show 或查看 README 中的代码表")
        _fail(f"没有检查代码 {code}。{hint}")
        return
    from zjcheck.materials import material_name
    sev = {"error": "错误", "warning": "警告", "info": "提示"}[c.severity]
    where = {"general": "通用检查", "xdc": "跨材料检查"}.get(c.material) or material_name(c.material)
    typer.echo(f"{c.code}（{sev}，{where}）\n{c.title}\n修改方法：{c.fix}")


@app.command(options_metavar="[选项]")
def init(
    dest: Path = typer.Argument(..., help="新建的申报材料文件夹", metavar="文件夹"),
    catalogue: Optional[str] = typer.Option(None, "--catalogue", help=CATALOGUE_HELP, metavar="目录"),
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
    _say(f"已创建 {dest}：", stderr=False)
    _say(f"  {plan.sheet.relative_to(dest)}  （空白量化评分表：填写“自评分”和“系统佐证目录”两栏）", stderr=False)
    _say(f"  {plan.profile.relative_to(dest)}  （申报人信息：去掉 # 后填写）", stderr=False)
    for f in plan.folders:
        _say(f"  {f.relative_to(dest)}/", stderr=False)
    _say(f"材料放好后运行：zjcheck check {dest}", stderr=False)


catalogue_app = typer.Typer(no_args_is_help=True, options_metavar="[选项]", subcommand_metavar="命令 [参数]...",
                            help="查看或校验目录文件（量化评分表的评分项目、日期和规则）。")
app.add_typer(catalogue_app, name="catalogue")


def _catalogue_table(cat) -> "object":  # type: ignore[no-untyped-def]
    from rich.table import Table
    from zjcheck.materials import material_name
    from zjcheck.escape import markup
    t = Table(title=markup(f"{cat.name}（{cat.id}，{cat.notice}）"), header_style="bold")
    for col, just in (("id", "left"), ("评分项目", "left"), ("附件2", "right"), ("上限", "right"),
                      ("计分", "center"), ("必备", "center"), ("佐证材料", "left"), ("佐证写法（标签）", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for ci in cat.items:
        t.add_row(*(markup(str(v)) for v in (
            ci.id, ci.name, str(ci.notice_item or ""), "" if ci.cap is None else f"{ci.cap:g}",
            "是" if ci.scored else "否", "是" if ci.required else "",
            "、".join(material_name(m) for m in ci.materials), "、".join(ci.tags))))
    t.caption = markup(f"材料截止 {cat.cutoff.isoformat()}；近五年 {cat.window_start.isoformat()} 起；"
                 f"任职年限计算到 {cat.tenure_until.isoformat()}；"
                 f"破格自评分线 {cat.rules.get('self_score_threshold', '—')}")
    return t


@catalogue_app.command("show", options_metavar="[选项]")
def catalogue_show(name: Optional[str] = typer.Argument(None, help=CATALOGUE_HELP,
                                                       metavar="目录")) -> None:
    """显示目录：评分项目、分值上限、佐证材料和佐证写法。"""
    from zjcheck import catalogue as catalogue_mod
    try:
        cat = catalogue_mod.load(name)
    except UsageError as e:
        _fail(str(e))
        return
    Console().print(_catalogue_table(cat))


@catalogue_app.command("check", options_metavar="[选项]")
def catalogue_check(file: Path = typer.Argument(..., help="要校验的目录 TOML 文件", metavar="文件")) -> None:
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


def _on_signal(signum: int, _frame: object) -> None:
    """SIGTERM (what `timeout` and schedulers send) and SIGHUP end the run like
    Ctrl-C: through every `finally`, so worker processes are ended and temp
    copies of zip members removed."""
    raise SystemExit(128 + signum)


def _install_signals() -> None:
    import signal
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, _on_signal)
        except (ValueError, OSError):     # not the main thread, or no such signal here
            pass


def _internal_error(e: BaseException) -> None:
    """A bug in zjcheck, not a verdict on the package: said so, with the
    traceback for the developers, and exit code 3 ("could not check"), never
    1 ("errors found")."""
    import traceback
    from rich.text import Text
    from zjcheck.escape import terminal
    err = Console(stderr=True)
    err.print(Text("zjcheck 内部错误，检查未完成（不是材料的问题）：", style="bold magenta")
              + Text(terminal(f"{type(e).__name__}: {e}"[:300])), highlight=False)
    err.print(Text("请把以下信息报告给 zjcheck 开发者：", style="dim"), highlight=False)
    sys.stderr.write(terminal("".join(traceback.format_exception(e))[-4000:]) + "\n")
    sys.exit(ExitCode.unchecked)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; usage errors are said in Chinese (exit code 2)."""
    from zjcheck import cli_zh
    _install_signals()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")   # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    cli_zh.install()
    from zjcheck.read import private_temp
    try:
        with private_temp():
            code = app(argv, standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:           # `zjcheck check … | head`: the reader went away, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(128 + 13)
    except Exception as e:  # noqa: BLE001 - only click's usage errors are handled here
        if type(e).__name__ == "Abort":           # click's word for Ctrl-C
            sys.exit(130)
        if isinstance(getattr(e, "__cause__", None) or getattr(e, "__context__", None), BrokenPipeError):
            sys.exit(128 + 13)
        if not cli_zh.is_usage_error(e):
            _internal_error(e)
        from rich.text import Text
        from zjcheck.escape import terminal
        ctx = getattr(e, "ctx", None)
        where = f"{ctx.command_path} --help" if ctx is not None else "zjcheck --help"
        err = Console(stderr=True)
        err.print(Text("错误：", style="bold red") + Text(terminal(cli_zh.usage_error(e.format_message()))),
                  highlight=False)
        err.print(Text(f"运行 {where} 查看用法。"), highlight=False)
        sys.exit(ExitCode.usage)
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
