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
  assert [list(unit) for unit in units] == [[1, 2], [3], [5], [6, 7], [8]]
  assert boundary == [1, 1, 0, 1, 1, 0, 1, 0, 1, 1]
  units, boundary = pi.whole_word_units(tokens, do_whole_word_mask=False,
                                        use_sentencepiece=True)
  assert [list(unit) for unit in units] == [[1], [2], [3], [5], [6], [7], [8]]
  assert boundary == [1, 1, 0, 1, 1, 0, 1, 0, 1, 1]


def test_whole_word_units_wordpiece():
  tokens = ["[CLS]", "un", "##believ", "##able", "story", "[SEP]", "##s", "end", "[SEP]"]
  units, boundary = pi.whole_word_units(tokens, do_whole_word_mask=True,
                                        use_sentencepiece=False)
  assert [list(unit) for unit in units] == [[1, 2, 3], [4], [6], [7]]
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


# ------------------------------------------------------------------------------------------
# End to end: albert/create_pretraining_data.py.

import glob  # pylint: disable=g-import-not-at-top,wrong-import-position
import os  # pylint: disable=g-import-not-at-top,wrong-import-position
import re  # pylint: disable=g-import-not-at-top,wrong-import-position
import shutil  # pylint: disable=g-import-not-at-top,wrong-import-position
import signal  # pylint: disable=g-import-not-at-top,wrong-import-position
import subprocess  # pylint: disable=g-import-not-at-top,wrong-import-position
import sys  # pylint: disable=g-import-not-at-top,wrong-import-position
import time  # pylint: disable=g-import-not-at-top,wrong-import-position

import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

from albert import create_pretraining_data as cpd  # pylint: disable=g-import-not-at-top
from albert import tokenization  # pylint: disable=g-import-not-at-top
from tests.fixtures import pretraining_fixtures  # pylint: disable=g-import-not-at-top

_INT64_FEATURES = ("input_ids", "input_mask", "segment_ids", "token_boundary",
                   "masked_lm_positions", "masked_lm_ids", "next_sentence_labels")


def _read_examples(paths):
  """Returns the records of the files as lists of {name: list of values}, file by file."""
  examples = []
  for path in paths:
    for record in tf.compat.v1.io.tf_record_iterator(path):
      feature = tf.train.Example.FromString(record).features.feature
      parsed = {}
      for name, value in feature.items():
        kind = value.WhichOneof("kind")
        parsed[name] = (kind, list(getattr(value, kind).value))
      examples.append(parsed)
  return examples


def _spm_options(spm_model_file, **kwargs):
  masking_names = {field.name for field in
                   pi.MaskingOptions.__dataclass_fields__.values()}  # pylint: disable=no-member
  masking = pi.MaskingOptions(**{k: v for k, v in kwargs.items() if k in masking_names})
  rest = {k: v for k, v in kwargs.items() if k not in masking_names}
  return cpd.DataOptions(spm_model_file=spm_model_file, masking=masking, **rest)


