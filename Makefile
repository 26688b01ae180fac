# attnscope: `make run` and `make test` are all a fresh Debian 12 machine needs.
BUILD   ?= build
JOBS    ?= $(shell nproc)
BIN     := $(BUILD)/attnscope
export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Paths under the clone are hashed relative to it, so a fresh clone reuses the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1

.PHONY: all deps configure build run test test-sanitize bench clean python fuzz fuzz-build fuzz-replay
# The interpreter the Python package is built for (make python PYTHON=/path/to/python3).
PYTHON  ?= /usr/bin/python3

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The Python package into $(BUILD)/python: PYTHONPATH=$(BUILD)/python $(PYTHON) -c "import attnscope"
python: configure
	cmake -S . -B $(BUILD) -DPython_EXECUTABLE=$(PYTHON) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target attnscope_python

run: build
	@bash scripts/demo.sh $(BIN)

test: build
	cd $(BUILD) && ctest --output-on-failure

# The torch-free part (every torch-free unit test and the CLI tests that run no model) built with
# AddressSanitizer and UndefinedBehaviorSanitizer in its own folder; any report fails the test.
SANITIZE_BUILD ?= build-sanitize
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 \
	  "-DCMAKE_CXX_FLAGS=$(SANITIZE_FLAGS)" -DATTNSCOPE_TORCH=OFF -DATTNSCOPE_PYTHON=OFF -DATTNSCOPE_FUZZ_SMOKE=OFF >/dev/null
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 ctest --output-on-failure

bench: build
	@bash bench/train_toy $(BIN)
	@bash bench/pretrained $(BIN)
	@bash bench/transformer $(BIN)
	@bash bench/viewer $(BIN)
	@bash bench/stats $(BIN)
	@bash bench/long_context $(BIN)
	@bash bench/tokenizers $(BIN)
	@bash bench/python $(BIN)
	@bash bench/render $(BIN)

# libFuzzer targets (fuzz/, docs/robustness.md "Fuzzing"): built with clang in their own folder
# (no libtorch), then each run for FUZZ_S seconds; prints executions and crashes per target.
# Crashing inputs land in $(FUZZ_BUILD)/crashes/TARGET; `make fuzz-replay` reruns fuzz/regressions.
FUZZ_BUILD ?= build-fuzz
FUZZ_CXX   ?= clang++-15
FUZZ_S     ?= 60
FUZZ_JOBS  ?= 2
FUZZ_TARGETS ?=

fuzz-build: deps
	cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(FUZZ_JOBS)

fuzz: fuzz-build
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_S) $(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	@bash fuzz/run.sh $(FUZZ_BUILD) replay $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)
