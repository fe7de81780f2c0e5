use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = ecs_iam::cli::Args::parse();
    let code = ecs_iam::cli::run(args);
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
