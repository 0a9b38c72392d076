//! Where events may be sent: a guard against server-side request forgery through sinks.
//!
//! A manager types a webhook URL or Kafka brokers; without a guard that is a way to make the
//! shop's server talk to whatever it can reach — the router's admin page, a cloud metadata
//! endpoint (169.254.169.254), the database on the same box — and the sink's error would say
//! what answered. So:
//!
//! - a target must resolve only to **public** addresses: loopback, private, link-local,
//!   carrier-grade NAT, unique-local, multicast and unspecified ones are refused, unless the
//!   operator allows them (`CREMA_EGRESS_ALLOW`: CIDRs, addresses or host names; hosts the
//!   operator configured themselves, `CREMA_WEBHOOK_URL` and `CREMA_KAFKA_BROKERS`, are
//!   allowed implicitly);
//! - webhook requests connect to the addresses that were checked (the check sits in the HTTP
//!   client's resolver, so a name cannot resolve to a public address for the check and a
//!   private one for the connection), and never follow redirects;
//! - the manager sees a generic error; the detail goes to the log.
//!
//! Kafka's client resolves broker names itself (and follows the brokers' advertised
//! addresses), so brokers are checked when a sink is saved and again before each producer is
//! made; a broker that re-points its DNS between those checks is not caught (documented).

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EgressError {
    #[error("points at a private, loopback or link-local address; an operator can allow it with CREMA_EGRESS_ALLOW")]
    Forbidden,
    #[error("the host name does not resolve")]
    Unresolvable,
    #[error("is not a valid {0}")]
    Invalid(&'static str),
}

/// What the operator allows besides public addresses.
#[derive(Clone, Debug, Default)]
pub struct EgressPolicy {
    nets: Vec<IpNet>,
    hosts: Vec<String>,
}

impl EgressPolicy {
    /// From `CREMA_EGRESS_ALLOW` entries: `10.0.0.0/8`, `192.168.1.20`, `hooks.shop.lan`.
    pub fn new(entries: &[String]) -> Result<EgressPolicy, String> {
        let mut policy = EgressPolicy::default();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                policy.nets.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                policy.nets.push(IpNet::from(ip));
            } else if entry.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                policy.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!("CREMA_EGRESS_ALLOW: {entry:?} is not a CIDR, an address or a host name"));
            }
        }
        Ok(policy)
    }

    /// Also allows `host` (an operator-configured target).
    pub fn allow_host(&mut self, host: &str) {
        match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            Ok(ip) => self.nets.push(IpNet::from(ip)),
            Err(_) => self.hosts.push(host.to_ascii_lowercase()),
        }
    }

    /// Whether `host` (as written), resolved to `ip`, may be reached.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        is_public(ip)
            || self.nets.iter().any(|n| n.contains(&ip))
            || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Resolves `host:port` and keeps the permitted addresses; an error if none is.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, EgressError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((bare, port)).await.map_err(|_| EgressError::Unresolvable)?.collect(),
        };
        if found.is_empty() {
            return Err(EgressError::Unresolvable);
        }
        // Any forbidden address refuses the whole name: a name that mixes public and private
        // answers is how rebinding attacks start.
        if found.iter().any(|a| !self.permits(bare, a.ip())) {
            return Err(EgressError::Forbidden);
        }
        Ok(found)
    }

    /// Checks a webhook URL when it is saved: its scheme, and its host if it resolves now
    /// (a name that does not resolve yet is checked again at every delivery).
    pub async fn check_url(&self, raw: &str) -> Result<(), EgressError> {
        let url = reqwest::Url::parse(raw).map_err(|_| EgressError::Invalid("URL"))?;
        let host = url.host_str().ok_or(EgressError::Invalid("URL"))?;
        let port = url.port_or_known_default().ok_or(EgressError::Invalid("URL"))?;
        match self.resolve(host, port).await {
            Ok(_) | Err(EgressError::Unresolvable) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Checks Kafka bootstrap brokers (`host:port,host:port`): each must resolve, permitted.
    pub async fn check_brokers(&self, brokers: &str) -> Result<(), EgressError> {
        for broker in brokers.split(',').map(str::trim).filter(|b| !b.is_empty()) {
            let (host, port) = broker.rsplit_once(':').ok_or(EgressError::Invalid("broker list (host:port)"))?;
            let port: u16 = port.parse().map_err(|_| EgressError::Invalid("broker list (host:port)"))?;
            match self.resolve(host, port).await {
                Ok(_) | Err(EgressError::Unresolvable) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Whether an address is on the public internet (or at least not one of the shop's own).
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80) // link local
        }
    }
}

/// The webhook client's resolver: answers only with permitted addresses, so the connection
/// goes to an address that was checked.
#[derive(Clone, Debug)]
pub struct GuardedResolver(pub Arc<EgressPolicy>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let addrs =
                policy.resolve(name.as_str(), 0).await.map_err(|e| -> Box<dyn std::error::Error + Send + Sync> {
                    tracing::warn!(host = name.as_str(), error = %e, "refused an outbound connection");
                    Box::new(e)
                })?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The client for webhook deliveries: guarded resolver, no redirects, connect timeout.
pub fn http_client(policy: Arc<EgressPolicy>) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver(policy)))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private} is not public");
        }
        for public in ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().expect("ip")), "{public} is public");
        }
    }

    #[tokio::test]
    async fn private_targets_need_the_operators_word() {
        let strict = EgressPolicy::default();
        assert_eq!(strict.check_url("http://127.0.0.1:9/hook").await, Err(EgressError::Forbidden));
        assert_eq!(strict.check_url("http://169.254.169.254/latest/meta-data").await, Err(EgressError::Forbidden));
        assert_eq!(strict.check_url("http://localhost:8080/").await, Err(EgressError::Forbidden));
        assert_eq!(strict.check_url("http://[::1]:80/").await, Err(EgressError::Forbidden));
        assert_eq!(strict.check_brokers("10.0.0.5:9092").await, Err(EgressError::Forbidden));
        let allowed = EgressPolicy::new(&["127.0.0.0/8".into(), "hooks.shop.lan".into()]).expect("policy");
        assert_eq!(allowed.check_url("http://127.0.0.1:9/hook").await, Ok(()));
        assert!(allowed.permits("hooks.shop.lan", "192.168.1.9".parse().expect("ip")));
        assert!(!allowed.permits("other.lan", "192.168.1.9".parse().expect("ip")));
        assert!(EgressPolicy::new(&["not a host!".into()]).is_err());
    }
}
