# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Creates ALBERT pretraining TFRecord files from plain text (one sentence per line).

Input: text files with one sentence per line and a blank line between documents. Output:
`tf.train.Example` records with the features of the original (input_ids, input_mask,
segment_ids, token_boundary, masked_lm_positions, masked_lm_ids, masked_lm_weights,
next_sentence_labels = the sentence-order label), written round-robin over the output files.

    python -m albert.create_pretraining_data --input_file=corpus/*.txt \
        --output_file=out/train-0.tfrecord,out/train-1.tfrecord \
        --spm_model_file=30k-clean.model --max_seq_length=512 --dupe_factor=10 --num_workers=8

How it scales (unlike the original, which holds corpus x dupe_factor in memory):
  * Documents are streamed and cut into shards of `--documents_per_shard` documents. Each
    shard is processed on its own: tokenized, documents shuffled, `dupe_factor` passes of
    instance creation (random-document negatives come from the same shard), all its instances
    shuffled. Memory is bounded by a few shards, whatever the corpus size.
  * Each shard's random generator is seeded from (`--random_seed`, shard index), and shard
    results are consumed in shard order, so the output is byte-identical for any
    `--num_workers`.
  * `--num_workers` processes work on consecutive shards in parallel.
  * The instances of all shards are written in one global random order through temporary
    bucket files (`record_shuffle`, memory bounded by `--shuffle_bucket_mb`), unless
    `--noglobal_shuffle`.
The per-document algorithm (pairing, sentence order, masking) is in `pretraining_instances`;
`ShardProcessor.process` (one shard of raw documents -> serialized records) is the unit that
`create_pretraining_data_beam` runs on Apache Beam.
"""

import collections
import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import random
import time

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from albert import flag_utils
from albert import pretraining_instances
from albert import record_shuffle
from albert import tfrecord_utils
from albert import tokenization

DEFAULT_DOCUMENTS_PER_SHARD = 1000
MIN_SEQ_LENGTH = 5  # [CLS] a [SEP] b [SEP]
_NUM_LOGGED_INSTANCES = 20
_PROGRESS_SECONDS = 5.0

FLAGS = flags.FLAGS

flag_utils.define_flag(
    flags.DEFINE_string, "input_file", None,
    "Input raw text file (or comma-separated list of files or globs).")
flag_utils.define_flag(
    flags.DEFINE_string, "output_file", None,
    "Output TF example file (or comma-separated list of files); instances are written round-robin "
    "over them.")
flag_utils.define_flag(
    flags.DEFINE_string, "vocab_file", None,
    "WordPiece vocabulary file. Not needed (and ignored) when --spm_model_file is given; one of "
    "the two is required.")
flag_utils.define_flag(
    flags.DEFINE_string, "spm_model_file", None, "SentencePiece model file (English ALBERT).")
flag_utils.define_flag(
    flags.DEFINE_string, "input_file_mode", "r",
    "Mode for reading the input files ('r' or 'rb'); input is always decoded as UTF-8 either way.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_lower_case", True, "Whether to lower case the input text.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_whole_word_mask", True,
    "Whether to mask whole words instead of single word pieces.")
flag_utils.define_flag(
    flags.DEFINE_bool, "do_permutation", False,
    "Whether to also permute further spans (needs 2 x max_predictions_per_seq prediction slots at "
    "training time).")
flag_utils.define_flag(
    flags.DEFINE_bool, "favor_shorter_ngram", True,
    "Whether shorter n-grams are likelier (p(n) proportional to 1/n).")
flag_utils.define_flag(
    flags.DEFINE_bool, "random_next_sentence", False,
    "Use BERT's random next sentence prediction instead of sentence order.")
# Range checks run when the flags are parsed, before anything is read or written; the error
# names the flag. validate_options repeats them for callers that build DataOptions themselves.
flag_utils.define_flag(flags.DEFINE_integer, "max_seq_length", 512, "Maximum sequence length.",
                       lower_bound=MIN_SEQ_LENGTH)
flag_utils.define_flag(flags.DEFINE_integer, "ngram", 3, "Maximum length of masked n-grams.",
                       lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_integer, "max_predictions_per_seq", 20,
    "Maximum number of masked LM predictions per sequence.", lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_integer, "random_seed", 12345, "Random seed for data generation.")
flag_utils.define_flag(
    flags.DEFINE_integer, "dupe_factor", 40,
    "Number of times to duplicate the input data (with different masks).", lower_bound=1)
flag_utils.define_flag(flags.DEFINE_float, "masked_lm_prob", 0.15, "Masked LM probability.",
                       lower_bound=0.0, upper_bound=1.0)
flag_utils.define_flag(
    flags.DEFINE_float, "short_seq_prob", 0.1,
    "Probability of creating sequences shorter than the maximum length.",
    lower_bound=0.0, upper_bound=1.0)
# Added flags (not in the original).
flag_utils.define_flag(
    flags.DEFINE_integer, "num_workers", 1,
    "Number of processes creating instances in parallel. The output does not depend on it.",
    lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_integer, "documents_per_shard", DEFAULT_DOCUMENTS_PER_SHARD,
    "Documents per shard: the unit of random-document negatives, of parallel work and of memory "
    "use: a shard's records take about documents_per_shard x tokens per document x dupe_factor "
    "x 6 bytes, and up to num_workers + 1 shards are in flight. Changing it changes the output.",
    lower_bound=1)
flag_utils.define_flag(
    flags.DEFINE_bool, "global_shuffle", True,
    "Write all instances in one global random order, through temporary bucket files beside the "
    "first output file (an external shuffle: needs free disk space about the size of the "
    "output). --noglobal_shuffle writes each shard's shuffled instances in input order, as "
    "earlier versions did (one output file then streams the corpus source by source).")
flag_utils.define_flag(
    flags.DEFINE_integer, "shuffle_bucket_mb", record_shuffle.DEFAULT_MAX_BUCKET_MB,
    "Global shuffle: the largest temporary bucket held in memory, in MB (peak memory of the "
    "shuffle pass). Buckets are sized from the output size estimated on the first shard; a "
    "larger one is split again. Changing it changes the output order.", lower_bound=1)


@dataclasses.dataclass(frozen=True)
class DataOptions:
  """Everything that shapes the output records (picklable, sent to worker processes).

  Attributes mirror the flags of the same names; `masking` holds the masking flags (its
  `use_sentencepiece` is set from `spm_model_file`).
  """
  vocab_file: str = None
  spm_model_file: str = None
  do_lower_case: bool = True
  max_seq_length: int = 512
  dupe_factor: int = 40
  short_seq_prob: float = 0.1
  random_next_sentence: bool = False
  random_seed: int = 12345
  masking: pretraining_instances.MaskingOptions = pretraining_instances.MaskingOptions()

  def __post_init__(self):
    # The word-start rule follows the tokenizer: SentencePiece pieces or WordPiece "##".
    object.__setattr__(self, "masking", dataclasses.replace(
        self.masking, use_sentencepiece=bool(self.spm_model_file)))

  @property
  def num_prediction_slots(self):
    """Length of the masked_lm_* features: doubled with do_permutation."""
    return self.masking.max_predictions_per_seq * (2 if self.masking.do_permutation else 1)


def options_from_flags():
  """Returns the DataOptions given by the command-line flags."""
  masking = pretraining_instances.MaskingOptions(
      masked_lm_prob=FLAGS.masked_lm_prob,
      max_predictions_per_seq=FLAGS.max_predictions_per_seq,
      ngram=FLAGS.ngram,
      favor_shorter_ngram=FLAGS.favor_shorter_ngram,
      do_whole_word_mask=FLAGS.do_whole_word_mask,
      do_permutation=FLAGS.do_permutation)
  return DataOptions(
      vocab_file=FLAGS.vocab_file, spm_model_file=FLAGS.spm_model_file,
      do_lower_case=FLAGS.do_lower_case, max_seq_length=FLAGS.max_seq_length,
      dupe_factor=FLAGS.dupe_factor, short_seq_prob=FLAGS.short_seq_prob,
      random_next_sentence=FLAGS.random_next_sentence, random_seed=FLAGS.random_seed,
      masking=masking)


def validate_options(options):
  """Raises ValueError naming the flag if the options cannot produce valid records."""
  if not options.spm_model_file and not options.vocab_file:
    # Deviation (docs/DEVIATIONS.md): the original requires --vocab_file even with
    # --spm_model_file (and then ignores it); here either one is enough.
    raise ValueError("No tokenizer given: pass --spm_model_file (SentencePiece .model, English "
                     "ALBERT) or --vocab_file (WordPiece vocab.txt).")
  if options.max_seq_length < MIN_SEQ_LENGTH:
    raise ValueError("--max_seq_length must be at least %d ([CLS] a [SEP] b [SEP]); got %d"
                     % (MIN_SEQ_LENGTH, options.max_seq_length))
  check_at_least_one(dupe_factor=options.dupe_factor, ngram=options.masking.ngram,
                      max_predictions_per_seq=options.masking.max_predictions_per_seq)
  for name, value in (("masked_lm_prob", options.masking.masked_lm_prob),
                      ("short_seq_prob", options.short_seq_prob)):
    if not 0.0 <= value <= 1.0:
      raise ValueError("--%s must be in [0, 1]; got %r" % (name, value))


def check_at_least_one(**values):
  """Raises ValueError naming the first flag (keyword) whose value is below 1."""
  for name, value in values.items():
    if value < 1:
      raise ValueError("--%s must be at least 1; got %r" % (name, value))


def make_tokenizer(options):
  """Returns the FullTokenizer of the options (SentencePiece wins when both files are given)."""
  if options.spm_model_file:
    return tokenization.FullTokenizer(vocab_file=None, do_lower_case=options.do_lower_case,
                                      spm_model_file=options.spm_model_file)
  return tokenization.FullTokenizer(vocab_file=options.vocab_file,
                                    do_lower_case=options.do_lower_case)


# ------------------------------------------------------------------------------------------
# Reading: input files -> stream of shards of raw documents.


def _open_binary(path):
  """Opens a file for reading bytes: builtin `open` for local paths, tf.io.gfile otherwise."""
  if "://" in path:
    return tf.io.gfile.GFile(path, "rb")
  return open(path, "rb")


def _input_size(path):
  return tf.io.gfile.stat(path).length if "://" in path else os.path.getsize(path)


@dataclasses.dataclass
class Shard:
  """A run of consecutive documents of the input stream, processed independently.

  Attributes:
    index: int, position of the shard in the stream (seeds its random generator).
    documents: list of documents, each a list of raw text lines (str, not yet normalised).
    num_bytes: int, input bytes the shard was read from (for progress and ETA).
  """
  index: int
  documents: list
  num_bytes: int


def read_file_documents(reader, path):
  """Streams the documents of one input file, in order.

  A document ends at a blank line or at the end of the file. Each file is read on its own
  (also by create_pretraining_data_beam, one file per task), so a document never spans files.

  Args:
    reader: binary file object of the file, iterable by lines.
    path: str, the file's path (for error messages).

  Yields:
    (document, num_bytes): a non-empty list of raw text lines, and the input bytes read since
    the previous document (trailing blank lines of the file come last, with an empty list).

  Raises:
    ValueError: naming file and line, if a line is not valid UTF-8.
  """
  document = []
  num_bytes = 0
  for line_number, raw_line in enumerate(reader, start=1):
    num_bytes += len(raw_line)
    # Deviation (docs/DEVIATIONS.md): input is always decoded as strict UTF-8 (whatever
    # --input_file_mode says); a bad byte is an error naming file and line, where the
    # original drops such bytes silently (WordPiece) or fails without a location (SPM).
    try:
      line = raw_line.decode("utf-8")
    except UnicodeDecodeError as error:
      raise ValueError(
          "%s:%d: not valid UTF-8 (byte 0x%02x at column %d): input files must be UTF-8 "
          "text, one sentence per line." % (path, line_number, raw_line[error.start],
                                            error.start + 1)) from None
    if line.strip():
      document.append(line)
    elif document:
      yield document, num_bytes
      document, num_bytes = [], 0
  # Deviation (docs/DEVIATIONS.md): a document also ends at the end of its file; the
  # original would join the last document of a file to the first one of the next file.
  if document or num_bytes:
    yield document, num_bytes


def _read_documents(input_files):
  """Streams the documents of the input files, in order (see `read_file_documents`)."""
  for path in input_files:
    with _open_binary(path) as reader:
      yield from read_file_documents(reader, path)


def read_shards(input_files, documents_per_shard):
  """Streams the documents of the input files, cut into shards.

  A document ends at a blank line or at the end of a file. Only non-empty documents count
  towards `documents_per_shard`.

  Args:
    input_files: list of paths.
    documents_per_shard: int, documents per shard (the last shard may have fewer).

  Yields:
    Shard objects, in input order.

  Raises:
    ValueError: naming file and line, if a line is not valid UTF-8.
  """
  shard_index = 0
  documents = []
  num_bytes = 0
  for document, document_bytes in _read_documents(input_files):
    num_bytes += document_bytes
    if document:
      documents.append(document)
    if len(documents) >= documents_per_shard:
      yield Shard(shard_index, documents, num_bytes)
      shard_index += 1
      documents, num_bytes = [], 0
  if documents:
    yield Shard(shard_index, documents, num_bytes)


# ------------------------------------------------------------------------------------------
# Processing one shard: raw documents -> shuffled serialized tf.train.Examples.


@dataclasses.dataclass
class ShardResult:
  """What a worker returns for one shard.

  Attributes:
    index: int, the shard index.
    records: list of serialized tf.train.Example bytes, in output order.
    num_documents: int, non-empty documents after tokenization.
    num_bytes: int, input bytes of the shard.
    num_masked_tokens: int, masked-LM predictions over all records.
    num_skipped_lines: int, non-blank input lines that gave no token (e.g. only control
      characters) and were dropped.
  """
  index: int
  records: list
  num_documents: int
  num_bytes: int
  num_masked_tokens: int = 0
  num_skipped_lines: int = 0


class ShardProcessor(object):
  """Tokenizes a shard's documents and turns them into serialized training examples."""

  def __init__(self, options):
    self.options = options
    self.tokenizer = make_tokenizer(options)
    # All pieces, special ones included, as in the original (random replacements).
    self.vocab_words = list(self.tokenizer.vocab.keys())
    # Token -> id, extended with the ids of out-of-vocabulary pieces as they are met.
    self.token_to_id = dict(self.tokenizer.vocab)
    self._canonical_pieces = {piece: piece for piece in self.vocab_words}

  def tokenize_documents(self, raw_documents):
    """Tokenizes documents of raw lines (§5.2 of the reference).

    SentencePiece: each line goes through `preprocess_text` (whitespace, NFKD, accents,
    lower-casing with do_lower_case); WordPiece: stripped (the tokenizer lower-cases). A line
    that is empty after that also starts a new document, as in the original.

    Returns:
      (documents, num_skipped_lines): the documents as lists of non-empty token lists, and
      the number of non-empty lines that gave no token.
    """
    documents = []
    num_skipped_lines = 0
    for raw_document in raw_documents:
      document = []
      for line in raw_document:
        if self.options.spm_model_file:
          line = tokenization.preprocess_text(line, lower=self.options.do_lower_case)
        else:
          line = line.strip()
        if not line:
          if document:
            documents.append(document)
          document = []
          continue
        tokens = self.tokenizer.tokenize(line)
        if not tokens:
          num_skipped_lines += 1
          continue
        # One str object per distinct piece: a shard holds millions of tokens, and a fresh
        # str per token would take ~60 bytes instead of an 8-byte reference.
        document.append([self._canonical_pieces.setdefault(token, token) for token in tokens])
      if document:
        documents.append(document)
    return documents, num_skipped_lines

  def token_ids(self, tokens):
    """Maps tokens to ids; pieces outside the vocabulary go through the tokenizer (<unk>)."""
    token_to_id = self.token_to_id
    try:
      return [token_to_id[token] for token in tokens]
    except KeyError:
      for token in tokens:
        if token not in token_to_id:
          token_to_id[token] = self.tokenizer.convert_tokens_to_ids([token])[0]
      return [token_to_id[token] for token in tokens]

  def instance_to_record(self, instance):
    """Serializes a TrainingInstance as a tf.train.Example with the features of §5.6."""
    max_seq_length = self.options.max_seq_length
    num_slots = self.options.num_prediction_slots
    num_tokens = len(instance.tokens)
    padding = [0] * (max_seq_length - num_tokens)
    input_ids = self.token_ids(instance.tokens) + padding
    input_mask = [1] * num_tokens + padding
    segment_ids = list(instance.segment_ids) + padding
    token_boundary = list(instance.token_boundary) + padding
    assert len(input_ids) == max_seq_length, (num_tokens, max_seq_length)

    num_predictions = len(instance.masked_lm_positions)
    slot_padding = [0] * (num_slots - num_predictions)
    masked_lm_positions = list(instance.masked_lm_positions) + slot_padding
    masked_lm_ids = self.token_ids(instance.masked_lm_labels) + slot_padding
    masked_lm_weights = [1.0] * num_predictions + [0.0] * len(slot_padding)
    assert len(masked_lm_positions) == num_slots, (num_predictions, num_slots)
    # The name is the original's; with sentence order prediction 1 means "swapped or random".
    next_sentence_label = 1 if instance.is_random_next else 0

    features = collections.OrderedDict()
    features["input_ids"] = tfrecord_utils.int64_feature(input_ids)
    features["input_mask"] = tfrecord_utils.int64_feature(input_mask)
    features["segment_ids"] = tfrecord_utils.int64_feature(segment_ids)
    features["token_boundary"] = tfrecord_utils.int64_feature(token_boundary)
    features["masked_lm_positions"] = tfrecord_utils.int64_feature(masked_lm_positions)
    features["masked_lm_ids"] = tfrecord_utils.int64_feature(masked_lm_ids)
    features["masked_lm_weights"] = tfrecord_utils.float_feature(masked_lm_weights)
    features["next_sentence_labels"] = tfrecord_utils.int64_feature([next_sentence_label])
    example = tf.train.Example(features=tf.train.Features(feature=features))
    return example.SerializeToString()

  def process(self, shard):
    """Returns the ShardResult of a Shard."""
    options = self.options
    documents, num_skipped_lines = self.tokenize_documents(shard.documents)
    num_masked_tokens = 0

    def instance_to_record(instance):
      nonlocal num_masked_tokens
      num_masked_tokens += len(instance.masked_lm_positions)
      return self.instance_to_record(instance)

    # Deviation (docs/DEVIATIONS.md): the original shuffles documents and instances of the
    # whole corpus with one generator; here each shard has its own generator, seeded from the
    # random seed and the shard index (string seeds are hashed with SHA-512, independent of
    # PYTHONHASHSEED), so shards can be made in any process and in any order.
    rng = random.Random("%d:%d" % (options.random_seed, shard.index))
    records = pretraining_instances.create_shard_instances(
        documents, rng, options.dupe_factor, options.max_seq_length, options.short_seq_prob,
        options.masking, self.vocab_words,
        random_next_sentence=options.random_next_sentence,
        instance_to_record=instance_to_record)
    return ShardResult(shard.index, records, len(documents), shard.num_bytes,
                       num_masked_tokens=num_masked_tokens, num_skipped_lines=num_skipped_lines)


_WORKER_PROCESSOR = None


def _initialize_worker(options):
  global _WORKER_PROCESSOR
  _WORKER_PROCESSOR = ShardProcessor(options)


def _process_in_worker(shard):
  return _WORKER_PROCESSOR.process(shard)


def process_shards(shards, options, num_workers):
  """Processes shards, in this process or a pool of `num_workers`, yielding results in order.

  At most `num_workers + 1` shards are in flight, so memory stays bounded however long the
  input stream is. (`Pool.imap` would read the whole input ahead.)
  """
  if num_workers <= 1:
    processor = ShardProcessor(options)
    for shard in shards:
      yield processor.process(shard)
    return
  with multiprocessing.Pool(num_workers, initializer=_initialize_worker,
                            initargs=(options,)) as pool:
    pending = collections.deque()
    for shard in shards:
      pending.append(pool.apply_async(_process_in_worker, (shard,)))
      if len(pending) > num_workers:
        yield pending.popleft().get()
    while pending:
      yield pending.popleft().get()


# ------------------------------------------------------------------------------------------
# Writing, progress, logging.


def _format_duration(seconds):
  seconds = int(max(0, seconds))
  return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class _Progress(object):
  """Logs documents, instances, rates and ETA as shards are done, at most every 5 s.

  With the global shuffle, a second phase (writing the shuffled instances) is logged too.
  """

  def __init__(self, total_bytes, interval_seconds=_PROGRESS_SECONDS):
    self.total_bytes = max(1, total_bytes)
    self.interval_seconds = interval_seconds
    self.start_time = time.time()
    self.last_log_time = self.start_time
    self.num_documents = 0
    self.num_instances = 0
    self.num_masked_tokens = 0
    self.num_skipped_lines = 0
    self.num_bytes = 0
    self.num_shards = 0
    self.logged_instances = -1
    self.shuffle_start_time = None

  def update(self, result):
    """Counts a ShardResult; logs if the last log is older than the interval."""
    self.num_documents += result.num_documents
    self.num_instances += len(result.records)
    self.num_masked_tokens += result.num_masked_tokens
    self.num_skipped_lines += result.num_skipped_lines
    self.num_bytes += result.num_bytes
    self.num_shards += 1
    if time.time() - self.last_log_time >= self.interval_seconds:
      self.log()

  def finish(self):
    """Logs the final figures of the instance creation, unless just logged."""
    if self.logged_instances != self.num_instances:
      self.log()

  def log(self):
    self.last_log_time = time.time()
    self.logged_instances = self.num_instances
    elapsed = max(1e-6, time.time() - self.start_time)
    fraction = min(1.0, self.num_bytes / self.total_bytes)
    eta = elapsed * (1.0 - fraction) / fraction if fraction > 0 else float("nan")
    logging.info(
        "%d documents read, %d instances created (%.1f documents/s, %.1f instances/s), "
        "%.1f%% of %.1f MB input, elapsed %s, ETA %s",
        self.num_documents, self.num_instances, self.num_documents / elapsed,
        self.num_instances / elapsed, 100.0 * fraction, self.total_bytes / 1e6,
        _format_duration(elapsed), _format_duration(eta) if fraction > 0 else "?")

  def update_shuffle(self, num_written):
    """Logs the progress of writing the shuffled instances, at most every interval."""
    now = time.time()
    if self.shuffle_start_time is None:
      self.shuffle_start_time = now
    if now - self.last_log_time < self.interval_seconds and num_written < self.num_instances:
      return
    self.last_log_time = now
    elapsed = max(1e-6, now - self.shuffle_start_time)
    fraction = num_written / max(1, self.num_instances)
    logging.info("Shuffle: %d of %d instances written (%.1f%%, %.1f instances/s), ETA %s",
                 num_written, self.num_instances, 100.0 * fraction, num_written / elapsed,
                 _format_duration(elapsed * (1.0 - fraction) / max(fraction, 1e-9)))


class _RoundRobinWriter(object):
  """Writes records round-robin over open TFRecord writers; logs the first ones.

  Attributes:
    num_written: int, records written so far.
  """

  def __init__(self, writers, tokenizer):
    self.writers = writers
    self.tokenizer = tokenizer
    self.num_written = 0

  def write(self, record):
    self.writers[self.num_written % len(self.writers)].write(record)
    if self.num_written < _NUM_LOGGED_INSTANCES:
      _log_record(record, self.tokenizer)
    self.num_written += 1


def _write_in_shard_order(results, output, progress):
  """Writes each shard's shuffled records as the shard comes (--noglobal_shuffle)."""
  for result in results:
    for record in result.records:
      output.write(record)
    progress.update(result)
  progress.finish()
  return {}


def _write_globally_shuffled(results, output, progress, scratch_dir, seed, max_bucket_bytes):
  """Writes the records of all shards in one global random order (`record_shuffle`).

  Args:
    results: iterator of ShardResult, in shard order.
    output: _RoundRobinWriter.
    progress: _Progress.
    scratch_dir: str, where the temporary bucket files go (a `tfrecord_utils.temporary_path`).
    seed: int, the random seed; the shuffle's generators are derived from it.
    max_bucket_bytes: int, largest bucket held in memory.

  Returns:
    dict of shuffle figures: "num_shuffle_buckets", "num_bucket_splits",
    "largest_bucket_bytes" (empty if there were no shards).
  """
  results = iter(results)
  first = next(results, None)
  if first is None:
    progress.finish()
    return {}
  # Deviation (docs/DEVIATIONS.md): the original shuffled all instances in memory with its one
  # generator; this external shuffle gives a uniformly random order with bounded memory.
  # The number of buckets comes from the output/input ratio of the first shard, which is the
  # same for any --num_workers, so the output stays independent of the worker count.
  first_bytes = sum(len(record) for record in first.records)
  expected_bytes = first_bytes * progress.total_bytes / max(1, first.num_bytes)
  num_buckets = record_shuffle.num_buckets_for(expected_bytes, max_bucket_bytes)
  with record_shuffle.ExternalShuffle(scratch_dir, num_buckets, "%d:shuffle" % seed,
                                      max_bucket_bytes) as shuffle:
    for result in itertools.chain([first], results):
      for record in result.records:
        shuffle.add(record)
      progress.update(result)
    progress.finish()
    logging.info("*** Writing %d instances in a global random order from %d temporary "
                 "bucket(s) of at most %g MB in %s ***", shuffle.num_records, num_buckets,
                 max_bucket_bytes / record_shuffle.MEGABYTE, scratch_dir)
    for record in shuffle.shuffled():
      output.write(record)
      progress.update_shuffle(output.num_written)
  return {"num_shuffle_buckets": num_buckets, "num_bucket_splits": shuffle.num_splits,
          "largest_bucket_bytes": shuffle.largest_loaded_bytes}


def _log_record(record, tokenizer):
  """Logs one written example like the original does for its first instances."""
  example = tf.train.Example.FromString(record)
  feature = example.features.feature
  input_mask = list(feature["input_mask"].int64_list.value)
  num_tokens = sum(input_mask)
  tokens = tokenizer.convert_ids_to_tokens(feature["input_ids"].int64_list.value[:num_tokens])
  logging.info("*** Example ***")
  logging.info("tokens: %s", " ".join(tokenization.printable_text(t) for t in tokens))
  for name in ("input_ids", "input_mask", "segment_ids", "token_boundary",
               "masked_lm_positions", "masked_lm_ids", "masked_lm_weights",
               "next_sentence_labels"):
    values = (feature[name].float_list.value if name == "masked_lm_weights"
              else feature[name].int64_list.value)
    logging.info("%s: %s", name, " ".join(str(value) for value in values))
  weights = feature["masked_lm_weights"].float_list.value
  labels = tokenizer.convert_ids_to_tokens(
      [i for i, w in zip(feature["masked_lm_ids"].int64_list.value, weights) if w > 0])
  logging.info("masked_lm_labels: %s", " ".join(tokenization.printable_text(t) for t in labels))


def shuffle_scratch_path(output_files):
  """The path whose temporaries hold the shuffle buckets: beside the first output file."""
  return output_files[0] + ".shuffle"


def create_pretraining_data(input_patterns, output_files, options, num_workers=1,
                            documents_per_shard=DEFAULT_DOCUMENTS_PER_SHARD,
                            global_shuffle=True,
                            shuffle_bucket_mb=record_shuffle.DEFAULT_MAX_BUCKET_MB):
  """Creates the pretraining TFRecord files; the function behind `main`.

  Args:
    input_patterns: comma-separated str or list of input files/globs.
    output_files: comma-separated str or list of output paths (written round-robin).
    options: DataOptions.
    num_workers: int, processes creating instances (the output does not depend on it).
    documents_per_shard: int, documents per shard (the output depends on it).
    global_shuffle: bool, write all instances in one global random order (through temporary
      bucket files beside the first output file); else shard by shard in input order.
    shuffle_bucket_mb: number, largest shuffle bucket held in memory, in MB (the output
      order depends on it).

  Returns:
    dict with "num_documents", "num_instances", "num_shards", "num_masked_tokens",
    "num_skipped_lines", "seconds", and with the global shuffle "num_shuffle_buckets",
    "num_bucket_splits", "largest_bucket_bytes".

  Raises:
    ValueError / FileNotFoundError with the flag, file (and line) at fault; no output file
    and no temporary file is left behind then (files are written under temporary names and
    renamed at the end).
  """
  validate_options(options)
  check_at_least_one(num_workers=num_workers, documents_per_shard=documents_per_shard)
  if not shuffle_bucket_mb > 0:
    raise ValueError("--shuffle_bucket_mb must be positive; got %r" % shuffle_bucket_mb)
  input_files = tfrecord_utils.expand_file_patterns(input_patterns)
  if isinstance(output_files, str):
    output_files = [path.strip() for path in output_files.split(",") if path.strip()]
  if not output_files:
    raise ValueError("--output_file is empty: give one or more output paths.")
  tokenizer = make_tokenizer(options)  # Fails early on a bad tokenizer file; logs examples.
  if options.spm_model_file and options.vocab_file:
    logging.info("SentencePiece mode: --vocab_file %s is not used.", options.vocab_file)

  total_bytes = sum(_input_size(path) for path in input_files)
  logging.info("*** Reading from %d input files (%.1f MB) ***", len(input_files),
               total_bytes / 1e6)
  for path in input_files:
    logging.info("  %s", path)
  logging.info("*** Writing to %d output files with %d worker(s), %d documents per shard, %s "
               "***", len(output_files), num_workers, documents_per_shard,
               "global shuffle" if global_shuffle else "shards in input order")
  for path in output_files:
    logging.info("  %s", path)

  progress = _Progress(total_bytes)
  writers = [tfrecord_utils.AtomicTFRecordWriter(path) for path in output_files]
  # Every writer is entered before any record is written and all renames happen after the
  # last record, so a failure anywhere leaves no output file that looks finished; the shuffle
  # buckets are removed however the block ends.
  with contextlib.ExitStack() as stack:
    for writer in writers:
      stack.enter_context(writer)
    output = _RoundRobinWriter(writers, tokenizer)
    results = process_shards(read_shards(input_files, documents_per_shard), options,
                             num_workers)
    scratch_path = shuffle_scratch_path(output_files)
    if global_shuffle:
      scratch_dir = stack.enter_context(tfrecord_utils.temporary_path(scratch_path))
      shuffle_stats = _write_globally_shuffled(
          results, output, progress, scratch_dir, options.random_seed,
          int(shuffle_bucket_mb * record_shuffle.MEGABYTE))
    else:
      tfrecord_utils.remove_stale_temporaries(scratch_path)  # Of an earlier killed run.
      shuffle_stats = _write_in_shard_order(results, output, progress)
    if output.num_written == 0:
      raise ValueError(
          "No training instances were created: the input files %s contain no non-empty "
          "document (one sentence per line, blank lines between documents)."
          % ", ".join(input_files))
  seconds = time.time() - progress.start_time
  logging.info("Wrote %d instances from %d documents in %d shards to %d files in %.1f s "
               "(%.1f documents/s, %.1f instances/s); %d masked tokens, %d lines skipped "
               "(no tokens).", output.num_written, progress.num_documents, progress.num_shards,
               len(output_files), seconds, progress.num_documents / seconds,
               output.num_written / seconds, progress.num_masked_tokens,
               progress.num_skipped_lines)
  stats = {"num_documents": progress.num_documents, "num_instances": output.num_written,
           "num_shards": progress.num_shards, "num_masked_tokens": progress.num_masked_tokens,
           "num_skipped_lines": progress.num_skipped_lines, "seconds": seconds}
  stats.update(shuffle_stats)
  return stats


def main(_):
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  create_pretraining_data(FLAGS.input_file, FLAGS.output_file, options_from_flags(),
                          num_workers=FLAGS.num_workers,
                          documents_per_shard=FLAGS.documents_per_shard,
                          global_shuffle=FLAGS.global_shuffle,
                          shuffle_bucket_mb=FLAGS.shuffle_bucket_mb)


if __name__ == "__main__":
  flags.mark_flag_as_required("input_file")
  flags.mark_flag_as_required("output_file")
  app.run(main)
