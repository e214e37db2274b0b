# warranty — the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
WTY := target/release/wty
SHARED_VECTORS := $(wildcard ../shared/vectors/*.json)

.PHONY: all demo test build tools fmt-check clippy unit vectors-check conformance bench-check bench doc clean

all: build

## Runs the main job on the bundled example data.
demo:
	$(CARGO) run --quiet --release --bin wty -- demo

## Installs what is missing, builds everything, runs every suite.
test: tools fmt-check clippy build unit vectors-check conformance bench-check
	@echo "make test: all suites passed"

build:
	$(CARGO) build --release --workspace

tools:
	@bash scripts/ensure-tools.sh

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

unit:
	$(CARGO) test --release --workspace --all-features

vectors-check:
	python3 scripts/make_vectors.py --check

conformance: build
	@# The shared sample must be part of tests/vectors (copied verbatim).
	@for f in $(SHARED_VECTORS); do cmp -s "$$f" "tests/vectors/$$(basename $$f)" || { echo "tests/vectors lacks $$f: copy it"; exit 1; }; done
	$(WTY) conformance tests/vectors

## Runs each benchmark once, as a test, so they cannot rot (`make bench` measures).
bench-check:
	$(CARGO) test --release -p warranty-benches --benches

bench:
	$(CARGO) bench -p warranty-benches
	bash scripts/bench-ndjson.sh

doc:
	$(CARGO) doc --workspace --no-deps

clean:
	$(CARGO) clean
