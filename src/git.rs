//! Specs as they are at a git revision, read through the `git` command
//! (present wherever a pull request is reviewed; a library would add a
//! large dependency for three plumbing commands).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Error;

/// One spec file at the revision: a label for messages
/// (`<rev>:<path from the repository root>`) and its bytes.
#[derive(Debug, Clone)]
pub struct Blob {
    pub label: PathBuf,
    pub bytes: Vec<u8>,
}

fn git(args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, Error> {
    let command = format!("git {}", args.join(" "));
    let mut child = Command::new("git")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Git {
            command: command.clone(),
            message: format!("{e}; is git installed and on PATH?"),
        })?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // cat-file answers as it reads: write from a thread so neither
        // side waits on a full pipe.
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out = child.wait_with_output().map_err(|e| Error::Git {
        command: command.clone(),
        message: e.to_string(),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Git {
            command,
            message: stderr.lines().next().unwrap_or("no message").to_owned(),
        });
    }
    Ok(out.stdout)
}

/// `git ls-tree` entries under `path` at `rev`: (type, path from the root).
fn ls_tree(rev: &str, path: &str) -> Result<Vec<(String, String)>, Error> {
    let out = git(&["ls-tree", "-z", "--full-name", rev, "--", path], None)?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (meta, name) = e.split_once('\t')?;
            let kind = meta.split(' ').nth(1)?.to_owned();
            Some((kind, name.to_owned()))
        })
        .collect())
}

/// The specs that the command-line `paths` (files, or folders of specs,
/// relative to the current folder) name at `rev`, in path order. A path
/// that does not exist at `rev` names none: the change adds it.
///
/// # Errors
/// Not inside a git repository, an unknown revision, or git failing.
pub fn specs_at(rev: &str, paths: &[PathBuf]) -> Result<Vec<Blob>, Error> {
    let commit = format!("{rev}^{{commit}}");
    if git(&["rev-parse", "--verify", "--quiet", &commit], None).is_err() {
        // Tell a missing repository from a missing revision.
        git(&["rev-parse", "--show-toplevel"], None)?;
        return Err(Error::Git {
            command: format!("git rev-parse {rev}"),
            message: format!(
                "`{rev}` is not a commit here; fetch it (actions/checkout needs `fetch-depth: 0`) or name another revision"
            ),
        });
    }
    let mut names = Vec::new();
    for p in paths {
        let p = p.to_string_lossy().replace('\\', "/");
        let p = p.trim_end_matches('/');
        // `.` and `..` list the folder's entries, not the folder itself.
        if p.is_empty()
            || p.rsplit('/')
                .next()
                .is_some_and(|last| last == "." || last == "..")
        {
            let dir = if p.is_empty() { "." } else { p };
            names.extend(
                ls_tree(rev, dir)?
                    .into_iter()
                    .filter(|(k, n)| k == "blob" && crate::spec::is_spec_name(Path::new(n)))
                    .map(|(_, n)| n),
            );
            continue;
        }
        for (kind, name) in ls_tree(rev, p)? {
            match kind.as_str() {
                "blob" => names.push(name),
                "tree" => names.extend(
                    ls_tree(rev, &format!("{p}/"))?
                        .into_iter()
                        .filter(|(k, n)| k == "blob" && crate::spec::is_spec_name(Path::new(n)))
                        .map(|(_, n)| n),
                ),
                _ => {}
            }
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let input = names.iter().fold(String::new(), |mut s, n| {
        let _ = writeln!(s, "{rev}:{n}");
        s
    });
    let out = git(&["cat-file", "--batch"], Some(input.as_bytes()))?;
    let mut blobs = Vec::new();
    let mut rest = out.as_slice();
    for name in names {
        let bad = || Error::Git {
            command: "git cat-file --batch".to_owned(),
            message: format!("unexpected output for `{rev}:{name}`"),
        };
        let end = rest.iter().position(|b| *b == b'\n').ok_or_else(bad)?;
        let header = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 1..];
        let size: usize = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if rest.len() < size + 1 {
            return Err(bad());
        }
        blobs.push(Blob {
            label: PathBuf::from(format!("{rev}:{name}")),
            bytes: rest[..size].to_vec(),
        });
        rest = &rest[size + 1..];
    }
    Ok(blobs)
}

/// The bytes of a file a spec read at a revision refers to, named like the
/// spec's label: `<rev>:<path from the repository root>`, `..` allowed.
///
/// # Errors
/// The file does not exist at the revision, or git fails; as an I/O error,
/// which the caller places at the spec's field.
pub fn file_at_label(label: &Path) -> std::io::Result<Vec<u8>> {
    let label = label.to_string_lossy().replace('\\', "/");
    let Some((rev, path)) = label.split_once(':') else {
        return Err(std::io::Error::other(format!(
            "`{label}` names no revision"
        )));
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let object = format!("{rev}:{}", parts.join("/"));
    git(&["cat-file", "blob", &object], None).map_err(|e| match e {
        Error::Git { message, .. } => std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("not found at the revision ({message})"),
        ),
        other => std::io::Error::other(other.to_string()),
    })
}
