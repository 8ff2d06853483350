# coding=utf-8
"""GLUE fine-tuning: data processors, feature conversion, classification head and model_fn.

Reading order:
  1. Data classes (`InputExample`, `PaddingInputExample`, `InputFeatures`).
  2. Processors: one per GLUE task, each a short declaration of the task's TSV layout
     (directory, file names, header, column indexes, labels). `DataProcessor` reads and checks
     the rows; a malformed row or unknown label is an error naming the file and line.
  3. Features: `convert_single_example`, TFRecord writing and the input_fn builder.
  4. Model: `create_model` (the classification/regression head) and `model_fn_builder`, a thin
     wrapper of `head_model_fn_builder` (which RACE's multiple-choice head uses too).
Metrics live in `glue_metrics.py`.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import csv
import os

import tensorflow as tf

from albert import checkpoint_utils
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import glue_metrics
from albert import tfrecord_utils
from albert import tokenization

logging = tf.compat.v1.logging

# The classifier head's dropout is fixed, whatever the encoder config says (as the original).
CLASSIFIER_DROPOUT_PROB = 0.1


###############################################################################
# Data classes
###############################################################################


class InputExample(object):
  """A single train/dev/test example for sequence (pair) classification."""

  def __init__(self, guid, text_a, text_b=None, label=None):
    """Constructs an InputExample.

    Args:
      guid: unique id of the example (written to submit_results.tsv for test examples).
      text_a: str, the first sequence (untokenized).
      text_b: optional str, the second sequence for pair tasks.
      label: str label (float for STS-B); test examples carry a placeholder label.
    """
    self.guid = guid
    self.text_a = text_a
    self.text_b = text_b
    self.label = label


# The TPU filler example, at its original place (defined with the padding helper).
PaddingInputExample = tfrecord_utils.PaddingInputExample


class InputFeatures(object):
  """A single set of features of data."""

  def __init__(self, input_ids, input_mask, segment_ids, label_id, guid=None,
               example_id=None, is_real_example=True):
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.label_id = label_id
    self.guid = guid
    self.example_id = example_id
    self.is_real_example = is_real_example


###############################################################################
# Processors
###############################################################################

# Column layout of one split of a task's TSV file.
#   header: the first line holds column names and is skipped.
#   guid_column: column holding the example id; None -> "<split>-<line index>".
#   text_a_column / text_b_column: sentence columns (text_b_column None: single sentence).
#   label_column: label column (-1 = last); None -> every example gets `fixed_label`
#     (test splits, which have no labels).
#   min_columns: a row with fewer columns is an error (or skipped, see skip_short_rows).
SplitLayout = collections.namedtuple(
    "SplitLayout", ["header", "guid_column", "text_a_column", "text_b_column",
                    "label_column", "fixed_label", "min_columns"])


class DataProcessor(object):
  """Reads one GLUE task's train/dev/test TSV files into `InputExample`s.

  Subclasses declare `task_dir`, the file names, the labels and a `SplitLayout` per split.
  """

  task_dir = None
  train_file = "train.tsv"
  dev_file = "dev.tsv"
  test_file = "test.tsv"
  labeled_layout = None   # SplitLayout of the train and dev files.
  test_layout = None      # SplitLayout of the test file.
  # The original skips QQP rows with missing columns instead of failing; see QqpProcessor.
  skip_short_rows = False

  def __init__(self, use_spm, do_lower_case):
    """Args:
      use_spm: texts go through `preprocess_text` (SentencePiece) instead of just unicode
        conversion (WordPiece tokenizers clean text themselves).
      do_lower_case: lower-case texts in SentencePiece mode.
    """
    self.use_spm = use_spm
    self.do_lower_case = do_lower_case

  def get_train_examples(self, data_dir):
    """Gets a collection of `InputExample`s for the train set."""
    return self._create_examples(self._path(data_dir, self.train_file), "train",
                                 self.labeled_layout)

  def get_dev_examples(self, data_dir):
    """Gets a collection of `InputExample`s for the dev set."""
    return self._create_examples(self._path(data_dir, self.dev_file), "dev",
                                 self.labeled_layout)

  def get_test_examples(self, data_dir):
    """Gets a collection of `InputExample`s for prediction (labels are placeholders)."""
    return self._create_examples(self._path(data_dir, self.test_file), "test",
                                 self.test_layout)

  def get_labels(self):
    """Gets the list of labels for this data set."""
    raise NotImplementedError()

  def process_text(self, text):
    if self.use_spm:
      return tokenization.preprocess_text(text, lower=self.do_lower_case)
    return tokenization.convert_to_unicode(text)

  def _path(self, data_dir, file_name):
    return os.path.join(data_dir, self.task_dir, file_name)

  @classmethod
  def _read_tsv(cls, input_file, quotechar=None):
    """Reads a tab separated file (no quoting: GLUE texts contain bare quotes).

    Returns:
      list of rows, each a list of str columns.

    Raises:
      FileNotFoundError: naming the missing path.
    """
    if not tf.io.gfile.exists(input_file):
      raise FileNotFoundError(
          "GLUE data file not found: %s (expected <data_dir>/<TASK>/<file>.tsv as in the "
          "official GLUE download)" % input_file)
    with tf.io.gfile.GFile(input_file, "r") as reader:
      return list(csv.reader(reader, delimiter="\t", quotechar=quotechar,
                             quoting=csv.QUOTE_NONE if quotechar is None
                             else csv.QUOTE_MINIMAL))

  def _create_examples(self, input_file, set_type, layout):
    """Turns the rows of `input_file` into `InputExample`s following `layout`."""
    labels = self.get_labels()
    is_regression = labels == [None]
    examples = []
    num_skipped = 0
    for i, line in enumerate(self._read_tsv(input_file)):
      line_number = i + 1
      if layout.header and i == 0:
        continue
      if not line or (len(line) == 1 and not line[0].strip()):
        continue  # Blank line (e.g. a trailing newline).
      if len(line) < layout.min_columns:
        message = ("%s:%d: expected at least %d tab-separated columns, found %d" %
                   (input_file, line_number, layout.min_columns, len(line)))
        if self.skip_short_rows:
          num_skipped += 1
          logging.warning("Skipping row: %s", message)
          continue
        raise ValueError(message)

      if layout.guid_column is None:
        guid = "%s-%s" % (set_type, i)
      else:
        guid = line[layout.guid_column]
      text_a = self.process_text(line[layout.text_a_column])
      text_b = None
      if layout.text_b_column is not None:
        text_b = self.process_text(line[layout.text_b_column])

      if layout.label_column is None:
        label = layout.fixed_label
      else:
        label = line[layout.label_column].strip()
      label = self._check_label(label, labels, is_regression, input_file, line_number)
      examples.append(InputExample(guid=self.process_text(guid), text_a=text_a,
                                   text_b=text_b, label=label))
    if num_skipped:
      logging.warning("%s: skipped %d rows with missing columns", input_file, num_skipped)
    if not examples:
      raise ValueError("%s: no examples (a header line only, or an empty file); expected one "
                       "example per line." % input_file)
    return examples

  def _check_label(self, label, labels, is_regression, input_file, line_number):
    """Returns the label as used by the features (float for regression) or raises."""
    if is_regression:
      try:
        return float(label)
      except ValueError:
        raise ValueError("%s:%d: expected a float similarity score as label, found %r" %
                         (input_file, line_number, label))
    label = self.process_text(label)
    if label not in labels:
      raise ValueError("%s:%d: unknown label %r; expected one of %s" %
                       (input_file, line_number, label, labels))
    return label


_NLI_LABELS = ["contradiction", "entailment", "neutral"]


class MnliProcessor(DataProcessor):
  """MultiNLI, matched dev/test sets."""
  task_dir = "MNLI"
  dev_file = "dev_matched.tsv"
  test_file = "test_matched.tsv"
  # index, promptID, pairID, genre, 4 parse columns, sentence1, sentence2, [labels...]
  labeled_layout = SplitLayout(header=True, guid_column=0, text_a_column=8, text_b_column=9,
                               label_column=-1, fixed_label=None, min_columns=11)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=8, text_b_column=9,
                            label_column=None, fixed_label="contradiction", min_columns=10)

  def get_labels(self):
    return list(_NLI_LABELS)


class MisMnliProcessor(MnliProcessor):
  """MultiNLI, mismatched dev/test sets."""
  dev_file = "dev_mismatched.tsv"
  test_file = "test_mismatched.tsv"


class MrpcProcessor(DataProcessor):
  """Microsoft Research Paraphrase Corpus: Quality, #1 ID, #2 ID, #1 String, #2 String."""
  task_dir = "MRPC"
  labeled_layout = SplitLayout(header=True, guid_column=None, text_a_column=3, text_b_column=4,
                               label_column=0, fixed_label=None, min_columns=5)
  # The test file's first column is the submission index.
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=3, text_b_column=4,
                            label_column=None, fixed_label="0", min_columns=5)

  def get_labels(self):
    return ["0", "1"]


