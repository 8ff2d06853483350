"""Tests for albert/export_to_tfhub.py: a pretraining checkpoint as a TF1 TF-Hub module.

The module (fixture `tiny_hub_module`, exported from the random checkpoint of
`tiny_pretrained_dir`) is loaded with hub.Module and compared with the checkpoint loaded
directly into the pretraining graph; then run_classifier fine-tunes from it end to end.
"""

import os
import re
import shutil

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_hub as hub

from albert import export_to_tfhub
from albert import fine_tuning_utils
from albert import modeling
from albert import pretraining_heads
from albert import tfrecord_utils
from tests import test_run_classifier

SIGNATURES = ["mlm", "sop", "tokenization_info", "tokens"]
BATCH_SIZE, SEQ_LENGTH, NUM_POSITIONS = 3, 9, 4


def _inputs(config):
  """Padded random inputs: row b has b padding positions; masked positions are real tokens."""
  rng = np.random.RandomState(7)
  input_ids = rng.randint(0, config.vocab_size, [BATCH_SIZE, SEQ_LENGTH]).astype(np.int32)
  input_mask = np.ones([BATCH_SIZE, SEQ_LENGTH], np.int32)
  for row in range(BATCH_SIZE):
    input_mask[row, SEQ_LENGTH - row:] = 0
  segment_ids = np.zeros([BATCH_SIZE, SEQ_LENGTH], np.int32)
  segment_ids[:, 5:] = 1
  positions = rng.randint(1, SEQ_LENGTH - BATCH_SIZE, [BATCH_SIZE, NUM_POSITIONS])
  return {"input_ids": input_ids, "input_mask": input_mask, "segment_ids": segment_ids,
          "mlm_positions": positions.astype(np.int32)}


def _logsumexp(logits):
  """log(sum(exp(logits))) over the last axis, keeping it: [..., 1]."""
  largest = logits.max(axis=-1, keepdims=True)
  return largest + np.log(np.exp(logits - largest).sum(axis=-1, keepdims=True))


def _checkpoint_outputs(config, checkpoint_path, inputs):
  """The pretraining graph (encoder + run_pretraining's MLM/SOP losses) restored directly.

  Returns:
    dict: sequence_output, pooled_output, mlm_logits [B*P, V], mlm_log_probs [B*P, V] and
    sop_log_probs [B, 2].
  """
  with tf.Graph().as_default():
    # Placeholders, as in the module: constant inputs would let grappler fold the graph into
    # a differently rounded computation.
    feeds = {name: tf.compat.v1.placeholder(tf.int32, [None, None], name) for name in inputs}
    model = modeling.AlbertModel(
        config, is_training=False, input_ids=feeds["input_ids"],
        input_mask=feeds["input_mask"], token_type_ids=feeds["segment_ids"])
    positions = feeds["mlm_positions"]
    _, _, mlm_log_probs = pretraining_heads.get_masked_lm_output(
        config, model.get_sequence_output(), model.get_embedding_table(), positions,
        label_ids=tf.zeros_like(positions), label_weights=tf.ones_like(positions, tf.float32))
    _, _, sop_log_probs = pretraining_heads.get_sentence_order_output(
        config, model.get_pooled_output(), tf.zeros([BATCH_SIZE], tf.int32))
    with tf.compat.v1.variable_scope(tf.compat.v1.get_variable_scope(), reuse=True):
      mlm_logits = pretraining_heads.masked_lm_logits(
          config, model.get_sequence_output(), model.get_embedding_table(), positions)
    with tf.compat.v1.Session() as session:
      # A plain Saver restore: fails if any graph variable is missing from the checkpoint.
      tf.compat.v1.train.Saver().restore(session, checkpoint_path)
      return session.run({"sequence_output": model.get_sequence_output(),
                          "pooled_output": model.get_pooled_output(),
                          "mlm_logits": mlm_logits, "mlm_log_probs": mlm_log_probs,
                          "sop_log_probs": sop_log_probs},
                         {feeds[name]: value for name, value in inputs.items()})


