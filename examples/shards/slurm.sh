#!/bin/sh
# A sharded dataset run on Slurm: a job array of N shards (`xalign stages --shard
# $SLURM_ARRAY_TASK_ID/N --json`) and a merge job that starts once every shard has succeeded
# (docs/stages.md, "Sharded runs").
#
#   examples/shards/slurm.sh REF_DIR PORT_DIR N OUT_DIR [xalign stages options...]
#
# Prints the merge job's id. The shards write OUT_DIR/part-K.json (logs OUT_DIR/shard-K.log); the
# merge job writes OUT_DIR/dataset.json (the merged JSON, identical to one run's),
# OUT_DIR/report.html, the text report in OUT_DIR/merge.log and its exit code in
# OUT_DIR/merge.exit: as `xalign stages` would have exited on all samples (0 aligned, 1 some
# unaligned -- Slurm shows that job as FAILED with ExitCode 1 -- 2 an error). A shard that fails
# (exit 2) cancels the merge job (--kill-on-invalid-dep).
# Environment:
#   XALIGN        the xalign program (default: xalign on PATH); the folders, OUT_DIR and XALIGN
#                 must be at the same paths on the compute nodes (a shared file system)
#   SBATCH_OPTS   more sbatch options for both jobs (e.g. "--partition=cpu --time=1:00:00")
#   XALIGN_WAIT=1 wait for the merge job (polling squeue), print its text report and exit with
#                 its exit code (2 when a shard failed)
set -eu
. "$(dirname "$0")/common.sh"
x=$(q "$XALIGN") o=$(q "$out")
# exit 1 (some sample unaligned) is a shard's normal result; only 2 (an error) fails the task
array=$(sbatch --parsable ${SBATCH_OPTS:-} --job-name=xalign-shard --array=0-$((n - 1)) \
    --output="$out/shard-%a.log" \
    --wrap="$x stages $(q "$ref") $(q "$port") --shard \$SLURM_ARRAY_TASK_ID/$n --json$opts \
> $o/part-\$SLURM_ARRAY_TASK_ID.json || { r=\$?; [ \$r -eq 1 ] || exit \$r; }")
array=${array%%;*}
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --job-name=xalign-merge \
    --dependency=afterok:"$array" --kill-on-invalid-dep=yes --output="$out/merge.log" \
    --wrap="$x merge $o/part-*.json --json > $o/dataset.json; \
$x merge $o/part-*.json --html $o/report.html; r=\$?; echo \$r > $o/merge.exit; exit \$r")
merge=${merge%%;*}
echo "$merge"
[ -n "${XALIGN_WAIT:-}" ] || exit 0
while [ -n "$(squeue -h -j "$merge" 2>/dev/null)" ]; do sleep 2; done
if [ ! -f "$out/merge.exit" ]; then
    echo "slurm.sh: job $merge ended without a merge: a shard failed (see $out/shard-*.log)" >&2
    exit 2
fi
cat "$out/merge.log"
exit "$(cat "$out/merge.exit")"