class ColaProcessor(DataProcessor):
  """Corpus of Linguistic Acceptability.

  train/dev have NO header: source, label, original judgement, sentence.
  test has a header: index, sentence.
  """
  task_dir = "CoLA"
  labeled_layout = SplitLayout(header=False, guid_column=None, text_a_column=3,
                               text_b_column=None, label_column=1, fixed_label=None,
                               min_columns=4)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=None,
                            label_column=None, fixed_label="0", min_columns=2)

  def get_labels(self):
    return ["0", "1"]


class Sst2Processor(DataProcessor):
  """Stanford Sentiment Treebank: sentence, label (test: index, sentence)."""
  task_dir = "SST-2"
  labeled_layout = SplitLayout(header=True, guid_column=None, text_a_column=0,
                               text_b_column=None, label_column=1, fixed_label=None,
                               min_columns=2)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=None,
                            label_column=None, fixed_label="0", min_columns=2)

  def get_labels(self):
    return ["0", "1"]


class StsbProcessor(DataProcessor):
  """Semantic Textual Similarity Benchmark (regression; the label is a float score)."""
  task_dir = "STS-B"
  # index, genre, filename, year, old_index, source1, source2, sentence1, sentence2, score
  labeled_layout = SplitLayout(header=True, guid_column=0, text_a_column=7, text_b_column=8,
                               label_column=-1, fixed_label=None, min_columns=10)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=7, text_b_column=8,
                            label_column=None, fixed_label="0", min_columns=9)

  def get_labels(self):
    return [None]


