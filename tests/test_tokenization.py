# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tests for albert/tokenization.py (SentencePiece and WordPiece)."""

import os

import pytest

from albert import tokenization

# ----------------------------------------------------------------------------------------------
# preprocess_text


def test_preprocess_text_strips_accents_and_collapses_whitespace():
  text = "  Caf\u00e9   na\u00efve\t\u00c9cole \n r\u00e9sum\u00e9  "
  assert tokenization.preprocess_text(text) == "Cafe naive Ecole resume"
  assert tokenization.preprocess_text(text, lower=True) == "cafe naive ecole resume"


def test_preprocess_text_keeps_spaces_when_asked_and_never_normalises_quotes():
  assert tokenization.preprocess_text(" a  b ", remove_space=False) == " a  b "
  # No `` / '' -> " replacement (that is XLNet's / Hugging Face's preprocessing).
  assert tokenization.preprocess_text("``quoted''") == "``quoted''"


def test_preprocess_text_nfkd_and_bytes_input():
  # NFKD turns the "fi" ligature into two letters and the full-width A into "A".
  assert tokenization.preprocess_text("\ufb01ne \uff21") == "fine A"
  assert tokenization.preprocess_text("caf\u00e9".encode("utf-8")) == "cafe"


# ----------------------------------------------------------------------------------------------
# Character classes and BasicTokenizer


def test_is_whitespace():
  for char in (" ", "\t", "\n", "\r", "\u00a0", "\u2003"):
    assert tokenization._is_whitespace(char), repr(char)
  for char in ("A", "-", "\u200b"):
    assert not tokenization._is_whitespace(char), repr(char)


def test_is_control():
  assert tokenization._is_control("\u0005")
  assert tokenization._is_control("\u200b")  # Cf: zero-width space.
  for char in ("A", " ", "\t", "\n", "\r"):
    assert not tokenization._is_control(char), repr(char)


def test_is_punctuation():
  for char in ("-", "$", "`", ".", "~", "^", "\u00bf", "\u3002"):
    assert tokenization._is_punctuation(char), repr(char)
  for char in ("A", "7", " ", "\u00e9"):
    assert not tokenization._is_punctuation(char), repr(char)


def test_basic_tokenizer_lower_case():
  tokenizer = tokenization.BasicTokenizer(do_lower_case=True)
  assert tokenizer.tokenize(" \tHeLLo!how  \n Are yoU?  ") == [
      "hello", "!", "how", "are", "you", "?"]
  assert tokenizer.tokenize("H\u00e9llo") == ["hello"]


def test_basic_tokenizer_no_lower_case():
  tokenizer = tokenization.BasicTokenizer(do_lower_case=False)
  assert tokenizer.tokenize(" \tHeLLo!how  \n Are yoU?  ") == [
      "HeLLo", "!", "how", "Are", "yoU", "?"]
  assert tokenizer.tokenize("H\u00e9llo") == ["H\u00e9llo"]


def test_basic_tokenizer_splits_cjk_and_cleans_control_chars():
  tokenizer = tokenization.BasicTokenizer()
  assert tokenizer.tokenize("ah\u535a\u63a8zz") == ["ah", "\u535a", "\u63a8", "zz"]
  # Hiragana is not in the CJK ideograph ranges, so it stays one word.
  assert tokenizer.tokenize("\u3053\u3093\u306b\u3061\u306f") == ["\u3053\u3093\u306b\u3061\u306f"]
  assert tokenizer.tokenize("a\u0000b\ufffdc\u0005d e") == ["abcd", "e"]


# ----------------------------------------------------------------------------------------------
# WordPiece


_WORDPIECE_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "want", "##want", "##ed",
                     "wa", "un", "runn", "##ing", ",", "\u535a"]


@pytest.fixture
def small_vocab_file(tmp_path):
  path = tmp_path / "vocab.txt"
  path.write_text("".join(token + "\n" for token in _WORDPIECE_TOKENS), encoding="utf-8")
  return str(path)


def test_wordpiece_tokenizer_segments_greedily():
  vocab = {token: i for i, token in enumerate(_WORDPIECE_TOKENS)}
  tokenizer = tokenization.WordpieceTokenizer(vocab=vocab)
  assert tokenizer.tokenize("") == []
  assert tokenizer.tokenize("unwanted running") == ["un", "##want", "##ed", "runn", "##ing"]
  assert tokenizer.tokenize("unwantedX running") == ["[UNK]", "runn", "##ing"]


