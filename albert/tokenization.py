# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tokenization for ALBERT: SentencePiece (the released English models) and WordPiece.

Two tokenizers live behind one `FullTokenizer`:

* SentencePiece mode (`spm_model_file`): the English ALBERT models. `tokenize` does NOT clean
  the text; callers run `preprocess_text` first (data creation, GLUE/RACE processors and SQuAD
  all do), exactly as in the original.
* WordPiece mode (`vocab_file` only): BERT's `BasicTokenizer` + `WordpieceTokenizer`, used by
  the Chinese ALBERT models.

Every piece is a Python `str`. Files are read through `tf.io.gfile`, so `gs://` paths work.
"""

import collections
import unicodedata

import sentencepiece as spm
import tensorflow as tf

# Deviation (docs/DEVIATIONS.md): the original stores the UTF-8 *bytes* of U+2581 here, which
# under Python 3 never compares equal to a str piece and disables half of the digit+comma rule
# in `encode_pieces`. We are Python 3 only, so the marker is a str.
SPIECE_UNDERLINE = u"\u2581"

# Code point ranges of the CJK Unified Ideographs blocks (and compatibility blocks) that
# `BasicTokenizer` surrounds with spaces so each ideograph becomes its own word.
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def preprocess_text(inputs, remove_space=True, lower=False):
  """Normalises raw text the way ALBERT does before SentencePiece sees it.

  Args:
    inputs: str (or UTF-8 bytes) to normalise.
    remove_space: if True, strip the ends and collapse every run of whitespace to one space.
    lower: if True, lower-case the result.

  Returns:
    str: NFKD-normalised text with every combining character (accents) removed. Accents are
    always stripped: the original has no `keep_accents` option and no quote normalisation.
  """
  if isinstance(inputs, bytes):
    try:
      inputs = inputs.decode("utf-8")
    except UnicodeDecodeError:
      inputs = inputs.decode("latin-1")
  outputs = inputs
  if remove_space:
    outputs = " ".join(outputs.strip().split())
  outputs = unicodedata.normalize("NFKD", outputs)
  outputs = "".join(c for c in outputs if not unicodedata.combining(c))
  if lower:
    outputs = outputs.lower()
  return outputs


def _split_digit_comma_piece(sp_model, piece):
  """Splits a SentencePiece piece like "99," or "▁1999," into digit pieces and a ",".

  SentencePiece sometimes learns pieces that glue a trailing comma to a number, so "1999,"
  and "1999" get unrelated ids. ALBERT re-encodes the number part on its own and emits the
  comma as a separate piece. When the original piece continued a word (no leading "▁"), the
  re-encoded number must continue it too, so a leading "▁" added by the re-encoding is removed.

  Args:
    sp_model: a loaded `SentencePieceProcessor`.
    piece: str piece whose last char is "," and second-to-last char is a digit.

  Returns:
    list of str pieces, the last one being ",".
  """
  number_pieces = sp_model.EncodeAsPieces(piece[:-1].replace(SPIECE_UNDERLINE, ""))
  # Deviation (docs/DEVIATIONS.md): this leading-"▁" removal is the rule the original intends;
  # under Python 3 the original compares str with bytes here and never removes it.
  if (not piece.startswith(SPIECE_UNDERLINE) and number_pieces and
      number_pieces[0].startswith(SPIECE_UNDERLINE)):
    if len(number_pieces[0]) == 1:
      number_pieces = number_pieces[1:]
    else:
      number_pieces[0] = number_pieces[0][1:]
  number_pieces.append(piece[-1])
  return number_pieces


def encode_pieces(sp_model, text, return_unicode=True, sample=False):
  """Segments text into SentencePiece pieces with ALBERT's digit+comma rule.

  Example: "in 1999, the" -> SPM ["▁in", "▁19", "99,", "▁the"] -> ["▁in", "▁19", "99", ",",
  "▁the"].

  Args:
    sp_model: a loaded `SentencePieceProcessor`.
    text: str, already run through `preprocess_text` by the caller.
    return_unicode: kept for signature compatibility; pieces are always str in Python 3.
    sample: if True, sample a segmentation (subword regularisation, nbest 64, alpha 0.1)
      instead of taking the best one.

  Returns:
    list of str pieces.
  """
  del return_unicode  # Python 3: SentencePiece always returns str pieces.
  text = convert_to_unicode(text)
  if sample:
    pieces = sp_model.SampleEncodeAsPieces(text, 64, 0.1)
  else:
    pieces = sp_model.EncodeAsPieces(text)
  output_pieces = []
  for piece in pieces:
    if len(piece) > 1 and piece[-1] == "," and piece[-2].isdigit():
      output_pieces.extend(_split_digit_comma_piece(sp_model, piece))
    else:
      output_pieces.append(piece)
  return output_pieces


def encode_ids(sp_model, text, sample=False):
  """Like `encode_pieces`, but returns the list of int piece ids."""
  pieces = encode_pieces(sp_model, text, return_unicode=False, sample=sample)
  return [sp_model.PieceToId(piece) for piece in pieces]


def convert_to_unicode(text):
  """Returns `text` as str; bytes are decoded as UTF-8 with undecodable bytes dropped."""
  if isinstance(text, str):
    return text
  if isinstance(text, bytes):
    return text.decode("utf-8", "ignore")
  raise ValueError("Unsupported string type: %s (expected str or bytes)" % type(text))


def printable_text(text):
  """Returns `text` as str, suitable for print() and tf.compat.v1.logging."""
  return convert_to_unicode(text)


def load_vocab(vocab_file):
  """Loads a vocabulary file into an ordered {token: id} dict.

  Each line contributes its first whitespace-separated field (a whitespace-only line stands
  for the token " "), so both WordPiece `vocab.txt` and SentencePiece `.vocab` files
  ("piece<TAB>score") load. Ids are given in order of first appearance; a repeated token keeps
  its first id and does not use up an id.

  Args:
    vocab_file: path (local or any `tf.io.gfile` scheme) of the vocabulary file.

  Returns:
    collections.OrderedDict mapping str token -> int id.

  Raises:
    FileNotFoundError: if `vocab_file` does not exist.
  """
  if not tf.io.gfile.exists(vocab_file):
    raise FileNotFoundError("Vocab file not found: %s" % vocab_file)
  vocab = collections.OrderedDict()
  with tf.io.gfile.GFile(vocab_file, "rb") as reader:
    for raw_line in reader:
      line = convert_to_unicode(raw_line)
      token = line.strip().split()[0] if line.strip() else " "
      if token not in vocab:
        vocab[token] = len(vocab)
  return vocab


def convert_by_vocab(vocab, items):
  """Maps each item through `vocab` (a plain lookup: KeyError for an unknown item)."""
  return [vocab[item] for item in items]


def convert_tokens_to_ids(vocab, tokens):
  return convert_by_vocab(vocab, tokens)


def convert_ids_to_tokens(inv_vocab, ids):
  return convert_by_vocab(inv_vocab, ids)


def whitespace_tokenize(text):
  """Strips `text` and splits it on whitespace; returns [] for blank text."""
  text = text.strip()
  if not text:
    return []
  return text.split()


def _read_sentencepiece_model(model_file):
  """Reads and parses a SentencePiece model file.

  Args:
    model_file: path (local or any `tf.io.gfile` scheme) of a `.model` file.

  Returns:
    a loaded `SentencePieceProcessor`.

  Raises:
    FileNotFoundError: if the file does not exist.
    ValueError: if the file is not a SentencePiece model.
  """
  if not tf.io.gfile.exists(model_file):
    raise FileNotFoundError("SentencePiece model file not found: %s" % model_file)
  with tf.io.gfile.GFile(model_file, "rb") as reader:
    serialized_model = reader.read()
  sp_model = _parse_sentencepiece_model(serialized_model)
  if sp_model is None:
    raise ValueError("Not a SentencePiece model file (could not parse it as a serialized "
                     "ModelProto): %s" % model_file)
  return sp_model


def _parse_sentencepiece_model(serialized_model):
  """Returns a `SentencePieceProcessor` for the bytes, or None if they are not a model."""
  sp_model = spm.SentencePieceProcessor()
  try:
    sp_model.LoadFromSerializedProto(serialized_model)
  except (RuntimeError, OSError, ValueError, TypeError):
    return None
  if sp_model.GetPieceSize() <= 0:
    return None
  return sp_model


class FullTokenizer(object):
  """Runs end-to-end tokenization: SentencePiece, or basic tokenization + WordPiece."""

  def __init__(self, vocab_file, do_lower_case=True, spm_model_file=None):
    """Builds the tokenizer.

    Args:
      vocab_file: WordPiece vocabulary file; ignored when `spm_model_file` is given.
      do_lower_case: WordPiece mode: lower-case and strip accents. In SentencePiece mode
        lower-casing is the caller's job (`preprocess_text(..., lower=...)`); the value is
        kept as `self.do_lower_case` for it.
      spm_model_file: SentencePiece `.model` file; selects SentencePiece mode.

    Raises:
      ValueError: if neither file is given, or the model file is not a SentencePiece model.
      FileNotFoundError: if the chosen file does not exist.
    """
    self.vocab = None
    self.sp_model = None
    # Kept so that callers preprocessing SentencePiece input follow a hub module's
    # `tokenization_info` as WordPiece lower-casing does.
    self.do_lower_case = do_lower_case
    if spm_model_file:
      self.sp_model = _read_sentencepiece_model(spm_model_file)
      self.vocab = {self.sp_model.IdToPiece(i): i
                    for i in range(self.sp_model.GetPieceSize())}
    elif vocab_file:
      self.vocab = load_vocab(vocab_file)
      self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case)
      self.wordpiece_tokenizer = WordpieceTokenizer(vocab=self.vocab)
    else:
      # Deviation (docs/DEVIATIONS.md): one tokenizer source is enough, and having none is a
      # clear error rather than a failure to open `None`.
      raise ValueError("FullTokenizer needs a tokenizer source: pass spm_model_file "
                       "(SentencePiece .model) or vocab_file (WordPiece vocab.txt); "
                       "got neither.")
    self.inv_vocab = {token_id: token for token, token_id in self.vocab.items()}

  @classmethod
  def from_scratch(cls, vocab_file, do_lower_case, spm_model_file):
    return cls(vocab_file, do_lower_case, spm_model_file)

  @classmethod
  def from_hub_module(cls, hub_module, use_spm=None):
    """Builds the tokenizer described by a TF-Hub module's `tokenization_info` signature.

    Args:
      hub_module: handle or path of a TF1 hub module with a `tokenization_info` signature
        returning `vocab_file` (string asset path) and `do_lower_case` (bool).
      use_spm: True: the asset is a SentencePiece model; False: a WordPiece vocab; None:
        decide by whether the asset parses as a SentencePiece model.

    Returns:
      a `FullTokenizer`.
    """
    # Imported here so that plain tokenization does not pay for loading tensorflow_hub.
    import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
    with tf.Graph().as_default():
      albert_module = hub.Module(hub_module)
      tokenization_info = albert_module(signature="tokenization_info", as_dict=True)
      with tf.compat.v1.Session() as sess:
        vocab_file, do_lower_case = sess.run([tokenization_info["vocab_file"],
                                              tokenization_info["do_lower_case"]])
    vocab_file = convert_to_unicode(vocab_file)
    do_lower_case = bool(do_lower_case)
    # Deviation (docs/DEVIATIONS.md): the original crashes for use_spm=False and assumes
    # SentencePiece otherwise; we support both and detect the kind when use_spm is None.
    if use_spm is None:
      use_spm = _is_sentencepiece_model_file(vocab_file)
    if use_spm:
      return cls(vocab_file=None, do_lower_case=do_lower_case, spm_model_file=vocab_file)
    return cls(vocab_file=vocab_file, do_lower_case=do_lower_case, spm_model_file=None)

  def tokenize(self, text):
    """Splits text into pieces (SentencePiece) or WordPiece tokens.

    Args:
      text: str. In SentencePiece mode it must already be `preprocess_text`-ed.

    Returns:
      list of str tokens.
    """
    if self.sp_model is not None:
      return encode_pieces(self.sp_model, text, return_unicode=False)
    split_tokens = []
    for token in self.basic_tokenizer.tokenize(text):
      split_tokens.extend(self.wordpiece_tokenizer.tokenize(token))
    return split_tokens

  def convert_tokens_to_ids(self, tokens):
    """Maps tokens to ids; SentencePiece maps an unknown piece to `<unk>` (id 1 in ALBERT)."""
    if self.sp_model is not None:
      return [self.sp_model.PieceToId(printable_text(token)) for token in tokens]
    return convert_by_vocab(self.vocab, tokens)

  def convert_ids_to_tokens(self, ids):
    """Maps ids back to tokens."""
    if self.sp_model is not None:
      return [self.sp_model.IdToPiece(int(token_id)) for token_id in ids]
    return convert_by_vocab(self.inv_vocab, ids)


def _is_sentencepiece_model_file(path):
  """True if `path` exists and parses as a SentencePiece model."""
  if not tf.io.gfile.exists(path):
    raise FileNotFoundError("Tokenizer asset of the hub module not found: %s" % path)
  with tf.io.gfile.GFile(path, "rb") as reader:
    return _parse_sentencepiece_model(reader.read()) is not None


class BasicTokenizer(object):
  """BERT's basic tokenization: cleaning, CJK spacing, optional lower-casing, punctuation."""

  def __init__(self, do_lower_case=True):
    """Args: do_lower_case: lower-case the text and strip accents."""
    self.do_lower_case = do_lower_case

  def tokenize(self, text):
    """Returns the list of str words and punctuation marks of `text`."""
    text = convert_to_unicode(text)
    text = self._clean_text(text)
    # Ideographs are spaced out so each becomes a word; languages written without spaces
    # rely on this (the Chinese models' vocab has one entry per character).
    text = self._tokenize_chinese_chars(text)
    split_tokens = []
    for token in whitespace_tokenize(text):
      if self.do_lower_case:
        token = self._run_strip_accents(token.lower())
      split_tokens.extend(self._run_split_on_punc(token))
    return whitespace_tokenize(" ".join(split_tokens))

  def _run_strip_accents(self, text):
    """Removes non-spacing marks after NFD decomposition ("é" -> "e")."""
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if unicodedata.category(c) != "Mn")

  def _run_split_on_punc(self, text):
    """Splits `text` so that every punctuation character is its own token."""
    words = []
    start_new_word = True
    for char in text:
      if _is_punctuation(char):
        words.append(char)
        start_new_word = True
      else:
        if start_new_word:
          words.append("")
          start_new_word = False
        words[-1] += char
    return words

  def _tokenize_chinese_chars(self, text):
    """Surrounds every CJK ideograph with spaces."""
    output = []
    for char in text:
      if self._is_chinese_char(ord(char)):
        output.extend((" ", char, " "))
      else:
        output.append(char)
    return "".join(output)

  def _is_chinese_char(self, cp):
    """True if code point `cp` is a CJK ideograph (not Hangul, Hiragana or Katakana)."""
    return any(low <= cp <= high for low, high in _CJK_RANGES)

  def _clean_text(self, text):
    """Drops NUL, U+FFFD and control characters; turns every whitespace char into " "."""
    output = []
    for char in text:
      cp = ord(char)
      if cp == 0 or cp == 0xFFFD or _is_control(char):
        continue
      output.append(" " if _is_whitespace(char) else char)
    return "".join(output)


