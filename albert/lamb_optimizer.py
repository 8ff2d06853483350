# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""LAMB: the AdamW update rescaled per variable by a trust ratio (You et al., 2019).

LAMB lets pretraining use very large batches: each variable's step is scaled so that its size
is proportional to the variable's own norm, instead of one learning rate for all layers.
Everything else (moments without bias correction, decoupled decay, slot names) is the AdamW of
`adamw_optimizer.py`, which this class extends with only the trust ratio.
"""

import tensorflow as tf

from albert import adamw_optimizer


class LAMBOptimizer(adamw_optimizer.AdamWeightDecayOptimizer):
  """Layer-wise Adaptive Moments optimizer for Batch training, as in the original ALBERT.

  With u the AdamW update of a variable w (moments, no bias correction, decay added):
    ratio = ||w||_2 / ||u||_2   if both norms > 0 (norms over the whole flattened variable),
          = 1                   if either norm is 0, or the variable's name matches
                                `exclude_from_layer_adaptation`;
    w <- w - ratio * lr * u.
  A zero-norm w (e.g. a freshly zero-initialised bias) thus still moves, with the plain rate.
  """

  def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9, beta_2=0.999,
               epsilon=1e-6, exclude_from_weight_decay=None,
               exclude_from_layer_adaptation=None, name="LAMBOptimizer"):
    """Constructs the optimizer.

    Args:
      learning_rate: float, float Tensor of shape [] or a callable returning one.
      weight_decay_rate: float, decoupled decay per unit of learning rate (0 = none).
      beta_1: float, decay of the first-moment estimate m.
      beta_2: float, decay of the second-moment estimate v.
      epsilon: float, added to sqrt(v) so the update stays finite where v is 0.
      exclude_from_weight_decay: list of regex strings; matching variables are not decayed.
      exclude_from_layer_adaptation: list of regex strings; matching variables get ratio 1.
        None means the same list as `exclude_from_weight_decay` (LayerNorm and biases are
        neither decayed nor adapted).
      name: str, name scope of the update ops.
    """
    super().__init__(learning_rate, weight_decay_rate=weight_decay_rate, beta_1=beta_1,
                     beta_2=beta_2, epsilon=epsilon,
                     exclude_from_weight_decay=exclude_from_weight_decay, name=name)
    if exclude_from_layer_adaptation is None:
      exclude_from_layer_adaptation = exclude_from_weight_decay
    self.exclude_from_layer_adaptation = exclude_from_layer_adaptation

  def _trust_ratio(self, name, var, update):
    """The factor ||w|| / ||u|| on the learning rate, or 1 where it is undefined or excluded.

    Args:
      name: str, variable name without ":0".
      var: tf.Variable w of any shape.
      update: float Tensor u with w's shape.

    Returns:
      float Tensor of shape [] with w's dtype, or None (= 1) for an excluded variable.
    """
    if not self._do_layer_adaptation(name):
      return None
    var_norm = tf.norm(var, ord=2)  # Euclidean norm of the flattened tensor.
    update_norm = tf.norm(update, ord=2)
    one = tf.ones_like(var_norm)
    # tf.where evaluates both branches; the 0/0 of the unused one is discarded, not propagated.
    return tf.where(var_norm > 0.0,
                    tf.where(update_norm > 0.0, var_norm / update_norm, one),
                    one)

  def _do_layer_adaptation(self, name):
    """Whether the variable named `name` gets a trust ratio."""
    return not adamw_optimizer.name_matches_any(self.exclude_from_layer_adaptation, name)
