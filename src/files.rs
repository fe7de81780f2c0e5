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
    walk(dir, "", &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Files) -> Result<(), Error> {
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
            walk(&path, &format!("{name}/"), out)?;
        } else {
            let bytes = fs::read(&path).map_err(|e| read_err(&path, e))?;
            out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(())
}

/// Write each folder's files, replacing the folder as a whole. All new
/// folders are first written beside their targets; only when every one is
/// complete are they swapped in. On any error nothing already there
/// changes.
///
/// # Errors
/// A target holds files ecs-iam does not write, is not a folder, or cannot
/// be written.
pub fn write_outputs(outputs: &[(PathBuf, &Files)]) -> Result<(), Error> {
    for (dir, _) in outputs {
        check_target(dir)?;
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (dir, files) in outputs {
        match stage(dir, files) {
            Ok(tmp) => staged.push((dir.clone(), tmp)),
            Err(e) => {
                for (_, tmp) in &staged {
                    let _ = fs::remove_dir_all(tmp);
                }
                return Err(e);
            }
        }
    }
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for (dir, tmp) in &staged {
        match swap(dir, tmp) {
            Ok(old) => swapped.push((dir.clone(), old)),
            Err(e) => {
                // Put back what was swapped so far.
                for (dir, old) in swapped.iter().rev() {
                    let _ = fs::remove_dir_all(dir);
                    if let Some(old) = old {
                        let _ = fs::rename(old, dir);
                    }
                }
                for (_, tmp) in &staged {
                    let _ = fs::remove_dir_all(tmp);
                }
                return Err(e);
            }
        }
    }
    for (_, old) in swapped {
        if let Some(old) = old {
            let _ = fs::remove_dir_all(old);
        }
    }
    Ok(())
}

fn check_target(dir: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => {
            for name in read_tree(dir)?.keys() {
                if !render::is_generated_name(name) {
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

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.ecs-iam-{tag}-{}", std::process::id()))
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
        for (name, content) in files {
            let path = tmp.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
            }
            let mut f = fs::File::create(&path).map_err(|e| write_err(&dir.join(name), e))?;
            f.write_all(content.as_bytes())
                .map_err(|e| write_err(&dir.join(name), e))?;
            f.sync_all().map_err(|e| write_err(&dir.join(name), e))?;
        }
        Ok(tmp.clone())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Move `tmp` to `dir`; return where the previous `dir` was moved, if any.
fn swap(dir: &Path, tmp: &Path) -> Result<Option<PathBuf>, Error> {
    let write_err = |source| Error::Write {
        path: dir.to_owned(),
        source,
    };
    let old = if dir.exists() {
        let old = sibling(dir, "old");
        let _ = fs::remove_dir_all(&old);
        fs::rename(dir, &old).map_err(write_err)?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = fs::rename(tmp, dir) {
        if let Some(old) = &old {
            let _ = fs::rename(old, dir);
        }
        return Err(write_err(e));
    }
    Ok(old)
}
