# coding=utf-8
"""The encoder and the tokenizer of a fine-tuning run: from local files or a TF-Hub module.

Every fine-tuning runner (GLUE, SQuAD, RACE) gets its ALBERT encoder from `create_albert`
and its tokenizer from `create_vocab`, so the choice "config + checkpoint files" versus
"TF-Hub module" is made in one place. The model's config for the runners' checks comes from
`load_albert_config` (the config file, or the `albert_config.json` asset of a hub module), and
the checks that the tokenizer and the sequence length fit the model (`check_vocab_fits`,
`check_max_seq_length`) are here too, so that every runner makes them before it writes
anything. A hub module handle is checked (`resolve_hub_module`) by the first of these calls,
with an error naming the handle. `load_config_and_tokenizer` makes all of them, in the order a
runner's validation phase needs.

Importing this module imports tensorflow-hub, which defines its own absl flags
(`--tfhub_cache_dir`, `--tfhub_model_load_format`); so, as in the original, every runner that
takes a hub module accepts them.
"""

from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import os

import tensorflow as tf
import tensorflow_hub as hub

from albert import modeling
from albert import tokenization

logging = tf.compat.v1.logging

# The dummy --spm_model_file of the original Colab: "take the tokenizer from the hub module".
FROM_HUB_PLACEHOLDER = "from_tf_hub"
# The config asset of the modules export_to_tfhub writes (the original exporter's too).
HUB_CONFIG_ASSET_NAME = "albert_config.json"
# The file tensorflow-hub writes into every TF1 (hub.Module format) module directory.
HUB_MODULE_PROTO_NAME = "tfhub_module.pb"
# What the runners need of a hub module: the encoder signature in both graph variants.
HUB_ENCODER_SIGNATURE = "tokens"
HUB_TOKENIZATION_SIGNATURE = "tokenization_info"
HUB_TAG_SETS = (frozenset(["train"]), frozenset())


def resolve_hub_module(hub_module, required_signatures=(HUB_ENCODER_SIGNATURE,)):
  """Resolves a hub module handle and checks that it is an ALBERT TF1 hub module.

  Called by the runners' validation phase (through `load_albert_config` and `create_vocab`),
  so a wrong `--albert_hub_module_handle` fails before anything is written.

  Args:
    hub_module: a local or gs:// module directory, or any handle tensorflow-hub resolves
      (e.g. a tfhub.dev URL, downloaded into --tfhub_cache_dir).
    required_signatures: signature names the module must have.

  Returns:
    str, the module's directory.

  Raises:
    ValueError: naming the handle: it cannot be resolved, is not a TF1 hub module, or lacks a
      graph variant or signature.
  """
  flag = "--albert_hub_module_handle=%s" % hub_module
  try:
    module_dir = hub.resolve(hub_module)
  except Exception as error:  # pylint: disable=broad-except
    # tensorflow-hub raises IOError, ValueError or urllib errors depending on the resolver.
    raise ValueError("%s: not found or cannot be resolved (%s: %s)" %
                     (flag, type(error).__name__, error)) from error
  if not tf.io.gfile.exists(os.path.join(module_dir, HUB_MODULE_PROTO_NAME)):
    kind = ("a SavedModel but not a TF1 hub module (hub.Module format)"
            if tf.io.gfile.exists(os.path.join(module_dir, "saved_model.pb"))
            else "not a TF-Hub module")
    raise ValueError("%s: %s is %s (no %s). Export one with "
                     "`python -m albert.export_to_tfhub`." %
                     (flag, module_dir, kind, HUB_MODULE_PROTO_NAME))
  try:
    spec = hub.load_module_spec(module_dir)
  except Exception as error:  # pylint: disable=broad-except
    raise ValueError("%s: cannot load the hub module in %s (%s: %s)" %
                     (flag, module_dir, type(error).__name__, error)) from error
  tag_sets = {frozenset(tags) for tags in spec.get_tags()}
  missing_tags = [set(tags) for tags in HUB_TAG_SETS if tags not in tag_sets]
  if missing_tags:
    raise ValueError("%s: the module has no graph variant with tags %s (it has %s); ALBERT "
                     "modules have {'train'} (fine-tuning) and set() (inference)." %
                     (flag, missing_tags[0], sorted(set(tags) for tags in tag_sets)))
  signatures = set(spec.get_signature_names())
  for name in required_signatures:
    if name not in signatures:
      raise ValueError("%s: the module has no %r signature (it has: %s)." %
                       (flag, name, ", ".join(sorted(signatures)) or "none"))
  return module_dir


