# coding=utf-8
"""Fine-tunes ALBERT on a GLUE task: train, sweep checkpoints, predict, export a SavedModel.

  python -m albert.run_classifier --task_name=MRPC --data_dir=glue/ \
      --spm_model_file=30k-clean.model --albert_config_file=albert_config.json \
      --init_checkpoint=model.ckpt-best --output_dir=out/mrpc \
      --do_train --do_eval --do_predict --max_seq_length=512 --train_step=800 \
      --warmup_step=200 --learning_rate=2e-5 --train_batch_size=32 \
      --save_checkpoints_steps=100

Outputs in --output_dir (same names and formats as the original):
  {task}_train.tf_record   training features (in --cached_dir if given)
  eval_results.txt         metrics of every evaluated checkpoint, then "best = ..."
  best_trial.txt           "global_step:best_step:best_value" (lets a rerun resume)
  model.ckpt-best.*        the best checkpoint on the dev set
  test_results.tsv         per test example: class probabilities (STS-B: the score)
  submit_results.tsv       "index<TAB>prediction" for the GLUE leaderboard
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import math
import os

from absl import app
from absl import flags
import tensorflow as tf

from albert import checkpoint_utils
from albert import classifier_utils
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import flag_utils
from albert import tfrecord_utils

logging = tf.compat.v1.logging

# The original run_classifier's defaults of the shared fine-tuning flags whose defaults
# differ between runners (the common ones: flag_utils.COMMON_FINE_TUNING_DEFAULTS).
FLAG_DEFAULTS = {
    "data_dir": None,
    "max_seq_length": 512,
    "do_train": False,
    "do_eval": False,
    "do_predict": False,
    "train_batch_size": 32,
    "eval_batch_size": 8,
    "predict_batch_size": 8,
    "learning_rate": 5e-5,
    "train_step": 1000,
    "warmup_step": 0,
    "save_checkpoints_steps": 1000,
}
flag_utils.define_fine_tuning_flags(FLAG_DEFAULTS)
flag_utils.define_flag(flags.DEFINE_string, "task_name", None, "The name of the task to train.")
flag_utils.define_flag(
    flags.DEFINE_string, "cached_dir", None,
    "Path to cached training and dev tfrecord file. The file will be generated if not exist.")
flag_utils.define_flag(
    flags.DEFINE_integer, "keep_checkpoint_max", 5,
    "How many checkpoints to keep (unused, as in the original: every checkpoint is kept until the "
    "evaluation sweep prunes it).", lower_bound=0)
flag_utils.define_flag(
    flags.DEFINE_enum, "optimizer", "adamw", "Optimizer to use",
    enum_values=["adamw", "lamb"])
flag_utils.define_flag(
    flags.DEFINE_string, "export_dir", None,
    "The directory where the exported SavedModel will be stored.")
flag_utils.define_flag(
    flags.DEFINE_float, "threshold_to_export", float("nan"),
    "The threshold value that should be used with the exported classifier. When specified, the "
    "threshold will be attached to the exported SavedModel, and served along with the "
    "predictions. Please use the saved model signature to get the threshold value.")
estimator_utils.define_tpu_flags()

FLAGS = flags.FLAGS

# How long an evaluation sweep waits for a checkpoint of a training job that has not marked
# itself finished (e.g. one running in parallel) before it gives up.
EVAL_MAX_WAIT_SECONDS = 600


def _metric_key(task_name):
  """The dev-set metric that picks model.ckpt-best."""
  if task_name == "sts-b":
    return "pearson"
  if task_name == "cola":
    return "matthew_corr"
  return "eval_accuracy"


# What the phases of `main` share: the task, its tokenizer and the model's set-up.
Task = collections.namedtuple(
    "Task", ["name", "processor", "label_list", "num_labels", "tokenizer", "albert_config"])


###############################################################################
# Phase 1: validation (nothing is written before it has passed)
###############################################################################


def validate_flags_or_throw():
  """Checks every flag and builds the task; raises ValueError before anything is written.

  Range checks of single numeric flags happen earlier, while absl parses the command line.

  Returns:
    `Task`.
  """
  flag_utils.require_one_of("do_train", "do_eval", "do_predict", "export_dir")
  flag_utils.require_flags("data_dir", "task_name", "output_dir")
  task_name = FLAGS.task_name.lower()
  # Validates the task name first (its error lists the valid names).
  classifier_utils.get_processor(task_name, use_spm=False, do_lower_case=FLAGS.do_lower_case)
  # The config file, or the albert_config.json of the hub module (which is checked here).
  albert_config, tokenizer = fine_tuning_utils.load_config_and_tokenizer(
      FLAGS.albert_config_file, FLAGS.albert_hub_module_handle, FLAGS.max_seq_length,
      FLAGS.vocab_file, FLAGS.spm_model_file, FLAGS.do_lower_case, FLAGS.do_train,
      FLAGS.init_checkpoint)
  # The tokenizer's lower-casing: --do_lower_case, or what a hub module's tokenization_info
  # says. Deviation (docs/DEVIATIONS.md): the original used --do_lower_case with a module too.
  processor = classifier_utils.get_processor(
      task_name, use_spm=tokenizer.sp_model is not None, do_lower_case=tokenizer.do_lower_case)
  label_list = processor.get_labels()
  num_labels = 1 if task_name == "sts-b" else len(label_list)
  return Task(task_name, processor, label_list, num_labels, tokenizer, albert_config)


###############################################################################
# Phase 2: data
###############################################################################


def build_feature_cache(task, split_name, cache_path, pad_to_multiple_of=None):
  """Writes (or reuses) the TFRecord features of one split of the task.

  Args:
    task: `Task`.
    split_name: "train" or "dev".
    cache_path: TFRecord path.
    pad_to_multiple_of: pad with `PaddingInputExample`s to a multiple of this (TPU eval).

  Returns:
    metadata dict {"num_examples": records written, "num_actual_examples": real examples}.
  """
  processor = task.processor
  file_name = processor.train_file if split_name == "train" else processor.dev_file
  data_file = processor._path(FLAGS.data_dir, file_name)  # pylint: disable=protected-access
  # Deviation (docs/DEVIATIONS.md): caches are rebuilt when what shaped them changes.
  fingerprint = tfrecord_utils.feature_cache_fingerprint(
      task.tokenizer, [data_file], task_name=task.name, split=split_name,
      max_seq_length=FLAGS.max_seq_length, do_lower_case=task.tokenizer.do_lower_case,
      pad_to_multiple_of=pad_to_multiple_of)

  def build(tmp_path):
    if split_name == "train":
      examples = processor.get_train_examples(FLAGS.data_dir)
    else:
      examples = processor.get_dev_examples(FLAGS.data_dir)
    num_written = classifier_utils.file_based_convert_examples_to_features(
        tfrecord_utils.pad_examples(examples, pad_to_multiple_of), task.label_list,
        FLAGS.max_seq_length, task.tokenizer, tmp_path, task.name)
    return {"num_examples": num_written, "num_actual_examples": len(examples)}

  return tfrecord_utils.ensure_feature_cache(cache_path, fingerprint, build)


def input_fn_for(task, record_file, is_training, batch_size):
  """The input_fn over one feature file.

  Training drops the last partial batch; evaluation and prediction keep every example, except
  on TPU, whose padded files are whole batches already.
  """
  return classifier_utils.file_based_input_fn_builder(
      input_file=record_file,
      seq_length=FLAGS.max_seq_length,
      is_training=is_training,
      drop_remainder=is_training or FLAGS.use_tpu,
      task_name=task.name,
      use_tpu=FLAGS.use_tpu,
      bsz=batch_size)


###############################################################################
# Phases 3-6: train, evaluate, predict, export
###############################################################################


def train(task, estimator, cached_dir):
  """Trains on the task's train split (features cached in `cached_dir`)."""
  train_file = os.path.join(cached_dir, task.name + "_train.tf_record")
  metadata = build_feature_cache(task, "train", train_file)
  logging.info("***** Running training *****")
  logging.info("  Num examples = %d", metadata["num_actual_examples"])
  logging.info("  Batch size = %d", FLAGS.train_batch_size)
  logging.info("  Num steps = %d", FLAGS.train_step)
  estimator_utils.train(
      estimator, input_fn_for(task, train_file, True, FLAGS.train_batch_size),
      num_train_steps=FLAGS.train_step, batch_size=FLAGS.train_batch_size,
      seq_length=FLAGS.max_seq_length, model_dir=FLAGS.output_dir,
      log_every_n_steps=min(100, FLAGS.save_checkpoints_steps))


