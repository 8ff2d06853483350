"""Tests for albert/squad_utils.py: reading, character alignment, features, records."""

import json

import numpy as np
import pytest
import tensorflow as tf

from albert import squad_answers
from albert import squad_utils
from albert import tokenization
from tests.fixtures import squad_fixtures

# Words that the 1000-piece fixture SentencePiece model keeps as one piece each, so token
# positions can be read off the word positions.
ONE_PIECE_WORDS = ["the", "value", "of", "a", "list", "is", "returned", "when", "file",
                   "name", "object", "default", "string", "type", "new", "set", "for", "and",
                   "with"]


@pytest.fixture(scope="module")
def spm_squad_tokenizer(spm_tokenizer):
  return squad_utils.SquadTokenizer(spm_tokenizer, do_lower_case=True)


@pytest.fixture(scope="module")
def wordpiece_squad_tokenizer(wordpiece_vocab_file):
  tokenizer = tokenization.FullTokenizer(vocab_file=wordpiece_vocab_file, do_lower_case=True)
  return squad_utils.SquadTokenizer(tokenizer, do_lower_case=True)


def _span_text(text, tokenized, first, last):
  return text[tokenized.tok_start_to_orig_index[first]:
              tokenized.tok_end_to_orig_index[last] + 1].strip()


###############################################################################
# Character alignment
###############################################################################


@pytest.mark.parametrize("tokenizer_name", ["spm", "wordpiece"])
def test_every_fixture_answer_maps_back_to_exactly_its_text(
    tokenizer_name, spm_squad_tokenizer, wordpiece_squad_tokenizer):
  """Accents, runs of spaces, digits with commas, upper case, answers at both ends."""
  squad_tokenizer = {"spm": spm_squad_tokenizer, "wordpiece": wordpiece_squad_tokenizer}[
      tokenizer_name]
  num_answers = 0
  for context, questions in squad_fixtures.PARAGRAPHS:
    tokenized = squad_tokenizer.tokenize_paragraph(context)
    assert tokenized.alignment_score == 1.0
    for _, _, answers in questions:
      for answer in answers:
        start = context.index(answer)
        span = squad_utils.char_span_to_token_span(tokenized, start, start + len(answer) - 1)
        assert _span_text(context, tokenized, *span) == answer
        num_answers += 1
  assert num_answers == 15
  # The paragraph's first and last tokens cover its first and last characters.
  context = squad_fixtures.PARAGRAPHS[0][0]
  tokenized = squad_tokenizer.tokenize_paragraph(context)
  assert tokenized.tok_start_to_orig_index[0] == 0
  assert tokenized.tok_end_to_orig_index[-1] == len(context) - 1


def test_alignment_of_normalised_and_split_tokens(spm_squad_tokenizer):
  """Token texts as the tokenizers produce them, checked character by character."""
  normalize = spm_squad_tokenizer.normalize_char
  # Accents stripped and lower-cased, runs of spaces, the digit+comma rule's output
  # ("1999," -> "19" "99" ","; ",500" kept), punctuation.
  text = "Café  Müller,   in 1999, paid 2,500."
  token_texts = [" cafe", " muller", ",", " in", " 19", "99", ",", " paid", " 2", ",500", "."]
  starts, ends, score = squad_utils.align_tokens_to_text(text, token_texts, normalize)
  assert score == 1.0
  assert [text[s:e + 1] for s, e in zip(starts, ends)] == [
      "Café", "Müller", ",", "in", "19", "99", ",", "paid", "2", ",500", "."]

  # A decomposed accent (e + U+0301) stays with its letter; a lone "▁" piece before a
  # piece covers nothing (empty slice), the next piece gets the accented letter.
  text = "Cafe\u0301 e\u0301t\u00e9"
  starts, ends, _ = squad_utils.align_tokens_to_text(
      text, [" cafe", " ", "e", "te"], normalize)
  assert [text[s:e + 1] for s, e in zip(starts, ends)] == [
      "Cafe\u0301", "", "e\u0301", "t\u00e9"]
  assert starts[1] == ends[1] + 1

  # A token without text ([UNK]) covers the characters between its neighbours.
  text = "a \u65e5\u672c b"
  starts, ends, score = squad_utils.align_tokens_to_text(text, [" a", "", " b"], normalize)
  assert [text[s:e + 1] for s, e in zip(starts, ends)] == ["a", "\u65e5\u672c", "b"]
  assert score == pytest.approx(2 / 4)

  # A character the per-character normalisation gets differently (final sigma) is still
  # paired with its token; the score shows the mismatch.
  text = "\u039f\u0394\u039f\u03a3 x"
  starts, ends, score = squad_utils.align_tokens_to_text(
      text, [" \u03bf\u03b4\u03bf\u03c2", " x"], normalize)
  assert [text[s:e + 1] for s, e in zip(starts, ends)] == ["\u039f\u0394\u039f\u03a3", "x"]
  assert score == pytest.approx(4 / 5)


