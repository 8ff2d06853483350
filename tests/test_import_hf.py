"""Tests for albert/import_hf.py and albert/hf_conversion.py: Hugging Face -> our checkpoint.

Random tiny transformers models (groups 1 and 2, inner groups 1 and 2, E != H and E == H),
saved with `save_pretrained`, are imported and run by our model; sequence output, pooled
output, MLM and SOP logits must match Hugging Face's PyTorch run within 1e-5 on unpadded
positions. The import is exported back and must reload bit-identical. A sequence classifier is
imported and predicted with `run_classifier --do_predict`. Our tokenizer is compared with
Hugging Face's slow AlbertTokenizer. Bad directories fail naming the problem and write nothing.
"""

import json
import os
import sys

import numpy as np
import pytest
import tensorflow as tf

from albert import export_hf
from albert import hf_conversion
from albert import import_hf
from albert import modeling
from albert import tokenization
from tests.fixtures.hf_fixtures import TRICKY_STRINGS
from tests.fixtures.hf_fixtures import albert_pretraining_outputs
from tests.fixtures.hf_fixtures import assert_pretraining_outputs_match
from tests.fixtures.hf_fixtures import hf_pretraining_outputs
from tests.fixtures.hf_fixtures import run_albert_module
from tests.fixtures.model_fixtures import random_albert_inputs

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

MAX_SEQ_LENGTH = 32

# (overrides of the tiny config, seed): every combination of one/two groups, one/two inner
# groups and E != H (16 vs 32) / E == H is covered by one variant or another.
VARIANTS = {
    "groups1_inner1_e_ne_h": ({}, 1),
    "groups2_inner2_e_eq_h": ({"num_hidden_layers": 4, "num_hidden_groups": 2,
                               "inner_group_num": 2, "embedding_size": 32}, 2),
    "groups2_inner1_layers3_e_ne_h": ({"num_hidden_layers": 3, "num_hidden_groups": 2}, 3),
    "groups1_inner2_e_eq_h": ({"inner_group_num": 2, "embedding_size": 32}, 4),
}


def _checkpoint_tensors(prefix):
  reader = tf.train.load_checkpoint(prefix)
  return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_imported_model_matches_hugging_face_and_exports_back(hf_albert_dir_factory, tmp_path,
                                                              variant):
  overrides, seed = VARIANTS[variant]
  hf_dir, hf_model = hf_albert_dir_factory("hf", overrides, seed=seed)
  result = import_hf.import_hf_directory(hf_dir, str(tmp_path / "imported"))
  assert result["heads"] == ["masked_lm", "sentence_order"]
  assert result["checkpoint"] == str(tmp_path / "imported" / "model.ckpt-best")

  config = modeling.AlbertConfig.from_json_file(result["config_file"])
  for field in ("vocab_size", "embedding_size", "hidden_size", "num_hidden_layers",
                "num_hidden_groups", "inner_group_num", "num_attention_heads",
                "intermediate_size", "max_position_embeddings", "type_vocab_size"):
    assert getattr(config, field) == getattr(hf_model.config, field), field
  assert config.hidden_act == "gelu"  # Hugging Face's gelu_new

  tensors = _checkpoint_tensors(result["checkpoint"])
  assert tensors["global_step"].dtype == np.int64 and tensors["global_step"] == 0
  # Kernels are [in, out]: the transpose of a torch Linear weight.
  np.testing.assert_array_equal(tensors["bert/pooler/dense/kernel"],
                                hf_model.albert.pooler.weight.detach().numpy().T)
  has_projection = "bert/encoder/embedding_hidden_mapping_in/kernel" in tensors
  assert has_projection == (config.embedding_size != config.hidden_size)

  inputs = random_albert_inputs(config, batch_size=3, seq_length=10, num_masked_positions=4,
                                seed=seed)
  assert inputs["input_mask"].min() == 0  # the batch really is padded
  ours = albert_pretraining_outputs(config, result["checkpoint"], inputs)
  assert_pretraining_outputs_match(ours, hf_pretraining_outputs(hf_model, inputs),
                                   inputs["input_mask"])

  # Exported back, Hugging Face loads every parameter, bit-identical to the original.
  export_dir = str(tmp_path / "exported")
  export_hf.export_hf_directory(config, result["checkpoint"], export_dir)
  reloaded, loading_info = transformers.AlbertForPreTraining.from_pretrained(
      export_dir, output_loading_info=True)
  assert not any(loading_info.values()), loading_info
  reloaded_state = reloaded.state_dict()
  for name, value in hf_model.state_dict().items():
    assert torch.equal(reloaded_state[name], value), name


