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
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

__all__ = ["PlattScaled", "fit_sigmoid"]


def fit_sigmoid(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's ``a, b`` with P(scam) = 1 / (1 + exp(a * decision + b)), by unpenalised logistic regression."""
    d = np.asarray(decision, dtype=np.float64).reshape(-1, 1)
    lr = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000).fit(d, np.asarray(y, dtype=int))
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


class PlattScaled(ClassifierMixin, BaseEstimator):
    """A fitted binary linear ``estimator`` and the sigmoid ``a_``, ``b_`` that turns its score into P(scam)."""

    def __init__(self, estimator: Any = None, a: float = -1.0, b: float = 0.0) -> None:
        self.estimator = estimator
        self.a = a
        self.b = b

    @property
    def classes_(self) -> np.ndarray:
        return self.estimator.classes_

    def decision_function(self, X: Any) -> np.ndarray:
        return self.estimator.decision_function(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        z = np.clip(self.a * self.decision_function(X) + self.b, -700.0, 700.0)
        p = 1.0 / (1.0 + np.exp(z))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
