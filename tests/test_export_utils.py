"""Tests for albert/export_utils.py: reading an ALBERT directory for the exporters.

The exports themselves are tested in tests/test_export_checkpoints.py and
tests/test_export_to_tfhub.py.
"""

import glob
import os
import shutil

import pytest

from albert import export_utils


def test_checkpoint_to_export(tiny_pretrained_dir, tmp_path):
  directory, _ = tiny_pretrained_dir
  # A name that exists is used as it is, given or default.
  for name in ("model.ckpt-best", "model.ckpt-3"):
    assert export_utils.checkpoint_to_export(directory, name) == os.path.join(directory, name)
  assert (export_utils.checkpoint_to_export(directory, "model.ckpt-best", False) ==
          os.path.join(directory, "model.ckpt-best"))

  # A run_pretraining directory without model.ckpt-best: the default falls back to the newest
  # model.ckpt-N; a name given explicitly must exist.
  no_best = str(tmp_path / "no_best")
  shutil.copytree(directory, no_best)
  for path in glob.glob(os.path.join(no_best, "model.ckpt-best.*")):
    os.remove(path)
  assert (export_utils.checkpoint_to_export(no_best, "model.ckpt-best", False) ==
          os.path.join(no_best, "model.ckpt-3"))
  with pytest.raises(FileNotFoundError,
                     match=r"model.ckpt-best not found.*Checkpoints in .*: model.ckpt-3\."):
    export_utils.checkpoint_to_export(no_best, "model.ckpt-best", True)

  empty = str(tmp_path / "empty")
  os.makedirs(empty)
  with pytest.raises(ValueError, match=r"Checkpoints in .*: none\."):
    export_utils.checkpoint_to_export(empty, "model.ckpt-best", False)


def test_load_directory_config_names_the_missing_file(tiny_pretrained_dir, tmp_path):
  directory, _ = tiny_pretrained_dir
  config, config_file = export_utils.load_directory_config(directory)
  assert config_file == os.path.join(directory, "albert_config.json")
  assert config.vocab_size == 1000
  with pytest.raises(ValueError, match="%s not found" % os.path.join(str(tmp_path),
                                                                      "albert_config.json")):
    export_utils.load_directory_config(str(tmp_path))
