"""Tests for albert/distribution.py and the --strategy flags of estimator_utils.

End-to-end runs use run_pretraining on the tiny config (subprocesses: a strategy configures
TensorFlow's devices, which this test process has initialized already):
  * mirrored over two logical CPU devices vs one device at the same global batch;
  * multi_worker_mirrored with two worker processes on 127.0.0.1 (TF_CONFIG).
"""

import json
import os
import re
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from absl import flags
from absl.testing import flagsaver

from albert import distribution
from albert import estimator_utils
from albert import run_pretraining
from tests.fixtures import scale_out_fixtures
from tests.fixtures.run_pretraining_fixtures import run_pretraining_flags

FLAGS = flags.FLAGS
NUM_STEPS = 6
GLOBAL_BATCH = 16


def _flag_values(config_file, records, output_dir, **overrides):
  path, max_seq_length, max_predictions = records
  values = dict(
      albert_config_file=config_file, input_file=path, output_dir=str(output_dir),
      max_seq_length=max_seq_length, max_predictions_per_seq=max_predictions,
      train_batch_size=GLOBAL_BATCH, eval_batch_size=GLOBAL_BATCH, optimizer="lamb",
      learning_rate=0.01, num_warmup_steps=0, num_train_steps=NUM_STEPS,
      save_checkpoints_steps=NUM_STEPS, do_eval=True, max_eval_steps=1)
  values.update(overrides)
  return values


def _command_line(values):
  return ["--%s=%s" % (name, value) for name, value in values.items()]


def _eval_losses(output_dir):
  """{metric: value} of the last block of eval_results.txt."""
  metrics = {}
  with open(os.path.join(str(output_dir), "eval_results.txt")) as handle:
    for line in handle:
      key, _, value = line.strip().partition(" = ")
      if key.endswith("_loss") or key.endswith("_accuracy"):
        metrics[key] = float(value)
  return metrics


def _model_variables(prefix):
  """Checkpoint values without the optimizer slots and the step."""
  return {name: value for name, value in scale_out_fixtures.checkpoint_values(prefix).items()
          if not name.endswith(("/adam_m", "/adam_v")) and name != "global_step"}


def test_mirrored_on_two_cpu_devices_matches_one_device_at_the_same_global_batch(
    tmp_path, rp_tiny_config_file, sp_identical_records):
  # Every record is the same example, so each replica's batch of 8 equals the single
  # device's batch of 16 in content, whatever the shuffling: the runs differ only in how the
  # step is distributed. Both start from the same weights (the single run's step-0
  # checkpoint).
  single_dir = tmp_path / "single"
  with run_pretraining_flags(**_flag_values(rp_tiny_config_file, sp_identical_records,
                                            single_dir)):
    run_pretraining.main(None)
  mirrored_dir = tmp_path / "mirrored"
  returncode, log = scale_out_fixtures.run_runner_process(
      "run_pretraining",
      _command_line(_flag_values(
          rp_tiny_config_file, sp_identical_records, mirrored_dir,
          init_checkpoint=single_dir / "model.ckpt-0", strategy="mirrored",
          num_cpu_devices=2)),
      tmp_path / "mirrored.log")
  assert returncode == 0, log[-3000:]
  assert "2 replicas in sync" in log
  assert "--train_batch_size=16 is the GLOBAL batch: 8 examples per replica" in log
  assert "ReductionToOneDevice" in log
  assert re.search(r"name = input_ids, shape = \(8, 24\)", log)

  single = _model_variables(str(single_dir / ("model.ckpt-%d" % NUM_STEPS)))
  mirrored = _model_variables(str(mirrored_dir / ("model.ckpt-%d" % NUM_STEPS)))
  initial = _model_variables(str(single_dir / "model.ckpt-0"))
  assert sorted(mirrored) == sorted(single)
  # Each replica's clipped gradient equals the single device's, and the replicas' gradients
  # are averaged: the runs differ only by float summation order (~1e-7 relative). Adam/LAMB
  # turn that into weight differences only where a gradient is zero up to rounding: there
  # m / (sqrt(v) + eps) with eps = 1e-6 can reach ~0.01, i.e. 1e-4 per step at learning
  # rate 0.01; hence 1e-3 after 6 steps, against movements of ~0.1 (biases, LayerNorm). A
  # SUM over replicas (the original's TPU convention) fails this: it doubles the gradient,
  # and eps then shifts small-gradient elements by up to ~0.02 here.
  largest_change = max(np.abs(single[name] - initial[name]).max() for name in single)
  assert largest_change > 0.05
  for name in single:
    np.testing.assert_allclose(mirrored[name], single[name], atol=1e-3, rtol=0, err_msg=name)
  single_eval, mirrored_eval = _eval_losses(single_dir), _eval_losses(mirrored_dir)
  assert single_eval.keys() == mirrored_eval.keys() and single_eval
  # The weight differences above move the evaluated losses by a few 1e-5 relative (2.5e-5
  # was seen on a loaded machine); a wrong reduction moves them by percents.
  for key in single_eval:
    assert mirrored_eval[key] == pytest.approx(single_eval[key], rel=2e-4), key


