#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for dropline's Slurm executor tests.
#
#   scripts/slurm_local.sh start  [DIR]   write slurm.conf, start munged, slurmctld, slurmd
#   scripts/slurm_local.sh stop   [DIR]   cancel its jobs, stop the daemons it started
#   scripts/slurm_local.sh status [DIR]   print daemon and node state; exit 1 when down
#
# DIR defaults to ${DROPLINE_SLURM_DIR:-/tmp/dropline-slurm}. `start` prints the one
# line clients need on stdout (progress goes to stderr), so
#   eval "$(scripts/slurm_local.sh start)"
# leaves SLURM_CONF set. Needs root: munge key, daemons running as root.
# DROPLINE_SLURM_CGROUP=no forces the fallback memory enforcement (see below).
# The measurements behind these settings: docs/notes/slurm_facts.md.
set -euo pipefail

readonly WAIT_SECONDS=30

say() {
  echo "slurm_local: $*" >&2
}

die() {
  say "$*"
  exit 1
}

usage() {
  echo "usage: $0 start|stop|status [DIR]" >&2
  exit 2
}

# True when PIDFILE names a live process called NAME; checking the name keeps a
# stale pid file from pointing us at an unrelated process that reused the pid.
running() {
  local pidfile=$1 name=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$name" ]]
}

# CI machines may start without Slurm; installing here lets .ci/run call us directly.
ensure_packages() {
  local bin
  for bin in slurmctld slurmd sbatch munged munge; do
    command -v "$bin" >/dev/null 2>&1 && continue
    say "installing slurm-wlm and munge ($bin is missing)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q slurm-wlm munge >&2
    return 0
  done
}

# The Debian package writes a key; a bare or wiped machine may lack one.
ensure_munge_key() {
  local key=/etc/munge/munge.key
  [[ -s $key ]] && return 0
  say "creating $key"
  install -d -o munge -g munge -m 700 /etc/munge
  (umask 077 && head -c 1024 /dev/urandom >"$key")
  chown munge:munge "$key"
  chmod 400 "$key"
}

munge_ok() {
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1
}

ensure_munged() {
  munge_ok && return 0
  # /run is a tmpfs: the socket directory is gone after a reboot.
  install -d -o munge -g munge -m 755 /run/munge
  say "starting munged"
  su -s /bin/sh munge -c /usr/sbin/munged
  # Remember that munged is ours, so `stop` leaves a system-wide one alone.
  touch "$DIR/munged.ours"
  local i
  for ((i = 0; i < 50; i++)); do
    munge_ok && return 0
    sleep 0.2
  done
  die "munged does not answer 'munge -n | unmunge'; see /var/log/munge/munged.log"
}

# Below the machine's memory: slurmd drains a node whose real memory is less
# than configured, and the daemons need some too.
real_memory_mib() {
  local kib
  kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  echo $((kib * 9 / 10240))
}

# task/cgroup needs writable cgroup v1 memory and cpuset hierarchies (this
# sandbox has them); it is what makes an over-limit job end OUT_OF_MEMORY.
cgroup_v1_usable() {
  [[ ${DROPLINE_SLURM_CGROUP:-auto} != no ]] || return 1
  local c probe
  for c in memory cpuset; do
    probe=/sys/fs/cgroup/$c/dropline_probe_$$
    mkdir "$probe" 2>/dev/null || return 1
    rmdir "$probe"
  done
}

# Memory enforcement: cgroups when usable; otherwise slurmstepd samples RSS
# every 2 s and kills the step, which then ends FAILED with ExitCode 0:9.
memory_conf() {
  if cgroup_v1_usable; then
    printf '%s\n' TaskPlugin=task/cgroup JobAcctGatherType=jobacct_gather/none
  else
    printf '%s\n' TaskPlugin=task/none JobAcctGatherType=jobacct_gather/linux \
      JobAcctGatherFrequency=task=2 JobAcctGatherParams=OverMemoryKill
  fi
}