class QqpProcessor(DataProcessor):
  """Quora Question Pairs: id, qid1, qid2, question1, question2, is_duplicate."""
  task_dir = "QQP"
  labeled_layout = SplitLayout(header=True, guid_column=0, text_a_column=3, text_b_column=4,
                               label_column=5, fixed_label=None, min_columns=6)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                            label_column=None, fixed_label="0", min_columns=3)
  # As the original: QQP rows with missing columns are skipped (here with a logged warning
  # naming file and line) rather than failing the whole run.
  skip_short_rows = True

  def get_labels(self):
    return ["0", "1"]


class QnliProcessor(DataProcessor):
  """Question NLI: index, question, sentence, label."""
  task_dir = "QNLI"
  labeled_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                               label_column=-1, fixed_label=None, min_columns=4)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                            label_column=None, fixed_label="entailment", min_columns=3)

  def get_labels(self):
    return ["entailment", "not_entailment"]


class RteProcessor(QnliProcessor):
  """Recognizing Textual Entailment: index, sentence1, sentence2, label."""
  task_dir = "RTE"


class WnliProcessor(DataProcessor):
  """Winograd NLI: index, sentence1, sentence2, label."""
  task_dir = "WNLI"
  labeled_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                               label_column=-1, fixed_label=None, min_columns=4)
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                            label_column=None, fixed_label="0", min_columns=3)

  def get_labels(self):
    return ["0", "1"]


