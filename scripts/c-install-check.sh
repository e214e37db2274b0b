#!/usr/bin/env bash
# `make install` into a temporary prefix, then build examples/c/pos_checkout.c out of tree with
# nothing but pkg-config, shared and static, and run both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -C "$root" --no-print-directory install PREFIX="$tmp/prefix" >/dev/null
cp "$root/examples/c/pos_checkout.c" "$tmp/app.c"
mkdir "$tmp/example" && cp "$root/examples/c/pos_checkout.c" "$root/examples/c/Makefile" "$tmp/example/"
cd "$tmp"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
echo "pkg-config --cflags --libs warranty: $(pkg-config --cflags --libs warranty)"
# Shared: the documented link line; the loader finds the library through LD_LIBRARY_PATH
# here (an install into /usr/local would use ldconfig).
cc -std=c99 -Wall -Wextra -Werror -pedantic -o app-shared app.c $(pkg-config --cflags --libs warranty)
LD_LIBRARY_PATH="$(pkg-config --variable=libdir warranty)" ./app-shared >/dev/null
LD_LIBRARY_PATH="$(pkg-config --variable=libdir warranty)" ldd ./app-shared | grep 'libwarranty.so.0 =>' >/dev/null || { echo "app-shared is not linked to libwarranty.so.0"; exit 1; }
# Static: the documented static link line; the binary needs no libwarranty at run time.
# (glibc warns that Rust's std contains getaddrinfo/getpwuid_r; the library never calls them.)
cc -std=c99 -Wall -Wextra -Werror -pedantic -static -o app-static app.c $(pkg-config --static --cflags --libs warranty) 2>/dev/null
env -u LD_LIBRARY_PATH ./app-static >/dev/null
# The plain Makefile example, as an integrator would use it.
make -s -C example CFLAGS="-std=c99 -Wall -Wextra -Werror" >/dev/null
LD_LIBRARY_PATH="$(pkg-config --variable=libdir warranty)" ./example/pos_checkout >/dev/null
make -s -C example clean static 2>/dev/null >/dev/null
./example/pos_checkout >/dev/null
echo "c-install-check: installed header, libraries and warranty.pc build and run (shared and static)"
