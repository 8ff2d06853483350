# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Pretraining throughput of ALBERT-base on CPU through run_pretraining's own graph.

Two measurements, each in its own child process (so thread pools never compete):

  session    the TRAIN graph of `run_pretraining.model_fn_builder` (encoder, MLM + SOP heads,
             NaN guard, LAMB with clipping and the learning-rate schedule) driven by a
             Session; inputs come from an in-memory tf.data pipeline (no file I/O).
             Reports the median step time over `--steps` steps after `--warmup` steps.
  estimator  `run_pretraining.main` itself on a TFRecord file of random records (the full
             command-line path: TFRecord input pipeline, TPUEstimator on CPU, hooks,
             checkpoint at the end). Each training `session.run` (one step on CPU) is timed
             by a hook riding on the throughput hook; reports the median after `--warmup`
             steps.

  input      the input pipeline alone (no model): examples/sec of `run_pretraining.input_fn_builder`
             with offline masks (--masked_lm_budget=0) vs dynamic masking (--masked_lm_budget=20)
             over the same file of 512-token records, in interleaved rounds.

  loss       the session graph trained for --loss_steps steps on the records of --input_file in
             file order (no shuffling), from one initial checkpoint shared by all variants:
             the training loss after the same steps, e.g. fp32 vs bf16 (plus step times).

