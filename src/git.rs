//! Specs as they are at a git revision, read through the `git` command
//! (present wherever a pull request is reviewed; a library would add a
//! large dependency for three plumbing commands).

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::error::{Error, FileKind};

/// One spec file at the revision: a label for messages
/// (`<rev>:<path from the repository root>`) and its bytes.
#[derive(Debug, Clone)]
pub struct Blob {
    pub label: PathBuf,
    pub bytes: Vec<u8>,
}

/// The most any plumbing command may print (`ls-tree` of a folder):
/// far more than a repository of specs lists.
const MAX_GIT_OUTPUT: u64 = 64 * 1024 * 1024;

fn spawn(args: &[&str], stdin: bool) -> Result<Child, Error> {
    Command::new("git")
        .args(args)
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Git {
            command: format!("git {}", args.join(" ")),
            message: format!("{e}; is git installed and on PATH?"),
        })
}

/// Run git, its stdout read through a cap of [`MAX_GIT_OUTPUT`].
fn git(args: &[&str]) -> Result<Vec<u8>, Error> {
    let command = format!("git {}", args.join(" "));
    let mut child = spawn(args, false)?;
    let stderr = drain_stderr(&mut child);
    let io_err = |e: std::io::Error| Error::Git {
        command: command.clone(),
        message: e.to_string(),
    };
    let out = match child.stdout.take() {
        Some(pipe) => crate::input::bytes::read_up_to(pipe, MAX_GIT_OUTPUT).map_err(io_err)?,
        None => Vec::new(),
    };
    if out.len() as u64 > MAX_GIT_OUTPUT {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Error::Git {
            command,
            message: format!("printed more than {MAX_GIT_OUTPUT} bytes"),
        });
    }
    let status = child.wait().map_err(io_err)?;
    if !status.success() {
        let stderr = stderr.join().unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        return Err(Error::Git {
            command,
            message: stderr.lines().next().unwrap_or("no message").to_owned(),
        });
    }
    Ok(out)
}

/// Read the child's stderr from a thread, so that neither pipe fills while
/// the other is read; a few kilobytes of it are kept.
fn drain_stderr(child: &mut Child) -> std::thread::JoinHandle<Vec<u8>> {
    let pipe = child.stderr.take();
    std::thread::spawn(move || {
        let Some(mut pipe) = pipe else {
            return Vec::new();
        };
        let mut kept = crate::input::bytes::read_up_to(&mut pipe, 64 * 1024).unwrap_or_default();
        kept.truncate(64 * 1024);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        kept
    })
}