def evaluate(task, estimator, cached_dir):
  """Evaluates every checkpoint on the dev set; keeps the best as model.ckpt-best."""
  eval_file = os.path.join(cached_dir, task.name + "_eval.tf_record")
  # TPUs need fixed batches: pad with fake examples instead of dropping real ones.
  metadata = build_feature_cache(
      task, "dev", eval_file,
      pad_to_multiple_of=FLAGS.eval_batch_size if FLAGS.use_tpu else None)
  logging.info("***** Running evaluation *****")
  logging.info("  Num examples = %d (%d actual, %d padding)", metadata["num_examples"],
               metadata["num_actual_examples"],
               metadata["num_examples"] - metadata["num_actual_examples"])
  eval_steps = metadata["num_examples"] // FLAGS.eval_batch_size if FLAGS.use_tpu else None
  evaluate_fn = checkpoint_utils.estimator_evaluate_fn(
      estimator, input_fn_for(task, eval_file, False, FLAGS.eval_batch_size), eval_steps)
  # Deviation (docs/DEVIATIONS.md): the sweep always ends.
  checkpoint_utils.sweep_checkpoints(
      model_dir=FLAGS.output_dir,
      evaluate_fn=evaluate_fn,
      metric_key=_metric_key(task.name),
      final_step=FLAGS.train_step,
      results_file=os.path.join(FLAGS.output_dir, "eval_results.txt"),
      state_file=os.path.join(FLAGS.output_dir, "best_trial.txt"),
      max_wait_seconds=EVAL_MAX_WAIT_SECONDS)