def test_pytorch_bin_sharded_and_bfloat16_files_import_like_safetensors(
    hf_albert_dir_factory, tmp_path):
  hf_dir, hf_model = hf_albert_dir_factory("hf")
  bin_dir = str(tmp_path / "bin")
  hf_model.save_pretrained(bin_dir, safe_serialization=False)
  assert os.listdir(bin_dir).count("pytorch_model.bin") == 1
  sharded_dir = str(tmp_path / "sharded")
  hf_model.save_pretrained(sharded_dir, max_shard_size="100KB")
  assert "model.safetensors.index.json" in os.listdir(sharded_dir)
  assert len([name for name in os.listdir(sharded_dir) if name.endswith(".safetensors")]) > 1
  bf16_dir = str(tmp_path / "bf16")
  hf_model.to(torch.bfloat16).save_pretrained(bf16_dir)
  hf_model.to(torch.float32)

  reference = _checkpoint_tensors(
      import_hf.import_hf_directory(hf_dir, str(tmp_path / "from_st"))["checkpoint"])
  from_bin = _checkpoint_tensors(
      import_hf.import_hf_directory(bin_dir, str(tmp_path / "from_bin"))["checkpoint"])
  from_bf16 = _checkpoint_tensors(
      import_hf.import_hf_directory(bf16_dir, str(tmp_path / "from_bf16"))["checkpoint"])
  from_shards = _checkpoint_tensors(
      import_hf.import_hf_directory(sharded_dir, str(tmp_path / "from_shards"))["checkpoint"])
  assert set(from_bin) == set(reference) == set(from_bf16) == set(from_shards)
  for name, value in reference.items():
    np.testing.assert_array_equal(from_bin[name], value, err_msg=name)
    np.testing.assert_array_equal(from_shards[name], value, err_msg=name)
    assert from_bf16[name].dtype == value.dtype
    if value.dtype == np.float32:
      rounded = torch.from_numpy(value).to(torch.bfloat16).to(torch.float32).numpy()
      np.testing.assert_array_equal(from_bf16[name], rounded, err_msg=name)


def _read_predict_features(path, seq_length):
  """input_ids, input_mask, segment_ids [num_examples, seq_length] of run_classifier's file."""
  name_to_features = {name: tf.io.FixedLenFeature([seq_length], tf.int64)
                      for name in ("input_ids", "input_mask", "segment_ids")}
  features = {name: [] for name in name_to_features}
  for record in tf.data.TFRecordDataset(path).as_numpy_iterator():
    parsed = tf.io.parse_single_example(record, name_to_features)
    for name in features:
      features[name].append(parsed[name].numpy())
  return {name: np.stack(values) for name, values in features.items()}


