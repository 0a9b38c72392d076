//! The new-ticket chime: one audio context for the display's life, one chime per burst.

thread_local! {
    /// The display's one audio context, made at the first chime and kept: a context per
    /// chime kept an audio thread each, and a busy day's worth of them took the tablet's
    /// CPU and memory.
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
    /// When the last chime sounded (ms since the epoch): tickets arriving together chime once.
    static LAST_CHIME: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// The shortest time between two chimes.
const CHIME_GAP_MS: f64 = 400.0;

/// Makes the display's audio context if it is not made yet.
pub fn audio_context_ready() {
    AUDIO.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = web_sys::AudioContext::new().ok();
        }
    });
}

/// A short two-tone chime (Web Audio; nothing to download).
pub fn chime() {
    let now = js_sys::Date::now();
    if now - LAST_CHIME.with(std::cell::Cell::get) < CHIME_GAP_MS {
        return;
    }
    LAST_CHIME.with(|last| last.set(now));
    audio_context_ready();
    AUDIO.with(|slot| {
        let slot = slot.borrow();
        let Some(ctx) = slot.as_ref() else { return };
        // Made before anyone touched the screen, it starts suspended; the sign-in was a touch.
        if ctx.state() == web_sys::AudioContextState::Suspended {
            let _ = ctx.resume();
        }
        let play = |frequency: f32, at: f64| -> Option<()> {
            let osc = ctx.create_oscillator().ok()?;
            let gain = ctx.create_gain().ok()?;
            osc.frequency().set_value(frequency);
            gain.gain().set_value_at_time(0.2, at).ok()?;
            gain.gain().exponential_ramp_to_value_at_time(0.001, at + 0.25).ok()?;
            osc.connect_with_audio_node(&gain).ok()?;
            gain.connect_with_audio_node(&ctx.destination()).ok()?;
            osc.start_with_when(at).ok()?;
            osc.stop_with_when(at + 0.3).ok()
        };
        let t = ctx.current_time();
        let _ = play(880.0, t);
        let _ = play(1320.0, t + 0.12);
    });
}