def test_unaligned_paragraph_gets_no_features_and_the_empty_answer(
    wordpiece_squad_tokenizer):
  # Unknown to the WordPiece vocab: every ideograph becomes [UNK], 1 of 7 characters match.
  examples = [
      squad_utils.SquadExample("ok", "what is the name?", "the name is file"),
      squad_utils.SquadExample("cjk", "what?", "\u65e5\u672c\u8a9e\u306e\u65e5\u672c x"),
      squad_utils.SquadExample("empty", "what?", "   "),
  ]
  features = []
  stats = squad_utils.convert_examples_to_features(
      examples, wordpiece_squad_tokenizer, max_seq_length=32, doc_stride=8,
      max_query_length=8, is_training=False, output_fn=features.append, do_lower_case=True)
  assert stats.unaligned_ids == ["cjk", "empty"]
  assert [f.qas_id for f in features] == ["ok"]
  results = [{"unique_ids": f.unique_id, "start_log_prob": np.zeros(32),
              "end_log_prob": np.zeros(32)} for f in features]
  answers = squad_answers.collect_answers(
      examples, [f.metadata() for f in features], results,
      lambda m, r: squad_answers.candidates_v1(m, r, 20, 30), n_best_size=20, is_v2=False)
  assert answers.unanswered_ids == ["cjk", "empty"]
  assert list(answers.best_texts) == ["ok", "cjk", "empty"]
  assert answers.best_texts["cjk"] == "" and answers.best_texts["empty"] == ""
  assert answers.best_texts["ok"]  # every score 0: some span of the paragraph


###############################################################################
# Features
###############################################################################


def _word_paragraph(num_words, spm_squad_tokenizer):
  words = [ONE_PIECE_WORDS[(7 * i) % len(ONE_PIECE_WORDS)] for i in range(num_words)]
  text = " ".join(words)
  offsets = []
  position = 0
  for word in words:
    offsets.append(position)
    position += len(word) + 1
  assert spm_squad_tokenizer.tokenize(text) == ["\u2581" + word for word in words]
  return words, text, offsets


