//! Files on disk: reading a generated folder back, and writing outputs so
//! that a failure leaves every output folder as it was.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, FileKind};

/// The generated files of one workload: path relative to its folder (with
/// `/`), and content.
pub type Files = BTreeMap<String, String>;

/// The files a workload folder holds: what `render` writes, and nothing
/// else (a test in `render` holds the two lists equal), besides
/// [`CDK_INPUTS_FILE`] when the spec declares inputs and one
/// `cross-account/<role>-<service>-<account>-<name>.json` per resource in
/// another account.
pub const LAYOUT: &[&str] = &[
    "cdk/execution-role.json",
    "cdk/nag-acknowledgements.json",
    "cdk/task-role.json",
    TEMPLATE_FILE,
    "terraform/README.md",
    "terraform/main.tf",
    "terraform/outputs.tf",
    "terraform/variables.tf",
    "terraform/versions.tf",
];

/// What `terraform init` writes in the module folder, where users run
/// Terraform: the providers and modules it downloads (`.terraform/`) and
/// the dependency lock file, which teams commit. Not ecs-iam's: never read,
/// never refused, and kept as they are when `render` replaces the folder.
pub const TERRAFORM_INIT: [&str; 2] = ["terraform/.terraform", "terraform/.terraform.lock.hcl"];

/// Whether `name` (relative to a workload folder) is, or is inside, one of
/// [`TERRAFORM_INIT`].
#[must_use]
pub fn is_terraform_init(name: &str) -> bool {
    TERRAFORM_INIT
        .iter()
        .any(|k| name == *k || name.strip_prefix(k).is_some_and(|r| r.starts_with('/')))
}

/// The file a workload folder holds when its spec declares inputs.
pub const CDK_INPUTS_FILE: &str = "cdk/inputs.json";

/// The files a workload folder holds when a role's statements are split
/// (`policy_layout: split`): the policies created beside each role.
pub const CDK_POLICIES_FILES: [&str; 2] = [
    "cdk/task-role-policies.json",
    "cdk/execution-role-policies.json",
];

/// The file every workload folder holds, and the one `diff` reads back.
pub const TEMPLATE_FILE: &str = "cloudformation.yaml";

/// Whether `name` (relative to a workload folder) is a file ecs-iam writes.
#[must_use]
pub fn is_generated_name(name: &str) -> bool {
    LAYOUT.contains(&name)
        || name == CDK_INPUTS_FILE
        || CDK_POLICIES_FILES.contains(&name)
        || name
            .strip_prefix("cross-account/")
            // ecs-iam writes these names itself, in lowercase.
            .is_some_and(|f| {
                std::path::Path::new(f)
                    .extension()
                    .is_some_and(|e| e == "json")
                    && !f.contains('/')
            })
}

/// Every file under `dir`, by path relative to it (with `/`), but what
/// `terraform init` wrote ([`TERRAFORM_INIT`]).
///
/// # Errors
/// A file or folder cannot be read.
pub fn read_tree(dir: &Path) -> Result<Files, Error> {
    read_files(dir, FileKind::Generated)
}

/// The most a file `diff` reads back, or a `--templates` override, may
/// hold; what ecs-iam writes for one workload is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

fn read_files(dir: &Path, kind: FileKind) -> Result<Files, Error> {
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out, Some(kind))?;
    Ok(out)
}

/// The names of every file under `dir` (contents left unread).
fn file_names(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out, None)?;
    Ok(out.into_keys().collect())
}

/// With `contents`, each file is read through the cap for that kind.
fn walk(
    dir: &Path,
    prefix: &str,
    out: &mut Files,
    contents: Option<FileKind>,
) -> Result<(), Error> {
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
        if is_terraform_init(&name) {
            continue;
        }
        let kind = entry.file_type().map_err(|e| read_err(&path, e))?;
        if kind.is_dir() {
            walk(&path, &format!("{name}/"), out, contents)?;
        } else if let Some(kind) = contents {
            let bytes = crate::input::bytes::read(&path, kind, MAX_FILE_BYTES)?;
            out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        } else {
            out.insert(name, String::new());
        }
    }
    Ok(())
}

