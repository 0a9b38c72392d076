//! HTTPS on the shop's network: the server's certificate and key from PEM files (rustls,
//! TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1 by ALPN), and a self-signed certificate maker for
//! shops without a certificate authority (`crema-server tls self-signed`).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {path}: {reason}")]
    Certificate { path: PathBuf, reason: String },
    #[error("cannot read the TLS key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("the TLS certificate and key do not fit together: {0}")]
    Config(String),
    #[error("cannot make a certificate: {0}")]
    Generate(String),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// An acceptor for the certificate chain and key in these PEM files.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate { path: cert.to_path_buf(), reason: e.to_string() })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate { path: cert.to_path_buf(), reason: "no certificate in the file".into() });
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| TlsError::Key { path: key.to_path_buf(), reason: e.to_string() })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A self-signed certificate for `names` (host names or IP addresses): `(cert PEM, key PEM)`.
pub fn self_signed(names: &[String]) -> Result<(String, String), TlsError> {
    let certified =
        rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| TlsError::Generate(e.to_string()))?;
    Ok((certified.cert.pem(), certified.key_pair.serialize_pem()))
}

/// Writes a self-signed certificate and its key (the key `0600`; neither overwrites a file).
pub fn write_self_signed(names: &[String], cert: &Path, key: &Path) -> Result<(), TlsError> {
    let (cert_pem, key_pem) = self_signed(names)?;
    for (path, text) in [(key, key_pem), (cert, cert_pem)] {
        let write = |source| TlsError::Write { path: path.to_path_buf(), source };
        let mut file = crate::keys::files::create_private(path).map_err(write)?;
        file.write_all(text.as_bytes()).map_err(write)?;
        file.sync_all().map_err(write)?;
    }
    Ok(())
}
