//! What the till holds between orders (menu, cart, the sheet being edited, the tender, the
//! order being sent), as signals, and what a tap or a key does to it.

use super::discount::LineDiscount;
use super::split::SplitPart;
use crate::api::{self, ApiError};
use crate::cart::{self, CartLine};
use crate::format::{field_error, parse_amount};
use crate::shell::Shell;
use crema_shared::api::{
    ApprovalPin, DiscountReasonDto, MenuItemView, MenuView, OrderDto, PaymentRequest, PlaceOrderRequest, Problem,
};
use crema_shared::customer::{CustomerName, Email};
use crema_shared::status::PaymentMethod;
use crema_shared::tax::{TaxMode, TaxPolicy, TaxRate};
use crema_shared::Money;
use leptos::prelude::*;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub(super) item: MenuItemView,
    pub(super) selected: Vec<Uuid>,
    /// The cart line being edited, or `None` for a new line.
    pub(super) editing: Option<u32>,
}

/// Everything the till holds between orders, as signals.
#[derive(Clone, Copy)]
pub struct Till {
    pub(super) shell: Shell,
    pub(super) menu: RwSignal<Option<MenuView>>,
    pub(super) tax: RwSignal<TaxPolicy>,
    pub(super) category: RwSignal<Option<Uuid>>,
    pub(super) search: RwSignal<String>,
    pub(super) cart: RwSignal<Vec<CartLine>>,
    pub(super) next_key: RwSignal<u32>,
    pub(super) sheet: RwSignal<Option<Sheet>>,
    pub(super) name: RwSignal<String>,
    pub(super) email: RwSignal<String>,
    pub(super) method: RwSignal<PaymentMethod>,
    pub(super) tendered: RwSignal<String>,
    pub(super) approval: RwSignal<String>,
    /// The tip chosen at payment, in basis points of the order (0: none).
    pub(super) tip_bps: RwSignal<u32>,
    /// Whether the receipt prints on the shop's printer once paid.
    pub(super) receipt: RwSignal<bool>,
    /// The shop's discount reasons on offer.
    pub(super) reasons: RwSignal<Vec<DiscountReasonDto>>,
    /// The discount on the whole order: its reason, and the percentage as typed.
    pub(super) discount_reason: RwSignal<Option<Uuid>>,
    pub(super) discount_percent: RwSignal<String>,
    /// Whether the order's discount is typed as an amount off (else a percentage).
    pub(super) discount_by_amount: RwSignal<bool>,
    /// Discounts on single lines (by cart line key).
    pub(super) line_discounts: RwSignal<Vec<LineDiscount>>,
    /// A tip typed as an amount (empty: the percentage chosen).
    pub(super) tip_custom: RwSignal<String>,
    /// A manager's PIN, typed when the discount is beyond what this cashier may give.
    pub(super) approval_pin: RwSignal<String>,
    /// Placed as a tab, paid later (from the till's Tabs).
    pub(super) tab: RwSignal<bool>,
    /// The tenders when the order is split (empty: one tender).
    pub(super) split: RwSignal<Vec<SplitPart>>,
    /// The id of the order being sent (kept across "unreachable" retries).
    pub(super) pending: RwSignal<Option<Uuid>>,
    pub(super) sending: RwSignal<bool>,
    pub(super) problem: RwSignal<Option<Problem>>,
    pub(super) local_errors: RwSignal<Vec<(String, String)>>,
    pub(super) placed: RwSignal<Option<OrderDto>>,
}

impl Till {
    pub(super) fn new(shell: Shell) -> Till {
        Till {
            shell,
            menu: RwSignal::new(None),
            tax: RwSignal::new(TaxPolicy { rate: TaxRate::ZERO, mode: TaxMode::Exclusive }),
            category: RwSignal::new(None),
            search: RwSignal::new(String::new()),
            cart: RwSignal::new(Vec::new()),
            next_key: RwSignal::new(1),
            sheet: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            tip_bps: RwSignal::new(0),
            receipt: RwSignal::new(true),
            reasons: RwSignal::new(Vec::new()),
            discount_reason: RwSignal::new(None),
            discount_percent: RwSignal::new(String::new()),
            discount_by_amount: RwSignal::new(false),
            line_discounts: RwSignal::new(Vec::new()),
            tip_custom: RwSignal::new(String::new()),
            approval_pin: RwSignal::new(String::new()),
            split: RwSignal::new(Vec::new()),
            tab: RwSignal::new(false),
            email: RwSignal::new(String::new()),
            method: RwSignal::new(PaymentMethod::Cash),
            tendered: RwSignal::new(String::new()),
            approval: RwSignal::new(String::new()),
            pending: RwSignal::new(None),
            sending: RwSignal::new(false),
            problem: RwSignal::new(None),
            local_errors: RwSignal::new(Vec::new()),
            placed: RwSignal::new(None),
        }
    }