# Prints the file's content: slurm.conf, or cgroup.conf in the same folder.
slurm_conf() {
  cat <<EOF
# Written by scripts/slurm_local.sh start; rewritten on every start.
ClusterName=dropline
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
$(memory_conf)
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
# The default delay of 3 s made a trivial job start ~2.9 s after sbatch;
# with 0 it starts on the controller's next 1 s tick (~0.9 s).
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
# Slurm's defaults: finished jobs stay in squeue for 300 s, and a job that
# ignores SIGTERM is killed 30 s later.
MinJobAge=300
KillWait=30
# Without a default, a job that gives no --mem is allotted the whole node and
# runs alone (CR_Core_Memory); real clusters set one too.
DefMemPerCPU=1024
NodeName=localhost CPUs=$(nproc) RealMemory=$(real_memory_mib) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

cgroup_conf() {
  cat <<EOF
# Written by scripts/slurm_local.sh start; read by task/cgroup.
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=yes
ConstrainRAMSpace=yes
ConstrainSwapSpace=no
ConstrainDevices=no
EOF
}

# Writes FILE from stdin; succeeds only when its content changed.
replace_if_changed() {
  local file=$1 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    return 1
  fi
  mv "$tmp" "$file"
  chmod 644 "$file"
}

# Succeeds when slurm.conf or cgroup.conf changed.
write_conf() {
  local changed=1
  slurm_conf | replace_if_changed "$CONF" && changed=0
  if grep -q '^TaskPlugin=task/cgroup' "$CONF"; then
    cgroup_conf | replace_if_changed "$DIR/cgroup.conf" && changed=0
  else
    rm -f "$DIR/cgroup.conf"
  fi
  return "$changed"
}

node_state() {
  sinfo -h -N -n localhost -o %T 2>/dev/null || true
}

wait_for_node() {
  local i state=""
  for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
    state=$(node_state)
    case $state in
      idle | mixed | allocated | completing) return 0 ;;
      *drain* | *inval*)
        scontrol show node localhost >&2 || true
        die "node is '$state'; see $DIR/log/slurmd.log"
        ;;
    esac
    sleep 0.5
  done
  tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
  die "node not up after ${WAIT_SECONDS}s (state '${state:-none}')"
}

start() {
  [[ $EUID -eq 0 ]] || die "start needs root"
  ensure_packages
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
  ensure_munge_key
  ensure_munged
  if write_conf; then
    # Plugin changes need a restart, not `scontrol reconfigure`.
    stop_slurm
  fi
  if ! running "$DIR/slurmctld.pid" slurmctld; then
    say "starting slurmctld"
    slurmctld -f "$CONF"
  fi
  # The node name must match slurm.conf; this host is not called localhost.
  if ! running "$DIR/slurmd.pid" slurmd; then
    say "starting slurmd"
    slurmd -f "$CONF" -N localhost
  fi
  wait_for_node
  say "node localhost is $(node_state)"
  echo "export SLURM_CONF=$CONF"
}

# Ends the process named in PIDFILE if it is NAME; never matches by name alone.
stop_daemon() {
  local pidfile=$1 name=$2 pid i
  if ! running "$pidfile" "$name"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  say "stopping $name ($pid)"
  kill "$pid"
  for ((i = 0; i < 50; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.2
  done
  if [[ -d /proc/$pid ]]; then
    say "$name ($pid) still running 10 s after SIGTERM; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop_slurm() {
  stop_daemon "$DIR/slurmd.pid" slurmd
  stop_daemon "$DIR/slurmctld.pid" slurmctld
}

# slurmstepd and the job's processes outlive slurmd, so a stop that left jobs
# would leave them running with nobody to end them. The cluster is throwaway:
# cancel all its jobs and wait for them, at most KillWait plus some slack.
cancel_jobs() {
  running "$DIR/slurmctld.pid" slurmctld || return 0
  local ids i
  ids=$(squeue -h -t PENDING,RUNNING,SUSPENDED,COMPLETING,CONFIGURING -o %A 2>/dev/null) || return 0
  [[ -n $ids ]] || return 0
  say "cancelling jobs $(echo "$ids" | paste -sd' ')"
  # shellcheck disable=SC2086 # one job id per word
  scancel $ids || true
  for ((i = 0; i < 80; i++)); do
    [[ -z $(squeue -h -t RUNNING,COMPLETING,CONFIGURING -o %A 2>/dev/null) ]] && return 0
    sleep 0.5
  done
  say "jobs still running after 40 s: $(squeue -h -t RUNNING,COMPLETING -o %A | paste -sd' ')"
}

stop() {
  [[ $EUID -eq 0 ]] || die "stop needs root"
  cancel_jobs
  stop_slurm
  if [[ -f $DIR/munged.ours ]]; then
    stop_daemon /run/munge/munged.pid munged
    rm -f "$DIR/munged.ours"
  fi
}

status() {
  local up=0 d
  for d in slurmctld slurmd; do
    if running "$DIR/$d.pid" "$d"; then
      echo "$d: running (pid $(<"$DIR/$d.pid"))"
    else
      echo "$d: stopped"
      up=1
    fi
  done
  if munge_ok; then echo "munged: answering"; else echo "munged: not answering"; fi
  if ((up == 0)); then
    echo "node localhost: $(node_state)"
    echo "export SLURM_CONF=$CONF"
  fi
  return "$up"
}

[[ $# -ge 1 && $# -le 2 ]] || usage
DIR=${2:-${DROPLINE_SLURM_DIR:-/tmp/dropline-slurm}}
[[ $DIR == /* ]] || DIR=$PWD/$DIR
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF
# munged, slurmctld and slurmd live in sbin, which a non-login PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

case $1 in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
