"""Tests for albert/squad_models.py: the SQuAD heads' variable names, shapes and masking."""

import numpy as np
import tensorflow as tf

from albert import squad_models


def _head_graph(config, version, is_training, batch_size=2, seq_length=16, start_n_top=3,
                end_n_top=2):
  features = {
      "input_ids": tf.constant(np.arange(batch_size * seq_length).reshape(
          [batch_size, seq_length]) % 50 + 5, tf.int32),
      "input_mask": tf.ones([batch_size, seq_length], tf.int32),
      "segment_ids": tf.zeros([batch_size, seq_length], tf.int32),
      # Query positions 1-3 and the tail 12.. masked.
      "p_mask": tf.constant([[0, 1, 1, 1] + [0] * 8 + [1] * 4] * batch_size, tf.int32),
      "start_positions": tf.constant([0, 5], tf.int32),
      "end_positions": tf.constant([0, 7], tf.int32),
  }
  if version == 1:
    return squad_models.create_v1_model(
        config, is_training, features["input_ids"], features["input_mask"],
        features["segment_ids"], False, use_einsum=True, hub_module=None)
  return squad_models.create_v2_model(
      config, is_training, features["input_ids"], features["input_mask"],
      features["segment_ids"], False, features, seq_length, start_n_top, end_n_top, 0.1, None)


def _head_variables():
  return {v.name[:-2]: v.shape.as_list() for v in tf.compat.v1.trainable_variables()
          if not v.name.startswith("bert/")}


def test_v1_head_variables_and_named_logits(tiny_albert_config):
  with tf.Graph().as_default() as graph:
    start_logits, end_logits = _head_graph(tiny_albert_config, 1, is_training=False)
    assert _head_variables() == {"cls/squad/output_weights": [2, 32],
                                 "cls/squad/output_bias": [2]}
    assert start_logits.shape.as_list() == [2, 16] and end_logits.shape.as_list() == [2, 16]
    assert graph.get_tensor_by_name("start_logits:0") is start_logits
    assert graph.get_tensor_by_name("end_logits:0") is end_logits


def test_v2_head_variables_beam_outputs_and_p_mask(tiny_albert_config):
  hidden = 32
  expected_variables = {
      "start_logits/dense/kernel": [hidden, 1], "start_logits/dense/bias": [1],
      "end_logits/dense_0/kernel": [2 * hidden, hidden], "end_logits/dense_0/bias": [hidden],
      "end_logits/LayerNorm/beta": [hidden], "end_logits/LayerNorm/gamma": [hidden],
      "end_logits/dense_1/kernel": [hidden, 1], "end_logits/dense_1/bias": [1],
      "answer_class/dense_0/kernel": [2 * hidden, hidden],
      "answer_class/dense_0/bias": [hidden], "answer_class/dense_1/kernel": [hidden, 1],
  }
  with tf.Graph().as_default():
    tf.compat.v1.set_random_seed(1)
    outputs = _head_graph(tiny_albert_config, 2, is_training=False)
    assert _head_variables() == expected_variables
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      values = sess.run(outputs)
  assert values["start_top_index"].shape == (2, 3)
  assert values["end_top_index"].shape == (2, 6) and values["cls_logits"].shape == (2,)
  allowed = {0} | set(range(4, 12))  # p_mask == 0
  assert set(values["start_top_index"].ravel()) <= allowed
  assert set(values["end_top_index"].ravel()) <= allowed
  # Log-probabilities: sorted, and each start's ends are a distribution's top entries.
  assert np.all(np.diff(values["start_top_log_probs"], axis=1) <= 0)
  assert np.all(values["end_top_log_probs"] <= 0)

  with tf.Graph().as_default():
    outputs = _head_graph(tiny_albert_config, 2, is_training=True)
    assert _head_variables() == expected_variables  # the same variables when training
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      values = sess.run(outputs)
  np.testing.assert_allclose(np.exp(values["start_log_probs"]).sum(-1), 1.0, rtol=1e-5)
  assert np.all(np.exp(values["start_log_probs"][:, 1:4]) == 0.0)  # masked: probability 0




def test_v2_head_on_a_tf_hub_encoder(tiny_hub_module):
  """--albert_hub_module_handle: the head sits on the module's sequence output (no config)."""
  with tf.Graph().as_default():
    features = {"p_mask": tf.constant([[0, 1, 1] + [0] * 9 + [1] * 4] * 2, tf.int32)}
    input_ids = tf.constant(np.arange(32).reshape([2, 16]) + 5, tf.int32)
    outputs = squad_models.create_v2_model(
        None, False, input_ids, tf.ones_like(input_ids), tf.zeros_like(input_ids), False,
        features, 16, 3, 2, 0.1, hub_module=tiny_hub_module)
    names = {v.name[:-2] for v in tf.compat.v1.global_variables()}
    assert "module/bert/embeddings/word_embeddings" in names
    assert {"start_logits/dense/kernel", "end_logits/LayerNorm/gamma",
            "answer_class/dense_1/kernel"} <= names
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      values = sess.run(outputs)
  assert values["end_top_index"].shape == (2, 6)
  assert set(values["start_top_index"].ravel()) <= {0} | set(range(3, 12))