def test_written_features_match_reference(pretraining_tfrecord, spm_tokenizer):
  path, max_seq_length, max_predictions_per_seq = pretraining_tfrecord
  examples = _read_examples([path])
  assert len(examples) > 1000
  cls_id, sep_id = spm_tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]"])
  mask_id = spm_tokenizer.convert_tokens_to_ids(["[MASK]"])[0]
  num_predictions, num_expected, labels = [], [], []
  num_masked = num_kept = 0
  for example in examples:
    assert set(example) == set(_INT64_FEATURES) | {"masked_lm_weights"}
    for name in _INT64_FEATURES:
      assert example[name][0] == "int64_list", name
    assert example["masked_lm_weights"][0] == "float_list"
    values = {name: kind_values[1] for name, kind_values in example.items()}
    for name in ("input_ids", "input_mask", "segment_ids", "token_boundary"):
      assert len(values[name]) == max_seq_length, name
    for name in ("masked_lm_positions", "masked_lm_ids", "masked_lm_weights"):
      assert len(values[name]) == max_predictions_per_seq, name
    assert len(values["next_sentence_labels"]) == 1
    labels.append(values["next_sentence_labels"][0])

    num_tokens = sum(values["input_mask"])
    assert values["input_mask"] == [1] * num_tokens + [0] * (max_seq_length - num_tokens)
    input_ids = values["input_ids"]
    assert all(i == 0 for i in input_ids[num_tokens:])
    assert all(0 <= i < 1000 for i in input_ids)
    weights = values["masked_lm_weights"]
    count = int(sum(weights))
    # Original tokens (random replacements may be any piece, [SEP] included, as originally).
    original_ids = list(input_ids)
    for position, label in zip(values["masked_lm_positions"][:count],
                               values["masked_lm_ids"][:count]):
      original_ids[position] = label
    assert original_ids[0] == cls_id and original_ids[num_tokens - 1] == sep_id
    first_sep = original_ids.index(sep_id)
    assert original_ids[:num_tokens].count(sep_id) == 2
    assert values["segment_ids"][:num_tokens] == (
        [0] * (first_sep + 1) + [1] * (num_tokens - first_sep - 1))
    assert values["token_boundary"][0] == 1 and values["token_boundary"][first_sep] == 1

    assert weights == [1.0] * count + [0.0] * (max_predictions_per_seq - count)
    positions = values["masked_lm_positions"][:count]
    assert positions == sorted(set(positions))
    assert all(0 < p < num_tokens and p != first_sep for p in positions)
    masked_ids = values["masked_lm_ids"][:count]
    num_masked += sum(input_ids[p] == mask_id for p in positions)
    num_kept += sum(input_ids[p] == label for p, label in zip(positions, masked_ids))
    num_predictions.append(count)
    num_expected.append(min(max_predictions_per_seq, max(1, int(round(num_tokens * 0.15)))))
  # Masked share close to masked_lm_prob x length (whole-word spans may leave a slot empty).
  assert sum(num_predictions) <= sum(num_expected)
  assert sum(num_predictions) > 0.9 * sum(num_expected)
  assert max(num_predictions) == max_predictions_per_seq
  total = sum(num_predictions)
  assert abs(num_masked / total - 0.8) < _tolerance(0.8, total)
  # 10% kept, plus the few random replacements that draw the original piece.
  assert abs(num_kept / total - 0.1) < _tolerance(0.1, total) + 0.005
  share_ones = sum(labels) / len(labels)
  assert abs(share_ones - 0.5) < 0.1  # swaps are 50/50; single-segment chunks add label 1


def test_permutation_doubles_prediction_slots(tmp_path, default_corpus_file, spm_model_file):
  path = str(tmp_path / "perm.tfrecord")
  options = _spm_options(spm_model_file, max_seq_length=64, dupe_factor=1,
                         max_predictions_per_seq=6, do_permutation=True)
  cpd.create_pretraining_data(default_corpus_file, path, options)
  examples = _read_examples([path])
  assert examples
  counts = []
  for example in examples:
    for name in ("masked_lm_positions", "masked_lm_ids", "masked_lm_weights"):
      assert len(example[name][1]) == 12, name
    counts.append(int(sum(example["masked_lm_weights"][1])))
  assert max(counts) > 6


def _wordpiece_segments(example, tokenizer):
  """Restores the original tokens of an example; returns the origins (doc, sentence) of A, B."""
  values = {name: kind_values[1] for name, kind_values in example.items()}
  ids = list(values["input_ids"][:sum(values["input_mask"])])
  for position, label, weight in zip(values["masked_lm_positions"], values["masked_lm_ids"],
                                     values["masked_lm_weights"]):
    if weight > 0:
      ids[position] = label
  tokens = tokenizer.convert_ids_to_tokens(ids)
  first_sep = tokens.index("[SEP]")
  text_a = " ".join(tokens[1:first_sep]).replace(" ##", "")
  text_b = " ".join(tokens[first_sep + 1:-1]).replace(" ##", "")
  def origins(text):
    return [(int(d), int(s)) for d, s in re.findall(r"\bd(\d\d)s(\d\d)\b", text)]
  return origins(text_a), origins(text_b), values["next_sentence_labels"][0]


