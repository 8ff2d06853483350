# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""What a Hugging Face ALBERT is in our terms: config fields, tensor names, layouts.

Shared by `import_hf` (Hugging Face directory -> our checkpoint) and `export_hf` (the reverse).
Pure numpy: neither TensorFlow nor torch is imported here.

Tensor names (Hugging Face `AlbertFor*` state dict -> our checkpoint, reference §3):
  albert.embeddings.{word,position,token_type}_embeddings.weight
                                     -> bert/embeddings/{word,position,token_type}_embeddings
  albert.embeddings.LayerNorm.{weight,bias}     -> bert/embeddings/LayerNorm/{gamma,beta}
  albert.encoder.embedding_hidden_mapping_in.*  -> bert/encoder/embedding_hidden_mapping_in/*
  albert.encoder.albert_layer_groups.{g}.albert_layers.{i}.<part>
      -> bert/encoder/transformer/group_{g}/inner_group_{i}/<part>, where <part> is
         attention.{query,key,value}    -> attention_1/self/{query,key,value}
         attention.dense                -> attention_1/output/dense
         attention.LayerNorm            -> LayerNorm
         ffn                            -> ffn_1/intermediate/dense
         ffn_output                     -> ffn_1/intermediate/output/dense
         full_layer_layer_norm          -> LayerNorm_1
  albert.pooler                         -> bert/pooler/dense
  predictions.dense / .LayerNorm / .bias
                  -> cls/predictions/transform/dense, transform/LayerNorm, output_bias
  sop_classifier.classifier             -> cls/seq_relationship/output_{weights,bias}
  classifier (sequence classification)  -> output_weights, output_bias (run_classifier's head)
A Hugging Face Linear `weight` is [out, in]; our dense `kernel` is [in, out] (transposed). The
`output_weights` of the SOP and classifier heads are [classes, H] on both sides.

Dimension legend: V vocabulary, E embedding size, H hidden size, I intermediate size,
P max positions, T token types, K classifier labels.
"""

import collections

from absl import logging
import numpy as np

# One tensor on both sides: Hugging Face name, our checkpoint name, our shape, and whether the
# Hugging Face array is the transpose of ours (Linear weights vs dense kernels).
TensorPair = collections.namedtuple("TensorPair", ["hf_name", "tf_name", "shape", "transpose"])

# File names of a Hugging Face model directory.
HF_CONFIG_NAME = "config.json"
HF_SAFETENSORS_NAME = "model.safetensors"
HF_SPM_MODEL_NAME = "spiece.model"
HF_WORDPIECE_VOCAB_NAME = "vocab.txt"
HF_TOKENIZER_CONFIG_NAME = "tokenizer_config.json"

GLOBAL_STEP_NAME = "global_step"
ENCODER_PREFIX = "albert."
PROJECTION_HF_NAME = "albert.encoder.embedding_hidden_mapping_in"
# When E == H, Hugging Face's projection must be the identity within this tolerance to be left
# out (our model, like the original, has no projection then).
IDENTITY_TOLERANCE = 1e-6

# Hugging Face state-dict entries that are not parameters, or are tied to another tensor.
_HF_BUFFERS = ("albert.embeddings.position_ids", "albert.embeddings.token_type_ids")
_HF_TIED = {"predictions.decoder.weight": "albert.embeddings.word_embeddings.weight",
            "predictions.decoder.bias": "predictions.bias"}

# Architectures whose `classifier` reads the pooled output, as run_classifier's head does
# (multiple choice is RACE's [1, H] head). Token classification applies its `classifier` to
# every position: it does not map onto any head of ours.
POOLED_CLASSIFIER_ARCHITECTURES = ("AlbertForSequenceClassification",
                                   "AlbertForMultipleChoice")

# Hugging Face `AlbertConfig` defaults, used for fields a config.json leaves out (this is what
# those fields mean to Hugging Face). Ours differ only in hidden_act's name.
_HF_CONFIG_DEFAULTS = {
    "vocab_size": 30000, "embedding_size": 128, "hidden_size": 4096,
    "num_hidden_layers": 12, "num_hidden_groups": 1, "num_attention_heads": 64,
    "intermediate_size": 16384, "inner_group_num": 1, "hidden_act": "gelu_new",
    "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
    "layer_norm_eps": 1e-12, "position_embedding_type": "absolute",
}
# Fields copied unchanged between albert_config.json and config.json.
_SHARED_CONFIG_FIELDS = (
    "vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "num_hidden_groups",
    "num_attention_heads", "intermediate_size", "inner_group_num", "hidden_dropout_prob",
    "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size",
    "initializer_range")
# Released albert_config.json files carry these unused fields (reference §1.2); run_pretraining
# reads net_structure_type with --init_from_group0.
_RELEASED_EXTRA_FIELDS = {"down_scale_factor": 1, "net_structure_type": 0, "gap_size": 0,
                          "num_memory_blocks": 0}
_OUR_LAYER_NORM_EPSILON = 1e-12

# Hugging Face activation name -> ours. "gelu_new" and "gelu_pytorch_tanh" are the tanh
# approximation, which is what ALBERT calls "gelu".
_ACTIVATIONS_FROM_HF = {"gelu_new": "gelu", "gelu_pytorch_tanh": "gelu", "relu": "relu",
                        "tanh": "tanh", "linear": "linear"}
_ACTIVATIONS_TO_HF = {"gelu": "gelu_new", "gelu_new": "gelu_new", "relu": "relu",
                      "tanh": "tanh", "linear": "linear"}
HF_ERF_GELU = "gelu"


def _dense(hf_name, tf_name, in_size, out_size):
  return [TensorPair(hf_name + ".weight", tf_name + "/kernel", (in_size, out_size), True),
          TensorPair(hf_name + ".bias", tf_name + "/bias", (out_size,), False)]


def _layer_norm(hf_name, tf_name, size):
  return [TensorPair(hf_name + ".weight", tf_name + "/gamma", (size,), False),
          TensorPair(hf_name + ".bias", tf_name + "/beta", (size,), False)]


def _block_pairs(config, group_idx, inner_idx):
  """Tensors of one attention + feed-forward block (group `group_idx`, inner `inner_idx`)."""
  hidden, intermediate = config.hidden_size, config.intermediate_size
  hf = "albert.encoder.albert_layer_groups.%d.albert_layers.%d." % (group_idx, inner_idx)
  ours = "bert/encoder/transformer/group_%d/inner_group_%d/" % (group_idx, inner_idx)
  pairs = []
  for projection in ("query", "key", "value"):
    pairs += _dense(hf + "attention." + projection, ours + "attention_1/self/" + projection,
                    hidden, hidden)
  pairs += _dense(hf + "attention.dense", ours + "attention_1/output/dense", hidden, hidden)
  pairs += _layer_norm(hf + "attention.LayerNorm", ours + "LayerNorm", hidden)
  pairs += _dense(hf + "ffn", ours + "ffn_1/intermediate/dense", hidden, intermediate)
  pairs += _dense(hf + "ffn_output", ours + "ffn_1/intermediate/output/dense", intermediate,
                  hidden)
  pairs += _layer_norm(hf + "full_layer_layer_norm", ours + "LayerNorm_1", hidden)
  return pairs


def encoder_pairs(config):
  """The encoder's tensors (embeddings, projection if E != H, every block, pooler).

  Args:
    config: `modeling.AlbertConfig`.

  Returns:
    list of `TensorPair`.
  """
  embedding, hidden = config.embedding_size, config.hidden_size
  pairs = [
      TensorPair("albert.embeddings.word_embeddings.weight", "bert/embeddings/word_embeddings",
                 (config.vocab_size, embedding), False),
      TensorPair("albert.embeddings.token_type_embeddings.weight",
                 "bert/embeddings/token_type_embeddings", (config.type_vocab_size, embedding),
                 False),
      TensorPair("albert.embeddings.position_embeddings.weight",
                 "bert/embeddings/position_embeddings",
                 (config.max_position_embeddings, embedding), False),
  ]
  pairs += _layer_norm("albert.embeddings.LayerNorm", "bert/embeddings/LayerNorm", embedding)
  if embedding != hidden:
    pairs += _dense(PROJECTION_HF_NAME, "bert/encoder/embedding_hidden_mapping_in", embedding,
                    hidden)
  for group_idx in range(config.num_hidden_groups):
    for inner_idx in range(config.inner_group_num):
      pairs += _block_pairs(config, group_idx, inner_idx)
  pairs += _dense("albert.pooler", "bert/pooler/dense", hidden, hidden)
  return pairs


def masked_lm_pairs(config):
  """The MLM head's tensors (its decoder weight is the tied word embedding table)."""
  pairs = _dense("predictions.dense", "cls/predictions/transform/dense", config.hidden_size,
                 config.embedding_size)
  pairs += _layer_norm("predictions.LayerNorm", "cls/predictions/transform/LayerNorm",
                       config.embedding_size)
  pairs.append(TensorPair("predictions.bias", "cls/predictions/output_bias",
                          (config.vocab_size,), False))
  return pairs


def _output_layer_pairs(hf_name, tf_scope, num_classes, hidden_size):
  """A [classes, H] weight and [classes] bias, stored the same way on both sides."""
  return [TensorPair(hf_name + ".weight", tf_scope + "output_weights",
                     (num_classes, hidden_size), False),
          TensorPair(hf_name + ".bias", tf_scope + "output_bias", (num_classes,), False)]


def sentence_order_pairs(config):
  """The SOP head's tensors."""
  return _output_layer_pairs("sop_classifier.classifier", "cls/seq_relationship/", 2,
                             config.hidden_size)


def classifier_pairs(config, num_labels):
  """run_classifier's head (root-scope `output_weights` [K, H], `output_bias` [K])."""
  return _output_layer_pairs("classifier", "", num_labels, config.hidden_size)


###############################################################################
# Configs
###############################################################################


def activation_from_hf(hf_act, source):
  """Our `hidden_act` for a Hugging Face one.

  Args:
    hf_act: Hugging Face `hidden_act` string.
    source: file name for messages.

  Returns:
    str activation name of ours.

  Raises:
    ValueError: for an activation our model does not compute.
  """
  if hf_act == HF_ERF_GELU:
    # Deviation (docs/DEVIATIONS.md): Hugging Face's "gelu" is the exact (erf) GELU, which our
    # model does not compute. Hugging Face labels Google's v1 models "gelu" although they were
    # trained with the tanh approximation (reference §1.2), so mapping to our tanh "gelu"
    # reproduces those models as Google ran them. For a model trained with erf it changes each
    # activation by at most 4.7e-4.
    logging.warning(
        "%s: hidden_act is \"gelu\" (the exact erf GELU in Hugging Face); using ALBERT's \"gelu\""
        " (tanh approximation), with which Google trained the released ALBERT models. Outputs "
        "differ slightly from Hugging Face's run of this model (each activation by at most "
        "4.7e-4).", source)
    return "gelu"
  if hf_act not in _ACTIVATIONS_FROM_HF:
    raise ValueError("%s: hidden_act %r has no ALBERT equivalent; supported: %s" %
                     (source, hf_act, ", ".join(sorted(_ACTIVATIONS_FROM_HF) + ["gelu"])))
  return _ACTIVATIONS_FROM_HF[hf_act]


def albert_config_dict_from_hf(hf_config, source):
  """Our albert_config.json fields from a Hugging Face config.json.

  Args:
    hf_config: dict, the parsed config.json.
    source: its path, for messages.

  Returns:
    dict of albert_config.json fields (load with `modeling.AlbertConfig.from_dict`).

  Raises:
    ValueError: naming the field, for a config that is not ALBERT or describes a model ours
      cannot compute.
  """
  model_type = hf_config.get("model_type")
  if model_type is None:
    architectures = hf_config.get("architectures") or []
    if not architectures or not all(name.startswith("Albert") for name in architectures):
      raise ValueError("%s: no model_type field and no Albert* architectures; expected a "
                       "Hugging Face ALBERT config (model_type \"albert\")." % source)
  elif model_type != "albert":
    raise ValueError("%s: model_type is %r; only ALBERT models (model_type \"albert\") can be "
                     "imported." % (source, model_type))
  defaulted = sorted(name for name in _HF_CONFIG_DEFAULTS if name not in hf_config)
  if defaulted:
    logging.info("%s: using Hugging Face's defaults for the missing fields %s", source,
                 ", ".join(defaulted))
  fields = dict(_HF_CONFIG_DEFAULTS)
  fields.update({name: value for name, value in hf_config.items() if value is not None})

  if fields["position_embedding_type"] != "absolute":
    raise ValueError("%s: position_embedding_type is %r; ALBERT has learned absolute "
                     "positions only (\"absolute\")." %
                     (source, fields["position_embedding_type"]))
  if not np.isclose(float(fields["layer_norm_eps"]), _OUR_LAYER_NORM_EPSILON,
                    rtol=1e-3, atol=0.0):
    raise ValueError("%s: layer_norm_eps is %r; ALBERT's LayerNorm epsilon is fixed at 1e-12." %
                     (source, fields["layer_norm_eps"]))
  ours = {name: fields[name] for name in _SHARED_CONFIG_FIELDS}
  ours["hidden_act"] = activation_from_hf(fields["hidden_act"], source)
  for name, default in _RELEASED_EXTRA_FIELDS.items():
    ours[name] = fields.get(name, default)
  return ours


def hf_config_dict(config, architecture, num_labels=None):
  """A transformers 4.57 config.json for our config.

  Args:
    config: `modeling.AlbertConfig`.
    architecture: e.g. "AlbertForPreTraining".
    num_labels: K for a classifier head, else None.

  Returns:
    dict for config.json.

  Raises:
    ValueError: if `config.hidden_act` has no Hugging Face name.
  """
  act = config.hidden_act
  if not isinstance(act, str) or act.lower() not in _ACTIVATIONS_TO_HF:
    raise ValueError("hidden_act %r has no Hugging Face equivalent; supported: %s" %
                     (act, ", ".join(sorted(_ACTIVATIONS_TO_HF))))
  hf_config = {name: getattr(config, name) for name in _SHARED_CONFIG_FIELDS}
  hf_config.update({
      "architectures": [architecture],
      "model_type": "albert",
      # Our "gelu" is the tanh approximation: Hugging Face's "gelu_new".
      "hidden_act": _ACTIVATIONS_TO_HF[act.lower()],
      "layer_norm_eps": _OUR_LAYER_NORM_EPSILON,
      "position_embedding_type": "absolute",
      "classifier_dropout_prob": 0.1,
      # ALBERT's SentencePiece ids: <pad> 0, [CLS] 2, [SEP] 3.
      "pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 3,
  })
  for name in _RELEASED_EXTRA_FIELDS:
    hf_config[name] = getattr(config, name, _RELEASED_EXTRA_FIELDS[name])
  if num_labels is not None:
    hf_config["id2label"] = {str(i): "LABEL_%d" % i for i in range(num_labels)}
    hf_config["label2id"] = {"LABEL_%d" % i: i for i in range(num_labels)}
  return hf_config


def num_labels_of_hf_config(hf_config):
  """K of a Hugging Face config: len(id2label), else num_labels, else None."""
  if hf_config.get("id2label"):
    return len(hf_config["id2label"])
  return hf_config.get("num_labels")


###############################################################################
# Tensors
###############################################################################


def import_safetensors():
  """The `safetensors` package (reads and writes Hugging Face weights without torch).

  Raises:
    ImportError: with the install command, if it is missing.
  """
  try:
    import safetensors  # pylint: disable=g-import-not-at-top
    import safetensors.numpy  # pylint: disable=g-import-not-at-top,unused-import
  except ImportError as error:
    raise ImportError("Hugging Face weight files need the safetensors package: pip install "
                      "safetensors (or pip install -e .[interop]).") from error
  return safetensors


def normalize_hf_names(hf_tensors):
  """Renames a Hugging Face state dict to the `AlbertFor*` layout used here.

  A bare `AlbertModel` saves its tensors without the "albert." prefix; old PyTorch files name
  LayerNorm parameters gamma/beta. Non-parameter buffers (position_ids) are dropped.

  Args:
    hf_tensors: dict name -> numpy array.

  Returns:
    dict name -> numpy array.
  """
  bare_model = not any(name.startswith(ENCODER_PREFIX) for name in hf_tensors)
  normalized = {}
  for name, value in hf_tensors.items():
    if bare_model and name.split(".")[0] in ("embeddings", "encoder", "pooler"):
      name = ENCODER_PREFIX + name
    if name.endswith("LayerNorm.gamma"):
      name = name[:-len("gamma")] + "weight"
    elif name.endswith("LayerNorm.beta"):
      name = name[:-len("beta")] + "bias"
    if name not in _HF_BUFFERS:
      normalized[name] = value
  return normalized


def _take(hf_tensors, pairs, source, why):
  """Our tensors for `pairs`, checking presence and shape; float32, [in, out] kernels."""
  tf_tensors = collections.OrderedDict()
  for pair in pairs:
    if pair.hf_name not in hf_tensors:
      raise ValueError("%s: missing tensor %s (%s; it becomes %s)." %
                       (source, pair.hf_name, why, pair.tf_name))
    value = hf_tensors[pair.hf_name]
    expected = tuple(reversed(pair.shape)) if pair.transpose else pair.shape
    if tuple(value.shape) != expected:
      raise ValueError("%s: tensor %s has shape %s; the config implies %s (for %s)." %
                       (source, pair.hf_name, list(value.shape), list(expected), pair.tf_name))
    value = np.asarray(value, dtype=np.float32)
    tf_tensors[pair.tf_name] = np.ascontiguousarray(value.T if pair.transpose else value)
  return tf_tensors


def _check_projection_is_identity(hf_tensors, source):
  """E == H: Hugging Face's projection must be the identity (our model has none)."""
  weight = hf_tensors.get(PROJECTION_HF_NAME + ".weight")
  bias = hf_tensors.get(PROJECTION_HF_NAME + ".bias")
  for name, value, expected in (
      (PROJECTION_HF_NAME + ".weight", weight, None if weight is None else np.eye(len(weight))),
      (PROJECTION_HF_NAME + ".bias", bias, None if bias is None else np.zeros_like(bias))):
    if value is None:
      continue
    if value.shape != expected.shape or np.abs(value - expected).max() > IDENTITY_TOLERANCE:
      # Deviation (docs/DEVIATIONS.md): only an identity projection can be dropped.
      raise ValueError(
          "%s: tensor %s is not the identity (max deviation %.3g) although embedding_size == "
          "hidden_size. ALBERT (and this code) has no embedding-to-hidden projection when the "
          "sizes are equal, so this model cannot be imported without changing its outputs." %
          (source, name, np.abs(value - expected).max() if value.shape == expected.shape
           else float("inf")))


def _check_tied(hf_tensors, source):
  """The MLM decoder is tied to the word embeddings (and its bias to predictions.bias)."""
  for tied_name, owner_name in _HF_TIED.items():
    if tied_name in hf_tensors and owner_name in hf_tensors:
      tied, owner = hf_tensors[tied_name], hf_tensors[owner_name]
      if tied.shape != owner.shape or not np.array_equal(tied, owner):
        raise ValueError("%s: tensor %s differs from %s; ALBERT ties them (one variable), so "
                         "this model cannot be imported as it is." %
                         (source, tied_name, owner_name))


def checkpoint_tensors_from_hf(config, hf_tensors, hf_config, source):
  """Our checkpoint (name -> array) for a Hugging Face ALBERT state dict.

  Args:
    config: `modeling.AlbertConfig` made from `hf_config`.
    hf_tensors: dict Hugging Face tensor name -> numpy array (any float dtype).
    hf_config: the parsed config.json (for architectures and num_labels).
    source: the weights file, for messages.

  Returns:
    (tensors, heads): an ordered dict of our variable name -> float32 array (plus
    `global_step` int64 0), and the list of heads included ("masked_lm", "sentence_order",
    "classifier").

  Raises:
    ValueError: naming the tensor, for a missing tensor, a shape that does not match the
      config, a non-identity projection with E == H, or untied decoder weights.
  """
  hf_tensors = normalize_hf_names(hf_tensors)
  used = set()
  if config.embedding_size == config.hidden_size:
    _check_projection_is_identity(hf_tensors, source)
    used.update(PROJECTION_HF_NAME + suffix for suffix in (".weight", ".bias"))
  pairs = encoder_pairs(config)
  tensors = _take(hf_tensors, pairs, source, "the ALBERT encoder needs it")
  heads = []

  head_pairs = [("masked_lm", "predictions.", masked_lm_pairs(config)),
                ("sentence_order", "sop_classifier.", sentence_order_pairs(config))]
  architectures = hf_config.get("architectures") or []
  if "classifier.weight" in hf_tensors:
    if any(name in POOLED_CLASSIFIER_ARCHITECTURES for name in architectures):
      num_labels = hf_tensors["classifier.weight"].shape[0]
      if "AlbertForSequenceClassification" in architectures:
        num_labels = num_labels_of_hf_config(hf_config) or num_labels
      head_pairs.append(("classifier", "classifier.", classifier_pairs(config, num_labels)))
      # Class k of the head is Hugging Face's id2label[k] and run_classifier's
      # get_labels()[k]; nothing can check that the two orders agree.
      logging.info("%s: classifier head with %d classes, id2label %s. run_classifier's "
                   "processor must list its labels in this order.", source, num_labels,
                   hf_config.get("id2label"))
    else:
      logging.warning("%s: not importing the `classifier` head: architectures %s is not one "
                      "of %s, whose classifier reads the pooled output like run_classifier's.",
                      source, architectures, ", ".join(POOLED_CLASSIFIER_ARCHITECTURES))
  for head, hf_prefix, head_tensor_pairs in head_pairs:
    if not any(name.startswith(hf_prefix) for name in hf_tensors):
      continue
    tensors.update(_take(hf_tensors, head_tensor_pairs, source,
                         "part of the %s head, whose other tensors are present" % head))
    pairs += head_tensor_pairs
    heads.append(head)
  _check_tied(hf_tensors, source)
  used.update(pair.hf_name for pair in pairs)
  used.update(name for name in _HF_TIED if name in hf_tensors)
  unused = sorted(set(hf_tensors) - used)
  if unused:
    logging.warning("%s: %d tensors have no place in an ALBERT checkpoint and are not "
                    "imported: %s", source, len(unused), ", ".join(unused))
  tensors[GLOBAL_STEP_NAME] = np.array(0, dtype=np.int64)
  return tensors, heads


def hf_tensors_from_checkpoint(config, checkpoint_tensors, source):
  """Hugging Face tensors (name -> float32 array) for our checkpoint.

  Args:
    config: `modeling.AlbertConfig` of the checkpoint.
    checkpoint_tensors: dict our variable name -> numpy array, without optimizer slots
      (global_step may be present and is ignored).
    source: the checkpoint prefix, for messages.

  Returns:
    (tensors, heads, num_labels): dict Hugging Face name -> array; heads as in
    `checkpoint_tensors_from_hf`; K of the classifier head or None.

  Raises:
    ValueError: naming the variable, for a missing encoder variable or a wrong shape.
  """
  pairs = encoder_pairs(config)
  head_pairs = [("masked_lm", "cls/predictions/", masked_lm_pairs(config)),
                ("sentence_order", "cls/seq_relationship/", sentence_order_pairs(config))]
  num_labels = None
  if "output_weights" in checkpoint_tensors:
    num_labels = checkpoint_tensors["output_weights"].shape[0]
    head_pairs.append(("classifier", "output_", classifier_pairs(config, num_labels)))
  heads = []
  for head, tf_prefix, head_tensor_pairs in head_pairs:
    if any(name.startswith(tf_prefix) for name in checkpoint_tensors):
      pairs += head_tensor_pairs
      heads.append(head)

  hf_tensors = {}
  for pair in pairs:
    if pair.tf_name not in checkpoint_tensors:
      raise ValueError("%s: no variable %s (Hugging Face %s)." %
                       (source, pair.tf_name, pair.hf_name))
    value = checkpoint_tensors[pair.tf_name]
    if tuple(value.shape) != pair.shape:
      raise ValueError("%s: variable %s has shape %s; the config implies %s." %
                       (source, pair.tf_name, list(value.shape), list(pair.shape)))
    value = np.asarray(value, dtype=np.float32)
    hf_tensors[pair.hf_name] = np.ascontiguousarray(value.T if pair.transpose else value)
  if config.embedding_size == config.hidden_size:
    # Hugging Face always projects E -> H; the identity is our "no projection".
    hf_tensors[PROJECTION_HF_NAME + ".weight"] = np.eye(config.hidden_size, dtype=np.float32)
    hf_tensors[PROJECTION_HF_NAME + ".bias"] = np.zeros([config.hidden_size], np.float32)

  unused = sorted(set(checkpoint_tensors) - set(pair.tf_name for pair in pairs) -
                  {GLOBAL_STEP_NAME})
  if unused:
    logging.warning("%s: %d variables have no place in a Hugging Face ALBERT and are not "
                    "exported: %s", source, len(unused), ", ".join(unused))
  return hf_tensors, heads, num_labels

