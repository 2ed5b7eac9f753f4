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


def near_pairs(p: np.ndarray, d: np.ndarray, owner: np.ndarray, cls: np.ndarray, lim: Limits = Limits(),
               tables: int = 24, window: int = 24, seed: int = 19) -> np.ndarray:
    """(M, 2) index pairs i < j of near-duplicate hashes of different owners in the same class.

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
            found.append(_exhaustive(p, d, owner, idx, lim))
        else:
            found.append(_sorted_neighbourhood(p, d, owner, idx, lim, perms, window))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs.reshape(0, 2)
    n = np.int64(len(p))
    code = np.unique(pairs[:, 0].astype(np.int64) * n + pairs[:, 1].astype(np.int64))
    return np.stack([code // n, code % n], axis=1)


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
                          perms: list[np.ndarray], window: int) -> np.ndarray:
    out = []
    bits = _bits(p[idx], d[idx])
    for perm in perms:
        order = idx[np.argsort(_permuted_key(bits, perm), kind="stable")]
        ps, ds, ow = p[order], d[order], owner[order]          # contiguous: the offsets below are slices
        for off in range(1, min(window, len(order) - 1) + 1):
            ok = ((ow[:-off] != ow[off:]) & (_popcount(ps[:-off] ^ ps[off:]) <= lim.phash)
                  & (_popcount(ds[:-off] ^ ds[off:]) <= lim.dhash))
            if ok.any():
                i, j = order[:-off][ok], order[off:][ok]
                out.append(np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)
