# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Estimator set-up and model_fn pieces shared by every runner.

Each original runner defines the same TPU flags, builds the same RunConfig/TPUEstimator and
ends its model_fn with the same training tail; here each of those exists once:

  * `define_tpu_flags`, `RunSettings.from_flags`: the TPU flags and what they say, plus the
    scale-out flags every runner gets with them (`--strategy`, `--num_gpus`,
    `--num_cpu_devices`, `--precision`, `--use_xla`).
  * `build_estimator`: RunConfig + TPUEstimator, with the `iterations_per_loop` rule. With
    `use_tpu=False` (the default) TPUEstimator runs the same model_fn on CPU or GPU, under a
    tf.distribute strategy when `--strategy` asks for one, with the training graph in the
    `--precision` and XLA-compiled with `--use_xla` (`training_graph_scope`).
  * `log_features`, `training_spec`: the start and the TRAIN tail of every model_fn (NaN
    guard, optimizer, learning-rate summary).
  * `train`: the training phase of every runner (throughput log, "training finished" marker).

Graph code receives `use_tpu` as an argument; only runners read FLAGS.
"""

import contextlib
import dataclasses
import inspect
import sys
import time

from absl import flags
from absl import logging
import tensorflow as tf

from albert import checkpoint_utils
from albert import distribution
from albert import flag_utils
from albert import mixed_precision
from albert import modeling
from albert import optimization

FLAGS = flags.FLAGS

# Graph collection holding the training loss guarded by `check_loss_is_finite`, so that hooks
# created outside the model_fn (ThroughputLoggingHook) can log it.
TRAINING_LOSS_COLLECTION = "albert_training_loss"


def define_tpu_flags(module_name=None):
  """Defines the original's TPU flags (same names and defaults); safe to call repeatedly.

  Args:
    module_name: the runner to credit in --helpfull; default: the calling module.
  """
  if module_name is None:
    module_name = _calling_module_name()
  define = lambda *args, **kwargs: flag_utils.define_flag(  # pylint: disable=g-long-lambda
      *args, module_name=module_name, **kwargs)
  define(flags.DEFINE_bool, "use_tpu", False, "Whether to use TPU or GPU/CPU.")
  define(flags.DEFINE_string, "tpu_name", None,
         "The Cloud TPU to use for training. This should be either the name used when "
         "creating the Cloud TPU, or a grpc://ip.address.of.tpu:8470 url.")
  define(flags.DEFINE_string, "tpu_zone", None,
         "[Optional] GCE zone where the Cloud TPU is located in. If not specified, we will "
         "attempt to automatically detect the GCE project from metadata.")
  define(flags.DEFINE_string, "gcp_project", None,
         "[Optional] Project name for the Cloud TPU-enabled project. If not specified, we will "
         "attempt to automatically detect the GCE project from metadata.")
  define(flags.DEFINE_string, "master", None, "[Optional] TensorFlow master URL.")
  define(flags.DEFINE_integer, "num_tpu_cores", 8,
         "Only used if `use_tpu` is True. Total number of TPU cores to use.", lower_bound=1)
  define(flags.DEFINE_integer, "iterations_per_loop", 1000,
         "How many steps to make in each estimator call.", lower_bound=1)
  _define_scale_out_flags(define)


# Deviation (docs/DEVIATIONS.md): multi-GPU / multi-worker training, mixed precision and XLA
# are additions; the original trains on one device or TPU.
STRATEGIES = ("none", "mirrored", "multi_worker_mirrored")


def _define_scale_out_flags(define):
  """Defines --strategy, --num_gpus, --num_cpu_devices, --precision and --use_xla."""
  define(flags.DEFINE_enum, "strategy", "none",
         "How training is distributed off TPU (tf.distribute). none: one device. mirrored: "
         "synchronous data parallelism over the local GPUs (all, or --num_gpus). "
         "multi_worker_mirrored: the same over several machines, described by the TF_CONFIG "
         "environment variable (README, 'Scaling out'). --train_batch_size stays the GLOBAL "
         "batch, split evenly over the replicas. Evaluation and prediction run on one device.",
         enum_values=list(STRATEGIES))
  define(flags.DEFINE_integer, "num_gpus", None,
         "With --strategy=mirrored: how many local GPUs to use (default: all visible).",
         lower_bound=0)
  define(flags.DEFINE_integer, "num_cpu_devices", 1,
         "For testing without GPUs: with --strategy=mirrored on a machine without GPUs, split "
         "the CPU into this many logical devices, one replica each (they share the same cores, "
         "so this tests the distributed code path; it does not add speed).", lower_bound=1)
  define(flags.DEFINE_enum, "precision", "fp32",
         "Compute dtype of the training graph: fp32; bf16 (TPU, CPUs with AVX-512 BF16/AMX, "
         "Ampere+ GPUs); fp16 (GPUs, with dynamic loss scaling). Variables and checkpoints stay "
         "float32 either way; evaluation, prediction and export run in float32.",
         enum_values=list(mixed_precision.PRECISIONS))
  define(flags.DEFINE_bool, "use_xla", False,
         "Compile the training graph with XLA (CPU/GPU; TPU programs are always compiled).")
  global _scale_out_validator_registered
  if not _scale_out_validator_registered:
    _scale_out_validator_registered = True
    flags.register_multi_flags_validator(
        ["use_tpu", "strategy", "num_gpus", "num_cpu_devices", "precision", "use_xla"],
        _scale_out_flags_are_consistent)


_scale_out_validator_registered = False


def _scale_out_flags_are_consistent(flag_dict):
  """absl validator: the scale-out flags fit together (RunSettings.check_scale_out)."""
  try:
    RunSettings(**flag_dict).check_scale_out()
  except ValueError as error:
    raise flags.ValidationError(str(error)) from error
  return True


def _calling_module_name():
  return sys._getframe(2).f_globals.get("__name__")  # pylint: disable=protected-access


@dataclasses.dataclass(frozen=True)
class RunSettings:
  """Where and how the Estimator runs: the values of the TPU and scale-out flags.

  Attributes mirror the flags of the same names (`define_tpu_flags`), except
  `training_kernels`, which has no flag: False builds training graphs without
  `modeling.training_kernels_scope` (benchmarks compare the two).
  """
  use_tpu: bool = False
  tpu_name: str = None
  tpu_zone: str = None
  gcp_project: str = None
  master: str = None
  num_tpu_cores: int = 8
  iterations_per_loop: int = 1000
  strategy: str = "none"
  num_gpus: int = None
  num_cpu_devices: int = 1
  precision: str = "fp32"
  use_xla: bool = False
  training_kernels: bool = True

  @classmethod
  def from_flags(cls, flag_values=FLAGS):
    """The settings given on the command line (fields without a flag keep their default)."""
    return cls(**{field.name: flag_values[field.name].value
                  for field in dataclasses.fields(cls) if field.name in flag_values})

  def check_scale_out(self):
    """Raises ValueError, naming the flags, if the scale-out settings contradict each other."""
    if self.strategy not in STRATEGIES:
      raise ValueError("--strategy=%r is not supported; expected one of: %s" %
                       (self.strategy, ", ".join(STRATEGIES)))
    mixed_precision.check_precision(self.precision)
    if self.use_tpu:
      if self.strategy != "none":
        raise ValueError(
            "--strategy=%s cannot be combined with --use_tpu: TPUEstimator distributes over "
            "the TPU cores itself (--num_tpu_cores)." % self.strategy)
      if self.precision == "fp16":
        raise ValueError("--precision=fp16 is for GPUs; TPUs compute in bfloat16: use "
                         "--precision=bf16 with --use_tpu.")
      if self.use_xla:
        raise ValueError("--use_xla is for CPU/GPU: with --use_tpu every program is compiled "
                         "by XLA already.")
    if self.num_gpus is not None and self.strategy != "mirrored":
      raise ValueError(
          "--num_gpus=%d needs --strategy=mirrored (multi_worker_mirrored uses every GPU a "
          "worker sees; limit them with CUDA_VISIBLE_DEVICES)." % self.num_gpus)
    if self.num_gpus:  # None: every visible GPU (or the CPU when there is none); 0: the CPU.
      visible = len(tf.config.list_physical_devices("GPU"))
      if self.num_gpus > visible:
        raise ValueError("--num_gpus=%d, but %s visible." % (
            self.num_gpus, "no GPU is" if not visible else "only %d GPU(s) are" % visible))
    if self.num_cpu_devices > 1 and self.strategy != "mirrored":
      raise ValueError("--num_cpu_devices=%d needs --strategy=mirrored." % self.num_cpu_devices)


def _tpu_cluster_resolver(run_settings):
  if not (run_settings.use_tpu and run_settings.tpu_name):
    return None
  return tf.distribute.cluster_resolver.TPUClusterResolver(
      run_settings.tpu_name, zone=run_settings.tpu_zone, project=run_settings.gcp_project)


def build_estimator(model_fn, model_dir, run_settings, save_checkpoints_steps,
                    train_batch_size, eval_batch_size=8, predict_batch_size=8,
                    keep_checkpoint_max=5, do_train=True, export_to_tpu=False):
  """Builds the TPUEstimator every runner uses (a plain Estimator when not on TPU).

  Off TPU, `run_settings` also chooses the tf.distribute strategy of training
  (`distribution.py`), the precision of the training graph (`mixed_precision.py`) and XLA;
  runners need no code for any of them.

  Args:
    model_fn: TPUEstimator model_fn(features, labels, mode, params).
    model_dir: checkpoint and summary directory.
    run_settings: `RunSettings`.
    save_checkpoints_steps: checkpoint every this many global steps.
    train_batch_size, eval_batch_size, predict_batch_size: GLOBAL batch sizes; the input_fn
      sees them as `params["batch_size"]`, except that under a strategy the training input_fn
      sees the batch of one replica (train_batch_size / replicas).
    keep_checkpoint_max: how many recent checkpoints to keep; 0 keeps all.
    do_train: whether this run trains. Then `iterations_per_loop` is capped at
      `save_checkpoints_steps`: a TPU can only save between loops, so a longer loop would
      skip checkpoints the evaluation sweep waits for.
    export_to_tpu: also export a TPU metagraph in `export_saved_model`.

  Returns:
    A `tf.compat.v1.estimator.tpu.TPUEstimator` (for multi-worker training, a
    `distribution.MultiWorkerEstimator`).

  Raises:
    ValueError: contradictory settings, a global batch that does not divide over the
      replicas, or multi-worker settings without training.
  """
  run_settings.check_scale_out()
  iterations_per_loop = run_settings.iterations_per_loop
  if do_train:
    iterations_per_loop = min(iterations_per_loop, save_checkpoints_steps)
  tpu_config = tf.compat.v1.estimator.tpu.TPUConfig(
      iterations_per_loop=iterations_per_loop,
      num_shards=run_settings.num_tpu_cores,
      per_host_input_for_training=tf.compat.v1.estimator.tpu.InputPipelineConfig.PER_HOST_V2)
  # TPUEstimator logs every ceil(log_step_count_steps / iterations_per_loop) session runs. On
  # TPU a run is iterations_per_loop steps; on CPU/GPU it is one step, so scale the setting to
  # keep its step-rate log at every 100 steps instead of every step.
  log_step_count_steps = 100 if run_settings.use_tpu else 100 * iterations_per_loop

  def make_estimator(train_distribute=None, replica_train_batch_size=train_batch_size):
    run_config = tf.compat.v1.estimator.tpu.RunConfig(
        cluster=_tpu_cluster_resolver(run_settings),
        master=run_settings.master,
        model_dir=model_dir,
        save_checkpoints_steps=save_checkpoints_steps,
        keep_checkpoint_max=keep_checkpoint_max,
        log_step_count_steps=log_step_count_steps,
        tpu_config=tpu_config,
        train_distribute=train_distribute)
    return tf.compat.v1.estimator.tpu.TPUEstimator(
        use_tpu=run_settings.use_tpu,
        model_fn=training_graph_model_fn(model_fn, run_settings),
        config=run_config,
        train_batch_size=replica_train_batch_size,
        eval_batch_size=eval_batch_size,
        predict_batch_size=predict_batch_size,
        export_to_tpu=export_to_tpu)

  strategy = distribution.make_strategy(run_settings)
  if do_train:
    logging.info("%s Precision %s%s.", distribution.describe(strategy, train_batch_size),
                 run_settings.precision, ", XLA" if run_settings.use_xla else "")
  replica_train_batch_size = distribution.replica_batch_size(train_batch_size, strategy)
  if run_settings.strategy != "multi_worker_mirrored":
    return make_estimator(train_distribute=strategy,
                          replica_train_batch_size=replica_train_batch_size)
  if not do_train:
    raise ValueError("--strategy=multi_worker_mirrored is for training; evaluate, predict or "
                     "export without it (and without TF_CONFIG).")
  _, _, is_chief = distribution.cluster_task()
  training_estimator = make_estimator(train_distribute=strategy,
                                      replica_train_batch_size=replica_train_batch_size)
  with distribution.without_tf_config():
    local_estimator = make_estimator()
  return distribution.MultiWorkerEstimator(training_estimator, local_estimator, is_chief)


@contextlib.contextmanager
def training_graph_scope(run_settings):
  """Builds a training graph as `run_settings` asks: precision, XLA, training kernels.

  Models built inside compute in `--precision` (`mixed_precision.precision_scope`), are
  XLA-compiled whole with `--use_xla`, and otherwise, on a host without GPUs, get the
  training kernels of `modeling.training_kernels_scope`: the XLA-fused GELU and the C++
  LayerNorm and softmax (unless `run_settings.training_kernels` is False). On TPU only the
  precision applies: TPU programs are compiled whole anyway.

  Args:
    run_settings: `RunSettings`.
  """
  # jit_scope marks every op of the training step (and its gradients) for XLA; ops XLA
  # cannot compile (assertions, summaries) stay outside the clusters. The session option
  # global_jit_level does nothing on CPU without TF_XLA_FLAGS, jit_scope works on both.
  xla_scope = (tf.xla.experimental.jit_scope() if run_settings.use_xla
               else contextlib.nullcontext())
  # The training kernels are for CPU hosts: the C++ ones have CPU kernels only, and on GPUs
  # XLA needs CUDA's libdevice, which not every install has (--use_xla is the explicit
  # choice there). Under --use_xla the custom ops could not join XLA's clusters.
  training_kernels = run_settings.training_kernels and not (
      run_settings.use_tpu or run_settings.use_xla or tf.config.list_physical_devices("GPU"))
  with mixed_precision.precision_scope(run_settings.precision), xla_scope, \
      modeling.training_kernels_scope(training_kernels):
    yield


def training_graph_model_fn(model_fn, run_settings):
  """The model_fn `build_estimator` gives the Estimator: TRAIN inside `training_graph_scope`.

  Public for code that drives a model_fn without an Estimator (benchmarks), so that it builds
  the same training graph.

  Evaluation, prediction and export (PREDICT mode) build the plain float32 graph, so metrics
  and SavedModels do not depend on how the checkpoint was trained.

  Args:
    model_fn: model_fn(features, labels, mode, params[, config]).
    run_settings: `RunSettings`.

  Returns:
    A model_fn with the same arguments.
  """
  takes_config = "config" in inspect.signature(model_fn).parameters

  def training_graph_model_fn(features, labels, mode, params, config=None):
    kwargs = {"config": config} if takes_config else {}
    if mode != tf.estimator.ModeKeys.TRAIN:
      return model_fn(features, labels, mode, params, **kwargs)
    with training_graph_scope(run_settings):
      return model_fn(features, labels, mode, params, **kwargs)

  return training_graph_model_fn


def build_estimator_from_flags(model_fn, flag_values=FLAGS, keep_checkpoint_max=0):
  """`build_estimator` with a runner's usual flags.

  Reads --output_dir, --save_checkpoints_steps, --do_train, the batch-size flags the runner
  defines (--train_batch_size, --eval_batch_size, --predict_batch_size) and the TPU flags.

  Args:
    model_fn: TPUEstimator model_fn.
    flag_values: the absl FlagValues holding those flags.
    keep_checkpoint_max: how many recent checkpoints to keep; 0 (the fine-tuning runners, as
      the original) keeps all, and the evaluation sweep prunes them.

  Returns:
    A `tf.compat.v1.estimator.tpu.TPUEstimator`.
  """
  batch_sizes = {name: flag_values[name].value
                 for name in ("train_batch_size", "eval_batch_size", "predict_batch_size")
                 if name in flag_values}
  return build_estimator(
      model_fn, flag_values.output_dir, RunSettings.from_flags(flag_values),
      save_checkpoints_steps=flag_values.save_checkpoints_steps,
      keep_checkpoint_max=keep_checkpoint_max, do_train=flag_values.do_train, **batch_sizes)


def train(estimator, input_fn, num_train_steps, batch_size, seq_length, model_dir,
          log_every_n_steps=100):
  """Trains to `num_train_steps` with the throughput log; marks the run finished afterwards.

  Resumes from the newest checkpoint in `model_dir` (nothing to do if it is at the final
  step). The "training finished" marker (`checkpoint_utils.mark_training_finished`) lets an
  evaluation sweep stop after the last checkpoint instead of waiting for more.

  In a multi-worker run (`--strategy=multi_worker_mirrored`) every worker trains, and every
  worker but the chief then exits the process (SystemExit(0)): the runner's later phases
  (evaluation, prediction, export) are the chief's.

  Args:
    estimator: the runner's estimator.
    input_fn: training input_fn.
    num_train_steps: int, the final global step.
    batch_size: int, global examples per step (for examples/sec).
    seq_length: int, tokens per example (for tokens/sec).
    model_dir: the estimator's model directory.
    log_every_n_steps: int, steps between throughput log lines.
  """
  is_chief = getattr(estimator, "is_chief", True)  # False on other workers of a cluster.
  checkpoint_utils.clear_training_finished(model_dir)
  # Deviation (docs/DEVIATIONS.md): throughput logging (examples/sec, tokens/sec, ETA).
  hook = ThroughputLoggingHook(batch_size=batch_size, seq_length=seq_length,
                               num_train_steps=num_train_steps,
                               every_n_steps=log_every_n_steps,
                               output_dir=model_dir if is_chief else None)
  estimator.train(input_fn=input_fn, max_steps=num_train_steps, hooks=[hook])
  if not is_chief:
    # Deviation (docs/DEVIATIONS.md): evaluation, prediction and export write into the shared
    # output directory; two workers doing them at once would race (the sweep prunes
    # checkpoints). The chief does them; the other workers stop here.
    logging.info("Training done on this worker; the chief writes the checkpoints and runs "
                 "evaluation, prediction and export. Exiting.")
    raise SystemExit(0)
  checkpoint_utils.mark_training_finished(model_dir, num_train_steps)


def serialized_example_receiver_fn_builder(name_to_features, constant_features=None):
  """Returns a SavedModel serving input fn that takes serialized `tf.train.Example`s.

  The exported signature's input is `serialized_example`, a string Tensor of shape [None]
  (one record per example, in the layout of the training TFRecords). Integer features are
  cast to int32 as in training.

  Args:
    name_to_features: dict feature name -> `tf.io.FixedLenFeature` parsing spec.
    constant_features: optional dict name -> (value, dtype) of features the model_fn reads but
      serving does not need (labels, is_real_example): filled with `value`, one per example.

  Returns:
    function() -> `tf.estimator.export.ServingInputReceiver`.
  """
  def serving_input_receiver_fn():
    serialized_example = tf.compat.v1.placeholder(
        dtype=tf.string, shape=[None], name="serialized_example")
    parsed = tf.io.parse_example(serialized_example, name_to_features)
    features = {name: tf.cast(tensor, tf.int32) if tensor.dtype == tf.int64 else tensor
                for name, tensor in parsed.items()}
    batch_shape = tf.shape(serialized_example)[:1]
    for name, (value, dtype) in (constant_features or {}).items():
      features[name] = tf.fill(batch_shape, tf.constant(value, dtype))
    return tf.estimator.export.ServingInputReceiver(
        features=features, receiver_tensors={"serialized_example": serialized_example})
  return serving_input_receiver_fn


def log_features(features):
  """Logs the names and shapes of a model_fn's input features."""
  logging.info("*** Features ***")
  for name in sorted(features.keys()):
    logging.info("  name = %s, shape = %s", name, features[name].shape)


