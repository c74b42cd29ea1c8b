#!/usr/bin/env bash
# Grid Engine (Debian's gridengine 8.1.9) on this one host, for the engine's gridengine executor
# and its tests: `scripts/gridengine.sh up` installs what is missing, configures and starts
# sge_qmaster and sge_execd; `scripts/gridengine.sh down` stops them. Both are idempotent: every
# step looks at the state first, so a second `up` only re-applies the configuration (about 1 s).
# Must run as root (the daemons drop to sgeadmin themselves). No systemd is needed: the daemons
# daemonize. Knobs: BCOPS_SGE_SLOTS (default: nproc), BCOPS_SGE_QUEUE (default: all.q).
set -euo pipefail

export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
host=$(hostname)
slots=${BCOPS_SGE_SLOTS:-$(nproc)}
queue=${BCOPS_SGE_QUEUE:-all.q}
common=$SGE_ROOT/$SGE_CELL/common
say() { echo "[gridengine $(date +%T)] $*" >&2; }
# Runs a qconf change quietly ("root@vm modified …"), printing what it said only when it fails.
quiet() {
  local said
  said=$("$@" 2>&1) || { echo "error: $*: $said" >&2; return 1; }
}

# A daemon is alive when its pidfile names a process with the daemon's name: the pidfiles stay
# behind after a shutdown, so their existence proves nothing. Prints the PID.
live_pid() { # comm pidfile...
  local comm=$1 file pid; shift
  for file in "$@"; do
    [ -s "$file" ] || continue
    pid=$(cat "$file")
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && { echo "$pid"; return 0; }
  done
  return 1
}
# Started directly the daemons write their pidfiles into the spool; via /etc/init.d into /run.
qmaster_pid() { live_pid sge_qmaster /var/spool/gridengine/qmaster/qmaster.pid /var/run/gridengine/qmaster.pid; }
# This host's execd only: its spool is named by the host's name before SGE's alias (localhost
# here); the nodes of SGE clusters (their own execds, in namespaces) have spools of their own.
execd_pid() {
  local name reverse files=()
  reverse=$(/usr/lib/gridengine/gethostbyaddr -name "$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')" 2>/dev/null || true)
  for name in "$host" localhost $reverse; do files+=("/var/spool/gridengine/execd/$name/execd.pid"); done
  live_pid sge_execd "${files[@]}" /var/run/gridengine/execd.pid
}

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

install_packages() {
  local packages=(gridengine-master gridengine-exec gridengine-client) installed
  installed=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -c 'install ok installed' || true)
  [ "$installed" = 3 ] && return 0
  say "apt-get install ${packages[*]}"
  # The master is this host; the postinst runs init_cluster (cell "default", BerkeleyDB spool).
  debconf-set-selections <<ANSWERS
gridengine-common shared/gridengineconfig boolean true
gridengine-common shared/gridenginecell string default
gridengine-common shared/gridenginemaster string $host
gridengine-master shared/gridengineconfig boolean true
gridengine-master shared/gridenginecell string default
gridengine-master shared/gridenginemaster string $host
gridengine-exec shared/gridenginemaster string $host
gridengine-client shared/gridenginemaster string $host
ANSWERS
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q)
  apt-cache show gridengine-master >/dev/null 2>&1 || "${apt[@]}" update >&2
  "${apt[@]}" install --no-install-recommends "${packages[@]}" >&2
  [ -s "$common/bootstrap" ] || { echo "error: $common/bootstrap is missing: init_cluster did not run" >&2; exit 1; }
}

# SGE's commlib refuses a client whose address reverse-resolves to another name than its
# hostname (here vm -> 127.0.0.1 -> localhost). An SGE host alias fixes it without /etc/hosts.
fix_host_names() {
  local address reverse
  address=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
  [ -n "$address" ] || { echo "error: the hostname $host does not resolve; add it to /etc/hosts" >&2; exit 1; }
  reverse=$(/usr/lib/gridengine/gethostbyaddr -name "$address" 2>/dev/null || true)
  if [ -n "$reverse" ] && [ "$reverse" != "$host" ] && ! grep -qx "$host $reverse" "$common/host_aliases" 2>/dev/null; then
    echo "$host $reverse" > "$common/host_aliases"
    chown sgeadmin:sgeadmin "$common/host_aliases"
  fi
  if [ "$(cat "$common/act_qmaster" 2>/dev/null)" != "$host" ]; then
    echo "$host" > "$common/act_qmaster"
    chown sgeadmin:sgeadmin "$common/act_qmaster"
  fi
}

