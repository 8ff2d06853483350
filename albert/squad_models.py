# coding=utf-8
"""The SQuAD question-answering heads and their model_fns, with the original's variable names.

  * v1 (`create_v1_model`): one dense layer scores every position as answer start and as
    answer end (`cls/squad/output_weights` [2, H], `cls/squad/output_bias` [2]).
  * v2 (`create_v2_model`): start logits, end logits conditioned on a start (beam search over
    --start_n_top starts and --end_n_top ends at prediction time), and an answerability
    logit; positions where p_mask is 1 can be neither start nor end.

Both model_fns train with `estimator_utils.training_spec` and predict the raw outputs the
runner turns into answers (`squad_answers`); there is no EVAL mode (scoring needs the
host-side answer extraction).
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf

from albert import checkpoint_utils
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import modeling


def _initializer(albert_config):
  # Deviation (docs/DEVIATIONS.md): with a hub module there is no config (the original read
  # one anyway); 0.02 is every released model's initializer_range.
  return modeling.create_initializer(
      albert_config.initializer_range if albert_config is not None else 0.02)


def _encoder(albert_config, is_training, input_ids, input_mask, segment_ids,
             use_one_hot_embeddings, use_einsum, hub_module):
  """The encoder's sequence output, float [B, S, H]."""
  _, sequence_output = fine_tuning_utils.create_albert(
      albert_config=albert_config, is_training=is_training, input_ids=input_ids,
      input_mask=input_mask, segment_ids=segment_ids,
      use_one_hot_embeddings=use_one_hot_embeddings, use_einsum=use_einsum,
      hub_module=hub_module)
  return sequence_output


def create_v1_model(albert_config, is_training, input_ids, input_mask, segment_ids,
                    use_one_hot_embeddings, use_einsum, hub_module):
  """The SQuAD v1 head: a start and an end logit per position.

  Dimensions: B = batch, S = sequence length, H = hidden size.

  Args:
    albert_config: `AlbertConfig` (None with `hub_module`).
    is_training: bool.
    input_ids, input_mask, segment_ids: int32 [B, S].
    use_one_hot_embeddings: bool (TPU).
    use_einsum: einsum dense layers in the encoder; False gives TFLite-convertible graphs.
    hub_module: optional TF-Hub module handle.

  Returns:
    (start_logits, end_logits): float [B, S], named "start_logits" and "end_logits" in the
    graph (the TFLite converter looks them up by these names).
  """
  sequence_output = _encoder(albert_config, is_training, input_ids, input_mask, segment_ids,
                             use_one_hot_embeddings, use_einsum, hub_module)
  batch_size, seq_length, hidden_size = modeling.get_shape_list(sequence_output,
                                                                expected_rank=3)
  with tf.compat.v1.variable_scope("cls/squad"):
    output_weights = tf.compat.v1.get_variable(
        "output_weights", [2, hidden_size],
        initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02))
    output_bias = tf.compat.v1.get_variable(
        "output_bias", [2], initializer=tf.compat.v1.zeros_initializer())
  hidden_matrix = tf.reshape(sequence_output, [-1, hidden_size])  # [B*S, H]
  logits = tf.matmul(hidden_matrix, output_weights, transpose_b=True)  # [B*S, 2]
  logits = tf.nn.bias_add(logits, output_bias)
  logits = tf.reshape(logits, [batch_size, seq_length, 2])  # [B, S, 2]
  logits = tf.transpose(logits, [2, 0, 1])  # [2, B, S]
  start_logits, end_logits = tf.unstack(logits, axis=0)
  return (tf.identity(start_logits, name="start_logits"),
          tf.identity(end_logits, name="end_logits"))


def _position_loss(logits_or_log_probs, positions, seq_length, from_logits):
  """Mean cross-entropy of the gold positions [B] under [B, S] logits or log-probabilities."""
  log_probs = (tf.nn.log_softmax(logits_or_log_probs, axis=-1) if from_logits
               else logits_or_log_probs)
  one_hot_positions = tf.one_hot(positions, depth=seq_length, dtype=tf.float32)  # [B, S]
  return -tf.reduce_mean(tf.reduce_sum(one_hot_positions * log_probs, axis=-1))


def _prediction_spec(mode, predictions, features, scaffold_fn):
  """The PREDICT spec of a SQuAD model_fn; the feature ids pass through when fed.

  Raises:
    ValueError: for EVAL (scoring needs the host-side answer extraction: the runner
    predicts, then scores).
  """
  if mode != tf.estimator.ModeKeys.PREDICT:
    raise ValueError("Only TRAIN and PREDICT modes are supported: %s" % mode)
  predictions = dict(predictions)
  if "unique_ids" in features:  # A SavedModel's serving inputs have no ids.
    predictions["unique_ids"] = features["unique_ids"]
  return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
      mode=mode, predictions=predictions, scaffold_fn=scaffold_fn)


