//! When and how a failed call is tried again.
//!
//! Retries are on by default and bounded three ways: a number of attempts, a growing pause
//! between them, and the call's total deadline. Only what is safe to repeat is repeated:
//! `GET`, `PUT` and `DELETE`, after a connection failure, a timeout, or a `408`, `429`, `500`,
//! `502`, `503` or `504` answer.
//!
//! A `POST` that creates something, or a `PATCH`, is sent again in two cases only, both of which
//! prove the platform did not carry it out: the connection was refused (the request never left),
//! or the platform answered `429 Too Many Requests` (it refused the request). A `503` is *not*
//! retried for them: a gateway may answer `503` (or `502`, `504`) while the platform behind it
//! goes on with the request. Every failure of such a request that may have been carried out
//! becomes [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
//!
//! `Retry-After` (seconds or an HTTP date) replaces the computed pause. When it asks for more
//! than [`RetryPolicy::max_retry_after`] or more than the call's deadline leaves, the client does
//! not wait in vain: the call fails at once with the platform's answer, whose
//! [`ApiError::retry_after`](crate::ApiError::retry_after) says when to come back.

use std::time::{Duration, Instant, SystemTime};

use crate::Error;

/// How a failed call is tried again.
///
/// ```
/// use std::time::Duration;
/// use open_connectors::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, pausing about 200 ms then 400 ms (with jitter), at most 5 s between
    /// attempts, and waiting up to 30 s when the platform asks with `Retry-After`.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: every call is attempted once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The most attempts a call may make, the first included. `0` is taken as `1`.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The pause before the first retry; each later pause doubles, up to `max_backoff`.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest pause between two attempts, jitter included.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` the client waits for (30 s by default). A longer one, or one
    /// longer than what is left of the call's deadline, ends the retries at once: the call
    /// returns the platform's answer, whose [`ApiError::retry_after`](crate::ApiError::retry_after)
    /// says when to come back.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The most attempts a call may make, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The pause before attempt `attempt + 1`, given the failure of attempt `attempt` (from 1).
    ///
    /// `None` means: do not try again.
    pub(crate) fn pause(&self, attempt: u32, error: &Error) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match retry_after(error) {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }

    /// Exponential backoff with "full jitter": a random pause between half and all of
    /// `initial * 2^(attempt-1)`, capped, so that many clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << (attempt - 1).min(16));
        let ceiling = exp.min(self.max_backoff);
        let half = ceiling / 2;
        half + half.mul_f64(jitter())
    }
}

/// Whether a request may be sent again after a failure whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// `GET`, `PUT`, `DELETE`: repeating it changes nothing more.
    Safe,
    /// `POST` that creates, `PATCH`: repeated only when the platform provably did not act.
    Unsafe,
}

impl Idempotency {
    /// Whether a failure allows another attempt of a request of this kind.
    fn allows_retry_after(self, error: &Error) -> bool {
        match self {
            Idempotency::Safe => error.is_retryable(),
            Idempotency::Unsafe => error.is_connect() || error.status() == Some(429),
        }
    }
}

/// The time one call may take, retries and pauses included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    started: Instant,
    timeout: Duration,
    deadline: Duration,
}

impl Budget {
    /// Starts the clock for a call whose attempts may each take `timeout`.
    pub(crate) fn start(timeout: Duration, deadline: Duration) -> Self {
        Budget {
            started: Instant::now(),
            timeout,
            deadline,
        }
    }

    fn left(&self) -> Duration {
        self.deadline.saturating_sub(self.started.elapsed())
    }

    /// The timeout of the next attempt, and whether the deadline shortened it.
    pub(crate) fn attempt_timeout(&self) -> (Duration, bool) {
        let left = self.left();
        (self.timeout.min(left), left < self.timeout)
    }
}

/// What to do after attempt number `attempt` failed.
#[derive(Debug)]
pub(crate) enum Step {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Stop and return this error.
    Stop(Error),
}

