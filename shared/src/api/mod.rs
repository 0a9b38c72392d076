//! Wire types: the JSON the API speaks and the screens read.
//!
//! They are deliberately separate from the domain types: a request is parsed into domain
//! values (see [`crate::placing`] and [`crate::menu_edit`]) and a response is built from
//! them, so a change of wire shape never ripples through the rules. With the `openapi`
//! feature they also describe themselves for the OpenAPI document.

mod board;
mod discounts;
mod drawer;
mod jobs;
mod menu;
mod menu_edit;
mod orders;
mod problems;
mod shop;
mod sinks;
mod staff;
mod terminals;

pub use board::{BoardDto, BoardTicket, KitchenDto};
pub use discounts::{
    ApprovalPin, DiscountDto, DiscountReasonDto, DiscountReasonPatch, DiscountRequest, NewDiscountReasonRequest,
};
pub use drawer::{CloseDrawerRequest, DrawerDto, DrawerMovementDto, DrawerMovementRequest, OpenDrawerRequest};
pub use jobs::{JobDto, JobPage};
pub use menu::{MenuCategoryView, MenuItemView, MenuOptionView, MenuView, ModifierGroupView};
pub use menu_edit::{
    AvailabilityInput, CategoryDto, CategoryInput, ItemDto, ItemInput, ModifierGroupDto, ModifierGroupInput, OptionDto,
    OptionInput, StockInput,
};
pub use orders::{
    CancelRequest, LineOptionDto, LineRequest, OrderDto, OrderLineDto, OrderPage, PaymentRequest, PlaceOrderRequest,
    PrintJobDto, RefundRequest, ResolveRefundRequest, StatusChangeDto, TenderDto, TipRequest, VoidLineRequest,
};
pub use problems::{CloudEvent, Problem};
pub use shop::{DayReportDto, SettingsDto, SettingsInput, TopItemDto};
pub use sinks::{DeadLetterDto, NewSinkRequest, ReplayRequest, SinkDto, SinkPatch};
pub use staff::{AuditEntryDto, AuditPage, NewStaffRequest, PinRequest, SessionDto, StaffDto, StaffPatch};
pub use terminals::{NewTerminalRequest, PairRequest, PairedTerminalDto, TerminalDto, TerminalPatch};
