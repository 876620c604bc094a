//! The `crmsync` binary: a shim over the relay library's command line.

fn main() -> std::process::ExitCode {
    crmsync_relay::cli::main()
}
