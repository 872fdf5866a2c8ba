#!/usr/bin/env bash
# Are the stored outputs true on other CPUs, and does everything run with no network at all?
#
# Runs, inside a network namespace with only loopback (`unshare -n`):
#   1. the whole test suite with one thread           (OMP_NUM_THREADS=1; the offline proof)
#   2. strict nbval on every notebook with ATen's portable kernels  (ATEN_CPU_CAPABILITY=default)
#   3. strict nbval on every notebook with oneDNN limited to AVX2   (ONEDNN_MAX_CPU_ISA=AVX2)
# .ci/run's `make test` already covers OMP_NUM_THREADS=2 with the best instruction set.
# When a configuration fails, change what the notebook prints (round, print a boolean or a
# shape); never widen tests/nbval_sanitize.cfg to hide a number.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST="${PYTEST:-.venv/bin/pytest}"

offline() {
  # Jupyter kernels talk to pytest over 127.0.0.1, so loopback is brought up; nothing else exists.
  unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
}

if ! unshare --net true 2>/dev/null; then
  echo "portability.sh: cannot create a network namespace (needs root or user namespaces)" >&2
  exit 1
fi
offline python3 -c "
import socket, sys
try:
    socket.create_connection(('pypi.org', 443), timeout=3)
except OSError:
    sys.exit(0)
sys.exit('the network namespace still reaches the internet')"

echo "== 1/3 whole suite, offline, OMP_NUM_THREADS=1"
offline env OMP_NUM_THREADS=1 "$PYTEST" -q "$@"
echo "== 2/3 notebooks, offline, ATEN_CPU_CAPABILITY=default"
offline env ATEN_CPU_CAPABILITY=default "$PYTEST" -q notebooks "$@"
echo "== 3/3 notebooks, offline, ONEDNN_MAX_CPU_ISA=AVX2"
offline env ONEDNN_MAX_CPU_ISA=AVX2 "$PYTEST" -q notebooks "$@"
