#!/usr/bin/env bash
# `ecs-iam usage` against `zcat` and trailscraper on the same CloudTrail
# files, side by side in one run, at each size given (MiB of JSON; default
# 128, 512 and 1024): wall time, CPU time and peak memory of
#   - zcat alone over every file (the floor: inflating the bytes),
#   - `ecs-iam usage bench/usage/checkout.yaml --format json`,
#   - `trailscraper select` of the spec's task role, then `trailscraper
#     generate` on what it selected.
# The files come from bench/cloudtrail_gen.py, kept under the target
# folder and reused while the generator is unchanged; trailscraper is
# installed from PyPI, pinned, into a venv there. Its policy and ours are
# left beside the files of each size (`usage.json`, `trailscraper.json`),
# for the comparison in docs/usage-evidence.md.
#
# usage: bench/usage.sh [ROUNDS] [SIZE_MIB...]   (default 3 128 512 1024)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
rounds=${1:-3}
shift || true
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(128 512 1024)
fi
trailscraper=trailscraper==0.10.0

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$target/release/ecs-iam"

tools="$target/bench-tools/$trailscraper"
if [ ! -x "$tools/bin/trailscraper" ]; then
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --disable-pip-version-check --quiet "$trailscraper"
fi

# The files, generated again when the generator changes.
stamp=$(sha256sum "$root/bench/cloudtrail_gen.py" | cut -c1-12)
dirs=()
for mb in "${sizes[@]}"; do
    dir="$target/bench-usage/$mb-MiB-$stamp"
    if [ ! -e "$dir/.done" ]; then
        rm -rf "$dir"
        python3 "$root/bench/cloudtrail_gen.py" "$dir/trail" --mb "$mb" --start 2026-11-01 --days 31
        touch "$dir/.done"
    fi
    dirs+=("$dir")
done
# Older generations of the files are of no more use.
find "$target/bench-usage" -mindepth 1 -maxdepth 1 ! -name "*-$stamp" -exec rm -rf {} +

python3 "$root/bench/usage.py" "$rounds" "$bin" "$tools/bin/trailscraper" \
    "$root/bench/usage/checkout.yaml" "arn:aws:iam::111122223333:role/checkout-task" "${dirs[@]}"