def test_wordpiece_tokenizer_long_word_is_unknown():
  vocab = {"a": 0, "##a": 1, "[UNK]": 2}
  tokenizer = tokenization.WordpieceTokenizer(vocab=vocab, max_input_chars_per_word=5)
  assert tokenizer.tokenize("aaaaa") == ["a", "##a", "##a", "##a", "##a"]
  assert tokenizer.tokenize("aaaaaa aa") == ["[UNK]", "a", "##a"]


def test_full_tokenizer_wordpiece(small_vocab_file):
  tokenizer = tokenization.FullTokenizer(vocab_file=small_vocab_file, do_lower_case=True)
  assert tokenizer.sp_model is None
  tokens = tokenizer.tokenize("UNwant\u00e9d,running \u535a")
  assert tokens == ["un", "##want", "##ed", ",", "runn", "##ing", "\u535a"]
  ids = tokenizer.convert_tokens_to_ids(tokens)
  assert ids == [9, 6, 7, 12, 10, 11, 13]
  assert tokenizer.convert_ids_to_tokens(ids) == tokens
  assert tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]", "[MASK]"]) == [2, 3, 4]
  with pytest.raises(KeyError):
    tokenizer.convert_tokens_to_ids(["not-in-vocab"])


def test_full_tokenizer_wordpiece_no_lower_case(small_vocab_file):
  tokenizer = tokenization.FullTokenizer(vocab_file=small_vocab_file, do_lower_case=False)
  assert tokenizer.tokenize("UNwanted wanted") == ["[UNK]", "want", "##ed"]


def test_load_vocab_first_field_blank_lines_and_duplicates(tmp_path):
  path = tmp_path / "mixed.vocab"
  path.write_text("<pad>\t0\n<unk>\t0\n\u2581the\t-3.5\n   \n\u2581the\t-9\nlast\n",
                  encoding="utf-8")
  vocab = tokenization.load_vocab(str(path))
  assert list(vocab.items()) == [("<pad>", 0), ("<unk>", 1), ("\u2581the", 2), (" ", 3),
                                 ("last", 4)]


def test_convert_by_vocab_helpers():
  vocab = {"a": 0, "b": 1}
  inv_vocab = {0: "a", 1: "b"}
  assert tokenization.convert_tokens_to_ids(vocab, ["b", "a", "b"]) == [1, 0, 1]
  assert tokenization.convert_ids_to_tokens(inv_vocab, [0, 1]) == ["a", "b"]
  assert tokenization.whitespace_tokenize("  x \n y\t") == ["x", "y"]
  assert tokenization.whitespace_tokenize(" \n ") == []


def test_convert_to_unicode():
  assert tokenization.convert_to_unicode(b"caf\xc3\xa9\xff") == "caf\u00e9"
  assert tokenization.printable_text("x") == "x"
  with pytest.raises(ValueError, match="Unsupported string type"):
    tokenization.convert_to_unicode(3)


# ----------------------------------------------------------------------------------------------
# Errors


def test_missing_vocab_file_names_path(tmp_path):
  missing = str(tmp_path / "no_such_vocab.txt")
  with pytest.raises(FileNotFoundError, match="no_such_vocab.txt"):
    tokenization.FullTokenizer(vocab_file=missing)


def test_missing_spm_model_names_path(tmp_path):
  missing = str(tmp_path / "no_such.model")
  with pytest.raises(FileNotFoundError,
                     match="SentencePiece model file not found: .*no_such.model"):
    tokenization.FullTokenizer(vocab_file=None, spm_model_file=missing)


def test_non_spm_file_names_path(small_vocab_file):
  with pytest.raises(ValueError, match="Not a SentencePiece model.*vocab.txt"):
    tokenization.FullTokenizer(vocab_file=None, spm_model_file=small_vocab_file)


def test_no_tokenizer_source_is_a_clear_error():
  with pytest.raises(ValueError, match="spm_model_file.*vocab_file"):
    tokenization.FullTokenizer(vocab_file=None, spm_model_file=None)


# ----------------------------------------------------------------------------------------------
# SentencePiece mode (fixture model trained with ALBERT's options on the default corpus)

_ALBERT_FIXED_PIECES = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]", "(", ")", "\"", "-", ".",
                        "\u2013", "\u00a3", "\u20ac"]


