//! The store-wide import lease: one import at a time per store, across relays and
//! `crmsync import`, crash-safe (a heartbeat renews it; a dead holder's lease is taken).

use std::sync::Arc;

use super::import::ImportError;
use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// The store-wide lease an import holds: two relays on one database, or a relay and
/// `crmsync import`, never import at once (a second full import could otherwise delete
/// rows the first one is writing).
const IMPORT_LEASE: &str = "import";
/// How long the lease lasts unless renewed: a heartbeat renews it every quarter of that
/// while the import runs, so a holder that died (another machine) frees it within this.
const IMPORT_LEASE_MS: i64 = 2 * 60 * 1000;

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

/// This import's hold on [`IMPORT_LEASE`], renewed in the background while it lives.
pub(crate) struct ImportLease<'a> {
    state: &'a AppState,
    holder: String,
    lost: Arc<std::sync::atomic::AtomicBool>,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl<'a> ImportLease<'a> {
    /// Waits until no other import holds the store, then takes it.
    pub(crate) async fn take(state: &'a AppState) -> Result<Self, StoreError> {
        let holder = format!("{} pid {} {}", host_name(), std::process::id(), crate::secrets::random_token(6));
        let mut said = false;
        loop {
            let now = now_ms();
            if state.store.try_lock(IMPORT_LEASE, &holder, now, now + IMPORT_LEASE_MS).await? {
                break;
            }
            if let Some((other, _)) = state.store.lock_holder(IMPORT_LEASE).await? {
                if holder_is_gone(&other)
                    && state.store.take_over_lock(IMPORT_LEASE, &other, &holder, now + IMPORT_LEASE_MS).await?
                {
                    tracing::warn!(previous = %other, "took over the import lease of a process that is gone");
                    break;
                }
            }
            if !said {
                tracing::info!("another import is running on this store; this one waits for it");
                said = true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        let lost = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let heartbeat = {
            let (store, holder, lost) = (state.store.clone(), holder.clone(), lost.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis((IMPORT_LEASE_MS / 4) as u64)).await;
                    let now = now_ms();
                    if !matches!(store.try_lock(IMPORT_LEASE, &holder, now, now + IMPORT_LEASE_MS).await, Ok(true)) {
                        lost.store(true, std::sync::atomic::Ordering::SeqCst);
                        return;
                    }
                }
            })
        };
        Ok(Self { state, holder, lost, heartbeat })
    }

    /// `LeaseLost` when the heartbeat could not renew the lease (another import has it).
    pub(crate) fn check(&self) -> Result<(), ImportError> {
        if self.lost.load(std::sync::atomic::Ordering::SeqCst) {
            Err(ImportError::LeaseLost)
        } else {
            Ok(())
        }
    }

    pub(crate) async fn release(self) -> Result<(), StoreError> {
        self.heartbeat.abort();
        self.state.store.unlock(IMPORT_LEASE, &self.holder).await
    }
}

impl Drop for ImportLease<'_> {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}
