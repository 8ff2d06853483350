# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""SQuAD speed on CPU: feature conversion, and fine-tuning / prediction next to Hugging Face.

Two parts (`--part conversion|model|all`):

  * conversion: generates a SQuAD 2.0-format file of --num_questions questions from the shared
    corpus (/work/shared/data/corpus: paragraphs of consecutive sentences; each answerable
    question is one of the paragraph's sentences with a 1-3 word span replaced by "what",
    the span being the answer; a third of the questions come from another paragraph and are
    unanswerable). The file goes to a temporary directory and is deleted afterwards. Then
    the runner's own code (`squad_runner.build_train_features`, `build_predict_features`)
    converts it with the real 30k SentencePiece model, each in a fresh process: questions/sec
    and the process's peak RSS.
  * model: examples/sec of fine-tuning (forward, backward, AdamW with clip 1.0) and
    prediction (forward) at --seq_length (default 384) and --batch_size, for our SQuAD heads
    (the run_squad_v1 / v2 model_fns) and Hugging Face's PyTorch AlbertForQuestionAnswering
    (the v1-style head) with the same config (default ALBERT-base, random init), threads and
    batch, in interleaved rounds (benchmarks/bench_model.py's child-process protocol), and
    the share of each framework's measured fp32 matmul rate that the encoder's FLOPs reach.

  .venv/bin/python benchmarks/bench_squad.py                     # everything, real sizes
  .venv/bin/python benchmarks/bench_squad.py --part conversion --num_questions 130000
  .venv/bin/python benchmarks/bench_squad.py --part model --seq_length 128 --rounds 1 \\
      --batch_size 1 --inference_steps 1 --training_steps 1      # smoke run

Not a test: run by hand, then append the printed section to benchmarks/RESULTS.md.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

BENCHMARKS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCHMARKS_DIR)
sys.path.insert(0, BENCHMARKS_DIR)
sys.path.insert(0, REPO_ROOT)
import bench_model  # pylint: disable=g-import-not-at-top,wrong-import-position

CORPUS_DIR = "/work/shared/data/corpus"
CORPUS_FILES = ("wiki_en.txt", "bbc_news.txt", "web_bible.txt")
SPM_MODEL = "/work/shared/data/albert_30k/30k-clean.model"
BASE_CONFIG = os.path.join(REPO_ROOT, "configs", "albert_base_v2.json")
QUERY_LENGTH = 16  # query tokens in the model part's synthetic features
# The conversion part uses the README command's settings (whatever --seq_length says).
CONVERSION_FLAGS = ["--max_seq_length=384", "--doc_stride=128", "--max_query_length=64"]


###############################################################################
# A SQuAD-format file from the corpus
###############################################################################


def _documents(path):
  """Yields the documents (lists of sentence lines) of a corpus file."""
  document = []
  with open(path, encoding="utf-8", errors="replace") as handle:
    for line in handle:
      line = line.strip()
      if line:
        document.append(line)
      elif document:
        yield document
        document = []
  if document:
    yield document


def _paragraphs(rng, min_sentences=3, max_sentences=6):
  """Yields paragraphs: runs of consecutive sentences of one document (canaries skipped)."""
  for name in CORPUS_FILES:
    for document in _documents(os.path.join(CORPUS_DIR, name)):
      if len(document) < min_sentences or "canary GUID" in document[0]:
        continue
      start = 0
      while start + min_sentences <= len(document):
        count = rng.randint(min_sentences, max_sentences)
        yield document[start:start + count]
        start += count


def _cloze_question(rng, sentence):
  """(question, answer, answer offset in the sentence) from a sentence, or None."""
  words = [(match.start(), match.end()) for match in re.finditer(r"\S+", sentence)]
  if len(words) < 6:
    return None
  length = rng.randint(1, 3)
  first = rng.randrange(0, len(words) - length)
  start, end = words[first][0], words[first + length - 1][1]
  while start < end and not sentence[start].isalnum():
    start += 1
  while end > start and not sentence[end - 1].isalnum():
    end -= 1
  if start == end:
    return None
  question = (sentence[:start] + "what" + sentence[end:]).rstrip(" .!?;:") + "?"
  return question, sentence[start:end], start