class AXProcessor(DataProcessor):
  """GLUE diagnostic set (test only; predicted with an MNLI model)."""
  task_dir = "diagnostic"
  test_file = "diagnostic.tsv"
  test_layout = SplitLayout(header=True, guid_column=0, text_a_column=1, text_b_column=2,
                            label_column=None, fixed_label="contradiction", min_columns=3)

  def get_train_examples(self, data_dir):
    raise ValueError("The GLUE diagnostic set (AX) has no training data; "
                     "fine-tune on MNLI and predict AX.")

  def get_dev_examples(self, data_dir):
    raise ValueError("The GLUE diagnostic set (AX) has no dev data.")

  def get_labels(self):
    return list(_NLI_LABELS)


# Task names accepted by run_classifier (`--task_name` is lower-cased first). As in the
# original, the diagnostic AXProcessor is available as a class but not registered.
PROCESSORS = {
    "cola": ColaProcessor,
    "mnli": MnliProcessor,
    "mismnli": MisMnliProcessor,
    "mrpc": MrpcProcessor,
    "qnli": QnliProcessor,
    "qqp": QqpProcessor,
    "rte": RteProcessor,
    "sst-2": Sst2Processor,
    "sts-b": StsbProcessor,
    "wnli": WnliProcessor,
}


def get_processor(task_name, use_spm, do_lower_case):
  """Returns the processor for `task_name` (case-insensitive) or raises listing valid names."""
  key = task_name.lower()
  if key not in PROCESSORS:
    raise ValueError("Unknown GLUE task %r; valid task names are: %s" %
                     (task_name, ", ".join(sorted(PROCESSORS))))
  return PROCESSORS[key](use_spm=use_spm, do_lower_case=do_lower_case)


###############################################################################
# Features
###############################################################################


def _truncate_seq_pair(tokens_a, tokens_b, max_length):
  """Truncates a sequence pair in place to at most `max_length` tokens in total.

  One token at a time is popped from the END of the longer sequence (from `tokens_b` on a
  tie): a short sentence keeps all its tokens, which carry more information per token than
  the tail of a long one.
  """
  while len(tokens_a) + len(tokens_b) > max_length:
    if len(tokens_a) > len(tokens_b):
      tokens_a.pop()
    else:
      tokens_b.pop()


def convert_single_example(ex_index, example, label_list, max_seq_length, tokenizer,
                           task_name):
  """Converts one `InputExample` into one `InputFeatures`.

  Layout: [CLS] a [SEP] b [SEP], segment ids 0 for "[CLS] a [SEP]" and 1 for "b [SEP]",
  then zero padding (ids, mask and segments) up to `max_seq_length`.

  Args:
    ex_index: index of the example (the first 5 are logged).
    example: `InputExample` or `PaddingInputExample`.
    label_list: the task's labels ([None] for the STS-B regression).
    max_seq_length: int, L.
    tokenizer: `tokenization.FullTokenizer`.
    task_name: lower-case task key.

  Returns:
    `InputFeatures` with int lists of length L and `label_id` an int index (float for sts-b).
  """
  if isinstance(example, PaddingInputExample):
    return InputFeatures(
        input_ids=[0] * max_seq_length,
        input_mask=[0] * max_seq_length,
        segment_ids=[0] * max_seq_length,
        label_id=0.0 if task_name == "sts-b" else 0,
        is_real_example=False)

  if task_name == "sts-b":
    label_id = float(example.label)
  else:
    label_map = {label: i for i, label in enumerate(label_list)}
    if example.label not in label_map:
      raise ValueError("Example %s: unknown label %r; expected one of %s" %
                       (example.guid, example.label, label_list))
    label_id = label_map[example.label]

  tokens_a = tokenizer.tokenize(example.text_a)
  tokens_b = tokenizer.tokenize(example.text_b) if example.text_b else None
  if tokens_b:
    _truncate_seq_pair(tokens_a, tokens_b, max_seq_length - 3)  # [CLS], [SEP], [SEP]
  elif len(tokens_a) > max_seq_length - 2:
    tokens_a = tokens_a[:max_seq_length - 2]  # [CLS], [SEP]

  tokens = ["[CLS]"] + tokens_a + ["[SEP]"]
  segment_ids = [0] * len(tokens)
  if tokens_b:
    tokens += tokens_b + ["[SEP]"]
    segment_ids += [1] * (len(tokens_b) + 1)

  input_ids = tokenizer.convert_tokens_to_ids(tokens)
  input_mask = [1] * len(input_ids)
  padding = [0] * (max_seq_length - len(input_ids))
  input_ids += padding
  input_mask += padding
  segment_ids += padding

  if ex_index < 5:
    logging.info("*** Example ***")
    logging.info("guid: %s", example.guid)
    logging.info("tokens: %s", " ".join(tokenization.printable_text(t) for t in tokens))
    logging.info("input_ids: %s", " ".join(str(x) for x in input_ids))
    logging.info("input_mask: %s", " ".join(str(x) for x in input_mask))
    logging.info("segment_ids: %s", " ".join(str(x) for x in segment_ids))
    logging.info("label: %s (id = %s)", example.label, label_id)

  return InputFeatures(input_ids=input_ids, input_mask=input_mask, segment_ids=segment_ids,
                       label_id=label_id, guid=example.guid, is_real_example=True)


