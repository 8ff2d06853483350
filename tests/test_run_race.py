"""End-to-end tests of albert/run_race.py on a tiny random-initialised model.

Each run is a subprocess `python -m albert.run_race ...`, as users run it, with the flags of the
original README's command line (--train_file, --eval_file, --max_qa_length, ...) at tiny sizes:
configs/albert_tiny_test.json, max_seq_length 48, max_qa_length 16, 4 steps.
"""

import glob
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests import test_run_classifier
from tests.conftest import REPO_ROOT
from tests.fixtures import race_fixtures

TINY_CONFIG = test_run_classifier.TINY_CONFIG
MAX_SEQ_LENGTH = 48
MAX_QA_LENGTH = 16
TRAIN_STEP = 4
SAVE_EVERY = 2
NUM_DEV = len(race_fixtures.expected_questions("dev"))
TEST_QUESTIONS = race_fixtures.expected_questions("test")
NUM_TEST = {level: sum(q[2] == level for q in TEST_QUESTIONS) for level in ("middle", "high")}
_env = test_run_classifier._env  # pylint: disable=protected-access
_read_lines = test_run_classifier._read_lines  # pylint: disable=protected-access


def run_race(args, timeout=240):
  """Runs the RACE runner; returns the CompletedProcess (stdout+stderr in .stdout)."""
  process = subprocess.run([sys.executable, "-m", "albert.run_race"] + args, cwd=REPO_ROOT,
                           env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
  assert process.returncode == 0, process.stdout[-4000:]
  return process


def _key_values(lines):
  return dict(line.split(" = ", 1) for line in lines)


@pytest.fixture(scope="module")
def race_run(tmp_path_factory, race_data_dir, spm_model_file):
  """A finished RACE run: train + eval + predict in one invocation (README-style flags)."""
  output_dir = str(tmp_path_factory.mktemp("race_out"))
  args = ["--albert_config_file=%s" % TINY_CONFIG, "--output_dir=%s" % output_dir,
          "--train_file=%s" % os.path.join(output_dir, "train.tf_record"),
          "--eval_file=%s" % os.path.join(output_dir, "eval.tf_record"),
          "--data_dir=%s" % race_data_dir, "--spm_model_file=%s" % spm_model_file,
          "--max_seq_length=%d" % MAX_SEQ_LENGTH, "--max_qa_length=%d" % MAX_QA_LENGTH,
          "--train_batch_size=2", "--eval_batch_size=3", "--predict_batch_size=2",
          "--learning_rate=1e-3", "--train_step=%d" % TRAIN_STEP, "--warmup_step=1",
          "--save_checkpoints_steps=%d" % SAVE_EVERY]
  process = run_race(args + ["--do_train", "--do_eval", "--do_predict"])
  return {"output_dir": output_dir, "args": args, "log": process.stdout}


def test_train_eval_predict_outputs(race_run):
  output_dir = race_run["output_dir"]
  lines = _read_lines(os.path.join(output_dir, "eval_results.txt"))
  blocks = [_key_values(lines[i:i + 5]) for i in range(0, len(lines) - 1, 5)]
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-%d" % s for s in (0, 2, 4)]
  for block in blocks:
    assert sorted(block) == ["checkpoint", "eval_accuracy", "eval_loss", "global_step", "loss"]
    # Every dev question counted once: accuracy is a multiple of 1/NUM_DEV.
    correct = float(block["eval_accuracy"]) * NUM_DEV
    assert correct == pytest.approx(round(correct))
  best = max(blocks, key=lambda b: float(b["eval_accuracy"]))
  best_line = "best = %s (step %s)" % (best["eval_accuracy"], best["global_step"])
  assert lines[-1] == best_line
  assert _read_lines(os.path.join(output_dir, "best_trial.txt")) == [
      "%d:%s:%r" % (TRAIN_STEP, best["global_step"], float(best["eval_accuracy"]))]
  for suffix in (".index", ".meta", ".data-00000-of-00001"):
    assert os.path.exists(os.path.join(output_dir, "model.ckpt-best" + suffix))

  predict_lines = _read_lines(os.path.join(output_dir, "predict_results.txt"))
  assert predict_lines[0] == "***** Predict results *****"
  assert predict_lines[-1] == best_line
  results = _key_values(predict_lines[1:-1])
  assert list(results) == sorted(results) == [
      "eval_accuracy", "eval_loss", "global_step", "high_eval_accuracy", "high_eval_loss",
      "high_num_questions", "middle_eval_accuracy", "middle_eval_loss",
      "middle_num_questions", "num_questions"]
  # model.ckpt-best was used; every test question counted once, none twice or as padding.
  assert results["global_step"] == best["global_step"]
  assert int(results["num_questions"]) == len(TEST_QUESTIONS) == 5
  assert int(results["middle_num_questions"]) == NUM_TEST["middle"] == 2
  assert int(results["high_num_questions"]) == NUM_TEST["high"] == 3
  correct = {level: float(results["%s_eval_accuracy" % level]) * NUM_TEST[level]
             for level in NUM_TEST}
  for level, value in correct.items():
    assert value == pytest.approx(round(value)), level
  assert float(results["eval_accuracy"]) == pytest.approx(sum(correct.values()) / 5)
  assert float(results["eval_loss"]) == pytest.approx(sum(
      float(results["%s_eval_loss" % level]) * NUM_TEST[level] for level in NUM_TEST) / 5)

  # Feature caches at the given paths with their fingerprints; no temporaries left behind.
  with open(os.path.join(output_dir, "train.tf_record.fingerprint.json")) as handle:
    train_cache = json.load(handle)
  assert train_cache["fingerprint"]["max_qa_length"] == MAX_QA_LENGTH
  assert train_cache["fingerprint"]["data_file_set"]["num_files"] == 5
  assert train_cache["metadata"] == {"num_examples": 9, "num_actual_examples": 9}
  with open(os.path.join(output_dir, "predict.tf_record.fingerprint.json")) as handle:
    assert json.load(handle)["metadata"]["num_actual_examples"] == 5
  assert not [name for name in os.listdir(output_dir) if "tmp" in name]
  assert "step 4/4" in race_run["log"] or "Saving checkpoints for 4" in race_run["log"]


def _checkpoint_files(output_dir):
  return {path: os.path.getmtime(path)
          for path in glob.glob(os.path.join(output_dir, "model.ckpt-*"))}


def test_predict_only_on_finished_dir_reproduces_the_accuracy(race_run):
  output_dir = race_run["output_dir"]
  path = os.path.join(output_dir, "predict_results.txt")
  previous = _read_lines(path)
  before = _checkpoint_files(output_dir)
  os.remove(path)
  process = run_race(race_run["args"] + ["--nodo_train", "--nodo_eval", "--do_predict"],
                     timeout=120)
  assert "Saving checkpoints" not in process.stdout
  assert "Reusing feature cache %s" % os.path.join(output_dir, "predict.tf_record") in (
      process.stdout)
  assert _checkpoint_files(output_dir) == before
  assert _read_lines(path) == previous


def test_rerun_rebuilds_stale_cache_and_exports_a_saved_model(race_run, tmp_path):
  """Default --do_train/--do_eval on the finished dir with another --max_qa_length: the
  train cache is rebuilt, nothing is trained or evaluated again, and the SavedModel exported
  from model.ckpt-best reproduces predict_results.txt on the test records."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  output_dir = race_run["output_dir"]
  results_before = _read_lines(os.path.join(output_dir, "eval_results.txt"))
  export_dir = str(tmp_path / "export")
  args = [a for a in race_run["args"] if not a.startswith("--max_qa_length")]
  process = run_race(args + ["--max_qa_length=12", "--export_dir=%s" % export_dir],
                     timeout=120)
  assert "Saving checkpoints" not in process.stdout
  assert _read_lines(os.path.join(output_dir, "eval_results.txt")) == results_before
  with open(os.path.join(output_dir, "train.tf_record.fingerprint.json")) as handle:
    assert json.load(handle)["fingerprint"]["max_qa_length"] == 12

  (saved_model_dir,) = glob.glob(os.path.join(export_dir, "*"))
  predict_file = os.path.join(output_dir, "predict.tf_record")
  records = [record.numpy() for record in tf.data.TFRecordDataset(predict_file)]
  labels = [tf.train.Example.FromString(record).features.feature["label_ids"].int64_list.value[0]
            for record in records]
  assert labels == [question[3] for question in TEST_QUESTIONS]
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    meta_graph = tf.compat.v1.saved_model.loader.load(sess, ["serve"], saved_model_dir)
    signature = meta_graph.signature_def["serving_default"]
    assert list(signature.inputs) == ["serialized_example"]
    assert sorted(signature.outputs) == ["predictions", "probabilities"]
    outputs = sess.run({name: info.name for name, info in signature.outputs.items()},
                       {signature.inputs["serialized_example"].name: records})
  probabilities = outputs["probabilities"]
  assert probabilities.shape == (5, 4)
  assert list(outputs["predictions"]) == list(probabilities.argmax(-1))
  results = _key_values(_read_lines(os.path.join(output_dir, "predict_results.txt"))[1:-1])
  rows = np.arange(5)
  assert float(results["eval_accuracy"]) == pytest.approx(
      np.mean(probabilities.argmax(-1) == labels))
  assert float(results["eval_loss"]) == pytest.approx(
      -np.log(probabilities[rows, labels]).mean(), rel=1e-5)
  middle = NUM_TEST["middle"]
  assert float(results["middle_eval_loss"]) == pytest.approx(
      -np.log(probabilities[rows[:middle], labels[:middle]]).mean(), rel=1e-5)


def test_hub_module_replaces_config_and_tokenizer(tiny_hub_module, race_data_dir, tmp_path):
  """--albert_hub_module_handle alone (no config, no tokenizer flag): the four choices go
  through the module's "tokens" signature, and fine-tuning moves the module's weights."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  output_dir = str(tmp_path / "race_hub")
  run_race(["--albert_hub_module_handle=%s" % tiny_hub_module, "--data_dir=%s" % race_data_dir,
            "--output_dir=%s" % output_dir, "--max_seq_length=%d" % MAX_SEQ_LENGTH,
            "--max_qa_length=%d" % MAX_QA_LENGTH, "--train_step=2",
            "--save_checkpoints_steps=2", "--warmup_step=0", "--learning_rate=1e-2",
            "--train_batch_size=2", "--do_predict"])
  lines = _read_lines(os.path.join(output_dir, "eval_results.txt"))
  assert [line for line in lines if line.startswith("checkpoint = ")] == [
      "checkpoint = model.ckpt-0", "checkpoint = model.ckpt-2"]
  results = _key_values(_read_lines(os.path.join(output_dir, "predict_results.txt"))[1:-1])
  assert (results["num_questions"], results["middle_num_questions"],
          results["high_num_questions"]) == ("5", "2", "3")
  # Besides the module's encoder: only the root-scope multiple-choice head (and its slots).
  head = {name: shape for name, shape in tf.train.list_variables(
      os.path.join(output_dir, "model.ckpt-2"))
          if not name.startswith("module/") and "/adam_" not in name and name != "global_step"}
  assert head == {"output_weights": [1, 32], "output_bias": [1]}
  name = "module/bert/embeddings/word_embeddings"
  step0 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-0"), name)
  step2 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-2"), name)
  assert np.abs(step2 - step0).max() > 1e-4


# One Python process runs every case (TensorFlow is slow to import), and imports
# run_classifier first so the shared flags carry its defaults until run_race's main runs.
_DRIVER = textwrap.dedent("""
    import json, sys
    from absl import flags
    from albert import run_classifier
    from albert import run_race
    FLAGS = flags.FLAGS
    DEFAULT_NAMES = ["learning_rate", "train_step", "warmup_step", "save_checkpoints_steps",
                     "do_train", "do_eval", "do_predict", "max_seq_length", "task_name"]
    outcomes = {}
    for name, module, argv in json.loads(sys.argv[1]):
      FLAGS.unparse_flags()
      FLAGS(["runner"] + argv)
      runner = run_race if module == "run_race" else run_classifier
      try:
        runner.main(["runner"])
        outcome = ["ok", ""]
      except Exception as error:  # the type and message are what the test checks
        outcome = [type(error).__name__, str(error)]
      outcomes[name] = outcome + [{key: FLAGS[key].value for key in DEFAULT_NAMES}]
    print("OUTCOMES=" + json.dumps(outcomes))
""")


def test_defaults_and_bad_inputs_in_one_process(tmp_path, race_data_dir, spm_model_file):
  bad_data = race_fixtures.write_race_dir(
      tmp_path / "bad", articles={"train": race_fixtures.RACE_ARTICLES["train"]})
  bad_file = os.path.join(bad_data, "RACE", "train", "high", "2.txt")
  with open(bad_file, "w", encoding="utf-8") as handle:
    json.dump({"id": "h2", "article": "x", "questions": ["q?"], "options": [["a", "b", "c",
                                                                                "d"]],
               "answers": ["E"]}, handle)

  def case(name, extra, data_dir=race_data_dir, module="run_race"):
    return [name, module, ["--data_dir=%s" % data_dir, "--output_dir=%s" % (tmp_path / name),
                           "--albert_config_file=%s" % TINY_CONFIG,
                           "--spm_model_file=%s" % spm_model_file, "--max_seq_length=64",
                           "--max_qa_length=16"] + extra]

  cases = [
      case("race_defaults", ["--max_qa_length=200"]),
      case("classifier_defaults", [], module="run_classifier"),
      case("race_defaults_again", ["--max_qa_length=62"]),
      case("seq_too_long", ["--max_seq_length=512"]),
      case("both_levels_excluded", ["--high_only", "--middle_only"]),
      case("missing_dev_dir", [], data_dir=bad_data),
      case("bad_answer", ["--nodo_eval"], data_dir=bad_data),
      case("wrong_task", ["--task_name=mrpc"]),
      case("nothing_to_do", ["--nodo_train", "--nodo_eval"]),
  ]
  process = subprocess.run([sys.executable, "-c", _DRIVER, json.dumps(cases)], cwd=REPO_ROOT,
                           env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=180)
  lines = [l for l in process.stdout.splitlines() if l.startswith("OUTCOMES=")]
  assert lines, process.stdout[-3000:]
  outcomes = json.loads(lines[0][len("OUTCOMES="):])

  race_defaults = {"learning_rate": 1e-5, "train_step": 12000, "warmup_step": 1000,
                   "save_checkpoints_steps": 100, "do_train": True, "do_eval": True,
                   "do_predict": False, "max_seq_length": 64, "task_name": "race"}
  kind, message, values = outcomes["race_defaults"]
  assert kind == "ValueError" and message.startswith(
      "--max_qa_length=200 must be between 1 and --max_seq_length - 3 = 61")
  assert values == race_defaults
  kind, message, values = outcomes["classifier_defaults"]
  assert kind == "ValueError" and message.startswith("At least one of `do_train`")
  assert values == {"learning_rate": 5e-5, "train_step": 1000, "warmup_step": 0,
                    "save_checkpoints_steps": 1000, "do_train": False, "do_eval": False,
                    "do_predict": False, "max_seq_length": 64, "task_name": None}
  # After run_classifier's main, run_race's main brings back RACE's defaults.
  kind, message, values = outcomes["race_defaults_again"]
  assert kind == "ValueError" and message.startswith("--max_qa_length=62 must be between")
  assert values == race_defaults
  kind, message, _ = outcomes["seq_too_long"]
  assert kind == "ValueError" and "512" in message and "max_position_embeddings" in message
  kind, message, _ = outcomes["both_levels_excluded"]
  assert kind == "ValueError" and "--high_only and --middle_only exclude each other" in message
  kind, message, _ = outcomes["missing_dev_dir"]
  assert kind == "FileNotFoundError" and message.startswith(
      "RACE directory not found: %s " % os.path.join(bad_data, "RACE", "dev", "middle"))
  kind, message, _ = outcomes["bad_answer"]
  assert kind == "ValueError"
  assert message == 'questions[0]: answer "E" is not one of A, B, C, D'.join(
      [bad_file + ": ", ""])
  kind, message, _ = outcomes["wrong_task"]
  assert kind == "ValueError" and "'mrpc'" in message
  kind, message, _ = outcomes["nothing_to_do"]
  assert kind == "ValueError" and "do_train" in message

  # Validation errors happen before the output directory exists; a data error leaves at
  # most an empty directory, never a partial feature file.
  for name in ("race_defaults", "seq_too_long", "both_levels_excluded", "missing_dev_dir",
               "wrong_task", "nothing_to_do"):
    assert not os.path.exists(str(tmp_path / name)), name
  directory = str(tmp_path / "bad_answer")
  assert not os.path.exists(directory) or os.listdir(directory) == []