def generate_squad_file(path, num_questions, seed=12345, questions_per_paragraph=5):
  """Writes a SQuAD 2.0-format JSON file of `num_questions` questions; returns the count."""
  rng = random.Random(seed)
  paragraphs_json = []
  previous_sentences = None
  count = 0
  for sentences in _paragraphs(rng):
    if count >= num_questions:
      break
    context = " ".join(sentences)
    offsets = [0]
    for sentence in sentences[:-1]:
      offsets.append(offsets[-1] + len(sentence) + 1)
    qas = []
    for question_index in range(questions_per_paragraph):
      impossible = previous_sentences is not None and rng.random() < 1 / 3
      source = previous_sentences if impossible else sentences
      sentence_index = rng.randrange(len(source))
      cloze = _cloze_question(rng, source[sentence_index])
      if cloze is None:
        continue
      question, answer, start = cloze
      entry = {"id": "gen-%06d-%d" % (len(paragraphs_json), question_index),
               "question": question, "is_impossible": impossible, "answers": []}
      if not impossible:
        entry["answers"] = [{"text": answer,
                             "answer_start": offsets[sentence_index] + start}]
        assert context[entry["answers"][0]["answer_start"]:].startswith(answer)
      qas.append(entry)
      count += 1
      if count >= num_questions:
        break
    paragraphs_json.append({"context": context, "qas": qas})
    previous_sentences = sentences
  if count < num_questions:
    raise ValueError("The corpus yields only %d questions." % count)
  with open(path, "w", encoding="utf-8") as handle:
    json.dump({"version": "2.0", "data": [{"title": "generated",
                                           "paragraphs": paragraphs_json}]}, handle)
  return count


def _rss_mb():
  with open("/proc/self/status") as handle:
    for line in handle:
      if line.startswith("VmRSS:"):
        return int(line.split()[1]) / 1024.0
  return float("nan")


