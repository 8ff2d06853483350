# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""`make demo`: the main job end to end on the embedded default corpus, on CPU.

  1. Builds every released model size from `configs/` and prints its parameter count.
  2. Writes the default corpus (the standard library's docstrings) and holds out some
     documents for evaluation.
  3. Trains a SentencePiece model with ALBERT's options and tokenizes a sentence.
  4. Creates pretraining data (n-gram MLM + sentence-order prediction) with two workers.
  5. Pretrains a small ALBERT for a few minutes with LAMB, evaluating it at the end.
  6. Prints the evaluation metrics and the model's guesses for a masked sentence.

Steps 2, 4 and 5 run the same command lines a user runs (`python -m albert.<module> ...`),
which the demo prints before running them.
"""

import json
import os
import re
import subprocess
import sys
import time

from absl import app
from absl import flags

FLAGS = flags.FLAGS

flags.DEFINE_string("output_dir", "demo_output", "Where the demo writes everything.")
flags.DEFINE_integer("vocab_size", 8000, "SentencePiece vocabulary size.")
flags.DEFINE_integer("num_train_steps", 800, "Pretraining steps.")
flags.DEFINE_integer("train_batch_size", 32, "Pretraining batch size.")
flags.DEFINE_float("learning_rate", 0.005, "Peak LAMB learning rate.")
flags.DEFINE_integer("max_seq_length", 128, "Sequence length of the pretraining data.")
flags.DEFINE_integer("dupe_factor", 3, "Passes over the corpus with different masks.")
flags.DEFINE_integer("num_workers", 2, "create_pretraining_data worker processes.")
flags.DEFINE_integer("eval_documents", 40, "Documents held out for evaluation.")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_DIR = os.path.join(REPO_ROOT, "configs")
RELEASED_SIZES = ("base", "large", "xlarge", "xxlarge")
SAMPLE_SENTENCE = "The function returns a new list containing all items from the iterable."

# The small model the demo pretrains: ALBERT's shape (factorized embeddings, one shared
# layer), scaled down to train in minutes on two CPU cores.
DEMO_MODEL = {
    "attention_probs_dropout_prob": 0.0, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
    "embedding_size": 64, "hidden_size": 128, "initializer_range": 0.02,
    "intermediate_size": 512, "max_position_embeddings": 512, "num_attention_heads": 2,
    "num_hidden_layers": 4, "num_hidden_groups": 1, "inner_group_num": 1,
    "net_structure_type": 0, "gap_size": 0, "num_memory_blocks": 0, "down_scale_factor": 1,
    "type_vocab_size": 2,
}


def _banner(text):
  print("\n== %s ==" % text, flush=True)


def _run(log_dir, module, **module_flags):
  """Runs `python -m albert.<module> --flag=value ...`, echoing the command line.

  The program's own output goes to `<log_dir>/<module>.log`; its last lines are shown if it
  fails. Returns the log's text.
  """
  command = [sys.executable, "-m", "albert." + module]
  command += ["--%s=%s" % (name, value) for name, value in module_flags.items()]
  print("$ python -m albert.%s \\\n    %s" % (
      module, " \\\n    ".join(command[3:])), flush=True)
  os.makedirs(log_dir, exist_ok=True)
  log_path = os.path.join(log_dir, module + ".log")
  started = time.time()
  with open(log_path, "a") as log:
    result = subprocess.run(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
  with open(log_path) as log:
    text = log.read()
  if result.returncode != 0:
    print("".join(text.splitlines(True)[-30:]))
    raise SystemExit("%s failed (exit %d); full log: %s" % (module, result.returncode,
                                                            log_path))
  print("   done in %.0f s (log: %s)" % (time.time() - started, log_path), flush=True)
  return text


def print_model_sizes():
  """Builds each released configuration's graph and prints its parameter count."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from albert import modeling  # pylint: disable=g-import-not-at-top

  _banner("Released model sizes (parameters without the pretraining heads)")
  print("%-10s %8s %8s %6s %5s %6s %15s" % ("model", "version", "hidden", "layers", "E",
                                             "heads", "parameters"))
  for size in RELEASED_SIZES:
    for version in ("v1", "v2"):
      path = os.path.join(CONFIG_DIR, "albert_%s_%s.json" % (size, version))
      config = modeling.AlbertConfig.from_json_file(path)
      with tf.Graph().as_default():
        input_ids = tf.compat.v1.placeholder(tf.int32, [1, 8])
        modeling.AlbertModel(config, is_training=False, input_ids=input_ids)
        count = sum(int(np.prod(v.shape.as_list()))
                    for v in tf.compat.v1.trainable_variables())
      print("%-10s %8s %8d %6d %5d %6d %15s" % (
          size, version, config.hidden_size, config.num_hidden_layers, config.embedding_size,
          config.num_attention_heads, "{:,}".format(count)))


def split_corpus(corpus_path, train_path, eval_path, eval_documents):
  """Writes the last `eval_documents` documents to `eval_path`, the rest to `train_path`."""
  with open(corpus_path, encoding="utf-8") as handle:
    documents = handle.read().strip("\n").split("\n\n")
  if len(documents) <= eval_documents:
    raise ValueError("%s has only %d documents; need more than %d." %
                     (corpus_path, len(documents), eval_documents))
  for path, part in ((train_path, documents[:-eval_documents]),
                     (eval_path, documents[-eval_documents:])):
    with open(path, "w", encoding="utf-8") as handle:
      handle.write("\n\n".join(part) + "\n")
  return len(documents) - eval_documents, eval_documents


def show_masked_guesses(config_path, spm_model_path, checkpoint, sentence, word):
  """Masks `word` in `sentence` and prints the pretrained model's top guesses."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from albert import modeling  # pylint: disable=g-import-not-at-top
  from albert import pretraining_heads  # pylint: disable=g-import-not-at-top
  from albert import tokenization  # pylint: disable=g-import-not-at-top

  tokenizer = tokenization.FullTokenizer(None, spm_model_file=spm_model_path)
  text = tokenization.preprocess_text(sentence, lower=True)
  pieces = ["[CLS]"] + tokenizer.tokenize(text) + ["[SEP]"]
  targets = [i for i, piece in enumerate(pieces) if piece.lstrip("\u2581") == word]
  if not targets:
    print("(the word %r is not a single piece in this vocabulary)" % word)
    return
  position = targets[0]
  original = pieces[position]
  pieces[position] = "[MASK]"
  ids = tokenizer.convert_tokens_to_ids(pieces)
  config = modeling.AlbertConfig.from_json_file(config_path)
  with tf.Graph().as_default():
    input_ids = tf.constant([ids], tf.int32)
    model = modeling.AlbertModel(config, is_training=False, input_ids=input_ids)
    logits = pretraining_heads.masked_lm_logits(
        config, model.get_sequence_output(), model.get_embedding_table(),
        tf.constant([[position]], tf.int32))
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session() as sess:
      saver.restore(sess, checkpoint)
      scores = sess.run(logits)[0]
  best = np.argsort(-scores)[:5]
  print("input:   %s" % " ".join(pieces))
  print("answer:  %s" % original)
  print("guesses: %s" % ", ".join(tokenizer.convert_ids_to_tokens([int(i)])[0] for i in best))


def main(argv):
  del argv
  started = time.time()
  out = os.path.abspath(FLAGS.output_dir)
  os.makedirs(out, exist_ok=True)
  logs = os.path.join(out, "logs")
  for stale_log in (os.listdir(logs) if os.path.isdir(logs) else []):
    os.remove(os.path.join(logs, stale_log))
  print("albert demo: writing to %s" % out)

  print_model_sizes()

  _banner("Default corpus: docstrings of the Python standard library")
  corpus = os.path.join(out, "corpus.txt")
  _run(logs, "default_corpus", output=corpus)
  train_text = os.path.join(out, "corpus_train.txt")
  eval_text = os.path.join(out, "corpus_eval.txt")
  num_train, num_eval = split_corpus(corpus, train_text, eval_text, FLAGS.eval_documents)
  print("%d training documents, %d held out for evaluation" % (num_train, num_eval))

  _banner("SentencePiece model with ALBERT's options")
  spm_prefix = os.path.join(out, "spm")
  _run(logs, "train_sentencepiece", input=train_text, model_prefix=spm_prefix,
       vocab_size=FLAGS.vocab_size)
  from albert import tokenization  # pylint: disable=g-import-not-at-top
  tokenizer = tokenization.FullTokenizer(None, spm_model_file=spm_prefix + ".model")
  pieces = tokenizer.tokenize(tokenization.preprocess_text(SAMPLE_SENTENCE, lower=True))
  print("sentence: %s" % SAMPLE_SENTENCE)
  print("pieces:   %s" % " ".join(pieces))
  print("ids:      %s" % tokenizer.convert_tokens_to_ids(pieces))

  _banner("Pretraining data: n-gram masked LM + sentence-order prediction")
  data_flags = dict(spm_model_file=spm_prefix + ".model", max_seq_length=FLAGS.max_seq_length,
                    max_predictions_per_seq=20, dupe_factor=FLAGS.dupe_factor,
                    num_workers=FLAGS.num_workers)
  train_record = os.path.join(out, "train.tfrecord")
  eval_record = os.path.join(out, "eval.tfrecord")
  _run(logs, "create_pretraining_data", input_file=train_text, output_file=train_record,
       **data_flags)
  _run(logs, "create_pretraining_data", input_file=eval_text, output_file=eval_record,
       **dict(data_flags, dupe_factor=1))

  _banner("Pretraining a small ALBERT (LAMB) with evaluation")
  vocab_size = len(tokenizer.vocab)
  config_path = os.path.join(out, "albert_config.json")
  with open(config_path, "w") as handle:
    json.dump(dict(DEMO_MODEL, vocab_size=vocab_size), handle, indent=2, sort_keys=True)
  model_dir = os.path.join(out, "pretraining")
  train_log = _run(
      logs, "run_pretraining", albert_config_file=config_path, input_file=train_record,
      output_dir=model_dir, do_train=True, do_eval=False,
      max_seq_length=FLAGS.max_seq_length, max_predictions_per_seq=20,
      train_batch_size=FLAGS.train_batch_size, optimizer="lamb", learning_rate=FLAGS.learning_rate,
      num_train_steps=FLAGS.num_train_steps,
      num_warmup_steps=max(1, FLAGS.num_train_steps // 10),
      save_checkpoints_steps=max(1, FLAGS.num_train_steps // 4))
  progress = re.findall(r"step (\d+)/\d+: loss = ([0-9.]+), .*", train_log)
  if progress:
    print("training loss: %s at step %s -> %s at step %s" % (
        progress[0][1], progress[0][0], progress[-1][1], progress[-1][0]))
    print("throughput:    %s" % re.findall(r"step \d+/\d+: loss.*", train_log)[-1])
  _run(logs, "run_pretraining", albert_config_file=config_path, input_file=eval_record,
       output_dir=model_dir, do_train=False, do_eval=True,
       max_seq_length=FLAGS.max_seq_length, max_predictions_per_seq=20,
       eval_batch_size=32, max_eval_steps=20, num_train_steps=FLAGS.num_train_steps)

  _banner("Evaluation on held-out documents (%s)" % os.path.join(model_dir,
                                                                 "eval_results.txt"))
  with open(os.path.join(model_dir, "eval_results.txt")) as handle:
    print(handle.read().rstrip())

  _banner("The pretrained model fills in a masked word")
  print("(minutes of CPU pretraining teach mostly frequent words; the released models trained "
        "for 125k+ steps at batch 4096)")
  show_masked_guesses(config_path, spm_prefix + ".model",
                      os.path.join(model_dir, "model.ckpt-best"),
                      "Return a new list containing all items from the iterable.", "list")
  print("\nDemo finished in %.0f s. Outputs are in %s" % (time.time() - started, out))


if __name__ == "__main__":
  app.run(main)
