//! `sfsim --listen ADDR --data DIR [--seed-org ROWS] [--seed N] [--jwt-cert PEM] [--my-domain NAME]`: a local Salesforce for tests and the demo.

use std::path::PathBuf;

use clap::Parser;

/// A local Salesforce API simulator with a seeded demo org.
#[derive(Parser)]
#[command(name = "sfsim", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8788")]
    listen: String,
    /// Folder holding the org's SQLite file; the org survives restarts.
    #[arg(long, default_value = "data/sfsim")]
    data: PathBuf,
    /// Seed of the deterministic demo-org generator (used only when the org is new).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// CRM rows (accounts, contacts, leads, opportunities, roles) to generate for a new org.
    #[arg(long, default_value_t = 1000)]
    seed_org: usize,
    /// PEM certificate of the key `crmsync connect --jwt` signs with (JWT bearer flow).
    #[arg(long)]
    jwt_cert: Option<PathBuf>,
    /// The org's My Domain name, reported by the identity as `https://<name>.my.salesforce.com`.
    #[arg(long, value_parser = my_domain_name)]
    my_domain: Option<String>,
}

/// A My Domain name: letters, digits and hyphens (`acme`, `acme--uat.sandbox` is not one).
fn my_domain_name(value: &str) -> Result<String, String> {
    let ok = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(format!("{value:?} is not a My Domain name (letters, digits and hyphens)"))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let jwt_certificate = match &args.jwt_cert {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read --jwt-cert {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let config = sfsim::SimConfig {
        data_dir: args.data,
        seed: args.seed,
        seed_org_rows: args.seed_org,
        jwt_certificate,
        my_domain: args.my_domain,
    };
    let sim = sfsim::launch(listener, config).await?;
    print!("{}", sim.banner());
    use std::io::Write;
    std::io::stdout().flush()?;
    sim.serve_until_signal().await?;
    Ok(())
}