def test_multi_worker_mirrored_two_local_workers_write_one_checkpoint(
    tmp_path, glue_data_dir, spm_model_file):
  # GLUE fine-tuning in fp16 with every phase: the loss-scale decision (all-reduced across
  # workers) and its unsaved state run in a real cluster, and the chief evaluates, predicts and
  # exports after the other worker has left (a second estimator for the export must not wait
  # for it).
  output_dir = tmp_path / "output"
  ports = scale_out_fixtures.free_ports(2)
  cluster = {"worker": ["127.0.0.1:%d" % port for port in ports]}
  args = _command_line(dict(
      task_name="MRPC", data_dir=glue_data_dir, output_dir=output_dir,
      albert_config_file=scale_out_fixtures.TINY_CONFIG, spm_model_file=spm_model_file,
      max_seq_length=32, do_train=True, do_eval=True, do_predict=True,
      export_dir=output_dir / "export", train_step=4, save_checkpoints_steps=4,
      train_batch_size=8, eval_batch_size=8, predict_batch_size=8, learning_rate=1e-3,
      strategy="multi_worker_mirrored", precision="fp16"))
  processes = []
  try:
    for index in (0, 1):
      tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
      processes.append(scale_out_fixtures.start_runner(
          "run_classifier", args, tmp_path / ("worker%d.log" % index), TF_CONFIG=tf_config))
    for process in processes:
      process.wait(timeout=150)
  except subprocess.TimeoutExpired:
    pass
  finally:
    for process in processes:
      scale_out_fixtures.kill_process_group(process)
  logs = [(tmp_path / ("worker%d.log" % index)).read_text() for index in (0, 1)]
  for process, log in zip(processes, logs):
    assert process.returncode == 0, log[-3000:]
    assert "2 replicas in sync" in log
    assert "--train_batch_size=8 is the GLOBAL batch: 4 examples per replica" in log
    assert "Precision fp16." in log
  assert "this worker is the chief" in logs[0]
  assert "this worker is NOT the chief" in logs[1] and "Exiting." in logs[1]

  # One checkpoint series, written by the chief: steps 0 and 4, every variable float32 and
  # finite (no loss-scale state), the model trained, the run marked finished; then the
  # chief's evaluation, prediction and export.
  steps = sorted(int(name.split("-")[1].split(".")[0])
                 for name in os.listdir(output_dir)
                 if name.startswith("model.ckpt-") and name.endswith(".index")
                 and "best" not in name)
  assert steps == [0, 4]
  final = scale_out_fixtures.checkpoint_values(str(output_dir / "model.ckpt-4"))
  initial = scale_out_fixtures.checkpoint_values(str(output_dir / "model.ckpt-0"))
  assert final["global_step"] == 4
  assert sorted(final) == sorted(initial)
  assert not [name for name in final if "loss_scale" in name]
  for name, value in final.items():
    if name != "global_step":
      assert value.dtype == np.float32 and np.all(np.isfinite(value)), name
  assert max(np.abs(final[name] - initial[name]).max() for name in final) > 1e-4
  assert (output_dir / "training_finished.txt").read_text() == "global_step = 4\n"
  assert "best = " in (output_dir / "eval_results.txt").read_text()
  assert len((output_dir / "test_results.tsv").read_text().splitlines()) > 0
  assert len(os.listdir(output_dir / "export")) == 1


def test_a_process_makes_each_strategy_once():
  settings = estimator_utils.RunSettings(strategy="mirrored")
  strategy = distribution.make_strategy(settings)
  assert strategy.num_replicas_in_sync == 1  # no GPU in tests: the one CPU device
  assert distribution.make_strategy(settings) is strategy
  assert distribution.make_strategy(estimator_utils.RunSettings()) is None


