//! Crema's screens.
