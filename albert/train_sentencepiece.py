# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Trains a SentencePiece model with the options ALBERT's README gives to `spm_train`.

    python -m albert.train_sentencepiece --input=a.txt,b.txt --model_prefix=out/30k-clean \
        --vocab_size=30000

writes `out/30k-clean.model` and `out/30k-clean.vocab`. With ALBERT's options the first ids are
always

    0 <pad>  1 <unk>  2 [CLS]  3 [SEP]  4 [MASK]  5 (  6 )  7 "  8 -  9 .  10 –  11 £  12 €

followed by the learned pieces, which is what `create_pretraining_data` and the models expect.

Vocabulary size: SentencePiece refuses a `vocab_size` larger than the corpus can fill
(`hard_vocab_limit`). We first train with the exact size; only if SentencePiece reports that the
size is too high do we retrain with `hard_vocab_limit=false`, which yields a smaller vocabulary,
and log the size obtained. Pass `hard_vocab_limit` in `extra_options` to decide yourself.

Determinism: on a corpus of at most `input_sentence_size` sentences, training is deterministic
(same corpus and options give the same pieces and scores). On a larger corpus SentencePiece
samples `input_sentence_size` sentences, and sentencepiece 0.2.x draws that sample from an
unseeded generator; pass `sample_seed` (`--sample_seed`) to draw the sample ourselves with a
seeded generator instead, which makes the result reproducible.

