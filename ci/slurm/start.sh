#!/bin/bash
# Start a private single-node SLURM cluster on this machine: munge, MariaDB (job accounting),
# slurmdbd, slurmctld and slurmd, every key, socket, state, spool and log file under one
# folder ($SIMLAB_SLURM_DIR, default /tmp/simlab-slurm). Idempotent: daemons already running
# from that folder (by their PID files) are left alone. Needs root and the Debian packages
#   apt-get install -y --no-install-recommends slurm-wlm slurmdbd munge mariadb-server
# On success it prints what the tests and the user need, as shell exports:
#   eval "$(ci/slurm/start.sh)"
# (SLURM_CONF, SIMLAB_SLURM_PARTITION). On failure it says which daemon did not come up and
# prints the tail of its log, exit status 1. ci/slurm/stop.sh stops what this started.
set -euo pipefail

BASE=${SIMLAB_SLURM_DIR:-/tmp/simlab-slurm}
PARTITION=${SIMLAB_SLURM_PARTITION:-simlab}
DB_PORT=${SIMLAB_SLURM_DB_PORT:-13306}
DBD_PORT=${SIMLAB_SLURM_DBD_PORT:-16819}
CTLD_PORT=${SIMLAB_SLURM_CTLD_PORT:-16817}
SLURMD_PORT=${SIMLAB_SLURM_SLURMD_PORT:-16818}

say() { echo "slurm: $*" >&2; }
fail() {  # fail MESSAGE LOG...
    say "FAILED: $1"
    shift
    for log in "$@"; do
        [ -f "$log" ] && { echo "--- last lines of $log" >&2; tail -n 25 "$log" >&2; }
    done
    exit 1
}
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_for() {  # wait_for SECONDS COMMAND...: retry until COMMAND succeeds
    local limit=$1
    shift
    for _ in $(seq $((limit * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

for tool in munged mariadbd mariadb-install-db slurmdbd slurmctld slurmd sinfo sacct; do
    command -v "$tool" >/dev/null || fail "$tool not found: apt-get install -y --no-install-recommends slurm-wlm slurmdbd munge mariadb-server"
done
[ "$(id -u)" = 0 ] || fail "run as root (the daemons run as root on this private cluster)"

mkdir -p "$BASE"/{munge,mysql,state,spool,log,run}
chmod 700 "$BASE" "$BASE/munge"
MUNGE_SOCKET=$BASE/munge/munge.socket
CONF=$BASE/slurm.conf
DBD_CONF=$BASE/slurmdbd.conf
MYSQL_SOCKET=$BASE/run/mysqld.sock

# --- munge: credentials for every SLURM message ---
if ! running "$BASE/run/munged.pid"; then
    [ -f "$BASE/munge/munge.key" ] || {
        dd if=/dev/urandom of="$BASE/munge/munge.key" bs=1 count=1024 status=none
        chmod 400 "$BASE/munge/munge.key"
    }
    munged --force --socket="$MUNGE_SOCKET" --key-file="$BASE/munge/munge.key" \
        --pid-file="$BASE/run/munged.pid" --log-file="$BASE/log/munged.log" \
        --seed-file="$BASE/munge/munged.seed" ||
        fail "munged did not start" "$BASE/log/munged.log"
    wait_for 10 munge -S "$MUNGE_SOCKET" -n ||
        fail "munge does not answer on $MUNGE_SOCKET" "$BASE/log/munged.log"
fi

# --- MariaDB: the accounting database, bound to 127.0.0.1 on its own port ---
if ! running "$BASE/run/mysqld.pid"; then
    if [ ! -d "$BASE/mysql/mysql" ]; then
        mariadb-install-db --datadir="$BASE/mysql" --user=root --auth-root-authentication-method=socket \
            --skip-test-db >"$BASE/log/mysql-install.log" 2>&1 ||
            fail "mariadb-install-db failed" "$BASE/log/mysql-install.log"
    fi
    mariadbd --no-defaults --datadir="$BASE/mysql" --socket="$MYSQL_SOCKET" --port="$DB_PORT" \
        --bind-address=127.0.0.1 --pid-file="$BASE/run/mysqld.pid" --user=root \
        --log-error="$BASE/log/mysqld.log" --innodb-buffer-pool-size=32M >/dev/null 2>&1 &
    wait_for 30 mariadb --no-defaults -S "$MYSQL_SOCKET" -u root -e "select 1" ||
        fail "MariaDB did not start" "$BASE/log/mysqld.log"
    mariadb --no-defaults -S "$MYSQL_SOCKET" -u root -e "
        create database if not exists slurm_acct_db;
        create user if not exists 'slurm'@'127.0.0.1' identified by 'simlab-slurm';
        create user if not exists 'slurm'@'localhost' identified by 'simlab-slurm';
        grant all on slurm_acct_db.* to 'slurm'@'127.0.0.1';
        grant all on slurm_acct_db.* to 'slurm'@'localhost';" ||
        fail "could not create the accounting database" "$BASE/log/mysqld.log"
fi

# --- configuration (rewritten every time: it only names files under $BASE) ---
read -r CPUS MEMORY < <(slurmd -C | awk '/NodeName/ {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["CPUs"], v["RealMemory"] }')
cat >"$DBD_CONF" <<CONF
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=simlab-slurm
StorageLoc=slurm_acct_db
PidFile=$BASE/run/slurmdbd.pid
LogFile=$BASE/log/slurmdbd.log
CONF
chmod 600 "$DBD_CONF"
cat >"$CONF" <<CONF
ClusterName=simlab
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=2048
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
AccountingStoragePass=$MUNGE_SOCKET
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=300
KillWait=5
NodeName=localhost CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=$PARTITION Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$CONF

# --- the daemons (slurmdbd reads slurmdbd.conf beside $SLURM_CONF) ---
if ! running "$BASE/run/slurmdbd.pid"; then
    slurmdbd || fail "slurmdbd did not start" "$BASE/log/slurmdbd.log"
    wait_for 30 sacctmgr -i list cluster ||
        fail "slurmdbd does not answer on port $DBD_PORT" "$BASE/log/slurmdbd.log" "$BASE/log/mysqld.log"
fi
sacctmgr -i list cluster format=cluster -n | grep -qw simlab ||
    sacctmgr -i add cluster simlab >/dev/null || fail "could not register the cluster" "$BASE/log/slurmdbd.log"
if ! running "$BASE/run/slurmctld.pid"; then
    slurmctld || fail "slurmctld did not start" "$BASE/log/slurmctld.log"
fi
if ! running "$BASE/run/slurmd.pid"; then
    slurmd -N localhost || fail "slurmd did not start" "$BASE/log/slurmd.log"
fi
idle() { sinfo -h -p "$PARTITION" -o %t | grep -Eq '^(idle|mix|alloc)'; }
wait_for 30 idle || fail "node localhost did not become idle: $(sinfo -h -N -o '%N %t %E' 2>&1)" \
    "$BASE/log/slurmctld.log" "$BASE/log/slurmd.log"
wait_for 30 sacct -n -X -S now || fail "sacct cannot read the accounting database" "$BASE/log/slurmdbd.log"

say "up: partition $PARTITION on localhost ($CPUS CPUs, $MEMORY MB), files under $BASE"
echo "export SLURM_CONF=$CONF"
echo "export SIMLAB_SLURM_PARTITION=$PARTITION"
