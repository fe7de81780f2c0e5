#!/usr/bin/env bash
# Time `ecs-iam diff --old DIR --new DIR` over two trees of 1,000 workloads
# (what `render --out` writes for a folder of 1,000 specs), every tenth
# workload changed, and `diff --base` over the same specs in a git
# repository; prints the mean wall time of each.
#
# usage: bench/diff-trees.sh [WORKLOADS] [RUNS]   (defaults 1000, 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-1000}
runs=${2:-5}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/ecs-iam"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

mkdir specs
for i in $(seq -w 1 "$count"); do
    sed "s/^name: matillion-agent$/name: app-$i/" "$root/examples/matillion-agent.yaml" > "specs/app-$i.yaml"
done
"$bin" render specs --out base > /dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main && git add specs && git commit -q -m base
for f in specs/app-*0.yaml; do
    sed -i 's#^      - matillion/agent/platform-key$#      - matillion/agent/platform-key\n      - extra/secret#' "$f"
done
"$bin" render specs --out head > /dev/null

time_runs() {  # mean wall time of "$@" over $runs runs, in ms (exit 1 is a finding)
    python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
def run():
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    assert r.returncode in (0, 1), r
run()  # warm the caches
t = time.perf_counter()
for _ in range(runs):
    run()
print(f"{(time.perf_counter() - t) / runs * 1000:.0f}")
PY
}

summary=$("$bin" diff --old base --new head | tail -n 1 || true)
folders=$(time_runs "$bin" diff --old base --new head --format json)
base=$(time_runs "$bin" diff --base main specs --format json)
echo "$summary"
echo "diff --old base --new head ($count workloads): ${folders} ms per run"
echo "diff --base main specs ($count specs rendered twice): ${base} ms per run"
echo "($runs runs each, $(nproc) cores)"
