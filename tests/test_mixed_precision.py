"""Tests for albert/mixed_precision.py, the model's 16-bit path and fp16 loss scaling.

Graph-level tests train the tiny model (configs/albert_tiny_test.json) with the pretraining
heads on one fixed batch in a Session, in fp32, bf16 and fp16; end-to-end tests run
run_pretraining in bf16/fp16 and fine-tune the bf16 checkpoint with run_classifier in fp32.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from albert import mixed_precision
from albert import modeling
from albert import optimization
from albert import pretraining_heads
from albert import run_pretraining
from tests.fixtures import model_fixtures
from tests.fixtures import scale_out_fixtures
from tests.fixtures.run_pretraining_fixtures import run_pretraining_flags

BATCH_SIZE = 8
SEQ_LENGTH = 16
NUM_MASKED = 3
TINY_CONFIG = scale_out_fixtures.TINY_CONFIG


def _pretraining_graph(config, precision, loss_scale=None, learning_rate=1e-3):
  """The tiny model + MLM/SOP heads + LAMB on one fixed batch, built in `precision`.

  Returns:
    (graph, {"loss", "train_op", "poison"}): `poison` multiplies the loss (feed 1.0 for a
    normal step; a large value makes fp16 gradients overflow).
  """
  inputs = model_fixtures.random_albert_inputs(config, BATCH_SIZE, SEQ_LENGTH, NUM_MASKED)
  graph = tf.Graph()
  with graph.as_default():
    tf.compat.v1.set_random_seed(1)
    with mixed_precision.precision_scope(precision):
      model = modeling.AlbertModel(
          config, is_training=True, input_ids=tf.constant(inputs["input_ids"]),
          input_mask=tf.constant(inputs["input_mask"]),
          token_type_ids=tf.constant(inputs["token_type_ids"]))
      positions = tf.constant(inputs["masked_lm_positions"])
      label_ids = tf.gather(inputs["input_ids"], positions, batch_dims=1)
      masked_lm_loss, _, _ = pretraining_heads.get_masked_lm_output(
          config, model.get_sequence_output(), model.get_embedding_table(), positions,
          label_ids, tf.ones([BATCH_SIZE, NUM_MASKED]))
      sentence_order_loss, _, _ = pretraining_heads.get_sentence_order_output(
          config, model.get_pooled_output(), tf.constant([0, 1] * (BATCH_SIZE // 2)))
      loss = masked_lm_loss + sentence_order_loss
      poison = tf.compat.v1.placeholder_with_default(1.0, [], name="poison")
      train_op = optimization.create_optimizer(
          loss * poison, learning_rate, num_train_steps=1000, num_warmup_steps=0,
          use_tpu=False, optimizer="lamb", loss_scale=loss_scale)
  return graph, {"loss": loss, "train_op": train_op, "poison": poison}


def _session(graph):
  session = tf.compat.v1.Session(graph=graph)
  with graph.as_default():
    session.run([tf.compat.v1.global_variables_initializer(),
                 tf.compat.v1.local_variables_initializer()])
  return session


def _train_losses(graph, ops, num_steps):
  with _session(graph) as session:
    return np.array([session.run([ops["loss"], ops["train_op"]])[0]
                     for _ in range(num_steps)])


def _variable_signature(graph):
  """Sorted (name, dtype, shape) of the global variables: what a checkpoint saves."""
  return sorted((v.op.name, v.dtype.base_dtype.name, tuple(v.shape.as_list()))
                for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES))


def _op_dtypes(graph, op_type, scope=""):
  return {op.outputs[0].dtype.name for op in graph.get_operations()
          if op.type == op_type and op.name.startswith(scope)}


@pytest.fixture(scope="module")
def fp32_reference():
  """(variable signature, 25 training losses) of the fp32 graph."""
  graph, ops = _pretraining_graph(model_fixtures.load_albert_config("albert_tiny_test"), "fp32")
  return _variable_signature(graph), _train_losses(graph, ops, 25)


@pytest.mark.parametrize("precision,dtype", [("bf16", "bfloat16"), ("fp16", "float16")])
def test_16_bit_training_keeps_float32_variables_and_tracks_fp32(
    tiny_albert_config, fp32_reference, precision, dtype):
  fp32_signature, fp32_losses = fp32_reference
  graph, ops = _pretraining_graph(tiny_albert_config, precision)
  # Same global variables (model, heads, optimizer slots, step: what a checkpoint holds) with
  # the same names, shapes and dtypes; the fp16 loss scale is a local variable, not saved.
  assert _variable_signature(graph) == fp32_signature
  assert {dtype for _, dtype, _ in fp32_signature} == {"float32", "int64"}
  # The transformer's matmuls run in 16 bits; biases, GELU, softmax, LayerNorm and the heads
  # stay float32.
  assert _op_dtypes(graph, "MatMul", "bert/encoder/") == {dtype}
  assert _op_dtypes(graph, "BatchMatMulV2", "bert/encoder/transformer") == {dtype}
  for op_type in ("BiasAdd", "Tanh", "Softmax", "Mean", "Rsqrt"):
    assert _op_dtypes(graph, op_type, "bert/encoder/") == {"float32"}, op_type
  assert _op_dtypes(graph, "MatMul", "cls/") == {"float32"}
  assert _op_dtypes(graph, "MatMul", "bert/pooler/") == {"float32"}

  losses = _train_losses(graph, ops, 25)
  # The loss falls by ~0.5 over these steps, far more than the tolerance below.
  assert fp32_losses[-1] < fp32_losses[0] - 0.3
  assert losses[-1] < losses[0] - 0.3
  # bf16 keeps 8 significant bits (relative rounding 2^-9 = 0.2% per value), fp16 11 bits;
  # the loss averages many rounded values and the float32 master weights do not accumulate
  # rounding, so it stays within 1% of fp32's at every step (the issue's bar for 200 steps
  # of ALBERT-base; measured here: < 0.1%).
  np.testing.assert_allclose(losses, fp32_losses, rtol=0.01)


def _scale_state(session):
  graph = session.graph
  scale, good_steps = [v for v in graph.get_collection(tf.compat.v1.GraphKeys.LOCAL_VARIABLES)
                       if v.op.name.startswith("dynamic_loss_scale/")]
  return session.run([scale, good_steps])


def _trained_state(session):
  """Values of every trainable variable and optimizer slot (sorted by name)."""
  variables = sorted(session.graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES),
                     key=lambda v: v.op.name)
  return dict(zip([v.op.name for v in variables], session.run(variables)))


def test_fp16_overflow_skips_the_step_and_halves_the_scale(tiny_albert_config):
  graph, ops = _pretraining_graph(tiny_albert_config, "fp16")
  assert graph.get_operation_by_name("loss_scale").type == "ScalarSummary"  # TensorBoard tag
  with _session(graph) as session:
    assert _scale_state(session) == [2.0 ** 15, 0]
    for step in range(3):
      session.run(ops["train_op"])
    assert _scale_state(session) == [2.0 ** 15, 3]
    before = _trained_state(session)
    # A loss 1e6 times larger (still finite in float32) makes the float16 gradients inside
    # the model overflow at scale 2^15: deterministically, at this step.
    loss, _ = session.run([ops["loss"], ops["train_op"]], {ops["poison"]: 1e6})
    assert np.isfinite(loss)
    after = _trained_state(session)
    assert after.pop("global_step") == before.pop("global_step") + 1  # the batch was used
    for name, value in before.items():
      np.testing.assert_array_equal(after[name], value, err_msg=name)  # weights and slots
    assert _scale_state(session) == [2.0 ** 14, 0]
    # Training goes on at the lower scale.
    first_loss = session.run(ops["loss"])
    for _ in range(5):
      session.run(ops["train_op"])
    assert _scale_state(session) == [2.0 ** 14, 5]
    assert session.run(ops["loss"]) < first_loss
    changed = _trained_state(session)
    assert not np.array_equal(changed["bert/pooler/dense/kernel"],
                              after["bert/pooler/dense/kernel"])


def test_fp16_loss_scale_shrinks_until_safe_and_grows_after_good_steps():
  graph = tf.Graph()
  with graph.as_default():
    w = tf.compat.v1.get_variable("w", [4], initializer=tf.compat.v1.ones_initializer())
    # The gradient reaches w through float16 as 2 * scale: it overflows (above 65504) for
    # every scale >= 2^15 and is finite for 2^14.
    loss = tf.reduce_sum(tf.cast(tf.cast(w, tf.float16) * 2.0, tf.float32))
    train_op = optimization.create_optimizer(
        loss, 1e-3, 1000, 0, False, "adamw",
        loss_scale=optimization.DynamicLossScale(initial_scale=2.0 ** 40, growth_interval=3))
  with _session(graph) as session:
    scales = []
    for _ in range(26):
      session.run(train_op)
      scales.append(_scale_state(session)[0])
    # 26 overflows, each skipped with the scale halved: 2^39 ... 2^14.
    assert scales == [2.0 ** (40 - step) for step in range(1, 27)]
    np.testing.assert_array_equal(session.run(w), np.ones(4))
    for _ in range(4):
      session.run(train_op)
      scales.append(_scale_state(session)[0])
    # Three good steps at 2^14, then 2^15 (which overflows once more and halves again).
    assert scales[26:] == [2.0 ** 14, 2.0 ** 14, 2.0 ** 15, 2.0 ** 14]
    assert np.all(session.run(w) < 1.0)


def test_precision_scope_is_thread_local_and_restored():
  assert mixed_precision.current_precision() == "fp32"
  with mixed_precision.precision_scope("bf16"):
    assert mixed_precision.compute_dtype() == tf.bfloat16
    seen = []
    import threading  # pylint: disable=g-import-not-at-top
    thread = threading.Thread(target=lambda: seen.append(mixed_precision.current_precision()))
    thread.start()
    thread.join()
    assert seen == ["fp32"]
  assert mixed_precision.current_precision() == "fp32"
  with pytest.raises(ValueError, match="--precision='fp64' is not supported"):
    with mixed_precision.precision_scope("fp64"):
      pass


def test_16_bit_dense_layer_needs_the_master_weight_getter():
  with tf.Graph().as_default(), mixed_precision.precision_scope("bf16"):
    inputs = tf.zeros([2, 3, 4])
    with pytest.raises(ValueError, match="needs mixed_precision.float32_master_getter"):
      modeling.dense_layer_2d(inputs, 5, None, None, use_einsum=True, name="dense")


###############################################################################
# End to end: run_pretraining in 16 bits, fine-tuning in fp32
###############################################################################


def _pretrain(output_dir, records, precision, num_train_steps=4):
  """run_pretraining (in this process) on configs/albert_tiny_test.json; the final checkpoint."""
  path, max_seq_length, max_predictions = records
  with run_pretraining_flags(
      albert_config_file=TINY_CONFIG, input_file=path, output_dir=str(output_dir),
      max_seq_length=max_seq_length, max_predictions_per_seq=max_predictions,
      train_batch_size=8, optimizer="lamb", learning_rate=0.01, num_warmup_steps=0,
      num_train_steps=num_train_steps, save_checkpoints_steps=num_train_steps,
      precision=precision):
    run_pretraining.main(None)
  return str(output_dir / ("model.ckpt-%d" % num_train_steps))


@pytest.fixture(scope="module")
def bf16_pretrained_checkpoint(tmp_path_factory, rp_records):
  """A 4-step bf16 pretraining checkpoint of configs/albert_tiny_test.json."""
  return _pretrain(tmp_path_factory.mktemp("bf16_pretraining"), rp_records, "bf16")


def test_bf16_pretraining_checkpoint_is_an_fp32_checkpoint(fp32_reference,
                                                          bf16_pretrained_checkpoint):
  values = scale_out_fixtures.checkpoint_values(bf16_pretrained_checkpoint)
  # Exactly the global variables of the fp32 graph (model, heads, Adam slots, step) with their
  # dtypes and shapes: no 16-bit copies, nothing added.
  fp32_signature, _ = fp32_reference
  assert sorted((name, value.dtype.name, value.shape) for name, value in values.items()) == \
      fp32_signature
  for name, value in values.items():
    assert np.all(np.isfinite(value)), name
  assert values["global_step"] == 4


def test_bf16_checkpoint_fine_tunes_in_fp32(tmp_path, bf16_pretrained_checkpoint,
                                            glue_data_dir, spm_model_file):
  output_dir = tmp_path / "mrpc"
  env = scale_out_fixtures.subprocess_env()
  process = subprocess.run(
      [sys.executable, "-m", "albert.run_classifier", "--task_name=MRPC",
       "--data_dir=%s" % glue_data_dir, "--output_dir=%s" % output_dir,
       "--albert_config_file=%s" % TINY_CONFIG, "--spm_model_file=%s" % spm_model_file,
       "--init_checkpoint=%s" % bf16_pretrained_checkpoint, "--max_seq_length=32",
       "--do_train", "--train_step=2", "--save_checkpoints_steps=2", "--train_batch_size=4",
       "--precision=fp32"],
      cwd=scale_out_fixtures.REPO_ROOT, env=env, stdout=subprocess.PIPE,
      stderr=subprocess.STDOUT, text=True, timeout=150)
  assert process.returncode == 0, process.stdout[-3000:]
  pretrained = scale_out_fixtures.checkpoint_values(bf16_pretrained_checkpoint)
  fine_tuning_start = scale_out_fixtures.checkpoint_values(str(output_dir / "model.ckpt-0"))
  encoder_names = [name for name in fine_tuning_start
                   if name.startswith("bert/") and "/adam_" not in name]
  assert len(encoder_names) == 25
  for name in encoder_names:  # every encoder weight starts from the bf16-trained value
    assert fine_tuning_start[name].dtype == np.float32
    np.testing.assert_array_equal(fine_tuning_start[name], pretrained[name], err_msg=name)
  final = scale_out_fixtures.checkpoint_values(str(output_dir / "model.ckpt-2"))
  assert np.all(np.isfinite(final["output_weights"]))
