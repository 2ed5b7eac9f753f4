"""The pipeline: walk -> read -> recognise -> group -> check -> cross-check -> gap table."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zjcheck import __version__, catalogue as catalogue_mod, crossdoc, profile as profile_mod
from zjcheck.cache import PageCache, default_dir
from zjcheck.catalogue import Catalogue
from zjcheck.codes import finding
from zjcheck.errors import UsageError
from zjcheck.evidence import Fact
from zjcheck.materials import material_name, part_name, personal_materials
from zjcheck.model import Document, Finding, Item, Profile
from zjcheck.plugins import Context, load_plugins
from zjcheck.read import ReadSettings, low_text_pages, read_all
from zjcheck.recognise import classify_document, group
from zjcheck.walk import walk

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_LABELLED = re.compile(r"^\S{1,12}?-\d+")      # a message that already names its evidence (专利-2：…)


@dataclass
class Options:
    catalogue: str | None = None
    profile_file: Path | None = None
    profile: dict[str, Any] = field(default_factory=dict)   # CLI fields
    jobs: int = 0
    cache: bool = True
    cache_dir: Path | None = None
    engine: str = "auto"
    dpi: int = 200


@dataclass
class GapRow:
    item: str
    name: str
    claimed: float | None       # points the applicant claims (量化评分表)
    found: int                  # pieces of evidence found
    verified: int               # pieces with no error finding
    missing: list[str]
    required: bool
    scored: bool
    cap: float | None = None
    cited: int | None = None        # pieces of evidence the sheet names for the item
    supported: float | None = None  # claimed points the evidence supports
    at_risk: float | None = None    # claimed points not supported
    unconfirmed: list[str] = field(default_factory=list)   # what could not be verified (GEN012)

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "name": self.name, "claimed": self.claimed, "found": self.found,
                "verified": self.verified, "missing": self.missing, "required": self.required,
                "scored": self.scored, "cap": self.cap, "cited": self.cited,
                "supported": self.supported, "at_risk": self.at_risk, "unconfirmed": self.unconfirmed}


@dataclass
class Result:
    root: str
    catalogue: Catalogue
    profile: Profile
    documents: list[Document]
    items: list[Item]
    findings: list[Finding]
    gap: list[GapRow]
    stats: dict[str, Any]
    unreadable: int
    totals: dict[str, Any] = field(default_factory=dict)   # self-score totals (JSON `totals`)

    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.findings)

    @property
    def unchecked(self) -> list[str]:
        """Materials whose checker crashed (GEN011): "could not check", like an unreadable file."""
        return sorted({f.material for f in self.findings if f.code == "GEN011"})

    @property
    def exit_code(self) -> int:
        if self.unreadable or self.unchecked:
            return 3
        return 1 if self.counts()["error"] else 0


def _check_cache_location(cache_dir: Path, evidence: Path) -> None:
    try:
        if cache_dir.resolve().is_relative_to(evidence.resolve()):
            raise UsageError(f"缓存目录 {cache_dir} 位于材料目录之内：zjcheck 不向材料目录写入任何文件，请换一个缓存目录")
    except OSError:
        pass


def run(path: Path, opts: Options, progress: Callable[[int, int], None] | None = None) -> Result:
    t0 = time.monotonic()
    if not path.exists():
        raise UsageError(f"找不到材料：{path}")
    cat = catalogue_mod.load(opts.catalogue)
    walked = walk(path)
    prof = profile_mod.build(walked.profile_text, opts.profile_file, opts.profile)
    from zjcheck.ocr import get_engine, resolve
    settings = ReadSettings(engine=resolve(opts.engine), dpi=opts.dpi, jobs=opts.jobs or ReadSettings().jobs)
    needs_ocr = any(f.kind not in ("docx", "xlsx") for f in walked.files)
    cache_key = f"{settings.engine}|{settings.dpi}"
    engine_key = None
    if needs_ocr:
        engine_key = get_engine(settings.engine).settings_key()
        cache_key += "|" + engine_key
    cache_dir = (opts.cache_dir or default_dir()) if opts.cache else None
    if cache_dir is not None:
        _check_cache_location(cache_dir, path)
    read = read_all(walked.files, settings, PageCache(cache_dir, cache_key), progress)
    findings: list[Finding] = list(walked.findings) + list(read.findings)

    for doc in read.documents:
        classify_document(doc)
        low = low_text_pages(doc)
        for page in low:
            findings.append(finding(
                "GEN005", f"第 {page.number} 页分辨率过低或模糊，只识别出 {page.content.good_chars} 个字"
                          f"（{page.content.width}×{page.content.height} 像素）", at=page))
        readable_text = any(p.text.strip() for p in doc.pages if p not in low)
        if doc.pages and all(p.material == "other" for p in doc.pages) and readable_text:
            findings.append(finding("GEN008", "无法判断这份文件属于哪一类申报材料", path=doc.rel))

    pages = [p for d in read.documents for p in d.pages]
    items = group(pages)
    if not prof.name:
        inferred = profile_mod.infer_name(read.documents, personal_materials())
        if inferred:
            prof.name = inferred
            prof.sources["name"] = "inferred"

    ctx = Context(profile=prof, catalogue=cat, items=items, documents=read.documents)
    plugins, problems = load_plugins()
    for problem in problems:
        findings.append(finding("GEN011", f"检查插件无法加载：{problem}"))
    checked_materials = set()
    broken: set[str] = set()
    # Every checker's facts first, so that the profile can take what the
    # documents say (the current title's date) before any check needs it.
    for plugin in plugins:
        checked_materials.add(plugin.material)
        facts = getattr(plugin.module, "facts", None)
        try:
            for it in ctx.items_of(plugin.material) if facts else []:
                set_facts(it, facts(it, ctx))
        except Exception as e:  # noqa: BLE001 - one checker's bug must not end the run
            broken.add(plugin.material)
            findings.append(_crashed(plugin.material, e))
    hints: list[tuple[str, Any]] = []
    for plugin in plugins:
        hook = getattr(plugin.module, "profile_hints", None)
        if plugin.material in broken or not callable(hook):
            continue
        try:
            hints.append((plugin.material, dict(hook(ctx.items_of(plugin.material), ctx))))
        except Exception as e:  # noqa: BLE001 - one checker's bug must not end the run
            broken.add(plugin.material)
            findings.append(_crashed(plugin.material, e))
    profile_mod.apply_hints(prof, hints)
    for plugin in plugins:
        if plugin.material in broken:
            continue
        try:
            findings.extend(plugin.module.check(ctx.items_of(plugin.material), ctx))
        except Exception as e:  # noqa: BLE001 - one checker's bug must not end the run
            findings.append(_crashed(plugin.material, e))
    findings.extend(crossdoc.check_all(read.documents, prof.name, prof.id_number))
    if prof.name is None:
        findings.append(finding("GEN012", "未能确定申报人姓名（zjcheck.toml、--name 均未提供，也无法从材料中推断），姓名相关检查未进行"))

    _attach_items(findings, cat, items)
    findings.extend(_review(plugins, findings, ctx))
    _attach_items(findings, cat, items)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.path or "", f.page or 0))
    from zjcheck.scoresheet import assess
    sheet = ctx.shared.get("score_sheet")
    claims = assess(sheet, cat, findings)
    gap = gap_table(cat, items, findings, checked_materials, claims)
    totals = gap_totals(gap, sheet, cat, prof)
    stats = {
        "files": len(walked.files) + sum(1 for f in walked.findings if f.code in ("GEN001", "GEN003")),
        "documents": len(read.documents),
        "pages": len(pages),
        "pages_ocr": read.pages_ocr,
        "pages_cached": read.pages_cached,
        "ignored": len(walked.litter),
        "seconds": round(time.monotonic() - t0, 2),
        "zjcheck": __version__,
        "checkers": sorted(checked_materials),
        "ocr_engine": {"name": settings.engine, "settings": engine_key} if needs_ocr else None,
    }
    return Result(str(path), cat, prof, read.documents, items, findings, gap, stats,
                  walked.unreadable + read.unreadable, totals)


def set_facts(item: Item, facts: Mapping[str, Any]) -> None:
    """A checker's facts on the item: plain values in `facts` (the JSON), the
    `Fact`s behind them (value with provenance) in `provenance`."""
    item.facts, item.provenance = {}, {}
    for key, value in facts.items():
        if isinstance(value, Fact):
            item.facts[key] = value.value.isoformat() if isinstance(value.value, date) else value.value
            item.provenance[key] = value
        else:
            item.facts[key] = value


def _crashed(material: str, e: Exception) -> Finding:
    return finding("GEN011", f"“{material_name(material)}”检查出错，该项未能检查：{type(e).__name__}: {e}",
                   material=material)


def _review(plugins: list[Any], findings: list[Finding], ctx: Context) -> list[Finding]:
    """The optional post-check step: `review(items, findings, ctx)` of every
    plugin that defines it, called once all checkers and the cross-document
    checks ran, so it can judge other checkers' findings (SCO005)."""
    out: list[Finding] = []
    for plugin in plugins:
        review = getattr(plugin.module, "review", None)
        if not callable(review):
            continue
        try:
            out.extend(review(ctx.items_of(plugin.material), list(findings), ctx))
        except Exception as e:  # noqa: BLE001 - one checker's bug must not end the run
            out.append(finding("GEN011", f"“{material_name(plugin.material)}”复核出错，该项未能复核：{type(e).__name__}: {e}",
                               material=plugin.material))
    return out


