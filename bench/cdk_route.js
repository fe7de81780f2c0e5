// The CDK route to the matillion-agent example's two roles: aws-cdk-lib's
// L2 constructs, synthesised to a CloudFormation template. Used by
// compare-cdk.sh to time what users would otherwise run.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-route-'));
const app = new cdk.App({ outdir });
const stack = new cdk.Stack(app, 'MatillionAgentRoles');
const p = cdk.Aws.PARTITION;
const r = cdk.Aws.REGION;
const a = cdk.Aws.ACCOUNT_ID;
const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
  conditions: {
    ArnLike: { 'aws:SourceArn': `arn:${p}:ecs:${r}:${a}:*` },
    StringEquals: { 'aws:SourceAccount': a },
  },
});
const task = new iam.Role(stack, 'TaskRole', {
  roleName: 'matillion-agent-task',
  assumedBy: ecsTasks,
  description: 'ECS task role of matillion-agent: Matillion agent on ECS Fargate',
});
task.addToPolicy(new iam.PolicyStatement({ sid: 'ListSecrets', actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
task.addToPolicy(new iam.PolicyStatement({
  sid: 'ReadSecrets',
  actions: ['secretsmanager:GetSecretValue'],
  resources: ['matillion/agent/database-passwords', 'matillion/agent/platform-key']
    .map((n) => `arn:${p}:secretsmanager:${r}:${a}:secret:${n}-??????`),
}));
task.addToPolicy(new iam.PolicyStatement({
  sid: 'S3BucketMatillionStagingBucket',
  actions: ['s3:GetBucketLocation', 's3:ListBucket'],
  resources: [`arn:${p}:s3:::matillion-staging-bucket`],
}));
task.addToPolicy(new iam.PolicyStatement({
  sid: 'S3ObjectsMatillionStagingBucket',
  actions: ['s3:DeleteObject', 's3:GetObject', 's3:GetObjectAcl', 's3:PutObject', 's3:PutObjectAcl'],
  resources: [`arn:${p}:s3:::matillion-staging-bucket/*`],
}));
const execution = new iam.Role(stack, 'TaskExecutionRole', {
  roleName: 'matillion-agent-execution',
  assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  description: 'ECS task execution role of matillion-agent: Matillion agent on ECS Fargate',
});
execution.addToPolicy(new iam.PolicyStatement({ sid: 'EcrAuthorizationToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
execution.addToPolicy(new iam.PolicyStatement({
  sid: 'EcrPull',
  actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  resources: [`arn:${p}:ecr:${r}:${a}:repository/matillion/agent`],
}));
execution.addToPolicy(new iam.PolicyStatement({
  sid: 'EcrPublicAuthorizationToken',
  actions: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'],
  resources: ['*'],
}));
execution.addToPolicy(new iam.PolicyStatement({
  sid: 'Logs',
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resources: [`arn:${p}:logs:${r}:${a}:log-group:/ecs/matillion-agent:*`],
}));
execution.addToPolicy(new iam.PolicyStatement({
  sid: 'ReadSecrets',
  actions: ['secretsmanager:GetSecretValue'],
  resources: [`arn:${p}:secretsmanager:${r}:${a}:secret:matillion/agent/platform-credentials-??????`],
}));
execution.addToPolicy(new iam.PolicyStatement({
  sid: 'DecryptSecrets',
  actions: ['kms:Decrypt'],
  resources: [`arn:${p}:kms:${r}:${a}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
  conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${r}.amazonaws.com` } },
}));
app.synth();
fs.rmSync(outdir, { recursive: true, force: true });