    pub(super) fn currency(&self) -> String {
        self.menu.with(|m| m.as_ref().map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into()))
    }

    /// The item as the menu shows it now (availability changes live).
    pub(super) fn current_item(&self, id: Uuid) -> Option<MenuItemView> {
        self.menu
            .with(|m| m.as_ref().and_then(|m| m.categories.iter().flat_map(|c| &c.items).find(|i| i.id == id).cloned()))
    }

    /// Items of the chosen category, or every item matching the search.
    pub(super) fn visible_items(&self) -> Vec<MenuItemView> {
        let search = self.search.get().trim().to_lowercase();
        let category = self.category.get();
        self.menu.with(|m| {
            let Some(m) = m else { return Vec::new() };
            if !search.is_empty() {
                return m
                    .categories
                    .iter()
                    .flat_map(|c| &c.items)
                    .filter(|i| i.name.to_lowercase().contains(&search))
                    .cloned()
                    .collect();
            }
            let chosen = category.or(m.categories.first().map(|c| c.id));
            m.categories.iter().filter(|c| Some(c.id) == chosen).flat_map(|c| c.items.clone()).collect()
        })
    }

    pub(super) fn tap_item(&self, item: MenuItemView) {
        if !item.available {
            return;
        }
        if cart::adds_at_once(&item) {
            self.add_line(item, Vec::new());
        } else {
            self.sheet.set(Some(Sheet { item, selected: Vec::new(), editing: None }));
        }
        self.search.set(String::new());
    }

    pub(super) fn add_line(&self, item: MenuItemView, option_ids: Vec<Uuid>) {
        let key = self.next_key.get_untracked();
        self.next_key.set(key + 1);
        self.cart.update(|c| {
            // The same item with the same choices adds to the quantity.
            match c.iter_mut().find(|l| l.item.id == item.id && l.option_ids == option_ids && l.note.is_empty()) {
                Some(line) => line.quantity = (line.quantity + 1).min(99),
                None => c.push(CartLine { key, item, option_ids, quantity: 1, note: String::new() }),
            }
        });
        self.problem.set(None);
    }

    /// Changes the cart line `key` (if it is still there).
    pub(super) fn edit_line(&self, key: u32, change: impl FnOnce(&mut CartLine)) {
        self.cart.update(|c| {
            if let Some(line) = c.iter_mut().find(|l| l.key == key) {
                change(line);
            }
        });
    }

    pub(super) fn commit_sheet(&self) {
        let Some(sheet) = self.sheet.get_untracked() else { return };
        if !cart::problems(&sheet.item, &sheet.selected).is_empty() {
            return;
        }
        match sheet.editing {
            Some(key) => self.edit_line(key, |line| line.option_ids = sheet.selected),
            None => self.add_line(sheet.item, sheet.selected),
        }
        self.sheet.set(None);
    }

    pub(super) fn clear(&self) {
        self.cart.set(Vec::new());
        self.sheet.set(None);
        self.name.set(String::new());
        self.email.set(String::new());
        self.method.set(PaymentMethod::Cash);
        self.tendered.set(String::new());
        self.approval.set(String::new());
        self.tip_bps.set(0);
        self.receipt.set(true);
        self.discount_reason.set(None);
        self.discount_percent.set(String::new());
        self.discount_by_amount.set(false);
        self.line_discounts.set(Vec::new());
        self.tip_custom.set(String::new());
        self.approval_pin.set(String::new());
        self.split.set(Vec::new());
        self.tab.set(false);
        self.pending.set(None);
        self.problem.set(None);
        self.local_errors.set(Vec::new());
        self.placed.set(None);
        self.search.set(String::new());
    }

    /// What the customer pays: the order with its tax, and the tip chosen.
    pub(super) fn total(&self) -> Money {
        self.total_before_tip() + self.tip()
    }

    pub(super) fn total_before_tip(&self) -> Money {
        let tax = self.tax.get();
        let discount = self.discount();
        self.cart.with(|c| cart::totals(c, discount, tax).total)
    }

    /// The tip chosen, as the server will work it out (a split: each tender's own).
    pub(super) fn tip(&self) -> Money {
        if self.split.with(|s| !s.is_empty()) {
            return self.split_tips();
        }
        if let Some(cents) = self.custom_tip() {
            return Money::from_minor(cents);
        }
        crema_shared::tip::percent_of(self.total_before_tip(), self.tip_bps.get())
    }

    /// A tip typed as an amount, when one is (and reads as an amount).
    pub(super) fn custom_tip(&self) -> Option<i64> {
        let typed = self.tip_custom.get();
        (!typed.trim().is_empty()).then(|| parse_amount(&typed).ok()).flatten()
    }

    /// The tip as a payment sends it: a typed amount, or the percentage chosen.
    fn tip_fields(&self) -> (Option<i64>, Option<u32>) {
        match self.custom_tip() {
            Some(cents) => (Some(cents), None),
            None => (None, Some(self.tip_bps.get_untracked()).filter(|bps| *bps > 0)),
        }
    }

    /// Drops the till's own complaint about `field` once it is edited.
    pub(super) fn forget_error(&self, field: &str) {
        if self.local_errors.with_untracked(|errors| errors.iter().any(|(f, _)| f == field)) {
            self.local_errors.update(|errors| errors.retain(|(f, _)| f != field));
        }
    }

    pub(super) fn error_for(&self, field: &str) -> Option<String> {
        self.local_errors
            .with(|errors| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
            .or_else(|| self.problem.with(|p| p.as_ref().and_then(|p| field_error(p, field))))
    }

    /// Checks what can be checked here, then sends (or re-sends) the order.
    pub(super) fn pay(&self) {
        if self.sending.get_untracked() || self.placed.with_untracked(Option::is_some) {
            return;
        }
        let mut errors = Vec::new();
        if self.cart.with_untracked(Vec::is_empty) {
            errors.push(("lines".to_string(), "add something to the order first".to_string()));
        }
        let name = self.name.get_untracked();
        if let Err(message) = CustomerName::parse(&name) {
            errors.push(("customer_name".into(), message));
        }
        let email = self.email.get_untracked();
        if !email.trim().is_empty() {
            if let Err(message) = Email::parse(&email) {
                errors.push(("customer_email".into(), message));
            }
        }
        self.check_discounts(&mut errors);
        let typed_tip = self.tip_custom.get_untracked();
        if !typed_tip.trim().is_empty() && self.custom_tip().is_none_or(|c| c < 0) {
            errors.push(("payment.tip_cents".into(), "a tip is an amount like 1.50".into()));
        }
        let total = self.total();
        let split =
            if self.split.with_untracked(|s| !s.is_empty()) { self.split_requests(&mut errors) } else { Vec::new() };
        let payment = match self.method.get_untracked() {
            _ if !split.is_empty() || self.tab.get_untracked() => None,
            PaymentMethod::Cash => match parse_amount(&self.tendered.get_untracked()) {
                Ok(cents) if cart::change_due(total, Money::from_minor(cents)).is_some() => Some(PaymentRequest {
                    method: PaymentMethod::Cash,
                    tendered_cents: Some(cents),
                    approval_code: None,
                    print_receipt: (!self.receipt.get_untracked()).then_some(false),
                    tip_cents: self.tip_fields().0,
                    tip_percent_bps: self.tip_fields().1,
                    amount_cents: None,
                    part_cents: None,
                }),
                Ok(_) => {
                    errors.push(("payment.tendered_cents".into(), "less than the total".into()));
                    None
                }
                Err(message) => {
                    errors.push(("payment.tendered_cents".into(), message));
                    None
                }
            },
            PaymentMethod::Card => {
                let code = self.approval.get_untracked().trim().to_string();
                Some(PaymentRequest {
                    method: PaymentMethod::Card,
                    tendered_cents: None,
                    approval_code: (!code.is_empty()).then_some(code),
                    print_receipt: (!self.receipt.get_untracked()).then_some(false),
                    tip_cents: self.tip_fields().0,
                    tip_percent_bps: self.tip_fields().1,
                    amount_cents: None,
                    part_cents: None,
                })
            }
        };
        self.local_errors.set(errors.clone());
        if !errors.is_empty() {
            return;
        }
        let id = self.pending.get_untracked().unwrap_or_else(Uuid::now_v7);
        self.pending.set(Some(id));
        let email = email.trim().to_string();
        let request = PlaceOrderRequest {
            id: Some(id),
            customer_name: name.trim().to_string(),
            customer_email: (!email.is_empty()).then_some(email),
            lines: self.cart.with_untracked(|c| c.iter().map(CartLine::request).collect()),
            payment,
            split,
            discounts: self.discount_requests(),
            approval_pin: Some(self.approval_pin.get_untracked().trim().to_string())
                .filter(|pin| !pin.is_empty() && self.needs_approval())
                .map(ApprovalPin),
        };
        self.send(request);
    }

    pub(super) fn send(&self, request: PlaceOrderRequest) {
        let till = *self;
        let shell = till.shell;
        till.sending.set(true);
        leptos::task::spawn_local(async move {
            let key = request.id.map(|id| id.to_string()).unwrap_or_default();
            let answer =
                api::send::<_, OrderDto>("POST", "/api/v1/orders", Some(&request), &[("idempotency-key", &key)]).await;
            till.sending.set(false);
            match answer {
                Ok(order) => {
                    shell.saw_ok();
                    till.pending.set(None);
                    till.problem.set(None);
                    mark("crema:order-acknowledged");
                    till.placed.set(Some(order));
                }
                // Kept: sent again with the same id when the server is back.
                Err(ApiError::Unreachable) => shell.saw(&ApiError::Unreachable),
                Err(error) => {
                    shell.saw(&error);
                    // Refused: nothing was placed, so the next attempt is a new order.
                    till.pending.set(None);
                    till.problem.set(error.problem().cloned());
                }
            }
        });
    }
}

pub(super) fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(name);
    }
}
