# Thin wrapper around CMake (docs/architecture.md "Build"): `make`, `make test`, `make demo`.
MAKEFLAGS += --no-print-directory
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# ON (make test-cross) adds the CTest label cross to $(BUILD); plain make/make test turn it off
XA_CROSS ?= OFF
AARCH64_TOOLCHAIN = cmake/toolchains/aarch64-linux-gnu.cmake

.PHONY: all deps test demo clean install asan tsan bench format format-check cross-aarch64 test-cross

# configure and build $(1) with the cmake flags $(2), showing only warnings (all of it on failure)
define xa_build
	@cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=Release $(2) >/dev/null
	@cmake --build $(1) -j $(JOBS) > $(1)/build.log 2>&1 || { cat $(1)/build.log; exit 1; }
	@grep -A3 "warning:" $(1)/build.log || true
endef

all: deps
	$(call xa_build,$(BUILD),-DXA_CROSS_TESTS=$(XA_CROSS) $(CMAKE_FLAGS))

deps:
	@sh scripts/setup-deps.sh

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: all
	@sh examples/demo.sh $(BUILD)/xalign

install: all
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

# Address/UB sanitizer build of the unit and fuzz-replay tests, the CLI tests, and a quick subset
# (XA_QUICK=1) of the decode and resize oracle tests (label "quick"); CI runs this too.
asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DXA_SANITIZE=ON -DXA_WERROR=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 XA_QUICK=1 \
		ctest --output-on-failure -j $(JOBS) -L "sanitize|cli|quick" -E "cli/test_install"
# (test_install links the C examples against the installed library, which in this build carries
# the sanitizer runtime the examples would also need: it runs in the normal build only)

# ThreadSanitizer build of the tests that run library code on several threads (label "threads":
# the comparison's parts, dataset runs over samples, xa_dump from many threads, the parallel
# CRC-32 of .npz members); CI runs this too.
tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXA_TSAN=ON -DXA_WERROR=ON >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
		ctest --output-on-failure -j $(JOBS) -L threads

# aarch64 (SOPHON SoC boards, RK3588, Jetson): libxalign.a/.so and the CLI in build-aarch64/.
# Add CMAKE_FLAGS=-DXALIGN_STATIC_CLI=ON for a CLI without shared-library dependencies. (The
# toolchain file is given once: cmake remembers it, and warns when it is given again.)
cross-aarch64:
	@sh scripts/setup-deps.sh --cross
	$(call xa_build,build-aarch64,$(if $(wildcard build-aarch64/CMakeCache.txt),,-DCMAKE_TOOLCHAIN_FILE=$(AARCH64_TOOLCHAIN)) $(CMAKE_FLAGS))

# The aarch64 build's tests under qemu and its outputs against this machine's (CTest label cross).
test-cross: deps
	@sh scripts/setup-deps.sh --cross
	@$(MAKE) all XA_CROSS=ON
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L cross

bench: all
	/usr/bin/python3 bench/bench_compare.py --xalign $(BUILD)/xalign

clean:
	rm -rf $(BUILD) build-asan build-tsan build-aarch64

# Every tracked C file formatted with the project's .clang-format (CI fails on any difference).
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i
format-check:
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror
