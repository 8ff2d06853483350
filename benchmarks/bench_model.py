# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Throughput of ALBERT-base on CPU: this project (TF graph mode) vs Hugging Face PyTorch.

Measures examples/sec of inference (forward only) and of a training step (forward, backward,
gradient clipping to norm 1.0, AdamW update) at the same batch size, sequence length, config
and thread count on every side, plus the machine's fp32 matmul rate for context. Each side lives
in its own child process (so thread pools never compete), and the driver alternates between them
in rounds (side 1 inference, side 2 inference, ..., side 1 training, ..., repeat): on a shared
machine whose speed drifts, all sides then see the same conditions. Rates use the fastest
step of each side; medians are printed too.

Sides (--sides, comma-separated; ratios are relative to the first): `hf`, or `ours` with
options after a colon, joined by "+": `precision=bf16|fp16` (the training graph as
run_*.py --precision builds it; inference too here), `xla` (tf.xla.experimental.jit_scope
around the graph, as --use_xla does), `matmul_path` (use_einsum=False), `plain_kernels`
(the training graph with RunSettings(training_kernels=False), for before/after), `inter_op=N`
(this side's TF inter-op threads; 0 is TensorFlow's default, what the runners use), `repo=PATH`
(the albert package of another checkout, e.g. main, for before/after comparisons),
`env=NAME=VALUE` (an environment variable of that side's process; e.g. `env=ALBERT_CPU_KERNELS=0`
keeps the fused GELU but not the C++ LayerNorm and softmax).

The share of the fp32 matmul rate is printed two ways: the fastest step over the fastest
2048^3 matmul of the run, and paired (`paired_shares`): each step over the matmul rate measured
right after it, best and median over the steps, which holds up better while the machine's
speed drifts.

--clock=cpu times process CPU seconds (all threads) instead of wall seconds: on a machine
shared with other jobs, wall time grows with their load while CPU time mostly measures the
work done (with --threads=1 it is exactly that), so variants compare more reliably.

  .venv/bin/python benchmarks/bench_model.py                    # ours vs HF, batch 8, seq 128
  .venv/bin/python benchmarks/bench_model.py --sides=ours,ours:precision=bf16 --modes=training
  .venv/bin/python benchmarks/bench_model.py --sides=ours:repo=/work/main,ours --clock=cpu \
      --threads=1 --modes=training        # before/after on a busy machine
  .venv/bin/python benchmarks/bench_model.py --sides=ours --rounds=1 --timeline=/tmp/tl.json

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


# The clock of _time_steps: time.perf_counter (wall) or time.process_time (--clock=cpu).
_CLOCK = [time.perf_counter]


def _time_steps(step, steps):
  """Runs `step` `steps` times; returns the list of per-step seconds (of the chosen clock)."""
  clock = _CLOCK[0]
  times = []
  for _ in range(steps):
    start = clock()
    step()
    times.append(clock() - start)
  return times


def _matmul_gflops(matmul, size, repeats=10):
  """Best-of-`repeats` rate of one [size, size] x [size, size] matmul (after one warm-up)."""
  matmul()
  return 2.0 * size ** 3 / min(_time_steps(matmul, repeats)) / 1e9


def parse_side(spec):
  """"ours:precision=bf16+xla" -> ("ours", {"precision": "bf16", "xla": True})."""
  kind, _, option_text = spec.partition(":")
  options = {}
  for option in filter(None, option_text.split("+")):
    name, _, value = option.partition("=")
    options[name] = value or True
  unknown = set(options) - {"precision", "xla", "matmul_path", "plain_kernels", "inter_op",
                            "repo", "env"}
  if unknown or (kind != "ours" and options):
    raise ValueError("side %r: unsupported options %s" % (spec, sorted(unknown or options)))
  return kind, options


