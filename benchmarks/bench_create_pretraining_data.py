# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Benchmark of `albert.create_pretraining_data` (and its Beam pipeline): speed and memory.

Run by hand. Runs the module as users do (a subprocess with the original flags) on a real
corpus and measures, for each run:
  * documents/s and instances/s (wall clock), and per worker; CPU seconds of the process tree;
  * peak memory of the whole process tree (parent + workers), sampled from /proc every 0.2 s:
    the sum of RSS (counts pages shared after fork once per process, an upper bound) and the
    sum of PSS (shared pages divided among their sharers: the real footprint);
  * the largest single-process peak RSS (ru_maxrss from wait4);
  * whether the outputs of 1 and 2 workers are byte-identical;
  * peak memory on the corpus concatenated with itself (streaming and the bucketed global
    shuffle: must stay about the same), and the number of shuffle buckets;
  * peak disk use of the output directory (outputs being written + shuffle buckets);
  * optionally (--in_order_too) a run with --noglobal_shuffle, for the cost of the shuffle;
  * optionally (--beam) `albert.create_pretraining_data_beam` on the DirectRunner in
    multi-process mode with the same worker counts, next to the local tool: its rate, peak
    memory (the runner's worker processes included) and whether its records are the local
    tool's (same multiset digest: sha256 of the sorted records).

Usage (the local tool with 1 and 2 workers, the doubled corpus, and the Beam pipeline with
1 and 2 workers; a smoke test instead: --corpus /work/shared/data/corpus/small.txt
--dupe_factor 2 --max_seq_length 128 --shuffle_bucket_mb 1 --documents_per_shard 50):
  .venv/bin/python benchmarks/bench_create_pretraining_data.py \
      --corpus /work/shared/data/corpus/wiki_en.txt,/work/shared/data/corpus/web_bible.txt,\
/work/shared/data/corpus/bbc_news.txt \
      --spm_model_file /work/shared/data/albert_30k/30k-clean.model --beam --in_order_too
Prints a Markdown section to append to benchmarks/RESULTS.md.
"""

import argparse
import hashlib
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tree_pids(root_pid):
  """Returns root_pid and all its descendants (from /proc/<pid>/task/*/children)."""
  pids, frontier = [], [root_pid]
  while frontier:
    pid = frontier.pop()
    pids.append(pid)
    try:
      for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as handle:
          frontier.extend(int(child) for child in handle.read().split())
    except OSError:
      pass
  return pids


def _memory_kb(pid):
  """Returns (rss_kb, pss_kb) of one process, or (0, 0) if it is gone."""
  rss_kb = pss_kb = 0
  try:
    with open("/proc/%d/smaps_rollup" % pid) as handle:
      for line in handle:
        parts = line.split()
        if parts[:1] == ["Rss:"]:
          rss_kb = int(parts[1])
        elif parts[:1] == ["Pss:"]:
          pss_kb = int(parts[1])
  except (OSError, ValueError):
    pass
  return rss_kb, pss_kb


def _directory_bytes(directory):
  """Summed size of the files below `directory` (files may vanish while it is walked)."""
  total = 0
  for root, _, names in os.walk(directory):
    for name in names:
      try:
        total += os.path.getsize(os.path.join(root, name))
      except OSError:
        pass
  return total


class _TreeMemorySampler(threading.Thread):
  """Samples the summed RSS and PSS of a process tree (and a directory's size) until stopped.

  Keeps the peaks.
  """

  def __init__(self, pid, directory, interval_seconds=0.2):
    super().__init__(daemon=True)
    self.pid = pid
    self.directory = directory
    self.interval_seconds = interval_seconds
    self.peak_rss_kb = 0
    self.peak_pss_kb = 0
    self.peak_disk_bytes = 0
    self.max_processes = 0
    self._stop_event = threading.Event()

  def run(self):
    while not self._stop_event.is_set():
      pids = _tree_pids(self.pid)
      rss = pss = 0
      for pid in pids:
        process_rss, process_pss = _memory_kb(pid)
        rss += process_rss
        pss += process_pss
      self.peak_rss_kb = max(self.peak_rss_kb, rss)
      self.peak_pss_kb = max(self.peak_pss_kb, pss)
      self.max_processes = max(self.max_processes, len(pids))
      self.peak_disk_bytes = max(self.peak_disk_bytes, _directory_bytes(self.directory))
      self._stop_event.wait(self.interval_seconds)

  def stop(self):
    self._stop_event.set()
    self.join()


def _digest(paths):
  digest = hashlib.sha256()
  for path in paths:
    with open(path, "rb") as handle:
      for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
  return digest.hexdigest()[:16]


def _tfrecord_records(path):
  """Yields the records of a TFRecord file (framing: length, CRC, data, CRC; not checked)."""
  with open(path, "rb") as handle:
    while True:
      header = handle.read(12)
      if not header:
        return
      length = struct.unpack("<Q", header[:8])[0]
      yield handle.read(length)
      handle.read(4)


def _multiset_digest(paths):
  """sha256 of the sorted records: equal for the same records in any files and order."""
  digest = hashlib.sha256()
  for record in sorted(record for path in paths for record in _tfrecord_records(path)):
    digest.update(hashlib.sha256(record).digest())
  return digest.hexdigest()[:16]


def run_once(name, input_file, work_dir, args, num_workers, global_shuffle=True, beam=False):
  """Runs create_pretraining_data (or with `beam` its Beam pipeline) once.

  Returns:
    dict of measurements.
  """
  output_dir = os.path.join(work_dir, name)
  os.makedirs(output_dir)
  if beam:
    output_flag = os.path.join(output_dir, "%s.tfrecord" % name)
    tool = ["albert.create_pretraining_data_beam", "--num_shards=%d" % args.num_output_files,
            "--runner=DirectRunner", "--direct_running_mode=multi_processing",
            "--direct_num_workers=%d" % num_workers]
  else:
    outputs = [os.path.join(output_dir, "%s-%d.tfrecord" % (name, k))
               for k in range(args.num_output_files)]
    output_flag = ",".join(outputs)
    tool = ["albert.create_pretraining_data"]
  command = [
      sys.executable, "-m", tool[0], "--input_file=%s" % input_file,
      "--output_file=%s" % output_flag, "--spm_model_file=%s" % args.spm_model_file,
      "--max_seq_length=%d" % args.max_seq_length, "--dupe_factor=%d" % args.dupe_factor,
      "--max_predictions_per_seq=%d" % args.max_predictions_per_seq,
      "--num_workers=%d" % num_workers, "--documents_per_shard=%d" % args.documents_per_shard,
      "--global_shuffle=%s" % global_shuffle,
  ] + tool[1:]
  if args.shuffle_bucket_mb:
    command.append("--shuffle_bucket_mb=%d" % args.shuffle_bucket_mb)
  log_path = os.path.join(work_dir, "%s.log" % name)
  env = dict(os.environ, PYTHONPATH=REPO_ROOT, TF_CPP_MIN_LOG_LEVEL="2")
  start = time.time()
  with open(log_path, "w") as log:
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=log, env=env)
    sampler = _TreeMemorySampler(process.pid, output_dir)
    sampler.start()
    _, status, rusage = os.wait4(process.pid, 0)
    seconds = time.time() - start
    sampler.stop()
  if beam:
    outputs = sorted(os.path.join(output_dir, name) for name in os.listdir(output_dir))
  if status != 0:
    with open(log_path) as log:
      raise RuntimeError("run %s failed:\n%s" % (name, log.read()[-3000:]))
  with open(log_path) as log:
    lines = log.readlines()
  summary = [line for line in lines if "Wrote " in line][-1]
  # "*** Writing N instances in a global random order from K temporary bucket(s) ..."
  buckets = [line.split(" temporary bucket")[0].split()[-1] for line in lines
             if " temporary bucket" in line]
  # "Wrote N instances from D documents in S shards ..."
  words = summary.split("Wrote ", 1)[1].split()
  num_instances, num_documents, num_shards = int(words[0]), int(words[3]), int(words[6])
  # Without interpreter and TensorFlow start-up (Beam: with the start of its workers).
  processing_seconds = float(words[12])
  result = {
      "name": name, "num_workers": num_workers, "seconds": seconds, "beam": beam,
      "global_shuffle": global_shuffle, "buckets": int(buckets[-1]) if buckets else 0,
      "peak_disk_mb": sampler.peak_disk_bytes / 1e6,
      "processing_seconds": processing_seconds,
      "num_documents": num_documents, "num_instances": num_instances, "num_shards": num_shards,
      "cpu_seconds": rusage.ru_utime + rusage.ru_stime,
      "max_single_rss_mb": rusage.ru_maxrss / 1024.0,
      "peak_tree_rss_mb": sampler.peak_rss_kb / 1024.0,
      "peak_tree_pss_mb": sampler.peak_pss_kb / 1024.0,
      "processes": sampler.max_processes,
      "output_mb": sum(os.path.getsize(path) for path in outputs) / 1e6,
      "digest": _digest(outputs),
      "multiset_digest": _multiset_digest(outputs),
  }
  for path in outputs:
    os.remove(path)
  print("%s: %s" % (name, result), file=sys.stderr, flush=True)
  return result


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--corpus", required=True, help="comma-separated input text files")
  parser.add_argument("--spm_model_file", required=True)
  parser.add_argument("--max_seq_length", type=int, default=512)
  parser.add_argument("--dupe_factor", type=int, default=10)
  parser.add_argument("--max_predictions_per_seq", type=int, default=20)
  parser.add_argument("--documents_per_shard", type=int, default=1000)
  parser.add_argument("--num_output_files", type=int, default=2)
  parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
  parser.add_argument("--skip_doubled", action="store_true",
                      help="skip the run on the corpus concatenated with itself")
  parser.add_argument("--shuffle_bucket_mb", type=int, default=0,
                      help="--shuffle_bucket_mb of the runs (0: the module's default)")
  parser.add_argument("--in_order_too", action="store_true",
                      help="also run 1 worker with --noglobal_shuffle (cost of the shuffle)")
  parser.add_argument("--beam", action="store_true",
                      help="also run the Beam pipeline (DirectRunner, multi-process mode) with "
                           "each worker count (needs the beam extra)")
  args = parser.parse_args()

  work_dir = tempfile.mkdtemp(prefix="bench_cpd_")
  try:
    corpus_files = args.corpus.split(",")
    corpus_mb = sum(os.path.getsize(path) for path in corpus_files) / 1e6
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
      results.append(run_once("w%d" % workers, args.corpus, work_dir, args, workers))
      if args.beam:
        results.append(run_once("beam-direct-w%d" % workers, args.corpus, work_dir, args,
                                workers, beam=True))
    if not args.skip_doubled:
      doubled = os.path.join(work_dir, "doubled.txt")
      with open(doubled, "wb") as out:
        for _ in range(2):
          for path in corpus_files:
            with open(path, "rb") as handle:
              shutil.copyfileobj(handle, out)
            out.write(b"\n")
      results.append(run_once("doubled-w1", doubled, work_dir, args, 1))
    if args.in_order_too:
      results.append(run_once("in-order-w1", args.corpus, work_dir, args, 1,
                              global_shuffle=False))
  finally:
    shutil.rmtree(work_dir, ignore_errors=True)

  cpu_model = "?"
  try:
    cpu_model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    cpu_model = [line.split(":", 1)[1].strip() for line in cpu_model.splitlines()
                 if line.startswith("Model name")][0]
  except (OSError, IndexError):
    pass
  print("\n## create_pretraining_data (%s)\n" % time.strftime("%Y-%m-%d %H:%M UTC",
                                                             time.gmtime()))
  print("Machine: %s, %d cores, Python %s. Corpus: %s (%.1f MB); `--max_seq_length=%d "
        "--dupe_factor=%d --max_predictions_per_seq=%d --documents_per_shard=%d "
        "--shuffle_bucket_mb=%s`, %d output files, SentencePiece %s.\n" % (
            cpu_model, os.cpu_count(), platform.python_version(),
            ", ".join(os.path.basename(p) for p in corpus_files), corpus_mb,
            args.max_seq_length, args.dupe_factor, args.max_predictions_per_seq,
            args.documents_per_shard, args.shuffle_bucket_mb or "default",
            args.num_output_files, os.path.basename(args.spm_model_file)))
  print("Rates use the processing time the module logs (without the ~4 s of interpreter and "
        "TensorFlow start-up); CPU s is user+sys of the whole process tree; memory is sampled "
        "every 0.2 s over parent + workers (RSS counts fork-shared pages once per process, "
        "PSS shares them out). Peak disk is the output directory: outputs being written plus "
        "the global shuffle's temporary buckets. Beam runs: DirectRunner in multi-process mode "
        "(`--direct_num_workers` = workers), their processing time includes starting the "
        "runner's worker processes; the multiset digest equals the local tool's when the "
        "records are the same.\n")
  print("| run | workers | global shuffle | buckets | docs | instances | shards | wall s "
        "| processing s | docs/s | inst/s | inst/s per worker | CPU s | inst per CPU s "
        "| peak tree RSS MB | peak tree PSS MB | max 1-process RSS MB | output MB "
        "| peak disk MB | sha256[:16] | multiset sha256[:16] |")
  print("|" + "---|" * 21)
  for r in results:
    rate = r["num_instances"] / r["processing_seconds"]
    print("| %s | %d | %s | %d | %d | %d | %d | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f "
          "| %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s |" % (
              r["name"], r["num_workers"],
              "Reshuffle" if r["beam"] else ("on" if r["global_shuffle"] else "off"), r["buckets"],
              r["num_documents"], r["num_instances"],
              r["num_shards"], r["seconds"], r["processing_seconds"],
              r["num_documents"] / r["processing_seconds"], rate, rate / r["num_workers"],
              r["cpu_seconds"], r["num_instances"] / r["cpu_seconds"],
              r["peak_tree_rss_mb"], r["peak_tree_pss_mb"], r["max_single_rss_mb"],
              r["output_mb"], r["peak_disk_mb"], r["digest"], r["multiset_digest"]))

if __name__ == "__main__":
  main()
