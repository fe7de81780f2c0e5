"""Run the Athena query ecs-iam prints without AWS: parse it as Trino with
sqlglot, load CloudTrail record files into a DuckDB table shaped as AWS's
CloudTrail table for Athena, run the query transpiled to DuckDB, and write
the result as Athena writes it to S3 (CSV, every value quoted, NULL an
empty field).

    python run.py QUERY.sql OUT.csv RECORDS... [--table NAME] [--json OUT.json]

RECORDS are `{"Records": [...]}` files (.json or .json.gz) or folders of
them.
"""

import argparse
import gzip
import json
import os
import re
import sys
import tempfile

import duckdb
import sqlglot
from sqlglot import exp

# The columns of AWS's documented CloudTrail table ("Create the table for
# CloudTrail logs in Athena using partition projection") that the query
# reads, with their types as DuckDB spells them; `timestamp` is the
# partition column, 'yyyy/MM/dd'.
COLUMNS = {
    "eventversion": "VARCHAR",
    "useridentity": (
        "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR,"
        " invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR,"
        " sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR),"
        " sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR,"
        " username VARCHAR), ec2roledelivery VARCHAR))"
    ),
    "eventtime": "VARCHAR",
    "eventsource": "VARCHAR",
    "eventname": "VARCHAR",
    "awsregion": "VARCHAR",
    "sourceipaddress": "VARCHAR",
    "useragent": "VARCHAR",
    "errorcode": "VARCHAR",
    "errormessage": "VARCHAR",
    "requestparameters": "VARCHAR",
    "responseelements": "VARCHAR",
    "additionaleventdata": "VARCHAR",
    "requestid": "VARCHAR",
    "eventid": "VARCHAR",
    "readonly": "VARCHAR",
    "resources": "STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]",
    "eventtype": "VARCHAR",
    "apiversion": "VARCHAR",
    "recipientaccountid": "VARCHAR",
    "sharedeventid": "VARCHAR",
    "vpcendpointid": "VARCHAR",
    "eventcategory": "VARCHAR",
    "timestamp": "VARCHAR",
}

# JSON values the table keeps as text (the SerDe writes them back as JSON).
AS_TEXT = {"requestparameters", "responseelements", "additionaleventdata"}


def lower_keys(value):
    """The Hive JSON SerDe matches keys without regard to case."""
    if isinstance(value, dict):
        return {k.lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def as_column(name, value):
    if value is None:
        return None
    if name in AS_TEXT:
        return json.dumps(value)
    if name == "readonly":
        return "true" if value else "false"
    return value


def row(record, day=None):
    lowered = {k.lower(): v for k, v in record.items()}
    out = {}
    for name in COLUMNS:
        if name == "timestamp":
            out[name] = day or lowered["eventtime"][:10].replace("-", "/")
        elif name in ("useridentity", "resources"):
            out[name] = lower_keys(lowered.get(name))
        else:
            out[name] = as_column(name, lowered.get(name))
    return out


def record_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                for name in sorted(names):
                    if name.endswith((".json", ".json.gz")):
                        yield os.path.join(folder, name)
        else:
            yield path


def records(paths):
    """Each record with its partition: the day of the folder CloudTrail
    delivered its file to (`.../YYYY/MM/DD/`), else of its eventTime."""
    for path in record_files(paths):
        folder = re.search(r"/(\d{4})/(\d{2})/(\d{2})/[^/]*$", path.replace(os.sep, "/"))
        day = "/".join(folder.groups()) if folder else None
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for r in json.load(f)["Records"]:
                yield r, day


def write_csv(out, header, rows):
    def field(v):
        if v is None:
            return ""
        return '"' + str(v).replace('"', '""') + '"'

    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(field(h) for h in header) + "\n")
        for r in rows:
            f.write(",".join(field(v) for v in r) + "\n")


def write_json(out, header, rows):
    """As `aws athena get-query-results` prints it: the header the first
    row, NULL a datum without `VarCharValue`."""

    def datum(v):
        return {} if v is None else {"VarCharValue": str(v)}

    result = {
        "UpdateCount": 0,
        "ResultSet": {
            "Rows": [{"Data": [datum(h) for h in header]}]
            + [{"Data": [datum(v) for v in r]} for r in rows],
            "ResultSetMetadata": {
                "ColumnInfo": [
                    {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": h,
                     "Label": h, "Type": "varchar", "Precision": 2147483647, "Scale": 0,
                     "Nullable": "UNKNOWN", "CaseSensitive": True}
                    for h in header
                ]
            },
        },
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=4)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("query")
    parser.add_argument("out")
    parser.add_argument("records", nargs="+")
    parser.add_argument("--table", default="cloudtrail_logs")
    parser.add_argument("--json", help="also write the result as get-query-results prints it")
    args = parser.parse_args()

    with open(args.query, encoding="utf-8") as f:
        sql = f.read()
    # (a) The query is Trino, as Athena runs it.
    tree = sqlglot.parse_one(sql, read="trino")
    if not isinstance(tree, (exp.Select, exp.Union)):
        sys.exit(f"the query is a {type(tree).__name__}, not a SELECT")

    # (b) The records, as the table holds them.
    con = duckdb.connect()
    columns = ", ".join(f'"{n}" {t}' for n, t in COLUMNS.items())
    table = ".".join('"' + p.replace('"', '""') + '"' for p in args.table.split("."))
    con.execute(f"CREATE TABLE {table} ({columns})")
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as nd:
        for r, day in records(args.records):
            nd.write(json.dumps(row(r, day)) + "\n")
    try:
        spec = ", ".join(f"'{n}': '{t}'" for n, t in COLUMNS.items())
        con.execute(
            f"INSERT INTO {table} SELECT * FROM read_json(?, format='newline_delimited', columns={{{spec}}})",
            [nd.name],
        )
    finally:
        os.unlink(nd.name)

    # (c) The query on DuckDB.
    duck = sqlglot.transpile(sql, read="trino", write="duckdb")
    if len(duck) != 1:
        sys.exit(f"the query is {len(duck)} statements, not one")
    result = con.execute(duck[0])
    header = [d[0] for d in result.description]
    rows = result.fetchall()

    # (d) The result as Athena writes it.
    write_csv(args.out, header, rows)
    if args.json:
        write_json(args.json, header, rows)


if __name__ == "__main__":
    main()
