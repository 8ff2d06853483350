"""Tests for albert/classifier_utils.py: processors, feature conversion, TFRecords, head."""

import os

import numpy as np
import pytest
import tensorflow as tf

from albert import classifier_utils
from albert import tokenization
from tests.fixtures import glue_fixtures

ALL_TASKS = sorted(glue_fixtures.TASK_FILES)


def _expected_guid(task, split, position):
  """GUID convention: the index column when the split has one, else "<split>-<line index>"."""
  records = glue_fixtures.GLUE_RECORDS[task][split]
  if task in ("cola", "sst-2", "mrpc") and split != "test":
    has_header = task != "cola"
    return "%s-%d" % (split, position + (1 if has_header else 0))
  return records[position]["index"]


@pytest.mark.parametrize("task", ALL_TASKS)
def test_processor_reads_every_split_of_the_real_layout(task, glue_data_dir):
  processor = classifier_utils.get_processor(task, use_spm=False, do_lower_case=False)
  readers = {"train": processor.get_train_examples, "dev": processor.get_dev_examples,
             "test": processor.get_test_examples}
  labels = glue_fixtures.TASK_LABELS[task]
  for split, read in readers.items():
    examples = read(glue_data_dir)
    records = glue_fixtures.GLUE_RECORDS[task][split]
    assert len(examples) == len(records), (task, split)
    for position, (example, record) in enumerate(zip(examples, records)):
      assert example.guid == _expected_guid(task, split, position)
      assert example.text_a == record["text_a"]
      assert example.text_b == record["text_b"]
      if split == "test":
        # Test files have no label column; every example carries the placeholder label.
        expected_label = {"mnli": "contradiction", "mismnli": "contradiction",
                          "qnli": "entailment", "rte": "entailment",
                          "sts-b": 0.0}.get(task, "0")
      elif task == "sts-b":
        expected_label = float(record["label"])
      else:
        expected_label = record["label"]
      assert example.label == expected_label
  if labels is None:
    assert processor.get_labels() == [None]
  else:
    assert processor.get_labels() == labels


def test_ax_processor_reads_diagnostic_test_set(glue_data_dir):
  processor = classifier_utils.AXProcessor(use_spm=False, do_lower_case=False)
  examples = processor.get_test_examples(glue_data_dir)
  records = glue_fixtures.GLUE_RECORDS["ax"]["test"]
  assert [e.guid for e in examples] == [r["index"] for r in records]
  assert [e.text_b for e in examples] == [r["text_b"] for r in records]
  assert processor.get_labels() == ["contradiction", "entailment", "neutral"]
  with pytest.raises(ValueError, match="no training data"):
    processor.get_train_examples(glue_data_dir)


def test_spm_mode_preprocesses_and_lower_cases_texts(glue_data_dir):
  processor = classifier_utils.get_processor("SST-2", use_spm=True, do_lower_case=True)
  example = processor.get_train_examples(glue_data_dir)[0]
  record = glue_fixtures.GLUE_RECORDS["sst-2"]["train"][0]
  assert example.text_a == tokenization.preprocess_text(record["text_a"], lower=True)
  assert example.text_a == record["text_a"].lower()


def test_unknown_task_lists_valid_names():
  with pytest.raises(ValueError) as error:
    classifier_utils.get_processor("glue-x", use_spm=False, do_lower_case=False)
  message = str(error.value)
  assert "glue-x" in message
  for task in ("cola", "mnli", "mismnli", "mrpc", "qnli", "qqp", "rte", "sst-2", "sts-b",
               "wnli"):
    assert task in message


def test_missing_data_file_names_path(tmp_path):
  processor = classifier_utils.get_processor("rte", use_spm=False, do_lower_case=False)
  with pytest.raises(FileNotFoundError) as error:
    processor.get_dev_examples(str(tmp_path))
  assert os.path.join(str(tmp_path), "RTE", "dev.tsv") in str(error.value)


