"""End-to-end tests of albert/run_classifier.py on a tiny random-initialised model.

Each run is a subprocess `python -m albert.run_classifier ...`, as users run it (and because
absl flags of different runners cannot live in one process). Tiny config, max_seq_length 32,
a few steps.
"""

import glob
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_CONFIG = os.path.join(REPO_ROOT, "configs", "albert_tiny_test.json")
MAX_SEQ_LENGTH = 32
TRAIN_STEP = 6
SAVE_EVERY = 2


def _env():
  env = dict(os.environ)
  env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0",
              "CUDA_VISIBLE_DEVICES": "",
              "PYTHONPATH": REPO_ROOT + os.pathsep + env.get("PYTHONPATH", "")})
  return env


def run_classifier(args, timeout=240):
  """Runs the classifier; returns the CompletedProcess (stdout+stderr in .stdout)."""
  return subprocess.run([sys.executable, "-m", "albert.run_classifier"] + args,
                        cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, text=True, timeout=timeout)


def _check(process):
  assert process.returncode == 0, process.stdout[-4000:]
  return process


def _common_args(task, data_dir, output_dir, tokenizer_args):
  return ["--task_name=%s" % task, "--data_dir=%s" % data_dir,
          "--output_dir=%s" % output_dir, "--albert_config_file=%s" % TINY_CONFIG,
          "--max_seq_length=%d" % MAX_SEQ_LENGTH] + tokenizer_args


def _train_args():
  return ["--train_step=%d" % TRAIN_STEP, "--save_checkpoints_steps=%d" % SAVE_EVERY,
          "--warmup_step=2", "--learning_rate=1e-3", "--train_batch_size=4",
          "--eval_batch_size=4", "--predict_batch_size=4"]


def _read_lines(path):
  with open(path, encoding="utf-8") as handle:
    return handle.read().splitlines()


def _parse_eval_results(path):
  """eval_results.txt -> (list of per-checkpoint dicts, best line)."""
  blocks, best = [], None
  for line in _read_lines(path):
    key, value = [part.strip() for part in line.split("=", 1)]
    if key == "checkpoint":
      blocks.append({"checkpoint": value})
    elif key == "best":
      best = value
    else:
      blocks[-1][key] = float(value)
  return blocks, best


@pytest.fixture(scope="module")
def mrpc_run(tmp_path_factory, glue_data_dir, spm_model_file):
  """A finished MRPC fine-tuning run (SentencePiece): train + eval + predict in one go."""
  output_dir = str(tmp_path_factory.mktemp("mrpc_out"))
  args = _common_args("MRPC", glue_data_dir, output_dir,
                      ["--spm_model_file=%s" % spm_model_file]) + _train_args()
  process = _check(run_classifier(args + ["--do_train", "--do_eval", "--do_predict"]))
  return {"output_dir": output_dir, "args": args, "log": process.stdout}


def test_train_eval_predict_writes_every_output(mrpc_run, glue_records):
  output_dir = mrpc_run["output_dir"]
  blocks, best = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  # Every checkpoint 0, 2, 4, 6 evaluated in step order, with the original's metrics + F1.
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-%d" % s for s in (0, 2, 4, 6)]
  for block in blocks:
    assert {"eval_accuracy", "eval_loss", "f1", "global_step", "loss"} <= set(block)
    # 6 dev examples: accuracy is a multiple of 1/6.
    assert block["eval_accuracy"] * 6 == pytest.approx(round(block["eval_accuracy"] * 6))
  best_block = max(blocks, key=lambda b: b["eval_accuracy"])  # first maximum wins
  best_step = int(best_block["global_step"])
  assert best == "%s (step %d)" % (best_block["eval_accuracy"], best_step)
  assert _read_lines(os.path.join(output_dir, "best_trial.txt")) == [
      "%d:%d:%r" % (TRAIN_STEP, best_step, best_block["eval_accuracy"])]
  for suffix in (".index", ".meta", ".data-00000-of-00001"):
    assert os.path.exists(os.path.join(output_dir, "model.ckpt-best" + suffix))

  test_lines = _read_lines(os.path.join(output_dir, "test_results.tsv"))
  test_records = glue_records["mrpc"]["test"]
  assert len(test_lines) == len(test_records)
  probabilities = np.array([[float(x) for x in line.split("\t")] for line in test_lines])
  assert probabilities.shape == (len(test_records), 2)
  np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)

  submit_lines = _read_lines(os.path.join(output_dir, "submit_results.tsv"))
  assert submit_lines[0] == "index\tprediction"
  expected = ["%s\t%d" % (r["index"], p.argmax())
              for r, p in zip(test_records, probabilities)]
  assert submit_lines[1:] == expected

  # Feature caches carry their fingerprint; no temporary files are left anywhere.
  with open(os.path.join(output_dir, "mrpc_train.tf_record.fingerprint.json")) as handle:
    fingerprint = json.load(handle)
  assert fingerprint["fingerprint"]["max_seq_length"] == MAX_SEQ_LENGTH
  assert fingerprint["metadata"]["num_actual_examples"] == len(glue_records["mrpc"]["train"])
  assert not [name for name in os.listdir(output_dir) if "tmp" in name]


