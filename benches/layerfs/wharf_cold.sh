#!/bin/sh
# wharf analyze with an empty layer cache (it is filled on the way, as a first run would).
cache="${TMPDIR:-/tmp}/wharf-bench-cold-cache"
rm -rf "$cache"
XDG_CACHE_HOME="$cache" exec "${WHARF:-target/release/wharf}" analyze "$@"
