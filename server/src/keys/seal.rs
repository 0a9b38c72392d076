//! Sealing secrets kept in the database (webhook signing secrets) with the data key:
//! XChaCha20-Poly1305 with a random 192-bit nonce, stored as `sealed:v1:<base64>`. A value
//! without the prefix is a secret written before sealing existed; it is sealed at start.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const PREFIX: &str = "sealed:v1:";
const NONCE: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the sealed value is damaged or was sealed with another key file")]
    Unreadable,
    #[error("cannot seal the value")]
    Failed,
}

/// Seals and opens values under one data key. `Debug` shows nothing of the key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// `sealed:v1:<base64(nonce ‖ ciphertext)>`; `context` (the row's id) is bound in, so a
    /// sealed value copied onto another row does not open.
    pub fn seal(&self, plain: &str, context: &str) -> Result<String, SealError> {
        use rand::RngCore;
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = chacha20poly1305::aead::Payload { msg: plain.as_bytes(), aad: context.as_bytes() };
        let sealed = self.cipher.encrypt(XNonce::from_slice(&nonce), payload).map_err(|_| SealError::Failed)?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    /// The plain value of a sealed one.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SealError> {
        let encoded = sealed.strip_prefix(PREFIX).ok_or(SealError::Unreadable)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SealError::Unreadable)?;
        if bytes.len() < NONCE {
            return Err(SealError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE);
        let payload = chacha20poly1305::aead::Payload { msg: sealed, aad: context.as_bytes() };
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), payload).map_err(|_| SealError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SealError::Unreadable)
    }
}

/// Whether a stored value is already sealed.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let sealer = Sealer::new(&[1; 32]);
        let sealed = sealer.seal("whsec_secret", "row-1").expect("sealed");
        assert!(is_sealed(&sealed) && !sealed.contains("whsec_secret"));
        assert_eq!(sealer.open(&sealed, "row-1").as_deref(), Ok("whsec_secret"));
        assert_eq!(sealer.open(&sealed, "row-2"), Err(SealError::Unreadable), "bound to its row");
        assert_eq!(Sealer::new(&[2; 32]).open(&sealed, "row-1"), Err(SealError::Unreadable));
        assert_ne!(sealer.seal("whsec_secret", "row-1").expect("sealed"), sealed, "a fresh nonce each time");
        assert_eq!(sealer.open("whsec_plain", "row-1"), Err(SealError::Unreadable));
    }
}
