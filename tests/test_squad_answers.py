"""Tests for albert/squad_answers.py: n-best lists, empty answers, thresholds, files."""

import json
import os

import numpy as np
import pytest

from albert import squad_answers
from albert import squad_utils


def _metadata(unique_id, example_index, qas_id, starts, ends, max_context, doc_offset=3):
  return squad_utils.FeatureMetadata(
      unique_id, example_index, qas_id, 0, doc_offset, np.array(starts), np.array(ends),
      np.array(max_context, np.bool_))


def test_v1_answers_follow_the_scores_and_filters():
  # Paragraph "alpha beta gamma delta", four doc tokens at feature positions 3..6.
  example = squad_utils.SquadExample("q", "?", "alpha beta gamma delta")
  metadata = _metadata(7, 0, "q", [0, 6, 11, 17], [4, 9, 15, 21], [True, True, False, True])
  start = np.full(10, -5.0)
  end = np.full(10, -5.0)
  start[[0, 1, 4, 5, 6]] = [9.0, 8.0, 3.0, 7.0, 1.0]  # 0: [CLS], 1: query, 5: not max context
  end[[0, 4, 5, 6]] = [9.0, 2.0, 4.0, 0.5]
  answers = squad_answers.collect_answers(
      [example], [metadata], [{"unique_ids": 7, "start_log_prob": start,
                               "end_log_prob": end}],
      lambda m, r: squad_answers.candidates_v1(m, r, n_best_size=5, max_answer_length=2),
      n_best_size=3, is_v2=False)
  nbest = answers.nbest["q"]
  # Valid spans (start at a max-context doc token, end >= start, <= 2 tokens):
  # (4,5) "beta gamma" 3+4=7, (4,4) "beta" 3+2=5, (6,6) "delta" 1+0.5.
  assert [(e["text"], e["start_log_prob"] + e["end_log_prob"]) for e in nbest] == [
      ("beta gamma", 7.0), ("beta", 5.0), ("delta", 1.5)]
  probabilities = np.exp([7.0, 5.0, 1.5]) / np.exp([7.0, 5.0, 1.5]).sum()
  np.testing.assert_allclose([e["probability"] for e in nbest], probabilities)
  assert answers.best_texts == {"q": "beta gamma"} and answers.null_odds is None
  # No valid span at all: the original's "empty".
  answers = squad_answers.collect_answers(
      [example], [metadata], [{"unique_ids": 7, "start_log_prob": start,
                               "end_log_prob": end}],
      lambda m, r: squad_answers.candidates_v1(m, r, n_best_size=1, max_answer_length=2),
      n_best_size=3, is_v2=False)
  assert answers.best_texts == {"q": "empty"}


def test_v2_answers_merge_windows_and_take_the_min_null_score():
  text = "alpha beta gamma"
  examples = [squad_utils.SquadExample("a", "?", text), squad_utils.SquadExample("b", "?", text),
              squad_utils.SquadExample("c", "?", text)]
  spans = ([0, 6, 11], [4, 9, 15], [True, True, True])
  metadata = [_metadata(1, 0, "a", *spans), _metadata(2, 0, "a", *spans),
              _metadata(3, 2, "c", *spans)]

  def result(unique_id, start, start_log_prob, end, cls_logit):
    # start_n_top 1, end_n_top 2: (start, end[0]) and (start, end[1]).
    return {"unique_ids": unique_id, "start_top_index": [start],
            "start_top_log_probs": [start_log_prob], "end_top_index": end,
            "end_top_log_probs": [-0.5, -2.0], "cls_logits": cls_logit}

  # Window 1: "alpha beta" (-1.5); window 2: "gamma" (-1.0), the end before the start is
  # invalid; example c: only [CLS]/query positions.
  results = [result(1, 3, -1.0, [4, 2], 0.7), result(2, 5, -0.5, [5, 4], -0.2),
             result(3, 0, -1.0, [0, 1], 3.0)]
  answers = squad_answers.collect_answers(
      examples, metadata, results,
      lambda m, r: squad_answers.candidates_v2(m, r, 1, 2, max_answer_length=5),
      n_best_size=5, is_v2=True)
  assert [e["text"] for e in answers.nbest["a"]] == ["gamma", "alpha beta"]
  assert answers.null_odds == {"a": pytest.approx(-0.2), "b": 1000000.0, "c": 3.0}
  assert answers.best_texts == {"a": "gamma", "b": "", "c": ""}
  assert answers.unanswered_ids == ["b"]
  # No valid candidate in c's window ([CLS] / query positions): "" with scores -1e6.
  assert answers.nbest["c"][0]["start_log_prob"] == -1e6
  # Answer where the null score is below the threshold.
  assert squad_answers.apply_null_threshold(answers, -0.2) == {"a": "", "b": "", "c": ""}
  assert squad_answers.apply_null_threshold(answers, 0.0) == {"a": "gamma", "b": "", "c": ""}

  with pytest.raises(ValueError, match="feature metadata file does not belong"):
    squad_answers.collect_answers(examples, metadata, results[::-1],
                                  lambda m, r: ([], 0.0), 5, True)
  with pytest.raises(ValueError, match="fewer results"):
    squad_answers.collect_answers(examples, metadata, results[:2], lambda m, r: ([], 0.0),
                                  5, True)


