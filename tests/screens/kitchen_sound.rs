//! The kitchen display's chime over a day: tickets keep coming, the display keeps one audio
//! context (a context per chime kept an audio thread each, and a busy day's worth of them
//! took the tablet's CPU and memory), and tickets arriving together chime once.

use super::{flow, start_shop, BARISTA};
use crema_e2e::browser::{self, Browser};
use std::time::Duration;

/// Counts the tones the page starts (oscillators) and the audio contexts they come from (the
/// page's code holds the constructor from its start, so the prototype is what is watched).
const COUNT_AUDIO: &str = r#"
window.__contexts = new Set();
window.__tones = 0;
const create = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__contexts.add(this);
  window.__tones += 1;
  return create.call(this);
};
return true;
"#;

#[tokio::test]
async fn the_kitchen_display_chimes_through_one_audio_context_however_many_tickets_arrive() {
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop(&dir.path().join("crema.db"), 0);
    let driver = browser::Driver::start().await;
    let kitchen = Browser::open(&driver, &shop.base).await;
    kitchen.sign_in_at("/kds", BARISTA).await;
    kitchen.wait_for_text(".tickets", "No open tickets").await;
    kitchen.client.execute(COUNT_AUDIO, vec![]).await.expect("instrumented");

    // Twelve tickets, in three bursts of four, half a second apart.
    let mut tickets = Vec::new();
    for _ in 0..3 {
        for n in 0..4 {
            tickets.push(flow::place_espresso(&shop.base, &format!("Guest {n}")).await.ticket_number);
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    for ticket in &tickets {
        kitchen.wait_for(&format!("[data-ticket='{ticket}']")).await;
    }
    let counted =
        kitchen.client.execute("return [window.__contexts.size, window.__tones];", vec![]).await.expect("counts");
    let contexts = counted[0].as_u64().expect("contexts");
    let tones = counted[1].as_u64().expect("tones");
    assert_eq!(contexts, 1, "one audio context for every chime, not one each");
    // Two tones a chime; at least one chime per burst, fewer chimes than tickets.
    assert!((6..24).contains(&tones), "{tones} tones for 12 tickets in 3 bursts");
    kitchen.close().await;
    driver.stop();
    shop.kill();
}
