#!/usr/bin/env bash
# Start a one-node Slurm on this machine without systemd (CI and the tests of `regress run --cluster slurm`):
# munged as user munge, then slurmctld and slurmd with a slurm.conf written here (proctrack/linuxproc, task/none,
# no accounting), and wait until sinfo shows the node idle. Root only. Idempotent: what already runs is kept.
# What this script started is listed in $STATE (one "name pid" a line) so that ci/slurm_down.sh stops exactly that.
#   ci/slurm_up.sh            (needs Debian's slurmctld slurmd slurm-client munge: ci/install_apt.sh installs them)
set -euo pipefail
STATE=${SLURM_STATE_DIR:-/var/lib/layer-engine-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by layer-engine ci/slurm_up.sh"
[[ $(id -u) -eq 0 ]] || { echo "slurm_up: needs root (starts munged, slurmctld, slurmd)" >&2; exit 2; }
for b in munged slurmctld slurmd sinfo sbatch; do
  command -v "$b" >/dev/null || [[ -x /usr/sbin/$b ]] || {
    echo "slurm_up: $b not found: apt-get install slurmctld slurmd slurm-client munge" >&2; exit 2; }
done
mkdir -p "$STATE" /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
touch "$STATE/started"
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# munge: the key comes with the Debian package; munged runs as user munge
chown munge:munge /run/munge; chmod 0755 /run/munge
if ! alive /run/munge/munged.pid; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do alive /run/munge/munged.pid && break; sleep 0.1; done
  echo "munged $(cat /run/munge/munged.pid)" >> "$STATE/started"
fi
munge -n | unmunge >/dev/null || { echo "slurm_up: munge does not round-trip (see /var/log/munge/munged.log)" >&2; exit 1; }

host=$(hostname -s)
node=$(/usr/sbin/slurmd -C | head -n 1)          # NodeName=<host> CPUs=... RealMemory=...
if [[ -f $CONF ]] && ! head -n 1 "$CONF" | grep -qF "$MARK"; then
  echo "slurm_up: using the existing $CONF (not written by this script)"
else
  cat > "$CONF" <<CONFEOF
$MARK
ClusterName=layer-engine
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerParameters=sched_interval=1
MessageTimeout=10
KillWait=5
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONFEOF
fi
if ! alive /run/slurmctld.pid; then
  /usr/sbin/slurmctld -i
  for _ in $(seq 50); do alive /run/slurmctld.pid && break; sleep 0.1; done
  echo "slurmctld $(cat /run/slurmctld.pid)" >> "$STATE/started"
fi
if ! alive /run/slurmd.pid; then
  /usr/sbin/slurmd
  for _ in $(seq 50); do alive /run/slurmd.pid && break; sleep 0.1; done
  echo "slurmd $(cat /run/slurmd.pid)" >> "$STATE/started"
fi
for _ in $(seq 300); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  if [[ $state == idle* || $state == mix* || $state == alloc* ]]; then
    echo "slurm_up: node $host $state (partition $(sinfo -h -o %P | head -n 1)); started: $(cut -d' ' -f1 "$STATE/started" | xargs)"
    exit 0
  fi
  [[ $state == down* || $state == drain* ]] && scontrol update nodename="$host" state=resume 2>/dev/null || true
  sleep 0.2
done
echo "slurm_up: the node did not become idle within 60 s (sinfo: ${state:-nothing}); see /var/log/slurm/" >&2
exit 1
