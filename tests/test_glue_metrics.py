"""Tests for albert/glue_metrics.py: numpy and streaming metrics against hand-computed values."""

import math

import numpy as np
import pytest
import tensorflow as tf

from albert import glue_metrics

# Binary case, worked out by hand (class 1 positive):
#   labels      1 1 1 0 0 0 1 0 | 1  <- the last row is padding (weight 0)
#   predictions 1 0 1 0 1 0 1 0 | 0
#   tp = 3 (rows 0, 2, 6), fn = 1 (row 1), fp = 1 (row 4), tn = 3 (rows 3, 5, 7)
#   MCC = (3*3 - 1*1) / sqrt(4*4*4*4) = 8 / 16 = 0.5
#   F1  = 2*3 / (2*3 + 1 + 1) = 0.75,  accuracy = 6 / 8 = 0.75
BINARY_LABELS = [1, 1, 1, 0, 0, 0, 1, 0, 1]
BINARY_PREDICTIONS = [1, 0, 1, 0, 1, 0, 1, 0, 0]
BINARY_WEIGHTS = [1, 1, 1, 1, 1, 1, 1, 1, 0]
EXPECTED_MCC = 0.5
EXPECTED_F1 = 0.75
EXPECTED_ACCURACY = 0.75

# Regression case, worked out by hand (the last row is padding with weight 0):
#   x = 1 2 3 4 5, y = 2 4 5 4 5; means 3 and 4
#   dx = -2 -1 0 1 2, dy = -2 0 1 0 1; cov = 4 + 0 + 0 + 0 + 2 = 6; var x = 10, var y = 6
#   Pearson = 6 / sqrt(60)
#   ranks of y with ties averaged: 2 -> 1; 4, 4 -> 2.5; 5, 5 -> 4.5 => 1 2.5 4.5 2.5 4.5
#   drank_y = -2 -0.5 1.5 -0.5 1.5; cov = 4 + 0.5 + 0 - 0.5 + 3 = 7; var = 9
#   Spearman = 7 / sqrt(10 * 9)
REGRESSION_X = [1.0, 2.0, 3.0, 4.0, 5.0, 100.0]
REGRESSION_Y = [2.0, 4.0, 5.0, 4.0, 5.0, -100.0]
REGRESSION_WEIGHTS = [1, 1, 1, 1, 1, 0]
EXPECTED_PEARSON = 6.0 / math.sqrt(60.0)
EXPECTED_SPEARMAN = 7.0 / math.sqrt(90.0)


def test_numpy_binary_metrics_match_hand_computed_values():
  assert glue_metrics.matthews_corrcoef(
      BINARY_LABELS, BINARY_PREDICTIONS, BINARY_WEIGHTS) == pytest.approx(EXPECTED_MCC)
  assert glue_metrics.f1_score(
      BINARY_LABELS, BINARY_PREDICTIONS, BINARY_WEIGHTS) == pytest.approx(EXPECTED_F1)
  assert glue_metrics.accuracy(
      BINARY_LABELS, BINARY_PREDICTIONS, BINARY_WEIGHTS) == pytest.approx(EXPECTED_ACCURACY)
  # Without weights the padding row counts as a false negative: tp 3, fn 2, fp 1, tn 3.
  assert glue_metrics.f1_score(BINARY_LABELS, BINARY_PREDICTIONS) == pytest.approx(6 / 9)
  assert glue_metrics.matthews_corrcoef(BINARY_LABELS, BINARY_PREDICTIONS) == pytest.approx(
      (9 - 2) / math.sqrt(4 * 5 * 4 * 5))


def test_numpy_degenerate_cases_are_zero_not_nan():
  assert glue_metrics.matthews_corrcoef([1, 1, 1], [1, 1, 1]) == 0.0
  assert glue_metrics.f1_score([0, 0], [0, 0]) == 0.0
  assert glue_metrics.pearson_correlation([1, 1, 1], [1, 2, 3]) == 0.0


def test_numpy_regression_metrics_match_hand_computed_values():
  assert glue_metrics.pearson_correlation(
      REGRESSION_X, REGRESSION_Y, REGRESSION_WEIGHTS) == pytest.approx(EXPECTED_PEARSON)
  assert glue_metrics.spearman_correlation(
      REGRESSION_X, REGRESSION_Y, REGRESSION_WEIGHTS) == pytest.approx(EXPECTED_SPEARMAN)
  np.testing.assert_allclose(glue_metrics.average_ranks([2, 4, 5, 4, 5]),
                             [1, 2.5, 4.5, 2.5, 4.5])
  # A perfectly monotone but non-linear relation: Spearman 1, Pearson below 1.
  x = [1.0, 2.0, 3.0, 4.0]
  y = [1.0, 8.0, 27.0, 64.0]
  assert glue_metrics.spearman_correlation(x, y) == pytest.approx(1.0)
  assert glue_metrics.pearson_correlation(x, y) < 0.99


