#!/usr/bin/env python3
"""Which of checkov's cloudsplaining checks each policy raises, by the
calls checkov 3.3.30's checks make.

usage: target/conformance/checkov-venv/bin/python conformance/checkov_oracle.py < policies.json

Reads a JSON list of policy documents; prints a JSON list holding, for each,
{"cloudformation": [...], "terraform": [...]}: CKV_AWS_107 to 111 on both,
CKV_AWS_356 on Terraform only (checkov has no CloudFormation version of it).
"""

import json
import logging
import sys

from cloudsplaining.scan.policy_document import PolicyDocument

# checkov's CKV_AWS_107 leaves this action out.
NOT_CREDENTIALS_EXPOSURE = {"ecr:GetAuthorizationToken"}


def raised(policy):
    doc = PolicyDocument(policy)
    ids = []
    if [x for x in doc.credentials_exposure if x not in NOT_CREDENTIALS_EXPOSURE]:
        ids.append("CKV_AWS_107")
    if doc.allows_data_exfiltration_actions:
        ids.append("CKV_AWS_108")
    if doc.permissions_management_without_constraints:
        ids.append("CKV_AWS_109")
    if doc.allows_privilege_escalation:
        ids.append("CKV_AWS_110")
    if doc.write_actions_without_constraints:
        ids.append("CKV_AWS_111")
    terraform = list(ids)
    if doc.all_allowed_unrestricted_actions:
        terraform.append("CKV_AWS_356")
    return {"cloudformation": ids, "terraform": sorted(terraform)}


def main():
    logging.disable(logging.CRITICAL)
    policies = json.load(sys.stdin)
    json.dump([raised(p) for p in policies], sys.stdout)


if __name__ == "__main__":
    main()
