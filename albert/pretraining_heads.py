# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""ALBERT's pretraining heads: masked language model (MLM) and sentence order prediction (SOP).

Used by run_pretraining, export_checkpoints and the TF-Hub export. Variables (reference §3):
  cls/predictions/transform/dense/{kernel [H, E], bias [E]}
  cls/predictions/transform/LayerNorm/{beta, gamma} [E]
  cls/predictions/output_bias [V]            (the decoder weight is the tied word embeddings)
  cls/seq_relationship/output_weights [2, H], output_bias [2]

Dimension legend: B = batch size, S = sequence length, P = masked positions per sequence,
H = hidden size, E = embedding size, V = vocabulary size.
"""

import tensorflow as tf

from albert import modeling


def gather_indexes(sequence_tensor, positions):
  """Gathers the vectors at the given positions of every sequence in the batch.

  Args:
    sequence_tensor: float Tensor of shape [batch_size, seq_length, width].
    positions: int32 Tensor of shape [batch_size, num_positions], indexes into seq_length.

  Returns:
    float Tensor of shape [batch_size * num_positions, width].
  """
  sequence_shape = modeling.get_shape_list(sequence_tensor, expected_rank=3)
  batch_size = sequence_shape[0]
  seq_length = sequence_shape[1]
  width = sequence_shape[2]

  flat_offsets = tf.reshape(
      tf.range(0, batch_size, dtype=tf.int32) * seq_length, [-1, 1])  # [B, 1]
  flat_positions = tf.reshape(tf.cast(positions, tf.int32) + flat_offsets, [-1])  # [B*P]
  flat_sequence_tensor = tf.reshape(sequence_tensor,
                                    [batch_size * seq_length, width])  # [B*S, W]
  return tf.gather(flat_sequence_tensor, flat_positions)  # [B*P, W]


def masked_lm_logits(albert_config, sequence_output, embedding_table, positions):
  """MLM logits at the masked positions (creates the `cls/predictions` variables).

  Args:
    albert_config: `modeling.AlbertConfig`.
    sequence_output: float Tensor of shape [batch_size, seq_length, hidden_size].
    embedding_table: float Tensor of shape [vocab_size, embedding_size] (tied decoder).
    positions: int32 Tensor of shape [batch_size, num_positions].

  Returns:
    float Tensor of shape [batch_size * num_positions, vocab_size].
  """
  input_tensor = gather_indexes(sequence_output, positions)  # [B*P, H]
  with tf.compat.v1.variable_scope("cls/predictions"):
    # An extra non-linear transform (H -> E) before the tied output embeddings; it is only
    # used for pretraining.
    with tf.compat.v1.variable_scope("transform"):
      input_tensor = modeling.dense_layer(
          input_tensor,
          albert_config.embedding_size,
          activation=modeling.get_activation(albert_config.hidden_act),
          initializer=modeling.create_initializer(albert_config.initializer_range),
          name="dense")  # [B*P, E]
      input_tensor = modeling.layer_norm(input_tensor, name="LayerNorm")  # [B*P, E]

    # The decoder weight is the word embedding table; only the bias is per-output.
    output_bias = tf.compat.v1.get_variable(
        "output_bias",
        shape=[albert_config.vocab_size],
        initializer=tf.compat.v1.zeros_initializer())
    logits = tf.matmul(input_tensor, embedding_table, transpose_b=True)  # [B*P, V]
    return tf.nn.bias_add(logits, output_bias)  # [B*P, V]


def get_masked_lm_output(albert_config, sequence_output, embedding_table, positions,
                         label_ids, label_weights):
  """MLM loss.

  Args:
    albert_config: `modeling.AlbertConfig`.
    sequence_output: float Tensor of shape [batch_size, seq_length, hidden_size].
    embedding_table: float Tensor of shape [vocab_size, embedding_size].
    positions: int32 Tensor of shape [batch_size, num_positions].
    label_ids: int32 Tensor of shape [batch_size, num_positions], the original token ids.
    label_weights: float Tensor of shape [batch_size, num_positions], 1.0 for real predictions
      and 0.0 for padding slots.

  Returns:
    (loss: scalar, Σ(weight · nll) / (Σ weight + 1e-5),
     per_example_loss: float Tensor [batch_size * num_positions] (nll, unweighted),
     log_probs: float Tensor [batch_size * num_positions, vocab_size]).
  """
  logits = masked_lm_logits(albert_config, sequence_output, embedding_table,
                            positions)  # [B*P, V]
  log_probs = tf.nn.log_softmax(logits, axis=-1)  # [B*P, V]

  label_ids = tf.reshape(label_ids, [-1])  # [B*P]
  label_weights = tf.cast(tf.reshape(label_weights, [-1]), log_probs.dtype)  # [B*P]
  one_hot_labels = tf.one_hot(label_ids, depth=albert_config.vocab_size,
                              dtype=log_probs.dtype)  # [B*P, V]

  per_example_loss = -tf.reduce_sum(log_probs * one_hot_labels, axis=[-1])  # [B*P]
  numerator = tf.reduce_sum(label_weights * per_example_loss)
  # The epsilon keeps a batch without any real prediction from dividing by zero.
  denominator = tf.reduce_sum(label_weights) + 1e-5
  loss = numerator / denominator
  return (loss, per_example_loss, log_probs)


def sentence_order_logits(albert_config, pooled_output):
  """SOP logits (creates the `cls/seq_relationship` variables).

  Args:
    albert_config: `modeling.AlbertConfig`.
    pooled_output: float Tensor of shape [batch_size, hidden_size].

  Returns:
    float Tensor of shape [batch_size, 2]; class 0 = segments in order, 1 = swapped.
  """
  with tf.compat.v1.variable_scope("cls/seq_relationship"):
    output_weights = tf.compat.v1.get_variable(
        "output_weights",
        shape=[2, albert_config.hidden_size],
        initializer=modeling.create_initializer(albert_config.initializer_range))  # [2, H]
    output_bias = tf.compat.v1.get_variable(
        "output_bias", shape=[2], initializer=tf.compat.v1.zeros_initializer())
    logits = tf.matmul(pooled_output, output_weights, transpose_b=True)  # [B, 2]
    return tf.nn.bias_add(logits, output_bias)


def get_sentence_order_output(albert_config, pooled_output, labels):
  """SOP loss.

  Args:
    albert_config: `modeling.AlbertConfig`.
    pooled_output: float Tensor of shape [batch_size, hidden_size].
    labels: int32 Tensor of shape [batch_size] or [batch_size, 1].

  Returns:
    (loss: scalar mean negative log-likelihood,
     per_example_loss: float Tensor [batch_size],
     log_probs: float Tensor [batch_size, 2]).
  """
  logits = sentence_order_logits(albert_config, pooled_output)  # [B, 2]
  log_probs = tf.nn.log_softmax(logits, axis=-1)  # [B, 2]
  labels = tf.reshape(labels, [-1])  # [B]
  one_hot_labels = tf.one_hot(labels, depth=2, dtype=log_probs.dtype)  # [B, 2]
  per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)  # [B]
  loss = tf.reduce_mean(per_example_loss)
  return (loss, per_example_loss, log_probs)
