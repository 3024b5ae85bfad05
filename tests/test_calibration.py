"""Calibration on out-of-fold scores: the probabilities are those of a model that had not seen the row."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from bot.detector.calibration import PlattScaled, fit_sigmoid


def test_sigmoid_is_fitted_to_the_scores_it_is_given() -> None:
    """Platt scaling recovers the slope and offset that generated the labels (not an identity or a constant)."""
    rng = np.random.default_rng(0)
    d = rng.normal(scale=3.0, size=20000)
    y = (rng.random(d.size) < 1.0 / (1.0 + np.exp(-(1.5 * d - 2.0)))).astype(int)
    a, b = fit_sigmoid(d, y)
    assert a == pytest.approx(-1.5, abs=0.1) and b == pytest.approx(2.0, abs=0.15)


def test_out_of_fold_scores_do_not_see_their_row() -> None:
    """On pure noise a flexible model memorises its training rows; out-of-fold it must score like a coin."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 600))
    y = rng.integers(0, 2, size=400)
    clf = PlattScaled(LogisticRegression(C=100.0, max_iter=2000), folds=5).fit(x, y)
    assert roc_auc_score(y, clf.decision_function(x)) > 0.99  # in-sample: memorised
    assert abs(roc_auc_score(y, clf.out_of_fold_proba()) - 0.5) < 0.1
    # calibrated on the honest scores: no confidence where there is no signal
    assert np.all(np.abs(clf.predict_proba(rng.normal(size=(50, 600)))[:, 1] - y.mean()) < 0.1)


def test_signal_is_kept_and_the_artifact_drops_training_scores() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, 5))
    y = (x[:, 0] + 0.3 * rng.normal(size=600) > 0).astype(int)
    clf = PlattScaled(LogisticRegression(), folds=5).fit(x, y, sample_weight=np.ones(600))
    assert roc_auc_score(y, clf.out_of_fold_proba()) > 0.95
    again = pickle.loads(pickle.dumps(clf))
    assert not hasattr(again, "oof_decision_")
    assert np.allclose(again.predict_proba(x), clf.predict_proba(x))
    assert list(again.predict(x[:3])) == list(clf.predict(x[:3]))
