#!/usr/bin/env bash
# Prepares .device/ (at the repository root) for gpu-check.sh on a lent GPU machine, which has
# CUDA but no JDK, Maven or network: a packed Java runtime, the module's jar and test classes,
# every dependency jar the CUDA tests load, and the JUnit console launcher.
# Usage, from the repository root or anywhere:  cuda-backend/prepare-gpu-check.sh
#   SKIP_BUILD=1   use the jars already built instead of running Maven first
#   POM=path       the root pom to build with (default: the repository's pom.xml)
# Then a `run` call with carry [".device"] and command `bash cuda-backend/gpu-check.sh`.
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
  mvn -B -q -f "$pom" install -DskipTests -pl "$root/cuda-backend" -am
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
du -sh "$dev"
total=$(du -sm "$dev" | cut -f1)
if (( total > 62 )); then
  echo "prepare-gpu-check: $dev is ${total} MiB; a run carries at most 64 MiB" >&2
  exit 1
fi
ls "$lib"
