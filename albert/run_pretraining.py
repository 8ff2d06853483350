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
"""ALBERT pretraining: masked language model (MLM) + sentence order prediction (SOP).

Usage (the original's command line):
  python -m albert.run_pretraining --input_file=... --output_dir=... \
      --albert_config_file=... --do_train --do_eval --train_batch_size=4096 \
      --eval_batch_size=64 --max_seq_length=512 --max_predictions_per_seq=20 \
      --optimizer=lamb --learning_rate=.00176 --num_train_steps=125000 \
      --num_warmup_steps=3125 --save_checkpoints_steps=5000

Training resumes from the newest checkpoint in `--output_dir` when restarted. With
`--do_eval` the newest checkpoint is evaluated (after training, or as checkpoints appear when
run as a separate job); metrics go to `eval_results.txt` and the best checkpoint by
`masked_lm_accuracy` is copied to `model.ckpt-best.*`.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import os

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from albert import checkpoint_utils
from albert import dynamic_masking
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import flag_utils
from albert import modeling
from albert import pretraining_heads
from albert import tfrecord_utils
from albert import tokenization

FLAGS = flags.FLAGS


## Required parameters
flag_utils.define_flag(
    flags.DEFINE_string, "albert_config_file", None,
    "The config json file corresponding to the pre-trained ALBERT model. This specifies the model "
    "architecture.")
flag_utils.define_flag(
    flags.DEFINE_string, "input_file", None,
    "Input TF example files (a comma-separated list of files or glob patterns).")
flag_utils.define_flag(
    flags.DEFINE_string, "output_dir", None,
    "The output directory where the model checkpoints will be written.")

## Other parameters
flag_utils.define_flag(
    flags.DEFINE_string, "init_checkpoint", None,
    "Initial checkpoint (usually from a pre-trained ALBERT model).")
flag_utils.define_flag(
    flags.DEFINE_integer, "max_seq_length", 512,
    "The maximum total input sequence length after WordPiece/SentencePiece tokenization. "
    "Sequences longer than this were truncated, and sequences shorter than this were padded, when "
    "the input files were created. Must match the data.", lower_bound=3)
flag_utils.define_flag(
    flags.DEFINE_integer, "max_predictions_per_seq", 20,
    "Maximum number of masked LM predictions per sequence, as written in the input files (the "
    "length of their masked_lm_* features). Must match the data.", lower_bound=1)
flag_utils.define_flag(flags.DEFINE_bool, "do_train", True, "Whether to run training.")
flag_utils.define_flag(flags.DEFINE_bool, "do_eval", False, "Whether to run eval on the dev set.")
flag_utils.define_flag(
    flags.DEFINE_integer, "train_batch_size", 4096, "Total batch size for training.",
    lower_bound=1)
flag_utils.define_flag(flags.DEFINE_integer, "eval_batch_size", 64, "Total batch size for eval.",
                       lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_enum, "optimizer", "lamb",
    "The optimizer for training.", enum_values=["adamw", "lamb"])
flag_utils.define_flag(
    flags.DEFINE_float, "learning_rate", 0.00176, "The initial learning rate (peak of the warmup).",
    lower_bound=0.0)
flag_utils.define_flag(
    flags.DEFINE_float, "poly_power", 1.0, "The power of the polynomial learning-rate decay.",
    lower_bound=0.0)
flag_utils.define_flag(flags.DEFINE_integer, "num_train_steps", 125000, "Number of training steps.",
                       lower_bound=1)
flag_utils.define_flag(flags.DEFINE_integer, "num_warmup_steps", 3125, "Number of warmup steps.",
                       lower_bound=0)
flag_utils.define_flag(
    flags.DEFINE_integer, "start_warmup_step", 0, "The global step at which the warmup starts.",
    lower_bound=0)
flag_utils.define_flag(
    flags.DEFINE_integer, "save_checkpoints_steps", 5000, "How often to save the model checkpoint.",
    lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_integer, "keep_checkpoint_max", 5, "How many checkpoints to keep (0 keeps all).",
    lower_bound=0)
flag_utils.define_flag(flags.DEFINE_integer, "max_eval_steps", 100, "Maximum number of eval steps.",
                       lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_bool, "init_from_group0", False,
    "Whether to initialize every parameter group of the model from group 0 of --init_checkpoint "
    "(e.g. to grow a 1-group checkpoint into a G-group model).")
# A float, as in the original (so "--masked_lm_budget=0.0" keeps working); it must be whole.
flag_utils.define_flag(
    flags.DEFINE_float, "masked_lm_budget", 0,
    "0 (default): use the masks written by create_pretraining_data (offline masking). K > 0: "
    "dynamic masking -- every time an example is read, new masks are drawn from its "
    "token_boundary feature with the offline rules (whole words, n-grams up to --ngram with "
    "p(n) ~ 1/n, --masked_lm_prob of the real tokens, 80/10/10), and K is the number of "
    "masked-LM prediction slots per sequence (the most tokens masked; it replaces "
    "max_predictions_per_seq for the model). Offline masks in the files are undone first. Needs "
    "the tokenizer the data was made with (--spm_model_file or --vocab_file).", lower_bound=0.0)
flags.register_validator(
    "masked_lm_budget", lambda value: value is None or float(value).is_integer(),
    message="--masked_lm_budget must be a whole number of prediction slots (e.g. 0 or 20).")
# Added flags for dynamic masking (not in the original, whose budget path was unfinished).
flag_utils.define_flag(
    flags.DEFINE_string, "spm_model_file", None,
    "With --masked_lm_budget > 0: the SentencePiece model the data was made with (for the ids "
    "of [CLS], [SEP], [MASK]).")
flag_utils.define_flag(
    flags.DEFINE_string, "vocab_file", None,
    "With --masked_lm_budget > 0: the WordPiece vocab the data was made with, if it was not made "
    "with SentencePiece.")
flag_utils.define_flag(
    flags.DEFINE_float, "masked_lm_prob", 0.15,
    "With --masked_lm_budget > 0: the fraction of the real tokens to mask (before the budget "
    "cap), as create_pretraining_data's flag.", lower_bound=0.0, upper_bound=1.0)
flag_utils.define_flag(
    flags.DEFINE_integer, "ngram", 3,
    "With --masked_lm_budget > 0: the longest masked n-gram in whole words.", lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_bool, "favor_shorter_ngram", True,
    "With --masked_lm_budget > 0: whether shorter n-grams are likelier (p(n) ~ 1/n).")
estimator_utils.define_tpu_flags()

# Eval masks are drawn with a fixed seed so every checkpoint is scored on the same masks.
DYNAMIC_EVAL_SEED = 12345
# A separate evaluation job waits this long for a new checkpoint before giving up (unless
# training has marked itself finished).
EVAL_POLL_SECONDS = 10
EVAL_MAX_WAIT_SECONDS = 3600
CONFIG_FILE_NAME = "albert_config.json"


def num_of_initialize_groups(albert_config, init_from_group0):
  """How many assignment maps `get_assignment_map_from_checkpoint` builds (reference §6.3)."""
  if not init_from_group0:
    return 1
  if getattr(albert_config, "net_structure_type", 0) > 0:
    return albert_config.num_hidden_layers
  return albert_config.num_hidden_groups


def model_fn_builder(albert_config, init_checkpoint, learning_rate, num_train_steps,
                     num_warmup_steps, use_tpu, use_one_hot_embeddings, optimizer,
                     poly_power, start_warmup_step, init_from_group0=False):
  """Returns the TPUEstimator `model_fn` for pretraining.

  Args:
    albert_config: `modeling.AlbertConfig`.
    init_checkpoint: checkpoint prefix to initialize from, or None.
    learning_rate: float, peak learning rate.
    num_train_steps: int, total training steps (the learning rate reaches 0 there).
    num_warmup_steps: int, linear warmup steps.
    use_tpu: bool; on TPU, checkpoint initialization runs in a Scaffold function.
    use_one_hot_embeddings: bool, one-hot matmul embedding lookup (faster on TPU).
    optimizer: "adamw" or "lamb".
    poly_power: float, polynomial decay power.
    start_warmup_step: int, step at which warmup starts.
    init_from_group0: bool, initialize every group from group 0 of the checkpoint.

  Returns:
    model_fn(features, labels, mode, params) -> TPUEstimatorSpec.
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """Builds the pretraining graph for TRAIN or EVAL."""
    estimator_utils.log_features(features)
    if mode not in (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL):
      raise ValueError("Only TRAIN and EVAL modes are supported: %s" % (mode,))

    input_ids = features["input_ids"]
    input_mask = features["input_mask"]
    segment_ids = features["segment_ids"]
    masked_lm_positions = features["masked_lm_positions"]
    masked_lm_ids = features["masked_lm_ids"]
    masked_lm_weights = features["masked_lm_weights"]
    # The original feature name; it holds the sentence-order label (0 = in order, 1 = swapped).
    sentence_order_labels = features["next_sentence_labels"]

    is_training = (mode == tf.estimator.ModeKeys.TRAIN)
    model = modeling.AlbertModel(
        config=albert_config,
        is_training=is_training,
        input_ids=input_ids,
        input_mask=input_mask,
        token_type_ids=segment_ids,
        use_one_hot_embeddings=use_one_hot_embeddings)

    (masked_lm_loss, masked_lm_example_loss,
     masked_lm_log_probs) = pretraining_heads.get_masked_lm_output(
         albert_config, model.get_sequence_output(), model.get_embedding_table(),
         masked_lm_positions, masked_lm_ids, masked_lm_weights)
    (sentence_order_loss, sentence_order_example_loss,
     sentence_order_log_probs) = pretraining_heads.get_sentence_order_output(
         albert_config, model.get_pooled_output(), sentence_order_labels)
    total_loss = masked_lm_loss + sentence_order_loss

    scaffold_fn = checkpoint_utils.init_from_checkpoint(
        init_checkpoint, use_tpu, num_of_initialize_groups(albert_config, init_from_group0))

    if mode == tf.estimator.ModeKeys.TRAIN:
      return estimator_utils.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
          optimizer=optimizer, poly_power=poly_power, start_warmup_step=start_warmup_step,
          scaffold_fn=scaffold_fn, summaries={
              "total_loss": total_loss,
              "masked_lm_loss": masked_lm_loss,
              "sentence_order_loss": sentence_order_loss,
          })

    eval_metrics = (metric_fn, [
        masked_lm_example_loss, masked_lm_log_probs, masked_lm_ids, masked_lm_weights,
        sentence_order_example_loss, sentence_order_log_probs, sentence_order_labels
    ])
    return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
        mode=mode, loss=total_loss, eval_metrics=eval_metrics, scaffold_fn=scaffold_fn)

  return model_fn


