# coding=utf-8
"""RACE multiple-choice reading comprehension: reader, features, head and model_fn.

RACE (Lai et al., 2017) asks questions about English exam articles for middle ("middle") and
high ("high") school students; each question has four options, one of them right (A-D).

Reading order:
  1. `InputExample` (one question with its four candidate endings) and `RaceProcessor`, which
     reads `<data_dir>/RACE/{train,dev,test}/{middle,high}/` in either layout: the official
     release (one JSON article per `*.txt` file) or a concatenated `all.txt` (one JSON article
     per line, what the original reads). Bad input is an error naming the file (and line),
     the question index and what was expected.
  2. Features: `convert_single_example` packs the four choices "[CLS] article [SEP] question
     with option [SEP]" of one question into one record of 4 x max_seq_length ids;
     `file_based_convert_examples_to_features` writes them with the classifier's record layout.
     They are read back with `classifier_utils.file_based_input_fn_builder(multiple=4)`.
  3. Model: `create_model` (one logit per choice from the pooled output, softmax over the four)
     and `model_fn_builder` (the classifier's model_fn around that head).
  4. `prediction_metrics`: accuracy and loss per school level from predicted probabilities.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import itertools
import json
import os

import numpy as np
import tensorflow as tf

from albert import classifier_utils
from albert import fine_tuning_utils
from albert import glue_metrics
from albert import tfrecord_utils
from albert import tokenization

logging = tf.compat.v1.logging

TASK_NAME = "race"
LABELS = ["A", "B", "C", "D"]
NUM_CHOICES = len(LABELS)
# The school levels, in the order they are read (middle first, as the original).
LEVELS = ("middle", "high")
SPLITS = ("train", "dev", "test")
# The concatenated layout: one JSON article per line (the original reads only this file).
CONCATENATED_FILE_NAME = "all.txt"
ARTICLE_KEYS = ("id", "article", "questions", "options", "answers")
# Marks the blank of cloze-style questions ("The writer thinks _ ."); the option fills it.
BLANK = "_"

_LAYOUT_HELP = ("expected <data_dir>/RACE/{train,dev,test}/{middle,high}/ holding the "
                "official release's per-article *.txt files (one JSON article each) or a "
                "concatenated %s (one JSON article per line)" % CONCATENATED_FILE_NAME)


###############################################################################
# Data
###############################################################################


class InputExample(object):
  """One RACE question: the article, and the question completed with each option."""

  def __init__(self, example_id, context_sentence, start_ending, endings, label=None,
               level=None, question_index=None):
    """Constructs an InputExample.

    Args:
      example_id: the article's "id" (shared by the article's questions).
      context_sentence: str, the article.
      start_ending: str put before every ending, or None (RACE: None; kept from the
        original's SWAG-style interface).
      endings: list of 4 str, the question completed with option A, B, C, D.
      label: int in [0, 4), the index of the right option.
      level: "middle" or "high".
      question_index: int, index of the question in the article's "questions" list.
    """
    self.example_id = example_id
    self.context_sentence = context_sentence
    self.start_ending = start_ending
    self.endings = endings
    self.label = label
    self.level = level
    self.question_index = question_index


def complete_question(question, option):
  """The text a choice is scored on: the blank filled with the option, else both joined.

  "The writer thinks _ ." + "it is fun" -> "The writer thinks it is fun ." (every "_" is
  replaced); "Why did Tom cry?" + "He was ill." -> "Why did Tom cry? He was ill."
  """
  if BLANK in question:
    return question.replace(BLANK, option)
  return " ".join([question, option])


class RaceProcessor(classifier_utils.DataProcessor):
  """Reads the RACE splits into `InputExample`s, one per question.

  Layouts, per level directory `<data_dir>/RACE/<split>/<level>/`:
    * `all.txt`, one JSON article per line (the original's input). When it exists, it alone
      is read: it is the concatenation of the directory's article files, and reading both
      would count every question twice.
    * otherwise every `*.txt` file (the official release: one JSON article per file), in
      sorted file-name order, so the examples (and feature files) are the same on every run.
  Each article: {"id": str, "article": str, "questions": [str], "options": [[4 str]],
  "answers": ["A".."D"]}.
  """

  task_dir = "RACE"

  def __init__(self, use_spm, do_lower_case, high_only=False, middle_only=False):
    """Args:
      use_spm, do_lower_case: as `classifier_utils.DataProcessor`.
      high_only: read only the high-school questions.
      middle_only: read only the middle-school questions.

    Raises:
      ValueError: both `high_only` and `middle_only`.
    """
    super(RaceProcessor, self).__init__(use_spm, do_lower_case)
    if high_only and middle_only:
      # Deviation (docs/DEVIATIONS.md): the original silently reads high only.
      raise ValueError("--high_only and --middle_only exclude each other; set at most one "
                       "(neither reads both levels).")
    if high_only:
      self.levels = ["high"]
    elif middle_only:
      self.levels = ["middle"]
    else:
      self.levels = list(LEVELS)

  def get_train_examples(self, data_dir):
    """Gets the `InputExample`s of the train split."""
    return self.read_examples(self.split_dir(data_dir, "train"))

  def get_dev_examples(self, data_dir):
    """Gets the `InputExample`s of the dev split."""
    return self.read_examples(self.split_dir(data_dir, "dev"))

  def get_test_examples(self, data_dir):
    """Gets the `InputExample`s of the test split (RACE's test answers are public)."""
    return self.read_examples(self.split_dir(data_dir, "test"))

  def get_labels(self):
    """The answer letters; a label is the index of its letter."""
    return list(LABELS)

  def split_dir(self, data_dir, split):
    """`<data_dir>/RACE/<split>` for split "train", "dev" or "test"."""
    if split not in SPLITS:
      raise ValueError("Unknown RACE split %r; expected one of %s" % (split, ", ".join(SPLITS)))
    return os.path.join(data_dir, self.task_dir, split)

  def level_files(self, split_dir):
    """The files the split is read from, level by level.

    Args:
      split_dir: `<data_dir>/RACE/<split>`.

    Returns:
      list of (level, level_dir, files, one_article_per_line) for `self.levels`.

    Raises:
      FileNotFoundError: a level directory is missing (naming it).
      ValueError: a level directory holds no `*.txt` file (naming it).
    """
    sources = []
    for level in self.levels:
      level_dir = os.path.join(split_dir, level)
      if not tf.io.gfile.isdir(level_dir):
        raise FileNotFoundError("RACE directory not found: %s (%s)" % (level_dir, _LAYOUT_HELP))
      concatenated = os.path.join(level_dir, CONCATENATED_FILE_NAME)
      if tf.io.gfile.exists(concatenated):
        sources.append((level, level_dir, [concatenated], True))
        continue
      names = sorted(name for name in tf.io.gfile.listdir(level_dir)
                     if name.endswith(".txt") and not name.startswith("."))
      if not names:
        raise ValueError("%s: no RACE examples: the directory holds no *.txt file (%s)" %
                         (level_dir, _LAYOUT_HELP))
      sources.append((level, level_dir, [os.path.join(level_dir, name) for name in names],
                      False))
    return sources

  def read_examples(self, split_dir):
    """Reads the questions of `self.levels` under `split_dir`, middle before high.

    Returns:
      list of `InputExample`, in file order, then article order, then question order.

    Raises:
      FileNotFoundError, ValueError: naming the directory, file (and line) and question.
    """
    examples = []
    for level, level_dir, files, one_article_per_line in self.level_files(split_dir):
      level_examples = []
      for location, article in _read_articles(files, one_article_per_line):
        level_examples.extend(self._article_examples(article, location, level))
      if not level_examples:
        raise ValueError("%s: no RACE examples: %d file(s) read, no question found (%s)" %
                         (level_dir, len(files), _LAYOUT_HELP))
      logging.info("Read %d %s-school questions from %s (%s)", len(level_examples), level,
                   level_dir, CONCATENATED_FILE_NAME if one_article_per_line
                   else "%d article file(s)" % len(files))
      examples.extend(level_examples)
    return examples

  def _article_examples(self, article, location, level):
    """The `InputExample`s of one checked article (see `_check_article`)."""
    context = self.process_text(article["article"])
    examples = []
    for index, (question, options, answer) in enumerate(
        zip(article["questions"], article["options"], article["answers"])):
      question = self.process_text(question)
      endings = [complete_question(question, self.process_text(option)) for option in options]
      examples.append(InputExample(
          example_id=article["id"], context_sentence=context, start_ending=None,
          endings=endings, label=ord(answer) - ord("A"), level=level, question_index=index))
    return examples


def _read_articles(files, one_article_per_line):
  """Yields (location, checked article dict) from RACE JSON files.

  Args:
    files: list of paths.
    one_article_per_line: `all.txt` layout (blank lines skipped), else one article per file.

  Yields:
    ("<path>:<line>" or "<path>", article dict).
  """
  for path in files:
    with tf.io.gfile.GFile(path, "r") as reader:
      if one_article_per_line:
        for line_number, line in enumerate(reader, start=1):
          if line.strip():
            location = "%s:%d" % (path, line_number)
            yield location, _check_article(_parse_json(line, location, "per line"), location)
      else:
        yield path, _check_article(_parse_json(reader.read(), path, "per file"), path)


def _parse_json(text, location, unit):
  try:
    return json.loads(text.lstrip("\ufeff"))
  except ValueError as error:
    raise ValueError("%s: invalid JSON (%s); expected one RACE article %s" %
                     (location, error, unit))


def _check_article(article, location):
  """Returns `article` if it has the RACE keys and consistent lists, else raises ValueError.

  Errors name `location` ("<file>:<line>" or "<file>"), the question index where there is one,
  and what was expected.
  """
  if not isinstance(article, dict):
    raise ValueError("%s: expected a JSON object with keys %s, found %s" %
                     (location, ", ".join(ARTICLE_KEYS), type(article).__name__))
  missing = [key for key in ARTICLE_KEYS if key not in article]
  if missing:
    raise ValueError("%s: missing key(s) %s; expected keys %s" %
                     (location, ", ".join(missing), ", ".join(ARTICLE_KEYS)))
  if not isinstance(article["article"], str):
    raise ValueError("%s: \"article\" must be a string" % location)
  for key in ("questions", "options", "answers"):
    if not isinstance(article[key], list):
      raise ValueError("%s: \"%s\" must be a list, found %s" %
                       (location, key, type(article[key]).__name__))
  lengths = [len(article[key]) for key in ("questions", "options", "answers")]
  if len(set(lengths)) != 1:
    raise ValueError("%s: %d questions, %d option lists and %d answers; expected one option "
                     "list and one answer per question" % ((location,) + tuple(lengths)))
  for index, (question, options, answer) in enumerate(
      zip(article["questions"], article["options"], article["answers"])):
    where = "%s: questions[%d]" % (location, index)
    if not isinstance(question, str):
      raise ValueError("%s: the question must be a string" % where)
    if (not isinstance(options, list) or len(options) != NUM_CHOICES or
        not all(isinstance(option, str) for option in options)):
      raise ValueError("%s: expected a list of %d option strings, found %s" %
                       (where, NUM_CHOICES, json.dumps(options)[:200]))
    if answer not in LABELS:
      raise ValueError("%s: answer %s is not one of %s" %
                       (where, json.dumps(answer), ", ".join(LABELS)))
  return article


###############################################################################
# Features
###############################################################################


def check_max_qa_length(max_seq_length, max_qa_length):
  """Raises ValueError unless a question+option of `max_qa_length` tokens fits a sequence.

  "[CLS] article [SEP] question+option [SEP]" needs max_qa_length <= max_seq_length - 3.
  """
  if max_qa_length < 1 or max_qa_length > max_seq_length - 3:
    raise ValueError("--max_qa_length=%d must be between 1 and --max_seq_length - 3 = %d "
                     "([CLS], [SEP] and [SEP] take 3 of the %d positions)" %
                     (max_qa_length, max_seq_length - 3, max_seq_length))


def convert_single_example(example_index, example, label_size, max_seq_length, tokenizer,
                           max_qa_length):
  """Converts one question into the features of its `label_size` choices.

  For each ending (question completed with one option): its tokens keep their LAST
  `max_qa_length` tokens (the option sits at the end), the article's tokens are cut from the
  end to fit, and the choice is "[CLS] article [SEP] ending [SEP]" with segment ids 0 for
  "[CLS] article [SEP]" and 1 for "ending [SEP]", zero-padded to `max_seq_length`.

  Args:
    example_index: index of the example (the first 5 are logged).
    example: `InputExample` or `tfrecord_utils.PaddingInputExample`.
    label_size: number of choices C (4).
    max_seq_length: int, L.
    tokenizer: `tokenization.FullTokenizer`.
    max_qa_length: int, most tokens of a question+option kept.

  Returns:
    `classifier_utils.InputFeatures` whose input_ids, input_mask and segment_ids are lists of
    C lists of L ints, label_id the right choice's index; a padding example gives all zeros
    and is_real_example False.
  """
  if isinstance(example, tfrecord_utils.PaddingInputExample):
    zeros = [[0] * max_seq_length for _ in range(label_size)]
    return classifier_utils.InputFeatures(
        input_ids=zeros, input_mask=zeros, segment_ids=zeros, label_id=0,
        is_real_example=False)

  context_tokens = tokenizer.tokenize(example.context_sentence)
  start_ending_tokens = (tokenizer.tokenize(example.start_ending)
                         if example.start_ending is not None else [])
  all_input_ids, all_input_mask, all_segment_ids, all_tokens = [], [], [], []
  for ending in example.endings:
    ending_tokens = (start_ending_tokens + tokenizer.tokenize(ending))[-max_qa_length:]
    # The article yields what the ending leaves: [CLS] and two [SEP] take 3 positions.
    choice_context_tokens = context_tokens[:max_seq_length - 3 - len(ending_tokens)]
    tokens = ["[CLS]"] + choice_context_tokens + ["[SEP]"] + ending_tokens + ["[SEP]"]
    segment_ids = [0] * (len(choice_context_tokens) + 2) + [1] * (len(ending_tokens) + 1)
    input_ids = tokenizer.convert_tokens_to_ids(tokens)
    input_mask = [1] * len(input_ids)
    padding = [0] * (max_seq_length - len(input_ids))
    all_input_ids.append(input_ids + padding)
    all_input_mask.append(input_mask + padding)
    all_segment_ids.append(segment_ids + padding)
    all_tokens.append(tokens)

  if example_index < 5:
    logging.info("*** Example ***")
    logging.info("id: %s (question %d, %s)", example.example_id, example.question_index,
                 example.level)
    for choice, tokens in enumerate(all_tokens):
      logging.info("choice %s tokens: %s", LABELS[choice],
                   " ".join(tokenization.printable_text(token) for token in tokens))
    logging.info("label: %s", LABELS[example.label])

  return classifier_utils.InputFeatures(
      input_ids=all_input_ids, input_mask=all_input_mask, segment_ids=all_segment_ids,
      label_id=example.label, example_id=example.example_id, is_real_example=True)


def features_to_tf_example(feature):
  """`tf.train.Example` of one question: the C choices concatenated (int64[C * L] each)."""
  concatenate = lambda lists: list(itertools.chain.from_iterable(lists))
  flat_feature = classifier_utils.InputFeatures(
      input_ids=concatenate(feature.input_ids),
      input_mask=concatenate(feature.input_mask),
      segment_ids=concatenate(feature.segment_ids),
      label_id=feature.label_id,
      is_real_example=feature.is_real_example)
  return classifier_utils.features_to_tf_example(flat_feature, TASK_NAME)


def file_based_convert_examples_to_features(examples, label_list, max_seq_length, tokenizer,
                                            output_file, max_qa_length):
  """Writes the features of `examples` to a TFRecord file (complete or not at all).

  Records: `input_ids`, `input_mask`, `segment_ids` int64[4 * max_seq_length] (the four
  choices one after the other), `label_ids` int64[1], `is_real_example` int64[1].

  Returns:
    int, the number of records written.
  """
  check_max_qa_length(max_seq_length, max_qa_length)
  with tfrecord_utils.AtomicTFRecordWriter(output_file) as writer:
    for example_index, example in enumerate(examples):
      if example_index % 10000 == 0:
        logging.info("Writing example %d of %d", example_index, len(examples))
      feature = convert_single_example(example_index, example, len(label_list),
                                       max_seq_length, tokenizer, max_qa_length)
      writer.write(features_to_tf_example(feature))
    return writer.num_written


def name_to_features(max_seq_length):
  """Parsing spec of the RACE records (the classifier's, with 4 packed choices)."""
  return classifier_utils.name_to_features(max_seq_length, TASK_NAME, multiple=NUM_CHOICES)


###############################################################################
# Model
###############################################################################


def create_model(albert_config, is_training, input_ids, input_mask, segment_ids, labels,
                 num_labels, use_one_hot_embeddings, max_seq_length, dropout_prob,
                 hub_module):
  """Creates the encoder and the multiple-choice head.

  Dimensions: B = questions in the batch, C = choices (`num_labels`), L = max_seq_length,
  H = hidden size. Every choice goes through the encoder as its own sequence; one shared
  weight vector scores each choice's pooled output, and a softmax over the C scores gives
  the answer.

  Args:
    albert_config: `AlbertConfig` (unused with `hub_module`).
    is_training: bool; enables dropout (encoder and head).
    input_ids, input_mask, segment_ids: int32 Tensors of shape [B, C * L].
    labels: int32 Tensor of shape [B], the right choice.
    num_labels: int, C.
    use_one_hot_embeddings: one-hot matmul embedding lookup (TPU).
    max_seq_length: int, L.
    dropout_prob: float, dropout rate on the pooled output in training.
    hub_module: optional TF-Hub module handle replacing the config-built encoder.

  Returns:
    (loss, per_example_loss, probabilities, logits, predictions):
      loss: float scalar, mean over the batch.
      per_example_loss: float [B], softmax cross-entropy over the C choices.
      probabilities: float [B, C].
      logits: float [B, C].
      predictions: int32 [B], argmax.
  """
  (pooled_output, _) = fine_tuning_utils.create_albert(
      albert_config=albert_config,
      is_training=is_training,
      input_ids=tf.reshape(input_ids, [-1, max_seq_length]),  # [B*C, L]
      input_mask=tf.reshape(input_mask, [-1, max_seq_length]),  # [B*C, L]
      segment_ids=tf.reshape(segment_ids, [-1, max_seq_length]),  # [B*C, L]
      use_one_hot_embeddings=use_one_hot_embeddings,
      use_einsum=True,
      hub_module=hub_module)  # pooled_output: [B*C, H]
  hidden_size = pooled_output.shape[-1]

  # Root-scope names, as in the original's fine-tuned RACE checkpoints.
  output_weights = tf.compat.v1.get_variable(
      "output_weights", [1, hidden_size],
      initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02))
  output_bias = tf.compat.v1.get_variable(
      "output_bias", [1], initializer=tf.compat.v1.zeros_initializer())

  with tf.compat.v1.variable_scope("loss"):
    if is_training:
      pooled_output = tf.nn.dropout(pooled_output, rate=dropout_prob)
    logits = tf.matmul(pooled_output, output_weights, transpose_b=True)  # [B*C, 1]
    logits = tf.nn.bias_add(logits, output_bias)
    logits = tf.reshape(logits, [-1, num_labels])  # [B, C]
    probabilities = tf.nn.softmax(logits, axis=-1)  # [B, C]
    predictions = tf.argmax(probabilities, axis=-1, output_type=tf.int32)  # [B]
    log_probs = tf.nn.log_softmax(logits, axis=-1)
    one_hot_labels = tf.one_hot(tf.reshape(labels, [-1]), depth=num_labels, dtype=tf.float32)
    per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)  # [B]
    loss = tf.reduce_mean(per_example_loss)
    return (loss, per_example_loss, probabilities, logits, predictions)


def model_fn_builder(albert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu, use_one_hot_embeddings,
                     max_seq_length, dropout_prob, hub_module=None):
  """Returns the TPUEstimator `model_fn` for RACE.

  TRAIN: AdamW (the original's RACE runner has no --optimizer), warmup + linear decay.
  EVAL: `eval_accuracy` and `eval_loss`, weighted by `is_real_example`.
  PREDICT: {"probabilities": [B, 4], "predictions": [B]}.
  """
  def create_head(features, is_training):
    return create_model(albert_config, is_training, features["input_ids"],
                        features["input_mask"], features["segment_ids"],
                        features["label_ids"], num_labels, use_one_hot_embeddings,
                        max_seq_length, dropout_prob, hub_module)

  return classifier_utils.head_model_fn_builder(
      create_head, init_checkpoint, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
      TASK_NAME, optimizer="adamw")


###############################################################################
# Test-set accuracy per level
###############################################################################


def prediction_metrics(examples, results):
  """Accuracy and loss over all questions and per school level, from predictions.

  Args:
    examples: the predicted examples in record order; `tfrecord_utils.PaddingInputExample`s
      (TPU batch filler) are skipped, so every real question counts exactly once.
    results: iterable of prediction dicts in the same order, each with "probabilities", a
      float array of shape [4].

  Returns:
    OrderedDict: "eval_accuracy", "eval_loss" (mean softmax cross-entropy) and
    "num_questions" over all real questions, then the same three keys prefixed with
    "<level>_" for each level present ("middle_eval_accuracy", ...).

  Raises:
    RuntimeError: fewer results than real examples.
  """
  per_level = collections.OrderedDict(
      (level, {"labels": [], "predictions": [], "losses": []}) for level in LEVELS)
  num_real = sum(not isinstance(example, tfrecord_utils.PaddingInputExample)
                 for example in examples)
  results = iter(results)
  for position, example in enumerate(examples):
    result = next(results, None)
    if isinstance(example, tfrecord_utils.PaddingInputExample):
      continue
    if result is None:
      raise RuntimeError("Got %d predictions for %d test questions (%d records with padding)."
                         % (position, num_real, len(examples)))
    probabilities = np.asarray(result["probabilities"], dtype=np.float64)  # [C]
    columns = per_level[example.level]
    columns["labels"].append(example.label)
    columns["predictions"].append(int(np.argmax(probabilities)))
    columns["losses"].append(-np.log(max(probabilities[example.label], 1e-30)))

  def summary(columns):
    return {"eval_accuracy": glue_metrics.accuracy(columns["labels"], columns["predictions"]),
            "eval_loss": float(np.mean(columns["losses"])) if columns["losses"] else 0.0,
            "num_questions": len(columns["labels"])}

  everything = {key: list(itertools.chain.from_iterable(
      columns[key] for columns in per_level.values())) for key in ("labels", "predictions",
                                                                    "losses")}
  metrics = collections.OrderedDict(summary(everything))
  for level, columns in per_level.items():
    if columns["labels"]:
      for key, value in summary(columns).items():
        metrics["%s_%s" % (level, key)] = value
  return metrics
