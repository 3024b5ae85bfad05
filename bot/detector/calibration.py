"""A linear classifier whose probabilities come from a sigmoid fitted on out-of-fold scores.

Training fits the shipped classifier on the training *and* validation rows (more data, and the held-out test
rows stay unseen), so no single split is left to calibrate on: every row is scored once by a model that
did not see it (k-fold), and the sigmoid is fitted on those scores. sklearn's
``CalibratedClassifierCV(ensemble=False)`` does the same internally but keeps the out-of-fold scores to
itself, and the thresholds need them too; fitting every fold twice would double the training time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = ["PlattScaled", "fit_sigmoid", "sigmoid_probability"]


def fit_sigmoid(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's ``a, b`` with P(scam) = 1 / (1 + exp(a * decision + b)), by unpenalised logistic regression."""
    d = np.asarray(decision, dtype=np.float64).reshape(-1, 1)
    lr = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000).fit(d, np.asarray(y, dtype=int))
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


def sigmoid_probability(decision: np.ndarray, a: float, b: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(np.clip(a * np.asarray(decision, dtype=np.float64) + b, -700.0, 700.0)))


class PlattScaled(ClassifierMixin, BaseEstimator):
    """``estimator`` refitted on all rows, with a sigmoid fitted on its ``folds``-fold out-of-fold scores.

    After ``fit``: ``estimator_`` (the classifier that serves), ``a_``, ``b_`` (the sigmoid), and
    ``oof_decision_`` (each row's out-of-fold score, for choosing thresholds; not kept in the artifact).
    """

    def __init__(self, estimator: Any = None, folds: int = 5, n_jobs: int | None = None) -> None:
        self.estimator = estimator
        self.folds = folds
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any, sample_weight: np.ndarray | None = None) -> "PlattScaled":
        y = np.asarray(y, dtype=int)
        folds = max(2, min(self.folds, int(np.bincount(y, minlength=2).min())))
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        params = {"sample_weight": sample_weight} if sample_weight is not None else {}
        self.oof_decision_ = cross_val_predict(clone(self.estimator), X, y, cv=cv, method="decision_function",
                                               params=params, n_jobs=self.n_jobs)
        self.estimator_ = clone(self.estimator).fit(X, y, **params)
        self.a_, self.b_ = fit_sigmoid(self.oof_decision_, y)
        return self

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("oof_decision_", None)  # only training needs it; the artifact stays small
        return state

    @property
    def classes_(self) -> np.ndarray:
        return self.estimator_.classes_

    def out_of_fold_proba(self) -> np.ndarray:
        """Calibrated P(scam) of every training row from the fold that did not see it."""
        return sigmoid_probability(self.oof_decision_, self.a_, self.b_)

    def decision_function(self, X: Any) -> np.ndarray:
        return self.estimator_.decision_function(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        p = sigmoid_probability(self.decision_function(X), self.a_, self.b_)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
