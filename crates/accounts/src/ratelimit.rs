//! Login throttling: failed logins are counted per email and per client address over a sliding
//! window; past the limit, logins are refused (429) before the password is checked.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits of the login throttle.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window: Duration,
    /// Failures allowed per email within the window.
    pub per_email: usize,
    /// Failures allowed per client address within the window.
    pub per_address: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            window: Duration::from_secs(60),
            per_email: 5,
            per_address: 20,
        }
    }
}

#[derive(Debug, Default)]
struct Windows {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl Windows {
    fn prune(&mut self, key: &str, now: Instant, window: Duration) -> usize {
        let Some(times) = self.failures.get_mut(key) else {
            return 0;
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        times.len()
    }

    fn retry_after(&self, key: &str, now: Instant, window: Duration) -> u64 {
        self.failures
            .get(key)
            .and_then(|times| times.front())
            .map(|oldest| {
                window
                    .saturating_sub(now.duration_since(*oldest))
                    .as_secs()
                    .max(1)
            })
            .unwrap_or(1)
    }
}

/// Counts failed logins in memory (per process).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    limits: LoginLimits,
    windows: Mutex<Windows>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            limits,
            windows: Mutex::new(Windows::default()),
        }
    }

    fn keys(email: &str, address: Option<&str>) -> (String, Option<String>) {
        (
            format!("email:{email}"),
            address.map(|a| format!("addr:{a}")),
        )
    }

    /// `Err(seconds to wait)` when this email or address is over its limit.
    pub fn check(&self, email: &str, address: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let window = self.limits.window;
        let (email_key, address_key) = Self::keys(email, address);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.prune(&email_key, now, window) >= self.limits.per_email {
            return Err(windows.retry_after(&email_key, now, window));
        }
        if let Some(key) = address_key
            && windows.prune(&key, now, window) >= self.limits.per_address
        {
            return Err(windows.retry_after(&key, now, window));
        }
        Ok(())
    }

    /// Count one failed login.
    pub fn record_failure(&self, email: &str, address: Option<&str>) {
        let now = Instant::now();
        let (email_key, address_key) = Self::keys(email, address);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.failures.len() > 100_000 {
            // Bound memory under a spray of distinct emails: forget windows that have passed.
            let window = self.limits.window;
            windows.failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for key in std::iter::once(email_key).chain(address_key) {
            windows.failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful login clears the email's failures (the address keeps its count).
    pub fn record_success(&self, email: &str) {
        let (email_key, _) = Self::keys(email, None);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.failures.remove(&email_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_for_one_email_is_refused() {
        let limiter = LoginLimiter::new(LoginLimits::default());
        for _ in 0..5 {
            assert!(limiter.check("a@b.vn", Some("10.0.0.1")).is_ok());
            limiter.record_failure("a@b.vn", Some("10.0.0.1"));
        }
        let wait = limiter.check("a@b.vn", Some("10.0.0.2")).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("other@b.vn", Some("10.0.0.3")).is_ok());
    }

    #[test]
    fn one_address_spraying_many_emails_is_refused() {
        let limiter = LoginLimiter::new(LoginLimits::default());
        for i in 0..20 {
            limiter.record_failure(&format!("user{i}@b.vn"), Some("10.0.0.9"));
        }
        assert!(limiter.check("fresh@b.vn", Some("10.0.0.9")).is_err());
        assert!(limiter.check("fresh@b.vn", Some("10.0.0.10")).is_ok());
    }

    #[test]
    fn failures_expire_with_the_window() {
        let limiter = LoginLimiter::new(LoginLimits {
            window: Duration::from_millis(30),
            per_email: 1,
            per_address: 10,
        });
        limiter.record_failure("a@b.vn", None);
        assert!(limiter.check("a@b.vn", None).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.check("a@b.vn", None).is_ok());
    }
}
