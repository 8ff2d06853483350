# coding=utf-8
# Copyright 2026 The albert re-implementation authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""On-the-fly ("dynamic") masked-LM masking in the input pipeline, with TF ops only.

The original only masks offline, in `create_pretraining_data`, so every epoch sees the same
masks, and its `--masked_lm_budget` path crashes (reference §16 item 7). Here
`run_pretraining --masked_lm_budget=K` (K > 0) masks each example anew every time it is read,
with the rules below, and predicts at most K tokens per sequence (K replaces
max_predictions_per_seq as the number of prediction slots).

The rules are those of the offline path (reference §5.5, DECISIONS §3 items 3 and 6):
  * Whole-word units come from `token_boundary`: a unit starts at a token whose boundary flag
    is 1, or at the first maskable token after a non-maskable one (units never cross
    [CLS]/[SEP]); following boundary-0 tokens join it. [CLS], [SEP] and padding are never masked.
  * Number to predict = min(budget, max(1, round(num_real_tokens * masked_lm_prob))), where
    num_real_tokens counts every non-padding token, special tokens included (like the offline
    path, which counts `len(tokens)`); rounding is half-to-even, like Python's `round`.
  * Units are visited in random order; for each, an n-gram length n in 1..ngram is drawn with
    p(n) ∝ 1/n (reversed when favor_shorter_ngram is False); the span is the next n units
    (truncated at the last unit); while the span would exceed the budget left, n shrinks; a span
    that still does not fit, or that overlaps an already chosen token, is skipped.
  * Each chosen token becomes [MASK] with p=0.8, stays itself with p=0.1, and becomes a
    uniformly random id in [0, vocab_size) with p=0.1.
  * Outputs are sorted by position and padded with zeros to `budget` slots; weights are 1.0
    for real slots and 0.0 for padding.

