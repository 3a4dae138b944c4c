//! Password guessing: failed sign-ins counted per username and per client address over a
//! sliding window, in memory. Each replica counts on its own (see docs/security.md).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many failed sign-ins are allowed in `window` before further attempts are refused.
/// A limit of 0 turns that limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures for one username, from anywhere.
    pub per_username: u32,
    /// Failures from one address (an IPv6 address counts by its /64). Successes never count,
    /// so a hall of delegates behind one NAT address is not locked out by signing in.
    pub per_address: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> LoginLimits {
        LoginLimits {
            per_username: 10,
            per_address: 100,
            window: Duration::from_secs(5 * 60),
        }
    }
}

/// Past this many usernames or addresses held, expired entries are dropped, then (if still
/// full) an arbitrary tenth, so flooding with made-up names cannot exhaust memory.
const MAX_KEYS: usize = 100_000;
/// Usernames are at most 64 characters; longer guesses are counted under their first 128.
const MAX_KEY_CHARS: usize = 128;

#[derive(Clone)]
pub struct Throttle {
    limits: LoginLimits,
    inner: Arc<Mutex<Logs>>,
}

#[derive(Default)]
struct Logs {
    users: HashMap<String, VecDeque<Instant>>,
    addresses: HashMap<IpAddr, VecDeque<Instant>>,
}

/// One sign-in attempt under way. Its username already counts as a failure (so parallel
/// guesses cannot slip past the limit together) until [`Attempt::succeeded`] clears it; dropped
/// without a verdict (the server failed), it is taken back.
pub struct Attempt {
    throttle: Throttle,
    user: String,
    address: Option<IpAddr>,
    at: Instant,
    settled: bool,
}

impl Throttle {
    pub fn new(limits: LoginLimits) -> Throttle {
        Throttle {
            limits,
            inner: Arc::new(Mutex::new(Logs::default())),
        }
    }

    fn logs(&self) -> std::sync::MutexGuard<'_, Logs> {
        // A panic while holding the lock leaves only counters behind: keep using them.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts an attempt, or says how long to wait when the username or address has used up
    /// its failures.
    pub fn begin(&self, username: &str, address: Option<IpAddr>) -> Result<Attempt, Duration> {
        let user: String = username.chars().take(MAX_KEY_CHARS).collect();
        let address = address.map(address_key);
        let now = Instant::now();
        let window = self.limits.window;
        let mut logs = self.logs();
        let mut wait = Duration::ZERO;
        if let Some(log) = logs.users.get_mut(&user) {
            wait = wait.max(blocked_for(log, self.limits.per_username, window, now));
        }
        if let Some(log) = address.and_then(|a| logs.addresses.get_mut(&a)) {
            wait = wait.max(blocked_for(log, self.limits.per_address, window, now));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if self.limits.per_username > 0 {
            record(&mut logs.users, user.clone(), now, window);
        }
        Ok(Attempt {
            throttle: self.clone(),
            user,
            address,
            at: now,
            settled: false,
        })
    }
}

impl Throttle {
    /// Forgets the failures counted for a username (an admin has just set a new password).
    pub fn clear_username(&self, username: &str) {
        let user: String = username.chars().take(MAX_KEY_CHARS).collect();
        self.logs().users.remove(&user);
    }
}

impl Attempt {
    /// The password was wrong (or the username unknown): it counts against both.
    pub fn failed(mut self) {
        self.settled = true;
        if self.throttle.limits.per_address > 0 {
            if let Some(address) = self.address {
                let window = self.throttle.limits.window;
                let mut logs = self.throttle.logs();
                record(&mut logs.addresses, address, self.at, window);
            }
        }
    }

    /// The password was right: the username's failures are forgotten.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.throttle.logs().users.remove(&self.user);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let mut logs = self.throttle.logs();
        if let Some(log) = logs.users.get_mut(&self.user) {
            if let Some(i) = log.iter().position(|t| *t == self.at) {
                log.remove(i);
            }
            if log.is_empty() {
                logs.users.remove(&self.user);
            }
        }
    }
}

/// How long until `log` is under `limit` again (zero when it is now); forgets what has expired.
fn blocked_for(
    log: &mut VecDeque<Instant>,
    limit: u32,
    window: Duration,
    now: Instant,
) -> Duration {
    while log
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        log.pop_front();
    }
    if limit == 0 || log.len() < limit as usize {
        return Duration::ZERO;
    }
    // The oldest failures that must expire before one more attempt is allowed.
    let excess = log.len() + 1 - limit as usize;
    let release = log[excess - 1] + window;
    release
        .saturating_duration_since(now)
        .max(Duration::from_secs(1))
}

fn record<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    key: K,
    at: Instant,
    window: Duration,
) {
    if map.len() >= MAX_KEYS && !map.contains_key(&key) {
        map.retain(|_, log| {
            log.back()
                .is_some_and(|t| at.saturating_duration_since(*t) < window)
        });
        if map.len() >= MAX_KEYS {
            let mut i = 0usize;
            map.retain(|_, _| {
                i += 1;
                !i.is_multiple_of(10)
            });
            tracing::warn!("sign-in throttle table full: forgot a tenth of its entries");
        }
    }
    let log = map.entry(key).or_default();
    log.push_back(at);
    // Only the newest `limit` entries ever matter; keep memory per key bounded.
    while log.len() > 1_000 {
        log.pop_front();
    }
}

/// The unit an address is counted by: IPv4 as is, IPv6 by its /64 (one host usually holds a
/// whole /64), IPv4-mapped IPv6 as the IPv4 address.
pub fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_username: u32, per_address: u32) -> LoginLimits {
        LoginLimits {
            per_username,
            per_address,
            window: Duration::from_secs(60),
        }
    }

    #[test]
    fn failures_per_username_are_limited_and_success_forgets_them() {
        let t = Throttle::new(limits(3, 0));
        for _ in 0..2 {
            t.begin("a", None).unwrap().failed();
        }
        t.begin("a", None).unwrap().succeeded();
        for _ in 0..3 {
            t.begin("a", None).unwrap().failed();
        }
        let wait = t.begin("a", None).err().expect("limited");
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(
            t.begin("b", None).is_ok(),
            "other usernames are not affected"
        );
    }

    #[test]
    fn attempts_under_way_count_until_settled() {
        let t = Throttle::new(limits(2, 0));
        let first = t.begin("a", None).unwrap();
        let second = t.begin("a", None).unwrap();
        assert!(
            t.begin("a", None).is_err(),
            "parallel guesses count at once"
        );
        drop(first);
        second.succeeded();
        assert!(t.begin("a", None).is_ok());
    }

    #[test]
    fn addresses_count_failures_only_and_ipv6_by_prefix() {
        let t = Throttle::new(limits(0, 2));
        let one: IpAddr = "2001:db8::1".parse().unwrap();
        let same_net: IpAddr = "2001:db8::ffff".parse().unwrap();
        for i in 0..50 {
            t.begin(&format!("user{i}"), Some(one)).unwrap().succeeded();
        }
        t.begin("x", Some(one)).unwrap().failed();
        t.begin("y", Some(same_net)).unwrap().failed();
        assert!(t.begin("z", Some(one)).is_err());
        assert!(t.begin("z", Some("2001:db9::1".parse().unwrap())).is_ok());
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let t = Throttle::new(limits(0, 0));
        for _ in 0..100 {
            t.begin("a", Some([10, 0, 0, 1].into())).unwrap().failed();
        }
    }
}
