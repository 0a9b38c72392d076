// The pairing form of a terminal synced with the shop's hub: shown when this computer has
// not been paired yet (the app asks for it); the code a manager made on the hub pairs it.
window.cremaAskPairing = function (hubUrl, message) {
  const form = document.getElementById('pair');
  document.getElementById('hub').value = hubUrl || '';
  document.getElementById('status').textContent = message || '';
  form.hidden = false;
  document.getElementById('code').focus();
};

document.getElementById('pair').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = document.getElementById('status');
  const button = document.getElementById('pair-button');
  button.disabled = true;
  status.textContent = 'Pairing…';
  try {
    await window.__TAURI_INTERNALS__.invoke('pair', {
      hubUrl: document.getElementById('hub').value,
      code: document.getElementById('code').value,
    });
    status.textContent = 'Paired. Opening…';
  } catch (error) {
    status.textContent = String(error);
    button.disabled = false;
  }
});

// Asked once the page is up: is this computer waiting to be paired?
if (window.__TAURI_INTERNALS__) {
  window.__TAURI_INTERNALS__.invoke('pairing_needed').then((hub) => {
    if (hub) window.cremaAskPairing(hub, 'This computer is not paired with the shop\'s server yet.');
  });
}
