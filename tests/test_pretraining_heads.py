"""Tests for albert/pretraining_heads.py: the MLM and SOP heads against a NumPy re-computation."""

import numpy as np
import pytest
import tensorflow as tf

from albert import pretraining_heads


def _np_gelu(x):
  return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def _np_layer_norm(x, gamma, beta):
  mean = x.mean(-1, keepdims=True)
  variance = ((x - mean) ** 2).mean(-1, keepdims=True)
  return (x - mean) / np.sqrt(variance + 1e-12) * gamma + beta


def _np_log_softmax(logits):
  shifted = logits - logits.max(-1, keepdims=True)
  return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _randomize_and_get(sess, rng):
  """Gives every variable random values (so biases/LayerNorm matter) and returns them."""
  values = {}
  for var in tf.compat.v1.global_variables():
    value = rng.normal(size=var.shape.as_list()).astype(np.float32) * 0.3
    if var.op.name.endswith("gamma"):
      value += 1.0
    var.load(value, sess)
    values[var.op.name] = value
  return values


def test_gather_indexes():
  sequence = np.arange(2 * 5 * 3, dtype=np.float32).reshape([2, 5, 3])
  positions = np.array([[0, 4], [3, 3]], np.int32)
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    got = sess.run(pretraining_heads.gather_indexes(tf.constant(sequence),
                                                    tf.constant(positions)))
  np.testing.assert_array_equal(got, [sequence[0, 0], sequence[0, 4],
                                      sequence[1, 3], sequence[1, 3]])


@pytest.mark.parametrize("hidden_act", ["gelu", "relu"])
def test_masked_lm_head_matches_numpy(tiny_albert_config, hidden_act):
  config = tiny_albert_config
  config.hidden_act = hidden_act
  rng = np.random.RandomState(0)
  batch_size, seq_length, num_positions = 2, 6, 3
  sequence = rng.normal(size=[batch_size, seq_length, config.hidden_size]).astype(np.float32)
  table = rng.normal(size=[config.vocab_size, config.embedding_size]).astype(np.float32)
  positions = np.array([[1, 5, 0], [2, 2, 4]], np.int32)
  label_ids = rng.randint(0, config.vocab_size, size=[batch_size, num_positions])
  label_weights = np.array([[1, 1, 0], [1, 0, 0]], np.float32)

  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    loss, per_example_loss, log_probs = pretraining_heads.get_masked_lm_output(
        config, tf.constant(sequence), tf.constant(table), tf.constant(positions),
        tf.constant(label_ids.astype(np.int32)), tf.constant(label_weights))
    names = sorted(v.op.name for v in tf.compat.v1.global_variables())
    values = _randomize_and_get(sess, rng)
    got_loss, got_per_example, got_log_probs = sess.run([loss, per_example_loss, log_probs])

  assert names == ["cls/predictions/output_bias",
                   "cls/predictions/transform/LayerNorm/beta",
                   "cls/predictions/transform/LayerNorm/gamma",
                   "cls/predictions/transform/dense/bias",
                   "cls/predictions/transform/dense/kernel"]
  gathered = np.concatenate([sequence[b, positions[b]] for b in range(batch_size)])
  activation = _np_gelu if hidden_act == "gelu" else (lambda x: np.maximum(x, 0))
  hidden = activation(gathered @ values["cls/predictions/transform/dense/kernel"] +
                      values["cls/predictions/transform/dense/bias"])
  hidden = _np_layer_norm(hidden, values["cls/predictions/transform/LayerNorm/gamma"],
                          values["cls/predictions/transform/LayerNorm/beta"])
  logits = hidden @ table.T + values["cls/predictions/output_bias"]
  expected_log_probs = _np_log_softmax(logits.astype(np.float64))
  expected_per_example = -expected_log_probs[np.arange(6), label_ids.reshape(-1)]
  weights = label_weights.reshape(-1)
  expected_loss = (weights * expected_per_example).sum() / (weights.sum() + 1e-5)

  assert got_log_probs.shape == (batch_size * num_positions, config.vocab_size)
  np.testing.assert_allclose(got_log_probs, expected_log_probs, rtol=1e-4, atol=1e-4)
  np.testing.assert_allclose(got_per_example, expected_per_example, rtol=1e-5)
  np.testing.assert_allclose(got_loss, expected_loss, rtol=1e-5)


def test_masked_lm_loss_is_zero_without_real_predictions(tiny_albert_config):
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    loss, per_example_loss, _ = pretraining_heads.get_masked_lm_output(
        tiny_albert_config, tf.ones([1, 4, 32]), tf.ones([1000, 16]),
        tf.constant([[0, 1]]), tf.constant([[3, 4]]), tf.zeros([1, 2]))
    sess.run(tf.compat.v1.global_variables_initializer())
    got_loss, got_per_example = sess.run([loss, per_example_loss])
  assert got_loss == 0.0  # 0 / (0 + 1e-5), not NaN
  assert np.all(got_per_example > 0)


def test_sentence_order_head_matches_numpy(tiny_albert_config):
  rng = np.random.RandomState(1)
  pooled = rng.normal(size=[4, tiny_albert_config.hidden_size]).astype(np.float32)
  labels = np.array([0, 1, 1, 0], np.int32)
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    loss, per_example_loss, log_probs = pretraining_heads.get_sentence_order_output(
        tiny_albert_config, tf.constant(pooled), tf.constant(labels))
    shapes = {v.op.name: v.shape.as_list() for v in tf.compat.v1.global_variables()}
    values = _randomize_and_get(sess, rng)
    got_loss, got_per_example, got_log_probs = sess.run([loss, per_example_loss, log_probs])
  assert shapes == {"cls/seq_relationship/output_weights": [2, 32],
                    "cls/seq_relationship/output_bias": [2]}
  logits = (pooled @ values["cls/seq_relationship/output_weights"].T +
            values["cls/seq_relationship/output_bias"])
  expected_log_probs = _np_log_softmax(logits.astype(np.float64))
  expected_per_example = -expected_log_probs[np.arange(4), labels]
  np.testing.assert_allclose(got_log_probs, expected_log_probs, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got_per_example, expected_per_example, rtol=1e-5)
  np.testing.assert_allclose(got_loss, expected_per_example.mean(), rtol=1e-5)
