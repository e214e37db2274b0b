# warranty — the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
WTY := target/release/wty
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
PREFIX ?= /usr/local
CBINDGEN ?= cbindgen
LIB := target/release
C_OUT := target/c
C_STRICT := -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude
C_LIBS := -lpthread -ldl -lm
C_TEST_ARGS := $(C_OUT)/vectors/manifest.txt $(C_OUT)/vectors/all.ndjson $(C_OUT)/vectors/all.cli
WASM_TARGET := wasm32-unknown-unknown
WASM_RAW := target/$(WASM_TARGET)/wasm/warranty_wasm.wasm
WASM_RAW_RULES := target/$(WASM_TARGET)/wasm-rules/warranty_wasm.wasm
WASM_BG := target/wasm-bindgen
WASM_PKG := wasm/pkg
# gzip -9 budgets of the two npm modules (the build fails over either).
WASM_MAX_GZIP_RULES := 300000
WASM_MAX_GZIP_SYNC := 500000
WEB_PORT ?= 8765
# What rustc emits for wasm32-unknown-unknown (not --all-features: GC types break Node 20).
WASM_OPT_FEATURES := --enable-reference-types --enable-multivalue --enable-bulk-memory --enable-sign-ext \
  --enable-mutable-globals --enable-nontrapping-float-to-int
