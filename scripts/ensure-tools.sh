#!/usr/bin/env bash
# Installs what `make test` needs when it is missing; fast when everything is there.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if ! have apt-get; then echo "ensure-tools: cannot install $* (no apt-get)" >&2; return 1; fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
have cargo || { echo "ensure-tools: cargo is required (rustup)" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
have python3 || apt_install python3
# wty serve's PostgreSQL suite (scripts/pg-cluster.sh): Debian's server, a cluster in a temp dir.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
# The Python package's venv (scripts/ensure-python.sh) and Spark's Java for the fleet example.
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
have java || apt_install openjdk-17-jre-headless
# The vector model needs the IANA database for Python's zoneinfo.
python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/Berlin")' 2>/dev/null || apt_install tzdata
# The C library: header generator (pinned: the committed header must match its output), C and
# C++ compilers, clang with its sanitizer runtimes, valgrind, pkg-config.
CBINDGEN_VERSION=0.29.4
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  cargo install --locked --quiet cbindgen --version "$CBINDGEN_VERSION"
fi
# cargo-deny (pinned): licenses, duplicate versions and sources of the dependency tree.
CARGO_DENY_VERSION=0.18.3
if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  echo "ensure-tools: installing cargo-deny $CARGO_DENY_VERSION (about five minutes)"
  cargo install --locked --quiet cargo-deny --version "$CARGO_DENY_VERSION"
fi
have cc || apt_install gcc
have c++ || apt_install g++
have clang || apt_install clang
# ASan/UBSan runtimes for Debian's clang.
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a >/dev/null 2>&1 \
  || apt_install "libclang-rt-$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)-dev"
have valgrind || apt_install valgrind
have pkg-config || apt_install pkg-config
echo "ensure-tools: ok"
