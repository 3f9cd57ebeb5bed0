#!/usr/bin/env bash
# Writes a compile_commands.json for clang-tidy into DIR for the project's C++ sources, with the
# include paths Bazel uses (the tree, bazel-bin for generated headers, bazel-bin/protos for the
# generated protos) and the system libraries' flags. Run after `bazel build //...`.
#   tools/lint/compile_commands.sh DIR FILE...
set -euo pipefail
out=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$root" && bazel info bazel-bin 2>/dev/null)
flags="-x c++ -std=c++17 -I$root -I$bin -I$bin/protos $(pkg-config --cflags grpc++ protobuf libpqxx)"
mkdir -p "$out"
{
  echo "["
  first=1
  for f in "$@"; do
    [ $first = 1 ] || echo ","
    first=0
    printf '{"directory": "%s", "file": "%s", "command": "clang++ %s -c %s"}' \
      "$root" "$root/$f" "$flags" "$root/$f"
  done
  echo "]"
} > "$out/compile_commands.json"