/// Write each folder's files, replacing the folder as a whole but for
/// what `terraform init` wrote there ([`TERRAFORM_INIT`]), which the new
/// folder holds as it was (hard links, or copies where the file system has
/// none; symbolic links as links). All new
/// folders are first written beside their targets (`.<name>.ecs-iam-new-<pid>`)
/// and made durable; only when every one is complete are they swapped in,
/// each in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`, macOS
/// `renamex_np(RENAME_SWAP)`), so a process killed at any point leaves each
/// folder wholly old or wholly new; elsewhere two renames, after which the
/// next run puts back a folder a kill left set aside. The parent folders are
/// flushed after the swap, so that the renames themselves survive a power
/// cut. On an error nothing already there changes.
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
    sync_folders(staged.iter().filter_map(|(dir, _)| dir.parent()));
    let old: Vec<PathBuf> = swapped.into_iter().filter_map(|(_, old)| old).collect();
    crate::parallel::map(&old, |old| fs::remove_dir_all(old));
    Ok(())
}

/// The `.tera` files of a `--templates` folder, by name.
///
/// # Errors
/// `dir` is not a folder or cannot be read.
pub fn read_templates(dir: &Path) -> Result<Files, Error> {
    if !dir.is_dir() {
        return Err(Error::NotAFolder {
            path: dir.to_owned(),
            what: "is not a folder of templates",
        });
    }
    let mut found = read_files(dir, FileKind::Template)?;
    found.retain(|name, _| Path::new(name).extension().is_some_and(|e| e == "tera"));
    Ok(found)
}

/// Write a new file; an existing one is never overwritten.
///
/// # Errors
/// The file exists, or cannot be written.
pub fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    let write_err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                Error::WouldOverwrite {
                    path: path.to_owned(),
                }
            } else {
                write_err(source)
            }
        })?;
    file.write_all(text.as_bytes()).map_err(write_err)
}

fn check_target(dir: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => {
            for name in file_names(dir)? {
                if !is_generated_name(&name) {
                    return Err(Error::ForeignFile {
                        dir: dir.to_owned(),
                        file: PathBuf::from(name),
                    });
                }
            }
            Ok(())
        }
        Ok(_) => Err(Error::NotAFolder {
            path: dir.to_owned(),
            what: "exists and is not a folder; remove it or choose another --out",
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

/// Clear what a killed earlier run left beside the targets, named with a
/// process id that no longer runs: staging folders are removed, and a
/// previous output set aside between two renames (`-old-`) goes back in
/// place when the target is missing. Each parent folder is listed once,
/// however many targets it holds.
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
                let target = parent.join(target);
                if rest.starts_with("old-") && !target.exists() {
                    let _ = fs::rename(entry.path(), &target);
                } else {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
    }
}

fn process_alive(pid: i32) -> bool {
    if pid == i32::try_from(std::process::id()).unwrap_or(-1) {
        return true;
    }
    platform::process_alive(pid)
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
        // What `terraform init` wrote goes into the new folder as it is,
        // before the swap, so that no moment leaves the folder without it.
        for kept in TERRAFORM_INIT {
            let from = dir.join(kept);
            if fs::symlink_metadata(&from).is_ok() {
                let to = tmp.join(kept);
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
                }
                carry(&from, &to).map_err(|e| write_err(&from, e))?;
            }
        }
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
            if !platform::SYNCS_FILE_SYSTEM {
                f.sync_all().map_err(|e| write_err(&dir.join(name), e))?;
            }
        }
        Ok(tmp.clone())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// `from` (a file, a folder or a symbolic link) at `to`: files hard-linked
/// (copied where they cannot be), folders made with their permissions and
/// their entries carried, symbolic links made again with the same target.
fn carry(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        return platform::symlink(&fs::read_link(from)?, to, from);
    }
    if meta.is_dir() {
        fs::create_dir(to)?;
        let mut entries: Vec<_> = fs::read_dir(from)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            carry(&entry.path(), &to.join(entry.file_name()))?;
        }
        return fs::set_permissions(to, meta.permissions());
    }
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ()))
}

