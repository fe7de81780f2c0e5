// Load the generated iam.CfnRoleProps into a CDK app, synthesise it in
// process, run cdk-nag's AwsSolutions pack, and print the synthesised
// template and every cdk-nag finding as JSON.
//
// usage: node cdk_synth.js OUTPUT_DIR
'use strict';

const fs = require('fs');
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { AwsSolutionsChecks } = require('cdk-nag');
const { Validations } = cdk;

const dir = process.argv[2];
const outdir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'ecs-iam-cdk-'));
const app = new cdk.App({ outdir });
const stack = new cdk.Stack(app, 'Roles');
for (const [id, file] of [['TaskRole', 'task-role.json'], ['TaskExecutionRole', 'execution-role.json']]) {
  const props = JSON.parse(fs.readFileSync(path.join(dir, 'cdk', file), 'utf8'));
  const role = new iam.CfnRole(stack, id, props);
  role.overrideLogicalId(id);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
let error = null;
let assembly = null;
try {
  assembly = app.synth();
} catch (e) {
  error = String(e && e.message ? e.message : e);
}
const reportFile = path.join(outdir, 'validation-report.json');
const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : null;
const templateFile = path.join(outdir, 'Roles.template.json');
const template = fs.existsSync(templateFile) ? JSON.parse(fs.readFileSync(templateFile, 'utf8')) : null;
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ template, report, error }) + '\n');