def v1_model_fn_builder(albert_config, init_checkpoint, learning_rate, num_train_steps,
                        num_warmup_steps, use_tpu, use_one_hot_embeddings, use_einsum,
                        hub_module=None):
  """The TPUEstimator model_fn of the v1 head.

  TRAIN: loss = (CE(start) + CE(end)) / 2 over all positions (no p_mask, as the original).
  PREDICT: {"unique_ids" (if fed), "start_log_prob", "end_log_prob"}; the two "log probs"
  are the raw logits, under the original's names. EVAL is not supported (scoring needs the
  host-side answer extraction; the runner does it after PREDICT).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    estimator_utils.log_features(features)
    is_training = mode == tf.estimator.ModeKeys.TRAIN
    start_logits, end_logits = create_v1_model(
        albert_config, is_training, features["input_ids"], features["input_mask"],
        features["segment_ids"], use_one_hot_embeddings, use_einsum, hub_module)
    scaffold_fn = checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu)

    if mode == tf.estimator.ModeKeys.TRAIN:
      seq_length = modeling.get_shape_list(features["input_ids"])[1]
      start_loss = _position_loss(start_logits, features["start_positions"], seq_length, True)
      end_loss = _position_loss(end_logits, features["end_positions"], seq_length, True)
      total_loss = (start_loss + end_loss) / 2.0
      return estimator_utils.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
          scaffold_fn=scaffold_fn, summaries={"start_loss": start_loss, "end_loss": end_loss})
    return _prediction_spec(mode, {"start_log_prob": start_logits, "end_log_prob": end_logits},
                            features, scaffold_fn)

  return model_fn


def create_v2_model(albert_config, is_training, input_ids, input_mask, segment_ids,
                    use_one_hot_embeddings, features, max_seq_length, start_n_top, end_n_top,
                    dropout_prob, hub_module):
  """The SQuAD v2 head: start logits, end logits given a start, and an answerability logit.

  Dimensions: B = batch, S = max_seq_length, H = hidden size, K = start_n_top,
  E = end_n_top. Positions where p_mask is 1 get logit -1e30 (never chosen).

    * start: dense H -> 1 per position ("start_logits/dense").
    * end: the hidden state of each position concatenated with the hidden state at a start
      position (2H) -> tanh dense H ("end_logits/dense_0") -> LayerNorm ("end_logits/LayerNorm")
      -> dense 1 ("end_logits/dense_1"). Training uses the gold start; inference the K best
      starts, and keeps the E best ends for each.
    * answerability: [expected start hidden state under the start softmax ; [CLS] hidden
      state] (2H) -> tanh dense H ("answer_class/dense_0") -> dropout -> dense 1 without bias
      ("answer_class/dense_1"). A high `cls_logits` means "no answer".

  Args:
    albert_config: `AlbertConfig` (None with `hub_module`).
    is_training: bool.
    input_ids, input_mask, segment_ids: int32 [B, S].
    use_one_hot_embeddings: bool (TPU).
    features: dict with "p_mask" int32 [B, S] and, when training, "start_positions" [B].
    max_seq_length: int, S.
    start_n_top, end_n_top: K and E.
    dropout_prob: dropout of the answerability layer during training.
    hub_module: optional TF-Hub module handle.

  Returns:
    dict. Training: "start_log_probs", "end_log_probs" [B, S], "cls_logits" [B].
    Inference: "start_top_log_probs", "start_top_index" [B, K], "end_top_log_probs",
    "end_top_index" [B, K*E] (entry i*E + j: j-th end for the i-th start), "cls_logits" [B].
  """
  sequence_output = _encoder(albert_config, is_training, input_ids, input_mask, segment_ids,
                             use_one_hot_embeddings, True, hub_module)  # [B, S, H]
  hidden_size = modeling.get_shape_list(sequence_output, expected_rank=3)[2]
  initializer = _initializer(albert_config)
  hidden = tf.transpose(sequence_output, [1, 0, 2])  # [S, B, H]
  p_mask = tf.cast(features["p_mask"], tf.float32)  # [B, S]

  def masked(logits, mask):
    return logits * (1.0 - mask) - 1e30 * mask

  outputs = {}
  with tf.compat.v1.variable_scope("start_logits"):
    start_logits = modeling.dense_layer(hidden, 1, initializer=initializer,
                                        name="dense")  # [S, B, 1]
    start_logits = tf.transpose(tf.squeeze(start_logits, -1), [1, 0])  # [B, S]
    start_logits_masked = masked(start_logits, p_mask)
    start_log_probs = tf.nn.log_softmax(start_logits_masked, -1)  # [B, S]

  def end_logits_given(end_input):
    """End logits [S, ..., 1] from [S, ..., 2H] inputs (the same layers in train/predict)."""
    end_input = modeling.dense_layer(end_input, hidden_size, activation=tf.tanh,
                                     initializer=initializer, name="dense_0")
    end_input = modeling.layer_norm(end_input, name="LayerNorm")
    return modeling.dense_layer(end_input, 1, initializer=initializer, name="dense_1")

  with tf.compat.v1.variable_scope("end_logits"):
    if is_training:
      start_positions = tf.reshape(features["start_positions"], [-1])  # [B]
      start_one_hot = tf.one_hot(start_positions, depth=max_seq_length,
                                 dtype=tf.float32)  # [B, S]
      start_features = tf.einsum("lbh,bl->bh", hidden, start_one_hot)  # [B, H]
      start_features = tf.tile(start_features[None], [max_seq_length, 1, 1])  # [S, B, H]
      end_logits = end_logits_given(
          tf.concat([hidden, start_features], axis=-1))  # [S, B, 1]
      end_logits = tf.transpose(tf.squeeze(end_logits, -1), [1, 0])  # [B, S]
      end_log_probs = tf.nn.log_softmax(masked(end_logits, p_mask), -1)  # [B, S]
      outputs["start_log_probs"] = start_log_probs
      outputs["end_log_probs"] = end_log_probs
    else:
      start_top_log_probs, start_top_index = tf.nn.top_k(start_log_probs,
                                                         k=start_n_top)  # [B, K]
      start_one_hot = tf.one_hot(start_top_index, depth=max_seq_length,
                                 dtype=tf.float32)  # [B, K, S]
      start_features = tf.einsum("lbh,bkl->bkh", hidden, start_one_hot)  # [B, K, H]
      end_input = tf.tile(hidden[:, :, None], [1, 1, start_n_top, 1])  # [S, B, K, H]
      start_features = tf.tile(start_features[None], [max_seq_length, 1, 1, 1])  # [S, B, K, H]
      end_logits = end_logits_given(
          tf.concat([end_input, start_features], axis=-1))  # [S, B, K, 1]
      end_logits = tf.reshape(end_logits, [max_seq_length, -1, start_n_top])  # [S, B, K]
      end_logits = tf.transpose(end_logits, [1, 2, 0])  # [B, K, S]
      end_log_probs = tf.nn.log_softmax(masked(end_logits, p_mask[:, None]), -1)  # [B, K, S]
      end_top_log_probs, end_top_index = tf.nn.top_k(end_log_probs, k=end_n_top)  # [B, K, E]
      outputs["start_top_log_probs"] = start_top_log_probs
      outputs["start_top_index"] = start_top_index
      outputs["end_top_log_probs"] = tf.reshape(end_top_log_probs,
                                                [-1, start_n_top * end_n_top])  # [B, K*E]
      outputs["end_top_index"] = tf.reshape(end_top_index, [-1, start_n_top * end_n_top])

  with tf.compat.v1.variable_scope("answer_class"):
    cls_feature = hidden[0]  # [B, H], the [CLS] position
    start_probs = tf.nn.softmax(start_logits_masked, axis=-1)  # [B, S]
    start_feature = tf.einsum("lbh,bl->bh", hidden, start_probs)  # [B, H]
    answer_feature = tf.concat([start_feature, cls_feature], axis=-1)  # [B, 2H]
    answer_feature = modeling.dense_layer(answer_feature, hidden_size, activation=tf.tanh,
                                          initializer=initializer, name="dense_0")  # [B, H]
    if is_training:
      answer_feature = modeling.dropout(answer_feature, dropout_prob)
    cls_logits = modeling.dense_layer(answer_feature, 1, initializer=initializer,
                                      name="dense_1", use_bias=False)  # [B, 1]
    outputs["cls_logits"] = tf.squeeze(cls_logits, -1)  # [B]
  return outputs


def v2_model_fn_builder(albert_config, init_checkpoint, learning_rate, num_train_steps,
                        num_warmup_steps, use_tpu, use_one_hot_embeddings, max_seq_length,
                        start_n_top, end_n_top, dropout_prob, hub_module=None):
  """The TPUEstimator model_fn of the v2 head.

  TRAIN: loss = (NLL(start) + NLL(end)) / 2 + mean sigmoid-CE(cls_logits, is_impossible) / 2.
  PREDICT: unique_ids, start_top_log_probs, start_top_index, end_top_log_probs,
  end_top_index, cls_logits. EVAL is not supported (the runner scores after PREDICT).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    estimator_utils.log_features(features)
    is_training = mode == tf.estimator.ModeKeys.TRAIN
    outputs = create_v2_model(
        albert_config, is_training, features["input_ids"], features["input_mask"],
        features["segment_ids"], use_one_hot_embeddings, features, max_seq_length,
        start_n_top, end_n_top, dropout_prob, hub_module)
    scaffold_fn = checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu)

    if mode == tf.estimator.ModeKeys.TRAIN:
      start_loss = _position_loss(outputs["start_log_probs"], features["start_positions"],
                                  max_seq_length, from_logits=False)
      end_loss = _position_loss(outputs["end_log_probs"], features["end_positions"],
                                max_seq_length, from_logits=False)
      is_impossible = tf.cast(tf.reshape(features["is_impossible"], [-1]), tf.float32)
      answer_class_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
          labels=is_impossible, logits=outputs["cls_logits"]))
      total_loss = (start_loss + end_loss) * 0.5 + answer_class_loss * 0.5
      return estimator_utils.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
          scaffold_fn=scaffold_fn,
          summaries={"start_loss": start_loss, "end_loss": end_loss,
                     "answer_class_loss": answer_class_loss})
    return _prediction_spec(mode, outputs, features, scaffold_fn)

  return model_fn

