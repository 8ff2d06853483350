"""Tests for albert/fine_tuning_utils.py: tokenizer sources, configs and the TF-Hub path.

The hub tests use modules written by albert.export_to_tfhub (fixture `tiny_hub_module`, from
the random checkpoint of `tiny_pretrained_dir`); fine-tuning run_classifier from a module end
to end is in tests/test_export_to_tfhub.py.
"""

import os
import re

import numpy as np
import pytest
import tensorflow as tf

from albert import fine_tuning_utils
from albert import modeling
from tests import test_run_classifier

TEXT = "the value of the file is returned"


def _encoder_checkpoint(pretrained_dir):
  directory, _ = pretrained_dir
  return os.path.join(directory, "model.ckpt-best")


def test_create_vocab_needs_exactly_one_usable_source(spm_model_file, wordpiece_vocab_file,
                                                      tmp_path):
  spm_tokenizer = fine_tuning_utils.create_vocab(None, True, spm_model_file, None)
  assert spm_tokenizer.sp_model is not None
  # Both files: SentencePiece wins and the vocab is ignored (the original's command lines).
  both = fine_tuning_utils.create_vocab(wordpiece_vocab_file, True, spm_model_file, None)
  assert both.sp_model is not None and both.tokenize(TEXT) == spm_tokenizer.tokenize(TEXT)
  # WordPiece alone is enough (no --spm_model_file needed).
  wordpiece = fine_tuning_utils.create_vocab(wordpiece_vocab_file, True, None, None)
  assert wordpiece.sp_model is None
  assert wordpiece.tokenize("The Value") == ["the", "value"]

  with pytest.raises(ValueError, match="--spm_model_file.*--vocab_file.*hub"):
    fine_tuning_utils.create_vocab(None, True, None, None)
  missing = str(tmp_path / "missing.model")
  with pytest.raises(FileNotFoundError, match="--spm_model_file=%s" % missing):
    fine_tuning_utils.create_vocab(None, True, missing, None)
  with pytest.raises(FileNotFoundError, match="from_tf_hub.*--albert_hub_module_handle"):
    fine_tuning_utils.create_vocab(None, True, "from_tf_hub", None)
  with pytest.raises(FileNotFoundError, match="--vocab_file=%s" % missing):
    fine_tuning_utils.create_vocab(missing, True, None, None)


@pytest.mark.parametrize("spm_flag", ["from_tf_hub", None])
def test_create_vocab_from_spm_hub_module(tiny_hub_module, spm_flag, spm_model_file):
  """The module's asset is used, with the Colab's dummy --spm_model_file or without one."""
  tokenizer = fine_tuning_utils.create_vocab(None, True, spm_flag, tiny_hub_module)
  reference = fine_tuning_utils.create_vocab(None, True, spm_model_file, None)
  assert tokenizer.sp_model is not None and tokenizer.do_lower_case is True
  assert tokenizer.tokenize(TEXT) == reference.tokenize(TEXT)
  assert (tokenizer.convert_tokens_to_ids(tokenizer.tokenize(TEXT)) ==
          reference.convert_tokens_to_ids(reference.tokenize(TEXT)))


def _wordpiece_module(tiny_pretrained_dir, wordpiece_vocab_file, export_path):
  from albert import export_to_tfhub  # pylint: disable=g-import-not-at-top
  from albert import export_utils  # pylint: disable=g-import-not-at-top
  config, config_file = export_utils.load_directory_config(tiny_pretrained_dir[0])
  sources = export_to_tfhub.ExportSources(config, config_file,
                                          _encoder_checkpoint(tiny_pretrained_dir),
                                          wordpiece_vocab_file)
  return export_to_tfhub.export_hub_module(sources, export_path)


def test_create_vocab_hub_module_and_explicit_files(tiny_pretrained_dir, wordpiece_vocab_file,
                                                    spm_model_file, tmp_path):
  module = _wordpiece_module(tiny_pretrained_dir, wordpiece_vocab_file,
                             str(tmp_path / "albert_wordpiece"))
  tokenizer = fine_tuning_utils.create_vocab(None, False, None, module)
  assert tokenizer.sp_model is None
  # do_lower_case comes from the module (True), not from the argument (False).
  assert tokenizer.do_lower_case is True
  assert tokenizer.tokenize("The Value") == ["the", "value"]
  # An explicit tokenizer file replaces the module's; a missing one is an error that says how
  # to get the module's.
  explicit = fine_tuning_utils.create_vocab(None, True, spm_model_file, module)
  assert explicit.sp_model is not None
  missing = str(tmp_path / "missing.model")
  with pytest.raises(FileNotFoundError, match="--spm_model_file=%s does not exist.*"
                     "from_tf_hub" % missing):
    fine_tuning_utils.create_vocab(None, True, missing, module)


