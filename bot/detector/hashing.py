"""Hashes of character n-grams, computed on code points with numpy: one definition for the classifier's
features and the known-scam shingles."""

from __future__ import annotations

from typing import Iterator

import numpy as np

__all__ = ["ngram_hashes", "ngram_hash", "all_ngram_hashes"]

_P = np.uint64(0x100000001B3)
_M = np.uint64(0x9E3779B97F4A7C15)


def ngram_hashes(text: str, max_n: int) -> Iterator[tuple[int, np.ndarray]]:
    """``(n, hashes)`` for n = 1..max_n: a mixed 64-bit hash of every character n-gram of ``text``, in order.

    Each n builds on n-1 (a rolling polynomial over the code points), so all sizes cost little more than one.
    This is the definition; the detector calls the faster ``all_ngram_hashes`` and ``ngram_hash``, which
    tests check against it number for number (the shipped model depends on these exact values).
    """
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(len(cp), dtype=np.uint64)
    for n in range(1, max_n + 1):
        if len(cp) < n:
            return
        with np.errstate(over="ignore"):
            h = h[: len(cp) - n + 1] * _P + cp[n - 1:] + np.uint64(n)
            mixed = (h ^ (h >> np.uint64(29))) * _M
        yield n, mixed


def ngram_hash(text: str, n: int) -> np.ndarray:
    """The hashes ``ngram_hashes`` gives for size ``n`` alone (without mixing the smaller sizes on the way)."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cp) < n:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(len(cp) - n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(1, n + 1):
            h = h * _P + cp[k - 1: len(cp) - n + k] + np.uint64(k)
        return (h ^ (h >> np.uint64(29))) * _M


def all_ngram_hashes(text: str, max_n: int) -> np.ndarray:
    """Every size of ``ngram_hashes`` in one array (size 1 first), mixed in one pass: the same numbers
    with a third of the numpy calls, which at a few hundred characters cost more than the arithmetic."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sizes = [len(cp) - n + 1 for n in range(1, max_n + 1) if len(cp) >= n]
    out = np.empty(sum(sizes), dtype=np.uint64)
    h = np.zeros(len(cp), dtype=np.uint64)
    pos = 0
    with np.errstate(over="ignore"):
        for n, size in enumerate(sizes, 1):
            h = h[:size] * _P + cp[n - 1:] + np.uint64(n)
            out[pos:pos + size] = h
            pos += size
        out ^= out >> np.uint64(29)
        out *= _M
    return out
