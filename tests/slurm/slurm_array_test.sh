#!/usr/bin/env bash
# slurm_array_test.sh FPSIM SOURCE_DIR
#
# 1. munged with its own key and socket, slurmctld and slurmd with a slurm.conf, all under a temporary directory
#    (free TCP ports on localhost, no cgroups: proctrack/linuxproc, task/none; see ../shared/SLURM-NOTES.md);
# 2. a sweep of 6 runs (MLP on synthetic data, a few steps each) submitted with
#    sbatch --array=0-2 tools/slurm/sweep_array.sh, waited for (bounded);
# 3. checks: the 3 array tasks COMPLETED with exit 0, the shards trained 6 distinct runs between them (each
#    run once), every run is complete, `fpsim sweep --status` and `fpsim report` work; a resubmitted array
#    trains nothing again (every run's files unchanged);
# 4. always (trap): stops slurmd, slurmctld and munged by the pids in their pid files, removes the directory.
set -euo pipefail
fpsim=$(realpath "$1")
src=$(realpath "$2")
fail() { echo "slurm test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (munged and slurmd run as root here; CI runs as root)"
for tool in munged munge unmunge slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run tools/setup.sh (installs slurm-wlm and munge)"
done

tmp=$(mktemp -d /tmp/fpsim-slurm.XXXXXX)
chmod 0700 "$tmp"
stop_daemons() {
  local pidfile pid
  for pidfile in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
on_exit() {
  local status=$?
  stop_daemons
  if [ $status -ne 0 ]; then
    for log in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/job/*.out; do
      [ -f "$log" ] && { echo "== $log (last lines)"; tail -n 15 "$log"; }
    done
  fi
  rm -rf "$tmp"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- munge: own key, socket, pid, log and seed files ---
mkdir -m 0700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$tmp/munge/munge.key"
socket="$tmp/munge/munge.socket"
munged --force --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" 2>"$tmp/munge/stderr" ||
  fail "munged did not start: $(cat "$tmp/munge/stderr")"
munge -S "$socket" -n | unmunge -S "$socket" | grep -q 'STATUS: *Success' || fail "munge credential check failed"

# --- slurm.conf: this host's real CPU layout (slurmd -C), memory a little below the total ---
read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
node=$(slurmd -C | head -n 1)
memory=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
node=$(sed "s/RealMemory=[0-9]*/RealMemory=$((memory * 9 / 10))/" <<<"$node")
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/job"
conf="$tmp/slurm.conf"
cat >"$conf" <<CONF
ClusterName=fpsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=fpsimtest Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
slurmctld -c -f "$conf" || fail "slurmctld did not start"
slurmd -f "$conf" || fail "slurmd did not start"
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node is '$state' after 60 s, not idle"

# --- a tiny sweep: 2 precisions x 3 seeds of a small MLP on synthetic data, 3 steps each ---
cat >"$tmp/sweep.json" <<'JSON'
{
  "schema": 1,
  "name": "slurm_smoke",
  "base": {
    "schema": 1, "name": "slurm_smoke", "seed": 1, "threads": 1,
    "model": {"type": "mlp", "widths": [784, 16, 10], "activation": "relu"},
    "data": {"dataset": "synthetic", "batch_size": 32, "train_size": 96, "test_size": 32, "classes": 10},
    "optimizer": {"type": "sgd", "lr": 0.05},
    "precision": "fp32",
    "steps": 3,
    "telemetry": {"interval": 0}
  },
  "axes": {"/precision": ["fp32", "e5m2_rne_all"]},
  "seeds": [1, 2, 3]
}
JSON
results="$tmp/results"
submit() {  # one array of 3 tasks; each asks for 1 CPU (sweep_array.sh's default of 4 would never start here)
  sbatch --parsable --array=0-2 --cpus-per-task=1 --time=00:10:00 --chdir="$src" \
    --output="$tmp/job/$1-%A_%a.out" --export=ALL,FPSIM="$fpsim" \
    "$src/tools/slurm/sweep_array.sh" "$tmp/sweep.json" "$results"
}
wait_for() {  # bounded wait until job $1 has left the queue; then every task COMPLETED with exit code 0
  local job=$1
  for _ in $(seq 240); do
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
    sleep 1
  done
  [ -z "$(squeue -h -j "$job")" ] || fail "job $job still queued after 240 s: $(squeue -h -j "$job" -o '%i %T %r')"
  local states
  states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z]* .*ExitCode=[0-9:]*' |
             sed 's/JobState=\([A-Z]*\).*ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c)
  [ "$(awk '{n += $1} END {print n}' <<<"$states")" = 3 ] && grep -q '^ *3 COMPLETED 0:0$' <<<"$states" ||
    fail "array $job: task states $states (expected 3 COMPLETED 0:0)"
}

job=$(submit first)
wait_for "$job"
run_dirs=$(find "$results/slurm_smoke" -mindepth 2 -maxdepth 2 -name summary.json | wc -l)
[ "$run_dirs" = 6 ] || fail "$run_dirs complete runs, expected 6"
grep -L '"status": "completed"' "$results"/slurm_smoke/*/summary.json | grep -q . && fail "a run did not complete"
# Each task trained its own shard and nothing else: its log ends "sweep slurm_smoke: 2 completed, 0 diverged,
# 0 already complete, 0 failed", so the 3 tasks trained 2 + 2 + 2 = 6 runs, none twice.
for log in "$tmp"/job/first-*.out; do
  grep -q "^sweep slurm_smoke (shard [0-2]/3: 2 of 6 runs" "$log" ||
    fail "$(basename "$log") does not run a shard of 2 runs: $(head -n 1 "$log")"
  # --cpus-per-task=1 and TaskPlugin=task/none (no binding): the sweep sizes its threads from the allocation.
  grep -q "), 1 job(s) x 1 thread(s) -> " "$log" ||
    fail "$(basename "$log") does not size its runs from --cpus-per-task=1: $(head -n 1 "$log")"
  grep -q "^sweep slurm_smoke: 2 completed, 0 diverged, 0 already complete, 0 failed$" "$log" ||
    fail "$(basename "$log") did not train exactly its 2 runs: $(tail -n 1 "$log")"
done
sums=$(cat "$results"/slurm_smoke/*/timing.json | sha256sum)

# Resubmitting the array (as after a time-out) trains nothing again.
job=$(submit again)
wait_for "$job"
for log in "$tmp"/job/again-*.out; do
  grep -q "^sweep slurm_smoke: 0 completed, 0 diverged, 2 already complete, 0 failed$" "$log" ||
    fail "resubmitted $(basename "$log") trained again: $(tail -n 1 "$log")"
done
[ "$(cat "$results"/slurm_smoke/*/timing.json | sha256sum)" = "$sums" ] || fail "the resubmitted array retrained runs"

"$fpsim" sweep "$tmp/sweep.json" --status --results "$results" >"$tmp/status.txt"
grep -q 'done' "$tmp/status.txt" || fail "sweep --status: $(cat "$tmp/status.txt")"
"$fpsim" report "$results/slurm_smoke" >"$tmp/report.log"
[ -s "$results/slurm_smoke/report.md" ] && [ -s "$results/slurm_smoke/summary.csv" ] || fail "report wrote nothing"
[ "$(tail -n +2 "$results/slurm_smoke/summary.csv" | wc -l)" = 6 ] || fail "summary.csv does not have 6 runs"
grep -h '^sweep slurm_smoke' "$tmp"/job/first-*.out | sed 's/^/  /'
echo "slurm test: 3 array tasks completed 6 runs once each on $host; resubmission retrained none; report written"
