# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""The runners' absl flags: defined once, with each runner's own defaults.

Each entry point defines its flags at import, with the original names and defaults. Many names
are shared (`output_dir`, `init_checkpoint`, `max_seq_length`, ...), and absl refuses a second
definition, so importing two runners in one process (a test session, a notebook) would fail.

  * `define_flag` defines a flag only if it does not exist yet, and credits it to the runner
    that defines it, so `python -m albert.<runner> --help/--helpfull` lists it there.
  * `define_fine_tuning_flags` defines the flags every fine-tuning runner shares (GLUE, SQuAD,
    RACE) from one table of names and help texts; each runner passes its own defaults.
  * `apply_runner_defaults`, called first thing in a runner's `main`, makes that runner's
    defaults the values of every flag not given on the command line. So in a process that
    imported several runners (where a shared flag was defined with the first importer's
    default), each runner still runs with its original defaults.
"""

import collections
import sys

from absl import flags

FLAGS = flags.FLAGS

# Runner module name -> {flag name: that runner's default}, recorded by every `define_flag`
# call, including those that find the flag already defined by another runner.
_RUNNER_DEFAULTS = collections.defaultdict(dict)


def _owner_module_name(module_name):
  """The module name absl files a flag under for --help/--helpfull.

  absl looks up the flags of the program's main module under `sys.argv[0]` (the script path,
  which `python -m` sets to the module's file), not under "__main__".
  """
  if module_name == "__main__":
    return sys.argv[0]
  return module_name


def define_flag(define, name, default, help_text, module_name=None, **kwargs):
  """Defines flag `name` with `define` (e.g. flags.DEFINE_string) unless it already exists.

  Args:
    define: an absl `flags.DEFINE_*` function.
    name: flag name.
    default: default value.
    help_text: help string.
    module_name: the module to credit (shown by --helpfull); default: the calling module.
    **kwargs: further arguments of `define`: `enum_values` for DEFINE_enum, `lower_bound` /
      `upper_bound` for DEFINE_integer / DEFINE_float (absl then rejects out-of-range values
      while parsing the command line, naming the flag, before `main` runs).
  """
  if module_name is None:
    module_name = sys._getframe(1).f_globals.get("__name__")  # pylint: disable=protected-access
  _RUNNER_DEFAULTS[_owner_module_name(module_name)][name] = default
  if name in FLAGS:
    return
  define(name, default, help=help_text, module_name=_owner_module_name(module_name), **kwargs)


def require_flags(*names, flag_values=FLAGS):
  """Raises ValueError naming the first of the flags `names` that is not set (None or empty).

  Entry points call it first in `main`, before anything is read or written.
  """
  for name in names:
    if not flag_values[name].value:
      raise ValueError("--%s is required." % name)


def require_one_of(*names, flag_values=FLAGS):
  """Raises ValueError unless at least one of the flags `names` is set (true or non-empty).

  The message follows the original runners': "At least one of `do_train`, ... must be True."
  """
  if not any(flag_values[name].value for name in names):
    quoted = ["`%s`" % name for name in names]
    listed = quoted[0] if len(quoted) == 1 else "%s or %s" % (", ".join(quoted[:-1]),
                                                              quoted[-1])
    raise ValueError("At least one of %s must be True." % listed)


# The flags shared by the fine-tuning runners: name -> (define function, help text, bounds).
# Names, types and help follow the original runners; defaults come from each runner.
_FINE_TUNING_FLAGS = {
    "data_dir": (flags.DEFINE_string,
                 "The input data dir. Should contain the data files for the task.", {}),
    "albert_config_file": (
        flags.DEFINE_string,
        "The config json file corresponding to the pre-trained ALBERT model. This specifies "
        "the model architecture.", {}),
    "vocab_file": (
        flags.DEFINE_string,
        "The WordPiece vocabulary file the ALBERT model was trained on (e.g. the Chinese "
        "models); ignored when --spm_model_file is given.", {}),
    "spm_model_file": (
        flags.DEFINE_string,
        "The SentencePiece model file. One of --spm_model_file, --vocab_file or "
        "--albert_hub_module_handle is needed.", {}),
    "output_dir": (flags.DEFINE_string,
                   "The output directory where the model checkpoints will be written.", {}),
    "init_checkpoint": (flags.DEFINE_string,
                        "Initial checkpoint (usually from a pre-trained ALBERT model).", {}),
    "albert_hub_module_handle": (
        flags.DEFINE_string, "If set, the ALBERT hub module to use (a local directory or any "
        "handle tensorflow-hub resolves).", {}),
    "do_lower_case": (
        flags.DEFINE_bool, "Whether to lower case the input text. Should be True for uncased "
        "models and False for cased models.", {}),
    "max_seq_length": (
        flags.DEFINE_integer, "The maximum total input sequence length after tokenization. "
        "Sequences longer than this will be truncated, and sequences shorter than this will be "
        "padded.", {"lower_bound": 3}),
    "do_train": (flags.DEFINE_bool, "Whether to run training.", {}),
    "do_eval": (flags.DEFINE_bool, "Whether to run eval on the dev set.", {}),
    "do_predict": (flags.DEFINE_bool,
                   "Whether to run the model in inference mode on the test set.", {}),
    "train_batch_size": (flags.DEFINE_integer, "Total batch size for training.",
                         {"lower_bound": 1}),
    "eval_batch_size": (flags.DEFINE_integer, "Total batch size for eval.",
                        {"lower_bound": 1}),
    "predict_batch_size": (flags.DEFINE_integer, "Total batch size for predict.",
                           {"lower_bound": 1}),
    "learning_rate": (flags.DEFINE_float, "The initial learning rate for Adam.",
                      {"lower_bound": 0.0}),
    "train_step": (flags.DEFINE_integer, "Total number of training steps to perform.",
                   {"lower_bound": 1}),
    "warmup_step": (flags.DEFINE_integer,
                    "Number of steps to perform linear learning rate warmup for.",
                    {"lower_bound": 0}),
    "save_checkpoints_steps": (flags.DEFINE_integer, "How often to save the model checkpoint.",
                               {"lower_bound": 1}),
}


# The defaults every original fine-tuning runner gives these flags; each runner gets them.
COMMON_FINE_TUNING_DEFAULTS = {
    "albert_config_file": None,
    "vocab_file": None,
    # Deviation (docs/DEVIATIONS.md): not a required flag; one tokenizer source is enough.
    "spm_model_file": None,
    "output_dir": None,
    "init_checkpoint": None,
    "albert_hub_module_handle": None,
    "do_lower_case": True,
}


def define_fine_tuning_flags(defaults, module_name=None):
  """Defines the common fine-tuning flags and those named in `defaults`, with those defaults.

  Args:
    defaults: dict flag name -> this runner's default, for the shared flags whose default
      differs between runners or that not every runner has (e.g. `max_seq_length`,
      `data_dir`); entries may also override `COMMON_FINE_TUNING_DEFAULTS`. Every name must be
      a key of the shared table (`fine_tuning_flag_names()`).
    module_name: the runner to credit; default: the calling module.
  """
  if module_name is None:
    module_name = sys._getframe(1).f_globals.get("__name__")  # pylint: disable=protected-access
  defaults = dict(COMMON_FINE_TUNING_DEFAULTS, **defaults)
  for name, default in defaults.items():
    if name not in _FINE_TUNING_FLAGS:
      raise KeyError("%r is not a shared fine-tuning flag (known: %s)" %
                     (name, ", ".join(sorted(_FINE_TUNING_FLAGS))))
    define, help_text, bounds = _FINE_TUNING_FLAGS[name]
    define_flag(define, name, default, help_text, module_name=module_name, **bounds)


def fine_tuning_flag_names():
  """The names of the flags `define_fine_tuning_flags` knows, sorted."""
  return sorted(_FINE_TUNING_FLAGS)


def apply_runner_defaults(module_name=None, flag_values=FLAGS):
  """Makes a runner's defaults the defaults (and values) of the flags not set otherwise.

  Call it first in a runner's `main`. Flags given on the command line, or set in code before
  `main` runs, keep their values.

  Args:
    module_name: the runner whose defaults `define_flag` recorded; default: the calling module.
    flag_values: the absl FlagValues (default: the global FLAGS).

  Returns:
    dict flag name -> the runner's default, as applied.
  """
  if module_name is None:
    module_name = sys._getframe(1).f_globals.get("__name__")  # pylint: disable=protected-access
  defaults = dict(_RUNNER_DEFAULTS.get(_owner_module_name(module_name), {}))
  for name, default in defaults.items():
    flag_values.set_default(name, default)
  return defaults
