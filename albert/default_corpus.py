# Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
"""The embedded default corpus: English prose from the Python standard library's docstrings.

Every machine that runs this project has Python, and the standard library's docstrings are a
few megabytes of real, edited English. This module turns them into a pretraining corpus in
ALBERT's input format (one sentence per line, a blank line between documents), at run time, so
that tests and demos have real prose without shipping or downloading any text.

How the corpus is made:
* Files: every `.py` file under the standard library directory, in sorted order of relative
  path, skipping `site-packages`, test directories and `__pycache__`. Sources are parsed with
  `ast`; no module is ever imported (some have side effects on import).
* Documents: ONE DOCUMENT PER MODULE, made of the module docstring followed by the class and
  function docstrings in source order. A module with fewer than `min_sentences_per_document`
  kept sentences is dropped.
* Prose filter: doctest lines (`>>>`, `...`), literal blocks after `::`, indented code,
  reST directives, section underlines and lines with few letters are dropped; inline reST
  roles and markup (:func:`x`, ``x``, *x*) are reduced to their text. Paragraphs are split
  into sentences after ".", "!" or "?" followed by a capital letter, digit or quote, except
  after common abbreviations. Sentences with fewer than four words, few letters or code
  symbols are dropped.

The output depends only on the Python installation's source files (so it is the same on
every run on one machine, and may differ slightly between Python patch releases).
"""

import ast
import os
import re
import sys
import sysconfig

from absl import app
from absl import flags

# Directories never walked: third-party code, test suites (full of fixtures, not prose).
_SKIPPED_DIRS = frozenset([
    "site-packages", "dist-packages", "__pycache__", "test", "tests", "idle_test",
    "turtledemo", "encodings",
])

_MIN_WORDS_PER_SENTENCE = 4
_MIN_LETTER_FRACTION = 0.75  # Of the non-space characters of a kept sentence.

