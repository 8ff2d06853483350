# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Creates ALBERT pretraining TFRecord files with Apache Beam, for corpora beyond one machine.

The same data as `create_pretraining_data`, on any Beam runner (DirectRunner on one machine;
Dataflow, Flink or Spark on a cluster). Needs the optional extra: `pip install -e ".[beam]"`.

    python -m albert.create_pretraining_data_beam --input_file=corpus/*.txt \
        --output_file=out/train.tfrecord --spm_model_file=30k-clean.model \
        --max_seq_length=512 --dupe_factor=10 --num_shards=100 \
        --runner=DirectRunner --direct_running_mode=multi_processing --direct_num_workers=8

Flags: those of `create_pretraining_data` (imported from it, so they cannot drift), plus
`--num_shards`; every other flag (`--runner`, `--project`, `--temp_location`, ...) is passed to
Beam as a pipeline option. `--num_workers` is passed on too (Dataflow's worker count); with
the DirectRunner it sets `--direct_num_workers` (and multi-process mode) unless that is given.

The pipeline:
  1. each input file is read by one task with Beam's file I/O and cut into documents
     (`create_pretraining_data.read_file_documents`), numbered within the file; per-file
     document counts give each file's offset, so every document gets its index in the input
     stream, whatever the runner's splitting;
  2. documents are grouped into the local tool's shards (index // documents_per_shard) and
     put back in input order;
  3. each shard goes through `create_pretraining_data.ShardProcessor.process`, the local
     tool's own function (tokenization, pairing, sentence order, masking, serialization, with
     the generator seeded from (random_seed, shard index));
  4. records are redistributed (`beam.Reshuffle`, with --global_shuffle) and written with
     Beam's TFRecord sink, which renames complete files into place at the end.
So the same seed, inputs and --documents_per_shard give the same multiset of records as the
local tool. What differs: file names (`<output_file>-SSSSS-of-NNNNN`), the number of files,
and the order of records in them (the runner's, not seeded; --shuffle_bucket_mb is not used).
Counters (documents, instances, masked tokens, skipped lines, shards) are Beam metrics in the
"albert" namespace, shown by the runner and logged at the end.
"""

import os
import time

try:
  import apache_beam as beam
  from apache_beam.io import filesystems
  from apache_beam.io import tfrecordio
  from apache_beam.metrics import metric
  from apache_beam.options import pipeline_options
except ImportError as error:
  raise ImportError(
      "albert.create_pretraining_data_beam needs Apache Beam, an optional extra: install it "
      "with `pip install -e \".[beam]\"` in the albert checkout (or `pip install "
      "\"apache-beam[tfrecord]\" google-crc32c`). The single-machine tool "
      "albert.create_pretraining_data does not need it. (%s)" % error) from error

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from albert import create_pretraining_data
from albert import flag_utils
from albert import tfrecord_utils

FLAGS = flags.FLAGS

flag_utils.define_flag(
    flags.DEFINE_integer, "num_shards", 0,
    "Number of output files (<output_file>-SSSSS-of-NNNNN); 0 lets the runner choose.",
    lower_bound=0)
# `--help` of this module lists the local tool's flags as its own.
flags.adopt_module_key_flags(create_pretraining_data)

METRICS_NAMESPACE = "albert"
COUNTER_NAMES = ("documents", "instances", "masked_tokens", "skipped_lines", "shards")
_DIRECT_RUNNERS = ("DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner")


class _ReadFileDocuments(beam.DoFn):
  """(file index, path) -> (file index, index in file, document); tagged "counts" output.

  One task reads the whole file, so the numbering does not depend on how the runner splits
  work. The document count of the file goes to the "counts" output.
  """

  def process(self, element):
    file_index, path = element
    num_documents = 0
    reader = filesystems.FileSystems.open(
        path, compression_type=filesystems.CompressionTypes.UNCOMPRESSED)
    with reader:
      for document, _ in create_pretraining_data.read_file_documents(reader, path):
        if document:
          yield file_index, num_documents, document
          num_documents += 1
    yield beam.pvalue.TaggedOutput("counts", (file_index, num_documents))


class _FileOffsets(beam.CombineFn):
  """(file index, document count) pairs -> {file index: documents in all earlier files}."""

  def create_accumulator(self):
    return {}

  def add_input(self, accumulator, element):
    file_index, count = element
    accumulator[file_index] = count
    return accumulator

  def merge_accumulators(self, accumulators):
    merged = {}
    for accumulator in accumulators:
      merged.update(accumulator)
    return merged

  def extract_output(self, accumulator):
    offsets, total = {}, 0
    for file_index in sorted(accumulator):
      offsets[file_index] = total
      total += accumulator[file_index]
    return offsets


def _key_by_shard(element, offsets, documents_per_shard):
  """(file index, index in file, document) -> (shard index, (stream index, document))."""
  file_index, index_in_file, document = element
  stream_index = offsets[file_index] + index_in_file
  return stream_index // documents_per_shard, (stream_index, document)


class _ProcessShard(beam.DoFn):
  """(shard index, [(stream index, document)]) -> serialized tf.train.Example records.

  Runs `create_pretraining_data.ShardProcessor.process`, the local tool's per-shard function,
  on the shard's documents in input order; counts into the "albert" metrics.
  """

  def __init__(self, options):
    super().__init__()
    self._options = options
    self._processor = None
    self._counters = {name: metric.Metrics.counter(METRICS_NAMESPACE, name)
                      for name in COUNTER_NAMES}

  def setup(self):
    self._processor = create_pretraining_data.ShardProcessor(self._options)

  def process(self, element):
    shard_index, indexed_documents = element
    documents = [document for _, document in sorted(indexed_documents, key=lambda x: x[0])]
    result = self._processor.process(
        create_pretraining_data.Shard(shard_index, documents, num_bytes=0))
    self._counters["shards"].inc()
    self._counters["documents"].inc(result.num_documents)
    self._counters["instances"].inc(len(result.records))
    self._counters["masked_tokens"].inc(result.num_masked_tokens)
    self._counters["skipped_lines"].inc(result.num_skipped_lines)
    yield from result.records


def build_pipeline(pipeline, input_files, output_prefix, options, documents_per_shard,
                   global_shuffle=True, num_shards=0):
  """Adds the data-creation transforms to a Beam pipeline.

  Args:
    pipeline: beam.Pipeline.
    input_files: list of input paths (globs expanded; their order is the input stream's).
    output_prefix: str, output files are `<output_prefix>-SSSSS-of-NNNNN`.
    options: create_pretraining_data.DataOptions.
    documents_per_shard: int, as in the local tool (the output depends on it).
    global_shuffle: bool, redistribute the records before writing (`beam.Reshuffle`).
    num_shards: int, number of output files; 0 lets the runner choose.

  Returns:
    the PCollection of written file names (the sink's output).
  """
  read = (pipeline
          | "ListFiles" >> beam.Create(list(enumerate(input_files)))
          | "ReadDocuments" >> beam.ParDo(_ReadFileDocuments()).with_outputs(
              "counts", main="documents"))
  offsets = read.counts | "FileOffsets" >> beam.CombineGlobally(_FileOffsets())
  records = (read.documents
             | "KeyByShard" >> beam.Map(_key_by_shard, beam.pvalue.AsSingleton(offsets),
                                        documents_per_shard)
             | "GroupShards" >> beam.GroupByKey()
             | "MakeInstances" >> beam.ParDo(_ProcessShard(options)))
  if global_shuffle:
    records = records | "Reshuffle" >> beam.Reshuffle()
  return records | "Write" >> tfrecordio.WriteToTFRecord(
      output_prefix, num_shards=num_shards, compression_type="uncompressed")


def _counter_values(pipeline_result):
  """Returns {counter name: value} of the "albert" counters of a finished pipeline."""
  query = pipeline_result.metrics().query(
      metric.MetricsFilter().with_namespace(METRICS_NAMESPACE))
  values = dict.fromkeys(COUNTER_NAMES, 0)
  for counter in query["counters"]:
    # Some runners report only attempted values.
    value = counter.committed if counter.committed is not None else counter.attempted
    values[counter.key.metric.name] += value or 0
  return values


def _sink_temporaries(output_prefix):
  """Paths of the temporary directories of Beam's file sinks for `output_prefix`.

  Beam's file sinks write into `<directory>/beam-temp-<file name>-<id>` beside the output.
  """
  directory, name = os.path.split(output_prefix)
  # tf.io.gfile lists directories too (Beam's FileSystems.match lists only files).
  return tf.io.gfile.glob(os.path.join(directory or ".", "beam-temp-%s-*" % name))


def _run_to_the_end(pipeline, output_prefix):
  """Runs the pipeline and waits for it; returns the PipelineResult.

  A failed pipeline can leave the TFRecord sink's temporary directory behind (it is made when
  the write starts, which may be before the failure): this run's is removed before the error
  is raised again.
  """
  earlier_temporaries = set(_sink_temporaries(output_prefix))
  try:
    result = pipeline.run()
    result.wait_until_finish()
    return result
  except Exception:
    for path in _sink_temporaries(output_prefix):
      if path in earlier_temporaries:
        continue
      if tf.io.gfile.isdir(path):
        tf.io.gfile.rmtree(path)
      else:
        tf.io.gfile.remove(path)
    raise


def _output_files(output_prefix):
  """Returns the metadata (path, size_in_bytes) of the files `<output_prefix>-*-of-*`."""
  return filesystems.FileSystems.match([output_prefix + "-*-of-*"])[0].metadata_list


def _remove_empty_outputs(output_files):
  """Removes the empty files the sink wrote for a pipeline that made no record."""
  empty = [match.path for match in output_files if match.size_in_bytes == 0]
  if empty:
    filesystems.FileSystems.delete(empty)


def _pipeline_args(pipeline_args, num_workers):
  """Beam's arguments, with --num_workers passed on (to --direct_num_workers if direct)."""
  pipeline_args = list(pipeline_args)
  runner = pipeline_options.PipelineOptions(pipeline_args).view_as(
      pipeline_options.StandardOptions).runner or "DirectRunner"
  given = " ".join(pipeline_args)
  if runner.split(".")[-1] in _DIRECT_RUNNERS:
    if num_workers > 1 and "--direct_num_workers" not in given:
      pipeline_args.append("--direct_num_workers=%d" % num_workers)
      if "--direct_running_mode" not in given:
        pipeline_args.append("--direct_running_mode=multi_processing")
  elif "--num_workers" not in given:
    pipeline_args.append("--num_workers=%d" % num_workers)
  return pipeline_args


def create_pretraining_data_beam(input_patterns, output_prefix, options,
                                 documents_per_shard=create_pretraining_data
                                 .DEFAULT_DOCUMENTS_PER_SHARD,
                                 global_shuffle=True, num_shards=0, num_workers=1,
                                 pipeline_args=()):
  """Runs the Beam pipeline to the end; the function behind `main`.

  Args:
    input_patterns: comma-separated str or list of input files/globs.
    output_prefix: str, one output path prefix (files `<prefix>-SSSSS-of-NNNNN`).
    options: create_pretraining_data.DataOptions.
    documents_per_shard: int, as in the local tool (the output depends on it).
    global_shuffle: bool, redistribute records before writing.
    num_shards: int, number of output files; 0 lets the runner choose.
    num_workers: int, passed to Beam (see `_pipeline_args`).
    pipeline_args: list of Beam pipeline options (`--runner=...`, ...).

  Returns:
    dict {counter name: value} for COUNTER_NAMES.

  Raises:
    ValueError / FileNotFoundError with the flag, file (and line) at fault, as the local tool.
  """
  create_pretraining_data.validate_options(options)
  create_pretraining_data.check_at_least_one(num_workers=num_workers,
                                             documents_per_shard=documents_per_shard)
  if not isinstance(output_prefix, str) or not output_prefix.strip() or "," in output_prefix:
    raise ValueError("--output_file must be one output path prefix for the Beam pipeline "
                     "(files <prefix>-SSSSS-of-NNNNN, their number set by --num_shards); got "
                     "%r" % (output_prefix,))
  input_files = tfrecord_utils.expand_file_patterns(input_patterns)
  create_pretraining_data.make_tokenizer(options)  # Fails early on a bad tokenizer file.
  pipeline_args = _pipeline_args(pipeline_args, num_workers)
  logging.info("*** Beam pipeline over %d input files, %d documents per shard, output %s, "
               "pipeline options %s ***", len(input_files), documents_per_shard,
               output_prefix, " ".join(pipeline_args))
  output_prefix = output_prefix.strip()
  start_time = time.time()
  pipeline = beam.Pipeline(options=pipeline_options.PipelineOptions(pipeline_args))
  build_pipeline(pipeline, input_files, output_prefix, options, documents_per_shard,
                 global_shuffle=global_shuffle, num_shards=num_shards)
  result = _run_to_the_end(pipeline, output_prefix)
  seconds = max(1e-6, time.time() - start_time)
  counters = _counter_values(result)
  output_files = _output_files(output_prefix)
  # The local tool's summary line, so that logs (and benchmarks) read the same.
  logging.info("Wrote %d instances from %d documents in %d shards to %d files in %.1f s "
               "(%.1f documents/s, %.1f instances/s); %d masked tokens, %d lines skipped "
               "(no tokens). Files: %s-*", counters["instances"], counters["documents"],
               counters["shards"], len(output_files), seconds, counters["documents"] / seconds,
               counters["instances"] / seconds, counters["masked_tokens"],
               counters["skipped_lines"], output_prefix)
  if counters["instances"] == 0:
    _remove_empty_outputs(output_files)
    raise ValueError(
        "No training instances were created: the input files %s contain no non-empty "
        "document (one sentence per line, blank lines between documents)."
        % ", ".join(input_files))
  return counters


def main(argv):
  # The local tool's flags keep its defaults, as do this module's own.
  flag_utils.apply_runner_defaults(create_pretraining_data.__name__)
  flag_utils.apply_runner_defaults()
  logging.set_verbosity(logging.INFO)
  create_pretraining_data_beam(
      FLAGS.input_file, FLAGS.output_file, create_pretraining_data.options_from_flags(),
      documents_per_shard=FLAGS.documents_per_shard, global_shuffle=FLAGS.global_shuffle,
      num_shards=FLAGS.num_shards, num_workers=FLAGS.num_workers, pipeline_args=argv[1:])


def parse_flags(argv):
  """absl parses its flags; the rest of the command line is left for Beam's options."""
  return FLAGS(argv, known_only=True)


if __name__ == "__main__":
  flags.mark_flag_as_required("input_file")
  flags.mark_flag_as_required("output_file")
  # Run the package module's `main`, so that Beam pickles the DoFns by reference to
  # albert.create_pretraining_data_beam (importable on workers), not by value from __main__.
  from albert import create_pretraining_data_beam  # pylint: disable=g-import-not-at-top
  app.run(create_pretraining_data_beam.main, flags_parser=parse_flags)
