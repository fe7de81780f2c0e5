//! A progress line on stderr for long work (many specs rendered, a dump of
//! hundreds of megabytes read), shown only when stderr is a terminal, and
//! ended with a line break before anything else is printed.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `\r{what} {done}/{total} {unit}`, redrawn about a hundred times.
pub struct Progress {
    what: String,
    unit: &'static str,
    total: usize,
    every: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    /// A line for `total` items, shown when `long` (the caller's idea of a
    /// wait worth showing) and stderr is a terminal. `what` may name a
    /// file (`reading PATH:`): it is escaped for the terminal.
    #[must_use]
    pub fn new(what: &str, unit: &'static str, total: usize, long: bool) -> Self {
        Progress {
            what: crate::escape::terminal(what),
            unit,
            total,
            every: (total / 100).max(1),
            done: AtomicUsize::new(0),
            shown: long && std::io::stderr().is_terminal(),
        }
    }

    /// One item done.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown && (done.is_multiple_of(self.every) || done == self.total) {
            crate::output::to_stderr(&format!(
                "\r{} {done}/{} {}",
                self.what, self.total, self.unit
            ));
        }
    }

    /// The line ended.
    pub fn finish(&self) {
        if self.shown {
            crate::output::to_stderr("\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_escaped() {
        let p = Progress::new("reading a\n\u{1b}[2Kb\u{202e}:", "roles", 1, false);
        assert_eq!(p.what, "reading a\\n\\u{1b}[2Kb\\u{202e}:");
    }
}