def setup_ours(args):
  """Our TF graph-mode model: one Session per mode, fixed random ids fed via placeholders.

  The side's options (`parse_side`) come in `args.side_options`.

  Returns ({mode: step function}, matmul-rate function, info dict).
  """
  import contextlib
  import tensorflow as tf
  options = getattr(args, "side_options", {})
  sys.path.insert(0, options.get("repo", REPO_ROOT))
  from albert import estimator_utils
  from albert import modeling
  from albert import optimization
  try:
    from albert import mixed_precision
    precision_scope = mixed_precision.precision_scope
  except ImportError:  # a checkout from before mixed precision: fp32 only
    precision_scope = lambda precision: contextlib.nullcontext()

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  feeds = _random_inputs(config.vocab_size, args.batch_size, args.seq_length)
  if "inter_op" in options:
    args.inter_op_threads = int(options["inter_op"])
  session_config = tf_session_config(args)
  precision = options.get("precision", "fp32")
  use_xla = options.get("xla", args.xla)
  info = dict(tf_info(),
              albert=os.path.dirname(os.path.dirname(os.path.abspath(modeling.__file__))),
              bf16_matmul_gflops=round(tf_matmul_rate_fn(session_config, tf.bfloat16)()))

  def graph_scope(mode):
    """The training graph as the runners build it (estimator_utils.training_graph_scope)."""
    if mode == "training" and hasattr(estimator_utils, "training_graph_scope"):
      return estimator_utils.training_graph_scope(estimator_utils.RunSettings(
          precision=precision, use_xla=bool(use_xla),
          training_kernels=not options.get("plain_kernels")))
    # Inference, or a checkout from before training_graph_scope: precision and XLA only.
    # (The session option global_jit_level does nothing on CPU without TF_XLA_FLAGS;
    # jit_scope compiles on CPU and GPU.)
    scopes = contextlib.ExitStack()
    scopes.enter_context(precision_scope(precision))
    if use_xla:
      scopes.enter_context(tf.xla.experimental.jit_scope())
    return scopes

  def build(mode):
    placeholders = [tf.compat.v1.placeholder(tf.int32, [args.batch_size, args.seq_length])
                    for _ in range(3)]
    with graph_scope(mode):
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
    return fetch, dict(zip(placeholders, feeds))

  steps = tf_session_steps(args.modes, build, session_config)
  if args.timeline and args.timeline_mode in steps:
    from tensorflow.python.client import timeline
    step = steps[args.timeline_mode]
    step()
    run_options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    run_metadata = tf.compat.v1.RunMetadata()
    step(options=run_options, run_metadata=run_metadata)
    with open(args.timeline, "w") as handle:
      handle.write(timeline.Timeline(run_metadata.step_stats).generate_chrome_trace_format())
    info["op_time_by_type_ms"] = _op_time_by_type(run_metadata)

  return steps, tf_matmul_rate_fn(session_config), info


MATMUL_SIZE = 2048


def tf_session_config(args):
  """The ConfigProto of our sides: the runners' Estimator session config, our thread counts.

  --threads intra-op and --inter_op_threads inter-op threads (0: TensorFlow's default, one
  per core, which is what the runners get).
  """
  from tensorflow_estimator.python.estimator import run_config
  session_config = run_config.get_default_session_config()
  session_config.intra_op_parallelism_threads = args.threads
  session_config.inter_op_parallelism_threads = args.inter_op_threads
  return session_config


def tf_info():
  """The info entries every TF side reports."""
  import tensorflow as tf
  return {"tensorflow": tf.__version__,
          "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")}


def tf_session_steps(modes, build_fn, session_config):
  """One graph and Session per mode, initialized; returns {mode: step function}.

  Args:
    modes: iterable of mode names ("inference", "training").
    build_fn: function(mode) -> (fetch, feed_dict), called inside the mode's fresh graph (with
      random seed 0) to build the model, its placeholders and what one step runs.
    session_config: `tf_session_config(args)`.

  Returns:
    {mode: function(**run_kwargs)} running one step (`Session.run(fetch, feed_dict,
    **run_kwargs)`, e.g. with options/run_metadata for a trace).
  """
  import tensorflow as tf
  steps = {}
  for mode in modes:
    graph = tf.Graph()
    with graph.as_default():
      tf.compat.v1.set_random_seed(0)
      fetch, feed_dict = build_fn(mode)
      init = [tf.compat.v1.global_variables_initializer(),
              tf.compat.v1.local_variables_initializer()]
      graph.finalize()
    sess = tf.compat.v1.Session(graph=graph, config=session_config)
    sess.run(init)
    steps[mode] = (lambda sess=sess, fetch=fetch, feed_dict=feed_dict, **run_kwargs:
                   sess.run(fetch, feed_dict, **run_kwargs))
  return steps