def test_imported_classifier_predicts_like_hugging_face(hf_albert_dir_factory, tmp_path,
                                                        glue_data_dir, spm_model_file):
  hf_dir, hf_model = hf_albert_dir_factory(
      "hf_mrpc", {"num_labels": 2}, model_class="AlbertForSequenceClassification", seed=7,
      spm_model_file=spm_model_file)
  imported = import_hf.import_hf_directory(hf_dir, str(tmp_path / "imported"))
  assert imported["heads"] == ["classifier"]
  tensors = _checkpoint_tensors(imported["checkpoint"])
  np.testing.assert_array_equal(tensors["output_weights"],
                                hf_model.classifier.weight.detach().numpy())  # [K, H]

  output_dir = str(tmp_path / "predict")
  process = run_albert_module("albert.run_classifier", [
      "--task_name=MRPC", "--data_dir=%s" % glue_data_dir, "--output_dir=%s" % output_dir,
      "--albert_config_file=%s" % imported["config_file"],
      "--init_checkpoint=%s" % imported["checkpoint"],
      "--spm_model_file=%s" % imported["spm_model_file"],
      "--max_seq_length=%d" % MAX_SEQ_LENGTH, "--predict_batch_size=4", "--do_predict"])
  assert process.returncode == 0, process.stdout[-4000:]

  with open(os.path.join(output_dir, "test_results.tsv")) as handle:
    ours = np.array([[float(x) for x in line.split("\t")] for line in handle])
  features = _read_predict_features(os.path.join(output_dir, "predict.tf_record"),
                                    MAX_SEQ_LENGTH)
  with torch.no_grad():
    logits = hf_model(
        input_ids=torch.from_numpy(features["input_ids"]),
        attention_mask=torch.from_numpy(features["input_mask"]),
        token_type_ids=torch.from_numpy(features["segment_ids"])).logits
  theirs = torch.softmax(logits, dim=-1).numpy()
  assert ours.shape == theirs.shape == (5, 2)
  assert np.abs(theirs - 0.5).max() > 0.05  # the head really discriminates
  np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)


###############################################################################
# Tokenizer
###############################################################################



# Pieces that glue a comma to digits, as Google's 30k-clean has ("▁1999,", ",000,000"): the
# 1000-piece fixture model has none, so a second model gets them as user-defined symbols.
DIGIT_COMMA_PIECES = ["1999,", "2010,", "14,", ",000,"]


@pytest.fixture(scope="module")
def digit_comma_spm_model_file(tmp_path_factory, default_corpus_file):
  from albert import train_sentencepiece  # pylint: disable=g-import-not-at-top
  prefix = tmp_path_factory.mktemp("digit_comma_spm") / "30k-clean"
  return train_sentencepiece.train_albert_sentencepiece(
      [default_corpus_file], str(prefix), vocab_size=1000, do_lower_case=True,
      extra_options={"hard_vocab_limit": False, "user_defined_symbols": list(
          train_sentencepiece.ALBERT_USER_DEFINED_SYMBOLS) + DIGIT_COMMA_PIECES})


@pytest.mark.parametrize("do_lower_case", [True, False])
@pytest.mark.parametrize("model", ["spm_model_file", "digit_comma_spm_model_file"])
def test_full_tokenizer_matches_hf_albert_tokenizer(request, model, do_lower_case):
  """Our runners call preprocess_text(text, lower=do_lower_case) then FullTokenizer."""
  model_file = request.getfixturevalue(model)
  ours = tokenization.FullTokenizer(None, spm_model_file=model_file)
  theirs = transformers.AlbertTokenizer(vocab_file=model_file, do_lower_case=do_lower_case)
  digit_comma_pieces = 0
  for text in TRICKY_STRINGS:
    preprocessed = tokenization.preprocess_text(text, lower=do_lower_case)
    our_ids = ours.convert_tokens_to_ids(ours.tokenize(preprocessed))
    assert our_ids == theirs.encode(text, add_special_tokens=False), text
    digit_comma_pieces += sum(len(piece) > 1 and piece[-1] == "," and piece[-2].isdigit()
                              for piece in ours.sp_model.EncodeAsPieces(preprocessed))
  if model == "digit_comma_spm_model_file":
    assert digit_comma_pieces >= 4  # the digit+comma rule really was exercised


