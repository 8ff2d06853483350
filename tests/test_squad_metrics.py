"""Tests for albert/squad_metrics.py: the official SQuAD 1.1 / 2.0 numbers, worked out by hand."""

import pytest

from albert import squad_metrics


def _dataset(questions):
  """A SQuAD "data" list from (id, [gold answers] or None for no "answers" field)."""
  qas = []
  for qid, answers in questions:
    entry = {"id": qid, "question": "?"}
    if answers is not None:
      entry["answers"] = [{"text": text, "answer_start": 0} for text in answers]
    qas.append(entry)
  return [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]


def test_normalize_answer_lowercases_and_drops_punctuation_and_articles():
  assert squad_metrics.normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
  assert squad_metrics.normalize_answer("An apple a day, the end.") == "apple day end"
  # Articles only as whole words.
  assert squad_metrics.normalize_answer("Theatre and another") == "theatre and another"
  assert squad_metrics.normalize_answer("1,200 francs") == "1200 francs"
  assert squad_metrics.get_tokens("") == []
  assert squad_metrics.get_tokens("The cat.") == ["cat"]


def test_v2_f1_of_empty_answers_and_partial_overlap():
  assert squad_metrics.compute_f1("", "") == 1.0
  assert squad_metrics.compute_f1("Rollo", "") == 0.0
  assert squad_metrics.compute_f1("", "Rollo") == 0.0
  # gold {10th, century}, predicted {10th, and, 11th, centuries}: 1 common token,
  # precision 1/4, recall 1/2 -> F1 = 2 * 1/8 / (3/4) = 1/3.
  assert squad_metrics.compute_f1("10th century",
                                  "the 10th and 11th centuries") == pytest.approx(1 / 3)
  # Repeated tokens count with multiplicity: gold {x, x, y}, predicted {x}: P 1, R 1/3.
  assert squad_metrics.compute_f1("x x y", "x") == pytest.approx(0.5)
  assert squad_metrics.compute_exact("The Normandy", "normandy!") == 1


# SQuAD 1.1 set, by hand:
#   q1 gold {"the Eiffel Tower", "Eiffel Tower"}, predicted "Eiffel tower!": EM 1, F1 1.
#   q2 gold {"Denver Broncos"}, predicted "the Broncos": EM 0, F1 = 2*(1*1/2)/(3/2) = 2/3.
#   q3 gold {"1,200 francs", "1200"}, predicted "1200 francs": punctuation dropped -> EM 1.
#   q4 gold {"a cat"}, predicted "dog": 0, 0.
#   q5 gold {"Paris"}, no prediction: 0, 0, and counted.
#   EM = 2/5 = 40 %; F1 = (1 + 2/3 + 1) / 5 = 53.33 %.
V1_DATASET = _dataset([("q1", ["the Eiffel Tower", "Eiffel Tower"]), ("q2", ["Denver Broncos"]),
                       ("q3", ["1,200 francs", "1200"]), ("q4", ["a cat"]), ("q5", ["Paris"])])
V1_PREDICTIONS = {"q1": "Eiffel tower!", "q2": "the Broncos", "q3": "1200 francs",
                  "q4": "dog"}


def test_evaluate_v1_official_numbers():
  metrics = squad_metrics.evaluate_v1(V1_DATASET, V1_PREDICTIONS)
  assert metrics == {"exact_match": pytest.approx(40.0), "f1": pytest.approx(160.0 / 3)}


def test_evaluate_v1_leaves_out_questions_without_gold_and_fails_without_any():
  dataset = _dataset([("q1", ["Paris"]), ("q2", [])])
  assert squad_metrics.evaluate_v1(dataset, {"q1": "paris", "q2": ""}) == {
      "exact_match": 100.0, "f1": 100.0}
  with pytest.raises(ValueError, match="no question has a gold answer"):
    squad_metrics.evaluate_v1(_dataset([("q1", [])]), {"q1": ""})
  assert not squad_metrics.has_gold_answers(_dataset([("q1", None)]))
  assert squad_metrics.has_gold_answers(_dataset([("q1", [])]))


# SQuAD 2.0 set, by hand (na = null score, higher = "no answer"):
#   a1 gold {Normandy, in Normandy}  predicted "Normandy"                   na 0.1  EM 1 F1 1
#   a2 gold {10th century}           predicted "the 10th and 11th centuries" na 0.5  EM 0 F1 1/3
#   n1 unanswerable                  predicted ""                           na 0.9  EM 1 F1 1
#   n2 unanswerable                  predicted "Rollo"                      na 0.7  EM 0 F1 0
#   a3 gold {Rollo}                  predicted ""                           na 0.8  EM 0 F1 0
# All na <= 1.0: the default na_prob_thresh changes nothing. exact 2/5, f1 (2 + 1/3)/5.
# Best threshold, questions by na, starting from 2 (abstain everywhere: both n* right):
#   exact: a1 +1 -> 3 (thr 0.1), a2 +0, n2 -1, a3 +0, n1 0 -> best 3/5 at 0.1.
#   f1:    a1 +1 -> 3 (0.1), a2 +1/3 -> 3.33 (0.5), n2 -1, ... -> best 3.33/5 at 0.5.
V2_DATASET = _dataset([("a1", ["Normandy", "in Normandy"]), ("a2", ["10th century"]),
                       ("n1", []), ("n2", []), ("a3", ["Rollo"])])
V2_PREDICTIONS = {"a1": "Normandy", "a2": "the 10th and 11th centuries", "n1": "",
                  "n2": "Rollo", "a3": ""}
V2_NA_PROBS = {"a1": 0.1, "a2": 0.5, "n1": 0.9, "n2": 0.7, "a3": 0.8}


def test_evaluate_v2_official_numbers_and_best_thresholds():
  metrics = squad_metrics.evaluate_v2(V2_DATASET, V2_PREDICTIONS, V2_NA_PROBS)
  assert dict(metrics) == {
      "exact": pytest.approx(40.0), "f1": pytest.approx(100.0 * (7 / 3) / 5), "total": 5,
      "HasAns_exact": pytest.approx(100.0 / 3), "HasAns_f1": pytest.approx(100.0 * 4 / 9),
      "HasAns_total": 3,
      "NoAns_exact": pytest.approx(50.0), "NoAns_f1": pytest.approx(50.0), "NoAns_total": 2,
      "best_exact": pytest.approx(60.0), "best_exact_thresh": pytest.approx(0.1),
      "best_f1": pytest.approx(100.0 * (10 / 3) / 5), "best_f1_thresh": pytest.approx(0.5),
  }


def test_evaluate_v2_na_prob_threshold_and_missing_predictions():
  # na_prob_thresh 0.6: n2 (0.7), a3 (0.8), n1 (0.9) count as "no answer":
  # n2 becomes right, a3 stays wrong -> exact (1 + 0 + 1 + 1 + 0) / 5.
  metrics = squad_metrics.evaluate_v2(V2_DATASET, V2_PREDICTIONS, V2_NA_PROBS,
                                      na_prob_thresh=0.6)
  assert metrics["exact"] == pytest.approx(60.0)
  # Without na_probs there is no threshold search; a missing prediction is left out.
  partial = dict(V2_PREDICTIONS)
  del partial["a2"]
  metrics = squad_metrics.evaluate_v2(V2_DATASET, partial)
  assert metrics["total"] == 4 and metrics["exact"] == pytest.approx(50.0)
  assert metrics["HasAns_total"] == 2 and "best_f1" not in metrics
