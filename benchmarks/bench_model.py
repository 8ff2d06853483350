# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Throughput of ALBERT-base on CPU: this project (TF graph mode) vs Hugging Face PyTorch.

Measures examples/sec of inference (forward only) and of a training step (forward, backward,
gradient clipping to norm 1.0, AdamW update) at the same batch size, sequence length, config
and thread count on every side, plus the machine's matmul rates for context. Each side lives
in its own child process (so thread pools never compete), and the driver alternates between them
in rounds (side 1 inference, side 2 inference, ..., side 1 training, ..., repeat): on a shared
machine whose speed drifts, all sides then see the same conditions. Rates use the fastest
step of each side; medians are printed too.

Sides (--sides, comma-separated): `hf`, or `ours` with options after a colon, joined by "+":
`precision=bf16|fp16` (mixed_precision.precision_scope), `xla` (tf.xla.experimental.jit_scope
around the graph, as --use_xla does), `matmul_path` (use_einsum=False), `repo=PATH` (the albert
package of another checkout, e.g. main, for before/after comparisons), `env=NAME=VALUE` (an
environment variable of that side's process, e.g. env=TF_ENABLE_ONEDNN_OPTS=0). Ratios are
relative to the first side.

  .venv/bin/python benchmarks/bench_model.py                    # ours vs HF, batch 8, seq 128
  .venv/bin/python benchmarks/bench_model.py --sides=ours,ours:precision=bf16  # fp32 vs bf16
  .venv/bin/python benchmarks/bench_model.py --sides=ours,ours:xla --modes=training
  .venv/bin/python benchmarks/bench_model.py --sides=ours:repo=/work/main,ours --modes=training
  .venv/bin/python benchmarks/bench_model.py --sides=ours --timeline=/tmp/tl.json --rounds 1

Both sides train the encoder only (no heads) on the same loss, mean(sequence_output^2) +
mean(pooled_output^2), which reaches every parameter.
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_PATH = os.path.join(REPO_ROOT, "configs", "albert_base_v2.json")


def _random_inputs(vocab_size, batch_size, seq_length, seed=12345):
  import numpy as np
  rng = np.random.RandomState(seed)
  input_ids = rng.randint(0, vocab_size, size=[batch_size, seq_length]).astype(np.int32)
  input_mask = np.ones([batch_size, seq_length], np.int32)
  input_mask[:, seq_length - seq_length // 8:] = 0  # some padding, as in real batches
  token_type_ids = np.zeros([batch_size, seq_length], np.int32)
  token_type_ids[:, seq_length // 2:] = 1
  return input_ids, input_mask, token_type_ids


def _time_steps(step, steps):
  """Runs `step` `steps` times; returns [wall seconds, process CPU seconds] per step.

  On a shared machine the wall time of a step grows with the other jobs' load, while the CPU
  time (all of this process's threads) mostly measures the work done: compare variants by it.
  """
  times = []
  for _ in range(steps):
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    step()
    times.append([time.perf_counter() - start_wall, time.process_time() - start_cpu])
  return times


def _matmul_gflops(matmul, size):
  """Rate of one [size, size] x [size, size] matmul: {"wall": best-of-10 GFLOP/s,
  "cpu": GFLOP per CPU second, best of 10}."""
  matmul()
  times = _time_steps(matmul, 10)
  flops = 2.0 * size ** 3
  return {"wall": flops / min(t[0] for t in times) / 1e9,
          "cpu": flops / min(t[1] for t in times) / 1e9}


def _parse_side(spec):
  """"ours:precision=bf16+xla" -> ("ours", {"precision": "bf16", "xla": True})."""
  kind, _, option_text = spec.partition(":")
  if kind not in ("ours", "hf"):
    raise ValueError("unknown side %r (expected ours[:options] or hf)" % spec)
  options = {}
  for option in filter(None, option_text.split("+")):
    name, _, value = option.partition("=")
    options[name] = value or True
  unknown = set(options) - {"precision", "xla", "matmul_path", "repo", "env"}
  if unknown or (kind == "hf" and options):
    raise ValueError("side %r: unsupported options %s" % (spec, sorted(unknown or options)))
  return kind, options


def setup_ours(args, options):
  """Our TF graph-mode model: one Session per mode, fixed random ids fed via placeholders.

  Returns ({mode: step function}, {dtype: matmul-rate function}, info dict).
  """
  import contextlib
  import tensorflow as tf
  sys.path.insert(0, options.get("repo", REPO_ROOT))
  from albert import modeling
  from albert import optimization
  try:
    from albert import mixed_precision
    precision_scope = mixed_precision.precision_scope
  except ImportError:  # a checkout from before mixed precision: fp32 only
    precision_scope = lambda precision: contextlib.nullcontext()

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  feeds = _random_inputs(config.vocab_size, args.batch_size, args.seq_length)
  session_config = tf.compat.v1.ConfigProto(
      intra_op_parallelism_threads=args.threads,
      inter_op_parallelism_threads=args.inter_op_threads)
  precision = options.get("precision", "fp32")
  use_xla = options.get("xla", args.xla)

  steps = {}
  info = {"tensorflow": tf.__version__,
          "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
          "albert": os.path.dirname(os.path.dirname(modeling.__file__))}
  for mode in args.modes:
    graph = tf.Graph()
    with graph.as_default():
      tf.compat.v1.set_random_seed(0)
      placeholders = [tf.compat.v1.placeholder(tf.int32, [args.batch_size, args.seq_length])
                      for _ in range(3)]
      # As estimator_utils does for --use_xla: session-level auto-clustering
      # (global_jit_level) does nothing on CPU, jit_scope compiles on CPU and GPU.
      xla_scope = tf.xla.experimental.jit_scope() if use_xla else contextlib.nullcontext()
      with precision_scope(precision), xla_scope:
        model = modeling.AlbertModel(
            config, is_training=(mode == "training"), input_ids=placeholders[0],
            input_mask=placeholders[1], token_type_ids=placeholders[2],
            use_einsum=not options.get("matmul_path", args.matmul_path))
        if mode == "inference":
          fetch = model.get_sequence_output()
        else:
          loss = (tf.reduce_mean(tf.square(model.get_sequence_output())) +
                  tf.reduce_mean(tf.square(model.get_pooled_output())))
          fetch = optimization.create_optimizer(
              loss, init_lr=1e-4, num_train_steps=1000000, num_warmup_steps=10,
              use_tpu=False, optimizer="adamw")
      init = [tf.compat.v1.global_variables_initializer(),
              tf.compat.v1.local_variables_initializer()]
      graph.finalize()
    feed_dict = dict(zip(placeholders, feeds))
    sess = tf.compat.v1.Session(graph=graph, config=session_config)
    sess.run(init)
    steps[mode] = (lambda sess=sess, fetch=fetch, feed_dict=feed_dict:
                   sess.run(fetch, feed_dict))
    if args.timeline and mode == args.timeline_mode:
      from tensorflow.python.client import timeline
      steps[mode]()
      run_options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
      run_metadata = tf.compat.v1.RunMetadata()
      sess.run(fetch, feed_dict, options=run_options, run_metadata=run_metadata)
      with open(args.timeline, "w") as handle:
        handle.write(timeline.Timeline(run_metadata.step_stats).generate_chrome_trace_format())
      info["op_time_by_type_ms"] = _op_time_by_type(run_metadata)

  size = 2048
  matmul_rates = {}
  for dtype_name, dtype in (("fp32", tf.float32), ("bf16", tf.bfloat16)):
    graph = tf.Graph()
    with graph.as_default():
      a = tf.Variable(tf.cast(tf.random.normal([size, size]), dtype))
      b = tf.Variable(tf.cast(tf.random.normal([size, size]), dtype))
      # reduce: keep the fetch copy out of the timing
      product = tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32))
      init = tf.compat.v1.global_variables_initializer()
    matmul_sess = tf.compat.v1.Session(graph=graph, config=session_config)
    matmul_sess.run(init)
    matmul_rates[dtype_name] = (
        lambda matmul_sess=matmul_sess, product=product:
        _matmul_gflops(lambda: matmul_sess.run(product), size))
  return steps, matmul_rates, info


def _op_time_by_type(run_metadata):
  """Sums op execution times (ms) of one traced step by op type, largest first."""
  totals = {}
  for device in run_metadata.step_stats.dev_stats:
    if "/device:CPU" not in device.device or "stream" in device.device:
      continue
    for node in device.node_stats:
      op_type = node.timeline_label.split("(")[0].split(" = ")[-1].strip() or node.node_name
      elapsed = (node.all_end_rel_micros) / 1000.0
      totals[op_type] = totals.get(op_type, 0.0) + elapsed
  return dict(sorted(totals.items(), key=lambda item: -item[1])[:20])


def setup_hugging_face(args, options):
  """Hugging Face transformers' PyTorch AlbertModel with the same config and thread count."""
  import numpy as np
  import torch
  import transformers

  del options
  torch.set_num_threads(args.threads)
  torch.manual_seed(0)
  with open(CONFIG_PATH) as handle:
    config_dict = json.load(handle)
  hf_config = transformers.AlbertConfig(
      vocab_size=config_dict["vocab_size"],
      embedding_size=config_dict["embedding_size"],
      hidden_size=config_dict["hidden_size"],
      num_hidden_layers=config_dict["num_hidden_layers"],
      num_hidden_groups=config_dict["num_hidden_groups"],
      num_attention_heads=config_dict["num_attention_heads"],
      intermediate_size=config_dict["intermediate_size"],
      inner_group_num=config_dict["inner_group_num"],
      hidden_act="gelu_new",  # the tanh GELU, same as ours
      hidden_dropout_prob=config_dict["hidden_dropout_prob"],
      attention_probs_dropout_prob=config_dict["attention_probs_dropout_prob"],
      max_position_embeddings=config_dict["max_position_embeddings"],
      type_vocab_size=config_dict["type_vocab_size"],
      layer_norm_eps=1e-12)
  inference_model = transformers.AlbertModel(hf_config).eval()
  training_model = transformers.AlbertModel(hf_config).train()
  feeds = [torch.from_numpy(array.astype(np.int64)) for array in
           _random_inputs(hf_config.vocab_size, args.batch_size, args.seq_length)]
  inputs = dict(input_ids=feeds[0], attention_mask=feeds[1], token_type_ids=feeds[2])
  optimizer = torch.optim.AdamW(training_model.parameters(), lr=1e-4, weight_decay=0.01,
                                eps=1e-6)

  def inference_step():
    with torch.inference_mode():
      inference_model(**inputs)

  def training_step():
    outputs = training_model(**inputs)
    loss = (outputs.last_hidden_state.square().mean() + outputs.pooler_output.square().mean())
    loss.backward()
    torch.nn.utils.clip_grad_norm_(training_model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

  size = 2048
  a = torch.randn(size, size)
  b = torch.randn(size, size)
  info = {"torch": torch.__version__, "transformers": transformers.__version__,
          "attn_implementation": inference_model.config._attn_implementation}
  return ({"inference": inference_step, "training": training_step},
          {"fp32": lambda: _matmul_gflops(lambda: torch.mm(a, b), size)}, info)


def serve(args):
  """Child process: set up one side, then answer driver commands read from stdin."""
  kind, options = _parse_side(args.side)
  steps, matmul_rates, info = (setup_ours if kind == "ours" else setup_hugging_face)(
      args, options)
  for mode in args.modes:
    _time_steps(steps[mode], args.warmup)
  print(json.dumps(info), flush=True)
  for line in sys.stdin:
    command = line.split()
    if command[0] == "matmul":
      print(json.dumps({name: rate() for name, rate in matmul_rates.items()}), flush=True)
    elif command[0] in steps:
      print(json.dumps(_time_steps(steps[command[0]], int(command[1]))), flush=True)
    else:
      return


class _Child(object):
  """One side in its own interpreter, driven line by line over stdin/stdout."""

  def __init__(self, side, traced):
    env = dict(os.environ)
    kind, options = _parse_side(side)
    if "env" in options:
      name, _, value = options["env"].partition("=")
      env[name] = value
    if kind == "ours":
      if not options.get("env", "").startswith("TF_ENABLE_ONEDNN_OPTS="):
        env["TF_ENABLE_ONEDNN_OPTS"] = "1"  # the default on x86; undo the test suite's "0"
      env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    else:
      env["USE_TF"] = "0"  # transformers must not import TensorFlow on the PyTorch side
    arguments = sys.argv[1:]
    if not traced:  # only the first of our sides writes the trace
      arguments = [arg for arg in arguments if not arg.startswith("--timeline=")]
    command = [sys.executable, os.path.abspath(__file__), "--side", side] + [
        arg for arg in arguments if not arg.startswith("--sides")]
    self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
    self.info = self._read()

  def _read(self):
    line = self.process.stdout.readline()
    if not line:
      raise RuntimeError("benchmark child exited early (see its stderr above)")
    return json.loads(line)

  def ask(self, command):
    self.process.stdin.write(command + "\n")
    self.process.stdin.flush()
    return self._read()

  def close(self):
    self.process.stdin.write("quit\n")
    self.process.stdin.close()
    self.process.wait()


def _summary(times, batch_size, column=0):
  """(examples/sec of the fastest step, of the median step); column 1: per CPU second."""
  ordered = sorted(t[column] for t in times)
  return batch_size / ordered[0], batch_size / ordered[len(ordered) // 2]


def _forward_flops(args):
  """Forward FLOPs (multiply-adds x 2) of the encoder, to relate step times to matmul rates."""
  config = json.load(open(CONFIG_PATH))
  tokens = args.batch_size * args.seq_length
  hidden, intermediate = config["hidden_size"], config["intermediate_size"]
  return 2.0 * config["num_hidden_layers"] * (
      tokens * (4 * hidden * hidden + 2 * hidden * intermediate) +
      2 * args.batch_size * args.seq_length ** 2 * hidden)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--batch_size", type=int, default=8)
  parser.add_argument("--seq_length", type=int, default=128)
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--inter_op_threads", type=int, default=1)
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--rounds", type=int, default=4)
  parser.add_argument("--inference_steps", type=int, default=3, help="per round")
  parser.add_argument("--training_steps", type=int, default=2, help="per round")
  parser.add_argument("--modes", default="inference,training",
                      type=lambda text: text.split(","))
  parser.add_argument("--sides", default="ours,hf",
                      help="comma-separated sides, the first is the reference (see above)")
  parser.add_argument("--matmul_path", action="store_true",
                      help="every ours side with use_einsum=False (reshape + MatMul)")
  parser.add_argument("--xla", action="store_true", help="every ours side under XLA")
  parser.add_argument("--timeline", default="",
                      help="write a Chrome trace of one traced step of the first ours side "
                           "here (give it as --timeline=PATH)")
  parser.add_argument("--timeline_mode", default="training", choices=["inference", "training"])
  parser.add_argument("--side", default=None, help=argparse.SUPPRESS)
  args = parser.parse_args()

  if args.side is not None:
    serve(args)
    return

  sides = args.sides.split(",")
  for side in sides:
    _parse_side(side)
  first_ours = [side for side in sides if side.startswith("ours")][:1]
  children = {side: _Child(side, traced=side in first_ours) for side in sides}
  times = {(side, mode): [] for side in children for mode in args.modes}
  matmul = {side: [] for side in children}
  steps_per_round = {"inference": args.inference_steps, "training": args.training_steps}
  for _ in range(args.rounds):
    for mode in args.modes:
      for side, child in children.items():
        times[(side, mode)] += child.ask("%s %d" % (mode, steps_per_round[mode]))
    for side, child in children.items():
      matmul[side].append(child.ask("matmul"))
  infos = {side: child.info for side, child in children.items()}
  for child in children.values():
    child.close()

  print("ALBERT-base (configs/albert_base_v2.json), batch %d, seq %d, %d threads "
        "(TF inter-op %d), CPU; %d interleaved rounds" %
        (args.batch_size, args.seq_length, args.threads, args.inter_op_threads, args.rounds))
  for side, info in infos.items():
    print("  %s: %s" % (side, ", ".join("%s %s" % item for item in sorted(info.items())
                                          if item[0] != "op_time_by_type_ms")))
  reference = sides[0]
  forward_flops = _forward_flops(args)
  flop_factor = {"inference": 1.0, "training": 3.0}  # training = forward + backward (2x)
  print("ex/s: examples per wall second; ex/CPU-s: examples per CPU second of the process "
        "(all threads; robust to other jobs' load). eff: model GFLOP per CPU second / the "
        "fp32 2048^3 matmul's (same process, same rounds).")
  print("| side | step | ex/s best (median) | ex/CPU-s best (median) | vs %s (CPU) | eff |" %
        reference)
  print("|---|---|---|---|---|---|")
  for mode in args.modes:
    ref_cpu = _summary(times[(reference, mode)], args.batch_size, 1)
    for side in sides:
      wall_best, wall_median = _summary(times[(side, mode)], args.batch_size)
      cpu_best, cpu_median = _summary(times[(side, mode)], args.batch_size, 1)
      matmul_cpu = max(rates["fp32"]["cpu"] for rates in matmul[side])
      efficiency = flop_factor[mode] * forward_flops * cpu_best / args.batch_size / 1e9 / (
          matmul_cpu)
      print("| %s | %s | %.2f (%.2f) | %.2f (%.2f) | %.2fx (%.2fx) | %.0f%% |" % (
          side, mode, wall_best, wall_median, cpu_best, cpu_median, cpu_best / ref_cpu[0],
          cpu_median / ref_cpu[1], 100 * efficiency))
  print("per round (examples/sec from each round's fastest step; model GFLOP/s with training "
        "= 3x forward; 2048^3 matmul GFLOP/s, wall / per CPU second):")
  for round_index in range(args.rounds):
    cells = []
    for side in sides:
      for mode in args.modes:
        steps = steps_per_round[mode]
        best = min(t[0] for t in
                   times[(side, mode)][round_index * steps:(round_index + 1) * steps])
        cells.append("%s %s %.2f ex/s (%.0f GFLOP/s)" % (
            side, mode, args.batch_size / best, flop_factor[mode] * forward_flops / best / 1e9))
      cells[-1] += " [matmul %s]" % ", ".join(
          "%s %.0f / %.0f" % (name, rate["wall"], rate["cpu"])
          for name, rate in sorted(matmul[side][round_index].items()))
    print("  round %d: %s" % (round_index + 1, "; ".join(cells)))
  for side, info in infos.items():
    if "op_time_by_type_ms" in info:
      print("%s, one traced %s step, op time by type (ms): %s" %
            (side, args.timeline_mode, json.dumps(
                {key: round(value) for (key, value) in info["op_time_by_type_ms"].items()})))


if __name__ == "__main__":
  main()
