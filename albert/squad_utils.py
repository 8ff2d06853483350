# coding=utf-8
"""SQuAD v1.1 and v2.0 data: reading, character alignment, features, TFRecords.

The heads are in `squad_models`, turning their outputs into answers in `squad_answers`,
the official scores in `squad_metrics`, and the runners' shared phases in `squad_runner`.

Reading order:
  1. Reading (`read_squad_file`, `read_squad_examples`): SQuAD JSON -> `SquadExample`s. Bad
     input is an error naming the file and the question id, except where skipping one
     question is what a user wants (see `read_squad_file`).
  2. Tokenization and character alignment (`SquadTokenizer`, `align_tokens_to_text`): every
     paragraph token is mapped back to the characters of the original paragraph, so answers
     can be cut out of the original text (and gold answers mapped onto tokens).
  3. Features (`convert_examples_to_features`): doc-stride windows, the max-context flags,
     p_mask and the answer positions; streamed to the caller one feature at a time (the
     training set of SQuAD 2.0, 130k questions, never sits in memory as features). The
     TFRecord layout, the input_fn, and the host-side metadata file
     (`--predict_feature_left_file`).
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import collections
import difflib
import json
import time

import numpy as np
import tensorflow as tf

from albert import tfrecord_utils
from albert import tokenization

logging = tf.compat.v1.logging

# The first feature's unique id, as in the original (ids then count up per feature).
FIRST_UNIQUE_ID = 1000000000
# Below this fraction of matched characters a paragraph counts as not aligned (the
# original's "MISMATCH DETECTED" rule uses the same 0.8).
MIN_ALIGNMENT_SCORE = 0.8


###############################################################################
# Data classes
###############################################################################


class SquadExample(object):
  """One question about one paragraph, with its answer when training.

  Attributes:
    qas_id: the question id (str).
    question_text: str.
    paragraph_text: the context paragraph, as in the file (shared by its questions).
    orig_answer_text: the training answer ("" for impossible or unlabelled questions).
    start_position: CHARACTER offset of the answer in `paragraph_text` (training), else None;
      -1 for impossible questions.
    end_position: character offset of the answer's last character, likewise.
    is_impossible: SQuAD 2.0 unanswerable question (training).
  """

  def __init__(self, qas_id, question_text, paragraph_text, orig_answer_text=None,
               start_position=None, end_position=None, is_impossible=False):
    self.qas_id = qas_id
    self.question_text = question_text
    self.paragraph_text = paragraph_text
    self.orig_answer_text = orig_answer_text
    self.start_position = start_position
    self.end_position = end_position
    self.is_impossible = is_impossible

  def __repr__(self):
    return "SquadExample(qas_id=%r, question=%r, answer=%r, start=%s, impossible=%s)" % (
        self.qas_id, self.question_text, self.orig_answer_text, self.start_position,
        self.is_impossible)


class InputFeatures(object):
  """One window ("doc span") of one example, as fed to the model.

  Attributes (L = max_seq_length):
    unique_id: int, FIRST_UNIQUE_ID + running feature number.
    example_index: index of the example in the list given to the converter.
    qas_id: the example's question id.
    doc_span_index: index of this window among the example's windows.
    tok_start_to_orig_index, tok_end_to_orig_index: for each doc token of the window, the
      first and last character of the original paragraph it covers.
    token_is_max_context: dict feature position -> bool, for the window's doc tokens: this
      window gives the token its most context (answers may only start at such tokens).
    tokens: list of L' <= L str tokens: [CLS] query [SEP] doc-window [SEP].
    input_ids, input_mask, segment_ids, p_mask: int lists of length L. p_mask is 1 where an
      answer cannot be (query, [SEP]s, padding) and 0 at [CLS] and the doc tokens.
    paragraph_len: number of doc tokens in the window.
    start_position, end_position: answer token positions in the window (0, 0: no answer in
      this window), training only.
    is_impossible: no answer in this window (training).
  """

  def __init__(self, unique_id, example_index, qas_id, doc_span_index,
               tok_start_to_orig_index, tok_end_to_orig_index, token_is_max_context, tokens,
               input_ids, input_mask, segment_ids, paragraph_len, p_mask=None,
               start_position=None, end_position=None, is_impossible=None):
    self.unique_id = unique_id
    self.example_index = example_index
    self.qas_id = qas_id
    self.doc_span_index = doc_span_index
    self.tok_start_to_orig_index = tok_start_to_orig_index
    self.tok_end_to_orig_index = tok_end_to_orig_index
    self.token_is_max_context = token_is_max_context
    self.tokens = tokens
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.paragraph_len = paragraph_len
    self.p_mask = p_mask
    self.start_position = start_position
    self.end_position = end_position
    self.is_impossible = is_impossible

  @property
  def doc_offset(self):
    """Feature position of the first doc token: after [CLS] query [SEP]."""
    return self.tokens.index("[SEP]") + 1

  def metadata(self):
    """The host-side part post-processing needs (`FeatureMetadata`)."""
    offset = self.doc_offset
    return FeatureMetadata(
        unique_id=self.unique_id, example_index=self.example_index, qas_id=self.qas_id,
        doc_span_index=self.doc_span_index, doc_offset=offset,
        tok_start_to_orig_index=np.asarray(self.tok_start_to_orig_index, np.int32),
        tok_end_to_orig_index=np.asarray(self.tok_end_to_orig_index, np.int32),
        token_is_max_context=np.asarray(
            [self.token_is_max_context[offset + i] for i in range(self.paragraph_len)],
            np.bool_))


class FeatureMetadata(collections.namedtuple(
    "FeatureMetadata", ["unique_id", "example_index", "qas_id", "doc_span_index",
                        "doc_offset", "tok_start_to_orig_index", "tok_end_to_orig_index",
                        "token_is_max_context"])):
  """What post-processing needs of a feature: one line of `--predict_feature_left_file`.

  # Deviation (docs/DEVIATIONS.md): JSON lines instead of a pickle of every feature.

  The original pickles whole `InputFeatures` lists; a JSON line per feature is safe to load
  (no code execution) and can be read one line at a time. The three arrays are indexed by doc
  token of the window (feature position - doc_offset).
  """

  def to_json(self):
    return json.dumps({
        "unique_id": int(self.unique_id),
        "example_index": int(self.example_index),
        "qas_id": self.qas_id,
        "doc_span_index": int(self.doc_span_index),
        "doc_offset": int(self.doc_offset),
        "tok_start_to_orig_index": [int(x) for x in self.tok_start_to_orig_index],
        "tok_end_to_orig_index": [int(x) for x in self.tok_end_to_orig_index],
        "token_is_max_context": [int(x) for x in self.token_is_max_context],
    }, separators=(",", ":"))

  @classmethod
  def from_json(cls, line):
    fields = json.loads(line)
    return cls(
        unique_id=fields["unique_id"], example_index=fields["example_index"],
        qas_id=fields["qas_id"], doc_span_index=fields["doc_span_index"],
        doc_offset=fields["doc_offset"],
        tok_start_to_orig_index=np.asarray(fields["tok_start_to_orig_index"], np.int32),
        tok_end_to_orig_index=np.asarray(fields["tok_end_to_orig_index"], np.int32),
        token_is_max_context=np.asarray(fields["token_is_max_context"], np.bool_))


def read_feature_metadata(path):
  """Yields the `FeatureMetadata` records of a `--predict_feature_left_file`, in order."""
  with tf.io.gfile.GFile(path, "r") as handle:
    for line_number, line in enumerate(handle, 1):
      try:
        yield FeatureMetadata.from_json(line)
      except (ValueError, KeyError) as error:
        raise ValueError("%s:%d: not a feature metadata line (%s); delete the file to have it "
                         "rebuilt." % (path, line_number, error))


###############################################################################
# Reading
###############################################################################


def read_squad_json(input_file):
  """Loads a SQuAD JSON file and returns its "data" list (articles).

  Raises:
    FileNotFoundError: the file does not exist.
    ValueError: the file is not JSON, or not shaped like SQuAD (naming the file).
  """
  if not tf.io.gfile.exists(input_file):
    raise FileNotFoundError("SQuAD file not found: %s" % input_file)
  with tf.io.gfile.GFile(input_file, "r") as reader:
    try:
      input_data = json.load(reader)
    except ValueError as error:
      raise ValueError("%s is not a JSON file (%s); expected SQuAD JSON "
                       "{\"version\": ..., \"data\": [articles]}" % (input_file, error))
  if not isinstance(input_data, dict) or not isinstance(input_data.get("data"), list):
    found = (sorted(input_data)[:10] if isinstance(input_data, dict)
             else type(input_data).__name__)
    raise ValueError("%s is not a SQuAD file: expected a JSON object with a \"data\" list of "
                     "articles (found %s)" % (input_file, found))
  return input_data["data"]


def _expect(condition, input_file, where, message):
  if not condition:
    raise ValueError("%s: %s: %s" % (input_file, where, message))


def _iterate_questions(input_file, data):
  """Yields (where, paragraph_text, question dict) for every question, checking the shape.

  `where` names the position in the file, e.g. "data[0].paragraphs[2].qas[1] (id '5733')".
  """
  for article_index, article in enumerate(data):
    where = "data[%d]" % article_index
    _expect(isinstance(article, dict) and isinstance(article.get("paragraphs"), list),
            input_file, where, "expected an article with a \"paragraphs\" list")
    for paragraph_index, paragraph in enumerate(article["paragraphs"]):
      where = "data[%d].paragraphs[%d]" % (article_index, paragraph_index)
      _expect(isinstance(paragraph, dict) and isinstance(paragraph.get("context"), str) and
              isinstance(paragraph.get("qas"), list), input_file, where,
              "expected a paragraph with a \"context\" string and a \"qas\" list")
      for question_index, question in enumerate(paragraph["qas"]):
        where = "data[%d].paragraphs[%d].qas[%d]" % (article_index, paragraph_index,
                                                     question_index)
        _expect(isinstance(question, dict) and isinstance(question.get("id"), (str, int)) and
                isinstance(question.get("question"), str), input_file, where,
                "expected a question with an \"id\" and a \"question\" string")
        yield "%s (id %r)" % (where, str(question["id"])), paragraph["context"], question


def _training_answer(input_file, where, paragraph_text, question):
  """Returns (answer_text, start_char) of a training question, or raises ValueError.

  A v1 training question must have exactly one answer (the original's rule); an answer is a
  {"text": str, "answer_start": int} object.
  """
  answers = question.get("answers")
  _expect(isinstance(answers, list), input_file, where,
          "a training question needs an \"answers\" list (or \"is_impossible\": true)")
  _expect(len(answers) == 1, input_file, where,
          "for training, each question should have exactly 1 answer (found %d). Is this a "
          "dev file?" % len(answers))
  answer = answers[0]
  _expect(isinstance(answer, dict) and isinstance(answer.get("text"), str) and
          isinstance(answer.get("answer_start"), int) and
          not isinstance(answer.get("answer_start"), bool), input_file, where,
          "expected an answer {\"text\": str, \"answer_start\": int}, found %r" % (answer,))
  return answer["text"], answer["answer_start"]


def read_squad_file(input_file, is_training, data=None):
  """Reads a SQuAD 1.1 or 2.0 JSON file into `SquadExample`s.

  What is an error and what is skipped:
    * not JSON, not SQuAD-shaped, a repeated question id, a training question without
      exactly one answer (and not "is_impossible"), a malformed answer: ValueError naming the
      file, the position and the question id. Nothing useful can be done with such a file.
    * training questions whose answer cannot be used: an empty context, or an "answer_start"
      that does not point at the answer text. These are single bad labels in files of
      100,000 questions; each is logged with its id and skipped, and the count is logged.
      (The original trains on a wrong span in the second case.)
    * prediction keeps every question: each one must get an answer. A question with an empty
      context gets "" (see `convert_examples_to_features`).

  Args:
    input_file: path of the JSON file.
    is_training: read the answers (train file); otherwise only ids, questions and contexts.
    data: the file's "data" list if already loaded (`read_squad_json`), else None.

  Returns:
    (examples, skipped): list of `SquadExample` in file order, and list of (qas_id, reason)
    of the skipped training questions.

  Raises:
    FileNotFoundError, ValueError: see above; also when no usable question remains.
  """
  if data is None:
    data = read_squad_json(input_file)
  examples = []
  skipped = []
  first_seen = {}
  for where, paragraph_text, question in _iterate_questions(input_file, data):
    qas_id = str(question["id"])
    if qas_id in first_seen:
      raise ValueError("%s: %s: question id %r is repeated (first at %s); ids must be unique, "
                       "since predictions.json is keyed by them." %
                       (input_file, where, qas_id, first_seen[qas_id]))
    first_seen[qas_id] = where
    example = SquadExample(qas_id=qas_id, question_text=question["question"],
                           paragraph_text=paragraph_text)
    if is_training:
      example.is_impossible = bool(question.get("is_impossible", False))
      if not paragraph_text.strip():
        skipped.append((qas_id, "empty context"))
        continue
      if example.is_impossible:
        example.orig_answer_text, example.start_position, example.end_position = "", -1, -1
      else:
        answer_text, start = _training_answer(input_file, where, paragraph_text, question)
        found = paragraph_text[start:start + len(answer_text)] if start >= 0 else ""
        # Deviation (docs/DEVIATIONS.md): a wrong answer_start skips the question (logged).
        if not answer_text.strip() or found != answer_text:
          skipped.append((qas_id, "answer_start %d does not point at the answer text %r "
                                  "(found %r)" % (start, answer_text, found)))
          continue
        example.orig_answer_text = answer_text
        example.start_position = start
        example.end_position = start + len(answer_text) - 1
    examples.append(example)

  for qas_id, reason in skipped:
    logging.warning("%s: skipping training question %r: %s", input_file, qas_id, reason)
  if skipped:
    logging.warning("%s: skipped %d of %d training questions (listed above).", input_file,
                    len(skipped), len(skipped) + len(examples))
  if not examples:
    raise ValueError("%s: no usable %s question (%d skipped); expected SQuAD JSON with "
                     "questions under data[].paragraphs[].qas[]." %
                     (input_file, "training" if is_training else "", len(skipped)))
  return examples, skipped


def read_squad_examples(input_file, is_training):
  """Reads a SQuAD JSON file into a list of `SquadExample`s (see `read_squad_file`)."""
  return read_squad_file(input_file, is_training)[0]


###############################################################################
# Tokenization and character alignment
###############################################################################


TokenizedParagraph = collections.namedtuple(
    "TokenizedParagraph", ["tokens", "token_ids", "tok_start_to_orig_index",
                           "tok_end_to_orig_index", "alignment_score"])


def align_tokens_to_text(text, token_texts, normalize_char):
  """Maps each token to the characters of the original `text` it was made from.

  Tokenizers change the text before they split it: ALBERT's `preprocess_text` collapses
  spaces, lower-cases and strips accents; SentencePiece normalises (NFKC) and marks word
  starts with "▁"; the digit+comma rule re-splits pieces; WordPiece drops control characters
  and emits [UNK]. The alignment compares what is left of both sides after that:

    * the original side: each character normalised on its own (`normalize_char`), with the
      index of the character it came from ("é" -> "e"; "…" -> "..."; a combining accent -> "");
    * the token side: the tokens' texts concatenated (`token_texts`).

  # Deviation (docs/DEVIATIONS.md): the original aligns with a banded LCS-style program.
  Whitespace is dropped on both sides (tokenizers move and collapse it). The two character
  strings are usually identical; where they are not, `difflib` finds the longest common
  blocks and pairs the characters of equal-length replaced stretches. A character dropped by
  the normalisation (combining mark, zero-width or control character) belongs to the token
  of the character before it in its word (so "e" + U+0301 stays one answer character), or
  after it at a word start. A token with no characters of its own ([UNK], a lone "▁") covers
  the non-space characters between its neighbours.

  Args:
    text: str, the original paragraph (N characters).
    token_texts: list of str, each token's text after normalisation ("▁" or the "##" prefix
      already removed; "" for tokens without a text such as [UNK]).
    normalize_char: function str -> str normalising one character of `text`, without
      whitespace ("" for a whitespace character or one the normalisation drops).

  Returns:
    (tok_start_to_orig_index, tok_end_to_orig_index, score): two int lists with the first and
    last character of `text` for each token (start > end for a token covering nothing), and
    the fraction of normalised original characters matched exactly.
  """
  # Original side: normalised characters (no whitespace) with the index they came from.
  normalized = list(map(normalize_char, text))
  original_string = "".join(normalized)
  original_index = [index for index, chars in enumerate(normalized) for _ in chars]
  # Token side: non-space characters with their token.
  token_texts = ["".join(token_text.split()) for token_text in token_texts]
  token_string = "".join(token_texts)
  token_index = [token for token, chars in enumerate(token_texts) for _ in chars]

  if original_string == token_string:  # The usual case: character i is token character i.
    pairs = zip(original_index, token_index)
    num_matched = len(original_string)
  else:
    positions, num_matched = _character_pairs(original_string, token_string)
    pairs = [(original_index[i], token_index[j]) for i, j in positions]

  # first[i], last[i]: the first and last token of original character i (-1: none). Pairs
  # come in increasing order on both sides.
  first = [-1] * len(text)
  last = [-1] * len(text)
  for index, token in pairs:
    if first[index] < 0:
      first[index] = token
    last[index] = token
  _attach_dropped_characters(text, normalized, first, last)

  num_tokens = len(token_texts)
  starts = [None] * num_tokens
  ends = [None] * num_tokens
  for index, (first_token, last_token) in enumerate(zip(first, last)):
    if first_token < 0:
      continue
    for token in range(first_token, last_token + 1):
      if starts[token] is None:
        starts[token] = index
      ends[token] = index
  _fill_tokens_without_characters(text, starts, ends)
  score = num_matched / len(original_string) if original_string else float(not token_string)
  return starts, ends, score


def _character_pairs(original_string, token_string):
  """Pairs characters of two differing strings; returns (pairs, number matched exactly)."""
  pairs = []
  num_matched = 0
  matcher = difflib.SequenceMatcher(None, original_string, token_string, autojunk=False)
  for tag, i1, i2, j1, j2 in matcher.get_opcodes():
    if tag == "equal":
      pairs.extend(zip(range(i1, i2), range(j1, j2)))
      num_matched += i2 - i1
    elif tag == "replace":
      # A changed stretch (e.g. a character the per-character normalisation got differently):
      # spread the original characters evenly over the token characters, keeping order.
      for offset in range(i2 - i1):
        pairs.append((i1 + offset, j1 + offset * (j2 - j1) // (i2 - i1)))
  return pairs, num_matched


def _attach_dropped_characters(text, normalized, first, last):
  """Gives characters removed by normalisation the token of their neighbour in the word.

  Args:
    text: the original text.
    normalized: the normalised text of each character ("" for a dropped one).
    first, last: per character, its first and last token or -1; updated in place.
  """
  dropped = [not chars and not char.isspace() for char, chars in zip(text, normalized)]
  if not any(dropped):
    return
  for index in range(1, len(text)):
    if dropped[index] and first[index] < 0 and last[index - 1] >= 0:
      first[index] = last[index] = last[index - 1]
  for index in range(len(text) - 2, -1, -1):
    if dropped[index] and first[index] < 0 and first[index + 1] >= 0:
      first[index] = last[index] = first[index + 1]


def _fill_tokens_without_characters(text, starts, ends):
  """Gives tokens without characters the non-space text between their neighbours (in place).

  A token that covers nothing gets start = end + 1 (an empty slice at the right place).
  """
  num_tokens = len(starts)
  next_start = [len(text)] * (num_tokens + 1)
  for token in range(num_tokens - 1, -1, -1):
    next_start[token] = starts[token] if starts[token] is not None else next_start[token + 1]
  previous_end = -1
  for token in range(num_tokens):
    if starts[token] is None:
      start, end = previous_end + 1, next_start[token + 1] - 1
      while start <= end and text[start].isspace():
        start += 1
      while end >= start and text[end].isspace():
        end -= 1
      if start > end:
        start, end = previous_end + 1, previous_end
      starts[token], ends[token] = start, end
    previous_end = max(previous_end, ends[token])


def char_span_to_token_span(tokenized, start_char, end_char):
  """The first and last token overlapping characters [start_char, end_char], or None."""
  first = last = None
  for token, (start, end) in enumerate(zip(tokenized.tok_start_to_orig_index,
                                           tokenized.tok_end_to_orig_index)):
    if start > end or end < start_char or start > end_char:
      continue
    if first is None:
      first = token
    last = token
  if first is None:
    return None
  return first, last


class _CharCache(dict):
  """dict char -> normalised text that computes missing entries with `compute`."""

  def __init__(self, compute):
    super(_CharCache, self).__init__()
    self._compute = compute

  def __missing__(self, char):
    value = self[char] = self._compute(char)
    return value


class SquadTokenizer(object):
  """Tokenizes questions and paragraphs for SQuAD, with SentencePiece or WordPiece.

  SentencePiece (the English models): text goes through `preprocess_text(text,
  lower=do_lower_case)` and `encode_pieces`, as in the original. WordPiece (e.g. the Chinese
  models, which the original SQuAD code cannot use): `FullTokenizer.tokenize`, whose
  BasicTokenizer cleans and lower-cases itself.
  # Deviation (docs/DEVIATIONS.md): WordPiece tokenizers are supported.
  """

  def __init__(self, tokenizer, do_lower_case):
    """Args:
      tokenizer: `tokenization.FullTokenizer`.
      do_lower_case: lower-case in `preprocess_text` (SentencePiece; WordPiece lower-cases
        as the tokenizer was built).
    """
    self.tokenizer = tokenizer
    self.do_lower_case = do_lower_case
    self.use_spm = tokenizer.sp_model is not None
    self._normalized_chars = _CharCache(self._normalize_new_char)
    self._last_paragraph = (None, None)

  def tokenize(self, text):
    """Tokens of a question or paragraph (list of str)."""
    if self.use_spm:
      return tokenization.encode_pieces(
          self.tokenizer.sp_model,
          tokenization.preprocess_text(text, lower=self.do_lower_case),
          return_unicode=False)
    return self.tokenizer.tokenize(text)

  def convert_tokens_to_ids(self, tokens):
    return self.tokenizer.convert_tokens_to_ids(tokens)

  def token_text(self, token):
    """The text a token stands for ("▁the" -> " the", "##ing" -> "ing", "[UNK]" -> "")."""
    if self.use_spm:
      return token.replace(tokenization.SPIECE_UNDERLINE, " ")
    if token == self.tokenizer.wordpiece_tokenizer.unk_token:
      return ""
    if token.startswith("##"):
      return token[2:]
    return " " + token

  def normalize_char(self, char):
    """One original character as the tokenizer sees it ("" if dropped or whitespace)."""
    return self._normalized_chars[char]

  def _normalize_new_char(self, char):
    if self.use_spm:
      normalized = tokenization.preprocess_text(char, remove_space=False,
                                                lower=self.do_lower_case)
      # SentencePiece's own normaliser (NFKC and its rules) comes after preprocess_text.
      normalized = self.tokenizer.sp_model.Normalize(normalized)
      normalized = normalized.replace(tokenization.SPIECE_UNDERLINE, "")
    else:
      normalized = self._wordpiece_normalize_char(char)
    return "".join(normalized.split())  # Whitespace separates words; it is not aligned.

  def _wordpiece_normalize_char(self, char):
    """What BasicTokenizer makes of one character (cleaning, lower-casing, accents)."""
    # pylint: disable=protected-access
    basic_tokenizer = self.tokenizer.basic_tokenizer
    char = basic_tokenizer._clean_text(char)
    if basic_tokenizer.do_lower_case:
      char = basic_tokenizer._run_strip_accents(char.lower())
    return char

  def tokenize_paragraph(self, paragraph_text):
    """Tokens of a paragraph with their character spans (`TokenizedParagraph`).

    The last paragraph is cached: consecutive questions usually share it.
    """
    if self._last_paragraph[0] is paragraph_text:
      return self._last_paragraph[1]
    tokens = self.tokenize(paragraph_text)
    # The cache's own lookup is the normaliser: a C-level dict access per character.
    starts, ends, score = align_tokens_to_text(
        paragraph_text, [self.token_text(token) for token in tokens],
        self._normalized_chars.__getitem__)
    tokenized = TokenizedParagraph(tokens=tokens,
                                   token_ids=self.convert_tokens_to_ids(tokens),
                                   tok_start_to_orig_index=starts, tok_end_to_orig_index=ends,
                                   alignment_score=score)
    self._last_paragraph = (paragraph_text, tokenized)
    return tokenized


###############################################################################
# Features
###############################################################################


DocSpan = collections.namedtuple("DocSpan", ["start", "length"])


def make_doc_spans(num_doc_tokens, max_tokens_for_doc, doc_stride):
  """Windows over the doc tokens: each at most `max_tokens_for_doc` long, `doc_stride` apart.

  The last window ends at the last token; windows overlap when the stride is shorter than a
  window.
  """
  doc_spans = []
  start = 0
  while start < num_doc_tokens:
    length = min(num_doc_tokens - start, max_tokens_for_doc)
    doc_spans.append(DocSpan(start=start, length=length))
    if start + length == num_doc_tokens:
      break
    start += min(length, doc_stride)
  return doc_spans


def max_context_span_index(doc_spans, position):
  """The window that gives doc token `position` its most context.

  A token appears in several overlapping windows; its score in a window is the smaller of
  its left and right context plus 0.01 x the window length (so a longer window wins a tie);
  the first best window wins.

  Returns:
    int index into `doc_spans` (None if no window holds the token).
  """
  best_score = None
  best_span_index = None
  for index, span in enumerate(doc_spans):
    end = span.start + span.length - 1
    if position < span.start or position > end:
      continue
    score = min(position - span.start, end - position) + 0.01 * span.length
    if best_score is None or score > best_score:
      best_score, best_span_index = score, index
  return best_span_index


def is_max_context(doc_spans, span_index, position):
  """True if window `span_index` gives doc token `position` its most context."""
  return max_context_span_index(doc_spans, position) == span_index


ConversionStats = collections.namedtuple(
    "ConversionStats", ["num_examples", "num_features", "num_positive", "num_negative",
                        "unaligned_ids"])


class _Progress(object):
  """Logs questions converted, features written, rate and ETA, at most every 10 seconds."""

  def __init__(self, total, interval_seconds=10.0):
    self.total = total
    self.interval_seconds = interval_seconds
    self.start_time = time.time()
    self.last_log_time = self.start_time

  def update(self, num_done, num_features, force=False):
    now = time.time()
    if not force and now - self.last_log_time < self.interval_seconds:
      return
    self.last_log_time = now
    elapsed = max(now - self.start_time, 1e-9)
    rate = num_done / elapsed
    eta_minutes = (self.total - num_done) / rate / 60.0 if rate > 0 else float("nan")
    logging.info("Converted %d/%d questions (%d features) in %.0f s: %.1f questions/sec, "
                 "ETA %.1f min", num_done, self.total, num_features, elapsed, rate,
                 eta_minutes)


def convert_examples_to_features(examples, tokenizer, max_seq_length, doc_stride,
                                 max_query_length, is_training, output_fn, do_lower_case):
  """Converts examples to features, passing each feature to `output_fn` as soon as it is made.

  Each example becomes one feature per doc-stride window of its paragraph: [CLS] query [SEP]
  window [SEP], zero-padded. Nothing is kept after `output_fn` returns, so memory does not grow
  with the number of examples.

  An example whose paragraph cannot be aligned with its tokens (less than
  MIN_ALIGNMENT_SCORE of the characters match) or has no tokens at all makes no feature; its
  id is logged and returned in `ConversionStats.unaligned_ids`. At prediction time it still
  gets an answer, the empty string (`collect_answers`).
  # Deviation (docs/DEVIATIONS.md): the original drops such examples from the predictions.

  Args:
    examples: list of `SquadExample`.
    tokenizer: `tokenization.FullTokenizer` (SentencePiece or WordPiece).
    max_seq_length: int, L.
    doc_stride: int, distance between window starts.
    max_query_length: int; longer questions are cut to this many tokens.
    is_training: compute answer positions (a window without the answer gets positions 0, 0
      and is_impossible, as in the original).
    output_fn: function(`InputFeatures`).
    do_lower_case: SentencePiece: lower-case in `preprocess_text`.

  Returns:
    `ConversionStats`.
  """
  squad_tokenizer = (tokenizer if isinstance(tokenizer, SquadTokenizer)
                     else SquadTokenizer(tokenizer, do_lower_case))
  cls_id, sep_id = squad_tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]"])
  unique_id = FIRST_UNIQUE_ID
  num_positive = num_negative = 0
  unaligned_ids = []
  progress = _Progress(len(examples))

  for example_index, example in enumerate(examples):
    progress.update(example_index, unique_id - FIRST_UNIQUE_ID)
    query_tokens = squad_tokenizer.tokenize(example.question_text)[:max_query_length]
    query_ids = squad_tokenizer.convert_tokens_to_ids(query_tokens)
    paragraph = squad_tokenizer.tokenize_paragraph(example.paragraph_text)
    if not paragraph.tokens or paragraph.alignment_score < MIN_ALIGNMENT_SCORE:
      unaligned_ids.append(example.qas_id)
      logging.warning("Question %r: its paragraph %s (%d tokens, %.0f%% of characters "
                      "aligned); no features (at prediction time it gets the answer \"\").",
                      example.qas_id,
                      "has no tokens" if not paragraph.tokens else "could not be aligned",
                      len(paragraph.tokens), 100.0 * paragraph.alignment_score)
      continue

    answer_span = None
    if is_training and not example.is_impossible:
      answer_span = char_span_to_token_span(paragraph, example.start_position,
                                            example.end_position)
      if answer_span is None:
        unaligned_ids.append(example.qas_id)
        logging.warning("Question %r: no token covers the answer %r; skipped.",
                        example.qas_id, example.orig_answer_text)
        continue

    max_tokens_for_doc = max_seq_length - len(query_tokens) - 3
    doc_spans = make_doc_spans(len(paragraph.tokens), max_tokens_for_doc, doc_stride)
    doc_offset = len(query_tokens) + 2  # [CLS] query [SEP]
    max_context_spans = [max_context_span_index(doc_spans, position)
                         for position in range(len(paragraph.tokens))]
    for span_index, span in enumerate(doc_spans):
      feature = _window_feature(
          unique_id, example_index, example, paragraph, query_tokens, query_ids,
          max_context_spans, span_index, span, doc_offset, cls_id, sep_id, max_seq_length,
          answer_span if is_training else None, is_training)
      if feature.unique_id - FIRST_UNIQUE_ID < 5:
        _log_feature(feature)
      if is_training:
        if feature.is_impossible:
          num_negative += 1
        else:
          num_positive += 1
      output_fn(feature)
      unique_id += 1

  progress.update(len(examples), unique_id - FIRST_UNIQUE_ID, force=True)
  if unaligned_ids:
    logging.warning("%d of %d questions have no features (paragraph or answer not aligned "
                    "with its tokens): %s", len(unaligned_ids), len(examples),
                    ", ".join(unaligned_ids))
  if is_training:
    logging.info("Training windows: %d with the answer, %d without.", num_positive,
                 num_negative)
  return ConversionStats(num_examples=len(examples),
                         num_features=unique_id - FIRST_UNIQUE_ID, num_positive=num_positive,
                         num_negative=num_negative, unaligned_ids=unaligned_ids)


def _window_feature(unique_id, example_index, example, paragraph, query_tokens, query_ids,
                    max_context_spans, span_index, span, doc_offset, cls_id, sep_id,
                    max_seq_length, answer_span, is_training):
  """The `InputFeatures` of one doc-stride window (see `convert_examples_to_features`).

  `max_context_spans[p]` is the window that gives doc token p its most context.
  """
  doc_slice = slice(span.start, span.start + span.length)
  tokens = (["[CLS]"] + query_tokens + ["[SEP]"] + paragraph.tokens[doc_slice] + ["[SEP]"])
  input_ids = [cls_id] + query_ids + [sep_id] + paragraph.token_ids[doc_slice] + [sep_id]
  segment_ids = [0] * doc_offset + [1] * (span.length + 1)
  # An answer can start or end at [CLS] (no answer) or at a doc token, nowhere else.
  p_mask = [0] + [1] * (len(query_tokens) + 1) + [0] * span.length + [1]
  input_mask = [1] * len(input_ids)
  token_is_max_context = {doc_offset + i: max_context_spans[span.start + i] == span_index
                          for i in range(span.length)}
  padding = max_seq_length - len(input_ids)
  input_ids += [0] * padding
  input_mask += [0] * padding
  segment_ids += [0] * padding
  p_mask += [1] * padding

  start_position = end_position = is_impossible = None
  if is_training:
    is_impossible = example.is_impossible
    start_position = end_position = 0
    if answer_span is not None:
      span_end = span.start + span.length - 1
      if span.start <= answer_span[0] and answer_span[1] <= span_end:
        start_position = answer_span[0] - span.start + doc_offset
        end_position = answer_span[1] - span.start + doc_offset
      else:
        # The answer is (partly) outside this window: the window learns "no answer here".
        is_impossible = True
  return InputFeatures(
      unique_id=unique_id, example_index=example_index, qas_id=example.qas_id,
      doc_span_index=span_index,
      tok_start_to_orig_index=paragraph.tok_start_to_orig_index[doc_slice],
      tok_end_to_orig_index=paragraph.tok_end_to_orig_index[doc_slice],
      token_is_max_context=token_is_max_context, tokens=tokens, input_ids=input_ids,
      input_mask=input_mask, segment_ids=segment_ids, paragraph_len=span.length,
      p_mask=p_mask, start_position=start_position, end_position=end_position,
      is_impossible=is_impossible)


def _log_feature(feature):
  logging.info("*** Example ***")
  logging.info("unique_id: %s, qas_id: %s, doc_span_index: %s", feature.unique_id,
               feature.qas_id, feature.doc_span_index)
  logging.info("tokens: %s", " ".join(feature.tokens))
  logging.info("input_ids: %s", " ".join(str(x) for x in feature.input_ids))
  logging.info("p_mask: %s", " ".join(str(x) for x in feature.p_mask))
  if feature.start_position is not None:
    if feature.is_impossible:
      logging.info("impossible example (no answer in this window)")
    else:
      answer_tokens = feature.tokens[feature.start_position:feature.end_position + 1]
      logging.info("start_position: %d, end_position: %d, answer: %s", feature.start_position,
                   feature.end_position, " ".join(answer_tokens))


###############################################################################
# TFRecords and the input pipeline
###############################################################################


def feature_to_tf_example(feature, is_training):
  """The `tf.train.Example` of one feature (the original FeatureWriter's layout)."""
  values = collections.OrderedDict()
  values["unique_ids"] = tfrecord_utils.int64_feature([feature.unique_id])
  values["input_ids"] = tfrecord_utils.int64_feature(feature.input_ids)
  values["input_mask"] = tfrecord_utils.int64_feature(feature.input_mask)
  values["segment_ids"] = tfrecord_utils.int64_feature(feature.segment_ids)
  values["p_mask"] = tfrecord_utils.int64_feature(feature.p_mask)
  if is_training:
    values["start_positions"] = tfrecord_utils.int64_feature([feature.start_position])
    values["end_positions"] = tfrecord_utils.int64_feature([feature.end_position])
    values["is_impossible"] = tfrecord_utils.int64_feature([int(feature.is_impossible)])
  return tf.train.Example(features=tf.train.Features(feature=values))


def name_to_features(seq_length, is_training, is_v2):
  """Parsing spec of the SQuAD records (p_mask only for the v2 head, as the original)."""
  spec = {
      "unique_ids": tf.io.FixedLenFeature([], tf.int64),
      "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
  }
  if is_v2:
    spec["p_mask"] = tf.io.FixedLenFeature([seq_length], tf.int64)
  if is_training:
    spec["start_positions"] = tf.io.FixedLenFeature([], tf.int64)
    spec["end_positions"] = tf.io.FixedLenFeature([], tf.int64)
    spec["is_impossible"] = tf.io.FixedLenFeature([], tf.int64)
  return spec


def input_fn_builder(input_file, seq_length, is_training, drop_remainder, use_tpu, bsz,
                     is_v2):
  """The `input_fn` over a SQuAD TFRecord file (int features as int32).

  Training repeats and shuffles (buffer 100), as the original.
  """
  return tfrecord_utils.file_based_input_fn_builder(
      input_files=[input_file],
      name_to_features=name_to_features(seq_length, is_training, is_v2),
      is_training=is_training,
      drop_remainder=drop_remainder,
      batch_size=None if use_tpu else bsz)
