# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Estimator set-up shared by every runner: TPU flags, TPUEstimator, training hooks.

Each original runner defines the same TPU flags and builds the same RunConfig/TPUEstimator;
here that happens once. With `--use_tpu=false` (the default) TPUEstimator runs the same
model_fn as a plain Estimator on CPU or GPU.
"""

import time

from absl import flags
from absl import logging
import tensorflow as tf

FLAGS = flags.FLAGS

# Graph collection holding the training loss guarded by `check_loss_is_finite`, so that hooks
# created outside the model_fn (ThroughputLoggingHook) can log it.
TRAINING_LOSS_COLLECTION = "albert_training_loss"


def define_tpu_flags():
  """Defines the original's TPU flags (same names and defaults); safe to call repeatedly."""
  if "use_tpu" in FLAGS:
    return
  flags.DEFINE_bool("use_tpu", False, "Whether to use TPU or GPU/CPU.")
  flags.DEFINE_string(
      "tpu_name", None,
      "The Cloud TPU to use for training. This should be either the name used when creating "
      "the Cloud TPU, or a grpc://ip.address.of.tpu:8470 url.")
  flags.DEFINE_string(
      "tpu_zone", None,
      "[Optional] GCE zone where the Cloud TPU is located in. If not specified, we will "
      "attempt to automatically detect the GCE project from metadata.")
  flags.DEFINE_string(
      "gcp_project", None,
      "[Optional] Project name for the Cloud TPU-enabled project. If not specified, we will "
      "attempt to automatically detect the GCE project from metadata.")
  flags.DEFINE_string("master", None, "[Optional] TensorFlow master URL.")
  flags.DEFINE_integer(
      "num_tpu_cores", 8, "Only used if `use_tpu` is True. Total number of TPU cores to use.")
  flags.DEFINE_integer("iterations_per_loop", 1000,
                       "How many steps to make in each estimator call.")


def _tpu_cluster_resolver():
  if not (FLAGS.use_tpu and FLAGS.tpu_name):
    return None
  return tf.distribute.cluster_resolver.TPUClusterResolver(
      FLAGS.tpu_name, zone=FLAGS.tpu_zone, project=FLAGS.gcp_project)


def build_estimator(model_fn, model_dir, save_checkpoints_steps, train_batch_size,
                    eval_batch_size=8, predict_batch_size=8, keep_checkpoint_max=5,
                    iterations_per_loop=None, export_to_tpu=False):
  """Builds the TPUEstimator every runner uses (a plain Estimator when not on TPU).

  Args:
    model_fn: TPUEstimator model_fn(features, labels, mode, params).
    model_dir: checkpoint and summary directory.
    save_checkpoints_steps: checkpoint every this many global steps.
    train_batch_size, eval_batch_size, predict_batch_size: GLOBAL batch sizes; the model_fn
      and input_fn see them as `params["batch_size"]`.
    keep_checkpoint_max: how many recent checkpoints to keep; 0 keeps all.
    iterations_per_loop: TPU steps per host round trip; defaults to --iterations_per_loop.
    export_to_tpu: also export a TPU metagraph in `export_saved_model`.

  Returns:
    A `tf.compat.v1.estimator.tpu.TPUEstimator`.
  """
  define_tpu_flags()
  if iterations_per_loop is None:
    iterations_per_loop = FLAGS.iterations_per_loop
  tpu_config = tf.compat.v1.estimator.tpu.TPUConfig(
      iterations_per_loop=iterations_per_loop,
      num_shards=FLAGS.num_tpu_cores,
      per_host_input_for_training=tf.compat.v1.estimator.tpu.InputPipelineConfig.PER_HOST_V2)
  # TPUEstimator logs every ceil(log_step_count_steps / iterations_per_loop) session runs. On
  # TPU a run is iterations_per_loop steps; on CPU/GPU it is one step, so scale the setting to
  # keep its step-rate log at every 100 steps instead of every step.
  log_step_count_steps = 100 if FLAGS.use_tpu else 100 * iterations_per_loop
  run_config = tf.compat.v1.estimator.tpu.RunConfig(
      cluster=_tpu_cluster_resolver(),
      master=FLAGS.master,
      model_dir=model_dir,
      save_checkpoints_steps=save_checkpoints_steps,
      keep_checkpoint_max=keep_checkpoint_max,
      log_step_count_steps=log_step_count_steps,
      tpu_config=tpu_config)
  return tf.compat.v1.estimator.tpu.TPUEstimator(
      use_tpu=FLAGS.use_tpu,
      model_fn=model_fn,
      config=run_config,
      train_batch_size=train_batch_size,
      eval_batch_size=eval_batch_size,
      predict_batch_size=predict_batch_size,
      export_to_tpu=export_to_tpu)


def scalar_summaries(scalars):
  """Adds TensorBoard scalars for a dict name -> scalar Tensor, except on TPU.

  On TPU, summaries inside the model_fn would need a host_call; they are skipped there rather
  than failing the compilation.
  """
  if "use_tpu" in FLAGS and FLAGS.is_parsed() and FLAGS.use_tpu:
    return
  for name, value in sorted(scalars.items()):
    tf.compat.v1.summary.scalar(name, value)


