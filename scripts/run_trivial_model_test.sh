#!/usr/bin/env bash
# A tiny pretraining run end to end on CPU, in a couple of minutes: the original's trivial
# model test, but on real (small) data made by this project's own tools instead of random ids.
#
#   1. a default corpus (Python standard-library docstrings)     albert.default_corpus
#   2. a 1000-piece SentencePiece model with ALBERT's id layout   albert.train_sentencepiece
#   3. pretraining TFRecords (MLM n-gram masks + SOP pairs)       albert.create_pretraining_data
#   4. pretraining + evaluation of a tiny ALBERT                   albert.run_pretraining
#   5. prints output/eval_results.txt (metrics per evaluated checkpoint; best checkpoint is
#      copied to output/model.ckpt-best.*)
#
# Environment (defaults in brackets):
#   PYTHON           interpreter   [the repo's .venv/bin/python if present, else python3]
#   WORK_DIR         where everything is written          [$(mktemp -d)]
#   NUM_TRAIN_STEPS  pretraining steps                    [200]
#   MAX_SEQ_LENGTH   sequence length                      [64]
set -e -x

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "${REPO_ROOT}/.venv/bin/python" ]]; then
    PYTHON="${REPO_ROOT}/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi
WORK_DIR="${WORK_DIR:-$(mktemp -d)}"
NUM_TRAIN_STEPS="${NUM_TRAIN_STEPS:-200}"
MAX_SEQ_LENGTH="${MAX_SEQ_LENGTH:-64}"
MAX_PREDICTIONS_PER_SEQ=10
mkdir -p "${WORK_DIR}"

# 1. Corpus: one sentence per line, a blank line between documents.
"${PYTHON}" -m albert.default_corpus \
  --output="${WORK_DIR}/corpus.txt" \
  --max_documents=300

# 2. SentencePiece model: 0 <pad>, 1 <unk>, 2 [CLS], 3 [SEP], 4 [MASK], ... (as 30k-clean).
"${PYTHON}" -m albert.train_sentencepiece \
  --input="${WORK_DIR}/corpus.txt" \
  --model_prefix="${WORK_DIR}/30k-clean" \
  --vocab_size=1000 \
  --do_lower_case

# 3. Pretraining data.
"${PYTHON}" -m albert.create_pretraining_data \
  --input_file="${WORK_DIR}/corpus.txt" \
  --output_file="${WORK_DIR}/pretrain.tfrecord" \
  --spm_model_file="${WORK_DIR}/30k-clean.model" \
  --do_lower_case \
  --max_seq_length="${MAX_SEQ_LENGTH}" \
  --max_predictions_per_seq="${MAX_PREDICTIONS_PER_SEQ}" \
  --dupe_factor=2

# 4. A tiny model: E 16, H 32, 2 layers sharing 1 group, 2 heads, vocab = the SPM model's.
cat > "${WORK_DIR}/albert_config.json" <<EOF
{
  "attention_probs_dropout_prob": 0.0,
  "hidden_act": "gelu",
  "hidden_dropout_prob": 0.0,
  "embedding_size": 16,
  "hidden_size": 32,
  "initializer_range": 0.02,
  "intermediate_size": 64,
  "max_position_embeddings": ${MAX_SEQ_LENGTH},
  "num_attention_heads": 2,
  "num_hidden_layers": 2,
  "num_hidden_groups": 1,
  "net_structure_type": 0,
  "inner_group_num": 1,
  "down_scale_factor": 1,
  "type_vocab_size": 2,
  "vocab_size": 1000
}
EOF

"${PYTHON}" -m albert.run_pretraining \
  --input_file="${WORK_DIR}/pretrain.tfrecord" \
  --output_dir="${WORK_DIR}/output" \
  --albert_config_file="${WORK_DIR}/albert_config.json" \
  --do_train \
  --do_eval \
  --nouse_tpu \
  --train_batch_size=16 \
  --eval_batch_size=16 \
  --max_seq_length="${MAX_SEQ_LENGTH}" \
  --max_predictions_per_seq="${MAX_PREDICTIONS_PER_SEQ}" \
  --optimizer=lamb \
  --learning_rate=0.01 \
  --num_train_steps="${NUM_TRAIN_STEPS}" \
  --num_warmup_steps=20 \
  --save_checkpoints_steps=100 \
  --max_eval_steps=20

# 5. Results.
cat "${WORK_DIR}/output/eval_results.txt"
ls "${WORK_DIR}/output"/model.ckpt-best.*
