"""Tests for albert/fine_tuning_utils.py: tokenizer sources and the TF-Hub encoder path.

The hub tests export their own tiny TF1 hub module (hub.create_module_spec with "tokens" and
"tokenization_info" signatures, the tokenizer file registered as an asset), then load it
through create_albert / create_vocab and through run_classifier --albert_hub_module_handle.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

from albert import fine_tuning_utils
from albert import modeling
from tests import test_run_classifier

TEXT = "the value of the file is returned"


def export_tiny_hub_module(config, tokenizer_file, do_lower_case, checkpoint_path, export_dir):
  """Exports an ALBERT encoder as a TF1 hub module with the tags {"train"} and {}.

  Signatures: "tokens" {input_ids, input_mask, segment_ids} -> {pooled_output,
  sequence_output}; "tokenization_info" {} -> {vocab_file, do_lower_case}. `tokenizer_file`
  is registered in ASSET_FILEPATHS, so the export copies it to assets/ and the loaded module
  returns the copied path.
  """
  import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top

  def module_fn(is_training):
    input_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "input_ids")
    input_mask = tf.compat.v1.placeholder(tf.int32, [None, None], "input_mask")
    segment_ids = tf.compat.v1.placeholder(tf.int32, [None, None], "segment_ids")
    model = modeling.AlbertModel(config, is_training, input_ids, input_mask, segment_ids)
    hub.add_signature(
        "tokens",
        inputs=dict(input_ids=input_ids, input_mask=input_mask, segment_ids=segment_ids),
        outputs=dict(pooled_output=model.get_pooled_output(),
                     sequence_output=model.get_sequence_output()))
    vocab_file = tf.constant(tokenizer_file)
    tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, vocab_file)
    hub.add_signature("tokenization_info", inputs={},
                      outputs=dict(vocab_file=vocab_file,
                                   do_lower_case=tf.constant(do_lower_case)))

  spec = hub.create_module_spec(
      module_fn, tags_and_args=[({"train"}, {"is_training": True}),
                                (set(), {"is_training": False})])
  spec.export(export_dir, checkpoint_path=checkpoint_path)
  return export_dir


def _random_checkpoint(config, path):
  """Saves randomly initialised encoder weights (names bert/...) and returns the prefix."""
  with tf.Graph().as_default():
    input_ids = tf.compat.v1.placeholder(tf.int32, [None, None])
    modeling.AlbertModel(config, False, input_ids, input_ids * 0 + 1, input_ids * 0)
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      return tf.compat.v1.train.Saver().save(sess, path)


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
  config = modeling.AlbertConfig.from_json_file(test_run_classifier.TINY_CONFIG)
  return _random_checkpoint(config, str(tmp_path_factory.mktemp("hub_ckpt") / "model.ckpt"))


@pytest.fixture(scope="module")
def spm_hub_module(tmp_path_factory, tiny_checkpoint, spm_model_file):
  config = modeling.AlbertConfig.from_json_file(test_run_classifier.TINY_CONFIG)
  return export_tiny_hub_module(config, spm_model_file, True, tiny_checkpoint,
                                str(tmp_path_factory.mktemp("hub") / "albert_spm"))


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
def test_create_vocab_from_spm_hub_module(spm_hub_module, spm_flag, spm_model_file):
  """The module's asset is used, with the Colab's dummy --spm_model_file or without one."""
  tokenizer = fine_tuning_utils.create_vocab(None, False, spm_flag, spm_hub_module)
  reference = fine_tuning_utils.create_vocab(None, True, spm_model_file, None)
  assert tokenizer.sp_model is not None
  assert tokenizer.tokenize(TEXT) == reference.tokenize(TEXT)
  assert (tokenizer.convert_tokens_to_ids(tokenizer.tokenize(TEXT)) ==
          reference.convert_tokens_to_ids(reference.tokenize(TEXT)))
  assert os.listdir(os.path.join(spm_hub_module, "assets")) == [
      os.path.basename(spm_model_file)]


def test_create_vocab_from_wordpiece_hub_module(tmp_path, tiny_checkpoint,
                                                wordpiece_vocab_file):
  config = modeling.AlbertConfig.from_json_file(test_run_classifier.TINY_CONFIG)
  module = export_tiny_hub_module(config, wordpiece_vocab_file, True, tiny_checkpoint,
                                  str(tmp_path / "albert_wordpiece"))
  tokenizer = fine_tuning_utils.create_vocab(None, False, None, module)
  assert tokenizer.sp_model is None
  # do_lower_case comes from the module (True), not from the argument (False).
  assert tokenizer.tokenize("The Value") == ["the", "value"]


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


def test_create_albert_hub_and_config_paths_agree(spm_hub_module, tiny_checkpoint):
  config = modeling.AlbertConfig.from_json_file(test_run_classifier.TINY_CONFIG)
  rng = np.random.RandomState(3)
  feed = {"input_ids": rng.randint(5, config.vocab_size, size=[2, 7]),
          "input_mask": np.array([[1] * 7, [1] * 4 + [0] * 3]),
          "segment_ids": np.array([[0] * 4 + [1] * 3, [0] * 7])}
  (hub_pooled, hub_sequence), hub_vars = _encoder_outputs(
      None, spm_hub_module, None, False, feed)
  (pooled, sequence), config_vars = _encoder_outputs(config, None, tiny_checkpoint, False, feed)
  assert hub_pooled.shape == (2, config.hidden_size)
  assert hub_sequence.shape == (2, 7, config.hidden_size)
  np.testing.assert_allclose(hub_pooled, pooled, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(hub_sequence, sequence, rtol=1e-5, atol=1e-5)
  # The module is trainable and its variables mirror the encoder's under "module/".
  assert hub_vars == ["module/" + name for name in config_vars]
  # The {"train"} graph loads too (fine-tuning uses it).
  (train_pooled, _), _ = _encoder_outputs(None, spm_hub_module, None, True, feed)
  assert train_pooled.shape == (2, config.hidden_size)


def test_run_classifier_with_hub_module(spm_hub_module, tmp_path, glue_data_dir,
                                        glue_records):
  """The Colab's command line: hub module + dummy --spm_model_file, no config file."""
  output_dir = str(tmp_path / "rte_hub")
  args = ["--task_name=RTE", "--data_dir=%s" % glue_data_dir, "--output_dir=%s" % output_dir,
          "--albert_hub_module_handle=%s" % spm_hub_module, "--spm_model_file=from_tf_hub",
          "--max_seq_length=32", "--train_step=2", "--save_checkpoints_steps=2",
          "--learning_rate=1e-2", "--train_batch_size=4", "--eval_batch_size=4",
          "--predict_batch_size=4", "--do_train", "--do_eval", "--do_predict"]
  process = test_run_classifier.run_classifier(args)
  assert process.returncode == 0, process.stdout[-4000:]
  blocks, best = test_run_classifier._parse_eval_results(  # pylint: disable=protected-access
      os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-2"]
  assert best.startswith("%s (step " % max(b["eval_accuracy"] for b in blocks))
  submit = test_run_classifier._read_lines(  # pylint: disable=protected-access
      os.path.join(output_dir, "submit_results.tsv"))
  assert submit[0] == "index\tprediction"
  assert [line.split("\t")[0] for line in submit[1:]] == [
      r["index"] for r in glue_records["rte"]["test"]]
  assert {line.split("\t")[1] for line in submit[1:]} <= {"entailment", "not_entailment"}
  # The encoder inside the module was fine-tuned: its weights moved between steps 0 and 2.
  name = "module/bert/embeddings/word_embeddings"
  step0 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-0"), name)
  step2 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-2"), name)
  assert np.abs(step2 - step0).max() > 1e-4