def training_spec(total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
                  optimizer="adamw", poly_power=1.0, start_warmup_step=0, scaffold_fn=None,
                  summaries=None):
  """The TRAIN-mode TPUEstimatorSpec of every model_fn: NaN guard, optimizer, summaries.

  Args:
    total_loss: float Tensor of shape [], the loss to minimize.
    learning_rate, num_train_steps, num_warmup_steps, optimizer, poly_power,
      start_warmup_step: as `optimization.create_optimizer`.
    use_tpu: bool.
    scaffold_fn: the TPU scaffold function of `checkpoint_utils.init_from_checkpoint`.
    summaries: optional dict name -> float Tensor of shape [] for TensorBoard (the learning
      rate is always added).

  Returns:
    `tf.compat.v1.estimator.tpu.TPUEstimatorSpec` for ModeKeys.TRAIN.
  """
  # Deviation (docs/DEVIATIONS.md): a NaN/inf loss stops training with an error naming the
  # global step, before the bad update is applied (pretraining and fine-tuning alike).
  total_loss = check_loss_is_finite(total_loss, use_tpu)
  train_op, learning_rate_tensor = optimization.create_optimizer(
      total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu, optimizer,
      poly_power, start_warmup_step, return_learning_rate=True)
  scalars = dict(summaries or {})
  scalars["learning_rate"] = learning_rate_tensor
  scalar_summaries(scalars, use_tpu)
  return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
      mode=tf.estimator.ModeKeys.TRAIN, loss=total_loss, train_op=train_op,
      scaffold_fn=scaffold_fn)


def scalar_summaries(scalars, use_tpu):
  """Adds TensorBoard scalars for a dict name -> scalar Tensor, except on TPU.

  On TPU, summaries inside the model_fn would need a host_call; they are skipped there rather
  than failing the compilation.
  """
  if use_tpu:
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


def check_loss_is_finite(loss, use_tpu=False):
  """Makes a training step fail, naming its global step, when the loss is NaN or infinite.

  The Estimator's own NaN check stops with a generic "NaN loss during training". Here the loss
  carries an assertion that reads the global step, so the failing step reports
  "Loss is NaN or inf at global step N". The gradients of the returned loss depend on the
  assertion too, so no update is applied for that step, and a step counter incremented after
  the update (as `optimization.create_optimizer` does) is read before its increment. No
  checkpoint is written for a failed step. Skipped on TPU, where Assert ops do not compile.

  Args:
    loss: float scalar Tensor, the training loss.
    use_tpu: bool; on TPU the loss is returned unguarded.

  Returns:
    The same loss value, guarded by the assertion.
  """
  if use_tpu:
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
