"""Tests for albert/cpu_kernels.py: the C++ LayerNorm and masked softmax, their gradients,
the build cache, and the fallback to TensorFlow's ops."""

import logging
import os

import numpy as np
import pytest
import tensorflow as tf

from albert import cpu_kernels
from albert import modeling


@pytest.fixture(scope="module")
def library():
  library = cpu_kernels.load()
  # Our machines and CI have g++; elsewhere the fallback tests below still run.
  if library is None:
    pytest.skip("the CPU kernels could not be built here (see the warning)")
  return library


def _np_layer_norm(x, gamma, beta, dy, epsilon=1e-12):
  """float64 LayerNorm over the last axis, and its gradients for upstream `dy`."""
  x, gamma, beta, dy = [a.astype(np.float64) for a in (x, gamma, beta, dy)]
  mean = x.mean(-1, keepdims=True)
  rstd = 1 / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + epsilon)
  xhat = (x - mean) * rstd
  g = dy * gamma
  dx = rstd * (g - g.mean(-1, keepdims=True) - xhat * (g * xhat).mean(-1, keepdims=True))
  return xhat * gamma + beta, dx, (dy * xhat).sum(0), dy.sum(0)


@pytest.mark.parametrize("rows,width", [(64, 768), (5, 37), (1, 128)])
def test_layer_norm_value_and_gradients_match_float64(library, rows, width):
  del library
  rng = np.random.RandomState(rows)
  x = (rng.randn(rows, width) * 3 + 1).astype(np.float32)
  x[0] = 1000 + rng.randn(width).astype(np.float32)  # large mean: needs the centred variance
  gamma = (rng.rand(width) + 0.5).astype(np.float32)
  beta = rng.randn(width).astype(np.float32)
  dy = rng.randn(rows, width).astype(np.float32)
  with tf.Graph().as_default():
    tensors = [tf.constant(a) for a in (x, gamma, beta)]
    y = cpu_kernels.layer_norm(*tensors, epsilon=1e-12)
    gradients = tf.gradients(y, tensors, grad_ys=tf.constant(dy))
    with tf.compat.v1.Session() as sess:
      got = sess.run([y] + gradients)
  expected_y, expected_dx, expected_dgamma, expected_dbeta = _np_layer_norm(x, gamma, beta, dy)
  # Row 0 (mean 1000) is held to float32's resolution there (6e-5): a rounding of its mean
  # moves every centred value.
  for got_rows, expected_rows, rtol in ((got[0], expected_y, 1e-5), (got[1], expected_dx, 1e-4)):
    np.testing.assert_allclose(got_rows[1:], expected_rows[1:], rtol=rtol, atol=2e-5)
    np.testing.assert_allclose(got_rows[0], expected_rows[0], rtol=rtol, atol=5e-4)
  np.testing.assert_allclose(got[2], expected_dgamma, rtol=1e-4, atol=5e-4)
  np.testing.assert_allclose(got[3], expected_dbeta, rtol=1e-5, atol=1e-5)


def test_masked_softmax_value_and_gradient_match_float64(library):
  del library
  rng = np.random.RandomState(0)
  batch, heads, from_length, to_length, scale = 3, 2, 4, 9, 0.125
  logits = (rng.randn(batch, heads, from_length, to_length) * 20).astype(np.float32)
  mask = np.ones([batch, to_length], np.float32)
  mask[1, 5:] = 0
  mask[2, :] = 0  # nothing to attend to
  dprobs = rng.randn(*logits.shape).astype(np.float32)
  with tf.Graph().as_default():
    logits_tensor = tf.constant(logits)
    probs = cpu_kernels.masked_softmax(logits_tensor, tf.constant(mask), scale, -10000.0)
    dlogits, = tf.gradients(probs, logits_tensor, grad_ys=tf.constant(dprobs))
    with tf.compat.v1.Session() as sess:
      got_probs, got_dlogits = sess.run([probs, dlogits])
  # The logits are scaled and masked in float32, as TensorFlow's graph does: near -10000 that
  # rounds to 1e-3, which decides the fully masked row's probabilities. The rest in float64.
  z = (logits * np.float32(scale) + (1 - mask[:, None, None, :]) * np.float32(-10000.0))
  z = z.astype(np.float64)
  expected = np.exp(z - z.max(-1, keepdims=True))
  expected /= expected.sum(-1, keepdims=True)
  expected_dlogits = scale * expected * (dprobs - (dprobs * expected).sum(-1, keepdims=True))
  np.testing.assert_allclose(got_probs, expected, rtol=1e-5, atol=1e-7)
  assert np.all(got_probs[1, :, :, 5:] < 1e-30)
  np.testing.assert_allclose(got_probs.sum(-1), 1.0, rtol=1e-6)
  np.testing.assert_allclose(got_dlogits, expected_dlogits, rtol=1e-4, atol=1e-6)