Scale-out options (the flags of the same names; estimator mode passes them to run_pretraining,
session and loss modes build the graph as the Estimator would): --precision, --use_xla,
--strategy and --num_cpu_devices (estimator mode only); --training_kernels=false (session and
loss modes) builds the plain GELU, LayerNorm and softmax instead of the training kernels; the
variant setting cpu_kernels=false keeps the fused GELU but not the C++ kernels (the child runs
with ALBERT_CPU_KERNELS=0). --variants compares settings in
interleaved rounds (one child process per variant and round; results per variant: median over
its rounds of each child's median step), e.g. --variants="precision=fp32;precision=bf16".
Child processes run with oneDNN on (TF's default on x86), whatever the caller's environment.

  .venv/bin/python benchmarks/bench_pretraining.py            # ALBERT-base, seq 128, batch 8
  .venv/bin/python benchmarks/bench_pretraining.py --modes=session --steps=10
  .venv/bin/python benchmarks/bench_pretraining.py --modes=input
  .venv/bin/python benchmarks/bench_pretraining.py --modes=session --rounds=3 \
      --variants="precision=fp32;precision=bf16"
  .venv/bin/python benchmarks/bench_pretraining.py --modes=estimator --rounds=2 \
      --variants="strategy=none;strategy=mirrored,num_cpu_devices=2"
  .venv/bin/python -m albert.create_pretraining_data --input_file=corpus.txt \
      --output_file=/tmp/real128.tfrecord --spm_model_file=30k-clean.model \
      --max_seq_length=128 --max_predictions_per_seq=20 --dupe_factor=2
  .venv/bin/python benchmarks/bench_pretraining.py --modes=loss --loss_steps=200 \
      --input_file=/tmp/real128.tfrecord --variants="precision=fp32;precision=bf16"

Results are printed as one JSON line per mode and, with --append_results, appended to
benchmarks/RESULTS.md.
"""

import argparse
import collections
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_PATH = os.path.join(REPO_ROOT, "configs", "albert_base_v2.json")


def _random_features(rng, vocab_size, batch_size, seq_length, max_predictions):
  """numpy feature arrays shaped like a batch of create_pretraining_data records."""
  import numpy as np
  input_ids = rng.randint(5, vocab_size, size=[batch_size, seq_length]).astype(np.int32)
  input_mask = np.ones([batch_size, seq_length], np.int32)
  input_mask[:, seq_length - seq_length // 8:] = 0  # some padding, as in real batches
  segment_ids = np.zeros([batch_size, seq_length], np.int32)
  segment_ids[:, seq_length // 2:] = 1
  positions = np.sort(np.stack([
      rng.choice(np.arange(1, seq_length - seq_length // 8), max_predictions, replace=False)
      for _ in range(batch_size)]), axis=1).astype(np.int32)
  return {
      "input_ids": input_ids,
      "input_mask": input_mask,
      "segment_ids": segment_ids,
      "masked_lm_positions": positions,
      "masked_lm_ids": rng.randint(5, vocab_size, size=positions.shape).astype(np.int32),
      "masked_lm_weights": np.ones(positions.shape, np.float32),
      "next_sentence_labels": rng.randint(0, 2, size=[batch_size, 1]).astype(np.int32),
  }


def _training_model_fn(args, config, init_checkpoint=None, learning_rate=0.00176,
                       num_train_steps=125000, num_warmup_steps=3125):
  """run_pretraining's model_fn as build_estimator gives it to the Estimator.

  With --training_kernels=false, the training graph with the plain GELU, LayerNorm and softmax
  (RunSettings.training_kernels), for before/after comparisons.
  """
  from albert import estimator_utils
  from albert import run_pretraining
  model_fn = run_pretraining.model_fn_builder(
      albert_config=config, init_checkpoint=init_checkpoint, learning_rate=learning_rate,
      num_train_steps=num_train_steps, num_warmup_steps=num_warmup_steps, use_tpu=False,
      use_one_hot_embeddings=False, optimizer="lamb", poly_power=1.0, start_warmup_step=0)
  return estimator_utils.training_graph_model_fn(
      model_fn, estimator_utils.RunSettings(precision=args.precision, use_xla=args.use_xla,
                                            training_kernels=args.training_kernels))


def _initialize(session):
  import tensorflow as tf
  session.run([tf.compat.v1.global_variables_initializer(),
               tf.compat.v1.local_variables_initializer()])


def run_session(args):
  """run_pretraining's TRAIN graph in one Session; returns the per-step seconds."""
  import numpy as np
  import tensorflow as tf
  sys.path.insert(0, REPO_ROOT)
  from albert import modeling

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  features = _random_features(np.random.RandomState(0), config.vocab_size, args.batch_size,
                              args.seq_length, args.max_predictions_per_seq)
  model_fn = _training_model_fn(args, config)
  with tf.Graph().as_default():
    dataset = tf.data.Dataset.from_tensors(features).repeat().prefetch(2)
    batch = tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()
    spec = model_fn(batch, None, tf.estimator.ModeKeys.TRAIN, {"batch_size": args.batch_size})
    with tf.compat.v1.Session() as session:
      _initialize(session)
      for _ in range(args.warmup):
        session.run(spec.train_op)
      times = []
      for _ in range(args.steps):
        start = time.perf_counter()
        session.run(spec.train_op)
        times.append(time.perf_counter() - start)
  return times


def _loss_graph(args, config, init_checkpoint):
  """(graph, train_op, loss) of the session graph over --input_file in file order."""
  import tensorflow as tf
  from albert import run_pretraining
  from albert import tfrecord_utils
  model_fn = _training_model_fn(args, config, init_checkpoint=init_checkpoint,
                                num_train_steps=args.loss_steps,
                                num_warmup_steps=max(1, args.loss_steps // 10))
  name_to_features = run_pretraining.name_to_features(args.seq_length,
                                                      args.max_predictions_per_seq)
  graph = tf.Graph()
  with graph.as_default():
    tf.compat.v1.set_random_seed(0)  # before any op: the same initial weights in every run
    dataset = tf.data.TFRecordDataset(args.input_file).map(
        lambda record: tfrecord_utils.decode_record(record, name_to_features))
    dataset = dataset.batch(args.batch_size, drop_remainder=True).repeat().prefetch(2)
    batch = tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()
    spec = model_fn(batch, None, tf.estimator.ModeKeys.TRAIN, {"batch_size": args.batch_size})
  return graph, spec.train_op, spec.loss


def run_loss(args):
  """Trains --loss_steps steps from the shared initial checkpoint; returns losses and times."""
  import tensorflow as tf
  sys.path.insert(0, REPO_ROOT)
  from albert import modeling

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  initial = os.path.join(args.work_dir, "initial.ckpt")
  if not tf.io.gfile.exists(initial + ".index"):
    # The first variant writes the random initial weights; every variant starts from them.
    graph, _, _ = _loss_graph(args, config, None)
    with graph.as_default(), tf.compat.v1.Session() as session:
      _initialize(session)
      tf.compat.v1.train.Saver(tf.compat.v1.trainable_variables()).save(session, initial)
  graph, train_op, loss = _loss_graph(args, config, initial)
  losses, times = [], []
  with graph.as_default(), tf.compat.v1.Session() as session:
    _initialize(session)
    for _ in range(args.loss_steps):
      start = time.perf_counter()
      losses.append(float(session.run([loss, train_op])[0]))
      times.append(time.perf_counter() - start)
  return losses, times


def run_estimator(args):
  """run_pretraining.main on random TFRecords; returns the per-step seconds it logged."""
  import numpy as np
  import tensorflow as tf
  sys.path.insert(0, REPO_ROOT)
  from absl import flags
  from albert import modeling
  from albert import run_pretraining
  from albert import tfrecord_utils

  config = modeling.AlbertConfig.from_json_file(CONFIG_PATH)
  work_dir = tempfile.mkdtemp(prefix="bench_pretraining_")
  record_path = os.path.join(work_dir, "random.tfrecord")
  rng = np.random.RandomState(0)
  with tfrecord_utils.AtomicTFRecordWriter(record_path) as writer:
    for _ in range(8):
      features = _random_features(rng, config.vocab_size, args.batch_size, args.seq_length,
                                  args.max_predictions_per_seq)
      for row in range(args.batch_size):
        feature = {}
        for name, value in features.items():
          if value.dtype == np.float32:
            feature[name] = tfrecord_utils.float_feature(value[row].tolist())
          else:
            feature[name] = tfrecord_utils.int64_feature(value[row].tolist())
        writer.write(tf.train.Example(features=tf.train.Features(feature=feature)))

  # Time every training session.run from inside main, through the throughput hook it adds.
  from albert import estimator_utils
  step_seconds = []

  class TimedThroughputHook(estimator_utils.ThroughputLoggingHook):

    def before_run(self, run_context):
      self._step_start = time.perf_counter()
      return super(TimedThroughputHook, self).before_run(run_context)

    def after_run(self, run_context, run_values):
      step_seconds.append(time.perf_counter() - self._step_start)
      super(TimedThroughputHook, self).after_run(run_context, run_values)

  estimator_utils.ThroughputLoggingHook = TimedThroughputHook

  num_train_steps = args.warmup + args.steps
  scale_out_flags = ["--precision=" + args.precision, "--strategy=" + args.strategy,
                     "--use_xla=%s" % args.use_xla]
  if args.strategy == "mirrored":
    scale_out_flags.append("--num_cpu_devices=%d" % args.num_cpu_devices)
  flags.FLAGS([
      "bench_pretraining",
      "--albert_config_file=" + CONFIG_PATH,
      "--input_file=" + record_path,
      "--output_dir=" + os.path.join(work_dir, "output"),
      "--do_train", "--nodo_eval", "--nouse_tpu",
      "--train_batch_size=%d" % args.batch_size,
      "--max_seq_length=%d" % args.seq_length,
      "--max_predictions_per_seq=%d" % args.max_predictions_per_seq,
      "--optimizer=lamb",
      "--num_train_steps=%d" % num_train_steps,
      "--save_checkpoints_steps=%d" % (num_train_steps + 1000),
  ] + scale_out_flags)
  run_pretraining.main(None)
  return step_seconds[args.warmup:]


def run_input_pipeline(args, seq_length=512, max_predictions=20, batch_size=64,
                       batches_per_round=15, rounds=3):
  """Examples/sec of the training input_fn, offline masks vs dynamic masking."""
  import tensorflow as tf
  sys.path.insert(0, REPO_ROOT)
  from albert import run_pretraining
  from tests.fixtures import run_pretraining_fixtures

  del args
  path = os.path.join(tempfile.mkdtemp(prefix="bench_input_"), "records.tfrecord")
  run_pretraining_fixtures.write_pretraining_records(
      path, num_records=1000, max_seq_length=seq_length, max_predictions=max_predictions)
  sessions = {}
  for name, budget in (("offline", 0), ("dynamic", max_predictions)):
    input_fn = run_pretraining.input_fn_builder(
        [path], seq_length, max_predictions, is_training=True, masked_lm_budget=budget,
        vocab_size=30000)
    graph = tf.Graph()
    with graph.as_default():
      batch = tf.compat.v1.data.make_one_shot_iterator(
          input_fn({"batch_size": batch_size})).get_next()
    session = tf.compat.v1.Session(graph=graph)
    session.run(batch)  # warm-up
    sessions[name] = (session, batch)
  seconds = {name: 0.0 for name in sessions}
  for _ in range(rounds):
    for name, (session, batch) in sessions.items():
      start = time.perf_counter()
      for _ in range(batches_per_round):
        session.run(batch)
      seconds[name] += time.perf_counter() - start
  num_examples = rounds * batches_per_round * batch_size
  return {"mode": "input", "seq_length": seq_length, "max_predictions": max_predictions,
          "examples": num_examples,
          "offline_examples_per_sec": num_examples / seconds["offline"],
          "dynamic_examples_per_sec": num_examples / seconds["dynamic"]}


def _step_statistics(mode, times, batch_size, seq_length):
  times = sorted(times)
  median = times[len(times) // 2]
  return {"mode": mode, "steps_timed": len(times), "median_step_sec": median,
          "steps_per_sec": 1.0 / median, "examples_per_sec": batch_size / median,
          "tokens_per_sec": batch_size * seq_length / median}


def child(args):
  if args.child == "input":
    print("RESULT " + json.dumps(run_input_pipeline(args)))
    return
  if args.child == "loss":
    losses, times = run_loss(args)
    result = _step_statistics("loss", times[args.warmup:], args.batch_size, args.seq_length)
    result.update({"losses": losses,
                   "final_loss_mean_of_last_10": sum(losses[-10:]) / len(losses[-10:])})
    print("RESULT " + json.dumps(result))
    return
  times = run_session(args) if args.child == "session" else run_estimator(args)
  print("RESULT " + json.dumps(
      _step_statistics(args.child, times, args.batch_size, args.seq_length)))


def _parse_bool(text):
  if text.lower() in ("1", "true", "yes"):
    return True
  if text.lower() in ("0", "false", "no"):
    return False
  raise argparse.ArgumentTypeError("expected true or false, got %r" % text)


def _parse_variants(text):
  """'precision=fp32;precision=bf16,use_xla=true' -> [{"precision": "fp32"}, {...}]."""
  variants = []
  for variant_text in filter(None, text.split(";")):
    variant = {}
    for setting in variant_text.split(","):
      name, _, value = setting.partition("=")
      if name not in _VARIANT_SETTINGS:
        raise SystemExit("--variants: unknown setting %r (expected one of %s)" %
                         (name, ", ".join(_VARIANT_SETTINGS)))
      variant[name] = value
    variants.append(variant)
  return variants or [{}]


_VARIANT_SETTINGS = ("precision", "use_xla", "strategy", "num_cpu_devices", "batch_size",
                     "training_kernels", "cpu_kernels")


def _variant_name(variant):
  return ",".join("%s=%s" % item for item in sorted(variant.items())) or "default"


def _run_child(mode, args, variant, work_dir):
  """Runs one benchmark child process; returns its RESULT dict."""
  values = dict(vars(args))
  values.update(variant)
  names = ("batch_size", "seq_length", "max_predictions_per_seq", "warmup", "steps",
           "precision", "use_xla", "training_kernels", "strategy", "num_cpu_devices",
           "loss_steps", "input_file")
  command = [sys.executable, os.path.abspath(__file__), "--child=" + mode,
             "--work_dir=" + work_dir] + [
                 "--%s=%s" % (name, values[name]) for name in names
                 if values[name] is not None]
  # oneDNN on (TensorFlow's default on x86), also when called from an environment (the test
  # suite's) that turned it off.
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="1")
  if not _parse_bool(variant.get("cpu_kernels", "true")):
    env["ALBERT_CPU_KERNELS"] = "0"
  output = subprocess.run(command, capture_output=True, text=True, env=env)
  lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
  if output.returncode != 0 or not lines:
    sys.stderr.write(output.stderr[-4000:])
    raise SystemExit("benchmark mode %s (%s) failed (exit %d)" %
                     (mode, _variant_name(variant), output.returncode))
  return json.loads(lines[-1][len("RESULT "):])


def _median_round(results):
  """The result of the round with the median step time."""
  ordered = sorted(results, key=lambda result: result.get("median_step_sec", 0.0))
  return ordered[len(ordered) // 2]


def _print_variant_summary(by_variant, variants, args):
  """Table of the variants per mode: median over rounds, ratio to the first variant."""
  print("\n| mode | variant | rounds | s/step per round | median examples/sec | vs first |")
  print("|---|---|---|---|---|---|")
  for mode in args.modes.split(","):
    if mode == "input" or (mode, 0) not in by_variant:
      continue
    reference = _median_round(by_variant[(mode, 0)])["examples_per_sec"]
    for index, variant in enumerate(variants):
      results = by_variant[(mode, index)]
      median = _median_round(results)
      print("| %s | %s | %d | %s | %.2f | %.2fx |" % (
          mode, _variant_name(variant), len(results),
          " ".join("%.2f" % result["median_step_sec"] for result in results),
          median["examples_per_sec"], median["examples_per_sec"] / reference))
  if ("loss", 0) in by_variant:
    reference = by_variant[("loss", 0)][0]
    print("\nTraining loss, same initial weights and batches (mean of the last 10 steps; "
          "at steps %s):" % ", ".join(str(step) for step in _loss_checkpoints(args)))
    for index, variant in enumerate(variants):
      result = by_variant[("loss", index)][0]
      relative = (result["final_loss_mean_of_last_10"] /
                  reference["final_loss_mean_of_last_10"] - 1.0)
      print("  %s: %.4f (%+.2f%% vs first); %s" % (
          _variant_name(variant), result["final_loss_mean_of_last_10"], 100 * relative,
          ", ".join("%.3f" % result["losses"][step - 1] for step in _loss_checkpoints(args))))


def _loss_checkpoints(args):
  return sorted(set([1] + [args.loss_steps * k // 4 for k in range(1, 5)]))


def _machine():
  try:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = [line.split(":", 1)[1].strip() for line in lscpu.splitlines()
             if line.startswith("Model name")][0]
  except (OSError, IndexError):
    model = platform.processor() or "unknown CPU"
  return "%s, %d cores" % (model, os.cpu_count() or 0)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--batch_size", type=int, default=8)
  parser.add_argument("--seq_length", type=int, default=128)
  parser.add_argument("--max_predictions_per_seq", type=int, default=20)
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--steps", type=int, default=8)
  parser.add_argument("--modes", default="session,estimator")
  parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"])
  parser.add_argument("--use_xla", default=False, type=_parse_bool)
  parser.add_argument("--training_kernels", default=True, type=_parse_bool,
                      help="session and loss modes: false builds the plain GELU")
  parser.add_argument("--strategy", default="none", choices=["none", "mirrored"],
                      help="estimator mode only")
  parser.add_argument("--num_cpu_devices", type=int, default=1,
                      help="estimator mode with --strategy=mirrored only")
  parser.add_argument("--variants", default="",
                      help='settings to compare, ";"-separated, each "name=value,...", e.g. '
                           '"precision=fp32;precision=bf16"')
  parser.add_argument("--rounds", type=int, default=1,
                      help="interleaved rounds of the variants (session/estimator modes)")
  parser.add_argument("--loss_steps", type=int, default=200, help="loss mode")
  parser.add_argument("--input_file", default=None,
                      help="loss mode: pretraining TFRecords (create_pretraining_data) made "
                           "with --max_seq_length and --max_predictions_per_seq")
  parser.add_argument("--append_results", action="store_true",
                      help="Append a section to benchmarks/RESULTS.md.")
  parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
  parser.add_argument("--work_dir", default=None, help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    child(args)
    return
  if "loss" in args.modes.split(",") and not args.input_file:
    parser.error("--modes=loss needs --input_file (see the module docstring)")

  load_before = os.getloadavg()[0]
  variants = _parse_variants(args.variants)
  work_dir = tempfile.mkdtemp(prefix="bench_pretraining_")
  by_variant = collections.defaultdict(list)  # (mode, variant index) -> results
  for mode in args.modes.split(","):
    mode_variants = [{}] if mode == "input" else variants
    rounds = args.rounds if mode in ("session", "estimator") else 1
    for _ in range(rounds):
      for index, variant in enumerate(mode_variants):
        result = _run_child(mode, args, variant, work_dir)
        result["variant"] = _variant_name(variant)
        print(json.dumps({key: value for key, value in result.items() if key != "losses"}))
        by_variant[(mode, index)].append(result)
  if len(variants) > 1 or args.rounds > 1:
    _print_variant_summary(by_variant, variants, args)
  # The first variant's result per mode (its median round) feeds --append_results.
  results = [_median_round(by_variant[(mode, 0)])
             for mode in args.modes.split(",") if (mode, 0) in by_variant]

  if args.append_results and any(r["mode"] == "input" for r in results):
    r = [r for r in results if r["mode"] == "input"][0]
    section = "\n".join([
        "",
        "## Pretraining input pipeline: offline masks vs dynamic masking "
        "(benchmarks/bench_pretraining.py --modes=input)",
        "",
        "Date: %s UTC. Machine: %s. 1-minute load average before / after: %.1f / %.1f." % (
            time.strftime("%Y-%m-%d %H:%M", time.gmtime()), _machine(), load_before,
            os.getloadavg()[0]),
        "`run_pretraining.input_fn_builder` (training mode, 4 parallel decoders, batch 64) "
        "over 1000 records of %d tokens, %d prediction slots; %d examples per side, "
        "interleaved rounds; no model." % (r["seq_length"], r["max_predictions"],
                                           r["examples"]),
        "",
        "| input path | examples/sec |",
        "|---|---|",
        "| offline masks (--masked_lm_budget=0) | %.0f |" % r["offline_examples_per_sec"],
        "| dynamic masking (--masked_lm_budget=%d) | %.0f |" % (
            r["max_predictions"], r["dynamic_examples_per_sec"]),
    ]) + "\n"
    with open(os.path.join(REPO_ROOT, "benchmarks", "RESULTS.md"), "a") as handle:
      handle.write(section)
    print(section)
    results = [r for r in results if r["mode"] != "input"]

  if args.append_results and results:
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)")
    rows = ["| %s | %d | %.3f | %.3f | %.2f | %.0f |" % (
        r["mode"], r["steps_timed"], r["median_step_sec"], r["steps_per_sec"],
        r["examples_per_sec"], r["tokens_per_sec"]) for r in results]
    section = "\n".join([
        "",
        "## Pretraining throughput, ALBERT-base (benchmarks/bench_pretraining.py)",
        "",
        "Date: %s UTC. Machine: %s. TF_ENABLE_ONEDNN_OPTS=%s. 1-minute load average "
        "before / after: %.1f / %.1f (other jobs shared the machine when above ~0.5)." % (
            time.strftime("%Y-%m-%d %H:%M", time.gmtime()), _machine(), onednn, load_before,
            os.getloadavg()[0]),
        "configs/albert_base_v2.json, batch %d, seq %d, max_predictions_per_seq %d, LAMB, "
        "fp32, CPU; median over %d steps after %d warm-up steps." % (
            args.batch_size, args.seq_length, args.max_predictions_per_seq, args.steps,
            args.warmup),
        "`session`: run_pretraining's TRAIN graph (model_fn) in a Session, in-memory input. "
        "`estimator`: `run_pretraining.main` (TFRecord pipeline, TPUEstimator on CPU, hooks), "
        "each training session.run timed by a hook.",
        "",
        "| path | steps timed | s/step | steps/sec | examples/sec | tokens/sec |",
        "|---|---|---|---|---|---|",
    ] + rows) + "\n"
    with open(os.path.join(REPO_ROOT, "benchmarks", "RESULTS.md"), "a") as handle:
      handle.write(section)
    print(section)


if __name__ == "__main__":
  main()