# reST roles (:func:`name`, :meth:`~a.b`), inline literals and emphasis, reduced to their text.
_ROLE_RE = re.compile(r":[a-zA-Z_:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_LITERAL_RE = re.compile(r"``([^`]*)``")
_INTERPRETED_RE = re.compile(r"`([^`]*)`_{0,2}")
_EMPHASIS_RE = re.compile(r"\*{1,2}([^*\s][^*]*?)\*{1,2}")
# A section underline or transition line such as "-----" or "=====".
_UNDERLINE_RE = re.compile(r"^\s*([-=~^*#+`'\"])\1{2,}\s*$")
# Characters that mark a sentence as code rather than prose.
_CODE_RE = re.compile(r"://|[{}\[\]<>\\|@$#]|==|!=|->|\w\(|\w=\w|__\w|\w\.\w+\(|\bdef\b|\bself\.")
# Sentence boundary: terminal punctuation (plus closing quotes/brackets), whitespace, then an
# upper-case letter, digit or opening quote.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(]?[A-Z0-9])")
_ABBREVIATIONS = frozenset([
    "e.g.", "i.e.", "etc.", "vs.", "cf.", "mr.", "mrs.", "dr.", "st.", "no.", "approx.",
    "fig.", "resp.", "ca.", "jr.", "sr.", "inc.", "ltd.", "co.", "u.s.", "et al.", "al.",
    "ed.", "vol.", "sec.", "ch.", "eq.", "ref.", "ex.",
])


def stdlib_directory():
  """Returns the directory holding the running Python's standard library sources."""
  return sysconfig.get_paths()["stdlib"]


def list_source_files(root):
  """Returns the standard library `.py` files under `root`, sorted by relative path.

  Args:
    root: directory to walk.

  Returns:
    list of absolute file paths, in an order independent of the file system.
  """
  paths = []
  for directory, subdirectories, files in os.walk(root):
    subdirectories[:] = [name for name in subdirectories if name not in _SKIPPED_DIRS]
    for name in files:
      if name.endswith(".py"):
        paths.append(os.path.join(directory, name))
  return sorted(paths, key=lambda path: os.path.relpath(path, root).split(os.sep))


def _docstrings_in_source_order(tree):
  """Yields the docstrings of a module, its classes and functions, in source order."""
  module_docstring = ast.get_docstring(tree, clean=True)
  if module_docstring:
    yield module_docstring
  nodes = [node for node in ast.walk(tree)
           if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
  nodes.sort(key=lambda node: (node.lineno, node.col_offset))
  for node in nodes:
    docstring = ast.get_docstring(node, clean=True)
    if docstring:
      yield docstring


def _strip_inline_markup(text):
  """Reduces reST roles, literals and emphasis to their plain text."""
  text = _ROLE_RE.sub(r"\1", text)
  text = _LITERAL_RE.sub(r"\1", text)
  text = _INTERPRETED_RE.sub(r"\1", text)
  return _EMPHASIS_RE.sub(r"\1", text)


def _is_prose_line(line):
  """False for lines that are clearly not running text (directives, rules, tables, doctest)."""
  stripped = line.strip()
  if not stripped:
    return False
  if stripped.startswith((">>>", "...", ".. ", "$ ", "%", "|", "+-", "#")):
    return False
  if _UNDERLINE_RE.match(stripped):
    return False
  letters = sum(char.isalpha() for char in stripped)
  return letters >= 0.5 * len(stripped.replace(" ", ""))


def _prose_paragraphs(docstring):
  """Splits a cleaned docstring into prose paragraphs, each as one line of text.

  Indented lines are code or definition-list bodies of literal blocks; a paragraph that ends
  in "::" introduces a literal block, so the block after it is skipped as well.
  """
  paragraphs = []
  current = []
  in_literal_block = False
  for line in docstring.splitlines() + [""]:
    if not line.strip():
      if current:
        paragraphs.append(" ".join(current))
        current = []
      continue
    indented = line.startswith((" ", "\t"))
    if in_literal_block and indented:
      continue
    in_literal_block = False
    if indented or not _is_prose_line(line):
      if current:
        paragraphs.append(" ".join(current))
        current = []
      continue
    stripped = line.strip()
    if stripped.endswith("::"):
      in_literal_block = True
      stripped = stripped[:-2].rstrip() + ("." if not stripped.endswith(" ::") else "")
      stripped = stripped.rstrip()
    current.append(stripped)
  return [" ".join(_strip_inline_markup(p).split()) for p in paragraphs if p.strip()]


def split_sentences(paragraph):
  """Splits one paragraph of prose into sentences.

  Args:
    paragraph: str, a paragraph on one line.

  Returns:
    list of str sentences.
  """
  sentences = []
  start = 0
  for match in _SENTENCE_END_RE.finditer(paragraph):
    end = match.end(1)
    candidate = paragraph[start:end]
    last_word = candidate.rsplit(None, 1)[-1].lower().rstrip("\"')]")
    # "e.g." / "Mr." / a single initial such as "J." do not end a sentence.
    if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
      continue
    sentences.append(candidate.strip())
    start = match.end()
  sentences.append(paragraph[start:].strip())
  return [sentence for sentence in sentences if sentence]


def _is_prose_sentence(sentence):
  """True for a sentence of mostly letters, with enough words and no code symbols."""
  if len(sentence.split()) < _MIN_WORDS_PER_SENTENCE:
    return False
  if not sentence[0].isalpha() or not sentence[0].isupper():
    return False
  if _CODE_RE.search(sentence):
    return False
  non_space = sentence.replace(" ", "")
  letters = sum(char.isalpha() for char in non_space)
  return letters >= _MIN_LETTER_FRACTION * len(non_space)


def document_sentences(source):
  """Returns the kept prose sentences of one module's source text.

  Args:
    source: bytes or str of a Python source file.

  Returns:
    list of str sentences (empty if the source does not parse).
  """
  try:
    tree = ast.parse(source)
  except (SyntaxError, ValueError, UnicodeDecodeError):
    return []
  sentences = []
  seen = set()
  for docstring in _docstrings_in_source_order(tree):
    for paragraph in _prose_paragraphs(docstring):
      for sentence in split_sentences(paragraph):
        # Repeated boilerplate ("Return self.") is kept once per document.
        if _is_prose_sentence(sentence) and sentence not in seen:
          seen.add(sentence)
          sentences.append(sentence)
  return sentences


def iter_documents(max_documents=None, min_sentences_per_document=2, source_root=None):
  """Yields the documents of the default corpus.

  Args:
    max_documents: stop after this many documents (None: all).
    min_sentences_per_document: modules with fewer kept sentences are skipped.
    source_root: directory to read instead of the running Python's standard library.

  Yields:
    list of str sentences, one list per document (module).
  """
  root = source_root or stdlib_directory()
  count = 0
  for path in list_source_files(root):
    if max_documents is not None and count >= max_documents:
      return
    with open(path, "rb") as source_file:
      sentences = document_sentences(source_file.read())
    if len(sentences) >= max(1, min_sentences_per_document):
      count += 1
      yield sentences


def write_default_corpus(output_path, max_documents=None, min_sentences_per_document=2,
                         source_root=None):
  """Writes the default corpus in pretraining input format.

  Args:
    output_path: file to write (UTF-8; parent directories are created).
    max_documents: cap on the number of documents (None: all, a few MB).
    min_sentences_per_document: modules with fewer kept sentences are skipped.
    source_root: directory to read instead of the running Python's standard library.

  Returns:
    dict with int counts "documents", "sentences" and "words" (whitespace-separated).

  Raises:
    ValueError: if no document could be made (e.g. the Python has no `.py` sources).
  """
  stats = {"documents": 0, "sentences": 0, "words": 0}
  parent = os.path.dirname(os.path.abspath(output_path))
  os.makedirs(parent, exist_ok=True)
  with open(output_path, "w", encoding="utf-8", newline="\n") as writer:
    for sentences in iter_documents(max_documents, min_sentences_per_document, source_root):
      if stats["documents"]:
        writer.write("\n")
      writer.write("".join(sentence + "\n" for sentence in sentences))
      stats["documents"] += 1
      stats["sentences"] += len(sentences)
      stats["words"] += sum(len(sentence.split()) for sentence in sentences)
  if not stats["documents"]:
    raise ValueError("No document for the default corpus: found no Python sources with "
                     "docstrings under %s" % (source_root or stdlib_directory()))
  return stats


FLAGS = flags.FLAGS


def define_flags():
  """Defines the command-line flags; only when run as a program, so that importing this
  module never clashes with flags of the same name defined by other entry points."""
  flags.DEFINE_string("output", None, "File to write the corpus to.")
  flags.DEFINE_integer("max_documents", None, "Cap on the number of documents (default: all).")
  flags.DEFINE_integer("min_sentences_per_document", 2,
                       "Modules with fewer kept sentences are skipped.")
  flags.mark_flag_as_required("output")


def main(argv):
  del argv
  stats = write_default_corpus(FLAGS.output, FLAGS.max_documents,
                               FLAGS.min_sentences_per_document)
  print("Wrote %s: %d documents, %d sentences, %d words (from %s)" % (
      FLAGS.output, stats["documents"], stats["sentences"], stats["words"],
      stdlib_directory()), file=sys.stderr)


if __name__ == "__main__":
  define_flags()
  app.run(main)