def _write(path, text):
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w", encoding="utf-8") as handle:
    handle.write(text)


def test_row_with_too_few_columns_names_file_line_and_expectation(tmp_path):
  path = os.path.join(str(tmp_path), "RTE", "train.tsv")
  _write(path, "index\tsentence1\tsentence2\tlabel\n"
               "0\tA cat.\tAn animal.\tentailment\n"
               "1\tA dog.\tnot_entailment\n")
  processor = classifier_utils.get_processor("rte", use_spm=False, do_lower_case=False)
  with pytest.raises(ValueError) as error:
    processor.get_train_examples(str(tmp_path))
  assert str(error.value) == (
      "%s:3: expected at least 4 tab-separated columns, found 3" % path)


def test_unknown_label_names_file_line_and_labels(tmp_path):
  path = os.path.join(str(tmp_path), "MNLI", "dev_matched.tsv")
  header = "\t".join(["c%d" % i for i in range(11)])
  row = "\t".join(["0"] * 8 + ["A cat.", "An animal.", "entailed"])
  _write(path, header + "\n" + row + "\n")
  processor = classifier_utils.get_processor("MNLI", use_spm=False, do_lower_case=False)
  with pytest.raises(ValueError) as error:
    processor.get_dev_examples(str(tmp_path))
  message = str(error.value)
  assert message.startswith("%s:2: unknown label 'entailed'" % path)
  assert "['contradiction', 'entailment', 'neutral']" in message


def test_bad_stsb_score_names_file_and_line(tmp_path):
  path = os.path.join(str(tmp_path), "STS-B", "train.tsv")
  _write(path, "\t".join(["h"] * 10) + "\n" + "\t".join(["0"] * 7 + ["a", "b", "high"]) + "\n")
  processor = classifier_utils.get_processor("sts-b", use_spm=False, do_lower_case=False)
  with pytest.raises(ValueError, match=r"train.tsv:2: expected a float similarity score"):
    processor.get_train_examples(str(tmp_path))


def test_qqp_skips_short_rows_like_the_original(tmp_path):
  path = os.path.join(str(tmp_path), "QQP", "train.tsv")
  _write(path, "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
               "5\t1\t2\tWhy?\tHow?\t1\n"
               "6\t3\t4\tbroken row\n"
               "7\t5\t6\tWhat?\tWho?\t0\n")
  processor = classifier_utils.get_processor("qqp", use_spm=False, do_lower_case=False)
  examples = processor.get_train_examples(str(tmp_path))
  assert [(e.guid, e.text_a, e.label) for e in examples] == [("5", "Why?", "1"),
                                                              ("7", "What?", "0")]


@pytest.fixture
def letter_tokenizer(glue_wordpiece_vocab_file):
  return tokenization.FullTokenizer(vocab_file=glue_wordpiece_vocab_file, do_lower_case=True)


def _ids(tokenizer, text):
  return tokenizer.convert_tokens_to_ids(text.split())


def test_pair_truncation_pops_from_longer_and_ties_from_b(letter_tokenizer):
  max_seq_length = 8  # room for 5 sentence tokens
  # Longer a: (6, 2) -> pop a three times -> (3, 2).
  example = classifier_utils.InputExample("g1", "a b c d e f", "g h", "1")
  feature = classifier_utils.convert_single_example(
      0, example, ["0", "1"], max_seq_length, letter_tokenizer, "rte")
  assert feature.input_ids == _ids(letter_tokenizer, "[CLS] a b c [SEP] g h [SEP]")
  assert feature.segment_ids == [0, 0, 0, 0, 0, 1, 1, 1]
  assert feature.input_mask == [1] * 8
  assert feature.label_id == 1
  # Ties: (4, 4) -> b (4, 3) -> a (3, 3) -> b (3, 2).
  example = classifier_utils.InputExample("g2", "a b c d", "e f g h", "0")
  feature = classifier_utils.convert_single_example(
      1, example, ["0", "1"], max_seq_length, letter_tokenizer, "rte")
  assert feature.input_ids == _ids(letter_tokenizer, "[CLS] a b c [SEP] e f [SEP]")
  assert feature.label_id == 0
  assert feature.is_real_example


