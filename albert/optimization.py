# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Learning-rate schedule and the training op shared by every runner.

The math is the original ALBERT recipe (reference §7), kept exactly so that training curves and
checkpoints match Google's:
  * learning rate: linear warmup, then polynomial decay to 0 that counts from step 0;
  * gradients clipped to global norm 1.0 on every step;
  * Adam moments WITHOUT bias correction and decoupled weight decay 0.01 that skips every
    variable whose name contains "LayerNorm", "layer_norm" or "bias" (`adamw_optimizer.py`,
    re-exported here as the original's `optimization.AdamWeightDecayOptimizer`);
  * optional LAMB (`lamb_optimizer.py`), which is the same update scaled per variable.

Gradients are made in one place, `clipped_gradients`; with fp16 mixed precision
(`mixed_precision.py`) it also applies the dynamic loss scale (`DynamicLossScale`).
"""

from absl import logging
import tensorflow as tf

from albert import adamw_optimizer
from albert import lamb_optimizer
from albert import mixed_precision

# The original's names, kept where users and tests look for them.
AdamWeightDecayOptimizer = adamw_optimizer.AdamWeightDecayOptimizer
variable_name = adamw_optimizer.variable_name
name_matches_any = adamw_optimizer.name_matches_any

# Variables matched (re.search on the variable name) by any of these are not weight-decayed:
# all LayerNorm parameters and every bias, including the MLM head's `output_bias`. Embeddings
# ARE decayed, as in the original.
EXCLUDE_FROM_WEIGHT_DECAY = ["LayerNorm", "layer_norm", "bias"]
WEIGHT_DECAY_RATE = 0.01
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-6
# The original clips every step, including fine-tuning; there is no flag for it.
GRADIENT_CLIP_NORM = 1.0
OPTIMIZER_CHOICES = ("adamw", "lamb")
# fp16 dynamic loss scaling: start at 2^15, halve on every step whose gradients overflow (the
# step is skipped), double after this many consecutive good steps (TensorFlow's defaults).
INITIAL_LOSS_SCALE = 2.0 ** 15
LOSS_SCALE_GROWTH_INTERVAL = 2000
LOSS_SCALE_FACTOR = 2.0


def learning_rate_schedule(global_step, init_lr, num_train_steps, num_warmup_steps,
                           poly_power=1.0, start_warmup_step=0):
  """Builds the learning rate for `global_step`: linear warmup, then polynomial decay to 0.

  Decay: init_lr * (1 - min(step, num_train_steps) / num_train_steps) ** poly_power. It counts
  from step 0, not from the end of warmup, so after warmup the rate continues on the decay curve
  where it would have been anyway (the original's behaviour).

  Warmup (only when `num_warmup_steps` is truthy): with s = step - start_warmup_step, the rate is
  init_lr * s / num_warmup_steps while s < num_warmup_steps, and the decay curve afterwards.

  Args:
    global_step: int Tensor of shape [] (usually int64), the number of updates done so far.
    init_lr: float, peak learning rate (reached at the end of warmup, before any decay).
    num_train_steps: int > 0, step at which the rate reaches 0 (and stays there).
    num_warmup_steps: int or None; 0 or None means no warmup.
    poly_power: float, exponent of the polynomial decay (1.0 = linear).
    start_warmup_step: int, step at which warmup begins (for staged pretraining).

  Returns:
    float32 Tensor of shape [], the learning rate for this step. Never negative.

  Raises:
    ValueError: if num_train_steps is not positive (the decay would divide by zero).
  """
  if not num_train_steps or num_train_steps <= 0:
    raise ValueError("learning_rate_schedule: num_train_steps must be a positive int, got %r"
                     % (num_train_steps,))
  with tf.compat.v1.name_scope("learning_rate_schedule"):
    step = tf.cast(global_step, tf.float32)
    total_steps = tf.constant(float(num_train_steps), tf.float32)
    decay_progress = tf.minimum(step, total_steps) / total_steps
    learning_rate = tf.constant(init_lr, tf.float32) * tf.pow(1.0 - decay_progress,
                                                              float(poly_power))
    if not num_warmup_steps:
      # Without warmup `start_warmup_step` has no meaning, as in the original.
      return learning_rate

    steps_since_warmup_start = (tf.cast(global_step, tf.int64) -
                                tf.constant(start_warmup_step, tf.int64))
    warmup_fraction = (tf.cast(steps_since_warmup_start, tf.float32) /
                       tf.constant(float(num_warmup_steps), tf.float32))
    warmup_learning_rate = tf.constant(init_lr, tf.float32) * warmup_fraction
    in_warmup = steps_since_warmup_start < num_warmup_steps
    learning_rate = tf.where(in_warmup, warmup_learning_rate, learning_rate)
    # Deviation (docs/DEVIATIONS.md): the original's warmup formula gives a NEGATIVE rate
    # before start_warmup_step (s < 0), which trains uphill; we hold the rate at 0 there.
    before_warmup = steps_since_warmup_start < 0
    return tf.where(before_warmup, tf.zeros_like(learning_rate), learning_rate)


def create_optimizer(loss, init_lr, num_train_steps, num_warmup_steps, use_tpu,
                     optimizer="adamw", poly_power=1.0, start_warmup_step=0,
                     colocate_gradients_with_ops=False, excluded_tvars=None,
                     return_learning_rate=False, loss_scale=None):
  """Builds the training op: schedule, gradients clipped to norm 1.0, update, step += 1.

  Fine-tuning uses the same optimizer as pretraining (the Adam moments are not restored from
  the pretraining checkpoint). With "lamb" for fine-tuning, a learning rate about ten times the
  AdamW one works (3e-4 to 5e-4 at batch size 64).

  Args:
    loss: float Tensor of shape [], the loss to minimize.
    init_lr: float, peak learning rate (see `learning_rate_schedule`).
    num_train_steps: int > 0, total number of training steps (the rate is 0 from there on).
    num_warmup_steps: int or None, number of linear warmup steps (0/None = no warmup).
    use_tpu: bool; wraps the optimizer in `CrossShardOptimizer`, which sums gradients over
      TPU cores.
    optimizer: "adamw" or "lamb" (the `--optimizer` flag).
    poly_power: float, exponent of the polynomial decay.
    start_warmup_step: int, step at which warmup begins.
    colocate_gradients_with_ops: bool, passed to `tf.compat.v1.gradients`.
    excluded_tvars: list of variable names (with or without ":0") that are NOT trained.
    return_learning_rate: bool; also return the learning-rate Tensor (for TensorBoard).
    loss_scale: a `DynamicLossScale`, or None: then one with the default settings when the
      model is built under `mixed_precision.precision_scope("fp16")`, else no loss scaling.
      A step whose scaled gradients are not finite is skipped (variables and slots unchanged;
      the global step still counts it, as it consumed a batch) and the scale is halved.

  Each replica (TPU core or tf.distribute replica) clips its own gradients before they are
  averaged across replicas: by `CrossShardOptimizer` over TPU cores (its default reduction,
  as in the original), by `clipped_gradients` over tf.distribute replicas.

  Returns:
    `train_op` (an Operation that updates the variables and increments the global step by
    exactly 1), or `(train_op, learning_rate)` with a float32 Tensor of shape [] when
    `return_learning_rate` is True.

  Raises:
    ValueError: on an unknown `optimizer` name or a non-positive `num_train_steps`.
  """
  global_step = tf.compat.v1.train.get_or_create_global_step()
  learning_rate = learning_rate_schedule(global_step, init_lr, num_train_steps,
                                         num_warmup_steps, poly_power=poly_power,
                                         start_warmup_step=start_warmup_step)
  train_optimizer = _make_optimizer(optimizer, learning_rate)
  if use_tpu:
    train_optimizer = tf.compat.v1.tpu.CrossShardOptimizer(train_optimizer)
  if loss_scale is None and mixed_precision.current_precision() == "fp16":
    loss_scale = DynamicLossScale()
  if loss_scale is not None and not use_tpu:
    tf.compat.v1.summary.scalar("loss_scale", loss_scale.scale)

  trainable_variables = trainable_variables_without(excluded_tvars)
  gradients = clipped_gradients(loss, trainable_variables, colocate_gradients_with_ops,
                                loss_scale=loss_scale)
  grads_and_vars = list(zip(gradients, trainable_variables))
  if loss_scale is None:
    apply_op = train_optimizer.apply_gradients(grads_and_vars)
  else:
    apply_op = train_optimizer.apply_gradients(
        grads_and_vars, apply_if=loss_scale.gradients_are_finite)
  # The optimizers never touch the global step (as in the original), so count the step here.
  # Under tf.distribute the global step aggregates ONLY_FIRST_REPLICA, so this adds 1 per step,
  # not 1 per replica.
  # The increment waits for the update, so every read of the step in this training step (the
  # learning rate, the loss guard of estimator_utils.check_loss_is_finite) sees the same value;
  # an unordered increment could be read one ahead.
  with tf.control_dependencies([apply_op]):
    after_update = [global_step.assign(global_step + 1)]
    if loss_scale is not None:
      after_update.append(loss_scale.update())
  train_op = tf.group(apply_op, *after_update, name="train_op")
  if return_learning_rate:
    return train_op, learning_rate
  return train_op


def _make_optimizer(optimizer_name, learning_rate):
  """Returns the AdamW or LAMB optimizer with the original hyper-parameters."""
  logging.info("Using the %s optimizer.", optimizer_name)
  hyper_parameters = dict(
      learning_rate=learning_rate,
      weight_decay_rate=WEIGHT_DECAY_RATE,
      beta_1=ADAM_BETA_1,
      beta_2=ADAM_BETA_2,
      epsilon=ADAM_EPSILON,
      exclude_from_weight_decay=EXCLUDE_FROM_WEIGHT_DECAY)
  if optimizer_name == "adamw":
    return AdamWeightDecayOptimizer(**hyper_parameters)
  if optimizer_name == "lamb":
    return lamb_optimizer.LAMBOptimizer(**hyper_parameters)
  raise ValueError("--optimizer=%r is not supported; expected one of: %s"
                   % (optimizer_name, ", ".join(OPTIMIZER_CHOICES)))


def trainable_variables_without(excluded_names):
  """Returns the graph's trainable variables minus those named in `excluded_names`.

  Args:
    excluded_names: list of variable names, each with or without the ":0" suffix, or None.

  Returns:
    list of tf.Variable, in graph order.
  """
  trainable_variables = tf.compat.v1.trainable_variables()
  if not excluded_names:
    return trainable_variables
  excluded = set(variable_name(name) for name in excluded_names)
  # Filtering into a new list: the original removed items from the list it was iterating
  # over, which silently skipped the second of two consecutive excluded variables.
  kept = [var for var in trainable_variables if variable_name(var.name) not in excluded]
  unmatched = excluded - set(variable_name(var.name) for var in trainable_variables)
  if unmatched:
    logging.warning("excluded_tvars: no trainable variable is named %s; they are ignored.",
                    sorted(unmatched))
  return kept


def clipped_gradients(loss, variables, colocate_gradients_with_ops=False, loss_scale=None):
  """Gradients of `loss` with respect to `variables`, clipped to global norm 1.0.

  With a `loss_scale` (fp16), the loss is multiplied by the scale before differentiation, so
  that small gradients survive float16 inside the model, and the float32 gradients are divided
  by it again before clipping; `loss_scale.gradients_are_finite` then says whether this step
  may be applied.

  Under a tf.distribute strategy with R replicas in sync, each replica's clipped gradients
  are also divided by R, so that the optimizer's sum over replicas is their mean: training at a
  global batch size then does not depend on how many replicas share it.

  Args:
    loss: float Tensor of shape [].
    variables: list of N tf.Variable.
    colocate_gradients_with_ops: bool, passed to `tf.compat.v1.gradients`.
    loss_scale: optional `DynamicLossScale`.

  Returns:
    list of N gradients (Tensor, IndexedSlices for gathered embeddings, or None for a
    variable the loss does not depend on), jointly scaled by min(1, 1.0 / global_norm).
    After an fp16 overflow they are not finite; the optimizer must then skip the step.
  """
  if loss_scale is not None:
    loss = loss_scale.scale_loss(loss)
  gradients = tf.compat.v1.gradients(
      loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
  if loss_scale is not None:
    gradients = loss_scale.unscale(gradients)
  gradients, _ = tf.clip_by_global_norm(gradients, clip_norm=GRADIENT_CLIP_NORM)
  # The mean over replicas, as CrossShardOptimizer takes over TPU cores (on TPU there is one
  # tf.distribute replica here, and CrossShardOptimizer averages): N replicas at a global
  # batch B then train like one device at batch B.
  num_replicas = tf.distribute.get_strategy().num_replicas_in_sync
  if num_replicas > 1:
    gradients = [_scale_gradient(gradient, 1.0 / num_replicas) for gradient in gradients]
  return gradients


def _scale_gradient(gradient, factor):
  """gradient * factor for a Tensor, IndexedSlices or None."""
  if gradient is None:
    return None
  if isinstance(gradient, tf.IndexedSlices):
    return tf.IndexedSlices(gradient.values * factor, gradient.indices, gradient.dense_shape)
  return gradient * factor


class DynamicLossScale(object):
  """The fp16 loss scale: skips steps whose gradients overflow, and adapts the scale.

  float16 flushes values below ~6e-8 to zero and overflows above 65504. Multiplying the loss
  by a large scale S moves the small gradients inside the model into float16's range; the
  float32 gradients of the master weights are divided by S again. When S is too large, some
  gradient overflows: that step is skipped and S halved. After `growth_interval` consecutive
  good steps S doubles, to find the largest safe scale again.

  The state lives in two LOCAL variables, `dynamic_loss_scale/scale` and
  `dynamic_loss_scale/good_steps`: they are not saved, so checkpoints of fp16 runs are those of
  fp32 runs (same variables, no extra names to trip `init_from_checkpoint`, export or a restart
  in another precision). A restarted run starts again from `initial_scale` and finds its scale
  within a few steps. TensorBoard shows the scale as `loss_scale`.

  Under tf.distribute every replica makes the same decision: the replicas' overflow flags are
  summed across replicas before use.

  Usage (what `create_optimizer` does):
    loss_scale = DynamicLossScale()
    gradients = clipped_gradients(loss, variables, loss_scale=loss_scale)
    apply = optimizer.apply_gradients(..., apply_if=loss_scale.gradients_are_finite)
    with tf.control_dependencies([apply]):
      update = loss_scale.update()
  """

  def __init__(self, initial_scale=INITIAL_LOSS_SCALE,
               growth_interval=LOSS_SCALE_GROWTH_INTERVAL, factor=LOSS_SCALE_FACTOR):
    """Creates (or, for further replicas, reuses) the scale variables.

    Args:
      initial_scale: float, the first scale.
      growth_interval: int, consecutive finite steps before the scale grows.
      factor: float > 1, the scale is multiplied or divided by it.
    """
    self.growth_interval = growth_interval
    self.factor = factor
    self.gradients_are_finite = None
    variable_settings = dict(
        shape=[], trainable=False, collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES],
        # Every replica assigns the same value; keep one.
        aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
    with tf.compat.v1.variable_scope("dynamic_loss_scale"):
      self.scale = tf.compat.v1.get_variable(
          "scale", dtype=tf.float32,
          initializer=tf.compat.v1.constant_initializer(initial_scale), **variable_settings)
      self.good_steps = tf.compat.v1.get_variable(
          "good_steps", dtype=tf.int64, initializer=tf.compat.v1.zeros_initializer(),
          **variable_settings)

  def scale_loss(self, loss):
    """loss * scale, in the loss's dtype (float32)."""
    return loss * tf.cast(self.scale, loss.dtype)

  def unscale(self, gradients):
    """Divides scaled gradients by the scale; sets `gradients_are_finite`.

    Args:
      gradients: list of float32 Tensors, IndexedSlices or None.

    Returns:
      The list with every gradient divided by the scale.
    """
    unscaled = [_scale_gradient(gradient, 1.0 / self.scale) for gradient in gradients]
    finite_checks = [
        tf.reduce_all(tf.math.is_finite(
            gradient.values if isinstance(gradient, tf.IndexedSlices) else gradient))
        for gradient in unscaled if gradient is not None]
    overflowed = 1.0 - tf.cast(tf.reduce_all(tf.stack(finite_checks)), tf.float32)
    # Skip on every replica if any replica overflowed (identity without tf.distribute).
    replicas_overflowed = tf.distribute.get_replica_context().all_reduce(
        tf.distribute.ReduceOp.SUM, overflowed)
    self.gradients_are_finite = tf.equal(replicas_overflowed, 0.0)
    return unscaled

  def update(self):
    """Op that halves the scale after an overflow, or counts a good step (and maybe grows).

    Call after `unscale`, ordered after the optimizer's update.
    """
    finite = self.gradients_are_finite
    good_steps = self.good_steps + 1
    grow = tf.logical_and(finite, good_steps >= self.growth_interval)
    new_scale = tf.where(
        finite,
        tf.where(grow, self.scale * self.factor, self.scale),
        tf.maximum(self.scale / self.factor, 1.0))
    new_good_steps = tf.where(tf.logical_and(finite, tf.logical_not(grow)),
                              good_steps, tf.zeros_like(good_steps))
    return tf.group(self.scale.assign(new_scale), self.good_steps.assign(new_good_steps),
                    name="update_loss_scale")
