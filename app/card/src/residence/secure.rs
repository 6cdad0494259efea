//! The 在留カード's card-number authentication and secure messaging, both generations.
//!
//! The key comes from the twelve characters printed on the card: `SHA-1(number)[..16]` is both
//! the encryption and the MAC key. GET CHALLENGE gives the card's random `RND.ICC`; the
//! terminal answers with `E.IFD = enc(RND.IFD ‖ RND.ICC ‖ K.IFD)` and its MAC; the card
//! proves it knows the key the same way with `RND.ICC ‖ RND.IFD ‖ K.ICC`; the session key is
//! `SHA-1((K.IFD ⊕ K.ICC) ‖ 00 00 00 01)[..16]`. The first generation (2012–) encrypts with
//! two-key triple DES and MACs with the ISO 9797-1 retail MAC; the second (2026–) with AES-128
//! and AES-CMAC cut to eight bytes. Both use CBC with a zero IV and `80 00 …` padding.
//! Sources: 在留カード等仕様書 (first generation), 第２世代在留カード等仕様書 Ver 1.1 appendix 1
//! and 2 (its test vectors are this module's tests).
//!
//! Both halves of the exchange live here: the terminal's ([`terminal_challenge`],
//! [`card_key_from_answer`]) and the card's ([`card_answer`]), which the emulator plays.

use aes::Aes128;
use cbc::cipher::{
    BlockDecrypt, BlockDecryptMut, BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit,
};
use des::{Des, TdesEde2};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// A 16-byte key: the access key from the card number, or a session key.
pub type Key = Zeroizing<[u8; 16]>;

/// Which specification the card follows; decided by the card type the chip reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Generation {
    /// Card types `1` and `2`: triple DES and the retail MAC.
    First,
    /// Card types `05` and `06`: AES-128 and AES-CMAC.
    Second,
}

/// Why an exchange with the card's cryptography failed. None of these is the resident's
/// fault except [`SecureError::WrongKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecureError {
    /// The other side's MAC does not match: it used another key (another card number).
    WrongKey,
    /// The other side did not return our challenge: a replayed or garbled answer.
    ChallengeMismatch,
    /// A cryptogram of the wrong length or padding.
    Malformed,
}

/// The key both generations derive from the twelve characters printed on the card.
pub fn access_key(card_number: &[u8; 12]) -> Key {
    first_16(&Sha1::digest(card_number))
}

/// The session key from both sides' key halves.
pub fn session_key(k_ifd: &[u8; 16], k_icc: &[u8; 16]) -> Key {
    let mut seed = Zeroizing::new([0u8; 20]);
    for (i, byte) in seed[..16].iter_mut().enumerate() {
        *byte = k_ifd[i] ^ k_icc[i];
    }
    seed[16..].copy_from_slice(&[0, 0, 0, 1]);
    first_16(&Sha1::digest(&seed[..]))
}

fn first_16(digest: &[u8]) -> Key {
    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(&digest[..16]);
    key
}

impl Generation {
    /// The cipher's block: 8 bytes for DES, 16 for AES.
    pub fn block_len(self) -> usize {
        match self {
            Generation::First => 8,
            Generation::Second => 16,
        }
    }

    /// CBC with a zero IV over data already a whole number of blocks long.
    pub fn encrypt(self, key: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, SecureError> {
        if !data.len().is_multiple_of(self.block_len()) {
            return Err(SecureError::Malformed);
        }
        let mut buffer = data.to_vec();
        let length = buffer.len();
        let done = match self {
            Generation::First => cbc::Encryptor::<TdesEde2>::new(key.into(), &[0u8; 8].into())
                .encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buffer, length)
                .map(<[u8]>::len),
            Generation::Second => cbc::Encryptor::<Aes128>::new(key.into(), &[0u8; 16].into())
                .encrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buffer, length)
                .map(<[u8]>::len),
        };
        done.map(|_| buffer).map_err(|_| SecureError::Malformed)
    }

    /// The inverse of [`Generation::encrypt`]; the caller removes the padding.
    pub fn decrypt(self, key: &[u8; 16], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecureError> {
        if data.is_empty() || !data.len().is_multiple_of(self.block_len()) {
            return Err(SecureError::Malformed);
        }
        let mut buffer = Zeroizing::new(data.to_vec());
        let done = match self {
            Generation::First => cbc::Decryptor::<TdesEde2>::new(key.into(), &[0u8; 8].into())
                .decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buffer)
                .map(<[u8]>::len),
            Generation::Second => cbc::Decryptor::<Aes128>::new(key.into(), &[0u8; 16].into())
                .decrypt_padded_mut::<cbc::cipher::block_padding::NoPadding>(&mut buffer)
                .map(<[u8]>::len),
        };
        done.map(|_| buffer).map_err(|_| SecureError::Malformed)
    }

    /// The eight-byte MAC the mutual authentication carries.
    pub fn mac(self, key: &[u8; 16], data: &[u8]) -> [u8; 8] {
        match self {
            Generation::First => retail_mac(key, data),
            Generation::Second => {
                let mut cmac = <cmac::Cmac<Aes128> as cmac::Mac>::new(key.into());
                cmac::Mac::update(&mut cmac, data);
                let tag = cmac::Mac::finalize(cmac).into_bytes();
                let mut mac = [0u8; 8];
                mac.copy_from_slice(&tag[..8]);
                mac
            }
        }
    }

    /// `data ‖ 80 00 …` up to a whole number of blocks (ISO/IEC 9797-1 method 2).
    pub fn pad(self, data: &[u8]) -> Zeroizing<Vec<u8>> {
        let mut padded = Zeroizing::new(data.to_vec());
        padded.push(0x80);
        while !padded.len().is_multiple_of(self.block_len()) {
            padded.push(0x00);
        }
        padded
    }
}

