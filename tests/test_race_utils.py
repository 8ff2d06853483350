"""Tests for albert/race_utils.py: reader (both layouts), features, head, metrics."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from albert import classifier_utils
from albert import modeling
from albert import race_utils
from albert import tfrecord_utils
from albert import tokenization
from tests.fixtures import race_fixtures

SPLITS = ("train", "dev", "test")


def _read(data_dir, split, **kwargs):
  processor = race_utils.RaceProcessor(use_spm=False, do_lower_case=False, **kwargs)
  return {"train": processor.get_train_examples, "dev": processor.get_dev_examples,
          "test": processor.get_test_examples}[split](data_dir)


def _summary(examples):
  return [(e.example_id, e.question_index, e.level, e.label, e.endings, e.context_sentence)
          for e in examples]


def _expected_summary(split, levels=("middle", "high")):
  articles = {article["id"]: article["article"]
              for level in levels for _, article in race_fixtures.RACE_ARTICLES[split][level]}
  return [(article_id, index, level, label,
           [race_utils.complete_question(question, option) for option in options],
           articles[article_id])
          for article_id, index, level, label, question, options in
          race_fixtures.expected_questions(split, levels)]


@pytest.mark.parametrize("split", SPLITS)
def test_reader_reads_the_official_layout_in_sorted_file_order(race_data_dir, split):
  examples = _read(race_data_dir, split)
  assert _summary(examples) == _expected_summary(split)
  assert all(e.start_ending is None for e in examples)
  if split == "train":
    # "1.txt" < "10.txt" < "2.txt": sorted file names, middle before high.
    assert [e.example_id for e in examples] == [
        "middle1.txt", "middle1.txt", "middle10.txt", "middle2.txt", "middle2.txt",
        "high1.txt", "high1.txt", "high1.txt", "high2.txt"]


@pytest.mark.parametrize("split", SPLITS)
def test_all_txt_layout_reads_the_same_examples(race_data_dir, race_all_txt_data_dir, split):
  assert (_summary(_read(race_all_txt_data_dir, split)) ==
          _summary(_read(race_data_dir, split)))


def test_all_txt_takes_precedence_over_article_files(tmp_path):
  """A directory holding both: all.txt alone is read (the article files are its parts)."""
  race_fixtures.write_race_dir(tmp_path, "official")
  level_dir = tmp_path / "RACE" / "test" / "high"
  _, music = race_fixtures.RACE_ARTICLES["test"]["high"][0]
  (level_dir / "all.txt").write_text(json.dumps(music) + "\n", encoding="utf-8")
  examples = _read(str(tmp_path), "test", high_only=True)
  assert [(e.example_id, e.question_index) for e in examples] == [
      ("high10.txt", 0), ("high10.txt", 1)]
  processor = race_utils.RaceProcessor(False, False)
  sources = processor.level_files(str(tmp_path / "RACE" / "test"))
  assert [(level, [os.path.basename(f) for f in files], per_line)
          for level, _, files, per_line in sources] == [
              ("middle", ["4.txt"], False), ("high", ["all.txt"], True)]


def test_middle_only_and_high_only_select_the_level(race_data_dir):
  middle = _read(race_data_dir, "train", middle_only=True)
  high = _read(race_data_dir, "train", high_only=True)
  assert _summary(middle) == _expected_summary("train", ["middle"])
  assert _summary(high) == _expected_summary("train", ["high"])
  assert {e.level for e in middle} == {"middle"} and {e.level for e in high} == {"high"}
  assert len(middle) + len(high) == len(_read(race_data_dir, "train"))
  with pytest.raises(ValueError, match="--high_only and --middle_only exclude each other"):
    race_utils.RaceProcessor(False, False, high_only=True, middle_only=True)


def test_blank_filling_and_joining():
  assert (race_utils.complete_question("Tom goes _ and comes back _ .", "by bus") ==
          "Tom goes by bus and comes back by bus .")
  assert (race_utils.complete_question("Where does Tom live?", "Near the sea.") ==
          "Where does Tom live? Near the sea.")


def test_reader_fills_blanks_and_lower_cases_in_sentencepiece_mode(race_data_dir):
  processor = race_utils.RaceProcessor(use_spm=True, do_lower_case=True)
  example = processor.get_train_examples(race_data_dir)[1]  # "Tom and Mary go to school _ ."
  assert example.endings == ["tom and mary go to school by bus .",
                             "tom and mary go to school by bike .",
                             "tom and mary go to school on foot .",
                             "tom and mary go to school by car ."]
  assert example.label == 2
  assert example.context_sentence.startswith("tom lives in a small town near the sea.")


def _article(**overrides):
  article = {"id": "x.txt", "article": "A text.", "questions": ["Q1?", "Q2 _ ."],
             "options": [["a", "b", "c", "d"], ["e", "f", "g", "h"]], "answers": ["A", "D"]}
  article.update(overrides)
  return article


def _bad_dir(root, test_high_file, content):
  """The fixture tree, with RACE/test/high holding only `test_high_file` = `content`."""
  race_fixtures.write_race_dir(root, "official")
  level_dir = root / "RACE" / "test" / "high"
  for name in os.listdir(level_dir):
    os.remove(level_dir / name)
  if test_high_file:
    (level_dir / test_high_file).write_text(content, encoding="utf-8")
  return str(level_dir / (test_high_file or ""))


_GOOD_LINE = json.dumps(_article())
BAD_INPUTS = {
    "lengths_differ": ("1.txt", json.dumps(_article(answers=["A"])),
                       r"^{path}: 2 questions, 2 option lists and 1 answers; expected one "
                       r"option list and one answer per question$"),
    "three_options": ("all.txt",
                      _GOOD_LINE + "\n" + json.dumps(_article(options=[["a", "b", "c", "d"],
                                                                       ["e", "f", "g"]])),
                      r'^{path}:2: questions\[1\]: expected a list of 4 option strings, '
                      r'found \["e", "f", "g"\]$'),
    "answer_e": ("7.txt", json.dumps(_article(answers=["E", "A"])),
                 r'^{path}: questions\[0\]: answer "E" is not one of A, B, C, D$'),
    "lower_case_answer": ("all.txt", "\n" + json.dumps(_article(answers=["A", "d"])),
                          r'^{path}:2: questions\[1\]: answer "d" is not one of A, B, C, D$'),
    "invalid_json_line": ("all.txt", _GOOD_LINE + "\n\n" + _GOOD_LINE[:-5] + "\n",
                          r"^{path}:3: invalid JSON \(.*\); expected one RACE article per "
                          r"line$"),
    "invalid_json_file": ("5.txt", "{'id': 1}",
                          r"^{path}: invalid JSON \(.*\); expected one RACE article per "
                          r"file$"),
    "missing_key": ("5.txt", json.dumps({"id": "5", "article": "x", "questions": []}),
                    r"^{path}: missing key\(s\) options, answers; expected keys id, article, "
                    r"questions, options, answers$"),
    "no_questions": ("all.txt", "\n\n",
                     r"^{path}: no RACE examples: 1 file\(s\) read, no question found"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_articles_raise_naming_file_line_and_question(tmp_path, case):
  file_name, content, pattern = BAD_INPUTS[case]
  path = _bad_dir(tmp_path, file_name, content)
  if case == "no_questions":
    path = os.path.dirname(path)
  with pytest.raises(ValueError, match=pattern.format(path=path.replace("\\", "\\\\"))):
    _read(str(tmp_path), "test")


def test_missing_or_empty_level_directory_is_an_error(tmp_path):
  empty_dir = _bad_dir(tmp_path, None, None).rstrip(os.sep)
  with pytest.raises(ValueError, match="^%s: no RACE examples: the directory holds no "
                     r"\*\.txt file" % empty_dir):
    _read(str(tmp_path), "test")
  _read(str(tmp_path), "test", middle_only=True)  # The other level alone is fine.
  missing = os.path.join(str(tmp_path / "nowhere"), "RACE", "dev", "middle")
  with pytest.raises(FileNotFoundError, match="^RACE directory not found: %s " % missing):
    _read(str(tmp_path / "nowhere"), "dev")


###############################################################################
# Features
###############################################################################


@pytest.fixture
def letter_tokenizer(glue_wordpiece_vocab_file):
  """WordPiece tokenizer whose tokens are the single letters a..p (one token per word)."""
  return tokenization.FullTokenizer(vocab_file=glue_wordpiece_vocab_file, do_lower_case=True,
                                    spm_model_file=None)


def _letters_example(context, endings, label=1):
  return race_utils.InputExample(example_id="t", context_sentence=context, start_ending=None,
                                 endings=endings, label=label, level="high", question_index=0)


def test_features_truncate_context_from_the_end_and_keep_the_end_of_the_ending(
    letter_tokenizer):
  example = _letters_example("a b c d e f g h i j", ["k l m n", "k", "k l", "p o n m l k"])
  feature = race_utils.convert_single_example(0, example, 4, 12, letter_tokenizer, 3)
  tokens = [letter_tokenizer.convert_ids_to_tokens(ids[:sum(mask)])
            for ids, mask in zip(feature.input_ids, feature.input_mask)]
  assert tokens == [
      # Ending "k l m n" keeps its last 3 tokens; the context keeps 12 - 3 - 3 = 6.
      ["[CLS]", "a", "b", "c", "d", "e", "f", "[SEP]", "l", "m", "n", "[SEP]"],
      ["[CLS]", "a", "b", "c", "d", "e", "f", "g", "h", "[SEP]", "k", "[SEP]"],
      ["[CLS]", "a", "b", "c", "d", "e", "f", "g", "[SEP]", "k", "l", "[SEP]"],
      ["[CLS]", "a", "b", "c", "d", "e", "f", "[SEP]", "m", "l", "k", "[SEP]"],
  ]
  assert feature.segment_ids[0] == [0] * 8 + [1] * 4
  assert feature.segment_ids[1] == [0] * 10 + [1] * 2
  assert feature.label_id == 1 and feature.is_real_example
  assert all(len(row) == 12 for rows in (feature.input_ids, feature.input_mask,
                                         feature.segment_ids) for row in rows)


def test_short_choices_are_zero_padded(letter_tokenizer):
  example = _letters_example("a b", ["c", "d", "e", "f"], label=3)
  feature = race_utils.convert_single_example(0, example, 4, 8, letter_tokenizer, 4)
  vocab = letter_tokenizer.vocab
  assert feature.input_ids[2] == [vocab["[CLS]"], vocab["a"], vocab["b"], vocab["[SEP]"],
                                  vocab["e"], vocab["[SEP]"], 0, 0]
  assert feature.input_mask[2] == [1, 1, 1, 1, 1, 1, 0, 0]
  assert feature.segment_ids[2] == [0, 0, 0, 0, 1, 1, 0, 0]
  assert feature.label_id == 3


def test_max_qa_length_must_leave_room_for_the_special_tokens():
  race_utils.check_max_qa_length(16, 13)
  for bad in (0, 14):
    with pytest.raises(ValueError, match="--max_qa_length=%d must be between 1 and "
                       "--max_seq_length - 3 = 13" % bad):
      race_utils.check_max_qa_length(16, bad)


def test_records_pack_four_choices_and_padding_examples(tmp_path, letter_tokenizer):
  examples = [_letters_example("a b c", ["d", "e", "f", "g"], label=2),
              tfrecord_utils.PaddingInputExample()]
  path = str(tmp_path / "race.tf_record")
  assert race_utils.file_based_convert_examples_to_features(
      examples, race_utils.LABELS, 8, letter_tokenizer, path, 4) == 2
  records = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(path)]
  real, padding = [r.features.feature for r in records]
  feature = race_utils.convert_single_example(0, examples[0], 4, 8, letter_tokenizer, 4)
  assert list(real["input_ids"].int64_list.value) == sum(feature.input_ids, [])
  assert list(real["segment_ids"].int64_list.value) == sum(feature.segment_ids, [])
  assert list(real["label_ids"].int64_list.value) == [2]
  assert list(real["is_real_example"].int64_list.value) == [1]
  assert list(padding["input_ids"].int64_list.value) == [0] * 32
  assert list(padding["is_real_example"].int64_list.value) == [0]

  input_fn = classifier_utils.file_based_input_fn_builder(
      path, 8, is_training=False, drop_remainder=False, task_name="race", use_tpu=False,
      bsz=2, multiple=4)
  batch = next(iter(input_fn({})))
  assert batch["input_ids"].shape == (2, 32) and batch["input_ids"].dtype == tf.int32
  assert list(batch["label_ids"].numpy()) == [2, 0]


###############################################################################
# Model
###############################################################################

BATCH, SEQ = 3, 8


def _random_features(config, seed=0):
  rng = np.random.RandomState(seed)
  ids = rng.randint(5, config.vocab_size, size=[BATCH, 4, SEQ]).astype(np.int32)
  mask = np.ones([BATCH, 4, SEQ], np.int32)
  mask[:, :, SEQ - 2:] = 0
  segments = np.zeros([BATCH, 4, SEQ], np.int32)
  segments[:, :, SEQ // 2:] = 1
  return ids, mask, segments


def test_head_variables_shapes_and_loss(tiny_albert_config):
  """Root-scope output_weights [1,H] / output_bias [1]; logits [B,4]; softmax CE over 4;
  the four choices of a record are scored independently, in order."""
  ids, mask, segments = _random_features(tiny_albert_config)
  labels = np.array([0, 3, 1], np.int32)
  with tf.Graph().as_default():
    placeholders = [tf.compat.v1.placeholder(tf.int32, [None, 4 * SEQ]) for _ in range(3)]
    loss, per_example_loss, probabilities, logits, predictions = race_utils.create_model(
        tiny_albert_config, False, *placeholders, tf.constant(labels), 4, False, SEQ, 0.1,
        None)
    head = {v.name: v.shape.as_list() for v in tf.compat.v1.trainable_variables()
            if not v.name.startswith("bert/")}
    assert head == {"output_weights:0": [1, tiny_albert_config.hidden_size],
                    "output_bias:0": [1]}
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      flat = lambda array: array.reshape([BATCH, 4 * SEQ])
      feed = dict(zip(placeholders, [flat(ids), flat(mask), flat(segments)]))
      values = sess.run([loss, per_example_loss, probabilities, logits, predictions], feed)
      order = [2, 0, 3, 1]
      feed = dict(zip(placeholders, [flat(a[:, order]) for a in (ids, mask, segments)]))
      permuted_logits = sess.run(logits, feed)
  loss_value, per_example, probs, logit_values, preds = values
  assert logit_values.shape == (BATCH, 4)
  log_probs = logit_values - np.log(np.exp(logit_values).sum(-1, keepdims=True))
  np.testing.assert_allclose(per_example, -log_probs[np.arange(BATCH), labels], rtol=1e-5)
  np.testing.assert_allclose(loss_value, per_example.mean(), rtol=1e-6)
  np.testing.assert_allclose(probs, np.exp(log_probs), rtol=1e-5)
  assert list(preds) == list(logit_values.argmax(-1))
  np.testing.assert_allclose(permuted_logits, logit_values[:, order], rtol=1e-5, atol=1e-6)


def test_eval_metrics_ignore_padding_rows(tiny_albert_config):
  """eval_accuracy / eval_loss count real questions only (TPU padding has weight 0)."""
  ids, mask, segments = _random_features(tiny_albert_config, seed=1)
  model_fn = race_utils.model_fn_builder(
      tiny_albert_config, 4, None, 1e-3, 10, 1, use_tpu=False, use_one_hot_embeddings=False,
      max_seq_length=SEQ, dropout_prob=0.1)
  with tf.Graph().as_default():
    label_ids = tf.compat.v1.placeholder(tf.int32, [BATCH])
    features = {"input_ids": tf.constant(ids.reshape([BATCH, -1])),
                "input_mask": tf.constant(mask.reshape([BATCH, -1])),
                "segment_ids": tf.constant(segments.reshape([BATCH, -1])),
                "label_ids": label_ids,
                "is_real_example": tf.constant([1, 0, 1], tf.int32)}
    spec = model_fn(features, None, tf.estimator.ModeKeys.EVAL, {"batch_size": BATCH})
    metric_fn, metric_tensors = spec.eval_metrics
    metrics = metric_fn(*metric_tensors)
    per_example_loss, logits = metric_tensors[0], metric_tensors[2]
    with tf.compat.v1.Session() as sess:
      sess.run([tf.compat.v1.global_variables_initializer(),
                tf.compat.v1.local_variables_initializer()])
      logit_values = sess.run(logits, {label_ids: [0, 0, 0]})
      predicted = logit_values.argmax(-1)
      # Real rows wrong, the padding row right: counting padding would give accuracy 1/3.
      labels = [(predicted[0] + 1) % 4, predicted[1], (predicted[2] + 1) % 4]
      losses, _ = sess.run([per_example_loss, [op for _, op in metrics.values()]],
                           {label_ids: labels})
      values = sess.run({name: value for name, (value, _) in metrics.items()})
  assert sorted(values) == ["eval_accuracy", "eval_loss"]
  assert values["eval_accuracy"] == 0.0
  np.testing.assert_allclose(values["eval_loss"], (losses[0] + losses[2]) / 2, rtol=1e-5)


###############################################################################
# Test-set metrics
###############################################################################


def test_prediction_metrics_count_every_real_question_once():
  def example(level, label):
    return race_utils.InputExample("i", "c", None, ["a"] * 4, label=label, level=level)

  def probabilities(best):
    values = [0.1] * 4
    values[best] = 0.7
    return {"probabilities": np.array(values)}

  examples = [example("middle", 0), example("middle", 1), example("high", 2),
              tfrecord_utils.PaddingInputExample(), tfrecord_utils.PaddingInputExample()]
  # Right, wrong, right; the padding rows' "predictions" must not count.
  results = [probabilities(0), probabilities(3), probabilities(2), probabilities(0),
             probabilities(0)]
  metrics = race_utils.prediction_metrics(examples, results)
  expected_loss = -(2 * np.log(0.7) + np.log(0.1)) / 3
  assert list(metrics) == ["eval_accuracy", "eval_loss", "num_questions",
                           "middle_eval_accuracy", "middle_eval_loss", "middle_num_questions",
                           "high_eval_accuracy", "high_eval_loss", "high_num_questions"]
  assert metrics["num_questions"] == 3
  assert metrics["eval_accuracy"] == pytest.approx(2 / 3)
  assert metrics["eval_loss"] == pytest.approx(expected_loss)
  assert (metrics["middle_num_questions"], metrics["middle_eval_accuracy"]) == (2, 0.5)
  assert (metrics["high_num_questions"], metrics["high_eval_accuracy"]) == (1, 1.0)
  assert metrics["high_eval_loss"] == pytest.approx(-np.log(0.7))

  high_only = race_utils.prediction_metrics(examples[2:3], results[2:3])
  assert "middle_num_questions" not in high_only and high_only["high_num_questions"] == 1
  with pytest.raises(RuntimeError, match="Got 2 predictions for 3 test questions"):
    race_utils.prediction_metrics(examples, results[:2])