/// Decides whether to try again. `cut_short` says the deadline shortened the failed attempt's
/// timeout, so a timeout then means the deadline ran out.
pub(crate) fn next_step(
    policy: &RetryPolicy,
    kind: Idempotency,
    budget: &Budget,
    attempt: u32,
    cut_short: bool,
    error: Error,
) -> Step {
    if cut_short && error.is_timeout() {
        return Step::Stop(deadline_exceeded(budget, attempt, error));
    }
    if !kind.allows_retry_after(&error) {
        return Step::Stop(error);
    }
    let Some(pause) = policy.pause(attempt, &error) else {
        return Step::Stop(error);
    };
    if pause < budget.left() {
        return Step::Retry(pause);
    }
    // A `Retry-After` the deadline cannot honour is the platform's own answer: return it, with
    // its `retry_after`, rather than a deadline that has not run out yet.
    if retry_after(&error).is_some() {
        return Step::Stop(error);
    }
    Step::Stop(deadline_exceeded(budget, attempt, error))
}

fn deadline_exceeded(budget: &Budget, attempts: u32, last: Error) -> Error {
    Error::DeadlineExceeded {
        deadline: budget.deadline,
        attempts,
        last: Some(Box::new(last)),
    }
}

fn retry_after(error: &Error) -> Option<Duration> {
    error.api().and_then(|api| api.retry_after)
}

/// A number in `[0, 1)`, random enough to spread retries apart.
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a `Retry-After` header: whole seconds, or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").expect("date");

        let seconds = parse_retry_after("120", now);
        let date = parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now);
        let past = parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now);

        assert_eq!(seconds, Some(Duration::from_secs(120)));
        assert_eq!(date, Some(Duration::from_secs(30)));
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));

        for attempt in 1..=10 {
            let ceiling = (100u64 << (attempt - 1)).min(1000);
            let pause = policy.backoff(attempt);

            assert!(
                pause <= Duration::from_millis(ceiling),
                "{attempt}: {pause:?}"
            );
            assert!(
                pause >= Duration::from_millis(ceiling / 2),
                "{attempt}: {pause:?}"
            );
        }
    }

    fn answer(status: u16, retry_after: Option<u64>) -> Error {
        Error::Api(Box::new(crate::ApiError {
            status,
            kind: crate::ApiErrorKind::from_status(status),
            message: None,
            request_id: None,
            provider_message: None,
            retry_after: retry_after.map(Duration::from_secs),
        }))
    }

    fn step(kind: Idempotency, deadline: u64, cut_short: bool, error: Error) -> Step {
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
        let budget = Budget::start(Duration::from_secs(1), Duration::from_secs(deadline));
        next_step(&policy, kind, &budget, 1, cut_short, error)
    }

    #[test]
    fn safe_requests_retry_passing_faults_and_unsafe_ones_only_refusals() {
        let safe_503 = step(Idempotency::Safe, 60, false, answer(503, None));
        let unsafe_503 = step(Idempotency::Unsafe, 60, false, answer(503, None));
        let unsafe_429 = step(Idempotency::Unsafe, 60, false, answer(429, Some(1)));
        let safe_400 = step(Idempotency::Safe, 60, false, answer(400, None));

        assert!(matches!(safe_503, Step::Retry(_)));
        assert!(matches!(unsafe_503, Step::Stop(Error::Api(_))));
        assert!(matches!(unsafe_429, Step::Retry(d) if d == Duration::from_secs(1)));
        assert!(matches!(safe_400, Step::Stop(Error::Api(_))));
    }

    #[test]
    fn retry_after_beyond_the_deadline_returns_the_answer_at_once() {
        let beyond_deadline = step(Idempotency::Safe, 5, false, answer(503, Some(10)));
        let beyond_policy = step(Idempotency::Safe, 600, false, answer(429, Some(31)));

        for outcome in [beyond_deadline, beyond_policy] {
            let Step::Stop(error) = outcome else {
                panic!("expected to stop, got {outcome:?}");
            };
            assert!(
                error.api().and_then(|a| a.retry_after).is_some(),
                "{error:?}"
            );
        }
    }

    #[test]
    fn a_deadline_that_leaves_no_room_is_reported_as_such() {
        let no_room = step(Idempotency::Safe, 0, false, answer(502, None));

        assert!(matches!(
            no_room,
            Step::Stop(Error::DeadlineExceeded {
                attempts: 1,
                last: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn no_pause_after_the_last_attempt() {
        let policy = RetryPolicy::default().max_attempts(2);
        let error = Error::RepeatedPageToken;

        assert!(policy.pause(1, &error).is_some());
        assert!(policy.pause(2, &error).is_none());
        assert!(RetryPolicy::none().pause(1, &error).is_none());
    }
}
