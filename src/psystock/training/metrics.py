"""The book's classification metrics, computed with scikit-learn.

Accuracy, F1, precision, recall, log-loss, ROC AUC and the Matthews correlation coefficient,
each prefixed with the set it was computed on (``test_accuracy``, ``train_f1``...).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

METRIC_NAMES = ("accuracy", "f1", "precision", "recall", "log_loss", "roc_auc", "mcc")


def classification_metrics(
    label: np.ndarray[Any, np.dtype[Any]],
    probability: np.ndarray[Any, np.dtype[np.float64]],
    threshold: float,
    prefix: str,
) -> dict[str, float]:
    """Metrics of up-probabilities against 0/1 labels; decision 1 above ``threshold``.

    ROC AUC is undefined when the labels hold one class only; it is left out then (logged).
    """
    from sklearn import metrics

    decision = (probability > threshold).astype(np.int64)
    values = {
        "accuracy": metrics.accuracy_score(label, decision),
        "f1": metrics.f1_score(label, decision, zero_division=0),
        "precision": metrics.precision_score(label, decision, zero_division=0),
        "recall": metrics.recall_score(label, decision, zero_division=0),
        "log_loss": metrics.log_loss(label, probability, labels=[0, 1]),
        "mcc": metrics.matthews_corrcoef(label, decision),
    }
    if len(np.unique(label)) == 2:
        values["roc_auc"] = metrics.roc_auc_score(label, probability)
    else:
        logger.warning("%s ROC AUC left out: the labels hold only one class", prefix)
    return {f"{prefix}_{name}": float(value) for name, value in values.items()}


def confusion_counts(
    label: np.ndarray[Any, np.dtype[Any]],
    probability: np.ndarray[Any, np.dtype[np.float64]],
    threshold: float,
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The 2x2 confusion matrix: rows are true labels (0, 1), columns the decisions."""
    from sklearn.metrics import confusion_matrix

    decision = (probability > threshold).astype(np.int64)
    return np.asarray(confusion_matrix(label, decision, labels=[0, 1]), dtype=np.int64)
