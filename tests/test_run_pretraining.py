"""Tests for albert/run_pretraining.py: tiny end-to-end pretraining, resume, init, NaN guard.

Fixtures (`rp_tiny_config_file`, `rp_records`, `run_pretraining_flags`) live in
tests/fixtures/run_pretraining_fixtures.py.
"""

import collections
import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from albert import checkpoint_utils
from albert import dynamic_masking
from albert import run_pretraining
from tests.conftest import REPO_ROOT
from tests.fixtures import run_pretraining_fixtures as rp_fixtures
from tests.fixtures.run_pretraining_fixtures import run_pretraining_flags

FIRST_RUN_STEPS = 10
SECOND_RUN_STEPS = 40


def _common_flags(config_file, records, output_dir, **overrides):
  path, max_seq_length, max_predictions = records
  values = dict(
      albert_config_file=config_file, input_file=path, output_dir=str(output_dir),
      max_seq_length=max_seq_length, max_predictions_per_seq=max_predictions,
      train_batch_size=8, eval_batch_size=8, optimizer="lamb", learning_rate=0.02,
      num_warmup_steps=0, save_checkpoints_steps=10, max_eval_steps=10)
  values.update(overrides)
  return values


def _read_eval_results(path):
  """Parses eval_results.txt into a list of {key: value} blocks, one per checkpoint."""
  blocks = []
  with open(path) as handle:
    for line in handle:
      key, _, value = line.strip().partition(" = ")
      if key == "checkpoint":
        blocks.append({"checkpoint": value})
      elif blocks and key != "best":
        blocks[-1][key] = float(value)
  return blocks


def _scalar_summaries(output_dir):
  """{tag: [(step, value), ...]} from every training events file in output_dir."""
  found = collections.defaultdict(list)
  for path in sorted(glob.glob(os.path.join(output_dir, "events.out.tfevents.*"))):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        found[value.tag].append((event.step, value.simple_value))
  return found


@pytest.fixture(scope="module")
def pretrained_dir(tmp_path_factory, rp_tiny_config_file, rp_records):
  """Trains 10 steps (train + eval), then restarts the same command with 40 steps."""
  output_dir = tmp_path_factory.mktemp("rp_e2e") / "output"
  for num_train_steps in (FIRST_RUN_STEPS, SECOND_RUN_STEPS):
    with run_pretraining_flags(**_common_flags(
        rp_tiny_config_file, rp_records, output_dir, do_train=True, do_eval=True,
        num_train_steps=num_train_steps)):
      run_pretraining.main(None)
  return str(output_dir)


def test_eval_results_have_the_four_metrics_and_loss_goes_down(pretrained_dir):
  blocks = _read_eval_results(os.path.join(pretrained_dir, "eval_results.txt"))
  assert [block["checkpoint"] for block in blocks] == [
      "model.ckpt-%d" % FIRST_RUN_STEPS, "model.ckpt-%d" % SECOND_RUN_STEPS]
  for block in blocks:
    for key in ("masked_lm_accuracy", "masked_lm_loss", "sentence_order_accuracy",
                "sentence_order_loss"):
      assert key in block, (key, block)
    assert 0.0 <= block["masked_lm_accuracy"] <= 1.0
    assert 0.0 <= block["sentence_order_accuracy"] <= 1.0
  # The data's masked tokens follow a skewed 16-token unigram distribution: learning it takes
  # the loss from about log(97) = 4.57 to about 2.5.
  first, last = blocks
  assert first["masked_lm_loss"] < np.log(rp_fixtures.RP_VOCAB_SIZE) + 0.1
  assert last["masked_lm_loss"] < first["masked_lm_loss"] - 0.5
  assert last["masked_lm_loss"] < 3.0


def test_best_checkpoint_is_written(pretrained_dir):
  for suffix in (".index", ".meta", ".data-00000-of-00001"):
    assert os.path.exists(os.path.join(pretrained_dir, "model.ckpt-best" + suffix)), suffix
  reader = tf.train.load_checkpoint(os.path.join(pretrained_dir, "model.ckpt-best"))
  assert reader.get_tensor("global_step") in (FIRST_RUN_STEPS, SECOND_RUN_STEPS)


