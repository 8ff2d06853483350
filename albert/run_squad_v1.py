# coding=utf-8
"""Fine-tunes ALBERT on SQuAD 1.1, predicts, and exports a SavedModel and a TFLite model.

  python -m albert.run_squad_v1 --albert_config_file=albert_config.json \
      --output_dir=out/squad1 --train_file=train-v1.1.json --predict_file=dev-v1.1.json \
      --train_feature_file=out/train.tfrecord --predict_feature_file=out/dev.tfrecord \
      --predict_feature_left_file=out/dev_left_file.jsonl --init_checkpoint=model.ckpt-best \
      --spm_model_file=30k-clean.model --do_lower_case --max_seq_length=384 \
      --doc_stride=128 --max_query_length=64 --do_train --do_predict --train_batch_size=48 \
      --predict_batch_size=8 --learning_rate=5e-5 --num_train_epochs=2.0 \
      --warmup_proportion=.1 --save_checkpoints_steps=5000 --n_best_size=20 \
      --max_answer_length=30

The head scores every position as answer start and as answer end. Outputs in --output_dir, for
the best checkpoint on --predict_file:
  predictions.json          {question id: answer}
  nbest_predictions.json    {question id: [{text, probability, start_log_prob, end_log_prob}]}
  eval_results.txt          official SQuAD 1.1 exact_match and f1 of every checkpoint, then
                            the final one
  model.ckpt-best.*, best_trial.txt
With --export_dir (and --use_einsum=False, as the original advises): a SavedModel under
<export_dir>/saved_model/<timestamp>/ and <export_dir>/albert_model.tflite.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import os

from absl import app
from absl import flags
import tensorflow as tf

from albert import checkpoint_utils
from albert import flag_utils
from albert import squad_answers
from albert import squad_metrics
from albert import squad_models
from albert import squad_runner
from albert import tfrecord_utils

logging = tf.compat.v1.logging

squad_runner.define_squad_flags(__name__)
flag_utils.define_flag(flags.DEFINE_bool, "use_einsum", True,
                       "Whether to use tf.einsum or tf.reshape+tf.matmul for dense layers. Must "
                       "be set to False for TFLite compatibility.")
flag_utils.define_flag(flags.DEFINE_string, "export_dir", None,
                       "The directory where the exported SavedModel will be stored.")

FLAGS = flags.FLAGS

# Model inputs of the exported SavedModel and TFLite model, and the graph names of the outputs.
SERVING_INPUT_NAMES = ("input_ids", "input_mask", "segment_ids")
TFLITE_OUTPUT_NAMES = ("start_logits", "end_logits")


def model_fn_for(task, schedule):
  """The v1 model_fn."""
  return squad_models.v1_model_fn_builder(use_einsum=FLAGS.use_einsum,
                                          **squad_runner.model_fn_args(task, schedule))


def candidates_fn(metadata, result):
  return squad_answers.candidates_v1(metadata, result, FLAGS.n_best_size,
                                     FLAGS.max_answer_length)


def score_and_write(dataset, answers):
  """Scores the answers (official SQuAD 1.1) and writes the prediction files."""
  squad_answers.write_prediction_files(FLAGS.output_dir, answers.best_texts, answers.nbest)
  if dataset is None:
    return {}
  metrics = squad_metrics.evaluate_v1(dataset, answers.best_texts)
  logging.info("SQuAD 1.1: exact_match %.2f, f1 %.2f", metrics["exact_match"], metrics["f1"])
  return metrics


def serving_input_receiver_fn():
  """Serving inputs as the original: int32 input_ids, input_mask, segment_ids [B, L].

  The original fixes the batch to 1; here it is None (any batch); the TFLite conversion
  fixes it to 1.
  # Deviation (docs/DEVIATIONS.md): any batch size; unique_ids are not a serving input.
  """
  inputs = {name: tf.compat.v1.placeholder(tf.int32, [None, FLAGS.max_seq_length], name=name)
            for name in SERVING_INPUT_NAMES}
  return tf.estimator.export.ServingInputReceiver(features=inputs, receiver_tensors=inputs)


def export(estimator):
  """Exports a SavedModel of the best (or newest) checkpoint, then a TFLite model of it.

  Returns:
    (saved_model_dir, tflite_path).
  """
  checkpoint = checkpoint_utils.best_or_latest_checkpoint(FLAGS.output_dir,
                                                          FLAGS.init_checkpoint)
  saved_model_base = os.path.join(FLAGS.export_dir, "saved_model")
  tf.io.gfile.makedirs(saved_model_base)
  saved_model_dir = estimator.export_saved_model(saved_model_base, serving_input_receiver_fn,
                                                 checkpoint_path=checkpoint)
  if isinstance(saved_model_dir, bytes):
    saved_model_dir = saved_model_dir.decode("utf-8")
  logging.info("Exported SavedModel of %s to %s", checkpoint, saved_model_dir)

  converter = tf.compat.v1.lite.TFLiteConverter.from_saved_model(
      saved_model_dir, input_arrays=list(SERVING_INPUT_NAMES),
      input_shapes={name: [1, FLAGS.max_seq_length] for name in SERVING_INPUT_NAMES},
      output_arrays=list(TFLITE_OUTPUT_NAMES))
  float_model = converter.convert()
  tflite_path = os.path.join(FLAGS.export_dir, "albert_model.tflite")
  with tfrecord_utils.atomic_output(tflite_path) as tmp_path:
    with tf.io.gfile.GFile(tmp_path, "wb") as handle:
      handle.write(float_model)
  logging.info("Wrote the TFLite model to %s", tflite_path)
  return saved_model_dir, tflite_path


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  task = squad_runner.validate_flags_or_throw(is_v2=False, can_export=True)
  tf.io.gfile.makedirs(FLAGS.output_dir)
  schedule, train_metadata = squad_runner.training_schedule(task)
  estimator = squad_runner.build_estimator(model_fn_for(task, schedule))
  if FLAGS.do_train:
    squad_runner.train(task, estimator, schedule, train_metadata)
  if FLAGS.do_predict:
    squad_runner.predict(task, estimator, schedule, candidates_fn, score_and_write)
  if FLAGS.export_dir:
    export(estimator)


if __name__ == "__main__":
  flags.mark_flag_as_required("output_dir")
  app.run(main)
