# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
r"""Exports an ALBERT checkpoint as a Hugging Face model directory (safetensors, no torch).

  python -m albert.export_hf --albert_config_file=albert_base/albert_config.json \
      --init_checkpoint=albert_base/model.ckpt-best \
      --spm_model_file=albert_base/30k-clean.model --output_dir=albert_base_hf/

--output_dir receives what transformers (4.57) `from_pretrained` reads, without TensorFlow:
  config.json            model_type "albert", hidden_act "gelu_new" (our tanh "gelu"),
                         layer_norm_eps 1e-12, architectures (see below)
  model.safetensors      float32 tensors in Hugging Face's names and [out, in] Linear layout
  spiece.model           (or vocab.txt for --vocab_file) and tokenizer_config.json

The architecture follows the heads in the checkpoint: run_classifier's `output_weights` ->
AlbertForSequenceClassification (with --multiple_choice, run_race's [1, H] `output_weights` ->
AlbertForMultipleChoice: the checkpoint cannot tell it from STS-B's one-output regression head);
`cls/predictions` and `cls/seq_relationship` ->
AlbertForPreTraining; `cls/predictions` only -> AlbertForMaskedLM; none -> AlbertModel.
Optimizer slots are left out. With embedding_size == hidden_size our model has no
embedding-to-hidden projection while Hugging Face always applies one: the identity is written.
"""

import json
import os

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from albert import checkpoint_utils
from albert import flag_utils
from albert import hf_conversion
from albert import modeling
from albert import tfrecord_utils
from albert import tokenization

FLAGS = flags.FLAGS

flag_utils.define_flag(
    flags.DEFINE_string, "albert_config_file", None,
    "The config json file corresponding to the ALBERT model (albert_config.json).")
flag_utils.define_flag(
    flags.DEFINE_string, "init_checkpoint", None,
    "Checkpoint (prefix, e.g. model_dir/model.ckpt-best) to export.")
flag_utils.define_flag(
    flags.DEFINE_string, "output_dir", None,
    "Directory to write the Hugging Face model (config.json, model.safetensors, tokenizer).")
flag_utils.define_flag(
    flags.DEFINE_string, "spm_model_file", None,
    "SentencePiece model of the checkpoint; copied as spiece.model.")
flag_utils.define_flag(
    flags.DEFINE_string, "vocab_file", None,
    "WordPiece vocabulary of the checkpoint (when there is no SentencePiece model); copied as "
    "vocab.txt.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_lower_case", True,
    "Whether the tokenizer lower-cases its input; written to tokenizer_config.json.")
flag_utils.define_flag(
    flags.DEFINE_bool, "multiple_choice", False,
    "The checkpoint is run_race's (its output_weights [1, H] score each choice): export it as "
    "AlbertForMultipleChoice rather than as a one-output AlbertForSequenceClassification "
    "(a regression head, as STS-B's).")


def _architecture(heads, num_labels, multiple_choice):
  """The transformers class whose parameters are exactly the checkpoint's heads.

  Args:
    heads: the head names `hf_tensors_from_checkpoint` found.
    num_labels: rows of the classifier head's `output_weights`, or None.
    multiple_choice: whether the classifier head is run_race's choice scorer.

  Raises:
    ValueError: `multiple_choice` without a one-row classifier head.
  """
  if multiple_choice:
    if "classifier" not in heads or num_labels != 1:
      raise ValueError("--multiple_choice needs run_race's head, output_weights of shape "
                       "[1, hidden_size]; this checkpoint has %s." %
                       ("output_weights with %d rows" % num_labels if "classifier" in heads
                        else "no output_weights"))
    return "AlbertForMultipleChoice"
  if "classifier" in heads:
    return "AlbertForSequenceClassification"
  if "masked_lm" in heads and "sentence_order" in heads:
    return "AlbertForPreTraining"
  if "masked_lm" in heads:
    return "AlbertForMaskedLM"
  return "AlbertModel"


def _write_json(path, value):
  tfrecord_utils.atomic_write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def read_checkpoint(checkpoint):
  """Every variable of a checkpoint except optimizer slots.

  Args:
    checkpoint: checkpoint prefix.

  Returns:
    dict variable name -> numpy array.

  Raises:
    FileNotFoundError: if there is no `<checkpoint>.index`.
  """
  if not tf.io.gfile.exists(checkpoint + ".index"):
    raise FileNotFoundError("Checkpoint %s not found (no %s.index): --init_checkpoint is a "
                            "prefix such as model_dir/model.ckpt-best." %
                            (checkpoint, checkpoint))
  reader = tf.train.load_checkpoint(checkpoint)
  return {name: reader.get_tensor(name)
          for name in sorted(reader.get_variable_to_shape_map())
          if not checkpoint_utils.is_optimizer_slot(name)}