def tf_matmul_rate_fn(session_config, dtype=None):
  """Returns function() -> GFLOP/s of a [2048, 2048] TF matmul (fp32, or `dtype`)."""
  import tensorflow as tf
  dtype = dtype or tf.float32
  size = MATMUL_SIZE
  graph = tf.Graph()
  with graph.as_default():
    a = tf.Variable(tf.cast(tf.random.normal([size, size]), dtype))
    b = tf.Variable(tf.cast(tf.random.normal([size, size]), dtype))
    # reduce: keep the fetch copy out of the timing
    product = tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32))
    init = tf.compat.v1.global_variables_initializer()
  matmul_sess = tf.compat.v1.Session(graph=graph, config=session_config)
  matmul_sess.run(init)
  return lambda repeats=10: _matmul_gflops(lambda: matmul_sess.run(product), size, repeats)


def torch_matmul_rate_fn():
  """Returns function() -> GFLOP/s of a [2048, 2048] fp32 torch matmul (current threads)."""
  import torch
  a = torch.randn(MATMUL_SIZE, MATMUL_SIZE)
  b = torch.randn(MATMUL_SIZE, MATMUL_SIZE)
  return lambda repeats=10: _matmul_gflops(lambda: torch.mm(a, b), MATMUL_SIZE, repeats)


def hf_config_from_ours(config_dict, **overrides):
  """transformers.AlbertConfig equal to one of our albert_config.json dicts.

  hidden_act is "gelu_new", the tanh GELU that ALBERT's "gelu" is; `overrides` adds
  head-specific settings (num_labels, classifier_dropout_prob, ...).
  """
  import transformers
  return transformers.AlbertConfig(
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
      layer_norm_eps=1e-12, **overrides)


def encoder_forward_flops(config_dict, num_sequences, seq_length):
  """Forward FLOPs (multiply-adds x 2) of the encoder's matmuls over a batch of sequences."""
  tokens = num_sequences * seq_length
  hidden, intermediate = config_dict["hidden_size"], config_dict["intermediate_size"]
  return 2.0 * config_dict["num_hidden_layers"] * (
      tokens * (4 * hidden * hidden + 2 * hidden * intermediate) +
      2 * num_sequences * seq_length ** 2 * hidden)


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


def setup_hugging_face(args):
  """Hugging Face transformers' PyTorch AlbertModel with the same config and thread count."""
  import numpy as np
  import torch
  import transformers

  torch.set_num_threads(args.threads)
  torch.manual_seed(0)
  with open(CONFIG_PATH) as handle:
    hf_config = hf_config_from_ours(json.load(handle))
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

  info = {"torch": torch.__version__, "transformers": transformers.__version__,
          "attn_implementation": inference_model.config._attn_implementation}
  return ({"inference": inference_step, "training": training_step}, torch_matmul_rate_fn(),
          info)


def serve(args, setup_fns=None):
  """Child process: set up one side, then answer driver commands read from stdin.

  Args:
    args: parsed flags; `args.side` names the side.
    setup_fns: dict side -> function(args) -> ({mode: step function}, matmul-rate function,
      info dict); default: this benchmark's encoder sides.
  """
  setup_fns = setup_fns or {"ours": setup_ours, "hf": setup_hugging_face}
  if getattr(args, "clock", "wall") == "cpu":
    _CLOCK[0] = time.process_time
  kind, args.side_options = parse_side(args.side)
  steps, matmul_rate, info = setup_fns[kind](args)
  for mode in steps:
    _time_steps(steps[mode], args.warmup)
  print(json.dumps(info), flush=True)
  for line in sys.stdin:
    command = line.split()
    if command[0] == "matmul":
      print(json.dumps(matmul_rate()), flush=True)
    elif command[0] == "paired":  # paired MODE N: each step, then the matmul rate (best of 3)
      pairs = [(_time_steps(steps[command[1]], 1)[0], matmul_rate(repeats=3))
               for _ in range(int(command[2]))]
      print(json.dumps(pairs), flush=True)
    elif command[0] in steps:
      print(json.dumps(_time_steps(steps[command[0]], int(command[1]))), flush=True)
    else:
      return


