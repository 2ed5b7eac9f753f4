"""The terminal report, designed for 80 columns first (wider when there is
room): a header, a compact gap table (item, points claimed / supported,
evidence, one result word), the findings by item with hanging indents, and
the verdict.  Lines are laid out here (zjcheck.report.layout), never wrapped
by the terminal, so no code, number or path is split and nothing is cut.
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.text import Text

from zjcheck.escape import terminal
from zjcheck.materials import material_name
from zjcheck.model import Finding, Profile
from zjcheck.pipeline import GapRow, Result
from zjcheck.report.layout import fit, item_label, pad, relabel, wrap

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEV_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
NAME_SOURCE = {"inferred": "从材料推断", "zjcheck.toml": "zjcheck.toml", "命令行": "命令行"}
MIN_WIDTH, MAX_WIDTH = 60, 120


def title_since(prof: Profile) -> str:
    """The current title's date for the header, and where it came from when read off the certificate."""
    since = prof.title_date.isoformat() if prof.title_date else "未知"
    if prof.sources.get("title_date") == "inferred":
        since += "（从职称证书读取）"
    return since


def _pts(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def header_lines(r: Result, width: int) -> list[str]:
    s = r.stats
    name = terminal(r.profile.name or "（未知）", keep_newlines=False)
    src = r.profile.sources.get("name")
    if src:
        name += f"（{NAME_SOURCE.get(src, src)}）"
    ocr = s.get("ocr_engine") or {}
    engine = ocr.get("name")
    if engine and ocr.get("backend"):
        engine += f"（{ocr['backend']}）"
    rows = [
        ("申报人", f"{name}；{r.profile.route}申报；任现职 {title_since(r.profile)}"),
        ("材料", terminal(r.root, keep_newlines=False)),
        ("目录", terminal(f"{r.catalogue.name}（{r.catalogue.notice}，材料截止 {r.catalogue.cutoff.isoformat()}）")),
        ("读取", f"{s['files']} 个文件、{s['pages']} 页（本次 OCR {s['pages_ocr']} 页，缓存 {s['pages_cached']} 页"
                 + (f"，引擎 {engine}" if engine else "") + f"）；忽略系统文件 {s['ignored']} 个；用时 {s['seconds']:.1f} 秒"),
    ]
    out = [f"zjcheck {s.get('zjcheck', '')} 申报材料检查报告"]
    for label, value in rows:
        out += wrap(value, width, 8, pad(label, 8))
    return out


def result_word(g: GapRow) -> tuple[str, str]:
    """(word, style) of a gap row: what a reader needs at a glance."""
    errors = sum(1 for m in g.missing if not m.startswith("（"))
    if errors:
        return f"✗ {errors} 个问题", "red"
    if g.missing:
        return "未能检查", "magenta"
    if g.warnings:
        return f"! {len(g.warnings)} 个警告", "yellow"
    if g.unconfirmed:
        return f"? {len(g.unconfirmed)} 处无法确认", "cyan"
    if g.found == 0 and not g.required:
        return "— 未提供", "dim"
    return "✓ 通过", "green"


def gap_lines(r: Result, width: int) -> list[tuple[str, str | None]]:
    """The gap table as (line, style) pairs; its columns fit `width`."""
    w_pts, w_ev, w_res = 11, 9, 18
    w_name = max(14, width - w_pts - w_ev - w_res - 3)
    head = (pad("评分项目", w_name) + " " + pad("自评/可支持", w_pts, True) + " " + pad("材料", w_ev, True)
            + " " + "结果")
    out: list[tuple[str, str | None]] = [("量化评分表对照（差距报告）", "bold"), (head, "bold"), ("─" * width, "dim")]
    for g in r.gap:
        name = terminal(g.name, keep_newlines=False) + ("（必备）" if not g.scored else "")
        pts = f"{_pts(g.claimed)}/{_pts(g.supported)}" if g.scored else ""
        ev = f"{g.found} 项" if g.found else "无"
        word, style = result_word(g)
        names = wrap(name, w_name)
        first = (pad(names[0], w_name) + " " + pad(pts, w_pts, True) + " " + pad(ev, w_ev, True) + " "
                 + fit(word, w_res))
        out.append((first, style if style != "green" else None))
        out += [(ln, None) for ln in names[1:]]
    tot = getattr(r, "totals", None) or {}
    if tot.get("claimed") is not None:
        out.append(("─" * width, "dim"))
        total = f"{_pts(tot['claimed'])}/{_pts(tot.get('supported'))}"
        line = pad("合计", w_name) + " " + pad(total, w_pts, True)
        notes = []
        if tot.get("stated") is not None and abs(tot["stated"] - tot["claimed"]) > 0.01:
            notes.append(f"合计栏写 {tot['stated']:g} 分")
        if tot.get("route") == "破格" and tot.get("threshold") is not None:
            notes.append(f"破格申报须达 {tot['threshold']:g} 分")
        if tot.get("at_risk"):
            notes.append(f"{tot['at_risk']:g} 分有风险")
        out.append((line, "bold red" if tot.get("at_risk") else "bold"))
        if notes:
            out += [(ln, None) for ln in wrap("；".join(notes), width, 2, "  ")]
    elif tot:
        out.append(("未读到量化评分表：自评分一栏无法对照", "yellow"))
    return out


def finding_lines(f: Finding, width: int) -> list[tuple[str, str | None]]:
    """One finding: severity and code, the message with a hanging indent, where it is, how to fix it."""
    lead = f"{SEV_LABEL[f.severity]} {f.code}  "
    indent = len(lead) + 2            # the label's two CJK characters are two cells each
    msg = terminal(relabel(f.message))
    if f.evidence and not msg.startswith(item_label(f.evidence)):
        msg = f"{item_label(f.evidence)}：{msg}"
    out = [(ln, SEV_STYLE[f.severity] if i == 0 else None) for i, ln in enumerate(wrap(msg, width, indent, lead))]
    if f.path:
        where = terminal(f.path, keep_newlines=False) + (f" 第 {f.page} 页" if f.page else "")
        out += [(ln, "dim") for ln in wrap(where, width, indent, " " * indent)]
    if f.fix and f.severity != "info":
        out += [(ln, "green") for ln in wrap("修改：" + terminal(f.fix), width, indent + 6, " " * indent)]
    return out


def findings_lines(r: Result, width: int) -> list[tuple[str, str | None]]:
    if not r.findings:
        return []
    names = {ci.id: ci.name for ci in r.catalogue.items}
    by_item: dict[str, list[Finding]] = defaultdict(list)
    for f in r.findings:
        by_item[f.item or "_general"].append(f)
    out: list[tuple[str, str | None]] = [("", None), ("问题与提示（按评分项目）", "bold")]
    for key in [ci.id for ci in r.catalogue.items] + ["_general"]:
        fs = by_item.get(key)
        if not fs:
            continue
        out.append(("", None))
        out += [(ln, "bold") for ln in wrap(terminal(f"■ {names.get(key, '通用检查与其他')}（{len(fs)} 条）"), width, 2)]
        for f in fs:
            out += finding_lines(f, width)
    return out


def verdict(r: Result, quiet: bool = False) -> Text:
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
        how = "去掉 -q 再运行一次可看到每个问题和修改方法" if quiet else "请按报告中的“修改”提示处理"
        return Text(f"发现 {c['error']} 个错误、{c['warning']} 个警告：材料有缺漏，{how}。{checked}。", style="bold red")
    if c["warning"]:
        return Text(f"未发现错误；有 {c['warning']} 个警告请核对。{checked}。", style="bold yellow")
    if unsure:
        return Text(f"未发现问题：{checked}。", style="bold green")
    return Text(f"未发现问题：{checked}，全部检查通过。", style="bold green")


def report_width(console: Console) -> int:
    return max(MIN_WIDTH, min(MAX_WIDTH, console.width))


def render(r: Result, console: Console, quiet: bool = False) -> None:
    width = report_width(console)
    if not quiet:
        lines: list[tuple[str, str | None]] = [(ln, None) for ln in header_lines(r, width)]
        lines.append(("─" * width, "dim"))
        lines += gap_lines(r, width)
        lines += findings_lines(r, width)
        lines.append(("", None))
        for line, style in lines:        # terminal(): a safety net, the parts were escaped before layout
            console.print(Text(terminal(line), style=style or ""), soft_wrap=True, highlight=False)
    v = verdict(r, quiet)
    for line in wrap(v.plain, width):
        console.print(Text(terminal(line), style=v.style), soft_wrap=True, highlight=False)
