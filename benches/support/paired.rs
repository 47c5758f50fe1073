//! Paired timing: two ways of doing the same thing, alternated round by round, so that load
//! from other processes on the machine falls on both alike. Reports medians and their ratio.

// Each benchmark uses only part of this.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

/// The medians of two alternated measurements.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    /// The SDK's median.
    pub sdk: Duration,
    /// The median of what it is compared with.
    pub hand: Duration,
}

impl Pair {
    /// The SDK's median over the other one.
    pub fn ratio(&self) -> f64 {
        self.sdk.as_secs_f64() / self.hand.as_secs_f64()
    }

    /// One line for the report.
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name}: median sdk {:?}, other {:?}, ratio {:.3}",
            self.sdk,
            self.hand,
            self.ratio()
        )
    }
}

/// Runs `sdk` and `hand` `rounds` times each, alternating which goes first, and returns the
/// median time of each.
pub async fn measure<S, SF, H, HF>(rounds: usize, mut sdk: S, mut hand: H) -> Pair
where
    S: FnMut() -> SF,
    SF: Future<Output = ()>,
    H: FnMut() -> HF,
    HF: Future<Output = ()>,
{
    let mut sdk_times = Vec::with_capacity(rounds);
    let mut hand_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        if round % 2 == 0 {
            sdk_times.push(time(sdk()).await);
            hand_times.push(time(hand()).await);
        } else {
            hand_times.push(time(hand()).await);
            sdk_times.push(time(sdk()).await);
        }
    }
    Pair {
        sdk: median(sdk_times),
        hand: median(hand_times),
    }
}

/// As [`measure`], for work that does not wait.
pub fn measure_blocking(rounds: usize, mut sdk: impl FnMut(), mut hand: impl FnMut()) -> Pair {
    let mut sdk_times = Vec::with_capacity(rounds);
    let mut hand_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let clock = |work: &mut dyn FnMut(), times: &mut Vec<Duration>| {
            let started = Instant::now();
            work();
            times.push(started.elapsed());
        };
        if round % 2 == 0 {
            clock(&mut sdk, &mut sdk_times);
            clock(&mut hand, &mut hand_times);
        } else {
            clock(&mut hand, &mut hand_times);
            clock(&mut sdk, &mut sdk_times);
        }
    }
    Pair {
        sdk: median(sdk_times),
        hand: median(hand_times),
    }
}

async fn time(work: impl Future<Output = ()>) -> Duration {
    let started = Instant::now();
    work.await;
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}
