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
