#!/usr/bin/env bash
# Installs what `make wasm` and the JavaScript tests need when it is missing; fast when present.
set -euo pipefail
cd "$(dirname "$0")/.."
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if ! have apt-get; then echo "ensure-wasm-tools: cannot install $* (no apt-get)" >&2; return 1; fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  echo "ensure-wasm-tools: installing wasm-bindgen-cli $want (a few minutes)"
  cargo install --quiet --locked wasm-bindgen-cli --version "$want" \
    || cargo install --quiet wasm-bindgen-cli --version "$want"
fi
have wasm-opt || apt_install binaryen
have node || apt_install nodejs npm
[ -x /usr/bin/chromium ] || apt_install chromium
# npm packages for the tests (tsc, playwright-core), from the committed lock file.
if ! cmp -s package-lock.json node_modules/.installed-from-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-from-lock
fi
echo "ensure-wasm-tools: ok"