def test_windows_follow_doc_stride_with_right_masks(spm_squad_tokenizer):
  words, text, _ = _word_paragraph(60, spm_squad_tokenizer)
  features = []
  example = squad_utils.SquadExample("q", "name", text)
  squad_utils.convert_examples_to_features(
      [example], spm_squad_tokenizer, max_seq_length=34, doc_stride=8, max_query_length=8,
      is_training=False, output_fn=features.append, do_lower_case=True)
  # One query token: 34 - 1 - 3 = 30 doc tokens per window, windows 8 apart, the last one
  # ending at the last token.
  assert [(f.tok_start_to_orig_index[0], f.paragraph_len) for f in features] == [
      (len(" ".join(words[:start])) + (1 if start else 0), length)
      for start, length in [(0, 30), (8, 30), (16, 30), (24, 30), (32, 28)]]
  cls_id, sep_id = spm_squad_tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]"])
  for index, (feature, start) in enumerate(zip(features, [0, 8, 16, 24, 32])):
    length = feature.paragraph_len
    padding = 34 - 3 - length - 1
    assert feature.unique_id == squad_utils.FIRST_UNIQUE_ID + index
    assert feature.doc_span_index == index
    assert feature.tokens == (["[CLS]", "\u2581name", "[SEP]"] +
                              ["\u2581" + w for w in words[start:start + length]] + ["[SEP]"])
    assert feature.input_ids[:3] == [cls_id] + spm_squad_tokenizer.convert_tokens_to_ids(
        ["\u2581name"]) + [sep_id]
    assert feature.input_ids[3 + length:] == [sep_id] + [0] * padding
    assert feature.segment_ids == [0] * 3 + [1] * (length + 1) + [0] * padding
    assert feature.input_mask == [1] * (4 + length) + [0] * padding
    assert feature.p_mask == [0, 1, 1] + [0] * length + [1] + [1] * padding
    assert feature.doc_offset == 3
    assert sorted(feature.token_is_max_context) == list(range(3, 3 + length))

  # Every doc token is "max context" in exactly one window ...
  owners = {}
  for feature, start in zip(features, [0, 8, 16, 24, 32]):
    for position, is_max in feature.token_is_max_context.items():
      if is_max:
        owners.setdefault(start + position - 3, []).append(feature.doc_span_index)
  assert sorted(owners) == list(range(60)) and all(len(v) == 1 for v in owners.values())
  # ... the one where min(left, right) context (+ 0.01 x length) is largest, by hand:
  # token 8: window 0 (0..29) min(8, 21) = 8 beats window 1 (8..37) min(0, 29) = 0.
  # token 20: window 1 min(12, 17) = 12 beats window 0 min(20, 9) = 9, window 2 min(4, 25).
  # token 35: window 3 (24..53) min(11, 18) = 11 beats window 2 (16..45) min(19, 10) = 10.
  # token 59: only window 4 (32..59).
  assert [owners[t][0] for t in (8, 20, 35, 59)] == [0, 1, 3, 4]
  # Tie: windows (0..5) and (3..8) of length 6 give token 4 min(4,1)=1 and min(1,4)=1;
  # the first window wins.
  spans = squad_utils.make_doc_spans(9, 6, 3)
  assert spans == [squad_utils.DocSpan(0, 6), squad_utils.DocSpan(3, 6)]
  assert squad_utils.is_max_context(spans, 0, 4) and not squad_utils.is_max_context(spans, 1, 4)


def test_training_positions_at_window_edges(spm_squad_tokenizer):
  """Answers on the first/last doc token of windows, and one crossing a window edge."""
  words, text, offsets = _word_paragraph(60, spm_squad_tokenizer)

  def example(qas_id, first_word, last_word):
    start = offsets[first_word]
    answer = text[start:offsets[last_word] + len(words[last_word])]
    return squad_utils.SquadExample(qas_id, "name", text, answer, start,
                                    start + len(answer) - 1, False)

  examples = [example("last-of-window-0", 29, 29), example("first-of-window-4", 32, 32),
              example("crosses-window-0-end", 29, 30),
              squad_utils.SquadExample("impossible", "name", text, "", -1, -1, True)]
  features = []
  stats = squad_utils.convert_examples_to_features(
      examples, spm_squad_tokenizer, max_seq_length=34, doc_stride=8, max_query_length=8,
      is_training=True, output_fn=features.append, do_lower_case=True)
  window_starts = [0, 8, 16, 24, 32]
  window_ends = [29, 37, 45, 53, 59]
  expected = {  # qas_id -> (first token, last token) in the paragraph
      "last-of-window-0": (29, 29), "first-of-window-4": (32, 32),
      "crosses-window-0-end": (29, 30)}
  positives = 0
  for feature in features:
    window = feature.doc_span_index
    example_ = examples[feature.example_index]
    if example_.is_impossible:
      assert (feature.start_position, feature.end_position, feature.is_impossible) == (
          0, 0, True)
      continue
    first, last = expected[example_.qas_id]
    if window_starts[window] <= first and last <= window_ends[window]:
      positives += 1
      assert feature.start_position == first - window_starts[window] + 3
      assert feature.end_position == last - window_starts[window] + 3
      assert not feature.is_impossible
      # The gold span maps back to exactly the answer text.
      metadata = feature.metadata()
      assert text[metadata.tok_start_to_orig_index[feature.start_position - 3]:
                  metadata.tok_end_to_orig_index[feature.end_position - 3] + 1] == (
                      example_.orig_answer_text)
    else:
      assert (feature.start_position, feature.end_position, feature.is_impossible) == (
          0, 0, True)
  # token 29: windows 0..3; token 32: windows 1..4; tokens 29-30: windows 1..3.
  assert positives == 4 + 4 + 3
  assert (stats.num_positive, stats.num_negative) == (11, 5 * 4 - 11)
  assert stats.unaligned_ids == []


