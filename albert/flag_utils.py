# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Defining the runners' absl flags so that several runners can share one process.

Each entry point defines its flags at import, with the original names and defaults. Many names
are shared (`output_dir`, `init_checkpoint`, `max_seq_length`, ...), and absl refuses a second
definition, so importing two runners in one process (a test session, a notebook) would fail.
`define_flag` defines a flag only if it does not exist yet. In such a process the first
definition's default wins; from the command line, where each runner is its own process,
every runner has exactly its original defaults.
"""

import sys

from absl import flags


def define_flag(define, name, default, help_text, **kwargs):
  """Defines flag `name` with `define` (e.g. flags.DEFINE_string) unless it already exists.

  Args:
    define: an absl `flags.DEFINE_*` function.
    name: flag name.
    default: default value.
    help_text: help string.
    **kwargs: further arguments of `define` (e.g. `enum_values` for DEFINE_enum).
  """
  if name in flags.FLAGS:
    return
  # Credit the calling runner, not this module, as the flag's owner (shown by --helpfull).
  caller = sys._getframe(1).f_globals.get("__name__")  # pylint: disable=protected-access
  define(name, default, help=help_text, module_name=caller, **kwargs)