/// Flush the staged files to disk before any is swapped in: one `syncfs`
/// per file system rather than one `fsync` per file where the platform has
/// it (elsewhere `stage` flushed each file), then the staged folders.
fn sync_parents(staged: &[(PathBuf, PathBuf)]) {
    if platform::SYNCS_FILE_SYSTEM {
        let mut done = std::collections::BTreeSet::new();
        for (_, tmp) in staged {
            if let Some(parent) = tmp.parent()
                && done.insert(parent.to_owned())
            {
                platform::sync_file_system(non_empty(parent));
            }
        }
    } else {
        for (_, tmp) in staged {
            if let Ok(names) = file_names(tmp) {
                let folders: std::collections::BTreeSet<PathBuf> = names
                    .iter()
                    .filter_map(|n| tmp.join(n).parent().map(Path::to_owned))
                    .collect();
                sync_folders(folders.iter().map(PathBuf::as_path));
            }
        }
    }
}

/// `fsync` each folder once: a rename or a new entry is durable only when
/// its folder is.
fn sync_folders<'a>(folders: impl Iterator<Item = &'a Path>) {
    let mut done = std::collections::BTreeSet::new();
    for folder in folders {
        let folder = non_empty(folder);
        if done.insert(folder.to_owned()) {
            platform::sync_folder(folder);
        }
    }
}

fn non_empty(p: &Path) -> &Path {
    if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    }
}

/// Atomically exchange two existing paths.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    if std::env::var_os(TWO_RENAMES).is_some_and(|v| v == "1") {
        return Err(std::io::ErrorKind::Unsupported.into());
    }
    platform::exchange(a, b)
}

/// Set to `1`, swaps use two renames even where the platform can exchange
/// two folders atomically: the tests run the portable path on Linux.
pub const TWO_RENAMES: &str = "ECS_IAM_TWO_RENAMES";

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
        Err(e) if platform::cannot_exchange(&e) => {
            // A platform or file system without an atomic exchange: two
            // renames, with a short window in which `dir` is absent (the
            // next run puts `old` back if killed in it).
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

/// The calls that differ between platforms, through rustix where Unix has
/// them (no `unsafe` here).
#[cfg(unix)]
mod platform {
    use std::path::Path;

    /// Linux flushes a whole file system with one `syncfs`.
    pub const SYNCS_FILE_SYSTEM: bool = cfg!(any(target_os = "linux", target_os = "android"));

    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(Into::into)
    }

    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    pub fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    /// The file system or kernel has no exchange: fall back to two renames.
    pub fn cannot_exchange(e: &std::io::Error) -> bool {
        use rustix::io::Errno;
        e.kind() == std::io::ErrorKind::Unsupported
            || [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP]
                .iter()
                .any(|n| e.raw_os_error() == Some(n.raw_os_error()))
    }

    pub fn sync_file_system(dir: &Path) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Ok(f) = std::fs::File::open(dir) {
            let _ = rustix::fs::syncfs(&f);
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = dir;
    }

    pub fn sync_folder(dir: &Path) {
        if let Ok(f) = std::fs::File::open(dir) {
            let _ = f.sync_all();
        }
    }

    /// A symbolic link at `link` to `target` (`_original` is the link it
    /// copies).
    pub fn symlink(target: &Path, link: &Path, _original: &Path) -> std::io::Result<()> {
        std::os::unix::fs::symlink(target, link)
    }

    /// Signal 0 tests whether a process exists without touching it.
    pub fn process_alive(pid: i32) -> bool {
        match rustix::process::Pid::from_raw(pid) {
            None => false,
            Some(pid) => !matches!(
                rustix::process::test_kill_process(pid),
                Err(rustix::io::Errno::SRCH)
            ),
        }
    }
}

/// Windows: no atomic exchange of folders; files are flushed one by one and
/// folders cannot be opened to flush them.
#[cfg(not(unix))]
mod platform {
    use std::path::Path;

