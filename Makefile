# attnscope: `make run` and `make test` are all a fresh Debian 12 machine needs.
BUILD   ?= build
JOBS    ?= $(shell nproc)
BIN     := $(BUILD)/attnscope
export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@bash scripts/demo.sh $(BIN)

test: build
	cd $(BUILD) && ctest --output-on-failure

bench: build
	@bash bench/train_toy $(BIN)
	@bash bench/pretrained $(BIN)
	@bash bench/transformer $(BIN)
	@bash bench/viewer $(BIN)
	@bash bench/stats $(BIN)

clean:
	rm -rf $(BUILD)
