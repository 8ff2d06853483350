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

import hashlib
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
from albert import modeling
from albert import tfrecord_utils

logging = tf.compat.v1.logging

flag_utils.define_flag(
    flags.DEFINE_string, "data_dir", None,
    "The input data dir. Should contain the .tsv files (or other data files) for the task.")
flag_utils.define_flag(
    flags.DEFINE_string, "albert_config_file", None,
    "The config json file corresponding to the pre-trained ALBERT model. This specifies the model "
    "architecture.")
flag_utils.define_flag(flags.DEFINE_string, "task_name", None, "The name of the task to train.")
flag_utils.define_flag(
    flags.DEFINE_string, "vocab_file", None,
    "The vocabulary file that the ALBERT model was trained on (WordPiece models; ignored when "
    "--spm_model_file is given).")
# Deviation (docs/DEVIATIONS.md): not a required flag; one tokenizer source is enough.
flag_utils.define_flag(
    flags.DEFINE_string, "spm_model_file", None,
    "The model file for sentence piece tokenization. One of --spm_model_file, --vocab_file or "
    "--albert_hub_module_handle is needed.")
flag_utils.define_flag(
    flags.DEFINE_string, "output_dir", None,
    "The output directory where the model checkpoints will be written.")
flag_utils.define_flag(
    flags.DEFINE_string, "cached_dir", None,
    "Path to cached training and dev tfrecord file. The file will be generated if not exist.")
flag_utils.define_flag(
    flags.DEFINE_string, "init_checkpoint", None,
    "Initial checkpoint (usually from a pre-trained ALBERT model).")
flag_utils.define_flag(
    flags.DEFINE_string, "albert_hub_module_handle", None, "If set, the ALBERT hub module to use.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_lower_case", True,
    "Whether to lower case the input text. Should be True for uncased models and False for cased "
    "models.")
flag_utils.define_flag(
    flags.DEFINE_integer, "max_seq_length", 512,
    "The maximum total input sequence length after WordPiece tokenization. Sequences longer than "
    "this will be truncated, and sequences shorter than this will be padded.")
flag_utils.define_flag(flags.DEFINE_bool, "do_train", False, "Whether to run training.")
flag_utils.define_flag(flags.DEFINE_bool, "do_eval", False, "Whether to run eval on the dev set.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_predict", False,
    "Whether to run the model in inference mode on the test set.")
flag_utils.define_flag(
    flags.DEFINE_integer, "train_batch_size", 32, "Total batch size for training.")
flag_utils.define_flag(flags.DEFINE_integer, "eval_batch_size", 8, "Total batch size for eval.")
flag_utils.define_flag(
    flags.DEFINE_integer, "predict_batch_size", 8, "Total batch size for predict.")
flag_utils.define_flag(
    flags.DEFINE_float, "learning_rate", 5e-5, "The initial learning rate for Adam.")
flag_utils.define_flag(
    flags.DEFINE_integer, "train_step", 1000, "Total number of training steps to perform.")
flag_utils.define_flag(
    flags.DEFINE_integer, "warmup_step", 0,
    "number of steps to perform linear learning rate warmup for.")
flag_utils.define_flag(
    flags.DEFINE_integer, "save_checkpoints_steps", 1000, "How often to save the model checkpoint.")
flag_utils.define_flag(
    flags.DEFINE_integer, "keep_checkpoint_max", 5,
    "How many checkpoints to keep (unused, as in the original: every checkpoint is kept until the "
    "evaluation sweep prunes it).")
flag_utils.define_flag(flags.DEFINE_string, "optimizer", "adamw", "Optimizer to use")
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


def _metric_key(task_name):
  """The dev-set metric that picks model.ckpt-best."""
  if task_name == "sts-b":
    return "pearson"
  if task_name == "cola":
    return "matthew_corr"
  return "eval_accuracy"


###############################################################################
# Flag validation and set-up
###############################################################################