def test_restart_resumes_from_the_saved_global_step(pretrained_dir):
  steps = [step for step, _ in checkpoint_utils.list_checkpoints(pretrained_dir)]
  assert steps[-1] == SECOND_RUN_STEPS
  assert FIRST_RUN_STEPS in steps or len(steps) == 5  # keep_checkpoint_max = 5
  # Training summaries are written at the first step of each run: a resumed second run starts
  # after step 10, a run from scratch would start at step 1 again.
  summaries = _scalar_summaries(pretrained_dir)
  total_loss_steps = sorted(step for step, _ in summaries["total_loss"])
  assert total_loss_steps == [1, FIRST_RUN_STEPS + 1]
  for tag in ("masked_lm_loss", "sentence_order_loss", "learning_rate"):
    assert len(summaries[tag]) == 2, tag
  # Throughput (every min(100, save_checkpoints_steps) = 10 steps): tokens = examples x 24.
  throughput = dict(summaries["examples_per_sec"])
  assert throughput and all(value > 0 for value in throughput.values())
  for step, tokens_per_sec in summaries["tokens_per_sec"]:
    assert tokens_per_sec == pytest.approx(throughput[step] * rp_fixtures.RP_MAX_SEQ_LENGTH,
                                           rel=1e-4)
  # LAMB at 0.02, linear decay to 0 over 10 then 40 steps (no warmup).
  learning_rates = dict(summaries["learning_rate"])
  assert learning_rates[FIRST_RUN_STEPS + 1] == pytest.approx(0.02 * (1 - 10 / 40), rel=1e-5)


def test_restart_after_the_last_step_does_not_train_again(pretrained_dir, rp_tiny_config_file,
                                                          rp_records):
  before = checkpoint_utils.list_checkpoints(pretrained_dir)
  with run_pretraining_flags(**_common_flags(
      rp_tiny_config_file, rp_records, pretrained_dir, do_train=True, do_eval=False,
      num_train_steps=SECOND_RUN_STEPS)):
    run_pretraining.main(None)
  assert checkpoint_utils.list_checkpoints(pretrained_dir) == before


def _build_eval_graph(config_file, init_checkpoint, init_from_group0, max_seq_length=8,
                      max_predictions=2):
  """Builds the EVAL graph of model_fn in a new graph; returns (graph, estimator spec)."""
  from albert import modeling
  config = modeling.AlbertConfig.from_json_file(config_file)
  model_fn = run_pretraining.model_fn_builder(
      albert_config=config, init_checkpoint=init_checkpoint, learning_rate=1e-3,
      num_train_steps=10, num_warmup_steps=0, use_tpu=False, use_one_hot_embeddings=False,
      optimizer="lamb", poly_power=1.0, start_warmup_step=0,
      init_from_group0=init_from_group0)
  graph = tf.Graph()
  with graph.as_default():
    batch = 2
    features = {
        "input_ids": tf.ones([batch, max_seq_length], tf.int32),
        "input_mask": tf.ones([batch, max_seq_length], tf.int32),
        "segment_ids": tf.zeros([batch, max_seq_length], tf.int32),
        "masked_lm_positions": tf.zeros([batch, max_predictions], tf.int32),
        "masked_lm_ids": tf.zeros([batch, max_predictions], tf.int32),
        "masked_lm_weights": tf.ones([batch, max_predictions], tf.float32),
        "next_sentence_labels": tf.zeros([batch, 1], tf.int32),
    }
    spec = model_fn(features, None, tf.estimator.ModeKeys.EVAL, {"batch_size": batch})
  return graph, spec


def _variable_values(graph):
  with graph.as_default(), tf.compat.v1.Session() as session:
    session.run(tf.compat.v1.global_variables_initializer())
    variables = tf.compat.v1.global_variables()
    return dict(zip([v.op.name for v in variables], session.run(variables)))


@pytest.mark.parametrize("init_from_group0", [True, False])
def test_init_from_group0_fills_every_group(tmp_path, pretrained_dir, init_from_group0):
  source = os.path.join(pretrained_dir, "model.ckpt-%d" % SECOND_RUN_STEPS)
  reader = tf.train.load_checkpoint(source)
  two_group_config = rp_fixtures.write_config(tmp_path / "two_groups.json",
                                              num_hidden_groups=2)
  graph, _ = _build_eval_graph(two_group_config, source, init_from_group0)
  values = _variable_values(graph)

  group_1_names = [name for name in values if "/group_1/" in name]
  assert len(group_1_names) == 16  # q/k/v/output, 2 LayerNorms, 2 FFN denses (kernel + bias)
  for name in values:
    source_name = name.replace("/group_1/", "/group_0/")
    if name == "global_step":
      continue
    expected = reader.get_tensor(source_name)
    if "/group_1/" in name and not init_from_group0:
      # Without the flag only exact names are restored: group 1 keeps its initializers
      # (random kernels; the zero-initialized biases may still be close to the trained ones).
      if name.endswith("kernel"):
        assert not np.allclose(values[name], expected), name
    else:
      np.testing.assert_array_equal(values[name], expected, err_msg=name)


