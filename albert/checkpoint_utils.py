# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Checkpoint files and the evaluation sweep shared by every runner.

The original pretraining, GLUE, SQuAD and RACE runners each carry their own loop that waits
for checkpoints, evaluates them, keeps the best as `model.ckpt-best` and prunes the rest; some
of those loops never end (issue #243). `sweep_checkpoints` is that loop, written once, and it
always terminates.
"""

import os
import re
import time

from absl import logging
import tensorflow as tf

from albert import tfrecord_utils

BEST_PREFIX_NAME = "model.ckpt-best"
_STEP_INDEX_RE = re.compile(r"model\.ckpt-(\d+)\.index$")


def list_checkpoints(model_dir):
  """Returns [(step, prefix)] of the `model.ckpt-N` checkpoints in `model_dir`, by step."""
  found = []
  for index_path in tf.io.gfile.glob(os.path.join(model_dir, "model.ckpt-*.index")):
    match = _STEP_INDEX_RE.search(os.path.basename(index_path))
    if match:
      found.append((int(match.group(1)), index_path[:-len(".index")]))
  return sorted(found)


def _checkpoint_files(prefix):
  """The files of one checkpoint: `.index`, `.meta` and every `.data-*` shard."""
  candidates = tf.io.gfile.glob(prefix + ".*")
  suffix_re = re.compile(r"\.(index|meta|data-\d+-of-\d+)$")
  return [path for path in candidates if suffix_re.fullmatch(path[len(prefix):])]


def copy_checkpoint(src_prefix, dst_prefix):
  """Copies the files of checkpoint `src_prefix` to `dst_prefix` (e.g. model.ckpt-best).

  Old files of `dst_prefix` are removed first, so a best checkpoint with fewer data shards
  than its predecessor does not inherit stale shards.
  """
  sources = _checkpoint_files(src_prefix)
  if not any(path.endswith(".index") for path in sources):
    raise ValueError("Checkpoint %s not found (no %s.index)." % (src_prefix, src_prefix))
  delete_checkpoint(dst_prefix)
  for source in sources:
    with tfrecord_utils.atomic_output(dst_prefix + source[len(src_prefix):]) as tmp_target:
      tf.io.gfile.copy(source, tmp_target, overwrite=True)


def delete_checkpoint(prefix):
  """Deletes the files of checkpoint `prefix`, if any."""
  for path in _checkpoint_files(prefix):
    tf.io.gfile.remove(path)


def _read_state(state_file):
  """Reads `last_step:best_step:best_value` (the original's best_trial.txt format)."""
  if not state_file or not tf.io.gfile.exists(state_file):
    return -1, None, None
  with tf.io.gfile.GFile(state_file, "r") as handle:
    text = handle.read().strip()
  try:
    last_step, best_step, best_value = text.split(":")
    return int(last_step), int(best_step), float(best_value)
  except ValueError:
    raise ValueError("%s: expected 'global_step:best_step:best_value', found %r" %
                     (state_file, text))


def _append_text(path, text):
  """Appends to a text file; rewrites it whole so it also works where append is unsupported."""
  previous = ""
  if tf.io.gfile.exists(path):
    with tf.io.gfile.GFile(path, "r") as handle:
      previous = handle.read()
  tfrecord_utils.atomic_write_text(path, previous + text)


def _format_metrics(prefix, metrics):
  lines = ["checkpoint = %s" % os.path.basename(prefix)]
  for key in sorted(metrics):
    lines.append("%s = %s" % (key, metrics[key]))
  return "\n".join(lines) + "\n"


def sweep_checkpoints(model_dir, evaluate_fn, metric_key, final_step, results_file,
                      state_file=None, higher_is_better=True, poll_seconds=60,
                      max_wait_seconds=600, keep_only_best=True, latest_only=False):
  """Evaluates checkpoints as they appear, keeps the best as `model.ckpt-best`, and ends.

  The loop ends when (a) a checkpoint with step >= `final_step` has been evaluated, (b) on
  entry every existing checkpoint had already been evaluated (a finished run evaluated again,
  issue #243), or (c) no new checkpoint appeared for `max_wait_seconds`.
  # Deviation (docs/DEVIATIONS.md): evaluation loops always terminate.

  Args:
    model_dir: directory holding `model.ckpt-N.*` files.
    evaluate_fn: function(checkpoint_prefix) -> dict of metric name -> number.
    metric_key: the metric that decides the best checkpoint.
    final_step: the step of the last checkpoint training will write.
    results_file: text file each checkpoint's metrics are appended to.
    state_file: optional `last_step:best_step:best_value` file (best_trial.txt) that lets a
      second run skip evaluated checkpoints and keep the best found so far.
    higher_is_better: direction of `metric_key`.
    poll_seconds: wait between looks for new checkpoints.
    max_wait_seconds: give up after this long without a new checkpoint.
    keep_only_best: delete checkpoints that are neither the best nor among the two newest.
    latest_only: evaluate only the newest unevaluated checkpoint each round (pretraining).

  Returns:
    (best_step, best_metrics): the best step (None if nothing was evaluated) and its metrics
    (only {metric_key: value} when the best was found by an earlier run).
  """
  last_step, best_step, best_value = _read_state(state_file)
  best_metrics = {metric_key: best_value} if best_step is not None else None
  best_prefix = os.path.join(model_dir, BEST_PREFIX_NAME)
  first_round = True
  waited = 0.0

  def is_better(value):
    if best_value is None:
      return True
    return value > best_value if higher_is_better else value < best_value

  while True:
    checkpoints = list_checkpoints(model_dir)
    pending = [(step, prefix) for step, prefix in checkpoints if step > last_step]
    if latest_only:
      pending = pending[-1:]
    if not pending:
      if last_step >= final_step or (first_round and checkpoints):
        break
      if waited >= max_wait_seconds:
        logging.warning("No new checkpoint in %s for %d seconds; ending the evaluation sweep "
                        "after step %d (expected up to step %d).", model_dir, waited,
                        last_step, final_step)
        break
      time.sleep(poll_seconds)
      waited += poll_seconds
      first_round = False
      continue
    first_round = False
    waited = 0.0

    for step, prefix in pending:
      try:
        metrics = evaluate_fn(prefix)
      except tf.errors.NotFoundError:
        # Training may have pruned this checkpoint between listing and reading it.
        logging.warning("Checkpoint %s disappeared before it could be evaluated.", prefix)
        continue
      value = float(metrics[metric_key])
      logging.info("Evaluated %s: %s = %s", prefix, metric_key, value)
      _append_text(results_file, _format_metrics(prefix, metrics))
      if is_better(value):
        best_step, best_value, best_metrics = step, value, dict(metrics)
        copy_checkpoint(prefix, best_prefix)
      last_step = max(last_step, step)
      if state_file:
        tfrecord_utils.atomic_write_text(
            state_file, "%d:%d:%r\n" % (last_step, best_step, best_value))

    if keep_only_best:
      steps = [step for step, _ in list_checkpoints(model_dir)]
      keep = set(steps[-2:]) | {best_step}
      for step, prefix in list_checkpoints(model_dir):
        if step not in keep and step <= last_step:
          delete_checkpoint(prefix)

    if last_step >= final_step:
      break

  if best_step is not None:
    _append_text(results_file, "best = %s (step %d)\n" % (best_value, best_step))
  return best_step, best_metrics
