# coding=utf-8
"""What run_squad_v1 and run_squad_v2 share: their flags and the phases of their `main`.

The two runners differ only in the head (model_fn), in how a feature's results become
candidate answers, and in how answers are scored; each passes those in and keeps its own
flags. Everything else lives here once:

  * `define_squad_flags`: the flags of both runners (original names and defaults).
  * `validate_flags_or_throw`: every flag check, before anything is written.
  * `training_schedule` / `train`: the training feature cache (`--train_feature_file`,
    rebuilt when stale), the step count from `--num_train_epochs`, training.
  * `predict`: the prediction feature cache (`--predict_feature_file` with its host-side
    metadata `--predict_feature_left_file`), the checkpoint sweep keeping `model.ckpt-best`
    (metric `f1` of the official evaluation), and the prediction files of the best
    checkpoint. The sweep always ends, also for predict-only runs on a finished directory
    whose flags ask for more steps than were trained (original issue #243).
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import functools
import os
import random

from absl import flags
import tensorflow as tf

from albert import checkpoint_utils
from albert import estimator_utils
from albert import fine_tuning_utils
from albert import flag_utils
from albert import squad_answers
from albert import squad_metrics
from albert import squad_utils
from albert import tfrecord_utils

logging = tf.compat.v1.logging
FLAGS = flags.FLAGS

# The original SQuAD runners' defaults of the shared fine-tuning flags whose defaults differ
# between runners (the common ones: flag_utils.COMMON_FINE_TUNING_DEFAULTS).
FLAG_DEFAULTS = {
    "max_seq_length": 384,
    "do_train": False,
    "do_predict": False,
    "train_batch_size": 32,
    "predict_batch_size": 8,
    "learning_rate": 5e-5,
    "save_checkpoints_steps": 1000,
}

# Training examples are shuffled with this seed before conversion, as in the original.
TRAIN_SHUFFLE_SEED = 12345
# How long the checkpoint sweep waits for a checkpoint of a training job that has not marked
# itself finished (e.g. one running in parallel) before it gives up.
EVAL_MAX_WAIT_SECONDS = 600
# Bumped when the feature layout changes, so that older caches are rebuilt.
FEATURE_FORMAT_VERSION = 1


def define_squad_flags(module_name):
  """Defines the flags both SQuAD runners have, credited to `module_name` (the runner)."""
  flag_utils.define_fine_tuning_flags(FLAG_DEFAULTS, module_name=module_name)

  define = functools.partial(flag_utils.define_flag, module_name=module_name)

  define(flags.DEFINE_string, "train_file", None,
         "SQuAD json for training. E.g., train-v1.1.json")
  define(flags.DEFINE_string, "predict_file", None,
         "SQuAD json for predictions. E.g., dev-v1.1.json or test-v1.1.json")
  define(flags.DEFINE_string, "train_feature_file", None,
         "Training feature file (TFRecord); written if missing or built with other settings. "
         "Default: <output_dir>/train_features.tf_record.")
  define(flags.DEFINE_string, "predict_feature_file", None,
         "Location of predict features (TFRecord); written if missing or built with other "
         "settings, else read. Default: <output_dir>/predict_features.tf_record.")
  define(flags.DEFINE_string, "predict_feature_left_file", None,
         "Location of the predict features' host-side metadata (what post-processing needs "
         "and the model does not; JSON lines), built together with --predict_feature_file. "
         "Default: <output_dir>/predict_features_left.jsonl.")
  define(flags.DEFINE_integer, "doc_stride", 128,
         "When splitting up a long document into chunks, how much stride to take between "
         "chunks.", lower_bound=1)
  define(flags.DEFINE_integer, "max_query_length", 64,
         "The maximum number of tokens for the question. Questions longer than this will be "
         "truncated to this length.", lower_bound=1)
  define(flags.DEFINE_float, "num_train_epochs", 3.0,
         "Total number of training epochs to perform.", lower_bound=0.0)
  define(flags.DEFINE_float, "warmup_proportion", 0.1,
         "Proportion of training to perform linear learning rate warmup for. E.g., 0.1 = 10% "
         "of training.", lower_bound=0.0, upper_bound=1.0)
  define(flags.DEFINE_integer, "n_best_size", 20,
         "The total number of n-best predictions to generate in the nbest_predictions.json "
         "output file.", lower_bound=1)
  define(flags.DEFINE_integer, "max_answer_length", 30,
         "The maximum length of an answer that can be generated. This is needed because the "
         "start and end predictions are not conditioned on one another.", lower_bound=1)
  estimator_utils.define_tpu_flags(module_name)


# What the phases of `main` share: the tokenizer and the model's set-up.
SquadTask = collections.namedtuple("SquadTask", ["tokenizer", "albert_config", "is_v2"])
# The training run's length: steps from --num_train_epochs, warmup from --warmup_proportion.
Schedule = collections.namedtuple("Schedule", ["num_train_steps", "num_warmup_steps"])


###############################################################################
# Phase 1: validation (nothing is written before it has passed)
###############################################################################


def _default_path(flag_name, file_name):
  """Fills an unset feature-file flag with a file in --output_dir."""
  if not FLAGS[flag_name].value:
    FLAGS[flag_name].value = os.path.join(FLAGS.output_dir, file_name)


def validate_flags_or_throw(is_v2, can_export=False):
  """Checks every flag and builds the tokenizer; raises before anything is written.

  Args:
    is_v2: the v2 runner.
    can_export: the runner has --export_dir (v1), which is also a reason to run.

  Returns:
    `SquadTask`.
  """
  flag_utils.require_one_of("do_train", "do_predict", *(("export_dir",) if can_export else ()))
  flag_utils.require_flags("output_dir")
  if FLAGS.do_train and not FLAGS.train_file:
    raise ValueError("If `do_train` is True, then `train_file` must be specified.")
  if FLAGS.do_predict and not FLAGS.predict_file:
    raise ValueError("If `do_predict` is True, then `predict_file` must be specified.")
  for flag_name in ("train_file", "predict_file"):
    path = FLAGS[flag_name].value
    if path and not tf.io.gfile.exists(path):
      raise FileNotFoundError("--%s=%s does not exist" % (flag_name, path))
  # Deviation (docs/DEVIATIONS.md): feature files default to files in --output_dir.
  _default_path("train_feature_file", "train_features.tf_record")
  _default_path("predict_feature_file", "predict_features.tf_record")
  _default_path("predict_feature_left_file", "predict_features_left.jsonl")
  albert_config, tokenizer = fine_tuning_utils.load_config_and_tokenizer(
      albert_config_file=FLAGS.albert_config_file,
      hub_module=FLAGS.albert_hub_module_handle,
      max_seq_length=FLAGS.max_seq_length,
      vocab_file=FLAGS.vocab_file,
      spm_model_file=FLAGS.spm_model_file,
      do_lower_case=FLAGS.do_lower_case,
      do_train=FLAGS.do_train,
      init_checkpoint=FLAGS.init_checkpoint)
  if FLAGS.max_seq_length <= FLAGS.max_query_length + 3:
    raise ValueError(
        "The max_seq_length (%d) must be greater than max_query_length (%d) + 3" %
        (FLAGS.max_seq_length, FLAGS.max_query_length))
  for flag_name in ("start_n_top", "end_n_top") if is_v2 else ():
    if FLAGS[flag_name].value > FLAGS.max_seq_length:
      raise ValueError("--%s=%d exceeds --max_seq_length=%d" %
                       (flag_name, FLAGS[flag_name].value, FLAGS.max_seq_length))
  return SquadTask(tokenizer=tokenizer, albert_config=albert_config, is_v2=is_v2)


###############################################################################
# Phase 2: data and the training schedule
###############################################################################


def _fingerprint(task, data_file, split):
  """What shapes the features of `data_file`: the cache is rebuilt when any of it changes.

  Lower-casing follows the tokenizer: --do_lower_case, or a hub module's tokenization_info.
  """
  return tfrecord_utils.feature_cache_fingerprint(
      task.tokenizer, [data_file], task="squad", split=split,
      max_seq_length=FLAGS.max_seq_length, doc_stride=FLAGS.doc_stride,
      max_query_length=FLAGS.max_query_length, do_lower_case=task.tokenizer.do_lower_case,
      shuffle_seed=TRAIN_SHUFFLE_SEED if split == "train" else None,
      format_version=FEATURE_FORMAT_VERSION)


def build_train_features(task):
  """Writes (or reuses) --train_feature_file; returns its metadata (num_examples, ...)."""

  def build(tmp_path):
    examples, skipped = squad_utils.read_squad_file(FLAGS.train_file, is_training=True)
    random.Random(TRAIN_SHUFFLE_SEED).shuffle(examples)
    with tf.io.TFRecordWriter(tmp_path) as writer:
      stats = squad_utils.convert_examples_to_features(
          examples=examples, tokenizer=task.tokenizer, max_seq_length=FLAGS.max_seq_length,
          doc_stride=FLAGS.doc_stride, max_query_length=FLAGS.max_query_length,
          is_training=True,
          output_fn=lambda feature: writer.write(
              squad_utils.feature_to_tf_example(feature, True).SerializeToString()),
          do_lower_case=task.tokenizer.do_lower_case)
    if not stats.num_features:
      raise ValueError("%s: no training features (every question was skipped)." %
                       FLAGS.train_file)
    return {"num_examples": len(examples), "num_features": stats.num_features,
            "num_skipped": len(skipped), "unaligned_ids": stats.unaligned_ids}

  # Deviation (docs/DEVIATIONS.md): caches are rebuilt when what shaped them changes.
  return tfrecord_utils.ensure_feature_cache(
      FLAGS.train_feature_file, _fingerprint(task, FLAGS.train_file, "train"), build)


def training_schedule(task):
  """The training length, or None when there is no --train_file.

  Training builds the training features first (their metadata holds the example count). A
  predict-only run given --train_file counts the file's questions, so that its checkpoint
  sweep knows which step training will end at (v2 original behaviour); without it, the
  sweep takes the final step from the output directory.

  Returns:
    (`Schedule` or None, training feature metadata or None).
  """
  if not FLAGS.train_file:
    return None, None
  if FLAGS.do_train:
    metadata = build_train_features(task)
    num_examples = metadata["num_examples"]
  else:
    metadata = None
    num_examples = len(squad_utils.read_squad_examples(FLAGS.train_file, is_training=True))
  num_train_steps = int(num_examples / FLAGS.train_batch_size * FLAGS.num_train_epochs)
  if FLAGS.do_train and num_train_steps < 1:
    raise ValueError(
        "%d training questions / --train_batch_size=%d x --num_train_epochs=%s gives no "
        "training step; raise --num_train_epochs." %
        (num_examples, FLAGS.train_batch_size, FLAGS.num_train_epochs))
  return Schedule(num_train_steps=num_train_steps,
                  num_warmup_steps=int(num_train_steps * FLAGS.warmup_proportion)), metadata


def build_predict_features(task, examples):
  """Writes (or reuses) --predict_feature_file and --predict_feature_left_file together."""

  def build(tmp_path, companion_tmp_paths):
    with tf.io.TFRecordWriter(tmp_path) as writer, \
        tf.io.gfile.GFile(companion_tmp_paths[0], "w") as left_file:

      def output_fn(feature):
        writer.write(squad_utils.feature_to_tf_example(feature, False).SerializeToString())
        left_file.write(feature.metadata().to_json() + "\n")

      stats = squad_utils.convert_examples_to_features(
          examples=examples, tokenizer=task.tokenizer, max_seq_length=FLAGS.max_seq_length,
          doc_stride=FLAGS.doc_stride, max_query_length=FLAGS.max_query_length,
          is_training=False, output_fn=output_fn, do_lower_case=task.tokenizer.do_lower_case)
    return {"num_examples": len(examples), "num_features": stats.num_features,
            "unaligned_ids": stats.unaligned_ids}

  return tfrecord_utils.ensure_feature_cache(
      FLAGS.predict_feature_file, _fingerprint(task, FLAGS.predict_file, "predict"), build,
      companion_paths=[FLAGS.predict_feature_left_file])


###############################################################################
# Phases 3-4: train, then sweep checkpoints and predict
###############################################################################


def model_fn_args(task, schedule):
  """The model_fn builder arguments both heads take (the schedule matters for training)."""
  return dict(
      albert_config=task.albert_config,
      init_checkpoint=FLAGS.init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=schedule.num_train_steps if schedule else None,
      num_warmup_steps=schedule.num_warmup_steps if schedule else None,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      hub_module=FLAGS.albert_hub_module_handle)


def build_estimator(model_fn):
  """The runner's TPUEstimator (keeps every checkpoint: the sweep prunes them)."""
  return estimator_utils.build_estimator_from_flags(model_fn, FLAGS, keep_checkpoint_max=0)


