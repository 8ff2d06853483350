"""Numeric parity with Hugging Face's PyTorch ALBERT (transformers 4.57.6).

A random tiny model with the pretraining heads is written to a TF checkpoint by our code, loaded
by `transformers.load_tf_weights_in_albert` into `AlbertForPreTraining`, and both are run on the
same padded batch. This checks the checkpoint names (HF's loader maps them by name) and the math
(embeddings, post-LN blocks, shared groups, inner groups, pooler, MLM and SOP heads) together.
"""

import contextlib
import io

import numpy as np
import pytest
import tensorflow as tf

from tests.fixtures.hf_fixtures import albert_pretraining_outputs
from tests.fixtures.hf_fixtures import assert_pretraining_outputs_match
from tests.fixtures.hf_fixtures import hf_pretraining_outputs
from tests.fixtures.model_fixtures import build_albert_graph, random_albert_inputs

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _write_random_checkpoint(albert_graph, path, seed):
  """Gives every variable random values (biases, betas and gammas included) and saves them."""
  rng = np.random.RandomState(seed)
  with albert_graph.graph.as_default(), tf.compat.v1.Session() as sess:
    for var in tf.compat.v1.global_variables():
      value = rng.normal(size=var.shape.as_list()) * 0.2
      if var.op.name.endswith("gamma"):
        value += 1.0
      var.load(value.astype(np.float32), sess)
    tf.compat.v1.train.Saver().save(sess, path)


def _run_hugging_face(config, checkpoint, inputs):
  hf_config = transformers.AlbertConfig(
      vocab_size=config.vocab_size,
      embedding_size=config.embedding_size,
      hidden_size=config.hidden_size,
      num_hidden_layers=config.num_hidden_layers,
      num_hidden_groups=config.num_hidden_groups,
      num_attention_heads=config.num_attention_heads,
      intermediate_size=config.intermediate_size,
      inner_group_num=config.inner_group_num,
      # Our "gelu" is the tanh approximation, which Hugging Face calls "gelu_new".
      hidden_act="gelu_new",
      hidden_dropout_prob=0.0,
      attention_probs_dropout_prob=0.0,
      classifier_dropout_prob=0.0,
      max_position_embeddings=config.max_position_embeddings,
      type_vocab_size=config.type_vocab_size,
      initializer_range=config.initializer_range,
      layer_norm_eps=1e-12,
      attn_implementation="eager")
  model = transformers.AlbertForPreTraining(hf_config)
  with contextlib.redirect_stdout(io.StringIO()):  # the loader prints every variable name
    transformers.load_tf_weights_in_albert(model, hf_config, checkpoint)
  if config.embedding_size == config.hidden_size:
    # The original (and our) encoder has no `embedding_hidden_mapping_in` when E == H, so the
    # checkpoint has none, while Hugging Face always applies one and would keep its random
    # initialization; the identity with zero bias is exactly "no projection".
    with torch.no_grad():
      model.albert.encoder.embedding_hidden_mapping_in.weight.copy_(
          torch.eye(config.hidden_size))
      model.albert.encoder.embedding_hidden_mapping_in.bias.zero_()
  model.eval()
  return hf_pretraining_outputs(model, inputs)


@pytest.mark.parametrize("variant", [
    # (a) the tiny test config as shipped: E=16 != H=32, so the E->H projection is exercised.
    {},
    # (b) two parameter groups over 4 layers, two inner blocks per layer, E == H.
    {"num_hidden_layers": 4, "num_hidden_groups": 2, "inner_group_num": 2,
     "embedding_size": 32},
], ids=["e_ne_h", "groups2_inner2_e_eq_h"])
def test_matches_hugging_face_albert_for_pretraining(tiny_albert_config, tmp_path, variant):
  config = tiny_albert_config
  for (field, value) in variant.items():
    setattr(config, field, value)
  batch_size, seq_length = 3, 10
  albert_graph = build_albert_graph(config, batch_size=batch_size, seq_length=seq_length,
                                    num_masked_positions=4, with_heads=True)
  checkpoint = str(tmp_path / "model.ckpt")
  _write_random_checkpoint(albert_graph, checkpoint, seed=len(variant))
  inputs = random_albert_inputs(config, batch_size=batch_size, seq_length=seq_length,
                                num_masked_positions=4, seed=5)
  assert inputs["input_mask"].min() == 0  # the batch really is padded

  ours = albert_pretraining_outputs(config, checkpoint, inputs)
  theirs = _run_hugging_face(config, checkpoint, inputs)
  assert_pretraining_outputs_match(ours, theirs, inputs["input_mask"])
