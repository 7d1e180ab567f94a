//! Timing for the examples that `bench/*.mjs` run: the median of repeated calls, which a few
//! slow calls on a shared machine do not move.

#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Median seconds per call of `f`: two warm-up calls, then at least 5 and up to `max_calls`
/// calls or about `budget`.
pub(crate) fn median_seconds(max_calls: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    f();
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (times.len() < max_calls && start.elapsed() < budget) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
