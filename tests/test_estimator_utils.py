"""Tests for albert/estimator_utils.py: flags, the estimator, and the training hooks."""

import numpy as np
import pytest
import tensorflow as tf
from absl import flags
from google.protobuf import text_format

from albert import estimator_utils
from albert import mixed_precision
from albert import modeling

FLAGS = flags.FLAGS


@pytest.fixture(autouse=True)
def parsed_flags():
  estimator_utils.define_tpu_flags()
  estimator_utils.define_tpu_flags()  # a second call must be harmless
  if not FLAGS.is_parsed():
    FLAGS(["test"])
  yield


def test_tpu_flag_defaults():
  assert FLAGS.use_tpu is False
  assert FLAGS.num_tpu_cores == 8
  assert FLAGS.iterations_per_loop == 1000
  assert FLAGS.tpu_name is None and FLAGS.master is None
  assert estimator_utils.RunSettings.from_flags(FLAGS) == estimator_utils.RunSettings()


@pytest.mark.parametrize("do_train,expected", [(True, 3), (False, 1000)])
def test_iterations_per_loop_is_capped_at_the_checkpoint_interval_when_training(
    tmp_path, do_train, expected):
  estimator = estimator_utils.build_estimator(
      _linear_model_fn(), str(tmp_path), estimator_utils.RunSettings(iterations_per_loop=1000),
      save_checkpoints_steps=3, train_batch_size=2, do_train=do_train)
  assert estimator.config.tpu_config.iterations_per_loop == expected


def _linear_model_fn(poison_step=None):
  """A one-weight regression whose loss becomes NaN from `poison_step` on."""

  def model_fn(features, labels, mode, params):
    w = tf.compat.v1.get_variable("w", shape=[], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(features["x"] * w - 1.0))
    step = tf.compat.v1.train.get_or_create_global_step()
    if poison_step is not None:
      loss = tf.where(step >= poison_step, tf.constant(np.nan), loss)
    loss = estimator_utils.check_loss_is_finite(loss)
    # As in create_optimizer, the step is incremented after the update, which follows the
    # (guarded) loss; so the step named in the error is the one being run.
    update = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([update]):
      train_op = step.assign_add(1)
    # The loss reaches the hook through check_loss_is_finite's collection.
    hooks = [estimator_utils.ThroughputLoggingHook(
        params["batch_size"], 1, 6, every_n_steps=2, output_dir=params.get("model_dir"))]
    return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
        mode=mode, loss=loss, train_op=train_op, training_hooks=hooks)

  return model_fn


def _input_fn(params):
  data = tf.data.Dataset.from_tensor_slices({"x": np.ones([8], np.float32)})
  return data.repeat().batch(params["batch_size"], drop_remainder=True)


def test_estimator_trains_on_cpu_and_writes_checkpoints(tmp_path, caplog):
  caplog.set_level("INFO")
  estimator = estimator_utils.build_estimator(
      _linear_model_fn(), str(tmp_path), estimator_utils.RunSettings(),
      save_checkpoints_steps=3, train_batch_size=2)
  assert isinstance(estimator, tf.compat.v1.estimator.tpu.TPUEstimator)
  estimator.train(_input_fn, max_steps=6)
  assert estimator.get_variable_value("global_step") == 6
  assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-6")
  progress = [r.getMessage() for r in caplog.records if "examples/sec" in r.getMessage()
              and r.getMessage().startswith("step ")]
  # Logged every 2 steps after the first fetch (the fetched step may read either side of the
  # concurrent increment, so the exact steps vary by one: 2, 4, 6 or 3, 5).
  assert len(progress) in (2, 3)
  steps = [int(line.split("/")[0].split()[1]) for line in progress]
  assert steps[0] in (2, 3) and steps[-1] <= 6 and all(
      later - earlier >= 2 for earlier, later in zip(steps, steps[1:]))
  assert all(line.split(":")[0].endswith("/6") for line in progress)
  assert "loss = " in progress[0] and "tokens/sec" in progress[0] and "ETA" in progress[0]