def test_fixture_training_features_hold_exactly_the_answers(squad_v2_files,
                                                            spm_squad_tokenizer):
  examples = squad_utils.read_squad_examples(squad_v2_files[0], is_training=True)
  features = []
  squad_utils.convert_examples_to_features(
      examples, spm_squad_tokenizer, max_seq_length=64, doc_stride=32, max_query_length=16,
      is_training=True, output_fn=features.append, do_lower_case=True)
  found = set()
  for feature in features:
    example = examples[feature.example_index]
    assert len(feature.input_ids) == 64
    if feature.is_impossible:
      assert (feature.start_position, feature.end_position) == (0, 0)
      continue
    start = feature.tok_start_to_orig_index[feature.start_position - feature.doc_offset]
    end = feature.tok_end_to_orig_index[feature.end_position - feature.doc_offset]
    assert example.paragraph_text[start:end + 1] == example.orig_answer_text
    found.add(example.qas_id)
  assert found == {e.qas_id for e in examples if not e.is_impossible}


def test_conversion_streams_features_one_example_at_a_time(spm_squad_tokenizer):
  """Each example's features reach output_fn before the next example is read."""
  events = []

  class TracedList(list):
    def __iter__(self):
      for index, item in enumerate(list.__iter__(self)):
        events.append(("read", index))
        yield item

  paragraph = " ".join(ONE_PIECE_WORDS * 3)
  examples = TracedList(squad_utils.SquadExample("q%d" % i, "name", paragraph)
                        for i in range(3))
  squad_utils.convert_examples_to_features(
      examples, spm_squad_tokenizer, max_seq_length=32, doc_stride=16, max_query_length=8,
      is_training=False, output_fn=lambda f: events.append(("feature", f.example_index)),
      do_lower_case=True)
  reads = [i for i, event in enumerate(events) if event[0] == "read"]
  for example_index, read_position in enumerate(reads):
    next_read = reads[example_index + 1] if example_index + 1 < len(reads) else len(events)
    between = events[read_position + 1:next_read]
    assert between and all(event == ("feature", example_index) for event in between)


def test_tfrecord_layout_and_input_fn(tmp_path, spm_squad_tokenizer):
  features = []
  example = squad_utils.SquadExample("q", "name", "the value of a list", "list", 15, 18)
  squad_utils.convert_examples_to_features(
      [example], spm_squad_tokenizer, max_seq_length=16, doc_stride=8, max_query_length=4,
      is_training=True, output_fn=features.append, do_lower_case=True)
  (feature,) = features
  record = squad_utils.feature_to_tf_example(feature, is_training=True)
  values = {name: list(value.int64_list.value)
            for name, value in record.features.feature.items()}
  assert values == {
      "unique_ids": [squad_utils.FIRST_UNIQUE_ID], "input_ids": feature.input_ids,
      "input_mask": feature.input_mask, "segment_ids": feature.segment_ids,
      "p_mask": feature.p_mask, "start_positions": [7], "end_positions": [7],
      "is_impossible": [0]}
  predict_record = squad_utils.feature_to_tf_example(feature, is_training=False)
  assert sorted(predict_record.features.feature) == [
      "input_ids", "input_mask", "p_mask", "segment_ids", "unique_ids"]

  path = str(tmp_path / "train.tf_record")
  with tf.io.TFRecordWriter(path) as writer:
    writer.write(record.SerializeToString())
  input_fn = squad_utils.input_fn_builder(path, 16, is_training=False, drop_remainder=False,
                                          use_tpu=False, bsz=2, is_v2=True)
  with tf.Graph().as_default():
    batch = tf.compat.v1.data.make_one_shot_iterator(input_fn({})).get_next()
    with tf.compat.v1.Session() as sess:
      batch = sess.run(batch)
  assert sorted(batch) == ["input_ids", "input_mask", "p_mask", "segment_ids", "unique_ids"]
  assert batch["input_ids"].dtype == np.int32
  assert batch["p_mask"].tolist() == [feature.p_mask]


