"""Tests for albert/export_checkpoints.py: a training checkpoint re-saved without slots."""

import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

from albert import export_checkpoints
from albert import export_utils
from albert import modeling
from albert import run_pretraining
from tests.fixtures import run_pretraining_fixtures as rp_fixtures

SLOT_SUFFIXES = ("/adam_m", "/adam_v", "/lamb_m", "/lamb_v")


@pytest.fixture(scope="module")
def training_checkpoint_dir(tmp_path_factory):
  """A directory with albert_config.json and model.ckpt-best: 2 LAMB steps of a tiny model."""
  directory = str(tmp_path_factory.mktemp("export_source"))
  config_file = rp_fixtures.write_config(os.path.join(directory, "albert_config.json"))
  config = modeling.AlbertConfig.from_json_file(config_file)
  model_fn = run_pretraining.model_fn_builder(
      config, None, learning_rate=0.05, num_train_steps=10, num_warmup_steps=0,
      use_tpu=False, use_one_hot_embeddings=False, optimizer="lamb", poly_power=1.0,
      start_warmup_step=0)
  rng = np.random.RandomState(0)
  batch, seq_length, slots = 4, 12, 3
  with tf.Graph().as_default():
    features = {
        "input_ids": tf.constant(rng.randint(5, 97, [batch, seq_length]), tf.int32),
        "input_mask": tf.ones([batch, seq_length], tf.int32),
        "segment_ids": tf.zeros([batch, seq_length], tf.int32),
        "masked_lm_positions": tf.constant(rng.randint(1, seq_length, [batch, slots]),
                                           tf.int32),
        "masked_lm_ids": tf.constant(rng.randint(5, 97, [batch, slots]), tf.int32),
        "masked_lm_weights": tf.ones([batch, slots]),
        "next_sentence_labels": tf.constant(rng.randint(0, 2, [batch, 1]), tf.int32),
    }
    spec = model_fn(features, None, tf.estimator.ModeKeys.TRAIN, {"batch_size": batch})
    with tf.compat.v1.Session() as session:
      session.run(tf.compat.v1.global_variables_initializer())
      session.run(spec.train_op)
      session.run(spec.train_op)
      tf.compat.v1.train.Saver().save(session, os.path.join(directory, "model.ckpt-best"))
  return directory


def _checkpoint_contents(prefix):
  reader = tf.train.load_checkpoint(prefix)
  return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(prefix)}


def _model_variable_names(config):
  with tf.Graph().as_default():
    export_utils.build_pretraining_model(config)
    return sorted(var.op.name for var in tf.compat.v1.global_variables())


def test_export_keeps_model_variables_and_drops_optimizer_slots(training_checkpoint_dir,
                                                                 tmp_path):
  from absl.testing import flagsaver
  from absl import flags
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()
  export_prefix = str(tmp_path / "export" / "model.ckpt")
  with flagsaver.flagsaver(albert_directory=training_checkpoint_dir,
                           checkpoint_name="model.ckpt-best", export_path=export_prefix):
    export_checkpoints.main(None)

  source = _checkpoint_contents(os.path.join(training_checkpoint_dir, "model.ckpt-best"))
  exported = _checkpoint_contents(export_prefix)
  assert any(name.endswith(SLOT_SUFFIXES) for name in source)  # the source has slots
  assert source["global_step"] == 2

  config = modeling.AlbertConfig.from_json_file(
      os.path.join(training_checkpoint_dir, "albert_config.json"))
  model_names = _model_variable_names(config)
  assert "cls/predictions/output_bias" in model_names
  assert "cls/seq_relationship/output_weights" in model_names
  assert sorted(exported) == sorted(model_names + ["global_step"])
  assert not any(name.endswith(SLOT_SUFFIXES) for name in exported)
  for name in model_names:
    np.testing.assert_array_equal(exported[name], source[name], err_msg=name)
  assert exported["global_step"] == 0


def test_export_loads_for_fine_tuning(training_checkpoint_dir, tmp_path):
  config = modeling.AlbertConfig.from_json_file(
      os.path.join(training_checkpoint_dir, "albert_config.json"))
  export_prefix = export_checkpoints.export_checkpoint(
      config, os.path.join(training_checkpoint_dir, "model.ckpt-best"), str(tmp_path))
  assert export_prefix == os.path.join(str(tmp_path), "model.ckpt")
  source = _checkpoint_contents(os.path.join(training_checkpoint_dir, "model.ckpt-best"))
  # A fine-tuning graph (encoder + a new classifier layer) initializes its encoder from the
  # export the way the runners do.
  with tf.Graph().as_default():
    input_ids = tf.ones([2, 6], tf.int32)
    model = modeling.AlbertModel(config, is_training=True, input_ids=input_ids)
    tf.compat.v1.get_variable("output_weights", [3, config.hidden_size])
    tvars = tf.compat.v1.trainable_variables()
    assignment_map, initialized = modeling.get_assignment_map_from_checkpoint(
        tvars, export_prefix)
    tf.compat.v1.train.init_from_checkpoint(export_prefix, assignment_map)
    encoder_vars = [var for var in tvars if var.op.name.startswith("bert/")]
    assert encoder_vars and all(var.name in initialized for var in encoder_vars)
    assert "output_weights:0" not in initialized
    with tf.compat.v1.Session() as session:
      session.run(tf.compat.v1.global_variables_initializer())
      values = session.run({var.op.name: var for var in encoder_vars})
      assert session.run(model.get_pooled_output()).shape == (2, config.hidden_size)
  for name, value in values.items():
    np.testing.assert_array_equal(value, source[name], err_msg=name)


def test_checkpoint_of_another_model_is_rejected(training_checkpoint_dir, tmp_path):
  bigger = modeling.AlbertConfig.from_dict(
      dict(rp_fixtures.tiny_config_dict(), num_hidden_groups=2))
  with pytest.raises(ValueError, match="group_1"):
    export_checkpoints.export_checkpoint(
        bigger, os.path.join(training_checkpoint_dir, "model.ckpt-best"),
        str(tmp_path / "out" / "model.ckpt"))


def test_missing_checkpoint_is_named(training_checkpoint_dir, tmp_path):
  from absl.testing import flagsaver
  from absl import flags
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()
  directory = str(tmp_path / "model")
  shutil.copytree(training_checkpoint_dir, directory)
  with flagsaver.flagsaver(albert_directory=directory, checkpoint_name="model.ckpt-77",
                           export_path=str(tmp_path / "x")):
    with pytest.raises(ValueError, match="model.ckpt-77"):
      export_checkpoints.main(None)
