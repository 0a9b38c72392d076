# Shared helpers for scripts/run and scripts/test: say what is happening, install what is
# missing (idempotently), never prompt.

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

# ensure_apt PKG...: installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "system packages present: $*"; return 0; fi
  echo "installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

# ensure_rust: cargo on PATH (rustup's), plus the components and targets given.
ensure_rust() {
  if ! command -v cargo >/dev/null; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null || { echo "cargo not found: install rustup first (https://rustup.rs)" >&2; exit 1; }
  if command -v rustup >/dev/null; then
    local installed_components installed_targets
    installed_components=$(rustup component list --installed 2>/dev/null || true)
    for c in rustfmt clippy; do
      echo "$installed_components" | grep -q "^$c" || { echo "adding rust component $c"; rustup component add "$c"; }
    done
    installed_targets=$(rustup target list --installed 2>/dev/null || true)
    for t in "$@"; do
      echo "$installed_targets" | grep -qx "$t" || { echo "adding rust target $t"; rustup target add "$t"; }
    done
  fi
  echo "rust: $(rustc --version)"
}
