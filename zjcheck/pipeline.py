"""The pipeline: walk -> read -> recognise -> group -> check -> cross-check -> gap table."""

from __future__ import annotations

import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjcheck import __version__, catalogue as catalogue_mod, crossdoc, profile as profile_mod, relevance
from zjcheck.cache import PageCache, default_dir
from zjcheck.catalogue import Catalogue
from zjcheck.codes import finding
from zjcheck.errors import ExitCode, UsageError
from zjcheck.evidence import set_facts  # noqa: F401 (the engine stores facts through it; tests import it here)
from zjcheck.materials import material_name, part_name, personal_materials
from zjcheck.model import Document, Finding, Item, Profile, SourceFile
from zjcheck.plugins import Context, GapClaims, Plugin, load_plugins
from zjcheck.read import ReadResult, ReadSettings, SharedPool, is_picture, low_text_pages, read_all
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
    warnings: list[str] = field(default_factory=list)      # warnings about the item's evidence

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "name": self.name, "claimed": self.claimed, "found": self.found,
                "verified": self.verified, "missing": self.missing, "required": self.required,
                "scored": self.scored, "cap": self.cap, "cited": self.cited,
                "supported": self.supported, "at_risk": self.at_risk, "unconfirmed": self.unconfirmed,
                "warnings": self.warnings}


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
    def exit_code(self) -> ExitCode:
        if self.unreadable or self.unchecked:
            return ExitCode.unchecked
        return ExitCode.errors if self.counts()["error"] else ExitCode.ok


def _check_cache_location(cache_dir: Path, evidence: Path) -> None:
    try:
        if cache_dir.resolve().is_relative_to(evidence.resolve()):
            raise UsageError(f"缓存目录 {cache_dir} 位于材料目录之内：zjcheck 不向材料目录写入任何文件，请换一个缓存目录")
    except OSError:
        pass


def run(path: Path, opts: Options, progress: Callable[[int, int], None] | None = None,
        pool: SharedPool | None = None) -> Result:
    """The whole check of one package, stage by stage (`pool`: worker processes
    the caller keeps across packages, as `zjcheck batch` does)."""
    t0 = time.monotonic()
    if not path.exists():
        raise UsageError(f"找不到材料：{path}")
    if path.is_file() and path.suffix.lower() != ".zip" and not zipfile.is_zipfile(path):
        raise UsageError(f"{path} 是一个文件，不是材料文件夹或 zip 压缩包：请给出存放全部申报材料的文件夹（或它的 zip 压缩包）")
    cat = catalogue_mod.load(opts.catalogue)
    walked = walk(path)
    if not walked.files and not any(f.code != "GEN009" for f in walked.findings):
        raise UsageError(f"{path} 中没有任何申报材料文件" + ("（只有系统生成的文件）" if walked.litter else "")
                         + "：是不是选错了文件夹？")
    prof = profile_mod.build(walked.profile_text, opts.profile_file, opts.profile)
    read, engine = read_stage(path, walked.files, opts, progress, pool)
    findings: list[Finding] = [*walked.findings, *read.findings, *recognise_stage(read.documents)]
    pages = [p for d in read.documents for p in d.pages]
    items = group(pages)
    infer_applicant(prof, read.documents)

    ctx = Context(profile=prof, catalogue=cat, items=items, documents=read.documents)
    plugins, problems = load_plugins()
    findings += [finding("GEN011", f"检查插件无法加载：{problem}") for problem in problems]
    runner = PluginRunner(plugins, ctx)
    # every checker's facts first, so that the profile can take what the
    # documents say (the current title's date) before any check needs it
    runner.call("facts", lambda fn, its: [set_facts(it, fn(it, ctx)) for it in its])
    profile_mod.apply_hints(prof, [(pl.material, dict(hints)) for pl, hints in
                                   runner.call("profile_hints", lambda fn, its: fn(its, ctx))])
    for _pl, found in runner.call("check", lambda fn, its: list(fn(its, ctx))):
        findings.extend(found)
    findings.extend(crossdoc.check_all(read.documents, profile_mod.fact_of(prof, "name"), prof.id_number))
    findings.extend(relevance.check(items))
    if prof.name is None:
        findings.append(finding("GEN012", "未能确定申报人姓名（zjcheck.toml、--name 均未提供，也无法从材料中推断），姓名相关检查未进行"))
    _attach_items(findings, cat, items)
    snapshot = list(findings)
    for _pl, found in runner.call("review", lambda fn, its: list(fn(its, snapshot, ctx))):
        findings.extend(found)
    findings.extend(runner.findings)
    _attach_items(findings, cat, items)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.path or "", f.page or 0))

    claims = next((got for _pl, got in runner.call("gap_claims", lambda fn, its: fn(its, findings, ctx))
                   if got is not None), None)
    findings.extend(f for f in runner.findings if f not in findings)
    checked = {pl.material for pl in plugins}
    gap = gap_table(cat, items, findings, checked, dict(claims.claims) if claims else {})
    stats = {
        "files": len(walked.files) + sum(1 for f in walked.findings if f.code in ("GEN001", "GEN003")),
        "documents": len(read.documents),
        "pages": len(pages),
        "pages_ocr": read.pages_ocr,
        "pages_cached": read.pages_cached,
        "ignored": len(walked.litter),
        "seconds": round(time.monotonic() - t0, 2),
        "zjcheck": __version__,
        "checkers": sorted(checked),
        "ocr_engine": engine,
    }
    return Result(str(path), cat, prof, read.documents, items, findings, gap, stats,
                  walked.unreadable + read.unreadable, gap_totals(gap, claims, cat, prof))


