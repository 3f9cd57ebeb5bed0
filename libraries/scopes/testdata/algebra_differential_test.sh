#!/bin/bash
# sh_test wrapper: runs the algebra differential test (algebra_differential.js) on two seeds.
set -euo pipefail
tool="$1"
script="$2"
for seed in 1 2; do
  node "$script" "$tool" --seed "$seed" --count 20000
done
