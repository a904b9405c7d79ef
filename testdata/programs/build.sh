#!/bin/sh
# Rebuilds every program in this folder from source. Tests never run this: they use the committed
# .wasm files. Needs Debian's toolchains (bookworm):
#   apt-get install clang lld wasi-libc libclang-rt-dev-wasm32 rustc libstd-rust-dev-wasm32
# and npm (AssemblyScript is installed into a throwaway folder, pinned below).
# Rust: /usr/bin/rustc explicitly, because a rustup rustc earlier on PATH may lack the wasm32-wasi std.
set -eu
cd "$(dirname "$0")"
OUT=wasm
mkdir -p "$OUT"

CLANG="clang --target=wasm32-wasi -O2 -Wl,--strip-debug"
$CLANG -o "$OUT/fileio.wasm" c/fileio.c
$CLANG -o "$OUT/sysinfo.wasm" c/sysinfo.c
# A reactor: crt1-reactor.o supplies `_initialize` (runs constructors) and no `_start`.
$CLANG -mexec-model=reactor -o "$OUT/reactor.wasm" c/reactor.c

RUSTC="/usr/bin/rustc --edition 2021 -O --target wasm32-wasi -C strip=debuginfo"
$RUSTC -o "$OUT/wordcount.wasm" rust/wordcount.rs
$RUSTC -o "$OUT/timekeeper.wasm" rust/timekeeper.rs

ASC_VERSION=0.27.31
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp assemblyscript/abort.ts "$TMP/"
(cd "$TMP" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "assemblyscript@$ASC_VERSION" \
  && npx asc abort.ts --outFile abort.wasm --optimize --runtime stub)
cp "$TMP/abort.wasm" "$OUT/abort.wasm"

sha256sum "$OUT"/*.wasm > SHA256SUMS
echo "built: $(ls "$OUT" | tr '\n' ' ')"