def load_albert_config(albert_config_file, hub_module):
  """The model's config, for the runners' checks of the sequence length and the vocabulary.

  With a hub module, its `albert_config.json` asset describes the model actually used, so it
  wins over `--albert_config_file`; a module without that asset falls back to the file, or to
  no config (the checks are then skipped, with a warning).

  Args:
    albert_config_file: the --albert_config_file flag, or None.
    hub_module: the --albert_hub_module_handle flag, or None.

  Returns:
    (config, config_path): `modeling.AlbertConfig` and the file it was read from, or
    (None, None).

  Raises:
    ValueError: neither flag is given, or the hub module is not usable (`resolve_hub_module`).
  """
  if not albert_config_file and not hub_module:
    raise ValueError("At least one of `--albert_config_file` and "
                     "`--albert_hub_module_handle` must be set.")
  # Deviation (docs/DEVIATIONS.md): the original checked the module nowhere and read only
  # --albert_config_file (no checks at all without one).
  if hub_module:
    module_dir = resolve_hub_module(hub_module)
    config_asset = os.path.join(module_dir, "assets", HUB_CONFIG_ASSET_NAME)
    if tf.io.gfile.exists(config_asset):
      logging.info("Model config from the hub module: %s%s", config_asset,
                   " (not --albert_config_file=%s)" % albert_config_file
                   if albert_config_file else "")
      return modeling.AlbertConfig.from_json_file(config_asset), config_asset
    if not albert_config_file:
      logging.warning("Hub module %s has no assets/%s: --max_seq_length and the vocabulary "
                      "size cannot be checked against the model.", hub_module,
                      HUB_CONFIG_ASSET_NAME)
      return None, None
  return modeling.AlbertConfig.from_json_file(albert_config_file), albert_config_file


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
  """Creates the tokenizer from ONE source: an SPM model, a WordPiece vocab, or a hub module.

  Precedence: `spm_model_file` (SentencePiece; `vocab_file` is then ignored, as in the
  original), then `vocab_file` (WordPiece, e.g. the Chinese models), then the hub module's
  `tokenization_info` signature (the tokenizer asset and its lower-casing). With a hub module,
  an explicit tokenizer file replaces the module's (e.g. for a module without
  `tokenization_info`), and `spm_model_file="from_tf_hub"` (the original Colab's placeholder)
  means "take it from the module", like giving no tokenizer flag.

  Args:
    vocab_file: WordPiece vocab file, or None.
    do_lower_case: bool (WordPiece lower-casing; SentencePiece callers lower-case in
      `preprocess_text` with the returned tokenizer's `do_lower_case`). A hub module's
      `tokenization_info` overrides it.
    spm_model_file: SentencePiece `.model` file, "from_tf_hub", or None.
    hub_module: TF-Hub module handle or path, or None.

  Returns:
    `tokenization.FullTokenizer`.

  Raises:
    ValueError: no tokenizer source at all, or an unusable hub module.
    FileNotFoundError: the chosen tokenizer file does not exist (the message names the flag).
  """
  if hub_module:
    if spm_model_file == FROM_HUB_PLACEHOLDER or not (spm_model_file or vocab_file):
      return _tokenizer_from_hub_module(hub_module, do_lower_case)
    resolve_hub_module(hub_module)
    # Deviation (docs/DEVIATIONS.md): the original took the tokenizer from the module whatever
    # the file flags said (they only chose SentencePiece vs WordPiece).
    flag, path = (("--spm_model_file", spm_model_file) if spm_model_file
                  else ("--vocab_file", vocab_file))
    if not tf.io.gfile.exists(path):
      raise FileNotFoundError(
          "%s=%s does not exist. With --albert_hub_module_handle, leave the tokenizer flags "
          "out (or pass --spm_model_file=%s) to use the module's tokenizer." %
          (flag, path, FROM_HUB_PLACEHOLDER))
    logging.info("Tokenizer from %s=%s instead of the hub module's tokenization_info.",
                 flag, path)

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