def metric_fn(masked_lm_example_loss, masked_lm_log_probs, masked_lm_ids, masked_lm_weights,
              sentence_order_example_loss, sentence_order_log_probs, sentence_order_labels):
  """The four pretraining eval metrics (reference §6.3).

  Args:
    masked_lm_example_loss: float Tensor of shape [batch_size * num_positions].
    masked_lm_log_probs: float Tensor of shape [batch_size * num_positions, vocab_size].
    masked_lm_ids: int32 Tensor of shape [batch_size, num_positions].
    masked_lm_weights: float Tensor of shape [batch_size, num_positions].
    sentence_order_example_loss: float Tensor of shape [batch_size].
    sentence_order_log_probs: float Tensor of shape [batch_size, 2].
    sentence_order_labels: int32 Tensor of shape [batch_size, 1].

  Returns:
    dict metric name -> (value, update_op): `masked_lm_accuracy` and `masked_lm_loss`
    (weighted by masked_lm_weights, so padding slots do not count), `sentence_order_accuracy`
    and `sentence_order_loss`.
  """
  masked_lm_log_probs = tf.reshape(masked_lm_log_probs,
                                   [-1, masked_lm_log_probs.shape[-1]])  # [B*P, V]
  masked_lm_predictions = tf.argmax(masked_lm_log_probs, axis=-1, output_type=tf.int32)
  masked_lm_example_loss = tf.reshape(masked_lm_example_loss, [-1])  # [B*P]
  masked_lm_ids = tf.reshape(masked_lm_ids, [-1])  # [B*P]
  masked_lm_weights = tf.reshape(masked_lm_weights, [-1])  # [B*P]
  masked_lm_accuracy = tf.compat.v1.metrics.accuracy(
      labels=masked_lm_ids, predictions=masked_lm_predictions, weights=masked_lm_weights)
  masked_lm_mean_loss = tf.compat.v1.metrics.mean(
      values=masked_lm_example_loss, weights=masked_lm_weights)

  sentence_order_log_probs = tf.reshape(sentence_order_log_probs, [-1, 2])  # [B, 2]
  sentence_order_predictions = tf.argmax(sentence_order_log_probs, axis=-1,
                                         output_type=tf.int32)  # [B]
  sentence_order_labels = tf.reshape(sentence_order_labels, [-1])  # [B]
  sentence_order_accuracy = tf.compat.v1.metrics.accuracy(
      labels=sentence_order_labels, predictions=sentence_order_predictions)
  sentence_order_mean_loss = tf.compat.v1.metrics.mean(values=sentence_order_example_loss)

  return {
      "masked_lm_accuracy": masked_lm_accuracy,
      "masked_lm_loss": masked_lm_mean_loss,
      "sentence_order_accuracy": sentence_order_accuracy,
      "sentence_order_loss": sentence_order_mean_loss,
  }


