//! The re-check after DNS: which addresses a grant may reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why an address is off limits to a grant that does not name it: it reaches this machine, its
/// link, or the cloud provider's instance metadata (credentials).
pub(super) fn reserved(ip: IpAddr) -> Option<&'static str> {
    const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
    const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip.to_canonical() {
        IpAddr::V4(v4) if v4 == METADATA_V4 => Some("the cloud metadata address"),
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address"),
        IpAddr::V4(v4) if v4.is_link_local() => Some("a link-local address"),
        // 0.0.0.0/8: connecting to it reaches this machine.
        IpAddr::V4(v4) if v4.octets()[0] == 0 => Some("an unspecified address"),
        IpAddr::V6(v6) if v6 == METADATA_V6 => Some("the cloud metadata address"),
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("an unspecified address"),
        IpAddr::V6(v6) if v6.is_unicast_link_local() => Some("a link-local address"),
        _ => None,
    }
}

/// The re-check after DNS: a grant naming an IP address was granted that address; `localhost`
/// was granted loopback; any other name must not resolve to a reserved address. `host` is the
/// granted host (the request's host matched it).
pub(super) fn vet_addresses(
    host: &str,
    addrs: &[SocketAddr],
) -> Result<(), (IpAddr, &'static str)> {
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    for addr in addrs {
        let ip = addr.ip();
        match reserved(ip) {
            Some(_) if host == "localhost" && ip.to_canonical().is_loopback() => {}
            Some(what) => return Err((ip, what)),
            None => {}
        }
    }
    Ok(())
}
