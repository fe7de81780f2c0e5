//! A large task definition through each stage: 50 containers with 500
//! secrets (10 each: JSON keys of 25 shared secrets, as a real task injects
//! many variables from a few secrets; 500 distinct secret ARNs would exceed
//! IAM's 10,240-character inline policy limit) — read, derive, render and
//! verify. The target is under 10 ms each.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ecs_iam::render::{self, Templates};
use ecs_iam::task_definition::{self, needs};

fn big_task_definition() -> String {
    let mut containers = Vec::new();
    for c in 0..50 {
        let mut secrets = String::new();
        for s in 0..10 {
            let n = c * 10 + s;
            let _ = write!(
                secrets,
                r#"{}{{"name": "VAR_{n}", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/shared-{:02}-AbCd{:02}:key{n}::"}}"#,
                if s == 0 { "" } else { ", " },
                n % 25,
                n % 25
            );
        }
        containers.push(format!(
            r#"{{"name": "c{c}", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app/service-{}:1.{c}", "secrets": [{secrets}], "logConfiguration": {{"logDriver": "awslogs", "options": {{"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "c{c}"}}}}}}"#,
            c % 5
        ));
    }
    format!(
        r#"{{"family": "app", "containerDefinitions": [{}]}}"#,
        containers.join(",\n")
    )
}

fn stages(c: &mut Criterion) {
    let text = big_task_definition();
    let file = Path::new("big.json");
    let task = task_definition::parse(
        file,
        "big.json",
        &text,
        None,
        &ecs_iam::task_definition::Parameters::default(),
    )
    .unwrap();
    assert_eq!(task.containers.len(), 50);
    assert_eq!(
        task.containers
            .iter()
            .map(|c| c.secrets.len())
            .sum::<usize>(),
        500
    );
    let spec = "version: 1\nname: app\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [big.json]\n";
    let mut source = ecs_iam::spec::parse(Path::new("app.yaml"), spec).unwrap();
    source.task_definitions = vec![task.clone()];
    let env = ecs_iam::model::deployment(&source).unwrap();
    let templates = Templates::embedded().unwrap();

    c.bench_function("task definition: read 50 containers, 500 secrets", |b| {
        b.iter(|| {
            task_definition::parse(
                file,
                "big.json",
                black_box(&text),
                None,
                &ecs_iam::task_definition::Parameters::default(),
            )
            .unwrap()
        });
    });
    c.bench_function("task definition: derive", |b| {
        b.iter(|| needs::needs(black_box(&task), &env, &[]).all().unwrap());
    });
    c.bench_function("task definition: model and render all files", |b| {
        b.iter(|| {
            let model = ecs_iam::model::build(black_box(&source)).unwrap();
            render::render(&model, &templates).unwrap()
        });
    });
    c.bench_function("task definition: verify", |b| {
        b.iter(|| ecs_iam::verify::verify_spec(black_box(&source), None).unwrap());
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