class _Child(object):
  """One side in its own interpreter, driven line by line over stdin/stdout."""

  def __init__(self, side, script=None, traced=True):
    """Starts `script` (default: this file) with `--side <side>` and the driver's arguments.

    Sides named "ours..." run TensorFlow, the others PyTorch. Only a `traced` side keeps the
    driver's --timeline argument.
    """
    env = dict(os.environ)
    _, options = parse_side(side)
    if side.startswith("ours"):
      env["TF_ENABLE_ONEDNN_OPTS"] = "1"  # the default on x86; undo the test suite's "0"
      env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    else:
      env["USE_TF"] = "0"  # transformers must not import TensorFlow on the PyTorch side
    if "env" in options:
      name, _, value = options["env"].partition("=")
      env[name] = value
    arguments = [arg for arg in sys.argv[1:] if not arg.startswith("--sides")]
    if not traced:
      arguments = [arg for arg in arguments if not arg.startswith("--timeline")]
    command = [sys.executable, os.path.abspath(script or __file__), "--side", side] + arguments
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


def run_rounds(children, steps_per_mode, rounds, paired=False):
  """Alternates the sides round by round, then closes them.

  Each round runs every mode on every side in turn (`steps_per_mode[mode]` timed steps each),
  then measures each side's matmul rate, so both sides see the same machine state.

  Args:
    children: dict side -> `_Child`.
    steps_per_mode: dict mode -> timed steps per round, in the order the modes run.
    rounds: number of rounds.
    paired: also measure the matmul rate (best of 3) right after every timed step, so that
      each step has a yardstick taken in the same machine state (`paired_shares`).

  Returns:
    (times, matmul): {(side, mode): per-step seconds, round after round} and
    {side: [matmul GFLOP/s of each round]}; with `paired`, matmul[(side, mode)] also holds
    the rate measured after each step, in the order of times[(side, mode)].
  """
  times = {(side, mode): [] for side in children for mode in steps_per_mode}
  matmul = {side: [] for side in children}
  if paired:
    matmul.update({key: [] for key in times})
  for _ in range(rounds):
    for mode, steps in steps_per_mode.items():
      for side, child in children.items():
        if paired:
          pairs = child.ask("paired %s %d" % (mode, steps))
          times[(side, mode)] += [step for step, _ in pairs]
          matmul[(side, mode)] += [rate for _, rate in pairs]
        else:
          times[(side, mode)] += child.ask("%s %d" % (mode, steps))
    for side, child in children.items():
      matmul[side].append(child.ask("matmul"))
  for child in children.values():
    child.close()
  return times, matmul