/// `data` without its `80 00 …` padding.
pub fn unpad(data: &[u8]) -> Result<&[u8], SecureError> {
    let end = data
        .iter()
        .rposition(|&byte| byte != 0x00)
        .ok_or(SecureError::Malformed)?;
    if data[end] != 0x80 {
        return Err(SecureError::Malformed);
    }
    Ok(&data[..end])
}

/// ISO/IEC 9797-1 MAC algorithm 3 with single DES (the "retail MAC"): CBC with the first half
/// of the key over the padded data, then the last block decrypted with the second half and
/// encrypted again with the first. The first generation's specification requires it.
fn retail_mac(key: &[u8; 16], data: &[u8]) -> [u8; 8] {
    let padded = Generation::First.pad(data);
    let first = Des::new((&key[..8]).into());
    let second = Des::new((&key[8..]).into());
    let mut chain = [0u8; 8];
    for block in padded.chunks(8) {
        for (c, b) in chain.iter_mut().zip(block) {
            *c ^= b;
        }
        first.encrypt_block((&mut chain).into());
    }
    second.decrypt_block((&mut chain).into());
    first.encrypt_block((&mut chain).into());
    chain
}

/// The terminal's random parts of one authentication: fresh for every read.
pub struct TerminalSecrets {
    pub rnd_ifd: [u8; 8],
    pub k_ifd: Key,
}

impl TerminalSecrets {
    /// From the operating system's random source.
    pub fn random() -> Result<TerminalSecrets, getrandom::Error> {
        let mut rnd_ifd = [0u8; 8];
        let mut k_ifd = Zeroizing::new([0u8; 16]);
        getrandom::getrandom(&mut rnd_ifd)?;
        getrandom::getrandom(&mut k_ifd[..])?;
        Ok(TerminalSecrets { rnd_ifd, k_ifd })
    }
}

impl std::fmt::Debug for TerminalSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TerminalSecrets(…)")
    }
}

/// MUTUAL AUTHENTICATE's 40 bytes of data: `E.IFD ‖ M.IFD`.
pub fn terminal_challenge(
    generation: Generation,
    key: &[u8; 16],
    rnd_icc: &[u8; 8],
    secrets: &TerminalSecrets,
) -> Result<Zeroizing<Vec<u8>>, SecureError> {
    let mut plain = Zeroizing::new(Vec::with_capacity(32));
    plain.extend_from_slice(&secrets.rnd_ifd);
    plain.extend_from_slice(rnd_icc);
    plain.extend_from_slice(&secrets.k_ifd[..]);
    let mut data = Zeroizing::new(generation.encrypt(key, &plain)?);
    let mac = generation.mac(key, &data);
    data.extend_from_slice(&mac);
    Ok(data)
}

/// The card's key half from its answer `E.ICC ‖ M.ICC`, once its MAC and both challenges
/// check out.
pub fn card_key_from_answer(
    generation: Generation,
    key: &[u8; 16],
    answer: &[u8],
    rnd_icc: &[u8; 8],
    rnd_ifd: &[u8; 8],
) -> Result<Key, SecureError> {
    let (rnd_first, rnd_second, k_icc) = open_cryptogram(generation, key, answer)?;
    if rnd_first != *rnd_icc || rnd_second != *rnd_ifd {
        return Err(SecureError::ChallengeMismatch);
    }
    Ok(k_icc)
}

/// The card's half: checks the terminal's `E.IFD ‖ M.IFD` against the challenge it gave and
/// answers `E.ICC ‖ M.ICC`. Returns the answer and the session key.
pub fn card_answer(
    generation: Generation,
    key: &[u8; 16],
    command: &[u8],
    rnd_icc: &[u8; 8],
    k_icc: &[u8; 16],
) -> Result<(Vec<u8>, Key), SecureError> {
    let (rnd_ifd, rnd_back, k_ifd) = open_cryptogram(generation, key, command)?;
    if rnd_back != *rnd_icc {
        return Err(SecureError::ChallengeMismatch);
    }
    let mut plain = Zeroizing::new(Vec::with_capacity(32));
    plain.extend_from_slice(rnd_icc);
    plain.extend_from_slice(&rnd_ifd);
    plain.extend_from_slice(k_icc);
    let mut answer = generation.encrypt(key, &plain)?;
    let mac = generation.mac(key, &answer);
    answer.extend_from_slice(&mac);
    Ok((answer, session_key(&k_ifd, k_icc)))
}

/// Checks the MAC of a 40-byte `E ‖ M` and splits the plaintext into its three parts.
fn open_cryptogram(
    generation: Generation,
    key: &[u8; 16],
    data: &[u8],
) -> Result<([u8; 8], [u8; 8], Key), SecureError> {
    if data.len() != 40 {
        return Err(SecureError::Malformed);
    }
    let (cryptogram, mac) = data.split_at(32);
    if generation.mac(key, cryptogram) != mac {
        return Err(SecureError::WrongKey);
    }
    let plain = generation.decrypt(key, cryptogram)?;
    let mut first = [0u8; 8];
    let mut second = [0u8; 8];
    let mut half_key = Zeroizing::new([0u8; 16]);
    first.copy_from_slice(&plain[..8]);
    second.copy_from_slice(&plain[8..16]);
    half_key.copy_from_slice(&plain[16..32]);
    Ok((first, second, half_key))
}

/// The card number encrypted for the secure-messaging VERIFY: `enc(number ‖ 80 00 00 00)`.
pub fn encrypted_card_number(
    generation: Generation,
    session: &[u8; 16],
    card_number: &[u8; 12],
) -> Result<Vec<u8>, SecureError> {
    generation.encrypt(session, &generation.pad(card_number))
}

#[cfg(test)]
mod tests;
