# coding=utf-8
"""Fine-tunes ALBERT on SQuAD 2.0 (answers, or "no answer") and predicts.

  python -m albert.run_squad_v2 --albert_config_file=albert_config.json \
      --output_dir=out/squad2 --train_file=train-v2.0.json --predict_file=dev-v2.0.json \
      --train_feature_file=out/train.tfrecord --predict_feature_file=out/dev.tfrecord \
      --predict_feature_left_file=out/dev_left_file.jsonl --init_checkpoint=model.ckpt-best \
      --spm_model_file=30k-clean.model --do_lower_case --max_seq_length=384 \
      --doc_stride=128 --max_query_length=64 --do_train --do_predict --train_batch_size=48 \
      --predict_batch_size=8 --learning_rate=5e-5 --num_train_epochs=2.0 \
      --warmup_proportion=.1 --save_checkpoints_steps=5000 --n_best_size=20 \
      --max_answer_length=30

The head predicts a start, an end given the start (beam search: --start_n_top x --end_n_top
candidates per window) and a "no answer" score. Outputs in --output_dir, for the best
checkpoint on --predict_file:
  predictions.json          {question id: answer or ""}
  nbest_predictions.json    {question id: [{text, probability, start_log_prob, end_log_prob}]}
  null_odds.json            {question id: null score difference (higher: "no answer")}
  eval_results.txt          official SQuAD 2.0 scores of every checkpoint, then the final one
  model.ckpt-best.*, best_trial.txt
Score `predictions.json` against the dev file with the official `evaluate-v2.0.py` and
`--na-prob-file null_odds.json`, or read eval_results.txt.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

from absl import app
from absl import flags
import tensorflow as tf

from albert import flag_utils
from albert import squad_answers
from albert import squad_models
from albert import squad_runner

logging = tf.compat.v1.logging

squad_runner.define_squad_flags(__name__)
flag_utils.define_flag(flags.DEFINE_integer, "start_n_top", 5, "beam size for the start "
                       "positions", lower_bound=1)
flag_utils.define_flag(flags.DEFINE_integer, "end_n_top", 5, "beam size for the end "
                       "positions (per start position)", lower_bound=1)
flag_utils.define_flag(flags.DEFINE_float, "dropout_prob", 0.1,
                       "dropout probability of the answerability layer", lower_bound=0.0,
                       upper_bound=1.0)
# Deviation (docs/DEVIATIONS.md): a new flag; the original only tunes the threshold on dev.
flag_utils.define_flag(
    flags.DEFINE_float, "null_score_diff_threshold", None,
    "If set, predict \"no answer\" when a question's null score difference (null_odds.json) "
    "is at least this value; predictions.json uses it, and its score is reported next to the "
    "original's score with the threshold tuned on the predicted (dev) set itself.")

FLAGS = flags.FLAGS

THRESHOLD_NOTE = (
    "exact, f1, HasAns_* and NoAns_* use null_score_diff_threshold, TUNED ON THIS DEV SET "
    "as the original does (optimistic); fixed_threshold_* use the fixed "
    "--null_score_diff_threshold=%s, and predictions.json follows it")


def model_fn_for(task, schedule):
  """The v2 model_fn."""
  return squad_models.v2_model_fn_builder(
      max_seq_length=FLAGS.max_seq_length, start_n_top=FLAGS.start_n_top,
      end_n_top=FLAGS.end_n_top, dropout_prob=FLAGS.dropout_prob,
      **squad_runner.model_fn_args(task, schedule))


def candidates_fn(metadata, result):
  return squad_answers.candidates_v2(metadata, result, FLAGS.start_n_top, FLAGS.end_n_top,
                                     FLAGS.max_answer_length)


def score_and_write(dataset, answers):
  """Scores the answers (dev-tuned and fixed threshold) and writes the prediction files.

  Args:
    dataset: the predict file's "data" list, or None when it has no gold answers.
    answers: `squad_answers.SquadAnswers`.

  Returns:
    metrics dict (empty without gold answers).
  """
  threshold = FLAGS.null_score_diff_threshold
  if dataset is None:
    metrics, predictions = {}, squad_answers.apply_null_threshold(answers, threshold)
  else:
    metrics, predictions = squad_answers.evaluate_v2(dataset, answers, threshold)
    logging.info("SQuAD 2.0 with the null threshold TUNED ON THIS DEV SET (%.4f, as the "
                 "original reports; optimistic): exact %.2f, f1 %.2f",
                 metrics["null_score_diff_threshold"], metrics["exact"], metrics["f1"])
    if threshold is not None:
      logging.info("SQuAD 2.0 with the FIXED --null_score_diff_threshold=%s: exact %.2f, "
                   "f1 %.2f", threshold, metrics["fixed_threshold_exact"],
                   metrics["fixed_threshold_f1"])
  squad_answers.write_prediction_files(FLAGS.output_dir, predictions, answers.nbest,
                                       answers.null_odds)
  return metrics


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  task = squad_runner.validate_flags_or_throw(is_v2=True)
  tf.io.gfile.makedirs(FLAGS.output_dir)
  schedule, train_metadata = squad_runner.training_schedule(task)
  estimator = squad_runner.build_estimator(model_fn_for(task, schedule))
  if FLAGS.do_train:
    squad_runner.train(task, estimator, schedule, train_metadata)
  if FLAGS.do_predict:
    note = None
    if FLAGS.null_score_diff_threshold is not None:
      note = THRESHOLD_NOTE % FLAGS.null_score_diff_threshold
    squad_runner.predict(task, estimator, schedule, candidates_fn, score_and_write,
                         results_note=note)


if __name__ == "__main__":
  flags.mark_flag_as_required("output_dir")
  app.run(main)
