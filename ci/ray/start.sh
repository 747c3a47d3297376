#!/bin/bash
# Start a local Ray cluster (one head on 127.0.0.1) from the virtual environment that has
# simlab's ray extra ($SIMLAB_RAY_VENV, default .venv-ray; make it with
#   python3 -m venv .venv-ray && .venv-ray/bin/pip install -e ".[ray]"
# since hydra-ray-launcher pins cloudpickle<3 and ray<3). Idempotent: a head this script
# started (by its PID file under $SIMLAB_RAY_DIR, default /tmp/simlab-ray) is left alone.
# Prints the exports the tests and the driver need:
#   eval "$(ci/ray/start.sh)"
# (SIMLAB_RAY_VENV, SIMLAB_RAY_ADDRESS, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0,
# RAY_USAGE_STATS_ENABLED=0). On failure: which step, the tail of Ray's logs, exit status 1.
# ci/ray/stop.sh stops every process it started.
set -euo pipefail

VENV=$(realpath -m "${SIMLAB_RAY_VENV:-.venv-ray}")
BASE=${SIMLAB_RAY_DIR:-/tmp/simlab-ray}
PORT=${SIMLAB_RAY_PORT:-6380}
CPUS=${SIMLAB_RAY_CPUS:-$(nproc)}
# Without this Ray 2.x binds to the first network interface, whatever --node-ip-address says.
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 RAY_USAGE_STATS_ENABLED=0

say() { echo "ray: $*" >&2; }
fail() {
    say "FAILED: $1"
    for log in "$BASE/start.log" /tmp/ray/session_latest/logs/gcs_server.out \
        /tmp/ray/session_latest/logs/raylet.out; do
        [ -f "$log" ] && { echo "--- last lines of $log" >&2; tail -n 25 "$log" >&2; }
    done
    exit 1
}

[ -x "$VENV/bin/ray" ] || fail "no Ray in $VENV: python3 -m venv $VENV && $VENV/bin/pip install -e '.[ray]'"
"$VENV/bin/python" -c "import simlab, hydra_plugins.hydra_ray_launcher" 2>/dev/null ||
    fail "$VENV lacks simlab or hydra-ray-launcher: $VENV/bin/pip install -e '.[ray]'"
mkdir -p "$BASE"
alive() { [ -f "$BASE/pids" ] && [ -s "$BASE/pids" ] && kill -0 $(cat "$BASE/pids") 2>/dev/null; }
if ! alive; then
    "$VENV/bin/ray" start --head --node-ip-address=127.0.0.1 --port="$PORT" --num-cpus="$CPUS" \
        --include-dashboard=false --disable-usage-stats >"$BASE/start.log" 2>&1 ||
        fail "ray start did not bring up a head on 127.0.0.1:$PORT"
    # Every process of this head (GCS, raylet, workers' parent) runs from $VENV.
    pgrep -f "$VENV/.*(ray|gcs_server|raylet)" >"$BASE/pids" || true
    [ -s "$BASE/pids" ] || fail "ray start returned but no Ray process is running"
fi
"$VENV/bin/ray" status --address="127.0.0.1:$PORT" >"$BASE/status.log" 2>&1 ||
    fail "the head does not answer on 127.0.0.1:$PORT"
say "up: head on 127.0.0.1:$PORT with $CPUS CPUs, environment $VENV"
echo "export SIMLAB_RAY_VENV=$VENV"
echo "export SIMLAB_RAY_ADDRESS=127.0.0.1:$PORT"
echo "export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0"
echo "export RAY_USAGE_STATS_ENABLED=0"
