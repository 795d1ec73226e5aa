#!/usr/bin/env bash
# Usage: check-install.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR [SANITIZED]
# Proves the installed package is usable: install, then build and run the softswitch example
# with find_package(pbxkit), and compile it again with `pkg-config --cflags --libs pbxkit`.
set -euo pipefail
build=$1 src=$2 scratch=$3 sanitized=${4:-0}
if [[ $sanitized == 1 ]]; then
  echo "SKIPPED: a sanitizer build's libpbxkit needs the sanitizer runtime loaded first;" \
       "the installed package is checked by the normal build" >&2
  exit 77
fi
rm -rf "$scratch" && mkdir -p "$scratch"
prefix=$scratch/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null

cmake -S "$src/examples/softswitch" -B "$scratch/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
export LD_LIBRARY_PATH=$prefix/lib
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out=$("$scratch/cmake-build/softswitch" "udp:127.0.0.1:$port" 1)
grep -q "softswitch ready" <<<"$out"
grep -q "pbx_calls_started_total 0" <<<"$out"
echo "find_package(pbxkit): built and ran softswitch"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
g++ -std=c++20 "$src/examples/softswitch/softswitch.cc" -o "$scratch/softswitch-pc" \
    $(pkg-config --cflags --libs pbxkit)
"$scratch/softswitch-pc" "udp:127.0.0.1:$port" 1 | grep -q "softswitch ready"
echo "pkg-config pbxkit: built and ran softswitch"
