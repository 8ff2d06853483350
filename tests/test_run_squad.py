"""End-to-end tests of albert/run_squad_v1.py and albert/run_squad_v2.py on a tiny random model.

Each run is a subprocess `python -m albert.run_squad_vN ...`, as users run it, with the flags of
the original README command (bare --do_lower_case, explicit feature files, ...) at tiny sizes:
configs/albert_tiny_test.json, max_seq_length 64, doc_stride 32, the fixture SQuAD files
(12 / 15 questions), 3 training steps.
"""

import glob
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from albert import squad_metrics
from tests.fixtures import squad_fixtures

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_CONFIG = os.path.join(REPO_ROOT, "configs", "albert_tiny_test.json")
MAX_SEQ_LENGTH = 64
# 12 (v1) or 15 (v2) training questions / batch 4 x 1 epoch = 3 steps; checkpoints 0 and 3.
TRAIN_STEPS = 3


def _env():
  env = dict(os.environ)
  env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0",
              "CUDA_VISIBLE_DEVICES": "",
              "PYTHONPATH": REPO_ROOT + os.pathsep + env.get("PYTHONPATH", "")})
  return env


def run_squad(version, args, timeout=240):
  """Runs run_squad_v<version>; returns the CompletedProcess (stdout+stderr in .stdout)."""
  process = subprocess.run(
      [sys.executable, "-m", "albert.run_squad_v%d" % version] + args, cwd=REPO_ROOT,
      env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
  assert process.returncode == 0, process.stdout[-5000:]
  return process


def _readme_args(output_dir, train_file, predict_file, spm_model_file):
  """The original README command line, sized down."""
  return [
      "--albert_config_file=%s" % TINY_CONFIG, "--output_dir=%s" % output_dir,
      "--train_file=%s" % train_file, "--predict_file=%s" % predict_file,
      "--train_feature_file=%s" % os.path.join(output_dir, "train.tfrecord"),
      "--predict_feature_file=%s" % os.path.join(output_dir, "dev.tfrecord"),
      "--predict_feature_left_file=%s" % os.path.join(output_dir, "dev_left_file.jsonl"),
      "--spm_model_file=%s" % spm_model_file, "--do_lower_case",
      "--max_seq_length=%d" % MAX_SEQ_LENGTH, "--doc_stride=32", "--max_query_length=16",
      "--train_batch_size=4", "--predict_batch_size=8", "--learning_rate=1e-3",
      "--num_train_epochs=1.0", "--warmup_proportion=.1", "--save_checkpoints_steps=3",
      "--n_best_size=20", "--max_answer_length=30"]


def _json(path):
  with open(path, encoding="utf-8") as handle:
    return json.load(handle)


def _dev_dataset(path):
  return _json(path)["data"]


def _parse_eval_results(path):
  """eval_results.txt -> (per-checkpoint blocks, best line, final block)."""
  blocks, best, final = [], None, None
  with open(path, encoding="utf-8") as handle:
    for line in handle.read().splitlines():
      if line.startswith("best perf happened at step: "):
        final["step"] = int(line.split(": ")[1])
        continue
      key, value = [part.strip() for part in line.split("=", 1)]
      if key == "checkpoint":
        block = {"checkpoint": value}
        if value.endswith("(final evaluation)"):
          final = block
        else:
          blocks.append(block)
      elif key == "best":
        best = value
      elif key == "note":
        final["note"] = value
      else:
        (final or blocks[-1])[key] = float(value)
  return blocks, best, final


def _check_nbest(nbest, predictions, n_best_size=20):
  assert list(nbest) == list(predictions)
  for entries in nbest.values():
    assert 1 <= len(entries) <= n_best_size
    for entry in entries:
      assert list(entry) == ["text", "probability", "start_log_prob", "end_log_prob"]
    assert sum(e["probability"] for e in entries) == pytest.approx(1.0)
    texts = [e["text"] for e in entries]
    assert len(set(texts)) == len(texts)


def _no_temporaries(directory):
  return [name for name in os.listdir(directory) if ".tmp-" in name]


def _checkpoint_files(output_dir):
  return {path: os.path.getmtime(path)
          for path in glob.glob(os.path.join(output_dir, "model.ckpt-*"))}


@pytest.fixture(scope="module")
def v1_run(tmp_path_factory, squad_v1_files, spm_model_file):
  """A finished SQuAD 1.1 run: train, sweep + predict, SavedModel + TFLite export."""
  output_dir = str(tmp_path_factory.mktemp("squad_v1_out"))
  args = _readme_args(output_dir, squad_v1_files[0], squad_v1_files[1], spm_model_file)
  export_dir = os.path.join(output_dir, "export")
  run_squad(1, args + ["--do_train", "--do_predict", "--use_einsum=False",
                       "--export_dir=%s" % export_dir])
  return {"output_dir": output_dir, "args": args, "export_dir": export_dir,
          "dev_file": squad_v1_files[1]}


@pytest.fixture(scope="module")
def v2_run(tmp_path_factory, squad_v2_files, spm_model_file):
  """A finished SQuAD 2.0 run: train, sweep + predict."""
  output_dir = str(tmp_path_factory.mktemp("squad_v2_out"))
  args = _readme_args(output_dir, squad_v2_files[0], squad_v2_files[1], spm_model_file)
  process = run_squad(2, args + ["--do_train", "--do_predict"])
  return {"output_dir": output_dir, "args": args, "dev_file": squad_v2_files[1],
          "log": process.stdout}


def test_v1_train_and_predict_write_every_output(v1_run):
  output_dir = v1_run["output_dir"]
  predictions = _json(os.path.join(output_dir, "predictions.json"))
  assert list(predictions) == list(squad_fixtures.gold_answers("1.1"))  # one per question
  assert all(isinstance(text, str) for text in predictions.values())
  nbest = _json(os.path.join(output_dir, "nbest_predictions.json"))
  _check_nbest(nbest, predictions)
  assert {qid: entries[0]["text"] for qid, entries in nbest.items()} == predictions
  assert not os.path.exists(os.path.join(output_dir, "null_odds.json"))

  blocks, best, final = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-%d" % TRAIN_STEPS]
  for block in blocks:
    assert set(block) == {"checkpoint", "exact_match", "f1"}
  best_block = max(blocks, key=lambda b: b["f1"])
  assert best == "%s (step %s)" % (best_block["f1"], best_block["checkpoint"].split("-")[1])
  # The final block scores the files written, for the best checkpoint.
  assert final["step"] == int(best_block["checkpoint"].split("-")[1])
  assert final["f1"] == best_block["f1"]
  assert squad_metrics.evaluate_v1(_dev_dataset(v1_run["dev_file"]), predictions) == {
      "exact_match": pytest.approx(final["exact_match"]), "f1": pytest.approx(final["f1"])}
  for suffix in (".index", ".meta", ".data-00000-of-00001"):
    assert os.path.exists(os.path.join(output_dir, "model.ckpt-best" + suffix))
  assert os.path.exists(os.path.join(output_dir, "training_finished.txt"))
  for cache in ("train.tfrecord", "dev.tfrecord"):
    fingerprint = _json(os.path.join(output_dir, cache + ".fingerprint.json"))
    assert fingerprint["fingerprint"]["doc_stride"] == 32
  assert _json(os.path.join(output_dir, "train.tfrecord.fingerprint.json"))[
      "metadata"]["num_examples"] == 12
  with open(os.path.join(output_dir, "dev_left_file.jsonl")) as handle:
    assert json.loads(handle.readline())["qas_id"] == "q-cafe-name"
  assert not _no_temporaries(output_dir)


def test_v2_train_and_predict_write_every_output(v2_run):
  output_dir = v2_run["output_dir"]
  predictions = _json(os.path.join(output_dir, "predictions.json"))
  null_odds = _json(os.path.join(output_dir, "null_odds.json"))
  nbest = _json(os.path.join(output_dir, "nbest_predictions.json"))
  assert list(predictions) == list(squad_fixtures.gold_answers("2.0"))
  assert list(null_odds) == list(predictions)
  assert all(isinstance(value, float) for value in null_odds.values())
  _check_nbest(nbest, predictions)

  blocks, best, final = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-%d" % TRAIN_STEPS]
  expected_keys = {"exact", "f1", "total", "null_score_diff_threshold", "HasAns_exact",
                   "HasAns_f1", "HasAns_total", "NoAns_exact", "NoAns_f1", "NoAns_total",
                   "best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh"}
  for block in blocks:
    assert set(block) == expected_keys | {"checkpoint"}
    assert (block["total"], block["HasAns_total"], block["NoAns_total"]) == (15, 12, 3)
  assert best.endswith("(step %d)" % final["step"])
  # predictions.json is the best non-null answer where the null score is below the tuned
  # threshold, else "" (the original's rule), and the official script scores it as reported.
  threshold = final["null_score_diff_threshold"]
  for qid, text in predictions.items():
    assert text == (nbest[qid][0]["text"] if null_odds[qid] < threshold else "")
  official = squad_metrics.evaluate_v2(_dev_dataset(v2_run["dev_file"]), predictions)
  assert official["exact"] == pytest.approx(final["exact"])
  assert official["f1"] == pytest.approx(final["f1"])
  assert "TUNED ON THIS DEV SET" in v2_run["log"]
  assert not _no_temporaries(output_dir)


def test_v2_predict_only_on_finished_dir_with_more_epochs_fixed_threshold_and_new_stride(
    v2_run):
  """Issue #243: predicting later with --num_train_epochs above what was trained ends.

  Also: a fixed --null_score_diff_threshold is reported next to the tuned score and decides
  predictions.json, and a changed --doc_stride rebuilds the prediction feature cache and its
  left file.
  """
  output_dir = v2_run["output_dir"]
  before = _checkpoint_files(output_dir)
  args = [a for a in v2_run["args"]
          if not a.startswith(("--num_train_epochs", "--doc_stride"))]
  process = run_squad(2, args + ["--do_predict", "--num_train_epochs=10",
                                 "--null_score_diff_threshold=0.0", "--doc_stride=24"],
                      timeout=150)
  assert "Saving checkpoints" not in process.stdout
  assert "Waiting up to" not in process.stdout
  assert _checkpoint_files(output_dir) == before
  assert "FIXED --null_score_diff_threshold=0.0" in process.stdout

  fingerprint = _json(os.path.join(output_dir, "dev.tfrecord.fingerprint.json"))
  assert fingerprint["fingerprint"]["doc_stride"] == 24
  assert fingerprint["companions"][0]["path"] == os.path.join(output_dir,
                                                               "dev_left_file.jsonl")
  blocks, _, final = _parse_eval_results(os.path.join(output_dir, "eval_results.txt"))
  assert len(blocks) == 2  # nothing evaluated again by the sweep
  assert final["fixed_null_score_diff_threshold"] == 0.0
  assert "TUNED ON THIS DEV SET" in final["note"]
  predictions = _json(os.path.join(output_dir, "predictions.json"))
  null_odds = _json(os.path.join(output_dir, "null_odds.json"))
  nbest = _json(os.path.join(output_dir, "nbest_predictions.json"))
  for qid, text in predictions.items():
    assert text == (nbest[qid][0]["text"] if null_odds[qid] < 0.0 else "")
  official = squad_metrics.evaluate_v2(_dev_dataset(v2_run["dev_file"]), predictions)
  assert official["f1"] == pytest.approx(final["fixed_threshold_f1"])


def test_v1_predict_only_without_training_flags(v1_run):
  """The original v1 crashed here (`global_step < None`); it predicts the same answers."""
  output_dir = v1_run["output_dir"]
  previous = _json(os.path.join(output_dir, "predictions.json"))
  os.remove(os.path.join(output_dir, "predictions.json"))
  args = [a for a in v1_run["args"] if not a.startswith(("--train_file", "--num_train"))]
  process = run_squad(1, args + ["--do_predict", "--num_train_epochs=50"], timeout=150)
  assert "Saving checkpoints" not in process.stdout
  assert "Reusing feature cache" in process.stdout
  assert _json(os.path.join(output_dir, "predictions.json")) == previous


def _estimator_logits(output_dir, num_records):
  """start/end logits of the first records of the prediction features, by the estimator."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from albert import estimator_utils  # pylint: disable=g-import-not-at-top
  from albert import modeling  # pylint: disable=g-import-not-at-top
  from albert import squad_models  # pylint: disable=g-import-not-at-top
  from albert import squad_utils  # pylint: disable=g-import-not-at-top
  model_fn = squad_models.v1_model_fn_builder(
      modeling.AlbertConfig.from_json_file(TINY_CONFIG), None, 1e-3, None, None, False,
      False, use_einsum=True)
  estimator = estimator_utils.build_estimator(
      model_fn, str(output_dir) + "/unused_model_dir", estimator_utils.RunSettings(),
      save_checkpoints_steps=1000, train_batch_size=4, predict_batch_size=num_records,
      do_train=False)
  input_fn = squad_utils.input_fn_builder(
      os.path.join(output_dir, "dev.tfrecord"), MAX_SEQ_LENGTH, False, False, False,
      num_records, is_v2=False)
  results = estimator.predict(input_fn, checkpoint_path=os.path.join(output_dir,
                                                                     "model.ckpt-best"))
  rows = [next(results) for _ in range(num_records)]
  return (np.array([r["start_log_prob"] for r in rows]),
          np.array([r["end_log_prob"] for r in rows]))


def _records(output_dir, num_records):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  records = []
  for serialized in tf.compat.v1.io.tf_record_iterator(os.path.join(output_dir,
                                                                     "dev.tfrecord")):
    example = tf.train.Example.FromString(serialized)
    records.append({name: np.array(example.features.feature[name].int64_list.value,
                                   np.int32)
                    for name in ("input_ids", "input_mask", "segment_ids")})
    if len(records) == num_records:
      return records
  return records


def test_v1_saved_model_and_tflite_give_the_estimators_logits(v1_run):
  """The SavedModel (use_einsum=False) and the TFLite model give the estimator's logits.

  Tolerance 1e-5 (absolute, on logits of magnitude ~0.5): all three compute in float32 with
  the same weights. The TF graphs differ only in how the dense layers are written (einsum vs
  reshape + matmul); TFLite runs its own float32 kernels (fused matmuls, its own softmax and
  tanh), whose rounding differs by ~1e-7 relative per operation. Over the tiny model's few
  hundred operations the measured difference is ~2e-7; a wrong weight, input or output
  tensor moves the logits by ~1e-2 or more.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  output_dir = v1_run["output_dir"]
  num_records = 4
  records = _records(output_dir, num_records)
  expected_start, expected_end = _estimator_logits(output_dir, num_records)
  assert np.abs(expected_start).max() > 1e-3  # not trivially zero

  (saved_model_dir,) = glob.glob(os.path.join(v1_run["export_dir"], "saved_model", "*"))
  feed = {name: np.stack([r[name] for r in records])
          for name in ("input_ids", "input_mask", "segment_ids")}
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    meta_graph = tf.compat.v1.saved_model.loader.load(sess, ["serve"], saved_model_dir)
    signature = meta_graph.signature_def["serving_default"]
    assert sorted(signature.inputs) == ["input_ids", "input_mask", "segment_ids"]
    assert sorted(signature.outputs) == ["end_log_prob", "start_log_prob"]
    outputs = sess.run({name: info.name for name, info in signature.outputs.items()},
                       {signature.inputs[name].name: value for name, value in feed.items()})
  np.testing.assert_allclose(outputs["start_log_prob"], expected_start, rtol=0, atol=1e-5)
  np.testing.assert_allclose(outputs["end_log_prob"], expected_end, rtol=0, atol=1e-5)

  interpreter = tf.lite.Interpreter(
      model_path=os.path.join(v1_run["export_dir"], "albert_model.tflite"))
  interpreter.allocate_tensors()
  inputs = {detail["name"]: detail for detail in interpreter.get_input_details()}
  assert sorted(inputs) == ["input_ids", "input_mask", "segment_ids"]
  assert list(inputs["input_ids"]["shape"]) == [1, MAX_SEQ_LENGTH]
  outputs = {detail["name"]: detail for detail in interpreter.get_output_details()}
  assert sorted(outputs) == ["end_logits", "start_logits"]
  for index, record in enumerate(records):
    for name, detail in inputs.items():
      interpreter.set_tensor(detail["index"], record[name][None])
    interpreter.invoke()
    np.testing.assert_allclose(interpreter.get_tensor(outputs["start_logits"]["index"])[0],
                               expected_start[index], rtol=0, atol=1e-5)
    np.testing.assert_allclose(interpreter.get_tensor(outputs["end_logits"]["index"])[0],
                               expected_end[index], rtol=0, atol=1e-5)


# One Python process (TensorFlow is slow to import) imports run_classifier and both SQuAD
# runners, then:
#  * runs the bad-input cases, calling the runners' main as `python -m` would: each must fail
#    with a message naming what is wrong, and write nothing (at most an empty output
#    directory);
#  * applies each runner's defaults, as its main does first, and reports the shared flags.
_DRIVER = textwrap.dedent("""
    import json, sys
    from absl import flags
    from albert import flag_utils, run_classifier, run_squad_v1, run_squad_v2
    FLAGS = flags.FLAGS
    outcomes = []
    for version, argv in json.loads(sys.argv[1]):
      runner = run_squad_v1 if version == 1 else run_squad_v2
      FLAGS.unparse_flags()
      FLAGS(["run_squad"] + argv)
      try:
        runner.main(["run_squad"])
        outcomes.append(["ok", ""])
      except Exception as error:  # the type and message are what the test checks
        outcomes.append([type(error).__name__, str(error)])
    print("OUTCOMES=" + json.dumps(outcomes))

    FLAGS.unparse_flags()
    FLAGS(["run_squad"])
    shared = ["max_seq_length", "predict_batch_size", "train_batch_size", "do_lower_case",
              "save_checkpoints_steps", "learning_rate", "iterations_per_loop"]
    defaults = {}
    for module in ("albert.run_squad_v2", "albert.run_classifier", "albert.run_squad_v1"):
      flag_utils.apply_runner_defaults(module)
      defaults[module] = {name: FLAGS[name].value for name in shared}
    defaults["squad_only"] = {name: FLAGS[name].value for name in (
        "doc_stride", "max_query_length", "num_train_epochs", "warmup_proportion",
        "n_best_size", "max_answer_length", "start_n_top", "end_n_top", "dropout_prob",
        "null_score_diff_threshold", "use_einsum", "export_dir")}
    print("DEFAULTS=" + json.dumps(defaults))
""")


def _bad_input_cases(tmp_path, squad_v1_files, spm_model_file):
  """name -> [runner version, argv] of the bad-input cases (files written to tmp_path)."""
  not_squad = squad_fixtures.write_squad_file(tmp_path / "glue.json", {"rows": [1]})
  two_answers = squad_fixtures.write_squad_file(tmp_path / "two.json", {"data": [{
      "paragraphs": [{"context": "Paris is big.", "qas": [{
          "id": "q-two", "question": "Where?",
          "answers": [{"text": "Paris", "answer_start": 0},
                      {"text": "big", "answer_start": 9}]}]}]}]})
  repeated = squad_fixtures.write_squad_file(tmp_path / "dup.json", {"data": [{
      "paragraphs": [{"context": "Paris is big.", "qas": [
          {"id": "dup", "question": "a?"}, {"id": "dup", "question": "b?"}]}]}]})
  train, dev = squad_v1_files

  def case(name, version, extra, train_file=train, predict_file=dev):
    return [version, ["--albert_config_file=%s" % TINY_CONFIG,
                      "--output_dir=%s" % (tmp_path / name),
                      "--spm_model_file=%s" % spm_model_file,
                      "--train_file=%s" % train_file, "--predict_file=%s" % predict_file,
                      "--max_seq_length=64", "--max_query_length=16"] + extra]

  return {
      "not_squad": case("not_squad", 2, ["--do_train"], train_file=not_squad),
      "two_answers": case("two_answers", 1, ["--do_train"], train_file=two_answers),
      "repeated_id": case("repeated_id", 2, ["--do_predict"], predict_file=repeated),
      "missing_train": case("missing_train", 1, ["--do_train"],
                            train_file=str(tmp_path / "nowhere.json")),
      "query_too_long": case("query_too_long", 2, ["--do_train", "--max_query_length=61"]),
      "seq_too_long": case("seq_too_long", 1, ["--do_train", "--max_seq_length=512"]),
      "nothing_to_do": case("nothing_to_do", 2, []),
      "no_predict_file": case("no_predict_file", 2, ["--do_predict", "--predict_file="]),
  }


@pytest.fixture(scope="module")
def driver_run(tmp_path_factory, squad_v1_files, spm_model_file):
  """(tmp_path, cases, outcomes by case name, defaults by runner) of one `_DRIVER` run."""
  tmp_path = tmp_path_factory.mktemp("squad_driver")
  cases = _bad_input_cases(tmp_path, squad_v1_files, spm_model_file)
  process = subprocess.run(
      [sys.executable, "-c", _DRIVER, json.dumps(list(cases.values()))],
      cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
      text=True, timeout=180)
  found = {}
  for line in process.stdout.splitlines():
    for key in ("OUTCOMES=", "DEFAULTS="):
      if line.startswith(key):
        found[key] = json.loads(line[len(key):])
  assert len(found) == 2, process.stdout[-3000:]
  return tmp_path, cases, dict(zip(cases, found["OUTCOMES="])), found["DEFAULTS="]


def test_bad_inputs_fail_clearly_and_write_nothing(driver_run):
  tmp_path, _, outcomes, _ = driver_run
  not_squad = str(tmp_path / "glue.json")
  two_answers = str(tmp_path / "two.json")
  repeated = str(tmp_path / "dup.json")
  kind, message = outcomes["not_squad"]
  assert kind == "ValueError" and message.startswith("%s is not a SQuAD file" % not_squad)
  kind, message = outcomes["two_answers"]
  assert kind == "ValueError"
  assert message.startswith("%s: data[0].paragraphs[0].qas[0] (id 'q-two'): for training, "
                            "each question should have exactly 1 answer (found 2)" %
                            two_answers)
  kind, message = outcomes["repeated_id"]
  assert kind == "ValueError" and repeated in message and "'dup' is repeated" in message
  kind, message = outcomes["missing_train"]
  assert kind == "FileNotFoundError" and "--train_file=%s" % (tmp_path / "nowhere.json") in (
      message)
  kind, message = outcomes["query_too_long"]
  assert kind == "ValueError" and "max_seq_length (64)" in message
  assert "max_query_length (61)" in message
  kind, message = outcomes["seq_too_long"]
  assert kind == "ValueError" and "512" in message and "max_position_embeddings" in message
  kind, message = outcomes["nothing_to_do"]
  assert kind == "ValueError" and "do_train" in message
  kind, message = outcomes["no_predict_file"]
  assert kind == "ValueError" and "`predict_file` must be specified" in message

  for name in ("missing_train", "query_too_long", "seq_too_long", "nothing_to_do",
               "no_predict_file"):
    assert not os.path.exists(str(tmp_path / name)), name
  for name in ("not_squad", "two_answers", "repeated_id"):
    directory = str(tmp_path / name)
    assert not os.path.exists(directory) or os.listdir(directory) == [], name


def test_runners_keep_their_defaults_in_one_process(driver_run):
  """run_classifier and the SQuAD runners share flag names with other defaults."""
  defaults = driver_run[3]
  squad = {"max_seq_length": 384, "predict_batch_size": 8, "train_batch_size": 32,
           "do_lower_case": True, "save_checkpoints_steps": 1000, "learning_rate": 5e-5,
           "iterations_per_loop": 1000}
  assert defaults["albert.run_squad_v2"] == squad
  assert defaults["albert.run_squad_v1"] == squad
  assert defaults["albert.run_classifier"] == dict(squad, max_seq_length=512)
  assert defaults["squad_only"] == {
      "doc_stride": 128, "max_query_length": 64, "num_train_epochs": 3.0,
      "warmup_proportion": 0.1, "n_best_size": 20, "max_answer_length": 30,
      "start_n_top": 5, "end_n_top": 5, "dropout_prob": 0.1,
      "null_score_diff_threshold": None, "use_einsum": True, "export_dir": None}