def read_stage(path: Path, files: list[SourceFile], opts: Options, progress: Callable[[int, int], None] | None,
               pool: SharedPool | None = None) -> tuple[ReadResult, dict[str, Any] | None]:
    """Every page's text (text layer or OCR, through the page cache), and which
    OCR engine read them (None when no page needed OCR)."""
    from zjcheck.ocr import get_engine, resolve
    settings = ReadSettings(engine=resolve(opts.engine), dpi=opts.dpi, jobs=opts.jobs or ReadSettings().jobs)
    needs_ocr = any(f.kind not in ("docx", "xlsx") for f in files)
    cache_key = f"{settings.engine}|{settings.dpi}"
    engine = None
    if needs_ocr:
        eng = get_engine(settings.engine)
        engine = {"name": settings.engine, "settings": eng.settings_key()}
        if hasattr(eng, "backend_key"):         # RapidOCR: which backend, version and precision ran the models
            engine["backend"] = eng.backend_key()
        cache_key += "|" + engine["settings"]
    cache_dir = (opts.cache_dir or default_dir()) if opts.cache else None
    if cache_dir is not None:
        _check_cache_location(cache_dir, path)
    return read_all(files, settings, PageCache(cache_dir, cache_key), progress, pool), engine


def recognise_stage(documents: list[Document]) -> list[Finding]:
    """Each page's material and part; GEN005 for pages too poor to read, GEN008
    for files that are no material at all."""
    out: list[Finding] = []
    for doc in documents:
        classify_document(doc)
        low = low_text_pages(doc)
        for page in low:
            out.append(finding(
                "GEN005", f"第 {page.number} 页分辨率过低或模糊，只识别出 {page.content.good_chars} 个字"
                          f"（{page.content.width}×{page.content.height} 像素）", at=page))
        readable_text = any(p.text.strip() for p in doc.pages if p not in low)
        if doc.pages and all(p.material == "other" for p in doc.pages):
            if readable_text:
                out.append(finding("GEN008", "无法判断这份文件属于哪一类申报材料", path=doc.rel))
            elif all(is_picture(p) for p in doc.pages):
                out.append(finding("GEN008", "图片中没有文字，也不像文件的扫描件或照片，无法判断属于哪一类申报材料",
                                   path=doc.rel))
    return out


def infer_applicant(prof: Profile, documents: list[Document]) -> None:
    """The applicant's name by vote over the documents, when no profile gives it."""
    if prof.name:
        return
    inferred = profile_mod.infer_name(documents, personal_materials())
    if inferred:
        prof.name = inferred.value
        prof.sources["name"] = "inferred"
        prof.facts["name"] = inferred


class PluginRunner:
    """Calls one hook of every plugin that has it, with the plugin's items; a
    plugin that raises is reported (GEN011, "could not check") and skipped in
    every later stage, and the run goes on."""

    def __init__(self, plugins: list[Plugin], ctx: Context) -> None:
        self.plugins, self.ctx = plugins, ctx
        self.broken: set[str] = set()
        self.findings: list[Finding] = []

    def call(self, hook: str, use: Callable[[Callable[..., Any], list[Item]], Any]) -> list[tuple[Plugin, Any]]:
        out = []
        for plugin in self.plugins:
            fn = getattr(plugin.module, hook, None)
            if plugin.material in self.broken or not callable(fn):
                continue
            try:
                out.append((plugin, use(fn, self.ctx.items_of(plugin.material))))
            except Exception as e:  # noqa: BLE001 - one checker's bug must not end the run
                self.broken.add(plugin.material)
                verb = "复核" if hook == "review" else "检查"
                self.findings.append(finding(
                    "GEN011", f"“{material_name(plugin.material)}”{verb}出错，该项未能{verb}：{type(e).__name__}: {e}",
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
        mine = [i for i in items if cat.item_for(i.material) is ci]
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
        warned = [f"{f.evidence + '：' if f.evidence and not _LABELLED.match(f.message) else ''}{f.message}"
                  for f in findings if f.item == ci.id and f.severity == "warning"]
        row = GapRow(ci.id, ci.name, None, len(mine), verified, missing, ci.required, ci.scored, ci.cap,
                     unconfirmed=unsure, warnings=warned)
        if cl is not None:
            row.claimed, row.cited = cl.claimed, len(cl.cited)
            row.supported, row.at_risk = cl.supported, (cl.at_risk if cl.claimed is not None else None)
            if getattr(cl, "cap", None) is not None:
                row.cap = cl.cap        # the applicant's sheet prints its own cap: the catalogue's is a guess
        rows.append(row)
    return rows


def gap_totals(gap: list[GapRow], claims: GapClaims | None, cat: Catalogue, prof: Profile) -> dict[str, Any]:
    """Self-score totals for the report: claimed vs supported, the sheet's own total."""
    if claims is None or claims.claimed is None:
        return {"sheet": None, "claimed": None, "supported": None, "at_risk": None, "stated": None,
                "route": prof.route, "threshold": cat.rules.get("self_score_threshold")}
    claimed = round(claims.claimed, 2)
    supported = round(sum(g.supported or 0 for g in gap), 2)
    route = prof.route if "route" in prof.sources else (claims.route or prof.route)
    return {"sheet": claims.sheet, "claimed": claimed, "supported": supported,
            "at_risk": round(claimed - supported, 2), "stated": claims.stated,
            "route": route, "threshold": cat.rules.get("self_score_threshold")}


def describe_parts(item: Item) -> list[dict[str, Any]]:
    return [{"part": p, "name": part_name(item.material, p), "path": page.doc.rel, "page": page.number}
            for page in item.pages for p in page.parts]
