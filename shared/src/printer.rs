//! Where a network printer listens: `tcp://host:port`, the raw-socket protocol (JetDirect)
//! that ESC/POS receipt and kitchen printers speak, on port 9100 unless said otherwise.
//!
//! Parsed once, where a manager or an operator gives it, so a bad address is refused by
//! name there instead of failing at the first receipt.

use std::fmt;
use std::str::FromStr;

/// The raw printing port, when an address names none.
pub const DEFAULT_PRINTER_PORT: u16 = 9100;
const MAX_HOST_CHARS: usize = 253;

/// A printer's address: a host (name, IPv4, or `[IPv6]`) and a port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrinterAddress {
    host: String,
    port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPrinterAddress {
    #[error("a printer address is tcp://host:port, like tcp://192.168.1.50:9100")]
    NotTcp,
    #[error("the printer's host is missing or not a host name or IP address")]
    BadHost,
    #[error("the printer's port must be a number from 1 to 65535")]
    BadPort,
}

impl PrinterAddress {
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port` as a socket connect wants it (IPv6 hosts keep their brackets).
    pub fn socket(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl FromStr for PrinterAddress {
    type Err = InvalidPrinterAddress;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let rest = raw.trim().strip_prefix("tcp://").ok_or(InvalidPrinterAddress::NotTcp)?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
            let (inside, after) = bracketed.split_once(']').ok_or(InvalidPrinterAddress::BadHost)?;
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(InvalidPrinterAddress::BadHost);
            }
            (format!("[{inside}]"), after)
        } else {
            let end = rest.find(':').unwrap_or(rest.len());
            let (host, after) = rest.split_at(end);
            if !is_host_name(host) {
                return Err(InvalidPrinterAddress::BadHost);
            }
            (host.to_ascii_lowercase(), after)
        };
        let port = match port.strip_prefix(':') {
            None if port.is_empty() => DEFAULT_PRINTER_PORT,
            None => return Err(InvalidPrinterAddress::BadHost),
            Some(digits) => digits.parse::<u16>().ok().filter(|p| *p > 0).ok_or(InvalidPrinterAddress::BadPort)?,
        };
        Ok(PrinterAddress { host, port })
    }
}

/// Letters, digits, dots and hyphens in labels that neither start nor end with a hyphen
/// (an IPv4 address is such a name too).
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= MAX_HOST_CHARS
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl fmt::Display for PrinterAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tcp://{}:{}", self.host, self.port)
    }
}

impl serde::Serialize for PrinterAddress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PrinterAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Result<PrinterAddress, InvalidPrinterAddress> {
        s.parse()
    }

    #[test]
    fn reads_hosts_ports_and_the_default_port() {
        assert_eq!(parse("tcp://192.168.1.50:9100").map(|a| a.socket()), Ok("192.168.1.50:9100".into()));
        assert_eq!(
            parse(" tcp://Receipt-Printer.local ").map(|a| a.to_string()),
            Ok("tcp://receipt-printer.local:9100".into())
        );
        assert_eq!(parse("tcp://[::1]:9101").map(|a| a.socket()), Ok("[::1]:9101".into()));
    }

    #[test]
    fn refuses_what_is_not_a_raw_printer_address() {
        assert_eq!(parse("http://printer:9100"), Err(InvalidPrinterAddress::NotTcp));
        assert_eq!(parse("printer:9100"), Err(InvalidPrinterAddress::NotTcp));
        assert_eq!(parse("tcp://:9100"), Err(InvalidPrinterAddress::BadHost));
        assert_eq!(parse("tcp://user@printer:9100"), Err(InvalidPrinterAddress::BadHost));
        assert_eq!(parse("tcp://printer:9100/path"), Err(InvalidPrinterAddress::BadPort));
        assert_eq!(parse("tcp://printer:0"), Err(InvalidPrinterAddress::BadPort));
        assert_eq!(parse("tcp://printer:70000"), Err(InvalidPrinterAddress::BadPort));
        assert_eq!(parse("tcp://[not-v6]:9100"), Err(InvalidPrinterAddress::BadHost));
        assert_eq!(parse("tcp://-printer:9100"), Err(InvalidPrinterAddress::BadHost));
    }

    proptest! {
        #[test]
        fn an_address_reads_back_as_itself(host in "[a-z0-9]{1,10}(\\.[a-z0-9]{1,10}){0,3}", port in 1u16..) {
            let address = parse(&format!("tcp://{host}:{port}")).expect("valid");
            prop_assert_eq!(parse(&address.to_string()), Ok(address.clone()));
            prop_assert_eq!(address.port(), port);
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,40}") {
            let _ = parse(&raw);
            let _ = parse(&format!("tcp://{raw}"));
        }
    }
}
