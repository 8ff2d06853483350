# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""The ALBERT model: configuration, factorized embeddings, shared-weight transformer, pooler.

Graph-mode TensorFlow (`tf.compat.v1`). Variable names and shapes are those of Google's released
checkpoints (reference §3), so checkpoints move freely between this code, the original code and
Hugging Face's TF-checkpoint loader.

Dimension legend used in the shape comments of this file:
  B = batch size                    S = sequence length (F = "from" length, T = "to" length)
  V = vocabulary size               E = embedding size (factorized, usually 128)
  H = hidden size                   N = number of attention heads
  D = size of one attention head    I = intermediate (feed-forward) size

Dtype (mixed precision, `mixed_precision.py`): every variable is float32 and keeps its name.
Under bf16/fp16 the transformer's matmuls (dense layers and the attention's batch matmuls) run
in 16 bits, with kernels that `mixed_precision.float32_master_getter` on the model's scope casts
from their float32 variables; everything else (embeddings, biases, residuals, GELU, LayerNorm,
softmax, the pooler and the heads) stays float32. The places are marked `dtype:` below. With
fp32 every cast is a no-op: the graph is the float32 graph of the original.
"""

import collections
import contextlib
import copy
import json
import math
import re
import threading

import numpy as np
import tensorflow as tf

from albert import cpu_kernels
from albert import mixed_precision

# Added to the attention logits of masked ("to") positions before the softmax.
_ATTENTION_MASK_ADDER = -10000.0
# contrib's layer_norm hard-codes this variance epsilon; released checkpoints were trained with it.
_LAYER_NORM_EPSILON = 1e-12

_POSITIVE_INT_FIELDS = (
    "vocab_size", "embedding_size", "hidden_size", "num_hidden_layers",
    "num_attention_heads", "intermediate_size", "num_hidden_groups",
    "inner_group_num", "max_position_embeddings", "type_vocab_size")
_PROBABILITY_FIELDS = ("hidden_dropout_prob", "attention_probs_dropout_prob")


class AlbertConfig(object):
  """Hyper-parameters of an ALBERT model (the fields of `albert_config.json`)."""

  def __init__(self,
               vocab_size,
               embedding_size=128,
               hidden_size=4096,
               num_hidden_layers=12,
               num_hidden_groups=1,
               num_attention_heads=64,
               intermediate_size=16384,
               inner_group_num=1,
               down_scale_factor=1,
               hidden_act="gelu",
               hidden_dropout_prob=0,
               attention_probs_dropout_prob=0,
               max_position_embeddings=512,
               type_vocab_size=2,
               initializer_range=0.02):
    """Constructs AlbertConfig. Defaults are those of ALBERT-xxlarge.

    Args:
      vocab_size: int, number of token ids (V).
      embedding_size: int, width of the factorized word embeddings (E).
      hidden_size: int, width of the transformer layers (H).
      num_hidden_layers: int, number of transformer layer applications (L).
      num_hidden_groups: int, number of distinct parameter groups shared by the L layers.
      num_attention_heads: int, attention heads per layer (N); must divide H.
      intermediate_size: int, feed-forward width (I).
      inner_group_num: int, number of attention+FFN blocks applied per layer (each with its own
        parameters, inside its group).
      down_scale_factor: int, stored for compatibility; unused (as in the original).
      hidden_act: str or callable, feed-forward activation ("gelu" = tanh approximation).
      hidden_dropout_prob: float, dropout on embeddings and block outputs.
      attention_probs_dropout_prob: float, dropout on attention probabilities.
      max_position_embeddings: int, rows of the learned position table (P).
      type_vocab_size: int, number of token-type (segment) ids.
      initializer_range: float, stddev of the truncated-normal initializer.
    """
    self.vocab_size = vocab_size
    self.embedding_size = embedding_size
    self.hidden_size = hidden_size
    self.num_hidden_layers = num_hidden_layers
    self.num_hidden_groups = num_hidden_groups
    self.num_attention_heads = num_attention_heads
    self.inner_group_num = inner_group_num
    self.down_scale_factor = down_scale_factor
    self.hidden_act = hidden_act
    self.intermediate_size = intermediate_size
    self.hidden_dropout_prob = hidden_dropout_prob
    self.attention_probs_dropout_prob = attention_probs_dropout_prob
    self.max_position_embeddings = max_position_embeddings
    self.type_vocab_size = type_vocab_size
    self.initializer_range = initializer_range

  @classmethod
  def from_dict(cls, json_object):
    """Builds a validated config from a dict; unknown keys become (unused) attributes.

    Released configs carry keys the model ignores (`net_structure_type`, `gap_size`,
    `num_memory_blocks`, `layers_to_keep`); they are kept because run_pretraining reads
    `net_structure_type`.
    """
    config = cls(vocab_size=None)
    for (key, value) in json_object.items():
      config.__dict__[key] = value
    config.validate()
    return config

  @classmethod
  def from_json_file(cls, json_file):
    """Reads and validates a config JSON file (any `tf.io.gfile` path, e.g. gs://)."""
    with tf.io.gfile.GFile(json_file, "r") as reader:
      text = reader.read()
    try:
      json_object = json.loads(text)
    except ValueError as error:
      raise ValueError("%s: not valid JSON: %s" % (json_file, error)) from error
    if not isinstance(json_object, dict):
      raise ValueError("%s: expected a JSON object of config fields, got %s" %
                       (json_file, type(json_object).__name__))
    try:
      return cls.from_dict(json_object)
    except ValueError as error:
      raise ValueError("%s: %s" % (json_file, error)) from error

  def validate(self):
    """Raises ValueError naming the first field whose value cannot build a model."""
    # Deviation (docs/DEVIATIONS.md): the original checks nothing at load time and fails later
    # (or silently builds a different model, e.g. num_hidden_groups > num_hidden_layers).
    for field in _POSITIVE_INT_FIELDS:
      value = getattr(self, field, None)
      if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("AlbertConfig.%s must be a positive integer, got %r" %
                         (field, value))
    for field in _PROBABILITY_FIELDS:
      value = getattr(self, field, None)
      if (isinstance(value, bool) or not isinstance(value, (int, float)) or
          not 0.0 <= value < 1.0):
        raise ValueError("AlbertConfig.%s must be a probability in [0, 1), got %r" %
                         (field, value))
    if self.hidden_size % self.num_attention_heads != 0:
      raise ValueError(
          "AlbertConfig.hidden_size (%d) must be a multiple of "
          "AlbertConfig.num_attention_heads (%d)" %
          (self.hidden_size, self.num_attention_heads))
    if self.num_hidden_groups > self.num_hidden_layers:
      raise ValueError(
          "AlbertConfig.num_hidden_groups (%d) must not exceed "
          "AlbertConfig.num_hidden_layers (%d)" %
          (self.num_hidden_groups, self.num_hidden_layers))
    try:
      get_activation(self.hidden_act)
    except ValueError as error:
      raise ValueError("AlbertConfig.hidden_act: %s" % error) from error

  def to_dict(self):
    """Serializes this instance to a Python dictionary (a deep copy)."""
    return copy.deepcopy(self.__dict__)

  def to_json_string(self):
    """Serializes this instance to a JSON string (indent 2, sorted keys, trailing newline)."""
    return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"


class AlbertModel(object):
  """ALBERT encoder ("A Lite BERT for Self-supervised Learning of Language Representations").

  Example usage:

  ```python
  input_ids = tf.constant([[31, 51, 99], [15, 5, 0]])
  input_mask = tf.constant([[1, 1, 1], [1, 1, 0]])
  token_type_ids = tf.constant([[0, 0, 1], [0, 2, 0]])
  config = modeling.AlbertConfig(vocab_size=32000, hidden_size=512,
      num_hidden_layers=8, num_attention_heads=8, intermediate_size=1024)
  model = modeling.AlbertModel(config=config, is_training=True,
      input_ids=input_ids, input_mask=input_mask, token_type_ids=token_type_ids)
  pooled_output = model.get_pooled_output()          # [B, H]
  ```
  """

  def __init__(self,
               config,
               is_training,
               input_ids,
               input_mask=None,
               token_type_ids=None,
               use_one_hot_embeddings=False,
               use_einsum=True,
               scope=None,
               precision=None):
    """Builds the model graph.

    Args:
      config: `AlbertConfig`.
      is_training: bool; when False both dropout probabilities are forced to 0.
      input_ids: int32 Tensor of shape [batch_size, seq_length].
      input_mask: optional int32 Tensor of shape [batch_size, seq_length], 1 for real tokens and
        0 for padding; default all ones.
      token_type_ids: optional int32 Tensor of shape [batch_size, seq_length]; default zeros.
      use_one_hot_embeddings: bool; one-hot matmul lookups (fast on TPU) instead of gathers.
      use_einsum: accepted for compatibility: both values build the same reshape + MatMul
        dense layers (the original needed False for TFLite; ours always suit it).
      scope: variable scope; default "bert".
      precision: "fp32", "bf16" or "fp16": the dtype of the transformer's matmuls (variables,
        activations and outputs stay float32); default: the current
        `mixed_precision.precision_scope`.

    Raises:
      ValueError: if the config is invalid or an input has the wrong rank.
    """
    config = copy.deepcopy(config)
    config.validate()
    if not is_training:
      config.hidden_dropout_prob = 0.0
      config.attention_probs_dropout_prob = 0.0

    input_shape = get_shape_list(input_ids, expected_rank=2)
    batch_size = input_shape[0]
    seq_length = input_shape[1]

    if input_mask is None:
      input_mask = tf.ones(shape=[batch_size, seq_length], dtype=tf.int32)
    if token_type_ids is None:
      token_type_ids = tf.zeros(shape=[batch_size, seq_length], dtype=tf.int32)

    if precision is None:
      precision = mixed_precision.current_precision()
    with mixed_precision.precision_scope(precision), tf.compat.v1.variable_scope(
        scope, default_name="bert", custom_getter=mixed_precision.float32_master_getter):
      with tf.compat.v1.variable_scope("embeddings"):
        # [B, S, E], [V, E]
        (self.word_embedding_output,
         self.output_embedding_table) = embedding_lookup(
             input_ids=input_ids,
             vocab_size=config.vocab_size,
             embedding_size=config.embedding_size,
             initializer_range=config.initializer_range,
             word_embedding_name="word_embeddings",
             use_one_hot_embeddings=use_one_hot_embeddings)
        # [B, S, E]
        self.embedding_output = embedding_postprocessor(
            input_tensor=self.word_embedding_output,
            use_token_type=True,
            token_type_ids=token_type_ids,
            token_type_vocab_size=config.type_vocab_size,
            token_type_embedding_name="token_type_embeddings",
            use_position_embeddings=True,
            position_embedding_name="position_embeddings",
            initializer_range=config.initializer_range,
            max_position_embeddings=config.max_position_embeddings,
            dropout_prob=config.hidden_dropout_prob,
            use_one_hot_embeddings=use_one_hot_embeddings)

      with tf.compat.v1.variable_scope("encoder"):
        # L * inner_group_num tensors of shape [B, S, H].
        self.all_encoder_layers = transformer_model(
            input_tensor=self.embedding_output,
            attention_mask=input_mask,
            hidden_size=config.hidden_size,
            num_hidden_layers=config.num_hidden_layers,
            num_hidden_groups=config.num_hidden_groups,
            num_attention_heads=config.num_attention_heads,
            intermediate_size=config.intermediate_size,
            inner_group_num=config.inner_group_num,
            intermediate_act_fn=get_activation(config.hidden_act),
            hidden_dropout_prob=config.hidden_dropout_prob,
            attention_probs_dropout_prob=config.attention_probs_dropout_prob,
            initializer_range=config.initializer_range,
            do_return_all_layers=True,
            use_einsum=use_einsum)

      self.sequence_output = self.all_encoder_layers[-1]  # [B, S, H]
      # The pooler turns the [CLS] (first) position into a fixed-size sequence representation
      # for segment-level tasks (sentence order prediction, classification).
      with tf.compat.v1.variable_scope("pooler"):
        first_token_tensor = tf.squeeze(self.sequence_output[:, 0:1, :], axis=1)  # [B, H]
        self.pooled_output = dense_layer(
            first_token_tensor,
            config.hidden_size,
            activation=tf.tanh,
            initializer=create_initializer(config.initializer_range),
            name="dense")  # [B, H]

  def get_pooled_output(self):
    """float Tensor of shape [batch_size, hidden_size]: tanh dense of position 0."""
    return self.pooled_output

  def get_sequence_output(self):
    """float Tensor of shape [batch_size, seq_length, hidden_size]: last encoder layer."""
    return self.sequence_output

  def get_all_encoder_layers(self):
    """List of num_hidden_layers * inner_group_num Tensors [batch_size, seq_length, hidden_size]."""
    return self.all_encoder_layers

  def get_word_embedding_output(self):
    """float Tensor [batch_size, seq_length, embedding_size]: word embeddings only."""
    return self.word_embedding_output

  def get_embedding_output(self):
    """float Tensor [batch_size, seq_length, embedding_size]: the encoder input.

    Word + token type + position embeddings after LayerNorm and dropout, still of width E
    (the projection to H, when E != H, belongs to the encoder).
    """
    return self.embedding_output

  def get_embedding_table(self):
    """float Tensor [vocab_size, embedding_size]: the word embedding table (tied MLM decoder)."""
    return self.output_embedding_table


# Whether the model is built with its training kernels (`training_kernels_scope`); per thread,
# as tf.distribute builds each replica's graph in its own thread.
_training_kernels = threading.local()


@contextlib.contextmanager
def training_kernels_scope(enabled=True):
  """Inside, GELU, LayerNorm and the attention softmax use faster training kernels (CPU).

  The functions are the same; only how they are computed changes. Autodiff of the plain forms
  is a chain of elementwise ops and reductions, forward and backward, each a pass over memory:
  together about a tenth of an ALBERT-base training step on CPU (benchmarks/RESULTS.md).
  Inside the scope:
    * `gelu` compiles to one XLA kernel forward and one backward (`_fused_gelu`);
    * `layer_norm` and the scale + mask + softmax of `dot_product_attention` are single-pass
      C++ kernels with their gradients (`cpu_kernels`, compiled on first use; where that is
      impossible, e.g. no compiler, they keep TensorFlow's ops).
  Results agree with the plain graph to float32 rounding (tanh, exp and the row sums round
  differently in the last bits).

  The matmuls stay with TensorFlow's (oneDNN) kernels, faster than XLA's on CPU; XLA's CPU
  reductions make LayerNorm and softmax slower, not faster, hence the C++ kernels.

  estimator_utils builds TRAIN graphs inside this scope on hosts without GPUs (not on TPU,
  where every program is compiled whole, nor with --use_xla). Evaluation, prediction and
  exported graphs use the plain form, so SavedModels and hub modules hold neither XLA
  attributes nor gradient functions that only this process has registered.

  Args:
    enabled: whether to build the training kernels; False builds the plain form, also inside
      an outer enabled scope.
  """
  previous = training_kernels_enabled()
  _training_kernels.enabled = enabled
  try:
    yield
  finally:
    _training_kernels.enabled = previous


def training_kernels_enabled():
  """Whether this thread is inside an enabled `training_kernels_scope`."""
  return getattr(_training_kernels, "enabled", False)


def _use_cpu_kernels():
  """Whether to build LayerNorm and softmax with `cpu_kernels`: in the scope, once built."""
  return training_kernels_enabled() and cpu_kernels.load() is not None


def gelu(x):
  """Gaussian Error Linear Unit, tanh approximation (what ALBERT calls "gelu").

  0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))); see
  https://arxiv.org/abs/1606.08415. Inside `training_kernels_scope` the same function is built
  as one XLA kernel forward and one backward (`_fused_gelu`).

  Args:
    x: float Tensor of any shape.

  Returns:
    `x` with the activation applied, same shape and dtype.
  """
  if training_kernels_enabled():
    with tf.xla.experimental.jit_scope():
      return _fused_gelu(x)
  cdf = 0.5 * (1.0 + tf.tanh(
      (math.sqrt(2.0 / math.pi) * (x + 0.044715 * tf.pow(x, 3)))))
  return x * cdf


_GELU_C1 = math.sqrt(2.0 / math.pi)
_GELU_C3 = 0.044715 * math.sqrt(2.0 / math.pi)


@tf.custom_gradient
def _fused_gelu(x):
  """`gelu` with a hand-written gradient that recomputes tanh from `x`.

  With t = tanh(c1 * x + c3 * x^3): gelu(x) = 0.5 * x * (1 + t) and
  d gelu / dx = 0.5 * (1 + t) + 0.5 * x * (1 - t^2) * (c1 + 3 * c3 * x^2).
  The gradient needs only `x`, so under XLA the backward is one pass reading x and dy, and no
  intermediate of the forward is kept (autodiff keeps x and several more [B*S, I] tensors).

  Args:
    x: float Tensor of any shape, e.g. [B*S, I].

  Returns:
    gelu(x), and the gradient function.
  """
  cdf = 0.5 * (1.0 + tf.tanh(x * (_GELU_C1 + _GELU_C3 * tf.square(x))))

  def gradient(dy):
    square = tf.square(x)
    tanh = tf.tanh(x * (_GELU_C1 + _GELU_C3 * square))
    slope = 0.5 * (1.0 + tanh) + 0.5 * x * (1.0 - tf.square(tanh)) * (
        _GELU_C1 + 3.0 * _GELU_C3 * square)
    return dy * slope

  return x * cdf, gradient


def get_activation(activation_string):
  """Maps an activation name to a function.

  Args:
    activation_string: "gelu", "gelu_new", "relu", "tanh", "linear", "" or None (case
      insensitive); a non-string is returned unchanged (assumed to be a function already).

  Returns:
    A function of one Tensor, or None for the linear activation.

  Raises:
    ValueError: for an unknown name.
  """
  if not isinstance(activation_string, str):
    return activation_string
  if not activation_string:
    return None
  act = activation_string.lower()
  if act == "linear":
    return None
  if act == "relu":
    return tf.nn.relu
  # Deviation (docs/DEVIATIONS.md): "gelu_new" (Hugging Face's name for this same tanh
  # approximation, found in configs converted from Hugging Face) is accepted as an alias.
  if act in ("gelu", "gelu_new"):
    return gelu
  if act == "tanh":
    return tf.tanh
  raise ValueError(
      "Unsupported activation %r; expected one of gelu, gelu_new, relu, tanh, linear" %
      activation_string)


def get_assignment_map_from_checkpoint(tvars, init_checkpoint, num_of_group=0):
  """Matches graph variables to checkpoint variables for `tf.compat.v1.train.init_from_checkpoint`.

  Args:
    tvars: list of graph variables.
    init_checkpoint: checkpoint path (prefix).
    num_of_group: 0 for one exact-name map; G > 0 for a list of G maps. With G > 1 a graph
      variable with no exact match is also matched to the checkpoint's `group_0` / `ffn_1` /
      `attention_1` variable of the same role, so a 1-group checkpoint can initialize every
      group of a G-group model. One checkpoint tensor can feed several graph variables only
      through different maps, hence the list: a variable whose name has `/group_g/`,
      `/ffn_g/` or `/attention_g/` (g >= 1) goes to map g, others to map 0, and an entry whose
      checkpoint name is already taken in that map moves to another map (appended if needed).

  Returns:
    (assignment_map, initialized_variable_names): an OrderedDict {checkpoint name: graph name}
    (or a list of them), and a dict whose keys are the initialized graph names, each with and
    without the ":0" suffix.
  """
  initialized_variable_names = {}
  name_to_variable = collections.OrderedDict()
  for var in tvars:
    name = var.name
    match = re.match(r"^(.*):\d+$", name)
    if match is not None:
      name = match.group(1)
    name_to_variable[name] = var

  checkpoint_names = set(name for (name, _) in tf.train.list_variables(init_checkpoint))

  if num_of_group > 0:
    assignment_map = [collections.OrderedDict() for _ in range(num_of_group)]
  else:
    assignment_map = collections.OrderedDict()

  for name in name_to_variable:
    source_name = None
    if name in checkpoint_names:
      source_name = name
    elif num_of_group > 1:
      # Each rename is tried on the original name on its own, in this order.
      for pattern, replacement in ((r"/group_\d+/", "/group_0/"),
                                   (r"/ffn_\d+/", "/ffn_1/"),
                                   (r"/attention_\d+/", "/attention_1/")):
        candidate = re.sub(pattern, replacement, name)
        if candidate in checkpoint_names:
          source_name = candidate
          break
    if source_name is None:
      tf.compat.v1.logging.info("name %s does not get matched", name)
      continue
    tf.compat.v1.logging.info("name %s match to %s", name, source_name)

    if num_of_group > 0:
      group_ids = [group_id for group_id in range(1, num_of_group)
                   if ("/group_%d/" % group_id in name or "/ffn_%d/" % group_id in name or
                       "/attention_%d/" % group_id in name)] or [0]
      # One map per variable suffices (the original also repeats it in every matching map).
      _add_without_collision(assignment_map, group_ids[0], source_name, name)
    else:
      assignment_map[source_name] = name
    initialized_variable_names[name] = 1
    initialized_variable_names[name + ":0"] = 1

  return (assignment_map, initialized_variable_names)


def _add_without_collision(assignment_maps, preferred_index, source_name, name):
  """Puts source_name -> name into the preferred map, or else the first map where it fits.

  The original rule picks the map from `/group_g/`, `/ffn_g/` or `/attention_g/` in the name;
  since every block's scopes are `attention_1` and `ffn_1`, group_0's and group_1's attention
  variables both land in map 1 under the same checkpoint name and the later one silently
  replaces the earlier, leaving group_0's attention/FFN uninitialized while they are reported as
  initialized.
  """
  # Deviation (docs/DEVIATIONS.md): a colliding entry moves to another map (a new one if all
  # are taken) instead of overwriting, so every matched variable is really initialized.
  candidates = [preferred_index] + [i for i in range(len(assignment_maps))
                                    if i != preferred_index]
  for index in candidates:
    if source_name not in assignment_maps[index]:
      assignment_maps[index][source_name] = name
      return
  assignment_maps.append(collections.OrderedDict([(source_name, name)]))


def dropout(input_tensor, dropout_prob):
  """Applies dropout.

  Args:
    input_tensor: float Tensor of any shape.
    dropout_prob: probability of DROPPING a value (not of keeping it); None or 0 is identity.

  Returns:
    A Tensor of the same shape.
  """
  if dropout_prob is None or dropout_prob == 0.0:
    return input_tensor
  return tf.nn.dropout(input_tensor, rate=dropout_prob)


def layer_norm(input_tensor, name=None):
  """Layer normalization over the last axis with variables `beta` and `gamma`.

  Same math and variable names as `tf.contrib.layers.layer_norm` used by the original
  (epsilon 1e-12, centre and scale over the last axis).

  Args:
    input_tensor: float Tensor of shape [..., width].
    name: variable scope name; default "LayerNorm".

  Returns:
    A Tensor of the same shape and dtype (computed in float32; beta and gamma are float32).
  """
  with tf.compat.v1.variable_scope(name, default_name="LayerNorm"):
    width = input_tensor.shape[-1]
    beta = tf.compat.v1.get_variable(
        "beta", shape=[width], initializer=tf.compat.v1.zeros_initializer())
    gamma = tf.compat.v1.get_variable(
        "gamma", shape=[width], initializer=tf.compat.v1.ones_initializer())
    # dtype: statistics and normalization in float32 (a 16-bit variance over a wide row loses
    # the digits that epsilon 1e-12 and the centring depend on); back to the input's dtype.
    values = tf.cast(input_tensor, tf.float32)
    if _use_cpu_kernels():
      rows = cpu_kernels.layer_norm(tf.reshape(values, [-1, width]), gamma, beta,
                                    _LAYER_NORM_EPSILON)  # [prod(...), width]
      output = tf.reshape(rows, get_shape_list(input_tensor))
      return tf.cast(output, input_tensor.dtype)
    # Deviation (docs/DEVIATIONS.md): (x - mean) / stddev * gamma + beta, centred first; the
    # same function as contrib's x * (gamma / stddev) + (beta - mean * gamma / stddev), whose
    # forward + backward graph takes about 20% longer on CPU.
    mean = tf.reduce_mean(values, axis=-1, keepdims=True)  # [..., 1]
    centered = values - mean
    variance = tf.reduce_mean(tf.square(centered), axis=-1, keepdims=True)  # [..., 1]
    output = centered * tf.math.rsqrt(variance + _LAYER_NORM_EPSILON) * gamma + beta
    return tf.cast(output, input_tensor.dtype)


def layer_norm_and_dropout(input_tensor, dropout_prob, name=None):
  """Runs layer normalization followed by dropout."""
  output_tensor = layer_norm(input_tensor, name)
  return dropout(output_tensor, dropout_prob)


def create_initializer(initializer_range=0.02):
  """Truncated normal initializer (cut at 2 stddev) with stddev `initializer_range`."""
  return tf.compat.v1.truncated_normal_initializer(stddev=initializer_range)


def get_shape_list(tensor, expected_rank=None, name=None):
  """Returns the shape of a tensor, preferring static dimensions.

  Args:
    tensor: a Tensor.
    expected_rank: optional int or list of ints; raises ValueError if the rank differs.
    name: optional name of the tensor for the error message.

  Returns:
    A list with one entry per dimension: a Python int for static dimensions and a scalar
    int32 Tensor for dynamic ones.
  """
  if expected_rank is not None:
    assert_rank(tensor, expected_rank, name)

  shape = tensor.shape.as_list()
  dynamic_indexes = [index for (index, dim) in enumerate(shape) if dim is None]
  if not dynamic_indexes:
    return shape
  dynamic_shape = tf.shape(tensor)
  for index in dynamic_indexes:
    shape[index] = dynamic_shape[index]
  return shape


def assert_rank(tensor, expected_rank, name=None):
  """Raises ValueError if `tensor` does not have one of the expected ranks.

  Args:
    tensor: a Tensor.
    expected_rank: int or list of ints.
    name: optional name of the tensor for the error message (default: its graph name).
  """
  if name is None:
    name = getattr(tensor, "name", "<tensor>")
  expected_ranks = [expected_rank] if isinstance(expected_rank, int) else expected_rank
  actual_rank = tensor.shape.ndims
  if actual_rank not in expected_ranks:
    raise ValueError(
        "Tensor `%s` in scope `%s` has rank %s (shape %s) but rank %s was expected" %
        (name, tf.compat.v1.get_variable_scope().name, actual_rank, tensor.shape,
         " or ".join(str(rank) for rank in expected_ranks)))


def reshape_to_matrix(input_tensor):
  """Flattens every dimension but the last: [d_1, ..., d_n, width] -> [d_1 * ... * d_n, width].

  One of the original's public helpers; `dense_layer` uses it and `reshape_from_matrix`.

  Args:
    input_tensor: Tensor of rank >= 2.

  Returns:
    Tensor of rank 2 (the input itself if it already has rank 2).
  """
  rank = input_tensor.shape.ndims
  if rank is None or rank < 2:
    raise ValueError("reshape_to_matrix needs a tensor of rank >= 2, got shape %s" %
                     (input_tensor.shape,))
  if rank == 2:
    return input_tensor
  width = input_tensor.shape[-1]
  return tf.reshape(input_tensor, [-1, width])


def reshape_from_matrix(output_tensor, orig_shape_list):
  """Undoes `reshape_to_matrix`: [N, width] -> orig_shape_list[:-1] + [width].

  Args:
    output_tensor: Tensor of shape [N, width].
    orig_shape_list: the shape list (`get_shape_list`) of the tensor before flattening.

  Returns:
    Tensor of shape orig_shape_list[:-1] + [width].
  """
  if len(orig_shape_list) == 2:
    return output_tensor
  output_shape = get_shape_list(output_tensor)
  return tf.reshape(output_tensor, orig_shape_list[:-1] + [output_shape[-1]])


def get_timing_signal_1d_given_position(channels, position, min_timescale=1.0,
                                        max_timescale=1.0e4):
  """Sinusoidal position signals (Vaswani et al., 2017) at given positions.

  Channel i < channels/2 holds sin(position / timescale_i) and channel channels/2 + i holds
  cos(position / timescale_i), with timescales spaced geometrically from `min_timescale` to
  `max_timescale`; an odd `channels` gets one zero channel at the end. Kept from the
  original's public helpers; ALBERT itself learns its position embeddings.

  Args:
    channels: int, size of the signal (the hidden size it is added to).
    position: int or float Tensor of shape [batch_size, seq_length], the positions.
    min_timescale: float, the shortest wavelength (divided by 2*pi).
    max_timescale: float, the longest wavelength (divided by 2*pi).

  Returns:
    float32 Tensor of shape [batch_size, seq_length, channels].
  """
  num_timescales = channels // 2
  log_timescale_increment = (math.log(float(max_timescale) / float(min_timescale)) /
                             max(num_timescales - 1, 1))
  inverse_timescales = min_timescale * tf.exp(
      tf.cast(tf.range(num_timescales), tf.float32) * -log_timescale_increment)  # [C/2]
  scaled_time = (tf.expand_dims(tf.cast(position, tf.float32), 2) *
                 inverse_timescales[tf.newaxis, tf.newaxis, :])  # [B, L, C/2]
  signal = tf.concat([tf.sin(scaled_time), tf.cos(scaled_time)], axis=2)  # [B, L, 2*(C/2)]
  return tf.pad(signal, [[0, 0], [0, 0], [0, channels % 2]])  # [B, L, C]


def _table_rows(table, flat_ids, use_one_hot):
  """Looks up rows of an embedding table.

  Args:
    table: float Tensor of shape [rows, width].
    flat_ids: int32 Tensor of shape [n], row indexes.
    use_one_hot: bool; a one-hot matmul (fast on TPU) instead of a gather (fast elsewhere).

  Returns:
    float Tensor of shape [n, width].
  """
  if use_one_hot:
    one_hot_ids = tf.one_hot(flat_ids, depth=get_shape_list(table)[0],
                             dtype=table.dtype)  # [n, rows]
    return tf.matmul(one_hot_ids, table)  # [n, width]
  return tf.gather(table, flat_ids)  # [n, width]


def embedding_lookup(input_ids,
                     vocab_size,
                     embedding_size=128,
                     initializer_range=0.02,
                     word_embedding_name="word_embeddings",
                     use_one_hot_embeddings=False):
  """Looks up word embeddings for an id tensor.

  Args:
    input_ids: int32 Tensor of shape [batch_size, seq_length] (or [batch_size, seq_length, 1]).
    vocab_size: int, rows of the table (V).
    embedding_size: int, width of the table (E).
    initializer_range: float, stddev of the table initializer.
    word_embedding_name: name of the table variable.
    use_one_hot_embeddings: bool; one-hot matmul (TPU friendly) instead of a gather.

  Returns:
    (float Tensor of shape [batch_size, seq_length, embedding_size],
     the table: float Tensor of shape [vocab_size, embedding_size]).
  """
  if input_ids.shape.ndims == 3:
    input_ids = tf.squeeze(input_ids, axis=[-1])
  input_shape = get_shape_list(input_ids, expected_rank=2)  # [B, S]

  embedding_table = tf.compat.v1.get_variable(
      name=word_embedding_name,
      shape=[vocab_size, embedding_size],
      initializer=create_initializer(initializer_range))  # [V, E]

  flat_input_ids = tf.reshape(input_ids, [-1])  # [B*S]
  output = _table_rows(embedding_table, flat_input_ids, use_one_hot_embeddings)  # [B*S, E]

  output = tf.reshape(output, input_shape + [embedding_size])  # [B, S, E]
  return (output, embedding_table)


def embedding_postprocessor(input_tensor,
                            use_token_type=False,
                            token_type_ids=None,
                            token_type_vocab_size=16,
                            token_type_embedding_name="token_type_embeddings",
                            use_position_embeddings=True,
                            position_embedding_name="position_embeddings",
                            initializer_range=0.02,
                            max_position_embeddings=512,
                            dropout_prob=0.1,
                            use_one_hot_embeddings=True):
  """Adds token-type and position embeddings, then LayerNorm and dropout.

  Args:
    input_tensor: float Tensor of shape [batch_size, seq_length, embedding_size].
    use_token_type: bool, whether to add token-type embeddings.
    token_type_ids: int32 Tensor of shape [batch_size, seq_length]; required if use_token_type.
    token_type_vocab_size: int, rows of the token-type table.
    token_type_embedding_name: name of the token-type table variable.
    use_position_embeddings: bool, whether to add learned absolute position embeddings.
    position_embedding_name: name of the position table variable.
    initializer_range: float, stddev of the table initializers.
    max_position_embeddings: int, rows of the position table (P); seq_length must be <= P.
    dropout_prob: float, dropout applied after the LayerNorm.
    use_one_hot_embeddings: bool; one-hot matmul instead of a gather for token types.

  Returns:
    float Tensor of the same shape as `input_tensor`.

  Raises:
    ValueError: if a required input is missing or seq_length > max_position_embeddings.
  """
  input_shape = get_shape_list(input_tensor, expected_rank=3)
  batch_size = input_shape[0]
  seq_length = input_shape[1]
  width = input_shape[2]

  output = input_tensor  # [B, S, E]

  if use_token_type:
    if token_type_ids is None:
      raise ValueError("`token_type_ids` must be given when `use_token_type` is True.")
    token_type_table = tf.compat.v1.get_variable(
        name=token_type_embedding_name,
        shape=[token_type_vocab_size, width],
        initializer=create_initializer(initializer_range))  # [type_vocab, E]
    flat_token_type_ids = tf.reshape(token_type_ids, [-1])  # [B*S]
    token_type_embeddings = _table_rows(token_type_table, flat_token_type_ids,
                                        use_one_hot_embeddings)  # [B*S, E]
    token_type_embeddings = tf.reshape(token_type_embeddings,
                                       [batch_size, seq_length, width])  # [B, S, E]
    output += token_type_embeddings

  if use_position_embeddings:
    full_position_embeddings = tf.compat.v1.get_variable(
        name=position_embedding_name,
        shape=[max_position_embeddings, width],
        initializer=create_initializer(initializer_range))  # [P, E]
    if isinstance(seq_length, int):
      if seq_length > max_position_embeddings:
        raise ValueError("seq_length %d exceeds max_position_embeddings %d" %
                         (seq_length, max_position_embeddings))
      checks = []
    else:
      checks = [tf.compat.v1.assert_less_equal(
          seq_length, max_position_embeddings,
          message="seq_length exceeds max_position_embeddings")]
    with tf.control_dependencies(checks):
      # Positions are always 0..S-1, so a slice of the table replaces a gather.
      position_embeddings = tf.slice(full_position_embeddings, [0, 0],
                                     [seq_length, -1])  # [S, E]
    position_embeddings = tf.expand_dims(position_embeddings, 0)  # [1, S, E]
    output += position_embeddings

  output = layer_norm_and_dropout(output, dropout_prob)
  return output


def dense_layer(input_tensor, output_size, activation=None, initializer=None, name=None,
                use_bias=True):
  """A fully connected layer over the last axis, variables `name/kernel` and `name/bias`.

  Equivalent to the `tf.layers.dense` used by the original for the pooler and the heads
  (including the SQuAD v2 head, which applies it to [S, B, H] and [S, B, K, 2H] tensors).

  Args:
    input_tensor: float Tensor of shape [..., input_size] (rank >= 2).
    output_size: int.
    activation: function or None.
    initializer: kernel initializer (biases start at zero).
    name: variable scope name.
    use_bias: add a bias variable (False: only `name/kernel`).

  Returns:
    float Tensor of shape [..., output_size].
  """
  input_shape = get_shape_list(input_tensor)
  if len(input_shape) < 2:
    raise ValueError("dense_layer %s: expected an input of rank >= 2, got shape %s" %
                     (name, input_tensor.shape))
  with tf.compat.v1.variable_scope(name, default_name="dense"):
    kernel = tf.compat.v1.get_variable(
        name="kernel", shape=[input_shape[-1], output_size], initializer=initializer)
    output = tf.matmul(reshape_to_matrix(input_tensor), kernel)  # [prod(...), output_size]
    if use_bias:
      bias = tf.compat.v1.get_variable(
          name="bias", shape=[output_size], initializer=tf.compat.v1.zeros_initializer())
      output = tf.nn.bias_add(output, bias)
  output = reshape_from_matrix(output, input_shape)  # [..., output_size]
  if activation is not None:
    return activation(output)
  return output


def einsum_via_matmul(input_tensor, w, num_inner_dims):
  """Computes an einsum contracting the last dims of `input_tensor` with the first of `w`.

  Implements e.g. "BFH,HO->BFO" (num_inner_dims=1), "BFH,HND->BFND" (1) or "BFND,NDH->BFH" (2)
  as reshape -> 2-D matmul -> reshape, which every backend (including TFLite) supports.

  Args:
    input_tensor: float Tensor of shape [batch dims..., inner dims...].
    w: float Tensor of shape [inner dims..., outer dims...].
    num_inner_dims: int, number of contracted dimensions.

  Returns:
    float Tensor of shape [batch dims..., outer dims...].
  """
  input_shape = get_shape_list(input_tensor)
  w_shape = get_shape_list(w)
  batch_dims = input_shape[:-num_inner_dims]
  inner_dims = input_shape[-num_inner_dims:]
  outer_dims = w_shape[num_inner_dims:]
  inner_dim = int(np.prod(inner_dims))
  outer_dim = int(np.prod(outer_dims))
  input_matrix = tf.reshape(input_tensor, [-1, inner_dim])  # [prod(batch dims), inner]
  w_matrix = tf.reshape(w, [inner_dim, outer_dim])  # [inner, outer]
  output = tf.matmul(input_matrix, w_matrix)  # [prod(batch dims), outer]
  return tf.reshape(output, batch_dims + outer_dims)


def _dense_projection(input_tensor, num_inner_dims, output_dims, initializer):
  """The transformer's dense layers: one 2-D MatMul and a BiasAdd, as reshapes around them.

  Contracts the last `num_inner_dims` dimensions of the input with the kernel, stored 2-D as
  [prod(inner dims), prod(output_dims)] (the released checkpoints' layout), e.g. "BFH,HND->BFND"
  (1 inner dim, output [N, D]) or "BFND,NDH->BFH" (2 inner dims, output [H]). This is
  `einsum_via_matmul`'s lowering: no transposes (TensorFlow's einsum lowering orders the
  output axes alphabetically and adds two per attention projection), and the 2-D
  MatMul + BiasAdd pair is one fused kernel for oneDNN.

  dtype: the matmul runs in the compute dtype of `mixed_precision` (float32, or bfloat16 /
  float16 with the kernel cast from its float32 master variable); its output returns to
  float32 before the bias, so bias, residuals, activations and LayerNorm stay float32. (On
  CPU, 16-bit elementwise ops are slower than float32 ones.)

  Args:
    input_tensor: float Tensor of shape [batch dims..., inner dims...].
    num_inner_dims: int, how many trailing input dimensions are contracted.
    output_dims: list of ints, the output's trailing dimensions.
    initializer: kernel initializer (the bias starts at zero).

  Returns:
    float32 Tensor of shape [batch dims..., output_dims...].

  Raises:
    ValueError: a 16-bit compute dtype outside a scope with the float32 master getter (the
      layer would otherwise create a 16-bit variable, and checkpoints would change dtype).
  """
  input_shape = get_shape_list(input_tensor)
  batch_dims = input_shape[:-num_inner_dims]
  inner_size = int(np.prod(input_shape[-num_inner_dims:]))
  output_size = int(np.prod(output_dims))
  compute_dtype = mixed_precision.compute_dtype()
  kernel = tf.compat.v1.get_variable(
      name="kernel", shape=[inner_size, output_size], initializer=initializer,
      dtype=compute_dtype)
  if compute_dtype != tf.float32 and isinstance(kernel, tf.Variable):
    raise ValueError(
        "%s: a %s dense layer needs mixed_precision.float32_master_getter on an enclosing "
        "variable scope (AlbertModel installs it)." % (kernel.op.name, compute_dtype.name))
  bias = tf.compat.v1.get_variable(
      name="bias", shape=[output_size], initializer=tf.compat.v1.zeros_initializer())
  matrix = tf.reshape(tf.cast(input_tensor, compute_dtype), [-1, inner_size])
  output = tf.matmul(matrix, kernel)  # [prod(batch dims), prod(output_dims)]
  output = tf.nn.bias_add(tf.cast(output, tf.float32), bias)
  return tf.reshape(output, batch_dims + list(output_dims))


def dense_layer_3d(input_tensor,
                   num_attention_heads,
                   head_size,
                   initializer,
                   activation,
                   use_einsum,
                   name=None):
  """A dense layer from [B, F, H] to per-head outputs [B, F, N, D] ("BFH,HND->BFND").

  The kernel is stored 2-D as [H, N*D] (the released checkpoints' layout) and viewed as
  [H, N, D]; the bias is stored as [N*D].

  Args:
    input_tensor: float Tensor of shape [batch_size, from_seq_length, hidden_size].
    num_attention_heads: int, N.
    head_size: int, D.
    initializer: kernel initializer.
    activation: function or None.
    use_einsum: accepted for compatibility; both values build the same graph (see
      `_dense_projection`).
    name: variable scope name.

  Returns:
    float32 Tensor of shape [batch_size, from_seq_length, num_attention_heads, head_size].
  """
  del use_einsum  # Deviation (docs/DEVIATIONS.md): one lowering for both values.
  with tf.compat.v1.variable_scope(name):
    ret = _dense_projection(input_tensor, 1, [num_attention_heads, head_size],
                            initializer)  # [B, F, N, D]
  if activation is not None:
    return activation(ret)
  return ret


def dense_layer_3d_proj(input_tensor,
                        hidden_size,
                        head_size,
                        initializer,
                        activation,
                        use_einsum,
                        name=None):
  """A dense layer from per-head inputs [B, F, N, D] back to [B, F, H] ("BFND,NDH->BFH").

  The kernel is stored 2-D as [N*D, H] and viewed as [N, D, H].

  Args:
    input_tensor: float Tensor of shape [batch_size, from_seq_length, num_heads, head_size].
    hidden_size: int, H (output width).
    head_size: int, D.
    initializer: kernel initializer.
    activation: function or None.
    use_einsum: accepted for compatibility; both values build the same graph.
    name: variable scope name.

  Returns:
    float32 Tensor of shape [batch_size, from_seq_length, hidden_size].
  """
  del use_einsum, head_size  # The head size is the input's last dimension.
  with tf.compat.v1.variable_scope(name):
    ret = _dense_projection(input_tensor, 2, [hidden_size], initializer)  # [B, F, H]
  if activation is not None:
    return activation(ret)
  return ret


def dense_layer_2d(input_tensor,
                   output_size,
                   initializer,
                   activation,
                   use_einsum,
                   num_attention_heads=1,
                   name=None):
  """A dense layer from [B, F, H_in] to [B, F, output_size] ("BFH,HO->BFO").

  Args:
    input_tensor: float Tensor of shape [batch_size, from_seq_length, input_size].
    output_size: int.
    initializer: kernel initializer.
    activation: function or None.
    use_einsum: accepted for compatibility; both values build the same graph.
    num_attention_heads: unused; kept for signature compatibility with the original.
    name: variable scope name.

  Returns:
    float32 Tensor of shape [batch_size, from_seq_length, output_size].
  """
  del num_attention_heads, use_einsum  # Unused.
  with tf.compat.v1.variable_scope(name):
    ret = _dense_projection(input_tensor, 1, [output_size], initializer)  # [B, F, O]
  if activation is not None:
    return activation(ret)
  return ret


def dot_product_attention(q, k, v, bias, dropout_rate=0.0):
  """Scaled dot-product attention.

  Args:
    q: float Tensor of shape [B, N, F, D] (queries).
    k: float Tensor of shape [B, N, T, D] (keys).
    v: float Tensor of shape [B, N, T, D] (values).
    bias: optional float or int Tensor of shape [B, T]: the attention mask (1 = attend,
      0 = masked out).
    dropout_rate: float, dropout on the attention probabilities.

  Returns:
    Tensor of shape [B, N, F, D], in the compute dtype of `mixed_precision` (the next layer is
    a matmul).
  """
  # dtype: the two batch matmuls run in the compute dtype; scale, mask and softmax in
  # float32: a 16-bit softmax over long rows loses the small probabilities, and float16
  # logits can overflow.
  compute_dtype = mixed_precision.compute_dtype()
  q, k, v = [tf.cast(tensor, compute_dtype) for tensor in (q, k, v)]
  logits = tf.matmul(q, k, transpose_b=True)  # [B, N, F, T]
  logits = tf.cast(logits, tf.float32)
  scale = 1.0 / math.sqrt(float(get_shape_list(q)[-1]))
  if _use_cpu_kernels():
    # The same function as the ops below, in one pass forward and one backward.
    if bias is None:
      batch_size, _, _, to_length = get_shape_list(logits)
      to_mask = tf.ones([batch_size, to_length])  # [B, T]
    else:
      to_mask = tf.cast(bias, tf.float32)  # [B, T]
    attention_probs = cpu_kernels.masked_softmax(
        logits, to_mask, scale, _ATTENTION_MASK_ADDER)  # [B, N, F, T]
  else:
    logits = tf.multiply(logits, scale)
    if bias is not None:
      # Masked positions get a large negative logit, so ~0 probability after the softmax.
      to_mask = tf.cast(bias, logits.dtype)  # [B, T]
      to_mask = tf.expand_dims(tf.expand_dims(to_mask, 1), 1)  # [B, 1, 1, T]
      adder = (1.0 - to_mask) * _ATTENTION_MASK_ADDER  # [B, 1, 1, T]
      logits += adder  # [B, N, F, T]
    attention_probs = tf.nn.softmax(logits, name="attention_probs")  # [B, N, F, T]
  attention_probs = dropout(attention_probs, dropout_rate)
  return tf.matmul(tf.cast(attention_probs, compute_dtype), v)  # [B, N, F, D]


def attention_layer(from_tensor,
                    to_tensor,
                    attention_mask=None,
                    num_attention_heads=1,
                    query_act=None,
                    key_act=None,
                    value_act=None,
                    attention_probs_dropout_prob=0.0,
                    initializer_range=0.02,
                    batch_size=None,
                    from_seq_length=None,
                    to_seq_length=None,
                    use_einsum=True):
  """Multi-headed attention from `from_tensor` to `to_tensor` ("Attention is All You Need").

  Variables: `query`, `key`, `value` (each kernel [H, H] stored 2-D, bias [H]).

  Args:
    from_tensor: float Tensor of shape [batch_size, from_seq_length, from_width].
    to_tensor: float Tensor of shape [batch_size, to_seq_length, to_width].
    attention_mask: optional int32 Tensor of shape [batch_size, to_seq_length], 1 for positions
      that can be attended to and 0 for padding.
    num_attention_heads: int, N.
    query_act: activation of the query projection (None = linear).
    key_act: activation of the key projection.
    value_act: activation of the value projection.
    attention_probs_dropout_prob: float, dropout on the attention probabilities.
    initializer_range: float, stddev of the kernel initializers.
    batch_size: unused; the shapes are read from the tensors (kept for compatibility).
    from_seq_length: unused (as above).
    to_seq_length: unused (as above).
    use_einsum: accepted for compatibility; both values build the same graph.

  Returns:
    Tensor of shape [batch_size, from_seq_length, num_attention_heads, size_per_head], in the
    compute dtype of `mixed_precision`.

  Raises:
    ValueError: if the inputs do not have rank 3.
  """
  del batch_size, from_seq_length, to_seq_length  # Read from the tensors instead.
  from_shape = get_shape_list(from_tensor, expected_rank=3)
  get_shape_list(to_tensor, expected_rank=3)
  size_per_head = int(from_shape[2] / num_attention_heads)

  # [B, F, N, D] / [B, T, N, D]
  q = dense_layer_3d(from_tensor, num_attention_heads, size_per_head,
                     create_initializer(initializer_range), query_act, use_einsum, "query")
  k = dense_layer_3d(to_tensor, num_attention_heads, size_per_head,
                     create_initializer(initializer_range), key_act, use_einsum, "key")
  v = dense_layer_3d(to_tensor, num_attention_heads, size_per_head,
                     create_initializer(initializer_range), value_act, use_einsum, "value")
  # dtype: the heads go to batch matmuls; transposing them in the compute dtype moves fewer
  # bytes.
  compute_dtype = mixed_precision.compute_dtype()
  q = tf.transpose(tf.cast(q, compute_dtype), [0, 2, 1, 3])  # [B, N, F, D]
  k = tf.transpose(tf.cast(k, compute_dtype), [0, 2, 1, 3])  # [B, N, T, D]
  v = tf.transpose(tf.cast(v, compute_dtype), [0, 2, 1, 3])  # [B, N, T, D]

  new_embeddings = dot_product_attention(q, k, v, attention_mask,
                                         attention_probs_dropout_prob)  # [B, N, F, D]
  return tf.transpose(new_embeddings, [0, 2, 1, 3])  # [B, F, N, D]


def attention_ffn_block(layer_input,
                        hidden_size=768,
                        attention_mask=None,
                        num_attention_heads=1,
                        attention_head_size=64,
                        attention_probs_dropout_prob=0.0,
                        intermediate_size=3072,
                        intermediate_act_fn=None,
                        initializer_range=0.02,
                        hidden_dropout_prob=0.0,
                        use_einsum=True):
  """One post-LayerNorm transformer block: self-attention, then feed-forward.

  Variables (relative to the current scope): attention_1/self/{query,key,value},
  attention_1/output/dense, LayerNorm, ffn_1/intermediate/dense,
  ffn_1/intermediate/output/dense, LayerNorm_1.

  Args:
    layer_input: float Tensor of shape [batch_size, seq_length, hidden_size].
    hidden_size: int, H.
    attention_mask: optional int32 Tensor of shape [batch_size, seq_length].
    num_attention_heads: int, N.
    attention_head_size: int, D.
    attention_probs_dropout_prob: float.
    intermediate_size: int, I.
    intermediate_act_fn: activation of the intermediate layer.
    initializer_range: float.
    hidden_dropout_prob: float, dropout on the attention and FFN outputs.
    use_einsum: bool.

  Returns:
    float Tensor of shape [batch_size, seq_length, hidden_size].
  """
  with tf.compat.v1.variable_scope("attention_1"):
    with tf.compat.v1.variable_scope("self"):
      attention_output = attention_layer(
          from_tensor=layer_input,
          to_tensor=layer_input,
          attention_mask=attention_mask,
          num_attention_heads=num_attention_heads,
          attention_probs_dropout_prob=attention_probs_dropout_prob,
          initializer_range=initializer_range,
          use_einsum=use_einsum)  # [B, S, N, D]

    # Project the concatenated heads back to H; the residual is added before the LayerNorm.
    with tf.compat.v1.variable_scope("output"):
      attention_output = dense_layer_3d_proj(
          attention_output,
          hidden_size,
          attention_head_size,
          create_initializer(initializer_range),
          None,
          use_einsum=use_einsum,
          name="dense")  # [B, S, H]
      attention_output = dropout(attention_output, hidden_dropout_prob)
  attention_output = layer_norm(attention_output + layer_input, name="LayerNorm")

  # The original nests the output projection inside `intermediate`; the checkpoint names
  # depend on it, so it is kept.
  with tf.compat.v1.variable_scope("ffn_1"):
    with tf.compat.v1.variable_scope("intermediate"):
      intermediate_output = dense_layer_2d(
          attention_output,
          intermediate_size,
          create_initializer(initializer_range),
          intermediate_act_fn,
          use_einsum=use_einsum,
          num_attention_heads=num_attention_heads,
          name="dense")  # [B, S, I]
      with tf.compat.v1.variable_scope("output"):
        ffn_output = dense_layer_2d(
            intermediate_output,
            hidden_size,
            create_initializer(initializer_range),
            None,
            use_einsum=use_einsum,
            num_attention_heads=num_attention_heads,
            name="dense")  # [B, S, H]
    ffn_output = dropout(ffn_output, hidden_dropout_prob)
  ffn_output = layer_norm(ffn_output + attention_output, name="LayerNorm_1")
  return ffn_output


def transformer_model(input_tensor,
                      attention_mask=None,
                      hidden_size=768,
                      num_hidden_layers=12,
                      num_hidden_groups=12,
                      num_attention_heads=12,
                      intermediate_size=3072,
                      inner_group_num=1,
                      intermediate_act_fn="gelu",
                      hidden_dropout_prob=0.1,
                      attention_probs_dropout_prob=0.1,
                      initializer_range=0.02,
                      do_return_all_layers=False,
                      use_einsum=True):
  """The ALBERT encoder: optional E->H projection, then L layers with shared parameters.

  Layer l (0-based) uses the parameters of group int(l / L * G); each layer applies
  `inner_group_num` blocks in sequence, block j with the parameters `inner_group_j` of that
  group. With G = 1 (all released models) every layer shares one set of parameters.

  Args:
    input_tensor: float Tensor of shape [batch_size, seq_length, input_width] (E).
    attention_mask: optional int32 Tensor of shape [batch_size, seq_length].
    hidden_size: int, H.
    num_hidden_layers: int, L.
    num_hidden_groups: int, G.
    num_attention_heads: int, N.
    intermediate_size: int, I.
    inner_group_num: int, blocks per layer.
    intermediate_act_fn: function (or activation name) of the feed-forward layer.
    hidden_dropout_prob: float.
    attention_probs_dropout_prob: float.
    initializer_range: float.
    do_return_all_layers: bool; return every block output, not just the last.
    use_einsum: bool.

  Returns:
    float Tensor of shape [batch_size, seq_length, hidden_size] (the last block output), or a
    list of L * inner_group_num such tensors if do_return_all_layers.

  Raises:
    ValueError: if hidden_size is not a multiple of num_attention_heads.
  """
  if hidden_size % num_attention_heads != 0:
    raise ValueError(
        "The hidden size (%d) is not a multiple of the number of attention heads (%d)" %
        (hidden_size, num_attention_heads))
  if isinstance(intermediate_act_fn, str):
    intermediate_act_fn = get_activation(intermediate_act_fn)

  attention_head_size = hidden_size // num_attention_heads
  input_width = get_shape_list(input_tensor, expected_rank=3)[2]
  all_layer_outputs = []
  if input_width != hidden_size:
    prev_output = dense_layer_2d(
        input_tensor, hidden_size, create_initializer(initializer_range), None,
        use_einsum=use_einsum, name="embedding_hidden_mapping_in")  # [B, S, H]
  else:
    prev_output = input_tensor
  with tf.compat.v1.variable_scope("transformer", reuse=tf.compat.v1.AUTO_REUSE):
    for layer_idx in range(num_hidden_layers):
      group_idx = int(layer_idx / num_hidden_layers * num_hidden_groups)
      with tf.compat.v1.variable_scope("group_%d" % group_idx):
        with tf.name_scope("layer_%d" % layer_idx):
          layer_output = prev_output
          for inner_group_idx in range(inner_group_num):
            with tf.compat.v1.variable_scope("inner_group_%d" % inner_group_idx):
              layer_output = attention_ffn_block(
                  layer_input=layer_output,
                  hidden_size=hidden_size,
                  attention_mask=attention_mask,
                  num_attention_heads=num_attention_heads,
                  attention_head_size=attention_head_size,
                  attention_probs_dropout_prob=attention_probs_dropout_prob,
                  intermediate_size=intermediate_size,
                  intermediate_act_fn=intermediate_act_fn,
                  initializer_range=initializer_range,
                  hidden_dropout_prob=hidden_dropout_prob,
                  use_einsum=use_einsum)
              prev_output = layer_output
              all_layer_outputs.append(layer_output)
  if do_return_all_layers:
    return all_layer_outputs
  return all_layer_outputs[-1]