def predict(task, estimator):
  """Writes test_results.tsv and submit_results.tsv from the best (or newest) checkpoint."""
  predict_examples = task.processor.get_test_examples(FLAGS.data_dir)
  num_actual_predict_examples = len(predict_examples)
  predict_examples = tfrecord_utils.pad_examples(
      predict_examples, FLAGS.predict_batch_size if FLAGS.use_tpu else None)
  predict_file = os.path.join(FLAGS.output_dir, "predict.tf_record")
  classifier_utils.file_based_convert_examples_to_features(
      predict_examples, task.label_list, FLAGS.max_seq_length, task.tokenizer, predict_file,
      task.name)
  logging.info("***** Running prediction *****")
  logging.info("  Num examples = %d (%d actual, %d padding)", len(predict_examples),
               num_actual_predict_examples,
               len(predict_examples) - num_actual_predict_examples)
  checkpoint_path = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                               FLAGS.init_checkpoint)
  results = estimator.predict(
      input_fn=input_fn_for(task, predict_file, False, FLAGS.predict_batch_size),
      checkpoint_path=checkpoint_path)
  write_prediction_files(FLAGS.output_dir, predict_examples, results,
                         num_actual_predict_examples, task.label_list, task.name)
  logging.info("Wrote test_results.tsv and submit_results.tsv in %s", FLAGS.output_dir)


def export(task):
  """Exports a SavedModel of the best (or newest) checkpoint to --export_dir."""
  checkpoint_path = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                               FLAGS.init_checkpoint)
  threshold = FLAGS.threshold_to_export
  export_estimator = build_estimator(task, None if math.isnan(threshold) else threshold)
  tf.io.gfile.makedirs(FLAGS.export_dir)
  export_path = export_estimator.export_saved_model(
      FLAGS.export_dir, serving_input_receiver_fn_builder(FLAGS.max_seq_length, task.name),
      checkpoint_path=checkpoint_path)
  logging.info("Exported SavedModel of %s to %s", checkpoint_path, export_path)


###############################################################################
# Prediction output and export
###############################################################################