def test_feature_metadata_round_trip(tmp_path, spm_squad_tokenizer):
  features = []
  squad_utils.convert_examples_to_features(
      [squad_utils.SquadExample("q", "name", " ".join(ONE_PIECE_WORDS))],
      spm_squad_tokenizer, max_seq_length=16, doc_stride=4, max_query_length=4,
      is_training=False, output_fn=features.append, do_lower_case=True)
  path = str(tmp_path / "left.jsonl")
  with open(path, "w") as handle:  # one line per feature, as squad_runner streams them
    handle.writelines(feature.metadata().to_json() + "\n" for feature in features)
  loaded = list(squad_utils.read_feature_metadata(path))
  assert len(loaded) == len(features) > 1
  for feature, metadata in zip(features, loaded):
    assert metadata.unique_id == feature.unique_id and metadata.qas_id == "q"
    assert metadata.tok_start_to_orig_index.tolist() == feature.tok_start_to_orig_index
    assert metadata.token_is_max_context.tolist() == [
        feature.token_is_max_context[feature.doc_offset + i]
        for i in range(feature.paragraph_len)]
  with open(path, "a") as handle:
    handle.write("{not json\n")
  with pytest.raises(ValueError, match=r"left.jsonl:%d: not a feature metadata line" %
                     (len(features) + 1)):
    list(squad_utils.read_feature_metadata(path))


###############################################################################
# Reading
###############################################################################


def _write(tmp_path, name, content):
  path = tmp_path / name
  path.write_text(content if isinstance(content, str) else json.dumps(content),
                  encoding="utf-8")
  return str(path)


def _one_paragraph(context, qas, version="1.1"):
  return {"version": version, "data": [{"title": "t", "paragraphs": [
      {"context": context, "qas": qas}]}]}


def test_reading_the_fixture_files(squad_v1_files, squad_v2_files):
  examples = squad_utils.read_squad_examples(squad_v2_files[0], is_training=True)
  assert len(examples) == 15 and sum(e.is_impossible for e in examples) == 3
  by_id = {e.qas_id: e for e in examples}
  owner = by_id["q-cafe-owner"]
  assert owner.orig_answer_text == "Renée Dubois"
  assert owner.paragraph_text[owner.start_position:owner.end_position + 1] == "Renée Dubois"
  assert (by_id["q-py-none"].start_position, by_id["q-py-none"].orig_answer_text) == (-1, "")
  dev = squad_utils.read_squad_examples(squad_v1_files[1], is_training=False)
  assert len(dev) == 12 and dev[0].start_position is None