def validate_flags_or_throw(albert_config):
  """Checks flag combinations before anything is written; raises ValueError."""
  if not (FLAGS.do_train or FLAGS.do_eval or FLAGS.do_predict or FLAGS.export_dir):
    raise ValueError("At least one of `do_train`, `do_eval`, `do_predict' or `export_dir` "
                     "must be True.")
  if not FLAGS.albert_config_file and not FLAGS.albert_hub_module_handle:
    raise ValueError("At least one of `--albert_config_file` and "
                     "`--albert_hub_module_handle` must be set.")
  if albert_config is not None and FLAGS.max_seq_length > albert_config.max_position_embeddings:
    raise ValueError(
        "Cannot use sequence length %d (--max_seq_length) because the ALBERT model was only "
        "trained up to sequence length %d (max_position_embeddings in %s)" %
        (FLAGS.max_seq_length, albert_config.max_position_embeddings,
         FLAGS.albert_config_file))
  if FLAGS.max_seq_length < 3:
    raise ValueError("--max_seq_length=%d is too small: [CLS] and two [SEP] need 3 positions."
                     % FLAGS.max_seq_length)
  if FLAGS.do_train and FLAGS.train_step <= 0:
    raise ValueError("--train_step must be positive with --do_train, got %d" %
                     FLAGS.train_step)
  if FLAGS.do_train and not FLAGS.init_checkpoint and not FLAGS.albert_hub_module_handle:
    logging.warning("Training without --init_checkpoint or --albert_hub_module_handle: the "
                    "encoder starts from RANDOM weights (expect near-chance dev scores).")


def _file_digest(path):
  """md5 of a file's bytes (tokenizer files are a few MB at most)."""
  with tf.io.gfile.GFile(path, "rb") as handle:
    return hashlib.md5(handle.read()).hexdigest()


def tokenizer_fingerprint():
  """What identifies the tokenizer in a feature-cache fingerprint."""
  if FLAGS.albert_hub_module_handle:
    return {"hub_module": FLAGS.albert_hub_module_handle}
  if FLAGS.spm_model_file:
    return {"spm_model_file": FLAGS.spm_model_file,
            "md5": _file_digest(FLAGS.spm_model_file)}
  return {"vocab_file": FLAGS.vocab_file, "md5": _file_digest(FLAGS.vocab_file)}


def _data_file_identity(path):
  stat = tf.io.gfile.stat(path) if tf.io.gfile.exists(path) else None
  return {"path": path, "size": stat.length if stat else None}


def build_feature_cache(cache_path, split_name, read_examples, data_file, label_list,
                        tokenizer, task_name, pad_to_multiple_of=None):
  """Writes (or reuses) the TFRecord features of one split.

  Args:
    cache_path: TFRecord path.
    split_name: "train", "dev" or "test" (for the fingerprint and logs).
    read_examples: function() -> list of `InputExample` (only called when (re)building).
    data_file: the TSV the examples come from (its size is part of the fingerprint).
    label_list, tokenizer, task_name: as `file_based_convert_examples_to_features`.
    pad_to_multiple_of: pad with `PaddingInputExample`s to a multiple of this (TPU eval).

  Returns:
    metadata dict {"num_examples": records written, "num_actual_examples": real examples}.
  """
  fingerprint = {
      "task_name": task_name,
      "split": split_name,
      "max_seq_length": FLAGS.max_seq_length,
      "do_lower_case": FLAGS.do_lower_case,
      "tokenizer": tokenizer_fingerprint(),
      "data_file": _data_file_identity(data_file),
      "pad_to_multiple_of": pad_to_multiple_of,
  }

  def build(tmp_path):
    examples = read_examples()
    num_actual_examples = len(examples)
    examples = pad_examples(examples, pad_to_multiple_of)
    num_written = classifier_utils.file_based_convert_examples_to_features(
        examples, label_list, FLAGS.max_seq_length, tokenizer, tmp_path, task_name)
    return {"num_examples": num_written, "num_actual_examples": num_actual_examples}

  # Deviation (docs/DEVIATIONS.md): caches are rebuilt when the flags that shaped them change.
  return tfrecord_utils.ensure_feature_cache(cache_path, fingerprint, build)