def _summary(times, batch_size):
  """(examples/sec of the fastest step, of the median step)."""
  ordered = sorted(times)
  return batch_size / ordered[0], batch_size / ordered[len(ordered) // 2]


def paired_shares(step_flops, times, rates):
  """(best, median) over steps of step GFLOP/s / the matmul GFLOP/s measured right after it.

  On a machine whose speed drifts within a minute (this one: 200-300 GFLOP/s for the same
  2048^3 matmul), the fastest step over the fastest matmul of a whole run mixes moments; a
  step and the matmul measured a second later see the same machine.
  """
  shares = sorted(step_flops / seconds / 1e9 / rate for seconds, rate in zip(times, rates))
  return shares[-1], shares[len(shares) // 2]


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--batch_size", type=int, default=8)
  parser.add_argument("--seq_length", type=int, default=128)
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--inter_op_threads", type=int, default=0,
                      help="TF inter-op threads; 0 = TensorFlow's default, as in the runners")
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--rounds", type=int, default=4)
  parser.add_argument("--inference_steps", type=int, default=3, help="per round")
  parser.add_argument("--training_steps", type=int, default=2, help="per round")
  parser.add_argument("--modes", default="inference,training",
                      type=lambda text: text.split(","))
  parser.add_argument("--sides", default="ours,hf",
                      help="comma-separated sides, the first is the reference (see above)")
  parser.add_argument("--clock", default="wall", choices=["wall", "cpu"],
                      help="time wall seconds or process CPU seconds (see above)")
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
    parse_side(side)
  first_ours = [side for side in sides if side.startswith("ours")][:1]
  children = {side: _Child(side, traced=side in first_ours) for side in sides}
  steps_per_round = {"inference": args.inference_steps, "training": args.training_steps}
  infos = {side: child.info for side, child in children.items()}
  times, matmul = run_rounds(
      children, {mode: steps_per_round[mode] for mode in args.modes}, args.rounds, paired=True)

  unit = "CPU second" if args.clock == "cpu" else "second"
  print("ALBERT-base (configs/albert_base_v2.json), batch %d, seq %d, %d threads "
        "(TF inter-op %d), CPU; %d interleaved rounds; rates per %s" %
        (args.batch_size, args.seq_length, args.threads, args.inter_op_threads, args.rounds,
         unit))
  for side, info in infos.items():
    print("  %s: %s" % (side, ", ".join("%s %s" % item for item in sorted(info.items())
                                          if item[0] != "op_time_by_type_ms")))
  # Forward FLOPs (multiply-adds x 2) of the encoder, to relate step times to the matmul rate.
  with open(CONFIG_PATH) as handle:
    forward_flops = encoder_forward_flops(json.load(handle), args.batch_size, args.seq_length)
  flop_factor = {"inference": 1.0, "training": 3.0}  # training = forward + backward (2x)
  reference = sides[0]
  print("| side | step | ex/s best (median) | vs %s best (median) | share of fp32 matmul | "
        "paired share best (median) |" % reference)
  print("|---|---|---|---|---|---|")
  for mode in args.modes:
    ref_best, ref_median = _summary(times[(reference, mode)], args.batch_size)
    for side in sides:
      best, median = _summary(times[(side, mode)], args.batch_size)
      model_gflops = flop_factor[mode] * forward_flops * best / args.batch_size / 1e9
      paired_best, paired_median = paired_shares(
          flop_factor[mode] * forward_flops, times[(side, mode)], matmul[(side, mode)])
      print("| %s | %s | %.2f (%.2f) | %.2fx (%.2fx) | %.0f%% (%.0f of %.0f GFLOP/s) | "
            "%.0f%% (%.0f%%) |" % (
                side, mode, best, median, best / ref_best, median / ref_median,
                100.0 * model_gflops / max(matmul[side]), model_gflops, max(matmul[side]),
                100.0 * paired_best, 100.0 * paired_median))
  print("per round (examples/sec from each round's fastest step; model GFLOP/s with training "
        "= 3x forward; fp32 matmul 2048^3 GFLOP/s):")
  for round_index in range(args.rounds):
    cells = []
    for side in sides:
      for mode in args.modes:
        steps = steps_per_round[mode]
        best = min(times[(side, mode)][round_index * steps:(round_index + 1) * steps])
        cells.append("%s %s %.2f ex/s (%.0f GFLOP/s)" % (
            side, mode, args.batch_size / best, flop_factor[mode] * forward_flops / best / 1e9))
      cells[-1] += " [matmul %.0f]" % matmul[side][round_index]
    print("  round %d: %s" % (round_index + 1, "; ".join(cells)))
  for side, info in infos.items():
    if "op_time_by_type_ms" in info:
      print("%s, one traced %s step, op time by type (ms): %s" %
            (side, args.timeline_mode, json.dumps(
                {key: round(value) for (key, value) in info["op_time_by_type_ms"].items()})))


if __name__ == "__main__":
  main()
