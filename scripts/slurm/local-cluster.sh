#!/usr/bin/env bash
# A one-node Slurm cluster on loopback, for tests of `ionfield slurm` through real sbatch.
#   local-cluster.sh start DIR   installs slurm-wlm and munge from Debian when missing (as root,
#                                apt-get), writes DIR/slurm.conf, starts munged, slurmctld and
#                                slurmd with their state and spool under DIR, waits until the node
#                                is idle, and prints `export SLURM_CONF=DIR/slurm.conf`
#   local-cluster.sh stop DIR    stops the three daemons by the PIDs in DIR/*.pid
# Ports: IONFIELD_SLURMCTLD_PORT (default 16817) and IONFIELD_SLURMD_PORT (default 16818), so that
# two clusters (two test runs) on one machine do not meet; MUNGE uses its own key and socket in DIR.
# Exit status 3 (and one line on stderr saying why) when Slurm cannot be installed or started here:
# callers skip. Facts this relies on (checked on Debian 12, slurm-wlm 22.05): SlurmUser=root,
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none need no cgroups or systemd.
set -uo pipefail
verb=${1:-}; dir=${2:-}
[ -n "$verb" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
  for d in slurmd slurmctld munged; do
    [ -f "$dir/$d.pid" ] || continue
    pid=$(cat "$dir/$d.pid")
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/$d.pid"
  done
}
skip() { echo "local-cluster: $*" >&2; stop; exit 3; }

if [ "$verb" = stop ]; then stop; exit 0; fi
[ "$verb" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" -eq 0 ] || skip "slurm-wlm and munge are not installed and this is not root (apt-get install -y slurm-wlm munge)"
  command -v apt-get >/dev/null || skip "no apt-get to install slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  # The install's own service start fails without systemd; the binaries are what we need.
  apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; } ||
    command -v slurmctld >/dev/null || skip "apt-get install slurm-wlm munge failed"
fi
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root (SlurmUser=root) for this one-node test cluster"

mkdir -p "$dir"/{state,spool,log,munge}
dir=$(cd "$dir" && pwd)
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)

# MUNGE: a key of our own and a socket under DIR, so a system munged (if any) is left alone.
key="$dir/munge/munge.key"
[ -f "$key" ] || { dd if=/dev/urandom of="$key" bs=1024 count=1 status=none; chmod 400 "$key"; }
socket="$dir/munge/munge.socket"
munged --force --key-file="$key" --socket="$socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" 2>>"$dir/log/munged.err" ||
  skip "munged did not start ($(tail -1 "$dir/log/munged.err" 2>/dev/null))"

cat >"$dir/slurm.conf" <<EOF
ClusterName=ionfield-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=${IONFIELD_SLURMCTLD_PORT:-16817}
SlurmdPort=${IONFIELD_SLURMD_PORT:-16818}
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -c -f "$SLURM_CONF" >>"$dir/log/slurmctld.err" 2>&1 || skip "slurmctld did not start ($(tail -1 "$dir/log/slurmctld.log" 2>/dev/null))"
slurmd -f "$SLURM_CONF" >>"$dir/log/slurmd.err" 2>&1 || skip "slurmd did not start ($(tail -1 "$dir/log/slurmd.log" 2>/dev/null))"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1)
  case "$state" in idle|mix|alloc) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.2
done
skip "the node did not come up (sinfo says '${state:-nothing}'; see $dir/log)"
