//! Standard output and standard error: the one writer of what ecs-iam
//! prints.
//!
//! Every command writes its output through [`Stdout`], and `run` flushes it
//! before it returns an exit code, so a failed write is an
//! [`Error::Stdout`]: never a panic (as `print!` does), never a report lost
//! behind exit 0. Standard error is written with its own errors ignored: it
//! is where failures are reported, so there is nowhere left to report one.

use std::fmt;
use std::io::{self, BufWriter, Write as _};

use crate::error::Error;

/// Standard output, locked and buffered for the whole run.
pub struct Stdout {
    out: BufWriter<io::StdoutLock<'static>>,
    /// Whether ANSI styles pass to stdout or are stripped: anstream's choice
    /// for the real stdout (a terminal, NO_COLOR, CLICOLOR_FORCE, TERM=dumb).
    colour: anstream::ColorChoice,
}

impl Stdout {
    /// Standard output, locked for the run.
    #[must_use]
    pub fn new() -> Self {
        let colour = anstream::AutoStream::choice(&io::stdout());
        if colour != anstream::ColorChoice::Never {
            // On Windows, building the stream turns the console's ANSI
            // support on, as anstream does for the streams it owns; the
            // styled text itself goes through the buffer below.
            let _ = anstream::AutoStream::new(io::stdout(), colour);
        }
        Stdout {
            out: BufWriter::new(io::stdout().lock()),
            colour,
        }
    }

    /// Writes `text` as it is.
    ///
    /// # Errors
    /// [`Error::Stdout`] when stdout cannot take it.
    pub fn write(&mut self, text: &str) -> Result<(), Error> {
        self.out.write_all(text.as_bytes()).map_err(stdout_error)
    }

    /// Writes `line` and a line break.
    ///
    /// # Errors
    /// [`Error::Stdout`] when stdout cannot take it.
    pub fn line(&mut self, line: impl fmt::Display) -> Result<(), Error> {
        writeln!(self.out, "{line}").map_err(stdout_error)
    }

    /// Writes `text`, its ANSI styles kept where stdout takes them and
    /// stripped elsewhere.
    ///
    /// # Errors
    /// [`Error::Stdout`] when stdout cannot take it.
    pub fn styled(&mut self, text: &str) -> Result<(), Error> {
        let raw: &mut dyn io::Write = &mut self.out;
        anstream::AutoStream::new(raw, self.colour)
            .write_all(text.as_bytes())
            .map_err(stdout_error)
    }

    /// Sends what is buffered to stdout: before exit, and before a message
    /// on stderr that must follow it.
    ///
    /// # Errors
    /// [`Error::Stdout`] when stdout cannot take it.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.out.flush().map_err(stdout_error)
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

/// For writers that take an [`io::Write`] (shell completions); their
/// `io::Error` becomes an [`Error::Stdout`] through [`stdout_error`].
impl io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A failed write to stdout.
#[must_use]
pub fn stdout_error(source: io::Error) -> Error {
    Error::Stdout { source }
}

/// Whether the error is stdout's reader having gone away (`ecs-iam … |
/// head`): the program ends quietly, as Unix tools do.
#[must_use]
pub fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Stdout { source } if source.kind() == io::ErrorKind::BrokenPipe)
}

/// Writes `text` to stderr; a failure is ignored (see the module's comment).
pub fn to_stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}
