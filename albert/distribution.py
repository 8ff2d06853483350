# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""tf.distribute strategies for the Estimator: several GPUs, several machines.

`estimator_utils.build_estimator` puts the strategy of `--strategy` into the RunConfig's
`train_distribute`; this module makes the strategy and holds what the Estimator needs around it:

  none                   no strategy: one device (as the original off TPU).
  mirrored               `MirroredStrategy` over the local GPUs (all, or `--num_gpus`), with
                         the default (NCCL) all-reduce. Without GPUs, over the CPU split into
                         `--num_cpu_devices` logical devices (for tests), with
                         `ReductionToOneDevice`: the default cross-device ops hang between
                         logical CPU devices in graph mode (DECISIONS §4).
  multi_worker_mirrored  `MultiWorkerMirroredStrategy` over every machine of TF_CONFIG, each
                         with all its GPUs (or its CPU); collective all-reduce (NCCL on GPUs,
                         ring on CPUs).

Batch sizes: the runners' `--train_batch_size` stays the GLOBAL batch of one step (as on TPU,
where it is split over the cores). Under a strategy the Estimator asks the input_fn for ONE
replica's batch, so `replica_batch_size` divides the global batch by the number of replicas.
Each replica clips its own gradients; they are then averaged across replicas
(`optimization.clipped_gradients`).

Evaluation, prediction and export run on one device: Estimator only distributes training here
(`eval_distribute` stays unset), and the metric code is not replica-aware.

