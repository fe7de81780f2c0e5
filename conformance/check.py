#!/usr/bin/env python3
"""The conformance tier: ecs-iam's output given to the tools that consume it.

usage: check.py ROOT [--expect FILE] [--report FILE]

ROOT holds one folder per rendering (cloudformation.yaml, terraform/, cdk/).
For each, in order:

  cfn-lint      reports nothing on cloudformation.yaml
  moto          the template deploys into a moto server, each input
                (template parameter) given a value; the roles read back
                (GetRole, ListRolePolicies, GetRolePolicy,
                ListAttachedRolePolicies) equal the template's
  hcl2json      every .tf file parses with HashiCorp's parser (npm
                @cdktf/hcl2json); the policy documents rebuilt from it equal
                the CloudFormation statements; main.tf reads the region
                with the `aws_region` attribute the provider versions.tf
                requires has (`region` on 6.x, `name` on 5.x), and no role
                sets an argument deprecated since the provider's 5.x
  python-hcl2   the same with python-hcl2
  aws-cdk-lib   cdk/*.json load into iam.CfnRole, cdk/inputs.json into
                CfnParameters; the synthesised roles and parameters equal
                the CloudFormation ones
  cdk-nag       AwsSolutions on that stack; cdk/nag-acknowledgements.json,
                applied with Validations.acknowledge, acknowledges exactly
                the findings it lists
  checkov       no failed check and no parsing error (CloudFormation and
                Terraform); every skip carries a reason, and is needed: the
                check fails once the skips are taken out
  parliament    no finding on any permission policy

Every finding is compared with the findings expected for that folder (FILE,
a JSON map from folder name to finding strings; none by default). An
unexpected finding or a missing expected one fails the run (exit 1).

Tools are found through the environment: ECS_IAM_CHECKOV (the checkov
executable, kept in its own virtualenv because it ships its own `hcl2`
module), ECS_IAM_NODE_DIR (where node_modules and the .js helpers are).
"""

import argparse
import ast
import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import boto3
import hcl2
from cfnlint.decode import decode
from parliament import analyze_policy_string

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
ROLES = (("TaskRole", "task"), ("TaskExecutionRole", "execution"))
DEFAULT_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
DEFAULT_ACCOUNT = "123456789012"
TOOLS = ["cfn-lint", "moto", "hcl2json", "python-hcl2", "aws-cdk-lib", "cdk-nag", "checkov", "parliament"]


class Case:
    def __init__(self, path):
        self.path = path
        self.name = path.name
        self.cfn_text = (path / "cloudformation.yaml").read_text()
        template, matches = decode(str(path / "cloudformation.yaml"))
        if template is None:
            raise SystemExit(f"{path}: cloudformation.yaml does not parse: {matches}")
        # cfn-lint's decoder gives Fn::Sub and Fn::Join in their JSON form.
        self.template = json.loads(json.dumps(template))
        self.ctx = deployment(self.template)


