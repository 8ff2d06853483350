"""Tests for albert/optimization.py and albert/lamb_optimizer.py against a numpy reference of §7.

The reference below is written from the spec (reference §7, DECISIONS §2 and §3 item 8) in
float64; TensorFlow runs in float32 on the same initial values and gradients.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from albert import lamb_optimizer
from albert import optimization

BETA_1, BETA_2, EPSILON, WEIGHT_DECAY = 0.9, 0.999, 1e-6, 0.01
DEFAULT_EXCLUDE = ("LayerNorm", "layer_norm", "bias")

# Tolerance for float32 TensorFlow vs float64 numpy: |tf - ref| <= 1e-6 + 1e-6 * |ref|.
# Values here are O(0.01..3), where one float32 ulp is 1e-9..2.4e-7; a step chains ~15 float32
# roundings per element plus the global norm and LAMB norms, repeated for 5 steps. Measured worst
# absolute error: 2e-7 (about one ulp at the largest values), so the bound has a 5x margin.
# A purely relative bound cannot work: entries that pass near 0 (moments, small weights) have
# relative errors up to 1e-5 from sub-ulp absolute differences. Every mistake worth catching is
# orders of magnitude larger (a missed or extra decay term lr*0.01*w ~ 1e-3, a missing clip
# changes m by a factor of ~10, bias correction scales step 1 by 10, a wrong trust ratio ~10%);
# test_reference_catches_missing_clip_and_decay checks this for the clip and the decay.
RTOL, ATOL = 1e-6, 1e-6


# ----------------------------------------------------------------------------------------------
# numpy reference of §7


def reference_learning_rate(step, init_lr, num_train_steps, num_warmup_steps, poly_power=1.0,
                            start_warmup_step=0):
  """§7.1 with DECISIONS §3 item 8 (0 before start_warmup_step instead of negative)."""
  decayed = init_lr * (1.0 - min(step, num_train_steps) / num_train_steps) ** poly_power
  if not num_warmup_steps:
    return decayed
  steps_since_start = step - start_warmup_step
  if steps_since_start < 0:
    return 0.0
  if steps_since_start < num_warmup_steps:
    return init_lr * steps_since_start / num_warmup_steps
  return decayed


class ReferenceOptimizer:
  """§7.2 (AdamW) / §7.3 (LAMB) in float64 numpy, with the global-norm clip of §7.1."""

  def __init__(self, params, lamb, weight_decay=WEIGHT_DECAY, decay_exclude=DEFAULT_EXCLUDE,
               adapt_exclude=DEFAULT_EXCLUDE, clip_norm=1.0):
    self.params = {name: np.asarray(value, np.float64) for name, value in params.items()}
    self.m = {name: np.zeros_like(value) for name, value in self.params.items()}
    self.v = {name: np.zeros_like(value) for name, value in self.params.items()}
    self.lamb = lamb
    self.weight_decay = weight_decay
    self.decay_exclude = decay_exclude
    self.adapt_exclude = adapt_exclude
    self.clip_norm = clip_norm
    self.last_global_norm = None
    self.last_trust_ratio = {}

  def step(self, grads, lr, global_norm=None):
    """Applies one update.

    Args:
      grads: dict name -> unclipped float64 gradient (dense, the variable's shape).
      lr: float learning rate.
      global_norm: the norm to clip by; default: the Euclidean norm of all of `grads`.
    """
    if global_norm is None:
      global_norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads.values()))
    self.last_global_norm = global_norm
    scale = self.clip_norm / max(global_norm, self.clip_norm) if self.clip_norm else 1.0
    for name, grad in grads.items():
      grad = grad * scale
      w = self.params[name]
      self.m[name] = BETA_1 * self.m[name] + (1 - BETA_1) * grad
      self.v[name] = BETA_2 * self.v[name] + (1 - BETA_2) * grad * grad
      update = self.m[name] / (np.sqrt(self.v[name]) + EPSILON)
      if self.weight_decay and not any(pattern in name for pattern in self.decay_exclude):
        update = update + self.weight_decay * w
      ratio = 1.0
      if self.lamb and not any(pattern in name for pattern in self.adapt_exclude):
        w_norm, u_norm = np.linalg.norm(w), np.linalg.norm(update)
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
      self.last_trust_ratio[name] = ratio
      self.params[name] = w - ratio * lr * update


# ----------------------------------------------------------------------------------------------
# A toy "model": per-variable quadratic losses (dense gradients), plus an embedding table used
# only through tf.gather, so its gradient is IndexedSlices with a duplicated row.

EMBEDDING = "bert/embeddings/word_embeddings"
GATHER_INDICES = np.array([1, 3, 3, 0])  # row 3 twice (gradients add), rows 2 and 4 never.
ZERO_KERNEL = "bert/pooler/zero_kernel"  # ||w|| = 0 at the first update -> LAMB ratio 1.
DEAD_KERNEL = "cls/dead/kernel"  # w = 0 and g = 0 forever -> ||w|| = ||u|| = 0 -> ratio 1.


def _toy_problem(seed):
  """Returns (initial values, quadratic coefficients a, linear coefficients c, gather weights)."""
  rng = np.random.RandomState(seed)
  initial = {
      "bert/encoder/dense/kernel": rng.normal(size=[4, 3]),
      "bert/encoder/dense/bias": rng.normal(size=[3]),
      "bert/encoder/LayerNorm/gamma": 1.0 + 0.1 * rng.normal(size=[3]),
      "bert/encoder/layer_norm/beta": rng.normal(size=[3]),
      EMBEDDING: rng.normal(size=[5, 3]),
      ZERO_KERNEL: np.zeros([3, 2]),
      DEAD_KERNEL: np.zeros([2]),
  }
  initial = {name: value.astype(np.float32) for name, value in initial.items()}
  quadratic = {name: rng.uniform(0.2, 1.0, size=value.shape).astype(np.float32)
               for name, value in initial.items()}
  # Large linear terms make the global gradient norm well above the clip norm 1.0.
  linear = {name: (3.0 * rng.normal(size=value.shape)).astype(np.float32)
            for name, value in initial.items()}
  quadratic[DEAD_KERNEL][:] = 0.0
  linear[DEAD_KERNEL][:] = 0.0
  gather_weights = (3.0 * rng.normal(size=[len(GATHER_INDICES), 3])).astype(np.float32)
  return initial, quadratic, linear, gather_weights


def _toy_loss(variables, quadratic, linear, gather_weights):
  """loss = sum_w sum(a*w^2 + c*w) over dense variables + sum(d * gather(embedding))."""
  terms = []
  for name, var in variables.items():
    if name == EMBEDDING:
      rows = tf.gather(var, GATHER_INDICES)  # [4, 3]
      terms.append(tf.reduce_sum(gather_weights * rows))
    else:
      terms.append(tf.reduce_sum(quadratic[name] * tf.square(var) + linear[name] * var))
  return tf.add_n(terms)


def _toy_gradients(params, quadratic, linear, gather_weights):
  """The exact float64 gradients of `_toy_loss` at `params`, and their global norm as TF sees it.

  tf.clip_by_global_norm measures an IndexedSlices gradient by its values, one row per gathered
  position, so a row gathered twice contributes |d1|^2 + |d2|^2, not |d1 + d2|^2. The original
  clips with the same function, so this is the faithful norm.
  """
  grads = {}
  sum_of_squares = 0.0
  for name, w in params.items():
    if name == EMBEDDING:
      grad = np.zeros_like(w)
      np.add.at(grad, GATHER_INDICES, gather_weights.astype(np.float64))
      sum_of_squares += np.sum(np.square(gather_weights.astype(np.float64)))
    else:
      grad = 2.0 * quadratic[name] * w + linear[name]
      sum_of_squares += np.sum(np.square(grad))
    grads[name] = grad
  return grads, np.sqrt(sum_of_squares)


def _variables_by_name():
  return {optimization.variable_name(var.name): var
          for var in tf.compat.v1.global_variables()}


@pytest.mark.parametrize("use_resource", [True, False], ids=["resource_vars", "ref_vars"])
@pytest.mark.parametrize("optimizer_name", ["adamw", "lamb"])
def test_create_optimizer_matches_numpy_reference(optimizer_name, use_resource):
  """Five steps through create_optimizer match §7 in float64 for weights, adam_m and adam_v:
  warmup schedule, global-norm clip (norm > 5), decay skipping LayerNorm/layer_norm/bias, LAMB
  trust ratio (1 for a zero-norm kernel), sparse embedding gradients, ref and resource vars."""
  init_lr, num_train_steps, num_warmup_steps, num_steps = 0.1, 8, 2, 5
  initial, quadratic, linear, gather_weights = _toy_problem(seed=1)
  reference = ReferenceOptimizer(initial, lamb=(optimizer_name == "lamb"))
  with tf.Graph().as_default():
    variables = {name: tf.compat.v1.get_variable(name, initializer=value,
                                                 use_resource=use_resource)
                 for name, value in initial.items()}
    loss = _toy_loss(variables, quadratic, linear, gather_weights)
    # The embedding's gradient really takes the sparse (IndexedSlices) path.
    assert isinstance(tf.compat.v1.gradients(loss, [variables[EMBEDDING]])[0],
                      tf.IndexedSlices)
    train_op = optimization.create_optimizer(loss, init_lr, num_train_steps, num_warmup_steps,
                                             use_tpu=False, optimizer=optimizer_name)
    all_variables = _variables_by_name()
    expected_names = {"global_step"} | set(initial)
    expected_names |= {name + "/adam_m" for name in initial}
    expected_names |= {name + "/adam_v" for name in initial}
    assert set(all_variables) == expected_names
    slot_names = [name for name in all_variables if "/adam_" in name]
    assert all(not all_variables[name].trainable for name in slot_names)

    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      for name in slot_names:  # Slots start at zero.
        np.testing.assert_array_equal(sess.run(all_variables[name]), 0.0)
      for step in range(num_steps):
        grads, global_norm = _toy_gradients(reference.params, quadratic, linear,
                                            gather_weights)
        reference.step(grads, reference_learning_rate(step, init_lr, num_train_steps,
                                                      num_warmup_steps), global_norm)
        assert reference.last_global_norm > 5.0  # The clip is really active.
        sess.run(train_op)
        values = sess.run(all_variables)
        assert values["global_step"] == step + 1
        for name in initial:
          for actual, expected, what in ((values[name], reference.params[name], ""),
                                         (values[name + "/adam_m"], reference.m[name], "/adam_m"),
                                         (values[name + "/adam_v"], reference.v[name], "/adam_v")):
            np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL,
                                       err_msg="step %d %s%s" % (step, name, what))
        if optimizer_name == "lamb" and step == 1:  # First step with lr > 0.
          assert reference.last_trust_ratio[ZERO_KERNEL] == 1.0
          assert reference.last_trust_ratio[DEAD_KERNEL] == 1.0
          assert reference.last_trust_ratio["bert/encoder/dense/kernel"] != 1.0

  final = {name: values[name] for name in initial}
  # Step 0 has lr 0 (warmup from 0), so moving at all proves later steps applied updates.
  assert not np.allclose(final[ZERO_KERNEL], 0.0)
  # Zero gradient and zero weight: no update and, for LAMB, no 0/0 NaN.
  np.testing.assert_array_equal(final[DEAD_KERNEL], 0.0)
  # Embedding rows without gradient still move (moments decay densely and weights decay).
  assert not np.allclose(final[EMBEDDING][2], initial[EMBEDDING][2])


def test_reference_catches_missing_clip_and_decay():
  """The tolerance is far tighter than the effects the comparison above must detect."""
  initial, quadratic, linear, gather_weights = _toy_problem(seed=1)
  variants = {
      "faithful": ReferenceOptimizer(initial, lamb=False),
      "no_clip": ReferenceOptimizer(initial, lamb=False, clip_norm=None),
      "decay_everything": ReferenceOptimizer(initial, lamb=False, decay_exclude=()),
  }
  for step in range(5):
    lr = reference_learning_rate(step, 0.1, 8, 2)
    for reference in variants.values():
      grads, global_norm = _toy_gradients(reference.params, quadratic, linear, gather_weights)
      reference.step(grads, lr, global_norm)
  faithful = variants["faithful"]
  no_clip_m = variants["no_clip"].m["bert/encoder/dense/kernel"]
  assert not np.allclose(no_clip_m, faithful.m["bert/encoder/dense/kernel"],
                         rtol=100 * RTOL, atol=100 * ATOL)
  for name in ("bert/encoder/LayerNorm/gamma", "bert/encoder/dense/bias"):
    assert not np.allclose(variants["decay_everything"].params[name], faithful.params[name],
                           rtol=100 * RTOL, atol=100 * ATOL)


def test_lamb_explicit_layer_adaptation_exclusion():
  """exclude_from_layer_adaptation given: only it decides the trust ratio, not the decay list.

  "layer/frozen_bias" has a zero gradient and no decay, so ||u|| = 0 while ||w|| > 0: the ratio
  must fall back to 1 (not ||w||/0 = inf, which would turn w into NaN via inf * 0).
  """
  rng = np.random.RandomState(2)
  initial = {"layer/kernel": rng.normal(size=[3, 3]).astype(np.float32),
             "layer/bias": rng.normal(size=[3]).astype(np.float32),
             "layer/frozen_bias": rng.normal(size=[3]).astype(np.float32)}
  linear = {name: rng.normal(size=value.shape).astype(np.float32)
            for name, value in initial.items()}
  linear["layer/frozen_bias"][:] = 0.0
  reference = ReferenceOptimizer(initial, lamb=True, decay_exclude=("bias",),
                                 adapt_exclude=("kernel",), clip_norm=None)
  with tf.Graph().as_default():
    variables = {name: tf.compat.v1.get_variable(name, initializer=value)
                 for name, value in initial.items()}
    loss = tf.add_n([tf.reduce_sum(linear[name] * var) for name, var in variables.items()])
    optimizer = lamb_optimizer.LAMBOptimizer(
        learning_rate=0.05, weight_decay_rate=WEIGHT_DECAY, exclude_from_weight_decay=["bias"],
        exclude_from_layer_adaptation=["kernel"])
    names = list(variables)
    grads = tf.compat.v1.gradients(loss, [variables[name] for name in names])
    train_op = optimizer.apply_gradients(zip(grads, [variables[name] for name in names]))
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      for _ in range(3):
        reference.step({name: linear[name].astype(np.float64) for name in names}, 0.05)
        sess.run(train_op)
      values = sess.run(variables)
  assert reference.last_trust_ratio["layer/kernel"] == 1.0
  assert reference.last_trust_ratio["layer/bias"] != 1.0
  assert reference.last_trust_ratio["layer/frozen_bias"] == 1.0
  np.testing.assert_array_equal(values["layer/frozen_bias"], initial["layer/frozen_bias"])
  for name in names:
    np.testing.assert_allclose(values[name], reference.params[name], rtol=RTOL, atol=ATOL,
                               err_msg=name)


# ----------------------------------------------------------------------------------------------
# Learning-rate schedule


@pytest.mark.parametrize(
    "schedule_kwargs, step_and_expected_lr",
    [
        # Warmup 10 from step 0, then linear decay over 100 steps counted from step 0.
        (dict(num_warmup_steps=10),
         [(0, 0.0), (5, 0.05), (9, 0.09), (10, 0.09), (55, 0.045), (99, 0.001), (100, 0.0),
          (150, 0.0)]),
        # Power 2: (1 - step/100)^2.
        (dict(num_warmup_steps=10, poly_power=2.0),
         [(5, 0.05), (10, 0.1 * 0.9 ** 2), (55, 0.1 * 0.45 ** 2), (100, 0.0), (250, 0.0)]),
        # Warmup starting at 20: 0 before it (the original gave -0.15 at step 5).
        (dict(num_warmup_steps=10, start_warmup_step=20),
         [(0, 0.0), (5, 0.0), (19, 0.0), (20, 0.0), (25, 0.05), (30, 0.07), (60, 0.04)]),
        # No warmup: pure decay from init_lr.
        (dict(num_warmup_steps=0), [(0, 0.1), (10, 0.09), (100, 0.0), (120, 0.0)]),
        (dict(num_warmup_steps=None), [(0, 0.1), (50, 0.05)]),
    ],
    ids=["warmup_then_linear", "poly_power_2", "start_warmup_step_20", "warmup_0",
         "warmup_none"])
def test_learning_rate_schedule(schedule_kwargs, step_and_expected_lr):
  with tf.Graph().as_default():
    global_step = tf.compat.v1.placeholder(tf.int64, shape=[])
    learning_rate = optimization.learning_rate_schedule(
        global_step, init_lr=0.1, num_train_steps=100, **schedule_kwargs)
    assert learning_rate.dtype == tf.float32
    assert learning_rate.shape.as_list() == []
    with tf.compat.v1.Session() as sess:
      for step, expected in step_and_expected_lr:
        actual = sess.run(learning_rate, {global_step: step})
        # Also agrees with the spec-derived reference used by the optimizer tests.
        reference = reference_learning_rate(step, 0.1, 100, **schedule_kwargs)
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-8,
                                   err_msg="step %d" % step)
        np.testing.assert_allclose(reference, expected, rtol=1e-12, atol=1e-12)
        assert actual >= 0.0


def test_learning_rate_schedule_rejects_zero_train_steps():
  with tf.Graph().as_default():
    with pytest.raises(ValueError, match="num_train_steps"):
      optimization.learning_rate_schedule(tf.constant(0, tf.int64), 0.1, 0, 10)


# ----------------------------------------------------------------------------------------------
# create_optimizer plumbing


def _single_variable_loss():
  var = tf.compat.v1.get_variable("w", initializer=np.array([1.0, -2.0], np.float32))
  return var, tf.reduce_sum(tf.square(var))


def test_global_step_increments_by_one_and_learning_rate_is_returned():
  with tf.Graph().as_default():
    _, loss = _single_variable_loss()
    train_op, learning_rate = optimization.create_optimizer(
        loss, init_lr=0.1, num_train_steps=10, num_warmup_steps=4, use_tpu=False,
        return_learning_rate=True)
    global_step = tf.compat.v1.train.get_global_step()
    assert global_step is not None
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      for step in range(6):
        assert sess.run(global_step) == step
        np.testing.assert_allclose(sess.run(learning_rate),
                                   reference_learning_rate(step, 0.1, 10, 4), rtol=1e-6)
        sess.run(train_op)
      assert sess.run(global_step) == 6


def test_existing_global_step_is_reused():
  with tf.Graph().as_default():
    existing = tf.compat.v1.train.create_global_step()
    _, loss = _single_variable_loss()
    train_op = optimization.create_optimizer(loss, 0.1, 10, 0, use_tpu=False)
    assert tf.compat.v1.train.get_global_step() is existing
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      sess.run(existing.assign(41))
      sess.run(train_op)
      assert sess.run(existing) == 42


def test_unknown_optimizer_name_raises():
  with tf.Graph().as_default():
    _, loss = _single_variable_loss()
    with pytest.raises(ValueError) as error:
      optimization.create_optimizer(loss, 0.1, 10, 0, use_tpu=False, optimizer="sgd")
  message = str(error.value)
  assert "sgd" in message and "adamw" in message and "lamb" in message


def test_excluded_tvars_removes_consecutive_variables():
  with tf.Graph().as_default():
    variables = [tf.compat.v1.get_variable("v%d" % index, initializer=np.ones([2], np.float32))
                 for index in range(4)]
    loss = tf.add_n([tf.reduce_sum(var) for var in variables])
    # v1 and v2 are consecutive in the trainable list; one name with ":0", one without.
    excluded = ["v1:0", "v2"]
    kept = optimization.trainable_variables_without(excluded)
    assert [var.name for var in kept] == ["v0:0", "v3:0"]
    train_op = optimization.create_optimizer(loss, 0.1, 10, 0, use_tpu=False,
                                             excluded_tvars=excluded)
    names = set(_variables_by_name())
    assert {"v0/adam_m", "v3/adam_m", "v0/adam_v", "v3/adam_v"} <= names
    assert not {"v1/adam_m", "v2/adam_m", "v1/adam_v", "v2/adam_v"} & names
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      sess.run(train_op)
      values = sess.run(variables)
  np.testing.assert_array_equal(values[1], 1.0)
  np.testing.assert_array_equal(values[2], 1.0)
  assert np.all(values[0] < 1.0) and np.all(values[3] < 1.0)


def test_use_tpu_sums_gradients_across_shards():
  """On TPU the optimizer is wrapped in CrossShardOptimizer (visible as CrossReplicaSum ops)."""
  with tf.Graph().as_default() as graph:
    _, loss = _single_variable_loss()
    optimization.create_optimizer(loss, 0.1, 10, 0, use_tpu=True)
    op_types = {op.type for op in graph.get_operations()}
  assert "CrossReplicaSum" in op_types


def test_adamw_converges_on_toy_regression():
  """The original's optimization_test: AdamW (lr 0.2, no decay) fits w to a target by MSE."""
  with tf.Graph().as_default():
    w = tf.compat.v1.get_variable("w", initializer=np.array([0.1, -0.2, -0.1], np.float32))
    target = tf.constant([0.4, 0.2, -0.5])
    loss = tf.reduce_mean(tf.square(target - w))
    global_step = tf.compat.v1.train.get_or_create_global_step()
    optimizer = optimization.AdamWeightDecayOptimizer(learning_rate=0.2)
    grads = tf.compat.v1.gradients(loss, [w])
    train_op = optimizer.apply_gradients(zip(grads, [w]), global_step)
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      for _ in range(100):
        sess.run(train_op)
      w_value, step = sess.run([w, global_step])
  np.testing.assert_allclose(w_value, [0.4, 0.2, -0.5], rtol=1e-2, atol=1e-2)
  assert step == 0  # As in the original, the optimizer itself never counts steps.


_MIRRORED_SCRIPT = r"""
import json
import numpy as np
import tensorflow as tf
from albert import optimization

# Two logical CPUs stand in for two GPUs; ReductionToOneDevice because the default
# cross-device ops hang on CPU in graph mode (DECISIONS §4).
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
with tf.Graph().as_default():
  strategy = tf.distribute.MirroredStrategy(
      ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice())
  with strategy.scope():
    global_step = tf.compat.v1.train.get_or_create_global_step()
    kernel = tf.compat.v1.get_variable(
        "dense/kernel", initializer=np.array([1.0, -2.0], np.float32))

    def replica_fn():
      replica_id = tf.distribute.get_replica_context().replica_id_in_sync_group
      # Replica 0's gradient is [1, 1], replica 1's is [2, 2].
      loss = tf.reduce_sum((tf.cast(replica_id, tf.float32) + 1.0) * kernel)
      return optimization.create_optimizer(loss, 0.1, 10, 0, use_tpu=False, optimizer="lamb")

    train_op = strategy.group(strategy.extended.call_for_each_replica(replica_fn))
  names = sorted(optimization.variable_name(v.name) for v in tf.compat.v1.global_variables())
  with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    sess.run(train_op)
    replicas = [value.tolist() for value in sess.run(strategy.experimental_local_results(kernel))]
    print(json.dumps({"names": names, "global_step": int(sess.run(global_step)),
                      "replicas": replicas}))
"""


def test_create_optimizer_under_mirrored_strategy():
  """Under tf.distribute (two replicas) gradients are summed, slots keep the checkpoint names
  and the global step advances by 1 per step, not per replica. Runs in a subprocess because
  logical devices must be configured before TensorFlow initialises its runtime."""
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  env = dict(os.environ, PYTHONPATH=repo_root, TF_CPP_MIN_LOG_LEVEL="2")
  completed = subprocess.run([sys.executable, "-c", _MIRRORED_SCRIPT], env=env, cwd=repo_root,
                             capture_output=True, text=True, timeout=240, check=False)
  assert completed.returncode == 0, completed.stderr[-3000:]
  result = json.loads(completed.stdout.strip().splitlines()[-1])
  assert result["names"] == ["dense/kernel", "dense/kernel/adam_m", "dense/kernel/adam_v",
                             "global_step"]
  assert result["global_step"] == 1
  # Each replica clips its own gradient to norm 1 ([1,1]/sqrt(2) both), then the optimizer
  # sums them across replicas (as CrossShardOptimizer does on TPU).
  summed_gradient = np.array([2.0, 2.0]) / np.sqrt(2.0)
  reference = ReferenceOptimizer({"dense/kernel": np.array([1.0, -2.0])}, lamb=True,
                                 clip_norm=None)
  reference.step({"dense/kernel": summed_gradient}, lr=0.1)
  for replica_value in result["replicas"]:
    np.testing.assert_allclose(replica_value, reference.params["dense/kernel"], rtol=RTOL,
                               atol=ATOL)
