# Sourced by the MPI test scripts: mpi_harness.sh CXSIM SOURCE_DIR WITH_MPI. Skips (exit 77, saying
# why) when cxsim was built without MPI, loads the CLI test harness (ok, bad, finish, $CXSIM, $SRC,
# a scratch directory), checks mpirun, sets MPIRUN for runs as root with oversubscription, and
# RANKS, the rank counts each case runs at: CXSIM_TEST_RANKS, by default "1 2 4" (the sanitizer
# build's ctest sets "4", tests/CMakeLists.txt).
with_mpi=${3:-OFF}
if [[ "$with_mpi" != "ON" && "$with_mpi" != "1" ]]; then
  echo "SKIPPED: cxsim was built without MPI (CXSIM_WITH_MPI=$with_mpi); install libopenmpi-dev and openmpi-bin and reconfigure"
  exit 77
fi
. "$(dirname "${BASH_SOURCE[0]}")/../cli/harness.sh" "$1" "$2"
command -v mpirun >/dev/null || { echo "FAILED: cxsim was built with MPI but mpirun is not on PATH"; exit 1; }
# CI runs as root; Open MPI refuses that unless told. Oversubscription: 4 ranks on 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own allocations outlive MPI_Finalize; in the sanitizer build, leak checking is left to
# the single-process runs (the ranks inherit this environment from mpirun).
MPIRUN=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe)
# shellcheck disable=SC2206
RANKS=(${CXSIM_TEST_RANKS:-1 2 4})
for n in "${RANKS[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "FAILED: CXSIM_TEST_RANKS='$CXSIM_TEST_RANKS': rank counts are whole numbers from 1"; exit 1; }
done
# The rank counts above 1 (the studies: one process is their single-process reference), and the
# largest, whose files the scripts inspect further.
SEVERAL=() MOST=1
for n in "${RANKS[@]}"; do ((n > 1)) && SEVERAL+=("$n"); ((n > MOST)) && MOST=$n; done
((${#SEVERAL[@]})) || { echo "FAILED: CXSIM_TEST_RANKS='$CXSIM_TEST_RANKS' needs a rank count above 1"; exit 1; }
