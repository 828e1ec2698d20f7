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
#
# `setup-deps.sh --cross` sets up the aarch64 cross build instead (make cross-aarch64, the CTest
# label `cross`): Debian's cross compiler, the arm64 multiarch builds of the four libraries (their
# static archives too, for -DXALIGN_STATIC_CLI=ON) and qemu-user-static, which runs the aarch64
# tests on this machine. It adds the arm64 architecture to dpkg first (the one change to the
# machine's configuration), so apt can see the :arm64 packages.
set -e
if [ "${1:-}" = "--cross" ]; then
    # qemu-user-static: qemu-aarch64 runs the tests; called by name, so no binfmt registration
    # is needed (containers rarely have it). Without recommends: binfmt-support is not wanted.
    # g++-aarch64-linux-gnu: the tests build a C++ port the way SOPHON's SDK samples do
    # (examples/sophon-soc, tests/cross/test_sophon_port.py). libc6-dev:arm64: the C library the :arm64 packages are built on.
    PKGS="cmake pkg-config gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static \
libc6-dev:arm64 libjpeg62-turbo-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64 libjansson-dev:arm64"
    ARCH=arm64
    APT_OPTS="--no-install-recommends"
elif [ -n "${1:-}" ]; then
    echo "usage: setup-deps.sh [--cross]" >&2
    exit 2
else
    PKGS="cmake pkg-config libjpeg62-turbo-dev libpng-dev zlib1g-dev libjansson-dev \
python3-numpy python3-opencv python3-pil python3-torch python3-torchvision flatbuffers-compiler \
libjpeg-turbo-progs clang-format g++ chromium chromium-driver python3-selenium parallel \
slurm-wlm munge"
    ARCH=""
    # with recommends: the set this project was developed and tested with
    APT_OPTS=""
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
add_arch=""
if [ -n "$ARCH" ] && ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
    add_arch=yes
fi
if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages:$missing" >&2
    if [ -n "$add_arch" ]; then
        echo "run: sudo dpkg --add-architecture $ARCH && sudo apt-get update && sudo apt-get install -y $APT_OPTS$missing" >&2
    else
        echo "run: sudo apt-get install -y $APT_OPTS$missing" >&2
    fi
    exit 1
fi
echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
[ -n "$add_arch" ] && dpkg --add-architecture "$ARCH"
# A source that does not carry arm64 (a third-party repository, an amd64-only mirror) only
# warns here; the install below then names the packages it cannot find.
# (a fresh cloud machine may still be running apt at boot: wait for its lock rather than fail)
LOCK="-o DPkg::Lock::Timeout=600"
apt-get update -qq $LOCK >/dev/null || echo "setup: apt-get update reported errors (see above)" >&2
if ! apt-get install -y -qq $LOCK $APT_OPTS $missing >/dev/null; then
    [ -n "$ARCH" ] && echo "setup: could not install the $ARCH packages: do your apt sources \
carry $ARCH (apt-cache policy libpng-dev:$ARCH)?" >&2
    exit 1
fi
