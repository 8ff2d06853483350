# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Exports a pretrained ALBERT checkpoint as a TF1 TF-Hub module (reference §13).

  python -m albert.export_to_tfhub --albert_directory=out/pretraining \
      --checkpoint_name=model.ckpt-best --spm_model_file=30k-clean.model \
      --export_path=out/albert_hub

The module is written with tensorflow-hub 0.15.0's `hub.create_module_spec` and is loaded
with `hub.Module` (e.g. `--albert_hub_module_handle` of the fine-tuning runners). It has two
graph variants with the same variables: tags {"train"} (dropout as in the config, for
fine-tuning) and the default set() (inference, no dropout). Both have four signatures
(B = batch size, S = sequence length, P = masked positions, H = hidden size, V = vocab size;
every input is an int32 Tensor):

  tokens             {input_ids, input_mask, segment_ids: [B, S]}
                     -> {sequence_output [B, S, H], pooled_output [B, H]}
  sop                the same inputs -> the same outputs + sop_log_probs [B, 2] (log-softmax
                     of the sentence-order head; class 0 = segments in order, 1 = swapped)
  mlm                the same inputs + mlm_positions [B, P] -> the same outputs + mlm_logits
                     [B * P, V] (LOGITS of the masked-LM head, not log-probabilities)
  tokenization_info  {} -> {vocab_file: string, the path of the tokenizer asset (SentencePiece
                     model or WordPiece vocab) inside the loaded module; do_lower_case: bool}

The module's assets are `albert_config.json` and the tokenizer file (plus the SentencePiece
`.vocab` beside the `.model`, when there is one, as the original shipped). Its variables are
the model's (`bert/...`, `cls/...`) read from the checkpoint; optimizer slots are left out.

`--albert_directory` is the original's layout (albert_config.json, 30k-clean.model and the
checkpoint) or a run_pretraining `--output_dir` (albert_config.json and model.ckpt-N /
model.ckpt-best; with the default --checkpoint_name and no model.ckpt-best, the newest
model.ckpt-N is exported). The tokenizer is --spm_model_file, else --vocab_file, else
<albert_directory>/30k-clean.model; run_pretraining's output directory holds no tokenizer, so
pass the one its pretraining data was made with.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import os

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf
import tensorflow_hub as hub

from albert import export_utils
from albert import fine_tuning_utils
from albert import flag_utils
from albert import tfrecord_utils

FLAGS = flags.FLAGS

# The tokenizer file name of Google's released model directories.
DEFAULT_SPM_MODEL_NAME = "30k-clean.model"
# Graph variants: (tags, arguments of module_fn).
TAGS_AND_ARGS = [({"train"}, {"is_training": True}), (set(), {"is_training": False})]

flag_utils.define_flag(
    flags.DEFINE_string, "albert_directory", None,
    "The directory where the ALBERT model resides: albert_config.json and the checkpoint "
    "(and 30k-clean.model, unless --spm_model_file or --vocab_file is given). A run_pretraining "
    "--output_dir works.")
flag_utils.define_flag(
    flags.DEFINE_string, "checkpoint_name", "model.ckpt-best",
    "Name of the checkpoint (prefix, e.g. model.ckpt-best or model.ckpt-125000) under "
    "albert_directory.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_lower_case", True,
    "Whether to lower case the input text; recorded in the module's tokenization_info.")
flag_utils.define_flag(
    flags.DEFINE_bool, "use_einsum", True,
    "Whether to use tf.einsum or tf.reshape+tf.matmul for dense layers. Must be set to False "
    "for TFLite compatibility.")
flag_utils.define_flag(
    flags.DEFINE_string, "export_path", None,
    "Directory to write the hub module to (created; a previous hub module there is replaced).")
flag_utils.define_flag(
    flags.DEFINE_string, "spm_model_file", None,
    "The SentencePiece model to ship in the module. Default: <albert_directory>/"
    "30k-clean.model.")
flag_utils.define_flag(
    flags.DEFINE_string, "vocab_file", None,
    "A WordPiece vocabulary to ship in the module instead of a SentencePiece model (e.g. the "
    "Chinese models); ignored when --spm_model_file is given.")

# What an export reads, checked before anything is written.
#   heads: the pretraining heads the checkpoint has ("mlm", "sop"); the module gets the
#     signature of each ("mlm", "sop"), and "tokens" and "tokenization_info" always.
ExportSources = collections.namedtuple(
    "ExportSources", ["albert_config", "config_file", "checkpoint_path", "tokenizer_file",
                      "heads"])
