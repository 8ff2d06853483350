# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""RACE fine-tuning throughput on CPU: our TF graph vs Hugging Face AlbertForMultipleChoice.

Measures, for ALBERT-base (configs/albert_base_v2.json, random init) on RACE-shaped input
(every question = 4 choices of max_seq_length tokens, 512 by default as the original's RACE
recipe):
  * fine-tuning questions/sec: forward + backward + AdamW update with clipping to norm 1.0
    (ours: race_utils.create_model + optimization.create_optimizer, i.e. run_race's training
    graph; Hugging Face: AlbertForMultipleChoice + torch.optim.AdamW + clip_grad_norm_),
  * evaluation questions/sec: forward only (skip with --inference_steps 0),
  * each as a share of the fp32 matmul rate measured in the same process (2048^3 matmul),
    counting the encoder's matmul FLOPs (training = 3x forward).
Same config, batch, sequence length and thread count on both sides; each side lives in its
own child process and the driver alternates between them in rounds (bench_model.py's
machinery), so both see the same machine state. Inputs are fixed random token ids with the
last 1/8 of each sequence padded (no input pipeline cost).

  .venv/bin/python benchmarks/bench_race.py                       # batch 2, seq 512, 2 rounds
  .venv/bin/python benchmarks/bench_race.py --batch_size 1 --seq_length 64 --rounds 1  # smoke

Not a test: run by hand, then append the printed section to benchmarks/RESULTS.md.
"""

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time

BENCHMARKS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCHMARKS_DIR)
import bench_model  # pylint: disable=g-import-not-at-top,wrong-import-position

REPO_ROOT = bench_model.REPO_ROOT
CONFIG_PATH = bench_model.CONFIG_PATH
NUM_CHOICES = 4
MODES = ("training", "inference")


def _race_inputs(vocab_size, args, seed=12345):
  """Fixed random RACE batch: ids, mask, segments [B, 4, L] (int32) and labels [B]."""
  import numpy as np
  num_sequences = args.batch_size * NUM_CHOICES
  arrays = bench_model._random_inputs(  # pylint: disable=protected-access
      vocab_size, num_sequences, args.seq_length, seed)
  shape = [args.batch_size, NUM_CHOICES, args.seq_length]
  labels = np.random.RandomState(seed).randint(0, NUM_CHOICES, size=[args.batch_size])
  return [array.reshape(shape) for array in arrays] + [labels.astype(np.int32)]


def _modes(args):
  return [mode for mode in MODES if _steps_per_round(args, mode) > 0]


def _steps_per_round(args, mode):
  return args.training_steps if mode == "training" else args.inference_steps


def setup_ours(args):
  """run_race's graph: race_utils.create_model (+ AdamW training op), one Session per mode."""
  import tensorflow as tf
  sys.path.insert(0, REPO_ROOT)
  from albert import estimator_utils
  from albert import modeling
  from albert import optimization
  from albert import race_utils

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  ids, mask, segments, labels = _race_inputs(config.vocab_size, args)
  flat_shape = [args.batch_size, NUM_CHOICES * args.seq_length]  # the TFRecord layout
  feeds = [ids.reshape(flat_shape), mask.reshape(flat_shape), segments.reshape(flat_shape),
           labels]
  session_config = bench_model.tf_session_config(args)

  def build(mode):
    placeholders = [tf.compat.v1.placeholder(tf.int32, flat_shape) for _ in range(3)]
    placeholders.append(tf.compat.v1.placeholder(tf.int32, [args.batch_size]))
    # The training graph as the runners' Estimator builds it.
    scope = (estimator_utils.training_graph_scope(estimator_utils.RunSettings())
             if mode == "training" else contextlib.nullcontext())
    with scope:
      loss, _, probabilities, _, _ = race_utils.create_model(
          config, mode == "training", *placeholders, num_labels=NUM_CHOICES,
          use_one_hot_embeddings=False, max_seq_length=args.seq_length, dropout_prob=0.1,
          hub_module=None)
      if mode == "training":
        # run_race's optimizer: AdamW, warmup + linear decay, clip 1.0.
        fetch = optimization.create_optimizer(loss, 1e-5, 12000, 1000, False, "adamw")
      else:
        fetch = probabilities
    return fetch, dict(zip(placeholders, feeds))

  steps = bench_model.tf_session_steps(_modes(args), build, session_config)
  info = bench_model.tf_info()
  return steps, bench_model.tf_matmul_rate_fn(session_config), info


