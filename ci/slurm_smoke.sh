#!/usr/bin/env bash
# make test's Slurm stage: the smoke suite on a real one-node Slurm (`regress run smoke --cluster slurm --cov`: the
# coverage builds, as the local stage, whose BFM timing differs from the plain builds'), and its
# per-run transaction-log sha256 and failure buckets compared with the local run of the smoke regression stage.
#   ci/slurm_smoke.sh PY LOCAL_OUT SLURM_OUT
# As root: installs Debian's slurmctld slurmd slurm-client munge (when missing), starts munged, slurmctld and
# slurmd (ci/slurm_up.sh), runs the suite, stops what it started (ci/slurm_down.sh) and checks that squeue was
# empty before. Not root: skips with the reason (exit 0).
set -uo pipefail
py=$1; local_out=$2; slurm_out=$3
here=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "slurm stage: SKIPPED: needs root (installs and starts munge, slurmctld, slurmd); run make test as root"
  exit 0
fi
"$here/install_apt.sh" slurmctld slurmd slurm-client munge || exit 1
"$here/slurm_up.sh" || { "$here/slurm_down.sh"; exit 1; }
trap '"$here/slurm_down.sh"' EXIT
rc=0
"$here/run_regress.sh" "$py" smoke "$slurm_out" --cluster slurm --cov || rc=1
left=$(squeue -h -o '%i %j %T' 2>/dev/null)
if [[ -n $left ]]; then
  echo "slurm stage: FAILED: jobs left in squeue after the regression: $left"
  rc=1
fi
if [[ -f $local_out/results.json ]]; then
  "$py" -m regress.launchers.compare "$local_out" "$slurm_out" || rc=1
else
  echo "slurm stage: FAILED: no local smoke regression in $local_out to compare with"
  rc=1
fi
exit $rc