Case: ALBERT's callers run `preprocess_text(text, lower=do_lower_case)` (lower-case, strip
accents) before SentencePiece sees the text, and Google's `30k-clean` vocabulary has no
upper-case piece. With `do_lower_case` (`--do_lower_case`) the training text is preprocessed
the same way first, so the model's pieces match what it will be asked to segment; without it
the text is used as given, as `spm_train` does.
"""

import os
import random
import re
import shutil
import tempfile

from absl import app
from absl import flags
from absl import logging
import sentencepiece as spm

# Ids 2-4 are control symbols: never produced by segmentation, only inserted by our code.
ALBERT_CONTROL_SYMBOLS = ("[CLS]", "[SEP]", "[MASK]")
# Ids 5-12: always segmented as single pieces.
ALBERT_USER_DEFINED_SYMBOLS = ("(", ")", "\"", "-", ".", "\u2013", "\u00a3", "\u20ac")

# The README's `spm_train` options other than input, model_prefix, vocab_size and
# input_sentence_size.
ALBERT_TRAINER_OPTIONS = {
    "pad_id": 0,
    "unk_id": 1,
    "eos_id": -1,
    "bos_id": -1,
    "control_symbols": list(ALBERT_CONTROL_SYMBOLS),
    "user_defined_symbols": list(ALBERT_USER_DEFINED_SYMBOLS),
    "shuffle_input_sentence": True,
    "character_coverage": 0.99995,
    "model_type": "unigram",
}

_VOCAB_TOO_HIGH_RE = re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a "
                                r"value <= (\d+)")


def _split_input_files(input_files):
  """Accepts a list of paths or one comma-separated string; returns a list of paths."""
  if isinstance(input_files, str):
    input_files = input_files.split(",")
  paths = [path.strip() for path in input_files if path.strip()]
  if not paths:
    raise ValueError("No input file given for SentencePiece training.")
  return paths


def _is_remote(path):
  return "://" in path


def _stage_inputs(paths, staging_dir):
  """Copies remote (`gs://`, ...) inputs to `staging_dir`; SentencePiece reads local files."""
  local_paths = []
  for index, path in enumerate(paths):
    if _is_remote(path):
      import tensorflow as tf  # pylint: disable=g-import-not-at-top
      if not tf.io.gfile.exists(path):
        raise FileNotFoundError("SentencePiece training input not found: %s" % path)
      local_path = os.path.join(staging_dir, "input-%05d.txt" % index)
      tf.io.gfile.copy(path, local_path, overwrite=True)
      local_paths.append(local_path)
    else:
      if not os.path.isfile(path):
        raise FileNotFoundError("SentencePiece training input not found: %s" % path)
      local_paths.append(path)
  return local_paths


def _sample_sentences(paths, sample_size, seed, output_path):
  """Writes a seeded uniform sample of `sample_size` non-empty lines of `paths`.

  Returns:
    True if the corpus had more lines than `sample_size` (and a sample was written), False if
    it fits entirely (nothing written; SentencePiece then reads every line itself).
  """
  rng = random.Random(seed)
  reservoir = []
  seen = 0
  for path in paths:
    with open(path, "r", encoding="utf-8", errors="ignore") as reader:
      for line in reader:
        line = line.strip()
        if not line:
          continue
        seen += 1
        if len(reservoir) < sample_size:
          reservoir.append(line)
        else:
          slot = rng.randrange(seen)
          if slot < sample_size:
            reservoir[slot] = line
  if seen <= sample_size:
    return False
  with open(output_path, "w", encoding="utf-8") as writer:
    writer.writelines(line + "\n" for line in reservoir)
  logging.info("Sampled %d of %d sentences with seed %d.", sample_size, seen, seed)
  return True


def _preprocess_inputs(paths, output_path):
  """Writes `paths` concatenated, each line run through `preprocess_text(lower=True)`."""
  # Imported here: tokenization loads TensorFlow, which plain training does not need.
  from albert import tokenization  # pylint: disable=g-import-not-at-top
  with open(output_path, "w", encoding="utf-8") as writer:
    for path in paths:
      with open(path, "r", encoding="utf-8", errors="ignore") as reader:
        for line in reader:
          writer.write(tokenization.preprocess_text(line, lower=True) + "\n")


def _train(options):
  """Runs the SentencePiece trainer; returns None or the RuntimeError it raised."""
  try:
    spm.SentencePieceTrainer.Train(**options)
  except RuntimeError as error:
    return error
  return None


def train_albert_sentencepiece(input_files, model_prefix, vocab_size=30000,
                               input_sentence_size=10000000, extra_options=None,
                               sample_seed=None, verbose=False, do_lower_case=False):
  """Trains a unigram SentencePiece model with ALBERT's options.

  Args:
    input_files: list of text files, or one comma-separated string (one sentence per line;
      blank lines are ignored). Remote (`gs://`) paths are copied locally first.
    model_prefix: output prefix; `<prefix>.model` and `<prefix>.vocab` are written. A remote
      prefix is written locally and copied.
    vocab_size: number of pieces, including the 13 fixed ones.
    input_sentence_size: at most this many sentences are used for training.
    extra_options: dict of further `spm_train` options (override the defaults above).
    sample_seed: if not None and the corpus has more than `input_sentence_size` sentences,
      draw the training sample with this seed (reproducible) instead of inside SentencePiece.
    verbose: let SentencePiece log its progress to stderr.
    do_lower_case: train on `preprocess_text(line, lower=True)` of every input line (what
      ALBERT's tokenizer callers feed SentencePiece) instead of the raw text.

  Returns:
    str path of the written `.model` file.

  Raises:
    FileNotFoundError: if an input file does not exist.
    RuntimeError: if SentencePiece fails (the message names the input files).
  """
  paths = _split_input_files(input_files)
  extra_options = dict(extra_options or {})
  remote_prefix = model_prefix if _is_remote(model_prefix) else None
  staging_dir = tempfile.mkdtemp(prefix="albert_spm_")
  try:
    local_paths = _stage_inputs(paths, staging_dir)
    if remote_prefix:
      model_prefix = os.path.join(staging_dir, os.path.basename(remote_prefix))
    else:
      parent = os.path.dirname(os.path.abspath(model_prefix))
      os.makedirs(parent, exist_ok=True)
    if do_lower_case:
      preprocessed_path = os.path.join(staging_dir, "preprocessed.txt")
      _preprocess_inputs(local_paths, preprocessed_path)
      local_paths = [preprocessed_path]
    if sample_seed is not None:
      sample_path = os.path.join(staging_dir, "sample.txt")
      if _sample_sentences(local_paths, input_sentence_size, sample_seed, sample_path):
        local_paths = [sample_path]
    options = dict(ALBERT_TRAINER_OPTIONS)
    options.update(
        input=",".join(local_paths),
        model_prefix=model_prefix,
        vocab_size=vocab_size,
        input_sentence_size=input_sentence_size,
        minloglevel=0 if verbose else 2,
    )
    options.update(extra_options)
    error = _train(options)
    if (error is not None and "hard_vocab_limit" not in extra_options and
        _VOCAB_TOO_HIGH_RE.search(str(error))):
      # The corpus cannot fill `vocab_size` pieces: train the largest vocabulary it supports.
      logging.warning("The corpus is too small for %d pieces (%s); retrying with "
                      "hard_vocab_limit=false.", vocab_size, error)
      options["hard_vocab_limit"] = False
      error = _train(options)
    if error is not None:
      raise RuntimeError("SentencePiece training on %s failed: %s" % (",".join(paths), error))
    model_path = model_prefix + ".model"
    piece_count = spm.SentencePieceProcessor(model_file=model_path).GetPieceSize()
    if piece_count != vocab_size:
      logging.warning("Trained %d pieces instead of the %d requested: set vocab_size=%d in "
                      "albert_config.json.", piece_count, vocab_size, piece_count)
    if remote_prefix:
      import tensorflow as tf  # pylint: disable=g-import-not-at-top
      for suffix in (".model", ".vocab"):
        tf.io.gfile.copy(model_prefix + suffix, remote_prefix + suffix, overwrite=True)
      model_path = remote_prefix + ".model"
    return model_path
  finally:
    shutil.rmtree(staging_dir, ignore_errors=True)


FLAGS = flags.FLAGS


def define_flags():
  """Defines the command-line flags; only when run as a program, so that importing this
  module never clashes with same-named flags of other entry points (e.g. `vocab_size`)."""
  flags.DEFINE_string("input", None, "Comma-separated list of training text files.")
  flags.DEFINE_string("model_prefix", None,
                      "Output prefix: writes <prefix>.model and <prefix>.vocab.")
  flags.DEFINE_integer("vocab_size", 30000, "Number of pieces.")
  flags.DEFINE_integer("input_sentence_size", 10000000,
                       "Maximum number of sentences used for training.")
  flags.DEFINE_integer("sample_seed", None,
                       "If set, sample the training sentences with this seed (reproducible).")
  flags.DEFINE_bool("verbose", False, "Show SentencePiece's training log.")
  flags.DEFINE_bool("do_lower_case", False,
                    "Lower-case and strip accents of the input (as ALBERT's tokenizer callers "
                    "do) before training.")
  flags.mark_flags_as_required(["input", "model_prefix"])


def main(argv):
  del argv
  logging.set_verbosity(logging.INFO)
  model_path = train_albert_sentencepiece(FLAGS.input, FLAGS.model_prefix, FLAGS.vocab_size,
                                          FLAGS.input_sentence_size,
                                          sample_seed=FLAGS.sample_seed, verbose=FLAGS.verbose,
                                          do_lower_case=FLAGS.do_lower_case)
  size = spm.SentencePieceProcessor(model_file=model_path).GetPieceSize()
  logging.info("Wrote %s (%d pieces) and its .vocab.", model_path, size)


if __name__ == "__main__":
  define_flags()
  app.run(main)