Randomness: with `seed=None` (training) the draws come from stateful `tf.random` ops, whose
state lives in the input pipeline and advances with every element, so two epochs over the same
record draw different masks. With an integer `seed` (evaluation) stateless ops are seeded by
(seed, a hash of the example's tokens), so an example always gets the same masks, whatever the
order or parallelism of the pipeline, and every checkpoint is scored on the same predictions.

Records written by `create_pretraining_data` already carry offline masks in `input_ids`. When
the `masked_lm_*` features are present, the original tokens are put back first (positions with
weight > 0 get their `masked_lm_ids`), so the dynamic masks are applied to clean text. Records
created with `--masked_lm_prob=0` have no offline masks and need no restoring.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections

import tensorflow as tf

# The ids of the special tokens masking must know. They come from the tokenizer the data was
# made with (`special_token_ids`): ALBERT's SentencePiece models put [CLS], [SEP], [MASK] at
# 2, 3, 4, but a WordPiece vocabulary (e.g. the Chinese models) has them elsewhere.
SpecialTokenIds = collections.namedtuple("SpecialTokenIds", ["cls_id", "sep_id", "mask_id"])


def special_token_ids(tokenizer):
  """The `SpecialTokenIds` of a `tokenization.FullTokenizer`.

  Raises:
    ValueError: the vocabulary lacks one of [CLS], [SEP], [MASK].
  """
  ids = {}
  for token in ("[CLS]", "[SEP]", "[MASK]"):
    if token not in tokenizer.vocab:
      raise ValueError("The tokenizer's vocabulary has no %s token, which dynamic masking "
                       "needs." % token)
    ids[token] = tokenizer.vocab[token]
  return SpecialTokenIds(ids["[CLS]"], ids["[SEP]"], ids["[MASK]"])


class _RandomDraws(object):
  """Random draws for one example: stateful ops, or stateless ops with derived seeds.

  Every draw site passes a distinct `key` (and, in loops, the iteration number), so that with
  a base seed the stateless draws are independent of each other.
  """

  def __init__(self, stateless_seed=None):
    """Args: stateless_seed: None (stateful ops) or an int64 Tensor of shape [2]."""
    self._seed = stateless_seed

  def _derived_seed(self, key, counter=0):
    return tf.stack([self._seed[0] + key, self._seed[1] + tf.cast(counter, tf.int64)])

  def permutation(self, size, key):
    """A random permutation of range(size), int32 Tensor of shape [size]."""
    if self._seed is None:
      return tf.random.shuffle(tf.range(size))
    scores = tf.random.stateless_uniform([size], seed=self._derived_seed(key))
    return tf.argsort(scores)  # int32

  def categorical(self, log_probs, num_draws, key):
    """`num_draws` draws from `log_probs` (float Tensor [1, K]): int32 Tensor in [0, K)."""
    tiled_log_probs = tf.tile(log_probs, [num_draws, 1])  # [num_draws, K]
    if self._seed is None:
      draws = tf.random.categorical(tiled_log_probs, 1)
    else:
      draws = tf.random.stateless_categorical(tiled_log_probs, 1,
                                              seed=self._derived_seed(key))
    return tf.cast(draws[:, 0], tf.int32)

  def uniform(self, shape, key):
    """float32 Tensor of `shape`, uniform in [0, 1)."""
    if self._seed is None:
      return tf.random.uniform(shape)
    return tf.random.stateless_uniform(shape, seed=self._derived_seed(key))

  def uniform_ids(self, shape, maxval, dtype, key):
    """Integer Tensor of `shape`, uniform in [0, maxval)."""
    if self._seed is None:
      return tf.random.uniform(shape, minval=0, maxval=maxval, dtype=dtype)
    return tf.random.stateless_uniform(shape, seed=self._derived_seed(key), minval=0,
                                       maxval=maxval, dtype=dtype)


def example_seed(input_ids, seed):
  """Stateless seed [seed, hash of the tokens] (int64 Tensor of shape [2]) for one example."""
  text = tf.strings.reduce_join(tf.strings.as_string(input_ids), separator=",")
  content_hash = tf.strings.to_hash_bucket_fast(text, 2**31 - 1)
  return tf.stack([tf.constant(seed, tf.int64), content_hash])


def ngram_log_probabilities(ngram, favor_shorter_ngram=True):
  """Log-probabilities of span lengths 1..ngram, with p(n) proportional to 1/n.

  Args:
    ngram: int, the longest span length.
    favor_shorter_ngram: bool; when False the probabilities are reversed (long spans favoured).

  Returns:
    float32 Tensor of shape [1, ngram] (the batch-of-one logits `tf.random.categorical` takes).
  """
  weights = [1.0 / n for n in range(1, ngram + 1)]
  if not favor_shorter_ngram:
    weights = weights[::-1]
  total = sum(weights)
  return tf.math.log(tf.constant([[w / total for w in weights]], dtype=tf.float32))


def restore_offline_masks(input_ids, masked_lm_positions, masked_lm_ids, masked_lm_weights):
  """Puts the original tokens back where the offline masking replaced them.

  Args:
    input_ids: int32 Tensor of shape [seq_length], possibly containing offline masks.
    masked_lm_positions: int32 Tensor of shape [num_slots].
    masked_lm_ids: int32 Tensor of shape [num_slots], the original ids at those positions.
    masked_lm_weights: float32 Tensor of shape [num_slots], 1.0 for real slots, 0.0 for padding.

  Returns:
    int32 Tensor of shape [seq_length] with the original tokens.
  """
  is_real_slot = masked_lm_weights > 0
  positions = tf.boolean_mask(masked_lm_positions, is_real_slot)
  original_ids = tf.boolean_mask(masked_lm_ids, is_real_slot)
  return tf.tensor_scatter_nd_update(
      input_ids, tf.expand_dims(positions, 1), tf.cast(original_ids, input_ids.dtype))


def whole_word_unit_index(input_ids, input_mask, token_boundary, cls_id, sep_id):
  """Numbers the whole-word units a sequence can be masked in.

  Args:
    input_ids: int32 Tensor of shape [seq_length].
    input_mask: int32 Tensor of shape [seq_length], 1 for real tokens, 0 for padding.
    token_boundary: int32 Tensor of shape [seq_length], 1 where a word starts.
    cls_id: int, id of [CLS] (never masked).
    sep_id: int, id of [SEP] (never masked).

  Returns:
    (unit_index, num_units): `unit_index` is an int32 Tensor of shape [seq_length] holding the
    0-based unit number of every maskable token and -1 for [CLS], [SEP] and padding;
    `num_units` is an int32 scalar Tensor.
  """
  is_maskable = (input_mask > 0) & tf.not_equal(input_ids, cls_id) & tf.not_equal(
      input_ids, sep_id)
  previous_is_maskable = tf.concat([[False], is_maskable[:-1]], axis=0)
  # A unit also starts after [CLS]/[SEP] even without a boundary flag: units never cross them
  # (DECISIONS §3 item 6).
  starts_unit = is_maskable & ((token_boundary > 0) | tf.logical_not(previous_is_maskable))
  unit_index = tf.cumsum(tf.cast(starts_unit, tf.int32)) - 1
  unit_index = tf.where(is_maskable, unit_index, -tf.ones_like(unit_index))
  num_units = tf.reduce_sum(tf.cast(starts_unit, tf.int32))
  return unit_index, num_units


def num_tokens_to_predict(input_mask, masked_lm_budget, masked_lm_prob):
  """min(budget, max(1, round(num_real_tokens * masked_lm_prob))), as an int32 scalar Tensor.

  Computed in float64 with half-to-even rounding so it equals Python's `int(round(n * p))`.
  """
  num_real_tokens = tf.reduce_sum(tf.cast(input_mask > 0, tf.float64))
  wanted = tf.cast(tf.round(num_real_tokens * masked_lm_prob), tf.int32)
  return tf.minimum(masked_lm_budget, tf.maximum(1, wanted))


def choose_masked_tokens(unit_index, num_units, num_to_predict, ngram=3,
                         favor_shorter_ngram=True, draws=None):
  """Chooses which tokens to predict: random whole-word n-gram spans, within the budget.

  Everything that does not depend on earlier choices (the visiting order, the drawn lengths,
  the token count of every candidate span) is computed up front, so the sequential loop only
  touches small vectors.

  Dimension legend: S = seq_length, U = number of units, G = ngram (longest span, in units).

  Args:
    unit_index: int32 Tensor of shape [S] from `whole_word_unit_index` (-1 = not maskable).
    num_units: int32 scalar Tensor, the number of units.
    num_to_predict: int32 scalar Tensor, the most tokens to choose.
    ngram: int, the longest span length in units.
    favor_shorter_ngram: bool, p(n) ∝ 1/n when True, reversed otherwise.
    draws: `_RandomDraws` (default: stateful ops).

  Returns:
    bool Tensor of shape [S], True for the chosen tokens.
  """
  span_lengths = tf.range(1, ngram + 1)  # [G]
  draws = draws or _RandomDraws()
  unit_order = draws.permutation(num_units, key=1)  # [U]
  drawn_lengths = draws.categorical(
      ngram_log_probabilities(ngram, favor_shorter_ngram), num_units, key=2) + 1  # [U]

  # Tokens in the span of n units starting at unit u = prefix[min(u + n, U)] - prefix[u]
  # (spans are truncated at the last unit).
  unit_sizes = tf.math.bincount(tf.boolean_mask(unit_index, unit_index >= 0),
                                minlength=num_units, maxlength=num_units)  # [U]
  prefix = tf.concat([[0], tf.cumsum(unit_sizes)], axis=0)  # [U + 1]
  span_ends = tf.minimum(unit_order[:, tf.newaxis] + span_lengths, num_units)  # [U, G]
  span_sizes = (tf.gather(prefix, span_ends) -
                tf.gather(prefix, unit_order)[:, tf.newaxis])  # [U, G]
  unit_range = tf.range(num_units)  # [U]

  def keep_going(step, unused_chosen_units, num_chosen):
    return (step < num_units) & (num_chosen < num_to_predict)

  def try_next_unit(step, chosen_units, num_chosen):
    first_unit = unit_order[step]
    sizes = span_sizes[step]  # [G]
    # Shrink the drawn length until the span fits in what is left of the budget.
    fits = (span_lengths <= drawn_lengths[step]) & (num_chosen + sizes <= num_to_predict)
    longest_fitting = tf.reduce_max(tf.where(fits, span_lengths, tf.zeros_like(span_lengths)))
    span = (unit_range >= first_unit) & (unit_range < first_unit + longest_fitting)  # [U]
    overlaps = tf.reduce_any(span & chosen_units)
    take = (longest_fitting > 0) & tf.logical_not(overlaps)
    chosen_units = tf.where(take, chosen_units | span, chosen_units)
    num_chosen += tf.where(take, sizes[tf.maximum(longest_fitting - 1, 0)], 0)
    return step + 1, chosen_units, num_chosen

  _, chosen_units, _ = tf.while_loop(
      keep_going, try_next_unit,
      [tf.constant(0), tf.zeros([num_units], tf.bool), tf.constant(0)])
  # Back from units to tokens; non-maskable tokens (-1) look up a trailing False.
  chosen_units = tf.concat([chosen_units, [False]], axis=0)  # [U + 1]
  token_units = tf.where(unit_index >= 0, unit_index, tf.fill(tf.shape(unit_index), num_units))
  chosen = tf.gather(chosen_units, token_units)  # [S]
  chosen.set_shape(unit_index.shape)
  return chosen


def apply_masks(input_ids, chosen, vocab_size, mask_id, draws=None):
  """Replaces the chosen tokens: 80% [MASK], 10% unchanged, 10% a random id in [0, vocab_size).

  Args:
    input_ids: int32 Tensor of shape [seq_length].
    chosen: bool Tensor of shape [seq_length].
    vocab_size: int, size of the vocabulary.
    mask_id: int, id of [MASK].
    draws: `_RandomDraws` (default: stateful ops).

  Returns:
    int32 Tensor of shape [seq_length], the masked input ids.
  """
  draws = draws or _RandomDraws()
  draw = draws.uniform(tf.shape(input_ids), key=3)
  random_ids = draws.uniform_ids(tf.shape(input_ids), vocab_size, input_ids.dtype, key=4)
  replacement = tf.where(draw < 0.8, tf.fill(tf.shape(input_ids), tf.cast(mask_id, input_ids.dtype)),
                         tf.where(draw < 0.9, input_ids, random_ids))
  return tf.where(chosen, replacement, input_ids)


def mask_example(features, masked_lm_budget, vocab_size, special_ids, masked_lm_prob=0.15,
                 ngram=3, favor_shorter_ngram=True, seed=None):
  """Masks one decoded example on the fly.

  Args:
    features: dict of unbatched int32 Tensors with at least `input_ids`, `input_mask` and
      `token_boundary` (shape [seq_length]); when `masked_lm_positions`, `masked_lm_ids` and
      `masked_lm_weights` are present they are used only to undo the offline masking.
    masked_lm_budget: int, the number of prediction slots (most tokens masked per sequence).
    vocab_size: int, size of the vocabulary (range of the random replacement ids).
    special_ids: `SpecialTokenIds` of the tokenizer the data was made with.
    masked_lm_prob: float, fraction of real tokens to predict (before the budget cap).
    ngram: int, the longest masked span in whole-word units.
    favor_shorter_ngram: bool, p(n) ∝ 1/n when True, reversed otherwise.
    seed: None for new masks every time the example is read (training), or an int for
      masks that depend only on (seed, the example's tokens) (evaluation).

  Returns:
    A new dict: the input features with `input_ids` masked and `masked_lm_positions`,
    `masked_lm_ids` (int32, shape [masked_lm_budget]) and `masked_lm_weights` (float32, shape
    [masked_lm_budget]) set for the new masks.
  """
  # Deviation (docs/DEVIATIONS.md): the original's --masked_lm_budget path is unfinished;
  # this is dynamic masking with the offline rules and masked_lm_budget prediction slots.
  if masked_lm_budget <= 0:
    raise ValueError("masked_lm_budget must be > 0 for dynamic masking, got %r" %
                     (masked_lm_budget,))
  features = dict(features)
  input_ids = features["input_ids"]
  input_mask = features["input_mask"]
  token_boundary = features["token_boundary"]
  if input_ids.shape.rank != 1 or input_ids.shape[0] is None:
    raise ValueError("dynamic masking works on single examples with a static length; "
                     "`input_ids` has shape %s" % (input_ids.shape,))
  seq_length = input_ids.shape[0]

  if "masked_lm_positions" in features:
    input_ids = restore_offline_masks(
        input_ids, features["masked_lm_positions"], features["masked_lm_ids"],
        features["masked_lm_weights"])

  draws = _RandomDraws(None if seed is None else example_seed(input_ids, seed))
  unit_index, num_units = whole_word_unit_index(
      input_ids, input_mask, token_boundary, special_ids.cls_id, special_ids.sep_id)
  num_to_predict = num_tokens_to_predict(input_mask, masked_lm_budget, masked_lm_prob)
  chosen = choose_masked_tokens(unit_index, num_units, num_to_predict, ngram=ngram,
                                favor_shorter_ngram=favor_shorter_ngram, draws=draws)
  masked_input_ids = apply_masks(input_ids, chosen, vocab_size, special_ids.mask_id,
                                 draws=draws)

  # tf.where lists indexes in ascending order, so the positions come out sorted.
  positions = tf.cast(tf.where(chosen)[:, 0], tf.int32)  # [num_chosen]
  num_padding = masked_lm_budget - tf.size(positions)
  masked_lm_positions = tf.pad(positions, [[0, num_padding]])
  masked_lm_ids = tf.pad(tf.gather(input_ids, positions), [[0, num_padding]])
  masked_lm_weights = tf.pad(tf.ones_like(positions, dtype=tf.float32), [[0, num_padding]])
  masked_lm_positions.set_shape([masked_lm_budget])
  masked_lm_ids.set_shape([masked_lm_budget])
  masked_lm_weights.set_shape([masked_lm_budget])
  masked_input_ids.set_shape([seq_length])

  features["input_ids"] = masked_input_ids
  features["masked_lm_positions"] = masked_lm_positions
  features["masked_lm_ids"] = masked_lm_ids
  features["masked_lm_weights"] = masked_lm_weights
  return features


def example_map_fn_builder(masked_lm_budget, vocab_size, special_ids, masked_lm_prob=0.15,
                           ngram=3, favor_shorter_ngram=True, seed=None):
  """Returns `example_map_fn(features) -> features` for `file_based_input_fn_builder`.

  Arguments as for `mask_example`.
  """
  # Pure TF ops, no Python control flow on tensors: autograph conversion would only cost time.
  @tf.autograph.experimental.do_not_convert
  def example_map_fn(features):
    return mask_example(features, masked_lm_budget, vocab_size, special_ids,
                        masked_lm_prob=masked_lm_prob, ngram=ngram,
                        favor_shorter_ngram=favor_shorter_ngram, seed=seed)
  return example_map_fn