def name_to_features(max_seq_length, max_predictions_per_seq, masked_lm_budget=0):
  """The features parsed from the input files (reference §5.6, §6.2).

  With `masked_lm_budget > 0` `token_boundary` is parsed as well; the `masked_lm_*` features
  then only serve to undo offline masks, so they default to zeros when a file lacks them.
  """
  features = {
      "input_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([max_seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
      "next_sentence_labels": tf.io.FixedLenFeature([1], tf.int64),
  }
  if masked_lm_budget > 0:
    zero_ids = [0] * max_predictions_per_seq
    features.update({
        "token_boundary": tf.io.FixedLenFeature([max_seq_length], tf.int64),
        "masked_lm_positions": tf.io.FixedLenFeature(
            [max_predictions_per_seq], tf.int64, default_value=zero_ids),
        "masked_lm_ids": tf.io.FixedLenFeature(
            [max_predictions_per_seq], tf.int64, default_value=zero_ids),
        "masked_lm_weights": tf.io.FixedLenFeature(
            [max_predictions_per_seq], tf.float32,
            default_value=[0.0] * max_predictions_per_seq),
    })
  else:
    features.update({
        "masked_lm_positions": tf.io.FixedLenFeature([max_predictions_per_seq], tf.int64),
        "masked_lm_ids": tf.io.FixedLenFeature([max_predictions_per_seq], tf.int64),
        "masked_lm_weights": tf.io.FixedLenFeature([max_predictions_per_seq], tf.float32),
    })
  return features


