# coding=utf-8
# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
r"""Imports a Hugging Face ALBERT directory as an original-format ALBERT model directory.

  python -m albert.import_hf --hf_dir=albert-base-v2/ --output_dir=albert_base/

--hf_dir is a local directory in the Hugging Face layout (nothing is downloaded):
  config.json                            model_type "albert"
  model.safetensors                      read with the safetensors package (no torch needed),
    or pytorch_model.bin                 read with torch (only if torch is installed),
    or a sharded *.index.json of either
  spiece.model (or WordPiece vocab.txt)  the tokenizer
  tokenizer_config.json (optional)       do_lower_case, keep_accents

--output_dir receives what Google's model tarballs hold, so every runner takes it as it is:
  albert_config.json                     our field names (reference §1.2)
  model.ckpt-best.{index,data-00000-of-00001,meta}
                                         variables named as reference §3 (kernels [in, out]),
                                         the MLM / SOP / classifier heads the model has, and
                                         global_step = 0
  30k-clean.model, 30k-clean.vocab       the SentencePiece model (or vocab.txt for WordPiece)

`--init_checkpoint=<output_dir>/model.ckpt-best` then works with run_pretraining and
run_classifier, and `--albert_directory=<output_dir>` with export_checkpoints (its default
--checkpoint_name is model.ckpt-best). A sequence-classification model keeps its head as
run_classifier's `output_weights` / `output_bias`, so `run_classifier --do_predict` predicts
with it directly.

Every check (config, every tensor's presence and shape, tokenizer) runs before anything is
written; each output file appears complete or not at all.
"""

import json
import os
import struct

from absl import app
from absl import flags
from absl import logging
import numpy as np

from albert import checkpoint_utils
from albert import flag_utils
from albert import hf_conversion
from albert import modeling
from albert import tfrecord_utils
from albert import tokenization

FLAGS = flags.FLAGS

CONFIG_FILE_NAME = "albert_config.json"
SPM_MODEL_NAME = "30k-clean.model"
SPM_VOCAB_NAME = "30k-clean.vocab"
WORDPIECE_VOCAB_NAME = "vocab.txt"

# In order of preference.
HF_WEIGHT_FILES = (hf_conversion.HF_SAFETENSORS_NAME, "model.safetensors.index.json",
                   "pytorch_model.bin", "pytorch_model.bin.index.json")

flag_utils.define_flag(
    flags.DEFINE_string, "hf_dir", None,
    "Local Hugging Face ALBERT directory: config.json, model.safetensors or "
    "pytorch_model.bin, spiece.model (or vocab.txt).")
flag_utils.define_flag(
    flags.DEFINE_string, "output_dir", None,
    "Directory to write albert_config.json, the checkpoint and the tokenizer files to.")
flag_utils.define_flag(
    flags.DEFINE_string, "checkpoint_name", checkpoint_utils.BEST_PREFIX_NAME,
    "Name (prefix) of the checkpoint written in output_dir.")


###############################################################################
# Reading a Hugging Face directory
###############################################################################


def _read_json(path):
  try:
    with open(path, encoding="utf-8") as handle:
      value = json.load(handle)
  except ValueError as error:
    raise ValueError("%s: not valid JSON: %s" % (path, error)) from error
  if not isinstance(value, dict):
    raise ValueError("%s: expected a JSON object, got %s" % (path, type(value).__name__))
  return value


def _read_bfloat16(path, names):
  """Reads bfloat16 tensors of a safetensors file as float32 (numpy has no bfloat16).

  The file is an 8-byte little-endian header length, a JSON header giving each tensor's
  shape and byte range, then the data. A bfloat16 is the upper half of a float32.
  """
  tensors = {}
  with open(path, "rb") as handle:
    (header_length,) = struct.unpack("<Q", handle.read(8))
    header = json.loads(handle.read(header_length))
    for name in names:
      begin, end = header[name]["data_offsets"]
      handle.seek(8 + header_length + begin)
      bits = np.frombuffer(handle.read(end - begin), dtype="<u2").astype(np.uint32) << 16
      tensors[name] = bits.view(np.float32).reshape(header[name]["shape"])
  return tensors


