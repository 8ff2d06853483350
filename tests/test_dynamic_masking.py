"""Tests for albert/dynamic_masking.py: on-the-fly masking with the offline rules.

The rules are checked against an independent numpy reading of the same records (units from
token_boundary, counts from Python's round), over many draws.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

from albert import dynamic_masking
from albert import run_pretraining
from albert import tfrecord_utils

# The graph-level seed of _masked_epochs reaching the map function is intended.
pytestmark = pytest.mark.filterwarnings("ignore:Seed .* from outer graph")
from tests.fixtures import run_pretraining_fixtures as rp_fixtures

SEQ_LENGTH = 48
FILE_SLOTS = 8  # length of the masked_lm_* features written in the file
BUDGET = 6
NUM_RECORDS = 120
VOCAB_SIZE = rp_fixtures.RP_VOCAB_SIZE
CLS, SEP, MASK = rp_fixtures.CLS_ID, rp_fixtures.SEP_ID, rp_fixtures.MASK_ID
SPECIAL_IDS = dynamic_masking.SpecialTokenIds(CLS, SEP, MASK)


@pytest.fixture(scope="module")
def masking_records(tmp_path_factory):
  """(path, infos): 120 offline-masked records of length 48 and their clean tokens."""
  path = str(tmp_path_factory.mktemp("dynamic_masking") / "records.tfrecord")
  infos = rp_fixtures.write_pretraining_records(
      path, num_records=NUM_RECORDS, max_seq_length=SEQ_LENGTH, max_predictions=FILE_SLOTS,
      seed=3)
  return path, infos


def _masked_epochs(path, num_epochs, budget=BUDGET, seed=None):
  """Runs the decode + dynamic-masking pipeline over the file `num_epochs` times, in order.

  Returns:
    dict name -> numpy array of shape [num_epochs, NUM_RECORDS, ...].
  """
  features = run_pretraining.name_to_features(SEQ_LENGTH, FILE_SLOTS, masked_lm_budget=budget)
  map_fn = dynamic_masking.example_map_fn_builder(budget, VOCAB_SIZE, SPECIAL_IDS, seed=seed)
  with tf.Graph().as_default():
    # A graph-level seed makes the (still per-epoch different) masks repeatable, so the
    # statistical checks below cannot flake.
    tf.compat.v1.set_random_seed(20261123)
    dataset = tf.data.TFRecordDataset([path]).repeat(num_epochs)
    dataset = dataset.map(lambda record: map_fn(tfrecord_utils.decode_record(record, features)))
    dataset = dataset.batch(NUM_RECORDS * num_epochs)
    batch = tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()
    with tf.compat.v1.Session() as session:
      values = session.run(batch)
  return {name: value.reshape((num_epochs, NUM_RECORDS) + value.shape[1:])
          for name, value in values.items()}


def _units(info):
  """Whole-word units (lists of token indexes) from token_boundary, never crossing [CLS]/[SEP]."""
  units = []
  previous_maskable = False
  for index, (token, boundary, real) in enumerate(
      zip(info["tokens"], info["token_boundary"], info["input_mask"])):
    maskable = real == 1 and token not in (CLS, SEP)
    if maskable:
      if boundary == 1 or not previous_maskable:
        units.append([index])
      else:
        units[-1].append(index)
    previous_maskable = maskable
  return units


def _expected_count(info, budget=BUDGET):
  return min(budget, max(1, int(round(sum(info["input_mask"]) * 0.15))))


@pytest.fixture(scope="module")
def three_epochs(masking_records):
  path, _ = masking_records
  return _masked_epochs(path, num_epochs=3)


def test_two_epochs_over_the_same_records_give_different_masks(three_epochs):
  positions = three_epochs["masked_lm_positions"]
  same = [np.array_equal(positions[0, i], positions[1, i]) for i in range(NUM_RECORDS)]
  # Short records have few possible masks, but most records must differ between epochs.
  assert sum(same) < NUM_RECORDS * 0.3, sum(same)
  assert not np.array_equal(three_epochs["input_ids"][0], three_epochs["input_ids"][1])


def test_a_seed_gives_the_same_masks_every_epoch(masking_records):
  path, _ = masking_records
  seeded = _masked_epochs(path, num_epochs=2, seed=12345)
  for name in ("input_ids", "masked_lm_positions", "masked_lm_ids", "masked_lm_weights"):
    np.testing.assert_array_equal(seeded[name][0], seeded[name][1], err_msg=name)
  # ...while different records still get different, non-trivial masks.
  assert len({tuple(row) for row in seeded["masked_lm_positions"][0]}) > NUM_RECORDS // 2


def test_masks_follow_the_offline_rules(masking_records, three_epochs):
  _, infos = masking_records
  for epoch in range(3):
    for record, info in enumerate(infos):
      tokens = np.array(info["tokens"])
      positions = three_epochs["masked_lm_positions"][epoch, record]
      label_ids = three_epochs["masked_lm_ids"][epoch, record]
      weights = three_epochs["masked_lm_weights"][epoch, record]
      input_ids = three_epochs["input_ids"][epoch, record]
      count = int(weights.sum())
      where = "epoch %d record %d" % (epoch, record)

      # Weights: 1 for the real slots first, then 0-padding; padding slots hold zeros.
      np.testing.assert_array_equal(weights, [1.0] * count + [0.0] * (BUDGET - count), where)
      assert not positions[count:].any() and not label_ids[count:].any(), where
      chosen = positions[:count]
      # Sorted, distinct, never [CLS]/[SEP]/padding; labels are the clean tokens (offline
      # masks in the file were undone first).
      assert list(chosen) == sorted(set(chosen)), where
      assert all(info["input_mask"][p] == 1 and tokens[p] not in (CLS, SEP)
                 for p in chosen), where
      np.testing.assert_array_equal(label_ids[:count], tokens[chosen], where)
      # Outside the chosen tokens the input is the clean text.
      untouched = np.ones(SEQ_LENGTH, bool)
      untouched[chosen] = False
      np.testing.assert_array_equal(input_ids[untouched], tokens[untouched], where)
      # Whole units: a unit is either entirely chosen or not at all.
      chosen_set = set(chosen.tolist())
      for unit in _units(info):
        covered = [index in chosen_set for index in unit]
        assert all(covered) or not any(covered), (where, unit, chosen)
      # Count: never above the budget rule; exact when single-token units could fill it.
      expected = _expected_count(info)
      assert 1 <= count <= expected, (where, count, expected)
      longest_unit = max(len(unit) for unit in _units(info))
      assert count > expected - longest_unit, (where, count, expected)


def test_single_token_words_give_exactly_the_expected_count(tmp_path):
  path = str(tmp_path / "single.tfrecord")
  rng = np.random.RandomState(0)
  with tfrecord_utils.AtomicTFRecordWriter(path) as writer:
    infos = []
    for _ in range(NUM_RECORDS):
      example, info = rp_fixtures.make_pretraining_example(rng, SEQ_LENGTH, FILE_SLOTS)
      # Rewrite token_boundary to 1 for every real token: every unit is one token.
      example.features.feature["token_boundary"].int64_list.value[:] = info["input_mask"]
      writer.write(example)
      infos.append(info)
  values = _masked_epochs(path, num_epochs=1)
  counts = values["masked_lm_weights"][0].sum(axis=1).astype(int)
  np.testing.assert_array_equal(counts, [_expected_count(info) for info in infos])


def test_replacements_are_80_percent_mask_10_keep_10_random(masking_records):
  path, _ = masking_records
  values = _masked_epochs(path, num_epochs=6)
  replaced = []
  for epoch in range(6):
    for record in range(NUM_RECORDS):
      count = int(values["masked_lm_weights"][epoch, record].sum())
      positions = values["masked_lm_positions"][epoch, record, :count]
      replaced.extend(zip(values["input_ids"][epoch, record, positions],
                          values["masked_lm_ids"][epoch, record, :count]))
  replaced = np.array(replaced)
  total = len(replaced)
  assert total > 2000
  masked = np.mean(replaced[:, 0] == MASK)
  kept = np.mean(replaced[:, 0] == replaced[:, 1])
  other = 1.0 - masked - kept
  assert masked == pytest.approx(0.8, abs=0.03)
  # A random id equals the original 1 time in 97, so "kept" is 0.1 + 0.1/97.
  assert kept == pytest.approx(0.1, abs=0.025)
  assert other == pytest.approx(0.1, abs=0.025)
  random_ids = replaced[(replaced[:, 0] != MASK) & (replaced[:, 0] != replaced[:, 1]), 0]
  assert random_ids.min() >= 0 and random_ids.max() < VOCAB_SIZE
  # Random ids come from the whole vocabulary, not only from the corpus's 16 tokens.
  assert len(set(random_ids.tolist())) > 40


def test_spans_cover_several_units(masking_records, three_epochs):
  """n-gram spans: with p(n) = 6/11, 3/11, 2/11 many chosen units have a chosen neighbour."""
  _, infos = masking_records
  runs = []
  for epoch in range(3):
    for record, info in enumerate(infos):
      count = int(three_epochs["masked_lm_weights"][epoch, record].sum())
      chosen = set(three_epochs["masked_lm_positions"][epoch, record, :count].tolist())
      flags = [unit[0] in chosen for unit in _units(info)]
      run = 0
      for flag in flags + [False]:
        if flag:
          run += 1
        elif run:
          runs.append(run)
          run = 0
  runs = np.array(runs)
  assert runs.max() >= 3
  assert 1.2 < runs.mean() < 2.5, runs.mean()


def test_unit_index_never_crosses_cls_or_sep():
  with tf.Graph().as_default():
    #                            [CLS] w  ##  w  [SEP] ## w  ## [SEP] pad
    unit_index, num_units = dynamic_masking.whole_word_unit_index(
        tf.constant([CLS, 20, 21, 22, SEP, 23, 24, 25, SEP, 0]),
        tf.constant([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]),
        tf.constant([1, 1, 0, 1, 1, 0, 1, 0, 1, 0]), CLS, SEP)
    with tf.compat.v1.Session() as session:
      unit_index, num_units = session.run([unit_index, num_units])
  # The continuation piece right after [SEP] starts its own unit (it never joins segment A).
  np.testing.assert_array_equal(unit_index, [-1, 0, 0, 1, -1, 2, 3, 3, -1, -1])
  assert num_units == 4


def test_num_tokens_to_predict_matches_python_round():
  lengths = list(range(0, 200))
  with tf.Graph().as_default():
    counts = [dynamic_masking.num_tokens_to_predict(tf.constant([1] * n + [0] * 3), 20, 0.15)
              for n in lengths]
    with tf.compat.v1.Session() as session:
      counts = session.run(counts)
  expected = [min(20, max(1, int(round(n * 0.15)))) for n in lengths]
  assert list(counts) == expected


def test_ngram_probabilities_are_proportional_to_one_over_n():
  with tf.Graph().as_default(), tf.compat.v1.Session() as session:
    shorter = session.run(tf.exp(dynamic_masking.ngram_log_probabilities(3)))
    longer = session.run(tf.exp(dynamic_masking.ngram_log_probabilities(3, False)))
  np.testing.assert_allclose(shorter[0], [6 / 11, 3 / 11, 2 / 11], rtol=1e-6)
  np.testing.assert_allclose(longer[0], [2 / 11, 3 / 11, 6 / 11], rtol=1e-6)


def test_budget_must_be_positive():
  with pytest.raises(ValueError, match="masked_lm_budget"):
    dynamic_masking.mask_example({"input_ids": tf.zeros([4], tf.int32)}, 0, VOCAB_SIZE,
                                 SPECIAL_IDS)


def test_special_ids_come_from_a_wordpiece_tokenizer(wordpiece_vocab_file):
  """WordPiece vocabularies put [CLS]/[SEP]/[MASK] elsewhere than SentencePiece's 2/3/4."""
  from albert import tokenization  # pylint: disable=g-import-not-at-top
  tokens = ["[PAD]", "x", "y", "z", "w"] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
  vocab_file = os.path.join(os.path.dirname(wordpiece_vocab_file), "moved_specials.txt")
  with open(vocab_file, "w") as handle:
    handle.write("\n".join(tokens) + "\n")
  tokenizer = tokenization.FullTokenizer(vocab_file=vocab_file, do_lower_case=True)
  special_ids = dynamic_masking.special_token_ids(tokenizer)
  assert special_ids == dynamic_masking.SpecialTokenIds(6, 7, 8)

  # A sequence made of ids 2, 3 and 4 (ordinary words here) between [CLS]=6 and [SEP]=7: with
  # the tokenizer's ids every word can be masked and the mask token is 8; 6 and 7 never move.
  budget = 12
  input_ids = [6, 2, 3, 4, 2, 7, 3, 4, 2, 3, 7, 0]
  with tf.Graph().as_default():
    tf.compat.v1.set_random_seed(7)
    features = {
        "input_ids": tf.constant(input_ids, tf.int32),
        "input_mask": tf.constant([1] * 11 + [0], tf.int32),
        "token_boundary": tf.constant([1] * 11 + [0], tf.int32),
    }
    outputs = [dynamic_masking.mask_example(dict(features), budget, len(tokens), special_ids,
                                            masked_lm_prob=1.0, ngram=1)
               for _ in range(20)]
    with tf.compat.v1.Session() as session:
      outputs = session.run(outputs)
  masked_positions = set()
  mask_tokens_seen = 0
  for output in outputs:
    ids = output["input_ids"]
    assert ids[0] == 6 and ids[5] == 7 and ids[10] == 7 and ids[11] == 0
    real = output["masked_lm_weights"] > 0
    positions = output["masked_lm_positions"][real]
    masked_positions.update(positions.tolist())
    mask_tokens_seen += int(np.sum(ids == 8))
    np.testing.assert_array_equal(output["masked_lm_ids"][real],
                                  np.array(input_ids)[positions])
  # masked_lm_prob=1: all 8 words are predicted every time, never a special token.
  assert masked_positions == {1, 2, 3, 4, 6, 7, 8, 9}
  assert mask_tokens_seen > 100  # 80% of 160 predictions become [MASK] = 8
  with pytest.raises(ValueError, match=r"\[MASK\]"):
    dynamic_masking.special_token_ids(tokenization.FullTokenizer(
        vocab_file=wordpiece_vocab_without_mask(vocab_file), do_lower_case=True))


def wordpiece_vocab_without_mask(vocab_file):
  path = vocab_file + ".nomask"
  with open(path, "w") as handle:
    handle.write("[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\n")
  return path