def test_evaluate_v2_reports_tuned_and_fixed_threshold_scores():
  """Worked out by hand (see tests/test_squad_metrics.py for the single-pass numbers)."""
  dataset = [{"title": "t", "paragraphs": [{"context": "c", "qas": [
      {"id": qid, "question": "?", "answers": [{"text": t, "answer_start": 0} for t in gold]}
      for qid, gold in [("a1", ["Normandy"]), ("a2", ["10th century"]), ("n1", []),
                        ("n2", []), ("a3", ["Rollo"])]]}]}]
  answers = squad_answers.SquadAnswers(
      best_texts={"a1": "Normandy", "a2": "the 10th and 11th centuries", "n1": "France",
                  "n2": "Rollo", "a3": "Paris"},
      nbest=None, null_odds={"a1": 0.1, "a2": 0.5, "n1": 0.9, "n2": 0.7, "a3": 0.8},
      unanswered_ids=[])
  # Threshold search on the raw answers (F1): start 2 (abstain: n1, n2 right), a1 +1 -> 3
  # at 0.1, a2 +1/3 -> 3.33 at 0.5, then n2 -1, a3 0, n1 -1. Tuned threshold 0.5; answering
  # needs null score < 0.5, so only a1 answers: a1 1, a2 0, n1 1, n2 1, a3 0 -> 60 / 60.
  metrics, predictions = squad_answers.evaluate_v2(dataset, answers)
  assert predictions == {"a1": "Normandy", "a2": "", "n1": "", "n2": "", "a3": ""}
  assert metrics["null_score_diff_threshold"] == pytest.approx(0.5)
  assert metrics["exact"] == pytest.approx(60.0) and metrics["f1"] == pytest.approx(60.0)
  assert metrics["best_f1"] == pytest.approx(100.0 * (10 / 3) / 5)
  assert (metrics["HasAns_total"], metrics["NoAns_total"]) == (3, 2)
  assert not any(key.startswith("fixed") for key in metrics)
  # Fixed threshold 0.75: a1, a2, n2 answer: 1 + 0 + 0 + (n1) 1 + (a3) 0 -> exact 40,
  # f1 (1 + 1/3 + 1) / 5.
  metrics, predictions = squad_answers.evaluate_v2(dataset, answers, fixed_threshold=0.75)
  assert predictions == {"a1": "Normandy", "a2": "the 10th and 11th centuries", "n1": "",
                         "n2": "Rollo", "a3": ""}
  assert metrics["fixed_threshold_exact"] == pytest.approx(40.0)
  assert metrics["fixed_threshold_f1"] == pytest.approx(100.0 * (7 / 3) / 5)
  assert metrics["fixed_null_score_diff_threshold"] == 0.75
  assert metrics["f1"] == pytest.approx(60.0)  # the tuned score is still reported


def test_prediction_files_are_written_atomically(tmp_path):
  paths = squad_answers.write_prediction_files(str(tmp_path), {"q": "x"}, {"q": []},
                                               {"q": 0.5})
  assert sorted(os.listdir(tmp_path)) == ["nbest_predictions.json", "null_odds.json",
                                          "predictions.json"]
  with open(paths["null_odds"]) as handle:
    assert json.load(handle) == {"q": 0.5}