def _module_outputs(module_path, tags, inputs):
  """Runs every signature of the module (graph variant `tags`) on `inputs`."""
  encoder_inputs = {name: inputs[name] for name in ("input_ids", "input_mask", "segment_ids")}
  with tf.Graph().as_default():
    module = hub.Module(module_path, tags=tags)
    outputs = {
        "tokens": module(encoder_inputs, signature="tokens", as_dict=True),
        "sop": module(encoder_inputs, signature="sop", as_dict=True),
        "mlm": module(dict(encoder_inputs, mlm_positions=inputs["mlm_positions"]),
                      signature="mlm", as_dict=True),
        "tokenization_info": module(signature="tokenization_info", as_dict=True),
    }
    signature_names = sorted(module.get_signature_names())
    variable_names = sorted(module.variable_map)
    with tf.compat.v1.Session() as session:
      session.run(tf.compat.v1.global_variables_initializer())
      return session.run(outputs), signature_names, variable_names


@pytest.mark.parametrize("tags", [set(), {"train"}], ids=["inference", "train"])
def test_signatures_equal_the_checkpoint(tiny_hub_module, tiny_pretrained_dir, tags):
  """All four signatures, both graph variants (the tiny config has no dropout, so the
  {"train"} graph computes the same numbers)."""
  directory, saved = tiny_pretrained_dir
  config = modeling.AlbertConfig.from_json_file(os.path.join(directory, "albert_config.json"))
  inputs = _inputs(config)
  expected = _checkpoint_outputs(config, os.path.join(directory, "model.ckpt-best"), inputs)
  outputs, signature_names, variable_names = _module_outputs(tiny_hub_module, tags, inputs)

  assert signature_names == SIGNATURES
  # The module holds exactly the model's variables: no optimizer slots, no global_step.
  assert variable_names == sorted(saved["model.ckpt-best"])
  assert "cls/predictions/output_bias" in variable_names

  assert outputs["tokens"]["sequence_output"].shape == (BATCH_SIZE, SEQ_LENGTH,
                                                        config.hidden_size)
  assert outputs["tokens"]["pooled_output"].shape == (BATCH_SIZE, config.hidden_size)
  for signature in ("tokens", "sop", "mlm"):
    for name in ("sequence_output", "pooled_output"):
      np.testing.assert_allclose(outputs[signature][name], expected[name], rtol=0, atol=1e-6,
                                 err_msg="%s/%s" % (signature, name))
  mlm_logits = outputs["mlm"]["mlm_logits"]
  assert mlm_logits.shape == (BATCH_SIZE * NUM_POSITIONS, config.vocab_size)
  np.testing.assert_allclose(mlm_logits, expected["mlm_logits"], rtol=0, atol=1e-6)
  # Logits, not log-probabilities: their log-softmax is the pretraining head's.
  log_normalizer = _logsumexp(mlm_logits)
  assert np.abs(log_normalizer).min() > 1e-2
  np.testing.assert_allclose(mlm_logits - log_normalizer, expected["mlm_log_probs"], rtol=0,
                             atol=1e-5)
  sop_log_probs = outputs["sop"]["sop_log_probs"]
  assert sop_log_probs.shape == (BATCH_SIZE, 2)
  np.testing.assert_allclose(_logsumexp(sop_log_probs), 0.0, atol=1e-6)
  np.testing.assert_allclose(sop_log_probs, expected["sop_log_probs"], rtol=0, atol=1e-6)

  info = outputs["tokenization_info"]
  assert info["vocab_file"].decode() == os.path.join(tiny_hub_module, "assets",
                                                     "30k-clean.model")
  assert bool(info["do_lower_case"]) is True