def test_bad_shapes_are_refused_with_the_shapes(library):
  del library
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    y = cpu_kernels.layer_norm(tf.zeros([2, 8]), tf.ones([7]), tf.zeros([7]), 1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"gamma and beta must be \[8\]"):
      sess.run(y)
    probs = cpu_kernels.masked_softmax(tf.zeros([2, 1, 3, 4]), tf.ones([2, 5]), 1.0, -1e4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"mask \[B, T\], got \[2,1,3,4\]"):
      sess.run(probs)


def test_a_cached_build_is_reused(library):
  del library
  first = cpu_kernels.build_library()
  modified = os.path.getmtime(first)
  assert cpu_kernels.build_library() == first
  assert os.path.getmtime(first) == modified
  assert os.path.basename(first).startswith("albert_cpu_kernels_")


def test_a_compiler_error_is_reported_and_leaves_no_file(tmp_path, monkeypatch):
  source = tmp_path / "broken.cc"
  source.write_text("this is not C++;\n")
  monkeypatch.setattr(cpu_kernels, "_SOURCE", str(source))
  cache = tmp_path / "cache"
  with pytest.raises(cpu_kernels.BuildError, match=r"failed \(exit 1\) compiling .*broken\.cc"):
    cpu_kernels.build_library(str(cache))
  assert [name for name in os.listdir(cache) if not name.endswith(".lock")] == []


def _layer_norm_op_types():
  with tf.Graph().as_default() as graph, modeling.training_kernels_scope():
    modeling.layer_norm(tf.zeros([2, 3, 8]))
  return {op.type for op in graph.get_operations()}


def test_without_a_compiler_training_graphs_keep_tensorflow_ops(tmp_path, monkeypatch, caplog):
  monkeypatch.setattr(cpu_kernels, "_library", cpu_kernels._UNSET)
  monkeypatch.setenv("CXX", str(tmp_path / "no-such-compiler"))
  monkeypatch.setenv("ALBERT_KERNEL_CACHE", str(tmp_path / "cache"))
  with pytest.raises(cpu_kernels.BuildError, match="no C\\+\\+ compiler .*no-such-compiler"):
    cpu_kernels.build_library()
  with caplog.at_level(logging.WARNING):
    assert cpu_kernels.load() is None
  assert "CPU training kernels unavailable" in caplog.text
  types = _layer_norm_op_types()
  assert "AlbertLayerNorm" not in types and "Rsqrt" in types


def test_the_kernels_can_be_switched_off_by_environment(monkeypatch):
  monkeypatch.setattr(cpu_kernels, "_library", cpu_kernels._UNSET)
  monkeypatch.setenv("ALBERT_CPU_KERNELS", "0")
  assert cpu_kernels.load() is None
  assert "AlbertLayerNorm" not in _layer_norm_op_types()


def test_loading_again_in_the_same_process_keeps_working_gradients(library, monkeypatch):
  del library
  monkeypatch.setattr(cpu_kernels, "_library", cpu_kernels._UNSET)
  assert cpu_kernels.load() is not None  # registers no gradient twice (TensorFlow would refuse)
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    values = tf.constant([[1.0, 2.0, 4.0]])
    gamma = tf.constant([1.0, 1.0, 1.0])
    output = cpu_kernels.layer_norm(values, gamma, tf.zeros([3]), 1e-12)
    dgamma, = tf.gradients(output, gamma, grad_ys=tf.constant([[1.0, 0.0, 0.0]]))
    # xhat of the first value: (1 - 7/3) / sqrt(14/9) = -1.0690...
    np.testing.assert_allclose(sess.run(dgamma), [-4 / 3 / np.sqrt(14 / 9), 0, 0], rtol=1e-5)


def test_empty_rows_and_zero_width(library):
  del library
  with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    probs = cpu_kernels.masked_softmax(tf.zeros([2, 3, 4, 0]), tf.ones([2, 0]), 1.0, -1e4)
    empty_rows = cpu_kernels.layer_norm(tf.zeros([0, 8]), tf.ones([8]), tf.zeros([8]), 1e-12)
    assert sess.run(probs).shape == (2, 3, 4, 0)
    assert sess.run(empty_rows).shape == (0, 8)
    zero_width = cpu_kernels.layer_norm(tf.zeros([3, 0]), tf.ones([0]), tf.zeros([0]), 1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match="width 0"):
      sess.run(zero_width)
