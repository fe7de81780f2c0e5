//! Which files a spec may name: those inside the folder tree it belongs to.
//!
//! In a pull-request gate the spec is written by whoever opens the pull
//! request, and ecs-iam reads the task definitions it names on the runner.
//! A spec that could name `/etc/passwd`, `../../../home/runner/.ssh/config`
//! or a symbolic link to either would have ecs-iam read, and quote in its
//! messages, files outside the repository. So the paths a spec names must
//! stay inside its tree: the git work tree holding the spec when there is
//! one, else the spec's own folder; `--allow-outside-paths` lifts the rule.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Problem, TreeRoot};

/// Where the files a spec names may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reach {
    /// Inside the spec's tree.
    #[default]
    Tree,
    /// Anywhere the process can read (`--allow-outside-paths`).
    Anywhere,
}

/// The folder tree a spec belongs to, and how deep in it the spec's folder
/// is.
#[derive(Debug, Clone)]
pub struct SpecTree {
    /// The tree as messages name it.
    pub root: TreeRoot,
    /// The root on disk, canonical, for following symbolic links; `None` at
    /// a git revision, where `git cat-file` follows none.
    on_disk: Option<PathBuf>,
    /// Folders from the root down to the spec's folder.
    depth: usize,
}

impl SpecTree {
    /// The tree of a spec file on disk: the nearest folder above it holding
    /// a `.git` entry (a folder, or the file of a linked work tree or
    /// submodule), else the spec's folder. The spec's folder need not exist
    /// yet (`init --output new/folder/spec.yaml`).
    ///
    /// # Errors
    /// The current folder cannot be read.
    pub fn of_file(spec: &Path) -> Result<SpecTree, Error> {
        let dir = spec
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let absolute = std::path::absolute(dir).map_err(|source| Error::Read {
            path: dir.to_owned(),
            source,
        })?;
        // The deepest folder that exists, canonical, then the rest as named.
        let mut existing = absolute.clone();
        let mut missing: Vec<OsString> = Vec::new();
        let canonical = loop {
            if let Ok(c) = std::fs::canonicalize(&existing) {
                break c;
            }
            match existing.file_name() {
                Some(name) => missing.push(name.to_owned()),
                None => missing.push(OsString::from("..")),
            }
            if !existing.pop() {
                break PathBuf::from("/");
            }
        };
        let mut spec_dir = canonical.clone();
        for part in missing.iter().rev() {
            if part == ".." {
                spec_dir.pop();
            } else if part != "." {
                spec_dir.push(part);
            }
        }
        let work_tree = canonical
            .ancestors()
            .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok());
        let (root, on_disk) = match work_tree {
            Some(r) if spec_dir.starts_with(r) => (TreeRoot::WorkTree(r.to_owned()), r.to_owned()),
            _ => (TreeRoot::SpecFolder(spec_dir.clone()), spec_dir.clone()),
        };
        let depth = spec_dir
            .strip_prefix(&on_disk)
            .map_or(0, |rest| rest.components().count());
        Ok(SpecTree {
            root,
            on_disk: Some(on_disk),
            depth,
        })
    }

    /// The tree of a spec read at a git revision: the repository as it is
    /// there; `path` is the spec's path from the repository's root.
    #[must_use]
    pub fn at_revision(rev: &str, path: &str) -> SpecTree {
        let depth = Path::new(path)
            .parent()
            .map_or(0, |p| p.components().count());
        SpecTree {
            root: TreeRoot::Revision(rev.to_owned()),
            on_disk: None,
            depth,
        }
    }

    /// Whether the file an entry of `task_definitions` names (`file` or
    /// `file#LogicalId`), read relative to `base` (the spec's folder as
    /// named), stays inside the tree.
    ///
    /// # Errors
    /// The problem that takes it out: an absolute path, a `..` that climbs
    /// above the root, or a symbolic link that leads out.
    pub fn check(&self, reference: &str, base: &Path) -> Result<(), Problem> {
        let file = reference.rsplit_once('#').map_or(reference, |(f, _)| f);
        let named = Path::new(file);
        let value = file.to_owned();
        if named.has_root() || matches!(named.components().next(), Some(Component::Prefix(_))) {
            return Err(Problem::AbsolutePath {
                value,
                tree: self.root.clone(),
            });
        }
        let mut depth = self.depth;
        for c in named.components() {
            match c {
                Component::ParentDir => {
                    depth = depth.checked_sub(1).ok_or_else(|| Problem::PathClimbsOut {
                        value: value.clone(),
                        tree: self.root.clone(),
                    })?;
                }
                Component::Normal(_) => depth += 1,
                _ => {}
            }
        }
        let Some(root) = &self.on_disk else {
            return Ok(());
        };
        // The path `task_definition::load` reads: `..` applied to the text.
        let path = lexical(&base.join(file));
        // What does not exist yet cannot lead anywhere; the deepest part
        // that does is where the path goes.
        let Some(reached) = path.ancestors().find_map(|a| {
            let a = if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            };
            std::fs::canonicalize(a).ok()
        }) else {
            return Ok(());
        };
        if reached.starts_with(root) {
            return Ok(());
        }
        let mut prefixes: Vec<&Path> = path.ancestors().collect();
        prefixes.reverse();
        let link = prefixes
            .into_iter()
            .find_map(|p| {
                let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_symlink());
                let target = std::fs::canonicalize(p).ok()?;
                (is_link && !target.starts_with(root)).then(|| (p.to_owned(), target))
            })
            .unwrap_or_else(|| (path.clone(), reached));
        Err(Problem::LinkLeadsOut {
            value,
            tree: self.root.clone(),
            link: link.0,
            target: link.1,
        })
    }
}

/// A path with `.` dropped and `..` applied to the folder before it, as
/// far as the path names one.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn climbing_is_counted_from_the_spec_folder() {
        let tree = SpecTree::at_revision("main", "specs/api/spec.yaml");
        let base = Path::new("main:specs/api");
        assert!(tree.check("../../taskdefs/api.json", base).is_ok());
        assert!(tree.check("a/../../x.json#Task", base).is_ok());
        assert!(matches!(
            tree.check("../../../x.json", base),
            Err(Problem::PathClimbsOut { .. })
        ));
        assert!(matches!(
            tree.check("a/../../../../x.json", base),
            Err(Problem::PathClimbsOut { .. })
        ));
        assert!(matches!(
            tree.check("/etc/passwd", base),
            Err(Problem::AbsolutePath { .. })
        ));
        let at_root = SpecTree::at_revision("main", "spec.yaml");
        assert!(matches!(
            at_root.check("../x.json", Path::new("")),
            Err(Problem::PathClimbsOut { .. })
        ));
    }
}
