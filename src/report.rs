//! How `diff` reports: plain text (for a terminal), Markdown (for a pull
//! request comment) and JSON (for machines; its shape is versioned).

use std::fmt::Write as _;

use serde::Serialize;

use crate::escape::terminal;
use crate::file_diff;
use crate::grant_diff::{Class, RoleChanges, Summary};

/// Everything `diff` found.
#[derive(Debug, Serialize)]
pub struct DiffReport {
    /// JSON schema version of this report.
    pub version: u32,
    /// What was compared: the previous output and the new rendering.
    pub old: String,
    pub new: String,
    pub summary: FullSummary,
    pub files: Files,
    pub roles: Vec<RoleChanges>,
    /// Whether `new` is a spec (rendered in memory) rather than a folder.
    pub new_is_spec: bool,
    /// Whether `old` is a spec rendered in memory (a git revision's) too:
    /// then files are named by their path in the rendering.
    #[serde(skip)]
    pub old_is_spec: bool,
    /// What to do about a difference, appended to the summary line.
    #[serde(skip)]
    pub hint: Option<String>,
}

/// Counts of IAM changes and file differences.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FullSummary {
    #[serde(flatten)]
    pub iam: Summary,
    pub files_changed: usize,
    pub files_missing: usize,
    pub files_extra: usize,
}

impl FullSummary {
    /// Add another comparison's counts (a review's totals).
    pub fn add(&mut self, other: &FullSummary) {
        self.iam.broadening += other.iam.broadening;
        self.iam.narrowing += other.iam.narrowing;
        self.iam.neutral += other.iam.neutral;
        self.files_changed += other.files_changed;
        self.files_missing += other.files_missing;
        self.files_extra += other.files_extra;
    }
}

/// File-level differences: `changed` lists files whose content differs
/// (edited by hand, or the spec changed), `missing` files only the new side
/// has, `extra` files only the old side has.
#[derive(Debug, Serialize)]
pub struct Files {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    #[serde(skip)]
    pub diffs: Vec<String>,
}

impl DiffReport {
    #[must_use]
    pub fn new(
        old: String,
        new: String,
        files: &file_diff::Report,
        roles: Vec<RoleChanges>,
    ) -> Self {
        let iam = crate::grant_diff::summarize(&roles);
        DiffReport {
            version: 1,
            old,
            new,
            summary: FullSummary {
                iam,
                files_changed: files.changed.len(),
                files_missing: files.missing.len(),
                files_extra: files.extra.len(),
            },
            files: Files {
                changed: files.changed.iter().map(|(n, _)| n.clone()).collect(),
                missing: files.missing.clone(),
                extra: files.extra.clone(),
                diffs: files.changed.iter().map(|(_, d)| d.clone()).collect(),
            },
            roles,
            new_is_spec: false,
            old_is_spec: false,
            hint: None,
        }
    }

    /// Nothing differs at all.
    #[must_use]
    pub fn in_sync(&self) -> bool {
        let s = &self.summary;
        s.files_changed + s.files_missing + s.files_extra == 0
            && s.iam.broadening + s.iam.narrowing + s.iam.neutral == 0
    }

    fn iam_line(&self) -> String {
        iam_line(&self.summary.iam)
    }

    /// The text report; `color` adds ANSI styles to the classes (the
    /// command line prints through `anstream`, which drops them where the
    /// terminal or `NO_COLOR` says so).
    #[must_use]
    pub fn text(&self, color: bool) -> String {
        let mut out = self.body_text(color, true);
        let _ = writeln!(out, "{}", self.summary_line());
        out
    }

    /// The report without its summary line; `with_files` adds the file
    /// differences (a review leaves them out for a new or removed workload,
    /// where every file differs).
    #[must_use]
    pub fn body_text(&self, color: bool, with_files: bool) -> String {
        let mut out = String::new();
        if with_files {
            self.files_text(&mut out);
        }
        for role in &self.roles {
            if role.changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{} role `{}`:", role.role, terminal(&role.name));
            for c in &role.changes {
                let class = c.class.as_str();
                let painted = if color {
                    use anstyle::{AnsiColor, Style};
                    let style = match c.class {
                        Class::Broadening => {
                            Style::new().bold().fg_color(Some(AnsiColor::Red.into()))
                        }
                        Class::Narrowing => Style::new().fg_color(Some(AnsiColor::Green.into())),
                        Class::Neutral => Style::new().dimmed(),
                    };
                    format!("{style}{class:<10}{style:#}")
                } else {
                    format!("{class:<10}")
                };
                let _ = writeln!(
                    out,
                    "  {} {painted}  {}",
                    c.sign.symbol(),
                    terminal(&c.item.to_string())
                );
            }
        }
        out
    }

