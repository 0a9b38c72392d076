//! The four screens a terminal can show, by the names used on the command line, in window
//! labels and in the screens' URL paths.

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Screen {
    Pos,
    Kds,
    Board,
    Manage,
}

impl Screen {
    pub const ALL: [Screen; 4] = [Screen::Pos, Screen::Kds, Screen::Board, Screen::Manage];

    /// Window label and settings key.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Pos => "pos",
            Screen::Kds => "kds",
            Screen::Board => "board",
            Screen::Manage => "manage",
        }
    }

    pub fn parse(name: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// Path of the screen on the Crema server.
    pub fn path(self) -> &'static str {
        match self {
            Screen::Pos => "/pos",
            Screen::Kds => "/kds",
            Screen::Board => "/board",
            Screen::Manage => "/manage",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Screen::Pos => "Crema — Till",
            Screen::Kds => "Crema — Kitchen",
            Screen::Board => "Crema — Pickup board",
            Screen::Manage => "Crema — Manage",
        }
    }

    /// The kitchen display and the pickup board start fullscreen unless told otherwise.
    pub fn kiosk_by_default(self) -> bool {
        matches!(self, Screen::Kds | Screen::Board)
    }

    pub fn default_size(self) -> (f64, f64) {
        match self {
            Screen::Board => (1280.0, 720.0),
            _ => (1280.0, 800.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Screen::ALL {
            assert_eq!(Screen::parse(s.name()), Some(s));
            assert!(s.path().ends_with(s.name()));
        }
        assert_eq!(Screen::parse("till"), None);
    }
}