def input_fn_builder(input_files, max_seq_length, max_predictions_per_seq, is_training,
                     num_cpu_threads=4, masked_lm_budget=0, vocab_size=None, special_ids=None,
                     masked_lm_prob=0.15, ngram=3, favor_shorter_ngram=True):
  """Returns the Estimator `input_fn` over pretraining TFRecord files.

  Training reads forever (files shuffled and interleaved, records shuffled in a buffer of
  100); evaluation reads the files in order, repeated so that `max_eval_steps` batches always
  exist. Both drop the last partial batch (TPUs need static shapes).

  Args:
    input_files: list of TFRecord paths.
    max_seq_length: int, length of the sequence features in the files.
    max_predictions_per_seq: int, length of the masked_lm_* features in the files.
    is_training: bool.
    num_cpu_threads: int, parallel readers/decoders.
    masked_lm_budget: int; > 0 masks on the fly with that many prediction slots.
    vocab_size: int, needed for dynamic masking (random replacement ids).
    special_ids: `dynamic_masking.SpecialTokenIds` of the data's tokenizer, needed for dynamic
      masking.
    masked_lm_prob, ngram, favor_shorter_ngram: the dynamic masking rules (as the flags of
      create_pretraining_data).

  Returns:
    input_fn(params) -> tf.data.Dataset.
  """
  example_map_fn = None
  if masked_lm_budget > 0:
    if not vocab_size or special_ids is None:
      raise ValueError("Dynamic masking (masked_lm_budget > 0) needs the vocab_size and the "
                       "ids of the special tokens.")
    # Masking costs about ten times the decoding (benchmarks/RESULTS.md), so let it use every
    # core of the input host rather than the 4 decoders of the offline path.
    num_cpu_threads = max(num_cpu_threads, os.cpu_count() or 1)
    example_map_fn = dynamic_masking.example_map_fn_builder(
        masked_lm_budget, vocab_size, special_ids, masked_lm_prob=masked_lm_prob, ngram=ngram,
        favor_shorter_ngram=favor_shorter_ngram,
        seed=None if is_training else DYNAMIC_EVAL_SEED)
  return tfrecord_utils.file_based_input_fn_builder(
      input_files,
      name_to_features(max_seq_length, max_predictions_per_seq, masked_lm_budget),
      is_training=is_training,
      drop_remainder=True,
      shuffle_buffer_size=100,
      num_cpu_threads=num_cpu_threads,
      repeat_eval=not is_training,
      example_map_fn=example_map_fn)


