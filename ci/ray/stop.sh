#!/bin/bash
# Stop the Ray head ci/ray/start.sh started: `ray stop` from its environment, then every
# process in its PID file ($SIMLAB_RAY_DIR/pids, default /tmp/simlab-ray) still alive.
VENV=$(realpath -m "${SIMLAB_RAY_VENV:-.venv-ray}")
BASE=${SIMLAB_RAY_DIR:-/tmp/simlab-ray}
[ -f "$BASE/pids" ] || exit 0
[ -x "$VENV/bin/ray" ] && "$VENV/bin/ray" stop >/dev/null 2>&1
for pid in $(cat "$BASE/pids"); do
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
done
rm -f "$BASE/pids"
echo "ray: stopped" >&2
exit 0
