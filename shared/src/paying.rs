//! A payment taken for an order already placed (a tab): all that is due or a part of it, in
//! cash or on the card terminal, with a tip on what it pays. The one reading of such a
//! request, for REST, gRPC and the till; whether the part fits what is due is the
//! lifecycle's to say (it knows the order).

use crate::api::PaymentRequest;
use crate::lifecycle::OrderCommand;
use crate::money::Money;
use crate::placing::{parse_tender, TenderRequest, MAX_TENDER_CENTS};
use crate::tip::Tip;
use crate::validation::ValidationErrors;

/// The lifecycle command `payment` asks for, or every field that is wrong.
pub fn later_payment(payment: &PaymentRequest) -> Result<OrderCommand, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if payment.amount_cents.is_some() {
        errors.push("amount_cents", "is only for the tenders of a split at placement; a part is `part_cents`");
    }
    let part = match payment.part_cents {
        None => None,
        Some(cents) if (1..=MAX_TENDER_CENTS).contains(&cents) => Some(Money::from_minor(cents)),
        Some(_) => {
            errors.push("part_cents", "must be more than 0 and at most what is due");
            None
        }
    };
    let tip = Tip::asked(&mut errors, "", payment);
    let tender = parse_tender(&mut errors, "", payment);
    if !errors.is_empty() {
        return Err(errors);
    }
    match tender {
        Some(TenderRequest::Cash { tendered }) => Ok(OrderCommand::PayCash { tendered, tip, part }),
        Some(TenderRequest::CardTerminal { approval_code }) => {
            Ok(OrderCommand::PayCardAtTerminal { approval_code, tip, part })
        }
        Some(TenderRequest::CardGateway) => {
            Err(ValidationErrors::single("approval_code", "paying later by card needs the terminal's approval code"))
        }
        None => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::PaymentMethod;

    fn request(method: PaymentMethod) -> PaymentRequest {
        PaymentRequest {
            method,
            tendered_cents: None,
            approval_code: None,
            print_receipt: None,
            tip_cents: None,
            tip_percent_bps: None,
            amount_cents: None,
            part_cents: None,
        }
    }

    fn fields(result: Result<OrderCommand, ValidationErrors>) -> Vec<String> {
        result.expect_err("refused").errors().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_part_in_cash_or_on_the_terminal_with_its_tip() {
        let cash = PaymentRequest {
            tendered_cents: Some(1_000),
            part_cents: Some(600),
            tip_percent_bps: Some(1_000),
            ..request(PaymentMethod::Cash)
        };
        assert_eq!(
            later_payment(&cash),
            Ok(OrderCommand::PayCash {
                tendered: Money::from_minor(1_000),
                tip: Tip::Percent(1_000),
                part: Some(Money::from_minor(600))
            })
        );
        let card = PaymentRequest { approval_code: Some("A1".into()), ..request(PaymentMethod::Card) };
        assert_eq!(
            later_payment(&card),
            Ok(OrderCommand::PayCardAtTerminal { approval_code: "A1".into(), tip: Tip::None, part: None })
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = PaymentRequest {
            tendered_cents: Some(-1),
            part_cents: Some(0),
            amount_cents: Some(5),
            tip_cents: Some(1),
            tip_percent_bps: Some(1),
            ..request(PaymentMethod::Cash)
        };
        assert_eq!(fields(later_payment(&bad)), ["amount_cents", "part_cents", "tip_percent_bps", "tendered_cents"]);
        assert_eq!(fields(later_payment(&request(PaymentMethod::Card))), ["approval_code"]);
    }
}
