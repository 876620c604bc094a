//! A value the browser UIs (admin console, widget) fetch from the relay.

/// `Loading` until the answer arrives, then the value or the message to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load<T> {
    Loading,
    Loaded(Result<T, String>),
}

impl<T> Load<T> {
    /// The value, once loaded successfully.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Loaded(Ok(value)) => Some(value),
            _ => None,
        }
    }
}
