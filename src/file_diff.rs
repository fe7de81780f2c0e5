//! `diff`: what a spec renders today against previously generated files.

use similar::TextDiff;

use crate::render::Files;

/// How a folder of generated files differs from a fresh rendering.
#[derive(Debug, Default)]
pub struct Report {
    /// Files the rendering has and the folder lacks.
    pub missing: Vec<String>,
    /// Files the folder has and the rendering does not produce.
    pub extra: Vec<String>,
    /// Files present on both sides with other content: a unified diff each,
    /// from the folder (`a/`) to the rendering (`b/`).
    pub changed: Vec<(String, String)>,
}

impl Report {
    #[must_use]
    pub fn in_sync(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

/// Compare the files in a folder (`on_disk`) with a fresh rendering.
#[must_use]
pub fn compare(on_disk: &Files, rendered: &Files) -> Report {
    let mut report = Report::default();
    for (name, new) in rendered {
        match on_disk.get(name) {
            None => report.missing.push(name.clone()),
            Some(old) if old == new => {}
            Some(old) => {
                // A file's name is anyone's: a line feed or tab in it would
                // end the header line and forge the diff's own lines.
                let shown = crate::escape::terminal(name);
                let diff = TextDiff::from_lines(old.as_str(), new.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{shown}"), &format!("b/{shown}"))
                    .to_string();
                report.changed.push((name.clone(), diff));
            }
        }
    }
    report.extra = on_disk
        .keys()
        .filter(|k| !rendered.contains_key(*k))
        .cloned()
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_missing_extra_and_changed() {
        let disk: Files = [("a", "1\n"), ("b", "2\n"), ("x", "9\n")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let new: Files = [("a", "1\n"), ("b", "3\n"), ("c", "4\n")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let r = compare(&disk, &new);
        assert_eq!(r.missing, ["c"]);
        assert_eq!(r.extra, ["x"]);
        assert_eq!(r.changed.len(), 1);
        assert!(r.changed[0].1.contains("-2\n+3\n"), "{}", r.changed[0].1);
        assert!(!r.in_sync());
    }

    #[test]
    fn headers_escape_the_file_name() {
        let file = |text: &str| -> Files { [("x\n+++ b\ty".to_owned(), text.to_owned())].into() };
        let r = compare(&file("1\n"), &file("2\n"));
        assert!(
            r.changed[0]
                .1
                .starts_with("--- a/x\\n+++ b\\ty\n+++ b/x\\n+++ b\\ty\n@@"),
            "{}",
            r.changed[0].1
        );
    }
}