def test_special_tokens_and_literal_mask_text(spm_model_file):
  """[MASK], [CLS], [SEP] have the same ids. Literal "[MASK]" in raw text differs: Hugging
  Face matches its special tokens in the text; ALBERT (and we) tokenize it as text."""
  ours = tokenization.FullTokenizer(None, spm_model_file=spm_model_file)
  theirs = transformers.AlbertTokenizer(vocab_file=spm_model_file)
  special = ["[CLS]", "[SEP]", "[MASK]", "<pad>", "<unk>"]
  assert ours.convert_tokens_to_ids(special) == theirs.convert_tokens_to_ids(special) == [
      2, 3, 4, 0, 1]
  assert theirs.encode("[MASK]", add_special_tokens=False) == [4]
  our_pieces = ours.tokenize(tokenization.preprocess_text("[MASK]", lower=True))
  assert "".join(our_pieces).replace("\u2581", "") == "[mask]"


###############################################################################
# Bad input
###############################################################################


def _edit_config(hf_dir, **fields):
  path = os.path.join(hf_dir, "config.json")
  with open(path) as handle:
    config = json.load(handle)
  config.update(fields)
  with open(path, "w") as handle:
    json.dump(config, handle)


def _edit_weights(hf_dir, drop=(), replace=None):
  from safetensors import numpy as safetensors_numpy  # pylint: disable=g-import-not-at-top
  path = os.path.join(hf_dir, "model.safetensors")
  tensors = safetensors_numpy.load_file(path)
  for name in drop:
    del tensors[name]
  tensors.update(replace or {})
  safetensors_numpy.save_file(tensors, path, metadata={"format": "pt"})


def _drop_weights(hf_dir):
  os.remove(os.path.join(hf_dir, "model.safetensors"))


BAD_DIRECTORIES = {
    "no_weights": ({}, _drop_weights, FileNotFoundError,
                   r"holds no model weights: expected one of model\.safetensors"),
    "not_albert": ({}, lambda d: _edit_config(d, model_type="bert"), ValueError,
                   r"model_type is 'bert'"),
    "shape_mismatch": ({}, lambda d: _edit_config(d, intermediate_size=40), ValueError,
                       r"tensor albert\.encoder\.albert_layer_groups\.0\.albert_layers\.0\.ffn"
                       r"\.weight has shape \[37, 32\]; the config implies \[40, 32\]"),
    "missing_pooler": ({}, lambda d: _edit_weights(d, drop=["albert.pooler.weight"]),
                       ValueError, r"missing tensor albert\.pooler\.weight"),
    "partial_mlm_head": ({}, lambda d: _edit_weights(d, drop=["predictions.dense.bias"]),
                         ValueError, r"missing tensor predictions\.dense\.bias \(part of the "
                         r"masked_lm head"),
    "projection_not_identity": (
        {"embedding_size": 32},
        lambda d: _edit_weights(d, replace={
            hf_conversion.PROJECTION_HF_NAME + ".weight": np.full([32, 32], 0.1, np.float32)}),
        ValueError, r"tensor albert\.encoder\.embedding_hidden_mapping_in\.weight is not the "
        r"identity"),
    "unsupported_activation": ({}, lambda d: _edit_config(d, hidden_act="silu"), ValueError,
                               r"hidden_act 'silu' has no ALBERT equivalent"),
}


@pytest.mark.parametrize("case", sorted(BAD_DIRECTORIES))
def test_bad_directory_is_refused_and_nothing_is_written(hf_albert_dir_factory, tmp_path,
                                                         case):
  overrides, corrupt, error_type, message = BAD_DIRECTORIES[case]
  hf_dir, _ = hf_albert_dir_factory("hf", overrides)
  corrupt(hf_dir)
  with pytest.raises(error_type, match=message):
    import_hf.import_hf_directory(hf_dir, str(tmp_path / "new_output"))
  assert not os.path.exists(tmp_path / "new_output")
  # An existing output directory keeps its files untouched.
  existing = tmp_path / "existing_output"
  existing.mkdir()
  (existing / "albert_config.json").write_text("old")
  with pytest.raises(error_type):
    import_hf.import_hf_directory(hf_dir, str(existing))
  assert os.listdir(existing) == ["albert_config.json"]
  assert (existing / "albert_config.json").read_text() == "old"


