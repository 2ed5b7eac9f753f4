"""Scale-out benchmark of `zjcheck batch` on Dask (issue 20): pages/s with 1
and with 2 workers (LocalCluster, processes, one thread each) on the same
pages in one run, cold (a fresh page cache for each run), and the ratio.

Each run: a LocalCluster is started and its workers are up before the clock
starts; the clock covers the whole batch (walk, probes, OCR, checks, reports).
Also printed: the peak RSS of each worker (memory per worker), the load
average before and after (the machine may be shared), and an estimate for
10⁵ applicants on N workers.

    .venv/bin/python bench/scale.py [--packages compliant-c] [--workers 1,2] [--ocr auto]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_rss() -> int:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    """CPU seconds of this worker process: what the pages cost, whatever else runs on the machine."""
    import resource
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def one(root: Path, workers: int, engine: str, tmp: Path) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from zjcheck.batch import run_batch
    from zjcheck.cluster import ClusterOptions
    from zjcheck.pipeline import Options
    cache = tmp / f"cache-{workers}"
    os.environ["ZJCHECK_CACHE_DIR"] = str(cache)          # cold: nothing of these pages is cached
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=50) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        cpu0 = client.run(_cpu)
        load0 = os.getloadavg()[0]
        t = time.monotonic()
        br = run_batch(root, Options(engine=engine, cache_dir=cache), tmp / f"out-{workers}",
                       cluster=ClusterOptions(cluster.scheduler_address))
        seconds = time.monotonic() - t
        rss = client.run(_peak_rss)
        cpu1 = client.run(_cpu)
    tot = br.totals()
    cpu = sum(cpu1[w] - cpu0.get(w, 0.0) for w in cpu1)
    return {"workers": workers, "applicants": tot["applicants"], "pages": tot["pages"], "pages_ocr": tot["pages_ocr"],
            "seconds": round(seconds, 1), "pages_per_s": round(tot["pages_ocr"] / seconds, 3),
            "worker_rss_mb": round(max(rss.values()) / 2**20),
            "worker_cpu_s_per_page": round(cpu / max(tot["pages_ocr"], 1), 2), "load_before": round(load0, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packages", default="compliant-c", help="fixture packages (comma-separated), one applicant each")
    ap.add_argument("--source", type=Path, default=ROOT / "fixtures" / "packages")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--ocr", default=os.environ.get("ZJCHECK_OCR", "auto"))
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zjcheck-scale-"))
    try:
        root = tmp / "root"
        for name in args.packages.split(","):
            shutil.copytree(args.source / name, root / name)
        runs = [one(root, int(n), args.ocr, tmp) for n in args.workers.split(",")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'workers':>7} {'pages':>5} {'OCR':>4} {'seconds':>8} {'pages/s':>8} {'CPU s/page':>10} "
          f"{'RSS/worker':>10} {'load':>11}")
    for r in runs:
        print(f"{r['workers']:>7} {r['pages']:>5} {r['pages_ocr']:>4} {r['seconds']:>8} {r['pages_per_s']:>8} "
              f"{r['worker_cpu_s_per_page']:>10} {r['worker_rss_mb']:>7} MB {r['load_before']:>5}/{r['load_after']:<5}")
    base = runs[0]
    for r in runs[1:]:
        print(f"ratio {r['workers']} workers / {base['workers']}: {r['pages_per_s'] / base['pages_per_s']:.2f}×")
    pages = 10**5 * 50
    cpu_page = max(r["worker_cpu_s_per_page"] for r in runs)
    print(f"estimate for 10⁵ applicants × 50 pages, every page OCR'd (no cache hits), {cpu_page} CPU s per page "
          f"(checks included), each worker a core of its own, 90 % efficiency:")
    for n in (10, 50, 200):
        print(f"  {n:>4} workers: {pages * cpu_page / (n * 0.9) / 3600:.0f} h")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
