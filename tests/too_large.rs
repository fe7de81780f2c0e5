//! A file over its kind's size limit is refused with a message naming that
//! kind: a dump of deployed roles is not "a spec".

use std::path::Path;
use std::process::Command;

/// The deployed roles' limit, 256 MiB (`deployed::MAX_DUMP_BYTES`).
const MAX_DUMP_BYTES: u64 = 256 * 1024 * 1024;

#[test]
fn a_dump_over_its_limit_is_called_a_dump() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("too-large-dump");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Sparse: one byte over the limit, without writing 256 MiB.
    std::fs::File::create(dir.join("dump.json"))
        .unwrap()
        .set_len(MAX_DUMP_BYTES + 1)
        .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ecs-basic.yaml"),
        dir.join("ecs-basic.yaml"),
    )
    .unwrap();
    let expected = "error: dump.json:1:1: the file is 268435457 bytes; a dump may be at most 268435456 bytes\n";
    for args in [
        &["drift", "ecs-basic.yaml", "--deployed", "dump.json"][..],
        &[
            "init",
            "--from-role",
            "dump.json#ecs-basic-task",
            "--output",
            "-",
        ][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ecs-iam"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref(),
                out.stdout.len()
            ),
            (Some(2), expected, 0),
            "ecs-iam {}",
            args.join(" ")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
