# Sourced by parallel.sh and slurm.sh (keep the three files together): reads their arguments
# REF_DIR PORT_DIR N OUT_DIR [xalign stages options...] into ref, port, n, out and opts (the
# options quoted for the shell the jobs run in), sets XALIGN, creates OUT_DIR and removes the
# parts of an earlier run from it. q WORD prints WORD in single quotes (' as '\'').
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
if [ $# -lt 4 ]; then
    sed -n '2,/^set /s/^# \{0,1\}//p' "$0" >&2 # the calling script's header
    exit 2
fi
ref=$1 port=$2 n=$3 out=$4
shift 4
case $n in '' | *[!0-9]* | 0)
    echo "$0: N must be a number of shards (1 or more), not '$n'" >&2
    exit 2
    ;;
esac
XALIGN=${XALIGN:-xalign}
opts=""
for a in "$@"; do opts="$opts $(q "$a")"; done
mkdir -p "$out"
rm -f "$out"/part-*.json "$out/merge.exit"
