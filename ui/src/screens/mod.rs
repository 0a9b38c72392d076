//! One module per screen.

pub mod board;
pub mod kitchen;
pub mod manage;
pub mod pos;
pub mod sign_in;
