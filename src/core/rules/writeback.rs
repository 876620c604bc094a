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
    if check_kind && !standing.kinds.contains(&kind) {
        return Err(WriteRefusal::KindOff(kind.as_str()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_then_switch_then_kind() {
        let kinds = [ActivityKind::Call];
        let ok = RepStanding { seated: true, enabled: true, kinds: &kinds };
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
    }
}