def train(task, estimator, schedule, train_metadata):
  """Trains on --train_feature_file for the schedule's steps."""
  logging.info("***** Running training *****")
  logging.info("  Num orig examples = %d", train_metadata["num_examples"])
  logging.info("  Num split examples = %d", train_metadata["num_features"])
  logging.info("  Batch size = %d", FLAGS.train_batch_size)
  logging.info("  Num steps = %d", schedule.num_train_steps)
  input_fn = squad_utils.input_fn_builder(
      input_file=FLAGS.train_feature_file, seq_length=FLAGS.max_seq_length, is_training=True,
      drop_remainder=True, use_tpu=FLAGS.use_tpu, bsz=FLAGS.train_batch_size,
      is_v2=task.is_v2)
  estimator_utils.train(
      estimator, input_fn, num_train_steps=schedule.num_train_steps,
      batch_size=FLAGS.train_batch_size, seq_length=FLAGS.max_seq_length,
      model_dir=FLAGS.output_dir, log_every_n_steps=min(100, FLAGS.save_checkpoints_steps))


def _final_step(schedule):
  """The step the sweep waits for: from the schedule, else the newest checkpoint's.

  (Without a schedule the sweep evaluates what is there; it also stops by itself at the
  training-finished marker.)
  """
  if schedule is not None:
    return schedule.num_train_steps
  checkpoints = checkpoint_utils.list_checkpoints(FLAGS.output_dir)
  return checkpoints[-1][0] if checkpoints else 0


