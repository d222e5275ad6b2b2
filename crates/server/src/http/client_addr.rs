//! The address of the client, behind trusted reverse proxies too.
//!
//! Behind a proxy every connection comes from the proxy, so the audit log and the login
//! throttle would see one address for everyone. When the connection comes from an address
//! listed in `trusted_proxies`, the client is the right-most address of `X-Forwarded-For`
//! that is not itself a trusted proxy. The header is ignored from anyone else, who could
//! write anything in it.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Deserializer};

use super::ClientAddr;

/// An address or a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    addr: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNetwork {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{} is not an IP address or network; write one like 10.0.0.0/8, 192.0.2.7 or fd00::/8",
                imsbridge_domain::quoted(raw)
            )
        };
        let (addr, prefix) = match raw.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw.trim(), None),
        };
        let addr = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl<'de> Deserialize<'de> for IpNetwork {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpNetwork]>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a connection from `peer` that carried these `X-Forwarded-For` values.
    fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(|hop| IpAddr::from_str(hop.trim()).ok())
            .collect();
        // Right to left: the first hop no trusted proxy vouches for is the client. A hop that
        // is not an address ends the walk: nothing left of it can be believed.
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => {}
                Some(ip) => return *ip,
                None => return peer,
            }
        }
        hops.first().copied().flatten().unwrap_or(peer)
    }
}

/// Middleware: puts the request's [`ClientAddr`] in its extensions.
pub async fn resolve(
    State(proxies): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let client = peer.map(|peer| {
        // Every request passes here: look at the header only on a proxy's connections.
        if !proxies.trusts(peer.ip()) {
            return peer;
        }
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = proxies.client(peer.ip(), &forwarded);
        if ip == peer.ip() {
            peer
        } else {
            SocketAddr::new(ip, 0)
        }
    });
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|s| s.parse().unwrap()).collect())
    }

    #[test]
    fn networks_parse_and_contain() {
        let net: IpNetwork = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.3.4")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(
            net.contains(ip("::ffff:10.1.2.3")),
            "IPv4-mapped IPv6 counts as IPv4"
        );
        let one: IpNetwork = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: IpNetwork = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "not-an-ip", "10.0.0/8", "::/129", ""] {
            let err = bad.parse::<IpNetwork>().unwrap_err();
            assert!(err.contains("10.0.0.0/8"), "{err}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let p = proxies(&["10.0.0.0/8"]);
        // From the proxy: the right-most untrusted hop.
        assert_eq!(
            p.client(ip("10.0.0.5"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            p.client(ip("10.0.0.5"), &["198.51.100.1, 203.0.113.9, 10.0.0.7"]),
            ip("203.0.113.9"),
            "a client-written left part cannot hide the real client"
        );
        assert_eq!(
            p.client(ip("10.0.0.5"), &["198.51.100.1", "203.0.113.9"]),
            ip("203.0.113.9")
        );
        // Only proxies in the chain: the left-most.
        assert_eq!(
            p.client(ip("10.0.0.5"), &["10.0.0.9, 10.0.0.7"]),
            ip("10.0.0.9")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.5"), &[]), ip("10.0.0.5"));
        assert_eq!(p.client(ip("10.0.0.5"), &["unknown"]), ip("10.0.0.5"));
        assert_eq!(
            p.client(ip("10.0.0.5"), &["198.51.100.1, unknown, 10.0.0.7"]),
            ip("10.0.0.5")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            p.client(ip("203.0.113.9"), &["10.1.1.1"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies(&[]).client(ip("127.0.0.1"), &["1.2.3.4"]),
            ip("127.0.0.1")
        );
    }
}
