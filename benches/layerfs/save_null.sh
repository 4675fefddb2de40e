#!/bin/sh
# The bare export, for comparison: docker save IMAGE to nowhere.
docker save "$1" > /dev/null && echo "efficiency: (export only)"
