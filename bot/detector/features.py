"""The classifier's features, shared by training and serving so the two can never drift.

- character 1-4-grams of the *normalised* text, hashed: they work in every script, with or without
  spaces between words, and see through the obfuscations the normaliser undoes;
- word 1-2-grams, hashed: the phrases of Latin-script ads;
- the warning signs (lexicon flags, hotspots, salary far above normal) and contact kinds, as a small dense
  block, so a sign learnt in one language carries over to the others.

Both n-gram blocks are tf-idf weighted (sublinear tf, L2-normalised per block). The hashing is done with
numpy on the code points (character n-grams) and crc32 (words) rather than sklearn's HashingVectorizer:
the same numbers, computed in microseconds instead of a millisecond per message, which is what lets one
core check well over a thousand messages a second. ``row_columns`` is the single implementation both the
sparse matrices of training and the fast scorer of serving are built from.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from bot.detector.analysis import ALL_FLAG_CODES, Analysis, analyse
from bot.detector.hashing import all_ngram_hashes

__all__ = ["TextFeatures", "DENSE_NAMES", "char_columns", "word_terms", "word_columns"]

DENSE_NAMES = tuple(f"flag:{c}" for c in ALL_FLAG_CODES) + (
    "n_lure_signs", "has_telegram", "has_whatsapp", "has_wechat_line", "has_phone", "has_url", "has_shortener",
    "salary_multiple", "intent:detention_report", "intent:question", "intent:job_offer", "long_text",
)
_WORD = re.compile(r"\w\w+")
_SYMBOL = re.compile(r"[\u2190-\u2bff\u3000-\u303f\U0001f000-\U0001faff$€£¥₱฿₫₹]")
_NO_SPACE_SCRIPT = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3400-\u9fff]")
_LURE_CODES = frozenset(ALL_FLAG_CODES) - {"chat_app_contact", "urgency"}
# Too common to explain anything on their own.
_STOPWORDS = frozenset(
    "the and for you are with this that not now our your all can will has have from was but who what how "
    "yang dan untuk ini itu ang mga para sila nya cua va cho cac nhung".split()
)


def char_columns(text: str, bits: int, max_n: int = 4) -> np.ndarray:
    """Hashed columns of every character 1..max_n-gram of `` text `` (spaces around it mark the edges)."""
    out = all_ngram_hashes(" " + text + " ", max_n)
    out >>= np.uint64(24)
    out &= np.uint64((1 << bits) - 1)
    return out


def word_terms(text: str) -> list[str]:
    words = _WORD.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def word_columns(terms: list[str], bits: int) -> list[int]:
    """Hashed column of each word term (crc32 of its UTF-8, cut to ``bits``)."""
    mask = (1 << bits) - 1
    return [zlib.crc32(t.encode("utf-8")) & mask for t in terms]


def _as_analyses(X: Iterable[str | Analysis]) -> list[Analysis]:
    return [x if isinstance(x, Analysis) else analyse(str(x)) for x in X]


class TextFeatures(BaseEstimator, TransformerMixin):
    """Text (or a ready ``Analysis``) in, sparse feature matrix out."""

    def __init__(self, char_bits: int = 20, word_bits: int = 18, dense_weight: float = 1.0,
                 max_chars: int = 3000, symbols: bool = True, raw_view: bool = False, min_df: int = 1) -> None:
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.dense_weight = dense_weight
        self.max_chars = max_chars
        self.symbols = symbols
        self.raw_view = raw_view
        self.min_df = min_df

    @property
    def n_features(self) -> int:
        return 2 ** self.char_bits + 2 ** self.word_bits + len(DENSE_NAMES)

    # --- per message ---------------------------------------------------------------------------------
    def _feature_text(self, a: Analysis) -> str:
        """The normalised text, plus the emoji and symbols the normaliser turned into spaces (💰✈️🔥 are
        telling in lures and SMS spam, though useless for matching words)."""
        text = a.text[: self.max_chars]
        if getattr(self, "symbols", False):
            syms = "".join(_SYMBOL.findall(a.original[: self.max_chars]))
            if syms:
                text = f"{text} \u2063{syms[:200]}"
        if getattr(self, "raw_view", False):
            # The message as written (lower-cased, accents and punctuation kept) beside the normalised view:
            # SMS fraud and domestic fake-job ads carry signal in exactly what normalisation removes.
            raw = " ".join(a.original[: self.max_chars].lower().split())
            if raw != a.text[: self.max_chars]:
                text = f"{text} \u2063 {raw}"
        return text

    def _counts(self, a: Analysis) -> tuple[np.ndarray, np.ndarray, int]:
        """Sorted distinct columns of this message's n-grams (character block, then word block offset by
        ``2**char_bits``), how often each occurs, and where the word block starts."""
        text = self._feature_text(a)
        chars = char_columns(text, self.char_bits).astype(np.int64)
        words = np.asarray(word_columns(word_terms(text), self.word_bits), dtype=np.int64) + (1 << self.char_bits)
        cols, tf = np.unique(np.concatenate([chars, words]), return_counts=True)
        return cols, tf, int(np.searchsorted(cols, 1 << self.char_bits))

    def _idf(self) -> np.ndarray:
        """Both blocks' idf in one array, indexed like ``_counts``' columns (built once, never pickled)."""
        idf = getattr(self, "_idf_all", None)
        if idf is None:
            idf = self._idf_all = np.concatenate([self.char_idf_, self.word_idf_])
        return idf

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_idf_all", None)  # derived: the artifact stays as trained
        return state

    def dense_row(self, a: Analysis) -> np.ndarray:
        fc = a.flag_counts
        e = a.entities
        multiple = max((m for amt in e.amounts if (m := amt.wage_multiple) is not None), default=0.0)
        ic = a.intent_counts
        row = [1.0 if fc.get(code) else 0.0 for code in ALL_FLAG_CODES]
        row += [
            min(sum(1 for c in fc if c in _LURE_CODES), 8) / 4.0,
            1.0 if e.telegram_handles else 0.0,
            1.0 if e.whatsapp else 0.0,
            1.0 if (e.wechat_ids or e.line_ids or e.zalo) else 0.0,
            1.0 if e.phones else 0.0,
            1.0 if e.urls else 0.0,
            1.0 if e.shortened_urls else 0.0,
            math.log1p(min(multiple, 50.0)),
            1.0 if ic.get("detention_report") else 0.0,
            1.0 if ic.get("question") else 0.0,
            1.0 if ic.get("job_offer") else 0.0,
            1.0 if len(a.original) > 400 else 0.0,
        ]
        return np.asarray(row, dtype=np.float64) * self.dense_weight

    def row_columns(self, a: Analysis) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of this message's feature row: the one definition of the features."""
        cols, tf, split = self._counts(a)
        vals = (1.0 + np.log(tf)) * self._idf()[cols]
        for v in (vals[:split], vals[split:]):  # each block L2-normalised on its own (views: in place)
            norm = math.sqrt(float(v @ v)) if len(v) else 0.0
            if norm > 0:
                v /= norm
        dense = self.dense_row(a)
        nz = np.nonzero(dense)[0]
        base_d = 2 ** self.char_bits + 2 ** self.word_bits
        return np.concatenate([cols, nz + base_d]), np.concatenate([vals, dense[nz]])

    # --- sklearn API ---------------------------------------------------------------------------------
    def fit(self, X: Iterable[str | Analysis], y: object = None) -> "TextFeatures":
        analyses = _as_analyses(X)
        n_char, n_word = 2 ** self.char_bits, 2 ** self.word_bits
        df_c = np.zeros(n_char, dtype=np.int64)
        df_w = np.zeros(n_word, dtype=np.int64)
        for a in analyses:
            cols, _, split = self._counts(a)
            df_c[cols[:split]] += 1
            df_w[cols[split:] - n_char] += 1
        n = len(analyses)
        # smooth idf, as sklearn's TfidfTransformer: log((1 + n) / (1 + df)) + 1
        self.char_idf_ = (np.log((1.0 + n) / (1.0 + df_c)) + 1.0).astype(np.float32)
        self.word_idf_ = (np.log((1.0 + n) / (1.0 + df_w)) + 1.0).astype(np.float32)
        # Like TfidfVectorizer's min_df: n-grams seen in fewer documents carry more noise than signal.
        self.char_idf_[df_c < self.min_df] = 0.0
        self.word_idf_[df_w < self.min_df] = 0.0
        self._idf_all = None
        return self

    def transform(self, X: Iterable[str | Analysis]) -> sp.csr_matrix:
        analyses = _as_analyses(X)
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for a in analyses:
            cols, vals = self.row_columns(a)
            indices.append(cols)
            data.append(vals)
            indptr.append(indptr[-1] + len(cols))
        m = sp.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0), np.concatenate(indices) if indices else np.zeros(0, int),
             np.asarray(indptr)),
            shape=(len(analyses), self.n_features), dtype=np.float64,
        )
        m.sum_duplicates()
        return m

    # --- explanations --------------------------------------------------------------------------------
    def contributions(self, a: Analysis, cols: np.ndarray, vals: np.ndarray, coef: np.ndarray,
                      top: int = 5) -> list[str]:
        """Words and phrases of this message that pushed the score towards "scam" the most.

        Each candidate term is hashed the way the features hash it, so its column (and so its weight in
        this message) is known without a vocabulary.
        """
        prod = vals * coef[cols]
        positive = prod > 0
        pcols, pvals = cols[positive], prod[positive]
        contrib = dict(zip(pcols.tolist(), pvals.tolist()))  # row_columns' columns are unique
        base_w = 2 ** self.char_bits
        text = a.text[: self.max_chars]
        # (-weight, term, is_word), strongest first; the word filters below are applied only as far as needed.
        ranked: list[tuple[float, str, bool]] = []
        terms = list(set(word_terms(text)))
        for term, col in zip(terms, word_columns(terms, self.word_bits)):
            v = contrib.get(base_w + col)
            if v is not None:
                ranked.append((-v, term, True))
        if _NO_SPACE_SCRIPT.search(text):
            # 4-grams of scripts written without spaces, read off one hashing pass; overlapping strong
            # 4-grams are merged back into the phrase they came from ("高薪招聘" + "招聘客服" -> "高薪招聘客服").
            padded = " " + text + " "
            n = len(padded)
            cols4 = char_columns(text, self.char_bits)[n + (n - 1) + (n - 2):]
            is_char = pcols < base_w
            char_cols, char_vals = pcols[is_char], pvals[is_char]  # sorted: np.unique made them
            spans: list[tuple[int, int, float]] = []
            if len(char_cols):
                at = np.minimum(np.searchsorted(char_cols, cols4), len(char_cols) - 1)
                pos = np.flatnonzero(char_cols[at] == cols4)
                weights = char_vals[at[pos]]
                for i, v in zip(pos[np.argsort(-weights, kind="stable")].tolist(), np.sort(-weights, kind="stable").tolist()):
                    gram = padded[i:i + 4]
                    if " " in gram or not _NO_SPACE_SCRIPT.search(gram):
                        continue
                    spans.append((i, i + 4, -v))
                    if len(spans) >= 3 * top:
                        break
            merged: list[list[float]] = []
            for s0, e0, v in sorted(spans, key=lambda x: x[0]):
                if merged and s0 <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e0)
                    merged[-1][2] += v
                else:
                    merged.append([s0, e0, v])
            ranked += [(-v, padded[int(s0):int(e0)], False) for s0, e0, v in merged]
        out: list[str] = []
        for _, term, is_word in sorted(ranked):  # ties: same order every run
            if is_word:
                if _NO_SPACE_SCRIPT.search(term) or term.isdigit():
                    continue  # unsegmented runs are explained by their 4-grams
                if " " not in term and (len(term) < 3 or term in _STOPWORDS):
                    continue
            if any(term in o or o in term for o in out):
                continue
            out.append(term)
            if len(out) >= top:
                break
        return out
