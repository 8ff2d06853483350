# coding=utf-8
"""The encoder and the tokenizer of a fine-tuning run: from local files or a TF-Hub module.

Every fine-tuning runner (GLUE, SQuAD, RACE) gets its ALBERT encoder from `create_albert`
and its tokenizer from `create_vocab`, so the choice "config + checkpoint files" versus
"TF-Hub module" is made in one place. The checks that the tokenizer and the sequence length
fit the model (`check_vocab_fits`, `check_max_seq_length`) are here too, so that every runner
makes them before it writes anything.

Importing this module imports tensorflow-hub, which defines its own absl flags
(`--tfhub_cache_dir`, `--tfhub_model_load_format`); so, as in the original, every runner that
takes a hub module accepts them.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import tensorflow as tf
import tensorflow_hub as hub

from albert import tokenization

logging = tf.compat.v1.logging


def create_albert(albert_config, is_training, input_ids, input_mask, segment_ids,
                  use_one_hot_embeddings, use_einsum, hub_module):
  """Creates the ALBERT encoder from a config, or from a TF-Hub module.

  Args:
    albert_config: `modeling.AlbertConfig`; ignored when `hub_module` is given.
    is_training: bool; dropout on (hub: the module's {"train"} graph).
    input_ids: int32 Tensor of shape [batch_size, seq_length].
    input_mask: int32 Tensor of shape [batch_size, seq_length].
    segment_ids: int32 Tensor of shape [batch_size, seq_length].
    use_one_hot_embeddings: one-hot matmul embedding lookup (faster on TPU).
    use_einsum: use einsum in the dense layers (False gives a TFLite-friendly graph).
    hub_module: optional handle or path of a TF1 hub module with a "tokens" signature.

  Returns:
    (pooled_output, sequence_output):
      pooled_output: float Tensor of shape [batch_size, hidden_size].
      sequence_output: float Tensor of shape [batch_size, seq_length, hidden_size].
  """
  if hub_module:
    tags = {"train"} if is_training else set()
    albert_module = hub.Module(hub_module, tags=tags, trainable=True)
    albert_inputs = dict(input_ids=input_ids, input_mask=input_mask,
                         segment_ids=segment_ids)
    albert_outputs = albert_module(inputs=albert_inputs, signature="tokens", as_dict=True)
    return (albert_outputs["pooled_output"], albert_outputs["sequence_output"])

  from albert import modeling  # pylint: disable=g-import-not-at-top
  model = modeling.AlbertModel(
      config=albert_config,
      is_training=is_training,
      input_ids=input_ids,
      input_mask=input_mask,
      token_type_ids=segment_ids,
      use_one_hot_embeddings=use_one_hot_embeddings,
      use_einsum=use_einsum)
  return (model.get_pooled_output(), model.get_sequence_output())


def create_vocab(vocab_file, do_lower_case, spm_model_file, hub_module):
  """Creates the tokenizer from ONE source: a hub module, an SPM model, or a WordPiece vocab.

  Precedence: `hub_module` (its `tokenization_info` signature names the tokenizer file and
  the lower-casing; local file flags are ignored, so dummy values such as
  `spm_model_file="from_tf_hub"` keep working), then `spm_model_file` (SentencePiece;
  `vocab_file` is then ignored, as in the original), then `vocab_file` (WordPiece, e.g. the
  Chinese models).

  Args:
    vocab_file: WordPiece vocab file, or None.
    do_lower_case: bool (WordPiece lower-casing; SentencePiece callers lower-case in
      `preprocess_text`).
    spm_model_file: SentencePiece `.model` file, or None.
    hub_module: TF-Hub module handle or path, or None.

  Returns:
    `tokenization.FullTokenizer`.

  Raises:
    ValueError: no tokenizer source at all.
    FileNotFoundError: the chosen tokenizer file does not exist (the message names the flag).
  """
  if hub_module:
    # Deviation (docs/DEVIATIONS.md): the original calls from_hub_module(use_spm=bool(
    # spm_model_file)) and crashes without a dummy --spm_model_file; we let the module's
    # asset decide between SentencePiece and WordPiece.
    if spm_model_file or vocab_file:
      logging.info("Tokenizer taken from hub module %s; ignoring --spm_model_file=%s "
                   "--vocab_file=%s", hub_module, spm_model_file, vocab_file)
    return tokenization.FullTokenizer.from_hub_module(hub_module, use_spm=None)

  # Deviation (docs/DEVIATIONS.md): one tokenizer source is enough (the original required
  # --spm_model_file even for WordPiece vocabularies).
  if spm_model_file:
    if not tf.io.gfile.exists(spm_model_file):
      raise FileNotFoundError(
          "--spm_model_file=%s does not exist (a placeholder such as 'from_tf_hub' only "
          "works together with --albert_hub_module_handle)" % spm_model_file)
    return tokenization.FullTokenizer.from_scratch(
        vocab_file=vocab_file, do_lower_case=do_lower_case, spm_model_file=spm_model_file)
  if vocab_file:
    if not tf.io.gfile.exists(vocab_file):
      raise FileNotFoundError("--vocab_file=%s does not exist" % vocab_file)
    return tokenization.FullTokenizer.from_scratch(
        vocab_file=vocab_file, do_lower_case=do_lower_case, spm_model_file=None)
  raise ValueError(
      "No tokenizer: pass --spm_model_file (SentencePiece .model, the English ALBERT "
      "models), --vocab_file (WordPiece vocab.txt, e.g. the Chinese models) or "
      "--albert_hub_module_handle.")


def check_max_seq_length(max_seq_length, albert_config, config_file=None):
  """Raises ValueError if `max_seq_length` exceeds the model's position embeddings.

  Args:
    max_seq_length: int, the --max_seq_length flag.
    albert_config: `modeling.AlbertConfig`, or None (hub module: not checked here).
    config_file: the config's path, for the message.
  """
  if albert_config is None:
    return
  if max_seq_length > albert_config.max_position_embeddings:
    raise ValueError(
        "Cannot use sequence length %d (--max_seq_length) because the ALBERT model was only "
        "trained up to sequence length %d (max_position_embeddings in %s)" %
        (max_seq_length, albert_config.max_position_embeddings, config_file or "the config"))


def check_vocab_fits(tokenizer, albert_config, config_file=None):
  """Raises ValueError if the tokenizer makes ids the model has no embedding for.

  Without this check a too-small `vocab_size` fails at the first training step with a bare
  "indices[...] = 2070 is not in [0, 1000)" from the embedding lookup.

  Args:
    tokenizer: `tokenization.FullTokenizer`.
    albert_config: `modeling.AlbertConfig`, or None (hub module: not checked here).
    config_file: the config's path, for the message.
  """
  if albert_config is None:
    return
  tokenizer_size = len(tokenizer.vocab)
  if tokenizer_size > albert_config.vocab_size:
    source = "SentencePiece model" if tokenizer.sp_model is not None else "WordPiece vocab"
    raise ValueError(
        "The tokenizer's %s has %d pieces (ids up to %d), but vocab_size is %d in %s: the "
        "model has no embedding for the larger ids. Use the tokenizer the model was trained "
        "with, or a config whose vocab_size is at least %d." %
        (source, tokenizer_size, tokenizer_size - 1, albert_config.vocab_size,
         config_file or "the config", tokenizer_size))
