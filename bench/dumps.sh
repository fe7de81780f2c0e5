#!/usr/bin/env bash
# Reading what `aws iam get-account-authorization-details` prints, side by
# side with `jq` in one run: a dump of 5,000 roles (IAM's per-account
# quota, about 45 MB), one of 20,000 roles (several accounts' dumps), and
# one role with 2,500, 5,000 and 10,000 statements (time linear in them).
# Each line: wall time, peak memory, and the ratio to `jq . FILE`. A peak
# under about 14 MiB is the Python process the command starts from, and
# only says "small".
#
# usage: bench/dumps.sh [ROUNDS] [OTHER_BINARY]   (default 3)
# With OTHER_BINARY (say, a previous release) its runs sit beside ours.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
other=${2:-}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/ecs-iam"
command -v jq > /dev/null || { echo "bench/dumps.sh needs jq" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/examples/ecs-basic.yaml" "$work/ecs-basic.yaml"

# Roles shaped as the AWS CLI prints them: a trust policy and inline
# policies URL-encoded (the raw API) or as objects (the CLI decodes them),
# attached managed policies, tags, instance profiles, last use. The first
# two are the roles `examples/ecs-basic.yaml` renders.
python3 - "$root/tests/drift/raw-api-eu-west-1.json" "$work" <<'PY'
import json, sys, urllib.parse

fixture, work = sys.argv[1], sys.argv[2]
ecs_basic = json.load(open(fixture))["RoleDetailList"]
account = "123456789012"

def encode(doc, i):
    # Every other role URL-encoded, as the raw API gives it.
    return urllib.parse.quote(json.dumps(doc), safe="") if i % 2 else doc

def statement(i, j):
    return {
        "Sid": f"Grant{j}",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"][: 1 + j % 3],
        "Resource": [f"arn:aws:s3:::app-{i}-data-{j}", f"arn:aws:s3:::app-{i}-data-{j}/*"],
        **({"Condition": {"StringEquals": {"aws:ResourceAccount": account}}} if j % 4 == 0 else {}),
    }

def role(i, statements=5, policies=3):
    name = f"app-{i:05}-task"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{account}:*"},
                      "StringEquals": {"aws:SourceAccount": account}},
    }]}
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{i:017}",
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": "2025-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": encode(trust, i),
        "InstanceProfileList": [],
        "RolePolicyList": [
            {"PolicyName": f"{name}-policy-{p}",
             "PolicyDocument": encode({"Version": "2012-10-17",
                                       "Statement": [statement(i, p * 100 + j) for j in range(statements)]}, i)}
            for p in range(policies)
        ],
        "AttachedManagedPolicies": [
            {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            {"PolicyName": f"shared-{i % 50}", "PolicyArn": f"arn:aws:iam::{account}:policy/shared-{i % 50}"},
        ],
        "Tags": [{"Key": k, "Value": f"{k}-{i}"} for k in ("team", "service", "env", "cost-centre")],
        "RoleLastUsed": {"LastUsedDate": "2026-01-01T00:00:00Z", "Region": "eu-west-1"},
    }

def dump(path, roles):
    with open(path, "w") as f:
        json.dump({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles,
                   "Policies": []}, f, indent=4)

for n in (5000, 20000):
    dump(f"{work}/roles-{n}.json", ecs_basic + [role(i) for i in range(n - 2)])
for n in (2500, 5000, 10000):
    big = role(0, statements=n, policies=1)
    big["RoleName"] = "big"
    big["Arn"] = f"arn:aws:iam::{account}:role/big"
    dump(f"{work}/statements-{n}.json", ecs_basic + [big])
PY

# Each case: `jq .`, `drift` and `init --from-role` (and the other
# binary's), each run ROUNDS times in alternating order; the median wall
# time, the peak memory (each run's own, from wait4), and the ratios to jq
# and to the file. A role of thousands of statements is more than IAM's
# 10,240 characters: `init` writes its spec and then refuses to render it
# (exit 2), which is measured all the same.
compare() {
    local file=$1 role=$2 lines=()
    lines+=("jq .=jq . $file")
    for b in "$bin" ${other:+"$other"}; do
        local tag
        tag=$(basename "$b")
        [ "$b" = "$bin" ] || tag="$tag (other)"
        lines+=("$tag drift=$b drift $work/ecs-basic.yaml --fail-on never --deployed $file")
        lines+=("$tag init --from-role=$b init --from-role $file#$role --output -")
    done
    echo "== $(basename "$file"): $(du -h "$file" | cut -f1)"
    python3 - "$rounds" "$(stat -c %s "$file")" "${lines[@]}" <<'PY'
import os, statistics, sys

rounds, size = int(sys.argv[1]), int(sys.argv[2]) / 2**20
names, commands = zip(*(a.split("=", 1) for a in sys.argv[3:]))

def once(argv):
    null = os.open(os.devnull, os.O_WRONLY)
    t = os.times().elapsed
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, usage = os.wait4(pid, 0)
    os.close(null)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 2), (argv, code)
    return os.times().elapsed - t, usage.ru_maxrss / 1024

runs = [[] for _ in commands]
for r in range(rounds):
    order = range(len(commands)) if r % 2 == 0 else reversed(range(len(commands)))
    for i in order:
        runs[i].append(once(commands[i].split()))
jq = statistics.median(t for t, _ in runs[0])
for name, got in zip(names, runs):
    t = statistics.median(t for t, _ in got)
    peak = max(m for _, m in got)
    print(f"{name:<36} {t:8.2f} s {peak:8.1f} MiB peak ({peak / size:.2f}x the file)"
          + ("" if name == "jq ." else f"; {jq / t:.1f}x faster than jq"))
PY
}

compare "$work/roles-5000.json" ecs-basic-execution
compare "$work/roles-20000.json" ecs-basic-execution
for n in 2500 5000 10000; do
    compare "$work/statements-$n.json" big
done
