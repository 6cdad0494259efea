//! The second generation against the specification's own test vectors (第２世代在留カード等仕様書
//! Ver 1.1, appendix 2); the first generation's triple DES and retail MAC against values
//! computed independently with OpenSSL's DES (the first generation's specification gives no
//! vectors in the material we have).

use super::*;

fn hex(text: &str) -> Vec<u8> {
    let digits: String = text.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}

fn array<const N: usize>(text: &str) -> [u8; N] {
    hex(text).try_into().expect("length")
}

const CARD_NUMBER: &[u8; 12] = b"AA12345678BB";
const RND_ICC: &str = "92 1C E2 77 32 3D A0 57";

fn spec_secrets() -> TerminalSecrets {
    TerminalSecrets {
        rnd_ifd: array("11 22 33 44 55 66 77 88"),
        k_ifd: Zeroizing::new(array("40 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F")),
    }
}

#[test]
fn the_access_key_is_the_specifications() {
    assert_eq!(
        access_key(CARD_NUMBER)[..],
        hex("65 22 B4 E1 71 19 5B B2 18 22 3A 97 6C 04 01 11")
    );
}

#[test]
fn the_terminals_challenge_is_the_specifications() {
    let key = access_key(CARD_NUMBER);
    let data = terminal_challenge(Generation::Second, &key, &array(RND_ICC), &spec_secrets())
        .expect("encrypts");
    assert_eq!(
        data[..32],
        hex("4A D3 C7 B6 BB 48 4A 52 77 19 77 DE D6 18 B4 1D
             F8 41 FA 04 76 A0 5F BE 04 1D EA D6 10 9E 77 3B")
    );
    assert_eq!(data[32..], hex("AC 85 46 17 63 4F 53 97"));
}

#[test]
fn the_cards_answer_and_the_session_key_are_the_specifications() {
    let key = access_key(CARD_NUMBER);
    let mut answer = hex("28 9A 96 B1 DA 6A E3 DA 87 77 04 19 BF D1 4F 0B
         DA D1 5F 36 43 2B 5A 94 6C 18 8C 72 21 75 9A 62");
    answer.extend(hex("FA 94 2E C5 1E 62 FF 5F"));
    let secrets = spec_secrets();
    let k_icc = card_key_from_answer(
        Generation::Second,
        &key,
        &answer,
        &array(RND_ICC),
        &secrets.rnd_ifd,
    )
    .expect("the card's answer checks out");
    assert_eq!(
        k_icc[..],
        hex("2C C6 AF 9B 8B 60 7C 66 2F DC AD 27 B4 01 D0 8B")
    );
    let session = session_key(&secrets.k_ifd, &k_icc);
    assert_eq!(
        session[..],
        hex("C1 9C F1 3D 3D 7F BE E9 EA 29 3D 83 4C 88 95 2F")
    );
    assert_eq!(
        encrypted_card_number(Generation::Second, &session, CARD_NUMBER).expect("encrypts"),
        hex("EE 0B 31 EF 87 7F 68 D0 71 C5 6D 58 C7 2E 67 48")
    );
}

#[test]
fn the_card_half_answers_what_the_terminal_half_accepts() {
    for generation in [Generation::First, Generation::Second] {
        let key = access_key(CARD_NUMBER);
        let secrets = spec_secrets();
        let k_icc = array::<16>("2C C6 AF 9B 8B 60 7C 66 2F DC AD 27 B4 01 D0 8B");
        let command =
            terminal_challenge(generation, &key, &array(RND_ICC), &secrets).expect("encrypts");
        let (answer, card_session) =
            card_answer(generation, &key, &command, &array(RND_ICC), &k_icc).expect("answers");
        let read_k_icc =
            card_key_from_answer(generation, &key, &answer, &array(RND_ICC), &secrets.rnd_ifd)
                .expect("accepted");
        assert_eq!(session_key(&secrets.k_ifd, &read_k_icc), card_session);
        if generation == Generation::Second {
            // The card half reproduces the specification's E.ICC too.
            assert_eq!(answer[..4], hex("28 9A 96 B1"));
        }
    }
}

#[test]
fn another_card_number_is_a_wrong_key_on_both_sides() {
    for generation in [Generation::First, Generation::Second] {
        let typed = access_key(b"AA12345678BC");
        let card = access_key(CARD_NUMBER);
        let command = terminal_challenge(generation, &typed, &array(RND_ICC), &spec_secrets())
            .expect("encrypts");
        let k_icc = [7u8; 16];
        assert!(matches!(
            card_answer(generation, &card, &command, &array(RND_ICC), &k_icc),
            Err(SecureError::WrongKey)
        ));
        // A replayed answer to another challenge is refused even with the right key.
        let (answer, _) = card_answer(
            generation,
            &card,
            &terminal_challenge(generation, &card, &array(RND_ICC), &spec_secrets())
                .expect("encrypts"),
            &array(RND_ICC),
            &k_icc,
        )
        .expect("answers");
        assert_eq!(
            card_key_from_answer(generation, &card, &answer, &[0; 8], &[0; 8]).err(),
            Some(SecureError::ChallengeMismatch)
        );
    }
}

#[test]
fn triple_des_and_the_retail_mac_match_openssl() {
    let key = access_key(CARD_NUMBER);
    let plain = hex("11 22 33 44 55 66 77 88 92 1C E2 77 32 3D A0 57
         40 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F");
    let encrypted = Generation::First
        .encrypt(&key, &plain)
        .expect("whole blocks");
    // openssl enc -des-ede-cbc -K 6522B4E171195BB218223A976C040111 -iv 0 -nopad
    assert_eq!(
        encrypted,
        hex("937745c20883a1ba9177e9c2567b13544ca99d9c5e60880be93a36e58b43b0b5")
    );
    // des-cbc with the first half over E ‖ 80 00…, then des-ecb decrypt (second half) and
    // encrypt (first half) of the last block.
    assert_eq!(
        Generation::First.mac(&key, &encrypted)[..],
        hex("9f1fc140e78fe2e5")
    );
    assert_eq!(
        Generation::First
            .decrypt(&key, &encrypted)
            .expect("decrypts")[..],
        plain[..]
    );
}

#[test]
fn padding_is_removed_and_bad_padding_refused() {
    assert_eq!(unpad(&hex("41 42 80 00 00")), Ok(&b"AB"[..]));
    assert_eq!(unpad(&hex("41 42 80")), Ok(&b"AB"[..]));
    assert_eq!(unpad(&hex("41 42 00 00")), Err(SecureError::Malformed));
    assert_eq!(unpad(&[0u8; 16]), Err(SecureError::Malformed));
    assert_eq!(unpad(&[]), Err(SecureError::Malformed));
    assert_eq!(
        Generation::Second.decrypt(&[0; 16], &[1, 2, 3]).err(),
        Some(SecureError::Malformed)
    );
    assert_eq!(
        Generation::First.encrypt(&[0; 16], &[1, 2, 3]).err(),
        Some(SecureError::Malformed)
    );
}
