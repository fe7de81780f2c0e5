"""Write CloudTrail files as CloudTrail delivers them, for benchmarks.

usage: cloudtrail_gen.py OUT [--mb N] [--seed S] [--start DATE] [--days N]

OUT gets `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random>.json.gz` files, each
`{"Records":[...]}` of 100 to 2,000 records written as CloudTrail writes
them (compact JSON, every field a real record has), until about N MiB of
JSON (64 by default; 1024 for a gigabyte) spread over the days asked.

The calls are those of some 300 roles of two accounts (ECS tasks, Lambda
functions, CI) over the services an ECS workload talks to, with ECS's own
`AssumeRole` at each task start, some refused or failed calls, management
and data events, and the odd record of an IAM user or an AWS service. Two
of the roles are those of bench/usage/checkout.yaml, `checkout-task` and
`checkout-execution` in 111122223333, eu-west-1: they use some of their
grants and not others, are refused twice, and call what CloudTrail logs
under a name that is not the action's (`ListObjectsV2`, `HeadObject`,
Lambda's `Invoke`, EFS's `NewClientConnection`).

Only the standard library; the same seed and size give the same bytes.
"""
import argparse
import datetime
import gzip
import json
import multiprocessing
import os
import random

ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("eu-west-1", "us-east-1")
# (account, region) of each delivery stream and its share of the files.
STREAMS = (
    (("111122223333", "eu-west-1"), 5),
    (("111122223333", "us-east-1"), 2),
    (("444455556666", "eu-west-1"), 2),
    (("444455556666", "us-east-1"), 1),
)
BENCH_ACCOUNT, BENCH_REGION = "111122223333", "eu-west-1"
TASK_ROLE, EXECUTION_ROLE = "checkout-task", "checkout-execution"
# Bytes of JSON per record, on average (measured): what spaces the files
# over the days asked whatever the size.
RECORD_BYTES = 1570
RECORDS_PER_FILE = (100, 2000)

TEAMS = ("payments", "orders", "search", "catalog", "identity", "billing",
         "shipping", "fraud", "ledger", "pricing", "reviews", "inventory",
         "notify", "reports", "media", "profile", "loyalty", "ads", "ml", "data")
APPS = ("api", "worker", "ingest", "sync", "cron", "export", "indexer",
        "gateway", "consumer", "scheduler", "etl", "stream")
AGENTS = {
    "ecs": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.58.2",
    "java": "aws-sdk-java/2.25.60 Linux/5.10.223-211.872.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "python": "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.223-211.872.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
    "node": "aws-sdk-js/3.614.0 ua/2.1 os/linux#5.10.223-211.872.amzn2.x86_64 lang/js md/nodejs#20.15.1 api/{svc}#3.614.0",
}
DENIED = {"s3": "AccessDenied", "ec2": "Client.UnauthorizedOperation"}
# A refusal's message, as services word it.
DENIAL = ("User: {arn} is not authorized to perform: {action} on resource: "
          "{resource} because no identity-based policy allows the {action} action")