ExportSources.__new__.__defaults__ = (export_utils.PRETRAINING_HEADS,)


###############################################################################
# Validation (nothing is written before it has passed)
###############################################################################


def tokenizer_file_for(albert_directory, spm_model_file, vocab_file):
  """Returns (spm_model_file, vocab_file) to export: the flags, or the directory's default.

  Raises:
    tfrecord_utils.InputFileNotFoundError: no flag and no 30k-clean.model in the directory.
  """
  # Deviation (docs/DEVIATIONS.md): the tokenizer flags are new; the original read only
  # <albert_directory>/30k-clean.model (and required 30k-clean.vocab beside it).
  if spm_model_file or vocab_file:
    return spm_model_file, vocab_file
  default_spm_model = os.path.join(albert_directory, DEFAULT_SPM_MODEL_NAME)
  if tf.io.gfile.exists(default_spm_model):
    return default_spm_model, None
  raise tfrecord_utils.InputFileNotFoundError(
      "No tokenizer to put in the module: %s not found. A run_pretraining output directory "
      "holds none; pass --spm_model_file (the SentencePiece model the pretraining data was "
      "made with) or --vocab_file (WordPiece)." % default_spm_model)


def _is_within(path, directory):
  """True if `path` is `directory` or lies below it."""
  path = os.path.abspath(path)
  directory = os.path.abspath(directory)
  return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def check_export_path(export_path, source_paths):
  """Raises ValueError if writing `export_path` could destroy something that is not a module.

  The export replaces `export_path` as a whole, so it must be new, empty, or a hub module
  written before, and must not contain any file the export reads.
  """
  # Deviation (docs/DEVIATIONS.md): the original wrote into export_path whatever was there.
  for source in source_paths:
    if _is_within(source, export_path):
      raise ValueError("--export_path=%s contains %s, which the export reads; choose another "
                       "directory." % (export_path, source))
  if not tf.io.gfile.exists(export_path):
    return
  if not tf.io.gfile.isdir(export_path):
    raise ValueError("--export_path=%s exists and is not a directory." % export_path)
  contents = tf.io.gfile.listdir(export_path)
  if contents and fine_tuning_utils.HUB_MODULE_PROTO_NAME not in contents:
    raise ValueError("--export_path=%s is a non-empty directory that is not a hub module (no "
                     "%s); refusing to replace it." %
                     (export_path, fine_tuning_utils.HUB_MODULE_PROTO_NAME))


def validate_flags_or_throw():
  """Checks the flags and every file the export reads.

  Returns:
    `ExportSources`.
  """
  flag_utils.require_flags("albert_directory", "export_path")
  albert_config, config_file = export_utils.load_directory_config(FLAGS.albert_directory)
  checkpoint_path = export_utils.checkpoint_to_export(
      FLAGS.albert_directory, FLAGS.checkpoint_name,
      not FLAGS["checkpoint_name"].using_default_value)
  spm_model_file, vocab_file = tokenizer_file_for(FLAGS.albert_directory, FLAGS.spm_model_file,
                                                  FLAGS.vocab_file)
  # Deviation (docs/DEVIATIONS.md): the tokenizer must load and fit the model (the fine-tuning
  # runners check the same); the original only copied the file.
  tokenizer = fine_tuning_utils.create_vocab(vocab_file=vocab_file,
                                             do_lower_case=FLAGS.do_lower_case,
                                             spm_model_file=spm_model_file, hub_module=None)
  fine_tuning_utils.check_vocab_fits(tokenizer, albert_config, config_file)
  tokenizer_file = spm_model_file or vocab_file
  check_export_path(FLAGS.export_path, [FLAGS.albert_directory, tokenizer_file])
  return ExportSources(albert_config, config_file, checkpoint_path, tokenizer_file,
                       export_utils.checkpoint_heads(checkpoint_path))


###############################################################################
# The module
###############################################################################


def asset_files_for(config_file, tokenizer_file):
  """The files the module ships in assets/: config, tokenizer, and the SentencePiece `.vocab`
  beside a `.model` (a human-readable piece list; the original shipped it too), if present."""
  asset_files = [config_file, tokenizer_file]
  root, extension = os.path.splitext(tokenizer_file)
  if extension == ".model" and tf.io.gfile.exists(root + ".vocab"):
    asset_files.append(root + ".vocab")
  return asset_files