def convert_examples_to_features(examples, label_list, max_seq_length, tokenizer,
                                 task_name):
  """In-memory variant: returns a list of `InputFeatures` (kept for notebooks)."""
  return [convert_single_example(i, example, label_list, max_seq_length, tokenizer,
                                 task_name)
          for i, example in enumerate(examples)]


def input_fn_builder(features, seq_length, is_training, drop_remainder, task_name=None):
  """In-memory `input_fn` over a list of `InputFeatures` (small data sets, notebooks).

  Yields the same dict as the TFRecord pipeline: int32 input_ids/input_mask/segment_ids
  [B, L], label_ids [B] (float32 for sts-b), is_real_example [B].
  """
  columns = {
      "input_ids": [f.input_ids for f in features],
      "input_mask": [f.input_mask for f in features],
      "segment_ids": [f.segment_ids for f in features],
      "label_ids": [f.label_id for f in features],
      "is_real_example": [int(f.is_real_example) for f in features],
  }
  label_dtype = tf.float32 if task_name == "sts-b" else tf.int32

  def input_fn(params):
    batch_size = params["batch_size"]
    dataset = tf.data.Dataset.from_tensor_slices({
        "input_ids": tf.constant(columns["input_ids"], tf.int32, [len(features), seq_length]),
        "input_mask": tf.constant(columns["input_mask"], tf.int32, [len(features), seq_length]),
        "segment_ids": tf.constant(columns["segment_ids"], tf.int32,
                                   [len(features), seq_length]),
        "label_ids": tf.constant(columns["label_ids"], label_dtype, [len(features)]),
        "is_real_example": tf.constant(columns["is_real_example"], tf.int32, [len(features)]),
    })
    if is_training:
      dataset = dataset.repeat().shuffle(buffer_size=100)
    return dataset.batch(batch_size=batch_size, drop_remainder=drop_remainder)

  return input_fn


def features_to_tf_example(feature, task_name):
  """Serialisable `tf.train.Example` of one `InputFeatures` (the §9.3 record layout)."""
  if task_name == "sts-b":
    label_feature = tfrecord_utils.float_feature([feature.label_id])
  else:
    label_feature = tfrecord_utils.int64_feature([feature.label_id])
  return tf.train.Example(features=tf.train.Features(feature=collections.OrderedDict([
      ("input_ids", tfrecord_utils.int64_feature(feature.input_ids)),
      ("input_mask", tfrecord_utils.int64_feature(feature.input_mask)),
      ("segment_ids", tfrecord_utils.int64_feature(feature.segment_ids)),
      ("label_ids", label_feature),
      ("is_real_example", tfrecord_utils.int64_feature([int(feature.is_real_example)])),
  ])))


def file_based_convert_examples_to_features(examples, label_list, max_seq_length, tokenizer,
                                            output_file, task_name):
  """Writes the features of `examples` to a TFRecord file (complete or not at all).

  Returns:
    int, the number of records written.
  """
  with tfrecord_utils.AtomicTFRecordWriter(output_file) as writer:
    for ex_index, example in enumerate(examples):
      if ex_index % 10000 == 0:
        logging.info("Writing example %d of %d", ex_index, len(examples))
      feature = convert_single_example(ex_index, example, label_list, max_seq_length,
                                       tokenizer, task_name)
      writer.write(features_to_tf_example(feature, task_name))
    return writer.num_written


