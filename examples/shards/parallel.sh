#!/bin/sh
# A sharded dataset run with GNU parallel: N shards of `xalign stages --shard K/N --json`, then
# `xalign merge` (docs/stages.md, "Sharded runs").
#
#   examples/shards/parallel.sh REF_DIR PORT_DIR N OUT_DIR [xalign stages options...]
#
# Writes OUT_DIR/part-K.json for K = 0..N-1, OUT_DIR/dataset.json (the merged JSON, identical to
# one run's) and OUT_DIR/report.html, prints the merged text report and exits as `xalign stages`
# would have on all samples: 0 every sample aligned, 1 some unaligned, 2 an error.
# Environment:
#   XALIGN    the xalign program (default: xalign on PATH)
#   JOBS      shards at once per host (default: parallel's, one per CPU core)
#   SSHLOGIN  run the shards on other hosts through ssh, e.g. "node1,node2" or "8/node1,8/node2"
#             (parallel --sshlogin; ":" is this host). The jobs run in this directory there
#             (--workdir .: the same path, or the same path under the home directory), so
#             REF_DIR, PORT_DIR, OUT_DIR and XALIGN must be reachable at the same paths (a shared
#             file system such as NFS).
set -eu
. "$(dirname "$0")/common.sh"
# exit 1 (some sample unaligned) is a shard's normal result: only 2 (an error) fails the job,
# and the first failure stops the run
cmd="$(q "$XALIGN") stages $(q "$ref") $(q "$port") --shard {}/$n --json$opts > $(q "$out")/part-{}.json || { r=\$?; [ \$r -eq 1 ] || exit \$r; }"
seq 0 $((n - 1)) | parallel --halt now,fail=1 ${JOBS:+--jobs "$JOBS"} \
    ${SSHLOGIN:+--sshlogin "$SSHLOGIN" --workdir .} "$cmd"
"$XALIGN" merge "$out"/part-*.json --json > "$out/dataset.json" || { r=$?; [ $r -eq 1 ] || exit $r; }
exec "$XALIGN" merge "$out"/part-*.json --html "$out/report.html"