@pytest.mark.parametrize("random_next_sentence", [False, True])
def test_sentence_order_labels_end_to_end(tmp_path, wordpiece_vocab_file, random_next_sentence):
  corpus = pretraining_fixtures.write_indexed_corpus(str(tmp_path / "corpus.txt"),
                                                     num_documents=60)
  path = str(tmp_path / "sop.tfrecord")
  options = cpd.DataOptions(
      vocab_file=wordpiece_vocab_file, max_seq_length=128, dupe_factor=10,
      random_next_sentence=random_next_sentence,
      masking=pi.MaskingOptions(use_sentencepiece=False))
  cpd.create_pretraining_data(corpus, path, options, documents_per_shard=20)
  tokenizer = tokenization.FullTokenizer(vocab_file=wordpiece_vocab_file)
  counts = {"positive": 0, "swapped": 0, "random": 0}
  for example in _read_examples([path]):
    origins_a, origins_b, label = _wordpiece_segments(example, tokenizer)
    if not origins_a or not origins_b:
      continue  # truncation cut a marker
    if {d for d, _ in origins_a} != {d for d, _ in origins_b}:
      kind = "random"
    elif max(s for _, s in origins_a) < min(s for _, s in origins_b):
      kind = "positive"
    else:
      assert min(s for _, s in origins_a) > max(s for _, s in origins_b)
      kind = "swapped"
    assert label == (0 if kind == "positive" else 1), kind
    counts[kind] += 1
  total = sum(counts.values())
  assert total > 500, counts
  if random_next_sentence:
    assert counts["swapped"] == 0, counts
    assert abs(counts["random"] / total - 0.5) < 0.15, counts
  else:
    ordered = counts["swapped"] + counts["positive"]
    assert abs(counts["swapped"] / ordered - 0.5) < _tolerance(0.5, ordered), counts
    assert counts["random"] > 0, counts


def test_output_does_not_depend_on_worker_count(tmp_path, default_corpus_file, spm_model_file):
  options = _spm_options(spm_model_file, max_seq_length=48, dupe_factor=2)
  contents = {}
  for name, workers, seed, global_shuffle in (
      ("one", 1, 7, True), ("two", 2, 7, True), ("seed", 2, 8, True),
      ("in-order-one", 1, 7, False), ("in-order-two", 2, 7, False)):
    paths = [str(tmp_path / ("%s-%d.tfrecord" % (name, k))) for k in range(2)]
    # Output of ~0.7 MB: buckets of at most 0.2 MB make several buckets.
    stats = cpd.create_pretraining_data(
        default_corpus_file, paths, dataclasses_replace(options, random_seed=seed),
        num_workers=workers, documents_per_shard=25, global_shuffle=global_shuffle,
        shuffle_bucket_mb=0.2)
    assert stats["num_shards"] >= 4
    if global_shuffle:
      assert stats["num_shuffle_buckets"] >= 4, stats
      assert 0 < stats["largest_bucket_bytes"] <= 0.2 * 2**20, stats
    contents[name] = [open(path, "rb").read() for path in paths]
    assert all(contents[name])
  assert sorted(os.listdir(tmp_path)) == sorted(
      "%s-%d.tfrecord" % (name, k) for name in contents for k in range(2))
  assert contents["one"] == contents["two"]
  assert contents["one"] != contents["seed"]
  assert contents["in-order-one"] == contents["in-order-two"]
  # The global shuffle reorders the very same records.
  shuffled = _records([str(tmp_path / ("one-%d.tfrecord" % k)) for k in range(2)])
  in_order = _records([str(tmp_path / ("in-order-one-%d.tfrecord" % k)) for k in range(2)])
  assert shuffled != in_order
  assert sorted(shuffled) == sorted(in_order)


def _records(paths):
  """Returns the serialized records of TFRecord files, file after file."""
  return [record for path in paths for record in tf.compat.v1.io.tf_record_iterator(path)]


