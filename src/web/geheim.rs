//! Secrets of the web part: argon2id password hashes, random session and
//! bearer tokens of which only a SHA-256 is stored, and TOTP (RFC 6238) as
//! the second factor.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system.
pub fn willekeurig(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    // The OS generator fails only on a broken system: nothing safe can go on.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut b).expect("the operating system's random generator");
    b
}

/// A random token as URL-safe text (256 bits).
pub fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(willekeurig(32))
}

/// What is stored of a token or session cookie.
pub fn hash(tekst: &str) -> String {
    let d = Sha256::digest(tekst.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal without telling, by its time, how much of it matched.
pub fn gelijk(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The argon2id hash of a password (PHC string with its salt and parameters).
pub fn hash_wachtwoord(wachtwoord: &str) -> Result<String, String> {
    let zout = SaltString::encode_b64(&willekeurig(16)).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(wachtwoord.as_bytes(), &zout)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash to check against when there is no user, so an unknown e-mail
/// costs the same time as a wrong password.
pub fn schijnhash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_wachtwoord("geen gebruiker").unwrap_or_default())
}

pub fn controleer_wachtwoord(wachtwoord: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(wachtwoord.as_bytes(), &h)
            .is_ok()
    })
}

/// A readable one-time password: 16 letters and digits without look-alikes.
pub fn eenmalig_wachtwoord() -> String {
    const TEKENS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    willekeurig(16)
        .iter()
        .map(|b| TEKENS[*b as usize % TEKENS.len()] as char)
        .collect()
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32(bytes: &[u8]) -> String {
    let mut uit = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            uit.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        uit.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    uit
}

pub fn van_base32(tekst: &str) -> Option<Vec<u8>> {
    let mut uit = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in tekst.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let v = BASE32.iter().position(|x| *x == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            uit.push((buf >> bits) as u8);
        }
    }
    Some(uit)
}

/// A new TOTP secret (160 bits, base32, as authenticator apps take it).
pub fn totp_geheim() -> String {
    base32(&willekeurig(20))
}

/// The 6-digit TOTP code of `geheim` for time step `stap` (RFC 6238:
/// HMAC-SHA1 over the 30-second counter, dynamic truncation).
pub fn totp_code(geheim: &[u8], stap: u64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(geheim) else {
        return u32::MAX;
    };
    mac.update(&stap.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let getal = (u32::from(h[o] & 0x7f) << 24)
        | (u32::from(h[o + 1]) << 16)
        | (u32::from(h[o + 2]) << 8)
        | u32::from(h[o + 3]);
    getal % 1_000_000
}

/// Whether `code` is right at unix time `nu`, one step of clock drift either way.
pub fn totp_klopt(geheim_b32: &str, code: &str, nu: u64) -> bool {
    totp_stap(geheim_b32, code, nu).is_some()
}

/// The time step `code` is right for at unix time `nu` (one step of clock
/// drift either way), if any: the login keeps it, so a code is good once.
pub fn totp_stap(geheim_b32: &str, code: &str, nu: u64) -> Option<u64> {
    let geheim = van_base32(geheim_b32)?;
    let getal = code.trim().parse::<u32>().ok()?;
    if code.trim().len() != 6 {
        return None;
    }
    let stap = nu / 30;
    [stap.saturating_sub(1), stap, stap + 1]
        .into_iter()
        .find(|s| totp_code(&geheim, *s) == getal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, 8 digits there; the last 6 digits here.
    #[test]
    fn totp_volgt_rfc_6238() {
        let geheim = b"12345678901234567890";
        for (tijd, acht) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(totp_code(geheim, tijd / 30), acht % 1_000_000, "t={tijd}");
        }
        let b32 = base32(geheim);
        assert_eq!(van_base32(&b32).as_deref(), Some(&geheim[..]));
        assert!(totp_klopt(&b32, "287082", 59));
        assert!(!totp_klopt(&b32, "287083", 59));
    }

    #[test]
    fn wachtwoord_is_argon2id() {
        let h = hash_wachtwoord("geheim").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(controleer_wachtwoord("geheim", &h));
        assert!(!controleer_wachtwoord("Geheim", &h));
    }
}
