#!/usr/bin/env bash
# Fine-tunes ALBERT on the GLUE tasks with the paper's per-task hyper-parameters, evaluates
# every checkpoint on dev, predicts the test sets, and prints the best dev metric per task.
#
# Each task runs as two invocations, like the original script: (1) training only; (2) the
# dev-set checkpoint sweep (keeps model.ckpt-best) plus test-set prediction.
#
# Environment (defaults in brackets):
#   ALBERT_ROOT           directory holding glue/, 30k-clean.model, vocab.txt (as the original)
#   GLUE_DIR              GLUE data directory                        [$ALBERT_ROOT/glue]
#   SPM_MODEL_FILE        SentencePiece model                        [$ALBERT_ROOT/30k-clean.model if present]
#   VOCAB_FILE            WordPiece vocab (models without SPM)       [$ALBERT_ROOT/vocab.txt if present]
#   ALBERT_CONFIG_FILE    albert_config.json                         [$ALBERT_ROOT/albert_config.json if present]
#   INIT_CHECKPOINT       pretrained checkpoint prefix               [none]
#   ALBERT_HUB_MODULE_HANDLE  TF-Hub module (replaces config+checkpoint, may supply the tokenizer) [none]
#   OUTPUT_DIR            one sub-directory per task                 [$(mktemp -d)/output]
#   TASKS                 space-separated task names                 [SST-2 MNLI CoLA QNLI QQP RTE STS-B MRPC WNLI]
#   MAX_SEQ_LENGTH        [512]
#   TRAIN_STEP_SCALE      multiply every task's train/warmup steps   [1]
#   TRAIN_STEPS           train steps for every task (overrides the table and the scale; warmup
#                         keeps its proportion of the table's steps)
#   SAVE_CHECKPOINTS_STEPS, TRAIN_BATCH_SIZE, EVAL_BATCH_SIZE, PREDICT_BATCH_SIZE  overrides
#   PYTHON                interpreter           [the repo's .venv/bin/python if present, else python3]
#   EXTRA_ARGS            extra flags for every run_classifier call  [none]
#
# Tiny smoke run (seconds on a CPU; configs/albert_tiny_30k.json is a tiny random model whose
# vocabulary fits ALBERT's 30k SentencePiece model):
#   GLUE_DIR=... SPM_MODEL_FILE=30k-clean.model ALBERT_CONFIG_FILE=configs/albert_tiny_30k.json \
#   TASKS="MRPC RTE" MAX_SEQ_LENGTH=32 TRAIN_STEPS=4 TRAIN_BATCH_SIZE=4 scripts/run_glue.sh
# Deviation (docs/DEVIATIONS.md): unlike the original, this script creates no virtualenv and
# installs nothing (no network), has no default TF-Hub URL, also runs WNLI, takes its inputs
# from the environment (tiny-run overrides included) and prints a summary table.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PYTHONPATH="${REPO_ROOT}${PYTHONPATH:+:${PYTHONPATH}}"

if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "${REPO_ROOT}/.venv/bin/python" ]]; then
    PYTHON="${REPO_ROOT}/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi
ALBERT_ROOT="${ALBERT_ROOT:-}"
_default_file() {  # prints $ALBERT_ROOT/$1 when it exists
  if [[ -n "${ALBERT_ROOT}" && -e "${ALBERT_ROOT}/$1" ]]; then echo "${ALBERT_ROOT}/$1"; fi
}
GLUE_DIR="${GLUE_DIR:-${ALBERT_ROOT:+${ALBERT_ROOT}/glue}}"
SPM_MODEL_FILE="${SPM_MODEL_FILE-$(_default_file 30k-clean.model)}"
VOCAB_FILE="${VOCAB_FILE-$(_default_file vocab.txt)}"
ALBERT_CONFIG_FILE="${ALBERT_CONFIG_FILE-$(_default_file albert_config.json)}"
INIT_CHECKPOINT="${INIT_CHECKPOINT:-}"
ALBERT_HUB_MODULE_HANDLE="${ALBERT_HUB_MODULE_HANDLE:-}"
OUTPUT_DIR="${OUTPUT_DIR:-$(mktemp -d)/output}"
TASKS="${TASKS:-SST-2 MNLI CoLA QNLI QQP RTE STS-B MRPC WNLI}"
MAX_SEQ_LENGTH="${MAX_SEQ_LENGTH:-512}"
TRAIN_STEP_SCALE="${TRAIN_STEP_SCALE:-1}"
TRAIN_STEPS="${TRAIN_STEPS:-}"
EXTRA_ARGS="${EXTRA_ARGS:-}"

if [[ -z "${GLUE_DIR}" ]]; then
  echo "run_glue.sh: set GLUE_DIR (or ALBERT_ROOT with a glue/ sub-directory)." >&2
  exit 2
fi
if [[ -z "${SPM_MODEL_FILE}${VOCAB_FILE}${ALBERT_HUB_MODULE_HANDLE}" ]]; then
  echo "run_glue.sh: set SPM_MODEL_FILE, VOCAB_FILE or ALBERT_HUB_MODULE_HANDLE." >&2
  exit 2
fi
if [[ -z "${ALBERT_CONFIG_FILE}${ALBERT_HUB_MODULE_HANDLE}" ]]; then
  echo "run_glue.sh: set ALBERT_CONFIG_FILE or ALBERT_HUB_MODULE_HANDLE." >&2
  exit 2
fi

