"""The terminal report (rich): header, gap table, findings by item, verdict."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from zjcheck.materials import material_name
from zjcheck.model import Profile
from zjcheck.pipeline import Result

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEV_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
NAME_SOURCE = {"inferred": "从材料推断", "zjcheck.toml": "zjcheck.toml", "命令行": "命令行"}


def title_since(prof: Profile) -> str:
    """The current title's date for the header, and where it came from when read off the certificate."""
    since = prof.title_date.isoformat() if prof.title_date else "未知"
    if prof.sources.get("title_date") == "inferred":
        since += "（从职称证书读取）"
    return since


def header(r: Result) -> Panel:
    s = r.stats
    name = r.profile.name or "（未知）"
    src = r.profile.sources.get("name")
    if src:
        name += f"（{NAME_SOURCE.get(src, src)}）"
    lines = [
        f"申报人：{name}    申报路线：{r.profile.route}    任现职时间：{title_since(r.profile)}",
        f"材料：{r.root}",
        f"目录：{r.catalogue.name}（{r.catalogue.notice}，材料截止 {r.catalogue.cutoff.isoformat()}）",
        f"读取文件 {s['files']} 个，共 {s['pages']} 页；本次 OCR {s['pages_ocr']} 页，缓存 {s['pages_cached']} 页；"
        f"忽略系统文件 {s['ignored']} 个；用时 {s['seconds']:.1f} 秒",
    ]
    return Panel("\n".join(lines), title=f"zjcheck {s.get('zjcheck', '')}", expand=False)


def _pts(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def gap_table(r: Result) -> Table:
    """The gap report: per catalogue item, points claimed on the 量化评分表 and
    the evidence behind them (cited / found / verified), points supported."""
    t = Table(title="量化评分表对照（差距报告）", show_lines=False, header_style="bold")
    t.add_column("评分项目")
    t.add_column("上限", justify="right")
    t.add_column("自评分", justify="right")
    t.add_column("佐证", justify="right")
    t.add_column("找到", justify="right")
    t.add_column("已核实", justify="right")
    t.add_column("可支持", justify="right")
    t.add_column("缺少或有问题", overflow="fold")
    for g in r.gap:
        miss = "；".join(g.missing[:3]) + (f" 等 {len(g.missing)} 项" if len(g.missing) > 3 else "")
        style = "red" if any(not m.startswith("（") for m in g.missing) else None
        sup = Text(_pts(g.supported), style="red" if g.at_risk else "")
        cell = Text(miss or ("" if g.unconfirmed else "✓"), style=style or ("green" if not miss else "dim"))
        if g.unconfirmed:
            cell.append(("；" if miss else "") + f"无法确认 {len(g.unconfirmed)} 处", style="cyan")
        t.add_row(g.name + ("" if g.scored else "（必备）"), _pts(g.cap) if g.scored else "", _pts(g.claimed),
                  "—" if g.cited is None else str(g.cited), str(g.found), str(g.verified), sup, cell)
    tot = getattr(r, "totals", None) or {}
    if tot.get("claimed") is not None:
        t.add_section()
        note = []
        if tot.get("stated") is not None and abs(tot["stated"] - tot["claimed"]) > 0.01:
            note.append(f"合计栏写 {tot['stated']:g} 分")
        if tot.get("route") == "破格" and tot.get("threshold") is not None:
            note.append(f"破格申报须 ≥ {tot['threshold']:g} 分")
        if tot.get("at_risk"):
            note.append(f"{tot['at_risk']:g} 分有风险")
        t.add_row(Text("合计", style="bold"), "", Text(_pts(tot["claimed"]), style="bold"), "", "", "",
                  Text(_pts(tot.get("supported")), style="bold red" if tot.get("at_risk") else "bold green"),
                  "；".join(note))
    elif tot:
        t.caption = "未读到量化评分表：自评分一栏无法对照"
    return t


def findings_block(r: Result) -> Group | None:
    if not r.findings:
        return None
    names = {ci.id: ci.name for ci in r.catalogue.items}
    by_item: dict[str, list] = defaultdict(list)
    for f in r.findings:
        by_item[f.item or "_general"].append(f)
    order = [ci.id for ci in r.catalogue.items] + ["_general"]
    parts = []
    for key in order:
        fs = by_item.get(key)
        if not fs:
            continue
        t = Table(title=names.get(key, "通用检查与其他"), title_justify="left", show_header=False,
                  box=None, padding=(0, 1))
        t.add_column(no_wrap=True)
        t.add_column(no_wrap=True)
        t.add_column(overflow="fold")
        for f in fs:
            where = ""
            if f.path:
                where = f.path + (f"#第{f.page}页" if f.page else "")
            body = Text(f.message)
            if where:
                body.append(f"\n  {where}", style="dim")
            if f.fix and f.severity != "info":
                body.append(f"\n  → {f.fix}", style="green")
            t.add_row(Text(f.code, style=SEV_STYLE[f.severity]), Text(SEV_LABEL[f.severity], style=SEV_STYLE[f.severity]), body)
        parts.append(t)
    return Group(*parts)


def verdict(r: Result) -> Text:
    c = r.counts()
    s = r.stats
    checked = f"检查了 {s['files']} 个文件、{s['pages']} 页、{len(r.items)} 项材料"
    unsure = sum(1 for f in r.findings if f.code == "GEN012")
    if unsure:
        checked += f"；另有 {unsure} 处无法确认（见“提示”），请人工核对"
    if r.unreadable or r.unchecked:
        what = "；".join(w for w in (
            f"有 {r.unreadable} 个文件无法检查" if r.unreadable else "",
            f"{'、'.join(material_name(m) for m in r.unchecked)}的检查出错、未能检查" if r.unchecked else "") if w)
        return Text(f"{what}；另有 {c['error']} 个错误、{c['warning']} 个警告。{checked}。", style="bold magenta")
    if c["error"]:
        return Text(f"发现 {c['error']} 个错误、{c['warning']} 个警告：材料有缺漏，请按上面的提示修改。{checked}。",
                    style="bold red")
    if c["warning"]:
        return Text(f"未发现错误；有 {c['warning']} 个警告请核对。{checked}。", style="bold yellow")
    if unsure:
        return Text(f"未发现问题：{checked}。", style="bold green")
    return Text(f"未发现问题：{checked}，全部检查通过。", style="bold green")


def render(r: Result, console: Console, quiet: bool = False) -> None:
    if not quiet:
        console.print(header(r))
        console.print(gap_table(r))
        block = findings_block(r)
        if block is not None:
            console.print(block)
    console.print(verdict(r))
