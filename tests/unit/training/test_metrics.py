import math

import numpy as np
import pytest

from psystock.training.metrics import classification_metrics, confusion_counts


def test_classification_metrics_match_a_hand_computed_confusion_matrix() -> None:
    # Decisions at 0.5: [1, 1, 0, 0, 1, 0] against labels [1, 0, 0, 1, 1, 0]:
    # TP = 2 (rows 0, 4), FP = 1 (row 1), TN = 2 (rows 2, 5), FN = 1 (row 3).
    label = np.array([1, 0, 0, 1, 1, 0])
    probability = np.array([0.9, 0.6, 0.2, 0.4, 0.7, 0.1])

    metrics = classification_metrics(label, probability, threshold=0.5, prefix="test")

    assert metrics["test_accuracy"] == pytest.approx(4 / 6)
    assert metrics["test_precision"] == pytest.approx(2 / 3)
    assert metrics["test_recall"] == pytest.approx(2 / 3)
    assert metrics["test_f1"] == pytest.approx(2 / 3)
    # MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (4 - 1) / 9
    assert metrics["test_mcc"] == pytest.approx(3 / 9)
    expected_log_loss = -np.mean(
        label * np.log(probability) + (1 - label) * np.log(1 - probability)
    )
    assert metrics["test_log_loss"] == pytest.approx(expected_log_loss)
    # Of the 9 (positive, negative) pairs, the positive scores higher in 8 (0.4 < 0.6 only).
    assert metrics["test_roc_auc"] == pytest.approx(8 / 9)
    assert set(metrics) == {
        f"test_{name}" for name in
        ("accuracy", "f1", "precision", "recall", "log_loss", "roc_auc", "mcc")
    }  # fmt: skip


def test_classification_metrics_decide_up_only_above_the_threshold() -> None:
    metrics = classification_metrics(
        np.array([1, 0]), np.array([0.5, 0.5]), threshold=0.5, prefix="train"
    )

    assert metrics["train_recall"] == 0.0  # 0.5 is not above 0.5: decided "down"
    assert metrics["train_accuracy"] == 0.5


def test_classification_metrics_leave_out_roc_auc_for_a_single_class(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = classification_metrics(np.array([1, 1]), np.array([0.8, 0.3]), 0.5, "test")

    assert "test_roc_auc" not in metrics
    assert all(math.isfinite(value) for value in metrics.values())
    assert "test ROC AUC left out: the labels hold only one class" in caplog.text


def test_confusion_counts_rows_are_truth_columns_are_decisions() -> None:
    counts = confusion_counts(
        np.array([1, 0, 0, 1, 1, 0]), np.array([0.9, 0.6, 0.2, 0.4, 0.7, 0.1]), 0.5
    )

    assert counts.tolist() == [[2, 1], [1, 2]]
