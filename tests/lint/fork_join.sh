#!/usr/bin/env bash
# tests/lint/fork_join.sh SOURCE_DIR: the engine's parallel loops go through sim/core/fork_join.hpp,
# which tells ThreadSanitizer their fork and join (scripts/tsan.sh); a loop that calls oneTBB
# directly would make TSan report false races in it, or, with broader suppressions, hide real ones.
set -euo pipefail
cd "$1/sim"
found=$(grep -rnE 'tbb::parallel_(for|invoke|reduce|for_each)\(|[.]execute\(' --include='*.cpp' --include='*.hpp' . |
  grep -v '^./core/fork_join.hpp:' || true)
if [[ -n $found ]]; then
  echo "FAILED: parallel loops that bypass sim/core/fork_join.hpp (use fork_join::parallel_for / fork_join::execute):"
  echo "$found"
  exit 1
fi
echo "every parallel loop in sim/ goes through core/fork_join.hpp"