def test_nan_loss_stops_training_naming_the_step(tmp_path, rp_tiny_config_file, rp_records):
  output_dir = tmp_path / "nan"
  # A learning rate of 1e30 pushes the weights to ~1e30 after one AdamW step; the next
  # forward pass overflows to inf/NaN.
  with run_pretraining_flags(**_common_flags(
      rp_tiny_config_file, rp_records, output_dir, optimizer="adamw", learning_rate=1e30,
      num_train_steps=10)):
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
      run_pretraining.main(None)
  match = re.search(r"Loss is NaN or inf at global step\] \[(\d+)\]", str(raised.value))
  assert match, str(raised.value)[:500]
  failed_step = int(match.group(1))
  assert 1 <= failed_step < 10
  steps = [step for step, _ in checkpoint_utils.list_checkpoints(str(output_dir))]
  assert all(step < failed_step for step in steps), steps


def test_dynamic_masking_trains_and_evaluates(tmp_path, rp_tiny_config_file, rp_records,
                                              rp_vocab_file):
  output_dir = tmp_path / "dynamic"
  with run_pretraining_flags(**_common_flags(
      rp_tiny_config_file, rp_records, output_dir, do_train=True, do_eval=True,
      num_train_steps=5, masked_lm_budget=3, max_eval_steps=4, vocab_file=rp_vocab_file)):
    run_pretraining.main(None)
  blocks = _read_eval_results(os.path.join(str(output_dir), "eval_results.txt"))
  assert [block["checkpoint"] for block in blocks] == ["model.ckpt-5"]
  assert 0.0 <= blocks[0]["masked_lm_accuracy"] <= 1.0
  assert 0.5 < blocks[0]["masked_lm_loss"] < 10.0


def test_dynamic_masking_input_fn_shapes(rp_records):
  path, max_seq_length, max_predictions = rp_records
  input_fn = run_pretraining.input_fn_builder(
      [path], max_seq_length, max_predictions, is_training=True, masked_lm_budget=3,
      vocab_size=rp_fixtures.RP_VOCAB_SIZE, special_ids=dynamic_masking.SpecialTokenIds(
          rp_fixtures.CLS_ID, rp_fixtures.SEP_ID, rp_fixtures.MASK_ID))
  with tf.Graph().as_default():
    batch = tf.compat.v1.data.make_one_shot_iterator(input_fn({"batch_size": 4})).get_next()
    with tf.compat.v1.Session() as session:
      values = session.run(batch)
  assert values["masked_lm_positions"].shape == (4, 3)
  assert values["masked_lm_ids"].shape == (4, 3)
  assert values["masked_lm_weights"].shape == (4, 3)
  assert values["input_ids"].shape == (4, max_seq_length)
  # Every real slot points at a changed or kept corpus token; offline masks were undone first.
  for row in range(4):
    for slot in range(3):
      if values["masked_lm_weights"][row, slot] > 0:
        assert values["masked_lm_ids"][row, slot] in rp_fixtures.CORPUS_IDS
  assert np.sum(values["masked_lm_weights"]) >= 4


def test_offline_input_fn_casts_to_int32(rp_records):
  path, max_seq_length, max_predictions = rp_records
  input_fn = run_pretraining.input_fn_builder([path], max_seq_length, max_predictions,
                                              is_training=False)
  dataset = input_fn({"batch_size": 5})
  specs = dataset.element_spec
  for name in ("input_ids", "input_mask", "segment_ids", "masked_lm_positions",
               "masked_lm_ids", "next_sentence_labels"):
    assert specs[name].dtype == tf.int32, name
  assert specs["masked_lm_weights"].dtype == tf.float32
  assert specs["input_ids"].shape.as_list() == [5, max_seq_length]
  assert specs["next_sentence_labels"].shape.as_list() == [5, 1]


