#!/usr/bin/env bash
# Run one sweep across a Slurm job array over a shared results folder.
#
#   sbatch --array=0-15 tools/slurm/sweep_array.sh experiments/paper_fp8.json
#
# Task I of N runs `fpsim sweep SWEEP --shard I/N`: the runs whose index % N == I. Shards are
# disjoint and together cover the sweep; each run also holds a flock on <results>/<sweep>/<id>/lock,
# so an overlapping or resubmitted task never trains a run twice (the results folder must be on a
# file system with working flock, e.g. NFSv4 or Lustre with -o flock). Resubmitting the same array
# after a time-out or node failure resumes: complete runs are skipped, partial ones restarted.
# Afterwards: fpsim sweep --status SWEEP; fpsim report results/<sweep name>.
#SBATCH --job-name=fpsim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
sweep=${1:?usage: sbatch --array=0-N tools/slurm/sweep_array.sh SWEEP.json [RESULTS_DIR]}
results=${2:-results}
fpsim=${FPSIM:-build/tools/fpsim}
shards=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array}
# SLURM_ARRAY_TASK_ID counts from the array's first index; shards count from 0.
shard=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
# One run at a time per task, using all the task's cores (jobs x threads = cpus-per-task).
jobs=${JOBS:-1}
exec "$fpsim" sweep "$sweep" --shard "$shard/$shards" --jobs "$jobs" --results "$results"