def test_erf_gelu_is_imported_as_albert_gelu(hf_albert_dir_factory, tmp_path):
  """Hugging Face's "gelu" (erf) becomes ALBERT's tanh "gelu" (docs/DEVIATIONS.md)."""
  hf_dir, _ = hf_albert_dir_factory("hf")
  _edit_config(hf_dir, hidden_act="gelu")
  result = import_hf.import_hf_directory(hf_dir, str(tmp_path / "imported"))
  with open(result["config_file"]) as handle:
    assert json.load(handle)["hidden_act"] == "gelu"


def test_pytorch_bin_without_torch_is_a_clear_error(hf_albert_dir_factory, tmp_path,
                                                    monkeypatch):
  hf_dir, hf_model = hf_albert_dir_factory("hf")
  bin_dir = str(tmp_path / "bin")
  hf_model.save_pretrained(bin_dir, safe_serialization=False)
  monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
  with pytest.raises(ImportError, match=r"pytorch_model\.bin is a PyTorch file, and reading "
                     r"it needs torch"):
    import_hf.import_hf_directory(bin_dir, str(tmp_path / "out"))
  assert not os.path.exists(tmp_path / "out")


###############################################################################
# Command lines
###############################################################################


def test_command_lines_work_without_torch(hf_albert_dir_factory, tmp_path, spm_model_file):
  """import_hf and export_hf on safetensors never import torch (nor transformers)."""
  blocker = tmp_path / "blocker"
  for package in ("torch", "transformers"):
    (blocker / package).mkdir(parents=True)
    (blocker / package / "__init__.py").write_text(
        "raise ImportError('%s is blocked in this test')\n" % package)
  hf_dir, hf_model = hf_albert_dir_factory("hf", spm_model_file=spm_model_file)
  imported = str(tmp_path / "imported")
  process = run_albert_module("albert.import_hf", ["--hf_dir=%s" % hf_dir,
                                             "--output_dir=%s" % imported], str(blocker))
  assert process.returncode == 0, process.stdout[-4000:]
  assert sorted(os.listdir(imported)) == [
      "30k-clean.model", "30k-clean.vocab", "albert_config.json",
      "model.ckpt-best.data-00000-of-00001", "model.ckpt-best.index", "model.ckpt-best.meta"]
  with open(os.path.join(imported, "30k-clean.vocab"), encoding="utf-8") as handle:
    vocab_lines = handle.read().splitlines()
  assert len(vocab_lines) == 1000 and vocab_lines[4].split("\t")[0] == "[MASK]"

  exported = str(tmp_path / "exported")
  process = run_albert_module("albert.export_hf", [
      "--albert_config_file=%s" % os.path.join(imported, "albert_config.json"),
      "--init_checkpoint=%s" % os.path.join(imported, "model.ckpt-best"),
      "--spm_model_file=%s" % os.path.join(imported, "30k-clean.model"),
      "--output_dir=%s" % exported], str(blocker))
  assert process.returncode == 0, process.stdout[-4000:]
  from safetensors import numpy as safetensors_numpy  # pylint: disable=g-import-not-at-top
  exported_tensors = safetensors_numpy.load_file(os.path.join(exported, "model.safetensors"))
  for name, value in hf_model.state_dict().items():
    if name in exported_tensors:
      np.testing.assert_array_equal(exported_tensors[name], value.numpy(), err_msg=name)
  # Tied decoder weights are left out, as save_pretrained does.
  assert set(hf_model.state_dict()) - set(exported_tensors) == {
      "predictions.decoder.weight", "predictions.decoder.bias"}
  with open(os.path.join(exported, "spiece.model"), "rb") as handle:
    with open(spm_model_file, "rb") as original:
      assert handle.read() == original.read()