def setup_hugging_face(args):
  """transformers' AlbertForMultipleChoice with the same config, threads and batch."""
  import torch
  import transformers

  torch.set_num_threads(args.threads)
  torch.manual_seed(0)
  with open(CONFIG_PATH) as handle:
    hf_config = bench_model.hf_config_from_ours(json.load(handle),
                                                classifier_dropout_prob=0.1)
  model = transformers.AlbertForMultipleChoice(hf_config)
  ids, mask, segments, labels = [torch.from_numpy(array).long() for array in
                                 _race_inputs(hf_config.vocab_size, args)]
  inputs = dict(input_ids=ids, attention_mask=mask, token_type_ids=segments)  # [B, 4, L]
  optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01, eps=1e-6)

  def training_step():
    model.train()
    loss = model(**inputs, labels=labels).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

  def inference_step():
    model.eval()
    with torch.inference_mode():
      model(**inputs).logits.softmax(-1)

  all_steps = {"training": training_step, "inference": inference_step}
  info = {"torch": torch.__version__, "transformers": transformers.__version__,
          "attn_implementation": model.config._attn_implementation}  # pylint: disable=protected-access
  return ({mode: all_steps[mode] for mode in _modes(args)}, bench_model.torch_matmul_rate_fn(),
          info)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--batch_size", type=int, default=2, help="questions per step")
  parser.add_argument("--seq_length", type=int, default=512)
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--inter_op_threads", type=int, default=0,
                      help="TF inter-op threads; 0 = TensorFlow's default, as in the runners")
  parser.add_argument("--warmup", type=int, default=1, help="untimed steps per mode")
  parser.add_argument("--rounds", type=int, default=2)
  parser.add_argument("--training_steps", type=int, default=1, help="per round")
  parser.add_argument("--inference_steps", type=int, default=1, help="per round; 0 skips")
  parser.add_argument("--side", choices=["ours", "hf", "both"], default="both",
                      help=argparse.SUPPRESS)
  args = parser.parse_args()

  if args.side != "both":
    bench_model.serve(args, {"ours": setup_ours, "hf": setup_hugging_face})
    return

  load_before = os.getloadavg()
  children = {side: bench_model._Child(side, script=__file__)  # pylint: disable=protected-access
              for side in ("ours", "hf")}
  modes = _modes(args)
  times, matmul = bench_model.run_rounds(
      children, {mode: _steps_per_round(args, mode) for mode in modes}, args.rounds)
  ours, theirs = children["ours"].info, children["hf"].info

  with open(CONFIG_PATH) as handle:
    forward_flops = bench_model.encoder_forward_flops(
        json.load(handle), args.batch_size * NUM_CHOICES, args.seq_length)
  flops = {"training": 3.0 * forward_flops, "inference": forward_flops}
  cpu = subprocess.run("lscpu | grep 'Model name'", shell=True, stdout=subprocess.PIPE,
                       text=True).stdout.split(":", 1)[-1].strip()
  print("## RACE fine-tuning throughput (benchmarks/bench_race.py), %s UTC" %
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
  print()
  print("Machine: %s, %d cores, %d threads per side (TF inter-op %d); Python %s; 1-minute load "
        "average before / after: %.1f / %.1f." % (cpu, os.cpu_count(), args.threads,
                                                   args.inter_op_threads,
                                                   platform.python_version(), load_before[0],
                                                   os.getloadavg()[0]))
  print("ALBERT-base (configs/albert_base_v2.json, random init), batch %d questions x %d "
        "choices x seq %d (%d sequences per step); %d warm-up step(s) per mode, then %d "
        "alternating rounds of %d training / %d evaluation step(s) per side." %
        (args.batch_size, NUM_CHOICES, args.seq_length, args.batch_size * NUM_CHOICES,
         args.warmup, args.rounds, args.training_steps, args.inference_steps))
  print("Ours: TF %s graph, oneDNN %s (race_utils.create_model + optimization.create_optimizer, "
        "AdamW, clip 1.0). Hugging Face: AlbertForMultipleChoice (torch %s, transformers %s, "
        "attention %s) + torch.optim.AdamW, clip 1.0." %
        (ours["tensorflow"], ours["onednn"], theirs["torch"], theirs["transformers"],
         theirs["attn_implementation"]))
  print("Encoder matmul FLOPs per step: forward %.0f GFLOP, training counted as 3x forward. "
        "Share = model GFLOP/s / fp32 matmul GFLOP/s of the same process (best of each)." %
        (forward_flops / 1e9))
  print()
  print("| step | ours questions/s best (median) | HF questions/s best (median) | ours / HF "
        "| ours share of matmul | HF share of matmul |")
  print("|---|---|---|---|---|---|")
  labels = {"training": "fine-tuning", "inference": "evaluation"}
  for mode in modes:
    rates, shares = {}, {}
    for side in ("ours", "hf"):
      rates[side] = bench_model._summary(times[(side, mode)], args.batch_size)  # pylint: disable=protected-access
      model_gflops = flops[mode] * rates[side][0] / args.batch_size / 1e9
      shares[side] = "%.0f%% (%.0f of %.0f GFLOP/s)" % (
          100.0 * model_gflops / max(matmul[side]), model_gflops, max(matmul[side]))
    print("| %s | %.3f (%.3f) | %.3f (%.3f) | %.2fx | %s | %s |" % (
        labels[mode], rates["ours"][0], rates["ours"][1], rates["hf"][0], rates["hf"][1],
        rates["ours"][0] / rates["hf"][0], shares["ours"], shares["hf"]))
  print()
  print("Per round (questions/s of each round's fastest step; fp32 matmul GFLOP/s TF / torch):")
  for round_index in range(args.rounds):
    cells = []
    for mode in modes:
      steps = _steps_per_round(args, mode)
      for side in ("ours", "hf"):
        round_times = times[(side, mode)][round_index * steps:(round_index + 1) * steps]
        cells.append("%s %s %.3f" % (side, labels[mode], args.batch_size / min(round_times)))
    print("  round %d: %s | matmul %.0f / %.0f" % (round_index + 1, "; ".join(cells),
                                                    matmul["ours"][round_index],
                                                    matmul["hf"][round_index]))


if __name__ == "__main__":
  main()
