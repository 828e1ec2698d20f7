# CTest's cross/build (label cross): configure and build the aarch64 tree with the toolchain file,
# as `make cross-aarch64` does, inside the native build folder, with the static CLI (the one to
# copy onto a board; the test programs link the shared :arm64 libraries, so both ways of linking
# run under qemu). Run with cmake -P and -DSRC=<source dir> -DBIN=<cross build dir>
# -DWERROR=ON|OFF -DJOBS=N.
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN}
          -DCMAKE_TOOLCHAIN_FILE=${SRC}/cmake/toolchains/aarch64-linux-gnu.cmake
          -DCMAKE_BUILD_TYPE=Release -DXA_WERROR=${WERROR} -DXALIGN_STATIC_CLI=ON
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the aarch64 build failed (sh scripts/setup-deps.sh --cross installs what it needs)")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} -j ${JOBS} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building for aarch64 failed")
endif()
if(NOT EXISTS ${BIN}/xalign-emu)
  message(FATAL_ERROR "no emulator: qemu-aarch64-static (Debian's qemu-user-static) is not installed")
endif()
execute_process(COMMAND aarch64-linux-gnu-readelf -l -d ${BIN}/xalign OUTPUT_VARIABLE elf RESULT_VARIABLE rc)
if(rc OR elf MATCHES "NEEDED|INTERP")
  message(FATAL_ERROR "the XALIGN_STATIC_CLI build of xalign is not static:\n${elf}")
endif()
