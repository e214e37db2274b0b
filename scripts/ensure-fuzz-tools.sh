#!/usr/bin/env bash
# Installs cargo-fuzz (pinned) when it is missing; rustc brings its own ASan runtime.
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.1
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "ensure-fuzz-tools: installing cargo-fuzz $CARGO_FUZZ_VERSION (a minute or two)"
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
