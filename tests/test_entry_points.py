"""Every entry point lists its own flags, with help text, under --help and --helpfull.

absl shows the flags of the program's main module under `sys.argv[0]`; flags credited to
"__main__" (as `python -m` runs a module) would be missing from the help.
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# module -> flags it defines that must be listed (its own and shared ones it uses).
ENTRY_POINTS = {
    "albert.create_pretraining_data": ["input_file", "dupe_factor", "masked_lm_prob"],
    "albert.run_pretraining": ["input_file", "masked_lm_budget", "num_train_steps", "use_tpu"],
    "albert.run_classifier": ["task_name", "spm_model_file", "train_step", "use_tpu"],
    "albert.run_race": ["max_qa_length", "high_only", "train_file", "learning_rate", "use_tpu"],
    "albert.export_checkpoints": ["albert_directory", "checkpoint_name", "export_path"],
    "albert.import_hf": ["hf_dir", "output_dir", "checkpoint_name"],
    "albert.export_hf": ["albert_config_file", "init_checkpoint", "output_dir", "spm_model_file",
                         "vocab_file", "do_lower_case"],
    "albert.export_to_tfhub": ["albert_directory", "checkpoint_name", "do_lower_case",
                               "use_einsum", "export_path", "spm_model_file", "vocab_file"],
    "albert.run_squad_v1": ["train_file", "predict_feature_left_file", "doc_stride",
                            "use_einsum", "export_dir", "spm_model_file", "use_tpu"],
    "albert.run_squad_v2": ["train_file", "predict_feature_left_file", "num_train_epochs",
                            "start_n_top", "null_score_diff_threshold", "use_tpu"],
}


def _help(module, flag):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
             PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
  result = subprocess.run([sys.executable, "-m", module, flag], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
  # absl exits with status 1 after printing the help.
  assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr[-2000:]
  return result.stdout


@pytest.mark.parametrize("module", sorted(ENTRY_POINTS))
def test_help_lists_the_module_flags(module):
  text = _help(module, "--helpfull")
  module_path = os.path.join(REPO_ROOT, *module.split(".")) + ".py"
  # The module's own section comes first, under its file path (absl's key for the main module).
  assert module_path + ":" in text
  own_section = text.split(module_path + ":", 1)[1]
  for flag in ENTRY_POINTS[module]:
    assert "--%s" % flag in own_section or "--[no]%s" % flag in own_section, flag
  short = _help(module, "--help")
  for flag in ENTRY_POINTS[module]:
    assert "--%s" % flag in short or "--[no]%s" % flag in short, flag
