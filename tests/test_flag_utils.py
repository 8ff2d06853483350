"""Tests for albert/flag_utils.py: several runners can be imported into one process."""

import subprocess
import sys

from tests.conftest import REPO_ROOT

_SCRIPT = r"""
from absl import flags
import albert.create_pretraining_data
import albert.run_pretraining
import albert.run_classifier
import albert.export_checkpoints
import albert.import_hf
import albert.export_hf
import albert.run_race
FLAGS = flags.FLAGS
# Shared names keep the first importer's definition; each runner still owns its own flags.
print(FLAGS.find_module_defining_flag("max_seq_length"))
print(FLAGS.find_module_defining_flag("masked_lm_budget"))
print(FLAGS.find_module_defining_flag("task_name"))
print(FLAGS.find_module_defining_flag("albert_directory"))
print(FLAGS["dupe_factor"].default, FLAGS["train_step"].default)
"""


def test_all_runners_import_into_one_process():
  result = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  assert result.stdout.split("\n")[:5] == [
      "albert.create_pretraining_data", "albert.run_pretraining", "albert.run_classifier",
      "albert.export_checkpoints", "40 1000"]


_DEFAULTS_SCRIPT = r"""
from absl import flags
from albert import flag_utils
import albert.run_classifier
import albert.run_pretraining
FLAGS = flags.FLAGS
FLAGS(["test", "--train_batch_size=7"])
names = ("learning_rate", "max_seq_length", "do_train", "optimizer", "save_checkpoints_steps",
         "train_batch_size")
for runner in ("albert.run_pretraining", "albert.run_classifier", "albert.run_pretraining"):
  flag_utils.apply_runner_defaults(runner)
  print(runner, [FLAGS[name].value for name in names])
"""


def test_each_runner_gets_its_own_defaults_in_one_process():
  """run_classifier defines learning_rate=5e-5, do_train=False, optimizer=adamw first; running
  run_pretraining's main in the same process must still use 0.00176, True, lamb. A value given
  on the command line (--train_batch_size=7) wins for both."""
  result = subprocess.run([sys.executable, "-c", _DEFAULTS_SCRIPT], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  pretraining = "albert.run_pretraining [0.00176, 512, True, 'lamb', 5000, 7]"
  classifier = "albert.run_classifier [5e-05, 512, False, 'adamw', 1000, 7]"
  assert result.stdout.strip().splitlines() == [pretraining, classifier, pretraining]


def test_require_flags_names_the_first_missing_flag():
  from absl import flags  # pylint: disable=import-outside-toplevel
  from albert import flag_utils  # pylint: disable=import-outside-toplevel
  flag_values = flags.FlagValues()
  flags.DEFINE_string("given", "x", "", flag_values=flag_values)
  flags.DEFINE_string("empty", "", "", flag_values=flag_values)
  flags.DEFINE_string("missing", None, "", flag_values=flag_values)
  flag_values(["test"])
  flag_utils.require_flags("given", flag_values=flag_values)
  for names, named in ((("given", "empty", "missing"), "--empty"),
                       (("missing", "empty"), "--missing")):
    try:
      flag_utils.require_flags(*names, flag_values=flag_values)
    except ValueError as error:
      assert str(error) == named + " is required."
    else:
      raise AssertionError("no error for %s" % (names,))


_COMMON_DEFAULTS_SCRIPT = r"""
from absl import flags
from albert import flag_utils
import albert.run_race
import albert.run_squad_v2
FLAGS = flags.FLAGS
FLAGS(["test"])
for runner in ("albert.run_race", "albert.run_squad_v2"):
  print(runner, sorted(name for name in flag_utils.COMMON_FINE_TUNING_DEFAULTS
                       if flag_utils._RUNNER_DEFAULTS[runner].get(name, "absent")
                       == flag_utils.COMMON_FINE_TUNING_DEFAULTS[name]))
print(FLAGS.find_module_defining_flag("spm_model_file"), FLAGS["do_lower_case"].default)
"""


def test_every_fine_tuning_runner_gets_the_common_defaults():
  result = subprocess.run([sys.executable, "-c", _COMMON_DEFAULTS_SCRIPT], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  common = str(sorted(["albert_config_file", "albert_hub_module_handle", "do_lower_case",
                       "init_checkpoint", "output_dir", "spm_model_file", "vocab_file"]))
  assert result.stdout.strip().splitlines() == [
      "albert.run_race " + common, "albert.run_squad_v2 " + common, "albert.run_race True"]


def test_require_one_of_lists_the_flags_like_the_original():
  from absl import flags  # pylint: disable=import-outside-toplevel
  from albert import flag_utils  # pylint: disable=import-outside-toplevel
  flag_values = flags.FlagValues()
  for name in ("do_train", "do_eval", "do_predict"):
    flags.DEFINE_bool(name, False, "", flag_values=flag_values)
  flag_values(["test", "--do_predict"])
  flag_utils.require_one_of("do_train", "do_predict", flag_values=flag_values)
  for names, message in (
      (("do_train", "do_eval"), "At least one of `do_train` or `do_eval` must be True."),
      (("do_train", "do_eval", "do_train"),
       "At least one of `do_train`, `do_eval` or `do_train` must be True."),
      (("do_eval",), "At least one of `do_eval` must be True.")):
    try:
      flag_utils.require_one_of(*names, flag_values=flag_values)
    except ValueError as error:
      assert str(error) == message
    else:
      raise AssertionError("no error for %s" % (names,))