def _tokenizer_from_hub_module(hub_module, do_lower_case):
  """The tokenizer of the module's `tokenization_info`, with the module's lower-casing."""
  resolve_hub_module(hub_module,
                     required_signatures=(HUB_ENCODER_SIGNATURE, HUB_TOKENIZATION_SIGNATURE))
  # Deviation (docs/DEVIATIONS.md): the original calls from_hub_module(use_spm=bool(
  # spm_model_file)) and crashes without a dummy --spm_model_file; we let the module's
  # asset decide between SentencePiece and WordPiece.
  tokenizer = tokenization.FullTokenizer.from_hub_module(hub_module, use_spm=None)
  # Deviation (docs/DEVIATIONS.md): the module's do_lower_case also applies to SentencePiece
  # text (callers preprocess with tokenizer.do_lower_case).
  logging.info("Tokenizer from the tokenization_info of hub module %s: %s, do_lower_case=%s",
               hub_module,
               "SentencePiece" if tokenizer.sp_model is not None else "WordPiece",
               tokenizer.do_lower_case)
  if tokenizer.do_lower_case != do_lower_case:
    logging.warning("Hub module %s says do_lower_case=%s: the tokenizer follows it, not "
                    "--do_lower_case=%s.", hub_module, tokenizer.do_lower_case, do_lower_case)
  return tokenizer


def load_config_and_tokenizer(albert_config_file, hub_module, max_seq_length, vocab_file,
                              spm_model_file, do_lower_case, do_train=False,
                              init_checkpoint=None):
  """The model's config and the tokenizer of a fine-tuning run, checked against each other.

  The checks every fine-tuning runner makes before it writes anything: a config file or a
  usable hub module is given (`load_albert_config`); `max_seq_length` fits the position
  embeddings; the tokenizer exists (`create_vocab`) and its ids fit the vocabulary. Training
  from random weights (no checkpoint, no hub module) is allowed, with a warning.

  Args:
    albert_config_file: the --albert_config_file flag, or None with `hub_module`.
    hub_module: the --albert_hub_module_handle flag, or None.
    max_seq_length: int, the --max_seq_length flag.
    vocab_file, spm_model_file, do_lower_case: the tokenizer flags (see `create_vocab`).
    do_train: whether the run trains (for the random-weights warning).
    init_checkpoint: the --init_checkpoint flag.

  Returns:
    (albert_config, tokenizer): `modeling.AlbertConfig` (None for a hub module without a
    config asset and no config file) and `tokenization.FullTokenizer`, whose
    `do_lower_case` the runner's text preprocessing should follow.

  Raises:
    ValueError, FileNotFoundError: naming the flag and the value that is wrong.
  """
  albert_config, config_path = load_albert_config(albert_config_file, hub_module)
  check_max_seq_length(max_seq_length, albert_config, config_path)
  tokenizer = create_vocab(vocab_file=vocab_file, do_lower_case=do_lower_case,
                           spm_model_file=spm_model_file, hub_module=hub_module)
  check_vocab_fits(tokenizer, albert_config, config_path)
  if do_train and not init_checkpoint and not hub_module:
    logging.warning("Training without --init_checkpoint or --albert_hub_module_handle: the "
                    "encoder starts from RANDOM weights (expect near-chance dev scores).")
  return albert_config, tokenizer


def check_max_seq_length(max_seq_length, albert_config, config_file=None):
  """Raises ValueError if `max_seq_length` exceeds the model's position embeddings.

  Args:
    max_seq_length: int, the --max_seq_length flag.
    albert_config: `modeling.AlbertConfig`, or None (nothing to check against, e.g. a hub
      module without a config asset).
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
    albert_config: `modeling.AlbertConfig`, or None (nothing to check against).
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
