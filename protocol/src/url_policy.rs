//! Which addresses a wallet may be sent to by what it scans: https to the public internet,
//! and this machine's loopback only where the wallet is told to allow it (tests, the local
//! demo).
//!
//! A QR code or link is written by whoever shows it. Without these rules it could make the
//! citizen's device send requests into the network it sits in (a router's admin page, a
//! cloud metadata service at 169.254.169.254): server-side request forgery from the wallet.
//! Hosts are read with the same WHATWG parser reqwest uses, so `https://2130706433/` is the
//! loopback address here exactly as it would be on the wire.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Where an IP address leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Routable on the public internet.
    Public,
    /// This machine.
    Loopback,
    /// A private, link-local, shared, reserved, documentation or multicast range: never.
    Internal,
}

/// Why a URL is not fetched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("not a valid URL")]
    Malformed,
    #[error("not https")]
    NotHttps,
    #[error("the address carries a user name or password")]
    UserInfo,
    #[error("the address points into a private or local network")]
    Internal,
    #[error("the address points at this device")]
    Loopback,
}

/// Classifies an address by the IANA special-purpose registries.
pub fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => reach_v4(v4),
        IpAddr::V6(v6) => reach_v6(v6),
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    if a == 127 {
        return Reach::Loopback;
    }
    let internal = a == 0
        || a == 10
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224;
    if internal {
        Reach::Internal
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    if ip == Ipv6Addr::LOCALHOST {
        return Reach::Loopback;
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return reach_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return reach_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    let internal = s[..6] == [0; 6] // unspecified, IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]); // discard-only
    if internal {
        Reach::Internal
    } else {
        Reach::Public
    }
}

/// Whether an address may be connected to.
pub fn ip_allowed(ip: IpAddr, allow_loopback: bool) -> Result<(), UrlRefusal> {
    match reach(ip) {
        Reach::Public => Ok(()),
        Reach::Loopback if allow_loopback => Ok(()),
        Reach::Loopback => Err(UrlRefusal::Loopback),
        Reach::Internal => Err(UrlRefusal::Internal),
    }
}

/// Checks a URL a wallet is told to fetch or post to: https to a host name or a public
/// address; with `allow_loopback`, also http or https to this machine (`localhost` or a
/// loopback address). Host names are checked again when they are resolved (the wallet's
/// resolver drops internal addresses).
pub fn check_fetchable_url(url: &str, allow_loopback: bool) -> Result<(), UrlRefusal> {
    let parsed = Url::parse(url).map_err(|_| UrlRefusal::Malformed)?;
    // The parser forgives `https:host/...` and `HTTPS://...`; the text is what the caller
    // passes on and shows, so it must say plainly where it leads.
    let written_plainly = url
        .strip_prefix(parsed.scheme())
        .is_some_and(|rest| rest.starts_with("://"));
    if !written_plainly {
        return Err(UrlRefusal::Malformed);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlRefusal::UserInfo);
    }
    let host = parsed.host().ok_or(UrlRefusal::Malformed)?;
    let loopback = match host {
        Host::Ipv4(ip) => {
            ip_allowed(IpAddr::V4(ip), allow_loopback)?;
            ip.is_loopback()
        }
        Host::Ipv6(ip) => {
            ip_allowed(IpAddr::V6(ip), allow_loopback)?;
            ip.is_loopback()
        }
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            let local = name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost");
            if local && !allow_loopback {
                return Err(UrlRefusal::Loopback);
            }
            local
        }
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(UrlRefusal::NotHttps),
    }
}

/// [`check_fetchable_url`] as a yes or no.
pub fn is_fetchable_url(url: &str, allow_loopback: bool) -> bool {
    check_fetchable_url(url, allow_loopback).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_is_fetched_and_loopback_only_when_allowed() {
        assert!(is_fetchable_url("https://verifier.example/req/1", false));
        assert!(is_fetchable_url("https://93.184.216.34/x", false));
        assert!(is_fetchable_url("https://[2a00:1450::1]/x", false));
        for local in [
            "http://127.0.0.1:8080/x",
            "https://127.0.0.1/x",
            "http://localhost:3000/",
            "https://[::1]:8443/",
            "http://LOCALHOST./x",
            "https://2130706433/x",
            "https://0x7f.1/x",
        ] {
            assert!(is_fetchable_url(local, true), "{local}");
            assert!(!is_fetchable_url(local, false), "{local}");
        }
    }

    #[test]
    fn internal_networks_and_tricks_are_refused_even_with_loopback_allowed() {
        for (url, why) in [
            (
                "https://169.254.169.254/latest/meta-data/",
                UrlRefusal::Internal,
            ),
            ("https://10.0.0.1/", UrlRefusal::Internal),
            ("https://172.16.5.4/", UrlRefusal::Internal),
            ("https://192.168.1.1/admin", UrlRefusal::Internal),
            ("https://100.64.0.1/", UrlRefusal::Internal),
            ("https://0.0.0.0/", UrlRefusal::Internal),
            ("https://0/", UrlRefusal::Internal),
            ("https://224.0.0.1/", UrlRefusal::Internal),
            ("https://255.255.255.255/", UrlRefusal::Internal),
            ("https://[fe80::1]/", UrlRefusal::Internal),
            ("https://[fd00::1]/", UrlRefusal::Internal),
            ("https://[::ffff:192.168.0.1]/", UrlRefusal::Internal),
            ("https://[::ffff:a9fe:a9fe]/", UrlRefusal::Internal),
            ("https://[64:ff9b::a00:1]/", UrlRefusal::Internal),
            ("https://[::]/", UrlRefusal::Internal),
            ("https://user:pw@verifier.example/", UrlRefusal::UserInfo),
            ("http://verifier.example/", UrlRefusal::NotHttps),
            ("ftp://verifier.example/", UrlRefusal::NotHttps),
            ("file:///etc/passwd", UrlRefusal::Malformed),
            ("not a url", UrlRefusal::Malformed),
            ("https:verifier.example/x", UrlRefusal::Malformed),
            ("https:/verifier.example/x", UrlRefusal::Malformed),
            ("HTTPS://verifier.example/x", UrlRefusal::Malformed),
        ] {
            assert_eq!(check_fetchable_url(url, true), Err(why.clone()), "{url}");
        }
    }

    #[test]
    fn mapped_and_nat64_addresses_are_judged_by_the_ipv4_inside() {
        assert_eq!(reach("::ffff:127.0.0.1".parse().unwrap()), Reach::Loopback);
        assert_eq!(reach("::ffff:8.8.8.8".parse().unwrap()), Reach::Public);
        assert_eq!(reach("64:ff9b::808:808".parse().unwrap()), Reach::Public);
        assert_eq!(reach("64:ff9b::7f00:1".parse().unwrap()), Reach::Loopback);
    }
}