def deployment(template):
    """The partition, region and account a template is pinned to, or the
    defaults of the moto deployment."""
    text = json.dumps(template)
    partition = "aws"
    for p in ("aws-us-gov", "aws-cn"):
        if f'"arn:{p}:' in text:
            partition = p
            break
    region = DEFAULT_REGION[partition]
    account = DEFAULT_ACCOUNT
    for r in template["Resources"].values():
        if r.get("Type") != "AWS::IAM::Role":
            continue
        for st in r["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            cond = st.get("Condition", {})
            src = cond.get("ArnLike", {}).get("aws:SourceArn")
            if isinstance(src, str):
                _, _, _, reg, acct, _ = src.split(":", 5)
                region, account = reg, acct
    # A value for each input (template parameter) the stack is deployed with:
    # an account id or a region where an ARN takes one, text elsewhere.
    inputs = {}
    seg = r'(?:\$\{[^}]*\}|[^:"$])*'
    for name in template.get("Parameters", {}):
        ref = r"\$\{" + re.escape(name) + r"\}:"
        if re.search(r"arn:" + seg + ":" + seg + ":" + seg + ":" + ref, text):
            inputs[name] = "444455556666"
        elif re.search(r"arn:" + seg + ":" + seg + ":" + ref, text):
            inputs[name] = "us-west-2"
        else:
            inputs[name] = f"{name.lower()}-value"
    return {"partition": partition, "region": region, "account": account, "inputs": inputs}


# ------------------------------------------------------------------ values

def canon(value):
    """A CloudFormation value as (text, symbolic parts) with deploy-time
    values spelled <partition>, <region>, <account_id>, <input.Name>."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        out, rest = [], value["Fn::Sub"]
        while "${" in rest:
            i = rest.index("${")
            out.append(rest[:i])
            after = rest[i + 2:]
            if after.startswith("!"):
                out.append("${")
                rest = after[1:]
                continue
            end = after.index("}")
            name = after[:end]
            pseudo = {"AWS::Partition": "<partition>", "AWS::Region": "<region>",
                      "AWS::AccountId": "<account_id>"}
            # Anything else is a template parameter: one of the spec's inputs.
            out.append(pseudo[name] if "::" in name else f"<input.{name}>")
            rest = after[end + 1:]
        out.append(rest)
        return "".join(out)
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        delimiter, parts = value["Fn::Join"]
        assert delimiter == ""
        return "".join(canon(p) for p in parts)
    if isinstance(value, str):
        return value
    raise ValueError(f"not a text value: {value!r}")


def resolve(value, ctx):
    """Deploy-time values filled in, intrinsics evaluated."""
    if isinstance(value, dict):
        if set(value) in ({"Fn::Sub"}, {"Fn::Join"}):
            text = (canon(value).replace("<partition>", ctx["partition"])
                    .replace("<region>", ctx["region"]).replace("<account_id>", ctx["account"]))
            for name, given in ctx["inputs"].items():
                text = text.replace(f"<input.{name}>", given)
            return text
        return {k: resolve(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ctx) for v in value]
    return value


def as_list(v):
    return v if isinstance(v, list) else [v]


def statements_canon(doc, text=canon):
    """A policy document's statements in a comparable form."""
    out = []
    for st in doc["Statement"]:
        c = {
            "Sid": text(st["Sid"]) if "Sid" in st else None,
            "Effect": text(st["Effect"]),
            "Action": sorted(text(a) for a in as_list(st["Action"])),
        }
        if "Resource" in st:
            c["Resource"] = sorted(text(r) for r in as_list(st["Resource"]))
        if "Principal" in st:
            c["Principal"] = sorted(text(p) for p in as_list(st["Principal"]["Service"]))
        if st.get("Condition"):
            c["Condition"] = {op: {k: sorted(text(v) for v in as_list(vals)) for k, vals in keys.items()}
                              for op, keys in st["Condition"].items()}
        out.append(c)
    return out


def roles_of(template):
    """The ROLES a template declares: a role the spec leaves to another
    owner (`managed: false`) is not declared."""
    return [(logical, key) for logical, key in ROLES if logical in template.get("Resources", {})]


def created_policies(template):
    """The customer managed policies a template creates for its roles
    (`policy_layout: split`): (role logical id, policy logical id, N of
    `<role>-policy-N`, properties), each attached by a `Ref` in its role's
    `ManagedPolicyArns`."""
    out = []
    resources = template.get("Resources", {})
    for role, _ in ROLES:
        props = resources.get(role, {}).get("Properties", {})
        for v in props.get("ManagedPolicyArns", []):
            logical = v.get("Ref") if isinstance(v, dict) else None
            if logical and resources.get(logical, {}).get("Type") == "AWS::IAM::ManagedPolicy" \
                    and logical.startswith(role + "Policy"):
                out.append((role, logical, logical[len(role + "Policy"):], resources[logical]["Properties"]))
    return out


def created_arns(template, role, ctx):
    """The ARN of each policy the template creates for `role`, by logical
    id: what the `Ref` in the role's `ManagedPolicyArns` stands for."""
    return {policy: f"arn:{ctx['partition']}:iam::{ctx['account']}:policy/"
                    f"{resolve(props['ManagedPolicyName'], ctx)}"
            for owner, policy, _, props in created_policies(template) if owner == role}


def cfn_documents(case):
    """(role key, document kind, statements) from the CloudFormation side;
    a policy a split role's template creates is `<key>_policy_<N>`, as the
    module's `data` block is named."""
    docs = {}
    for logical, key in roles_of(case.template):
        props = case.template["Resources"][logical]["Properties"]
        docs[(key, "trust")] = statements_canon(props["AssumeRolePolicyDocument"])
        for p in props.get("Policies", []):
            docs[(key, "policy")] = statements_canon(p["PolicyDocument"])
    keys = dict(ROLES)
    for role, _, n, props in created_policies(case.template):
        docs[(f"{keys[role]}_policy_{n}", "policy")] = statements_canon(props["PolicyDocument"])
    return docs


# ------------------------------------------------------------------ checks

class Run:
    def __init__(self):
        self.findings = defaultdict(set)
        self.failures = defaultdict(list)
        self.checked = defaultdict(set)

    def finding(self, case, text):
        self.findings[case.name].add(text)

    def fail(self, case, tool, message):
        self.failures[case.name].append(f"{tool}: {message}")

    def ok(self, case, tool):
        self.checked[tool].add(case.name)


def check_cfn_lint(run, cases):
    for case in cases:
        proc = subprocess.run([str(VENV_BIN / "cfn-lint"), "--format", "json", "--",
                               str(case.path / "cloudformation.yaml")], capture_output=True, text=True)
        matches = json.loads(proc.stdout or "[]")
        for m in matches:
            run.finding(case, f"cfn-lint {m['Rule']['Id']} {'/'.join(map(str, m['Location']['Path']))}")
        if proc.returncode not in (0, 2, 4, 6, 8, 10, 12, 14) and not matches:
            run.fail(case, "cfn-lint", proc.stderr.strip()[-500:])
        run.ok(case, "cfn-lint")


class Moto:
    """A moto server on 127.0.0.1 for one account."""

    def __init__(self, account):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # Without MOTO_IAM_LOAD_MANAGED_POLICIES moto knows no AWS managed
        # policy, and attaching one fails.
        env = dict(os.environ, MOTO_ACCOUNT_ID=account, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        self.proc = subprocess.Popen([str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto server did not start within 60 s")

    def client(self, service, region):
        return boto3.client(service, endpoint_url=f"http://127.0.0.1:{self.port}", region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def policy_document(doc):
    # moto 5.2.5 stores inline policies created by CloudFormation as
    # Python's repr of the dict; boto3 then hands back that string.
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except json.JSONDecodeError:
            return ast.literal_eval(doc)
    return doc


def check_moto(run, cases):
    servers = {}
    try:
        for case in cases:
            ctx = case.ctx
            if ctx["account"] not in servers:
                servers[ctx["account"]] = Moto(ctx["account"])
            try:
                deploy_and_compare(run, case, servers[ctx["account"]])
            except Exception as e:  # noqa: BLE001 - any error is this case's failure
                run.fail(case, "moto", f"{type(e).__name__}: {str(e)[:500]}")
    finally:
        for s in servers.values():
            s.stop()


def deploy_and_compare(run, case, moto):
    ctx = case.ctx
    iam = moto.client("iam", ctx["region"])
    cf = moto.client("cloudformation", ctx["region"])
    resources = resolve(case.template["Resources"], ctx)
    # Customer managed policies the roles name must exist first.
    for r in resources.values():
        props = r["Properties"]
        for arn in [props.get("PermissionsBoundary")] + props.get("ManagedPolicyArns", []):
            if isinstance(arn, str) and f":iam::{ctx['account']}:policy/" in arn:
                path, name = arn.split(":policy", 1)[1].rsplit("/", 1)
                try:
                    iam.create_policy(PolicyName=name, Path=path + "/", PolicyDocument=json.dumps(
                        {"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
                except iam.exceptions.EntityAlreadyExistsException:
                    pass
    cf.create_stack(StackName=case.name, TemplateBody=case.cfn_text, Capabilities=["CAPABILITY_NAMED_IAM"],
                    Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in ctx["inputs"].items()])
    try:
        stack = cf.describe_stacks(StackName=case.name)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            run.fail(case, "moto", f"stack {stack['StackStatus']}: {stack.get('StackStatusReason')}")
            return
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        for logical, _ in roles_of(case.template):
            compare_role(run, case, iam, logical, resources[logical]["Properties"], outputs)
        run.ok(case, "moto")
    finally:
        # Managed policies attached by hand first, or the delete fails; and
        # the split role's created policies, which moto 5.2.5's delete_stack
        # does not detach before deleting the role.
        for logical, _ in roles_of(case.template):
            name = resources[logical]["Properties"]["RoleName"]
            created = list(created_arns(case.template, logical, ctx).values())
            named = [a for a in resources[logical]["Properties"].get("ManagedPolicyArns", []) if isinstance(a, str)]
            for arn in named + created:
                try:
                    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
                except Exception:  # noqa: BLE001, S110 - not attached
                    pass
        cf.delete_stack(StackName=case.name)


def compare_role(run, case, iam, logical, want, outputs):
    name = want["RoleName"]
    role = iam.get_role(RoleName=name)["Role"]
    got = {
        "Path": role.get("Path"),
        "Description": role.get("Description"),
        "MaxSessionDuration": role.get("MaxSessionDuration"),
        "PermissionsBoundary": role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
        "Tags": {t["Key"]: t["Value"] for t in role.get("Tags", [])},
        "Trust": statements_canon(policy_document(role["AssumeRolePolicyDocument"]), str),
    }
    expected = {
        "Path": want.get("Path", "/"),
        "Description": want.get("Description"),
        "MaxSessionDuration": want.get("MaxSessionDuration", 3600),
        "PermissionsBoundary": want.get("PermissionsBoundary"),
        "Tags": {t["Key"]: t["Value"] for t in want.get("Tags", [])},
        "Trust": statements_canon(want["AssumeRolePolicyDocument"], str),
    }
    names = iam.list_role_policies(RoleName=name)["PolicyNames"]
    got["Policies"] = {n: statements_canon(policy_document(
        iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"]), str) for n in names}
    expected["Policies"] = {p["PolicyName"]: statements_canon(p["PolicyDocument"], str)
                            for p in want.get("Policies", [])}
    # The policies the stack creates for a split role, by logical id: the
    # role's `ManagedPolicyArns` names each with a `Ref`, whose value is
    # the policy's ARN.
    created_arn = created_arns(case.template, logical, case.ctx)
    want_arns = [created_arn[a["Ref"]] if isinstance(a, dict) else a for a in want.get("ManagedPolicyArns", [])]
    # moto 5.2.5's CloudFormation ignores ManagedPolicyArns, so attach each
    # ARN through the IAM API: moto refuses an ARN its catalogue of AWS
    # managed policies (or the account's own policies, the created ones
    # among them) lacks.
    for arn in want_arns:
        try:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        except Exception as e:  # noqa: BLE001 - reported as a failure
            run.fail(case, "moto", f"{logical}: cannot attach {arn}: {e}")
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    got["ManagedPolicyArns"] = sorted(p["PolicyArn"] for p in attached)
    # The policies the stack creates for a split role: each must exist,
    # be attached, and hold the template's statements.
    created = {}
    for owner, _, _, props in created_policies(case.template):
        if owner == logical:
            created[resolve(props["ManagedPolicyName"], case.ctx)] = statements_canon(
                resolve(props["PolicyDocument"], case.ctx), str)
    expected["ManagedPolicyArns"] = sorted(want_arns)
    got["Created"] = {}
    for p in attached:
        if p["PolicyName"] in created:
            policy = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=policy["DefaultVersionId"])
            got["Created"][p["PolicyName"]] = statements_canon(
                policy_document(version["PolicyVersion"]["Document"]), str)
    expected["Created"] = created
    got["Outputs"] = (outputs.get(f"{logical}Arn"), outputs.get(f"{logical}Name"))
    expected["Outputs"] = (role["Arn"], name)
    for k in expected:
        if got[k] != expected[k]:
            run.fail(case, "moto", f"{logical}.{k}: deployed {got[k]!r}, template {expected[k]!r}")


def node_env():
    """Node resolves modules from the script's folder; point it at the
    installed node_modules instead."""
    return dict(os.environ, NODE_PATH=str(Path(os.environ["ECS_IAM_NODE_DIR"]) / "node_modules"))


def hcl_text_from_json(s):
    """A string from hcl2json: HCL's JSON syntax, so `$${` and `%%{` are
    escapes, and interpolations of our data sources stay `${...}`."""
    refs = {"${data.aws_partition.current.partition}": "<partition>",
            "${data.aws_region.current.region}": "<region>",
            "${data.aws_region.current.name}": "<region>",  # provider 5.x
            "${data.aws_caller_identity.current.account_id}": "<account_id>"}
    out, i = [], 0
    while i < len(s):
        if s.startswith("$${", i) or s.startswith("%%{", i):
            out.append(s[i] + "{")
            i += 3
            continue
        if s.startswith("${var.", i):
            end = s.index("}", i)
            out.append(f"<input.{s[i + 6:end]}>")
            i = end + 1
            continue
        for ref, sym in refs.items():
            if s.startswith(ref, i):
                out.append(sym)
                i += len(ref)
                break
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def hcl_text_from_source(s):
    """A string from python-hcl2, which keeps the quoted HCL source: undo
    the escapes, evaluate the interpolations ecs-iam writes."""
    assert s.startswith('"') and s.endswith('"'), s
    s = s[1:-1]
    simple = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\t": "\t"}
    refs = {"data.aws_partition.current.partition": "<partition>",
            "data.aws_region.current.region": "<region>",
            "data.aws_region.current.name": "<region>",  # provider 5.x
            "data.aws_caller_identity.current.account_id": "<account_id>",
            '"$"': "$", '"%"': "%"}
    out, i = [], 0
    while i < len(s):
        two = s[i:i + 2]
        if two in simple:
            out.append(simple[two])
            i += 2
        elif two == "\\u":
            out.append(chr(int(s[i + 2:i + 6], 16)))
            i += 6
        elif s.startswith("$${", i) or s.startswith("%%{", i):
            out.append(s[i] + "{")
            i += 3
        elif two == "${":
            end = s.index("}", i)
            ref = s[i + 2:end]
            out.append(f"<input.{ref[4:]}>" if ref.startswith("var.") else refs[ref])
            i = end + 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def tf_documents(data_blocks, text):
    """(role key, kind) → statements, from parsed `data` blocks."""
    docs = {}
    for name, body in data_blocks.items():
        key, kind = (name[:-len("_trust")], "trust") if name.endswith("_trust") else (name, "policy")
        doc = {"Statement": []}
        for st in body.get("statement", []):
            s = {"Sid": st.get("sid"), "Effect": st["effect"], "Action": st["actions"]}
            if "resources" in st:
                s["Resource"] = st["resources"]
            for p in st.get("principals", []):
                assert text(p["type"]) == "Service"
                s["Principal"] = {"Service": p["identifiers"]}
            for c in st.get("condition", []):
                s.setdefault("Condition", {}).setdefault(text(c["test"]), {})[text(c["variable"])] = c["values"]
            doc["Statement"].append(s)
        docs[(key, kind)] = statements_canon(doc, text)
    return docs


# The attribute of `data.aws_region` that names the region in a module
# written for each `hashicorp/aws` constraint ecs-iam writes: 5.x has no
# `region`; 6.0.0 deprecates `name` (hashicorp/terraform-provider-aws#42131),
# 6.47.0 `id` (#48036).
REGION_ATTRIBUTE = {">= 6.0": "region", ">= 5.0, < 6.0": "name"}
# Arguments of `aws_iam_role` deprecated since the provider's 5.x.
DEPRECATED_ROLE_ARGUMENTS = ("inline_policy", "managed_policy_arns")


def check_provider(run, case, tool, constraint, main, roles):
    """The module reads the region as the provider it requires has it, and
    its roles set no argument the provider deprecates. `constraint` is the
    `version` of `required_providers.aws`, `main` main.tf and `roles` the
    bodies of its `aws_iam_role` resources, as the parser `tool` gave them
    (python-hcl2 keeps the quotes)."""
    constraint = constraint.strip('"')
    want = REGION_ATTRIBUTE.get(constraint)
    if want is None:
        run.fail(case, tool, f"versions.tf: unexpected hashicorp/aws constraint {constraint!r}")
        return
    used = set(re.findall(r"data\.aws_region\.current\.(\w+)", json.dumps(main))) - {want}
    if used:
        run.fail(case, tool, f"main.tf reads data.aws_region.current.{'/'.join(sorted(used))} "
                             f"where hashicorp/aws {constraint} has {want}")
    for body in roles:
        for arg in DEPRECATED_ROLE_ARGUMENTS:
            if arg in body:
                run.fail(case, tool, f"main.tf: aws_iam_role sets {arg}, deprecated since hashicorp/aws 5.x")


def check_terraform(run, cases):
    tf_files = {case.name: sorted((case.path / "terraform").glob("*.tf")) for case in cases}
    paths = [str(f) for files in tf_files.values() for f in files]
    proc = subprocess.run(["node", str(HERE / "hcl2json.js"), *paths], capture_output=True, text=True,
                          env=node_env())
    if proc.returncode != 0:
        raise RuntimeError(f"hcl2json.js failed: {proc.stderr[-1000:]}")
    parsed = json.loads(proc.stdout)
    for case in cases:
        ok = True
        for f in tf_files[case.name]:
            result = parsed[str(f)]
            if "error" in result:
                run.finding(case, f"hcl2json parse-error {f.name}")
                ok = False
        main = parsed[str(case.path / "terraform" / "main.tf")]
        if ok:
            versions = parsed[str(case.path / "terraform" / "versions.tf")]
            check_provider(run, case, "hcl2json",
                           versions["terraform"][0]["required_providers"][0]["aws"]["version"], main,
                           [bodies[0] for bodies in main.get("resource", {}).get("aws_iam_role", {}).values()])
            blocks = {name: bodies[0] for name, bodies in
                      main["data"].get("aws_iam_policy_document", {}).items()}
            # hcl2json gives each block as a list of bodies.
            blocks = {n: {k: v for k, v in b.items()} for n, b in blocks.items()}
            got = tf_documents(blocks, hcl_text_from_json)
            want = cfn_documents(case)
            for k in sorted(set(got) | set(want)):
                if got.get(k) != want.get(k):
                    run.fail(case, "hcl2json", f"{k}: Terraform {got.get(k)!r} != CloudFormation {want.get(k)!r}")
            run.ok(case, "hcl2json")
        ok = True
        for f in tf_files[case.name]:
            try:
                with open(f) as fh:
                    doc = hcl2.load(fh)
            except Exception as e:  # noqa: BLE001 - a parse failure is the finding
                run.finding(case, f"python-hcl2 parse-error {f.name}")
                run.fail(case, "python-hcl2", f"{f.name}: {str(e)[:300]}")
                ok = False
                continue
            if f.name == "main.tf":
                main_doc = doc
            if f.name == "versions.tf":
                versions_doc = strip_keys(doc)
        if ok:
            check_provider(run, case, "python-hcl2",
                           versions_doc["terraform"][0]["required_providers"][0]["aws"]["version"], main_doc,
                           [body for r in strip_keys(main_doc.get("resource", []))
                            for body in r.get("aws_iam_role", {}).values()])
            blocks = {}
            for d in strip_keys(main_doc.get("data", [])):
                for name, body in d.get("aws_iam_policy_document", {}).items():
                    blocks[name] = body
            got = tf_documents(blocks, hcl_text_from_source)
            want = cfn_documents(case)
            for k in sorted(set(got) | set(want)):
                if got.get(k) != want.get(k):
                    run.fail(case, "python-hcl2", f"{k}: Terraform {got.get(k)!r} != CloudFormation {want.get(k)!r}")
            run.ok(case, "python-hcl2")


def strip_keys(v):
    """python-hcl2 quotes block labels and adds line markers."""
    if isinstance(v, dict):
        return {k.strip('"'): strip_keys(x) for k, x in v.items() if not k.startswith("__")}
    if isinstance(v, list):
        return [strip_keys(x) for x in v]
    return v


def cdk_synth(cases, acknowledge):
    args = ["node", str(HERE / "cdk_synth.js")]
    if acknowledge:
        args.append("--acknowledge")
    proc = subprocess.run(args + [str(c.path) for c in cases], capture_output=True, text=True,
                          env=node_env())
    if proc.returncode != 0:
        raise RuntimeError(f"cdk_synth.js failed: {proc.stderr[-2000:]}")
    return {json.loads(line)["dir"]: json.loads(line) for line in proc.stdout.splitlines() if line.strip()}


def violations(result):
    """(construct, rule id) of each finding in aws-cdk-lib's report, or in
    cdk-nag's own list when aws-cdk-lib wrote no report."""
    if result.get("report") is None:
        return {tuple(v) for v in result.get("nag", [])}
    out = set()
    for plugin in result["report"].get("pluginReports", []):
        for v in plugin.get("violations", []):
            for c in v.get("violatingConstructs", []):
                out.add((c["constructPath"].split("/")[-1], v["ruleName"]))
    return out


def unparseable_id(result):
    """The cdk-nag finding id aws-cdk-lib stopped synthesis on, if any."""
    error = result.get("error") or ""
    prefix = "Invalid validation rule ID '"
    if not error.startswith(prefix):
        return None
    rule = error[len(prefix):].split("'. ", 1)[0]
    return rule if any(r == rule for _, r in result.get("nag", [])) else None


def check_cdk(run, cases):
    plain = cdk_synth(cases, acknowledge=False)
    acked = cdk_synth(cases, acknowledge=True)
    for case in cases:
        first, second = plain[str(case.path)], acked[str(case.path)]
        template = first.get("template")
        if template is None:
            run.fail(case, "aws-cdk-lib", f"no template synthesised: {first.get('error')}")
            continue
        for logical, _ in roles_of(case.template):
            synth = template["Resources"].get(logical, {})
            want = case.template["Resources"][logical]
            if synth.get("Type") != "AWS::IAM::Role" or synth.get("Properties") != want["Properties"]:
                run.fail(case, "aws-cdk-lib", f"{logical}: synthesised {json.dumps(synth.get('Properties'))[:400]} "
                                              f"!= CloudFormation {json.dumps(want['Properties'])[:400]}")
        for _, policy, _, props in created_policies(case.template):
            synth = template["Resources"].get(policy, {})
            if synth.get("Type") != "AWS::IAM::ManagedPolicy" or synth.get("Properties") != props:
                run.fail(case, "aws-cdk-lib", f"{policy}: synthesised {json.dumps(synth.get('Properties'))[:400]} "
                                              f"!= CloudFormation {json.dumps(props)[:400]}")
        # The inputs' CfnParameters synthesise to the template's Parameters
        # (CDK adds its own BootstrapVersion).
        synth_parameters = {k: v for k, v in template.get("Parameters", {}).items() if k != "BootstrapVersion"}
        if synth_parameters != case.template.get("Parameters", {}):
            run.fail(case, "aws-cdk-lib", f"Parameters: synthesised {json.dumps(synth_parameters)[:400]} "
                                          f"!= CloudFormation {json.dumps(case.template.get('Parameters', {}))[:400]}")
        run.ok(case, "aws-cdk-lib")
        acks = json.loads((case.path / "cdk" / "nag-acknowledgements.json").read_text())
        before = violations(first)
        for role, ids in acks.items():
            for a in ids:
                if (role, a["id"]) not in before:
                    run.finding(case, f"cdk-nag {role} unneeded-acknowledgement {a['id']}")
                if not a.get("reason"):
                    run.fail(case, "cdk-nag", f"{role} {a['id']}: acknowledgement without a reason")
        for role, rule in sorted(violations(second)):
            run.finding(case, f"cdk-nag {role} {rule}")
        # A finding id aws-cdk-lib cannot parse (a `{` cdk-nag left unclosed)
        # stops synthesis whatever is acknowledged: a finding of its own.
        unparseable = unparseable_id(second)
        if unparseable:
            run.finding(case, f"cdk-nag synthesis-stops-on-id {unparseable}")
        elif second.get("error") and not violations(second):
            run.fail(case, "cdk-nag", second["error"][:500])
        run.ok(case, "cdk-nag")


def checkov_results(root):
    """checkov's results on every rendering under ROOT, as (kind, case
    name, check) with kind `failed`, `skipped` or `parse-error`."""
    proc = subprocess.run([os.environ["ECS_IAM_CHECKOV"], "--skip-download", "--framework", "cloudformation",
                           "terraform", "-o", "json", "-d", str(root)], capture_output=True, text=True)
    reports = json.loads(proc.stdout)
    if isinstance(reports, dict):
        reports = [reports]
    for report in reports:
        results = report.get("results", {})
        for kind, key in (("failed", "failed_checks"), ("skipped", "skipped_checks")):
            for check in results.get(key, []):
                yield kind, Path(check["file_path"].lstrip("/")).parts[0], check
        for err in results.get("parsing_errors", []):
            yield "parse-error", Path(str(err)).resolve().relative_to(root.resolve()).parts[0], Path(str(err)).name


def without_skips(cases, dest):
    """Each rendering's CloudFormation and Terraform files with checkov's
    skips taken out, under DEST."""
    for case in cases:
        out = dest / case.name
        (out / "terraform").mkdir(parents=True)
        template = copy.deepcopy(case.template)
        for r in template["Resources"].values():
            r.get("Metadata", {}).pop("checkov", None)
        (out / "cloudformation.json").write_text(json.dumps(template, indent=1))
        for f in (case.path / "terraform").glob("*.tf"):
            lines = [l for l in f.read_text().splitlines(keepends=True) if not l.lstrip().startswith("#checkov:skip=")]
            (out / "terraform" / f.name).write_text("".join(lines))


def check_checkov(run, cases, root):
    by_name = {c.name: c for c in cases}
    skipped = []
    for kind, name, check in checkov_results(root):
        if kind == "failed":
            run.finding(by_name[name], f"checkov {check['check_id']} {check['resource']}")
        elif kind == "skipped":
            skipped.append((name, check["check_id"], check["resource"]))
            if not (check.get("check_result", {}).get("suppress_comment") or "").strip():
                run.finding(by_name[name], f"checkov skipped-without-reason {check['check_id']} {check['resource']}")
        else:
            run.finding(by_name[name], f"checkov parse-error {check}")
    # checkov skips a check without running it: a skip is needed only when
    # the check fails once the skips are taken out.
    with tempfile.TemporaryDirectory() as bare:
        without_skips(cases, Path(bare))
        failing = {(name, check["check_id"], check["resource"])
                   for kind, name, check in checkov_results(Path(bare)) if kind == "failed"}
    for name, check_id, resource in skipped:
        if (name, check_id, resource) not in failing:
            run.finding(by_name[name], f"checkov unneeded-skip {check_id} {resource}")
    for case in cases:
        run.ok(case, "checkov")


def check_parliament(run, cases):
    for case in cases:
        for logical, _ in roles_of(case.template):
            documents = [p["PolicyDocument"] for p in
                         case.template["Resources"][logical]["Properties"].get("Policies", [])]
            documents += [props["PolicyDocument"] for role, _, _, props in created_policies(case.template)
                          if role == logical]
            for document in documents:
                doc = resolve(document, case.ctx)
                try:
                    analysis = analyze_policy_string(json.dumps(doc))
                except Exception as e:  # noqa: BLE001 - a crash is a failure
                    run.fail(case, "parliament", f"{logical}: {type(e).__name__}: {str(e)[:300]}")
                    continue
                for f in analysis.findings:
                    run.finding(case, f"parliament {logical} {f.issue}")
        run.ok(case, "parliament")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--expect", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    expected = json.loads(args.expect.read_text()) if args.expect else {}
    cases = [Case(p) for p in sorted(args.root.iterdir()) if (p / "cloudformation.yaml").exists()]
    if not cases:
        raise SystemExit(f"{args.root}: no renderings found")
    run = Run()
    for step in (check_cfn_lint, check_moto, check_terraform, check_cdk, check_parliament):
        step(run, cases)
    check_checkov(run, cases, args.root)

    failed = False
    lines = []
    for case in cases:
        want = set(expected.get(case.name, []))
        got = run.findings[case.name]
        for f in sorted(got - want):
            run.failures[case.name].append(f"unexpected finding: {f}")
        for f in sorted(want - got):
            run.failures[case.name].append(f"expected finding not reported: {f}")
        for f in sorted(got & want):
            lines.append(f"ok    {case.name}: expected finding: {f}")
        if run.failures[case.name]:
            failed = True
            lines.extend(f"FAIL  {case.name}: {m}" for m in run.failures[case.name])
        else:
            lines.append(f"ok    {case.name}: all {len(TOOLS)} tools")
    print("\n".join(lines))
    summary = {tool: {"cases": len(run.checked[tool]),
                      "failed": sorted({c.name for c in cases if any(m.startswith(tool) or tool in m
                                                                       for m in run.failures[c.name])})}
               for tool in TOOLS}
    if args.report:
        args.report.write_text(json.dumps({"cases": [c.name for c in cases], "summary": summary,
                                           "failures": run.failures, "findings": {k: sorted(v) for k, v in run.findings.items()}},
                                          indent=2, sort_keys=True))
    print(f"{len(cases)} renderings, {'FAILED' if failed else 'passed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