    pub const SYNCS_FILE_SYSTEM: bool = false;

    pub fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    pub fn cannot_exchange(e: &std::io::Error) -> bool {
        e.kind() == std::io::ErrorKind::Unsupported
    }

    pub fn sync_file_system(_: &Path) {}

    pub fn sync_folder(_: &Path) {}

    /// A symbolic link at `link` to `target`, of the kind of `original`
    /// (Windows links to folders and to files differ).
    #[cfg(windows)]
    pub fn symlink(target: &Path, link: &Path, original: &Path) -> std::io::Result<()> {
        if std::fs::metadata(original).is_ok_and(|m| m.is_dir()) {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        }
    }

    #[cfg(not(windows))]
    pub fn symlink(_: &Path, _: &Path, _: &Path) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    /// Whether process `pid` runs, as Windows answers for its handle:
    /// `OpenProcess` refuses an id no process has
    /// (`ERROR_INVALID_PARAMETER`), and `GetExitCodeProcess` gives
    /// `STILL_ACTIVE` until the process has ended. Any other answer (access
    /// denied, a failed query) counts as running, and so does a process id
    /// Windows has given to another process since: the folder is left for a
    /// later run, never removed from under a writer.
    #[cfg(windows)]
    #[allow(unsafe_code)]
    pub fn process_alive(pid: i32) -> bool {
        use windows_sys::Win32::Foundation::{
            CloseHandle, ERROR_INVALID_PARAMETER, GetLastError, STILL_ACTIVE,
        };
        use windows_sys::Win32::System::Threading::{
            GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        };
        let Ok(pid) = u32::try_from(pid) else {
            return false;
        };
        // SAFETY: OpenProcess takes plain values and returns a handle or
        // null; GetLastError reads this thread's last error.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if handle.is_null() {
            return unsafe { GetLastError() } != ERROR_INVALID_PARAMETER;
        }
        let mut code = 0u32;
        // SAFETY: `handle` is an open process handle, closed once here, and
        // `code` outlives the call that writes it.
        let asked = unsafe { GetExitCodeProcess(handle, &raw mut code) };
        unsafe { CloseHandle(handle) };
        asked == 0 || code == STILL_ACTIVE.cast_unsigned()
    }

    /// Without a way to ask, a staging folder is taken to belong to a
    /// running process: it is left, never removed from under a writer.
    #[cfg(not(windows))]
    pub fn process_alive(_: i32) -> bool {
        true
    }
}

/// `target` as a path relative to the folder `from` (both relative to the
/// current folder, or absolute), by their components: `a/t.json` from
/// `b` is `../a/t.json`.
///
/// # Errors
/// The current folder cannot be read.
pub fn relative_path(target: &Path, from: &Path) -> Result<PathBuf, Error> {
    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    let t = lexical(&cwd.join(target));
    let f = lexical(&cwd.join(from));
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for part in &t[common..] {
        out.push(part);
    }
    Ok(out)
}

/// A path's components with `.` dropped and `..` applied.
fn lexical(path: &Path) -> Vec<std::ffi::OsString> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str().to_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_set_aside_by_a_killed_run_goes_back() {
        let parent = std::env::temp_dir().join(format!("ecs-iam-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&parent);
        // Killed between the two renames: the target is gone and its
        // previous content sits in the `-old-` folder of a dead process.
        let aside = parent.join(format!(".w{TEMP_MARK}old-{}", i32::MAX));
        fs::create_dir_all(&aside).unwrap();
        fs::write(aside.join("cloudformation.yaml"), "old\n").unwrap();
        let staged = parent.join(format!(".w{TEMP_MARK}new-{}", i32::MAX));
        fs::create_dir_all(&staged).unwrap();
        remove_stale_siblings([parent.join("w")].iter().map(PathBuf::as_path));
        assert_eq!(
            fs::read_to_string(parent.join("w/cloudformation.yaml")).unwrap(),
            "old\n"
        );
        assert!(!aside.exists() && !staged.exists());
        let _ = fs::remove_dir_all(&parent);
    }
}