def test_single_sentence_truncation_and_padding(letter_tokenizer):
  example = classifier_utils.InputExample("s1", "a b c d e f g", None, "0")
  feature = classifier_utils.convert_single_example(
      0, example, ["0", "1"], 6, letter_tokenizer, "cola")
  assert feature.input_ids == _ids(letter_tokenizer, "[CLS] a b c d [SEP]")
  assert feature.segment_ids == [0] * 6
  example = classifier_utils.InputExample("s2", "a b", "c", "1")
  feature = classifier_utils.convert_single_example(
      0, example, ["0", "1"], 10, letter_tokenizer, "mrpc")
  assert feature.input_ids == _ids(letter_tokenizer, "[CLS] a b [SEP] c [SEP]") + [0] * 4
  assert feature.input_mask == [1] * 6 + [0] * 4
  assert feature.segment_ids == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0]


def test_padding_example_and_stsb_float_labels(letter_tokenizer):
  feature = classifier_utils.convert_single_example(
      0, classifier_utils.PaddingInputExample(), ["0", "1"], 5, letter_tokenizer, "rte")
  assert feature.input_ids == [0] * 5 and feature.input_mask == [0] * 5
  assert feature.label_id == 0 and not feature.is_real_example
  example = classifier_utils.InputExample("7", "a", "b", 3.25)
  feature = classifier_utils.convert_single_example(
      0, example, [None], 8, letter_tokenizer, "sts-b")
  assert isinstance(feature.label_id, float) and feature.label_id == 3.25


def test_tfrecord_features_and_input_fn(tmp_path, letter_tokenizer):
  examples = [classifier_utils.InputExample("1", "a b", "c", 4.5),
              classifier_utils.InputExample("2", "d", "e f", 0.25),
              classifier_utils.PaddingInputExample()]
  path = str(tmp_path / "stsb.tf_record")
  written = classifier_utils.file_based_convert_examples_to_features(
      examples, [None], 8, letter_tokenizer, path, "sts-b")
  assert written == 3
  assert os.listdir(str(tmp_path)) == ["stsb.tf_record"]  # no temporary file left
  records = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(path)]
  features = records[0].features.feature
  assert sorted(features) == ["input_ids", "input_mask", "is_real_example", "label_ids",
                              "segment_ids"]
  assert list(features["label_ids"].float_list.value) == [4.5]
  assert list(features["input_ids"].int64_list.value) == _ids(
      letter_tokenizer, "[CLS] a b [SEP] c [SEP]") + [0, 0]
  assert [r.features.feature["is_real_example"].int64_list.value[0] for r in records] == [
      1, 1, 0]

  cls_path = str(tmp_path / "rte.tf_record")
  classifier_utils.file_based_convert_examples_to_features(
      [classifier_utils.InputExample("1", "a", "b", "not_entailment")],
      ["entailment", "not_entailment"], 8, letter_tokenizer, cls_path, "rte")
  record = tf.train.Example.FromString(next(iter(tf.data.TFRecordDataset(cls_path))).numpy())
  assert list(record.features.feature["label_ids"].int64_list.value) == [1]

  with tf.Graph().as_default():
    input_fn = classifier_utils.file_based_input_fn_builder(
        path, 8, is_training=False, drop_remainder=False, task_name="sts-b", use_tpu=False,
        bsz=2)
    batch = tf.compat.v1.data.make_one_shot_iterator(input_fn({})).get_next()
    assert batch["input_ids"].dtype == tf.int32
    assert batch["label_ids"].dtype == tf.float32
    with tf.compat.v1.Session() as sess:
      first = sess.run(batch)
      second = sess.run(batch)
  assert first["input_ids"].shape == (2, 8)
  np.testing.assert_allclose(first["label_ids"], [4.5, 0.25])
  assert list(first["is_real_example"]) == [1, 1]
  assert list(second["is_real_example"]) == [0]


