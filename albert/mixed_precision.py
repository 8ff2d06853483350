# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Mixed precision: the dtype of the model's matmuls, with float32 master weights.

`--precision` (estimator_utils) names one of PRECISIONS:
  fp32  everything in float32 (the original's numerics);
  bf16  the transformer's matmuls in bfloat16 (TPU, CPUs with AVX-512 BF16 / AMX, Ampere+
        GPUs); float32's exponent range, so no loss scaling;
  fp16  the same in float16 (GPU tensor cores); its small range needs dynamic loss scaling
        (`optimization.DynamicLossScale`).

How the pieces fit:
  * The runner's model_fn is called inside `precision_scope(precision)` (estimator_utils does
    this for the training graph), so the model finds its compute dtype with `compute_dtype()`
    without any new argument.
  * Variables stay float32 with their original names, so checkpoints do not depend on the
    precision: `float32_master_getter` (a custom variable getter on the model's scope) creates
    the float32 variable when a layer asks for a 16-bit one and hands out a cast, whose gradient
    flows back to the float32 variable.
  * Only matmul operands are 16-bit (modeling.py, marked `dtype:`): matmul outputs return to
    float32 at once, so biases, residuals, GELU, LayerNorm, softmax, the heads and the losses
    run in float32. That is the numerically safe choice, and on CPU also the fast one (16-bit
    elementwise kernels are slower there than float32 ones).

The scope is thread-local because tf.distribute builds each replica's graph in its own thread;
each thread enters the scope through the same model_fn wrapper.
"""

import contextlib
import threading

import tensorflow as tf

PRECISIONS = ("fp32", "bf16", "fp16")
_COMPUTE_DTYPES = {"fp32": tf.float32, "bf16": tf.bfloat16, "fp16": tf.float16}
_LOW_PRECISION_DTYPES = (tf.bfloat16, tf.float16)

_state = threading.local()


def check_precision(precision):
  """Raises ValueError unless `precision` is one of PRECISIONS."""
  if precision not in _COMPUTE_DTYPES:
    raise ValueError("--precision=%r is not supported; expected one of: %s" %
                     (precision, ", ".join(PRECISIONS)))


@contextlib.contextmanager
def precision_scope(precision):
  """Models built inside compute in `precision` ("fp32", "bf16" or "fp16")."""
  check_precision(precision)
  previous = current_precision()
  _state.precision = precision
  try:
    yield
  finally:
    _state.precision = previous


def current_precision():
  """The precision of the innermost `precision_scope` of this thread ("fp32" outside)."""
  return getattr(_state, "precision", "fp32")


def compute_dtype(precision=None):
  """tf.DType of the activations for `precision` (default: the current scope's)."""
  precision = current_precision() if precision is None else precision
  check_precision(precision)
  return _COMPUTE_DTYPES[precision]


def float32_master_getter(getter, name, *args, dtype=None, **kwargs):
  """Custom variable getter: 16-bit requests get a cast of a float32 variable.

  Install it on a variable scope (`tf.compat.v1.variable_scope(..., custom_getter=...)`). A
  `get_variable(..., dtype=tf.bfloat16)` inside then creates (or reuses) a float32 variable of
  the same name and returns `tf.cast(variable, tf.bfloat16)`: the checkpoint keeps float32
  values under the original name, the optimizer updates float32 "master" weights, and the
  cast's gradient (float32) reaches the variable. Other requests pass through unchanged.

  Args:
    getter: the next getter in the chain.
    name: variable name.
    *args, **kwargs: the remaining `get_variable` arguments.
    dtype: requested dtype (None = float32).

  Returns:
    The variable, or a Tensor of the requested 16-bit dtype.
  """
  requested = tf.as_dtype(dtype) if dtype is not None else None
  if requested in _LOW_PRECISION_DTYPES:
    variable = getter(name, *args, dtype=tf.float32, **kwargs)
    return tf.cast(variable, requested)
  return getter(name, *args, dtype=dtype, **kwargs)
