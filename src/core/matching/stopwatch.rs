//! Where a linking run's time goes, phase by phase, for the CLI's report and the
//! benchmarks. The core reads no clock (it is pure, and the browser has none it may
//! read): the caller lends one, and without it no laps are taken.

/// A clock the caller lends: seconds since any fixed moment.
pub type Clock = fn() -> f64;

/// Laps of one run: each phase's name and seconds, in order.
#[derive(Debug, Default, Clone)]
pub struct Stopwatch {
    clock: Option<Clock>,
    last: f64,
    pub laps: Vec<(&'static str, f64)>,
}

impl Stopwatch {
    /// Starts timing the first phase on `clock`.
    pub fn start(clock: Option<Clock>) -> Self {
        Self { clock, last: clock.map_or(0.0, |now| now()), laps: Vec::new() }
    }

    /// Ends the phase under way as `phase` and starts the next.
    pub fn lap(&mut self, phase: &'static str) {
        if let Some(now) = self.clock {
            let at = now();
            self.laps.push((phase, at - self.last));
            self.last = at;
        }
    }

    /// The laps as "blocking 1.20 s, comparing 3.40 s".
    pub fn summary(&self) -> String {
        self.laps.iter().map(|(phase, s)| format!("{phase} {s:.2} s")).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_are_the_time_between_readings_in_order() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static TICKS: AtomicU32 = AtomicU32::new(0);
        let clock: Clock = || f64::from(TICKS.fetch_add(1, Ordering::Relaxed)) * 1.5;
        let mut watch = Stopwatch::start(Some(clock));
        watch.lap("one");
        watch.lap("two");
        assert_eq!(watch.laps, [("one", 1.5), ("two", 1.5)]);
        assert_eq!(watch.summary(), "one 1.50 s, two 1.50 s");
    }

    #[test]
    fn without_a_clock_no_laps_are_taken() {
        let mut watch = Stopwatch::start(None);
        watch.lap("one");
        assert!(watch.laps.is_empty() && watch.summary().is_empty());
    }
}