def name_to_features(seq_length, task_name, multiple=1):
  """Parsing spec of the classifier records; `multiple` > 1 packs several choices (RACE)."""
  return {
      "input_ids": tf.io.FixedLenFeature([seq_length * multiple], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length * multiple], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length * multiple], tf.int64),
      "label_ids": tf.io.FixedLenFeature(
          [], tf.float32 if task_name == "sts-b" else tf.int64),
      "is_real_example": tf.io.FixedLenFeature([], tf.int64),
  }


def file_based_input_fn_builder(input_file, seq_length, is_training, drop_remainder,
                                task_name, use_tpu, bsz, multiple=1):
  """Creates an `input_fn` over classifier TFRecords.

  Args:
    input_file: path or list of paths.
    seq_length: int, L.
    is_training: repeat and shuffle.
    drop_remainder: drop the last partial batch (TPU).
    task_name: lower-case task key ("sts-b" labels are float).
    use_tpu: on TPU the batch size comes from `params["batch_size"]`; otherwise `bsz`.
    bsz: batch size off TPU.
    multiple: number of packed sequences per record (RACE uses 4).

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts (int features as int32).
  """
  input_files = [input_file] if isinstance(input_file, str) else list(input_file)
  return tfrecord_utils.file_based_input_fn_builder(
      input_files=input_files,
      name_to_features=name_to_features(seq_length, task_name, multiple),
      is_training=is_training,
      drop_remainder=drop_remainder,
      # TPUEstimator always sets params["batch_size"]; off TPU the flag value decides.
      batch_size=None if use_tpu else bsz)


###############################################################################
# Model
###############################################################################


def create_model(albert_config, is_training, input_ids, input_mask, segment_ids, labels,
                 num_labels, use_one_hot_embeddings, task_name, hub_module):
  """Creates the encoder and the classification (or STS-B regression) head.

  Args:
    albert_config: `AlbertConfig` (unused with `hub_module`).
    is_training: bool; enables dropout.
    input_ids, input_mask, segment_ids: int32 Tensors of shape [B, L].
    labels: int32 Tensor of shape [B] (float32 for sts-b).
    num_labels: number of classes (1 for sts-b).
    use_one_hot_embeddings: one-hot matmul embedding lookup (TPU).
    task_name: lower-case task key.
    hub_module: optional TF-Hub module handle replacing the config-built encoder.

  Returns:
    (loss, per_example_loss, probabilities, logits, predictions):
      loss: float scalar, mean over the batch.
      per_example_loss: float [B].
      probabilities: float [B, num_labels]; for sts-b the raw regression output [B, 1].
      logits: float [B, num_labels]; for sts-b [B].
      predictions: int32 [B] argmax; for sts-b the float regression output [B].
  """
  (output_layer, _) = fine_tuning_utils.create_albert(
      albert_config=albert_config,
      is_training=is_training,
      input_ids=input_ids,
      input_mask=input_mask,
      segment_ids=segment_ids,
      use_one_hot_embeddings=use_one_hot_embeddings,
      use_einsum=True,
      hub_module=hub_module)
  hidden_size = output_layer.shape[-1]  # H

  # Root-scope names, as in released fine-tuned checkpoints.
  output_weights = tf.compat.v1.get_variable(
      "output_weights", [num_labels, hidden_size],
      initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02))
  output_bias = tf.compat.v1.get_variable(
      "output_bias", [num_labels], initializer=tf.compat.v1.zeros_initializer())

  with tf.compat.v1.variable_scope("loss"):
    if is_training:
      output_layer = tf.nn.dropout(output_layer, rate=CLASSIFIER_DROPOUT_PROB)

    logits = tf.matmul(output_layer, output_weights, transpose_b=True)  # [B, num_labels]
    logits = tf.nn.bias_add(logits, output_bias)
    if task_name != "sts-b":
      probabilities = tf.nn.softmax(logits, axis=-1)
      predictions = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
      log_probs = tf.nn.log_softmax(logits, axis=-1)
      one_hot_labels = tf.one_hot(labels, depth=num_labels, dtype=tf.float32)
      per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)  # [B]
    else:
      probabilities = logits  # [B, 1]: the regression output, kept 2-D for test_results.tsv
      logits = tf.squeeze(logits, [-1])  # [B]
      predictions = logits
      per_example_loss = tf.square(logits - labels)  # [B]
    loss = tf.reduce_mean(per_example_loss)
    return (loss, per_example_loss, probabilities, logits, predictions)


