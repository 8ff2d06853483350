# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tests for albert/create_pretraining_data_beam.py (the Apache Beam pipeline).

The pipeline tests need the `beam` extra and are skipped without it; the install hint is tested
either way. Pipelines run on the DirectRunner, in this process (or one subprocess for the
command line), on a corpus of a few files whose shards span file boundaries.
"""

import collections
import importlib
import importlib.util
import os
import re
import subprocess
import sys

import pytest
import tensorflow as tf

from albert import create_pretraining_data as cpd
from albert import pretraining_instances as pi
from tests.conftest import REPO_ROOT
from tests.fixtures import pretraining_fixtures

requires_beam = pytest.mark.skipif(
    importlib.util.find_spec("apache_beam") is None,
    reason="apache-beam is not installed (pip install -e \".[beam]\")")

_DOCUMENTS_PER_SHARD = 6


def _beam_module():
  return importlib.import_module("albert.create_pretraining_data_beam")


def _write_corpus(directory):
  """Four files: 14 documents (one line without tokens), none, 9 (trailing blanks), 19.

  Documents are numbered across files (d00-d41); with shards of 6 documents, shards 2 and 3
  span file boundaries.
  """
  os.makedirs(directory)
  path = pretraining_fixtures.write_indexed_corpus(
      os.path.join(directory, "part-0.txt"), num_documents=13, seed=1)
  with open(path, "a", encoding="utf-8") as handle:
    handle.write("d13s00 a last sentence.\n\x07\x07\n")  # A line that gives no token.
  with open(os.path.join(directory, "part-1.txt"), "w", encoding="utf-8") as handle:
    handle.write("\n   \n")
  path = pretraining_fixtures.write_indexed_corpus(
      os.path.join(directory, "part-2.txt"), num_documents=9, seed=2, first_document=14)
  with open(path, "a", encoding="utf-8") as handle:
    handle.write("\n\n\n")
  pretraining_fixtures.write_indexed_corpus(
      os.path.join(directory, "part-3.txt"), num_documents=19, seed=3, first_document=23)
  return os.path.join(directory, "part-*.txt")


def _decoded_records(paths):
  """Returns a Counter of the records of TFRecord files, each decoded to sorted feature tuples."""
  records = collections.Counter()
  for path in paths:
    for record in tf.compat.v1.io.tf_record_iterator(path):
      feature = tf.train.Example.FromString(record).features.feature
      decoded = []
      for name in sorted(feature):
        kind = feature[name].WhichOneof("kind")
        decoded.append((name, tuple(getattr(feature[name], kind).value)))
      records[tuple(decoded)] += 1
  return records


def _options(wordpiece_vocab_file, seed):
  return cpd.DataOptions(vocab_file=wordpiece_vocab_file, max_seq_length=48, dupe_factor=3,
                         random_seed=seed, masking=pi.MaskingOptions(max_predictions_per_seq=6))


def _run_command_line(corpus, output_prefix, wordpiece_vocab_file, seed):
  """Runs the module as users do, with Beam options among the flags; returns the counters."""
  command = [
      sys.executable, "-m", "albert.create_pretraining_data_beam",
      "--input_file=%s" % corpus, "--output_file=%s" % output_prefix,
      "--vocab_file=%s" % wordpiece_vocab_file, "--max_seq_length=48", "--dupe_factor=3",
      "--max_predictions_per_seq=6", "--random_seed=%d" % seed,
      "--documents_per_shard=%d" % _DOCUMENTS_PER_SHARD, "--num_shards=2",
      "--runner=DirectRunner", "--direct_num_workers=1"]
  result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=REPO_ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
  assert result.returncode == 0, result.stderr[-3000:]
  assert "pipeline options --runner=DirectRunner --direct_num_workers=1" in result.stderr
  summary = [line for line in result.stderr.splitlines() if "Wrote " in line][-1]
  words = summary.split("Wrote ", 1)[1].split()
  return {"instances": int(words[0]), "documents": int(words[3]), "shards": int(words[6])}


@requires_beam
@pytest.mark.parametrize("seed,how", [(1, "function"), (2, "command_line")])
def test_direct_runner_makes_the_local_tools_instances(tmp_path, wordpiece_vocab_file, seed,
                                                       how):
  corpus = _write_corpus(str(tmp_path / "corpus"))
  options = _options(wordpiece_vocab_file, seed)
  local_paths = [str(tmp_path / "local-0.tfrecord"), str(tmp_path / "local-1.tfrecord")]
  local = cpd.create_pretraining_data(corpus, local_paths, options,
                                      documents_per_shard=_DOCUMENTS_PER_SHARD)
  assert local["num_documents"] == 42 and local["num_shards"] == 7
  assert local["num_skipped_lines"] == 1

  out_dir = tmp_path / "beam"
  prefix = str(out_dir / "train.tfrecord")
  if how == "function":
    counters = _beam_module().create_pretraining_data_beam(
        corpus, prefix, options, documents_per_shard=_DOCUMENTS_PER_SHARD, num_shards=2,
        pipeline_args=["--runner=DirectRunner"])
    assert counters["masked_tokens"] == local["num_masked_tokens"]
    assert counters["skipped_lines"] == 1
  else:
    counters = _run_command_line(corpus, prefix, wordpiece_vocab_file, seed)
  assert counters["instances"] == local["num_instances"]
  assert counters["documents"] == 42 and counters["shards"] == 7
  # Complete files only, under Beam's shard names; no temporary directory is left.
  assert sorted(os.listdir(out_dir)) == ["train.tfrecord-00000-of-00002",
                                         "train.tfrecord-00001-of-00002"]
  beam_records = _decoded_records([str(out_dir / name) for name in os.listdir(out_dir)])
  local_records = _decoded_records(local_paths)
  assert sum(beam_records.values()) == local["num_instances"] > 200
  assert beam_records == local_records

  # Another seed gives other instances (so the equality above is not trivial).
  other_paths = [str(tmp_path / "other.tfrecord")]
  cpd.create_pretraining_data(corpus, other_paths, _options(wordpiece_vocab_file, seed + 10),
                              documents_per_shard=_DOCUMENTS_PER_SHARD)
  assert _decoded_records(other_paths) != beam_records


def _error(function, *args, **kwargs):
  with pytest.raises(Exception) as info:
    function(*args, **kwargs)
  return info.value


@requires_beam
def test_bad_input_gives_the_local_tools_errors(tmp_path, spm_model_file, wordpiece_vocab_file):
  beam_tool = _beam_module().create_pretraining_data_beam
  options = cpd.DataOptions(spm_model_file=spm_model_file, max_seq_length=32, dupe_factor=1)
  bad = tmp_path / "bad.txt"
  bad.write_bytes(b"A good first line.\n\nAnother document \xff\xfe here.\n")
  good = tmp_path / "good.txt"
  good.write_text("One sentence here.\nAnother one.\n", encoding="utf-8")
  empty = tmp_path / "empty.txt"
  empty.write_text("\n  \n", encoding="utf-8")
  cases = [
      (str(tmp_path / "missing.txt"), options, "Input file not found: .*missing.txt"),
      (str(tmp_path / "nothing*.txt"), options, r"matched no files: .*nothing\*.txt"),
      (str(bad), options, r"bad.txt:3: not valid UTF-8 \(byte 0xff at column 18\)"),
      (str(good), cpd.DataOptions(), "No tokenizer given: pass --spm_model_file"),
      (str(empty), options, "No training instances were created: .*empty.txt"),
  ]
  for input_file, case_options, message in cases:
    local = _error(cpd.create_pretraining_data, input_file,
                   str(tmp_path / "out" / "local.tfrecord"), case_options)
    beam = _error(beam_tool, input_file, str(tmp_path / "out" / "beam.tfrecord"), case_options,
                  pipeline_args=["--runner=DirectRunner"])
    assert type(beam) is type(local), (input_file, beam, local)
    for error in (local, beam):
      assert isinstance(error, ValueError), (input_file, error)
      assert re.search(message, str(error)), (message, str(error))
    # Beam may add where it happened ("[while running 'ReadDocuments/...']").
    assert str(beam).startswith(str(local)), (str(beam), str(local))
    assert not (tmp_path / "out").exists() or not os.listdir(str(tmp_path / "out")), input_file

  with pytest.raises(ValueError, match="--output_file must be one output path prefix"):
    beam_tool(str(good), "a.tfrecord,b.tfrecord",
              cpd.DataOptions(vocab_file=wordpiece_vocab_file))


@requires_beam
def test_num_workers_is_passed_to_the_runner():
  pipeline_args = _beam_module()._pipeline_args  # pylint: disable=protected-access
  assert pipeline_args([], 1) == []
  assert pipeline_args(["--runner=DirectRunner"], 4) == [
      "--runner=DirectRunner", "--direct_num_workers=4",
      "--direct_running_mode=multi_processing"]
  assert pipeline_args(["--direct_num_workers=2"], 4) == ["--direct_num_workers=2"]
  assert pipeline_args(["--runner=DataflowRunner"], 50) == [
      "--runner=DataflowRunner", "--num_workers=50"]


def test_without_beam_the_module_says_how_to_install_it(monkeypatch):
  monkeypatch.setitem(sys.modules, "apache_beam", None)  # `import apache_beam` fails.
  monkeypatch.delitem(sys.modules, "albert.create_pretraining_data_beam", raising=False)
  with pytest.raises(ImportError, match=r"needs Apache Beam.*pip install -e \"\.\[beam\]\""):
    importlib.import_module("albert.create_pretraining_data_beam")


@requires_beam
def test_help_lists_the_local_tools_flags_and_num_shards():
  result = subprocess.run(
      [sys.executable, "-m", "albert.create_pretraining_data_beam", "--help"], cwd=REPO_ROOT,
      capture_output=True, text=True, timeout=300,
      env=dict(os.environ, PYTHONPATH=REPO_ROOT, TF_CPP_MIN_LOG_LEVEL="3"))
  assert "Traceback" not in result.stderr, result.stderr[-2000:]
  own_section = result.stdout.split("create_pretraining_data_beam.py:", 1)[1]
  for flag in ("--num_shards", "--input_file", "--output_file", "--dupe_factor",
               "--documents_per_shard", "--[no]global_shuffle", "--random_seed"):
    assert flag in own_section, flag
