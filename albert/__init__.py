# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""ALBERT (A Lite BERT) for TensorFlow 2.15 graph mode; run modules as `python -m albert.<module>`."""