def _run_streaming(metric_builders, feeds_by_batch):
  """Builds metrics on placeholders, feeds the batches through update ops, reads the values."""
  graph = tf.Graph()
  with graph.as_default():
    placeholders = {
        "labels": tf.compat.v1.placeholder(tf.float32, [None]),
        "predictions": tf.compat.v1.placeholder(tf.float32, [None]),
        "weights": tf.compat.v1.placeholder(tf.float32, [None]),
    }
    metrics = {name: builder(placeholders) for name, builder in metric_builders.items()}
    update_ops = [update for _, update in metrics.values()]
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.local_variables_initializer())
      for batch in feeds_by_batch:
        sess.run(update_ops, {placeholders[k]: v for k, v in batch.items()})
      return sess.run({name: value for name, (value, _) in metrics.items()})


def _batches(labels, predictions, weights, sizes):
  start = 0
  for size in sizes:
    yield {"labels": labels[start:start + size],
           "predictions": predictions[start:start + size],
           "weights": weights[start:start + size]}
    start += size


def test_streaming_binary_metrics_match_hand_computed_values():
  as_int = lambda t: tf.cast(t, tf.int32)
  values = _run_streaming(
      {"mcc": lambda p: glue_metrics.streaming_matthews_corrcoef(
          as_int(p["labels"]), as_int(p["predictions"]), p["weights"]),
       "f1": lambda p: glue_metrics.streaming_f1(
           as_int(p["labels"]), as_int(p["predictions"]), p["weights"])},
      _batches(BINARY_LABELS, BINARY_PREDICTIONS, BINARY_WEIGHTS, [4, 3, 2]))
  assert values["mcc"] == pytest.approx(EXPECTED_MCC, abs=1e-6)
  assert values["f1"] == pytest.approx(EXPECTED_F1, abs=1e-6)


def test_streaming_regression_metrics_match_hand_computed_values():
  values = _run_streaming(
      {"pearson": lambda p: glue_metrics.streaming_pearson_correlation(
          p["predictions"], p["labels"], p["weights"]),
       "spearman": lambda p: glue_metrics.streaming_spearman_correlation(
           p["predictions"], p["labels"], p["weights"])},
      _batches(REGRESSION_X, REGRESSION_Y, REGRESSION_WEIGHTS, [2, 2, 2]))
  assert values["pearson"] == pytest.approx(EXPECTED_PEARSON, abs=1e-6)
  assert values["spearman"] == pytest.approx(EXPECTED_SPEARMAN, abs=1e-6)


def test_eval_metrics_for_task_names_and_values():
  """The per-task dictionaries have the original names plus F1/Spearman, with right values."""
  graph = tf.Graph()
  with graph.as_default():
    labels = tf.constant(BINARY_LABELS, tf.int32)
    predictions = tf.constant(BINARY_PREDICTIONS, tf.int32)
    weights = tf.constant(BINARY_WEIGHTS, tf.float32)
    loss = tf.constant([1.0] * 8 + [50.0])
    cola = glue_metrics.eval_metrics_for_task("cola", loss, labels, None, predictions, weights)
    mrpc = glue_metrics.eval_metrics_for_task("mrpc", loss, labels, None, predictions, weights)
    rte = glue_metrics.eval_metrics_for_task("rte", loss, labels, None, predictions, weights)
    stsb = glue_metrics.eval_metrics_for_task(
        "sts-b", tf.constant([0.5] * 5 + [9.0]), tf.constant(REGRESSION_Y), None,
        tf.constant(REGRESSION_X), tf.constant(REGRESSION_WEIGHTS, tf.float32))
    assert sorted(cola) == ["eval_accuracy", "eval_loss", "matthew_corr"]
    assert sorted(mrpc) == ["eval_accuracy", "eval_loss", "f1"]
    assert sorted(rte) == ["eval_accuracy", "eval_loss"]
    assert sorted(stsb) == ["MSE", "eval_loss", "pearson", "spearman"]
    all_metrics = {"cola": cola, "mrpc": mrpc, "sts-b": stsb}
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.local_variables_initializer())
      sess.run([update for metrics in all_metrics.values() for _, update in metrics.values()])
      values = sess.run({task: {name: value for name, (value, _) in metrics.items()}
                         for task, metrics in all_metrics.items()})
  assert values["cola"]["matthew_corr"] == pytest.approx(EXPECTED_MCC, abs=1e-6)
  assert values["cola"]["eval_accuracy"] == pytest.approx(EXPECTED_ACCURACY, abs=1e-6)
  assert values["cola"]["eval_loss"] == pytest.approx(1.0)  # padding loss 50 ignored
  assert values["mrpc"]["f1"] == pytest.approx(EXPECTED_F1, abs=1e-6)
  assert values["sts-b"]["pearson"] == pytest.approx(EXPECTED_PEARSON, abs=1e-6)
  assert values["sts-b"]["spearman"] == pytest.approx(EXPECTED_SPEARMAN, abs=1e-6)
  # MSE over the 5 real rows: (1-2)^2 + (2-4)^2 + (3-5)^2 + 0 + 0 = 9 -> 9 / 5.
  assert values["sts-b"]["MSE"] == pytest.approx(9.0 / 5.0, abs=1e-6)
