# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""What both exporters (export_checkpoints, export_to_tfhub) share, without flags.

  * `load_directory_config`, `checkpoint_to_export`: read an ALBERT directory (the
    `--albert_directory` of the original's exporters, or a run_pretraining `--output_dir`),
    with errors naming the missing file and listing the checkpoints there are.
  * `build_pretraining_model`: the model with its MLM and SOP heads, fed by placeholders;
    `checkpoint_heads` tells which heads a checkpoint has (a model imported from Hugging
    Face's `AlbertForMaskedLM`, for example, has no SOP head).
  * `checkpoint_assignment_map`: every model variable from the checkpoint variable of the same
    name, or an error naming the first one the checkpoint lacks.
"""

import os

from absl import logging
import tensorflow as tf

from albert import checkpoint_utils
from albert import modeling
from albert import pretraining_heads
from albert import tfrecord_utils

# The config file of an ALBERT directory (released tarballs, run_pretraining's output_dir).
CONFIG_FILE_NAME = "albert_config.json"
# The pretraining heads, each with a variable that shows whether a checkpoint has it.
PRETRAINING_HEADS = ("mlm", "sop")
_HEAD_VARIABLES = {"mlm": "cls/predictions/output_bias",
                   "sop": "cls/seq_relationship/output_weights"}


def checkpoint_heads(checkpoint_path):
  """The pretraining heads ("mlm", "sop") whose variables `checkpoint_path` holds."""
  names = set(name for name, _ in tf.train.list_variables(checkpoint_path))
  heads = tuple(head for head in PRETRAINING_HEADS if _HEAD_VARIABLES[head] in names)
  for head in PRETRAINING_HEADS:
    if head not in heads:
      # Deviation (docs/DEVIATIONS.md): the original required both heads.
      logging.warning("%s has no %s head (no %s): it is exported without it.",
                      checkpoint_path, head.upper(), _HEAD_VARIABLES[head])
  return heads


def build_pretraining_model(albert_config, is_training=False, use_einsum=True,
                            heads=PRETRAINING_HEADS):
  """Builds the ALBERT model with its pretraining heads in the default graph.

  Both exporters build this graph (the hub module's signatures expose its tensors), so they
  export exactly the variables run_pretraining trains.

  Args:
    albert_config: `modeling.AlbertConfig`.
    is_training: bool; True turns dropout on (the hub module's {"train"} graph).
    use_einsum: bool; False builds the dense layers from reshapes and MatMul (TFLite).
    heads: the heads to build, a subset of ("mlm", "sop") (see `checkpoint_heads`).

  Returns:
    dict of the graph's int32 input placeholders `input_ids`, `input_mask`, `segment_ids`
    (shape [batch_size, seq_length]) and `mlm_positions` ([batch_size, num_positions]), and
    its outputs `sequence_output` [batch_size, seq_length, hidden_size], `pooled_output`
    [batch_size, hidden_size], `mlm_logits` [batch_size * num_positions, vocab_size] and
    `sop_logits` [batch_size, 2] (None for a head not built).
  """
  input_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "input_ids")
  input_mask = tf.compat.v1.placeholder(tf.int32, [None, None], "input_mask")
  segment_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "segment_ids")
  mlm_positions = tf.compat.v1.placeholder(tf.int32, [None, None], "mlm_positions")
  model = modeling.AlbertModel(
      config=albert_config,
      is_training=is_training,
      input_ids=input_ids,
      input_mask=input_mask,
      token_type_ids=segment_ids,
      use_one_hot_embeddings=False,
      use_einsum=use_einsum)
  mlm_logits = sop_logits = None
  if "mlm" in heads:
    mlm_logits = pretraining_heads.masked_lm_logits(
        albert_config, model.get_sequence_output(), model.get_embedding_table(), mlm_positions)
  if "sop" in heads:
    sop_logits = pretraining_heads.sentence_order_logits(albert_config,
                                                         model.get_pooled_output())
  return {"input_ids": input_ids, "input_mask": input_mask, "segment_ids": segment_ids,
          "mlm_positions": mlm_positions,
          "sequence_output": model.get_sequence_output(),
          "pooled_output": model.get_pooled_output(),
          "mlm_logits": mlm_logits, "sop_logits": sop_logits}


def load_directory_config(albert_directory):
  """Reads `<albert_directory>/albert_config.json`.

  Returns:
    (`modeling.AlbertConfig`, path of the config file).

  Raises:
    tfrecord_utils.InputFileNotFoundError (a FileNotFoundError and a ValueError): naming the
      missing file.
  """
  config_file = os.path.join(albert_directory, CONFIG_FILE_NAME)
  if not tf.io.gfile.exists(config_file):
    raise tfrecord_utils.InputFileNotFoundError(
        "%s not found: --albert_directory must hold the model's %s (run_pretraining writes it "
        "beside its checkpoints)." % (config_file, CONFIG_FILE_NAME))
  return modeling.AlbertConfig.from_json_file(config_file), config_file


def checkpoint_to_export(albert_directory, checkpoint_name, checkpoint_name_given=True):
  """The checkpoint prefix to export from `albert_directory`.

  A --checkpoint_name given explicitly (`model.ckpt-best`, `model.ckpt-N`) must exist. With
  the default one (model.ckpt-best) a run_pretraining output directory works as it is: its
  best checkpoint if the evaluation wrote one, else its newest model.ckpt-N (logged).

  Args:
    albert_directory: the directory holding the checkpoints.
    checkpoint_name: the --checkpoint_name flag (a prefix relative to `albert_directory`).
    checkpoint_name_given: whether --checkpoint_name was given on the command line.

  Returns:
    str, the checkpoint prefix.

  Raises:
    tfrecord_utils.InputFileNotFoundError (a FileNotFoundError and a ValueError): naming the
      missing checkpoint and listing the ones there are.
  """
  checkpoint_path = os.path.join(albert_directory, checkpoint_name)
  if tf.io.gfile.exists(checkpoint_path + ".index"):
    return checkpoint_path
  checkpoints = checkpoint_utils.list_checkpoints(albert_directory)
  if checkpoints and not checkpoint_name_given:
    logging.info("No %s in %s: exporting the newest checkpoint, %s.", checkpoint_name,
                 albert_directory, os.path.basename(checkpoints[-1][1]))
    return checkpoints[-1][1]
  available = [os.path.basename(prefix) for _, prefix in checkpoints]
  if tf.io.gfile.exists(os.path.join(albert_directory,
                                     checkpoint_utils.BEST_PREFIX_NAME + ".index")):
    available.append(checkpoint_utils.BEST_PREFIX_NAME)
  raise tfrecord_utils.InputFileNotFoundError(
      "Checkpoint %s not found (no %s.index): check --albert_directory and --checkpoint_name "
      "(a prefix, without .index). Checkpoints in %s: %s." %
      (checkpoint_path, checkpoint_path, albert_directory,
       ", ".join(available) if available else "none"))


def checkpoint_assignment_map(model_variables, checkpoint_path):
  """Maps every model variable to the checkpoint variable of the same name.

  Args:
    model_variables: list of `tf.Variable`s of the graph being exported.
    checkpoint_path: checkpoint prefix.

  Returns:
    assignment map {checkpoint name: graph name} for `tf.train.init_from_checkpoint`.

  Raises:
    ValueError: the checkpoint lacks a variable of the model (it would otherwise be exported
      with its random initial value).
  """
  assignment_map, initialized_variable_names = modeling.get_assignment_map_from_checkpoint(
      model_variables, checkpoint_path)
  missing = [var.op.name for var in model_variables
             if var.name not in initialized_variable_names]
  if missing:
    # Deviation (docs/DEVIATIONS.md): the original only logs unmatched variables and would
    # export them with random values.
    raise ValueError("%s has no variable named %s (and %d more); is it a checkpoint of the "
                     "model in %s?" % (checkpoint_path, missing[0], len(missing) - 1,
                                       CONFIG_FILE_NAME))
  return assignment_map
