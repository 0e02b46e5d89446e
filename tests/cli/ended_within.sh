# Sourced by the test scripts that signal a running cxsim.
# ended_within PID TENTHS [SIGNAL]: waits up to TENTHS tenths of a second for the background job
# PID to end. Returns 0 with its exit status in $ended_status; else sends it SIGNAL (default KILL;
# TERM for mpirun, which then ends its ranks), reaps it and returns 1.
ended_within() {
  local pid=$1 limit=$2 signal=${3:-KILL} waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < limit)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -s "$signal" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 1
  fi
  wait "$pid"
  ended_status=$?
  return 0
}