def test_fixture_model_has_albert_id_layout(spm_tokenizer):
  sp_model = spm_tokenizer.sp_model
  assert sp_model.GetPieceSize() == 1000
  assert [sp_model.IdToPiece(i) for i in range(13)] == _ALBERT_FIXED_PIECES
  assert sp_model.pad_id() == 0 and sp_model.unk_id() == 1
  assert sp_model.bos_id() == -1 and sp_model.eos_id() == -1
  assert all(sp_model.IsControl(i) for i in (0, 2, 3, 4))
  assert sp_model.IsUnknown(1)
  # User-defined symbols are normal, segmentable pieces that are always cut out alone.
  assert not any(sp_model.IsControl(i) or sp_model.IsUnknown(i) for i in range(5, 13))
  pieces = sp_model.EncodeAsPieces("x(y)z-w.£")
  for symbol in ("(", ")", "-", ".", "£"):
    assert symbol in pieces, (symbol, pieces)
  assert len(spm_tokenizer.vocab) == 1000
  assert spm_tokenizer.vocab["[MASK]"] == 4 and spm_tokenizer.inv_vocab[3] == "[SEP]"


def test_spm_full_tokenizer_special_tokens_unknown_and_round_trip(spm_tokenizer):
  assert spm_tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]", "[MASK]", "<pad>"]) == [2, 3, 4, 0]
  assert spm_tokenizer.convert_tokens_to_ids(["\u2581no-such-piece-xyz"]) == [1]
  text = tokenization.preprocess_text("The  Return Value of the function (a list).", lower=True)
  tokens = spm_tokenizer.tokenize(text)
  assert tokens[0].startswith(tokenization.SPIECE_UNDERLINE)
  assert "".join(tokens).replace(tokenization.SPIECE_UNDERLINE, " ").strip() == text
  assert "(" in tokens and ")" in tokens and "." in tokens  # User-defined: always alone.
  ids = spm_tokenizer.convert_tokens_to_ids(tokens)
  assert all(13 <= i < 1000 or 5 <= i <= 9 for i in ids), ids
  assert spm_tokenizer.convert_ids_to_tokens(ids) == tokens
  assert tokenization.encode_ids(spm_tokenizer.sp_model, text) == ids


def test_spm_tokenize_does_not_preprocess(spm_tokenizer):
  # Callers lower-case and strip accents; the tokenizer sees the text as given.
  upper = spm_tokenizer.tokenize("THE")
  lower = spm_tokenizer.tokenize("the")
  assert upper != lower
  assert lower == ["\u2581the"]


def test_spm_sampling_differs_from_best_but_keeps_text(spm_tokenizer):
  text = "the function returns a list of strings"
  sampled = [tuple(tokenization.encode_pieces(spm_tokenizer.sp_model, text, sample=True))
             for _ in range(20)]
  best = tuple(spm_tokenizer.tokenize(text))
  assert any(pieces != best for pieces in sampled)
  for pieces in sampled:
    assert "".join(pieces).replace(tokenization.SPIECE_UNDERLINE, " ").strip() == text


def test_full_tokenizer_from_scratch_prefers_spm(spm_model_file, wordpiece_vocab_file):
  tokenizer = tokenization.FullTokenizer.from_scratch(wordpiece_vocab_file, True, spm_model_file)
  assert tokenizer.sp_model is not None
  assert tokenizer.tokenize("the") == ["\u2581the"]


def test_spm_vocab_file_loads_with_same_ids(spm_tokenizer, spm_vocab_file):
  vocab = tokenization.load_vocab(spm_vocab_file)
  assert len(vocab) == 1000
  assert vocab == spm_tokenizer.vocab


# ----------------------------------------------------------------------------------------------
# Digit+comma rule


@pytest.fixture(scope="module")
def digit_comma_sp_model(tmp_path_factory):
  """A small model that emits a "99," piece: SentencePiece 0.2.x does not learn digit+comma
  pieces on small corpora by itself, so "99," is made a user-defined symbol."""
  from albert import train_sentencepiece
  corpus = tmp_path_factory.mktemp("digits") / "digits.txt"
  lines = []
  for year in range(1900, 2000):
    lines.append("in %d the city grew and people moved in" % year)
    lines.append("by %d, the war ended" % (year - 100))
    lines.append("in 1999, the year %d ended" % year)
  corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
  options = {
      "user_defined_symbols": list(train_sentencepiece.ALBERT_USER_DEFINED_SYMBOLS) + ["99,"],
      "hard_vocab_limit": False,
  }
  model_path = train_sentencepiece.train_albert_sentencepiece(
      [str(corpus)], str(corpus.parent / "digits"), vocab_size=60, extra_options=options)
  return tokenization.FullTokenizer(None, spm_model_file=model_path).sp_model


