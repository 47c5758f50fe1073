//! Fault injection: make the emulator fail on purpose, at random but reproducibly.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The prefix that fault paths are matched without.
const API_ROOT: &str = "/elements/api-v2";

/// A kind of fault the emulator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// `503 Service Unavailable` with `Retry-After`; the request is not processed.
    Unavailable,
    /// `429 Too Many Requests` with `Retry-After`; the request is not processed.
    TooManyRequests,
    /// The connection is closed before the request is processed: no answer, no change.
    DropBeforeProcessing,
    /// The request is processed (its change is made), then the connection is closed without
    /// an answer.
    DropAfterProcessing,
    /// The answer comes after the rule's delay.
    Slow,
    /// The request is processed, but the answer's body is cut in half, so it is not valid JSON.
    /// Status and headers are those of the real answer.
    MalformedBody,
}

impl FaultKind {
    /// Every kind, in the order a rule tries them.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Unavailable,
        FaultKind::TooManyRequests,
        FaultKind::DropBeforeProcessing,
        FaultKind::DropAfterProcessing,
        FaultKind::Slow,
        FaultKind::MalformedBody,
    ];

    fn index(self) -> usize {
        match self {
            FaultKind::Unavailable => 0,
            FaultKind::TooManyRequests => 1,
            FaultKind::DropBeforeProcessing => 2,
            FaultKind::DropAfterProcessing => 3,
            FaultKind::Slow => 4,
            FaultKind::MalformedBody => 5,
        }
    }
}

/// Which requests to disturb, and how.
#[derive(Debug, Clone)]
pub struct FaultRule {
    method: Option<String>,
    path_prefix: Option<String>,
    probabilities: [f64; 6],
    retry_after_secs: u64,
    delay: Duration,
    limit: Option<u64>,
}

impl FaultRule {
    fn new(method: Option<String>, path_prefix: Option<String>) -> Self {
        Self {
            method,
            path_prefix,
            probabilities: [0.0; 6],
            retry_after_secs: 1,
            delay: Duration::from_secs(1),
            limit: None,
        }
    }

    /// A rule for every request.
    pub fn all_routes() -> Self {
        Self::new(None, None)
    }

    /// A rule for requests with this method (any case) whose path, without
    /// `/elements/api-v2`, starts with `path_prefix`.
    pub fn route(method: &str, path_prefix: impl Into<String>) -> Self {
        Self::new(Some(method.to_ascii_uppercase()), Some(path_prefix.into()))
    }

    /// A rule for requests of any method whose path, without `/elements/api-v2`, starts with
    /// `path_prefix`.
    pub fn path(path_prefix: impl Into<String>) -> Self {
        Self::new(None, Some(path_prefix.into()))
    }

    /// Sets the probability (0.0 to 1.0, clamped) of one kind of fault.
    pub fn with(mut self, kind: FaultKind, probability: f64) -> Self {
        let clamped = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        self.probabilities[kind.index()] = clamped;
        self
    }

    /// The `Retry-After` seconds of injected 503 and 429 answers (1 unless set).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = seconds;
        self
    }

    /// How long a [`FaultKind::Slow`] answer waits (1 second unless set).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Stops the rule after it has injected `count` faults.
    pub fn times(mut self, count: u64) -> Self {
        self.limit = Some(count);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method.as_deref().is_none_or(|wanted| wanted == method);
        let path_ok = self
            .path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix));
        method_ok && path_ok
    }

    /// The fault a draw in `[0, 1)` lands on, if any.
    fn pick(&self, draw: f64) -> Option<FaultKind> {
        let mut threshold = 0.0;
        FaultKind::ALL.into_iter().find(|kind| {
            threshold += self.probabilities[kind.index()];
            draw < threshold
        })
    }

    fn decision(&self, kind: FaultKind) -> Decision {
        match kind {
            FaultKind::Unavailable => Decision::Unavailable(self.retry_after_secs),
            FaultKind::TooManyRequests => Decision::TooManyRequests(self.retry_after_secs),
            FaultKind::DropBeforeProcessing => Decision::DropBefore,
            FaultKind::DropAfterProcessing => Decision::DropAfter,
            FaultKind::Slow => Decision::Slow(self.delay),
            FaultKind::MalformedBody => Decision::Malformed,
        }
    }
}

/// What the server does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Unavailable(u64),
    TooManyRequests(u64),
    DropBefore,
    DropAfter,
    Slow(Duration),
    Malformed,
}

/// A small xorshift64* generator: reproducible from its seed, and plenty for picking faults.
#[derive(Debug)]
struct XorShift(u64);