def test_imported_multiple_choice_head_scores_choices_like_hugging_face(hf_albert_dir_factory,
                                                                        tmp_path):
  """AlbertForMultipleChoice's `classifier` [1, H] becomes run_race's head: the same logits
  over the choices, to 1e-5, for B questions x C choices x L tokens (padded rows included)."""
  hf_dir, hf_model = hf_albert_dir_factory("hf_race", model_class="AlbertForMultipleChoice",
                                           seed=11)
  imported = import_hf.import_hf_directory(hf_dir, str(tmp_path / "imported"))
  assert imported["heads"] == ["classifier"]
  tensors = _checkpoint_tensors(imported["checkpoint"])
  assert tensors["output_weights"].shape == (1, hf_model.config.hidden_size)

  from albert import race_utils  # pylint: disable=import-outside-toplevel
  num_questions, num_choices = 2, 4
  config = modeling.AlbertConfig.from_json_file(imported["config_file"])
  flat = random_albert_inputs(config, batch_size=num_questions * num_choices,
                              seq_length=MAX_SEQ_LENGTH, seed=5)  # [B*C, L] each
  with tf.Graph().as_default():
    placeholders = {name: tf.compat.v1.placeholder(tf.int32, [num_questions,
                                                              num_choices * MAX_SEQ_LENGTH])
                    for name in ("input_ids", "input_mask", "token_type_ids")}
    logits = race_utils.create_model(
        config, False, placeholders["input_ids"], placeholders["input_mask"],
        placeholders["token_type_ids"], tf.zeros([num_questions], tf.int32),
        num_labels=num_choices, use_one_hot_embeddings=False, max_seq_length=MAX_SEQ_LENGTH,
        dropout_prob=0.1, hub_module=None)[3]
    with tf.compat.v1.Session() as session:
      tf.compat.v1.train.Saver().restore(session, imported["checkpoint"])
      ours = session.run(logits, {placeholders[name]: flat[name].reshape(
          num_questions, num_choices * MAX_SEQ_LENGTH) for name in placeholders})
  hf_feeds = {hf_name: torch.from_numpy(flat[name].astype(np.int64).reshape(
      num_questions, num_choices, MAX_SEQ_LENGTH))  # [B, C, L]
              for name, hf_name in (("input_ids", "input_ids"), ("input_mask", "attention_mask"),
                                    ("token_type_ids", "token_type_ids"))}
  with torch.no_grad():
    theirs = hf_model(**hf_feeds).logits.numpy()
  assert ours.shape == theirs.shape == (num_questions, num_choices)
  assert np.abs(theirs - theirs.mean()).max() > 1e-3  # the choices really score differently
  np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)

  # And back: --multiple_choice exports the [1, H] head as AlbertForMultipleChoice, whose
  # logits are the original model's; without it, the checkpoint would read as a 1-output
  # (regression) sequence classifier.
  exported = export_hf.export_hf_directory(config, imported["checkpoint"],
                                           str(tmp_path / "exported"), multiple_choice=True)
  assert exported["architecture"] == "AlbertForMultipleChoice"
  reloaded = transformers.AlbertForMultipleChoice.from_pretrained(str(tmp_path / "exported"))
  reloaded.eval()
  with torch.no_grad():
    again = reloaded(**hf_feeds).logits.numpy()
  np.testing.assert_allclose(again, theirs, atol=1e-6, rtol=0)
  with pytest.raises(ValueError, match=r"--multiple_choice needs run_race's head.*no "
                                       r"output_weights"):
    pretraining_dir, _ = hf_albert_dir_factory("hf_pretraining", seed=12)
    pretraining = import_hf.import_hf_directory(pretraining_dir, str(tmp_path / "pretraining"))
    export_hf.export_hf_directory(config, pretraining["checkpoint"], str(tmp_path / "refused"),
                                  multiple_choice=True)
  assert not os.path.exists(str(tmp_path / "refused"))
