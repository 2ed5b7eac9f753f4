"""OCR accuracy and speed benchmark (`make bench`).

Over the rendered sample packages with known page text
(fixtures/packages/manifest.json), for every installed OCR engine and every
installed RapidOCR backend (`rapidocr:onnxruntime`, `rapidocr:openvino`):

- character error rate (edit distance / reference length, both sides
  normalised with zjcheck.extract.squash) of every OCR'd page;
- page recognition: share of pages whose material, and main part, the
  pipeline recognises as the manifest says; error findings on the compliant
  package (should be 0);
- the pipeline's cold run (fresh page cache) and warm run (same cache) on the
  compliant package, seconds per OCR'd page, and the peak resident memory of
  each page worker process (VmHWM, sampled from /proc while it runs);
- errors and could-not-verify notes (GEN012) on every compliant package
  (compliant, compliant-b, compliant-c: one cold run each);
- raw `tesseract` CLI on the same page images with the same number of
  processes (`tesseract img - -l <the pipeline's languages> --psm 3 tsv`, OMP_THREAD_LIMIT=1),
  and the pipeline/raw ratio measured in this run (SPEC §7: ≤ 1.3× cold,
  < 2 s warm).

It also simulates `auto` per page (Tesseract first, RapidOCR where the page's
Tesseract confidence is below a threshold) from the two engines' page results.

Writes bench/results/bench.md and bench/results/bench.json and prints the table.

    .venv/bin/python bench/run.py [--packages fixtures/packages] [--package compliant] [--jobs 2]
        [--engines tesseract,rapidocr:onnxruntime,rapidocr:openvino] [--also compliant-b,compliant-c]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import mean

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zjcheck.extract import squash  # noqa: E402
from zjcheck.ocr.tesseract import LANGS as TESS_LANGS  # noqa: E402  (the same languages as the pipeline)

ENGINES = ("tesseract", "rapidocr:onnxruntime", "rapidocr:openvino")
ALSO = ("compliant-b", "compliant-c")
THRESHOLDS = (50, 60, 70, 80)       # Tesseract page confidence below which `auto` would ask RapidOCR


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; one numpy pass per character of `a`."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        sub = prev[:-1] + (bb != ord(ch))
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, sub)
        # insertions: cur[j] = min_k<=j cur[k] + (j - k)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def cer(ocr: str, truth: str) -> float | None:
    t = squash(truth)
    if not t:
        return None
    return edit_distance(squash(ocr), t) / len(t)


# ---------------------------------------------------------------- memory

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    return kids


def _hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class WorkerMemory:
    """Peak RSS (VmHWM) of every process below this one, sampled while a run
    goes on: the page workers (children of the forkserver) and the forkserver."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            kids = _children()
            todo, seen = list(kids.get(me, [])), set()
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                todo.extend(kids.get(pid, []))
                mb = _hwm_mb(pid)
                if mb is not None:
                    self.peaks[pid] = max(mb, self.peaks.get(pid, 0.0))
            self._stop.wait(self.every)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def worker_peak_mb(self) -> float | None:
        return round(max(self.peaks.values()), 0) if self.peaks else None


def main_peak_mb() -> float:
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)


# ---------------------------------------------------------------- pipeline runs

def run_pipeline(pkg: Path, engine: str, jobs: int, cache_dir: Path):  # type: ignore[no-untyped-def]
    """(result, seconds, peak RSS of the largest worker in MB)."""
    from zjcheck.pipeline import Options, run
    with WorkerMemory() as mem:
        t0 = time.perf_counter()
        res = run(pkg, Options(engine=engine, jobs=jobs, cache_dir=cache_dir))
        took = time.perf_counter() - t0
    return res, took, mem.worker_peak_mb


def engine_installed(spec: str) -> bool:
    """`tesseract`, `rapidocr`, `rapidocr:<backend>`."""
    from zjcheck.ocr import installed
    name, _, backend = spec.partition(":")
    if not installed(name):
        return False
    if name == "rapidocr" and backend:
        from zjcheck.ocr.rapidocr import backend_installed
        return backend_installed(backend)
    return True


