# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""AdamW: Adam with decoupled weight decay and no bias correction, as in the original ALBERT.

A leaf module: `optimization` (which re-exports `AdamWeightDecayOptimizer` under its original
name `optimization.AdamWeightDecayOptimizer`) and `lamb_optimizer` both build on it, without
importing each other.

The optimizer is an ordinary `tf.compat.v1.train.Optimizer` whose per-variable update lives in
`_apply_dense`/`_resource_apply_dense`, so the base class's `apply_gradients` serves it: under
a `tf.distribute` strategy it sums the replicas' gradients and mirrors the slots, and on TPU
`CrossShardOptimizer` can wrap it. Slot variables take their variable's dtype (float32 master
weights under mixed precision) and keep the original checkpoint names `<variable>/adam_m` and
`<variable>/adam_v`.
"""

import re

import tensorflow as tf


def variable_name(name):
  """Strips the output suffix: "bert/pooler/dense/kernel:0" -> "bert/pooler/dense/kernel"."""
  match = re.match(r"^(.*):\d+$", name)
  return match.group(1) if match else name


def name_matches_any(patterns, name):
  """True if any regex in `patterns` (list of str or None) is found in `name`."""
  return any(re.search(pattern, name) is not None for pattern in (patterns or []))


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
  """Adam with decoupled weight decay and no bias correction (the original "AdamW").

  For each variable w with gradient g (None gradients are skipped):
    m <- beta_1 * m + (1 - beta_1) * g
    v <- beta_2 * v + (1 - beta_2) * g * g
    u  = m / (sqrt(v) + epsilon)            # no bias correction, unlike textbook Adam
    u += weight_decay_rate * w              # unless the name matches exclude_from_weight_decay
    w <- w - lr * ratio * u                 # ratio = 1 here; LAMB overrides `_trust_ratio`
  Decay is added to the update rather than to the loss so that it does not pass through m
  and v (it would otherwise be normalised away). m and v live in slot variables named
  `<variable>/adam_m` and `<variable>/adam_v`, the names in Google's checkpoints.

  `apply_gradients` does NOT increment `global_step` even when given one, as in the original:
  `create_optimizer` increments it once per step itself.
  """

  def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9, beta_2=0.999,
               epsilon=1e-6, exclude_from_weight_decay=None,
               name="AdamWeightDecayOptimizer"):
    """Constructs the optimizer.

    Args:
      learning_rate: float, float Tensor of shape [] or a callable returning one.
      weight_decay_rate: float, decoupled decay per unit of learning rate (0 = none).
      beta_1: float, decay of the first-moment estimate m.
      beta_2: float, decay of the second-moment estimate v.
      epsilon: float, added to sqrt(v) so the update stays finite where v is 0.
      exclude_from_weight_decay: list of regex strings; variables whose names match any of
        them are not decayed.
      name: str, name scope of the update ops.
    """
    super().__init__(use_locking=False, name=name)
    self.learning_rate = learning_rate
    self.weight_decay_rate = weight_decay_rate
    self.beta_1 = beta_1
    self.beta_2 = beta_2
    self.epsilon = epsilon
    self.exclude_from_weight_decay = exclude_from_weight_decay
    self._learning_rate_tensor = None
    self._apply_if = None

  def apply_gradients(self, grads_and_vars, global_step=None, name=None, apply_if=None):
    """Applies one update to every variable with a gradient.

    Args:
      grads_and_vars: iterable of (gradient, variable) pairs; gradient may be a Tensor,
        IndexedSlices or None (skipped).
      global_step: ignored (accepted for signature compatibility; see the class docstring).
      name: optional name of the returned Operation.
      apply_if: optional bool Tensor of shape []. Where it is False, every variable and slot
        keeps its value: the step is skipped (fp16 loss scaling skips a step whose gradients
        overflowed; `optimization.DynamicLossScale`). Under tf.distribute it must have the same
        value on every replica.

    Returns:
      Operation that assigns the new values of every updated variable and its slots.
    """
    del global_step  # Counted by the caller, as in the original.
    # Read by `_apply_update`; under tf.distribute the update runs through the first
    # replica's optimizer, whose condition every replica shares.
    self._apply_if = apply_if
    return super().apply_gradients(grads_and_vars, global_step=None, name=name)

  def _create_slots(self, var_list):
    # `op_name` becomes the slot's variable-scope suffix: "<variable>/adam_m".
    for var in var_list:
      self._zeros_slot(var, "m", "adam_m")
      self._zeros_slot(var, "v", "adam_v")

  def _prepare(self):
    learning_rate = self._call_if_callable(self.learning_rate)
    self._learning_rate_tensor = tf.convert_to_tensor(learning_rate, name="learning_rate")

  def _apply_dense(self, grad, var):
    return self._apply_update(grad, var)

  def _resource_apply_dense(self, grad, handle):
    # For resource variables the base class passes the variable itself as `handle`.
    return self._apply_update(grad, handle)

  def _apply_sparse_duplicate_indices(self, grad, var):
    return self._apply_update(_densify(grad.values, grad.indices, var), var)

  def _resource_apply_sparse_duplicate_indices(self, grad, handle, indices):
    return self._apply_update(_densify(grad, indices, handle), handle)

  def _apply_update(self, grad, var):
    """Builds the update of one variable; shared by the dense, sparse, ref and resource paths.

    Args:
      grad: float Tensor with the shape and dtype of `var`.
      var: tf.Variable.

    Returns:
      Operation grouping the assignments of var, m and v.
    """
    dtype = var.dtype.base_dtype
    name = variable_name(var.name)
    m = self.get_slot(var, "m")
    v = self.get_slot(var, "v")
    next_m = self.beta_1 * m + (1.0 - self.beta_1) * grad
    next_v = self.beta_2 * v + (1.0 - self.beta_2) * tf.square(grad)
    update = next_m / (tf.sqrt(next_v) + self.epsilon)
    if self._do_use_weight_decay(name):
      update += self.weight_decay_rate * var
    learning_rate = tf.cast(self._learning_rate_tensor, dtype)
    trust_ratio = self._trust_ratio(name, var, update)
    if trust_ratio is not None:
      learning_rate = trust_ratio * learning_rate
    next_var = var - learning_rate * update
    if self._apply_if is not None:
      # Selects rather than a tf.cond: works the same in every tf.distribute update context,
      # and the discarded values may be NaN or inf.
      next_var = tf.where(self._apply_if, next_var, var)
      next_m = tf.where(self._apply_if, next_m, m)
      next_v = tf.where(self._apply_if, next_v, v)
    return tf.group(var.assign(next_var), m.assign(next_m), v.assign(next_v))

  def _trust_ratio(self, name, var, update):
    """Per-variable factor on the learning rate: None (= 1) for AdamW; see LAMBOptimizer."""
    del name, var, update
    return None

  def _do_use_weight_decay(self, name):
    """Whether the variable named `name` is decayed."""
    if not self.weight_decay_rate:
      return False
    return not name_matches_any(self.exclude_from_weight_decay, name)


def _densify(values, indices, var):
  """Sums IndexedSlices rows into a dense gradient of `var`'s shape (duplicate rows add up).

  Adam's moments decay every row on every step, including rows with no gradient, so the
  update is dense anyway; this keeps one code path for all variables.

  Args:
    values: float Tensor of shape [num_slices] + var.shape[1:].
    indices: int Tensor of shape [num_slices], row indices into `var`.
    var: tf.Variable of shape [num_rows, ...].

  Returns:
    float Tensor with `var`'s shape.
  """
  return tf.math.unsorted_segment_sum(values, indices, num_segments=tf.shape(var)[0])
