use std::process::ExitCode;

fn main() -> ExitCode {
    let code = match ecs_iam::cli::parse(std::env::args_os()) {
        Ok(args) => ecs_iam::cli::run(args),
        Err(code) => code,
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