impl XorShift {
    fn seeded(seed: u64) -> Self {
        // The all-zero state is a fixed point of xorshift, so it is moved off zero.
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let mixed = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (mixed >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug)]
struct Inner {
    rules: Vec<(FaultRule, u64)>,
    rng: XorShift,
    counts: [u64; 6],
}

/// The emulator's fault injection, configurable while it runs, so that a client's retries,
/// timeouts and error handling can be tested.
///
/// Reached through [`Emulator::faults`](crate::Emulator::faults). A [`FaultRule`] picks
/// requests by method and path prefix (or takes all of them) and gives each [`FaultKind`] a
/// probability. For every request the first matching rule that has not used up its
/// [`times`](FaultRule::times) draws one number from a seeded xorshift generator, so a run with
/// the same seed and the same requests meets the same faults. A request suffers at most one
/// fault: the kinds are tried in the order of [`FaultKind::ALL`], each taking its share of the
/// draw, and whatever the probabilities add up to beyond 1 is never reached.
///
/// Paths are matched without the `/elements/api-v2` prefix, so `"/instances"` matches
/// `POST /elements/api-v2/instances` and `GET /elements/api-v2/instances/12`.
///
/// With no rules (the start state, and the state after [`Faults::clear`]) nothing is injected.
/// The generator starts from seed 0 unless [`Faults::seed`] is called.
///
/// ```
/// use std::time::Duration;
/// use open_connectors_emulator::{Emulator, FaultKind, FaultRule};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = Emulator::start().await?;
/// let faults = emulator.faults();
/// faults.seed(7);
///
/// // One create in ten answers 503 with `Retry-After: 2`.
/// faults.add(
///     FaultRule::route("POST", "/instances")
///         .with(FaultKind::Unavailable, 0.1)
///         .retry_after(2),
/// );
/// // The next hub call is processed, then its connection is cut before the answer.
/// faults.add(FaultRule::path("/hubs").with(FaultKind::DropAfterProcessing, 1.0).times(1));
/// // One other call in four waits half a second before answering.
/// faults.add(
///     FaultRule::all_routes()
///         .with(FaultKind::Slow, 0.25)
///         .delay(Duration::from_millis(500)),
/// );
///
/// // ... exercise the client, then look at what was injected ...
/// assert_eq!(faults.injected(FaultKind::Unavailable), 0);
///
/// faults.clear();
/// faults.reset_counts();
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Default for Faults {
    fn default() -> Self {
        let inner = Inner {
            rules: Vec::new(),
            rng: XorShift::seeded(0),
            counts: [0; 6],
        };
        Self {
            inner: Mutex::new(inner),
        }
    }
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The counters and rules stay consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a rule after the existing ones; the first rule that matches a request decides.
    pub fn add(&self, rule: FaultRule) {
        self.lock().rules.push((rule, 0));
    }

    /// Removes every rule; nothing is injected until a rule is added again. Counts are kept.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Restarts the generator from a seed, so the same requests meet the same faults.
    pub fn seed(&self, seed: u64) {
        self.lock().rng = XorShift::seeded(seed);
    }

    /// How many faults of one kind were injected so far.
    pub fn injected(&self, kind: FaultKind) -> u64 {
        self.lock().counts[kind.index()]
    }

    /// How many faults of any kind were injected so far.
    pub fn total_injected(&self) -> u64 {
        self.lock().counts.iter().sum()
    }

    /// Sets every count back to zero.
    pub fn reset_counts(&self) {
        self.lock().counts = [0; 6];
    }

    /// Decides the fate of one request.
    pub(crate) fn decide(&self, method: &str, full_path: &str) -> Option<Decision> {
        let path = full_path.strip_prefix(API_ROOT).unwrap_or(full_path);
        let mut inner = self.lock();
        let Inner { rules, rng, counts } = &mut *inner;
        let (rule, fired) = rules.iter_mut().find(|(rule, fired)| {
            rule.matches(method, path) && rule.limit.is_none_or(|limit| *fired < limit)
        })?;

        let kind = rule.pick(rng.next_f64())?;
        *fired += 1;
        counts[kind.index()] += 1;
        Some(rule.decision(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certain_fault_always_fires_and_is_counted() {
        let faults = Faults::default();
        faults.add(FaultRule::route("get", "/instances").with(FaultKind::Unavailable, 1.0));

        let decision = faults.decide("GET", "/elements/api-v2/instances/5");

        assert_eq!(decision, Some(Decision::Unavailable(1)));
        assert_eq!(faults.injected(FaultKind::Unavailable), 1);
    }

    #[test]
    fn other_methods_and_paths_are_left_alone() {
        let faults = Faults::default();
        faults.add(FaultRule::route("POST", "/instances").with(FaultKind::Slow, 1.0));

        assert_eq!(faults.decide("GET", "/elements/api-v2/instances"), None);
        assert_eq!(faults.decide("POST", "/elements/api-v2/elements"), None);
    }

    #[test]
    fn a_limited_rule_stops_after_its_count() {
        let faults = Faults::default();
        faults.add(
            FaultRule::all_routes()
                .with(FaultKind::DropBeforeProcessing, 1.0)
                .times(2),
        );

        let fired = (0..5).filter_map(|_| faults.decide("GET", "/x")).count();

        assert_eq!(fired, 2);
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let run = |seed| {
            let faults = Faults::default();
            faults.seed(seed);
            faults.add(FaultRule::all_routes().with(FaultKind::TooManyRequests, 0.5));
            (0..64)
                .map(|_| faults.decide("GET", "/x").is_some())
                .collect::<Vec<_>>()
        };

        assert_eq!(run(42), run(42));
        assert!(run(42).contains(&true) && run(42).contains(&false));
    }

    #[test]
    fn clear_stops_injection() {
        let faults = Faults::default();
        faults.add(FaultRule::all_routes().with(FaultKind::MalformedBody, 1.0));

        faults.clear();

        assert_eq!(faults.decide("GET", "/x"), None);
    }
}