def _checkpoint_files(output_dir):
  return {path: os.path.getmtime(path)
          for path in glob.glob(os.path.join(output_dir, "model.ckpt-*"))}


def test_second_predict_only_run_on_finished_dir(mrpc_run):
  """A later predict-only invocation neither trains nor waits, and predicts the same."""
  output_dir = mrpc_run["output_dir"]
  before = _checkpoint_files(output_dir)
  previous_results = _read_lines(os.path.join(output_dir, "test_results.tsv"))
  os.remove(os.path.join(output_dir, "test_results.tsv"))
  process = _check(run_classifier(mrpc_run["args"] + ["--do_predict"], timeout=120))
  assert "Saving checkpoints" not in process.stdout
  assert _checkpoint_files(output_dir) == before
  assert _read_lines(os.path.join(output_dir, "test_results.tsv")) == previous_results


def test_export_saved_model_matches_estimator_predictions(mrpc_run, tmp_path):
  """--do_eval on the finished dir returns at once; the SavedModel predicts like the
  estimator (test_results.tsv) and serves the --threshold_to_export constant."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  output_dir = mrpc_run["output_dir"]
  results_before = _read_lines(os.path.join(output_dir, "eval_results.txt"))
  export_dir = str(tmp_path / "export")
  _check(run_classifier(mrpc_run["args"] + [
      "--do_eval", "--export_dir=%s" % export_dir, "--threshold_to_export=0.25"],
                        timeout=120))
  # Nothing was evaluated again, and no second "best = ..." line was appended.
  assert _read_lines(os.path.join(output_dir, "eval_results.txt")) == results_before
  assert sum(line.startswith("best = ") for line in results_before) == 1

  (saved_model_dir,) = glob.glob(os.path.join(export_dir, "*"))
  serialized = [record.numpy() for record in tf.data.TFRecordDataset(
      os.path.join(output_dir, "predict.tf_record"))]
  expected = np.array([[float(x) for x in line.split("\t")] for line in
                       _read_lines(os.path.join(output_dir, "test_results.tsv"))])
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    meta_graph = tf.compat.v1.saved_model.loader.load(sess, ["serve"], saved_model_dir)
    signature = meta_graph.signature_def["serving_default"]
    assert list(signature.inputs) == ["serialized_example"]
    assert sorted(signature.outputs) == ["predictions", "probabilities", "threshold"]
    fetches = {name: info.name for name, info in signature.outputs.items()}
    outputs = sess.run(fetches, {signature.inputs["serialized_example"].name: serialized})
  np.testing.assert_allclose(outputs["probabilities"], expected, rtol=1e-5, atol=1e-6)
  assert list(outputs["predictions"]) == list(expected.argmax(axis=1))
  assert outputs["threshold"] == pytest.approx(0.25)


def test_changed_max_seq_length_rebuilds_train_cache(mrpc_run, tmp_path):
  """A stale feature cache (other max_seq_length) is rebuilt, not silently reused."""
  output_dir = mrpc_run["output_dir"]
  cache = os.path.join(output_dir, "mrpc_train.tf_record")
  args = [a for a in mrpc_run["args"] if not a.startswith("--max_seq_length")]
  # train_step already reached: the estimator returns at once after the cache check.
  process = _check(run_classifier(args + ["--max_seq_length=24", "--do_train"], timeout=120))
  assert "Saving checkpoints" not in process.stdout
  with open(cache + ".fingerprint.json") as handle:
    assert json.load(handle)["fingerprint"]["max_seq_length"] == 24
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  record = tf.train.Example.FromString(next(iter(tf.data.TFRecordDataset(cache))).numpy())
  assert len(record.features.feature["input_ids"].int64_list.value) == 24


def test_stsb_regression_with_wordpiece_vocab_only(tmp_path, glue_data_dir, glue_records,
                                                   wordpiece_vocab_file):
  """STS-B end to end with only --vocab_file (one tokenizer source is enough)."""
  output_dir = str(tmp_path / "stsb_out")
  args = _common_args("STS-B", glue_data_dir, output_dir,
                      ["--vocab_file=%s" % wordpiece_vocab_file]) + _train_args()
  _check(run_classifier(args + ["--do_train", "--do_eval", "--do_predict",
                                "--train_step=2"]))
  blocks, best = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-2"]
  for block in blocks:
    assert {"pearson", "spearman", "MSE", "eval_loss"} <= set(block)
    assert -1.0 <= block["pearson"] <= 1.0 and -1.0 <= block["spearman"] <= 1.0
  assert best.endswith("(step %d)" % max(blocks, key=lambda b: b["pearson"])["global_step"])

  test_lines = _read_lines(os.path.join(output_dir, "test_results.tsv"))
  assert len(test_lines) == len(glue_records["sts-b"]["test"])
  scores = [float(line) for line in test_lines]  # one column: the regression output
  submit_lines = _read_lines(os.path.join(output_dir, "submit_results.tsv"))
  assert submit_lines[0] == "index\tprediction"
  for line, record, score in zip(submit_lines[1:], glue_records["sts-b"]["test"], scores):
    guid, value = line.split("\t")
    assert guid == record["index"] and float(value) == pytest.approx(score, rel=1e-5)


# Bad inputs: each invocation must fail with a message naming what is wrong, before writing
# anything. One Python process runs all cases (TensorFlow is slow to import).
_ERROR_DRIVER = textwrap.dedent("""
    import json, sys
    from absl import flags
    from albert import run_classifier
    FLAGS = flags.FLAGS
    outcomes = []
    for argv in json.loads(sys.argv[1]):
      FLAGS.unparse_flags()
      try:
        FLAGS(["run_classifier"] + argv)  # range checks of single flags fail here
        run_classifier.main(["run_classifier"])
        outcomes.append(["ok", ""])
      except Exception as error:  # the type and message are what the test checks
        outcomes.append([type(error).__name__, str(error)])
    print("OUTCOMES=" + json.dumps(outcomes))
