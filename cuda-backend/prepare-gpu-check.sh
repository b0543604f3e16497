#!/usr/bin/env bash
# Prepares .device/ (at the repository root) for gpu-check.sh on a lent GPU machine, which has
# CUDA but no JDK, Maven or network: a packed Java runtime, the module's jar and test classes,
# every dependency jar the CUDA tests load, and the JUnit console launcher; and, in
# .device/bench/lib, the jars the CUDA benchmarks add to those (bench, optim, JMH); in
# .device/train/lib, those `descent train` adds (cli, train, nn, lab, JSON, charts, progress bar).
# Usage, from the repository root or anywhere:  cuda-backend/prepare-gpu-check.sh
#   SKIP_BUILD=1   use the jars already built instead of running Maven first
#   POM=path       the root pom to build with (default: the repository's pom.xml)
#   DATA=1         also copy Fashion-MNIST into .device-data/fashion-mnist (carried on its own)
# Then a `run` call with carry [".device"] and command `bash cuda-backend/gpu-check.sh`
# (`STEPS=bench bash cuda-backend/gpu-check.sh` for the CUDA benchmarks alone; see its head).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pom=${POM:-pom.xml}
dev=.device
lib=$dev/cuda/lib
junit_platform=1.14.1

grep -qx '/.device/' .git/info/exclude 2>/dev/null || grep -qx '.device/' .gitignore 2>/dev/null \
  || echo '/.device/' >> .git/info/exclude

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -f "$pom" install -DskipTests -pl "$root/cuda-backend,$root/bench,$root/cli" -am
fi
if [[ ! -f $dev/jre.tgz ]]; then
  "$root/../shared/device/pack-runtime.sh" "$dev"
fi

rm -rf "$dev/cuda"
mkdir -p "$lib"
mvn -B -q -f "$root/cuda-backend/pom.xml" dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$root/$lib"
# The console launcher bundles JUnit itself; the OpenBLAS natives are never loaded on the GPU run.
rm -f "$lib"/junit-*.jar "$lib"/opentest4j-*.jar "$lib"/apiguardian-*.jar "$lib"/openblas-*.jar
cp cuda-backend/target/descent-cuda-backend-*.jar "$lib"/
jar cf "$lib/descent-cuda-backend-tests.jar" -C cuda-backend/target/test-classes .
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_platform \
  -DoutputDirectory="$root/$dev/cuda" -Dmdep.stripVersion=true

# The benchmarks run on the class path $lib + $dev/bench/lib: keep only the jars $lib lacks. The
# CPU backend stays out (its OpenBLAS natives are 20 MB), so a CUDA benchmark that touched the
# host's default device would fail rather than measure the CPU.
rm -rf "$dev/bench"
mkdir -p "$dev/bench/lib"
mvn -B -q -f "$root/bench/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/$dev/bench/lib"
for j in "$dev/bench/lib"/*.jar; do
  if [[ -e $lib/$(basename "$j") ]]; then
    rm "$j"
  fi
done
rm -f "$dev/bench/lib"/openblas-*.jar "$dev/bench/lib"/descent-cpu-backend-*.jar
cp bench/target/descent-bench-[0-9]*.jar "$dev/bench/lib"/

# `descent train --backend cuda` runs on $lib + bench/lib + train/lib, without the CPU backend too.
rm -rf "$dev/train"
mkdir -p "$dev/train/lib"
mvn -B -q -f "$root/cli/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/$dev/train/lib"
for j in "$dev/train/lib"/*.jar; do
  if [[ -e $lib/$(basename "$j") || -e $dev/bench/lib/$(basename "$j") ]]; then
    rm "$j"
  fi
done
rm -f "$dev/train/lib"/openblas-*.jar "$dev/train/lib"/descent-cpu-backend-*.jar
cp cli/target/descent-cli-[0-9]*.jar "$dev/train/lib"/
if [[ "${DATA:-0}" == 1 ]]; then
  mkdir -p .device-data/fashion-mnist
  cp /usr/share/datasets/fashion-mnist/*-ubyte.gz .device-data/fashion-mnist/
fi
du -sh "$dev"
total=$(du -sm "$dev" | cut -f1)
if (( total > 62 )); then
  echo "prepare-gpu-check: $dev is ${total} MiB; a run carries at most 64 MiB" >&2
  exit 1
fi
ls "$lib" "$dev/bench/lib" "$dev/train/lib"