def test_digit_comma_rule_on_real_model(digit_comma_sp_model):
  sp_model = digit_comma_sp_model
  raw = sp_model.EncodeAsPieces("in 1999, in")
  assert raw == ["\u2581in", "\u258119", "99,", "\u2581in"]
  pieces = tokenization.encode_pieces(sp_model, "in 1999, in")
  # The number continues "▁19": no "▁" may be put in front of its second half.
  expected_number = [p for p in sp_model.EncodeAsPieces("99")]
  expected_number[0] = expected_number[0][1:]
  expected_number = [p for p in expected_number if p]
  assert pieces == ["\u2581in", "\u258119"] + expected_number + [",", "\u2581in"]
  assert "".join(pieces) == "".join(raw)
  ids = tokenization.encode_ids(sp_model, "in 1999, in")
  assert ids == [sp_model.PieceToId(p) for p in pieces]
  assert sp_model.PieceToId("99,") not in ids


class _ScriptedSentencePiece(object):
  """Stands in for SentencePieceProcessor with fixed segmentations."""

  def __init__(self, segmentations):
    self._segmentations = segmentations

  def EncodeAsPieces(self, text):  # pylint: disable=invalid-name
    return list(self._segmentations[text])


def test_digit_comma_rule_cases():
  sp_model = _ScriptedSentencePiece({
      "in 1999, the": ["\u2581in", "\u258119", "99,", "\u2581the"],
      "99": ["\u258199"],
      "in 1999, x 7, y": ["\u2581in", "\u25811999,", "\u2581x", "\u2581", "7,", "\u2581y"],
      "1999": ["\u25811999"],
      "7": ["\u2581", "7"],
      "a, 9,x": ["\u2581a", ",", "\u2581", "9,", "x"],
      "9": ["\u25819"],
  })
  assert tokenization.encode_pieces(sp_model, "in 1999, the") == [
      "\u2581in", "\u258119", "99", ",", "\u2581the"]
  # A piece that starts a word keeps its "▁"; a bare "▁" piece is dropped, not emptied.
  assert tokenization.encode_pieces(sp_model, "in 1999, x 7, y") == [
      "\u2581in", "\u25811999", ",", "\u2581x", "\u2581", "7", ",", "\u2581y"]
  # A lone "," and pieces not ending in digit+comma pass through.
  assert tokenization.encode_pieces(sp_model, "a, 9,x") == [
      "\u2581a", ",", "\u2581", "9", ",", "x"]


# ----------------------------------------------------------------------------------------------
# FullTokenizer.from_hub_module (with a module exported here; TF1 hub.Module API)


def _export_hub_module(asset_path, do_lower_case, export_dir):
  """Exports a minimal hub module whose `tokenization_info` names `asset_path`."""
  import tensorflow as tf
  import tensorflow_hub as hub

  def module_fn():
    vocab_file = tf.constant(asset_path, dtype=tf.string, name="vocab_file")
    # Registered as an asset, so the export copies the file into <export_dir>/assets/.
    tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, vocab_file)
    lower_case = tf.constant(do_lower_case, name="do_lower_case")
    input_ids = tf.compat.v1.placeholder(tf.int32, [None], name="input_ids")
    hub.add_signature(inputs={"input_ids": input_ids}, outputs={"output": input_ids + 1})
    hub.add_signature(name="tokenization_info", inputs={},
                      outputs={"vocab_file": vocab_file, "do_lower_case": lower_case})

  with tf.Graph().as_default():
    module = hub.Module(hub.create_module_spec(module_fn))
    with tf.compat.v1.Session() as sess:
      module.export(export_dir, sess)
  return export_dir


def test_from_hub_module_sentencepiece(tmp_path, spm_model_file):
  module_dir = _export_hub_module(spm_model_file, True, str(tmp_path / "hub_spm"))
  for use_spm in (None, True):
    tokenizer = tokenization.FullTokenizer.from_hub_module(module_dir, use_spm=use_spm)
    assert tokenizer.sp_model is not None
    assert tokenizer.tokenize("the") == ["\u2581the"]
    assert tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]"]) == [2, 3]
  # use_spm=False is obeyed: the asset is read as a WordPiece vocab (here a useless one).
  tokenizer = tokenization.FullTokenizer.from_hub_module(module_dir, use_spm=False)
  assert tokenizer.sp_model is None and tokenizer.basic_tokenizer.do_lower_case


