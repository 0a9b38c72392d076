//! Embeds the built screens (`ui/dist`, made by `scripts/build-ui`) into the server binary,
//! so one `crema-server` file serves the API and the screens; and generates the gRPC code
//! from `proto/` with protox (a compiler in Rust), so no system `protoc` is needed.
//!
//! When `ui/dist` does not exist the server still builds; it then answers `/` with a page
//! that says how to build the screens.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    grpc();
    screens();
}

/// The gRPC contract: Rust types, servers and clients, and the encoded descriptors that
/// server reflection answers with.
fn grpc() {
    const PROTOS: &[&str] =
        &["crema/v1/menu.proto", "crema/v1/order.proto", "crema/v1/orders.proto", "cloudevents/cloudevents.proto"];
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../proto");
    println!("cargo:rerun-if-changed={}", root.display());
    let files: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    let descriptors = match protox::compile(&files, [&root]) {
        Ok(descriptors) => descriptors,
        Err(e) => panic!("the .proto files do not compile: {e:?}"),
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    if let Err(e) = fs::write(out.join("crema_descriptor.bin"), prost::Message::encode_to_vec(&descriptors)) {
        panic!("cannot write the descriptor set: {e}");
    }
    if let Err(e) = tonic_prost_build::configure().build_server(true).build_client(true).compile_fds(descriptors) {
        panic!("cannot generate the gRPC code: {e}");
    }
}

fn screens() {
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