def hexid(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def uuid(rng):
    h = hexid(rng, 32)
    variant = "89ab"[int(h[16], 16) % 4]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def upper(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def alnum(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(n))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Role:
    """A role, the resources it works on, and the calls it makes."""

    def __init__(self, rng, account, region, name, path, lang, ops):
        self.account, self.region, self.name, self.lang = account, region, name, lang
        self.arn = f"arn:aws:iam::{account}:role{path}{name}"
        self.role_id = "AROA" + upper(rng, 17)
        self.ops = ops
        self.weights = [w for w, _ in ops]
        self.sessions = [hexid(rng, 32) for _ in range(rng.randint(1, 4))]

    def identity(self, rng, session, created, invoked_by=None):
        u = {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper(rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": self.arn,
                    "accountId": self.account,
                    "userName": self.name,
                },
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            u["invokedBy"] = invoked_by
        else:
            u["sessionContext"]["webIdFederationData"] = {}
        return u


# Each call: (source, name, readOnly, category, request, response,
# resources, resource the refusal names). `r` is the role, `g` the
# random generator.

def s3_object(name, read_only, bucket, key, response=None):
    def call(r, g):
        k = key(g) if callable(key) else key
        req = {"bucketName": bucket, "Host": f"{bucket}.s3.{r.region}.amazonaws.com", "key": k}
        if name == "PutObject":
            req["x-amz-server-side-encryption"] = "AES256"
        res = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{k}"},
               {"accountId": r.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                 "bytesTransferredIn": g.randint(200, 90000) if not read_only else 0,
                 "AuthenticationMethod": "AuthHeader", "x-amz-id-2": alnum(g, 76),
                 "bytesTransferredOut": g.randint(200, 90000) if read_only else 0}
        return ("s3.amazonaws.com", name, read_only, "Data", req, response, res,
                f"arn:aws:s3:::{bucket}/{k}", extra)
    return call


def s3_list(name, bucket, prefix):
    def call(r, g):
        req = {"list-type": "2", "bucketName": bucket, "encoding-type": "url",
               "prefix": prefix, "Host": f"{bucket}.s3.{r.region}.amazonaws.com"}
        if name == "ListObjects":
            del req["list-type"]
            req["max-keys"] = "1000"
        res = [{"accountId": r.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                 "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                 "x-amz-id-2": alnum(g, 76), "bytesTransferredOut": g.randint(300, 9000)}
        return ("s3.amazonaws.com", name, True, "Data", req, None, res,
                f"arn:aws:s3:::{bucket}", extra)
    return call


def s3_bucket(name, read_only, bucket, request=None):
    def call(r, g):
        req = {"bucketName": bucket, "Host": f"{bucket}.s3.{r.region}.amazonaws.com"}
        req.update(request or {})
        res = [{"accountId": r.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        return ("s3.amazonaws.com", name, read_only, "Management", req, None, res,
                f"arn:aws:s3:::{bucket}", {"SignatureVersion": "SigV4",
                                           "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                           "bytesTransferredIn": 0,
                                           "AuthenticationMethod": "AuthHeader",
                                           "x-amz-id-2": alnum(g, 76),
                                           "bytesTransferredOut": 0})
    return call


def sqs(name, queue):
    def call(r, g):
        url = f"https://sqs.{r.region}.amazonaws.com/{r.account}/{queue}"
        req = {"queueUrl": url}
        resp = None
        if name == "SendMessage":
            req["messageBody"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
            resp = {"mD5OfMessageBody": hexid(g, 32), "messageId": uuid(g)}
        elif name == "ReceiveMessage":
            req.update({"maxNumberOfMessages": 10, "waitTimeSeconds": 20,
                        "messageSystemAttributeNames": ["All"]})
        elif name == "DeleteMessage":
            req["receiptHandle"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
        arn = f"arn:aws:sqs:{r.region}:{r.account}:{queue}"
        return ("sqs.amazonaws.com", name, False,
                "Data", req, resp, [{"accountId": r.account, "type": "AWS::SQS::Queue", "ARN": arn}],
                arn, None)
    return call


def sns_publish(topic):
    def call(r, g):
        arn = f"arn:aws:sns:{r.region}:{r.account}:{topic}"
        return ("sns.amazonaws.com", "Publish", False, "Data",
                {"topicArn": arn, "message": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                {"messageId": uuid(g)},
                [{"accountId": r.account, "type": "AWS::SNS::Topic", "ARN": arn}], arn, None)
    return call


def dynamodb(name, table):
    read_only = name in ("GetItem", "Query", "Scan", "BatchGetItem")

    def call(r, g):
        arn = f"arn:aws:dynamodb:{r.region}:{r.account}:table/{table}"
        req = {"tableName": table}
        if name in ("GetItem", "PutItem", "DeleteItem", "UpdateItem"):
            req["key"] = {"pk": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        if name == "Query":
            req.update({"keyConditionExpression": "pk = :pk", "limit": 50})
        return ("dynamodb.amazonaws.com", name, read_only, "Data", req, None,
                [{"accountId": r.account, "type": "AWS::DynamoDB::Table", "ARN": arn}], arn, None)
    return call


def secret(name):
    def call(r, g):
        return ("secretsmanager.amazonaws.com", "GetSecretValue", True, "Management",
                {"secretId": name}, None, None,
                f"arn:aws:secretsmanager:{r.region}:{r.account}:secret:{name}-{alnum(g, 6)}", None)
    return call


def kms_via_secrets(key_id, secret_name):
    def call(r, g):
        arn = f"arn:aws:kms:{r.region}:{r.account}:key/{key_id}"
        return ("kms.amazonaws.com", "Decrypt", True, "Management",
                {"encryptionContext": {
                    "SecretARN": f"arn:aws:secretsmanager:{r.region}:{r.account}:secret:{secret_name}-a1B2c3",
                    "SecretVersionId": uuid(g)},
                 "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                None, [{"accountId": r.account, "type": "AWS::KMS::Key", "ARN": arn}], arn,
                None, "secretsmanager.amazonaws.com")
    return call


def ssm_parameter(name, plural=False):
    def call(r, g):
        req = {"names": [name], "withDecryption": True} if plural else {"name": name, "withDecryption": True}
        return ("ssm.amazonaws.com", "GetParameters" if plural else "GetParameter", True,
                "Management", req, None, None,
                f"arn:aws:ssm:{r.region}:{r.account}:parameter{name}", None)
    return call


def lambda_invoke(function):
    def call(r, g):
        arn = f"arn:aws:lambda:{r.region}:{r.account}:function:{function}"
        return ("lambda.amazonaws.com", "Invoke", False, "Data",
                {"functionName": arn, "invocationType": "RequestResponse", "logType": "None"},
                None, [{"accountId": r.account, "type": "AWS::Lambda::Function", "ARN": arn}],
                arn, {"functionVersion": f"{arn}:$LATEST"})
    return call


def kinesis_put(stream):
    def call(r, g):
        arn = f"arn:aws:kinesis:{r.region}:{r.account}:stream/{stream}"
        return ("kinesis.amazonaws.com", "PutRecords", False, "Data",
                {"streamName": stream}, None,
                [{"accountId": r.account, "type": "AWS::Kinesis::Stream", "ARN": arn}], arn, None)
    return call


def events_put(bus):
    def call(r, g):
        arn = f"arn:aws:events:{r.region}:{r.account}:event-bus/{bus}"
        return ("events.amazonaws.com", "PutEvents", False, "Data",
                {"entries": [{"source": f"com.example.{bus}", "detailType": "OrderPlaced",
                              "eventBusName": bus, "detail": "HIDDEN_DUE_TO_SECURITY_REASONS"}]},
                {"failedEntryCount": 0, "entries": [{"eventId": uuid(g)}]},
                [{"accountId": r.account, "type": "AWS::Events::EventBus", "ARN": arn}], arn, None)
    return call


def xray(name):
    def call(r, g):
        req = ({"traceSegmentDocuments": ["HIDDEN_DUE_TO_SECURITY_REASONS"]}
               if name == "PutTraceSegments" else {"samplingStatisticsDocuments": []})
        return ("xray.amazonaws.com", name, name != "PutTraceSegments", "Data", req,
                {"unprocessedTraceSegments": []} if name == "PutTraceSegments" else None,
                None, "*", None)
    return call


def control_channel(name):
    def call(r, g):
        channel = uuid(g)
        return ("ssmmessages.amazonaws.com", name, False, "Data",
                {"channelId": f"ecs:checkout_{hexid(g, 32)}_{hexid(g, 32)}-{channel}"},
                None, None, "*", None)
    return call


def efs_connection(fs):
    def call(r, g):
        arn = f"arn:aws:elasticfilesystem:{r.region}:{r.account}:file-system/{fs}"
        return ("elasticfilesystem.amazonaws.com", "NewClientConnection", True, "Management",
                None, None,
                [{"accountId": r.account, "type": "AWS::EFS::FileSystem", "ARN": arn}], arn, None)
    return call


def caller_identity(r, g):
    return ("sts.amazonaws.com", "GetCallerIdentity", True, "Management", None, None, None,
            "*", None)


def ecr(name, repository):
    def call(r, g):
        if name == "GetAuthorizationToken":
            return ("ecr.amazonaws.com", name, True, "Management", {"registryIds": [r.account]},
                    None, None, "*", None)
        arn = f"arn:aws:ecr:{r.region}:{r.account}:repository/{repository}"
        req = {"repositoryName": repository, "registryId": r.account}
        if name == "BatchGetImage":
            req.update({"imageIds": [{"imageTag": "latest"}],
                        "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json"]})
        else:
            req["layerDigest"] = "sha256:" + hexid(g, 64)
        return ("ecr.amazonaws.com", name, True, "Management", req, None,
                [{"accountId": r.account, "ARN": arn}], arn, None)
    return call


def log_stream(group):
    def call(r, g):
        arn = f"arn:aws:logs:{r.region}:{r.account}:log-group:{group}:log-stream:ecs/app/{hexid(g, 32)}"
        return ("logs.amazonaws.com", "CreateLogStream", False, "Management",
                {"logGroupName": group, "logStreamName": f"ecs/app/{hexid(g, 32)}"},
                None, None, arn, None)
    return call


def management(source, name, read_only, request=None):
    def call(r, g):
        return (source, name, read_only, "Management", dict(request or {}), None, None, "*", None)
    return call


def key(prefix):
    return lambda g: f"{prefix}{hexid(g, 12)}.json"


def task_role_ops():
    """The calls of bench/usage/checkout.yaml's task role."""
    k = "0b5e5c3a-7d3e-4c1a-9f3e-2a6f1e0c9d11"
    return [
        (30, s3_object("GetObject", True, "checkout-uploads", key("incoming/"))),
        (8, s3_object("HeadObject", True, "checkout-uploads", key("incoming/"))),
        (12, s3_object("PutObject", False, "checkout-uploads", key("receipts/"),
                       {"x-amz-server-side-encryption": "AES256"})),
        (4, s3_list("ListObjectsV2", "checkout-uploads", "incoming/")),
        (1, s3_list("ListObjects", "checkout-uploads", "")),
        (6, s3_object("PutObject", False, "checkout-archive", key("done/"),
                      {"x-amz-server-side-encryption": "AES256"})),
        (20, sqs("ReceiveMessage", "checkout-orders")),
        (10, sqs("DeleteMessage", "checkout-orders")),
        (10, sqs("SendMessage", "checkout-orders")),
        (6, sns_publish("checkout-events")),
        (15, dynamodb("GetItem", "checkout-carts")),
        (8, dynamodb("PutItem", "checkout-carts")),
        (6, dynamodb("Query", "checkout-carts")),
        (3, secret("checkout/db")),
        (1, secret("checkout/stripe")),
        (3, kms_via_secrets(k, "checkout/db")),
        (2, ssm_parameter("/checkout/feature-flags")),
        (5, lambda_invoke("checkout-tax")),
        (5, kinesis_put("checkout-clicks")),
        (3, events_put("checkout")),
        (10, xray("PutTraceSegments")),
        (4, xray("GetSamplingTargets")),
        (1, caller_identity),
        (0.2, control_channel("CreateControlChannel")),
        (0.2, control_channel("OpenControlChannel")),
        (0.2, efs_connection("fs-0a1b2c3d4e5f60718")),
        # Refused: a scan the spec does not grant, and a bucket setting a
        # library tries at start-up.
        (1, ("denied", dynamodb("Scan", "checkout-carts"))),
        (0.3, ("denied", s3_bucket("PutBucketReplication", False, "checkout-archive",
                                    {"replication": ""}))),
        # Failed after it was allowed.
        (0.5, ("NoSuchKey", s3_object("GetObject", True, "checkout-uploads", key("incoming/")))),
    ]


def execution_role_ops():
    return [
        (2, ecr("GetAuthorizationToken", "checkout")),
        (2, ecr("BatchGetImage", "checkout")),
        (6, ecr("GetDownloadUrlForLayer", "checkout")),
        (2, log_stream("/ecs/checkout")),
        (1, secret("checkout/registry")),
    ]


def other_role_ops(g, team, app, kind):
    """Calls of a role of another workload: a few services, its resources."""
    name = f"{team}-{app}"
    bucket = f"{name}-{g.choice(('data', 'files', 'exports', 'assets'))}-{hexid(g, 6)}"
    catalogue = {
        "s3": [(10, s3_object("GetObject", True, bucket, key("in/"))),
               (5, s3_object("PutObject", False, bucket, key("out/"))),
               (2, s3_list("ListObjectsV2", bucket, "in/")),
               (1, s3_object("DeleteObject", False, bucket, key("tmp/"))),
               (1, s3_bucket("GetBucketLocation", True, bucket)),
               (0.05, s3_bucket("PutBucketReplication", False, bucket, {"replication": ""}))],
        "sqs": [(10, sqs("ReceiveMessage", f"{name}-jobs")), (5, sqs("DeleteMessage", f"{name}-jobs")),
                (3, sqs("SendMessage", f"{name}-results")),
                (1, management("sqs.amazonaws.com", "GetQueueUrl", True, {"queueName": f"{name}-jobs"}))],
        "sns": [(3, sns_publish(f"{name}-events"))],
        "dynamodb": [(8, dynamodb("GetItem", name)), (4, dynamodb("PutItem", name)),
                     (3, dynamodb("Query", name)), (1, dynamodb("UpdateItem", name)),
                     (0.2, dynamodb("DescribeTable", name))],
        "secretsmanager": [(2, secret(f"{team}/{app}/db")),
                           (0.2, management("secretsmanager.amazonaws.com", "DescribeSecret", True,
                                            {"secretId": f"{team}/{app}/db"}))],
        "ssm": [(2, ssm_parameter(f"/{team}/{app}/config", plural=True)),
                (1, management("ssm.amazonaws.com", "GetParametersByPath", True,
                               {"path": f"/{team}/{app}/", "recursive": True, "withDecryption": True}))],
        "kms": [(2, management("kms.amazonaws.com", "GenerateDataKey", True,
                               {"keyId": f"alias/{team}", "keySpec": "AES_256"})),
                (2, kms_via_secrets(uuid(g), f"{team}/{app}/db"))],
        "logs": [(1, log_stream(f"/ecs/{name}")),
                 (0.5, management("logs.amazonaws.com", "DescribeLogStreams", True,
                                  {"logGroupName": f"/ecs/{name}", "orderBy": "LastEventTime"}))],
        "ecr": [(1, ecr("GetAuthorizationToken", name)), (1, ecr("BatchGetImage", name)),
                (3, ecr("GetDownloadUrlForLayer", name))],
        "lambda": [(3, lambda_invoke(f"{name}-fn")),
                   (0.1, management("lambda.amazonaws.com", "GetFunction20150331v2", True,
                                    {"functionName": f"{name}-fn"})),
                   (0.02, management("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", False,
                                     {"functionName": f"{name}-fn", "publish": True}))],
        "kinesis": [(4, kinesis_put(f"{name}-stream")),
                    (1, management("kinesis.amazonaws.com", "DescribeStreamSummary", True,
                                   {"streamName": f"{name}-stream"}))],
        "firehose": [(0.3, management("firehose.amazonaws.com", "DescribeDeliveryStream", True,
                                      {"deliveryStreamName": f"{name}-logs"}))],
        "events": [(2, events_put(team))],
        "ses": [(0.5, management("ses.amazonaws.com", "GetSendQuota", True)),
                (0.2, management("ses.amazonaws.com", "GetAccount", True))],
        "xray": [(4, xray("PutTraceSegments")), (2, xray("GetSamplingTargets"))],
        "ssmmessages": [(0.05, control_channel("CreateControlChannel"))],
        "elasticfilesystem": [(0.05, efs_connection("fs-" + hexid(g, 17))),
                              (0.1, management("elasticfilesystem.amazonaws.com",
                                               "DescribeFileSystems", True))],
        "sts": [(1, caller_identity),
                (0.3, management("sts.amazonaws.com", "AssumeRole", True,
                                 {"roleArn": f"arn:aws:iam::{ACCOUNTS[1]}:role/{name}-cross",
                                  "roleSessionName": name, "durationSeconds": 3600}))],
    }
    always = {"execution": ["ecr", "logs", "secretsmanager"], "task": ["sts"],
              "lambda": ["logs", "xray"], "ci": ["ecr", "s3", "sts", "lambda"]}[kind]
    chosen = set(always) | set(g.sample(sorted(catalogue), g.randint(2, 6)))
    if kind == "execution":
        chosen = set(always)
    ops = [op for service in sorted(chosen) for op in catalogue[service]]
    # One call in a few hundred refused: a service the role was not given.
    refused = g.choice(sorted(set(catalogue) - chosen - {"sts"}))
    ops.append((0.02, ("denied", catalogue[refused][0][1])))
    return ops


def roles(seed):
    """The roles of both accounts, the bench spec's first."""
    g = random.Random(f"{seed}:roles")
    bench = [Role(g, BENCH_ACCOUNT, BENCH_REGION, TASK_ROLE, "/", "python", task_role_ops()),
             Role(g, BENCH_ACCOUNT, BENCH_REGION, EXECUTION_ROLE, "/", "ecs", execution_role_ops())]
    out = []
    seen = {TASK_ROLE, EXECUTION_ROLE}
    while len(out) < 300:
        team, app = g.choice(TEAMS), g.choice(APPS)
        kind = g.choice(("task", "task", "task", "execution", "lambda", "ci"))
        name = {"task": f"{team}-{app}-task", "execution": f"{team}-{app}-execution",
                "lambda": f"{team}-{app}-fn-role", "ci": f"{team}-deploy"}[kind]
        account = g.choice(ACCOUNTS)
        if (account, name) in seen:
            continue
        seen.add((account, name))
        path = g.choice(("/", "/", "/", "/service-role/", f"/{team}/"))
        lang = "ecs" if kind == "execution" else g.choice(("java", "python", "node", "ecs"))
        out.append(Role(g, account, g.choice(REGIONS), name, path, lang,
                        other_role_ops(g, team, app, kind)))
    return bench, out


def event_version(g, category):
    return g.choice(("1.09", "1.10", "1.11") if category == "Data" else ("1.08", "1.09", "1.10", "1.11"))


def call_record(g, role, op, t):
    """One call of `role` at `t`."""
    error = None
    if isinstance(op, tuple):
        error, op = op
    out = op(role, g)
    invoked_by = None
    if len(out) == 10:
        invoked_by = out[9]
        out = out[:9]
    source, name, read_only, category, req, resp, res, target, extra = out
    session = g.choice(role.sessions)
    svc = source.split(".")[0]
    rec = {
        "eventVersion": event_version(g, category),
        "userIdentity": role.identity(g, session, t - datetime.timedelta(minutes=g.randint(1, 55)),
                                      invoked_by),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": role.region,
        "sourceIPAddress": invoked_by or f"10.{g.randint(0, 255)}.{g.randint(0, 255)}.{g.randint(1, 254)}",
        "userAgent": invoked_by or AGENTS[role.lang].replace("{svc}", svc),
    }
    if error == "denied":
        error = DENIED.get(svc, "AccessDeniedException")
        action = f"{svc}:{name}"
        rec["errorCode"] = error
        rec["errorMessage"] = DENIAL.format(
            arn=rec["userIdentity"]["arn"], action=action, resource=target)
        resp = None
    elif error:
        rec["errorCode"] = error
        rec["errorMessage"] = "The specified key does not exist."
        resp = None
    rec["requestParameters"] = req
    rec["responseElements"] = resp
    if extra:
        rec["additionalEventData"] = extra
    rec["requestID"] = upper(g, 16) if svc == "s3" else uuid(g)
    rec["eventID"] = uuid(g)
    rec["readOnly"] = read_only
    if res:
        rec["resources"] = res
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = category == "Management"
    rec["recipientAccountId"] = role.account
    if category == "Data" and g.random() < 0.3:
        rec["vpcEndpointId"] = "vpce-" + hexid(g, 17)
        rec["vpcEndpointAccountId"] = role.account
    rec["eventCategory"] = category
    if not invoked_by:
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                             "clientProvidedHostHeader": f"{svc}.{role.region}.amazonaws.com"}
    return rec


def task_start(g, role, t):
    """ECS assuming `role` for a new task: a new session."""
    task = hexid(g, 32)
    role.sessions = role.sessions[-3:] + [task]
    return {
        "eventVersion": event_version(g, "Management"),
        "userIdentity": {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
        "eventTime": iso(t),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "awsRegion": role.region,
        "sourceIPAddress": "ecs-tasks.amazonaws.com",
        "userAgent": "ecs-tasks.amazonaws.com",
        "requestParameters": {"roleArn": role.arn, "roleSessionName": task},
        "responseElements": {
            "credentials": {"accessKeyId": "ASIA" + upper(g, 16),
                            "sessionToken": alnum(g, 712),
                            "expiration": (t + datetime.timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p")},
            "assumedRoleUser": {"assumedRoleId": f"{role.role_id}:{task}",
                                "arn": f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{task}"},
        },
        "requestID": uuid(g),
        "eventID": uuid(g),
        "readOnly": True,
        "resources": [{"accountId": role.account, "type": "AWS::IAM::Role", "ARN": role.arn}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": role.account,
        "sharedEventID": uuid(g),
        "eventCategory": "Management",
    }


def user_record(g, account, region, t):
    """A person at the console or the CLI: no role, no session issuer."""
    name = g.choice(("alice", "bob", "carol", "dave"))
    op = g.choice((("ecs.amazonaws.com", "DescribeServices"), ("ecs.amazonaws.com", "ListTasks"),
                   ("iam.amazonaws.com", "GetRole"), ("cloudtrail.amazonaws.com", "LookupEvents"),
                   ("ec2.amazonaws.com", "DescribeInstances")))
    return {
        "eventVersion": "1.10",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + upper(g, 17),
                         "arn": f"arn:aws:iam::{account}:user/{name}", "accountId": account,
                         "accessKeyId": "AKIA" + upper(g, 16), "userName": name},
        "eventTime": iso(t), "eventSource": op[0], "eventName": op[1],
        "awsRegion": "us-east-1" if op[0] == "iam.amazonaws.com" else region,
        "sourceIPAddress": f"203.0.113.{g.randint(1, 254)}",
        "userAgent": "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 command/" + op[1].lower(),
        "requestParameters": None if op[1] == "LookupEvents" else {"cluster": "default"},
        "responseElements": None, "requestID": uuid(g), "eventID": uuid(g), "readOnly": True,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{op[0].split('.')[0]}.{region}.amazonaws.com"},
    }


def write_file(job):
    """One delivered file: its records, gzip'd, as the bytes to write."""
    seed, index, stamp, account, region, n, out = job
    g = random.Random(f"{seed}:{index}")
    bench, others = roles(seed)
    pool = [r for r in others if r.account == account and r.region == region]
    # Sessions move on as tasks start: each file has its own.
    for r in bench + pool:
        r.sessions = [hexid(g, 32) for _ in range(g.randint(1, 3))]
    delivered = datetime.datetime.strptime(stamp, "%Y%m%dT%H%MZ")
    is_bench = (account, region) == (BENCH_ACCOUNT, BENCH_REGION)
    records = []
    for _ in range(n):
        t = delivered - datetime.timedelta(seconds=g.randint(300, 900))
        roll = g.random()
        if is_bench and roll < 0.003:
            records.append(task_start(g, g.choice(bench), t))
        elif is_bench and roll < 0.04:
            role = bench[0] if roll < 0.033 else bench[1]
            records.append(call_record(g, role, g.choices(role.ops, role.weights)[0][1], t))
        elif roll > 0.995:
            records.append(user_record(g, account, region, t))
        elif roll > 0.99:
            records.append(task_start(g, g.choice(pool), t))
        else:
            role = g.choice(pool)
            records.append(call_record(g, role, g.choices(role.ops, role.weights)[0][1], t))
    records.sort(key=lambda r: r["eventTime"])
    text = json.dumps({"Records": records}, separators=(",", ":")).encode()
    folder = os.path.join(out, "AWSLogs", account, "CloudTrail", region,
                          stamp[:4], stamp[4:6], stamp[6:8])
    name = f"{account}_CloudTrail_{region}_{stamp}_{alnum(g, 16)}.json.gz"
    return folder, name, gzip.compress(text, compresslevel=6, mtime=0), len(text), len(records)


def jobs(seed, out, start, minutes, target):
    """Every file's place in time, delivery stream and number of records,
    in order: as many as make about `target` bytes, spread evenly over
    `minutes`."""
    g = random.Random(f"{seed}:files")
    streams = [s for s, _ in STREAMS]
    weights = [w for _, w in STREAMS]
    files = []
    while sum(n for _, n in files) * RECORD_BYTES < target:
        files.append((g.choices(streams, weights)[0], g.randint(*RECORDS_PER_FILE)))
    # A file holds the calls of the 5 to 15 minutes before its delivery.
    step = (minutes - 15) / max(len(files) - 1, 1)
    for i, ((account, region), n) in enumerate(files):
        t = start + datetime.timedelta(minutes=15 + int(i * step) // 5 * 5)
        yield seed, i, t.strftime("%Y%m%dT%H%MZ"), account, region, n, out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--mb", type=int, default=64, help="MiB of JSON to write (default 64)")
    p.add_argument("--seed", default="1")
    p.add_argument("--start", default="2026-11-01", help="the first day (default 2026-11-01)")
    p.add_argument("--days", type=int, default=31, help="days the files span (default 31)")
    a = p.parse_args()
    target = a.mb * 1024 * 1024
    start = datetime.datetime.strptime(a.start, "%Y-%m-%d")
    written = files = records = 0
    with multiprocessing.Pool(os.cpu_count()) as workers:
        for folder, name, data, size, n in workers.imap(
                write_file, jobs(a.seed, a.out, start, a.days * 24 * 60, target), chunksize=2):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
            written += size
            files += 1
            records += n
    print(f"{files} files, {records} records, {written / 1024 / 1024:.0f} MiB of JSON in {a.out}")


if __name__ == "__main__":
    main()