def test_predict_mode_is_rejected(rp_tiny_config_file):
  from albert import modeling
  config = modeling.AlbertConfig.from_json_file(rp_tiny_config_file)
  model_fn = run_pretraining.model_fn_builder(config, None, 1e-3, 10, 0, False, False, "lamb",
                                              1.0, 0)
  with tf.Graph().as_default():
    features = {name: tf.zeros([1, 4], tf.int32) for name in (
        "input_ids", "input_mask", "segment_ids", "masked_lm_positions", "masked_lm_ids")}
    features["masked_lm_weights"] = tf.zeros([1, 4])
    features["next_sentence_labels"] = tf.zeros([1, 1], tf.int32)
    with pytest.raises(ValueError, match="Only TRAIN and EVAL"):
      model_fn(features, None, tf.estimator.ModeKeys.PREDICT, {"batch_size": 1})


def test_main_requires_do_train_or_do_eval(tmp_path, rp_tiny_config_file, rp_records):
  with run_pretraining_flags(**_common_flags(rp_tiny_config_file, rp_records, tmp_path,
                                             do_train=False, do_eval=False)):
    with pytest.raises(ValueError, match="do_train.*do_eval"):
      run_pretraining.main(None)


def test_input_glob_matching_nothing_is_named(tmp_path, rp_tiny_config_file, rp_records):
  missing = str(tmp_path / "nothing-*.tfrecord")
  with run_pretraining_flags(**_common_flags(rp_tiny_config_file, rp_records, tmp_path,
                                             input_file=rp_records[0] + "," + missing)):
    with pytest.raises(ValueError, match=re.escape(missing)):
      run_pretraining.main(None)


def test_flags_keep_the_original_names_and_defaults():
  # In a fresh process, so that no other runner imported by the test session owns a shared
  # flag name (e.g. learning_rate) with its own default.
  expected = {
      "albert_config_file": None, "input_file": None, "output_dir": None,
      "init_checkpoint": None, "max_seq_length": 512, "max_predictions_per_seq": 20,
      "do_train": True, "do_eval": False, "train_batch_size": 4096, "eval_batch_size": 64,
      "optimizer": "lamb", "learning_rate": 0.00176, "poly_power": 1.0,
      "num_train_steps": 125000, "num_warmup_steps": 3125, "start_warmup_step": 0,
      "save_checkpoints_steps": 5000, "keep_checkpoint_max": 5, "iterations_per_loop": 1000,
      "max_eval_steps": 100, "use_tpu": False, "init_from_group0": False, "tpu_name": None,
      "tpu_zone": None, "gcp_project": None, "master": None, "num_tpu_cores": 8,
      "masked_lm_budget": 0, "spm_model_file": None, "vocab_file": None,
      "masked_lm_prob": 0.15, "ngram": 3, "favor_shorter_ngram": True,
  }
  script = (
      "import json\n"
      "from albert import run_pretraining\n"
      "flag_values = run_pretraining.FLAGS\n"
      "print(json.dumps({name: flag_values[name].default for name in %r}))\n"
      "print(sorted(flag_values['optimizer'].parser.enum_values))\n" % sorted(expected))
  result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  defaults_line, enum_line = result.stdout.strip().split("\n")[-2:]
  assert json.loads(defaults_line) == expected
  assert enum_line == "['adamw', 'lamb']"


def test_trivial_model_script_runs_end_to_end(tmp_path):
  """scripts/run_trivial_model_test.sh: corpus -> SPM -> TFRecords -> pretrain + eval."""
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  env = dict(os.environ, WORK_DIR=str(tmp_path), NUM_TRAIN_STEPS="20", PYTHON=sys.executable,
             TF_CPP_MIN_LOG_LEVEL="2")
  result = subprocess.run(
      ["bash", os.path.join(repo_root, "scripts", "run_trivial_model_test.sh")],
      env=env, capture_output=True, text=True, timeout=600)
  assert result.returncode == 0, result.stderr[-3000:]
  blocks = _read_eval_results(str(tmp_path / "output" / "eval_results.txt"))
  assert [block["checkpoint"] for block in blocks] == ["model.ckpt-20"]
  assert set(blocks[0]) >= {"masked_lm_accuracy", "masked_lm_loss", "sentence_order_accuracy",
                            "sentence_order_loss"}
  # The script prints the results at the end.
  assert "masked_lm_accuracy = " in result.stdout
  assert os.path.exists(str(tmp_path / "output" / "model.ckpt-best.index"))