@pytest.mark.parametrize("settings,message", [
    (dict(use_tpu=True, strategy="mirrored"), "cannot be combined with --use_tpu"),
    (dict(use_tpu=True, precision="fp16"), "TPUs compute in bfloat16"),
    (dict(use_tpu=True, use_xla=True), "compiled by XLA already"),
    (dict(num_gpus=2), "--num_gpus=2 needs --strategy=mirrored"),
    (dict(strategy="multi_worker_mirrored", num_gpus=1), "CUDA_VISIBLE_DEVICES"),
    (dict(strategy="none", num_cpu_devices=2), "--num_cpu_devices=2 needs --strategy=mirrored"),
    (dict(precision="fp8"), "--precision='fp8' is not supported"),
])
def test_contradictory_settings_are_rejected_naming_the_flags(settings, message):
  with pytest.raises(ValueError, match=re.escape(message)):
    estimator_utils.RunSettings(**settings).check_scale_out()


def test_flags_are_checked_when_the_command_line_is_parsed():
  estimator_utils.define_tpu_flags()
  with flagsaver.flagsaver():
    with pytest.raises(flags.IllegalFlagValueError, match="cannot be combined with --use_tpu"):
      FLAGS(["prog", "--use_tpu", "--strategy=mirrored"])
  with flagsaver.flagsaver(strategy="mirrored", num_cpu_devices=2, precision="bf16",
                           use_xla=True):
    settings = estimator_utils.RunSettings.from_flags(FLAGS)
  assert (settings.strategy, settings.num_cpu_devices, settings.precision,
          settings.use_xla) == ("mirrored", 2, "bf16", True)


def test_more_gpus_than_visible_is_a_usage_error_at_parse_time():
  if tf.config.list_physical_devices("GPU"):
    pytest.skip("a GPU is visible")
  estimator_utils.define_tpu_flags()
  with flagsaver.flagsaver():
    with pytest.raises(flags.IllegalFlagValueError,
                       match=re.escape("--num_gpus=2, but no GPU is visible.")):
      FLAGS(["prog", "--strategy=mirrored", "--num_gpus=2"])
    # --num_gpus=0 asks for the CPU: fine without GPUs.
    FLAGS(["prog", "--strategy=mirrored", "--num_gpus=0"])
    assert estimator_utils.RunSettings.from_flags(FLAGS).num_gpus == 0


class _FakeStrategy(object):
  num_replicas_in_sync = 4


def test_the_global_batch_is_split_evenly_over_replicas():
  assert distribution.replica_batch_size(32, None) == 32
  assert distribution.replica_batch_size(32, _FakeStrategy()) == 8
  with pytest.raises(ValueError, match=r"--train_batch_size=30 \(the global batch\) must be "
                                       r"a multiple of the 4 replicas"):
    distribution.replica_batch_size(30, _FakeStrategy())


@pytest.mark.parametrize("tf_config,expected", [
    ({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 0}},
     ("worker", 0, True)),
    ({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}},
     ("worker", 1, False)),
    ({"cluster": {"chief": ["a:1"], "worker": ["b:2"]}, "task": {"type": "worker", "index": 0}},
     ("worker", 0, False)),
    ({"cluster": {"chief": ["a:1"], "worker": ["b:2"]}, "task": {"type": "chief", "index": 0}},
     ("chief", 0, True)),
])
def test_cluster_task_and_chief(monkeypatch, tf_config, expected):
  monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
  assert distribution.cluster_task() == expected


@pytest.mark.parametrize("tf_config,message", [
    (None, "needs the TF_CONFIG environment variable"),
    ("{not json", "TF_CONFIG must be JSON like"),
    (json.dumps({"cluster": {"worker": ["a:1"], "evaluator": ["b:2"]},
                 "task": {"type": "worker", "index": 0}}), r"found \['evaluator'\]"),
    (json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}),
     "task worker:3 is not in the cluster"),
])
def test_bad_tf_config_is_rejected(monkeypatch, tf_config, message):
  if tf_config is None:
    monkeypatch.delenv("TF_CONFIG", raising=False)
  else:
    monkeypatch.setenv("TF_CONFIG", tf_config)
  with pytest.raises(ValueError, match=message):
    distribution.cluster_task()


def test_without_tf_config_hides_and_restores_it(monkeypatch):
  monkeypatch.setenv("TF_CONFIG", "{}")
  with distribution.without_tf_config():
    assert "TF_CONFIG" not in os.environ
  assert os.environ["TF_CONFIG"] == "{}"