def _checkpoint_step(checkpoint_prefix):
  try:
    return int(tf.train.load_variable(checkpoint_prefix, "global_step"))
  except (tf.errors.NotFoundError, ValueError):
    return None


def predict(task, estimator, schedule, candidates_fn, score_fn, results_note=None):
  """Sweeps the checkpoints on --predict_file, keeps the best, writes its predictions.

  Args:
    task: `SquadTask`.
    estimator: the runner's estimator.
    schedule: `Schedule` or None (see `training_schedule`).
    candidates_fn: function(FeatureMetadata, result) -> (candidates, null score or None).
    score_fn: function(dataset or None, SquadAnswers) -> metrics dict (empty without gold
      answers); writes the prediction files.
    results_note: optional text explaining the metrics, written with the final results.
  """
  data = squad_utils.read_squad_json(FLAGS.predict_file)
  examples, _ = squad_utils.read_squad_file(FLAGS.predict_file, is_training=False, data=data)
  metadata = build_predict_features(task, examples)
  labelled = squad_metrics.has_gold_answers(data)
  logging.info("***** Running predictions *****")
  logging.info("  Num orig examples = %d", metadata["num_examples"])
  logging.info("  Num split examples = %d", metadata["num_features"])
  logging.info("  Batch size = %d", FLAGS.predict_batch_size)
  input_fn = squad_utils.input_fn_builder(
      input_file=FLAGS.predict_feature_file, seq_length=FLAGS.max_seq_length,
      is_training=False, drop_remainder=False, use_tpu=FLAGS.use_tpu,
      bsz=FLAGS.predict_batch_size, is_v2=task.is_v2)
  written = {}  # What the prediction files on disk hold: {"step": ..., "metrics": ...}.

  def evaluate_fn(checkpoint_prefix):
    """Predicts with one checkpoint, writes the prediction files, returns the metrics."""
    results = estimator.predict(input_fn, checkpoint_path=checkpoint_prefix,
                                yield_single_examples=True)
    answers = squad_answers.collect_answers(
        examples, squad_utils.read_feature_metadata(FLAGS.predict_feature_left_file),
        results, candidates_fn, FLAGS.n_best_size, task.is_v2)
    metrics = score_fn(data if labelled else None, answers)
    written.update(step=_checkpoint_step(checkpoint_prefix), metrics=metrics)
    return metrics

  results_file = os.path.join(FLAGS.output_dir, "eval_results.txt")
  best_step = None
  if not labelled:
    logging.warning("%s has no gold answers: writing predictions without scores.",
                    FLAGS.predict_file)
  elif checkpoint_utils.list_checkpoints(FLAGS.output_dir):
    # Deviation (docs/DEVIATIONS.md): the sweep always ends (#243).
    best_step, _ = checkpoint_utils.sweep_checkpoints(
        model_dir=FLAGS.output_dir, evaluate_fn=evaluate_fn, metric_key="f1",
        final_step=_final_step(schedule), results_file=results_file,
        state_file=os.path.join(FLAGS.output_dir, "best_trial.txt"),
        max_wait_seconds=EVAL_MAX_WAIT_SECONDS)

  checkpoint = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                          FLAGS.init_checkpoint)
  # Deviation (docs/DEVIATIONS.md): no second pass when the files hold the best already.
  if best_step is None or written.get("step") != best_step:
    logging.info("Predicting with %s", checkpoint)
    evaluate_fn(checkpoint)
  logging.info("Wrote predictions of %s (step %s) to %s", checkpoint, written["step"],
               FLAGS.output_dir)
  if labelled:
    _write_final_results(results_file, checkpoint, written["step"], written["metrics"],
                         results_note)


def _write_final_results(results_file, checkpoint, step, metrics, note):
  """Appends the final evaluation (the predictions written) to eval_results.txt and logs it."""
  lines = ["checkpoint = %s (final evaluation)" % os.path.basename(checkpoint)]
  lines += ["%s = %s" % (key, metrics[key]) for key in sorted(metrics)]
  if note:
    lines.append("note = %s" % note)
  lines.append("best perf happened at step: %s" % step)
  logging.info("***** Final Eval results *****")
  for line in lines:
    logging.info("  %s", line)
  checkpoint_utils.append_text(results_file, "\n".join(lines) + "\n")