def _attach_items(findings: list[Finding], cat: Catalogue, items: list[Item]) -> None:
    by_path_page = {(p.doc.rel, p.number): it for it in items for p in it.pages}
    for f in findings:
        if f.item is not None:      # keyed by its checker (score-sheet rows) or already attached
            continue
        if f.evidence is None and f.path is not None:
            it = by_path_page.get((f.path, f.page or 1))
            if it is not None and f.material in ("general", "xdc", it.material):
                f.evidence = it.id
        material = f.material
        if material in ("general", "xdc") and f.evidence:
            material = f.evidence.rsplit("-", 1)[0]
        ci = cat.item_for(material)
        f.item = ci.id if ci else None


def gap_table(cat: Catalogue, items: list[Item], findings: list[Finding], checked: set[str],
              claims: dict[str, Any] | None = None) -> list[GapRow]:
    """One row per catalogue item; `claims` (scoresheet.assess) fills the points
    claimed on the applicant's 量化评分表 and the points the evidence supports."""
    claims = claims or {}
    rows: list[GapRow] = []
    for ci in cat.items:
        mine = [i for i in items if i.material in ci.materials]
        errs = {f.evidence for f in findings if f.severity == "error" and f.evidence}
        item_level = [f for f in findings if f.item == ci.id and f.severity == "error" and not f.evidence]
        missing = [f"{f.evidence + '：' if f.evidence else ''}{f.message}" for f in findings
                   if f.item == ci.id and f.severity == "error"]
        if not any(m in checked for m in ci.materials):
            missing.append("（该项检查尚未实现：无法确认）")
        unsure = [f"{f.evidence + '：' if f.evidence and not _LABELLED.match(f.message) else ''}{f.message}"
                  for f in findings if f.item == ci.id and f.code == "GEN012"]
        verified = sum(1 for i in mine if i.id not in errs) if any(m in checked for m in ci.materials) else 0
        if item_level:
            verified = 0 if not mine else verified
        cl = claims.get(ci.id)
        row = GapRow(ci.id, ci.name, None, len(mine), verified, missing, ci.required, ci.scored, ci.cap,
                     unconfirmed=unsure)
        if cl is not None:
            row.claimed, row.cited = cl.claimed, len(cl.cited)
            row.supported, row.at_risk = cl.supported, (cl.at_risk if cl.claimed is not None else None)
            if getattr(cl, "cap", None) is not None:
                row.cap = cl.cap        # the applicant's sheet prints its own cap: the catalogue's is a guess
        rows.append(row)
    return rows


def gap_totals(gap: list[GapRow], sheet: Any, cat: Catalogue, prof: Profile) -> dict[str, Any]:
    """Self-score totals for the report: claimed vs supported, the sheet's own total."""
    if sheet is None or not getattr(sheet, "header_found", False):
        return {"sheet": None, "claimed": None, "supported": None, "at_risk": None, "stated": None,
                "route": prof.route, "threshold": cat.rules.get("self_score_threshold")}
    claimed = round(sum(r.score or 0 for r in sheet.item_rows), 2)
    supported = round(sum(g.supported or 0 for g in gap), 2)
    route = prof.route if "route" in prof.sources else (sheet.route or prof.route)
    return {"sheet": sheet.path, "claimed": claimed, "supported": supported,
            "at_risk": round(claimed - supported, 2), "stated": sheet.stated_total,
            "route": route, "threshold": cat.rules.get("self_score_threshold")}


def describe_parts(item: Item) -> list[dict[str, Any]]:
    return [{"part": p, "name": part_name(item.material, p), "path": page.doc.rel, "page": page.number}
            for page in item.pages for p in page.parts]
