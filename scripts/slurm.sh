#!/usr/bin/env bash
# Slurm (Debian's slurm-wlm 22.05, with munge) on this one host, for the engine's slurm executor
# and its tests: `scripts/slurm.sh up` installs what is missing, writes slurm.conf and starts
# munged, slurmctld and slurmd; `scripts/slurm.sh down` stops them. Both are idempotent. Must run
# as root. No systemd, no cgroups (proctrack/linuxproc), no slurmdbd (jobcomp/filetxt, read by
# `sacct -c`). Knobs: BCOPS_SLURM_PARTITION (default: debug), BCOPS_SLURM_CPUS (default: the real
# CPU count; more oversubscribes the node).
set -euo pipefail

host=$(hostname -s)
partition=${BCOPS_SLURM_PARTITION:-debug}
conf=/etc/slurm/slurm.conf
say() { echo "[slurm $(date +%T)] $*" >&2; }

# Alive when the pidfile names a process of that name (slurmctld leaves its pidfile behind).
live_pid() { # pidfile comm
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
stop_pid() { # pid seconds: already asked to stop; TERM then KILL exactly this PID if it lingers
  wait_gone "$1" "$2" && return 0
  kill -TERM "$1" 2>/dev/null || true
  wait_gone "$1" 5 || kill -KILL "$1" 2>/dev/null || true
}

install_packages() {
  local packages=(slurmctld slurmd slurm-client munge) installed
  installed=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -c 'install ok installed' || true)
  [ "$installed" = 4 ] && return 0
  say "apt-get install ${packages[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q)
  apt-cache show slurmctld >/dev/null 2>&1 || "${apt[@]}" update >&2
  "${apt[@]}" install --no-install-recommends "${packages[@]}" >&2
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  live_pid /run/munge/munged.pid munged >/dev/null || { say "starting munged"; runuser -u munge -- /usr/sbin/munged; }
  local i
  for ((i = 0; i < 50; i++)); do munge -n </dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null
}

# Writes slurm.conf when it changed; prints 1 when it did.
write_conf() {
  # The node as slurmd sees it, without RealMemory: a value above what slurmd detects drains the
  # node ("Low RealMemory"), and memory is not a consumable with CR_Core.
  local node extra="" new
  node=$(slurmd -C | head -n 1 | sed -e 's/ RealMemory=[0-9]*//')
  if [ -n "${BCOPS_SLURM_CPUS:-}" ] && [ "$BCOPS_SLURM_CPUS" != "$(nproc)" ]; then
    node="NodeName=$host CPUs=$BCOPS_SLURM_CPUS"
    extra="SlurmdParameters=config_overrides"
  fi
  new=$(mktemp)
  cat > "$new" <<CONF
# Written by bcops scripts/slurm.sh: single-host Slurm for the engine's slurm executor.
ClusterName=bcops
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
MpiDefault=none
# No cgroups: works in containers and without systemd.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
# No slurmdbd: finished jobs are read from scontrol (MinJobAge) and the jobcomp file (sacct -c).
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
# Per-core allocation, so several one-CPU jobs share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# The default batch_sched_delay of 3 s delays every batch job's start.
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
# Finished jobs stay visible to squeue and scontrol for 5 minutes.
MinJobAge=300
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
$extra
$node State=UNKNOWN
PartitionName=$partition Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  if cmp -s "$new" "$conf"; then rm -f "$new"; echo 0; else install -m 0644 "$new" "$conf"; rm -f "$new"; echo 1; fi
}

up() {
  install_packages
  start_munge
  local changed ctld slurmd i state
  changed=$(write_conf)
  install -d -o slurm -g slurm -m 0755 /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
  ctld=$(live_pid /run/slurmctld.pid slurmctld || true)
  slurmd=$(live_pid /run/slurmd.pid slurmd || true)
  if [ "$changed" = 1 ] && [ -n "$ctld$slurmd" ]; then
    # A changed node definition needs a restart: `scontrol reconfigure` is not enough.
    say "slurm.conf changed: restarting the daemons"
    for pid in $slurmd $ctld; do kill -TERM "$pid" 2>/dev/null || true; stop_pid "$pid" 10; done
    ctld=""; slurmd=""
  fi
  [ -n "$ctld" ] || { say "starting slurmctld"; /usr/sbin/slurmctld; }
  for ((i = 0; i < 100; i++)); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
  [ -n "$slurmd" ] || { say "starting slurmd"; /usr/sbin/slurmd; }
  # Ready when the node registered; an earlier run may have left it down or drained.
  for ((i = 0; i < 100; i++)); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case "$state" in
      idle|mixed|allocated|completing) break ;;
      down*|drain*|fail*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  say "ready: slurmctld $(cat /run/slurmctld.pid), slurmd $(cat /run/slurmd.pid), munged $(cat /run/munge/munged.pid), node $host ${state:-unknown}"
}

down() {
  local ctld slurmd munged file
  ctld=$(live_pid /run/slurmctld.pid slurmctld || true)
  slurmd=$(live_pid /run/slurmd.pid slurmd || true)
  munged=$(live_pid /run/munge/munged.pid munged || true)
  if [ -n "$ctld" ]; then
    squeue -h -o %A 2>/dev/null | xargs -r scancel 2>/dev/null || true   # leave no jobs behind
    scontrol shutdown >/dev/null 2>&1 || true                            # slurmctld and every slurmd
  fi
  for pid in $slurmd $ctld; do stop_pid "$pid" 15; say "stopped $pid"; done
  # A stale /run/slurmctld.pid makes the package's prerm run scancel, which then fails.
  for file in /run/slurmctld.pid /run/slurmd.pid; do
    [ -e "$file" ] && ! live_pid "$file" "$(basename "$file" .pid)" >/dev/null && rm -f "$file"
  done
  if [ -n "$munged" ]; then
    runuser -u munge -- /usr/sbin/munged --stop >/dev/null 2>&1 || kill -TERM "$munged" 2>/dev/null || true
    stop_pid "$munged" 10
    say "stopped munged $munged"
  fi
}

[ "$(id -u)" = 0 ] || { echo "error: scripts/slurm.sh must run as root" >&2; exit 1; }
case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/slurm.sh up|down" >&2; exit 2 ;;
esac