def _format_duration(seconds):
  seconds = int(max(seconds, 0))
  hours, rest = divmod(seconds, 3600)
  minutes, seconds = divmod(rest, 60)
  return "%d:%02d:%02d" % (hours, minutes, seconds)


class ThroughputLoggingHook(tf.compat.v1.train.SessionRunHook):
  """Logs training throughput: examples/sec, tokens/sec and the time left.

  Tokens/sec counts padded positions (batch_size * seq_length per example), which is what the
  accelerator computes on.
  """

  def __init__(self, batch_size, seq_length, num_train_steps, every_n_steps=100,
               output_dir=None, loss=None):
    """Args:
      batch_size: global examples per step.
      seq_length: tokens per example.
      num_train_steps: the final global step, for the ETA.
      every_n_steps: log every this many steps.
      output_dir: if given, also write `examples_per_sec` and `tokens_per_sec` summaries here.
      loss: optional scalar loss Tensor, logged with the throughput (on CPU/GPU the
        TPUEstimator logs no loss during training). By default, the loss a model_fn passed
        through `check_loss_is_finite`, if any.
    """
    self._loss = loss
    self._batch_size = batch_size
    self._seq_length = seq_length
    self._num_train_steps = num_train_steps
    self._every_n_steps = max(1, int(every_n_steps))
    self._output_dir = output_dir
    self._global_step = None
    self._last_step = None
    self._last_time = None
    self._writer = None

  def begin(self):
    self._global_step = tf.compat.v1.train.get_global_step()
    if self._global_step is None:
      raise RuntimeError("ThroughputLoggingHook needs a global step in the graph.")
    if self._loss is None:
      guarded_losses = tf.compat.v1.get_collection(TRAINING_LOSS_COLLECTION)
      if guarded_losses:
        self._loss = guarded_losses[-1]
    if self._output_dir:
      self._writer = tf.compat.v1.summary.FileWriterCache.get(self._output_dir)

  def before_run(self, run_context):
    fetches = {"step": self._global_step}
    if self._loss is not None:
      fetches["loss"] = self._loss
    return tf.compat.v1.train.SessionRunArgs(fetches)

  def after_run(self, run_context, run_values):
    step = int(run_values.results["step"])
    now = time.time()
    if self._last_step is None:
      self._last_step, self._last_time = step, now
      return
    steps = step - self._last_step
    if steps < self._every_n_steps:
      return
    elapsed = max(now - self._last_time, 1e-9)
    steps_per_sec = steps / elapsed
    examples_per_sec = steps_per_sec * self._batch_size
    tokens_per_sec = examples_per_sec * self._seq_length
    eta = (self._num_train_steps - step) / steps_per_sec if steps_per_sec > 0 else 0.0
    loss_text = ""
    if self._loss is not None:
      loss_text = "loss = %.4f, " % run_values.results["loss"]
    logging.info("step %d/%d: %s%.2f steps/sec, %.1f examples/sec, %.0f tokens/sec, ETA %s",
                 step, self._num_train_steps, loss_text, steps_per_sec, examples_per_sec,
                 tokens_per_sec, _format_duration(eta))
    if self._writer is not None:
      summary = tf.compat.v1.Summary(value=[
          tf.compat.v1.Summary.Value(tag="examples_per_sec", simple_value=examples_per_sec),
          tf.compat.v1.Summary.Value(tag="tokens_per_sec", simple_value=tokens_per_sec)])
      self._writer.add_summary(summary, step)
    self._last_step, self._last_time = step, now

  def end(self, session):
    if self._writer is not None:
      self._writer.flush()


def check_loss_is_finite(loss):
  """Makes a training step fail, naming its global step, when the loss is NaN or infinite.

  The Estimator's own NaN check stops with a generic "NaN loss during training". Here the loss
  carries an assertion that reads the global step, so the failing step reports
  "Loss is NaN or inf at global step N". The gradients of the returned loss depend on the
  assertion too, so no update is applied for that step, and a step counter incremented after
  the update (as `optimization.create_optimizer` does) is read before its increment. No
  checkpoint is written for a failed step. Skipped on TPU, where Assert ops do not compile.

  Args:
    loss: float scalar Tensor, the training loss.

  Returns:
    The same loss value, guarded by the assertion.
  """
  if "use_tpu" in FLAGS and FLAGS.is_parsed() and FLAGS.use_tpu:
    tf.compat.v1.add_to_collection(TRAINING_LOSS_COLLECTION, loss)
    return loss
  global_step = tf.compat.v1.train.get_or_create_global_step()
  assertion = tf.compat.v1.Assert(
      tf.reduce_all(tf.math.is_finite(loss)),
      ["Loss is NaN or inf at global step", global_step, "loss =", loss,
       "Training stopped; the last checkpoint before this step is intact. Lower the learning "
       "rate or check the input data, then restart."],
      name="check_loss_is_finite")

  @tf.custom_gradient
  def guarded_identity(value):
    def grad(upstream):
      with tf.control_dependencies([assertion]):
        return tf.identity(upstream)
    with tf.control_dependencies([assertion]):
      return tf.identity(value), grad

  guarded_loss = guarded_identity(loss)
  tf.compat.v1.add_to_collection(TRAINING_LOSS_COLLECTION, guarded_loss)
  return guarded_loss