SHARED_VECTORS := $(wildcard ../shared/vectors/*.json)

.PHONY: all help check demo test build tools fmt-check clippy golden deny deny-advisories unit vectors-check conformance bench-check bench doc clean \
	wasm wasm-tools bench-wasm node-test ts-check browser-test demo-web \
	tzdata phonedata fuzz fuzz-check hostile hostile-check header header-check install c-test c-vectors c-plain c-asan c-valgrind c-cpp c-example c-install-check python-ctypes \
	python python-test python-fleet fleet bench-python serve serve-test serve-pg-test bench-serve bench-serve-pg bench-serve-faults

all: build

## Lists the targets with what each does (the `##` lines above each target).
help:
	@awk '/^## /{d = d (d ? " " : "") substr($$0, 4); next} \
	  /^[a-z][a-z0-9-]*:/{if (d) {split($$0, t, ":"); n = split(d, w, " "); line = sprintf("  %-16s", t[1]); \
	    for (i = 1; i <= n; i++) {if (length(line) + length(w[i]) > 98) {print line; line = sprintf("%18s", "")} \
	    line = line " " w[i]}; print line}; d = ""; next} {d = ""}' $(MAKEFILE_LIST)

## The quick loop before a commit: formatting, both clippy builds, the docs, the Rust tests
## and the vectors through the CLI. Installs nothing (`make test` is the whole run).
check: fmt-check clippy doc unit conformance
	@echo "make check: passed"

## Runs the main job on the bundled example data.
demo:
	$(CARGO) run --quiet --release --bin wty -- demo

## Installs what is missing, builds everything, runs every suite.
test: tools fmt-check clippy doc deny build unit vectors-check conformance header-check c-test python-test python-fleet wasm node-test ts-check browser-test fuzz-check hostile-check bench-check serve-test serve-pg-test
	@echo "make test: all suites passed"

## Builds the workspace in release: the CLI, both C libraries, the benches.
build:
	$(CARGO) build --release --workspace

## Installs what the suites need and this machine lacks (scripts/ensure-tools.sh).
tools:
	@bash scripts/ensure-tools.sh

## cargo fmt, checked.
fmt-check:
	$(CARGO) fmt --all -- --check

## Clippy on every target with every feature, and on the rules-only core, warnings denied.
clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	@# The rules-only build (the `warranty` npm module's core) is linted too.
	$(CARGO) clippy -p warranty-core -p warranty-wasm --no-default-features --lib --tests -- -D warnings

## Rewrites tests/golden/answers.ndjson, every vector's and scenario step's exact answer
## (core/tests/vectors.rs compares them byte for byte), after an intended change.
golden:
	WARRANTY_BLESS=1 $(CARGO) test -p warranty-core --test vectors every_answer_is_byte_for_byte

## cargo-deny (deny.toml): every crate's license is an allowed one, no crate twice in two
## versions (unless listed with its reason), only crates.io as a source.
deny:
	$(CARGO) deny check licenses bans sources

## cargo-deny's RustSec advisories; needs GitHub, which CI machines do not reach.
deny-advisories:
	$(CARGO) deny check advisories

## cargo test: unit, property and integration tests, the vectors under cargo test, and the
## rules-only core.
unit:
	$(CARGO) test --release --workspace --all-features
	@# The core without its `sync` feature: the rules' own tests, and sync operations refused.
	$(CARGO) test --release -p warranty-core --no-default-features --lib

## The generated vectors and phone metadata are what their scripts write now.
vectors-check:
	python3 scripts/make_vectors.py --check
	python3 scripts/gen_phone_meta.py --check

## Every vector and scenario through `wty conformance`, and the bundled examples.
conformance: build
	@# The shared sample must be part of tests/vectors (copied verbatim).
	@for f in $(SHARED_VECTORS); do cmp -s "$$f" "tests/vectors/$$(basename $$f)" || { echo "tests/vectors lacks $$f: copy it"; exit 1; }; done
	$(WTY) conformance tests/vectors tests/scenarios
	@# The bundled examples keep working: the claim is accepted and the demo runs.
	@$(WTY) call examples/claims/validate-tractor.json | grep -q '"outcome":"accept"' \
	  || { echo "examples/claims/validate-tractor.json is no longer accepted"; exit 1; }
	@$(WTY) demo | grep -q 'delivered 1, pending 0, dead-lettered 0, attempts 2, success rate 1.0000' \
	  || { echo "wty demo: the sync section no longer delivers the registration"; exit 1; }
	@$(WTY) demo | grep -q 'Covered by the legal guarantee (Portugal) until 3 Sep 2030, seller' \
	  || { echo "wty demo: the coverage-stack section no longer answers with the legal guarantee"; exit 1; }
	@echo "examples: the bundled claim is accepted and the demo runs (sync section delivered, stack answered)"

## The npm package (wasm/pkg), two modules: `warranty` (the rules: warranty-core without its
## `sync` feature) and `warranty/sync` (the whole library). Each: cargo → wasm-opt -Oz →
## wasm-bindgen (the version Cargo.lock pins). wasm-opt runs before wasm-bindgen: Debian's
## binaryen mangles the externref table that wasm-bindgen adds. The rules module's wasm-opt
## repeats its passes until they stop shrinking it (`--converge`: about 220 B gzip'd, a few
## seconds), as it is held under 270,000 B (issue 22).
wasm: wasm-tools
	@rm -rf $(WASM_BG) && mkdir -p $(WASM_BG)
	$(CARGO) build --profile wasm-rules --target $(WASM_TARGET) -p warranty-wasm
	wasm-opt -Oz --converge $(WASM_OPT_FEATURES) $(WASM_RAW_RULES) -o $(WASM_BG)/warranty_wasm.wasm
	$(CARGO) build --profile wasm --target $(WASM_TARGET) -p warranty-wasm --features sync
	wasm-opt -Oz $(WASM_OPT_FEATURES) $(WASM_RAW) -o $(WASM_BG)/warranty_sync.wasm
	@for m in warranty_wasm warranty_sync; do for t in nodejs web; do \
	  wasm-bindgen --target $$t --weak-refs --out-dir $(WASM_BG)/$$m-$$t $(WASM_BG)/$$m.wasm || exit 1; \
	done; done
	node scripts/wasm-pkg.mjs $(WASM_BG)/warranty_wasm-nodejs $(WASM_BG)/warranty_wasm-web \
	  $(WASM_BG)/warranty_sync-nodejs $(WASM_BG)/warranty_sync-web $(WASM_PKG) $(VERSION)
	@bash scripts/wasm-size.sh $(WASM_PKG)/warranty_wasm_bg.wasm warranty $(WASM_MAX_GZIP_RULES)
	@bash scripts/wasm-size.sh $(WASM_PKG)/warranty_sync_bg.wasm warranty/sync $(WASM_MAX_GZIP_SYNC)

wasm-tools:
	@bash scripts/ensure-wasm-tools.sh

## Node tests (node --test): every vector through `call` against the CLI's bytes, the typed
## helpers and their errors, the Engine class.
node-test: wasm c-vectors
	node --test tests/node/

## The TypeScript declarations compile against typed-usage.ts (tsc --strict).
ts-check: wasm
	node_modules/.bin/tsc --noEmit -p tests/node/tsconfig.json
	@echo "ts-check: the declarations type-check against tests/node/typed-usage.ts"

## The demo page in headless Chromium (playwright-core); screenshot in target/.
browser-test: wasm
	node tests/browser/demo.test.mjs

## Serves the shop-assistant demo page (examples/web/) on localhost.
demo-web: wasm
	node scripts/serve.mjs $(WEB_PORT)

## The packed zone tables (core/src/time/tz/) are generated from the locked chrono-tz and
## committed; core/tests/tz_vs_chrono_tz.rs fails when they no longer match it.
tzdata:
	python3 scripts/gen_tzdata.py

## libphonenumber's metadata for the registration API's seven countries, generated from the
## XML that the locked `phonenumber` crate ships and committed (core/src/partners/product_code/phone_meta.rs);
## core/tests/phone_vs_phonenumber.rs checks it against the crate.
phonedata:
	cargo fetch --quiet
	python3 scripts/gen_phone_meta.py

## The C header is generated by the pinned cbindgen and committed.
header:
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate warranty-ffi --output include/warranty.h ffi

## The committed header is what cbindgen writes now.
header-check:
	@mkdir -p $(C_OUT)
	@$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate warranty-ffi --output $(C_OUT)/warranty.h ffi
	@diff -u include/warranty.h $(C_OUT)/warranty.h \
	  || { echo "include/warranty.h is stale: run \`make header\` and commit it"; exit 1; }
	@echo "header-check: include/warranty.h is up to date"

## Installs the header, both libraries and warranty.pc under $(PREFIX) (and $(DESTDIR)).
install: build
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/warranty.h $(DESTDIR)$(PREFIX)/include/warranty.h
	install -m 644 $(LIB)/libwarranty.a $(DESTDIR)$(PREFIX)/lib/libwarranty.a
	install -m 755 $(LIB)/libwarranty.so $(DESTDIR)$(PREFIX)/lib/libwarranty.so.$(VERSION)
	ln -sf libwarranty.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libwarranty.so.$(MAJOR)
	ln -sf libwarranty.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libwarranty.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' ffi/warranty.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/warranty.pc

## C tests: plain, under ASan+UBSan, under valgrind, the header as C++, the example, an
## out-of-tree build through pkg-config (static and shared), and the Python ctypes example.
c-test: c-plain c-asan c-valgrind c-cpp c-example c-install-check python-ctypes
	@echo "c-test: all C suites passed"

## The vectors as files the C and Node suites read (scripts/ffi_vectors.py).
c-vectors: build
	@mkdir -p $(C_OUT)
	python3 scripts/ffi_vectors.py $(WTY) tests/vectors $(C_OUT)/vectors tests/scenarios
	@rm -rf $(C_OUT)/prefix
	@$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(C_OUT)/prefix >/dev/null

c-plain: c-vectors
	$(CC) $(C_STRICT) -o $(C_OUT)/test_ffi tests/c/test_ffi.c $(LIB)/libwarranty.a $(C_LIBS)
	$(C_OUT)/test_ffi $(C_TEST_ARGS)

c-asan: c-vectors
	clang $(C_STRICT) -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $(C_OUT)/test_ffi_asan tests/c/test_ffi.c $(LIB)/libwarranty.a $(C_LIBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(C_OUT)/test_ffi_asan $(C_TEST_ARGS)

c-valgrind: c-vectors
	$(CC) $(C_STRICT) -g -o $(C_OUT)/test_ffi_shared tests/c/test_ffi.c \
	  -L$(C_OUT)/prefix/lib -lwarranty -Wl,-rpath,$(CURDIR)/$(C_OUT)/prefix/lib $(C_LIBS)
	valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	  $(C_OUT)/test_ffi_shared $(C_TEST_ARGS)

c-cpp: c-vectors
	$(CXX) -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude -o $(C_OUT)/header_cpp tests/c/header.cpp \
	  $(LIB)/libwarranty.a $(C_LIBS)
	$(C_OUT)/header_cpp

c-example: build
	@mkdir -p $(C_OUT)
	$(CC) $(C_STRICT) -o $(C_OUT)/pos_checkout examples/c/pos_checkout.c $(LIB)/libwarranty.a $(C_LIBS)
	$(C_OUT)/pos_checkout

c-install-check: build
	bash scripts/c-install-check.sh

python-ctypes: c-vectors
	python3 examples/python/warranty_ctypes.py $(C_OUT)/prefix/lib/libwarranty.so

## The Python package (python/, PyO3 abi3 + maturin): `pip install ./python` into the project's
## venv (target/python-venv; maturin, pytest and mypy pinned there by scripts/ensure-python.sh).
PY_VENV := target/python-venv
python: build
	@bash scripts/ensure-python.sh > /dev/null
	PATH=$(CURDIR)/$(PY_VENV)/bin:$$PATH CARGO_TARGET_DIR=$(CURDIR)/target $(PY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-cache-dir \
	  --no-build-isolation --force-reinstall --no-deps ./python

## The Python suite: the generated per-operation functions are current, every vector and
## scenario through `warranty.call` gives the CLI's bytes, errors, engines, the GIL released;
## `mypy --strict` on a usage file against the installed package's types.
python-test: python c-vectors
	python3 scripts/gen_python_ops.py $(WTY) --check
	cd python/tests && ../../$(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider .
	cd python/tests && ../../$(PY_VENV)/bin/python -m mypy --strict --no-incremental typed_usage.py
	$(PY_VENV)/bin/python examples/python/erp_mapping.py

## The fleet example on real engines, small: 20,000 installed items through one process, Dask
## (LocalCluster, two worker processes) and PySpark (local[2], mapInArrow); equal answers.
python-fleet: python
	$(PY_VENV)/bin/python examples/python/fleet_expiring.py --items 20000 --out target/fleet-check

## The fleet example at its size: 1,000,000 items, with the timings (docs/python.md).
fleet: python
	$(PY_VENV)/bin/python examples/python/fleet_expiring.py --out target/fleet

## The Python benches: two threads on two batches against one thread doing both (the GIL
## released); Arrow batch throughput next to `wty call --ndjson`; the 30/60/90-day report
## against the same report in pure Python (dateutil); the fleet job on 10,000,000 items with
## Dask (one worker, then two) and Spark local[2], answers compared (docs/python.md).
bench-python: python c-vectors
	$(PY_VENV)/bin/python python/bench/threads.py
	$(PY_VENV)/bin/python python/bench/arrow.py
	$(PY_VENV)/bin/python python/bench/erp_report.py
	$(PY_VENV)/bin/python python/bench/fleet_dask.py

## Coverage-guided fuzzing (cargo-fuzz, libFuzzer + ASan; stable rustc with RUSTC_BOOTSTRAP for
## its -Z flags). `make test` runs each target FUZZ_SECONDS on a scratch copy of the committed
## corpus (fuzz/corpus stays as committed); `make fuzz` runs them at length and adds what it
## finds to fuzz/corpus. Crashers go to fuzz/artifacts/; fixed ones are kept in
## fuzz/regressions/ and replayed by core/tests/fuzz_replay.rs.
FUZZ_SECONDS ?= 30
FUZZ_LONG_SECONDS ?= 600
FUZZ_TARGETS := dispatch partner_answers dates tz_record
FUZZ_RUN = RUSTC_BOOTSTRAP=1 cargo fuzz run -O --target-dir ../target/fuzz
FUZZ_OPTS = -rss_limit_mb=2048 -print_final_stats=1 -timeout=10

## Replays the fuzz corpus and the fixed crashers (no fuzzing: `make fuzz` fuzzes).
fuzz-check:
	@bash scripts/ensure-fuzz-tools.sh
	@cd fuzz && for t in $(FUZZ_TARGETS); do \
	  rm -rf ../target/fuzz-scratch/$$t && mkdir -p ../target/fuzz-scratch/$$t && \
	  $(FUZZ_RUN) $$t ../target/fuzz-scratch/$$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTS) \
	    > ../target/fuzz-$$t.log 2>&1 || { tail -40 ../target/fuzz-$$t.log; echo "fuzz: $$t crashed (see fuzz/artifacts/$$t)"; exit 1; }; \
	  echo "fuzz: $$t $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' ../target/fuzz-$$t.log), no crash"; \
	done

## Fuzzes each target for a while (cargo-fuzz, on stable with RUSTC_BOOTSTRAP=1).
fuzz:
	@bash scripts/ensure-fuzz-tools.sh
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_RUN) $$t corpus/$$t -- -max_total_time=$(FUZZ_LONG_SECONDS) $(FUZZ_OPTS) || exit 1; done

## Hostile input through every binding (docs/fuzzing.md): generated requests through the CLI,
## the C library under ASan+UBSan and the WASM module in Node; the answers must be envelopes
## and byte-identical. `make test` sends 20,000, `make hostile` 1,000,000.
hostile-check: wasm
	bash scripts/hostile-run.sh 20000

hostile: wasm
	bash scripts/hostile-run.sh 1000000

## Runs each benchmark once, as a test, so they cannot rot (`make bench` measures).
bench-check:
	$(CARGO) test --release -p warranty-benches --benches

## Criterion benchmarks (native) and the Node medians.
bench: bench-wasm
	$(CARGO) bench -p warranty-benches
	bash scripts/bench-ndjson.sh

## `call` in Node through the WASM package: medians over 100,000 calls.
bench-wasm: wasm
	$(CARGO) build --quiet --release -p warranty-benches --example gen_ndjson
	@mkdir -p target/bench
	target/release/examples/gen_ndjson 1024 10000 > target/bench/resolve-1024.ndjson
	target/release/examples/gen_ndjson retail 10000 1024 none > target/bench/retail-none.ndjson
	target/release/examples/gen_ndjson retail 10000 1024 all > target/bench/retail-all.ndjson
	target/release/examples/gen_ndjson expiring 1024 > target/bench/expiring-1024.ndjson
	node benches/node/bench.mjs target/bench/resolve-1024.ndjson target/bench/retail-none.ndjson \
	  target/bench/retail-all.ndjson target/bench/expiring-1024.ndjson

## The API docs, with every warning (a broken intra-doc link) an error; the rules-only core
## too.
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --all-features
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p warranty-core --no-deps --no-default-features

## Removes target/ (cargo clean).
clean:
	$(CARGO) clean

## wty serve's API tests run in `unit` (server/tests: the API, hostile bodies, 12 kill -9
## fault runs); here schemathesis checks the live server against docs/openapi.yaml.
serve-test:
	bash scripts/serve-schemathesis.sh

## The same suites on PostgreSQL: a throw-away cluster on loopback, two instances sharing it
## in the fault runs (one killed each run).
serve-pg-test:
	bash scripts/serve-pg-test.sh

## `wty serve` on the bundled example data (examples/serve.toml, SQLite in target/serve/),
## with the fake partner on 127.0.0.1:8788 taking the registrations and webhooks. Ctrl-C stops.
serve:
	$(CARGO) build --release -p wty -p warranty-server
	@mkdir -p target/serve
	@target/release/fake-partner --script ok --listen 127.0.0.1:8788 --log target/serve/partner.log > /dev/null & \
	  P=$$!; trap "kill $$P 2>/dev/null" EXIT INT TERM; \
	  echo "fake partner on http://127.0.0.1:8788 (requests in target/serve/partner.log); keys in docs/serve.md"; \
	  target/release/wty serve --config examples/serve.toml

## Load on wty serve (docs/serve.md, "Load"): activations with durable commits, a stored
## read and the coverage endpoint, 32 connections, 10 s each.
bench-serve:
	bash scripts/bench-serve.sh

## The same load on PostgreSQL (a throw-away cluster on loopback, durable commits).
bench-serve-pg:
	STORE=pg bash scripts/bench-serve.sh

## The crash-safety run at full size: 200 kill -9 runs on SQLite, then 200 with two
## instances on PostgreSQL (`make test` runs 12 of each).
bench-serve-faults:
	WTY_FAULT_RUNS=200 $(CARGO) test --release -p warranty-server --test faults -- --nocapture
	WTY_FAULT_RUNS=200 bash scripts/serve-pg-test.sh
