//! Embeds the built screens (`ui/dist`, made by `scripts/build-ui`) into the server binary,
//! so one `crema-server` file serves the API and the screens.
//!
//! When `ui/dist` does not exist the server still builds; it then answers `/` with a page
//! that says how to build the screens.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed=../migrations");
    let mut files: Vec<PathBuf> = fs::read_dir(&dist)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("pub static ASSETS: &[Asset] = &[\n");
    for path in &files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if name.ends_with(".gz") {
            continue;
        }
        let bytes = fs::read(path).unwrap_or_default();
        let gz = path.with_file_name(format!("{name}.gz"));
        let gzip = if gz.is_file() { format!("Some(include_bytes!({:?}))", absolute(&gz)) } else { "None".into() };
        let _ = writeln!(
            code,
            "    Asset {{ name: {name:?}, bytes: include_bytes!({:?}), gzip: {gzip}, etag: \"\\\"{:016x}\\\"\" }},",
            absolute(path),
            fnv1a(&bytes)
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("ui_assets.rs");
    if let Err(e) = fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}

fn absolute(path: &Path) -> String {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

/// A content hash for the `ETag` (FNV-1a, 64 bit): stable, and no build dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
