//! Progress bars for `crmsync import`: one line per object, redrawn in place on a
//! terminal; on anything else (a log, CI) a plain line when an object starts loading and
//! when it finishes, so logs stay readable.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use crate::jobs::import::Progress;

/// Width of the bar itself, in characters.
const BAR: usize = 30;

/// Draws the import's progress on standard error.
pub struct ProgressBars {
    objects: Vec<&'static str>,
    state: Mutex<Vec<Option<Progress>>>,
    terminal: bool,
}

impl ProgressBars {
    /// Bars for `objects`, in the order they are imported.
    pub fn new(objects: Vec<&'static str>) -> Self {
        let state = Mutex::new(vec![None; objects.len()]);
        Self { objects, state, terminal: std::io::stderr().is_terminal() }
    }

    /// Records `progress` for `object` and redraws.
    pub fn update(&self, object: &str, progress: Progress) {
        let Some(index) = self.objects.iter().position(|o| *o == object) else { return };
        let Ok(mut state) = self.state.lock() else { return };
        let previous = state[index].replace(progress);
        let mut err = std::io::stderr().lock();
        if self.terminal {
            // Move up over the previous drawing (if any) and draw every line again.
            if state.iter().filter(|s| s.is_some()).count() > 1 || previous.is_some() {
                let _ = write!(err, "\x1b[{}F", self.objects.len());
            }
            for (name, progress) in self.objects.iter().zip(state.iter()) {
                let _ = writeln!(err, "\x1b[2K{}", line(name, *progress));
            }
        } else {
            let starts =
                matches!(progress, Progress::Loading { .. }) && !matches!(previous, Some(Progress::Loading { .. }));
            if starts || matches!(progress, Progress::Finished { .. }) {
                let _ = writeln!(err, "{}", line(object, Some(progress)));
            }
        }
    }
}

/// One object's line: name, bar, percentage and counts.
pub fn line(object: &str, progress: Option<Progress>) -> String {
    match progress {
        None => format!("{object:<24} waiting"),
        Some(Progress::Preparing) => format!("{object:<24} [{}] Salesforce is preparing the rows", " ".repeat(BAR)),
        Some(Progress::Loading { done, total }) => match total.filter(|t| *t > 0) {
            Some(total) => {
                let done = done.min(total);
                let filled = (done as usize * BAR) / total as usize;
                format!(
                    "{object:<24} [{}{}] {:>3}% {done}/{total} rows",
                    "#".repeat(filled),
                    ".".repeat(BAR - filled),
                    done * 100 / total
                )
            }
            None => format!("{object:<24} [{}] {done} rows", "~".repeat(BAR)),
        },
        Some(Progress::Finished { rows }) => format!("{object:<24} [{}] done, {rows} rows", "#".repeat(BAR)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_the_share_done() {
        let half = line("Contact", Some(Progress::Loading { done: 50, total: Some(100) }));
        assert!(half.contains(&format!("[{}{}]  50% 50/100 rows", "#".repeat(15), ".".repeat(15))), "{half}");
        let unknown = line("Lead", Some(Progress::Loading { done: 7, total: None }));
        assert!(unknown.ends_with("7 rows"), "{unknown}");
        assert!(line("User", Some(Progress::Finished { rows: 6 })).contains("done, 6 rows"));
        assert!(line("Account", None).ends_with("waiting"));
    }
}