    fn files_text(&self, out: &mut String) {
        // A file's lines are the file's text, which may have been edited
        // by anyone.
        for d in &self.files.diffs {
            out.push_str(&crate::escape::terminal_lines(d));
        }
        let (only_new, only_old) = if self.new_is_spec {
            (
                "the spec renders it".to_owned(),
                "the spec does not render it".to_owned(),
            )
        } else {
            (
                format!("only in {}", terminal(&self.new)),
                format!("not in {}", terminal(&self.new)),
            )
        };
        let old = if self.old_is_spec {
            String::new()
        } else {
            format!("{}/", terminal(&self.old))
        };
        for name in &self.files.missing {
            let _ = writeln!(out, "missing: {old}{} ({only_new})", terminal(name));
        }
        for name in &self.files.extra {
            let _ = writeln!(out, "extra: {old}{} ({only_old})", terminal(name));
        }
        let why = if self.old_is_spec {
            "the rendering changed"
        } else {
            "edited by hand, or the spec changed"
        };
        for name in &self.files.changed {
            let _ = writeln!(out, "changed: {old}{} ({why})", terminal(name));
        }
    }

    /// One line: files and IAM changes in numbers.
    #[must_use]
    pub fn summary_line(&self) -> String {
        let new = if self.new_is_spec {
            format!("the spec `{}`", terminal(&self.new))
        } else {
            format!("`{}`", terminal(&self.new))
        };
        let old = terminal(&self.old);
        if self.in_sync() {
            return format!("`{old}` is in sync with {new}");
        }
        let s = &self.summary;
        let mut line = format!(
            "`{old}` differs from {new}: {} changed, {} missing, {} extra files; IAM: {}",
            s.files_changed,
            s.files_missing,
            s.files_extra,
            self.iam_line()
        );
        if let Some(hint) = &self.hint {
            line.push_str("; ");
            line.push_str(hint);
        }
        line
    }

    /// A pull-request comment: a summary line, then a table per role.
    #[must_use]
    pub fn markdown(&self) -> String {
        let headline = headline(&self.summary.iam);
        format!(
            "### ecs-iam: {headline}\n\n{}",
            self.markdown_sections("####", true)
        )
    }

    /// A table per role under `heading`s (`####`), then the files that
    /// differ when `with_files`.
    #[must_use]
    pub fn markdown_sections(&self, heading: &str, with_files: bool) -> String {
        let mut out = String::new();
        for role in &self.roles {
            let _ = writeln!(
                out,
                "{heading} {} role <code>{}</code>\n",
                role.role,
                html(&role.name)
            );
            if role.changes.is_empty() {
                let _ = writeln!(out, "No IAM change.\n");
                continue;
            }
            let _ = writeln!(out, "| | class | change |\n|---|---|---|");
            for c in &role.changes {
                let class = match c.class {
                    Class::Broadening => "⚠️ **broadening**",
                    Class::Narrowing => "narrowing",
                    Class::Neutral => "neutral",
                };
                let sign = match c.sign.symbol() {
                    "-" => "−",
                    other => other,
                };
                let _ = writeln!(
                    out,
                    "| {sign} | {class} | <code>{}</code> |",
                    html(&c.item.to_string())
                );
            }
            out.push('\n');
        }
        let f = &self.files;
        if with_files && !(f.changed.is_empty() && f.missing.is_empty() && f.extra.is_empty()) {
            if self.old_is_spec {
                let _ = writeln!(out, "Files that render differently:\n");
            } else {
                let _ = writeln!(out, "Files of <code>{}</code>:\n", html(&self.old));
            }
            for (what, names) in [
                ("changed", &f.changed),
                ("missing", &f.missing),
                ("extra", &f.extra),
            ] {
                for n in names {
                    let _ = writeln!(out, "- {what}: <code>{}</code>", html(n));
                }
            }
            out.push('\n');
        }
        out
    }

    /// The JSON report (schema version 1, documented in docs/reviewing-changes.md).
    #[must_use]
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// `1 broadening, 0 narrowing, 2 neutral`.
pub(crate) fn iam_line(s: &Summary) -> String {
    format!(
        "{} broadening, {} narrowing, {} neutral",
        s.broadening, s.narrowing, s.neutral
    )
}

/// The verdict a pull-request comment opens with.
pub(crate) fn headline(s: &Summary) -> String {
    if s.broadening > 0 {
        format!("⚠️ **Access grows**: {}", iam_line(s))
    } else if s.narrowing + s.neutral > 0 {
        format!("✅ **No access grows**: {}", iam_line(s))
    } else {
        "✅ **No IAM change**".to_owned()
    }
}

/// Text safe inside an HTML `<code>` in a Markdown table cell
/// ([`crate::escape::markdown_html_code`]).
pub(crate) fn html(s: &str) -> String {
    crate::escape::markdown_html_code(s)
}
