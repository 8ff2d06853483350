# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Shuffling a stream of serialized records larger than memory (an external two-pass shuffle).

create_pretraining_data makes instances shard by shard; to write them in one global random
order without holding them all in memory it passes them through `ExternalShuffle`:

  1. scatter: each record is appended to one of K temporary bucket files (TFRecord files),
     the bucket drawn uniformly by a seeded generator;
  2. gather: bucket after bucket is read into memory, shuffled by its own seeded generator and
     yielded, and its file removed.

A record's output position is its bucket's offset plus its place in the shuffled bucket. With
independent uniform bucket draws and uniform shuffles within the buckets, every permutation of
the stream is equally likely: the result is a true global shuffle, whatever K is. Memory holds
one bucket. K has to be chosen before the stream's size is known (`num_buckets_for` takes an
estimate); a bucket that still turns out larger than `max_bucket_bytes` is scattered once more
into smaller buckets instead of being loaded, so the bound holds whatever the estimate was.

The same records in the same order with the same seed give the same output order.
"""

import dataclasses
import math
import os
import random

import tensorflow as tf

MEGABYTE = 1 << 20
DEFAULT_MAX_BUCKET_MB = 256
# Every bucket is an open file during the scatter pass; beyond this many, buckets grow larger
# than intended and are split once more when gathered (one more read and write of the data).
MAX_OPEN_BUCKETS = 512


def num_buckets_for(expected_bytes, max_bucket_bytes):
  """Returns the number of buckets for a stream of about `expected_bytes` of records.

  Buckets aim at half of `max_bucket_bytes`, so an estimate that is up to 2x too low (or the
  random variation of bucket sizes) does not cost an extra split.

  Args:
    expected_bytes: estimated total size of the records, in bytes.
    max_bucket_bytes: largest bucket to hold in memory, in bytes.

  Returns:
    int in [1, MAX_OPEN_BUCKETS].
  """
  wanted = math.ceil(2.0 * expected_bytes / max_bucket_bytes)
  return int(min(MAX_OPEN_BUCKETS, max(1, wanted)))


@dataclasses.dataclass
class _Bucket:
  """One temporary bucket file and what was written to it.

  Attributes:
    label: str, "3" for top-level bucket 3, "3.1" for part 1 of bucket 3 after a split; seeds
      the bucket's generators.
    path: str, the TFRecord file.
    num_records: int.
    num_bytes: int, summed record sizes.
  """
  label: str
  path: str
  num_records: int = 0
  num_bytes: int = 0


class _Scatter(object):
  """Appends records to `num_buckets` new bucket files, each record to a bucket drawn by `rng`."""

  def __init__(self, directory, label_prefix, num_buckets, rng):
    self.buckets = []
    for index in range(num_buckets):
      label = "%s%d" % (label_prefix, index)
      self.buckets.append(_Bucket(label, os.path.join(directory, "bucket-%s.tfrecord" % label)))
    self._rng = rng
    self._writers = [tf.io.TFRecordWriter(bucket.path) for bucket in self.buckets]

  def write(self, record):
    index = self._rng.randrange(len(self.buckets))
    self._writers[index].write(record)
    bucket = self.buckets[index]
    bucket.num_records += 1
    bucket.num_bytes += len(record)

  def close(self):
    """Closes the files; returns the buckets (idempotent)."""
    for writer in self._writers:
      writer.close()
    self._writers = []
    return self.buckets


def _read_records(path):
  return tf.compat.v1.io.tf_record_iterator(path)


def _remove(path):
  if tf.io.gfile.exists(path):
    tf.io.gfile.remove(path)


class ExternalShuffle(object):
  """Shuffles byte records through bucket files in a scratch directory (see module docstring).

  Usage (the directory should be a `tfrecord_utils.temporary_path`, removed at the end):
    with ExternalShuffle(scratch_dir, num_buckets, seed="12345") as shuffle:
      for record in records:
        shuffle.add(record)
      for record in shuffle.shuffled():
        write(record)

  Attributes:
    num_buckets: int, K of the scatter pass.
    num_records: int, records added.
    num_splits: int, buckets that were larger than `max_bucket_bytes` and split again.
    largest_loaded_bytes: int, summed record bytes of the largest bucket held in memory.
  """

  def __init__(self, directory, num_buckets, seed, max_bucket_bytes=DEFAULT_MAX_BUCKET_MB *
               MEGABYTE):
    """Creates the directory and the bucket files.

    Args:
      directory: str, scratch directory (created; its bucket files are removed as they are
        consumed, the directory itself is the caller's).
      num_buckets: int >= 1.
      seed: str or int; the scatter, split and shuffle generators are derived from it.
      max_bucket_bytes: int, largest bucket (summed record bytes) loaded into memory.
    """
    if num_buckets < 1:
      raise ValueError("ExternalShuffle needs at least one bucket; got %d" % num_buckets)
    tf.io.gfile.makedirs(directory)
    self.directory = directory
    self.seed = seed
    self.max_bucket_bytes = max_bucket_bytes
    self.num_buckets = num_buckets
    self.num_records = 0
    self.num_splits = 0
    self.largest_loaded_bytes = 0
    self._scatter = _Scatter(directory, "", num_buckets, random.Random("%s:scatter" % seed))

  def __enter__(self):
    return self

  def __exit__(self, exc_type, exc_value, traceback):
    self._scatter.close()
    return False

  def add(self, record):
    """Adds one record (bytes) to the scatter pass."""
    self._scatter.write(record)
    self.num_records += 1

  def shuffled(self):
    """Ends the scatter pass and yields every record once, in the shuffled order."""
    for bucket in self._scatter.close():
      yield from self._gather(bucket)

  def _gather(self, bucket):
    """Yields a bucket's records shuffled, splitting it first if it is too large to load."""
    if bucket.num_bytes > self.max_bucket_bytes and bucket.num_records > 1:
      self.num_splits += 1
      num_parts = max(2, math.ceil(2.0 * bucket.num_bytes / self.max_bucket_bytes))
      split = _Scatter(self.directory, bucket.label + ".", min(num_parts, MAX_OPEN_BUCKETS),
                       random.Random("%s:split:%s" % (self.seed, bucket.label)))
      try:
        for record in _read_records(bucket.path):
          split.write(record)
      finally:
        parts = split.close()
      _remove(bucket.path)
      for part in parts:
        yield from self._gather(part)
      return
    records = list(_read_records(bucket.path))
    _remove(bucket.path)
    self.largest_loaded_bytes = max(self.largest_loaded_bytes, bucket.num_bytes)
    random.Random("%s:bucket:%s" % (self.seed, bucket.label)).shuffle(records)
    yield from records