def _read_safetensors(path):
  """All tensors of a .safetensors file as numpy arrays (no torch needed)."""
  safetensors = hf_conversion.import_safetensors()
  tensors, bfloat16_names = {}, []
  with safetensors.safe_open(path, framework="numpy") as handle:
    for name in handle.keys():
      if handle.get_slice(name).get_dtype() == "BF16":
        bfloat16_names.append(name)
      else:
        tensors[name] = handle.get_tensor(name)
  tensors.update(_read_bfloat16(path, bfloat16_names))
  return tensors


def _read_pytorch_bin(path):
  """All tensors of a PyTorch state-dict file as numpy arrays (floats as float32)."""
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError as error:
    raise ImportError(
        "%s is a PyTorch file, and reading it needs torch, which is not installed: pip "
        "install torch (or pip install -e .[interop]). Without torch, import a "
        "model.safetensors instead (transformers writes one with "
        "save_pretrained(..., safe_serialization=True))." % path) from error
  state_dict = torch.load(path, map_location="cpu", weights_only=True)
  tensors = {}
  for name, tensor in state_dict.items():
    if tensor.is_floating_point():
      tensor = tensor.to(torch.float32)
    tensors[name] = tensor.numpy()
  return tensors


def _read_weight_file(path):
  if path.endswith(".safetensors"):
    return _read_safetensors(path)
  return _read_pytorch_bin(path)


def read_hf_weights(hf_dir):
  """Reads the weights of a Hugging Face directory.

  Args:
    hf_dir: local directory.

  Returns:
    (tensors, source): dict tensor name -> numpy array, and the file that was read (the index
    file for sharded weights).

  Raises:
    FileNotFoundError: if the directory holds none of `HF_WEIGHT_FILES`.
    ImportError: for a PyTorch file without torch installed.
  """
  for file_name in HF_WEIGHT_FILES:
    path = os.path.join(hf_dir, file_name)
    if not os.path.exists(path):
      continue
    logging.info("Reading %s", path)
    if not file_name.endswith(".index.json"):
      return _read_weight_file(path), path
    weight_map = _read_json(path).get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
      raise ValueError("%s: expected a non-empty \"weight_map\" object." % path)
    tensors = {}
    for shard_name in sorted(set(weight_map.values())):
      tensors.update(_read_weight_file(os.path.join(hf_dir, shard_name)))
    return tensors, path
  raise FileNotFoundError("%s holds no model weights: expected one of %s." %
                          (hf_dir, ", ".join(HF_WEIGHT_FILES)))


def _find_tokenizer(hf_dir, vocab_size):
  """The tokenizer file of a Hugging Face directory, checked against vocab_size.

  Returns:
    (kind, path): ("spm", path of spiece.model), ("wordpiece", path of vocab.txt) or
    (None, None) when there is neither.
  """
  spm_path = os.path.join(hf_dir, hf_conversion.HF_SPM_MODEL_NAME)
  vocab_path = os.path.join(hf_dir, hf_conversion.HF_WORDPIECE_VOCAB_NAME)
  if os.path.exists(spm_path):
    kind, path = "spm", spm_path
    num_tokens = len(tokenization.FullTokenizer(None, spm_model_file=spm_path).vocab)
  elif os.path.exists(vocab_path):
    kind, path = "wordpiece", vocab_path
    num_tokens = len(tokenization.load_vocab(vocab_path))
  else:
    logging.warning("%s has neither %s nor %s: no tokenizer is written; give the runners "
                    "--spm_model_file or --vocab_file yourself.", hf_dir,
                    hf_conversion.HF_SPM_MODEL_NAME, hf_conversion.HF_WORDPIECE_VOCAB_NAME)
    return None, None
  if num_tokens > vocab_size:
    raise ValueError("%s has %d tokens but the model's vocab_size is %d: ids past the "
                     "embedding table would fail." % (path, num_tokens, vocab_size))
  return kind, path


def _log_tokenizer_settings(hf_dir):
  """Tells which --do_lower_case the runners need (from tokenizer_config.json)."""
  path = os.path.join(hf_dir, hf_conversion.HF_TOKENIZER_CONFIG_NAME)
  settings = _read_json(path) if os.path.exists(path) else {}
  do_lower_case = settings.get("do_lower_case", True)  # AlbertTokenizer's default
  logging.info("The tokenizer %s lower-case: run the runners with --do_lower_case=%s.",
               "does" if do_lower_case else "does not", do_lower_case)
  if settings.get("keep_accents"):
    logging.warning("%s: keep_accents is true, but ALBERT's preprocess_text always strips "
                    "accents; accented text will be tokenized differently.", path)