def _asset_constant(path):
  """A string constant holding `path`, registered as an asset.

  tensorflow-hub copies every file of the ASSET_FILEPATHS collection into the module's assets/
  and, when the module is loaded, rewrites the constant to the copy's path.
  """
  name = os.path.basename(path).replace(".", "_").replace("-", "_")
  asset = tf.constant(path, dtype=tf.string, name=name)
  tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, asset)
  return asset


def module_fn_builder(albert_config, asset_files, do_lower_case, use_einsum,
                      heads=export_utils.PRETRAINING_HEADS):
  """Returns the `module_fn(is_training)` of `hub.create_module_spec`.

  Args:
    albert_config: `modeling.AlbertConfig`.
    asset_files: [config file, tokenizer file, optional extras]; the tokenizer file is the one
      `tokenization_info` names.
    do_lower_case: bool, recorded in `tokenization_info`.
    use_einsum: bool, passed to the model.
    heads: the pretraining heads to build and expose ("mlm", "sop").
  """

  def module_fn(is_training):
    """Builds one graph variant and its signatures (see the module docstring)."""
    model = export_utils.build_pretraining_model(albert_config, is_training=is_training,
                                                 use_einsum=use_einsum, heads=heads)
    assets = [_asset_constant(path) for path in asset_files]

    encoder_inputs = {name: model[name] for name in ("input_ids", "input_mask", "segment_ids")}
    encoder_outputs = {name: model[name] for name in ("sequence_output", "pooled_output")}
    hub.add_signature("tokens", inputs=encoder_inputs, outputs=encoder_outputs)
    if "sop" in heads:
      sop_log_probs = tf.nn.log_softmax(model["sop_logits"], axis=-1)  # [B, 2]
      hub.add_signature("sop", inputs=encoder_inputs,
                        outputs=dict(encoder_outputs, sop_log_probs=sop_log_probs))
    if "mlm" in heads:
      hub.add_signature("mlm",
                        inputs=dict(encoder_inputs, mlm_positions=model["mlm_positions"]),
                        outputs=dict(encoder_outputs, mlm_logits=model["mlm_logits"]))
    hub.add_signature("tokenization_info", inputs={},
                      outputs=dict(vocab_file=assets[1],
                                   do_lower_case=tf.constant(do_lower_case)))

  return module_fn


def export_hub_module(sources, export_path, do_lower_case=True, use_einsum=True):
  """Writes the hub module of `sources` to `export_path` (all of it, or nothing).

  Args:
    sources: `ExportSources`.
    export_path: module directory to write; a previous module there is replaced.
    do_lower_case: bool, recorded in `tokenization_info`.
    use_einsum: bool, passed to the model.

  Returns:
    `export_path`.

  Raises:
    ValueError: the checkpoint lacks a variable of the model.
  """
  # Every module variable must come from the checkpoint (tensorflow-hub would fail later, with
  # a less helpful message, on the first one missing).
  with tf.Graph().as_default():
    export_utils.build_pretraining_model(sources.albert_config, use_einsum=use_einsum,
                                         heads=sources.heads)
    export_utils.checkpoint_assignment_map(tf.compat.v1.global_variables(),
                                           sources.checkpoint_path)

  asset_files = asset_files_for(sources.config_file, sources.tokenizer_file)
  spec = hub.create_module_spec(
      module_fn_builder(sources.albert_config, asset_files, do_lower_case, use_einsum,
                        sources.heads),
      tags_and_args=TAGS_AND_ARGS)
  with tfrecord_utils.atomic_output(export_path) as tmp_path:
    spec.export(tmp_path, checkpoint_path=sources.checkpoint_path)
  logging.info("Exported %s as a TF-Hub module to %s (signatures: %s; assets: %s)",
               sources.checkpoint_path, export_path,
               ", ".join(sorted(spec.get_signature_names())),
               ", ".join(os.path.basename(path) for path in asset_files))
  return export_path


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  sources = validate_flags_or_throw()
  export_hub_module(sources, FLAGS.export_path, do_lower_case=FLAGS.do_lower_case,
                    use_einsum=FLAGS.use_einsum)


if __name__ == "__main__":
  flags.mark_flag_as_required("albert_directory")
  flags.mark_flag_as_required("export_path")
  app.run(main)
