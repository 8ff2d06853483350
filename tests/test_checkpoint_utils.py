"""Tests for albert/checkpoint_utils.py: listing, copying and the evaluation sweep."""

import os

import numpy as np
import pytest
import tensorflow as tf

from albert import checkpoint_utils


def _save_checkpoints(model_dir, steps):
  """Writes real checkpoints model.ckpt-<step> whose variable `w` holds the step number."""
  with tf.Graph().as_default():
    w = tf.compat.v1.get_variable("w", shape=[], initializer=tf.zeros_initializer())
    saver = tf.compat.v1.train.Saver(max_to_keep=None)
    with tf.compat.v1.Session() as sess:
      for step in steps:
        sess.run(w.assign(float(step)))
        saver.save(sess, os.path.join(model_dir, "model.ckpt"), global_step=step)


def _value(prefix):
  return float(tf.train.load_variable(prefix, "w"))


def test_list_and_copy(tmp_path):
  model_dir = str(tmp_path)
  _save_checkpoints(model_dir, [10, 2, 30])
  listed = checkpoint_utils.list_checkpoints(model_dir)
  assert [step for step, _ in listed] == [2, 10, 30]
  assert listed[0][1] == os.path.join(model_dir, "model.ckpt-2")
  best = os.path.join(model_dir, "model.ckpt-best")
  checkpoint_utils.copy_checkpoint(listed[1][1], best)
  assert _value(best) == 10.0
  # The best copy is not listed as a step checkpoint.
  assert [step for step, _ in checkpoint_utils.list_checkpoints(model_dir)] == [2, 10, 30]
  with pytest.raises(ValueError, match="model.ckpt-99"):
    checkpoint_utils.copy_checkpoint(os.path.join(model_dir, "model.ckpt-99"), best)


def test_sweep_keeps_best_prunes_and_resumes(tmp_path):
  model_dir = str(tmp_path)
  _save_checkpoints(model_dir, [1, 2, 3, 4])
  accuracy = {1: 0.5, 2: 0.9, 3: 0.7, 4: 0.6}
  evaluated = []

  def evaluate(prefix):
    step = int(_value(prefix))
    evaluated.append(step)
    return {"eval_accuracy": accuracy[step], "eval_loss": 1.0 - accuracy[step]}

  results = os.path.join(model_dir, "eval_results.txt")
  state = os.path.join(model_dir, "best_trial.txt")
  best_step, best_metrics = checkpoint_utils.sweep_checkpoints(
      model_dir, evaluate, "eval_accuracy", final_step=4, results_file=results,
      state_file=state, poll_seconds=0)
  assert evaluated == [1, 2, 3, 4]
  assert best_step == 2
  assert best_metrics["eval_accuracy"] == pytest.approx(0.9)
  assert _value(os.path.join(model_dir, "model.ckpt-best")) == 2.0
  # Neither best nor among the two newest: pruned.
  assert [s for s, _ in checkpoint_utils.list_checkpoints(model_dir)] == [2, 3, 4]
  with open(state) as handle:
    assert handle.read().strip() == "4:2:0.9"
  with open(results) as handle:
    text = handle.read()
  assert "checkpoint = model.ckpt-3\neval_accuracy = 0.7\neval_loss = 0.30000000000000004\n" in text
  assert text.endswith("best = 0.9 (step 2)\n")

  # A finished run evaluated again returns at once, evaluating nothing (issue #243).
  evaluated.clear()
  best_step, _ = checkpoint_utils.sweep_checkpoints(
      model_dir, evaluate, "eval_accuracy", final_step=10, results_file=results,
      state_file=state, poll_seconds=0, max_wait_seconds=0)
  assert evaluated == []
  assert best_step == 2


def test_sweep_ends_without_checkpoints_after_max_wait(tmp_path):
  calls = []
  best_step, best_metrics = checkpoint_utils.sweep_checkpoints(
      str(tmp_path), calls.append, "loss", final_step=5,
      results_file=str(tmp_path / "r.txt"), poll_seconds=0.01, max_wait_seconds=0.05)
  assert (best_step, best_metrics, calls) == (None, None, [])


def test_sweep_latest_only_lower_is_better(tmp_path):
  model_dir = str(tmp_path)
  _save_checkpoints(model_dir, [5, 10])
  seen = []

  def evaluate(prefix):
    seen.append(int(_value(prefix)))
    return {"loss": np.float32(3.5)}

  best_step, metrics = checkpoint_utils.sweep_checkpoints(
      model_dir, evaluate, "loss", final_step=10, results_file=str(tmp_path / "r.txt"),
      higher_is_better=False, keep_only_best=False, latest_only=True, poll_seconds=0)
  assert seen == [10] and best_step == 10 and metrics["loss"] == 3.5
  assert [s for s, _ in checkpoint_utils.list_checkpoints(model_dir)] == [5, 10]


def test_write_checkpoint_replaces_old_files_and_restores_with_a_saver(tmp_path):
  prefix = str(tmp_path / "model.ckpt-best")
  _save_checkpoints(str(tmp_path), [3])
  checkpoint_utils.copy_checkpoint(str(tmp_path / "model.ckpt-3"), prefix)
  stale_shard = prefix + ".data-00000-of-00002"  # e.g. from a sharded earlier checkpoint
  with open(stale_shard, "w") as handle:
    handle.write("stale")
  kernel = np.arange(6, dtype=np.float32).reshape(2, 3)
  assert checkpoint_utils.write_checkpoint(prefix, {
      "scope/dense/kernel": kernel, "global_step": np.array(7, np.int64)}) == prefix

  assert sorted(os.listdir(tmp_path)) == sorted(
      ["model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index", "model.ckpt-3.meta",
       "model.ckpt-best.data-00000-of-00001", "model.ckpt-best.index",
       "model.ckpt-best.meta", "checkpoint"])
  assert dict(tf.train.list_variables(prefix)) == {"scope/dense/kernel": [2, 3],
                                                   "global_step": []}
  with tf.Graph().as_default():
    restored = tf.compat.v1.get_variable("scope/dense/kernel", shape=[2, 3])
    step = tf.compat.v1.train.get_or_create_global_step()
    with tf.compat.v1.Session() as sess:
      tf.compat.v1.train.Saver().restore(sess, prefix)
      np.testing.assert_array_equal(sess.run(restored), kernel)
      assert sess.run(step) == 7 and step.dtype.base_dtype == tf.int64
