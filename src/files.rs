//! Files on disk: reading a generated folder back, and writing outputs so
//! that a failure leaves every output folder as it was.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::render::{self, Files};

/// Every file under `dir`, by path relative to it (with `/`).
///
/// # Errors
/// A file or folder cannot be read.
pub fn read_tree(dir: &Path) -> Result<Files, Error> {
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out, true)?;
    Ok(out)
}

/// The names of every file under `dir` (contents left unread).
fn file_names(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out, false)?;
    Ok(out.into_keys().collect())
}

fn walk(dir: &Path, prefix: &str, out: &mut Files, contents: bool) -> Result<(), Error> {
    let read_err = |path: &Path, source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| read_err(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_err(dir, e))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().map_err(|e| read_err(&path, e))?;
        if kind.is_dir() {
            walk(&path, &format!("{name}/"), out, contents)?;
        } else if contents {
            let bytes = fs::read(&path).map_err(|e| read_err(&path, e))?;
            out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        } else {
            out.insert(name, String::new());
        }
    }
    Ok(())
}

/// Write each folder's files, replacing the folder as a whole. All new
/// folders are first written beside their targets (`.<name>.ecs-iam-new-<pid>`)
/// and made durable; only when every one is complete are they swapped in,
/// each in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`), so a
/// process killed at any point leaves each folder wholly old or wholly new.
/// On an error nothing already there changes.
///
/// # Errors
/// A target holds files ecs-iam does not write, is not a folder, or cannot
/// be written.
pub fn write_outputs(outputs: &[(PathBuf, &Files)]) -> Result<(), Error> {
    for (dir, _) in outputs {
        check_target(dir)?;
    }
    remove_stale_siblings(outputs.iter().map(|(d, _)| d.as_path()));
    // A folder that already holds exactly the new files is left alone (and
    // keeps its timestamps).
    let changed: Vec<&(PathBuf, &Files)> = crate::parallel::map(outputs, |(dir, files)| {
        !(dir.is_dir() && read_tree(dir).is_ok_and(|old| old == **files))
    })
    .into_iter()
    .zip(outputs)
    .filter_map(|(changed, o)| changed.then_some(o))
    .collect();
    let results = crate::parallel::map(&changed, |(dir, files)| {
        stage(dir, files).map(|tmp| (dir.clone(), tmp))
    });
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut failure = None;
    for r in results {
        match r {
            Ok(s) => staged.push(s),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        for (_, tmp) in &staged {
            let _ = fs::remove_dir_all(tmp);
        }
        return Err(e);
    }
    sync_parents(&staged);
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for (dir, tmp) in &staged {
        match swap(dir, tmp) {
            Ok(old) => swapped.push((dir.clone(), old)),
            Err(e) => {
                // Put back what was swapped so far.
                for (dir, old) in swapped.iter().rev() {
                    match old {
                        Some(old) => {
                            let _ = exchange(old, dir);
                        }
                        None => {
                            let _ = fs::remove_dir_all(dir);
                        }
                    }
                }
                for (_, tmp) in &staged {
                    let _ = fs::remove_dir_all(tmp);
                }
                for (_, old) in &swapped {
                    if let Some(old) = old {
                        let _ = fs::remove_dir_all(old);
                    }
                }
                return Err(e);
            }
        }
    }
    let old: Vec<PathBuf> = swapped.into_iter().filter_map(|(_, old)| old).collect();
    crate::parallel::map(&old, |old| fs::remove_dir_all(old));
    Ok(())
}

fn check_target(dir: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => {
            for name in file_names(dir)? {
                if !render::is_generated_name(&name) {
                    return Err(Error::ForeignFile {
                        dir: dir.to_owned(),
                        file: PathBuf::from(name),
                    });
                }
            }
            Ok(())
        }
        Ok(_) => Err(Error::BadPath {
            path: dir.to_owned(),
            problem: "exists and is not a folder; remove it or choose another --out".to_owned(),
        }),
    }
}

const TEMP_MARK: &str = ".ecs-iam-";

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}{TEMP_MARK}{tag}-{}", std::process::id()))
}

/// Remove what a killed earlier run left beside the targets: staging
/// folders named with a process id that no longer runs. Each parent folder
/// is listed once, however many targets it holds.
fn remove_stale_siblings<'a>(dirs: impl Iterator<Item = &'a Path>) {
    let mut by_parent: BTreeMap<PathBuf, std::collections::BTreeSet<String>> = BTreeMap::new();
    for dir in dirs {
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            continue;
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        by_parent
            .entry(parent.to_owned())
            .or_default()
            .insert(name.to_string_lossy().into_owned());
    }
    for (parent, names) in by_parent {
        let Ok(entries) = fs::read_dir(&parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some((target, rest)) = file_name
                .strip_prefix('.')
                .and_then(|n| n.split_once(TEMP_MARK))
            else {
                continue;
            };
            let pid = rest.rsplit('-').next().and_then(|p| p.parse::<i32>().ok());
            if names.contains(target)
                && let Some(pid) = pid
                && !process_alive(pid)
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn process_alive(pid: i32) -> bool {
    if pid == i32::try_from(std::process::id()).unwrap_or(-1) {
        return true;
    }
    // SAFETY: kill with signal 0 only checks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

fn stage(dir: &Path, files: &Files) -> Result<PathBuf, Error> {
    let tmp = sibling(dir, "new");
    let write_err = |path: &Path, source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let result = (|| {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
        }
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir(&tmp).map_err(|e| write_err(&tmp, e))?;
        let mut made = std::collections::BTreeSet::new();
        for (name, content) in files {
            let path = tmp.join(name);
            if let Some(parent) = path.parent()
                && made.insert(parent.to_owned())
            {
                fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
            }
            let mut f = fs::File::create(&path).map_err(|e| write_err(&dir.join(name), e))?;
            f.write_all(content.as_bytes())
                .map_err(|e| write_err(&dir.join(name), e))?;
        }
        Ok(tmp.clone())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Flush the staged files to disk before any is swapped in: one `syncfs`
/// per file system rather than one `fsync` per file.
fn sync_parents(staged: &[(PathBuf, PathBuf)]) {
    let mut done = std::collections::BTreeSet::new();
    for (_, tmp) in staged {
        if let Some(parent) = tmp.parent()
            && done.insert(parent.to_owned())
            && let Ok(f) = fs::File::open(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            })
        {
            use std::os::fd::AsRawFd as _;
            // SAFETY: syncfs on a valid open file descriptor.
            unsafe {
                libc::syncfs(f.as_raw_fd());
            }
        }
    }
}

/// Atomically exchange two existing paths.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Put `tmp` in place of `dir`; return where the previous `dir` now is, if
/// there was one (for the caller to remove).
fn swap(dir: &Path, tmp: &Path) -> Result<Option<PathBuf>, Error> {
    let write_err = |source| Error::Write {
        path: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        fs::rename(tmp, dir).map_err(write_err)?;
        return Ok(None);
    }
    match exchange(tmp, dir) {
        // `tmp` now holds the previous output.
        Ok(()) => Ok(Some(tmp.to_owned())),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {
            // A file system without RENAME_EXCHANGE: two renames, with a
            // short window in which `dir` is absent.
            let old = sibling(dir, "old");
            let _ = fs::remove_dir_all(&old);
            fs::rename(dir, &old).map_err(write_err)?;
            if let Err(e) = fs::rename(tmp, dir) {
                let _ = fs::rename(&old, dir);
                return Err(write_err(e));
            }
            Ok(Some(old))
        }
        Err(e) => Err(write_err(e)),
    }
}