def default_engine() -> str | None:
    """What `--ocr auto` resolves to here, as a bench engine name."""
    try:
        from zjcheck.ocr import get_engine
        eng = get_engine("auto")
    except Exception:  # noqa: BLE001 - no engine installed
        return None
    backend = getattr(eng, "backend", None)
    return f"{eng.name}:{backend}" if backend else eng.name


def loadavg() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def page_rows(res, manifest_pkg: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    truth = {(f["path"], pg["page"]): pg for f in manifest_pkg.get("files", []) for pg in f.get("pages", [])}
    rows = []
    for doc in res.documents:
        for page in doc.pages:
            t = truth.get((doc.rel, page.number))
            if t is None:
                continue
            row = {"file": doc.rel, "page": page.number, "source": page.content.source,
                   "material": t.get("material"), "got_material": page.material,
                   "part": (t.get("parts") or [None])[0], "got_part": (page.parts or [None])[0],
                   "conf": page.content.conf, "good_chars": page.content.good_chars,
                   "text": page.content.text, "truth": t.get("text") or "",
                   "effects": t.get("effects") or []}
            row["cer"] = cer(row["text"], row["truth"]) if page.content.source == "ocr" else None
            rows.append(row)
    return rows


# ---------------------------------------------------------------- raw tesseract

def page_images(res, out: Path, dpi: int) -> list[Path]:  # type: ignore[no-untyped-def]
    """The images the pipeline OCR'd (PDF pages without a text layer at the
    pipeline's dpi, image files as they are), written as grayscale PNG."""
    from zjcheck.imaging import render
    paths = []
    for doc in res.documents:
        src = doc.file.path
        if src is None:
            continue
        for page in doc.pages:
            if page.content.source != "ocr":
                continue
            if doc.file.kind == "pdf":
                img = render.render_pdf_page(str(src), page.number - 1, dpi)
            else:
                img = render.load_image(str(src), page.number - 1)
            p = out / f"{len(paths):03d}.png"
            img.convert("L").save(p)
            paths.append(p)
    return paths


def raw_tesseract(images: list[Path], jobs: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        subprocess.run(["tesseract", str(p), "-", "-l", TESS_LANGS, "--psm", "3", "tsv"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - t0


# ---------------------------------------------------------------- report

def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def findings_summary(res) -> dict:  # type: ignore[no-untyped-def]
    errs = [f for f in res.findings if f.severity == "error"]
    warns = [f for f in res.findings if f.severity == "warning"]
    gen012 = [f for f in res.findings if f.code == "GEN012"]
    return {"errors": len(errs), "error_codes": sorted({f.code for f in errs}), "warnings": len(warns),
            "error_messages": [f"{f.code} {f.path or ''}: {f.message}" for f in errs],
            # places the checkers could not read well enough to judge (GEN012): what a better
            # engine saves the applicant in manual look-ups
            "could_not_verify": len(gen012), "could_not_verify_messages": [f.message for f in gen012]}


def summarise(rows: list[dict]) -> dict:
    ocr_rows = [r for r in rows if r["source"] == "ocr" and r["cer"] is not None]
    cers = [r["cer"] for r in ocr_rows]
    mat = [r for r in rows if r["material"]]
    part = [r for r in rows if r["part"]]
    by_mat: dict[str, list[float]] = {}
    for r in ocr_rows:
        by_mat.setdefault(r["material"], []).append(r["cer"])
    return {
        "pages": len(rows), "ocr_pages": len(ocr_rows),
        "cer_mean": mean(cers) if cers else None,
        "cer_median": float(np.median(cers)) if cers else None,
        "cer_pooled": (sum(r["cer"] * len(squash(r["truth"])) for r in ocr_rows)
                       / max(1, sum(len(squash(r["truth"])) for r in ocr_rows))) if ocr_rows else None,
        "material_acc": sum(r["got_material"] == r["material"] for r in mat) / len(mat) if mat else None,
        "part_acc": sum(r["got_part"] == r["part"] for r in part) / len(part) if part else None,
        "cer_by_material": {k: round(mean(v), 4) for k, v in sorted(by_mat.items())},
    }


def simulate_auto(tess: list[dict], rapid: list[dict], t_tess: float, t_rapid: float) -> list[dict]:
    """Per-page choice: RapidOCR where Tesseract's page confidence < threshold."""
    rk = {(r["file"], r["page"]): r for r in rapid if r["source"] == "ocr"}
    pages = [r for r in tess if r["source"] == "ocr" and r["cer"] is not None and (r["file"], r["page"]) in rk]
    out = []
    n = max(1, len(pages))
    for th in THRESHOLDS:
        picked = [rk[(r["file"], r["page"])] if (r["conf"] or 0) < th else r for r in pages]
        redo = sum((r["conf"] or 0) < th for r in pages)
        out.append({"threshold": th, "pages_to_rapidocr": redo,
                    "cer_mean": mean(p["cer"] for p in picked) if picked else None,
                    # cost: Tesseract on every page + RapidOCR on the re-read ones
                    "est_seconds_per_page": (t_tess + t_rapid * redo / n) / n if pages else None})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packages", default=str(ROOT / "fixtures" / "packages"))
    ap.add_argument("--package", default="compliant")
    ap.add_argument("--also", default=",".join(ALSO),
                    help="further compliant packages: one cold run each for errors / could-not-verify and CER")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args(argv)

    pkgs = Path(args.packages)
    manifest = json.loads((pkgs / "manifest.json").read_text("utf-8"))
    mpkg = manifest["packages"][args.package]
    pkg = pkgs / args.package
    also = [p for p in args.also.split(",") if p and p != args.package and p in manifest["packages"]]
    wanted = [e for e in args.engines.split(",") if e]
    engines = [e for e in wanted if engine_installed(e)]
    skipped = [e for e in wanted if e not in engines]
    dpi = 200

    results: dict = {"package": args.package, "also": also, "jobs": args.jobs, "cpus": os.cpu_count(),
                     "load_before": loadavg(), "engines": {}, "skipped": skipped}
    rows_by_engine: dict[str, list[dict]] = {}
    raw_s: float | None = None
    n_images = 0
    for engine in engines:
        print(f"== {engine}: cold run (fresh page cache) ...", flush=True)
        cache = Path(tempfile.mkdtemp(prefix="zjcheck-bench-"))
        s: dict = {}
        try:
            load0 = loadavg()
            res, cold, peak = run_pipeline(pkg, engine, args.jobs, cache)
            s["load_cold"] = [load0, loadavg()]
            _, warm, _ = run_pipeline(pkg, engine, args.jobs, cache)
            # the other compliant packages: what the engine's reading does to the verdicts
            others = {}
            other_rows: list[dict] = []
            for name in also:
                print(f"   {engine}: cold run of {name} ...", flush=True)
                r2, t2, p2 = run_pipeline(pkgs / name, engine, args.jobs, cache)
                others[name] = {**findings_summary(r2), "cold_s": round(t2, 2), "pages_ocr": r2.stats["pages_ocr"],
                                "worker_peak_mb": p2}
                other_rows += page_rows(r2, manifest["packages"][name])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        settings = (res.stats.get("ocr_engine") or {}).get("settings")
        rows = page_rows(res, mpkg)
        rows_by_engine[engine] = rows
        s.update(summarise(rows))
        s["settings"] = settings
        s["all_packages"] = {k: v for k, v in summarise(rows + other_rows).items()
                             if k in ("ocr_pages", "cer_mean", "cer_median", "cer_pooled", "cer_by_material")}
        ocr_pages = res.stats["pages_ocr"]
        s["misrecognised"] = [{"file": r["file"], "page": r["page"], "truth": f"{r['material']}/{r['part']}",
                               "got": f"{r['got_material']}/{r['got_part']}"} for r in rows
                              if r["material"] and (r["got_material"], r["got_part"]) != (r["material"], r["part"])]
        s.update(findings_summary(res))
        s.update({"cold_s": round(cold, 2), "warm_s": round(warm, 2), "pages_ocr": ocr_pages,
                  "s_per_page": round(cold / ocr_pages, 2) if ocr_pages else None,
                  "worker_peak_mb": peak, "others": others})
        if raw_s is None:
            with tempfile.TemporaryDirectory(prefix="zjcheck-bench-raw-") as tmp:
                images = page_images(res, Path(tmp), dpi)
                n_images = len(images)
                print(f"== raw tesseract CLI on the same {n_images} page images, {args.jobs} processes ...",
                      flush=True)
                load0 = loadavg()
                raw_s = raw_tesseract(images, args.jobs)
                results["raw_load"] = [load0, loadavg()]
        s["ratio_to_raw_tesseract"] = round(cold / raw_s, 2) if raw_s else None
        results["engines"][engine] = s
        print(f"   cold {cold:.1f} s ({s['ratio_to_raw_tesseract']}× raw tesseract {raw_s:.1f} s), "
              f"warm {warm:.2f} s, CER {pct(s['cer_mean'])}, worker peak {peak} MB, "
              f"errors {s['errors']} + {sum(o['errors'] for o in others.values())} on {', '.join(others) or '-'}",
              flush=True)
    results["raw_tesseract"] = {"seconds": round(raw_s, 2) if raw_s else None, "pages": n_images,
                                "s_per_page": round(raw_s / n_images, 2) if raw_s and n_images else None}
    rapid = next((e for e in engines if e.startswith("rapidocr")), None)
    if "tesseract" in rows_by_engine and rapid:
        results["auto_simulated"] = simulate_auto(rows_by_engine["tesseract"], rows_by_engine[rapid],
                                                  results["engines"]["tesseract"]["cold_s"],
                                                  results["engines"][rapid]["cold_s"])
    results["default_engine"] = default_engine()
    results["load_after"] = loadavg()
    results["main_peak_mb"] = main_peak_mb()
    results["worst_pages"] = {e: sorted(({"file": r["file"], "page": r["page"], "cer": round(r["cer"], 3)}
                                         for r in rows if r["cer"] is not None), key=lambda r: -r["cer"])[:5]
                              for e, rows in rows_by_engine.items()}

    md = render_md(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.md").write_text(md, encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print()
    print(md)
    print(f"(written to {out / 'bench.md'} and bench.json)")
    return 0


def _load(pair: list | None) -> str:
    return "–" if not pair else f"{pair[0]}→{pair[1]}"


def render_md(r: dict) -> str:
    raw = r["raw_tesseract"]
    lines = [f"# OCR benchmark — package `{r['package']}`, {r['jobs']} worker processes, "
             f"{r['cpus']} CPUs (load average before {r['load_before']}, after {r['load_after']})", "",
             "| engine | OCR pages | CER mean | CER median | CER pooled | material ok | part ok | "
             "errors on compliant | could not verify | cold s | s/page | warm s | cold ÷ raw tesseract | "
             "worker peak RSS | load during cold run |",
             "| --- |" + " --- |" * 14]
    for name, s in r["engines"].items():
        lines.append(f"| {name} | {s['ocr_pages']} | {pct(s['cer_mean'])} | {pct(s['cer_median'])} | "
                     f"{pct(s['cer_pooled'])} | {pct(s['material_acc'])} | {pct(s['part_acc'])} | "
                     f"{s['errors']} {' '.join(s['error_codes'])} | {s.get('could_not_verify', '')} | "
                     f"{s['cold_s']} | {s['s_per_page']} | {s['warm_s']} | {s['ratio_to_raw_tesseract']}× | "
                     f"{s['worker_peak_mb']} MB | {_load(s.get('load_cold'))} |")
    lines.append(f"| raw `tesseract` CLI | {raw['pages']} | | | | | | | | {raw['seconds']} | "
                 f"{raw['s_per_page']} | | 1.00× | | {_load(r.get('raw_load'))} |")
    lines += ["", "SPEC §7 target: cold ≤ 1.3× raw tesseract on the same pages and cores; warm < 2 s; "
              "issue 15: peak RSS per worker < 1 GB.",
              "Timings are wall-clock on a shared machine (other processes running): read them with the load.", ""]
    if r.get("also"):
        lines += ["Every compliant package (one cold run each; all should have 0 errors):", "",
                  "| engine | " + " | ".join(f"{p} errors | {p} could not verify" for p in [r["package"], *r["also"]])
                  + " | CER mean / pooled, all these pages |",
                  "| --- |" + " --- | --- |" * (1 + len(r["also"])) + " --- |"]
        for name, s in r["engines"].items():
            cells = [f"{s['errors']} {' '.join(s['error_codes'])}", str(s["could_not_verify"])]
            for p in r["also"]:
                o = s["others"].get(p, {})
                cells += [f"{o.get('errors', '–')} {' '.join(o.get('error_codes', []))}",
                          str(o.get("could_not_verify", "–"))]
            a = s["all_packages"]
            cells.append(f"{pct(a['cer_mean'])} / {pct(a['cer_pooled'])} ({a['ocr_pages']} pages)")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    cers = {e: s["all_packages"]["cer_by_material"] for e, s in r["engines"].items()}
    if cers:
        mats = sorted({m for v in cers.values() for m in v})
        lines += ["CER mean by material (all the compliant packages' OCR'd pages):", "",
                  "| material | " + " | ".join(cers) + " |", "| --- |" + " --- |" * len(cers)]
        for m in mats:
            lines.append(f"| {m} | " + " | ".join(pct(cers[e].get(m)) for e in cers) + " |")
        lines.append("")
    lines += ["Engine settings (page-cache key):", ""]
    lines += [f"- {name}: `{s.get('settings')}`" for name, s in r["engines"].items()]
    lines.append("")
    if r.get("auto_simulated"):
        lines += ["`auto` simulated per page (RapidOCR where Tesseract's page confidence < threshold):", "",
                  "| threshold | pages re-read | CER mean | est. s/page |", "| --- | --- | --- | --- |"]
        for a in r["auto_simulated"]:
            est = a["est_seconds_per_page"]
            lines.append(f"| {a['threshold']} | {a['pages_to_rapidocr']} | {pct(a['cer_mean'])} | "
                         f"{'–' if est is None else f'{est:.2f}'} |")
        lines.append("")
    if r.get("skipped"):
        lines.append(f"Not installed, skipped: {', '.join(r['skipped'])} "
                     "(both RapidOCR backends are main dependencies: `pip install -e .`).")
        lines.append("")
    lines += closing_note(r)
    return "\n".join(lines) + "\n"


def closing_note(r: dict) -> list[str]:
    """Which engine/backend won, and whether the default meets the speed bar."""
    eng = {k: v for k, v in r["engines"].items() if v.get("cold_s")}
    if not eng:
        return []
    fastest = min(eng, key=lambda k: eng[k]["cold_s"])
    best = min(eng, key=lambda k: (eng[k]["cer_mean"] is None, eng[k]["cer_mean"] or 0))
    out = [f"Closing note: fastest cold run {fastest} ({eng[fastest]['cold_s']} s, "
           f"{eng[fastest]['ratio_to_raw_tesseract']}× raw tesseract); best reading {best} "
           f"(CER mean {pct(eng[best]['cer_mean'])}, pooled {pct(eng[best]['cer_pooled'])})."]
    default = r.get("default_engine")
    if default in eng:
        d = eng[default]
        ok = d["ratio_to_raw_tesseract"] is not None and d["ratio_to_raw_tesseract"] <= 1.3
        mem = d.get("worker_peak_mb")
        out.append(f"The default (`--ocr auto` → {default}): cold {d['cold_s']} s = "
                   f"{d['ratio_to_raw_tesseract']}× raw tesseract ({'meets' if ok else 'misses'} ≤ 1.3×), "
                   f"worker peak RSS {mem} MB ({'under' if mem is not None and mem < 1024 else 'not under'} 1 GB).")
    return out


if __name__ == "__main__":
    sys.exit(main())
