#!/usr/bin/env bash
# All-reduce bus bandwidth on loopback with 2 ranks: Descent's ProcessGroup.allReduce (Gloo through
# its JavaCPP binding) beside Gloo's own all-reduce called from a C++ program, for the same sizes,
# timed the same way (bench/src/main/cpp/gloo_allreduce.cc, dev.descent.bench.distributed.AllReduceRank),
# alternated ROUNDS times (default 3); prints medians, in GB/s, and their ratio. ALGORITHM picks
# Gloo's all-reduce for both: bcube (Descent's default) or ring.
# Bus bandwidth as nccl-tests define it: size / time × 2(n−1)/n, which is size / time for n = 2.
# Needs libgloo-dev and g++, and the bench jar: mvn -B -ntp install -DskipTests (or package).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/descent-bench.jar"
[[ -f "$jar" ]] || { echo "build $jar first: mvn -B -ntp install -DskipTests" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
g++ -O2 -std=c++17 "$root/bench/src/main/cpp/gloo_allreduce.cc" -lgloo -o "$tmp/gloo_allreduce"
rounds="${ROUNDS:-3}"
algorithm="${ALGORITHM:-bcube}"

cpp() {
    local store="$tmp/store-$1"
    mkdir -p "$store"
    "$tmp/gloo_allreduce" 1 2 "$store" "$algorithm" >/dev/null &
    "$tmp/gloo_allreduce" 0 2 "$store" "$algorithm"
    wait
}

descent() {
    local port=$((20000 + RANDOM % 30000))
    MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=1 \
        java -Ddescent.cpu.threads=1 -Ddescent.gloo.algorithm="$algorithm" -cp "$jar" dev.descent.bench.distributed.AllReduceRank >/dev/null &
    MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=2 RANK=0 \
        java -Ddescent.cpu.threads=1 -Ddescent.gloo.algorithm="$algorithm" -cp "$jar" dev.descent.bench.distributed.AllReduceRank
    wait
}

for ((r = 0; r < rounds; r++)); do
    cpp "$r" >"$tmp/cpp.$r"
    descent >"$tmp/descent.$r"
done

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; Gloo's $algorithm all-reduce; $rounds rounds, medians"
printf '%12s %14s %14s %8s\n' size "gloo (C++)" "descent" ratio
cat "$tmp"/cpp.* | sort -n -k1,1 | awk '{print "cpp", $1, $2}' >"$tmp/all"
cat "$tmp"/descent.* | sort -n -k1,1 | awk '{print "descent", $1, $2}' >>"$tmp/all"
awk -v rounds="$rounds" '
    { t[$1 " " $2, ++n[$1 " " $2]] = $3; sizes[$2] = 1 }
    function median(key,   k, i, j, v, a) {
        k = n[key]
        for (i = 1; i <= k; i++) a[i] = t[key, i]
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { v = a[i]; a[i] = a[j]; a[j] = v }
        return a[int((k + 1) / 2)]
    }
    END {
        m = 0
        for (s in sizes) order[++m] = s + 0
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (order[j] < order[i]) { v = order[i]; order[i] = order[j]; order[j] = v }
        for (i = 1; i <= m; i++) {
            s = order[i]
            c = s / median("cpp " s) / 1e9
            d = s / median("descent " s) / 1e9
            label = s >= 1048576 ? s / 1048576 " MiB" : s / 1024 " KiB"
            printf "%12s %11.3f GB/s %9.3f GB/s %8.2f\n", label, c, d, d / c
        }
    }' "$tmp/all"
