//! Who may have an activity written to Salesforce: checked when it is logged, assigned
//! or retried, and again just before it is written (a seat removed or a switch turned
//! off in between stops it).

use crate::core::activity::ActivityKind;

/// What the relay knows about the rep who logged an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepStanding<'a> {
    /// The rep still holds a seat.
    pub seated: bool,
    /// An admin enabled write-back for the rep.
    pub enabled: bool,
    /// The kinds the rep opted in to.
    pub kinds: &'a [ActivityKind],
    /// The kinds the org writes at all (the admin's choice).
    pub org_kinds: &'a [ActivityKind],
}

/// Why an activity may not be written, for the rep and the admin to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteRefusal {
    /// The rep's seat was taken away.
    #[error("the user no longer has a crmsync seat; an admin gives it back with `crmsync seats add --user <user>`")]
    NoSeat,
    /// The admin's switch for the rep is off.
    #[error(
        "activity write-back is not enabled for this user; an admin runs `crmsync writeback enable --user <user>`"
    )]
    NotEnabled,
    /// The org does not write this kind at all.
    #[error("the org does not write {0} activities back; an admin allows the kind in the console or with PUT /api/v1/admin/settings")]
    OrgKindOff(&'static str),
    /// The rep has not opted in to this kind.
    #[error("the user has not opted in to logging {0} activities; turn it on with PUT /api/v1/me/writeback")]
    KindOff(&'static str),
}

/// Whether an activity of `kind` by a rep standing so may be stored as to be written
/// (`check_kind`: also the rep's per-kind opt-in, which applies when the rep logs,
/// assigns or retries; the flush checks only the admin's side).
pub fn may_write(standing: RepStanding<'_>, kind: ActivityKind, check_kind: bool) -> Result<(), WriteRefusal> {
    if !standing.seated {
        return Err(WriteRefusal::NoSeat);
    }
    if !standing.enabled {
        return Err(WriteRefusal::NotEnabled);
    }
    if !standing.org_kinds.contains(&kind) {
        return Err(WriteRefusal::OrgKindOff(kind.as_str()));
    }
    if check_kind && !standing.kinds.contains(&kind) {
        return Err(WriteRefusal::KindOff(kind.as_str()));
    }
    Ok(())
}

/// The org's write-back test mode: while an admin checks the Tasks of one test record in
/// Salesforce, only activities on that record are written; every other stays queued,
/// untouched, until test mode ends.
pub fn held_for_test_mode(test_record: Option<&str>, target: Option<&str>) -> bool {
    match (test_record, target) {
        (None, _) => false,
        (Some(test), Some(target)) => {
            // Either id length names the record.
            let (a, b) = (test.get(..15).unwrap_or(test), target.get(..15).unwrap_or(target));
            a != b
        }
        (Some(_), None) => true,
    }
}

/// The kinds a rep may opt in to: those the org writes.
pub fn allowed_opt_ins(wanted: &[ActivityKind], org_kinds: &[ActivityKind]) -> Result<(), WriteRefusal> {
    match wanted.iter().find(|k| !org_kinds.contains(k)) {
        Some(k) => Err(WriteRefusal::OrgKindOff(k.as_str())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_then_switch_then_kind() {
        let kinds = [ActivityKind::Call];
        let ok = RepStanding { seated: true, enabled: true, kinds: &kinds, org_kinds: &ActivityKind::ALL };
        assert_eq!(may_write(ok, ActivityKind::Call, true), Ok(()));
        assert_eq!(may_write(ok, ActivityKind::Note, true), Err(WriteRefusal::KindOff("note")));
        assert_eq!(may_write(ok, ActivityKind::Note, false), Ok(()));
        assert_eq!(
            may_write(RepStanding { seated: false, ..ok }, ActivityKind::Call, false),
            Err(WriteRefusal::NoSeat)
        );
        assert_eq!(
            may_write(RepStanding { enabled: false, ..ok }, ActivityKind::Call, false),
            Err(WriteRefusal::NotEnabled)
        );
        assert_eq!(
            may_write(RepStanding { org_kinds: &[ActivityKind::Note], ..ok }, ActivityKind::Call, false),
            Err(WriteRefusal::OrgKindOff("call"))
        );
    }

    #[test]
    fn test_mode_holds_everything_but_the_test_record() {
        assert!(!held_for_test_mode(None, Some("003000000000001AAA")));
        assert!(!held_for_test_mode(Some("003000000000001"), Some("003000000000001AAA")));
        assert!(held_for_test_mode(Some("003000000000001AAA"), Some("003000000000002AAA")));
        assert!(held_for_test_mode(Some("003000000000001AAA"), None));
        assert_eq!(
            allowed_opt_ins(&[ActivityKind::Call], &[ActivityKind::Note]),
            Err(WriteRefusal::OrgKindOff("call"))
        );
        assert_eq!(allowed_opt_ins(&[ActivityKind::Note], &[ActivityKind::Note]), Ok(()));
    }
}
