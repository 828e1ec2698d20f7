# Cross-compiling xalign for aarch64 Linux: SOPHON BM1684/BM1684X SoC boards (SE5/SE7/SM7),
# RK3588, Jetson. Uses Debian's cross compiler (gcc-aarch64-linux-gnu) and the arm64 multiarch
# builds of the dependencies (libjpeg62-turbo-dev:arm64, libpng-dev:arm64, zlib1g-dev:arm64,
# libjansson-dev:arm64): `sh scripts/setup-deps.sh --cross` installs them.
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
#   (or: make cross-aarch64; add -DXALIGN_STATIC_CLI=ON for a CLI to copy onto a board)
#
# Tests of such a build run under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR, when
# qemu-aarch64-static or qemu-aarch64 is installed), so `ctest` works on an x86 machine.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
# Debian's multiarch triplet: the compiler's prefix and the folder of the :arm64 libraries
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# pkg-config must see the arm64 .pc files only, never the build machine's own
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Programs (pkg-config, python) come from the build machine; libraries and headers are found in
# the multiarch folders the cross compiler searches itself.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

find_program(XA_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(XA_QEMU_AARCH64)
  # The dynamic loader and the :arm64 libraries are installed in the host's own multiarch
  # folders (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu), where qemu finds them
  # without QEMU_LD_PREFIX.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${XA_QEMU_AARCH64})
endif()
