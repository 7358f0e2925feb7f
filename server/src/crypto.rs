//! Encryption of ATS keys and webhook secrets at rest.
//!
//! XChaCha20-Poly1305 with a 32-byte key from configuration (`security.encryption_key`, base64).
//! Each value is sealed with a fresh random 24-byte nonce and with the owning connection's id as
//! associated data, so a ciphertext copied onto another connection does not decrypt. Stored
//! format: `[version = 1][nonce: 24 bytes][ciphertext + tag]`.
//!
//! Nothing in this module prints a key, a plaintext or a ciphertext: `Debug` is redacted and
//! errors only say what failed.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// Why a key could not be loaded or a value could not be opened. Never contains secret material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The configured key is not base64 of exactly 32 bytes.
    #[error(
        "security.encryption_key must be base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`)"
    )]
    BadKey,
    /// The stored value is malformed, was sealed with another key, or belongs to another connection.
    #[error(
        "stored secret could not be decrypted (wrong security.encryption_key, or the data was altered)"
    )]
    Undecryptable,
}

/// The at-rest encryption key. Cheap to clone behind an `Arc`; `Debug` shows nothing.
#[derive(Clone)]
pub struct SecretCipher {
    aead: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretCipher(<redacted>)")
    }
}

impl SecretCipher {
    /// A cipher from the base64 text of a 32-byte key (standard or URL-safe alphabet, padding
    /// optional, surrounding whitespace ignored). `BadKey` otherwise.
    pub fn from_base64(key: &SecretString) -> Result<Self, CryptoError> {
        let text = key.expose_secret().trim();
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
                .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
                .map_err(|_| CryptoError::BadKey)?,
        );
        Self::from_bytes(&bytes)
    }

    /// A cipher from 32 raw key bytes. `BadKey` for any other length.
    pub fn from_bytes(key: &[u8]) -> Result<Self, CryptoError> {
        if key.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        let aead = XChaCha20Poly1305::new_from_slice(key).map_err(|_| CryptoError::BadKey)?;
        Ok(Self { aead })
    }

    /// A new random key, as base64 text (what `security.encryption_key` holds).
    pub fn generate_base64() -> SecretString {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        SecretString::from(base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()))
    }

    /// Seals `plaintext` for the connection `aad` (its id). A fresh nonce every call, so sealing
    /// the same value twice gives different bytes.
    pub fn seal(&self, plaintext: &SecretString, aad: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory inputs");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens a value sealed by [`SecretCipher::seal`] for the same `aad`. `Undecryptable` when the
    /// key, the connection or the bytes differ.
    pub fn open(&self, sealed: &[u8], aad: &str) -> Result<SecretString, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(CryptoError::Undecryptable);
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        let pt = Zeroizing::new(
            self.aead
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: ct,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| CryptoError::Undecryptable)?,
        );
        let text = std::str::from_utf8(&pt).map_err(|_| CryptoError::Undecryptable)?;
        Ok(SecretString::from(text.to_owned()))
    }
}

/// Reads a base64 key from `path`, or creates the file with a new random key (mode 0600 on
/// Unix) when it does not exist. Used by the embedded default (`atsbridge.key` beside the database).
pub fn load_or_create_key_file(path: &Path) -> anyhow::Result<SecretString> {
    read_or_create_secret_file(path, SecretCipher::generate_base64)
}

/// Reads a one-line secret from `path`, or creates the file (mode 0600 on Unix) with
/// `generate()` when it does not exist. The value is never logged.
pub fn read_or_create_secret_file(
    path: &Path,
    generate: impl FnOnce() -> SecretString,
) -> anyhow::Result<SecretString> {
    use anyhow::Context;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let t = text.trim();
            anyhow::ensure!(
                !t.is_empty(),
                "{} is empty; delete it to generate a new one",
                path.display()
            );
            Ok(SecretString::from(t.to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let value = generate();
            write_private(path, value.expose_secret())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(value)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> SecretCipher {
        SecretCipher::from_base64(&SecretCipher::generate_base64()).unwrap()
    }

    #[test]
    fn round_trip_and_aad_binding() {
        let c = cipher();
        let secret = SecretString::from("ashby-key-123".to_owned());
        let sealed = c.seal(&secret, "conn-1");
        assert!(!sealed.windows(13).any(|w| w == b"ashby-key-123"));
        assert_eq!(
            c.open(&sealed, "conn-1").unwrap().expose_secret(),
            "ashby-key-123"
        );
        assert_eq!(
            c.open(&sealed, "conn-2").unwrap_err(),
            CryptoError::Undecryptable
        );
        assert_ne!(sealed, c.seal(&secret, "conn-1"), "fresh nonce each time");
        assert_eq!(
            cipher().open(&sealed, "conn-1").unwrap_err(),
            CryptoError::Undecryptable
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(c.open(&tampered, "conn-1").is_err());
    }

    #[test]
    fn bad_keys_are_refused_and_debug_is_redacted() {
        assert_eq!(
            SecretCipher::from_base64(&SecretString::from("short".to_owned())).unwrap_err(),
            CryptoError::BadKey
        );
        assert_eq!(format!("{:?}", cipher()), "SecretCipher(<redacted>)");
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("atsbridge.key");
        let a = load_or_create_key_file(&p).unwrap();
        let b = load_or_create_key_file(&p).unwrap();
        assert_eq!(a.expose_secret(), b.expose_secret());
        SecretCipher::from_base64(&a).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
