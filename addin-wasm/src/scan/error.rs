//! The scanner's one error type: everything wrong with a dictionary, each problem located.
//!
//! An admin editing a dictionary wants the whole list at once, not one problem per attempt, so
//! compiling collects every problem before failing. Each [`Problem`] says where it is (a path
//! such as `entries[3]`, with the entry's id when it has one) and what to do about it.

use std::fmt;

use serde::Serialize;

/// Why a dictionary cannot be compiled or a text cannot be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The dictionary has problems: every one found, in document order.
    Dictionary(Vec<Problem>),
    /// The text is longer than the scanner accepts.
    TextTooLong {
        /// The text's length in bytes (UTF-8).
        bytes: usize,
        /// The limit, [`MAX_TEXT_BYTES`](super::limits::MAX_TEXT_BYTES).
        limit: usize,
    },
}

/// One problem in a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `entries[3]`, `categories[0].threshold`, or empty for the whole document.
    pub path: String,
    /// The id of the entry or category, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    /// A problem with the document as a whole.
    pub(crate) fn document(message: impl Into<String>) -> Problem {
        Problem::at_path(String::new(), message)
    }

    /// A problem at a path (`entries[3].kind`) without an id.
    pub(crate) fn at_path(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            id: None,
            message: message.into(),
        }
    }

    /// A problem with the item `list[index]` whose id is `id`.
    pub(crate) fn item(list: &str, index: usize, id: &str, message: impl Into<String>) -> Problem {
        Problem {
            path: format!("{list}[{index}]"),
            id: (!id.is_empty()).then(|| id.to_owned()),
            message: message.into(),
        }
    }
}

impl Error {
    /// The dictionary's problems (none for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Dictionary(problems) => problems,
            Error::TextTooLong { .. } => &[],
        }
    }

    pub(crate) fn single(problem: Problem) -> Error {
        Error::Dictionary(vec![problem])
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path[..], &self.id) {
            ("", _) => write!(f, "{}", self.message),
            (path, None) => write!(f, "{path}: {}", self.message),
            (path, Some(id)) => write!(f, "{path} (id {id:?}): {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    /// One line for one problem; otherwise a count and one problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Dictionary(problems) => match &problems[..] {
                [one] => write!(f, "invalid dictionary: {one}"),
                many => {
                    write!(f, "invalid dictionary: {} problems", many.len())?;
                    for problem in many {
                        write!(f, "\n- {problem}")?;
                    }
                    Ok(())
                }
            },
            Error::TextTooLong { bytes, limit } => write!(
                f,
                "the text is {bytes} bytes long; the scanner reads at most {limit} bytes at a \
                 time, so scan it in parts"
            ),
        }
    }
}

impl std::error::Error for Error {}
