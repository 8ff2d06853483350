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
from albert import export_utils
from albert import flag_utils

FLAGS = flags.FLAGS


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
    export_utils.build_pretraining_model(
        albert_config, heads=export_utils.checkpoint_heads(checkpoint_path))
    assignment_map = export_utils.checkpoint_assignment_map(
        tf.compat.v1.global_variables(), checkpoint_path)
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


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  flag_utils.require_flags("albert_directory", "export_path")
  albert_config, _ = export_utils.load_directory_config(FLAGS.albert_directory)
  checkpoint_path = export_utils.checkpoint_to_export(
      FLAGS.albert_directory, FLAGS.checkpoint_name,
      not FLAGS["checkpoint_name"].using_default_value)
  logging.info("Exporting %s", checkpoint_path)
  export_checkpoint(albert_config, checkpoint_path, FLAGS.export_path)


if __name__ == "__main__":
  flags.mark_flag_as_required("albert_directory")
  flags.mark_flag_as_required("export_path")
  app.run(main)
