# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tests for albert/pretraining_instances.py and albert/create_pretraining_data.py.

Statistical checks use fixed seeds (so they are deterministic) and tolerances of about four
standard deviations of the quantity measured (so a correct implementation passes with any seed).
"""

import math
import random

import pytest

from albert import pretraining_instances as pi


def _tolerance(probability, count, sigmas=4.0):
  """Allowed |observed share - probability| for `count` Bernoulli trials."""
  return sigmas * math.sqrt(probability * (1.0 - probability) / count)


# ------------------------------------------------------------------------------------------
# Word starts, truncation, whole-word units.


@pytest.mark.parametrize("piece,expected", [
    ("\u2581the", True), ("\u2581", True), ("ing", False), ("s", False), ("ABC", False),
    (",", True), (".", True), ("(", True), ("<unk>", True), ("99", True), ("a9", True),
    ("\u00e9", True), ("'", True), ("a.b", False), ("=", True),
])
def test_is_start_piece_sentencepiece(piece, expected):
  assert pi.is_start_piece_sentencepiece(piece) is expected


def test_is_start_piece_wordpiece():
  assert pi.is_start_piece_wordpiece("run")
  assert pi.is_start_piece_wordpiece("#")
  assert not pi.is_start_piece_wordpiece("##ning")


def test_truncate_seq_pair_trims_longer_side_at_both_ends():
  rng = random.Random(0)
  front_trims = back_trims = 0
  for _ in range(200):
    tokens_a = list(range(10))
    tokens_b = list(range(100, 104))
    pi.truncate_seq_pair(tokens_a, tokens_b, 12, rng)
    assert len(tokens_a) + len(tokens_b) == 12
    assert tokens_b == [100, 101, 102, 103]  # only the longer list loses tokens
    assert len(tokens_a) == 8 and tokens_a == list(range(tokens_a[0], tokens_a[0] + 8))
    front_trims += tokens_a[0]
    back_trims += 9 - tokens_a[-1]
  # Two tokens removed per run, each from the front with probability 0.5.
  assert abs(front_trims / 400 - 0.5) < _tolerance(0.5, 400)
  assert front_trims + back_trims == 400


def test_truncate_seq_pair_tie_trims_b():
  rng = random.Random(3)
  tokens_a, tokens_b = ["a1", "a2", "a3"], ["b1", "b2", "b3"]
  pi.truncate_seq_pair(tokens_a, tokens_b, 5, rng)
  assert tokens_a == ["a1", "a2", "a3"] and len(tokens_b) == 2


def test_whole_word_units_sentencepiece_never_cross_sep():
  tokens = ["[CLS]", "\u2581hel", "lo", "\u2581world", "[SEP]", "ing", "\u2581x", "y", ",",
            "[SEP]"]
  units, boundary = pi.whole_word_units(tokens, do_whole_word_mask=True,
                                        use_sentencepiece=True)
  # "ing" after [SEP] is its own unit (the original would join it to "▁world").
  assert units == [[1, 2], [3], [5], [6, 7], [8]]
  assert boundary == [1, 1, 0, 1, 1, 0, 1, 0, 1, 1]
  units, boundary = pi.whole_word_units(tokens, do_whole_word_mask=False,
                                        use_sentencepiece=True)
  assert units == [[1], [2], [3], [5], [6], [7], [8]]
  assert boundary == [1, 1, 0, 1, 1, 0, 1, 0, 1, 1]


def test_whole_word_units_wordpiece():
  tokens = ["[CLS]", "un", "##believ", "##able", "story", "[SEP]", "##s", "end", "[SEP]"]
  units, boundary = pi.whole_word_units(tokens, do_whole_word_mask=True,
                                        use_sentencepiece=False)
  assert units == [[1, 2, 3], [4], [6], [7]]
  assert boundary == [1, 1, 0, 0, 1, 1, 0, 1, 1]


# ------------------------------------------------------------------------------------------
# N-gram masking.


def test_ngram_weights():
  assert pi.ngram_weights(3) == pytest.approx([6 / 11, 3 / 11, 2 / 11])
  assert pi.ngram_weights(3, favor_shorter_ngram=False) == pytest.approx([2 / 11, 3 / 11, 6 / 11])
  assert pi.ngram_weights(1) == [1.0]


def _random_units(rng, num_units):
  """Whole-word units of 1-3 consecutive positions (as after [CLS] at position 0)."""
  units, position = [], 1
  for _ in range(num_units):
    size = rng.randint(1, 3)
    units.append(list(range(position, position + size)))
    position += size
  return units


@pytest.mark.parametrize("favor_shorter_ngram", [True, False])
def test_ngram_lengths_follow_inverse_n(favor_shorter_ngram):
  """The first span chosen in a sequence has n units with probability ngram_weights[n-1]."""
  rng = random.Random(11)
  weights = pi.ngram_weights(3, favor_shorter_ngram)
  counts = [0, 0, 0]
  trials = 0
  for _ in range(6000):
    units = _random_units(rng, 30)
    order = list(range(len(units)))
    rng.shuffle(order)
    spans = pi.select_ngram_spans(units, order, 1000, weights, set(), rng)
    first_unit = order[0]
    if first_unit > len(units) - 3:
      continue  # a span starting there is cut short by the end of the sequence
    unit_of_position = {p: k for k, unit in enumerate(units) for p in unit}
    span_units = sorted({unit_of_position[p] for p in spans[0]})
    assert span_units == list(range(first_unit, first_unit + len(span_units)))
    assert [p for k in span_units for p in units[k]] == spans[0]  # whole units, in order
    counts[len(span_units) - 1] += 1
    trials += 1
  for n in range(3):
    assert abs(counts[n] / trials - weights[n]) < _tolerance(weights[n], trials), counts


def test_select_ngram_spans_budget_fallback_and_overlap():
  rng = random.Random(5)
  for _ in range(500):
    units = _random_units(rng, 12)
    order = list(range(len(units)))
    rng.shuffle(order)
    taken = {units[0][0]}
    spans = pi.select_ngram_spans(units, order, 7, pi.ngram_weights(3), taken, rng)
    chosen = [p for span in spans for p in span]
    assert len(chosen) <= 7
    assert len(chosen) == len(set(chosen))
    assert units[0][0] not in chosen
    assert taken == set(chosen) | {units[0][0]}


def _masking_sequence(rng, num_units, num_b_units=0):
  """"[CLS] words [SEP] (words [SEP])" with multi-piece SentencePiece words; returns tokens."""
  tokens = ["[CLS]"]
  for segment_units in ([num_units, num_b_units] if num_b_units else [num_units]):
    for k in range(segment_units):
      tokens.append("\u2581w%d" % k)
      tokens.extend("x" * (j + 1) for j in range(rng.randint(0, 2)))
    tokens.append("[SEP]")
  return tokens


def test_masking_share_cap_and_whole_words():
  rng = random.Random(21)
  options = pi.MaskingOptions(masked_lm_prob=0.15, max_predictions_per_seq=20)
  vocab_words = ["v%d" % k for k in range(50)]
  num_predictions = []
  for _ in range(400):
    tokens = _masking_sequence(rng, 25, 20)  # ~90 tokens -> 13-14 to predict
    output, positions, labels, boundary = pi.create_masked_lm_predictions(
        tokens, options, vocab_words, rng)
    num_to_predict = min(20, max(1, int(round(len(tokens) * 0.15))))
    assert len(positions) <= num_to_predict
    assert positions == sorted(positions)
    assert labels == [tokens[p] for p in positions]
    assert all(tokens[p] not in ("[CLS]", "[SEP]") for p in positions)
    units, _ = pi.whole_word_units(tokens)
    chosen = set(positions)
    for unit in units:  # a word is predicted entirely or not at all
      assert len(chosen.intersection(unit)) in (0, len(unit))
    changed = {p for p in range(len(tokens)) if output[p] != tokens[p]}
    assert changed <= chosen
    num_predictions.append(len(positions))
  # Spans fill the budget except when only multi-piece words are left for the last slots.
  assert sum(num_predictions) / len(num_predictions) > 0.93 * 13.5

  capped = pi.MaskingOptions(masked_lm_prob=0.15, max_predictions_per_seq=5)
  for _ in range(100):
    tokens = _masking_sequence(rng, 60)
    _, positions, _, _ = pi.create_masked_lm_predictions(tokens, capped, vocab_words, rng)
    assert 1 <= len(positions) <= 5


def test_masking_zero_probability_predicts_nothing():
  tokens = _masking_sequence(random.Random(1), 10)
  output, positions, labels, boundary = pi.create_masked_lm_predictions(
      tokens, pi.MaskingOptions(masked_lm_prob=0.0), ["v"], random.Random(1))
  assert output == tokens and positions == [] and labels == []
  assert len(boundary) == len(tokens)


def test_masking_replacement_80_10_10():
  rng = random.Random(8)
  options = pi.MaskingOptions(masked_lm_prob=0.15, max_predictions_per_seq=20,
                              do_whole_word_mask=False)
  vocab_words = ["v%d" % k for k in range(1000)]
  masked = kept = replaced = 0
  for _ in range(1500):
    tokens = _masking_sequence(rng, 60)
    output, positions, _, _ = pi.create_masked_lm_predictions(tokens, options, vocab_words, rng)
    for position in positions:
      if output[position] == "[MASK]":
        masked += 1
      elif output[position] == tokens[position]:
        kept += 1
      else:
        assert output[position] in vocab_words
        replaced += 1
  total = masked + kept + replaced
  assert total > 20000
  assert abs(masked / total - 0.8) < _tolerance(0.8, total)
  assert abs(kept / total - 0.1) < _tolerance(0.1, total)
  assert abs(replaced / total - 0.1) < _tolerance(0.1, total)


def test_masking_with_permutation_doubles_predictions():
  rng = random.Random(4)
  options = pi.MaskingOptions(masked_lm_prob=0.15, max_predictions_per_seq=10,
                              do_permutation=True)
  vocab_words = ["v%d" % k for k in range(1000)]
  saw_more_than_cap = False
  for _ in range(200):
    tokens = _masking_sequence(rng, 60)
    output, positions, labels, _ = pi.create_masked_lm_predictions(
        tokens, options, vocab_words, rng)
    assert len(positions) <= 20 and len(set(positions)) == len(positions)
    assert positions == sorted(positions)
    assert labels == [tokens[p] for p in positions]
    saw_more_than_cap |= len(positions) > 10
    # Positions neither [MASK]ed nor randomly replaced hold a permutation of original tokens.
    permuted = [p for p in positions
                if output[p] != "[MASK]" and output[p] not in vocab_words]
    assert sorted(output[p] for p in permuted) == sorted(tokens[p] for p in permuted)
  assert saw_more_than_cap


# ------------------------------------------------------------------------------------------
# Segment pairing and sentence order.


def _indexed_documents(num_documents, rng, max_segments=12):
  """Documents whose pieces say where they come from: '▁d<doc>s<segment>' then fillers."""
  documents = []
  for doc in range(num_documents):
    document = []
    for seg in range(rng.randint(1, max_segments)):
      document.append(["\u2581d%ds%d" % (doc, seg)] + ["f"] * rng.randint(2, 12))
    documents.append(document)
  return documents


def _segment_origins(tokens):
  """Returns the (doc, segment) of each segment-start marker in a token list."""
  origins = []
  for token in tokens:
    if token.startswith("\u2581d"):
      doc, seg = token[2:].split("s")
      origins.append((int(doc), int(seg)))
  return origins


def _split_instance(instance):
  sep = instance.tokens.index("[SEP]")
  return instance.tokens[1:sep], instance.tokens[sep + 1:-1]


@pytest.mark.parametrize("random_next_sentence", [False, True])
def test_sentence_order_and_random_negatives(random_next_sentence):
  rng = random.Random(99)
  documents = _indexed_documents(150, rng)
  options = pi.MaskingOptions(masked_lm_prob=0.0)
  instances = pi.create_shard_instances(
      documents, rng, dupe_factor=10, max_seq_length=48, short_seq_prob=0.1, options=options,
      vocab_words=["v"], random_next_sentence=random_next_sentence)
  counts = {"positive": 0, "swapped": 0, "random": 0}
  multi_segment_chunks = 0
  for instance in instances:
    assert len(instance.tokens) <= 48
    assert instance.tokens[0] == "[CLS]" and instance.tokens[-1] == "[SEP]"
    tokens_a, tokens_b = _split_instance(instance)
    assert tokens_a and tokens_b
    assert instance.segment_ids == [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
    origins_a, origins_b = _segment_origins(tokens_a), _segment_origins(tokens_b)
    if not origins_a or not origins_b:
      continue  # truncation removed a marker; order cannot be checked
    docs_a = {doc for doc, _ in origins_a}
    docs_b = {doc for doc, _ in origins_b}
    assert len(docs_a) == 1 and len(docs_b) == 1
    if docs_a != docs_b:
      kind = "random"
    elif max(seg for _, seg in origins_a) < min(seg for _, seg in origins_b):
      kind = "positive"
    else:
      assert min(seg for _, seg in origins_a) > max(seg for _, seg in origins_b)
      kind = "swapped"
    counts[kind] += 1
    assert instance.is_random_next == (kind != "positive"), (kind, instance.tokens)
  total = sum(counts.values())
  assert total > 1000
  if random_next_sentence:
    assert counts["swapped"] == 0
    negatives = counts["random"]
  else:
    assert counts["random"] > 0  # single-segment chunks: random-document negatives
    negatives = counts["swapped"] + counts["random"]
    # Among chunks of two or more segments, the swap happens with probability 0.5.
    multi_segment_chunks = counts["swapped"] + counts["positive"]
    assert abs(counts["swapped"] / multi_segment_chunks - 0.5) < _tolerance(
        0.5, multi_segment_chunks)
  assert negatives > 0.4 * total


def test_create_shard_instances_is_deterministic_and_does_not_modify_input():
  documents = _indexed_documents(10, random.Random(1))
  copy = [[list(segment) for segment in document] for document in documents]
  options = pi.MaskingOptions()
  first = pi.create_shard_instances(documents, random.Random("7:0"), 2, 32, 0.1, options,
                                    ["v%d" % k for k in range(20)])
  second = pi.create_shard_instances(documents, random.Random("7:0"), 2, 32, 0.1, options,
                                     ["v%d" % k for k in range(20)])
  third = pi.create_shard_instances(documents, random.Random("8:0"), 2, 32, 0.1, options,
                                    ["v%d" % k for k in range(20)])
  assert first == second
  assert first != third
  assert documents == copy
