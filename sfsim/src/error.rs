//! sfsim's own failures (start-up and storage), as opposed to the Salesforce errors it
//! serves on purpose, which live with the handlers.

/// Why the simulator could not start or persist its org.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listener's address could not be read.
    #[error("cannot read the listening address: {0}")]
    Listen(std::io::Error),
    /// The data folder could not be created; check the `--data` path and permissions.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    /// The org's SQLite file failed; the message names the operation.
    #[error("sfsim store: {context}: {source}")]
    Store { context: &'static str, source: sqlx::Error },
    /// The JWT certificate given at start-up cannot be read.
    #[error("the connected app certificate is unusable: {0}")]
    Certificate(String),
    /// The HTTP server stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}
