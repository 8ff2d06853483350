# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Single-pass CPU kernels for training graphs: LayerNorm and the masked attention softmax.

TensorFlow builds LayerNorm and the attention's scale + mask + softmax from chains of
elementwise ops and reductions, forward and (by autodiff) backward: each op is a pass over
the activations, and on CPU these passes take about a tenth of an ALBERT training step.
`cpu_kernels.cc` computes each of them, and each gradient, in one pass over the rows.

The C++ file ships with the package and is compiled on first use, with the C++ compiler
(`$CXX`, default g++) against the installed TensorFlow's headers, into a cache directory
(`$ALBERT_KERNEL_CACHE`, default `~/.cache/albert/kernels`), keyed by the source, the
TensorFlow build, the compiler and the CPU (it is built for this CPU's instruction set).
Concurrent processes wait for one build (a file lock) and the library appears atomically.
If there is no compiler, the build fails, or `ALBERT_CPU_KERNELS=0`, `load()` returns None
after one warning, and modeling.py keeps TensorFlow's own ops: slower, same results.

modeling.py uses these ops only inside `training_kernels_scope` (TRAIN graphs on hosts
without GPUs), so evaluation, prediction and exported graphs never reference them. A
training graph that does (its `.meta` file) needs `load()` to have run before it is imported.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time

from absl import logging
import tensorflow as tf

_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpu_kernels.cc")

# The loaded op library, or None when it could not be built; `_UNSET` until the first load().
_UNSET = object()
_library = _UNSET
_load_lock = threading.Lock()


class BuildError(RuntimeError):
  """The kernels could not be compiled or loaded; the message says why."""


def _compiler():
  return os.environ.get("CXX") or "g++"


def _cache_dir():
  if os.environ.get("ALBERT_KERNEL_CACHE"):
    return os.environ["ALBERT_KERNEL_CACHE"]
  base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
  return os.path.join(base, "albert", "kernels")


def _cpu_identity():
  """The CPU's model and instruction-set flags (the library is built with -march=native)."""
  try:
    with open("/proc/cpuinfo") as handle:
      lines = [line for line in handle
               if line.startswith(("model name", "flags", "Features", "CPU part"))]
    return "".join(sorted(set(lines)))
  except OSError:
    import platform  # pylint: disable=g-import-not-at-top
    return platform.machine() + platform.processor()


def _compile_command(source, output):
  # -DNDEBUG: TensorFlow's own build has no debug checks (DCHECK, Eigen's bounds asserts).
  return ([_compiler(), "-std=c++17", "-shared", "-fPIC", "-O3", "-DNDEBUG", "-march=native",
           source, "-o", output]
          + tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags())


def build_library(cache_dir=None):
  """Compiles `cpu_kernels.cc` unless a build for this setup is cached; returns its path.

  Args:
    cache_dir: directory of built libraries; default `_cache_dir()`.

  Returns:
    Path of the shared library.

  Raises:
    BuildError: no compiler (or no file locks: Windows), or the compiler failed (its last
      output lines are included).
  """
  try:
    import fcntl  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise BuildError("no fcntl file locks on this platform; the kernels are built on Linux "
                     "and macOS only") from None
  compiler = shutil.which(_compiler())
  if compiler is None:
    raise BuildError("no C++ compiler %r on PATH (set $CXX)" % _compiler())
  with open(_SOURCE, "rb") as handle:
    source = handle.read()
  key = hashlib.sha256(b"\0".join([
      source, tf.__version__.encode(), " ".join(_compile_command("", "")).encode(),
      os.path.realpath(compiler).encode(), _cpu_identity().encode()])).hexdigest()[:20]
  cache_dir = cache_dir or _cache_dir()
  os.makedirs(cache_dir, exist_ok=True)
  library = os.path.join(cache_dir, "albert_cpu_kernels_%s.so" % key)
  with open(library + ".lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same library
    if os.path.exists(library):
      return library
    logging.info("Compiling the CPU training kernels (once per machine and TensorFlow "
                 "version, about 10-20 s) into %s", cache_dir)
    started = time.time()
    handle, partial = tempfile.mkstemp(dir=cache_dir, suffix=".so.partial")
    os.close(handle)
    try:
      result = subprocess.run(_compile_command(_SOURCE, partial), capture_output=True,
                              text=True, timeout=900, check=False)
      if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise BuildError("%s failed (exit %d) compiling %s:\n%s"
                         % (compiler, result.returncode, _SOURCE, tail))
      os.replace(partial, library)
    finally:
      if os.path.exists(partial):
        os.remove(partial)
  logging.info("Built the CPU training kernels in %.1f s: %s", time.time() - started, library)
  return library


def load():
  """The op library (built on first use), or None if it cannot be had on this machine.

  Thread-safe; builds and loads at most once per process. On failure it logs one warning
  with the reason and returns None from then on.
  """
  global _library
  with _load_lock:
    if _library is not _UNSET:
      return _library
    if os.environ.get("ALBERT_CPU_KERNELS", "1") == "0":
      logging.info("ALBERT_CPU_KERNELS=0: training graphs use TensorFlow's LayerNorm and "
                   "softmax ops")
      _library = None
      return None
    try:
      library = tf.load_op_library(build_library())
    except (BuildError, OSError, subprocess.SubprocessError, tf.errors.OpError) as error:
      logging.warning("CPU training kernels unavailable, using TensorFlow's ops (slower, "
                      "same results): %s", error)
      _library = None
      return None
    _library = library
    return library


# The gradients are registered by op name when this module is imported (TensorFlow refuses a
# second registration of a name, so not in load()); only graphs built after a successful
# load() hold the ops, so `_library` is set whenever they run.
@tf.RegisterGradient("AlbertLayerNorm")
def _layer_norm_gradient(op, dy, unused_dmean, unused_drstd):
  # mean and rstd are returned for this gradient only; nothing downstream uses them.
  x, gamma, _ = op.inputs
  _, mean, rstd = op.outputs
  return _library.albert_layer_norm_grad(dy, x, gamma, mean, rstd)


@tf.RegisterGradient("AlbertMaskedSoftmax")
def _masked_softmax_gradient(op, dprobs):
  dlogits = _library.albert_masked_softmax_grad(dprobs, op.outputs[0],
                                                scale=op.get_attr("scale"))
  return dlogits, None  # the mask comes from the input, not from a variable


def layer_norm(values, gamma, beta, epsilon):
  """LayerNorm over the last axis, (x - mean) / sqrt(variance + epsilon) * gamma + beta.

  Args:
    values: float32 Tensor of shape [rows, width].
    gamma: float32 Tensor of shape [width].
    beta: float32 Tensor of shape [width].
    epsilon: float added to the variance.

  Returns:
    float32 Tensor of shape [rows, width]. Requires `load()` to have returned the library.
  """
  output, _, _ = _library.albert_layer_norm(values, gamma, beta, epsilon=epsilon)
  return output


def masked_softmax(logits, mask, scale, mask_adder):
  """softmax(logits * scale + (1 - mask) * mask_adder) over the last axis.

  Args:
    logits: float32 Tensor of shape [B, N, F, T].
    mask: float32 Tensor of shape [B, T]; 1 = attend, 0 = masked out.
    scale: float multiplying the logits.
    mask_adder: float added to the logits of masked-out positions (large and negative).

  Returns:
    float32 Tensor of shape [B, N, F, T]. Requires `load()` to have returned the library.
  """
  return _library.albert_masked_softmax(logits, mask, scale=scale, mask_adder=mask_adder)