def test_assets_and_variables_on_disk(tiny_hub_module, tiny_pretrained_dir, spm_model_file,
                                      spm_vocab_file):
  directory, saved = tiny_pretrained_dir
  assets = os.path.join(tiny_hub_module, "assets")
  assert sorted(os.listdir(assets)) == ["30k-clean.model", "30k-clean.vocab",
                                        "albert_config.json"]
  for name, source in (("30k-clean.model", spm_model_file), ("30k-clean.vocab", spm_vocab_file),
                       ("albert_config.json", os.path.join(directory, "albert_config.json"))):
    with open(os.path.join(assets, name), "rb") as copy, open(source, "rb") as original:
      assert copy.read() == original.read(), name
  assert os.path.exists(os.path.join(tiny_hub_module, "tfhub_module.pb"))
  variables = os.path.join(tiny_hub_module, "variables", "variables")
  for name, value in saved["model.ckpt-best"].items():
    np.testing.assert_array_equal(tf.train.load_variable(variables, name), value, err_msg=name)
  # No temporary directory is left beside the module.
  assert os.listdir(os.path.dirname(tiny_hub_module)) == [os.path.basename(tiny_hub_module)]


def _run_main(**flag_values):
  """Runs export_to_tfhub.main in this process with the given flags."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  from absl.testing import flagsaver  # pylint: disable=g-import-not-at-top
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()
  defaults = dict(checkpoint_name="model.ckpt-best", spm_model_file=None, vocab_file=None,
                  do_lower_case=True, use_einsum=True)
  with flagsaver.flagsaver(**dict(defaults, **flag_values)):
    export_to_tfhub.main(None)


def test_pretraining_output_dir_with_step_checkpoint_and_wordpiece(
    tiny_pretrained_dir, wordpiece_vocab_file, tmp_path):
  """The run_pretraining layout, --checkpoint_name=model.ckpt-N, a WordPiece tokenizer, and
  --nodo_lower_case / --nouse_einsum recorded and honoured."""
  directory, saved = tiny_pretrained_dir
  export_path = str(tmp_path / "module")
  _run_main(albert_directory=directory, checkpoint_name="model.ckpt-3",
            vocab_file=wordpiece_vocab_file, do_lower_case=False, use_einsum=False,
            export_path=export_path)
  assert sorted(os.listdir(os.path.join(export_path, "assets"))) == ["albert_config.json",
                                                                     "vocab.txt"]
  name = "bert/embeddings/word_embeddings"
  value = tf.train.load_variable(os.path.join(export_path, "variables", "variables"), name)
  np.testing.assert_array_equal(value, saved["model.ckpt-3"][name])
  assert not np.array_equal(value, saved["model.ckpt-best"][name])

  tokenizer = fine_tuning_utils.create_vocab(None, True, None, export_path)
  assert tokenizer.sp_model is None and tokenizer.do_lower_case is False
  assert tokenizer.tokenize("The value") == ["[UNK]", "value"]  # cased: "The" is unknown
  # Exporting again replaces the module.
  _run_main(albert_directory=directory, vocab_file=wordpiece_vocab_file,
            export_path=export_path)
  value = tf.train.load_variable(os.path.join(export_path, "variables", "variables"), name)
  np.testing.assert_array_equal(value, saved["model.ckpt-best"][name])
  assert fine_tuning_utils.create_vocab(None, False, None, export_path).do_lower_case is True


def _copy_dir(source, destination, **config_changes):
  shutil.copytree(source, destination)
  if config_changes:
    config_file = os.path.join(destination, "albert_config.json")
    config = modeling.AlbertConfig.from_json_file(config_file)
    for key, value in config_changes.items():
      setattr(config, key, value)
    tfrecord_utils.atomic_write_text(config_file, config.to_json_string())
  return destination


def test_bad_sources_are_named_before_anything_is_written(tiny_pretrained_dir, spm_model_file,
                                                          tmp_path):
  directory, _ = tiny_pretrained_dir
  export_path = str(tmp_path / "module")
  spm = dict(spm_model_file=spm_model_file, export_path=export_path)

  no_config = str(tmp_path / "no_config")
  os.makedirs(no_config)
  with pytest.raises(FileNotFoundError, match=os.path.join(no_config, "albert_config.json")):
    _run_main(albert_directory=no_config, **spm)
  with pytest.raises(FileNotFoundError,
                     match=r"model.ckpt-77 not found.*Checkpoints in .*: model.ckpt-3, "
                           r"model.ckpt-best\."):
    _run_main(albert_directory=directory, checkpoint_name="model.ckpt-77", **spm)
  # A run_pretraining directory holds no tokenizer: the message says what to pass.
  with pytest.raises(FileNotFoundError, match="30k-clean.model not found.*--spm_model_file"):
    _run_main(albert_directory=directory, export_path=export_path)
  with pytest.raises(FileNotFoundError, match="--spm_model_file=/nonexistent.model"):
    _run_main(albert_directory=directory, spm_model_file="/nonexistent.model",
              export_path=export_path)
  small_vocab = _copy_dir(directory, str(tmp_path / "small_vocab"), vocab_size=500)
  with pytest.raises(ValueError, match="1000 pieces.*vocab_size is 500"):
    _run_main(albert_directory=small_vocab, **spm)
  # A checkpoint of another model: named variable, nothing written.
  two_groups = _copy_dir(directory, str(tmp_path / "two_groups"), num_hidden_groups=2)
  with pytest.raises(ValueError, match="has no variable named .*group_1"):
    _run_main(albert_directory=two_groups, **spm)
  assert not os.path.exists(export_path)
  assert sorted(os.listdir(str(tmp_path))) == ["no_config", "small_vocab", "two_groups"]

  # The export replaces export_path as a whole: never a directory that is not a module, nor
  # one holding the sources.
  occupied = tmp_path / "occupied"
  occupied.mkdir()
  (occupied / "notes.txt").write_text("keep me")
  with pytest.raises(ValueError, match="not a hub module.*refusing"):
    _run_main(albert_directory=directory, spm_model_file=spm_model_file,
              export_path=str(occupied))
  assert (occupied / "notes.txt").read_text() == "keep me"
  with pytest.raises(ValueError, match="contains %s" % re.escape(directory)):
    _run_main(albert_directory=directory, spm_model_file=spm_model_file,
              export_path=os.path.dirname(directory))


###############################################################################
# Fine-tuning from the exported module (run_classifier subprocesses)
###############################################################################


def test_glue_fine_tuning_from_exported_module(tiny_hub_module, tiny_pretrained_dir,
                                               glue_data_dir, glue_records, spm_tokenizer,
                                               tmp_path):
  """MRPC from the module alone (no config, no tokenizer flag), in the two invocations of
  the original run_glue.sh: train; then eval + predict with the Colab's
  --spm_model_file=from_tf_hub."""
  output_dir = str(tmp_path / "mrpc_hub")
  common = ["--task_name=MRPC", "--data_dir=%s" % glue_data_dir,
            "--output_dir=%s" % output_dir, "--albert_hub_module_handle=%s" % tiny_hub_module,
            "--max_seq_length=32", "--train_step=2", "--save_checkpoints_steps=2",
            "--learning_rate=1e-2", "--train_batch_size=4", "--eval_batch_size=4",
            "--predict_batch_size=4"]
  process = test_run_classifier.run_classifier(common + ["--do_train"])
  assert process.returncode == 0, process.stdout[-4000:]
  # The training features were tokenized with the module's SentencePiece model.
  fingerprint = tfrecord_utils.tokenizer_fingerprint(spm_tokenizer)
  with open(os.path.join(output_dir, "mrpc_train.tf_record.fingerprint.json")) as handle:
    assert handle.read().count(fingerprint["sentencepiece_md5"]) == 1

  process = test_run_classifier.run_classifier(
      common + ["--spm_model_file=from_tf_hub", "--do_eval", "--do_predict"])
  assert process.returncode == 0, process.stdout[-4000:]
  assert "Saving checkpoints" not in process.stdout
  blocks, best = test_run_classifier._parse_eval_results(  # pylint: disable=protected-access
      os.path.join(output_dir, "eval_results.txt"))
  assert [b["checkpoint"] for b in blocks] == ["model.ckpt-0", "model.ckpt-2"]
  assert best.startswith("%s (step " % max(b["eval_accuracy"] for b in blocks))
  assert os.path.exists(os.path.join(output_dir, "model.ckpt-best.index"))
  test_lines = test_run_classifier._read_lines(  # pylint: disable=protected-access
      os.path.join(output_dir, "test_results.tsv"))
  assert len(test_lines) == len(glue_records["mrpc"]["test"])
  submit = test_run_classifier._read_lines(  # pylint: disable=protected-access
      os.path.join(output_dir, "submit_results.tsv"))
  assert [line.split("\t")[0] for line in submit[1:]] == [
      r["index"] for r in glue_records["mrpc"]["test"]]

  # The module's weights were loaded (step 0 = the module) and fine-tuned (step 2 moved).
  _, saved = tiny_pretrained_dir
  for name in ("bert/embeddings/word_embeddings",
               "bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel"):
    exported = saved["model.ckpt-best"][name]
    step0 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-0"), "module/" + name)
    step2 = tf.train.load_variable(os.path.join(output_dir, "model.ckpt-2"), "module/" + name)
    np.testing.assert_array_equal(step0, exported, err_msg=name)
    assert np.abs(step2 - exported).max() > 1e-4, name


def test_bad_handle_fails_before_anything_is_written(tiny_pretrained_dir, glue_data_dir,
                                                     tmp_path):
  output_dir = str(tmp_path / "out")
  missing = str(tmp_path / "no_such_module")
  process = test_run_classifier.run_classifier(
      ["--task_name=MRPC", "--data_dir=%s" % glue_data_dir, "--output_dir=%s" % output_dir,
       "--albert_hub_module_handle=%s" % missing, "--do_train"], timeout=120)
  assert process.returncode != 0
  assert ("--albert_hub_module_handle=%s: not found" % missing) in process.stdout
  assert not os.path.exists(output_dir)


def test_checkpoint_without_sop_head_exports_without_it(tiny_pretrained_dir, spm_model_file,
                                                        tmp_path):
  """A masked-LM-only model (e.g. imported from Hugging Face's AlbertForMaskedLM) exports
  with the mlm signature and no sop one; export_checkpoints keeps what there is."""
  from albert import checkpoint_utils  # pylint: disable=g-import-not-at-top
  from albert import export_checkpoints  # pylint: disable=g-import-not-at-top
  directory, saved = tiny_pretrained_dir
  mlm_only = str(tmp_path / "mlm_only")
  os.makedirs(mlm_only)
  shutil.copy(os.path.join(directory, "albert_config.json"), mlm_only)
  tensors = {name: value for name, value in saved["model.ckpt-best"].items()
             if not name.startswith("cls/seq_relationship/")}
  checkpoint_utils.write_checkpoint(os.path.join(mlm_only, "model.ckpt-best"), tensors)

  export_path = str(tmp_path / "module")
  _run_main(albert_directory=mlm_only, spm_model_file=spm_model_file, export_path=export_path)
  with tf.Graph().as_default():
    module = hub.Module(export_path)
    assert sorted(module.get_signature_names()) == ["mlm", "tokenization_info", "tokens"]
    assert not any("seq_relationship" in var.op.name for var in module.variables)

  config = modeling.AlbertConfig.from_json_file(os.path.join(mlm_only, "albert_config.json"))
  exported = export_checkpoints.export_checkpoint(
      config, os.path.join(mlm_only, "model.ckpt-best"), str(tmp_path / "stripped"))
  names = [name for name, _ in tf.train.list_variables(exported)]
  assert "cls/predictions/output_bias" in names
  assert not any(name.startswith("cls/seq_relationship/") for name in names)