""")


def test_bad_inputs_fail_clearly_and_write_nothing(tmp_path, glue_data_dir, spm_model_file):
  bad_data = tmp_path / "bad_glue"
  (bad_data / "RTE").mkdir(parents=True)
  (bad_data / "RTE" / "train.tsv").write_text(
      "index\tsentence1\tsentence2\tlabel\n0\tA cat.\tA pet.\tentailment\n1\tA dog.\n",
      encoding="utf-8")
  (bad_data / "CoLA").mkdir()
  (bad_data / "CoLA" / "train.tsv").write_text("gj04\t2\t\tA sentence.\n", encoding="utf-8")
  (bad_data / "MRPC").mkdir()
  (bad_data / "MRPC" / "train.tsv").write_text(
      "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n", encoding="utf-8")
  small_vocab_config = tmp_path / "vocab_500.json"
  with open(TINY_CONFIG) as handle:
    config = json.load(handle)
  config["vocab_size"] = 500
  small_vocab_config.write_text(json.dumps(config))
  spm = "--spm_model_file=%s" % spm_model_file

  def case(name, task, data_dir, extra, tokenizer=spm):
    return _common_args(task, str(data_dir), str(tmp_path / name), [tokenizer]) + extra

  cases = {
      "seq_too_long": case("seq_too_long", "MRPC", glue_data_dir,
                           ["--do_train", "--max_seq_length=512"]),
      "unknown_task": case("unknown_task", "GLUEX", glue_data_dir, ["--do_train"]),
      "missing_file": case("missing_file", "QNLI", tmp_path / "nowhere", ["--do_train"]),
      "short_row": case("short_row", "RTE", bad_data, ["--do_train"]),
      "bad_label": case("bad_label", "CoLA", bad_data, ["--do_train"]),
      "no_tokenizer": case("no_tokenizer", "MRPC", glue_data_dir, ["--do_train"],
                           tokenizer="--spm_model_file="),
      "dummy_spm_without_hub": case("dummy_spm_without_hub", "MRPC", glue_data_dir,
                                    ["--do_train"], tokenizer="--spm_model_file=from_tf_hub"),
      "nothing_to_do": case("nothing_to_do", "MRPC", glue_data_dir, []),
      "header_only": case("header_only", "MRPC", bad_data, ["--do_train"]),
      "vocab_too_large": case("vocab_too_large", "MRPC", glue_data_dir,
                              ["--do_train", "--albert_config_file=%s" % small_vocab_config]),
      # Single-flag checks run while the command line is parsed, before anything else.
      "unknown_optimizer": case("unknown_optimizer", "MRPC", glue_data_dir,
                                ["--do_train", "--optimizer=adam"]),
      "zero_batch": case("zero_batch", "MRPC", glue_data_dir,
                         ["--do_train", "--train_batch_size=0"]),
      "negative_learning_rate": case("negative_learning_rate", "MRPC", glue_data_dir,
                                     ["--do_train", "--learning_rate=-0.1"]),
      "zero_steps": case("zero_steps", "MRPC", glue_data_dir, ["--do_train", "--train_step=0"]),
  }
  process = subprocess.run(
      [sys.executable, "-c", _ERROR_DRIVER, json.dumps(list(cases.values()))],
      cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
      text=True, timeout=180)
  lines = [l for l in process.stdout.splitlines() if l.startswith("OUTCOMES=")]
  assert lines, process.stdout[-3000:]
  outcomes = dict(zip(cases, json.loads(lines[0][len("OUTCOMES="):])))

  kind, message = outcomes["seq_too_long"]
  assert kind == "ValueError" and "512" in message and "128" in message
  assert "max_position_embeddings" in message
  kind, message = outcomes["unknown_task"]
  assert kind == "ValueError" and "gluex" in message and "mrpc, qnli, qqp" in message
  kind, message = outcomes["missing_file"]
  assert kind == "FileNotFoundError"
  assert os.path.join(str(tmp_path / "nowhere"), "QNLI", "train.tsv") in message
  kind, message = outcomes["short_row"]
  assert kind == "ValueError"
  assert message == ("%s:3: expected at least 4 tab-separated columns, found 2" %
                     os.path.join(str(bad_data), "RTE", "train.tsv"))
  kind, message = outcomes["bad_label"]
  assert kind == "ValueError"
  assert message.startswith("%s:1: unknown label '2'; expected one of ['0', '1']" %
                            os.path.join(str(bad_data), "CoLA", "train.tsv"))
  kind, message = outcomes["no_tokenizer"]
  assert kind == "ValueError" and "--spm_model_file" in message and "--vocab_file" in message
  kind, message = outcomes["dummy_spm_without_hub"]
  assert kind == "FileNotFoundError" and "from_tf_hub" in message
  kind, message = outcomes["nothing_to_do"]
  assert kind == "ValueError" and "do_train" in message
  kind, message = outcomes["header_only"]
  assert kind == "ValueError"
  assert message.startswith("%s: no examples" % os.path.join(str(bad_data), "MRPC",
                                                              "train.tsv"))
  kind, message = outcomes["vocab_too_large"]
  assert kind == "ValueError" and "1000 pieces" in message and "vocab_size is 500" in message
  assert str(small_vocab_config) in message
  for name, flag in (("unknown_optimizer", "--optimizer"), ("zero_batch", "--train_batch_size"),
                     ("negative_learning_rate", "--learning_rate"),
                     ("zero_steps", "--train_step")):
    kind, message = outcomes[name]
    assert kind == "IllegalFlagValueError" and flag in message, (name, message)

  # Validation errors happen before the output directory exists; data errors leave at most
  # an empty directory, never a partial feature file.
  for name in ("seq_too_long", "unknown_task", "no_tokenizer", "dummy_spm_without_hub",
               "nothing_to_do", "vocab_too_large", "unknown_optimizer", "zero_batch",
               "negative_learning_rate", "zero_steps"):
    assert not os.path.exists(str(tmp_path / name)), name
  for name in ("missing_file", "short_row", "bad_label", "header_only"):
    directory = str(tmp_path / name)
    assert not os.path.exists(directory) or os.listdir(directory) == [], name


def test_eval_only_run_after_training_ends_after_the_last_checkpoint(
    tmp_path, glue_data_dir, spm_model_file):
  """--do_eval alone, without repeating --train_step (default 1000), on a directory that a
  train-only run finished at step 4: every checkpoint is evaluated and the run ends at once
  (it used to wait 10 minutes for step 1000); re-running adds nothing."""
  output_dir = str(tmp_path / "eval_only")
  args = _common_args("RTE", glue_data_dir, output_dir,
                      ["--spm_model_file=%s" % spm_model_file])
  _check(run_classifier(args + ["--do_train", "--train_step=4", "--save_checkpoints_steps=2",
                                "--train_batch_size=4"]))
  with open(os.path.join(output_dir, "training_finished.txt")) as handle:
    assert handle.read() == "global_step = 4\n"
  eval_args = args + ["--do_eval", "--eval_batch_size=4"]
  _check(run_classifier(eval_args, timeout=150))
  results = _read_lines(os.path.join(output_dir, "eval_results.txt"))
  blocks, best = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-2", "model.ckpt-4"]
  assert best is not None
  _check(run_classifier(eval_args, timeout=150))
  assert _read_lines(os.path.join(output_dir, "eval_results.txt")) == results


CONFIG_30K = os.path.join(REPO_ROOT, "configs", "albert_tiny_30k.json")


def test_run_glue_sh_on_fixture_glue_dir(tmp_path, glue_data_dir, glue_records,
                                         spm_model_file):
  """scripts/run_glue.sh runs as-is (two invocations per task) and prints the summary, with
  the README's tiny-model recipe (configs/albert_tiny_30k.json, whose vocabulary fits the
  30k SentencePiece model the README names; here the fixture's smaller model)."""
  output_dir = str(tmp_path / "glue_out")
  env = _env()
  env.update({"GLUE_DIR": glue_data_dir, "SPM_MODEL_FILE": spm_model_file,
              "ALBERT_CONFIG_FILE": CONFIG_30K, "OUTPUT_DIR": output_dir,
              "TASKS": "CoLA STS-B", "MAX_SEQ_LENGTH": str(MAX_SEQ_LENGTH),
              "TRAIN_STEPS": "2", "TRAIN_BATCH_SIZE": "4"})
  # The script picks the repository's .venv interpreter by itself when there is one.
  env.pop("PYTHON", None)
  if not os.path.exists(os.path.join(REPO_ROOT, ".venv", "bin", "python")):
    env["PYTHON"] = sys.executable
  process = subprocess.run(["bash", os.path.join(REPO_ROOT, "scripts", "run_glue.sh")],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
  assert process.returncode == 0, process.stdout[-4000:]
  lines = process.stdout.splitlines()
  header_index = lines.index(
      "=== GLUE dev results (best checkpoint per task) in %s" % output_dir)
  rows = [line.split() for line in lines[header_index + 2:header_index + 4]]
  for row, (task, metric, records_key) in zip(
      rows, [("CoLA", "matthew_corr", "cola"), ("STS-B", "pearson", "sts-b")]):
    task_dir = os.path.join(output_dir, task)
    best_line = _read_lines(os.path.join(task_dir, "eval_results.txt"))[-1]
    blocks, best = _parse_eval_results(os.path.join(task_dir, "eval_results.txt"))
    assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-2"]
    best_value, best_step = best.split(" (step ")
    assert row[:4] == [task, metric, "%.4f" % float(best_value), best_step.rstrip(")")]
    assert best_line.startswith("best = ")
    assert os.path.exists(os.path.join(task_dir, "model.ckpt-best.index"))
    submit = _read_lines(os.path.join(task_dir, "submit_results.tsv"))
    assert len(submit) == 1 + len(glue_records[records_key]["test"])
  assert "spearman=" in " ".join(rows[1])  # STS-B row lists the other metrics
