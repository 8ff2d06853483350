"""Tests for albert/modeling.py: names, shapes, parameter counts, numerics, config, checkpoints."""

import json
import os
import re
import threading

import numpy as np
import pytest
import tensorflow as tf

from albert import cpu_kernels
from albert import modeling
from tests.fixtures.model_fixtures import (build_albert_graph, feed_dict_for,
                                           load_albert_config, random_albert_inputs)

# Reference §3: every variable of an ALBERT-base pretraining checkpoint (minus global_step),
# in creation order.
BASE_VARIABLES_GOLDEN = [
    ("bert/embeddings/word_embeddings", [30000, 128]),
    ("bert/embeddings/token_type_embeddings", [2, 128]),
    ("bert/embeddings/position_embeddings", [512, 128]),
    ("bert/embeddings/LayerNorm/beta", [128]),
    ("bert/embeddings/LayerNorm/gamma", [128]),
    ("bert/encoder/embedding_hidden_mapping_in/kernel", [128, 768]),
    ("bert/encoder/embedding_hidden_mapping_in/bias", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/query/kernel", [768, 768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/query/bias", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/key/kernel", [768, 768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/key/bias", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/value/kernel", [768, 768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/self/value/bias", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/output/dense/kernel",
     [768, 768]),
    ("bert/encoder/transformer/group_0/inner_group_0/attention_1/output/dense/bias", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/LayerNorm/beta", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/LayerNorm/gamma", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel",
     [768, 3072]),
    ("bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/bias", [3072]),
    ("bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/output/dense/kernel",
     [3072, 768]),
    ("bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/output/dense/bias",
     [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/LayerNorm_1/beta", [768]),
    ("bert/encoder/transformer/group_0/inner_group_0/LayerNorm_1/gamma", [768]),
    ("bert/pooler/dense/kernel", [768, 768]),
    ("bert/pooler/dense/bias", [768]),
    ("cls/predictions/transform/dense/kernel", [768, 128]),
    ("cls/predictions/transform/dense/bias", [128]),
    ("cls/predictions/transform/LayerNorm/beta", [128]),
    ("cls/predictions/transform/LayerNorm/gamma", [128]),
    ("cls/predictions/output_bias", [30000]),
    ("cls/seq_relationship/output_weights", [2, 768]),
    ("cls/seq_relationship/output_bias", [2]),
]

# Reference §1.3: (model only, model + pretraining heads).
PARAMETER_COUNTS = {
    "albert_base_v2": (11683584, 11813810),
    "albert_large_v2": (17683968, 17847474),
    "albert_xlarge_v2": (58724864, 59021490),
    "albert_xxlarge_v2": (222595584, 223158450),
}


def _variables(graph):
  with graph.as_default():
    return [(v.op.name, v.shape.as_list()) for v in tf.compat.v1.global_variables()]


def _count_parameters(graph, scope=None):
  with graph.as_default():
    return sum(int(np.prod(v.shape.as_list()))
               for v in tf.compat.v1.trainable_variables(scope))


def _run(albert_graph, fetches, inputs, values=None):
  """Initializes the graph (then loads `values`: {variable name: array}) and runs fetches."""
  with albert_graph.graph.as_default():
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      if values:
        for var in tf.compat.v1.global_variables():
          var.load(values[var.op.name], sess)
      return sess.run(fetches, feed_dict_for(albert_graph, inputs))


def _variable_values(albert_graph, seed=0, stddev=0.2):
  """Random values for every variable (not just the initializer's: betas, biases non-zero)."""
  rng = np.random.RandomState(seed)
  with albert_graph.graph.as_default():
    return {v.op.name: (rng.normal(size=v.shape.as_list()) * stddev +
                        (1.0 if v.op.name.endswith("gamma") else 0.0)).astype(np.float32)
            for v in tf.compat.v1.global_variables()}


def test_base_variable_names_and_shapes_match_released_checkpoint():
  config = load_albert_config("albert_base_v2")
  albert_graph = build_albert_graph(config, batch_size=1, seq_length=4, with_heads=True)
  assert _variables(albert_graph.graph) == [
      (name, shape) for (name, shape) in BASE_VARIABLES_GOLDEN]


def test_hidden_groups_get_their_own_variables(tiny_albert_config):
  tiny_albert_config.num_hidden_layers = 4
  tiny_albert_config.num_hidden_groups = 2
  albert_graph = build_albert_graph(tiny_albert_config)
  names = [name for (name, _) in _variables(albert_graph.graph)]
  for group in (0, 1):
    prefix = "bert/encoder/transformer/group_%d/inner_group_0/" % group
    assert prefix + "attention_1/self/query/kernel" in names
    assert prefix + "LayerNorm_1/gamma" in names
  # 16 variables per block, two groups, plus 7 embedding/projection and 2 pooler variables.
  assert len(names) == 7 + 2 * 16 + 2
  assert not any("group_2" in name for name in names)
  assert len(albert_graph.model.get_all_encoder_layers()) == 4


def test_layer_to_group_assignment_follows_int_l_over_l_times_g(tiny_albert_config):
  # L=3, G=2: int(l/3*2) = 0, 0, 1. Layers 0 and 1 use group_0, layer 2 uses group_1; check
  # through the op graph: each layer's query matmul reads the kernel of its group.
  tiny_albert_config.num_hidden_layers = 3
  tiny_albert_config.num_hidden_groups = 2
  albert_graph = build_albert_graph(tiny_albert_config, use_einsum=False)
  readers = {}
  for op in albert_graph.graph.get_operations():
    if op.type == "MatMul" and "/self/query/" in op.name:
      layer = [part for part in op.name.split("/") if part.startswith("layer_")][0]
      kernel_source = op.inputs[1].op
      while kernel_source.type != "VarHandleOp":  # up through reads, reshapes and casts
        kernel_source = kernel_source.inputs[0].op
      readers[layer] = "group_1" if "group_1/" in kernel_source.name else "group_0"
  assert readers == {"layer_0": "group_0", "layer_1": "group_0", "layer_2": "group_1"}


def test_inner_groups_are_distinct_blocks_and_all_outputs_are_returned(tiny_albert_config):
  tiny_albert_config.inner_group_num = 2
  albert_graph = build_albert_graph(tiny_albert_config)
  names = [name for (name, _) in _variables(albert_graph.graph)]
  for inner in (0, 1):
    assert ("bert/encoder/transformer/group_0/inner_group_%d/ffn_1/intermediate/output/dense/"
            "kernel" % inner) in names
  assert not any("inner_group_2" in name for name in names)
  layers = albert_graph.model.get_all_encoder_layers()
  assert len(layers) == tiny_albert_config.num_hidden_layers * 2
  assert all(layer.shape.as_list() == [2, 8, 32] for layer in layers)


@pytest.mark.parametrize("config_name", sorted(PARAMETER_COUNTS))
def test_parameter_counts_of_released_sizes(config_name):
  config = load_albert_config(config_name)
  albert_graph = build_albert_graph(config, batch_size=1, seq_length=4, with_heads=True)
  model_count, with_heads_count = PARAMETER_COUNTS[config_name]
  assert _count_parameters(albert_graph.graph, "bert") == model_count
  assert _count_parameters(albert_graph.graph) == with_heads_count


def test_accessor_shapes(tiny_albert_config):
  albert_graph = build_albert_graph(tiny_albert_config, batch_size=3, seq_length=5)
  model = albert_graph.model
  assert model.get_word_embedding_output().shape.as_list() == [3, 5, 16]
  assert model.get_embedding_output().shape.as_list() == [3, 5, 16]  # E, not projected
  assert model.get_embedding_table().shape.as_list() == [1000, 16]
  assert model.get_sequence_output().shape.as_list() == [3, 5, 32]
  assert model.get_pooled_output().shape.as_list() == [3, 32]
  assert len(model.get_all_encoder_layers()) == 2
  assert model.get_sequence_output() is model.get_all_encoder_layers()[-1]


def test_einsum_matmul_one_hot_gather_and_dynamic_shapes_agree(tiny_albert_config):
  tiny_albert_config.inner_group_num = 2
  inputs = random_albert_inputs(tiny_albert_config, batch_size=3, seq_length=9, seed=1)
  reference_graph = build_albert_graph(tiny_albert_config, batch_size=3, seq_length=9)
  values = _variable_values(reference_graph, stddev=0.1)

  def outputs(albert_graph):
    model = albert_graph.model
    return _run(albert_graph, [model.get_sequence_output(), model.get_pooled_output(),
                               model.get_embedding_output()] + model.get_all_encoder_layers(),
                inputs, values)

  reference = outputs(reference_graph)
  assert np.abs(reference[0]).max() > 0.1  # not a degenerate all-zero output
  variants = [
      dict(use_einsum=False),
      dict(use_one_hot_embeddings=True),
      dict(use_einsum=False, use_one_hot_embeddings=True),
      dict(use_einsum=False, batch_size=None, seq_length=None),
      dict(use_einsum=True, batch_size=None, seq_length=None),
  ]
  for variant in variants:
    kwargs = dict(batch_size=3, seq_length=9)
    kwargs.update(variant)
    result = outputs(build_albert_graph(tiny_albert_config, **kwargs))
    for expected, actual in zip(reference, result):
      np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=0, err_msg=str(variant))


def test_einsum_via_matmul_matches_einsum():
  rng = np.random.RandomState(0)
  x3 = rng.normal(size=[8, 12, 10]).astype(np.float32)
  w3 = rng.normal(size=[10, 3, 6]).astype(np.float32)
  x4 = rng.normal(size=[8, 12, 3, 6]).astype(np.float32)
  w4 = rng.normal(size=[3, 6, 10]).astype(np.float32)
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    got = sess.run([modeling.einsum_via_matmul(tf.constant(x3), tf.constant(w3), 1),
                    modeling.einsum_via_matmul(tf.constant(x4), tf.constant(w4), 2)])
  np.testing.assert_allclose(got[0], np.einsum("BFH,HND->BFND", x3, w3), atol=1e-5)
  np.testing.assert_allclose(got[1], np.einsum("BFND,NDH->BFH", x4, w4), atol=1e-5)
  assert got[0].shape == (8, 12, 3, 6) and got[1].shape == (8, 12, 10)


def test_padding_does_not_change_real_positions(tiny_albert_config):
  albert_graph = build_albert_graph(tiny_albert_config)
  inputs = random_albert_inputs(tiny_albert_config, seed=2)
  changed = {key: value.copy() for (key, value) in inputs.items()}
  pad = inputs["input_mask"] == 0
  changed["input_ids"][pad] = (changed["input_ids"][pad] + 7) % tiny_albert_config.vocab_size
  values = _variable_values(albert_graph)
  fetch = albert_graph.model.get_sequence_output()
  before = _run(albert_graph, fetch, inputs, values)
  after = _run(albert_graph, fetch, changed, values)
  real = inputs["input_mask"] == 1
  np.testing.assert_allclose(after[real], before[real], atol=1e-6)
  assert np.abs(after[pad] - before[pad]).max() > 1e-3  # padded positions did change


def test_dropout_only_when_training(tiny_albert_config):
  tiny_albert_config.hidden_dropout_prob = 0.3
  tiny_albert_config.attention_probs_dropout_prob = 0.3
  inputs = random_albert_inputs(tiny_albert_config, seed=3)
  for is_training in (False, True):
    albert_graph = build_albert_graph(tiny_albert_config, is_training=is_training)
    fetch = albert_graph.model.get_sequence_output()
    with albert_graph.graph.as_default(), tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      first, second = [sess.run(fetch, feed_dict_for(albert_graph, inputs)) for _ in range(2)]
    assert np.array_equal(first, second) != is_training


def test_sequence_longer_than_position_table_is_rejected(tiny_albert_config):
  with pytest.raises(ValueError, match="max_position_embeddings"):
    build_albert_graph(tiny_albert_config, seq_length=129)


def test_gelu_is_the_tanh_approximation():
  x = np.linspace(-5, 5, 41).astype(np.float32)
  expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    got = sess.run(modeling.gelu(tf.constant(x)))
  np.testing.assert_allclose(got, expected, atol=1e-6)


def _np_gelu_and_slope(x):
  """float64 tanh GELU and its derivative, for the fused form's forward and gradient."""
  x = x.astype(np.float64)
  c1, c3 = np.sqrt(2 / np.pi), 0.044715 * np.sqrt(2 / np.pi)
  tanh = np.tanh(c1 * x + c3 * x ** 3)
  slope = 0.5 * (1 + tanh) + 0.5 * x * (1 - tanh ** 2) * (c1 + 3 * c3 * x ** 2)
  return 0.5 * x * (1 + tanh), slope


@pytest.mark.parametrize("fused", [False, True])
def test_gelu_value_and_gradient_plain_and_fused(fused):
  x = np.concatenate([np.linspace(-12, 12, 97), [-3e3, -30.0, 0.0, 1e-4, 30.0, 3e3]])
  x = x.astype(np.float32)
  upstream = np.linspace(0.5, 2.0, x.size).astype(np.float32)
  expected_value, expected_slope = _np_gelu_and_slope(x)
  with tf.Graph().as_default() as graph:
    inputs = tf.constant(x)
    with modeling.training_kernels_scope(fused):
      outputs = modeling.gelu(inputs)
    gradient, = tf.gradients(outputs, inputs, grad_ys=tf.constant(upstream))
    with tf.compat.v1.Session() as sess:
      value, slope_times_upstream = sess.run([outputs, gradient])
  compiled = [op.type for op in graph.get_operations()
              if "_XlaCompile" in op.node_def.attr and op.get_attr("_XlaCompile")]
  # Fused: the forward (tanh included) and the gradient (built by tf.gradients outside the
  # scope) are marked for XLA; plain: nothing is.
  assert (compiled.count("Tanh") == 2) if fused else not compiled
  np.testing.assert_allclose(value, expected_value, rtol=2e-6, atol=1e-6)
  # float32 autodiff of the plain form loses digits where the slope is tiny (x < -3).
  np.testing.assert_allclose(slope_times_upstream, expected_slope * upstream,
                             rtol=1e-5, atol=1e-5)


def _loss_and_gradients(config, inputs, values=None, training_kernels=False):
  """Builds the tiny model with heads, a loss reaching every variable and its gradients;
  runs them with the given variable values (name -> array; default: fresh initial values).

  Returns (loss and gradients, variable values, op types of the graph).
  """
  with modeling.training_kernels_scope(training_kernels):
    albert = build_albert_graph(config, is_training=True, with_heads=True)
  with albert.graph.as_default():
    rng = np.random.RandomState(1)
    sequence_output = albert.model.get_sequence_output()  # [B, S, H]
    loss = (tf.reduce_sum(sequence_output * rng.randn(*sequence_output.shape.as_list()))
            + tf.reduce_sum(albert.masked_lm_logits * rng.randn(*albert.masked_lm_logits.shape.as_list()))
            + tf.reduce_sum(albert.sentence_order_logits[:, 0]))
    variables = tf.compat.v1.trainable_variables()
    gradients = [tf.convert_to_tensor(g) for g in tf.gradients(loss, variables)]
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      for variable in variables:
        if values is not None:
          variable.load(values[variable.op.name], sess)
      values = {variable.op.name: sess.run(variable) for variable in variables}
      results = sess.run([loss] + gradients, feed_dict_for(albert, inputs))
  names = ["loss"] + [variable.op.name for variable in variables]
  return dict(zip(names, results)), values, {op.type for op in albert.graph.get_operations()}


def test_training_kernels_compute_the_plain_graphs_loss_and_gradients(tiny_albert_config):
  if cpu_kernels.load() is None:
    pytest.skip("the CPU kernels could not be built here")
  inputs = random_albert_inputs(tiny_albert_config)  # padded rows: the mask matters
  plain, values, plain_types = _loss_and_gradients(tiny_albert_config, inputs)
  fused, _, fused_types = _loss_and_gradients(tiny_albert_config, inputs, values, True)
  kernel_types = {"AlbertLayerNorm", "AlbertLayerNormGrad", "AlbertMaskedSoftmax",
                  "AlbertMaskedSoftmaxGrad"}
  assert kernel_types <= fused_types and not kernel_types & plain_types
  assert "Softmax" in plain_types and "Softmax" not in fused_types
  assert plain.keys() == fused.keys() and len(plain) == 33  # loss, 25 + 7 heads variables
  for name in plain:
    if name.endswith("self/key/bias"):
      # Its exact gradient is 0 (a per-row constant under the softmax): both are rounding.
      assert np.abs(plain[name]).max() < 1e-6 and np.abs(fused[name]).max() < 1e-6
      continue
    scale = np.abs(plain[name]).max()
    assert np.abs(fused[name] - plain[name]).max() <= 1e-5 * scale, name


def test_training_kernels_scope_is_per_thread_and_restored():
  seen = []
  with modeling.training_kernels_scope():
    with modeling.training_kernels_scope(False):
      seen.append(modeling.training_kernels_enabled())
    seen.append(modeling.training_kernels_enabled())
    worker = threading.Thread(target=lambda: seen.append(
        modeling.training_kernels_enabled()))
    worker.start()
    worker.join()
  seen.append(modeling.training_kernels_enabled())
  assert seen == [False, True, False, False]


def test_get_activation_names():
  assert modeling.get_activation("gelu") is modeling.gelu
  assert modeling.get_activation("gelu_new") is modeling.gelu
  assert modeling.get_activation("GELU") is modeling.gelu
  assert modeling.get_activation("relu") is tf.nn.relu
  assert modeling.get_activation("tanh") is tf.tanh
  assert modeling.get_activation("linear") is None
  assert modeling.get_activation("") is None
  assert modeling.get_activation(None) is None
  assert modeling.get_activation(tf.sigmoid) is tf.sigmoid
  with pytest.raises(ValueError, match="swish"):
    modeling.get_activation("swish")


def test_config_json_round_trip(tmp_path):
  config = modeling.AlbertConfig(vocab_size=99, hidden_size=37, num_attention_heads=1,
                                 hidden_act="gelu_new")
  text = config.to_json_string()
  assert text.endswith("}\n")
  assert list(json.loads(text)) == sorted(json.loads(text))
  assert '\n  "hidden_size": 37,' in text
  path = tmp_path / "config.json"
  path.write_text(text)
  loaded = modeling.AlbertConfig.from_json_file(str(path))
  assert loaded.to_dict() == config.to_dict()
  assert loaded.vocab_size == 99 and loaded.hidden_size == 37
  assert loaded.hidden_act == "gelu_new"


def test_config_keeps_unknown_keys_of_released_json():
  config = load_albert_config("albert_xxlarge_v1")
  assert config.net_structure_type == 0
  assert config.layers_to_keep == []
  assert config.gap_size == 0
  assert "layers_to_keep" in json.loads(config.to_json_string())
  assert config.hidden_size == 4096 and config.num_attention_heads == 64


@pytest.mark.parametrize("field,value,message", [
    ("hidden_size", 30, "hidden_size"),  # 30 is not a multiple of 4 heads
    ("num_attention_heads", 0, "num_attention_heads"),
    ("vocab_size", -1, "vocab_size"),
    ("vocab_size", None, "vocab_size"),
    ("embedding_size", 0, "embedding_size"),
    ("num_hidden_layers", 0, "num_hidden_layers"),
    ("intermediate_size", 0, "intermediate_size"),
    ("num_hidden_groups", 0, "num_hidden_groups"),
    ("num_hidden_groups", 3, "num_hidden_groups"),  # more groups than the 2 layers
    ("inner_group_num", 0, "inner_group_num"),
    ("max_position_embeddings", 0, "max_position_embeddings"),
    ("type_vocab_size", 0, "type_vocab_size"),
    ("hidden_size", 32.0, "hidden_size"),
    ("hidden_act", "swish", "hidden_act"),
    ("hidden_dropout_prob", 1.5, "hidden_dropout_prob"),
])
def test_config_rejects_bad_values(tmp_path, field, value, message):
  base = json.loads(open(os.path.join(os.path.dirname(__file__), "..", "configs",
                                      "albert_tiny_test.json")).read())
  base[field] = value
  with pytest.raises(ValueError, match=message):
    modeling.AlbertConfig.from_dict(base)
  path = tmp_path / "bad_config.json"
  path.write_text(json.dumps(base))
  with pytest.raises(ValueError, match="bad_config.json.*" + message):
    modeling.AlbertConfig.from_json_file(str(path))
  # The model validates too (e.g. a config built or edited in code).
  config = modeling.AlbertConfig(vocab_size=1000, embedding_size=16, hidden_size=32,
                                 num_hidden_layers=2, num_attention_heads=4,
                                 intermediate_size=37, max_position_embeddings=128)
  setattr(config, field, value)
  with pytest.raises(ValueError, match=message):
    build_albert_graph(config)


def test_config_file_that_is_not_json_names_the_file(tmp_path):
  path = tmp_path / "broken.json"
  path.write_text("{ not json")
  with pytest.raises(ValueError, match="broken.json"):
    modeling.AlbertConfig.from_json_file(str(path))


def _save_checkpoint(albert_graph, values, path):
  with albert_graph.graph.as_default(), tf.compat.v1.Session() as sess:
    for var in tf.compat.v1.global_variables():
      var.load(values[var.op.name], sess)
    tf.compat.v1.train.Saver().save(sess, path)


def test_assignment_map_exact_match(tiny_albert_config, tmp_path):
  source = build_albert_graph(tiny_albert_config)
  values = _variable_values(source)
  checkpoint = str(tmp_path / "model.ckpt")
  _save_checkpoint(source, values, checkpoint)

  target = build_albert_graph(tiny_albert_config, with_heads=True)  # heads: not in checkpoint
  with target.graph.as_default():
    tvars = tf.compat.v1.trainable_variables()
    assignment_map, initialized = modeling.get_assignment_map_from_checkpoint(
        tvars, checkpoint)
  assert isinstance(assignment_map, dict)
  assert assignment_map == {name: name for name in values}
  assert set(initialized) == set(values) | set(name + ":0" for name in values)


@pytest.mark.parametrize("num_layers,num_groups", [(4, 2), (3, 3)])
def test_assignment_map_initializes_every_group_from_group_0(tiny_albert_config, tmp_path,
                                                              num_layers, num_groups):
  source = build_albert_graph(tiny_albert_config)  # 1 group
  values = _variable_values(source)
  checkpoint = str(tmp_path / "model.ckpt")
  _save_checkpoint(source, values, checkpoint)

  tiny_albert_config.num_hidden_layers = num_layers
  tiny_albert_config.num_hidden_groups = num_groups
  target = build_albert_graph(tiny_albert_config)
  with target.graph.as_default():
    tvars = tf.compat.v1.trainable_variables()
    maps, initialized = modeling.get_assignment_map_from_checkpoint(tvars, checkpoint,
                                                                    num_groups)
    assert isinstance(maps, list) and len(maps) == num_groups
    graph_names = [v.op.name for v in tvars]
    # Every graph variable appears exactly once over all maps.
    assert sorted(name for m in maps for name in m.values()) == sorted(graph_names)
    assert set(initialized) == set(graph_names) | set(n + ":0" for n in graph_names)
    assert len([n for n in graph_names if "/group_%d/" % (num_groups - 1) in n]) == 16
    for assignment_map in maps:
      tf.compat.v1.train.init_from_checkpoint(checkpoint, assignment_map)
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      loaded = dict(zip(graph_names, sess.run(tvars)))
  for name in graph_names:
    source_name = re.sub(r"/group_\d+/", "/group_0/", name)
    np.testing.assert_array_equal(loaded[name], values[source_name])


def test_heads_variables_in_pretraining_graph(tiny_albert_graph):
  # The heads live outside the `bert` scope and use the tied embedding table (no decoder var).
  names = dict(_variables(tiny_albert_graph.graph))
  assert names["cls/predictions/transform/dense/kernel"] == [32, 16]
  assert names["cls/predictions/output_bias"] == [1000]
  assert names["cls/seq_relationship/output_weights"] == [2, 32]
  assert not any("decoder" in name for name in names)


def test_einsum_path_has_no_native_einsum_op(tiny_albert_config):
  # The native Einsum op is slow on CPU with oneDNN and is what broke the TF-Hub /2 modules;
  # the einsum path is lowered to MatMul like TF 1.15's tf.einsum did.
  albert_graph = build_albert_graph(tiny_albert_config, use_einsum=True)
  op_types = set(op.type for op in albert_graph.graph.get_operations())
  assert "Einsum" not in op_types
  assert "MatMul" in op_types


def test_reshape_to_and_from_matrix_round_trip():
  from albert import modeling  # pylint: disable=g-import-not-at-top
  values = np.arange(2 * 3 * 4, dtype=np.float32).reshape([2, 3, 4])
  with tf.Graph().as_default():
    tensor = tf.constant(values)
    matrix = modeling.reshape_to_matrix(tensor)
    restored = modeling.reshape_from_matrix(matrix, modeling.get_shape_list(tensor))
    assert matrix.shape.as_list() == [6, 4]
    assert modeling.reshape_to_matrix(matrix) is matrix
    with tf.compat.v1.Session() as session:
      matrix_value, restored_value = session.run([matrix, restored])
  np.testing.assert_array_equal(matrix_value, values.reshape([6, 4]))
  np.testing.assert_array_equal(restored_value, values)
  with pytest.raises(ValueError, match="rank >= 2"):
    modeling.reshape_to_matrix(tf.zeros([5]))


def test_timing_signal_given_position():
  from albert import modeling  # pylint: disable=g-import-not-at-top
  positions = np.array([[0, 1, 5], [7, 2, 0]])
  channels = 7  # odd: the last channel is zero padding
  with tf.Graph().as_default(), tf.compat.v1.Session() as session:
    signal = session.run(modeling.get_timing_signal_1d_given_position(
        channels, tf.constant(positions)))
  assert signal.shape == (2, 3, channels)
  # 3 timescales spaced geometrically from 1 to 1e4: 1, 100, 10000.
  inverse_timescales = np.array([1.0, 1e-2, 1e-4])
  expected = np.concatenate([np.sin(positions[..., None] * inverse_timescales),
                             np.cos(positions[..., None] * inverse_timescales),
                             np.zeros([2, 3, 1])], axis=-1)
  np.testing.assert_allclose(signal, expected, atol=1e-6)
