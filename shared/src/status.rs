//! The states an order, a line and a payment can be in, with their wire names.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// `placed → accepted → preparing → ready → completed`; `cancelled` before `ready`.
    OrderStatus {
        Placed => "placed",
        Accepted => "accepted",
        Preparing => "preparing",
        Ready => "ready",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

wire_enum! {
    /// `queued → making → done`, per line; `voided` when taken off an order not yet paid.
    LineStatus {
        Queued => "queued",
        Making => "making",
        Done => "done",
        Voided => "voided",
    }
}

wire_enum! {
    /// `unpaid → authorized → captured → refunded`, or `voided` from `authorized`; a tab paid
    /// in parts is `partly_paid` until the last part.
    PaymentStatus {
        Unpaid => "unpaid",
        PartlyPaid => "partly_paid",
        Authorized => "authorized",
        Captured => "captured",
        Refunded => "refunded",
        Voided => "voided",
    }
}

wire_enum! {
    /// How a payment was tendered.
    PaymentMethod {
        Cash => "cash",
        Card => "card",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_string(s).ok(), Some(format!("\"{}\"", s.as_str())));
        }
        for s in LineStatus::ALL {
            assert_eq!(LineStatus::parse(s.as_str()), Some(*s));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(OrderStatus::parse("nope"), None);
    }
}