def write_prediction_files(output_dir, predict_examples, results, num_actual_examples,
                           label_list, task_name):
  """Writes test_results.tsv and submit_results.tsv (complete files or none).

  test_results.tsv: one line per real test example, the tab-separated class probabilities
  (STS-B: the predicted score). submit_results.tsv: header "index\\tprediction", then
  "guid\\tlabel" (STS-B: the score). Padding rows (TPU) are dropped.
  """
  probability_lines = []
  submit_lines = ["index\tprediction"]
  for i, (example, prediction) in enumerate(zip(predict_examples, results)):
    if i >= num_actual_examples:
      break
    probability_lines.append(
        "\t".join(str(probability) for probability in prediction["probabilities"]))
    if task_name == "sts-b":
      label = str(prediction["predictions"])
    else:
      label = label_list[int(prediction["predictions"])]
    submit_lines.append("%s\t%s" % (example.guid, label))
  if len(probability_lines) != num_actual_examples:
    raise RuntimeError("Got %d predictions for %d test examples." %
                       (len(probability_lines), num_actual_examples))
  tfrecord_utils.atomic_write_text(os.path.join(output_dir, "test_results.tsv"),
                                   "".join(line + "\n" for line in probability_lines))
  tfrecord_utils.atomic_write_text(os.path.join(output_dir, "submit_results.tsv"),
                                   "".join(line + "\n" for line in submit_lines))


def serving_input_receiver_fn_builder(max_seq_length, task_name):
  """Returns the SavedModel's serving input fn: serialized `tf.train.Example`s.

  Each example holds int64 `input_ids`, `input_mask`, `segment_ids` of length L (the TFRecord
  layout of training); labels are not needed (constant placeholders are fed to the model_fn).
  """
  name_to_features = classifier_utils.name_to_features(max_seq_length, task_name)
  return estimator_utils.serialized_example_receiver_fn_builder(
      {name: name_to_features[name] for name in ("input_ids", "input_mask", "segment_ids")},
      constant_features={
          "is_real_example": (1, tf.int32),
          "label_ids": (0, tf.float32 if task_name == "sts-b" else tf.int32)})


def add_threshold_to_model_fn(model_fn, threshold):
  """Wraps `model_fn` so the default serving signature also outputs `threshold`.

  The original indexes `spec.export_outputs`, which a TPUEstimatorSpec built from predictions
  leaves as None; here the serving outputs are built explicitly from the predictions.
  """
  # Deviation (docs/DEVIATIONS.md): --threshold_to_export works (the original's wrapper fails).

  def new_model_fn(features, labels, mode, params):
    spec = model_fn(features, labels, mode, params)
    if mode != tf.estimator.ModeKeys.PREDICT:
      return spec
    outputs = dict(spec.predictions)
    outputs["threshold"] = tf.constant(threshold, dtype=tf.float32, name="threshold")
    export_outputs = {
        tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            tf.estimator.export.PredictOutput(outputs)}
    return spec._replace(export_outputs=export_outputs)

  return new_model_fn


###############################################################################
# main
###############################################################################


def build_estimator(task, threshold_to_export=None):
  """The run's TPUEstimator over the classifier model_fn.

  Args:
    task: `Task`.
    threshold_to_export: float or None; adds a constant `threshold` output to the exported
      serving signature (--threshold_to_export).
  """
  model_fn = classifier_utils.model_fn_builder(
      albert_config=task.albert_config,
      num_labels=task.num_labels,
      init_checkpoint=FLAGS.init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=FLAGS.train_step,
      num_warmup_steps=FLAGS.warmup_step,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      task_name=task.name,
      hub_module=FLAGS.albert_hub_module_handle,
      optimizer=FLAGS.optimizer)
  if threshold_to_export is not None:
    model_fn = add_threshold_to_model_fn(model_fn, threshold_to_export)
  # Every checkpoint is kept, as in the original: the evaluation sweep prunes them.
  return estimator_utils.build_estimator_from_flags(model_fn, FLAGS, keep_checkpoint_max=0)


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  task = validate_flags_or_throw()
  tf.io.gfile.makedirs(FLAGS.output_dir)
  cached_dir = FLAGS.cached_dir or FLAGS.output_dir
  estimator = build_estimator(task)
  if FLAGS.do_train:
    train(task, estimator, cached_dir)
  if FLAGS.do_eval:
    evaluate(task, estimator, cached_dir)
  if FLAGS.do_predict:
    predict(task, estimator)
  if FLAGS.export_dir:
    export(task)


if __name__ == "__main__":
  flags.mark_flag_as_required("data_dir")
  flags.mark_flag_as_required("task_name")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
