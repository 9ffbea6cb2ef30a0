//! Who is asking, by network address: what the per-address limits (requests, WebSocket
//! connections, log-in attempts) count against.

use poem::Request;

/// The address of the client, for per-address limits.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The peer's address; behind one trusted proxy (`QUORUM_TRUST_FORWARDED_FOR`), the address
    /// that proxy appended last to `X-Forwarded-For`. Entries before it are the client's claims
    /// and are never trusted.
    pub fn of(req: &Request, trust_forwarded_for: bool) -> Self {
        let forwarded = trust_forwarded_for
            .then(|| req.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(str::trim)
            .filter(|address| address.parse::<std::net::IpAddr>().is_ok());
        Self(forwarded.map_or_else(
            || {
                req.remote_addr()
                    .as_socket_addr()
                    .map_or_else(|| "unknown".to_owned(), |addr| addr.ip().to_string())
            },
            str::to_owned,
        ))
    }
}