def pad_examples(examples, multiple):
  """Pads `examples` with `PaddingInputExample`s to a multiple of `multiple` (None: as is).

  TPUs need every batch full; padding rows carry is_real_example=0, so metrics ignore them,
  and the prediction writer drops them.
  """
  examples = list(examples)
  if multiple:
    examples += [classifier_utils.PaddingInputExample()] * (-len(examples) % multiple)
  return examples


def _checkpoint_to_use(output_dir, init_checkpoint=None):
  """model.ckpt-best if present, else the newest checkpoint (with a warning).

  With no checkpoint in `output_dir` at all, `init_checkpoint` (e.g. an already fine-tuned
  model imported from elsewhere) is used as it is.
  """
  best_prefix = os.path.join(output_dir, checkpoint_utils.BEST_PREFIX_NAME)
  if tf.io.gfile.exists(best_prefix + ".index"):
    return best_prefix
  checkpoints = checkpoint_utils.list_checkpoints(output_dir)
  if not checkpoints and init_checkpoint:
    logging.info("No checkpoint in %s; using --init_checkpoint=%s as it is.", output_dir,
                 init_checkpoint)
    return init_checkpoint
  if not checkpoints:
    raise ValueError("No checkpoint in %s: expected model.ckpt-best (written by --do_eval) or "
                     "model.ckpt-N (written by --do_train)." % output_dir)
  # Deviation (docs/DEVIATIONS.md): the original fails without model.ckpt-best.
  logging.warning("No %s in %s (run --do_eval to pick the best checkpoint); using the newest "
                  "checkpoint %s.", checkpoint_utils.BEST_PREFIX_NAME, output_dir,
                  checkpoints[-1][1])
  return checkpoints[-1][1]


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
  """Returns a serving input fn taking serialized `tf.train.Example`s.

  The SavedModel's input is `serialized_example`: a string Tensor of shape [None], each a
  `tf.train.Example` with int64 `input_ids`, `input_mask`, `segment_ids` of length L (the
  TFRecord layout of training). Labels are not needed: constant placeholders are added.
  """

  def serving_input_receiver_fn():
    serialized_example = tf.compat.v1.placeholder(
        dtype=tf.string, shape=[None], name="serialized_example")
    name_to_features = {
        "input_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
        "input_mask": tf.io.FixedLenFeature([max_seq_length], tf.int64),
        "segment_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
    }
    parsed = tf.io.parse_example(serialized_example, name_to_features)
    features = {name: tf.cast(tensor, tf.int32) for name, tensor in parsed.items()}
    batch = tf.shape(serialized_example)[:1]
    features["is_real_example"] = tf.ones(batch, dtype=tf.int32)
    if task_name == "sts-b":
      features["label_ids"] = tf.zeros(batch, dtype=tf.float32)
    else:
      features["label_ids"] = tf.zeros(batch, dtype=tf.int32)
    return tf.estimator.export.ServingInputReceiver(
        features=features, receiver_tensors={"serialized_example": serialized_example})

  return serving_input_receiver_fn


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