def test_nan_guard_names_the_step(tmp_path):
  estimator = estimator_utils.build_estimator(
      _linear_model_fn(poison_step=4), str(tmp_path), estimator_utils.RunSettings(),
      save_checkpoints_steps=100, train_batch_size=2)
  with pytest.raises(tf.errors.InvalidArgumentError,
                     match=r"Loss is NaN or inf at global step\] \[4\]"):
    estimator.train(_input_fn, max_steps=10)
  # Steps 0-3 trained; nothing was saved for the failed step.
  assert tf.train.latest_checkpoint(str(tmp_path)) is None or \
      not tf.train.latest_checkpoint(str(tmp_path)).endswith("-5")


def test_scale_out_flag_defaults_keep_the_single_device_fp32_graph():
  settings = estimator_utils.RunSettings.from_flags(FLAGS)
  assert (settings.strategy, settings.num_gpus, settings.num_cpu_devices, settings.precision,
          settings.use_xla) == ("none", None, 1, "fp32", False)

  seen = {}

  def model_fn(features, labels, mode, params):
    del features, labels, params
    seen[mode] = (mixed_precision.current_precision(),
                  modeling.training_kernels_enabled())

  wrapped = estimator_utils.training_graph_model_fn(model_fn, settings)
  for mode in (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL,
               tf.estimator.ModeKeys.PREDICT):
    wrapped({}, None, mode, {})
  # fp32 throughout; only the training graph gets the training kernels.
  assert seen == {"train": ("fp32", True), "eval": ("fp32", False),
                  "infer": ("fp32", False)}


@pytest.mark.parametrize("settings", [estimator_utils.RunSettings(use_tpu=True),
                                      estimator_utils.RunSettings(use_xla=True)])
def test_no_training_kernels_where_the_whole_program_is_compiled(settings):
  with tf.Graph().as_default(), estimator_utils.training_graph_scope(settings):
    enabled = modeling.training_kernels_enabled()
  assert not enabled


def test_training_kernels_can_be_turned_off():
  with estimator_utils.training_graph_scope(
      estimator_utils.RunSettings(training_kernels=False)):
    enabled = modeling.training_kernels_enabled()
  assert not enabled


def test_no_training_kernels_on_a_gpu_host(monkeypatch):
  monkeypatch.setattr(tf.config, "list_physical_devices",
                      lambda device_type=None: ["/physical_device:GPU:0"])
  with estimator_utils.training_graph_scope(estimator_utils.RunSettings()):
    enabled = modeling.training_kernels_enabled()
  assert not enabled


def test_precision_applies_to_the_training_graph_only():
  seen = {}

  def model_fn(features, labels, mode, params):
    del features, labels, params
    seen[mode] = mixed_precision.current_precision()

  wrapped = estimator_utils.training_graph_model_fn(
      model_fn, estimator_utils.RunSettings(precision="bf16"))
  for mode in (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL,
               tf.estimator.ModeKeys.PREDICT):
    wrapped({}, None, mode, {})
  assert seen == {"train": "bf16", "eval": "fp32", "infer": "fp32"}
  assert mixed_precision.current_precision() == "fp32"


def test_use_xla_compiles_the_training_step(tmp_path):
  estimator = estimator_utils.build_estimator(
      _linear_model_fn(), str(tmp_path), estimator_utils.RunSettings(use_xla=True),
      save_checkpoints_steps=100, train_batch_size=2)
  estimator.train(_input_fn, max_steps=3)
  assert estimator.get_variable_value("global_step") == 3
  assert estimator.get_variable_value("w") != 0.0
  graph_def = text_format.Parse((tmp_path / "graph.pbtxt").read_text(), tf.compat.v1.GraphDef())
  compiled = {node.name for node in graph_def.node
              if "_XlaCompile" in node.attr and node.attr["_XlaCompile"].b}
  # The model_fn's ops, gradients and update carry XLA's compile marker; the input pipeline,
  # built outside the model_fn, does not.
  assert "w" in compiled and "Square" in compiled
  assert any(name.startswith("gradients/") for name in compiled)
  assert not [name for name in compiled if name.startswith("IteratorGetNext")]
