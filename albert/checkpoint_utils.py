# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Checkpoints shared by every runner: initialization, the evaluation sweep, the best copy.

The original pretraining, GLUE, SQuAD and RACE runners each carry their own loop that waits
for checkpoints, evaluates them, keeps the best as `model.ckpt-best` and prunes the rest; some
of those loops never end (issue #243). `sweep_checkpoints` is that loop, written once, and it
always terminates. Also here, once each:

  * `init_from_checkpoint`: the model_fn block that loads `--init_checkpoint` (assignment
    maps, TPU scaffold, variable log).
  * `best_or_latest_checkpoint`: which checkpoint predict and export use.
  * `mark_training_finished` / `training_finished_step`: a marker the training phase writes, so
    that an evaluation sweep knows no further checkpoint will come.
  * `write_checkpoint`: saves arrays made outside TensorFlow (e.g. converted Hugging Face
    weights) as a checkpoint, with the files a Saver writes.
  * `is_optimizer_slot`: tells optimizer slots (`<var>/adam_m`, ...) from model variables.
"""

import os
import re
import shutil
import tempfile
import time

from absl import logging
import numpy as np
import tensorflow as tf

from albert import modeling
from albert import tfrecord_utils

BEST_PREFIX_NAME = "model.ckpt-best"
# Written by the training phase when it ends: "global_step = N".
TRAINING_FINISHED_FILE_NAME = "training_finished.txt"
_STEP_INDEX_RE = re.compile(r"model\.ckpt-(\d+)\.index$")
# Optimizer slot suffixes (LAMB in this code also uses adam_m/adam_v; §3 notes lamb_m/lamb_v).
OPTIMIZER_SLOT_NAMES = ("adam_m", "adam_v", "lamb_m", "lamb_v")


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


def is_optimizer_slot(name):
  """True for an optimizer slot variable such as "bert/pooler/dense/kernel/adam_m"."""
  return any(slot in name for slot in OPTIMIZER_SLOT_NAMES)


def write_checkpoint(prefix, tensors):
  """Saves numpy arrays as the checkpoint `prefix` (`.index`, `.data-00000-of-00001`, `.meta`).

  A Saver writes the checkpoint into a local staging directory; `copy_checkpoint` then puts
  each file in place atomically, after removing old files of `prefix`. No `checkpoint` state
  file is written (like the released `model.ckpt-best`).

  Args:
    prefix: checkpoint prefix to write, e.g. "out/model.ckpt-best" (any `tf.io.gfile` path).
    tensors: dict variable name (e.g. "bert/pooler/dense/kernel") -> numpy array; each array
      keeps its dtype and shape (e.g. int64 [] for "global_step").

  Returns:
    `prefix`.
  """
  staging_dir = tempfile.mkdtemp(prefix="albert_write_checkpoint_")
  try:
    staging_prefix = os.path.join(staging_dir, "model.ckpt")
    with tf.Graph().as_default():
      variables = [
          tf.compat.v1.get_variable(name, shape=value.shape, dtype=tf.as_dtype(value.dtype),
                                    initializer=tf.compat.v1.zeros_initializer(),
                                    trainable=False)
          for name, value in tensors.items()]
      saver = tf.compat.v1.train.Saver(variables)
      with tf.compat.v1.Session() as sess:
        for variable, value in zip(variables, tensors.values()):
          # Fed, not embedded in the graph: no 2 GB graph-size limit for large models.
          sess.run(variable.initializer, {variable.initial_value: value})
        saver.save(sess, staging_prefix, write_state=False)
    copy_checkpoint(staging_prefix, prefix)
  finally:
    shutil.rmtree(staging_dir, ignore_errors=True)
  return prefix


def best_or_latest_checkpoint(model_dir, init_checkpoint=None):
  """The checkpoint prediction and export use: `model.ckpt-best`, else the newest one.

  Args:
    model_dir: the run's output directory.
    init_checkpoint: used as it is when `model_dir` holds no checkpoint at all (e.g. an
      already fine-tuned model imported from elsewhere); None to require one.

  Returns:
    str, a checkpoint prefix.

  Raises:
    ValueError: no checkpoint in `model_dir` and no `init_checkpoint`.
  """
  best_prefix = os.path.join(model_dir, BEST_PREFIX_NAME)
  if tf.io.gfile.exists(best_prefix + ".index"):
    return best_prefix
  checkpoints = list_checkpoints(model_dir)
  if checkpoints:
    # Deviation (docs/DEVIATIONS.md): the original fails without model.ckpt-best.
    logging.warning("No %s in %s (run the evaluation to pick the best checkpoint); using the "
                    "newest checkpoint %s.", BEST_PREFIX_NAME, model_dir, checkpoints[-1][1])
    return checkpoints[-1][1]
  if init_checkpoint:
    logging.info("No checkpoint in %s; using --init_checkpoint=%s as it is.", model_dir,
                 init_checkpoint)
    return init_checkpoint
  raise ValueError("No checkpoint in %s: expected %s (written by the evaluation) or "
                   "model.ckpt-N (written by training)." % (model_dir, BEST_PREFIX_NAME))


def init_from_checkpoint(init_checkpoint, use_tpu, num_of_groups=0):
  """Initializes the trainable variables of the graph being built from `init_checkpoint`.

  Called in a model_fn after the model is built. Variables are matched by name
  (`modeling.get_assignment_map_from_checkpoint`); every trainable variable is logged with
  whether it was found.

  Args:
    init_checkpoint: checkpoint prefix, or None/"" (then nothing is loaded).
    use_tpu: bool; on TPU the initialization must run inside the Scaffold function.
    num_of_groups: 0 for exact names; G > 0 builds G assignment maps that fill every
      parameter group from group 0 of the checkpoint (`--init_from_group0`).

  Returns:
    the TPUEstimatorSpec `scaffold_fn` on TPU, else None.
  """
  trainable_variables = tf.compat.v1.trainable_variables()
  initialized_variable_names = {}
  scaffold_fn = None
  if init_checkpoint:
    assignment_maps, initialized_variable_names = (
        modeling.get_assignment_map_from_checkpoint(trainable_variables, init_checkpoint,
                                                    num_of_groups))
    if not num_of_groups:
      assignment_maps = [assignment_maps]

    def initialize():
      # One map per group: a checkpoint tensor can initialize several graph variables only
      # through separate calls.
      for assignment_map in assignment_maps:
        tf.compat.v1.train.init_from_checkpoint(init_checkpoint, assignment_map)

    if use_tpu:
      def tpu_scaffold():
        initialize()
        return tf.compat.v1.train.Scaffold()
      scaffold_fn = tpu_scaffold
    else:
      initialize()

  logging.info("**** Trainable Variables ****")
  for var in trainable_variables:
    init_string = ", *INIT_FROM_CKPT*" if var.name in initialized_variable_names else ""
    logging.info("  name = %s, shape = %s%s", var.name, var.shape, init_string)
  return scaffold_fn


def mark_training_finished(model_dir, global_step):
  """Records that training in `model_dir` ended at `global_step` (no more checkpoints)."""
  tfrecord_utils.atomic_write_text(os.path.join(model_dir, TRAINING_FINISHED_FILE_NAME),
                                   "global_step = %d\n" % global_step)


def clear_training_finished(model_dir):
  """Removes the marker: training (re)starts and will write further checkpoints."""
  path = os.path.join(model_dir, TRAINING_FINISHED_FILE_NAME)
  if tf.io.gfile.exists(path):
    tf.io.gfile.remove(path)


def training_finished_step(model_dir):
  """The final step recorded by `mark_training_finished`, or None while training may go on."""
  path = os.path.join(model_dir, TRAINING_FINISHED_FILE_NAME)
  if not tf.io.gfile.exists(path):
    return None
  with tf.io.gfile.GFile(path, "r") as handle:
    text = handle.read().strip()
  match = re.fullmatch(r"global_step = (\d+)", text)
  if not match:
    raise ValueError("%s: expected 'global_step = N', found %r" % (path, text))
  return int(match.group(1))


def estimator_evaluate_fn(estimator, input_fn, steps=None):
  """An `evaluate_fn` for `sweep_checkpoints`: `estimator.evaluate` on one checkpoint.

  Args:
    estimator: the runner's estimator.
    input_fn: evaluation input_fn.
    steps: number of batches (None: until the input ends).

  Returns:
    function(checkpoint_prefix) -> dict metric name -> Python number.
  """
  def evaluate_fn(checkpoint_prefix):
    metrics = estimator.evaluate(input_fn=input_fn, steps=steps,
                                 checkpoint_path=checkpoint_prefix)
    return {name: value.item() if isinstance(value, np.generic) else value
            for name, value in metrics.items()}
  return evaluate_fn


def read_best_trial(state_file):
  """Reads best_trial.txt as written by `sweep_checkpoints`.

  Args:
    state_file: path of the `last_step:best_step:best_value` file (the original's format).

  Returns:
    (last_step, best_step, best_value): ints and a float; (-1, None, None) if `state_file`
    is None or does not exist (nothing evaluated yet).
  """
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


def append_text(path, text):
  """Appends to a text file (eval_results.txt) atomically.

  Rewrites the file whole, so it also works on filesystems without append (gs://).
  """
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

  The loop ends when (a) a checkpoint with step >= `final_step` has been evaluated, (b) every
  checkpoint has been evaluated and training has marked itself finished
  (`mark_training_finished`; e.g. an evaluation-only run after training, whatever step count
  its flags say), (c) on entry every existing checkpoint had already been evaluated (a finished
  run evaluated again, issue #243), or (d) no new checkpoint appeared for `max_wait_seconds`
  (only while training has not marked itself finished). The closing "best = ..." line is
  written only when this call evaluated something, so re-running changes nothing.
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
  last_step, best_step, best_value = read_best_trial(state_file)
  best_metrics = {metric_key: best_value} if best_step is not None else None
  best_prefix = os.path.join(model_dir, BEST_PREFIX_NAME)
  first_round = True
  waited = 0.0

  def is_better(value):
    if best_value is None:
      return True
    return value > best_value if higher_is_better else value < best_value

  evaluated_any = False
  while True:
    # The marker is read before the listing: a checkpoint is written before its marker, so a
    # marker seen here guarantees the listing holds the final checkpoint.
    finished_step = training_finished_step(model_dir)
    checkpoints = list_checkpoints(model_dir)
    pending = [(step, prefix) for step, prefix in checkpoints if step > last_step]
    if latest_only:
      pending = pending[-1:]
    if not pending:
      if (last_step >= final_step or finished_step is not None or
          (first_round and checkpoints)):
        break
      if waited >= max_wait_seconds:
        logging.warning("No new checkpoint in %s for %d seconds; ending the evaluation sweep "
                        "after step %d (expected up to step %d).", model_dir, waited,
                        last_step, final_step)
        break
      if waited == 0:
        logging.info("Waiting up to %d seconds for checkpoints up to step %d in %s (training "
                     "has not marked %s there).", max_wait_seconds, final_step, model_dir,
                     TRAINING_FINISHED_FILE_NAME)
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
      evaluated_any = True
      value = float(metrics[metric_key])
      logging.info("Evaluated %s: %s = %s", prefix, metric_key, value)
      append_text(results_file, _format_metrics(prefix, metrics))
      # Deviation (docs/DEVIATIONS.md): the first evaluated checkpoint is always the best so
      # far, so model.ckpt-best exists after any sweep.
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

  if best_step is not None and evaluated_any:
    append_text(results_file, "best = %s (step %d)\n" % (best_value, best_step))
  if best_step is not None:
    logging.info("Best checkpoint: step %d, %s", best_step, best_metrics)
  else:
    logging.warning("No checkpoint was evaluated in %s.", model_dir)
  return best_step, best_metrics
