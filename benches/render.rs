//! Each stage of the data flow on the largest example: parse, model, and
//! each renderer, and the check `render` makes of its files before writing
//! them; and one policy evaluation.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ecs_iam::evaluate::{self, Request};
use ecs_iam::render::{self, Templates};

fn stages(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/matillion-agent.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let source = ecs_iam::spec::parse(&path, &text).unwrap();
    let model = ecs_iam::model::build(&source).unwrap();
    let templates = Templates::embedded().unwrap();
    let (whole, each_role) = render::contexts(&model).unwrap();
    let task = &each_role[0];

    c.bench_function("parse", |b| {
        b.iter(|| ecs_iam::spec::parse(black_box(&path), black_box(&text)).unwrap());
    });
    c.bench_function("model", |b| {
        b.iter(|| ecs_iam::model::build(black_box(&source)).unwrap());
    });
    c.bench_function("render cloudformation", |b| {
        b.iter(|| {
            templates
                .render("cloudformation.yaml.tera", black_box(&whole))
                .unwrap()
        });
    });
    c.bench_function("render terraform main.tf", |b| {
        b.iter(|| {
            templates
                .render("terraform/main.tf.tera", black_box(&whole))
                .unwrap()
        });
    });
    c.bench_function("render cdk role", |b| {
        b.iter(|| {
            templates
                .render("cdk/role.json.tera", black_box(task))
                .unwrap()
        });
    });
    c.bench_function("render all files", |b| {
        b.iter(|| render::render(black_box(&model), &templates).unwrap());
    });
    let files = render::render(&model, &templates).unwrap();
    c.bench_function("check rendered files", |b| {
        b.iter(|| {
            render::selfcheck::check(&path, black_box(&model), black_box(&files), &templates)
                .unwrap();
        });
    });
    c.bench_function("load templates", |b| {
        b.iter(|| Templates::embedded().unwrap());
    });

    // The last of the execution role's statements to match: KMS via
    // Secrets Manager, its condition checked.
    let execution = evaluate::role_policies(&model.roles[1]);
    let decrypt = Request {
        action: "kms:Decrypt".into(),
        resource:
            "arn:<partition>:kms:<region>:<account_id>:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
        context: [(
            "kms:ViaService".to_owned(),
            vec!["secretsmanager.<region>.amazonaws.com".to_owned()],
        )]
        .into(),
    };
    assert!(evaluate::decide(&execution.statements, None, &decrypt).is_allowed());
    c.bench_function("decide one request", |b| {
        b.iter(|| evaluate::decide(black_box(&execution.statements), None, black_box(&decrypt)));
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