class WordpieceTokenizer(object):
  """Greedy longest-match-first WordPiece segmentation with "##" continuation pieces."""

  def __init__(self, vocab, unk_token="[UNK]", max_input_chars_per_word=200):
    """Args:
      vocab: dict-like of str tokens (only membership is used).
      unk_token: token emitted for a word that cannot be segmented or is too long.
      max_input_chars_per_word: words longer than this become `unk_token`.
    """
    self.vocab = vocab
    self.unk_token = unk_token
    self.max_input_chars_per_word = max_input_chars_per_word

  def tokenize(self, text):
    """Segments already basic-tokenized text.

    Example: "unaffable" -> ["un", "##aff", "##able"] with a suitable vocab.

    Args:
      text: str of whitespace-separated words (output of `BasicTokenizer`).

    Returns:
      list of str word pieces.
    """
    output_tokens = []
    for word in whitespace_tokenize(convert_to_unicode(text)):
      if len(word) > self.max_input_chars_per_word:
        output_tokens.append(self.unk_token)
        continue
      pieces = self._segment_word(word)
      if pieces is None:
        output_tokens.append(self.unk_token)
      else:
        output_tokens.extend(pieces)
    return output_tokens

  def _segment_word(self, word):
    """Returns the greedy segmentation of one word, or None if some part has no piece."""
    pieces = []
    start = 0
    while start < len(word):
      end = len(word)
      piece = None
      while start < end:
        candidate = word[start:end]
        if start > 0:
          candidate = "##" + candidate
        if candidate in self.vocab:
          piece = candidate
          break
        end -= 1
      if piece is None:
        return None
      pieces.append(piece)
      start = end
    return pieces


def _is_whitespace(char):
  """True for space, tab, newline, carriage return and Unicode category Zs."""
  if char in (" ", "\t", "\n", "\r"):
    return True
  return unicodedata.category(char) == "Zs"


def _is_control(char):
  """True for categories Cc/Cf, except tab/newline/return, which count as whitespace."""
  if char in ("\t", "\n", "\r"):
    return False
  return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char):
  """True for every non-alphanumeric printable ASCII char and Unicode category P*.

  ASCII symbols like "$", "^" and "`" are not category P, but BERT splits them anyway.
  """
  cp = ord(char)
  if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
    return True
  return unicodedata.category(char).startswith("P")
