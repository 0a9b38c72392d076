//! Staff, their roles, their PINs, and what each role may do.
//!
//! The rules live here, as data, so the server enforces them in one place and the screens
//! can decide what to offer from the same table.

use crate::status::OrderStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a member of staff is at the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Cashier,
    Barista,
    Manager,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Cashier, Role::Barista, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Barista => "barista",
            Role::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Whether this role may do `permission` at all.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Manager => true,
            Role::Cashier => matches!(permission, ReadOrders | ReadEvents | PlaceOrder | TakePayment | CancelOrder),
            Role::Barista => matches!(permission, ReadOrders | ReadEvents | WorkOrders),
        }
    }

    /// Whether this role may cancel an order in `status` (a cashier only before it is being
    /// prepared; a manager whenever cancelling is legal at all).
    pub fn may_cancel(self, status: OrderStatus) -> bool {
        match self {
            Role::Manager => true,
            Role::Cashier => matches!(status, OrderStatus::Placed | OrderStatus::Accepted),
            Role::Barista => false,
        }
    }
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ReadOrders,
        Permission::ReadEvents,
        Permission::PlaceOrder,
        Permission::TakePayment,
        Permission::CancelOrder,
        Permission::WorkOrders,
        Permission::EditMenu,
        Permission::ManageStaff,
        Permission::ReadAudit,
        Permission::ManageJobs,
        Permission::ManageSinks,
        Permission::Refund,
        Permission::ManageSettings,
        Permission::ReadReports,
        Permission::ManageTerminals,
    ];
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Things the API lets people do, grouped the way the roles differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// List and read orders.
    ReadOrders,
    /// Follow the live event stream.
    ReadEvents,
    /// Ring up an order.
    PlaceOrder,
    /// Take payment for an order.
    TakePayment,
    /// Cancel an order (a cashier only before preparation starts).
    CancelOrder,
    /// Accept, start and finish lines, complete.
    WorkOrders,
    /// Edit the menu, 86 items.
    EditMenu,
    /// Add, edit, deactivate staff; reset PINs.
    ManageStaff,
    /// Read the audit log.
    ReadAudit,
    /// See the durable jobs and retry dead ones.
    ManageJobs,
    /// Configure webhook sinks, replay deliveries.
    ManageSinks,
    /// Give money back.
    Refund,
    /// Change the shop's name, currency, tax and ticket-age thresholds.
    ManageSettings,
    /// Read the day's numbers and export orders.
    ReadReports,
    /// Enrol, rename and revoke terminals.
    ManageTerminals,
}

pub const MIN_PIN_DIGITS: usize = 4;
pub const MAX_PIN_DIGITS: usize = 8;

/// A PIN: 4 to 8 ASCII digits. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub fn parse(raw: &str) -> Result<Pin, String> {
        if (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin(raw.to_string()))
        } else {
            Err(format!("must be {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits"))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_4_to_8_digits() {
        for good in ["1234", "00000000", "987654"] {
            assert!(Pin::parse(good).is_ok(), "{good}");
        }
        for bad in ["123", "123456789", "12a4", " 1234", "", "１２３４"] {
            assert!(Pin::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", Pin::parse("1234").ok()), "Some(Pin(****))");
    }

    #[test]
    fn role_table() {
        use Permission::*;
        let all = Permission::ALL;
        let allowed = |role: Role| all.iter().copied().filter(|p| role.may(*p)).collect::<Vec<_>>();
        assert_eq!(allowed(Role::Cashier), [ReadOrders, ReadEvents, PlaceOrder, TakePayment, CancelOrder]);
        assert_eq!(allowed(Role::Barista), [ReadOrders, ReadEvents, WorkOrders]);
        assert_eq!(allowed(Role::Manager), all);
    }

    #[test]
    fn cashiers_cancel_only_before_preparation() {
        for status in OrderStatus::ALL {
            let expected = matches!(status, OrderStatus::Placed | OrderStatus::Accepted);
            assert_eq!(Role::Cashier.may_cancel(*status), expected, "{status}");
            assert!(Role::Manager.may_cancel(*status));
            assert!(!Role::Barista.may_cancel(*status));
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
