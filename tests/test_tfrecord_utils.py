"""Tests for albert/tfrecord_utils.py: atomic writing, decoding, input pipeline, caches."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from albert import tfrecord_utils


def _example(i):
  return tf.train.Example(features=tf.train.Features(feature={
      "ids": tfrecord_utils.int64_feature([i, i + 1, i + 2]),
      "weight": tfrecord_utils.float_feature([i / 2.0]),
  }))


def _write(path, count):
  with tfrecord_utils.AtomicTFRecordWriter(path) as writer:
    for i in range(count):
      writer.write(_example(i))
  return writer


def test_atomic_writer_renames_on_success(tmp_path):
  path = str(tmp_path / "out.tfrecord")
  writer = _write(path, 5)
  assert writer.num_written == 5
  assert os.listdir(tmp_path) == ["out.tfrecord"]
  records = list(tf.compat.v1.io.tf_record_iterator(path))
  assert len(records) == 5
  parsed = tf.train.Example.FromString(records[3])
  assert list(parsed.features.feature["ids"].int64_list.value) == [3, 4, 5]


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
  path = str(tmp_path / "out.tfrecord")
  with pytest.raises(RuntimeError):
    with tfrecord_utils.AtomicTFRecordWriter(path) as writer:
      writer.write(_example(0))
      raise RuntimeError("interrupted")
  assert os.listdir(tmp_path) == []


def test_input_fn_decodes_int32_in_order_for_eval(tmp_path):
  path = str(tmp_path / "data.tfrecord")
  _write(path, 6)
  name_to_features = {
      "ids": tf.io.FixedLenFeature([3], tf.int64),
      "weight": tf.io.FixedLenFeature([1], tf.float32),
  }
  input_fn = tfrecord_utils.file_based_input_fn_builder(
      [path], name_to_features, is_training=False, drop_remainder=False, batch_size=4)
  with tf.Graph().as_default():
    batch = tf.compat.v1.data.make_one_shot_iterator(input_fn({})).get_next()
    assert batch["ids"].dtype == tf.int32
    with tf.compat.v1.Session() as sess:
      first = sess.run(batch)
      second = sess.run(batch)
      with pytest.raises(tf.errors.OutOfRangeError):
        sess.run(batch)
  np.testing.assert_array_equal(first["ids"][:, 0], [0, 1, 2, 3])
  np.testing.assert_array_equal(second["ids"][:, 0], [4, 5])
  np.testing.assert_allclose(second["weight"][:, 0], [2.0, 2.5])


def test_input_fn_training_repeats_shuffles_and_maps(tmp_path):
  paths = [str(tmp_path / ("part-%d.tfrecord" % i)) for i in range(2)]
  for path in paths:
    _write(path, 5)
  name_to_features = {"ids": tf.io.FixedLenFeature([3], tf.int64)}

  def add_one(example):
    example["ids"] = example["ids"] + 1
    return example

  input_fn = tfrecord_utils.file_based_input_fn_builder(
      paths, name_to_features, is_training=True, drop_remainder=True, example_map_fn=add_one)
  with tf.Graph().as_default():
    batch = tf.compat.v1.data.make_one_shot_iterator(input_fn({"batch_size": 3})).get_next()
    assert batch["ids"].shape.as_list() == [3, 3]
    with tf.compat.v1.Session() as sess:
      firsts = np.concatenate([sess.run(batch)["ids"][:, 0] for _ in range(10)])
  # 30 draws from 10 records: the data repeats, and every value was shifted by the map fn.
  assert set(firsts.tolist()) <= set(range(1, 6))
  assert len(firsts) == 30


def test_feature_cache_rebuilt_only_when_settings_change(tmp_path):
  path = str(tmp_path / "mrpc_train.tf_record")
  builds = []

  def build(tmp_path_):
    builds.append(tmp_path_)
    _write(tmp_path_, 3)
    return {"num_examples": 3}

  fingerprint = {"max_seq_length": 128, "task": "mrpc"}
  assert tfrecord_utils.ensure_feature_cache(path, fingerprint, build) == {"num_examples": 3}
  assert tfrecord_utils.ensure_feature_cache(path, dict(fingerprint), build) == {
      "num_examples": 3}
  assert len(builds) == 1
  with open(path + ".fingerprint.json") as handle:
    assert json.load(handle)["fingerprint"] == fingerprint
  tfrecord_utils.ensure_feature_cache(path, {"max_seq_length": 64, "task": "mrpc"}, build)
  assert len(builds) == 2
  assert sorted(os.listdir(tmp_path)) == ["mrpc_train.tf_record",
                                          "mrpc_train.tf_record.fingerprint.json"]


def test_feature_cache_without_sidecar_is_rebuilt(tmp_path):
  path = str(tmp_path / "cache.tf_record")
  _write(path, 1)  # an old cache written by the original code: no fingerprint
  calls = []
  tfrecord_utils.ensure_feature_cache(path, {"a": 1}, lambda p: calls.append(p) or _write(p, 2)
                                      and {"n": 2})
  assert len(calls) == 1
  assert len(list(tf.compat.v1.io.tf_record_iterator(path))) == 2


def test_expand_file_patterns_sorts_and_names_what_is_missing(tmp_path):
  for name in ("b.txt", "a.txt", "c.dat"):
    (tmp_path / name).write_text("x")
  paths = tfrecord_utils.expand_file_patterns(
      "%s, %s" % (tmp_path / "c.dat", tmp_path / "*.txt"))
  assert paths == [str(tmp_path / "c.dat"), str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
  # Both a FileNotFoundError and a ValueError (a bad flag value).
  with pytest.raises(FileNotFoundError, match=r"matched no files: .*none-\*\.txt \(from --x\)"):
    tfrecord_utils.expand_file_patterns([str(tmp_path / "none-*.txt")], flag_name="--x")
  with pytest.raises(ValueError, match="Input file not found: .*gone.txt"):
    tfrecord_utils.expand_file_patterns(str(tmp_path / "gone.txt"))
  with pytest.raises(ValueError, match="--input_file is empty"):
    tfrecord_utils.expand_file_patterns(" , ")


def _dead_pid():
  """The pid of a process that has exited (and been reaped)."""
  import subprocess  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  process = subprocess.Popen([sys.executable, "-c", "pass"])
  process.wait()
  return process.pid


def test_atomic_output_removes_temporaries_of_killed_runs_only(tmp_path):
  import socket  # pylint: disable=g-import-not-at-top
  host = socket.gethostname()
  killed = tmp_path / (".out.tfrecord.tmp-%s-%d-%s" % (host, _dead_pid(), "a" * 12))
  live = tmp_path / (".out.tfrecord.tmp-%s-%d-%s" % (host, os.getpid(), "b" * 12))
  other_host = tmp_path / (".out.tfrecord.tmp-elsewhere-%d-%s" % (_dead_pid(), "c" * 12))
  other_file = tmp_path / (".other.tfrecord.tmp-%s-%d-%s" % (host, _dead_pid(), "d" * 12))
  killed_dir = tmp_path / (".out.tfrecord.tmp-%s-%d-%s" % (host, _dead_pid(), "e" * 12))
  for path in (killed, live, other_host, other_file):
    path.write_bytes(b"partial")
  killed_dir.mkdir()
  (killed_dir / "part").write_bytes(b"partial")

  _write(str(tmp_path / "out.tfrecord"), 2)

  assert sorted(os.listdir(tmp_path)) == sorted(
      ["out.tfrecord", live.name, other_host.name, other_file.name])


def test_atomic_output_writes_a_directory_and_replaces_the_old_one(tmp_path):
  target = str(tmp_path / "exported")
  for generation in ("old", "new"):
    with tfrecord_utils.atomic_output(target) as tmp_dir:
      os.makedirs(tmp_dir)
      with open(os.path.join(tmp_dir, generation + ".txt"), "w") as handle:
        handle.write(generation)
  assert os.listdir(target) == ["new.txt"]
  assert os.listdir(tmp_path) == ["exported"]


def test_atomic_copy_file(tmp_path):
  source = tmp_path / "spiece.model"
  source.write_bytes(b"\x00\x01binary\xff")
  target = tmp_path / "out" / "30k-clean.model"
  tfrecord_utils.atomic_copy_file(str(source), str(target))
  assert target.read_bytes() == b"\x00\x01binary\xff"
  assert os.listdir(tmp_path / "out") == ["30k-clean.model"]  # no temporary file left
  with pytest.raises(tf.errors.NotFoundError):
    tfrecord_utils.atomic_copy_file(str(tmp_path / "missing"), str(target))
  assert target.read_bytes() == b"\x00\x01binary\xff"  # the old file is untouched
  assert os.listdir(tmp_path / "out") == ["30k-clean.model"]


def test_file_set_identity_changes_with_any_file(tmp_path):
  paths = []
  for name in ("1.txt", "10.txt", "2.txt"):
    (tmp_path / name).write_text(name, encoding="utf-8")
    paths.append(str(tmp_path / name))
  identity = tfrecord_utils.file_set_identity(paths)
  assert (identity["num_files"], identity["first"], identity["last"]) == (3, paths[0], paths[2])
  assert tfrecord_utils.file_set_identity(list(paths)) == identity
  assert tfrecord_utils.file_set_identity(paths[::-1])["md5"] != identity["md5"]
  assert tfrecord_utils.file_set_identity(paths[:2])["md5"] != identity["md5"]
  (tmp_path / "10.txt").write_text("a longer text", encoding="utf-8")
  assert tfrecord_utils.file_set_identity(paths)["md5"] != identity["md5"]
  empty = tfrecord_utils.file_set_identity([])
  assert (empty["num_files"], empty["first"], empty["last"]) == (0, None, None)
def test_feature_cache_with_companion_is_rebuilt_when_the_companion_changes(tmp_path):
  """A cache and its companion file (SQuAD's left file) are built, reused and rebuilt together."""
  path = str(tmp_path / "predict.tf_record")
  companion = str(tmp_path / "predict_left.jsonl")
  builds = []

  def build(tmp_cache, tmp_companions):
    builds.append(len(builds))
    _write(tmp_cache, 2)
    with open(tmp_companions[0], "w") as handle:
      handle.write("build %d\n" % len(builds))
    return {"num_features": 2}

  def ensure():
    return tfrecord_utils.ensure_feature_cache(path, {"doc_stride": 128}, build,
                                               companion_paths=[companion])

  assert ensure() == {"num_features": 2}
  assert ensure() == {"num_features": 2} and len(builds) == 1
  os.remove(companion)  # the cache alone is useless: both are rebuilt
  ensure()
  assert len(builds) == 2 and open(companion).read() == "build 2\n"
  with open(companion, "w") as handle:  # another file under the companion's name
    handle.write("something else, written later\n")
  os.utime(companion, ns=(1, 1))
  ensure()
  assert len(builds) == 3 and open(companion).read() == "build 3\n"
  assert sorted(os.listdir(tmp_path)) == ["predict.tf_record",
                                          "predict.tf_record.fingerprint.json",
                                          "predict_left.jsonl"]

  def failing_build(tmp_cache, tmp_companions):
    _write(tmp_cache, 1)
    with open(tmp_companions[0], "w") as handle:
      handle.write("half")
    raise RuntimeError("conversion failed")

  with pytest.raises(RuntimeError):
    tfrecord_utils.ensure_feature_cache(path, {"doc_stride": 64}, failing_build,
                                        companion_paths=[companion])
  # Nothing half-written replaced the previous files, and no temporaries are left.
  assert open(companion).read() == "build 3\n"
  assert len(list(tf.compat.v1.io.tf_record_iterator(path))) == 2
  assert sorted(os.listdir(tmp_path)) == ["predict.tf_record",
                                          "predict.tf_record.fingerprint.json",
                                          "predict_left.jsonl"]