def test_not_squad_files_are_clear_errors(tmp_path):
  with pytest.raises(ValueError, match=r"bad\.json is not a JSON file"):
    squad_utils.read_squad_examples(_write(tmp_path, "bad.json", "{not json"), True)
  with pytest.raises(ValueError, match=r"list\.json is not a SQuAD file.*\"data\" list"):
    squad_utils.read_squad_examples(_write(tmp_path, "list.json", [1, 2]), True)
  with pytest.raises(ValueError, match=r"glue\.json is not a SQuAD file"):
    squad_utils.read_squad_examples(_write(tmp_path, "glue.json", {"rows": []}), False)
  path = _write(tmp_path, "noq.json", _one_paragraph("ctx", [{"id": "x1"}]))
  with pytest.raises(ValueError) as error:
    squad_utils.read_squad_examples(path, False)
  assert str(error.value) == (
      "%s: data[0].paragraphs[0].qas[0]: expected a question with an \"id\" and a "
      "\"question\" string" % path)
  with pytest.raises(FileNotFoundError, match="nowhere.json"):
    squad_utils.read_squad_examples(str(tmp_path / "nowhere.json"), False)


def test_training_question_needs_exactly_one_answer(tmp_path):
  path = _write(tmp_path, "two.json", _one_paragraph("Paris is big.", [
      {"id": "q-two", "question": "?", "answers": [{"text": "Paris", "answer_start": 0},
                                                    {"text": "big", "answer_start": 9}]}]))
  with pytest.raises(ValueError) as error:
    squad_utils.read_squad_examples(path, is_training=True)
  assert str(error.value).startswith(
      "%s: data[0].paragraphs[0].qas[0] (id 'q-two'): for training, each question should "
      "have exactly 1 answer (found 2)" % path)
  # Dev files may have several answers.
  assert len(squad_utils.read_squad_examples(path, is_training=False)) == 1
  path = _write(tmp_path, "badstart.json", _one_paragraph("Paris is big.", [
      {"id": "q-str", "question": "?", "answers": [{"text": "Paris", "answer_start": "0"}]}]))
  with pytest.raises(ValueError, match=r"\(id 'q-str'\): expected an answer"):
    squad_utils.read_squad_examples(path, is_training=True)


def test_wrong_answer_start_and_empty_context_are_skipped_when_training(tmp_path):
  data = _one_paragraph("Paris is big.", [
      {"id": "ok", "question": "?", "answers": [{"text": "Paris", "answer_start": 0}]},
      {"id": "shifted", "question": "?", "answers": [{"text": "big", "answer_start": 8}]},
      {"id": "outside", "question": "?", "answers": [{"text": "big", "answer_start": 90}]}],
                        version="2.0")
  data["data"][0]["paragraphs"].append({"context": "  ", "qas": [
      {"id": "no-context", "question": "?", "is_impossible": True, "answers": []}]})
  path = _write(tmp_path, "train.json", data)
  examples, skipped = squad_utils.read_squad_file(path, is_training=True)
  assert [e.qas_id for e in examples] == ["ok"]
  assert skipped == [
      ("shifted", "answer_start 8 does not point at the answer text 'big' (found ' bi')"),
      ("outside", "answer_start 90 does not point at the answer text 'big' (found '')"),
      ("no-context", "empty context")]
  # Prediction keeps every question (each must get an answer).
  assert [e.qas_id for e in squad_utils.read_squad_examples(path, is_training=False)] == [
      "ok", "shifted", "outside", "no-context"]
  only_bad = _write(tmp_path, "bad.json", _one_paragraph("Paris.", [
      {"id": "shifted", "question": "?", "answers": [{"text": "Paris", "answer_start": 1}]}]))
  with pytest.raises(ValueError, match=r"bad\.json: no usable training question \(1 skipped\)"):
    squad_utils.read_squad_examples(only_bad, is_training=True)


def test_repeated_question_id_is_an_error(tmp_path):
  data = _one_paragraph("Paris is big.", [{"id": "dup", "question": "a?"}])
  data["data"][0]["paragraphs"].append({"context": "x", "qas": [{"id": "dup",
                                                                  "question": "b?"}]})
  path = _write(tmp_path, "dup.json", data)
  with pytest.raises(ValueError) as error:
    squad_utils.read_squad_examples(path, is_training=False)
  assert str(error.value).startswith(
      "%s: data[0].paragraphs[1].qas[0] (id 'dup'): question id 'dup' is repeated (first at "
      "data[0].paragraphs[0].qas[0] (id 'dup'))" % path)