def test_failed_conversion_leaves_no_file(tmp_path, letter_tokenizer):
  examples = [classifier_utils.InputExample("1", "a", None, "0"),
              classifier_utils.InputExample("2", "b", None, "maybe")]
  path = str(tmp_path / "cola.tf_record")
  with pytest.raises(ValueError, match="unknown label 'maybe'"):
    classifier_utils.file_based_convert_examples_to_features(
        examples, ["0", "1"], 8, letter_tokenizer, path, "cola")
  assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("task_name,num_labels", [("mnli", 3), ("sts-b", 1)])
def test_create_model_head_variables_and_shapes(tiny_albert_config, task_name, num_labels):
  with tf.Graph().as_default():
    batch, seq = 3, 8
    input_ids = tf.constant(np.arange(batch * seq).reshape([batch, seq]) % 50, tf.int32)
    ones = tf.ones([batch, seq], tf.int32)
    if task_name == "sts-b":
      labels = tf.constant([0.5, 1.0, 4.0])
    else:
      labels = tf.constant([0, 2, 1])
    loss, per_example_loss, probabilities, logits, predictions = (
        classifier_utils.create_model(tiny_albert_config, False, input_ids, ones, ones * 0,
                                      labels, num_labels, False, task_name, None))
    variables = {v.op.name: v.shape.as_list() for v in tf.compat.v1.global_variables()}
    assert variables["output_weights"] == [num_labels, tiny_albert_config.hidden_size]
    assert variables["output_bias"] == [num_labels]
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      values = sess.run({"loss": loss, "per_example_loss": per_example_loss,
                         "probabilities": probabilities, "logits": logits,
                         "predictions": predictions, "labels": labels})
  assert values["per_example_loss"].shape == (batch,)
  assert values["loss"] == pytest.approx(values["per_example_loss"].mean(), rel=1e-5)
  if task_name == "sts-b":
    assert values["probabilities"].shape == (batch, 1)
    np.testing.assert_allclose(values["predictions"], values["probabilities"][:, 0])
    np.testing.assert_allclose(values["per_example_loss"],
                               (values["predictions"] - values["labels"]) ** 2, rtol=1e-5)
  else:
    assert values["probabilities"].shape == (batch, num_labels)
    np.testing.assert_allclose(values["probabilities"].sum(-1), 1.0, rtol=1e-5)
    assert list(values["predictions"]) == list(values["probabilities"].argmax(-1))
    expected = -np.log(values["probabilities"][np.arange(batch), values["labels"]])
    np.testing.assert_allclose(values["per_example_loss"], expected, rtol=1e-4)


def test_in_memory_input_fn_matches_features(letter_tokenizer):
  examples = [classifier_utils.InputExample("1", "a b", "c", "1"),
              classifier_utils.InputExample("2", "d", None, "0")]
  features = classifier_utils.convert_examples_to_features(
      examples, ["0", "1"], 8, letter_tokenizer, "mrpc")
  with tf.Graph().as_default():
    input_fn = classifier_utils.input_fn_builder(features, 8, False, False, "mrpc")
    batch = tf.compat.v1.data.make_one_shot_iterator(
        input_fn({"batch_size": 2})).get_next()
    with tf.compat.v1.Session() as sess:
      values = sess.run(batch)
  assert values["input_ids"].tolist() == [f.input_ids for f in features]
  assert values["segment_ids"].tolist() == [f.segment_ids for f in features]
  assert values["label_ids"].tolist() == [1, 0]
  assert values["is_real_example"].tolist() == [1, 1]
