#!/usr/bin/env bash
# `render` against `check` on the same spec, side by side in one run:
# render into a folder it already wrote (the output up to date, as in a
# pre-commit hook) and into a new folder (every file written and flushed);
# then 1,000 specs in one `render`, time and peak memory.
#
# usage: bench/render-vs-check.sh [RUNS] [OTHER_BINARY]   (default 200)
# With OTHER_BINARY (say, a previous release) its batch runs beside ours.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200}
other=${2:-}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/ecs-iam"
spec="$root/examples/matillion-agent.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
side_by_side() { python3 "$root/bench/side_by_side.py" "$@"; }

"$bin" render "$spec" --out "$work/up-to-date" > /dev/null
side_by_side "$runs" \
    "check=$bin check $spec" \
    "render (up to date)=$bin render $spec --out $work/up-to-date" \
    "render (new folder)=$bin render $spec --out $work/new/{n}" | tee "$work/single"
python3 - "$work/single" <<'PY'
import sys
ms = {l[:28].strip(): float(l[28:].split()[0]) for l in open(sys.argv[1])}
for k in ("render (up to date)", "render (new folder)"):
    print(f"{k} / check: {ms[k] / ms['check']:.2f}x")
PY

mkdir "$work/specs"
for i in $(seq -w 1 1000); do
    sed "s/^name: matillion-agent$/name: app-$i/" "$spec" > "$work/specs/app-$i.yaml"
done
batch=("ecs-iam render, 1,000 specs=$bin render $work/specs --out $work/batch/{n}")
if [ -n "$other" ]; then
    batch+=("$(basename "$other") render, 1,000 specs=$other render $work/specs --out $work/batch/{n}")
fi
side_by_side 5 --memory "${batch[@]}"
