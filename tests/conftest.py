"""Shared pytest set-up: environment for TensorFlow and the fixture modules of each area.

Fixtures live in `tests/fixtures/<area>.py` so that several areas can grow their own without
editing one shared file; they are registered here as pytest plugins and are visible to every test.
"""

import os
import sys

# Deterministic numerics for comparisons (oneDNN reorders float sums) and quiet logs. These
# must be set before TensorFlow is first imported, which is why they live at the top of conftest.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
  sys.path.insert(0, REPO_ROOT)

pytest_plugins = [
    "tests.fixtures.model_fixtures",
    "tests.fixtures.spm_fixtures",
    "tests.fixtures.pretraining_fixtures",
    "tests.fixtures.run_pretraining_fixtures",
    "tests.fixtures.glue_fixtures",
    "tests.fixtures.scale_out_fixtures",
    "tests.fixtures.hf_fixtures",
    "tests.fixtures.hub_fixtures",
    "tests.fixtures.race_fixtures",
    "tests.fixtures.squad_fixtures",
]
