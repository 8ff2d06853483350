# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Per-document algorithm of ALBERT pretraining data: segment pairing, SOP, masking.

Pure Python (no TensorFlow), so it runs unchanged in worker processes. Given the documents of
one shard (each a list of segments, each segment a list of token strings), it builds
`TrainingInstance`s exactly as the original `create_pretraining_data.py` does:

  * segment pairing: segments are accumulated up to a target length (chosen once per document
    per dupe pass; short with probability `short_seq_prob`), split at a random point into A and
    B; with probability 0.5 A and B are swapped (sentence-order-prediction negative, label 1).
    A chunk of a single segment is paired with a random span of a random other document
    (label 1); with `random_next_sentence` that BERT NSP rule is used instead of swaps.
  * truncation: the longer side loses one token at a time, at the front or back at random.
  * masking: whole-word units (SentencePiece "▁"-start rule or WordPiece "##" rule), n-gram
    spans with p(n) proportional to 1/n, 80% [MASK] / 10% original / 10% random token,
    optional permutation of further spans, at most `max_predictions_per_seq` predictions each.

Every random draw comes from the `random.Random` passed in, so a seed fixes the output.
"""

import dataclasses
import functools
import typing

CLS_TOKEN = "[CLS]"
SEP_TOKEN = "[SEP]"
MASK_TOKEN = "[MASK]"
_SPECIAL_TOKENS = frozenset([CLS_TOKEN, SEP_TOKEN])

SENTENCEPIECE_WORD_START = "\u2581"  # "▁": SentencePiece marks a preceding space with it.

# Single characters the original treats as words of their own in SentencePiece mode. This is
# its set: it lists '"' twice and lacks "'", "<", "=" and ">"; its bytes entries for "€"/"£"
# can never equal a str piece in Python 3, so they are left out.
_SP_PUNCTUATION = frozenset('!"#$%&()*+,-./:;?@[\\]^_`{|}~')
_ASCII_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclasses.dataclass(frozen=True)
class MaskingOptions:
  """How tokens are chosen and replaced for the masked-LM task (flag defaults of §5.1).

  Attributes:
    masked_lm_prob: fraction of the tokens (special tokens included) to predict.
    max_predictions_per_seq: cap on the number of masked predictions per instance.
    ngram: longest n-gram (in whole-word units) masked as one span.
    favor_shorter_ngram: p(n) proportional to 1/n if True, to 1/(ngram + 1 - n) if False.
    do_whole_word_mask: mask whole words (all pieces of a word) instead of single pieces.
    do_permutation: additionally permute the tokens of further spans (and predict them).
    use_sentencepiece: word-start rule of SentencePiece pieces (else WordPiece "##" rule).
  """
  masked_lm_prob: float = 0.15
  max_predictions_per_seq: int = 20
  ngram: int = 3
  favor_shorter_ngram: bool = True
  do_whole_word_mask: bool = True
  do_permutation: bool = False
  use_sentencepiece: bool = True


class TrainingInstance(typing.NamedTuple):
  """One pretraining example before conversion to ids.

  Attributes:
    tokens: list of token strings "[CLS] a [SEP] b [SEP]" with masked tokens replaced.
    segment_ids: list of ints, 0 for "[CLS] a [SEP]", 1 for "b [SEP]"; same length as tokens.
    masked_lm_positions: sorted list of positions in `tokens` to predict.
    masked_lm_labels: list of original token strings at those positions.
    is_random_next: True for a swapped or random-document B (the SOP/NSP label 1).
    token_boundary: list of ints, 1 where a word (or special token) starts; same length.
  """
  tokens: list
  segment_ids: list
  masked_lm_positions: list
  masked_lm_labels: list
  is_random_next: bool
  token_boundary: list


@functools.lru_cache(maxsize=1 << 17)
def is_start_piece_sentencepiece(piece):
  """Returns True if a SentencePiece piece starts a word (the original's `_is_start_piece_sp`).

  A piece starts a word if it begins with "▁" or "<", if it is a single punctuation character,
  or if it contains a character that is neither an ASCII letter nor such punctuation (digits
  and non-English characters make a piece a word of its own).
  """
  if piece.startswith(SENTENCEPIECE_WORD_START) or piece.startswith("<"):
    return True
  if piece in _SP_PUNCTUATION:
    return True
  return any(char.lower() not in _ASCII_LOWERCASE and char not in _SP_PUNCTUATION
             for char in piece)


def is_start_piece_wordpiece(piece):
  """Returns True if a WordPiece piece starts a word (no "##" continuation prefix)."""
  return not piece.startswith("##")


def truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng):
  """Truncates a pair of token lists in place to a total of at most `max_num_tokens`.

  One token at a time is removed from the longer list (from `tokens_b` on a tie), from its
  front or its back with probability 0.5 each, so neither end is systematically favoured.

  Args:
    tokens_a: list of token strings (modified in place).
    tokens_b: list of token strings (modified in place).
    max_num_tokens: int, the total length to truncate to.
    rng: random.Random.
  """
  while len(tokens_a) + len(tokens_b) > max_num_tokens:
    longer = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
    assert longer, "cannot truncate an empty token list"
    if rng.random() < 0.5:
      del longer[0]
    else:
      longer.pop()


def whole_word_units(tokens, do_whole_word_mask=True, use_sentencepiece=True):
  """Groups token positions into the units that masking picks from, and marks word starts.

  Args:
    tokens: list of token strings, "[CLS] a [SEP] b [SEP]".
    do_whole_word_mask: if True a unit is a whole word (a start piece and the continuation
      pieces after it); if False every piece is a unit.
    use_sentencepiece: SentencePiece word-start rule if True, WordPiece "##" rule if False.

  Returns:
    (units, token_boundary): `units` is a list of `range`s of consecutive positions, in
    order, never containing [CLS] or [SEP]; `token_boundary` is a list of ints of len(tokens), 1 for
    [CLS]/[SEP] and for every start piece (of the word-start rule), else 0.
  """
  is_start_piece = (is_start_piece_sentencepiece if use_sentencepiece
                    else is_start_piece_wordpiece)
  maskable = [token not in _SPECIAL_TOKENS for token in tokens]
  token_boundary = [0 if can_mask and not is_start_piece(token) else 1
                    for token, can_mask in zip(tokens, maskable)]
  # Cut the sequence before every special token and every unit start; the maskable pieces
  # between two cuts form a unit. A unit starts at a start piece (at every piece without
  # whole-word masking) and at the first position.
  # Deviation (docs/DEVIATIONS.md): whole-word units never cross [SEP]/[CLS]. The original
  # appends a continuation piece after [SEP] to the last word of segment A; here a piece
  # right after a special token always starts a unit (`not maskable[position - 1]`).
  # token_boundary stays the plain word-start flag; dynamic masking also starts a unit there.
  cuts = [position for position in range(len(tokens))
          if not maskable[position] or not do_whole_word_mask or token_boundary[position]
          or position == 0 or not maskable[position - 1]]
  cuts.append(len(tokens))
  units = [range(start, end) for start, end in zip(cuts, cuts[1:]) if maskable[start]]
  return units, token_boundary


def ngram_weights(ngram, favor_shorter_ngram=True):
  """Returns the probabilities of span lengths 1..ngram (p(n) proportional to 1/n).

  Args:
    ngram: int, the longest span length.
    favor_shorter_ngram: if False the list is reversed (longer spans are likelier).

  Returns:
    list of `ngram` floats summing to 1; for ngram=3: [6/11, 3/11, 2/11].
  """
  weights = [1.0 / n for n in range(1, ngram + 1)]
  total = sum(weights)
  weights = [weight / total for weight in weights]
  if not favor_shorter_ngram:
    weights.reverse()
  return weights


def _sample_ngram_length(weights, rng):
  """Draws a span length n in 1..len(weights) with probability weights[n - 1]."""
  # Deviation (docs/DEVIATIONS.md): the original draws n from NumPy's global, never seeded
  # generator, so its output cannot be reproduced; we draw from the seeded `rng`.
  threshold = rng.random()
  cumulative = 0.0
  for n, weight in enumerate(weights, start=1):
    cumulative += weight
    if threshold < cumulative:
      return n
  return len(weights)  # Only reached through float rounding of the cumulative sum.


def random_order(num_items, rng):
  """Yields range(num_items) in uniformly random order, drawing only as far as it is consumed.

  A lazy Fisher-Yates shuffle: its prefixes have the distribution of a full `rng.shuffle`,
  but span selection usually stops after a few dozen of hundreds of units.
  """
  order = list(range(num_items))
  for i in range(num_items):
    j = i + rng.randrange(num_items - i)
    order[i], order[j] = order[j], order[i]
    yield order[i]


def select_ngram_spans(units, unit_order, budget, weights, taken, rng):
  """Chooses non-overlapping n-gram spans of whole-word units, up to `budget` positions.

  Visits the units in `unit_order`; for each, draws a length n, falls back to shorter spans
  (n-1, ..., 1) while the span would exceed the budget, and skips spans that would still exceed
  it or that touch a position already in `taken`.

  Args:
    units: list of sequences (lists or ranges) of token positions, e.g. from
      `whole_word_units`.
    unit_order: iterable of indexes into `units` (a random order of all of them, e.g.
      `random_order(len(units), rng)`) giving the visiting order.
    budget: int, the maximum number of positions to choose.
    weights: list of span-length probabilities (from `ngram_weights`).
    taken: set of positions that may not be chosen; chosen positions are added to it.
    rng: random.Random.

  Returns:
    list of spans in the order chosen, each a list of token positions.
  """
  spans = []
  num_chosen = 0
  for unit_index in unit_order:
    if num_chosen >= budget:
      break
    n = _sample_ngram_length(weights, rng)
    # Slices are truncated at the end of the sequence, as in the original.
    span = [position for unit in units[unit_index:unit_index + n] for position in unit]
    while num_chosen + len(span) > budget and n > 1:
      n -= 1
      span = [position for unit in units[unit_index:unit_index + n] for position in unit]
    if num_chosen + len(span) > budget:
      continue
    if any(position in taken for position in span):
      continue
    taken.update(span)
    spans.append(span)
    num_chosen += len(span)
  return spans


def create_masked_lm_predictions(tokens, options, vocab_words, rng):
  """Chooses the positions to predict and replaces their tokens (§5.5 of the reference).

  Args:
    tokens: list of token strings "[CLS] a [SEP] b [SEP]".
    options: MaskingOptions.
    vocab_words: list of all vocabulary token strings (random replacements come from it).
    rng: random.Random.

  Returns:
    (output_tokens, masked_lm_positions, masked_lm_labels, token_boundary): the tokens with
    replacements; the sorted positions predicted; their original tokens; word-start flags.
    At most `max_predictions_per_seq` positions (twice that with `do_permutation`).
  """
  units, token_boundary = whole_word_units(
      tokens, options.do_whole_word_mask, options.use_sentencepiece)
  output_tokens = list(tokens)
  if options.masked_lm_prob == 0:
    return output_tokens, [], [], token_boundary

  # len(tokens) counts the special tokens too, as in the original.
  num_to_predict = min(options.max_predictions_per_seq,
                       max(1, int(round(len(tokens) * options.masked_lm_prob))))
  weights = ngram_weights(options.ngram, options.favor_shorter_ngram)
  # The original builds the candidate spans of every unit and shuffles that list; visiting
  # the units in a lazily drawn random order gives the same distribution for less work.
  taken = set()
  predictions = []  # (position, original token)
  for span in select_ngram_spans(units, random_order(len(units), rng), num_to_predict,
                                 weights, taken, rng):
    for position in span:
      if rng.random() < 0.8:
        replacement = MASK_TOKEN
      elif rng.random() < 0.5:
        replacement = tokens[position]
      else:
        replacement = vocab_words[rng.randint(0, len(vocab_words) - 1)]
      output_tokens[position] = replacement
      predictions.append((position, tokens[position]))

  if options.do_permutation:
    # A new random visiting order (the original reshuffles its span list).
    permuted_spans = select_ngram_spans(units, random_order(len(units), rng), num_to_predict,
                                        weights, taken, rng)
    sources = sorted(position for span in permuted_spans for position in span)
    targets = list(sources)
    rng.shuffle(targets)
    for source, target in zip(sources, targets):
      output_tokens[source] = tokens[target]
      predictions.append((source, tokens[source]))

  predictions.sort()
  masked_lm_positions = [position for position, _ in predictions]
  masked_lm_labels = [label for _, label in predictions]
  return output_tokens, masked_lm_positions, masked_lm_labels, token_boundary


def _build_instance(tokens_a, tokens_b, is_random_next, options, vocab_words, rng):
  """Joins A and B as "[CLS] a [SEP] b [SEP]", masks it and returns a TrainingInstance."""
  tokens = [CLS_TOKEN] + tokens_a + [SEP_TOKEN] + tokens_b + [SEP_TOKEN]
  segment_ids = [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
  (tokens, masked_lm_positions, masked_lm_labels,
   token_boundary) = create_masked_lm_predictions(tokens, options, vocab_words, rng)
  return TrainingInstance(
      tokens=tokens, segment_ids=segment_ids, masked_lm_positions=masked_lm_positions,
      masked_lm_labels=masked_lm_labels, is_random_next=is_random_next,
      token_boundary=token_boundary)


def create_instances_from_document(all_documents, document_index, max_seq_length,
                                   short_seq_prob, options, vocab_words, rng,
                                   random_next_sentence=False):
  """Creates the training instances of one document for one dupe pass (§5.3).

  Args:
    all_documents: list of documents of the shard; a document is a list of segments, a
      segment a non-empty list of token strings.
    document_index: int, which document to use.
    max_seq_length: int, length of the instances including [CLS] and two [SEP].
    short_seq_prob: float, probability of a shorter random target length for this document.
    options: MaskingOptions.
    vocab_words: list of all vocabulary token strings.
    rng: random.Random.
    random_next_sentence: BERT NSP mode: B is a random document's span with probability 0.5,
      and A/B are never swapped.

  Returns:
    list of TrainingInstance.
  """
  document = all_documents[document_index]
  max_num_tokens = max_seq_length - 3  # [CLS], [SEP], [SEP]

  # Mostly fill the sequence; sometimes use a shorter one so that pretraining also sees the
  # short inputs of fine-tuning tasks. Chosen once for the whole document.
  target_seq_length = max_num_tokens
  if rng.random() < short_seq_prob:
    target_seq_length = rng.randint(2, max_num_tokens)

  instances = []
  current_chunk = []
  current_length = 0
  i = 0
  while i < len(document):
    segment = document[i]
    current_chunk.append(segment)
    current_length += len(segment)
    if i == len(document) - 1 or current_length >= target_seq_length:
      if current_chunk:
        a_end = 1
        if len(current_chunk) >= 2:
          a_end = rng.randint(1, len(current_chunk) - 1)
        tokens_a = [token for part in current_chunk[:a_end] for token in part]

        if len(current_chunk) == 1 or (random_next_sentence and rng.random() < 0.5):
          # B comes from a random other document; this is a negative in SOP mode too
          # (faithful: single-segment chunks cannot be swapped).
          is_random_next = True
          target_b_length = target_seq_length - len(tokens_a)
          for _ in range(10):
            random_document_index = rng.randint(0, len(all_documents) - 1)
            if random_document_index != document_index:
              break
          random_document = all_documents[random_document_index]
          random_start = rng.randint(0, len(random_document) - 1)
          tokens_b = []
          for part in random_document[random_start:]:
            tokens_b.extend(part)
            if len(tokens_b) >= target_b_length:
              break
          # The segments of this chunk that B did not use are revisited for the next chunk.
          i -= len(current_chunk) - a_end
        elif not random_next_sentence and rng.random() < 0.5:
          # Sentence-order negative: the two halves in swapped order.
          is_random_next = True
          tokens_b = [token for part in current_chunk[a_end:] for token in part]
          tokens_a, tokens_b = tokens_b, tokens_a
        else:
          is_random_next = False
          tokens_b = [token for part in current_chunk[a_end:] for token in part]

        truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
        assert tokens_a and tokens_b, "segment A and B must both be non-empty"
        instances.append(_build_instance(tokens_a, tokens_b, is_random_next, options,
                                         vocab_words, rng))
      current_chunk = []
      current_length = 0
    i += 1
  return instances


def create_shard_instances(documents, rng, dupe_factor, max_seq_length, short_seq_prob,
                           options, vocab_words, random_next_sentence=False,
                           instance_to_record=None):
  """Creates the shuffled training instances of one shard of documents.

  Documents are shuffled, every document yields instances in each of `dupe_factor` passes
  (with different random targets, splits and masks), and all instances are shuffled. Random
  B segments come from other documents of the same shard.

  Args:
    documents: list of documents (lists of non-empty token lists); empty documents are
      dropped. The list is not modified.
    rng: random.Random, seeded for this shard.
    dupe_factor: int, number of passes over the documents.
    max_seq_length, short_seq_prob, options, vocab_words, random_next_sentence: as in
      `create_instances_from_document`.
    instance_to_record: optional function applied to each instance as soon as it is made
      (e.g. serialization, which keeps a shard's memory small); the shuffle is the same.

  Returns:
    list of TrainingInstance (or of what `instance_to_record` returns), shuffled.
  """
  documents = [document for document in documents if document]
  rng.shuffle(documents)
  instances = []
  for _ in range(dupe_factor):
    for document_index in range(len(documents)):
      document_instances = create_instances_from_document(
          documents, document_index, max_seq_length, short_seq_prob, options, vocab_words,
          rng, random_next_sentence=random_next_sentence)
      if instance_to_record is not None:
        document_instances = [instance_to_record(instance) for instance in document_instances]
      instances.extend(document_instances)
  # The permutation depends only on the list length and `rng`, not on the items.
  rng.shuffle(instances)
  return instances