def validate_flags_or_throw():
  """Checks the flags, the config and the input files; nothing is written before.

  Range checks of single numeric flags happen earlier, while absl parses the command line.

  Returns:
    (albert_config, input_files, special_ids): special_ids is None without dynamic masking.
  """
  flag_utils.require_one_of("do_train", "do_eval")
  flag_utils.require_flags("albert_config_file", "input_file", "output_dir")
  albert_config = modeling.AlbertConfig.from_json_file(FLAGS.albert_config_file)
  fine_tuning_utils.check_max_seq_length(FLAGS.max_seq_length, albert_config,
                                         FLAGS.albert_config_file)
  input_files = tfrecord_utils.expand_file_patterns(FLAGS.input_file)

  masked_lm_budget = int(FLAGS.masked_lm_budget)
  special_ids = None
  expected_lengths = {"input_ids": (FLAGS.max_seq_length, "--max_seq_length")}
  if masked_lm_budget > 0:
    expected_lengths["token_boundary"] = (FLAGS.max_seq_length, "--max_seq_length")
    if not (FLAGS.spm_model_file or FLAGS.vocab_file):
      raise ValueError(
          "--masked_lm_budget=%d (dynamic masking) needs the tokenizer the data was made with, "
          "for the ids of [CLS], [SEP] and [MASK]: pass --spm_model_file (or --vocab_file for "
          "WordPiece data)." % masked_lm_budget)
    tokenizer = tokenization.FullTokenizer(
        vocab_file=FLAGS.vocab_file, do_lower_case=True, spm_model_file=FLAGS.spm_model_file)
    special_ids = dynamic_masking.special_token_ids(tokenizer)
  else:
    expected_lengths["masked_lm_positions"] = (FLAGS.max_predictions_per_seq,
                                               "--max_predictions_per_seq")
  first_examples = tfrecord_utils.check_record_files(input_files, expected_lengths)
  for path, example in first_examples:
    input_ids = example.features.feature["input_ids"].int64_list.value
    if max(input_ids) >= albert_config.vocab_size:
      raise ValueError(
          "%s: token id %d does not fit vocab_size=%d of %s; was the data made with another "
          "tokenizer?" % (path, max(input_ids), albert_config.vocab_size,
                          FLAGS.albert_config_file))
    if special_ids is not None and input_ids[0] != special_ids.cls_id:
      raise ValueError(
          "%s: records start with id %d, but [CLS] is %d in the tokenizer given (%s): pass the "
          "tokenizer the data was made with." % (path, input_ids[0], special_ids.cls_id,
                                                 FLAGS.spm_model_file or FLAGS.vocab_file))
  return albert_config, input_files, special_ids


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  albert_config, input_files, special_ids = validate_flags_or_throw()

  tf.io.gfile.makedirs(FLAGS.output_dir)
  # The config beside the checkpoints: export_checkpoints, export_to_tfhub and the fine-tuning
  # runners can then use the output directory as it is.
  tfrecord_utils.atomic_write_text(os.path.join(FLAGS.output_dir, CONFIG_FILE_NAME),
                                   albert_config.to_json_string())
  logging.info("*** Input Files ***")
  for input_file in input_files:
    logging.info("  %s", input_file)
  masked_lm_budget = int(FLAGS.masked_lm_budget)
  if masked_lm_budget > 0:
    logging.info("Dynamic masking: up to %d masked-LM predictions per sequence, new masks "
                 "every epoch (%s).", masked_lm_budget, special_ids)

  model_fn = model_fn_builder(
      albert_config=albert_config,
      init_checkpoint=FLAGS.init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=FLAGS.num_train_steps,
      num_warmup_steps=FLAGS.num_warmup_steps,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      optimizer=FLAGS.optimizer,
      poly_power=FLAGS.poly_power,
      start_warmup_step=FLAGS.start_warmup_step,
      init_from_group0=FLAGS.init_from_group0)
  estimator = estimator_utils.build_estimator_from_flags(
      model_fn, FLAGS, keep_checkpoint_max=FLAGS.keep_checkpoint_max)

  def build_input_fn(is_training):
    return input_fn_builder(
        input_files, FLAGS.max_seq_length, FLAGS.max_predictions_per_seq, is_training,
        masked_lm_budget=masked_lm_budget, vocab_size=albert_config.vocab_size,
        special_ids=special_ids, masked_lm_prob=FLAGS.masked_lm_prob, ngram=FLAGS.ngram,
        favor_shorter_ngram=FLAGS.favor_shorter_ngram)

  if FLAGS.do_train:
    logging.info("***** Running training *****")
    logging.info("  Batch size = %d", FLAGS.train_batch_size)
    estimator_utils.train(
        estimator, build_input_fn(is_training=True), num_train_steps=FLAGS.num_train_steps,
        batch_size=FLAGS.train_batch_size, seq_length=FLAGS.max_seq_length,
        model_dir=FLAGS.output_dir, log_every_n_steps=min(100, FLAGS.save_checkpoints_steps))

  if FLAGS.do_eval:
    logging.info("***** Running evaluation *****")
    logging.info("  Batch size = %d", FLAGS.eval_batch_size)
    # Deviation (docs/DEVIATIONS.md): the sweep ends when the final checkpoint has been
    # evaluated, when training has marked itself finished and every checkpoint is evaluated,
    # or when no new checkpoint appears within EVAL_MAX_WAIT_SECONDS.
    checkpoint_utils.sweep_checkpoints(
        FLAGS.output_dir,
        checkpoint_utils.estimator_evaluate_fn(estimator, build_input_fn(is_training=False),
                                               FLAGS.max_eval_steps),
        metric_key="masked_lm_accuracy",
        final_step=FLAGS.num_train_steps,
        results_file=os.path.join(FLAGS.output_dir, "eval_results.txt"),
        state_file=os.path.join(FLAGS.output_dir, "best_trial.txt"),
        poll_seconds=EVAL_POLL_SECONDS,
        max_wait_seconds=EVAL_MAX_WAIT_SECONDS,
        keep_only_best=False,
        latest_only=True)


if __name__ == "__main__":
  flags.mark_flag_as_required("input_file")
  flags.mark_flag_as_required("albert_config_file")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
