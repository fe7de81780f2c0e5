"""Shellcheck each `run:` step of action.yml as bash, as GitHub runs it
(actionlint checks workflows, not an action's own metadata)."""

import subprocess
import sys

import yaml

failed = False
with open("action.yml", encoding="utf-8") as f:
    action = yaml.safe_load(f)
for step in action["runs"]["steps"]:
    if "run" not in step:
        continue
    assert step["shell"] == "bash", step["name"]
    result = subprocess.run(
        ["shellcheck", "--shell=bash", "-"], input=step["run"], text=True, capture_output=True
    )
    if result.returncode != 0:
        failed = True
        print(f"action.yml: step `{step['name']}`:\n{result.stdout}", file=sys.stderr)
sys.exit(1 if failed else 0)