def _spm_vocab_text(spm_path):
  """The `.vocab` file spm_train writes beside a model: "piece<TAB>score" per line."""
  sp_model = tokenization.FullTokenizer(None, spm_model_file=spm_path).sp_model
  return "".join("%s\t%g\n" % (sp_model.IdToPiece(i), sp_model.GetScore(i))
                 for i in range(sp_model.GetPieceSize()))


###############################################################################
# Import
###############################################################################


def import_hf_directory(hf_dir, output_dir, checkpoint_name=checkpoint_utils.BEST_PREFIX_NAME):
  """Converts a Hugging Face ALBERT directory into an original-format model directory.

  Args:
    hf_dir: local Hugging Face directory (see the module docstring).
    output_dir: directory to write; created if needed. Existing files of the same names are
      replaced.
    checkpoint_name: checkpoint prefix inside output_dir.

  Returns:
    dict with "checkpoint" (prefix written), "config_file", "spm_model_file" or
    "vocab_file" (None if the directory had no tokenizer) and "heads" (list of the heads
    included: "masked_lm", "sentence_order", "classifier").

  Raises:
    FileNotFoundError: no config.json or no weights.
    ValueError: a non-ALBERT config, or a tensor that is missing or has the wrong shape
      (the message names it). Nothing is written then.
  """
  config_path = os.path.join(hf_dir, hf_conversion.HF_CONFIG_NAME)
  if not os.path.exists(config_path):
    raise FileNotFoundError("%s not found: --hf_dir must be a Hugging Face model directory."
                            % config_path)
  hf_config = _read_json(config_path)
  config_dict = hf_conversion.albert_config_dict_from_hf(hf_config, config_path)
  try:
    albert_config = modeling.AlbertConfig.from_dict(config_dict)
  except ValueError as error:
    raise ValueError("%s: %s" % (config_path, error)) from error
  hf_tensors, weights_path = read_hf_weights(hf_dir)
  tensors, heads = hf_conversion.checkpoint_tensors_from_hf(albert_config, hf_tensors,
                                                            hf_config, weights_path)
  del hf_tensors
  tokenizer_kind, tokenizer_path = _find_tokenizer(hf_dir, albert_config.vocab_size)
  _log_tokenizer_settings(hf_dir)

  # Every check passed: write. Each file appears whole; the checkpoint comes last.
  outputs = {"heads": heads, "spm_model_file": None, "vocab_file": None}
  if tokenizer_kind == "spm":
    outputs["spm_model_file"] = os.path.join(output_dir, SPM_MODEL_NAME)
    tfrecord_utils.atomic_copy_file(tokenizer_path, outputs["spm_model_file"])
    tfrecord_utils.atomic_write_text(os.path.join(output_dir, SPM_VOCAB_NAME),
                                     _spm_vocab_text(tokenizer_path))
  elif tokenizer_kind == "wordpiece":
    outputs["vocab_file"] = os.path.join(output_dir, WORDPIECE_VOCAB_NAME)
    tfrecord_utils.atomic_copy_file(tokenizer_path, outputs["vocab_file"])
  outputs["config_file"] = os.path.join(output_dir, CONFIG_FILE_NAME)
  tfrecord_utils.atomic_write_text(outputs["config_file"], albert_config.to_json_string())
  outputs["checkpoint"] = checkpoint_utils.write_checkpoint(
      os.path.join(output_dir, checkpoint_name), tensors)
  logging.info("Imported %s (%d variables; heads: %s) into %s", hf_dir, len(tensors),
               ", ".join(heads) or "none", outputs["checkpoint"])
  return outputs


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  flag_utils.require_flags("hf_dir", "output_dir")
  import_hf_directory(FLAGS.hf_dir, FLAGS.output_dir, FLAGS.checkpoint_name)


if __name__ == "__main__":
  flags.mark_flag_as_required("hf_dir")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
