# attnscope: `make run` and `make test` are all a fresh Debian 12 machine needs.
BUILD   ?= build
JOBS    ?= $(shell nproc)
BIN     := $(BUILD)/attnscope
export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: all deps configure build run test bench clean python
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

clean:
	rm -rf $(BUILD)
