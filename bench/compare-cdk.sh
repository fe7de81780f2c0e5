#!/usr/bin/env bash
# Time `ecs-iam render` against the CDK route (bench/cdk_route.js: the same
# two roles with aws-cdk-lib, synthesised) on this machine, in one run.
#
# usage: bench/compare-cdk.sh [RUNS]   (default 10)
# Needs the conformance tools (conformance/setup.sh installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
bash "$root/conformance/setup.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/ecs-iam"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NODE_PATH="$root/target/conformance/node/node_modules"

time_runs() {  # prints the mean wall time of "$@" over $runs runs, in ms
    python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm the caches
t = time.perf_counter()
for _ in range(runs):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
print(f"{(time.perf_counter() - t) / runs * 1000:.2f}")
PY
}

ours=$(time_runs "$bin" render "$root/examples/matillion-agent.yaml" --out "$work/out")
cdk=$(time_runs node "$root/bench/cdk_route.js")
ratio=$(python3 -c "print(f'{$cdk / $ours:.0f}')")
echo "ecs-iam render (CloudFormation + Terraform + CDK, 8 files): ${ours} ms per run"
echo "CDK route (aws-cdk-lib L2 roles, synth to CloudFormation):  ${cdk} ms per run"
echo "ecs-iam is ${ratio}x faster ($runs runs each, $(nproc) cores)"