def test_number_of_initialized_groups():
  from albert import modeling
  config = modeling.AlbertConfig.from_dict(
      dict(rp_fixtures.tiny_config_dict(num_hidden_groups=2, num_hidden_layers=4)))
  assert run_pretraining.num_of_initialize_groups(config, init_from_group0=False) == 1
  assert run_pretraining.num_of_initialize_groups(config, init_from_group0=True) == 2
  config.net_structure_type = 1  # per-layer structures: one map per layer
  assert run_pretraining.num_of_initialize_groups(config, init_from_group0=True) == 4
  del config.net_structure_type  # configs without the field (reference §2.1) still work
  assert run_pretraining.num_of_initialize_groups(config, init_from_group0=True) == 2


def _no_checkpoint_written(output_dir):
  return not glob.glob(os.path.join(str(output_dir), "model.ckpt*"))


@pytest.mark.parametrize("override,feature,found,flag", [
    ({"max_seq_length": rp_fixtures.RP_MAX_SEQ_LENGTH + 8}, "input_ids",
     rp_fixtures.RP_MAX_SEQ_LENGTH, "--max_seq_length"),
    ({"max_predictions_per_seq": rp_fixtures.RP_MAX_PREDICTIONS + 1}, "masked_lm_positions",
     rp_fixtures.RP_MAX_PREDICTIONS, "--max_predictions_per_seq"),
])
def test_feature_length_mismatch_is_an_error_before_training(
    tmp_path, rp_tiny_config_file, rp_records, override, feature, found, flag):
  output_dir = tmp_path / "mismatch"
  values = _common_flags(rp_tiny_config_file, rp_records, output_dir, num_train_steps=3)
  values.update(override)
  with run_pretraining_flags(**values):
    with pytest.raises(ValueError) as raised:
      run_pretraining.main(None)
  message = str(raised.value)
  assert message.startswith(rp_records[0] + ": feature %r has length %d, but %s=%d" % (
      feature, found, flag, override[flag[2:]])), message
  assert _no_checkpoint_written(output_dir)


def test_empty_input_and_foreign_ids_are_errors_before_training(tmp_path, rp_tiny_config_file,
                                                                 rp_records):
  empty = str(tmp_path / "empty.tfrecord")
  with tf.io.TFRecordWriter(empty):
    pass
  output_dir = tmp_path / "empty_out"
  values = _common_flags(rp_tiny_config_file, rp_records, output_dir, num_train_steps=3)
  values["input_file"] = empty
  with run_pretraining_flags(**values):
    with pytest.raises(ValueError, match="No records in the input: %s is empty" % empty):
      run_pretraining.main(None)
  assert _no_checkpoint_written(output_dir)

  small_vocab_config = rp_fixtures.write_config(tmp_path / "vocab_20.json", vocab_size=20)
  values = _common_flags(small_vocab_config, rp_records, output_dir, num_train_steps=3)
  with run_pretraining_flags(**values):
    with pytest.raises(ValueError, match=r"does not fit vocab_size=20"):
      run_pretraining.main(None)
  assert _no_checkpoint_written(output_dir)


def test_dynamic_masking_needs_the_data_tokenizer(tmp_path, rp_tiny_config_file, rp_records,
                                                  spm_model_file):
  output_dir = tmp_path / "no_tokenizer"
  values = _common_flags(rp_tiny_config_file, rp_records, output_dir, num_train_steps=3,
                         masked_lm_budget=3)
  with run_pretraining_flags(**values):
    with pytest.raises(ValueError, match="needs the tokenizer the data was made with"):
      run_pretraining.main(None)
  # A tokenizer whose [CLS] id differs from the records' first id is the wrong one.
  with tempfile_vocab(tmp_path, ["[PAD]", "[UNK]", "[SEP]", "[CLS]", "[MASK]"]) as vocab_file:
    with run_pretraining_flags(**dict(values, vocab_file=vocab_file)):
      with pytest.raises(ValueError, match=r"records start with id 2, but \[CLS\] is 3"):
        run_pretraining.main(None)
  assert _no_checkpoint_written(output_dir)


@contextlib.contextmanager
def tempfile_vocab(directory, special_tokens):
  path = os.path.join(str(directory), "vocab_%d.txt" % len(os.listdir(str(directory))))
  tokens = special_tokens + ["w%d" % i for i in range(len(special_tokens),
                                                      rp_fixtures.RP_VOCAB_SIZE)]
  with open(path, "w") as handle:
    handle.write("\n".join(tokens) + "\n")
  yield path


