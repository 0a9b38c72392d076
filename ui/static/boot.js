// Loads the screens' WebAssembly (the generated module calls the app's start function).
// A separate file, not an inline script, so the page's Content-Security-Policy stays strict.
import init from "/assets/crema_ui.js";

init({ module_or_path: "/assets/crema_ui_bg.wasm" }).catch((error) => {
  document.body.textContent = "Crema could not start: " + error;
});
