#!/bin/bash
# Stop the daemons ci/slurm/start.sh started, by their PID files under $SIMLAB_SLURM_DIR
# (default /tmp/simlab-slurm), in reverse order; SIMLAB_SLURM_PURGE=1 also deletes the folder
# (the job database and state: job ids then restart at 1).
BASE=${SIMLAB_SLURM_DIR:-/tmp/simlab-slurm}
for daemon in slurmd slurmctld slurmdbd mysqld munged; do
    pidfile=$BASE/run/$daemon.pid
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "slurm: stopped $daemon ($pid)" >&2
    fi
    rm -f "$pidfile"
done
if [ "${SIMLAB_SLURM_PURGE:-0}" = 1 ]; then rm -rf "$BASE"; fi
exit 0