def test_resolve_hub_module_names_bad_handles(tiny_hub_module, tiny_pretrained_dir, tmp_path):
  assert fine_tuning_utils.resolve_hub_module(tiny_hub_module) == tiny_hub_module
  missing = str(tmp_path / "missing")
  with pytest.raises(ValueError, match="--albert_hub_module_handle=%s: not found" % missing):
    fine_tuning_utils.resolve_hub_module(missing)
  directory, _ = tiny_pretrained_dir
  with pytest.raises(ValueError, match="%s is not a TF-Hub module.*export_to_tfhub" % directory):
    fine_tuning_utils.resolve_hub_module(directory)
  # A TF2 SavedModel is not a hub.Module.
  saved_model = str(tmp_path / "saved_model")
  tf.saved_model.save(tf.Module(), saved_model)
  with pytest.raises(ValueError, match="a SavedModel but not a TF1 hub module"):
    fine_tuning_utils.create_vocab(None, True, None, saved_model)
  with pytest.raises(ValueError, match="no 'squad' signature.*mlm, sop, tokenization_info"):
    fine_tuning_utils.resolve_hub_module(tiny_hub_module, required_signatures=("squad",))


def test_load_albert_config_reads_the_module_config(tiny_hub_module):
  tiny_config = test_run_classifier.TINY_CONFIG
  config, path = fine_tuning_utils.load_albert_config(tiny_config, None)
  assert path == tiny_config and config.max_position_embeddings == 128
  # With a module, its albert_config.json asset describes the model actually used.
  config, path = fine_tuning_utils.load_albert_config(None, tiny_hub_module)
  assert path == os.path.join(tiny_hub_module, "assets", "albert_config.json")
  assert config.to_dict() == modeling.AlbertConfig.from_json_file(tiny_config).to_dict()
  assert fine_tuning_utils.load_albert_config(tiny_config, tiny_hub_module)[1] == path
  with pytest.raises(ValueError, match="sequence length 256.*128.*%s" % re.escape(path)):
    fine_tuning_utils.check_max_seq_length(256, config, path)
  with pytest.raises(ValueError, match="albert_config_file.*albert_hub_module_handle"):
    fine_tuning_utils.load_albert_config(None, None)


def _encoder_outputs(config, hub_module, checkpoint, is_training, feed):
  with tf.Graph().as_default():
    placeholders = {name: tf.compat.v1.placeholder(tf.int32, [None, None], name)
                    for name in ("input_ids", "input_mask", "segment_ids")}
    pooled, sequence = fine_tuning_utils.create_albert(
        albert_config=config, is_training=is_training,
        input_ids=placeholders["input_ids"], input_mask=placeholders["input_mask"],
        segment_ids=placeholders["segment_ids"], use_one_hot_embeddings=False,
        use_einsum=True, hub_module=hub_module)
    trainable = sorted(v.op.name for v in tf.compat.v1.trainable_variables())
    if checkpoint:
      tf.compat.v1.train.init_from_checkpoint(checkpoint, {"bert/": "bert/"})
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      values = sess.run([pooled, sequence],
                        {placeholders[name]: value for name, value in feed.items()})
  return values, trainable


def test_create_albert_hub_and_config_paths_agree(tiny_hub_module, tiny_pretrained_dir):
  config = modeling.AlbertConfig.from_json_file(test_run_classifier.TINY_CONFIG)
  rng = np.random.RandomState(3)
  feed = {"input_ids": rng.randint(5, config.vocab_size, size=[2, 7]),
          "input_mask": np.array([[1] * 7, [1] * 4 + [0] * 3]),
          "segment_ids": np.array([[0] * 4 + [1] * 3, [0] * 7])}
  (hub_pooled, hub_sequence), hub_vars = _encoder_outputs(
      None, tiny_hub_module, None, False, feed)
  (pooled, sequence), config_vars = _encoder_outputs(
      config, None, _encoder_checkpoint(tiny_pretrained_dir), False, feed)
  assert hub_pooled.shape == (2, config.hidden_size)
  assert hub_sequence.shape == (2, 7, config.hidden_size)
  np.testing.assert_allclose(hub_pooled, pooled, rtol=0, atol=1e-6)
  np.testing.assert_allclose(hub_sequence, sequence, rtol=0, atol=1e-6)
  # The module is trainable; its encoder variables mirror the config path's under "module/"
  # (it also holds the pretraining heads, cls/..., which fine-tuning leaves alone).
  assert [name for name in hub_vars if name.startswith("module/bert/")] == [
      "module/" + name for name in config_vars]
  assert "module/cls/predictions/output_bias" in hub_vars
  # The {"train"} graph loads too (fine-tuning uses it).
  (train_pooled, _), _ = _encoder_outputs(None, tiny_hub_module, None, True, feed)
  np.testing.assert_allclose(train_pooled, pooled, rtol=0, atol=1e-6)  # no dropout in config
