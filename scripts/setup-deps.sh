#!/bin/sh
# Install the Debian packages xalign builds and tests with, if any are missing.
# As root this runs apt-get; otherwise it prints the exact command and fails.
# libjpeg-turbo-progs (djpeg/cjpeg) is the oracle of the JPEG decoder variants (docs/decode.md);
# clang-format (14 in Debian 12) checks the formatting in CI (make format-check).
# g++: tests/cli/test_doc_examples.py and test_install.py compile the public headers, the docs'
# examples and examples/c as C++ too (a fresh Debian has gcc without g++).
# chromium, chromium-driver, python3-selenium: tests/oracle/test_report_html.py opens the HTML
# reports in headless Chromium (console errors, pictures decode, the table sorts, heatmap pixels).
# parallel: tests/cli/test_shard.py runs a sharded dataset run with GNU parallel (docs/stages.md).
# slurm-wlm, munge: tests/slurm/test_slurm.py starts a one-node Slurm cluster and runs a sharded
# run as a job array with a dependent merge job (label slurm, docs/stages.md).
set -e
PKGS="cmake pkg-config libjpeg62-turbo-dev libpng-dev zlib1g-dev libjansson-dev \
python3-numpy python3-opencv python3-pil python3-torch python3-torchvision flatbuffers-compiler \
libjpeg-turbo-progs clang-format g++ chromium chromium-driver python3-selenium parallel \
slurm-wlm munge"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "setup: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # with recommends: the set this project was developed and tested with
    apt-get install -y -qq $missing >/dev/null
else
    echo "setup: missing Debian packages:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
fi
