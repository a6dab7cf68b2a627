//! Errors that say what went wrong and where.

use std::fmt;

/// Where an error points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A position in a values file.
    File { path: String, line: usize, col: usize },
    /// A `--set`/`--set-string` argument.
    Arg(String),
    /// A position in the manifest stream (line counted from the start of the stream).
    Document { index: usize, source: Option<String>, line: usize, col: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub location: Option<Location>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into(), location: None }
    }

    /// A file that cannot be read, said the same way by every command:
    /// `PATH: no such file or directory`.
    pub fn unreadable(shown: &str, e: &std::io::Error) -> Self {
        Error::new(format!("{shown}: {}", io_reason(e)))
    }

    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Error { message: message.into(), location: Some(location) }
    }
}

/// Why a file cannot be read, in words (no "(os error 2)").
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a directory".into(),
        ErrorKind::InvalidData => "not UTF-8 text".into(),
        _ => {
            let text = e.to_string();
            text.split(" (os error").next().unwrap_or(&text).to_lowercase()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path, line, col } => write!(f, "{path}:{line}:{col}"),
            Location::Arg(arg) => write!(f, "argument `{arg}`"),
            Location::Document { index, source, line, col } => {
                write!(f, "<stdin>:{line}:{col}: document {index}")?;
                match source {
                    Some(s) => write!(f, " ({s})"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