/// The blobs `objects` (`<rev>:<path>`) name, read with one `git cat-file
/// --batch`: `None` for one git does not have. Each blob's size is in the
/// header git prints before it, so one larger than `max` is refused (as a
/// `kind` of file, at its label) before a byte of it is read.
fn cat_file(objects: &[String], kind: FileKind, max: u64) -> Result<Vec<Option<Vec<u8>>>, Error> {
    let command = "git cat-file --batch".to_owned();
    let mut child = spawn(&["cat-file", "--batch"], true)?;
    let stderr = drain_stderr(&mut child);
    if let Some(mut pipe) = child.stdin.take() {
        // cat-file answers as it reads: write from a thread so neither
        // side waits on a full pipe.
        let input = objects
            .iter()
            .filter(|o| !o.contains('\n'))
            .fold(String::new(), |mut s, o| {
                let _ = writeln!(s, "{o}");
                s
            });
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let Some(stdout) = child.stdout.take() else {
        return Err(Error::Git {
            command,
            message: "no output".to_owned(),
        });
    };
    let mut stdout = BufReader::new(stdout);
    let mut out = Vec::new();
    let mut failure = None;
    for object in objects {
        // One object a line: a name holding a line break would be read as
        // two (and answer for another file); git has no such object.
        if object.contains('\n') {
            out.push(None);
            continue;
        }
        let bad = |what: &str| Error::Git {
            command: command.clone(),
            message: format!("{what} for `{object}`"),
        };
        let mut header = Vec::new();
        if (&mut stdout)
            .take(4096)
            .read_until(b'\n', &mut header)
            .map_err(|e| bad(&e.to_string()))?
            == 0
        {
            failure = Some(bad("no output"));
            break;
        }
        let header = String::from_utf8_lossy(&header).trim_end().to_owned();
        if header.ends_with(" missing") || header.ends_with(" ambiguous") {
            out.push(None);
            continue;
        }
        let Some(size) = header.split(' ').nth(2).and_then(|s| s.parse::<u64>().ok()) else {
            failure = Some(bad("unexpected output"));
            break;
        };
        if size > max {
            failure = Some(crate::input::bytes::too_large(
                Path::new(object),
                kind,
                Some(size),
                max,
            ));
            break;
        }
        let mut blob = Vec::new();
        (&mut stdout)
            .take(size + 1)
            .read_to_end(&mut blob)
            .map_err(|e| bad(&e.to_string()))?;
        if blob.pop() != Some(b'\n') || blob.len() as u64 != size {
            failure = Some(bad("unexpected output"));
            break;
        }
        out.push(Some(blob));
    }
    if let Some(failure) = failure {
        let _ = child.kill();
        let _ = child.wait();
        let stderr = stderr.join().unwrap_or_default();
        return Err(match String::from_utf8_lossy(&stderr).lines().next() {
            Some(line) if !matches!(failure, Error::TooLarge { .. }) => Error::Git {
                command,
                message: line.to_owned(),
            },
            _ => failure,
        });
    }
    drop(stdout);
    let _ = child.wait();
    Ok(out)
}

/// `git ls-tree` entries under `path` at `rev`: (type, path from the root).
fn ls_tree(rev: &str, path: &str) -> Result<Vec<(String, String)>, Error> {
    let out = git(&["ls-tree", "-z", "--full-name", rev, "--", path])?;
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
    if git(&["rev-parse", "--verify", "--quiet", &commit]).is_err() {
        // Tell a missing repository from a missing revision.
        git(&["rev-parse", "--show-toplevel"])?;
        return Err(Error::Git {
            command: format!("git rev-parse {rev}"),
            message: format!(
                "`{rev}` is not a commit here; fetch it (actions/checkout needs `fetch-depth: 0`) or name another revision"
            ),
        });
    }
    let mut names = Vec::new();
    for p in paths {
        let p = crate::escape::path(p);
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
    let objects: Vec<String> = names.iter().map(|n| format!("{rev}:{n}")).collect();
    let found = cat_file(&objects, FileKind::Spec, crate::spec::MAX_SPEC_BYTES)?;
    let mut blobs = Vec::new();
    for (object, bytes) in objects.into_iter().zip(found) {
        let Some(bytes) = bytes else {
            let message = if object.contains('\n') {
                // Refused, never skipped: a spec the gate cannot read must
                // not pass for one that did not change.
                format!(
                    "`{object}`: a file name holding a line break cannot be read at a revision (`git cat-file --batch` takes one name a line); rename the file"
                )
            } else {
                format!("unexpected output for `{object}`")
            };
            return Err(Error::Git {
                command: "git cat-file --batch".to_owned(),
                message,
            });
        };
        blobs.push(Blob {
            label: PathBuf::from(object),
            bytes,
        });
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
    let label = crate::escape::path(label);
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
    let found = cat_file(
        std::slice::from_ref(&object),
        FileKind::TaskDefinition,
        crate::task_definition::MAX_TASK_DEFINITION_BYTES,
    );
    match found {
        Ok(mut found) => {
            if let Some(bytes) = found.pop().flatten() {
                return Ok(bytes);
            }
        }
        // Too large: carried to the caller whole.
        Err(e @ Error::TooLarge { .. }) => return Err(std::io::Error::other(e)),
        Err(other) => return Err(std::io::Error::other(other.to_string())),
    }
    // Not there: git's own words say why (`exists on disk, but not in`).
    match git(&["cat-file", "blob", &object]) {
        Err(Error::Git { message, .. }) => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("not found at the revision ({message})"),
        )),
        Err(other) => Err(std::io::Error::other(other.to_string())),
        Ok(_) => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not found at the revision",
        )),
    }
}
