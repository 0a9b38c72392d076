//! The code generated from `proto/` (see `build.rs`): messages, servers and clients.

#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// `crema.v1`: the menu and order services.
pub mod crema {
    pub mod v1 {
        tonic::include_proto!("crema.v1");
    }
}

/// `io.cloudevents.v1`: the CloudEvents protobuf format (modules follow the package, as the
/// generated code refers to it).
pub mod io {
    pub mod cloudevents {
        pub mod v1 {
            tonic::include_proto!("io.cloudevents.v1");
        }
    }
}

/// The encoded descriptors of every file, for server reflection.
pub const DESCRIPTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/crema_descriptor.bin"));