_BUDGET_PARSE_SCRIPT = """
import sys
from albert import run_pretraining
flag_values = run_pretraining.FLAGS
for value in sys.argv[1:]:
  flag_values.unparse_flags()
  try:
    flag_values(["run_pretraining", "--masked_lm_budget=" + value])
    print("ok", value, int(flag_values.masked_lm_budget))
  except Exception as error:
    print("error", value, type(error).__name__, str(error).replace("\\n", " "))
"""


def test_masked_lm_budget_accepts_the_original_float_values():
  result = subprocess.run([sys.executable, "-c", _BUDGET_PARSE_SCRIPT, "0.0", "0", "20",
                           "20.0", "2.5", "-1"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  lines = result.stdout.strip().splitlines()
  assert lines[:4] == ["ok 0.0 0", "ok 0 0", "ok 20 20", "ok 20.0 20"]
  assert lines[4].startswith("error 2.5 IllegalFlagValueError") and "whole number" in lines[4]
  assert lines[5].startswith("error -1 IllegalFlagValueError")
  assert "masked_lm_budget" in lines[5]


@pytest.fixture(scope="module")
def train_only_dir(tmp_path_factory, rp_tiny_config_file, rp_records):
  """A run_pretraining output directory trained 6 steps without evaluation."""
  output_dir = tmp_path_factory.mktemp("rp_train_only") / "output"
  with run_pretraining_flags(**_common_flags(
      rp_tiny_config_file, rp_records, output_dir, do_train=True, do_eval=False,
      num_train_steps=6, save_checkpoints_steps=3)):
    run_pretraining.main(None)
  return str(output_dir)


def test_output_dir_holds_the_config(train_only_dir, rp_tiny_config_file):
  with open(os.path.join(train_only_dir, "albert_config.json")) as handle:
    written = json.load(handle)
  with open(rp_tiny_config_file) as handle:
    assert written == json.load(handle)


def test_eval_only_run_ends_after_the_last_checkpoint(train_only_dir, rp_tiny_config_file,
                                                      rp_records, monkeypatch):
  """--do_eval without training and without repeating the step count (default 125000) ends
  once the finished run's checkpoints are evaluated, instead of waiting for step 125000."""
  monkeypatch.setattr(run_pretraining, "EVAL_MAX_WAIT_SECONDS", 60)
  monkeypatch.setattr(run_pretraining, "EVAL_POLL_SECONDS", 5)
  values = _common_flags(rp_tiny_config_file, rp_records, train_only_dir, do_train=False,
                         do_eval=True)
  values.pop("num_train_steps", None)
  start = time.time()
  with run_pretraining_flags(**values):
    run_pretraining.main(None)
  assert time.time() - start < 50
  results_file = os.path.join(train_only_dir, "eval_results.txt")
  blocks = _read_eval_results(results_file)
  assert [block["checkpoint"] for block in blocks] == ["model.ckpt-6"]
  with open(results_file) as handle:
    results = handle.read()
  # A second evaluation-only run evaluates nothing and appends nothing.
  with run_pretraining_flags(**values):
    run_pretraining.main(None)
  with open(results_file) as handle:
    assert handle.read() == results
  assert results.count("best = ") == 1


def test_export_checkpoints_works_on_a_pretraining_directory(train_only_dir, tmp_path, caplog):
  from albert import export_checkpoints  # pylint: disable=g-import-not-at-top
  from absl.testing import flagsaver  # pylint: disable=g-import-not-at-top
  caplog.set_level("INFO")
  source = train_only_dir
  if os.path.exists(os.path.join(source, "model.ckpt-best.index")):
    # The evaluation test of this module may have run first: use a copy without the best.
    source = str(tmp_path / "no_best")
    shutil.copytree(train_only_dir, source)
    for path in glob.glob(os.path.join(source, "model.ckpt-best*")):
      os.remove(path)
  export_prefix = str(tmp_path / "exported" / "model.ckpt")
  with flagsaver.flagsaver(albert_directory=source, export_path=export_prefix):
    export_checkpoints.main(None)
  assert any("exporting the newest checkpoint, model.ckpt-6" in record.getMessage()
             for record in caplog.records)
  exported = dict(tf.train.list_variables(export_prefix))
  assert "bert/embeddings/word_embeddings" in exported
  assert not any(name.endswith("/adam_m") for name in exported)
  np.testing.assert_array_equal(
      tf.train.load_variable(export_prefix, "bert/pooler/dense/kernel"),
      tf.train.load_variable(os.path.join(source, "model.ckpt-6"), "bert/pooler/dense/kernel"))
