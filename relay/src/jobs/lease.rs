//! Store-wide leases: one import, and one matching pass, at a time per store, across
//! relays and the `crmsync` commands, crash-safe (a heartbeat renews a lease; a dead
//! holder's lease is taken).

use std::sync::Arc;

use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// The lease an import holds: two relays on one database, or a relay and `crmsync
/// import`, never import at once (a second full import could otherwise delete rows the
/// first one is writing).
pub const IMPORT_LEASE: &str = "import";
/// The lease a matching pass holds: two relays' passes never interleave their writes of
/// the stored matches. Taken after [`IMPORT_LEASE`] when both are held, never before.
pub const MATCHING_LEASE: &str = "matching";
/// How long a lease lasts unless renewed: a heartbeat renews it every quarter of that
/// while its holder runs, so a holder that died (another machine) frees it within this.
const LEASE_MS: i64 = 2 * 60 * 1000;

/// This machine's name, to tell its own processes' leases from others'.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown-host".into())
}

/// Whether a lease holder is a process of this machine that no longer runs (killed or
/// crashed): its lease may be taken over at once instead of waiting for it to run out.
fn holder_is_gone(holder: &str) -> bool {
    let mut parts = holder.split(' ');
    let (Some(host), Some("pid"), Some(pid)) = (parts.next(), parts.next(), parts.next()) else { return false };
    host == host_name()
        && pid.parse::<u32>().is_ok_and(|pid| pid != std::process::id())
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A hold on one store-wide lease, renewed in the background while it lives.
pub struct StoreLease<'a> {
    state: &'a AppState,
    name: &'static str,
    holder: String,
    lost: Arc<std::sync::atomic::AtomicBool>,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl<'a> StoreLease<'a> {
    /// Waits until no other holder has lease `name`, then takes it.
    pub async fn take(state: &'a AppState, name: &'static str) -> Result<Self, StoreError> {
        let holder = format!("{} pid {} {}", host_name(), std::process::id(), crate::secrets::random_token(6));
        let mut said = false;
        loop {
            let now = now_ms();
            if state.store.try_lock(name, &holder, now, now + LEASE_MS).await? {
                break;
            }
            if let Some((other, _)) = state.store.lock_holder(name).await? {
                if holder_is_gone(&other) && state.store.take_over_lock(name, &other, &holder, now + LEASE_MS).await? {
                    tracing::warn!(lease = name, previous = %other, "took over the lease of a process that is gone");
                    break;
                }
            }
            if !said {
                tracing::info!(lease = name, "another process holds this lease on the store; waiting for it");
                said = true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        let lost = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let heartbeat = {
            let (store, holder, lost) = (state.store.clone(), holder.clone(), lost.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis((LEASE_MS / 4) as u64)).await;
                    let now = now_ms();
                    if !matches!(store.try_lock(name, &holder, now, now + LEASE_MS).await, Ok(true)) {
                        lost.store(true, std::sync::atomic::Ordering::SeqCst);
                        return;
                    }
                }
            })
        };
        Ok(Self { state, name, holder, lost, heartbeat })
    }

    /// Whether the heartbeat could not renew the lease (another holder may have it now).
    pub fn lost(&self) -> bool {
        self.lost.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Gives the lease back.
    pub async fn release(self) -> Result<(), StoreError> {
        self.heartbeat.abort();
        self.state.store.unlock(self.name, &self.holder).await
    }
}

impl Drop for StoreLease<'_> {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}
