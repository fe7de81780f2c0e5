//! The fields the ECS API knows at each level of a task definition, so a
//! misspelt or misplaced field is reported instead of ignored (the ECS API
//! rejects both). Names are the `RegisterTaskDefinition` API's
//! (CloudFormation's PascalCase forms are derived from them), plus the
//! read-only fields `describe-task-definition` prints.

/// Task-level fields of `RegisterTaskDefinition`, and the read-only ones
/// of `describe-task-definition`.
pub const TASK: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
    // describe-task-definition's read-only fields.
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
];

/// `containerDefinitions[]` fields.
pub const CONTAINER: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "restartPolicy",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "versionConsistency",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
];

/// `logConfiguration` fields.
pub const LOG_CONFIGURATION: &[&str] = &["logDriver", "options", "secretOptions"];

/// `secrets[]` and `secretOptions[]` entries.
pub const SECRET: &[&str] = &["name", "valueFrom"];

/// `environment[]` entries.
pub const ENVIRONMENT: &[&str] = &["name", "value"];

/// `environmentFiles[]` entries.
pub const ENVIRONMENT_FILE: &[&str] = &["value", "type"];

/// `repositoryCredentials`.
pub const REPOSITORY_CREDENTIALS: &[&str] = &["credentialsParameter"];

/// `firelensConfiguration`.
pub const FIRELENS: &[&str] = &["type", "options"];

/// `mountPoints[]` entries.
pub const MOUNT_POINT: &[&str] = &["sourceVolume", "containerPath", "readOnly"];

/// `volumes[]` entries.
pub const VOLUME: &[&str] = &[
    "name",
    "host",
    "configuredAtLaunch",
    "dockerVolumeConfiguration",
    "efsVolumeConfiguration",
    "fsxWindowsFileServerVolumeConfiguration",
];

/// `efsVolumeConfiguration`.
pub const EFS: &[&str] = &[
    "fileSystemId",
    "rootDirectory",
    "transitEncryption",
    "transitEncryptionPort",
    "authorizationConfig",
];

/// `efsVolumeConfiguration.authorizationConfig`.
pub const EFS_AUTHORIZATION: &[&str] = &["accessPointId", "iam"];