Multi-worker: Estimator runs `MultiWorkerMirroredStrategy` only through `train_and_evaluate`
(its distribute coordinator starts this worker's server from TF_CONFIG and wires the
strategy), and in that mode its own `evaluate` refuses to run. `MultiWorkerEstimator`
therefore trains through a second estimator configured for the cluster and evaluates,
predicts and exports like a local run.
"""

import contextlib
import json
import os

from absl import logging
import tensorflow as tf

TF_CONFIG = "TF_CONFIG"
# Task types of a TF_CONFIG cluster that train; a worker-only cluster's chief is worker 0.
_TRAINING_TASK_TYPES = ("chief", "worker")


# Strategies made in this process, by their settings: a runner that builds a second estimator
# (e.g. for export) reuses the first one's strategy. Making a MultiWorkerMirroredStrategy
# again would wait for every worker of TF_CONFIG, and the others exit after training.
_strategies = {}


def make_strategy(run_settings):
  """The tf.distribute strategy of `run_settings.strategy`, or None for "none".

  Made once per process for the same settings (later calls return the same object).

  Args:
    run_settings: `estimator_utils.RunSettings`.

  Returns:
    A `tf.compat.v1.distribute` strategy, or None.

  Raises:
    ValueError: a malformed TF_CONFIG.
  """
  if run_settings.strategy == "none":
    return None
  key = (run_settings.strategy, run_settings.num_gpus, run_settings.num_cpu_devices)
  if key not in _strategies:
    _strategies[key] = _new_strategy(run_settings)
  return _strategies[key]


def _new_strategy(run_settings):
  """Makes the strategy of `make_strategy`."""
  if run_settings.strategy == "multi_worker_mirrored":
    cluster_task()  # Checks TF_CONFIG, naming what is wrong with it.
    return tf.compat.v1.distribute.experimental.MultiWorkerMirroredStrategy()
  # RunSettings.check_scale_out has refused a --num_gpus above the visible GPUs.
  gpus = tf.config.list_physical_devices("GPU")
  if gpus and run_settings.num_gpus != 0:
    num_gpus = len(gpus) if run_settings.num_gpus is None else run_settings.num_gpus
    return tf.compat.v1.distribute.MirroredStrategy(
        devices=["/device:GPU:%d" % index for index in range(num_gpus)])
  configure_cpu_devices(run_settings.num_cpu_devices)
  return tf.compat.v1.distribute.MirroredStrategy(
      devices=["/device:CPU:%d" % index for index in range(run_settings.num_cpu_devices)],
      cross_device_ops=tf.distribute.ReductionToOneDevice())


def configure_cpu_devices(num_devices):
  """Splits the host CPU into `num_devices` logical devices (they share its thread pools).

  Must happen before TensorFlow initializes its devices in this process (the first Session or
  eager op); runners call `build_estimator` before either.

  Raises:
    RuntimeError: the devices were initialized already with another split.
  """
  cpu = tf.config.list_physical_devices("CPU")[0]
  current = tf.config.get_logical_device_configuration(cpu)
  if len(current or [None]) == num_devices:
    return
  try:
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)])
  except RuntimeError as error:
    raise RuntimeError(
        "--num_cpu_devices=%d: TensorFlow initialized its devices in this process before the "
        "estimator was built, so the CPU can no longer be split (%s). Build the estimator "
        "first, or run in a fresh process." % (num_devices, error)) from error


def cluster_task():
  """This process's place in the TF_CONFIG cluster: (task_type, task_index, is_chief).

  Raises:
    ValueError: TF_CONFIG is missing, not JSON, or describes a cluster this training cannot
      run in (no workers; evaluator or parameter-server tasks, which MultiWorkerMirroredStrategy
      does not use: evaluate with a separate --do_eval run without TF_CONFIG).
  """
  text = os.environ.get(TF_CONFIG)
  if not text:
    raise ValueError("--strategy=multi_worker_mirrored needs the TF_CONFIG environment "
                     "variable (cluster and task; see README, 'Scaling out').")
  try:
    tf_config = json.loads(text)
    cluster = tf_config["cluster"]
    task_type = tf_config["task"]["type"]
    task_index = int(tf_config["task"]["index"])
  except (ValueError, KeyError, TypeError) as error:
    raise ValueError('TF_CONFIG must be JSON like {"cluster": {"worker": ["host:port", ...]}, '
                     '"task": {"type": "worker", "index": 0}}; got %r (%s)' %
                     (text, error)) from error
  other_jobs = sorted(set(cluster) - set(_TRAINING_TASK_TYPES))
  if other_jobs or task_type not in _TRAINING_TASK_TYPES:
    raise ValueError(
        "TF_CONFIG: --strategy=multi_worker_mirrored trains with 'chief' and 'worker' tasks "
        "only; found %s. Run evaluation as a separate job without TF_CONFIG "
        "(--do_train=false --do_eval)." % (other_jobs or "task type %r" % task_type))
  if task_index >= len(cluster.get(task_type, [])):
    raise ValueError("TF_CONFIG: task %s:%d is not in the cluster %s." %
                     (task_type, task_index, cluster))
  is_chief = task_type == "chief" or ("chief" not in cluster and task_index == 0)
  return task_type, task_index, is_chief


@contextlib.contextmanager
def without_tf_config():
  """Hides TF_CONFIG, so a RunConfig built inside describes a local, single-process run."""
  saved = os.environ.pop(TF_CONFIG, None)
  try:
    yield
  finally:
    if saved is not None:
      os.environ[TF_CONFIG] = saved


def replica_batch_size(global_batch_size, strategy):
  """The batch one replica's input_fn call must yield, for a GLOBAL batch size.

  Args:
    global_batch_size: int, the --train_batch_size flag.
    strategy: a tf.distribute strategy, or None.

  Returns:
    int, global_batch_size / number of replicas.

  Raises:
    ValueError: the global batch does not divide evenly over the replicas.
  """
  if strategy is None:
    return global_batch_size
  num_replicas = strategy.num_replicas_in_sync
  if global_batch_size % num_replicas:
    raise ValueError(
        "--train_batch_size=%d (the global batch) must be a multiple of the %d replicas of "
        "the strategy." % (global_batch_size, num_replicas))
  return global_batch_size // num_replicas


def describe(strategy, global_batch_size):
  """One log line: the replicas, the reduction, and what the batch size means."""
  if strategy is None:
    return "Training on one device: %d examples per step." % global_batch_size
  extended = strategy.extended
  devices = getattr(extended, "worker_devices", ())
  reduction = type(getattr(extended, "_cross_device_ops", None) or
                   getattr(extended, "_collective_ops", None)).__name__
  return ("Training with %s: %d replicas in sync (local devices %s; all-reduce %s). "
          "--train_batch_size=%d is the GLOBAL batch: %d examples per replica per step." %
          (type(strategy).__name__, strategy.num_replicas_in_sync, ", ".join(devices),
           reduction, global_batch_size, replica_batch_size(global_batch_size, strategy)))


class MultiWorkerEstimator(object):
  """The estimator of a multi-worker run: trains with the cluster, does the rest locally.

  Estimator runs MultiWorkerMirroredStrategy only through `train_and_evaluate`, its own
  `evaluate` then refuses to run, and Estimator subclasses may not override `train`. So this
  object pairs two TPUEstimators with the same model_fn: `train` runs `train_and_evaluate` on
  the one configured for the cluster, and every other attribute (`evaluate`, `predict`,
  `export_saved_model`, `config`, `model_dir`, ...) is the local one's (one device,
  configured without TF_CONFIG). Only the chief writes checkpoints.
  """

  def __init__(self, training_estimator, local_estimator, is_chief):
    """Args:
      training_estimator: TPUEstimator whose RunConfig has the strategy and TF_CONFIG.
      local_estimator: TPUEstimator of the same model_fn, configured without TF_CONFIG.
      is_chief: bool, whether this process is the cluster's chief.
    """
    self.training_estimator = training_estimator
    self.local_estimator = local_estimator
    self.is_chief = is_chief

  def __getattr__(self, name):
    return getattr(self.local_estimator, name)

  def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
    """Trains to `max_steps` together with the other workers (blocks until all are done)."""
    if steps is not None or saving_listeners:
      raise ValueError("Multi-worker training runs to max_steps; steps and saving_listeners "
                       "are not supported.")
    logging.info("Multi-worker training: this worker is %sthe chief.",
                 "" if self.is_chief else "NOT ")
    # The EvalSpec is required but unused: without an 'evaluator' task (which cluster_task
    # rejects) train_and_evaluate only trains.
    tf.compat.v1.estimator.train_and_evaluate(
        self.training_estimator,
        tf.estimator.TrainSpec(input_fn=input_fn, max_steps=max_steps, hooks=hooks),
        tf.estimator.EvalSpec(input_fn=input_fn, steps=1))
    return self
