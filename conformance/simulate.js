// Decide requests with @cloud-copilot/iam-simulate, for tests/simulate.rs.
//
// iam-simulate is AGPL-3.0: it runs only as this external test tool, installed
// under target/conformance/node by setup.sh, and is never bundled with,
// vendored into or linked into ecs-iam.
//
// stdin: a JSON array of cases
//   {"identityPolicy": <IAM policy document>, "boundary": <document>?,
//    "requests": [{"action", "resource", "context": {key: [values]}}]}
// stdout: a JSON array with one array per case, one answer per request:
//   "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or {"error": ...} when
//   iam-simulate refuses the simulation (an unknown action, a resource ARN
//   that is no resource type of the action, an invalid policy).
//
// Every request is made by a role of account 111122223333 on a resource of
// that account (`resource.accountId`), so only the identity policy and the
// boundary decide, as in ecs-iam's evaluator: iam-simulate would otherwise
// also require a resource policy for a cross-account request. KMS requests
// get the key policy AWS creates by default, which lets IAM policies of the
// account decide; iam-simulate requires a key policy for every KMS request.
'use strict';

const { runSimulation } = require('@cloud-copilot/iam-simulate');

const ACCOUNT = '111122223333';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/ecs-iam-simulated`;

function defaultKeyPolicy(partition) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnableIAMUserPermissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

// A key with one value is single-valued in iam-simulate as in ecs-iam's
// evaluator; several values stay a list.
function contextVariables(context) {
  const out = {};
  for (const [key, values] of Object.entries(context || {})) {
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

async function decide(c, request) {
  const simulation = {
    request: {
      principal: PRINCIPAL,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: contextVariables(request.context),
    },
    identityPolicies: [{ name: 'identity', policy: c.identityPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  if (c.boundary) {
    simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }];
  }
  if (request.action.toLowerCase().startsWith('kms:')) {
    simulation.resourcePolicy = defaultKeyPolicy(PRINCIPAL.split(':')[1]);
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    return { error: result.errors };
  }
  if (result.resultType !== 'single') {
    return { error: `unexpected ${result.resultType} result (a wildcard in the request resource?)` };
  }
  const ignored = result.result.ignoredContextKeys || [];
  if (ignored.length > 0) {
    // A key the action does not take would be dropped silently: the request
    // would not be the one ecs-iam's evaluator was given.
    return { error: `context keys ignored for ${request.action}: ${ignored.join(', ')}` };
  }
  return result.overallResult;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) {
    input += chunk;
  }
  const cases = JSON.parse(input);
  const answers = [];
  for (const c of cases) {
    const out = [];
    for (const request of c.requests) {
      out.push(await decide(c, request));
    }
    answers.push(out);
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
