#!/usr/bin/env bash
# Data-parallel throughput on this machine: the Fashion-MNIST MLP (784-256-128-10, Adam, batch 256)
# trained by 2 processes × 1 thread ('descent launch --nproc 2') beside 1 process × 2 threads,
# alternated ROUNDS times (default 3); prints the training samples/s of each run (summary.json:
# training steps only, without start-up and evaluation), their medians and the ratio.
# Needs libgloo-dev, g++, the data set (apt-get install dataset-fashion-mnist) and the command's
# jar: ./descent --help builds it (or mvn -B -ntp install -DskipTests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/descent.jar"
[[ -f "$jar" ]] || { echo "build $jar first: ./descent --help" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rounds="${ROUNDS:-3}"
epochs="${EPOCHS:-2}"
run=(train --data fashion-mnist --model mlp:256,128 --batch-size 256 --epochs "$epochs" --progress plain)

rate() { sed -n 's/.*"samples_per_second" *: *\([0-9.eE+-]*\).*/\1/p' "$1/summary.json" | head -1; }

for ((r = 0; r < rounds; r++)); do
    java -jar "$jar" "${run[@]}" --threads 2 --out "$tmp/one-$r" >/dev/null
    java -jar "$jar" launch --nproc 2 --master 127.0.0.1:$((20000 + RANDOM % 30000)) "${run[@]}" --threads 1 \
        --out "$tmp/two-$r" >/dev/null
    echo "round $r: 1 process x 2 threads $(rate "$tmp/one-$r") samples/s, 2 processes x 1 thread $(rate "$tmp/two-$r") samples/s"
done
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
for k in one two; do
    for ((r = 0; r < rounds; r++)); do rate "$tmp/$k-$r"; done | sort -g | awk -v k="$k" '
        { a[NR] = $1 } END { print k, a[int((NR + 1) / 2)] }'
done | awk '{ m[$1] = $2 } END {
    printf "median: 1 process x 2 threads %.0f samples/s, 2 processes x 1 thread %.0f samples/s, ratio %.2f\n",
        m["one"], m["two"], m["two"] / m["one"] }'