def main(_):
  logging.set_verbosity(logging.INFO)
  task_name = FLAGS.task_name.lower()
  output_dir = FLAGS.output_dir

  # Everything that can be checked is checked before a file is written.
  albert_config = None
  if FLAGS.albert_config_file:
    albert_config = modeling.AlbertConfig.from_json_file(FLAGS.albert_config_file)
  validate_flags_or_throw(albert_config)
  # Validates the task name first (its error lists the valid names).
  classifier_utils.get_processor(task_name, use_spm=False, do_lower_case=FLAGS.do_lower_case)
  tokenizer = fine_tuning_utils.create_vocab(
      vocab_file=FLAGS.vocab_file,
      do_lower_case=FLAGS.do_lower_case,
      spm_model_file=FLAGS.spm_model_file,
      hub_module=FLAGS.albert_hub_module_handle)
  use_spm = tokenizer.sp_model is not None
  processor = classifier_utils.get_processor(task_name, use_spm=use_spm,
                                             do_lower_case=FLAGS.do_lower_case)
  label_list = processor.get_labels()
  num_labels = 1 if task_name == "sts-b" else len(label_list)
  tf.io.gfile.makedirs(output_dir)
  cached_dir = FLAGS.cached_dir or output_dir

  iterations_per_loop = FLAGS.iterations_per_loop
  if FLAGS.do_train:
    iterations_per_loop = min(FLAGS.iterations_per_loop, FLAGS.save_checkpoints_steps)

  model_fn = classifier_utils.model_fn_builder(
      albert_config=albert_config,
      num_labels=num_labels,
      init_checkpoint=FLAGS.init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=FLAGS.train_step,
      num_warmup_steps=FLAGS.warmup_step,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      task_name=task_name,
      hub_module=FLAGS.albert_hub_module_handle,
      optimizer=FLAGS.optimizer)

  def make_estimator(model_fn_to_use):
    # keep_checkpoint_max=0 (keep all), as the original: the evaluation sweep prunes them.
    return estimator_utils.build_estimator(
        model_fn=model_fn_to_use,
        model_dir=output_dir,
        save_checkpoints_steps=FLAGS.save_checkpoints_steps,
        train_batch_size=FLAGS.train_batch_size,
        eval_batch_size=FLAGS.eval_batch_size,
        predict_batch_size=FLAGS.predict_batch_size,
        keep_checkpoint_max=0,
        iterations_per_loop=iterations_per_loop,
        export_to_tpu=False)

  estimator = make_estimator(model_fn)

  def input_fn_for(record_file, is_training, batch_size):
    # Training drops the last partial batch; evaluation and prediction keep every example,
    # except on TPU, whose padded files are whole batches already.
    return classifier_utils.file_based_input_fn_builder(
        input_file=record_file,
        seq_length=FLAGS.max_seq_length,
        is_training=is_training,
        drop_remainder=is_training or FLAGS.use_tpu,
        task_name=task_name,
        use_tpu=FLAGS.use_tpu,
        bsz=batch_size)

  if FLAGS.do_train:
    train_file = os.path.join(cached_dir, task_name + "_train.tf_record")
    train_data = processor._path(FLAGS.data_dir, processor.train_file)  # pylint: disable=protected-access
    metadata = build_feature_cache(
        train_file, "train", lambda: processor.get_train_examples(FLAGS.data_dir),
        train_data, label_list, tokenizer, task_name)
    logging.info("***** Running training *****")
    logging.info("  Num examples = %d", metadata["num_actual_examples"])
    logging.info("  Batch size = %d", FLAGS.train_batch_size)
    logging.info("  Num steps = %d", FLAGS.train_step)
    train_input_fn = input_fn_for(train_file, True, FLAGS.train_batch_size)
    throughput_hook = estimator_utils.ThroughputLoggingHook(
        batch_size=FLAGS.train_batch_size, seq_length=FLAGS.max_seq_length,
        num_train_steps=FLAGS.train_step,
        every_n_steps=min(100, FLAGS.save_checkpoints_steps), output_dir=output_dir)
    estimator.train(input_fn=train_input_fn, max_steps=FLAGS.train_step,
                    hooks=[throughput_hook])

  if FLAGS.do_eval:
    eval_file = os.path.join(cached_dir, task_name + "_eval.tf_record")
    dev_data = processor._path(FLAGS.data_dir, processor.dev_file)  # pylint: disable=protected-access
    # TPUs need fixed batches: pad with fake examples instead of dropping real ones.
    metadata = build_feature_cache(
        eval_file, "dev", lambda: processor.get_dev_examples(FLAGS.data_dir), dev_data,
        label_list, tokenizer, task_name,
        pad_to_multiple_of=FLAGS.eval_batch_size if FLAGS.use_tpu else None)
    logging.info("***** Running evaluation *****")
    logging.info("  Num examples = %d (%d actual, %d padding)", metadata["num_examples"],
                 metadata["num_actual_examples"],
                 metadata["num_examples"] - metadata["num_actual_examples"])
    eval_steps = None
    if FLAGS.use_tpu:
      eval_steps = metadata["num_examples"] // FLAGS.eval_batch_size
    eval_input_fn = input_fn_for(eval_file, False, FLAGS.eval_batch_size)

    def evaluate_fn(checkpoint_prefix):
      result = estimator.evaluate(input_fn=eval_input_fn, steps=eval_steps,
                                  checkpoint_path=checkpoint_prefix)
      return {key: value.item() if hasattr(value, "item") else value
              for key, value in result.items()}

    # Deviation (docs/DEVIATIONS.md): the sweep always ends (no new checkpoint for 10
    # minutes, or the final step evaluated, or a finished run evaluated again).
    best_step, best_metrics = checkpoint_utils.sweep_checkpoints(
        model_dir=output_dir,
        evaluate_fn=evaluate_fn,
        metric_key=_metric_key(task_name),
        final_step=FLAGS.train_step,
        results_file=os.path.join(output_dir, "eval_results.txt"),
        state_file=os.path.join(output_dir, "best_trial.txt"))
    if best_step is None:
      logging.warning("No checkpoint was evaluated in %s.", output_dir)
    else:
      logging.info("Best checkpoint: step %d, %s", best_step, best_metrics)

  if FLAGS.do_predict:
    predict_examples = processor.get_test_examples(FLAGS.data_dir)
    num_actual_predict_examples = len(predict_examples)
    predict_examples = pad_examples(
        predict_examples, FLAGS.predict_batch_size if FLAGS.use_tpu else None)
    predict_file = os.path.join(output_dir, "predict.tf_record")
    classifier_utils.file_based_convert_examples_to_features(
        predict_examples, label_list, FLAGS.max_seq_length, tokenizer, predict_file,
        task_name)
    logging.info("***** Running prediction *****")
    logging.info("  Num examples = %d (%d actual, %d padding)", len(predict_examples),
                 num_actual_predict_examples,
                 len(predict_examples) - num_actual_predict_examples)
    predict_input_fn = input_fn_for(predict_file, False, FLAGS.predict_batch_size)
    checkpoint_path = _checkpoint_to_use(output_dir, FLAGS.init_checkpoint)
    results = estimator.predict(input_fn=predict_input_fn, checkpoint_path=checkpoint_path)
    write_prediction_files(output_dir, predict_examples, results,
                           num_actual_predict_examples, label_list, task_name)
    logging.info("Wrote test_results.tsv and submit_results.tsv in %s", output_dir)

  if FLAGS.export_dir:
    checkpoint_path = _checkpoint_to_use(output_dir, FLAGS.init_checkpoint)
    export_model_fn = model_fn
    if not math.isnan(FLAGS.threshold_to_export):
      export_model_fn = add_threshold_to_model_fn(model_fn, FLAGS.threshold_to_export)
    export_estimator = make_estimator(export_model_fn)
    tf.io.gfile.makedirs(FLAGS.export_dir)
    export_path = export_estimator.export_saved_model(
        FLAGS.export_dir,
        serving_input_receiver_fn_builder(FLAGS.max_seq_length, task_name),
        checkpoint_path=checkpoint_path)
    logging.info("Exported SavedModel of %s to %s", checkpoint_path, export_path)


if __name__ == "__main__":
  flags.mark_flag_as_required("data_dir")
  flags.mark_flag_as_required("task_name")
  flags.mark_flag_as_required("output_dir")
  app.run(main)
