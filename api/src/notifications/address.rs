//! The SSRF guard: a webhook may only reach the public internet. In production an endpoint must
//! be `https` and resolve only to public addresses; development also allows loopback, so that
//! tests and local receivers work. The check runs when an endpoint is made and again at each
//! delivery, after DNS, on the very addresses the request then connects to.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use url::{Host, Url};

use crate::error::{ApiError, ApiResult};

/// What an endpoint may point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// Plain `http` and loopback addresses, for development.
    pub local: bool,
}

impl Reach {
    /// Production reaches only `https` and public addresses; development also loopback.
    pub fn for_production(production: bool) -> Self {
        Self { local: !production }
    }

    /// Whether a request may connect to `ip`.
    pub fn allows(self, ip: IpAddr) -> bool {
        match classify(ip) {
            Kind::Public => true,
            Kind::Loopback => self.local,
            Kind::Forbidden => false,
        }
    }

    /// Parses an endpoint URL from the input field `field`, refusing what this reach forbids
    /// before any DNS: another scheme, credentials, a forbidden address literal.
    pub fn parse(self, raw: &str, field: &str) -> ApiResult<Url> {
        let refuse = |why: &str| ApiError::bad_input(field, format!("`{field}` {why}"));
        let raw = raw.trim();
        if raw.len() > 2000 {
            return Err(refuse("may have at most 2000 characters"));
        }
        let url = Url::parse(raw).map_err(|_| refuse("is not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.local => {}
            _ => return Err(refuse("must be an https URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("must not carry credentials"));
        }
        match url.host() {
            None => return Err(refuse("has no host")),
            Some(Host::Ipv4(ip)) if !self.allows(IpAddr::V4(ip)) => {
                return Err(refuse("points at a private or reserved address"));
            }
            Some(Host::Ipv6(ip)) if !self.allows(IpAddr::V6(ip)) => {
                return Err(refuse("points at a private or reserved address"));
            }
            Some(Host::Domain(name)) if !self.local && is_local_name(name) => {
                return Err(refuse("points at a private or reserved address"));
            }
            Some(_) => {}
        }
        Ok(url)
    }

    /// Resolves `url`'s host and keeps the addresses this reach allows; an error when none is.
    pub async fn resolve(self, url: &Url) -> Result<Vec<SocketAddr>, String> {
        let port = url
            .port_or_known_default()
            .ok_or_else(|| "the URL has no port".to_owned())?;
        let addresses: Vec<SocketAddr> = match url.host() {
            None => return Err("the URL has no host".to_owned()),
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(Host::Domain(name)) => tokio::net::lookup_host((name, port))
                .await
                .map_err(|err| format!("cannot resolve {name}: {err}"))?
                .collect(),
        };
        let allowed: Vec<SocketAddr> = addresses
            .iter()
            .copied()
            .filter(|address| self.allows(address.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(if addresses.is_empty() {
                "the host resolves to no address".to_owned()
            } else {
                "the host resolves to a private or reserved address".to_owned()
            });
        }
        Ok(allowed)
    }
}

/// `localhost` and names under it, which resolve to loopback without asking DNS.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

enum Kind {
    Public,
    Loopback,
    Forbidden,
}

fn classify(ip: IpAddr) -> Kind {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(mapped) => classify_v4(mapped),
            None => classify_v6(ip),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Kind {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Kind::Loopback
    } else if ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, which holds the cloud metadata address
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
    {
        Kind::Forbidden
    } else {
        Kind::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Kind {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Kind::Loopback
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64, which may reach private IPv4
        || first == 0x2002 // 6to4: an IPv4 address inside, reached through a relay
        || first == 0x2001 && ip.segments()[1] == 0 // Teredo: an IPv4 address inside, obscured
        || ip.segments()[..5] == [0, 0, 0, 0, 0] // IPv4-compatible
        || ip.segments()[..6] == [0, 0, 0, 0, 0xffff, 0] // IPv4-translated (RFC 6145)
        || ip.segments()[..4] == [0x0100, 0, 0, 0]
    // discard-only (RFC 6666)
    {
        Kind::Forbidden
    } else {
        Kind::Public
    }
}

/// reqwest's DNS hook: every name a webhook request resolves goes through [`Reach::allows`], so
/// the request connects only to addresses that passed the check, whatever DNS answers later.
pub struct GuardedResolver(pub Reach);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let reach = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            if !reach.local && is_local_name(&host) {
                return Err(Box::<dyn std::error::Error + Send + Sync>::from(
                    "the host is local".to_owned(),
                ));
            }
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| reach.allows(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(Box::<dyn std::error::Error + Send + Sync>::from(format!(
                    "{host} resolves to no public address"
                )));
            }
            let addresses: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addresses)
        })
    }
}

/// The resolver, shared by the webhook client.
pub fn resolver(reach: Reach) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver(reach))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_every_internal_address() {
        let production = Reach::for_production(true);
        for url in [
            "https://127.0.0.1/hook",
            "https://10.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://[fd00:ec2::254]/hook",
            "https://192.168.1.1/hook",
            "https://172.16.0.1/hook",
            "https://100.64.0.1/hook",
            "https://0.0.0.0/hook",
            "https://[::]/hook",
            "https://224.0.0.1/hook",
            "https://[ff02::1]/hook",
            "https://100.127.255.254/hook",
            "https://[2002:a00:1::]/hook",
            "https://[2002:7f00:1::]/hook",
            "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:169.254.169.254]/hook",
            "https://[::ffff:0:a00:1]/hook",
            "https://[::ffff:0:7f00:1]/hook",
            "https://[::ffff:0:5db8:d70e]/hook",
            "https://[100::1]/hook",
            "https://localhost/hook",
            "http://example.org/hook",
            "https://user:pass@example.org/hook",
            "ftp://example.org/hook",
        ] {
            assert!(production.parse(url, "url").is_err(), "{url}");
        }
        assert!(production.parse("https://example.org/hook", "url").is_ok());
        assert!(
            production
                .parse("https://93.184.215.14/hook", "url")
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_name_is_checked_again_after_dns() {
        use reqwest::dns::Resolve;
        let production = GuardedResolver(Reach::for_production(true));
        let name: reqwest::dns::Name = "localhost".parse().expect("a name");
        assert!(production.resolve(name).await.is_err());
        let development = GuardedResolver(Reach::for_production(false));
        let name: reqwest::dns::Name = "localhost".parse().expect("a name");
        let found: Vec<SocketAddr> = development.resolve(name).await.expect("loopback").collect();
        assert!(found.iter().all(|address| address.ip().is_loopback()));
        let url = Url::parse("https://localhost/hook").expect("a URL");
        assert!(Reach::for_production(true).resolve(&url).await.is_err());
    }

    #[test]
    fn development_allows_loopback_only() {
        let development = Reach::for_production(false);
        assert!(
            development
                .parse("http://127.0.0.1:9000/hook", "url")
                .is_ok()
        );
        assert!(development.parse("http://[::1]:9000/hook", "url").is_ok());
        assert!(
            development
                .parse("http://localhost:9000/hook", "url")
                .is_ok()
        );
        assert!(development.parse("http://10.0.0.1/hook", "url").is_err());
        assert!(development.parse("http://169.254.169.254/", "url").is_err());
    }
}
