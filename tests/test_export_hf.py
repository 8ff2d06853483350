"""Tests for albert/export_hf.py: our checkpoint -> a Hugging Face directory transformers loads.

Random checkpoints of our model (with optimizer slots, as training leaves them) are exported;
transformers 4.57.6 loads every parameter with nothing missing or unexpected, and its PyTorch
run matches ours within 1e-5 (sequence output on unpadded positions, pooled output, MLM and SOP
logits; classifier logits for a fine-tuned checkpoint). The tokenizer files load in
transformers and tokenize like ours. Bad input fails naming the variable and writes nothing.
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from albert import checkpoint_utils
from albert import export_hf
from albert import tokenization
from tests.fixtures.hf_fixtures import TRICKY_STRINGS
from tests.fixtures.hf_fixtures import albert_pretraining_outputs
from tests.fixtures.hf_fixtures import assert_pretraining_outputs_match
from tests.fixtures.hf_fixtures import hf_pretraining_outputs
from tests.fixtures.model_fixtures import build_albert_graph
from tests.fixtures.model_fixtures import feed_dict_for
from tests.fixtures.model_fixtures import random_albert_inputs

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

# Every variant of tests/test_import_hf.py is also exported there and reloads bit-identical;
# these two check the export against our own model's outputs.
VARIANTS = {
    "groups1_inner1_e_ne_h": {},
    "groups2_inner2_e_eq_h": {"num_hidden_layers": 4, "num_hidden_groups": 2,
                              "inner_group_num": 2, "embedding_size": 32},
}


def _configure(config, overrides):
  for field, value in overrides.items():
    setattr(config, field, value)
  return config


def _write_random_checkpoint(config, prefix, with_heads=True, num_labels=None, seed=0,
                             drop=()):
  """A training-like checkpoint of our model: random weights, adam slots, global_step 123.

  Returns the dict of variable name -> value written (slots and global_step excluded).
  """
  albert_graph = build_albert_graph(config, with_heads=with_heads)
  shapes = {var.op.name: var.shape.as_list()
            for var in albert_graph.graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)}
  if num_labels:
    shapes.update({"output_weights": [num_labels, config.hidden_size],
                   "output_bias": [num_labels]})
  rng = np.random.RandomState(seed)
  model_tensors = {}
  for name, shape in sorted(shapes.items()):
    value = rng.normal(size=shape) * 0.2 + (1.0 if name.endswith("gamma") else 0.0)
    model_tensors[name] = value.astype(np.float32)
  tensors = dict(model_tensors)
  for name, value in model_tensors.items():
    tensors[name + "/adam_m"] = np.zeros_like(value)
    tensors[name + "/adam_v"] = np.ones_like(value)
  tensors["global_step"] = np.array(123, np.int64)
  for name in drop:
    del tensors[name]
  checkpoint_utils.write_checkpoint(prefix, tensors)
  return model_tensors


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_exported_pretraining_model_matches_ours(tiny_albert_config, tmp_path, variant):
  config = _configure(tiny_albert_config, VARIANTS[variant])
  checkpoint = str(tmp_path / "train" / "model.ckpt-123")
  _write_random_checkpoint(config, checkpoint, seed=len(variant))
  output_dir = str(tmp_path / "hf")
  result = export_hf.export_hf_directory(config, checkpoint, output_dir)
  assert result["architecture"] == "AlbertForPreTraining"
  assert sorted(os.listdir(output_dir)) == ["config.json", "model.safetensors"]
  with open(os.path.join(output_dir, "config.json")) as handle:
    hf_config = json.load(handle)
  assert hf_config["model_type"] == "albert"
  assert hf_config["architectures"] == ["AlbertForPreTraining"]
  assert hf_config["hidden_act"] == "gelu_new"
  assert hf_config["layer_norm_eps"] == 1e-12
  assert hf_config["num_hidden_groups"] == config.num_hidden_groups
  assert hf_config["inner_group_num"] == config.inner_group_num

  hf_model, loading_info = transformers.AlbertForPreTraining.from_pretrained(
      output_dir, output_loading_info=True, attn_implementation="eager")
  assert not any(loading_info.values()), loading_info
  hf_model.eval()
  if config.embedding_size == config.hidden_size:
    projection = hf_model.albert.encoder.embedding_hidden_mapping_in
    assert torch.equal(projection.weight, torch.eye(config.hidden_size))
    assert torch.equal(projection.bias, torch.zeros(config.hidden_size))

  inputs = random_albert_inputs(config, batch_size=3, seq_length=10, num_masked_positions=4,
                                seed=5)
  assert inputs["input_mask"].min() == 0  # the batch really is padded
  ours = albert_pretraining_outputs(config, checkpoint, inputs)
  assert_pretraining_outputs_match(ours, hf_pretraining_outputs(hf_model, inputs),
                                   inputs["input_mask"])


def test_exported_classifier_and_tokenizer_load_in_transformers(tiny_albert_config, tmp_path,
                                                                spm_model_file):
  config = tiny_albert_config
  checkpoint = str(tmp_path / "mrpc" / "model.ckpt-best")
  tensors = _write_random_checkpoint(config, checkpoint, with_heads=False, num_labels=3)
  output_dir = str(tmp_path / "hf")
  result = export_hf.export_hf_directory(config, checkpoint, output_dir,
                                         spm_model_file=spm_model_file, do_lower_case=True)
  assert result["architecture"] == "AlbertForSequenceClassification"
  hf_model, loading_info = transformers.AlbertForSequenceClassification.from_pretrained(
      output_dir, output_loading_info=True, attn_implementation="eager")
  assert not any(loading_info.values()), loading_info
  assert hf_model.config.num_labels == 3
  hf_model.eval()

  inputs = random_albert_inputs(config, batch_size=3, seq_length=10, seed=1)
  albert_graph = build_albert_graph(config, batch_size=3, seq_length=10)
  with albert_graph.graph.as_default(), tf.compat.v1.Session() as sess:
    tf.compat.v1.train.Saver().restore(sess, checkpoint)
    pooled = sess.run(albert_graph.model.get_pooled_output(),
                      feed_dict_for(albert_graph, inputs))
  ours = pooled @ tensors["output_weights"].T + tensors["output_bias"]  # run_classifier's head
  with torch.no_grad():
    theirs = hf_model(
        input_ids=torch.from_numpy(inputs["input_ids"].astype(np.int64)),
        attention_mask=torch.from_numpy(inputs["input_mask"].astype(np.int64)),
        token_type_ids=torch.from_numpy(inputs["token_type_ids"].astype(np.int64))).logits
  np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-5, rtol=0)

  # The tokenizer files: AlbertTokenizer.from_pretrained reads spiece.model and
  # tokenizer_config.json, and tokenizes like our runners.
  hf_tokenizer = transformers.AlbertTokenizer.from_pretrained(output_dir)
  assert hf_tokenizer.do_lower_case and not hf_tokenizer.keep_accents
  ours_tokenizer = tokenization.FullTokenizer(None, spm_model_file=spm_model_file)
  for text in TRICKY_STRINGS:
    pieces = ours_tokenizer.tokenize(tokenization.preprocess_text(text, lower=True))
    assert (ours_tokenizer.convert_tokens_to_ids(pieces) ==
            hf_tokenizer.encode(text, add_special_tokens=False)), text


def test_wordpiece_vocab_is_exported_for_bert_tokenizer(tiny_albert_config, tmp_path,
                                                        wordpiece_vocab_file):
  """Models with a WordPiece vocab (the Chinese ALBERTs) pair with BertTokenizer."""
  checkpoint = str(tmp_path / "model.ckpt-best")
  _write_random_checkpoint(tiny_albert_config, checkpoint)
  output_dir = str(tmp_path / "hf")
  export_hf.export_hf_directory(tiny_albert_config, checkpoint, output_dir,
                                vocab_file=wordpiece_vocab_file)
  assert "vocab.txt" in os.listdir(output_dir)
  hf_tokenizer = transformers.AutoTokenizer.from_pretrained(output_dir, use_fast=False)
  assert type(hf_tokenizer).__name__ == "BertTokenizer"
  ours = tokenization.FullTokenizer(wordpiece_vocab_file, do_lower_case=True)
  text = "The unwanted file, returned by Python \u535a\u63a8."
  assert ours.tokenize(text) == hf_tokenizer.tokenize(text)


def test_missing_checkpoint_is_named(tiny_albert_config, tmp_path):
  missing = str(tmp_path / "nowhere" / "model.ckpt-best")
  with pytest.raises(FileNotFoundError, match=r"no .*model\.ckpt-best\.index"):
    export_hf.export_hf_directory(tiny_albert_config, missing, str(tmp_path / "hf"))
  assert not os.path.exists(tmp_path / "hf")


@pytest.mark.parametrize("case", ["config_of_another_model", "missing_variable"])
def test_bad_checkpoint_is_refused_naming_the_variable(tiny_albert_config, tmp_path, case):
  checkpoint = str(tmp_path / "model.ckpt-best")
  if case == "missing_variable":
    _write_random_checkpoint(tiny_albert_config, checkpoint, drop=["bert/pooler/dense/kernel"])
    message = r"no variable bert/pooler/dense/kernel \(Hugging Face albert\.pooler\.weight\)"
  else:
    _write_random_checkpoint(tiny_albert_config, checkpoint)
    tiny_albert_config.hidden_size = 64
    message = (r"variable bert/encoder/embedding_hidden_mapping_in/kernel has shape \[16, 32\];"
               r" the config implies \[16, 64\]")
  with pytest.raises(ValueError, match=message):
    export_hf.export_hf_directory(tiny_albert_config, checkpoint, str(tmp_path / "hf"))
  assert not os.path.exists(tmp_path / "hf")
