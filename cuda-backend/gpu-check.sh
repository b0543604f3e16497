#!/usr/bin/env bash
# Checks the CUDA backend on a lent GPU machine (see ../shared/device/README.md) and leaves
# every log, JUnit report and result under $OUT. Prepare .device/ first, on the build machine:
#   cuda-backend/prepare-gpu-check.sh
# then one `run` call with carry [".device"] and command `bash cuda-backend/gpu-check.sh`.
#   STEPS="tests"  what to run, in order, within one call's 10 minutes (default: tests):
#     tests  the module's tests, the whole CPU conformance suite run on CUDA among them
#     bench  bench's dev.descent.bench.cuda (GEMM vs cuBLAS, add and sum vs a device copy, fused
#            Adam vs its floor; 21 JMH forks, ~3 minutes estimated): $OUT/bench-table.txt, bench.json
#     train  `descent train --backend cuda`: the default run, then the Fashion-MNIST MLP and CNN runs
#            when .device-data/fashion-mnist/ is there: $OUT/train-*/summary.json (samples per second).
#            The data (30 MB) and .device do not fit one call's 64 MiB: run
#            `DATA=1 cuda-backend/prepare-gpu-check.sh`, then one call with carry [".device-data"]
#            and command `true` (ignored paths stay on the machine while it is held), then this one.
#   SYNC=0         do not synchronise after every op in the tests (default 1: a failing kernel names its op)
#   TESTS="A B"    the test classes to run (default: all of the module's, GPU ones included)
#   LIMIT=480      seconds the tests may take in all; lower it (e.g. 240) with more steps
#   BENCH_REGEX=Matmul   only the CUDA benchmarks matching it
#   BENCH_LIMIT=300      seconds the benchmarks may take in all
#   TRAIN_LIMIT=240      seconds each training run may take
#   CNN_EPOCHS=1         epochs of the CNN recipe's run
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
OUT=${OUT:-/tmp/gpu-check-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1

echo "== machine"
date -u
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 && head -15 "$OUT/nvidia-smi.txt" || echo "nvidia-smi failed"
command -v nvcc && nvcc --version | tail -2

echo "== java runtime"
tar xzf .device/jre.tgz -C /tmp
export PATH=/tmp/jre/bin:$PATH
java -version

echo "== CUDA libraries"
# The presets link libcudart.so.13, libcublas.so.13 (+ libcublasLt) and libnvrtc.so.13; the
# driver's libcuda.so.1 is found by the loader already.
dirs=()
for name in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 libnvrtc-builtins.so.13; do
  found=$(ldconfig -p | awk -v n="$name" '$1 == n {print $NF; exit}')
  if [[ -z $found ]]; then
    found=$(ls /usr/local/cuda*/lib64/$name /usr/local/cuda*/targets/*/lib/$name 2>/dev/null | head -1)
  fi
  if [[ -z $found ]]; then
    py=$(command -v python3 || true)
    if [[ -n $py ]]; then
      site=$($py -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null)
      for s in $site; do
        found=$(ls "$s"/nvidia/*/lib/$name "$s"/nvidia/cu13/lib/$name 2>/dev/null | head -1)
        [[ -n $found ]] && break
      done
    fi
  fi
  echo "$name -> ${found:-NOT FOUND}"
  [[ -n $found ]] && dirs+=("$(dirname "$(readlink -f "$found")")")
done
libpath=$(printf '%s\n' "${dirs[@]}" | awk '!seen[$0]++' | paste -sd: -)
export LD_LIBRARY_PATH=${libpath}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

steps=" ${STEPS:-tests} "
rc=0
if [[ $steps == *" tests "* ]]; then
  echo "== tests"
  cp=$(ls .device/cuda/lib/*.jar | paste -sd: -)
  tests=${TESTS:-"CudaAvailabilityTest CudaBackendTest CudaProgramTest KernelSourcesTest CudaConformanceTest CudaGradientConformanceTest"}
  selectors=()
  for t in $tests; do
    selectors+=(--select-class "dev.descent.cuda.$t")
  done
  sync=true
  [[ "${SYNC:-1}" == 0 ]] && sync=false
  start=$(date +%s)
  timeout "${LIMIT:-480}" java -Ddescent.cuda.sync=$sync -Ddescent.cuda.kernelCache=/tmp/descent-kernels \
    -Ddescent.native.dir="$root/native" \
    -jar .device/cuda/junit-platform-console-standalone.jar execute \
    --class-path "$cp" "${selectors[@]}" --reports-dir "$OUT/junit" --details=tree --disable-banner \
    > "$OUT/tests.log" 2>&1
  rc=$?
  echo "tests exit $rc after $(( $(date +%s) - start )) s (124: timed out)"
  grep -E "tests (successful|failed|skipped|aborted|found)|containers failed" "$OUT/tests.log" | sed 's/^\[ *//'
  # The conformance report (per op: cases, failures, worst error) prints at the end of the suite.
  grep -n -A200 "conformance report\|Conformance report" "$OUT/tests.log" > "$OUT/conformance-report.txt" || true
fi

if [[ $steps == *" bench "* ]]; then
  echo "== CUDA benchmarks"
  # Short JMH settings (--quick: 2 warm-up and 3 measured 1 s iterations, one fork each); no
  # descent.cuda.sync, which would time a synchronisation after every op. The forks inherit the
  # kernel cache property, so only the first compiles kernels.
  bcp=$(ls .device/cuda/lib/*.jar .device/bench/lib/*.jar | paste -sd: -)
  start=$(date +%s)
  timeout "${BENCH_LIMIT:-300}" java -Ddescent.cuda.kernelCache=/tmp/descent-kernels -cp "$bcp" \
    dev.descent.bench.BenchMain --quick --cuda --json "$OUT/bench.json" ${BENCH_REGEX:+"$BENCH_REGEX"} \
    > "$OUT/bench.log" 2>&1
  brc=$?
  echo "benchmarks exit $brc after $(( $(date +%s) - start )) s (124: timed out)"
  grep -E "^descent-bench:|Exception|Error" "$OUT/bench.log" | head -20
  sed -n '/^benchmark  /,$p' "$OUT/bench.log" | tee "$OUT/bench-table.txt"
  (( rc == 0 )) && rc=$brc
fi
if [[ $steps == *" train "* ]]; then
  echo "== descent train --backend cuda"
  # The class path has no CPU backend: a host tensor anywhere in the run fails it loudly.
  tcp=$(ls .device/cuda/lib/*.jar .device/bench/lib/*.jar .device/train/lib/*.jar | paste -sd: -)
  train() {
    local name=$1
    shift
    timeout "${TRAIN_LIMIT:-240}" java -Ddescent.cuda.kernelCache=/tmp/descent-kernels -cp "$tcp" \
      dev.descent.cli.Main train --backend cuda --progress plain --out "$OUT/train-$name" "$@" \
      > "$OUT/train-$name.log" 2>&1
    local trc=$?
    echo "train $name exit $trc (124: timed out)"
    tail -4 "$OUT/train-$name.log"
    grep -E '"(test_accuracy|samples_per_second)"' "$OUT/train-$name/summary.json" 2>/dev/null
    (( rc == 0 )) && rc=$trc
  }
  train default
  if [[ -d .device-data/fashion-mnist ]]; then
    train fashion-mnist --data .device-data/fashion-mnist --model mlp:256,128 --batch-size 128 --epochs 10
    # the README's CNN recipe (one epoch unless CNN_EPOCHS says more)
    train fashion-mnist-cnn --data .device-data/fashion-mnist \
      --model cnn:c32k3,bn,relu,pool2,c64k3,bn,relu,pool2,fc128,relu,drop0.3 --augment flip \
      --batch-size 128 --epochs "${CNN_EPOCHS:-1}" --schedule cosine
  else
    echo "no .device-data/fashion-mnist here: the Fashion-MNIST run is left out (see this script's head)"
  fi
fi
ls /tmp/descent-kernels > "$OUT/kernel-cache.txt" 2>/dev/null || true
exit $rc
