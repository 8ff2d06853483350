# coding=utf-8
"""From the SQuAD heads' outputs to answers: n-best lists, prediction files, v2 thresholds.

  * `candidates_v1`, `candidates_v2`: the valid answer spans of one feature (window).
  * `collect_answers`: merges the windows of each question into its n-best list while the
    predictions stream; every question gets an answer, "" for one without features.
  * `write_prediction_files`: predictions.json, nbest_predictions.json, null_odds.json.
  * `apply_null_threshold`, `evaluate_v2`: SQuAD 2.0 "no answer" decisions and the
    original's dev-tuned report next to a fixed-threshold score (scores: `squad_metrics`).

Features are described by `squad_utils.FeatureMetadata` (the `--predict_feature_left_file`
records); results are the prediction dicts of `squad_models`' model_fns.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import json
import math
import os

import numpy as np
import tensorflow as tf

from albert import squad_metrics
from albert import tfrecord_utils

logging = tf.compat.v1.logging

# The null score of a question that has no feature to score it (the original's initial value).
NO_FEATURE_NULL_SCORE = 1000000.0


# A candidate answer span of one feature: doc-token indexes in the window, the original
# character span and the two scores.
_Candidate = collections.namedtuple(
    "_Candidate", ["start_index", "end_index", "start_orig", "end_orig", "start_log_prob",
                   "end_log_prob"])


def _candidate(metadata, start_position, end_position, start_log_prob, end_log_prob,
               max_answer_length):
  """A `_Candidate` for feature positions (start, end), or None if the span is invalid.

  Valid: both inside the window's doc tokens, the start token has its max context in this
  window, end >= start, at most `max_answer_length` tokens.
  """
  start_index = int(start_position) - metadata.doc_offset
  end_index = int(end_position) - metadata.doc_offset
  num_doc_tokens = len(metadata.tok_start_to_orig_index)
  if not (0 <= start_index < num_doc_tokens and 0 <= end_index < num_doc_tokens):
    return None
  if not metadata.token_is_max_context[start_index]:
    return None
  if end_index < start_index or end_index - start_index + 1 > max_answer_length:
    return None
  return _Candidate(start_index, end_index, int(metadata.tok_start_to_orig_index[start_index]),
                    int(metadata.tok_end_to_orig_index[end_index]), float(start_log_prob),
                    float(end_log_prob))


def candidates_v1(metadata, result, n_best_size, max_answer_length):
  """Candidate spans of one v1 feature: pairs of the n best start and end positions.

  Args:
    metadata: `FeatureMetadata`.
    result: dict with "start_log_prob", "end_log_prob" (float [S], raw logits).
    n_best_size, max_answer_length: ints.

  Returns:
    (list of `_Candidate`, null score): v1 has no null score (None).
  """
  start_scores = np.asarray(result["start_log_prob"])
  end_scores = np.asarray(result["end_log_prob"])
  candidates = []
  for start_position in _top_indexes(start_scores, n_best_size):
    for end_position in _top_indexes(end_scores, n_best_size):
      candidate = _candidate(metadata, start_position, end_position,
                             start_scores[start_position], end_scores[end_position],
                             max_answer_length)
      if candidate is not None:
        candidates.append(candidate)
  return candidates, None


def _top_indexes(scores, n):
  """Indexes of the n largest scores, largest first (ties: lower index first)."""
  return np.argsort(-scores, kind="stable")[:n]


def candidates_v2(metadata, result, start_n_top, end_n_top, max_answer_length):
  """Candidate spans of one v2 feature from the beam outputs, and its null score.

  Args:
    metadata: `FeatureMetadata`.
    result: dict with "start_top_log_probs", "start_top_index" [K], "end_top_log_probs",
      "end_top_index" [K*E], "cls_logits" scalar.
    start_n_top, end_n_top, max_answer_length: ints.

  Returns:
    (list of `_Candidate`, the feature's cls_logits).
  """
  candidates = []
  for i in range(start_n_top):
    for j in range(end_n_top):
      beam = i * end_n_top + j
      candidate = _candidate(metadata, result["start_top_index"][i],
                             result["end_top_index"][beam], result["start_top_log_probs"][i],
                             result["end_top_log_probs"][beam], max_answer_length)
      if candidate is not None:
        candidates.append(candidate)
  return candidates, float(result["cls_logits"])


def nbest_answers(paragraph_text, candidates, n_best_size, empty_text, empty_score):
  """The n-best list of one question (the nbest_predictions.json entry).

  Candidates of all the question's windows are sorted by start + end score; each distinct
  answer text (paragraph[start:end+1].strip()) is kept once. Probabilities are the softmax of
  the summed scores over the kept entries.

  Args:
    paragraph_text: the original paragraph.
    candidates: list of `_Candidate`.
    n_best_size: int.
    empty_text, empty_score: the single entry when no candidate is valid (v1: "empty" with
      scores 0, v2: "" with scores -1e6, as the original).

  Returns:
    list of OrderedDict(text, probability, start_log_prob, end_log_prob), best first.
  """
  ordered = sorted(candidates, key=lambda c: c.start_log_prob + c.end_log_prob, reverse=True)
  seen_texts = set()
  entries = []
  for candidate in ordered:
    if len(entries) >= n_best_size:
      break
    text = paragraph_text[candidate.start_orig:candidate.end_orig + 1].strip()
    if text in seen_texts:
      continue
    seen_texts.add(text)
    entries.append((text, candidate.start_log_prob, candidate.end_log_prob))
  if not entries:
    entries.append((empty_text, empty_score, empty_score))
  probabilities = _softmax([start + end for _, start, end in entries])
  return [collections.OrderedDict([("text", text), ("probability", probability),
                                   ("start_log_prob", start), ("end_log_prob", end)])
          for (text, start, end), probability in zip(entries, probabilities)]


def _softmax(scores):
  if not scores:
    return []
  max_score = max(scores)
  exps = [math.exp(score - max_score) for score in scores]
  total = sum(exps)
  return [value / total for value in exps]


SquadAnswers = collections.namedtuple("SquadAnswers", ["best_texts", "nbest", "null_odds",
                                                       "unanswered_ids"])


def collect_answers(examples, feature_metadata, results, candidates_fn, n_best_size,
                    is_v2):
  """Turns the model's per-feature results into per-question n-best lists.

  Features and results come in the same order (the prediction file's order); the features
  of one example are consecutive. Each example is finished as soon as its last feature has
  been seen, so memory holds one example's candidates at a time.

  Args:
    examples: list of `SquadExample` (every question of the prediction file).
    feature_metadata: iterable of `FeatureMetadata`, in feature order.
    results: iterable of prediction dicts of the estimator, in the same order.
    candidates_fn: function(metadata, result) -> (candidates, null score or None).
    n_best_size: int.
    is_v2: v2 conventions (empty n-best -> "", null score = min over windows).

  Returns:
    `SquadAnswers`: best_texts {qid: best non-null answer}, nbest {qid: n-best list},
    null_odds {qid: null score difference} (v2; None for v1), unanswered_ids (questions
    without features; their answer is "").

  Raises:
    ValueError: results and features do not correspond (e.g. a stale metadata file).
  """
  best_texts = collections.OrderedDict()
  nbest = collections.OrderedDict()
  null_odds = collections.OrderedDict() if is_v2 else None
  unanswered_ids = []
  empty_text, empty_score = ("", -1e6) if is_v2 else ("empty", 0.0)

  def finish(example, candidates, null_scores):
    if null_scores is None:
      # Deviation (docs/DEVIATIONS.md): questions without features are answered "".
      unanswered_ids.append(example.qas_id)
      entries = [collections.OrderedDict([("text", ""), ("probability", 1.0),
                                          ("start_log_prob", empty_score),
                                          ("end_log_prob", empty_score)])]
    else:
      entries = nbest_answers(example.paragraph_text, candidates, n_best_size, empty_text,
                              empty_score)
    best_texts[example.qas_id] = entries[0]["text"]
    nbest[example.qas_id] = entries
    if is_v2:
      null_odds[example.qas_id] = (min(null_scores) if null_scores
                                   else NO_FEATURE_NULL_SCORE)

  next_example = 0
  current = None  # (example_index, candidates, null scores)
  results = iter(results)
  for metadata in feature_metadata:
    result = next(results, None)
    if result is None:
      raise ValueError("The model returned fewer results than there are features (stopped "
                       "at feature %d of question %r)." % (metadata.unique_id,
                                                           metadata.qas_id))
    if int(result["unique_ids"]) != metadata.unique_id:
      raise ValueError("Result for feature %s arrived where feature %d was expected; the "
                       "feature metadata file does not belong to the feature file." %
                       (result["unique_ids"], metadata.unique_id))
    if current is not None and metadata.example_index != current[0]:
      finish(examples[current[0]], current[1], current[2])
      current = None
    if current is None:
      if (metadata.example_index >= len(examples) or metadata.example_index < next_example or
          examples[metadata.example_index].qas_id != metadata.qas_id):
        raise ValueError("Feature %d belongs to question %r (example %d), which is not where "
                         "it should be in the prediction file; the feature metadata is "
                         "stale." % (metadata.unique_id, metadata.qas_id,
                                     metadata.example_index))
      for skipped_index in range(next_example, metadata.example_index):
        finish(examples[skipped_index], [], None)
      current = (metadata.example_index, [], [])
      next_example = metadata.example_index + 1
    candidates, null_score = candidates_fn(metadata, result)
    current[1].extend(candidates)
    if null_score is not None:
      current[2].append(null_score)
  if next(results, None) is not None:
    raise ValueError("The model returned more results than there are features.")
  if current is not None:
    finish(examples[current[0]], current[1], current[2])
  for skipped_index in range(next_example, len(examples)):
    finish(examples[skipped_index], [], None)
  if unanswered_ids:
    logging.warning("%d questions had no features and are answered \"\": %s",
                    len(unanswered_ids), ", ".join(unanswered_ids))
  return SquadAnswers(best_texts, nbest, null_odds, unanswered_ids)


def apply_null_threshold(answers, threshold):
  """v2 predictions: the best answer if null_odds < threshold (or threshold None), else ""."""
  return collections.OrderedDict(
      (qid, text if threshold is None or answers.null_odds[qid] < threshold else "")
      for qid, text in answers.best_texts.items())


def write_prediction_files(output_dir, predictions, nbest, null_odds=None):
  """Writes predictions.json, nbest_predictions.json (and null_odds.json), each atomically.

  Returns:
    dict file kind -> path.
  """
  paths = {"predictions": os.path.join(output_dir, "predictions.json"),
           "nbest": os.path.join(output_dir, "nbest_predictions.json")}
  contents = {"predictions": predictions, "nbest": nbest}
  if null_odds is not None:
    paths["null_odds"] = os.path.join(output_dir, "null_odds.json")
    contents["null_odds"] = null_odds
  for kind, path in paths.items():
    tfrecord_utils.atomic_write_text(path, json.dumps(contents[kind], indent=4) + "\n")
  return paths


def evaluate_v2(dataset, answers, fixed_threshold=None):
  """Scores SQuAD 2.0 answers the original's way, and at a fixed threshold when given.

  The original predicts with no threshold, searches the null-score threshold with the best
  F1 ON THIS DEV SET, re-predicts with it and reports that score (optimistic: the threshold
  is tuned on the data it is scored on). That report is kept (exact, f1,
  null_score_diff_threshold, HasAns_*, NoAns_*, best_*). With `fixed_threshold` (the
  --null_score_diff_threshold flag) the predictions at that threshold are scored too
  (fixed_threshold_* keys).
  # Deviation (docs/DEVIATIONS.md): fixed-threshold score next to the dev-tuned one; each
  # score is that of the predictions as written (the original's second pass applies the
  # official script's na_prob_thresh=1.0 to raw logit differences).

  Args:
    dataset: the "data" list of the dev JSON file.
    answers: `SquadAnswers` with null_odds.
    fixed_threshold: float or None.

  Returns:
    (metrics, predictions): metrics dict; predictions {qid: text} to write (at the fixed
    threshold when given, else at the tuned one).
  """
  raw_predictions = apply_null_threshold(answers, None)
  search = squad_metrics.evaluate_v2(dataset, raw_predictions, answers.null_odds)
  tuned_threshold = search["best_f1_thresh"]
  tuned_predictions = apply_null_threshold(answers, tuned_threshold)
  metrics = collections.OrderedDict(squad_metrics.evaluate_v2(dataset, tuned_predictions))
  metrics["null_score_diff_threshold"] = tuned_threshold
  for key in ("best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh"):
    metrics[key] = search[key]
  if fixed_threshold is None:
    return metrics, tuned_predictions
  fixed_predictions = apply_null_threshold(answers, fixed_threshold)
  fixed = squad_metrics.evaluate_v2(dataset, fixed_predictions)
  for key, value in fixed.items():
    metrics["fixed_threshold_" + key] = value
  metrics["fixed_null_score_diff_threshold"] = float(fixed_threshold)
  return metrics, fixed_predictions
