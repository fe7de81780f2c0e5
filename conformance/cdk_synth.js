// Load each rendering's iam.CfnRoleProps (cdk/*.json) into a CDK app,
// synthesise it in process with cdk-nag's AwsSolutions checks, and print one
// JSON line per rendering: {dir, template, report, nag, error}. With
// --acknowledge, the findings listed in cdk/nag-acknowledgements.json are
// acknowledged first, the way docs/outputs.md shows. `nag` is cdk-nag's own list
// of unacknowledged findings ([construct, rule id]): aws-cdk-lib writes no
// report when it cannot parse one of cdk-nag's finding ids.
//
// usage: node cdk_synth.js [--acknowledge] OUTPUT_DIR...
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { AwsSolutionsChecks } = require('cdk-nag');

const args = process.argv.slice(2);
const acknowledge = args[0] === '--acknowledge';
const dirs = acknowledge ? args.slice(1) : args;

for (const dir of dirs) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-iam-cdk-'));
  const app = new cdk.App({ outdir });
  const stack = new cdk.Stack(app, 'Roles');
  // The spec's inputs, as docs/outputs.md shows: one CfnParameter each, at
  // the top of the stack, so that its logical id is the name the roles'
  // Fn::Sub uses.
  const inputsFile = path.join(dir, 'cdk', 'inputs.json');
  if (fs.existsSync(inputsFile)) {
    for (const [id, props] of Object.entries(JSON.parse(fs.readFileSync(inputsFile, 'utf8')))) {
      new cdk.CfnParameter(stack, id, props);
    }
  }
  const roles = {};
  for (const [id, file] of [['TaskRole', 'task-role.json'], ['TaskExecutionRole', 'execution-role.json']]) {
    // A role the spec leaves to another owner (`managed: false`) has no file.
    const roleFile = path.join(dir, 'cdk', file);
    if (!fs.existsSync(roleFile)) continue;
    const props = JSON.parse(fs.readFileSync(roleFile, 'utf8'));
    // A split role's policies created beside it, attached through the
    // role's managedPolicyArns as docs/outputs.md shows.
    const created = [];
    const policiesFile = path.join(dir, 'cdk', file.replace('.json', '-policies.json'));
    if (fs.existsSync(policiesFile)) {
      JSON.parse(fs.readFileSync(policiesFile, 'utf8')).forEach((p) => {
        // The number its name ends in, as the template's logical id.
        const policyId = `${id}Policy${String(p.managedPolicyName).split('-').pop()}`;
        roles[policyId] = new iam.CfnManagedPolicy(stack, policyId, p);
        roles[policyId].overrideLogicalId(policyId);
        created.push(roles[policyId].ref);
      });
    }
    roles[id] = new iam.CfnRole(stack, id, created.length === 0 ? props
      : { ...props, managedPolicyArns: [...(props.managedPolicyArns || []), ...created] });
    roles[id].overrideLogicalId(id);
  }
  if (acknowledge) {
    const acks = JSON.parse(fs.readFileSync(path.join(dir, 'cdk', 'nag-acknowledgements.json'), 'utf8'));
    for (const [id, list] of Object.entries(acks)) {
      for (const a of list) cdk.Validations.of(roles[id]).acknowledge(a);
    }
  }
  const checks = new AwsSolutionsChecks(app);
  cdk.Validations.of(app).addPlugins(checks);
  let error = null;
  try {
    app.synth();
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  const read = (name) => {
    const file = path.join(outdir, name);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
  };
  const nag = checks.validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => [r.constructPath.split('/').pop(), v.ruleName]));
  const result = { dir, template: read('Roles.template.json'), report: read('validation-report.json'), nag, error };
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
}
