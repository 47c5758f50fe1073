//! When and how a failed call is tried again.
//!
//! Retries are on by default and bounded three ways: a number of attempts, a growing pause
//! between them, and the call's total deadline. Only what is safe to repeat is repeated:
//! `GET`, `PUT` and `DELETE`. A `POST` that creates something, or a `PATCH`, is sent again only
//! when the connection was refused, which proves the platform never saw it; see
//! [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) for the rest.

use std::time::{Duration, SystemTime};

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

    /// The longest `Retry-After` the client waits for; a longer one ends the retries.
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

    #[test]
    fn no_pause_after_the_last_attempt() {
        let policy = RetryPolicy::default().max_attempts(2);
        let error = Error::RepeatedPageToken;

        assert!(policy.pause(1, &error).is_some());
        assert!(policy.pause(2, &error).is_none());
        assert!(RetryPolicy::none().pause(1, &error).is_none());
    }
}