def test_from_hub_module_wordpiece(tmp_path, wordpiece_vocab_file):
  module_dir = _export_hub_module(wordpiece_vocab_file, False, str(tmp_path / "hub_wp"))
  for use_spm in (None, False):
    tokenizer = tokenization.FullTokenizer.from_hub_module(module_dir, use_spm=use_spm)
    assert tokenizer.sp_model is None
    assert tokenizer.basic_tokenizer.do_lower_case is False
    assert tokenizer.tokenize("the Return") == ["the", "[UNK]"]  # Not lower-cased.
    assert tokenizer.convert_tokens_to_ids(["[PAD]", "[MASK]"]) == [0, 4]
  with pytest.raises(ValueError, match="Not a SentencePiece model.*vocab.txt"):
    tokenization.FullTokenizer.from_hub_module(module_dir, use_spm=True)


# ----------------------------------------------------------------------------------------------
# albert/train_sentencepiece.py


def test_train_sentencepiece_small_corpus_falls_back_to_smaller_vocab(tmp_path, caplog):
  from albert import train_sentencepiece
  corpus = tmp_path / "small.txt"
  corpus.write_text("the cat sat on the mat.\nthe dog ate (a) bone.\n", encoding="utf-8")
  model_path = train_sentencepiece.train_albert_sentencepiece(
      [str(corpus)], str(tmp_path / "out" / "small"), vocab_size=500)
  assert model_path == str(tmp_path / "out" / "small.model")
  assert os.path.exists(str(tmp_path / "out" / "small.vocab"))
  tokenizer = tokenization.FullTokenizer(None, spm_model_file=model_path)
  assert 13 < tokenizer.sp_model.GetPieceSize() < 500
  assert [tokenizer.sp_model.IdToPiece(i) for i in range(13)] == _ALBERT_FIXED_PIECES
  assert "hard_vocab_limit=false" in caplog.text
  # With hard_vocab_limit forced, SentencePiece's own error is reported with the input path.
  with pytest.raises(RuntimeError, match="small.txt.*Vocabulary size too high"):
    train_sentencepiece.train_albert_sentencepiece(
        str(corpus), str(tmp_path / "out" / "hard"), vocab_size=500,
        extra_options={"hard_vocab_limit": True})


def test_train_sentencepiece_seeded_sample_is_reproducible(tmp_path, default_corpus_file):
  from albert import train_sentencepiece
  vocab_files = []
  for run in ("a", "b"):
    prefix = str(tmp_path / run / "m")
    train_sentencepiece.train_albert_sentencepiece(
        default_corpus_file, prefix, vocab_size=200, input_sentence_size=500, sample_seed=7)
    with open(prefix + ".vocab", encoding="utf-8") as reader:
      vocab_files.append(reader.read())
  assert vocab_files[0] == vocab_files[1]
  assert len(vocab_files[0].splitlines()) == 200


def test_train_sentencepiece_missing_input_names_path(tmp_path):
  from albert import train_sentencepiece
  missing = str(tmp_path / "no_such_corpus.txt")
  with pytest.raises(FileNotFoundError, match="no_such_corpus.txt"):
    train_sentencepiece.train_albert_sentencepiece([missing], str(tmp_path / "m"))


def test_fixture_model_is_lower_case_like_30k_clean(spm_tokenizer):
  pieces = [spm_tokenizer.sp_model.IdToPiece(i) for i in range(13, 1000)]
  assert not [piece for piece in pieces if piece != piece.lower()]
  text = tokenization.preprocess_text("The Function RETURNS a List.", lower=True)
  assert tokenization.encode_ids(spm_tokenizer.sp_model, text).count(1) == 0


def test_train_sentencepiece_command_line(tmp_path, default_corpus_file):
  import subprocess
  import sys
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  prefix = tmp_path / "cli" / "30k-clean"
  result = subprocess.run(
      [sys.executable, "-m", "albert.train_sentencepiece",
       "--input=%s,%s" % (default_corpus_file, default_corpus_file),
       "--model_prefix=%s" % prefix, "--vocab_size=300", "--do_lower_case"],
      cwd=repo_root, capture_output=True, text=True, timeout=300, check=False)
  assert result.returncode == 0, result.stderr
  assert "(300 pieces)" in result.stderr
  vocab = tokenization.load_vocab(str(prefix) + ".vocab")
  assert list(vocab)[:13] == _ALBERT_FIXED_PIECES and len(vocab) == 300
  assert os.path.exists(str(prefix) + ".model")