def convert_in_this_process(args):
  """Child: runs the runner's feature conversion of one split; prints a JSON line."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  from albert import run_squad_v2  # pylint: disable=g-import-not-at-top,unused-import
  from albert import squad_runner  # pylint: disable=g-import-not-at-top
  from albert import squad_utils  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.WARN)
  output_dir = os.path.dirname(args.squad_file)
  flags.FLAGS(["bench", "--albert_config_file=%s" % BASE_CONFIG, "--output_dir=%s" % output_dir,
               "--spm_model_file=%s" % SPM_MODEL] + CONVERSION_FLAGS + [
               "--%s=%s" % ("train_file" if args.split == "train" else "predict_file",
                            args.squad_file),
               "--do_train" if args.split == "train" else "--do_predict"])
  task = squad_runner.validate_flags_or_throw(is_v2=True)
  rss_before = _rss_mb()
  start = time.perf_counter()
  if args.split == "train":
    metadata = squad_runner.build_train_features(task)
  else:
    examples = squad_utils.read_squad_examples(args.squad_file, is_training=False)
    metadata = squad_runner.build_predict_features(task, examples)
  seconds = time.perf_counter() - start
  print(json.dumps({
      "split": args.split, "questions": metadata["num_examples"],
      "features": metadata["num_features"], "seconds": seconds,
      "unaligned": len(metadata["unaligned_ids"]), "rss_before_mb": rss_before,
      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


def run_conversion(args):
  """Generates the file, converts it (train, then predict) in child processes; prints."""
  work_dir = tempfile.mkdtemp(prefix="bench_squad_")
  try:
    squad_file = os.path.join(work_dir, "generated-v2.0.json")
    start = time.perf_counter()
    num_questions = generate_squad_file(squad_file, args.num_questions)
    generate_seconds = time.perf_counter() - start
    results = []
    for split in ("train", "predict"):
      command = [sys.executable, os.path.abspath(__file__), "--side", "convert", "--split",
                 split, "--squad_file", squad_file]
      env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
      output = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE,
                              text=True).stdout
      results.append(json.loads(output.strip().splitlines()[-1]))
    size_mb = os.path.getsize(squad_file) / 1e6
  finally:
    shutil.rmtree(work_dir, ignore_errors=True)

  print("## SQuAD feature conversion (benchmarks/bench_squad.py --part conversion), %s UTC" %
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
  print()
  print("%d generated questions (SQuAD 2.0 format, %.1f MB, a third unanswerable; generated "
        "in %.1f s) from %s; 30k SentencePiece model; %s; the runner's cache builders, one "
        "fresh process per split; load average at the end %.1f." % (
            num_questions, size_mb, generate_seconds, CORPUS_DIR, " ".join(CONVERSION_FLAGS),
            os.getloadavg()[0]))
  print()
  print("| split | questions | features | seconds | questions/sec | RSS before (MB) | "
        "peak RSS (MB) |")
  print("|---|---|---|---|---|---|---|")
  for result in results:
    print("| %s | %d | %d | %.1f | %.0f | %.0f | %.0f |" % (
        result["split"], result["questions"], result["features"], result["seconds"],
        result["questions"] / result["seconds"], result["rss_before_mb"],
        result["peak_rss_mb"]))
  unaligned = sum(result["unaligned"] for result in results)
  print()
  print("Questions without features (alignment failures): %d." % unaligned)


###############################################################################
# Fine-tuning and prediction speed
###############################################################################


def _squad_batch(vocab_size, batch_size, seq_length, seed=12345):
  """Random inputs with the SQuAD layout: ids, masks, segments, p_mask, positions."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  input_ids, input_mask, _ = bench_model._random_inputs(  # pylint: disable=protected-access
      vocab_size, batch_size, seq_length, seed)
  segment_ids = np.zeros([batch_size, seq_length], np.int32)
  segment_ids[:, QUERY_LENGTH + 2:] = 1
  p_mask = np.zeros([batch_size, seq_length], np.int32)
  p_mask[:, 1:QUERY_LENGTH + 2] = 1
  p_mask[input_mask == 0] = 1
  rng = np.random.RandomState(seed)
  doc_end = int(input_mask[0].sum()) - 1
  start_positions = rng.randint(QUERY_LENGTH + 2, doc_end, size=[batch_size]).astype(np.int32)
  end_positions = np.minimum(start_positions + rng.randint(0, 5, size=[batch_size]),
                             doc_end - 1).astype(np.int32)
  return {"input_ids": input_ids, "input_mask": input_mask, "segment_ids": segment_ids,
          "p_mask": p_mask, "start_positions": start_positions,
          "end_positions": end_positions,
          "is_impossible": (rng.rand(batch_size) < 1 / 3).astype(np.int32)}


