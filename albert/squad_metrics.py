# coding=utf-8
"""The official SQuAD 1.1 and 2.0 evaluations (exact match, F1, no-answer thresholds).

Same definitions as the official `evaluate-v1.1.py` and `evaluate-v2.0.py` scripts (written
here from their specification, not copied):

  * Answers are compared after normalisation: lower-case, drop ASCII punctuation, drop the
    articles "a", "an", "the" as whole words, collapse whitespace.
  * Exact match (EM) is 1 when the normalised strings are equal; F1 is the harmonic mean of
    precision and recall of the normalised tokens (a bag of words, counted with multiplicity).
    Each question scores the maximum over its gold answers. Totals are percentages.
  * SQuAD 1.1: a question without a prediction scores 0 and counts in the total.
  * SQuAD 2.0: an unanswerable question (no gold answer) has the single gold answer "" and
    only the empty prediction scores on it; F1 between an empty and a non-empty answer is 0.
    A question without a prediction is left out of the totals (as the official script does).
    `na_probs` (here `null_odds.json`: the model's null-score difference per question) and a
    threshold turn a prediction into "no answer" when the score is above the threshold;
    `find_best_thresh` picks the threshold with the best score on the evaluated set.

`dataset` arguments are the "data" list of a SQuAD JSON file; `predictions` map question id
-> answer text.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import re
import string

import tensorflow as tf

logging = tf.compat.v1.logging

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES_RE = re.compile(r"\b(a|an|the)\b", re.UNICODE)


###############################################################################
# Normalisation and per-answer scores
###############################################################################


def normalize_answer(text):
  """Lower-cases, removes punctuation and articles, and collapses whitespace."""
  text = text.lower()
  text = "".join(char for char in text if char not in _PUNCTUATION)
  text = _ARTICLES_RE.sub(" ", text)
  return " ".join(text.split())


def get_tokens(text):
  """The normalised tokens of an answer ([] for an empty answer)."""
  if not text:
    return []
  return normalize_answer(text).split()


def compute_exact(gold_answer, predicted_answer):
  """1 if the normalised answers are equal, else 0."""
  return int(normalize_answer(gold_answer) == normalize_answer(predicted_answer))


def _token_f1(gold_tokens, predicted_tokens):
  """F1 of two token bags with at least one token each; 0.0 when they share none."""
  common = collections.Counter(gold_tokens) & collections.Counter(predicted_tokens)
  num_same = sum(common.values())
  if num_same == 0:
    return 0.0
  precision = num_same / len(predicted_tokens)
  recall = num_same / len(gold_tokens)
  return 2.0 * precision * recall / (precision + recall)


def compute_f1(gold_answer, predicted_answer):
  """SQuAD 2.0 token F1; an empty answer on either side scores 1 only if both are empty."""
  gold_tokens = get_tokens(gold_answer)
  predicted_tokens = get_tokens(predicted_answer)
  if not gold_tokens or not predicted_tokens:
    return float(gold_tokens == predicted_tokens)
  return _token_f1(gold_tokens, predicted_tokens)


def _questions(dataset):
  """Yields every question dict ("qas" entry) of a SQuAD "data" list, in file order."""
  for article in dataset:
    for paragraph in article["paragraphs"]:
      for question in paragraph["qas"]:
        yield question


def has_gold_answers(dataset):
  """True if the questions carry an "answers" field (a dev file, not an unlabelled one)."""
  return any("answers" in question for question in _questions(dataset))


###############################################################################
# SQuAD 1.1
###############################################################################


def evaluate_v1(dataset, predictions):
  """The official SQuAD 1.1 evaluation.

  Args:
    dataset: the "data" list of a SQuAD 1.1 JSON file.
    predictions: dict question id -> predicted answer text.

  Returns:
    {"exact_match": EM %, "f1": F1 %} over the questions with gold answers. A question without
    a prediction scores 0. Questions without any gold answer (e.g. SQuAD 2.0 unanswerable
    ones, for which the official 1.1 script fails) are left out and counted in the log.
  """
  total = 0
  exact_match = 0.0
  f1 = 0.0
  num_missing = 0
  num_without_gold = 0
  for question in _questions(dataset):
    gold_answers = [answer["text"] for answer in question.get("answers", [])]
    if not gold_answers:
      # Deviation (docs/DEVIATIONS.md): left out (the official 1.1 script fails on them).
      num_without_gold += 1
      continue
    total += 1
    if question["id"] not in predictions:
      num_missing += 1
      continue
    prediction = predictions[question["id"]]
    exact_match += max(float(normalize_answer(prediction) == normalize_answer(gold))
                       for gold in gold_answers)
    f1 += max(_v1_f1(prediction, gold) for gold in gold_answers)
  if num_missing:
    logging.warning("SQuAD 1.1 evaluation: %d of %d questions have no prediction (scored 0).",
                    num_missing, total)
  if num_without_gold:
    logging.warning("SQuAD 1.1 evaluation: %d questions have no gold answer and are not "
                    "scored.", num_without_gold)
  if not total:
    raise ValueError("SQuAD 1.1 evaluation: no question has a gold answer.")
  return {"exact_match": 100.0 * exact_match / total, "f1": 100.0 * f1 / total}


def _v1_f1(predicted_answer, gold_answer):
  """SQuAD 1.1 token F1: 0 whenever the token bags share nothing (also if both are empty)."""
  predicted_tokens = normalize_answer(predicted_answer).split()
  gold_tokens = normalize_answer(gold_answer).split()
  if not predicted_tokens or not gold_tokens:
    return 0.0
  return _token_f1(gold_tokens, predicted_tokens)


###############################################################################
# SQuAD 2.0
###############################################################################


def make_qid_to_has_ans(dataset):
  """dict question id -> True if the question has a gold answer."""
  return {question["id"]: bool(question.get("answers")) for question in _questions(dataset)}


def get_raw_scores(dataset, predictions):
  """Per-question exact and F1 scores, before any no-answer threshold.

  Returns:
    (exact_scores, f1_scores): dicts question id -> score in [0, 1], for the questions that
    have a prediction.
  """
  exact_scores = {}
  f1_scores = {}
  for question in _questions(dataset):
    qid = question["id"]
    gold_answers = [answer["text"] for answer in question.get("answers", [])
                    if normalize_answer(answer["text"])]
    if not gold_answers:
      gold_answers = [""]  # Unanswerable: only the empty answer is right.
    if qid not in predictions:
      logging.warning("Missing prediction for %s", qid)
      continue
    exact_scores[qid] = max(compute_exact(gold, predictions[qid]) for gold in gold_answers)
    f1_scores[qid] = max(compute_f1(gold, predictions[qid]) for gold in gold_answers)
  return exact_scores, f1_scores


def apply_no_ans_threshold(scores, na_probs, qid_to_has_ans, na_prob_thresh):
  """Scores with "no answer" predicted wherever na_probs[qid] > na_prob_thresh."""
  new_scores = {}
  for qid, score in scores.items():
    if na_probs[qid] > na_prob_thresh:
      new_scores[qid] = float(not qid_to_has_ans[qid])
    else:
      new_scores[qid] = score
  return new_scores


def make_eval_dict(exact_scores, f1_scores, qid_list=None):
  """{"exact", "f1" (percent), "total"} over `qid_list` (default: every scored question)."""
  if qid_list is None:
    qid_list = list(exact_scores)
  total = len(qid_list)
  if not total:
    return collections.OrderedDict([("exact", 0.0), ("f1", 0.0), ("total", 0)])
  return collections.OrderedDict([
      ("exact", 100.0 * sum(exact_scores[qid] for qid in qid_list) / total),
      ("f1", 100.0 * sum(f1_scores[qid] for qid in qid_list) / total),
      ("total", total),
  ])


def merge_eval(main_eval, new_eval, prefix):
  """Copies `new_eval` into `main_eval` under keys "<prefix>_<key>"."""
  for key, value in new_eval.items():
    main_eval["%s_%s" % (prefix, key)] = value


def find_best_thresh(predictions, scores, na_probs, qid_to_has_ans):
  """The no-answer threshold with the best total score on this data.

  Questions are visited by increasing na_prob; answering every question up to the current one
  (and abstaining on the rest) changes the total by the question's score if it has an answer,
  by -1 if it has none but a non-empty prediction, by 0 otherwise. Abstaining everywhere
  (threshold 0.0) is the starting point.

  Returns:
    (best score in percent of the scored questions, best threshold).
  """
  num_no_answer = sum(1 for has_answer in qid_to_has_ans.values() if not has_answer)
  current_score = num_no_answer
  best_score = current_score
  best_threshold = 0.0
  for qid in sorted(na_probs, key=lambda k: na_probs[k]):
    if qid not in scores:
      continue
    if qid_to_has_ans[qid]:
      current_score += scores[qid]
    elif predictions[qid]:
      current_score -= 1
    if current_score > best_score:
      best_score = current_score
      best_threshold = na_probs[qid]
  return 100.0 * best_score / len(scores), best_threshold


def find_all_best_thresh(main_eval, predictions, exact_raw, f1_raw, na_probs, qid_to_has_ans):
  """Adds best_exact, best_exact_thresh, best_f1, best_f1_thresh to `main_eval`."""
  best_exact, exact_threshold = find_best_thresh(predictions, exact_raw, na_probs,
                                                 qid_to_has_ans)
  best_f1, f1_threshold = find_best_thresh(predictions, f1_raw, na_probs, qid_to_has_ans)
  main_eval["best_exact"] = best_exact
  # float(): na_probs may hold numpy scalars, which json cannot write.
  main_eval["best_exact_thresh"] = float(exact_threshold)
  main_eval["best_f1"] = best_f1
  main_eval["best_f1_thresh"] = float(f1_threshold)


def evaluate_v2(dataset, predictions, na_probs=None, na_prob_thresh=1.0):
  """The official SQuAD 2.0 evaluation, as `evaluate-v2.0.py` prints it.

  Args:
    dataset: the "data" list of a SQuAD 2.0 JSON file.
    predictions: dict question id -> predicted answer ("" for no answer).
    na_probs: optional dict question id -> no-answer score; when given, scores above
      `na_prob_thresh` count as "no answer" and the best thresholds are searched.
    na_prob_thresh: see `na_probs`.

  Returns:
    OrderedDict with exact, f1, total; HasAns_* and NoAns_* (when such questions exist);
    best_exact, best_exact_thresh, best_f1, best_f1_thresh (with `na_probs`).
  """
  qid_to_has_ans = make_qid_to_has_ans(dataset)
  has_ans_qids = [qid for qid, has_answer in qid_to_has_ans.items() if has_answer]
  no_ans_qids = [qid for qid, has_answer in qid_to_has_ans.items() if not has_answer]
  exact_raw, f1_raw = get_raw_scores(dataset, predictions)
  if na_probs is None:
    na_probs_or_zero = {qid: 0.0 for qid in predictions}
  else:
    na_probs_or_zero = na_probs
  exact_thresh = apply_no_ans_threshold(exact_raw, na_probs_or_zero, qid_to_has_ans,
                                        na_prob_thresh)
  f1_thresh = apply_no_ans_threshold(f1_raw, na_probs_or_zero, qid_to_has_ans,
                                     na_prob_thresh)
  out_eval = make_eval_dict(exact_thresh, f1_thresh)
  # Like the official script, the breakdowns count the questions that have a prediction.
  scored_has_ans = [qid for qid in has_ans_qids if qid in exact_thresh]
  scored_no_ans = [qid for qid in no_ans_qids if qid in exact_thresh]
  if scored_has_ans:
    merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, scored_has_ans), "HasAns")
  if scored_no_ans:
    merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, scored_no_ans), "NoAns")
  if na_probs is not None:
    find_all_best_thresh(out_eval, predictions, exact_raw, f1_raw, na_probs, qid_to_has_ans)
  return out_eval