def _write_sources(directory, num_sources=4, documents_per_source=25):
  """Writes `num_sources` indexed corpus files whose documents are numbered consecutively."""
  os.makedirs(directory, exist_ok=True)
  for source in range(num_sources):
    pretraining_fixtures.write_indexed_corpus(
        os.path.join(directory, "source-%d.txt" % source), num_documents=documents_per_source,
        seed=source, first_document=source * documents_per_source)
  return os.path.join(directory, "source-*.txt")


@pytest.mark.parametrize("global_shuffle", [True, False])
def test_global_shuffle_mixes_sources_from_the_first_record(tmp_path, wordpiece_vocab_file,
                                                            global_shuffle):
  """4 sources of 25 documents, shards of 5: the first records come from everywhere."""
  corpus = _write_sources(str(tmp_path / "corpus"))
  paths = [str(tmp_path / "mixed-0.tfrecord"), str(tmp_path / "mixed-1.tfrecord")]
  options = cpd.DataOptions(vocab_file=wordpiece_vocab_file, max_seq_length=64, dupe_factor=4,
                            masking=pi.MaskingOptions(use_sentencepiece=False))
  stats = cpd.create_pretraining_data(corpus, paths, options, documents_per_shard=5,
                                      global_shuffle=global_shuffle, shuffle_bucket_mb=0.05)
  assert stats["num_shards"] == 20
  tokenizer = tokenization.FullTokenizer(vocab_file=wordpiece_vocab_file)
  first_documents = []
  for example in _read_examples([paths[0]])[:30]:
    origins_a, origins_b, _ = _wordpiece_segments(example, tokenizer)
    if origins_a:
      first_documents.append(origins_a[0][0])
  assert len(first_documents) >= 20
  sources = {document // 25 for document in first_documents}
  shards = {document // 5 for document in first_documents}
  if global_shuffle:
    assert stats["num_shuffle_buckets"] >= 2
    assert sources == {0, 1, 2, 3}, first_documents
    assert len(shards) >= 10 and max(shards) - min(shards) >= 15, first_documents
  else:  # The layout of earlier versions: the first shards come first.
    assert sources == {0} and max(shards) <= 1, first_documents


def dataclasses_replace(options, **changes):
  import dataclasses  # pylint: disable=g-import-not-at-top
  return dataclasses.replace(options, **changes)


def test_failure_midway_leaves_no_output(tmp_path, monkeypatch, default_corpus_file,
                                         spm_model_file):
  original_process = cpd.ShardProcessor.process

  def failing_process(self, shard):
    if shard.index == 2:
      raise RuntimeError("simulated crash in shard 2")
    return original_process(self, shard)

  monkeypatch.setattr(cpd.ShardProcessor, "process", failing_process)
  out_dir = tmp_path / "out"
  paths = [str(out_dir / "a.tfrecord"), str(out_dir / "b.tfrecord")]
  with pytest.raises(RuntimeError, match="simulated crash"):
    cpd.create_pretraining_data(default_corpus_file, paths,
                                _spm_options(spm_model_file, max_seq_length=48, dupe_factor=1),
                                documents_per_shard=20)
  assert not os.path.exists(paths[0]) and not os.path.exists(paths[1])
  assert not out_dir.exists() or not list(out_dir.iterdir())


def test_input_errors_name_the_file(tmp_path, spm_model_file):
  options = _spm_options(spm_model_file, max_seq_length=32, dupe_factor=1)
  output = str(tmp_path / "out.tfrecord")
  missing = str(tmp_path / "missing.txt")
  with pytest.raises(FileNotFoundError, match="Input file not found: .*missing.txt"):
    cpd.create_pretraining_data(missing, output, options)
  with pytest.raises(FileNotFoundError, match=r"matched no files: .*nothing\*.txt"):
    cpd.create_pretraining_data(str(tmp_path / "nothing*.txt"), output, options)

  bad = tmp_path / "bad.txt"
  bad.write_bytes(b"A good first line.\n\nAnother document \xff\xfe here.\n")
  with pytest.raises(ValueError, match=r"bad.txt:3: not valid UTF-8 \(byte 0xff at column 18\)"):
    cpd.create_pretraining_data(str(bad), output, options)

  empty = tmp_path / "empty.txt"
  empty.write_text("\n   \n\n", encoding="utf-8")
  with pytest.raises(ValueError, match="No training instances.*empty.txt"):
    cpd.create_pretraining_data(str(empty), output, options)

  good = tmp_path / "good.txt"
  good.write_text("One sentence here.\nAnother one.\n", encoding="utf-8")
  with pytest.raises(ValueError, match="--spm_model_file.*--vocab_file"):
    cpd.create_pretraining_data(str(good), output, cpd.DataOptions(
        masking=pi.MaskingOptions(use_sentencepiece=False)))
  assert not os.listdir(str(tmp_path)) or not os.path.exists(output)
  assert not [name for name in os.listdir(str(tmp_path)) if "out.tfrecord" in name]


def test_command_line_runs_original_flags(tmp_path, default_corpus_file, spm_model_file,
                                          spm_vocab_file):
  """The README's command line (with both vocab and model files) plus the added flags."""
  outputs = [str(tmp_path / "cli-0.tfrecord"), str(tmp_path / "cli-1.tfrecord")]
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  command = [
      sys.executable, "-m", "albert.create_pretraining_data",
      "--input_file=%s" % default_corpus_file, "--output_file=%s" % ",".join(outputs),
      "--vocab_file=%s" % spm_vocab_file, "--spm_model_file=%s" % spm_model_file,
      "--do_lower_case", "--max_seq_length=32", "--max_predictions_per_seq=5",
      "--dupe_factor=1", "--masked_lm_prob=0.15", "--random_seed=3",
      "--num_workers=2", "--documents_per_shard=40"]
  result = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=repo_root))
  assert result.returncode == 0, result.stderr[-3000:]
  assert "*** Example ***" in result.stderr
  assert re.search(r"\d+ documents read, \d+ instances created \([\d.]+ documents/s, "
                   r"[\d.]+ instances/s\), 100.0% of .* ETA", result.stderr)
  assert re.search(r"Shuffle: (\d+) of \1 instances written \(100.0%", result.stderr)
  assert re.search(r"Wrote \d+ instances .*; \d+ masked tokens, 0 lines skipped",
                   result.stderr)
  assert sorted(os.listdir(tmp_path)) == ["cli-0.tfrecord", "cli-1.tfrecord"]
  examples = _read_examples(outputs)
  assert len(examples) > 100
  sizes = [len(_read_examples([path])) for path in outputs]
  assert abs(sizes[0] - sizes[1]) <= 1  # round-robin
  assert all(len(example["input_ids"][1]) == 32 for example in examples)
  assert all(len(example["masked_lm_ids"][1]) == 5 for example in examples)


