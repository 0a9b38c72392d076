//! What the services answer, as `crema.v1` messages: the REST face's DTOs, field for field.

use super::pb::crema::v1 as pb;
use chrono::{DateTime, Utc};
use crema_shared::api::{
    LineOptionDto, MenuCategoryView, MenuItemView, MenuOptionView, MenuView, ModifierGroupView, OrderDto, OrderLineDto,
    StatusChangeDto,
};
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};

pub fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: at.timestamp(), nanos: at.timestamp_subsec_nanos() as i32 }
}

pub fn order_status(status: OrderStatus) -> pb::OrderStatus {
    match status {
        OrderStatus::Placed => pb::OrderStatus::Placed,
        OrderStatus::Accepted => pb::OrderStatus::Accepted,
        OrderStatus::Preparing => pb::OrderStatus::Preparing,
        OrderStatus::Ready => pb::OrderStatus::Ready,
        OrderStatus::Completed => pb::OrderStatus::Completed,
        OrderStatus::Cancelled => pb::OrderStatus::Cancelled,
    }
}

pub fn payment_status(status: PaymentStatus) -> pb::PaymentStatus {
    match status {
        PaymentStatus::Unpaid => pb::PaymentStatus::Unpaid,
        PaymentStatus::Authorized => pb::PaymentStatus::Authorized,
        PaymentStatus::Captured => pb::PaymentStatus::Captured,
        PaymentStatus::Refunded => pb::PaymentStatus::Refunded,
        PaymentStatus::Voided => pb::PaymentStatus::Voided,
        PaymentStatus::PartlyPaid => pb::PaymentStatus::PartlyPaid,
    }
}

fn line_status(status: LineStatus) -> pb::LineStatus {
    match status {
        LineStatus::Queued => pb::LineStatus::Queued,
        LineStatus::Making => pb::LineStatus::Making,
        LineStatus::Done => pb::LineStatus::Done,
        LineStatus::Voided => pb::LineStatus::Voided,
    }
}

pub fn payment_method(method: PaymentMethod) -> pb::PaymentMethod {
    match method {
        PaymentMethod::Cash => pb::PaymentMethod::Cash,
        PaymentMethod::Card => pb::PaymentMethod::Card,
    }
}

pub fn order(order: OrderDto) -> pb::Order {
    pb::Order {
        id: order.id.to_string(),
        ticket_number: order.ticket_number,
        ticket: order.ticket,
        ticket_prefix: order.ticket_prefix,
        business_date: order.business_date,
        customer_name: order.customer_name,
        customer_email: order.customer_email,
        status: order_status(order.status) as i32,
        payment_status: payment_status(order.payment_status) as i32,
        currency: order.currency,
        lines: order.lines.into_iter().map(line).collect(),
        subtotal_cents: order.subtotal_cents,
        discount_cents: order.discount_cents,
        tax_cents: order.tax_cents,
        tip_cents: order.tip_cents,
        total_cents: order.total_cents,
        payment_method: order.payment_method.map(|m| payment_method(m) as i32),
        payment_reference: order.payment_reference,
        refunded_cents: order.refunded_cents,
        tendered_cents: order.tendered_cents,
        change_due_cents: order.change_due_cents,
        version: order.version,
        created_at: Some(timestamp(order.created_at)),
        updated_at: Some(timestamp(order.updated_at)),
        placed_by: order.placed_by.map(|id| id.to_string()),
        history: order.history.unwrap_or_default().into_iter().map(status_change).collect(),
        discounts: order.discounts.into_iter().map(discount).collect(),
        tenders: order
            .tenders
            .into_iter()
            .map(|t| pb::Tender {
                method: payment_method(t.method) as i32,
                amount_cents: t.amount_cents,
                tip_cents: t.tip_cents,
                tendered_cents: t.tendered_cents,
                change_cents: t.change_cents,
                reference: t.reference,
            })
            .collect(),
        paid_cents: order.paid_cents,
        due_cents: order.due_cents,
        kitchen_held: order.kitchen_held,
    }
}

fn discount(d: crema_shared::api::DiscountDto) -> pb::Discount {
    pb::Discount {
        reason_id: d.reason_id.to_string(),
        reason: d.reason,
        line_id: d.line_id.map(|id| id.to_string()),
        percent_bps: d.percent_bps,
        amount_cents: d.amount_cents,
        approved_by: d.approved_by.map(|id| id.to_string()),
    }
}

fn line(line: OrderLineDto) -> pb::OrderLine {
    pb::OrderLine {
        id: line.id.to_string(),
        item_id: line.item_id.to_string(),
        name: line.name,
        quantity: line.quantity,
        unit_price_cents: line.unit_price_cents,
        options: line.options.into_iter().map(line_option).collect(),
        note: line.note,
        status: line_status(line.status) as i32,
        line_total_cents: line.line_total_cents,
    }
}

fn line_option(option: LineOptionDto) -> pb::LineOption {
    pb::LineOption {
        option_id: option.option_id.to_string(),
        group_name: option.group_name,
        name: option.name,
        price_delta_cents: option.price_delta_cents,
    }
}

fn status_change(change: StatusChangeDto) -> pb::StatusChange {
    pb::StatusChange {
        from_status: change.from.map_or(pb::OrderStatus::Unspecified, order_status) as i32,
        to_status: order_status(change.to) as i32,
        at: Some(timestamp(change.at)),
        reason: change.reason,
    }
}

pub fn menu(menu: MenuView) -> pb::Menu {
    pb::Menu {
        version: menu.version,
        currency: menu.currency,
        categories: menu.categories.into_iter().map(category).collect(),
    }
}

fn category(category: MenuCategoryView) -> pb::MenuCategory {
    pb::MenuCategory {
        id: category.id.to_string(),
        name: category.name,
        items: category.items.into_iter().map(item).collect(),
    }
}

fn item(item: MenuItemView) -> pb::MenuItem {
    pb::MenuItem {
        id: item.id.to_string(),
        name: item.name,
        price_cents: item.price_cents,
        available: item.available,
        prep_seconds: item.prep_seconds,
        modifier_groups: item.modifier_groups.into_iter().map(group).collect(),
    }
}

fn group(group: ModifierGroupView) -> pb::ModifierGroup {
    pb::ModifierGroup {
        id: group.id.to_string(),
        name: group.name,
        min: group.min,
        max: group.max,
        required: group.required,
        options: group.options.into_iter().map(option).collect(),
    }
}

fn option(option: MenuOptionView) -> pb::MenuOption {
    pb::MenuOption {
        id: option.id.to_string(),
        name: option.name,
        price_delta_cents: option.price_delta_cents,
        available: option.available,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_protobuf_value() {
        let values: std::collections::BTreeSet<i32> =
            OrderStatus::ALL.iter().map(|s| order_status(*s) as i32).collect();
        assert_eq!(values.len(), OrderStatus::ALL.len());
        assert!(!values.contains(&(pb::OrderStatus::Unspecified as i32)));
    }

    #[test]
    fn timestamps_keep_their_nanoseconds() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T08:15:30.123456789Z").map(|t| t.with_timezone(&Utc));
        let ts = timestamp(at.expect("valid time"));
        assert_eq!((ts.seconds, ts.nanos), (1_796_285_730, 123_456_789));
    }
}
