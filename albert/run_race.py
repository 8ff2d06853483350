# coding=utf-8
"""Fine-tunes ALBERT on RACE: train, sweep checkpoints, test-set accuracy, export a SavedModel.

  python -m albert.run_race --albert_config_file=albert_base/albert_config.json \
      --output_dir=out/race --train_file=out/race/train.tf_record \
      --eval_file=out/race/eval.tf_record --data_dir=data \
      --init_checkpoint=albert_base/model.ckpt-best \
      --spm_model_file=albert_base/30k-clean.model \
      --max_seq_length=512 --max_qa_length=128 --do_train --do_eval \
      --train_batch_size=32 --eval_batch_size=8 --learning_rate=1e-5 --train_step=12000 \
      --warmup_step=1000 --save_checkpoints_steps=100

Data: `<data_dir>/RACE/{train,dev,test}/{middle,high}/`, either the official release (one JSON
article per *.txt file) or a concatenated all.txt per directory (see race_utils.RaceProcessor).

Outputs in --output_dir:
  train.tf_record, eval.tf_record, predict.tf_record
                           feature caches (or at --train_file, --eval_file, --predict_file),
                           each with a .fingerprint.json of the settings that made it
  eval_results.txt         metrics of every evaluated checkpoint, then "best = ..."
  best_trial.txt           "global_step:best_step:best_value" (lets a rerun resume)
  model.ckpt-best.*        the best checkpoint on the dev set
  predict_results.txt      test-set accuracy and loss over all questions, per level (middle,
                           high), question counts, and the dev "best = ..." line
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import os

from absl import app
from absl import flags
import tensorflow as tf

from albert import checkpoint_utils
from albert import classifier_utils
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import flag_utils
from albert import race_utils
from albert import tfrecord_utils

logging = tf.compat.v1.logging

# The original run_race's defaults of the shared fine-tuning flags whose defaults differ
# between runners (the common ones: flag_utils.COMMON_FINE_TUNING_DEFAULTS).
FLAG_DEFAULTS = {
    "data_dir": None,
    "max_seq_length": 512,
    "do_train": True,
    "do_eval": True,
    "do_predict": False,
    "train_batch_size": 32,
    "eval_batch_size": 8,
    "predict_batch_size": 8,
    "learning_rate": 1e-5,
    "train_step": 12000,
    "warmup_step": 1000,
    "save_checkpoints_steps": 100,
}
flag_utils.define_fine_tuning_flags(FLAG_DEFAULTS)
flag_utils.define_flag(flags.DEFINE_string, "task_name", "race", "The name of the task to train.")
flag_utils.define_flag(
    flags.DEFINE_string, "train_file", None,
    "Path of the training features (TFRecord); written from --data_dir if absent or made "
    "with other settings. Default: <output_dir>/train.tf_record.")
flag_utils.define_flag(
    flags.DEFINE_string, "eval_file", None,
    "Path of the dev features (TFRecord), as --train_file. Default: "
    "<output_dir>/eval.tf_record.")
flag_utils.define_flag(
    flags.DEFINE_string, "predict_file", None,
    "Path of the test features (TFRecord), as --train_file. Default: "
    "<output_dir>/predict.tf_record.")
flag_utils.define_flag(
    flags.DEFINE_float, "dropout_prob", 0.1, "Dropout probability of the multiple-choice head.",
    lower_bound=0.0, upper_bound=1.0)
flag_utils.define_flag(
    flags.DEFINE_integer, "max_qa_length", 128,
    "The maximum number of tokens of a question completed with one option; longer ones keep "
    "their last tokens.", lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_integer, "num_keep_checkpoint", 5,
    "How many checkpoints to keep (unused, as in the original: every checkpoint is kept until "
    "the evaluation sweep prunes it).", lower_bound=0)
flag_utils.define_flag(flags.DEFINE_bool, "high_only", False,
                       "Whether to only use the high-school questions.")
flag_utils.define_flag(flags.DEFINE_bool, "middle_only", False,
                       "Whether to only use the middle-school questions.")
flag_utils.define_flag(
    flags.DEFINE_string, "export_dir", None,
    "The directory where the exported SavedModel will be stored.")
estimator_utils.define_tpu_flags()

FLAGS = flags.FLAGS

# How long an evaluation sweep waits for a checkpoint of a training job that has not marked
# itself finished (e.g. one running in parallel) before it gives up.
EVAL_MAX_WAIT_SECONDS = 600
# The original's RACE sweep looks for new checkpoints every second.
EVAL_POLL_SECONDS = 1
PREDICT_RESULTS_FILE_NAME = "predict_results.txt"

# What the phases of `main` share: the processor, its tokenizer and the model's set-up.
Task = collections.namedtuple("Task", ["processor", "label_list", "tokenizer", "albert_config"])

# Split name -> (processor reader, cache flag, default cache file name).
_SPLITS = {
    "train": ("get_train_examples", "train_file", "train.tf_record"),
    "dev": ("get_dev_examples", "eval_file", "eval.tf_record"),
    "test": ("get_test_examples", "predict_file", "predict.tf_record"),
}


###############################################################################
# Phase 1: validation (nothing is written before it has passed)
###############################################################################


def _needed_splits():
  return [split for split, wanted in (("train", FLAGS.do_train), ("dev", FLAGS.do_eval),
                                      ("test", FLAGS.do_predict)) if wanted]


def validate_flags_or_throw():
  """Checks every flag, the tokenizer and the data directories; raises before writing.

  Range checks of single numeric flags happen earlier, while absl parses the command line.

  Returns:
    `Task`.
  """
  flag_utils.require_one_of("do_train", "do_eval", "do_predict", "export_dir")
  flag_utils.require_flags("data_dir", "output_dir")
  if FLAGS.task_name.lower() != race_utils.TASK_NAME:
    raise ValueError("Unknown task %r; run_race only knows task_name 'race'." %
                     FLAGS.task_name)
  if FLAGS.dropout_prob >= 1.0:
    raise ValueError("--dropout_prob=%r must be below 1." % FLAGS.dropout_prob)
  race_utils.check_max_qa_length(FLAGS.max_seq_length, FLAGS.max_qa_length)
  albert_config, tokenizer = fine_tuning_utils.load_config_and_tokenizer(
      FLAGS.albert_config_file, FLAGS.albert_hub_module_handle, FLAGS.max_seq_length,
      FLAGS.vocab_file, FLAGS.spm_model_file, FLAGS.do_lower_case, FLAGS.do_train,
      FLAGS.init_checkpoint)
  # The tokenizer's lower-casing: --do_lower_case, or what a hub module's tokenization_info
  # says (as run_classifier).
  processor = race_utils.RaceProcessor(
      use_spm=tokenizer.sp_model is not None, do_lower_case=tokenizer.do_lower_case,
      high_only=FLAGS.high_only, middle_only=FLAGS.middle_only)
  for split in _needed_splits():
    processor.level_files(processor.split_dir(FLAGS.data_dir, split))  # Raises naming a dir.
  return Task(processor, processor.get_labels(), tokenizer, albert_config)


###############################################################################
# Phase 2: data
###############################################################################


def feature_file(split):
  """The TFRecord cache of a split: its flag (--train_file, ...) or one in --output_dir."""
  _, flag_name, default_name = _SPLITS[split]
  return FLAGS[flag_name].value or os.path.join(FLAGS.output_dir, default_name)


def build_feature_cache(task, split, pad_to_multiple_of=None, examples=None):
  """Writes (or reuses) the TFRecord features of one split.

  Args:
    task: `Task`.
    split: "train", "dev" or "test".
    pad_to_multiple_of: pad with `PaddingInputExample`s to a multiple of this (TPU).
    examples: the split's examples if the caller has read them already (else they are read
      from --data_dir only when the cache must be built).

  Returns:
    (path, metadata): the cache path and {"num_examples": records, "num_actual_examples":
    real questions}.
  """
  processor = task.processor
  split_dir = processor.split_dir(FLAGS.data_dir, split)
  data_files = [path for _, _, files, _ in processor.level_files(split_dir) for path in files]
  # Deviation (docs/DEVIATIONS.md): caches are rebuilt when what shaped them changes.
  fingerprint = tfrecord_utils.feature_cache_fingerprint(
      task.tokenizer, [], data_file_set=tfrecord_utils.file_set_identity(data_files),
      task_name=race_utils.TASK_NAME, split=split, levels=processor.levels,
      max_seq_length=FLAGS.max_seq_length, max_qa_length=FLAGS.max_qa_length,
      do_lower_case=task.tokenizer.do_lower_case, pad_to_multiple_of=pad_to_multiple_of)

  def build(tmp_path):
    split_examples = examples
    if split_examples is None:
      split_examples = getattr(processor, _SPLITS[split][0])(FLAGS.data_dir)
    num_written = race_utils.file_based_convert_examples_to_features(
        tfrecord_utils.pad_examples(split_examples, pad_to_multiple_of), task.label_list,
        FLAGS.max_seq_length, task.tokenizer, tmp_path, FLAGS.max_qa_length)
    return {"num_examples": num_written, "num_actual_examples": len(split_examples)}

  path = feature_file(split)
  return path, tfrecord_utils.ensure_feature_cache(path, fingerprint, build)


def input_fn_for(record_file, is_training, batch_size):
  """The input_fn over one feature file (4 packed choices per record).

  Training drops the last partial batch; evaluation and prediction keep every question,
  except on TPU, whose padded files are whole batches already.
  """
  return classifier_utils.file_based_input_fn_builder(
      input_file=record_file,
      seq_length=FLAGS.max_seq_length,
      is_training=is_training,
      drop_remainder=is_training or FLAGS.use_tpu,
      task_name=race_utils.TASK_NAME,
      use_tpu=FLAGS.use_tpu,
      bsz=batch_size,
      multiple=race_utils.NUM_CHOICES)


def _log_counts(phase, metadata):
  logging.info("***** Running %s *****", phase)
  logging.info("  Num questions = %d (%d records, %d padding)",
               metadata["num_actual_examples"], metadata["num_examples"],
               metadata["num_examples"] - metadata["num_actual_examples"])


###############################################################################
# Phases 3-6: train, evaluate, predict, export
###############################################################################


def train(task, estimator):
  """Trains on the train split to --train_step."""
  train_file, metadata = build_feature_cache(task, "train")
  _log_counts("training", metadata)
  logging.info("  Batch size = %d, num steps = %d", FLAGS.train_batch_size, FLAGS.train_step)
  estimator_utils.train(
      estimator, input_fn_for(train_file, True, FLAGS.train_batch_size),
      num_train_steps=FLAGS.train_step, batch_size=FLAGS.train_batch_size,
      # Every question is 4 sequences: tokens/sec counts all of them.
      seq_length=race_utils.NUM_CHOICES * FLAGS.max_seq_length, model_dir=FLAGS.output_dir,
      log_every_n_steps=min(100, FLAGS.save_checkpoints_steps))


def evaluate(task, estimator):
  """Evaluates every checkpoint on the dev split; keeps the best as model.ckpt-best."""
  # TPUs need fixed batches: pad with fake questions (weight 0) instead of dropping real ones.
  eval_file, metadata = build_feature_cache(
      task, "dev", pad_to_multiple_of=FLAGS.eval_batch_size if FLAGS.use_tpu else None)
  _log_counts("evaluation", metadata)
  eval_steps = metadata["num_examples"] // FLAGS.eval_batch_size if FLAGS.use_tpu else None
  evaluate_fn = checkpoint_utils.estimator_evaluate_fn(
      estimator, input_fn_for(eval_file, False, FLAGS.eval_batch_size), eval_steps)
  # Deviation (docs/DEVIATIONS.md): the sweep always ends.
  checkpoint_utils.sweep_checkpoints(
      model_dir=FLAGS.output_dir,
      evaluate_fn=evaluate_fn,
      metric_key="eval_accuracy",
      final_step=FLAGS.train_step,
      results_file=os.path.join(FLAGS.output_dir, "eval_results.txt"),
      state_file=_best_trial_file(),
      poll_seconds=EVAL_POLL_SECONDS,
      max_wait_seconds=EVAL_MAX_WAIT_SECONDS)


def predict(task, estimator):
  """Writes predict_results.txt: test accuracy of the best (or newest) checkpoint.

  # Deviation (docs/DEVIATIONS.md): the original runs estimator.evaluate on the test set and
  # fails off TPU (predict_steps undefined) and without --do_eval (best_perf undefined).
  """
  # The labels and levels of the records come from the examples, in record order.
  examples = task.processor.get_test_examples(FLAGS.data_dir)
  pad_to_multiple_of = FLAGS.predict_batch_size if FLAGS.use_tpu else None
  predict_file, metadata = build_feature_cache(task, "test", pad_to_multiple_of, examples)
  _log_counts("prediction", metadata)
  checkpoint_path = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                               FLAGS.init_checkpoint)
  results = estimator.predict(
      input_fn=input_fn_for(predict_file, False, FLAGS.predict_batch_size),
      checkpoint_path=checkpoint_path)
  metrics = race_utils.prediction_metrics(
      tfrecord_utils.pad_examples(examples, pad_to_multiple_of), results)
  reader = tf.train.load_checkpoint(checkpoint_path)
  if reader.has_tensor("global_step"):
    metrics["global_step"] = int(reader.get_tensor("global_step"))
  _, best_step, best_value = checkpoint_utils.read_best_trial(_best_trial_file())
  path = os.path.join(FLAGS.output_dir, PREDICT_RESULTS_FILE_NAME)
  tfrecord_utils.atomic_write_text(path, format_predict_results(metrics, best_step, best_value))
  logging.info("Test accuracy of %s: %s (%d questions); wrote %s", checkpoint_path,
               metrics["eval_accuracy"], metrics["num_questions"], path)


def export(estimator):
  """Exports a SavedModel of the best (or newest) checkpoint to --export_dir."""
  checkpoint_path = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                               FLAGS.init_checkpoint)
  tf.io.gfile.makedirs(FLAGS.export_dir)
  export_path = estimator.export_saved_model(
      FLAGS.export_dir, serving_input_receiver_fn_builder(FLAGS.max_seq_length),
      checkpoint_path=checkpoint_path)
  logging.info("Exported SavedModel of %s to %s", checkpoint_path, export_path)


###############################################################################
# Output formats
###############################################################################


def _best_trial_file():
  return os.path.join(FLAGS.output_dir, "best_trial.txt")


def format_predict_results(metrics, best_step=None, best_value=None):
  """The text of predict_results.txt.

  As the original: a header line, "key = value" lines in sorted key order, then
  "best = ..." with the best dev accuracy (here also its step, as in eval_results.txt; the
  line is left out when no dev evaluation was recorded). The keys are those of
  `race_utils.prediction_metrics` plus `global_step`:
    eval_accuracy, eval_loss, num_questions                  all test questions read
    middle_eval_accuracy, middle_eval_loss, middle_num_questions   per level read
    high_eval_accuracy, high_eval_loss, high_num_questions
  """
  lines = ["***** Predict results *****"]
  lines += ["%s = %s" % (key, metrics[key]) for key in sorted(metrics)]
  if best_step is not None:
    lines.append("best = %s (step %d)" % (best_value, best_step))
  return "\n".join(lines) + "\n"


def serving_input_receiver_fn_builder(max_seq_length):
  """Returns the SavedModel's serving input fn: serialized `tf.train.Example`s.

  Each example holds int64 `input_ids`, `input_mask`, `segment_ids` of length 4 * L (the
  four choices of one question, the layout of the TFRecords); labels are not needed.
  """
  name_to_features = race_utils.name_to_features(max_seq_length)
  return estimator_utils.serialized_example_receiver_fn_builder(
      {name: name_to_features[name] for name in ("input_ids", "input_mask", "segment_ids")},
      constant_features={"is_real_example": (1, tf.int32), "label_ids": (0, tf.int32)})


###############################################################################
# main
###############################################################################


def build_estimator(task):
  """The run's TPUEstimator over the RACE model_fn."""
  model_fn = race_utils.model_fn_builder(
      albert_config=task.albert_config,
      num_labels=len(task.label_list),
      init_checkpoint=FLAGS.init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=FLAGS.train_step,
      num_warmup_steps=FLAGS.warmup_step,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      max_seq_length=FLAGS.max_seq_length,
      dropout_prob=FLAGS.dropout_prob,
      hub_module=FLAGS.albert_hub_module_handle)
  # Every checkpoint is kept, as in the original: the evaluation sweep prunes them.
  return estimator_utils.build_estimator_from_flags(model_fn, FLAGS, keep_checkpoint_max=0)


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  task = validate_flags_or_throw()
  tf.io.gfile.makedirs(FLAGS.output_dir)
  estimator = build_estimator(task)
  if FLAGS.do_train:
    train(task, estimator)
  if FLAGS.do_eval:
    evaluate(task, estimator)
  if FLAGS.do_predict:
    predict(task, estimator)
  if FLAGS.export_dir:
    export(estimator)


if __name__ == "__main__":
  flags.mark_flag_as_required("data_dir")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