# Per-task hyper-parameters: warmup steps, learning rate, train steps, checkpoint every,
# batch size (paper appendix A.4; WNLI added to the original script's eight tasks).
hparams_for() {
  case "$1" in
    SST-2) echo "1256 1e-5 20935 100 32" ;;
    MNLI)  echo "1000 3e-5 10000 100 128" ;;
    CoLA)  echo "320 1e-5 5336 100 16" ;;
    QNLI)  echo "1986 1e-5 33112 200 32" ;;
    QQP)   echo "1000 5e-5 14000 100 128" ;;
    RTE)   echo "200 3e-5 800 100 32" ;;
    STS-B) echo "214 2e-5 3598 100 16" ;;
    MRPC)  echo "200 2e-5 800 100 32" ;;
    WNLI)  echo "250 2e-5 2000 100 16" ;;
    *) echo "run_glue.sh: unknown task '$1' (known: SST-2 MNLI CoLA QNLI QQP RTE STS-B MRPC WNLI)" >&2
       return 1 ;;
  esac
}

# The dev metric that selects model.ckpt-best (as run_classifier).
metric_for() {
  case "$1" in
    STS-B) echo "pearson" ;;
    CoLA) echo "matthew_corr" ;;
    *) echo "eval_accuracy" ;;
  esac
}

model_args=()
[[ -n "${ALBERT_CONFIG_FILE}" ]] && model_args+=("--albert_config_file=${ALBERT_CONFIG_FILE}")
[[ -n "${ALBERT_HUB_MODULE_HANDLE}" ]] && model_args+=("--albert_hub_module_handle=${ALBERT_HUB_MODULE_HANDLE}")
[[ -n "${SPM_MODEL_FILE}" ]] && model_args+=("--spm_model_file=${SPM_MODEL_FILE}")
[[ -n "${VOCAB_FILE}" ]] && model_args+=("--vocab_file=${VOCAB_FILE}")
init_args=()
[[ -n "${INIT_CHECKPOINT}" ]] && init_args+=("--init_checkpoint=${INIT_CHECKPOINT}")
# shellcheck disable=SC2206
extra_args=(${EXTRA_ARGS})

for task in ${TASKS}; do
  read -r warmup lr steps save_every batch <<< "$(hparams_for "${task}")"
  if [[ -n "${TRAIN_STEPS}" ]]; then
    new_steps="${TRAIN_STEPS}"
  else
    new_steps=$(awk -v s="${steps}" -v f="${TRAIN_STEP_SCALE}" \
      'BEGIN { n = int(s * f + 0.5); print (n < 1 ? 1 : n) }')
  fi
  warmup=$(awk -v w="${warmup}" -v s="${steps}" -v n="${new_steps}" \
    'BEGIN { print int(w * n / s + 0.5) }')
  steps="${new_steps}"
  save_every="${SAVE_CHECKPOINTS_STEPS:-${save_every}}"
  if (( save_every > steps )); then save_every="${steps}"; fi
  batch="${TRAIN_BATCH_SIZE:-${batch}}"

  task_args=(
    "--task_name=${task}"
    "--data_dir=${GLUE_DIR}"
    "--output_dir=${OUTPUT_DIR}/${task}"
    "--do_lower_case"
    "--max_seq_length=${MAX_SEQ_LENGTH}"
    "--optimizer=adamw"
    "--warmup_step=${warmup}"
    "--learning_rate=${lr}"
    "--train_step=${steps}"
    "--save_checkpoints_steps=${save_every}"
    "--train_batch_size=${batch}"
    "--eval_batch_size=${EVAL_BATCH_SIZE:-8}"
    "--predict_batch_size=${PREDICT_BATCH_SIZE:-8}"
    "${model_args[@]}"
  )
  echo "=== ${task}: train ${steps} steps (warmup ${warmup}, lr ${lr}, batch ${batch}," \
       "checkpoint every ${save_every}) -> ${OUTPUT_DIR}/${task}"
  "${PYTHON}" -m albert.run_classifier "${task_args[@]}" "${init_args[@]}" \
    --do_train --nodo_eval --nodo_predict "${extra_args[@]}"
  echo "=== ${task}: evaluate checkpoints on dev, predict test"
  "${PYTHON}" -m albert.run_classifier "${task_args[@]}" \
    --nodo_train --do_eval --do_predict "${extra_args[@]}"
done

# Summary: the best dev checkpoint of each task, with every metric of that checkpoint.
echo
echo "=== GLUE dev results (best checkpoint per task) in ${OUTPUT_DIR}"
printf "%-7s %-14s %-10s %-7s %s\n" "task" "metric" "best" "step" "other metrics at that step"
for task in ${TASKS}; do
  results="${OUTPUT_DIR}/${task}/eval_results.txt"
  metric="$(metric_for "${task}")"
  if [[ ! -f "${results}" ]]; then
    printf "%-7s %-14s %-10s %-7s %s\n" "${task}" "${metric}" "-" "-" "(no eval_results.txt)"
    continue
  fi
  best_line="$(grep '^best = ' "${results}" | tail -n 1 || true)"
  best_value="$(sed -E 's/^best = ([^ ]+) \(step ([0-9]+)\)$/\1/' <<< "${best_line}")"
  best_step="$(sed -E 's/^best = ([^ ]+) \(step ([0-9]+)\)$/\2/' <<< "${best_line}")"
  others="$(awk -v ckpt="model.ckpt-${best_step}" -v metric="${metric}" '
      /^checkpoint = / { current = $3; next }
      current == ckpt && $2 == "=" && $1 != metric && $1 != "global_step" && $1 != "loss" {
        out = out sprintf("%s=%.4f ", $1, $3) }
      END { print out }' "${results}")"
  printf "%-7s %-14s %-10.4f %-7s %s\n" "${task}" "${metric}" "${best_value}" "${best_step}" \
    "${others}"
done