def setup_ours(args, head):
  """Our TF graph: the run_squad_v1 / v2 model_fn (TRAIN and PREDICT), fed by placeholders.

  Returns ({mode: step function}, matmul-rate function, info dict) for bench_model.serve.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from albert import estimator_utils  # pylint: disable=g-import-not-at-top
  from albert import modeling  # pylint: disable=g-import-not-at-top
  from albert import squad_models  # pylint: disable=g-import-not-at-top
  tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.WARN)
  config = modeling.AlbertConfig.from_json_file(args.config)
  batch = _squad_batch(config.vocab_size, args.batch_size, args.seq_length)
  session_config = bench_model.tf_session_config(args)
  if head == "v1":
    model_fn = squad_models.v1_model_fn_builder(
        config, None, 5e-5, num_train_steps=1000000, num_warmup_steps=10, use_tpu=False,
        use_one_hot_embeddings=False, use_einsum=True)
  else:
    model_fn = squad_models.v2_model_fn_builder(
        config, None, 5e-5, num_train_steps=1000000, num_warmup_steps=10, use_tpu=False,
        use_one_hot_embeddings=False, max_seq_length=args.seq_length, start_n_top=5,
        end_n_top=5, dropout_prob=0.1)
  # The TRAIN graph as the runners' Estimator builds it (estimator_utils.training_graph_scope).
  model_fn = estimator_utils.training_graph_model_fn(model_fn, estimator_utils.RunSettings())
  estimator_modes = {"inference": tf.estimator.ModeKeys.PREDICT,
                     "training": tf.estimator.ModeKeys.TRAIN}

  def build(mode):
    placeholders = {name: tf.compat.v1.placeholder(tf.int32, value.shape, name=name)
                    for name, value in batch.items()}
    spec = model_fn(dict(placeholders), None, estimator_modes[mode], {})
    fetch = spec.train_op if mode == "training" else spec.predictions
    return fetch, {placeholders[name]: value for name, value in batch.items()}

  steps = bench_model.tf_session_steps(estimator_modes, build, session_config)
  info = bench_model.tf_info()
  return steps, bench_model.tf_matmul_rate_fn(session_config), info


def setup_hugging_face(args):
  """Hugging Face AlbertForQuestionAnswering with the same config, threads and batch."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(args.threads)
  torch.manual_seed(0)
  with open(args.config) as handle:
    hf_config = bench_model.hf_config_from_ours(json.load(handle))
  inference_model = transformers.AlbertForQuestionAnswering(hf_config).eval()
  training_model = transformers.AlbertForQuestionAnswering(hf_config).train()
  batch = {name: torch.from_numpy(value.astype(np.int64)) for name, value in
           _squad_batch(hf_config.vocab_size, args.batch_size, args.seq_length).items()}
  inputs = dict(input_ids=batch["input_ids"], attention_mask=batch["input_mask"],
                token_type_ids=batch["segment_ids"])
  optimizer = torch.optim.AdamW(training_model.parameters(), lr=5e-5, weight_decay=0.01,
                                eps=1e-6)

  def inference_step():
    with torch.inference_mode():
      inference_model(**inputs)

  def training_step():
    loss = training_model(**inputs, start_positions=batch["start_positions"],
                          end_positions=batch["end_positions"]).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(training_model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

  attention = inference_model.config._attn_implementation  # pylint: disable=protected-access
  info = {"torch": torch.__version__, "transformers": transformers.__version__,
          "attn_implementation": attention}
  return ({"inference": inference_step, "training": training_step},
          bench_model.torch_matmul_rate_fn(), info)


SIDES = {  # side -> (label, setup function)
    "ours_v1": ("ours, v1 head (run_squad_v1 model_fn)", lambda a: setup_ours(a, "v1")),
    "ours_v2": ("ours, v2 head (run_squad_v2 model_fn)", lambda a: setup_ours(a, "v2")),
    "hf": ("Hugging Face AlbertForQuestionAnswering", setup_hugging_face),
}


def run_model(args):
  """Drives the sides in interleaved rounds and prints the table."""
  sides = ["ours_" + head for head in args.heads.split(",")] + ["hf"]
  children = {side: bench_model._Child(side, script=__file__)  # pylint: disable=protected-access
              for side in sides}
  infos = {side: child.info for side, child in children.items()}
  times, matmul = bench_model.run_rounds(
      children, {"inference": args.inference_steps, "training": args.training_steps},
      args.rounds)

  with open(args.config) as handle:
    forward_flops = bench_model.encoder_forward_flops(json.load(handle), args.batch_size,
                                                      args.seq_length)
  print("## SQuAD fine-tuning and prediction throughput (benchmarks/bench_squad.py --part "
        "model), %s UTC" % time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
  print()
  print("%s (random init), max_seq_length %d, batch %d, %d threads (TF inter-op %d), CPU; "
        "%d interleaved rounds of %d prediction and %d fine-tuning steps after %d warm-up "
        "steps; load average at the end %.1f." % (
            os.path.relpath(args.config, REPO_ROOT), args.seq_length, args.batch_size,
            args.threads, args.inter_op_threads, args.rounds, args.inference_steps,
            args.training_steps, args.warmup, os.getloadavg()[0]))
  print("Ours: TF %s graph mode, oneDNN %s. Hugging Face: torch %s, transformers %s, "
        "attention %s; AdamW, clip 1.0 on both sides." % (
            infos[sides[0]]["tensorflow"], infos[sides[0]]["onednn"], infos["hf"]["torch"],
            infos["hf"]["transformers"], infos["hf"]["attn_implementation"]))
  print()
  print("| side | prediction ex/s best (median) | fine-tuning ex/s best (median) | "
        "prediction / fine-tuning GFLOP/s | share of fp32 matmul rate |")
  print("|---|---|---|---|---|")
  best = {}
  for side in sides:
    # pylint: disable=protected-access
    predict_best, predict_median = bench_model._summary(times[(side, "inference")],
                                                        args.batch_size)
    train_best, train_median = bench_model._summary(times[(side, "training")],
                                                    args.batch_size)
    best[side] = (predict_best, train_best)
    # Encoder FLOPs only; training counted as 3x forward.
    predict_gflops = forward_flops * predict_best / args.batch_size / 1e9
    train_gflops = 3.0 * forward_flops * train_best / args.batch_size / 1e9
    matmul_rate = max(matmul[side])
    print("| %s | %.2f (%.2f) | %.2f (%.2f) | %.0f / %.0f | %.0f%% / %.0f%% of %.0f GFLOP/s |"
          % (SIDES[side][0], predict_best, predict_median, train_best, train_median,
             predict_gflops, train_gflops, 100.0 * predict_gflops / matmul_rate,
             100.0 * train_gflops / matmul_rate, matmul_rate))
  if "ours_v1" in best:
    print()
    print("ours v1 / Hugging Face: prediction %.2fx, fine-tuning %.2fx (best steps)." % (
        best["ours_v1"][0] / best["hf"][0], best["ours_v1"][1] / best["hf"][1]))
  print("Every step (seconds): %s" % "; ".join(
      "%s %s %s" % (side, mode, ", ".join("%.2f" % t for t in times[(side, mode)]))
      for side in sides for mode in ("inference", "training")))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--part", choices=["conversion", "model", "all"], default="all")
  parser.add_argument("--num_questions", type=int, default=10000)
  parser.add_argument("--config", default=BASE_CONFIG)
  parser.add_argument("--seq_length", type=int, default=384)
  parser.add_argument("--batch_size", type=int, default=8)
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--inter_op_threads", type=int, default=0,
                      help="TF inter-op threads; 0 = TensorFlow's default, as in the runners")
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--rounds", type=int, default=3)
  parser.add_argument("--inference_steps", type=int, default=2, help="per round")
  parser.add_argument("--training_steps", type=int, default=1, help="per round")
  parser.add_argument("--heads", default="v1,v2", help="our heads to measure: v1, v2 or both")
  parser.add_argument("--side", default=None, help=argparse.SUPPRESS)
  parser.add_argument("--split", default=None, help=argparse.SUPPRESS)
  parser.add_argument("--squad_file", default=None, help=argparse.SUPPRESS)
  args = parser.parse_args()

  if args.side == "convert":
    convert_in_this_process(args)
  elif args.side is not None:
    bench_model.serve(args, {side: setup for side, (_, setup) in SIDES.items()})
  else:
    if args.part in ("conversion", "all"):
      run_conversion(args)
    if args.part in ("model", "all"):
      run_model(args)


if __name__ == "__main__":
  main()
