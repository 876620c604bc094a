//! The `crmsync` command line. Each subcommand is a thin call into the library; errors
//! are printed once, plainly, with a non-zero exit.

use std::process::ExitCode;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::config::Settings;

/// crmsync: keep a sales team's network prospecting and its Salesforce org in step.
#[derive(Parser)]
#[command(name = "crmsync", version)]
struct Cli {
    /// Config file of KEY=VALUE settings (default: $CRMSYNC_CONFIG, else ./crmsync.conf if
    /// present); the environment wins over it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the relay: connect to Salesforce, serve the admin console and the API.
    Serve {
        /// Address to listen on (overrides CRMSYNC_LISTEN; port 0 picks a free port).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Connect the org without a browser (servers and CI), then store the connection.
    #[command(group(clap::ArgGroup::new("flow").required(true).args(["client_credentials", "jwt"])))]
    Connect {
        /// Client-credentials flow: runs as the connected app's Run-As user.
        #[arg(long)]
        client_credentials: bool,
        /// JWT bearer flow: signs an assertion with --key for --user.
        #[arg(long)]
        jwt: bool,
        /// Username to log in as with --jwt (default CRMSYNC_SALESFORCE_USERNAME).
        #[arg(long, requires = "jwt")]
        user: Option<String>,
        /// PEM private key for --jwt (default CRMSYNC_SALESFORCE_JWT_KEY).
        #[arg(long, requires = "jwt")]
        key: Option<PathBuf>,
    },
    /// Print the one-time setup code the first connect from the admin console needs.
    SetupCode,
    /// Import the org's CRM data now (incremental from the last watermark).
    Import {
        /// Ignore watermarks: re-read everything and drop rows the org no longer has.
        #[arg(long)]
        full: bool,
    },
    /// Revoke the org's tokens at Salesforce and forget them.
    Disconnect {
        /// Also delete every imported CRM row and everything derived from it.
        #[arg(long)]
        clean_up: bool,
    },
    /// Show the connection, API usage and each object's rows and last sync.
    Status {
        /// Print JSON: {"objects": {...}, "api_usage": {...}, "connection": {...}}.
        #[arg(long)]
        json: bool,
    },
    /// Link a CRM export to network profiles or companies and write one-to-one matches.
    Match {
        /// CRM export: header of Salesforce API field names (Lead, Contact and/or Account).
        #[arg(long)]
        crm: PathBuf,
        /// Network people (id, first_name, last_name, …) or companies (id, name, website, …).
        #[arg(long)]
        network: PathBuf,
        /// Where to write crm_id,network_id,probability,match_weight,method.
        #[arg(long)]
        out: PathBuf,
        /// Manual decisions: crm_id,network_id,decision (match, not_match, unmatch), in order.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Add an explanation column (each comparison's level and weight).
        #[arg(long)]
        explain: bool,
        /// Lowest match probability written.
        #[arg(long, default_value_t = crmsync::core::matching::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Also write every candidate pair and its weight to this file.
        #[arg(long)]
        candidates: Option<PathBuf>,
    },
    /// Build the browser's badge index from a CRM export, or time look-ups against one.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Manage seats: the Salesforce users who may sign in.
    #[command(subcommand)]
    Seats(SeatsCommand),
    /// Switch activity write-back on or off for a user or a role.
    #[command(subcommand)]
    Writeback(SwitchCommand),
    /// Switch auto-save (owners' lists filled from open opportunities) on or off for a user or a role.
    #[command(subcommand)]
    Autosave(SwitchCommand),
    /// Show a rep's saved lists.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Print the ROI report: influenced pipeline, won amounts and win rates per rep, month or quarter.
    Roi {
        /// First day (by close date for closed opportunities, creation for open ones).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last day, inclusive.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// One row per rep, month or quarter.
        #[arg(long, default_value = "rep", value_parser = ["rep", "month", "quarter"])]
        by: String,
        /// Print JSON: {"rows": [{"rep", "period", "influenced_open_pipeline", "influenced_won_amount",
        /// "influenced_won_count", "won_amount", "won_count", "win_rate_influenced", "win_rate_other", …}],
        /// "totals": {…}}.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Write the rows and the totals to this CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also list each influenced opportunity with what influenced it.
        #[arg(long)]
        opportunities: bool,
    },
    /// Print the org's role hierarchy (from the imported UserRole) with user counts.
    Roles {
        /// Print the tree as JSON: [{"id", "name", "parent_id", "users", "users_in_subtree", "children": […]}].
        #[arg(long)]
        json: bool,
    },
    /// Print the org's match rates (per object: auto, manual, low confidence, unmatched).
    MatchReport {
        /// Print the report as JSON: {"objects": {"Lead"|"Contact"|"Account": {"records", "matched_auto",
        /// "matched_manual", "low_confidence", "unmatched"}}, "directory", "model", "history"}.
        #[arg(long)]
        json: bool,
        /// Write every unmatched and low-confidence record to this CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Re-match the whole org first (the relay does it after each import on its own).
        #[arg(long)]
        rematch: bool,
    },
    /// Read or change the org's settings (badge visibility, write-back kinds, test mode).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Manage the admins of the console.
    #[command(subcommand)]
    Admins(AdminsCommand),
    /// Mint a session token for a seat holder (for scripts and integrations).
    Token {
        /// Salesforce user id or username.
        #[arg(long)]
        user: String,
        /// Days the token stays valid.
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    /// Check the org for activity write-back and create what is missing (Tooling API).
    Setup,
    /// Backfill a rep's messages from the network's data export (messages.csv,
    /// Invitations.csv): unassigned message activities, nothing added twice.
    Backfill {
        /// The rep: Salesforce user id or username.
        #[arg(long)]
        user: String,
        /// The export owner's name as the files spell it (default: the name found in most rows).
        #[arg(long)]
        owner: Option<String>,
        /// messages.csv and/or Invitations.csv.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write queued activities to Salesforce now.
    Flush,
    /// Convert the network's Connections.csv export to NETWORK.csv form.
    ImportNetwork {
        /// The export file.
        file: PathBuf,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Whom a seat or write-back command is about: one user, or a role (with `--subtree`,
/// also every role below it).
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["user", "role"])))]
struct Who {
    /// Salesforce user id (15 or 18 characters) or username.
    #[arg(long)]
    user: Option<String>,
    /// Role name or id: every user holding it.
    #[arg(long)]
    role: Option<String>,
    /// With --role: also every role below it.
    #[arg(long, requires = "role")]
    subtree: bool,
}

impl Who {
    fn selection(&self) -> crmsync::core::api::admin::UserSelection {
        crmsync::core::api::admin::UserSelection {
            user_ids: self.user.iter().cloned().collect(),
            role: self.role.clone(),
            subtree: self.subtree,
        }
    }
}

#[derive(Subcommand)]
enum SeatsCommand {
    /// Give active Salesforce users a seat: one user, or everyone in a role (subtree).
    Add {
        #[command(flatten)]
        who: Who,
        /// With --role: keep giving seats to the role's new users at each import.
        #[arg(long, requires = "role")]
        at_each_import: bool,
    },
    /// Take seats away (ends the users' sessions).
    Remove {
        #[command(flatten)]
        who: Who,
    },
    /// List the imported users with their seats, roles and write-back settings.
    List {
        /// Print JSON: [{"user_id", "username", "name", "role", "seat", "writeback": {"enabled", "kinds"}, …}].
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SwitchCommand {
    /// Switch it on for a user or a role (write-back: users still opt in per kind).
    Enable {
        #[command(flatten)]
        who: Who,
    },
    /// Switch it off for a user or a role.
    Disable {
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Subcommand)]
enum ListsCommand {
    /// Print a user's lists with their entries.
    Show {
        /// Salesforce user id (15 or 18 characters) or username.
        #[arg(long)]
        user: String,
        /// Print JSON: {"lists": [{"name", "kind": "auto_accounts"|"auto_people"|"manual", "entries":
        /// [{"crm_id", "object", "name", "reason", "saved_at", "network_id"}]}]}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Print a setting (badge_visibility, writeback_kinds, writeback_test_record), or all.
    Get { name: Option<String> },
    /// Change a setting: `badge_visibility everyone|role_hierarchy`,
    /// `writeback_kinds inmail,message,call,note,document_view`,
    /// `writeback_test_record <record id, or "" to end test mode>`.
    Set { name: String, value: String },
}

#[derive(Subcommand)]
enum AdminsCommand {
    /// Make an imported Salesforce user an admin of the console.
    Add {
        #[arg(long)]
        user: String,
    },
    /// Remove an admin (never the last one).
    Remove {
        #[arg(long)]
        user: String,
    },
    /// List the admins.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Build an index file (e-mails and phones hashed under a key from --key, hex).
    Build {
        #[arg(long)]
        crm: PathBuf,
        /// Network records to train the model on (defaults are used without).
        #[arg(long)]
        network: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// 32 hex characters; the org's hashing key.
        #[arg(long, default_value = "00000000000000000000000000000000")]
        key: String,
    },
    /// Look up every person of a NETWORK.csv in an index and report the time per lookup.
    Lookup {
        #[arg(long)]
        index: PathBuf,
        #[arg(long)]
        network: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// A 16-byte key from 32 hex characters.
fn parse_key(hex: &str) -> anyhow::Result<[u8; 16]> {
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| anyhow::anyhow!("--key must be 32 hex characters"))
}

/// Parses the command line, runs the command, and turns errors into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match crate::observability::log_settings(|k| std::env::var(k).ok()) {
        Ok((format, level)) => crate::observability::init(format, level),
        Err(message) => {
            eprintln!("crmsync: {message}");
            return ExitCode::FAILURE;
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("crmsync: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crmsync: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Serve { listen } => serve(config, listen).await,
        Command::SetupCode => setup_code(config).await,
        Command::Connect { client_credentials: _, jwt, user, key } => connect(config, jwt, user, key).await,
        Command::Import { full } => import(config, full).await,
        Command::Status { json } => status(config, json).await,
        Command::Disconnect { clean_up } => disconnect(config, clean_up).await,
        Command::Match { crm, network, out, decisions, explain, threshold, candidates } => {
            crate::commands::match_files::run(&crate::commands::match_files::MatchArgs {
                crm,
                network,
                out,
                decisions,
                explain,
                threshold,
                candidates,
            })
        }
        Command::Index(IndexCommand::Build { crm, network, out, key }) => {
            crate::commands::index_files::build(&crm, network.as_ref(), &out, parse_key(&key)?)
        }
        Command::Index(IndexCommand::Lookup { index, network, out }) => {
            crate::commands::index_files::lookup(&index, &network, out.as_ref())
        }
        Command::ImportNetwork { file, out } => crate::commands::import_network::run(&file, out.as_ref()),
        command => {
            let state = crate::state::AppState::open(Settings::load(config)?).await?;
            on_store(&state, command).await
        }
    }
}

/// Who a switch command names, and whether it switches on.
fn switched(command: SwitchCommand) -> (Who, bool) {
    match command {
        SwitchCommand::Enable { who } => (who, true),
        SwitchCommand::Disable { who } => (who, false),
    }
}

/// The admin commands: they work on the relay's store (and its org).
async fn on_store(state: &crate::state::AppState, command: Command) -> anyhow::Result<()> {
    use crate::admin::seats::Switch;
    use crate::commands::{admin, writeback};
    match command {
        Command::Seats(SeatsCommand::Add { who, at_each_import }) => {
            admin::seats_change(state, "add", who.selection(), at_each_import).await
        }
        Command::Seats(SeatsCommand::Remove { who }) => {
            admin::seats_change(state, "remove", who.selection(), false).await
        }
        Command::Seats(SeatsCommand::List { json }) => admin::seats_list(state, json).await,
        Command::Writeback(command) => {
            let (who, enabled) = switched(command);
            admin::switch(state, who.selection(), enabled, Switch::Writeback).await
        }
        Command::Autosave(command) => {
            let (who, enabled) = switched(command);
            admin::switch(state, who.selection(), enabled, Switch::AutoSave).await
        }
        Command::Lists(ListsCommand::Show { user, json }) => crate::commands::lists::show(state, &user, json).await,
        Command::Roi { from, to, by, json, csv, opportunities } => {
            let query = crate::admin::roi::RoiQuery { from, to, by: Some(by), influenced: Some(true) };
            crate::commands::roi::run(state, &query, json, csv.as_deref(), opportunities).await
        }
        Command::Roles { json } => admin::roles(state, json).await,
        Command::MatchReport { json, csv, rematch } => {
            crate::commands::match_report::run(state, json, csv.as_deref(), rematch).await
        }
        Command::Settings(SettingsCommand::Get { name }) => admin::settings_get(state, name.as_deref()).await,
        Command::Settings(SettingsCommand::Set { name, value }) => admin::settings_set(state, &name, &value).await,
        Command::Admins(AdminsCommand::Add { user }) => admin::admins_add(state, &user).await,
        Command::Admins(AdminsCommand::Remove { user }) => admin::admins_remove(state, &user).await,
        Command::Admins(AdminsCommand::List { json }) => admin::admins_list(state, json).await,
        Command::Token { user, days } => writeback::token(state, &user, days).await,
        Command::Backfill { user, owner, files } => writeback::backfill(state, &user, owner.as_deref(), &files).await,
        Command::Setup => writeback::setup(state).await,
        Command::Flush => writeback::flush(state).await,
        // The commands `run` handles itself never come here.
        _ => anyhow::bail!("crmsync: this command does not run on the relay's store"),
    }
}

async fn serve(config: Option<&Path>, listen: Option<String>) -> anyhow::Result<()> {
    let mut settings = Settings::load(config)?;
    if let Some(listen) = listen {
        settings.listen = listen;
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
    let relay = crate::launch(listener, settings).await?;
    let base = relay.base_url()?;
    println!("crmsync relay listening on {base}");
    println!("admin console: {base}/admin/");
    if relay.state().store.connection().await?.is_none() {
        let code = crate::security::setup_code::current(relay.state()).await?;
        println!(
            "setup code (the console asks for it to connect the org; `crmsync setup-code` prints it again): {code}"
        );
    }
    relay.serve(shutdown_signal()).await?;
    tracing::info!("relay stopped");
    Ok(())
}

async fn setup_code(config: Option<&Path>) -> anyhow::Result<()> {
    let state = crate::state::AppState::open(Settings::load(config)?).await?;
    if let Some(c) = state.store.connection().await? {
        println!(
            "the relay is connected to org {} ({}); no setup code is needed (a disconnect makes a new one)",
            c.org_id, c.username
        );
        return Ok(());
    }
    println!("{}", crate::security::setup_code::current(&state).await?);
    Ok(())
}

async fn connect(config: Option<&Path>, jwt: bool, user: Option<String>, key: Option<PathBuf>) -> anyhow::Result<()> {
    let state = crate::state::AppState::open(Settings::load(config)?).await?;
    let connection = if jwt {
        crate::connect::connect_jwt(&state, user.as_deref(), key.as_deref()).await?
    } else {
        crate::connect::connect_client_credentials(&state).await?
    };
    println!(
        "connected: org {} as {} ({}) on {}, API {} [{}]",
        connection.org_id,
        connection.username,
        connection.user_id,
        connection.instance_url,
        connection.api_version,
        connection.auth_flow.as_str()
    );
    Ok(())
}

async fn import(config: Option<&Path>, full: bool) -> anyhow::Result<()> {
    let state = crate::state::AppState::open(Settings::load(config)?).await?;
    let objects = crmsync::core::sf::schema::IMPORTED.iter().map(|(o, _)| *o).collect();
    let bars = crate::commands::progress::ProgressBars::new(objects);
    let report = crate::jobs::import::import(&state, full, &|object, progress| bars.update(object, progress)).await?;
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>10} {:>9} {:>6}",
        "object", "added", "changed", "deleted", "rows", "ms", "calls"
    );
    for o in &report.objects {
        println!(
            "{:<24} {:>9} {:>9} {:>9} {:>10} {:>9} {:>6}",
            o.object, o.added, o.changed, o.deleted, o.rows, o.duration_ms, o.api_calls
        );
        if !o.missing_fields.is_empty() {
            println!("  warning: the org has no {} on {}; skipped", o.missing_fields.join(", "), o.object);
        }
    }
    if let Some(u) = report.api_usage {
        println!("API usage: {} of {} in the last 24 hours", u.used, u.max);
    }
    Ok(())
}

async fn disconnect(config: Option<&Path>, clean_up: bool) -> anyhow::Result<()> {
    let state = crate::state::AppState::open(Settings::load(config)?).await?;
    let report = crate::connect::disconnect(&state, clean_up).await?;
    println!(
        "disconnected: {}",
        if report.revoked { "tokens revoked at Salesforce" } else { "the token was already invalid at Salesforce" }
    );
    if clean_up {
        println!("purge report:");
        for (table, rows) in &report.purged {
            println!("  {table:<16} {rows:>10} rows deleted");
        }
    }
    Ok(())
}

async fn status(config: Option<&Path>, json: bool) -> anyhow::Result<()> {
    let state = crate::state::AppState::open(Settings::load(config)?).await?;
    let status = crate::admin::status::relay_status(&state).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    println!("connection: {}", serde_json::to_string(&status.connection)?);
    if let Some(u) = status.api_usage {
        println!("API usage: {} of {}", u.used, u.max);
    }
    let totals: Vec<String> = status.activities.iter().map(|(state, n)| format!("{n} {}", state.as_str())).collect();
    println!("activities: {}", totals.join(", "));
    for p in &status.page_problems {
        println!(
            "network page problem on {}: {:?} page without its {:?} ({} reports)",
            p.day, p.page, p.missing, p.count
        );
    }
    for (object, s) in &status.objects {
        println!(
            "{object:<24} {:>10} rows  last sync {}  watermark {}",
            s.rows,
            s.last_sync.as_deref().unwrap_or("never"),
            s.watermark.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