def model_fn_builder(albert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu, use_one_hot_embeddings,
                     task_name, hub_module=None, optimizer="adamw"):
  """Returns a TPUEstimator `model_fn` for GLUE fine-tuning.

  TRAIN: `optimization.create_optimizer` (warmup + linear decay, clip 1.0).
  EVAL: `glue_metrics.eval_metrics_for_task`, every metric weighted by `is_real_example`.
  PREDICT: {"probabilities": [B, num_labels], "predictions": [B]}.
  """
  def create_head(features, is_training):
    return create_model(albert_config, is_training, features["input_ids"],
                        features["input_mask"], features["segment_ids"],
                        features["label_ids"], num_labels, use_one_hot_embeddings, task_name,
                        hub_module)

  return head_model_fn_builder(create_head, init_checkpoint, learning_rate, num_train_steps,
                               num_warmup_steps, use_tpu, task_name, optimizer)


def head_model_fn_builder(create_head_fn, init_checkpoint, learning_rate, num_train_steps,
                          num_warmup_steps, use_tpu, task_name, optimizer="adamw"):
  """Returns a TPUEstimator `model_fn` around a classification-style head (GLUE, RACE).

  Args:
    create_head_fn: function(features, is_training) -> (loss, per_example_loss,
      probabilities, logits, predictions) with the shapes of `create_model`; it builds the
      encoder and the head from the feature dict (int32 Tensors with a leading batch
      dimension B; `label_ids` of shape [B]).
    init_checkpoint: checkpoint prefix to initialize from, or None.
    learning_rate, num_train_steps, num_warmup_steps, optimizer: as
      `optimization.create_optimizer`.
    use_tpu: bool.
    task_name: lower-case task key; picks the EVAL metrics
      (`glue_metrics.eval_metrics_for_task`: `eval_accuracy` and `eval_loss` for any task
      without metrics of its own).

  Returns:
    model_fn(features, labels, mode, params) -> TPUEstimatorSpec. TRAIN: the loss minimized
    by `estimator_utils.training_spec`. EVAL: the task's metrics, every one weighted by
    `is_real_example` (TPU padding rows never count). PREDICT: {"probabilities",
    "predictions"}.
  """
  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """The `model_fn` for TPUEstimator."""
    estimator_utils.log_features(features)
    label_ids = features["label_ids"]
    if "is_real_example" in features:
      is_real_example = tf.cast(features["is_real_example"], dtype=tf.float32)
    else:
      is_real_example = tf.ones(tf.shape(label_ids)[:1], dtype=tf.float32)

    is_training = (mode == tf.estimator.ModeKeys.TRAIN)
    (total_loss, per_example_loss, probabilities, logits, predictions) = create_head_fn(
        features, is_training)
    scaffold_fn = checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu)

    if mode == tf.estimator.ModeKeys.TRAIN:
      return estimator_utils.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
          optimizer=optimizer, scaffold_fn=scaffold_fn)

    if mode == tf.estimator.ModeKeys.EVAL:

      def metric_fn(per_example_loss, label_ids, logits, predictions, is_real_example):
        return glue_metrics.eval_metrics_for_task(
            task_name, per_example_loss, label_ids, logits, predictions, is_real_example)

      eval_metrics = (metric_fn, [per_example_loss, label_ids, logits, predictions,
                                  is_real_example])
      return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
          mode=mode, loss=total_loss, eval_metrics=eval_metrics, scaffold_fn=scaffold_fn)

    return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
        mode=mode,
        predictions={"probabilities": probabilities, "predictions": predictions},
        scaffold_fn=scaffold_fn)

  return model_fn
