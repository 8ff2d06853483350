# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""TFRecord writing and reading shared by every runner, and feature caches.

The original repeats a TFRecord writer, a record decoder and an input pipeline in each runner;
they live here once:

  * `int64_feature`, `float_feature`: build `tf.train.Feature`s.
  * `atomic_output`: the one write-then-rename helper; `AtomicTFRecordWriter`,
    `atomic_write_text` and `atomic_copy_file` are built on it, so output files appear only
    complete. `temporary_path`: scratch space beside an output, removed at the end (and, if a
    run is killed, by the next run on the same output).
  * `decode_record`, `file_based_input_fn_builder`: the Estimator input pipeline.
  * `check_record_files`: empty inputs and feature lengths that do not match the flags are
    errors before training starts, not a hang or a shape error deep in TensorFlow.
  * `PaddingInputExample`, `pad_examples`: fill eval/predict sets to whole TPU batches.
  * `ensure_feature_cache`, `feature_cache_fingerprint` (and `file_set_identity` for data
    spread over many files): feature caches rebuilt when the settings, tokenizer or data that
    shaped them change.
"""

import contextlib
import hashlib
import json
import os
import re
import socket
import uuid

import tensorflow as tf


def int64_feature(values):
  """Returns a `tf.train.Feature` holding a list of int64 values."""
  return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def float_feature(values):
  """Returns a `tf.train.Feature` holding a list of float values."""
  return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))


class InputFileNotFoundError(FileNotFoundError, ValueError):
  """An input file or glob pattern given on the command line matched no file.

  Both a FileNotFoundError and a ValueError (a bad flag value), so callers may catch either.
  """


def expand_file_patterns(patterns, flag_name="--input_file"):
  """Expands a comma-separated list (or a list) of files and globs into file paths.

  Each pattern's matches are sorted, so the order (and anything derived from it, such as
  pretraining data) does not depend on the order a filesystem lists its files in.

  Args:
    patterns: str "a.txt,dir/*.txt" or a list of such patterns.
    flag_name: the flag the patterns came from, for error messages.

  Returns:
    list of file paths, pattern by pattern.

  Raises:
    InputFileNotFoundError: naming a plain path that does not exist, or a glob matching nothing.
    ValueError: if no pattern was given.
  """
  if isinstance(patterns, str):
    patterns = patterns.split(",")
  paths = []
  for pattern in patterns:
    pattern = pattern.strip()
    if not pattern:
      continue
    matches = sorted(tf.io.gfile.glob(pattern))
    if not matches:
      if any(char in pattern for char in "*?["):
        raise InputFileNotFoundError("Input pattern matched no files: %s (from %s)" %
                                     (pattern, flag_name))
      raise InputFileNotFoundError("Input file not found: %s (from %s)" % (pattern, flag_name))
    paths.extend(matches)
  if not paths:
    raise ValueError("%s is empty: give one or more files or glob patterns, comma-separated." %
                     flag_name)
  return paths


# Temporary names are ".<base>.tmp-<host>-<pid>-<random>" beside the final path: renames stay
# on one filesystem, and a later run can tell a temporary left by a killed process (same host,
# process gone) from one a live process is still writing.
_TEMPORARY_NAME_RE = re.compile(r"^\.(?P<base>.+)\.tmp-(?P<host>.+)-(?P<pid>\d+)-[0-9a-f]{12}$")


def _temporary_sibling(path):
  """Returns a unique temporary name in the directory of `path` (see _TEMPORARY_NAME_RE)."""
  directory, base = os.path.split(path)
  return os.path.join(directory, ".%s.tmp-%s-%d-%s" % (base, socket.gethostname(), os.getpid(),
                                                        uuid.uuid4().hex[:12]))


def _process_is_alive(pid):
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    return True  # Someone else's live process.
  return True


def _remove_path(path):
  if tf.io.gfile.isdir(path):
    tf.io.gfile.rmtree(path)
  elif tf.io.gfile.exists(path):
    tf.io.gfile.remove(path)


def remove_stale_temporaries(path):
  """Removes the temporaries of `path` left behind by killed processes of this machine.

  A process killed while writing `path` (SIGKILL, power loss) cannot clean up after itself.
  Temporaries written by a process of this host that no longer runs are removed; those of live
  processes, or of other hosts (shared filesystems, gs://), are left alone.

  Args:
    path: the final output path whose temporaries should be cleaned up.

  Returns:
    list of the removed temporary paths.
  """
  directory, base = os.path.split(path)
  if directory and not tf.io.gfile.isdir(directory):
    return []
  removed = []
  host = socket.gethostname()
  for name in tf.io.gfile.listdir(directory or "."):
    match = _TEMPORARY_NAME_RE.match(name.rstrip("/"))
    if not match or match.group("base") != base or match.group("host") != host:
      continue
    if _process_is_alive(int(match.group("pid"))):
      continue
    stale = os.path.join(directory, name.rstrip("/"))
    _remove_path(stale)
    removed.append(stale)
  if removed:
    tf.compat.v1.logging.info("Removed %d temporary file(s) of %s left by a killed run: %s",
                              len(removed), path, ", ".join(removed))
  return removed


@contextlib.contextmanager
def temporary_path(path):
  """Context manager giving a temporary path beside `path` that is removed at the end.

  For scratch data that belongs to an output but must never outlive the run that writes it
  (for example the shuffle buckets of create_pretraining_data). The temporary is named like
  those of `atomic_output`, so the temporaries of `path` left by killed runs are removed first,
  and a killed run's own are removed by the next run on the same `path`. The block may create
  a file or a directory at the yielded path; it is removed however the block ends.

  Args:
    path: the path the temporary belongs to (it is neither created nor touched).

  Yields:
    str, the temporary path (not yet existing).
  """
  directory = os.path.dirname(path)
  if directory:
    tf.io.gfile.makedirs(directory)
  remove_stale_temporaries(path)
  tmp_path = _temporary_sibling(path)
  try:
    yield tmp_path
  finally:
    _remove_path(tmp_path)


@contextlib.contextmanager
def atomic_output(path):
  """Context manager giving a temporary path that becomes `path` only if the block succeeds.

  The one write-then-rename helper of the package: every output that must never be seen
  half-written (TFRecords, feature caches, text results, checkpoint copies) goes through it.
  The block writes a file (or a directory) at the yielded temporary path; leaving the block
  normally renames it to `path` (replacing an existing file), leaving it through an exception
  removes it. Stale temporaries of `path` from killed runs are removed first
  (`temporary_path`). Works for every filesystem `tf.io.gfile` knows.

  Usage:
    with atomic_output("out/results.txt") as tmp_path:
      write_everything_to(tmp_path)

  Args:
    path: the final path.

  Yields:
    str, the temporary path to write.
  """
  with temporary_path(path) as tmp_path:
    yield tmp_path
    if tf.io.gfile.isdir(tmp_path) and tf.io.gfile.isdir(path):
      tf.io.gfile.rmtree(path)  # A directory cannot be renamed over a non-empty one.
    tf.io.gfile.rename(tmp_path, path, overwrite=True)


class AtomicTFRecordWriter(object):
  """A TFRecord writer whose output file appears only once it is complete (`atomic_output`).

  Usage:
    with AtomicTFRecordWriter("out.tfrecord") as writer:
      writer.write(example)   # a tf.train.Example or serialized bytes
  """

  def __init__(self, path):
    self.path = path
    self.num_written = 0
    self._output = atomic_output(path)
    self._writer = None

  def __enter__(self):
    self._writer = tf.io.TFRecordWriter(self._output.__enter__())
    return self

  def write(self, example):
    """Writes one record: a `tf.train.Example` or already serialized bytes."""
    if not isinstance(example, bytes):
      example = example.SerializeToString()
    self._writer.write(example)
    self.num_written += 1

  def __exit__(self, exc_type, exc_value, traceback):
    self._writer.close()
    return self._output.__exit__(exc_type, exc_value, traceback)


def atomic_write_text(path, text):
  """Writes `text` to `path` so that readers see either the old file or the whole new one."""
  with atomic_output(path) as tmp_path:
    with tf.io.gfile.GFile(tmp_path, "w") as handle:
      handle.write(text)


def atomic_copy_file(source, path):
  """Copies file `source` to `path` so that readers see either the old file or the whole copy."""
  with atomic_output(path) as tmp_path:
    tf.io.gfile.copy(source, tmp_path, overwrite=True)


def _feature_values(feature):
  kind = feature.WhichOneof("kind")
  return list(getattr(feature, kind).value) if kind else []


def check_record_files(input_files, expected_lengths):
  """Checks TFRecord inputs before training: not all empty, feature lengths as the flags say.

  Reads the first record of every file (cheap, whatever the file size). An empty file among
  others is logged; all files empty is an error, because an input pipeline that repeats an
  empty dataset never yields a batch (training would hang).

  Args:
    input_files: list of TFRecord paths.
    expected_lengths: dict feature name -> (expected length, flag that sets it), e.g.
      {"input_ids": (512, "--max_seq_length")}.

  Returns:
    list of (path, first tf.train.Example) of the non-empty files.

  Raises:
    ValueError: naming the file(s), and for a length mismatch the feature, the length found
      and the flag.
  """
  first_examples = []
  empty_files = []
  for path in input_files:
    try:
      # A plain Python reader: works in graph and eager mode alike.
      first_record = next(tf.compat.v1.io.tf_record_iterator(path), None)
    except tf.errors.DataLossError as error:
      raise ValueError("%s is not a readable TFRecord file: %s" % (path, error.message))
    if first_record is None:
      empty_files.append(path)
      continue
    example = tf.train.Example.FromString(first_record)
    features = example.features.feature
    for name, (expected_length, flag_name) in expected_lengths.items():
      if name not in features:
        raise ValueError("%s: records have no feature %r (found: %s); is it a file of the "
                         "right kind?" % (path, name, ", ".join(sorted(features))))
      found_length = len(_feature_values(features[name]))
      if found_length != expected_length:
        raise ValueError(
            "%s: feature %r has length %d, but %s=%d. Pass %s=%d (the value the file was "
            "made with) or recreate the file." % (path, name, found_length, flag_name,
                                                   expected_length, flag_name, found_length))
    first_examples.append((path, example))
  if empty_files and not first_examples:
    raise ValueError("No records in the input: %s %s empty." % (
        ", ".join(empty_files), "is" if len(empty_files) == 1 else "are all"))
  for path in empty_files:
    tf.compat.v1.logging.warning("Input file %s holds no records; it is skipped.", path)
  return first_examples


class PaddingInputExample(object):
  """Fake example used to pad eval/predict sets to a multiple of the batch size on TPU.

  TPUs need a fixed batch size, and dropping the last partial batch would lose examples;
  feature converters turn it into all-zero features with `is_real_example=0`, so metrics
  ignore it and prediction writers drop it.
  """


def pad_examples(examples, multiple):
  """Pads `examples` with `PaddingInputExample`s to a multiple of `multiple` (None: as is).

  Args:
    examples: list of a task's examples.
    multiple: int batch size, or None/0 for no padding.

  Returns:
    a new list: the examples, then the padding.
  """
  examples = list(examples)
  if multiple:
    examples += [PaddingInputExample()] * (-len(examples) % multiple)
  return examples


def decode_record(record, name_to_features):
  """Parses one serialized `tf.train.Example` and casts int64 tensors to int32.

  Args:
    record: scalar string Tensor, one serialized example.
    name_to_features: dict feature name -> `tf.io.FixedLenFeature` (or VarLen) spec.

  Returns:
    dict feature name -> Tensor. int64 features come back as int32, because TPUs support
    only int32 and the model casts nothing itself.
  """
  example = tf.io.parse_single_example(record, name_to_features)
  for name in list(example.keys()):
    tensor = example[name]
    if tensor.dtype == tf.int64:
      example[name] = tf.cast(tensor, tf.int32)
  return example


def file_based_input_fn_builder(input_files, name_to_features, is_training, drop_remainder,
                                batch_size=None, shuffle_buffer_size=100, num_cpu_threads=4,
                                repeat_eval=False, example_map_fn=None):
  """Creates an Estimator `input_fn` over TFRecord files of fixed-length features.

  Args:
    input_files: list of file paths (globs already expanded).
    name_to_features: dict feature name -> parsing spec, passed to `decode_record`.
    is_training: training reads forever, shuffling files and records; otherwise files are read
      once, in order (or forever with `repeat_eval`, for a fixed number of eval steps).
    drop_remainder: drop a final partial batch (required on TPU, which needs static shapes).
    batch_size: used when `params` has no "batch_size" (TPUEstimator always sets it).
    shuffle_buffer_size: record shuffle buffer during training.
    num_cpu_threads: parallel readers/decoders.
    repeat_eval: repeat the data outside training.
    example_map_fn: optional function dict -> dict applied to each decoded example before
      batching (for example dynamic masking).

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts with a leading batch dimension.
  """
  input_files = list(input_files)
  if not input_files:
    raise ValueError("file_based_input_fn_builder: no input files were given.")

  def input_fn(params):
    """Builds the dataset; `params["batch_size"]` is set by TPUEstimator."""
    size = params.get("batch_size", batch_size) if params else batch_size
    if size is None:
      raise ValueError("No batch size: pass batch_size or params['batch_size'].")

    if is_training and len(input_files) > 1:
      files = tf.data.Dataset.from_tensor_slices(tf.constant(input_files))
      files = files.repeat().shuffle(buffer_size=len(input_files))
      # Interleaving several files gives record-level mixing beyond the shuffle buffer.
      cycle_length = min(num_cpu_threads, len(input_files))
      dataset = files.interleave(
          tf.data.TFRecordDataset, cycle_length=cycle_length,
          num_parallel_calls=cycle_length, deterministic=False)
    else:
      dataset = tf.data.TFRecordDataset(input_files)
      if is_training:
        dataset = dataset.repeat()
    if is_training:
      dataset = dataset.shuffle(buffer_size=shuffle_buffer_size)
    elif repeat_eval:
      dataset = dataset.repeat()

    def parse(record):
      example = decode_record(record, name_to_features)
      if example_map_fn is not None:
        example = example_map_fn(example)
      return example

    dataset = dataset.map(parse, num_parallel_calls=num_cpu_threads)
    dataset = dataset.batch(size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.experimental.AUTOTUNE)

  return input_fn


def _fingerprint_path(path):
  return path + ".fingerprint.json"


def _md5(data):
  return hashlib.md5(data).hexdigest()


def tokenizer_fingerprint(tokenizer):
  """What identifies a tokenizer's output: the md5 of its SentencePiece model or vocabulary.

  Content, not file names: the same model under another path (or from a hub module) reuses a
  cache, another model with the same name does not.
  """
  if tokenizer.sp_model is not None:
    return {"sentencepiece_md5": _md5(tokenizer.sp_model.serialized_model_proto())}
  vocab_text = "\n".join(token for token, _ in sorted(tokenizer.vocab.items(),
                                                       key=lambda item: item[1]))
  basic_tokenizer = getattr(tokenizer, "basic_tokenizer", None)
  return {"wordpiece_vocab_md5": _md5(vocab_text.encode("utf-8")),
          "do_lower_case": getattr(basic_tokenizer, "do_lower_case", None)}


def file_identity(path):
  """Path, size and modification time of a data file (None values if it does not exist)."""
  if not tf.io.gfile.exists(path):
    return {"path": path, "size": None, "mtime_nsec": None}
  stat = tf.io.gfile.stat(path)
  return {"path": path, "size": stat.length, "mtime_nsec": stat.mtime_nsec}


def file_set_identity(paths):
  """One compact identity for many data files: their number and an md5 of every identity.

  For data sets spread over thousands of files (RACE's official release has one file per
  article), where listing each `file_identity` in a cache fingerprint would make its sidecar
  megabytes long. Pass it as a setting: `feature_cache_fingerprint(tokenizer, [],
  data_file_set=file_set_identity(paths), ...)`.

  Args:
    paths: list of data file paths, in the order they are read.

  Returns:
    {"num_files": int, "first": path or None, "last": path or None, "md5": str}.
  """
  identities = json.dumps([file_identity(path) for path in paths], sort_keys=True)
  return {"num_files": len(paths), "first": paths[0] if paths else None,
          "last": paths[-1] if paths else None, "md5": _md5(identities.encode("utf-8"))}


def feature_cache_fingerprint(tokenizer, data_files, **settings):
  """The fingerprint of a feature cache for `ensure_feature_cache`.

  Args:
    tokenizer: the `FullTokenizer` that made the features.
    data_files: list of the data files the examples were read from.
    **settings: every other setting that shaped the features, as JSON-able values (task,
      split, max_seq_length, do_lower_case, doc_stride, ...).

  Returns:
    JSON-able dict.
  """
  fingerprint = dict(settings)
  fingerprint["tokenizer"] = tokenizer_fingerprint(tokenizer)
  fingerprint["data_files"] = [file_identity(path) for path in data_files]
  return fingerprint


def ensure_feature_cache(path, fingerprint, build_fn, companion_paths=()):
  """Reuses a feature cache built with the same settings, or (re)builds it.

  The original reused any existing cache file, even one written with another
  max_seq_length or tokenizer. Here a JSON sidecar records what shaped the cache.
  # Deviation (docs/DEVIATIONS.md): stale feature caches are rebuilt.

  Args:
    path: where the cache (e.g. a TFRecord file) lives.
    fingerprint: JSON-able dict of every setting that shaped the cache (max_seq_length,
      tokenizer files, do_lower_case, task name, ...).
    build_fn: function(tmp_path) -> JSON-able metadata dict; writes the cache to `tmp_path`.
      With `companion_paths`: function(tmp_path, companion_tmp_paths), which also writes each
      companion file to its temporary path.
    companion_paths: files built together with the cache that must match it (e.g. SQuAD's
      host-side feature metadata, `--predict_feature_left_file`). The cache is reused only if
      each companion is still the file written with it (same size and modification time);
      otherwise everything is rebuilt.

  Returns:
    The metadata dict returned by `build_fn` when the cache was built (now or earlier).
  """
  fingerprint = json.loads(json.dumps(fingerprint, sort_keys=True))
  companion_paths = list(companion_paths)
  sidecar = _fingerprint_path(path)
  if tf.io.gfile.exists(path) and tf.io.gfile.exists(sidecar):
    try:
      with tf.io.gfile.GFile(sidecar, "r") as handle:
        recorded = json.load(handle)
    except (ValueError, tf.errors.OpError):
      recorded = None
    if (recorded and recorded.get("fingerprint") == fingerprint and
        recorded.get("companions", []) == [file_identity(p) for p in companion_paths]):
      tf.compat.v1.logging.info("Reusing feature cache %s", path)
      return recorded.get("metadata", {})
    tf.compat.v1.logging.info("Feature cache %s was built with other settings (or its "
                              "companion files changed); rebuilding.", path)
  else:
    tf.compat.v1.logging.info("Building feature cache %s", path)

  with contextlib.ExitStack() as companions:
    companion_tmp_paths = [companions.enter_context(atomic_output(companion_path))
                           for companion_path in companion_paths]
    with atomic_output(path) as tmp_path:
      if companion_paths:
        metadata = build_fn(tmp_path, companion_tmp_paths) or {}
      else:
        metadata = build_fn(tmp_path) or {}
      # The sidecar goes away before the cache is renamed into place, so that a crash between
      # the two leaves a cache without a sidecar, which the next run treats as stale.
      if tf.io.gfile.exists(sidecar):
        tf.io.gfile.remove(sidecar)
  atomic_write_text(sidecar, json.dumps(
      {"fingerprint": fingerprint, "metadata": metadata,
       "companions": [file_identity(p) for p in companion_paths]},
      indent=2, sort_keys=True) + "\n")
  return metadata
