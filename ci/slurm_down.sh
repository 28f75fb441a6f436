#!/usr/bin/env bash
# Stop what ci/slurm_up.sh started (and only that: the pids it listed), newest first; cancel the jobs left first.
set -uo pipefail
STATE=${SLURM_STATE_DIR:-/var/lib/layer-engine-slurm}
[[ -f $STATE/started ]] || exit 0
if grep -q '^slurmctld ' "$STATE/started"; then
  scancel --user=root 2>/dev/null || true
fi
tac "$STATE/started" | while read -r name pid; do
  [[ -n $pid ]] || continue
  if kill -0 "$pid" 2>/dev/null && grep -q "$name" "/proc/$pid/comm" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "slurm_down: stopped $name ($pid)"
  fi
done
rm -f "$STATE/started"
