# coding=utf-8
# Copyright 2026 The albert re-implementation authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""Re-saves a pretraining checkpoint with only the model's variables (reference §13).

A training checkpoint also holds the optimizer's slots (`<var>/adam_m`, `<var>/adam_v`), which
triple its size and are useless for fine-tuning. This script builds the inference model with
its MLM and SOP heads, initializes every variable from the checkpoint by exact name, and saves
them (plus a fresh global_step = 0) to `--export_path`.

Usage:
  python -m albert.export_checkpoints --albert_directory=/path/to/model_dir \
      --checkpoint_name=model.ckpt-best --export_path=/path/to/export/model.ckpt
`--albert_directory` must hold `albert_config.json` and the checkpoint. A run_pretraining
output directory works as it is: with the default `--checkpoint_name` its best checkpoint is
exported if the evaluation wrote one, else its newest `model.ckpt-N` (the log says which).
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import os

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from albert import checkpoint_utils
from albert import flag_utils
from albert import modeling
from albert import pretraining_heads

FLAGS = flags.FLAGS

CONFIG_FILE_NAME = "albert_config.json"


flag_utils.define_flag(
    flags.DEFINE_string, "albert_directory", None,
    "The directory holding albert_config.json and the checkpoint to export.")
flag_utils.define_flag(
    flags.DEFINE_string, "checkpoint_name", "model.ckpt-best",
    "Name of the checkpoint (prefix) under albert_directory.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_lower_case", True,
    "Whether to lower case the input text. Unused here; kept for the original's command line.")
flag_utils.define_flag(
    flags.DEFINE_string, "export_path", None,
    "Checkpoint prefix to write (e.g. /out/model.ckpt). An existing directory gets "
    "<dir>/model.ckpt.")


def build_pretraining_model(albert_config):
  """Builds the inference model with both pretraining heads in the default graph.

  Args:
    albert_config: `modeling.AlbertConfig`.

  Returns:
    dict of the graph's input placeholders (int32 [batch_size, seq_length], and
    `mlm_positions` int32 [batch_size, num_positions]) and outputs (`mlm_logits`
    [batch_size * num_positions, vocab_size], `sop_logits` [batch_size, 2]).
  """
  input_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "input_ids")
  input_mask = tf.compat.v1.placeholder(tf.int32, [None, None], "input_mask")
  segment_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "segment_ids")
  mlm_positions = tf.compat.v1.placeholder(tf.int32, [None, None], "mlm_positions")
  model = modeling.AlbertModel(
      config=albert_config,
      is_training=False,
      input_ids=input_ids,
      input_mask=input_mask,
      token_type_ids=segment_ids,
      use_one_hot_embeddings=False)
  mlm_logits = pretraining_heads.masked_lm_logits(
      albert_config, model.get_sequence_output(), model.get_embedding_table(), mlm_positions)
  sop_logits = pretraining_heads.sentence_order_logits(albert_config, model.get_pooled_output())
  return {"input_ids": input_ids, "input_mask": input_mask, "segment_ids": segment_ids,
          "mlm_positions": mlm_positions, "mlm_logits": mlm_logits, "sop_logits": sop_logits}


def export_checkpoint(albert_config, checkpoint_path, export_path):
  """Saves the model variables of `checkpoint_path` (no optimizer slots) to `export_path`.

  Args:
    albert_config: `modeling.AlbertConfig` of the checkpoint's model.
    checkpoint_path: checkpoint prefix to read.
    export_path: checkpoint prefix to write; an existing directory gets `<dir>/model.ckpt`.

  Returns:
    The prefix written.

  Raises:
    ValueError: the checkpoint lacks a variable of the model (it would otherwise be exported
      with its random initial value).
  """
  if tf.io.gfile.isdir(export_path):
    export_path = os.path.join(export_path, "model.ckpt")
  with tf.Graph().as_default():
    build_pretraining_model(albert_config)
    model_variables = tf.compat.v1.global_variables()
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
    tf.compat.v1.train.init_from_checkpoint(checkpoint_path, assignment_map)
    # A fresh step counter: the export is a starting point, not a training state.
    tf.compat.v1.train.get_or_create_global_step()

    export_variables = [var for var in tf.compat.v1.global_variables()
                        if not checkpoint_utils.is_optimizer_slot(var.name)]
    for var in export_variables:
      logging.info("  exporting %s, shape = %s", var.op.name, var.shape)
    saver = tf.compat.v1.train.Saver(export_variables)
    export_dir = os.path.dirname(export_path)
    if export_dir:
      tf.io.gfile.makedirs(export_dir)
    with tf.compat.v1.Session() as session:
      session.run(tf.compat.v1.global_variables_initializer())
      written = saver.save(session, export_path)
  logging.info("Exported %d variables of %s to %s", len(export_variables), checkpoint_path,
               written)
  return written


def checkpoint_to_export(albert_directory, checkpoint_name, checkpoint_name_given):
  """The checkpoint prefix to export from `albert_directory`.

  With the default --checkpoint_name (model.ckpt-best) a run_pretraining output directory
  works as it is: its best checkpoint if the evaluation wrote one, else its newest
  model.ckpt-N. A --checkpoint_name given explicitly must exist.

  Args:
    albert_directory: the directory holding the checkpoints.
    checkpoint_name: the --checkpoint_name flag.
    checkpoint_name_given: whether --checkpoint_name was given on the command line.

  Returns:
    str, the checkpoint prefix.

  Raises:
    ValueError: naming the checkpoint that is missing.
  """
  checkpoint_path = os.path.join(albert_directory, checkpoint_name)
  if tf.io.gfile.exists(checkpoint_path + ".index"):
    return checkpoint_path
  if not checkpoint_name_given:
    checkpoints = checkpoint_utils.list_checkpoints(albert_directory)
    if checkpoints:
      logging.info("No %s in %s: exporting the newest checkpoint, %s.", checkpoint_name,
                   albert_directory, os.path.basename(checkpoints[-1][1]))
      return checkpoints[-1][1]
  raise ValueError("Checkpoint %s not found (no %s.index): check --albert_directory and "
                   "--checkpoint_name (a prefix, without .index)." %
                   (checkpoint_path, checkpoint_path))


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  for name in ("albert_directory", "export_path"):
    if not getattr(FLAGS, name):
      raise ValueError("--%s is required." % name)
  config_file = os.path.join(FLAGS.albert_directory, CONFIG_FILE_NAME)
  if not tf.io.gfile.exists(config_file):
    raise ValueError("%s not found: --albert_directory must hold the model's %s (run_pretraining "
                     "writes it beside its checkpoints)." % (config_file, CONFIG_FILE_NAME))
  albert_config = modeling.AlbertConfig.from_json_file(config_file)
  checkpoint_path = checkpoint_to_export(FLAGS.albert_directory, FLAGS.checkpoint_name,
                                         not FLAGS["checkpoint_name"].using_default_value)
  logging.info("Exporting %s", checkpoint_path)
  export_checkpoint(albert_config, checkpoint_path, FLAGS.export_path)


if __name__ == "__main__":
  flags.mark_flag_as_required("albert_directory")
  flags.mark_flag_as_required("export_path")
  app.run(main)
