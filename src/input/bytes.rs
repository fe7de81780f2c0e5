//! Files read through a byte cap, whatever their metadata says.
//!
//! A size from `metadata` is a claim, not a bound: `/dev/zero`,
//! `/dev/urandom` and a FIFO report 0 bytes and never end. Every reader
//! reads through [`Read::take`] with one byte more than its kind allows, so
//! at most `max + 1` bytes are ever held, and a longer file is refused with
//! [`Error::TooLarge`] at the file. The size in that message comes from the
//! metadata only when the file is a regular one.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::error::{Error, FileKind, Location};

/// At most `max + 1` bytes of `reader`: more than `max` means the source
/// is longer than allowed. The buffer grows by doubling but never past
/// `max + 1`, so a source that goes on costs that and no more.
///
/// # Errors
/// The reader fails.
pub fn read_up_to(reader: impl Read, max: u64) -> io::Result<Vec<u8>> {
    read_into(reader, max, Vec::new())
}

/// [`read_up_to`] into a buffer made for `expected` bytes (a hint, such as
/// the size a gzip trailer gives; never more than `max + 1` is set aside),
/// so that a source of that size is read in place, with no copy.
///
/// # Errors
/// The reader fails.
pub fn read_up_to_expecting(reader: impl Read, max: u64, expected: u64) -> io::Result<Vec<u8>> {
    // One byte more than expected: the read that finds the end needs room.
    let hint = expected.min(max).saturating_add(1);
    read_into(
        reader,
        max,
        Vec::with_capacity(usize::try_from(hint).unwrap_or(0)),
    )
}

/// How far past the bytes read the buffer is made ready for the reader:
/// room set aside but not reached stays untouched, so a hint that was
/// wrong (or a forged gzip trailer) costs address space, not memory.
const STEP: usize = 1024 * 1024;

/// The reader's bytes appended to `bytes`, read straight into its spare
/// room.
fn read_into(mut reader: impl Read, max: u64, mut bytes: Vec<u8>) -> io::Result<Vec<u8>> {
    let limit = usize::try_from(max.saturating_add(1)).unwrap_or(usize::MAX);
    let mut filled = bytes.len();
    while filled < limit {
        if filled == bytes.len() {
            if bytes.capacity() == filled {
                bytes.reserve_exact(filled.max(64 * 1024).min(limit - filled));
            }
            let ready = bytes.capacity().min(filled.saturating_add(STEP)).min(limit);
            bytes.resize(ready, 0);
        }
        match reader.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// The bytes of the file at `path`, at most `max` of them.
///
/// # Errors
/// [`Error::Read`] when the file cannot be opened or read,
/// [`Error::TooLarge`] (naming `kind`) when it holds more than `max` bytes.
pub fn read(path: &Path, kind: FileKind, max: u64) -> Result<Vec<u8>, Error> {
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    // Only a regular file's length is a size (a hint for the buffer, and
    // the size a message gives); a device or a pipe is said to go on.
    let size = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    let hint = size.map_or(0, |len| len.min(max).saturating_add(1));
    let buffer = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    let bytes = read_into(&file, max, buffer).map_err(read_err)?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, kind, size.filter(|&len| len > max), max));
    }
    Ok(bytes)
}

/// [`read`] for callers whose errors are I/O errors (the task definitions a
/// spec names, read from disk or from a git revision): a file too large
/// comes back as an I/O error carrying the [`Error::TooLarge`], which
/// [`into_error`] takes out again.
///
/// # Errors
/// As [`read`].
pub fn read_io(path: &Path, kind: FileKind, max: u64) -> io::Result<Vec<u8>> {
    read(path, kind, max).map_err(|e| match e {
        Error::Read { source, .. } => source,
        other => io::Error::other(other),
    })
}

/// The [`Error`] an I/O error from [`read_io`] carries, or the I/O error
/// itself when it carries none.
///
/// # Errors
/// The I/O error, when it is a plain one.
pub fn into_error(e: io::Error) -> Result<Error, io::Error> {
    type Inner = dyn std::error::Error + Send + Sync;
    if !e.get_ref().is_some_and(Inner::is::<Error>) {
        return Err(e);
    }
    let kind = e.kind();
    match e.into_inner().map(Inner::downcast::<Error>) {
        Some(Ok(error)) => Ok(*error),
        Some(Err(other)) => Err(io::Error::new(kind, other)),
        None => Err(io::Error::from(kind)),
    }
}

/// [`Error::TooLarge`] at the start of `path`.
#[must_use]
pub fn too_large(path: &Path, kind: FileKind, bytes: Option<u64>, max: u64) -> Error {
    Error::TooLarge {
        at: Location {
            file: path.to_owned(),
            line: 1,
            column: 1,
        },
        kind,
        bytes,
        max,
    }
}

/// Bytes as text: UTF-8, with a leading byte-order mark (as some Windows
/// editors and PowerShell's `Out-File` write) taken off, for every reader
/// alike.
///
/// # Errors
/// [`Error::NotUtf8`] at the first byte that is not UTF-8.
pub fn text(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    match String::from_utf8(bytes) {
        Ok(mut t) => {
            if t.starts_with('\u{feff}') {
                t.drain(..'\u{feff}'.len_utf8());
            }
            Ok(t)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let text = String::from_utf8_lossy(valid);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let line = text.matches('\n').count() + 1;
            let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(Error::NotUtf8 {
                at: Location {
                    file: path.to_owned(),
                    line,
                    column,
                },
            })
        }
    }
}

/// The text of the file at `path`: [`read`], then [`text`].
///
/// # Errors
/// As [`read`] and [`text`].
pub fn read_text(path: &Path, kind: FileKind, max: u64) -> Result<String, Error> {
    text(path, read(path, kind, max)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_most_one_byte_past_the_cap() {
        let endless = io::repeat(b'x');
        assert_eq!(read_up_to(endless, 10).unwrap().len(), 11);
        assert_eq!(read_up_to(&b"abc"[..], 10).unwrap(), b"abc");
    }

    #[test]
    #[cfg(unix)]
    fn refuses_a_device_that_never_ends() {
        let e = read(Path::new("/dev/zero"), FileKind::Dump, 1024).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero:1:1: the file goes on past 1024 bytes; a dump may be at most 1024 bytes"
        );
    }

    #[test]
    fn strips_a_byte_order_mark() {
        let t = text(Path::new("f"), b"\xef\xbb\xbfa: 1\n".to_vec()).unwrap();
        assert_eq!(t, "a: 1\n");
        let e = text(Path::new("f"), b"\xef\xbb\xbfa\n\xff".to_vec()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f:2:1: the file is not valid UTF-8; save it as UTF-8"
        );
    }

    #[test]
    fn carries_the_error_through_io() {
        let e = io::Error::other(too_large(
            Path::new("t.json"),
            FileKind::TaskDefinition,
            Some(9),
            8,
        ));
        let e = into_error(e).unwrap();
        assert!(matches!(e, Error::TooLarge { bytes: Some(9), .. }));
        let plain = io::Error::new(io::ErrorKind::NotFound, "gone");
        assert_eq!(
            into_error(plain).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }
}
