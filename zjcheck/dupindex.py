"""An index of 128-bit perceptual page hashes (pHash ‖ dHash,
zjcheck.imaging.phash) that finds the near-duplicate pairs among hundreds of
thousands of pages without comparing every page with every other.

Pages are compared only within their class (the material: an assessment form
with an assessment form) and only across owners (two applicants).  A class
small enough is compared exhaustively (vectorised XOR + popcount: exact).  A
larger one goes through a sorted-neighbourhood index over random bit
permutations (Charikar 2002; Manku, Jain & Das Sarma 2007, near-duplicate
detection with SimHash): for each of `tables` permutations the hashes are
sorted by their permuted bits and each is compared with the `window` hashes
after it.  Two hashes within a few bits of each other share a long permuted
prefix under most permutations, so they land near each other in most
orders; a pair found in any table is kept.  Cost: tables × window × N
comparisons, all in NumPy; recall is measured in bench/crossapp.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BRUTE_FORCE = 3000      # a class this small is compared pair by pair (exact)
PER_PAGE = 4            # candidate pairs kept per page: its nearest few (see `nearest`)


@dataclass(frozen=True)
class Limits:
    phash: int = 12         # at most this many of the pHash's 64 bits differ
    dhash: int = 14         # … and of the dHash's


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.int16)


def _bits(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """(128, N) uint8 0/1: row k is bit k of pHash ‖ dHash (most significant first)."""
    both = np.stack([p, d], axis=1).astype(">u8")
    return np.ascontiguousarray(np.unpackbits(both.view(np.uint8).reshape(len(p), 16), axis=1).T)


def _permuted_key(bits: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """The first 64 bits of the hashes in the order `perm` gives, as one uint64
    per hash (a longer prefix would only order pages that are already apart)."""
    packed = np.packbits(bits[perm[:64]], axis=0)            # (8, N)
    return np.ascontiguousarray(packed.T).view(">u8")[:, 0].astype(np.uint64)


def _close(p: np.ndarray, d: np.ndarray, i: np.ndarray, j: np.ndarray, lim: Limits) -> np.ndarray:
    return (_popcount(p[i] ^ p[j]) <= lim.phash) & (_popcount(d[i] ^ d[j]) <= lim.dhash)


def nearest(pairs: np.ndarray, dist: np.ndarray, k: int) -> np.ndarray:
    """The pairs that are among the `k` nearest of one of their two pages.

    Pages of one template filled for different people are near each other
    (a province's 职称证书, a unit's 年度考核登记表: 6–12 bits): in a batch of a
    thousand colleagues every form would pair with every other.  A copy of a
    page (a rescan, a form with the name changed) is nearer to its original
    than any sibling, so each page keeps only its nearest few; the text check
    of crossapp then sees a number of pairs linear in the pages."""
    if len(pairs) == 0:
        return pairs
    m = len(pairs)
    ends = np.r_[pairs[:, 0], pairs[:, 1]]
    dd = np.r_[dist, dist]
    which = np.r_[np.arange(m), np.arange(m)]
    order = np.lexsort((which, dd, ends))
    e = ends[order]
    start = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
    rank = np.arange(len(e)) - np.repeat(start, np.diff(np.r_[start, len(e)]))
    keep = np.zeros(m, dtype=bool)
    keep[which[order][rank < k]] = True
    return pairs[keep]


def _dist(p: np.ndarray, d: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return _popcount(p[pairs[:, 0]] ^ p[pairs[:, 1]]) + _popcount(d[pairs[:, 0]] ^ d[pairs[:, 1]])


def _unique(pairs: np.ndarray, n: int) -> np.ndarray:
    code = np.sort(pairs[:, 0].astype(np.int64) * n + pairs[:, 1].astype(np.int64))
    code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code
    return np.stack([code // n, code % n], axis=1)


def near_pairs(p: np.ndarray, d: np.ndarray, owner: np.ndarray, cls: np.ndarray, lim: Limits = Limits(),
               tables: int = 24, window: int = 24, seed: int = 19, per_page: int | None = PER_PAGE) -> np.ndarray:
    """(M, 2) index pairs i < j of near-duplicate hashes of different owners in the same class,
    each among the `per_page` nearest of one of its pages (None: all).

    p, d: uint64 arrays (pHash, dHash); owner, cls: int arrays of the same length."""
    p = np.asarray(p, dtype=np.uint64)
    d = np.asarray(d, dtype=np.uint64)
    owner = np.asarray(owner)
    cls = np.asarray(cls)
    found: list[np.ndarray] = []
    rng = np.random.default_rng(seed)
    perms = [rng.permutation(128) for _ in range(tables)]
    for c in np.unique(cls):
        idx = np.flatnonzero(cls == c)
        if len(idx) < 2 or len(np.unique(owner[idx])) < 2:
            continue
        if len(idx) <= BRUTE_FORCE:
            got = _exhaustive(p, d, owner, idx, lim)
            found.append(got if per_page is None else nearest(got, _dist(p, d, got), per_page))
        else:
            found.append(_sorted_neighbourhood(p, d, owner, idx, lim, perms, window, per_page))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs.reshape(0, 2)
    return _unique(pairs, len(p))


def _exhaustive(p: np.ndarray, d: np.ndarray, owner: np.ndarray, idx: np.ndarray, lim: Limits) -> np.ndarray:
    out = []
    for k in range(len(idx) - 1):
        i = idx[k]
        rest = idx[k + 1:]
        ok = (owner[rest] != owner[i]) & (_popcount(p[rest] ^ p[i]) <= lim.phash) & (_popcount(d[rest] ^ d[i]) <= lim.dhash)
        if ok.any():
            js = rest[ok]
            out.append(np.stack([np.full(len(js), i), js], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def _sorted_neighbourhood(p: np.ndarray, d: np.ndarray, owner: np.ndarray, idx: np.ndarray, lim: Limits,
                          perms: list[np.ndarray], window: int, per_page: int | None) -> np.ndarray:
    kept = np.empty((0, 2), dtype=np.int64)
    bits = _bits(p[idx], d[idx])
    for perm in perms:
        order = idx[np.argsort(_permuted_key(bits, perm), kind="stable")]
        ps, ds, ow = p[order], d[order], owner[order]          # contiguous: the offsets below are slices
        n = len(order)
        w = min(window, n - 1)
        # distances to the next w pages of this order, one column per offset (far or own: a large number)
        dist = np.full((n, w), 1 << 10, dtype=np.int16)
        for off in range(1, w + 1):
            dp, dd = _popcount(ps[:-off] ^ ps[off:]), _popcount(ds[:-off] ^ ds[off:])
            ok = (ow[:-off] != ow[off:]) & (dp <= lim.phash) & (dd <= lim.dhash)
            dist[:-off, off - 1] = np.where(ok, dp + dd, 1 << 10)
        k = w if per_page is None else min(per_page, w)
        col = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < w else np.tile(np.arange(w), (n, 1))
        row = np.repeat(np.arange(n), col.shape[1])
        col = col.ravel()
        good = dist[row, col] < (1 << 10)
        i, j = order[row[good]], order[row[good] + col[good] + 1]
        new = np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1).astype(np.int64)
        kept = _unique(np.concatenate([kept, new]), len(p))
        if per_page is not None:          # after each table: memory stays linear in the pages
            kept = nearest(kept, _dist(p, d, kept), per_page)
    return kept