def _command(input_file, outputs, spm_model_file, *extra_flags):
  """The create_pretraining_data command line (a list) with small settings."""
  return [sys.executable, "-m", "albert.create_pretraining_data",
          "--input_file=%s" % input_file, "--output_file=%s" % ",".join(outputs),
          "--spm_model_file=%s" % spm_model_file, "--max_seq_length=32"] + list(extra_flags)


def _subprocess_env():
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  return repo_root, dict(os.environ, PYTHONPATH=repo_root)


def test_killed_run_leaves_temporaries_that_the_next_run_removes(
    tmp_path, default_corpus_file, spm_model_file):
  out_dir = tmp_path / "out"
  outputs = [str(out_dir / "k-0.tfrecord"), str(out_dir / "k-1.tfrecord")]
  repo_root, env = _subprocess_env()
  # Big enough (dupe_factor 40, ~46k instances) to be killed in the middle of the scatter pass.
  process = subprocess.Popen(
      _command(default_corpus_file, outputs, spm_model_file, "--dupe_factor=40",
               "--documents_per_shard=10", "--shuffle_bucket_mb=1"),
      cwd=repo_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  try:
    deadline = time.time() + 90
    while not glob.glob(str(out_dir / ".k-0.tfrecord.shuffle.tmp-*" / "bucket-*.tfrecord")):
      assert process.poll() is None, "the run ended before writing a shuffle bucket"
      assert time.time() < deadline, "no shuffle bucket appeared within 90 s"
      time.sleep(0.05)
    time.sleep(0.2)
  finally:
    process.send_signal(signal.SIGKILL)
    process.wait()
  assert process.returncode == -signal.SIGKILL
  leftovers = sorted(os.listdir(out_dir))
  assert sorted(name.split(".tmp-")[0] for name in leftovers) == [
      ".k-0.tfrecord", ".k-0.tfrecord.shuffle", ".k-1.tfrecord"], leftovers
  assert all("-%d-" % process.pid in name for name in leftovers)

  # The next run on the same outputs removes them, with or without the global shuffle (the
  # second directory holds a copy of the leftovers, named for the same dead process).
  copy_dir = tmp_path / "copy"
  shutil.copytree(str(out_dir), str(copy_dir))
  options = _spm_options(spm_model_file, max_seq_length=32, dupe_factor=1)
  for directory, global_shuffle in ((out_dir, True), (copy_dir, False)):
    cpd.create_pretraining_data(
        default_corpus_file, [str(directory / name) for name in ("k-0.tfrecord", "k-1.tfrecord")],
        options, global_shuffle=global_shuffle)
    assert sorted(os.listdir(directory)) == ["k-0.tfrecord", "k-1.tfrecord"], global_shuffle


def test_bad_flag_values_fail_before_anything_is_written(tmp_path, default_corpus_file,
                                                         spm_model_file):
  out_dir = tmp_path / "out"
  repo_root, env = _subprocess_env()
  result = subprocess.run(
      _command(default_corpus_file, [str(out_dir / "bad.tfrecord")], spm_model_file,
               "--masked_lm_prob=1.5"),
      cwd=repo_root, env=env, capture_output=True, text=True, timeout=120)
  assert result.returncode != 0
  assert "--masked_lm_prob=1.5: 1.5 is not a number in the range [0.0, 1.0]" in result.stderr
  assert not out_dir.exists()

  # Every range-checked flag, parsed in one process (the runner's flags on their own).
  checks = [("masked_lm_prob", "-0.1"), ("short_seq_prob", "1.01"), ("max_seq_length", "4"),
            ("ngram", "0"), ("max_predictions_per_seq", "0"), ("dupe_factor", "0"),
            ("num_workers", "0"), ("documents_per_shard", "0"), ("shuffle_bucket_mb", "0")]
  script = "\n".join([
      "from absl import flags",
      "from albert import create_pretraining_data",
      "for name, value in %r:" % (checks,),
      "  try:",
      "    flags.FLAGS(['prog', '--%s=%s' % (name, value)])",
      "    print('accepted', name)",
      "  except flags.IllegalFlagValueError as error:",
      "    print('rejected', error)",
  ])
  result = subprocess.run([sys.executable, "-c", script], cwd=repo_root, env=env,
                          capture_output=True, text=True, timeout=120)
  assert result.returncode == 0, result.stderr[-3000:]
  lines = result.stdout.splitlines()
  assert len(lines) == len(checks), result.stdout
  for (name, value), line in zip(checks, lines):
    assert line.startswith("rejected flag --%s=%s: " % (name, value)), line


@pytest.mark.parametrize("field,value,message", [
    ("masked_lm_prob", 1.5, r"--masked_lm_prob must be in \[0, 1\]; got 1.5"),
    ("short_seq_prob", -0.5, r"--short_seq_prob must be in \[0, 1\]; got -0.5"),
    ("max_seq_length", 4, "--max_seq_length must be at least 5"),
    ("dupe_factor", 0, "--dupe_factor must be at least 1; got 0"),
    ("ngram", 0, "--ngram must be at least 1; got 0"),
])
def test_validate_options_names_the_flag(spm_model_file, field, value, message):
  options = _spm_options(spm_model_file, **{field: value})
  with pytest.raises(ValueError, match=message):
    cpd.validate_options(options)
