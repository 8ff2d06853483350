# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""Tests for albert/default_corpus.py (the embedded default corpus)."""

import collections
import os
import subprocess
import sys
import textwrap

import pytest

from albert import default_corpus


def _read_documents(path):
  """Returns the documents of a corpus file as lists of lines, checking the blank-line format."""
  with open(path, encoding="utf-8") as reader:
    text = reader.read()
  assert text.endswith("\n") and not text.endswith("\n\n"), "file must end in one newline"
  assert not text.startswith("\n")
  assert "\n\n\n" not in text, "exactly one blank line between documents"
  return [block.split("\n") for block in text[:-1].split("\n\n")]


def test_deterministic_byte_identical(tmp_path):
  first = tmp_path / "first.txt"
  second = tmp_path / "second.txt"
  stats_first = default_corpus.write_default_corpus(str(first), max_documents=60)
  stats_second = default_corpus.write_default_corpus(str(second), max_documents=60)
  assert first.read_bytes() == second.read_bytes()
  assert stats_first == stats_second
  assert stats_first["documents"] == 60


def test_fixture_corpus_format_and_stats(default_corpus_file):
  documents = _read_documents(default_corpus_file)
  assert len(documents) == 150  # DEFAULT_CORPUS_MAX_DOCUMENTS in spm_fixtures.
  for lines in documents:
    assert len(lines) >= 2  # min_sentences_per_document.
    for line in lines:
      assert line == line.strip() and line, repr(line)
      assert not line.startswith(">>>") and not line.startswith("...")
      assert line[0].isupper(), line
      assert len(line.split()) >= 4, line


def test_full_corpus_is_mostly_english_prose(tmp_path):
  path = tmp_path / "full.txt"
  stats = default_corpus.write_default_corpus(str(path))
  documents = _read_documents(str(path))
  sentences = [line for lines in documents for line in lines]
  assert stats["documents"] == len(documents) > 300
  assert stats["sentences"] == len(sentences) > 8000
  assert stats["words"] == sum(len(s.split()) for s in sentences) > 100000
  text = "".join(sentences).replace(" ", "")
  assert sum(c.isalpha() for c in text) / len(text) > 0.85
  counts = collections.Counter(word.lower() for s in sentences for word in s.split())
  top_words = [word for word, _ in counts.most_common(10)]
  for word in ("the", "of", "to", "is", "a"):
    assert word in top_words, top_words
  assert not any(">>>" in s for s in sentences)
  # Docstrings of the standard library itself, e.g. the `json` package's.
  assert any("JSON" in s for s in sentences)


def test_split_sentences():
  paragraph = ("Return the value, e.g. a list. It is cached. See Dr. Smith and J. Doe! "
               "Why not? \"Quoted\" text follows. 2 items.")
  assert default_corpus.split_sentences(paragraph) == [
      "Return the value, e.g. a list.", "It is cached.", "See Dr. Smith and J. Doe!",
      "Why not?", "\"Quoted\" text follows.", "2 items."]


_SYNTHETIC_MODULE = '''
"""Synthetic module docstring for testing the prose filter.

This paragraph is prose and it stays in the corpus. It refers to :func:`os.path.join`
and to ``some_literal`` with *emphasis* in it.

Example::

    This indented literal block looks like prose but is code here.
    x = compute(1, 2)

>>> print("this is a doctest line with many words")
this is the doctest output with many words

Section Title Here
==================

.. note:: A directive line with enough words to pass.
"""

open(MARKER, "w").write("imported")


class Widget(object):
  """A widget holds values for the synthetic test module.

  Args:
    value: an argument description line that is indented.
  """

  def method(self):
    """Return the stored value of this widget object."""
    return self.value == {1: 2}
'''


def test_prose_filter_and_no_import(tmp_path):
  source_root = tmp_path / "lib"
  source_root.mkdir()
  marker = tmp_path / "imported.txt"
  (source_root / "synthetic.py").write_text(
      _SYNTHETIC_MODULE.replace("MARKER", repr(str(marker))), encoding="utf-8")
  (source_root / "tiny.py").write_text('"""One sentence only in this module."""\n',
                                       encoding="utf-8")
  (source_root / "broken.py").write_text("def (:\n", encoding="utf-8")
  tests_dir = source_root / "test"
  tests_dir.mkdir()
  (tests_dir / "test_thing.py").write_text('"""Tests are never read by the corpus. Ever.'
                                           ' Really not read."""\n', encoding="utf-8")
  output = tmp_path / "corpus.txt"
  stats = default_corpus.write_default_corpus(str(output), source_root=str(source_root))
  assert not marker.exists(), "a module was imported"
  assert _read_documents(str(output)) == [[
      "Synthetic module docstring for testing the prose filter.",
      "This paragraph is prose and it stays in the corpus.",
      "It refers to os.path.join and to some_literal with emphasis in it.",
      "A widget holds values for the synthetic test module.",
      "Return the stored value of this widget object.",
  ]]
  assert stats == {"documents": 1, "sentences": 5, "words": 46}
  # With min_sentences_per_document=1 the one-sentence module is a document too.
  stats = default_corpus.write_default_corpus(str(output), min_sentences_per_document=1,
                                              source_root=str(source_root))
  assert stats["documents"] == 2
  assert _read_documents(str(output))[1] == ["One sentence only in this module."]


def test_no_sources_is_a_clear_error(tmp_path):
  with pytest.raises(ValueError, match="No document.*empty_dir"):
    default_corpus.write_default_corpus(str(tmp_path / "out.txt"),
                                        source_root=str(tmp_path / "empty_dir"))


def test_command_line(tmp_path):
  output = tmp_path / "sub" / "corpus.txt"
  repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  result = subprocess.run(
      [sys.executable, "-m", "albert.default_corpus", "--output=%s" % output,
       "--max_documents=5"], cwd=repo_root, capture_output=True, text=True, timeout=120,
      check=False)
  assert result.returncode == 0, result.stderr
  assert "5 documents" in result.stderr
  assert len(_read_documents(str(output))) == 5