def _tokenizer_files(spm_model_file, vocab_file, do_lower_case, config):
  """(source path, output name) pairs and the tokenizer_config.json dict, checked."""
  if spm_model_file:
    num_tokens = len(tokenization.FullTokenizer(None, spm_model_file=spm_model_file).vocab)
    source, name = spm_model_file, hf_conversion.HF_SPM_MODEL_NAME
    # AlbertTokenizer's own preprocessing matches preprocess_text with these settings.
    tokenizer_config = {"tokenizer_class": "AlbertTokenizer", "do_lower_case": do_lower_case,
                        "remove_space": True, "keep_accents": False}
  elif vocab_file:
    num_tokens = len(tokenization.load_vocab(vocab_file))
    source, name = vocab_file, hf_conversion.HF_WORDPIECE_VOCAB_NAME
    tokenizer_config = {"tokenizer_class": "BertTokenizer", "do_lower_case": do_lower_case}
  else:
    logging.warning("Neither --spm_model_file nor --vocab_file: the Hugging Face directory "
                    "gets no tokenizer.")
    return [], None
  if num_tokens > config.vocab_size:
    raise ValueError("%s has %d tokens but the model's vocab_size is %d." %
                     (source, num_tokens, config.vocab_size))
  tokenizer_config["model_max_length"] = config.max_position_embeddings
  return [(source, name)], tokenizer_config


def export_hf_directory(config, checkpoint, output_dir, spm_model_file=None, vocab_file=None,
                        do_lower_case=True, multiple_choice=False):
  """Writes a Hugging Face ALBERT directory for one of our checkpoints.

  Args:
    config: `modeling.AlbertConfig` of the checkpoint.
    checkpoint: checkpoint prefix.
    output_dir: directory to write; created if needed.
    spm_model_file: optional SentencePiece model, copied as spiece.model.
    vocab_file: optional WordPiece vocab (used when there is no spm_model_file).
    do_lower_case: recorded in tokenizer_config.json.
    multiple_choice: export the classifier head as AlbertForMultipleChoice (run_race's).

  Returns:
    dict with "architecture", "heads" and "weights_file".

  Raises:
    FileNotFoundError, ValueError: a missing checkpoint, a missing variable or one of the
      wrong shape (named). Nothing is written then.
  """
  safetensors = hf_conversion.import_safetensors()
  hf_tensors, heads, num_labels = hf_conversion.hf_tensors_from_checkpoint(
      config, read_checkpoint(checkpoint), checkpoint)
  architecture = _architecture(heads, num_labels, multiple_choice)
  hf_config = hf_conversion.hf_config_dict(
      config, architecture, num_labels if architecture.endswith("Classification") else None)
  tokenizer_files, tokenizer_config = _tokenizer_files(spm_model_file, vocab_file,
                                                       do_lower_case, config)

  # Every check passed: write. Each file appears whole; the weights come last.
  for source, name in tokenizer_files:
    tfrecord_utils.atomic_copy_file(source, os.path.join(output_dir, name))
  if tokenizer_config is not None:
    _write_json(os.path.join(output_dir, hf_conversion.HF_TOKENIZER_CONFIG_NAME),
                tokenizer_config)
  _write_json(os.path.join(output_dir, hf_conversion.HF_CONFIG_NAME), hf_config)
  weights_file = os.path.join(output_dir, hf_conversion.HF_SAFETENSORS_NAME)
  with tfrecord_utils.atomic_output(weights_file) as tmp_path:
    # transformers refuses safetensors files without the "format" metadata.
    safetensors.numpy.save_file(hf_tensors, tmp_path, metadata={"format": "pt"})
  logging.info("Exported %s (%d tensors, %s) to %s", checkpoint, len(hf_tensors),
               architecture, output_dir)
  return {"architecture": architecture, "heads": heads, "weights_file": weights_file}


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  flag_utils.require_flags("albert_config_file", "init_checkpoint", "output_dir")
  config = modeling.AlbertConfig.from_json_file(FLAGS.albert_config_file)
  export_hf_directory(config, FLAGS.init_checkpoint, FLAGS.output_dir,
                      spm_model_file=FLAGS.spm_model_file, vocab_file=FLAGS.vocab_file,
                      do_lower_case=FLAGS.do_lower_case,
                      multiple_choice=FLAGS.multiple_choice)


if __name__ == "__main__":
  flags.mark_flag_as_required("albert_config_file")
  flags.mark_flag_as_required("init_checkpoint")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