configure() {
  local dir=$work
  # min_uid/min_gid 0: root may submit; accounting_flush_time 0: an end is in the accounting
  # file at once (the executor reads it for exit codes).
  # Long values are shown wrapped with a trailing backslash: join them first.
  qconf -sconf global | sed -e ':join' -e '/\\$/N; s/\\\n[[:space:]]*/ /; t join' | sed \
    -e 's/^min_uid .*/min_uid                      0/' \
    -e 's/^min_gid .*/min_gid                      0/' \
    -e 's/^reporting_params .*/reporting_params             accounting=true reporting=false flush_time=00:00:15 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00/' \
    > "$dir/global"
  quiet qconf -Mconf "$dir/global"          # the file's name "global" names the configuration
  # A scheduling pass every second, and 1 s after a submit or an end (the default is 15 s).
  qconf -ssconf | sed \
    -e 's/^schedule_interval .*/schedule_interval                 0:0:1/' \
    -e 's/^flush_submit_sec .*/flush_submit_sec                  1/' \
    -e 's/^flush_finish_sec .*/flush_finish_sec                  1/' > "$dir/sconf"
  quiet qconf -Msconf "$dir/sconf"
  qconf -ss 2>/dev/null | grep -qx "$host" || quiet qconf -as "$host"
  if ! qconf -se "$host" >/dev/null 2>&1; then
    printf '%s\n' "hostname $host" "load_scaling NONE" "complex_values NONE" "user_lists NONE" \
      "xuser_lists NONE" "projects NONE" "xprojects NONE" "usage_scaling NONE" "report_variables NONE" > "$dir/exechost"
    quiet qconf -Ae "$dir/exechost"
  fi
  printf 'group_name @allhosts\nhostlist %s\n' "$host" > "$dir/allhosts"
  if qconf -shgrp @allhosts >/dev/null 2>&1; then quiet qconf -Mhgrp "$dir/allhosts"; else quiet qconf -Ahgrp "$dir/allhosts"; fi
  # load_thresholds NONE: a busy 2-core box would put the queue in alarm; pe_list NONE: the
  # template names PEs that do not exist.
  cat > "$dir/queue" <<QUEUE
qname $queue
hostlist @allhosts
seq_no 0
load_thresholds NONE
suspend_thresholds NONE
nsuspend 1
suspend_interval 00:05:00
priority 0
min_cpu_interval 00:05:00
processors UNDEFINED
qtype BATCH INTERACTIVE
ckpt_list NONE
pe_list NONE
rerun FALSE
slots $slots
tmpdir /tmp
shell /bin/bash
prolog NONE
epilog NONE
shell_start_mode posix_compliant
starter_method NONE
suspend_method NONE
resume_method NONE
terminate_method NONE
notify 00:00:60
owner_list NONE
user_lists NONE
xuser_lists NONE
subordinate_list NONE
complex_values NONE
projects NONE
xprojects NONE
calendar NONE
initial_state default
s_rt INFINITY
h_rt INFINITY
s_cpu INFINITY
h_cpu INFINITY
s_fsize INFINITY
h_fsize INFINITY
s_data INFINITY
h_data INFINITY
s_stack INFINITY
h_stack INFINITY
s_core INFINITY
h_core INFINITY
s_rss INFINITY
h_rss INFINITY
s_vmem INFINITY
h_vmem INFINITY
QUEUE
  if qconf -sq "$queue" >/dev/null 2>&1; then quiet qconf -Mq "$dir/queue"; else quiet qconf -Aq "$dir/queue"; fi
}

up() {
  install_packages
  fix_host_names
  install -d -o sgeadmin -g sgeadmin -m 755 /var/run/gridengine
  if ! qmaster_pid >/dev/null; then say "starting sge_qmaster"; /usr/sbin/sge_qmaster; fi
  local i
  for ((i = 0; i < 100; i++)); do qconf -sh >/dev/null 2>&1 && break; sleep 0.3; done
  qconf -sh >/dev/null || { echo "error: sge_qmaster does not answer" >&2; tail -n 20 /var/spool/gridengine/qmaster/messages >&2; exit 1; }
  configure
  if ! execd_pid >/dev/null; then say "starting sge_execd"; /usr/sbin/sge_execd; fi
  # Ready when the queue instance is listed with an empty states column (no u/a/E) and a load.
  local line
  for ((i = 0; i < 100; i++)); do
    line=$(qstat -f -q "$queue@$host" 2>/dev/null | awk -v q="$queue@$host" '$1 == q' || true)
    if [ -n "$line" ] && [ "$(echo "$line" | awk '{ print NF }')" = 5 ] && ! echo "$line" | grep -q -- '-NA-'; then break; fi
    sleep 0.3
  done
  qmod -c "$queue@$host" >/dev/null 2>&1 || true   # an error state left by an earlier run
  say "ready: sge_qmaster $(qmaster_pid), sge_execd $(execd_pid), queue $queue with $slots slots"
}

down() {
  local execd qmaster
  execd=$(execd_pid || true); qmaster=$(qmaster_pid || true)
  if [ -n "$execd" ]; then
    qconf -kej "$host" >/dev/null 2>&1 || kill -TERM "$execd" 2>/dev/null || true   # -kej: its jobs too
    wait_gone "$execd" 20 || kill -KILL "$execd" 2>/dev/null || true
    say "sge_execd $execd stopped"
  fi
  if [ -n "$qmaster" ]; then
    qconf -km >/dev/null 2>&1 || kill -TERM "$qmaster" 2>/dev/null || true
    wait_gone "$qmaster" 30 || kill -KILL "$qmaster" 2>/dev/null || true
    say "sge_qmaster $qmaster stopped"
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "$(id -u)" = 0 ] || { echo "error: scripts/gridengine.sh must run as root" >&2; exit 1; }
case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: scripts/gridengine.sh up|down" >&2; exit 2 ;;
esac
