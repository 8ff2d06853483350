# coding=utf-8
"""GLUE fine-tuning throughput on CPU: our TF graph vs Hugging Face PyTorch ALBERT.

Measures, for ALBERT-base (configs/albert_base_v2.json, random init) with a 2-class
sequence-classification head at max_seq_length 128:
  * fine-tuning examples/sec: forward + backward + AdamW update (ours: classifier_utils
    .create_model + optimization.create_optimizer, i.e. the run_classifier training graph;
    Hugging Face: AlbertForSequenceClassification + torch.optim.AdamW),
  * evaluation examples/sec: forward only (ours: the inference graph; HF: torch.no_grad()).
Both sides use the same config, batch size, sequence length and thread count, and each runs
in its own subprocess so thread pools do not interfere. Inputs are random token ids with a
full attention mask (GLUE-sized batches; no input pipeline cost).

  python benchmarks/bench_glue.py --threads 2 --batch_size 8 --train_steps 10 --eval_steps 10 \
      --rounds 2
  python benchmarks/bench_glue.py --sides=ours,ours:precision=bf16 --rounds 3   # fp32 vs bf16

Sides: `ours`, `ours:precision=bf16` (or fp16: the training graph in that precision, as
run_classifier --precision builds it; evaluation stays float32, as in the runner) and
`huggingface`. Our sides run with oneDNN on (TensorFlow's default on x86).

Not a test: run by hand, then append the printed section to benchmarks/RESULTS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(REPO_ROOT, "configs", "albert_base_v2.json")
NUM_LABELS = 2


def _random_batch(batch_size, seq_length, vocab_size, seed=0):
  import numpy as np  # pylint: disable=g-import-not-at-top
  rng = np.random.RandomState(seed)
  return {
      "input_ids": rng.randint(5, vocab_size, size=[batch_size, seq_length]).astype("int32"),
      "input_mask": np.ones([batch_size, seq_length], "int32"),
      "segment_ids": np.concatenate([np.zeros([batch_size, seq_length // 2], "int32"),
                                     np.ones([batch_size, seq_length - seq_length // 2],
                                             "int32")], axis=1),
      "labels": rng.randint(0, NUM_LABELS, size=[batch_size]).astype("int32"),
  }


def _timed(step_fn, warmup_steps, steps):
  for _ in range(warmup_steps):
    step_fn()
  start = time.perf_counter()
  for _ in range(steps):
    step_fn()
  return time.perf_counter() - start


def bench_ours(args, precision="fp32"):
  """Our graph: the run_classifier model (create_model) and optimizer (create_optimizer)."""
  import contextlib  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  sys.path.insert(0, REPO_ROOT)
  from albert import classifier_utils  # pylint: disable=g-import-not-at-top
  from albert import estimator_utils  # pylint: disable=g-import-not-at-top
  from albert import modeling  # pylint: disable=g-import-not-at-top
  from albert import optimization  # pylint: disable=g-import-not-at-top

  config = modeling.AlbertConfig.from_json_file(CONFIG)
  batch = _random_batch(args.batch_size, args.seq_length, config.vocab_size)
  session_config = tf.compat.v1.ConfigProto(
      intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=args.threads)
  results = {}
  for mode in ("train", "eval"):
    # As the runners' Estimator: the precision (and the fused GELU) shape the training graph.
    scope = (estimator_utils.training_graph_scope(
        estimator_utils.RunSettings(precision=precision)) if mode == "train"
             else contextlib.nullcontext())
    with tf.Graph().as_default(), scope:
      tensors = {name: tf.constant(value) for name, value in batch.items()}
      loss, _, probabilities, _, _ = classifier_utils.create_model(
          config, mode == "train", tensors["input_ids"], tensors["input_mask"],
          tensors["segment_ids"], tensors["labels"], NUM_LABELS, False, "mrpc", None)
      if mode == "train":
        fetch = optimization.create_optimizer(loss, 2e-5, 1000, 100, False, "adamw")
        steps = args.train_steps
      else:
        fetch = probabilities
        steps = args.eval_steps
      with tf.compat.v1.Session(config=session_config) as sess:
        sess.run([tf.compat.v1.global_variables_initializer(),
                  tf.compat.v1.local_variables_initializer()])
        seconds = _timed(lambda: sess.run(fetch), args.warmup_steps, steps)
    results[mode + "_examples_per_sec"] = steps * args.batch_size / seconds
  return results


def bench_huggingface(args):
  """Hugging Face AlbertForSequenceClassification with the same config."""
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top

  torch.set_num_threads(args.threads)
  torch.set_num_interop_threads(args.threads)
  with open(CONFIG) as handle:
    ours = json.load(handle)
  config = transformers.AlbertConfig(
      vocab_size=ours["vocab_size"], embedding_size=ours["embedding_size"],
      hidden_size=ours["hidden_size"], num_hidden_layers=ours["num_hidden_layers"],
      num_hidden_groups=ours["num_hidden_groups"],
      num_attention_heads=ours["num_attention_heads"],
      intermediate_size=ours["intermediate_size"], inner_group_num=ours["inner_group_num"],
      hidden_act="gelu_new",  # tanh GELU, as ALBERT's "gelu"
      hidden_dropout_prob=ours["hidden_dropout_prob"],
      attention_probs_dropout_prob=ours["attention_probs_dropout_prob"],
      max_position_embeddings=ours["max_position_embeddings"],
      type_vocab_size=ours["type_vocab_size"], initializer_range=ours["initializer_range"],
      classifier_dropout_prob=0.1, num_labels=NUM_LABELS)
  model = transformers.AlbertForSequenceClassification(config)
  batch = {name: torch.tensor(value, dtype=torch.long)
           for name, value in _random_batch(args.batch_size, args.seq_length,
                                            config.vocab_size).items()}
  inputs = dict(input_ids=batch["input_ids"], attention_mask=batch["input_mask"],
                token_type_ids=batch["segment_ids"])
  optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, eps=1e-6, weight_decay=0.01)

  def train_step():
    optimizer.zero_grad(set_to_none=True)
    loss = model(**inputs, labels=batch["labels"]).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()

  def eval_step():
    with torch.no_grad():
      model(**inputs).logits.softmax(-1)

  model.train()
  train_seconds = _timed(train_step, args.warmup_steps, args.train_steps)
  model.eval()
  eval_seconds = _timed(eval_step, args.warmup_steps, args.eval_steps)
  return {"train_examples_per_sec": args.train_steps * args.batch_size / train_seconds,
          "eval_examples_per_sec": args.eval_steps * args.batch_size / eval_seconds,
          "torch": torch.__version__, "transformers": transformers.__version__}


def _run_side(side, args):
  env = dict(os.environ)
  env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "",
              "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)})
  if side == "huggingface":
    env["USE_TF"] = "0"
  else:
    env["TF_ENABLE_ONEDNN_OPTS"] = "1"  # TensorFlow's default on x86
  command = [sys.executable, os.path.abspath(__file__), "--side", side] + [
      "--%s=%s" % (key, value) for key, value in vars(args).items()
      if key not in ("side", "sides", "rounds")]
  output = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE,
                          text=True).stdout
  return json.loads(output.strip().splitlines()[-1])


def _ours_precision(side):
  """"ours" -> "fp32", "ours:precision=bf16" -> "bf16"."""
  kind, _, option = side.partition(":")
  precision = option.partition("=")[2] if option.startswith("precision=") else "fp32"
  if kind != "ours" or (option and not option.startswith("precision=")) or precision not in (
      "fp32", "bf16", "fp16"):
    raise SystemExit("unknown side %r (expected ours, ours:precision=bf16|fp16 or "
                     "huggingface)" % side)
  return precision


RATE_KEYS = ("train_examples_per_sec", "eval_examples_per_sec")


def _alternating_rounds(sides, args):
  """Runs the sides in turn for --rounds rounds.

  Returns:
    ({side: [each round's result]}, {side: {rate key: best round's rate}}). The best round is
    the least disturbed by other processes on a shared machine.
  """
  rounds = {side: [] for side in sides}
  for _ in range(args.rounds):
    for side in sides:
      rounds[side].append(_run_side(side, args))
  best = {side: {key: max(run[key] for run in runs) for key in RATE_KEYS}
          for side, runs in rounds.items()}
  return rounds, best


def _compare_sides(sides, args):
  """Any sides in alternating rounds; every round's figures and the best, vs the first."""
  rounds, best = _alternating_rounds(sides, args)
  keys = RATE_KEYS
  print("GLUE-style sequence classification, ALBERT-base, max_seq_length %d, batch %d, %d "
        "threads; %d alternating rounds; best round (every round)." %
        (args.seq_length, args.batch_size, args.threads, args.rounds))
  print("| side | fine-tuning ex/s | vs %s | evaluation ex/s | vs %s |" % (sides[0], sides[0]))
  print("|---|---|---|---|---|")
  for side in sides:
    print("| %s | %.2f (%s) | %.2fx | %.2f (%s) | %.2fx |" % (
        side, best[side][keys[0]], " ".join("%.2f" % run[keys[0]] for run in rounds[side]),
        best[side][keys[0]] / best[sides[0]][keys[0]], best[side][keys[1]],
        " ".join("%.2f" % run[keys[1]] for run in rounds[side]),
        best[side][keys[1]] / best[sides[0]][keys[1]]))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--batch_size", type=int, default=8)
  parser.add_argument("--seq_length", type=int, default=128)
  parser.add_argument("--warmup_steps", type=int, default=2)
  parser.add_argument("--train_steps", type=int, default=10)
  parser.add_argument("--eval_steps", type=int, default=10)
  parser.add_argument("--rounds", type=int, default=2)
  parser.add_argument("--sides", default="ours,huggingface",
                      help="comma-separated: ours, ours:precision=bf16|fp16, huggingface")
  parser.add_argument("--side", default=None, help="internal: run one side and print JSON")
  args = parser.parse_args()

  if args.side is not None:
    if args.side == "huggingface":
      print(json.dumps(bench_huggingface(args)))
    else:
      print(json.dumps(bench_ours(args, _ours_precision(args.side))))
    return
  sides = args.sides.split(",")
  for side in sides:
    if side != "huggingface":
      _ours_precision(side)
  if sides != ["ours", "huggingface"]:
    _compare_sides(sides, args)
    return

  # The best round of each side is reported, next to every round's figures.
  rounds, best = _alternating_rounds(sides, args)
  ours = best["ours"]
  huggingface = dict(rounds["huggingface"][0], **best["huggingface"])
  import platform  # pylint: disable=g-import-not-at-top
  cpu = subprocess.run("lscpu | grep 'Model name'", shell=True, stdout=subprocess.PIPE,
                       text=True).stdout.split(":", 1)[-1].strip()
  load = os.getloadavg()
  print("## GLUE fine-tuning throughput (benchmarks/bench_glue.py), %s UTC" %
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
  print()
  print("Machine: %s, %d cores (os.cpu_count), %d threads per side; Python %s; "
        "load average at the end %.1f / %.1f / %.1f (the benchmark itself keeps ~2 busy)." %
        (cpu, os.cpu_count(), args.threads, platform.python_version(), *load))
  print("ALBERT-base (configs/albert_base_v2.json, random init), 2-class head, "
        "max_seq_length %d, batch %d; %d warm-up steps, then %d train / %d eval steps timed."
        % (args.seq_length, args.batch_size, args.warmup_steps, args.train_steps,
           args.eval_steps))
  print("Ours: TF 2.15 graph (classifier_utils.create_model + optimization.create_optimizer, "
        "AdamW, clip 1.0). Hugging Face: AlbertForSequenceClassification (torch %s, "
        "transformers %s) + torch.optim.AdamW, clip 1.0." %
        (huggingface["torch"], huggingface["transformers"]))
  print()
  print("| | fine-tuning examples/sec | evaluation examples/sec |")
  print("|---|---|---|")
  print("| ours (TF graph) | %.2f | %.2f |" % (ours["train_examples_per_sec"],
                                             ours["eval_examples_per_sec"]))
  print("| Hugging Face PyTorch | %.2f | %.2f |" % (huggingface["train_examples_per_sec"],
                                                   huggingface["eval_examples_per_sec"]))
  print("| ours / HF | %.2fx | %.2fx |" % (
      ours["train_examples_per_sec"] / huggingface["train_examples_per_sec"],
      ours["eval_examples_per_sec"] / huggingface["eval_examples_per_sec"]))
  print()
  print("Best of %d alternating rounds per side. Every round (train / eval examples/sec): %s."
        % (args.rounds, "; ".join(
            "%s %s" % (side, ", ".join("%.2f / %.2f" % (run["train_examples_per_sec"],
                                                       run["eval_examples_per_sec"])
                                       for run in runs))
            for side, runs in rounds.items())))


if __name__ == "__main__":
  main()
