# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tests for albert/record_shuffle.py (the external shuffle behind create_pretraining_data)."""

import collections
import math
import os

import pytest

from albert import record_shuffle


def _shuffle(directory, records, num_buckets, seed, max_bucket_bytes=1 << 30):
  """Runs records through an ExternalShuffle; returns (output list, the shuffle object)."""
  with record_shuffle.ExternalShuffle(str(directory), num_buckets, seed,
                                      max_bucket_bytes) as shuffle:
    for record in records:
      shuffle.add(record)
    output = list(shuffle.shuffled())
  return output, shuffle


def _records(count, size=20):
  return [(b"%06d" % k).ljust(size, b".") for k in range(count)]


def test_num_buckets_for():
  megabyte = record_shuffle.MEGABYTE
  assert record_shuffle.num_buckets_for(0, 256 * megabyte) == 1
  assert record_shuffle.num_buckets_for(100 * megabyte, 256 * megabyte) == 1
  assert record_shuffle.num_buckets_for(1000 * megabyte, 256 * megabyte) == 8  # ~125 MB each
  assert record_shuffle.num_buckets_for(10**15, megabyte) == record_shuffle.MAX_OPEN_BUCKETS


def test_every_record_once_deterministic_and_files_removed(tmp_path):
  records = _records(500)
  first, shuffle = _shuffle(tmp_path / "a", records, 4, "7")
  again, _ = _shuffle(tmp_path / "b", records, 4, "7")
  other_seed, _ = _shuffle(tmp_path / "c", records, 4, "8")
  other_buckets, _ = _shuffle(tmp_path / "d", records, 5, "7")
  assert sorted(first) == records and first != records
  assert first == again
  assert first != other_seed and sorted(other_seed) == records
  assert first != other_buckets
  assert shuffle.num_records == 500 and shuffle.num_splits == 0
  # Consumed buckets are removed; the directory itself belongs to the caller.
  for name in "abcd":
    assert os.listdir(str(tmp_path / name)) == []


def test_order_is_uniform(tmp_path):
  """Each record is equally likely at each position, across buckets (12 records, 3 buckets)."""
  records = _records(12)
  trials = 600
  first_positions = collections.Counter()
  last_record_positions = collections.Counter()
  for trial in range(trials):
    output, _ = _shuffle(tmp_path / str(trial), records, 3, "uniform-%d" % trial)
    first_positions[output[0]] += 1
    last_record_positions[output.index(records[-1])] += 1
  expected = trials / 12
  tolerance = 4 * math.sqrt(trials * (1 / 12) * (11 / 12))
  for counter in (first_positions, last_record_positions):
    assert len(counter) == 12, counter
    assert all(abs(count - expected) < tolerance for count in counter.values()), counter


def test_too_large_bucket_is_split_to_keep_the_memory_bound(tmp_path):
  records = _records(2000, size=100)  # 200 kB
  limit = 30 * 1000
  output, shuffle = _shuffle(tmp_path / "split", records, 1, "3", max_bucket_bytes=limit)
  assert sorted(output) == records and output != records
  assert shuffle.num_splits >= 1
  assert 0 < shuffle.largest_loaded_bytes <= limit
  assert os.listdir(str(tmp_path / "split")) == []
  again, _ = _shuffle(tmp_path / "again", records, 1, "3", max_bucket_bytes=limit)
  assert again == output


def test_single_record_larger_than_the_limit_is_not_split_forever(tmp_path):
  output, shuffle = _shuffle(tmp_path / "big", [b"x" * 1000, b"y"], 1, "0",
                             max_bucket_bytes=100)
  assert sorted(output) == [b"x" * 1000, b"y"]
  assert shuffle.largest_loaded_bytes == 1000


def test_needs_a_bucket(tmp_path):
  with pytest.raises(ValueError, match="at least one bucket"):
    record_shuffle.ExternalShuffle(str(tmp_path), 0, "0")
