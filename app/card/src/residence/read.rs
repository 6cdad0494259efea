//! Reading a 在留カード or 特別永住者証明書, over any [`Transport`].
//!
//! One transaction: the card type (MF, free), DF1 selected, GET CHALLENGE, MUTUAL
//! AUTHENTICATE with the key from the typed number, VERIFY of the number under secure
//! messaging, then the files each generation keeps (see the module's parent) and DF3's
//! signature, which is checked before anything is returned. The face photo is read for the
//! signature only and wiped.

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::layout::{self, Objects, bad, file};
use super::secure::{self, Generation, SecureError, TerminalSecrets};
use super::signature::{self, TrustStore};
use super::{
    BackEntries, CardImages, CardType, Document, OutsideActivity, ResidenceCardNumber,
    ResidenceFacts,
};
use crate::apdu::Command;
use crate::error::{CardError, SignatureFault, StatusWord, Step};
use crate::protocol::{Session, Transport};
use crate::tlv;

/// The largest file a 在留カード holds (the first generation's front image, with its header and
/// secure-messaging wrapping); anything longer is refused.
const MAX_FILE: usize = 8 * 1024;

/// What the caller brings to a read: the number typed, the certificates trusted, today's
/// date (for their validity) and fresh randomness.
#[derive(Debug)]
pub struct ReadInputs<'a> {
    pub number: &'a ResidenceCardNumber,
    pub trust: &'a TrustStore,
    pub today: NaiveDate,
    pub secrets: TerminalSecrets,
}

/// The whole read; returns the APDU count with the result.
pub fn read_residence_card<T: Transport + ?Sized>(
    transport: &mut T,
    inputs: ReadInputs<'_>,
) -> (Result<ResidenceFacts, CardError>, u32) {
    let mut session = Session::new(transport);
    let result = read_in_session(&mut session, inputs);
    (result, session.apdu_count())
}

fn read_in_session<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    inputs: ReadInputs<'_>,
) -> Result<ResidenceFacts, CardError> {
    if inputs.trust.is_empty() {
        // Before anything is sent: without anchors every card would be refused at the end.
        return Err(CardError::BadSignature {
            fault: SignatureFault::NoAnchors,
        });
    }
    let card_type = layout::parse_card_type(&read_plain(session, file::CARD_TYPE)?)?;
    let generation = card_type.generation;
    select(session, &layout::DF1)?;
    let number = super::number_bytes(inputs.number);
    let session_key = authenticate(session, generation, &number, &inputs.secrets)?;
    let mut secure = SecureReader {
        generation,
        key: session_key,
    };
    let read = match generation {
        Generation::Second => read_second(session, &mut secure, card_type, inputs.number)?,
        Generation::First => read_first(session, &mut secure, card_type)?,
    };
    select(session, &layout::DF3)?;
    let signature_file = read_plain(session, file::SIGNATURE)?;
    let (signature_tag, certificate_tag) = match generation {
        Generation::Second => (layout::TAG_SIGNATURE, layout::TAG_CERTIFICATE),
        Generation::First => (layout::TAG_FIRST_SIGNATURE, layout::TAG_FIRST_CERTIFICATE),
    };
    let objects = Objects::parse(&signature_file, "signature")?;
    let signature = objects.required(signature_tag, 512, "signature")?;
    let certificate = objects.required(certificate_tag, layout::MAX_CERTIFICATE, "certificate")?;
    let verified = inputs
        .trust
        .verify(certificate, signature, &read.signed, inputs.today)?;
    Ok(ResidenceFacts {
        card_type,
        card_number: inputs.number.clone(),
        printed: read.printed,
        back: read.back,
        images: read.images,
        signature: verified,
    })
}

/// What the generation-specific part read, and the bytes the signature covers.
struct GenerationRead {
    printed: Option<super::PrintedEntries>,
    back: BackEntries,
    images: CardImages,
    signed: Zeroizing<Vec<u8>>,
}

fn read_second<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    secure: &mut SecureReader,
    card_type: CardType,
    typed: &ResidenceCardNumber,
) -> Result<GenerationRead, CardError> {
    let number_file = secure.read(session, file::second::CARD_NUMBER)?;
    let number = Objects::parse(&number_file, "card number")?
        .required(layout::TAG_CARD_NUMBER, 12, "card number")?
        .to_vec();
    if number != typed.as_str().as_bytes() {
        return Err(bad(
            "the chip's card number differs from the one verified".into()
        ));
    }
    let printed_file = secure.read(session, file::second::PRINTED)?;
    let printed = layout::parse_printed(&printed_file, card_type)?;
    let images_file = secure.read(session, file::second::NAME_AND_FACE)?;
    let images = Objects::parse(&images_file, "name and face images")?;
    let name = images.required(layout::TAG_NAME_IMAGE, layout::MAX_NAME_IMAGE, "name image")?;
    let face = images.required(layout::TAG_FACE_IMAGE, layout::MAX_FACE_IMAGE, "face image")?;
    let address_file = secure.read(session, file::second::ADDRESS_IMAGE)?;
    let address = Objects::parse(&address_file, "address image")?
        .required(
            layout::TAG_ADDRESS_IMAGE,
            layout::MAX_ADDRESS_IMAGE,
            "address image",
        )?
        .to_vec();
    let signed = Zeroizing::new(signature::second_generation_target(
        &printed.signed_values,
        face,
        name,
    ));
    let name = name.to_vec();
    let (outside_activity, application_pending) = if card_type.document == Document::ResidenceCard {
        select(session, &layout::DF2)?;
        let permission = layout::parse_permission(&read_plain(session, file::second::PERMISSION)?)?;
        let pending = layout::parse_pending(
            &read_plain(session, file::second::PENDING)?,
            layout::TAG_PENDING,
        )?;
        (permission, pending)
    } else {
        (OutsideActivity::default(), false)
    };
    Ok(GenerationRead {
        printed: Some(printed),
        back: BackEntries {
            outside_activity,
            application_pending,
            ..BackEntries::default()
        },
        images: CardImages {
            name: Some(name),
            address: Some(address),
            front: None,
        },
        signed,
    })
}

fn read_first<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    secure: &mut SecureReader,
    card_type: CardType,
) -> Result<GenerationRead, CardError> {
    let front_file = secure.read(session, file::first::FRONT_IMAGE)?;
    let front = Objects::parse(&front_file, "front image")?
        .required(
            layout::TAG_FRONT_IMAGE,
            layout::MAX_FRONT_IMAGE,
            "front image",
        )?
        .to_vec();
    let face_file = secure.read(session, file::first::FACE_IMAGE)?;
    let face = Objects::parse(&face_file, "face image")?
        .required(layout::TAG_FACE_IMAGE, layout::MAX_FACE_IMAGE, "face image")?
        .to_vec();
    let signed = Zeroizing::new(signature::first_generation_target(&front, &face));
    drop(Zeroizing::new(face));
    select(session, &layout::DF2)?;
    let address = layout::parse_first_address(&read_plain(session, file::first::ADDRESS)?)?;
    let (text, pending) = if card_type.document == Document::ResidenceCard {
        let comprehensive = layout::parse_first_permission(
            &read_plain(session, file::first::COMPREHENSIVE)?,
            layout::TAG_COMPREHENSIVE,
        )?;
        let individual = layout::parse_first_permission(
            &read_plain(session, file::first::INDIVIDUAL)?,
            layout::TAG_INDIVIDUAL_TEXT,
        )?;
        let pending = layout::parse_pending(
            &read_plain(session, file::first::PENDING)?,
            layout::TAG_FIRST_PENDING,
        )?;
        let text = [comprehensive, individual]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        (Some(text).filter(|t| !t.is_empty()), pending)
    } else {
        (None, false)
    };
    Ok(GenerationRead {
        printed: None,
        back: BackEntries {
            outside_activity_text: text,
            application_pending: pending,
            address,
            ..BackEntries::default()
        },
        images: CardImages {
            name: None,
            address: None,
            front: Some(front),
        },
        signed,
    })
}

/// GET CHALLENGE, MUTUAL AUTHENTICATE and the VERIFY of the number; the session key.
fn authenticate<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    generation: Generation,
    number: &[u8; 12],
    secrets: &TerminalSecrets,
) -> Result<secure::Key, CardError> {
    let challenge = session.exchange(&Command::new(
        Step::GetChallenge,
        vec![0x00, 0x84, 0x00, 0x00, 0x08],
    ))?;
    expect_ok(Step::GetChallenge, challenge.status)?;
    let rnd_icc: [u8; 8] = challenge
        .data
        .as_slice()
        .try_into()
        .map_err(|_| bad("GET CHALLENGE did not give 8 bytes".into()))?;
    let access = secure::access_key(number);
    let data =
        secure::terminal_challenge(generation, &access, &rnd_icc, secrets).map_err(secure_error)?;
    let mut bytes = vec![0x00, 0x82, 0x00, 0x00, 0x28];
    bytes.extend_from_slice(&data);
    bytes.push(0x00);
    let answer = session.exchange(&Command::new(Step::MutualAuthenticate, bytes))?;
    if answer.status.0 == 0x6300 {
        // The card could not check our MAC: the key, so the number, is not this card's.
        return Err(CardError::WrongResidenceNumber);
    }
    expect_ok(Step::MutualAuthenticate, answer.status)?;
    let k_icc = secure::card_key_from_answer(
        generation,
        &access,
        &answer.data,
        &rnd_icc,
        &secrets.rnd_ifd,
    )
    .map_err(secure_error)?;
    let key = secure::session_key(&secrets.k_ifd, &k_icc);
    let encrypted =
        secure::encrypted_card_number(generation, &key, number).map_err(secure_error)?;
    let mut bytes = vec![0x08, 0x20, 0x00, 0x86, 0x13, 0x86, 0x11, 0x01];
    bytes.extend_from_slice(&encrypted);
    let verified = session.exchange(&Command::new(Step::VerifyCardNumber, bytes))?;
    if verified.status.0 == 0x6300 {
        return Err(CardError::WrongResidenceNumber);
    }
    expect_ok(Step::VerifyCardNumber, verified.status)?;
    Ok(key)
}

/// Reads under secure messaging with the session key.
struct SecureReader {
    generation: Generation,
    key: secure::Key,
}

impl SecureReader {
    /// `08 B0 P1 00 | 00 00 04 | 96 02 00 00 | 00 00`: the whole file, answered as
    /// `86 L 01 ‖ cryptogram`, decrypted and unpadded.
    fn read<T: Transport + ?Sized>(
        &mut self,
        session: &mut Session<'_, T>,
        p1: u8,
    ) -> Result<Zeroizing<Vec<u8>>, CardError> {
        let command = vec![
            0x08, 0xB0, p1, 0x00, 0x00, 0x00, 0x04, 0x96, 0x02, 0x00, 0x00, 0x00, 0x00,
        ];
        let answer = session.exchange(&Command::new(Step::ReadSecure, command))?;
        expect_ok(Step::ReadSecure, answer.status)?;
        if answer.data.len() > MAX_FILE {
            return Err(bad(format!("a file of {} bytes", answer.data.len())));
        }
        let header = tlv::read_header(&answer.data).map_err(|e| bad(e.to_string()))?;
        let value = answer
            .data
            .get(header.header_len..header.total_len())
            .filter(|_| header.tag == 0x86)
            .ok_or_else(|| bad("secure-messaging answer is not one 86 object".into()))?;
        let [0x01, cryptogram @ ..] = value else {
            return Err(bad(
                "secure-messaging answer without its padding indicator".into()
            ));
        };
        let plain = self
            .generation
            .decrypt(&self.key, cryptogram)
            .map_err(secure_error)?;
        let content = secure::unpad(&plain).map_err(secure_error)?;
        Ok(Zeroizing::new(content.to_vec()))
    }
}

/// `00 B0 P1 00 00 00 00`: a whole file without secure messaging (extended Le).
fn read_plain<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    p1: u8,
) -> Result<Vec<u8>, CardError> {
    let answer = session.exchange(&Command::new(
        Step::ReadFile,
        vec![0x00, 0xB0, p1, 0x00, 0x00, 0x00, 0x00],
    ))?;
    match answer.status.0 {
        0x9000 | 0x6282 if answer.data.len() <= MAX_FILE => Ok(answer.data),
        0x9000 | 0x6282 => Err(bad(format!("a file of {} bytes", answer.data.len()))),
        // No such file at the card's top level: not a 在留カード.
        0x6A82 | 0x6A86 | 0x6986 if p1 == file::CARD_TYPE => Err(CardError::NotResidenceCard),
        _ => Err(CardError::UnexpectedAnswer {
            step: Step::ReadFile,
            status: answer.status,
        }),
    }
}

fn select<T: Transport + ?Sized>(
    session: &mut Session<'_, T>,
    aid: &[u8; 16],
) -> Result<(), CardError> {
    let answer = session.exchange(&Command::select_application(aid))?;
    match answer.status.0 {
        0x9000 => Ok(()),
        0x6A82 => Err(CardError::NotResidenceCard),
        _ => Err(CardError::UnexpectedAnswer {
            step: Step::SelectApplication,
            status: answer.status,
        }),
    }
}

fn expect_ok(step: Step, status: StatusWord) -> Result<(), CardError> {
    if status == StatusWord::OK {
        Ok(())
    } else {
        Err(CardError::UnexpectedAnswer { step, status })
    }
}

fn secure_error(error: SecureError) -> CardError {
    match error {
        // The card answered with another key: it is not the card whose number was typed.
        SecureError::WrongKey => CardError::WrongResidenceNumber,
        SecureError::ChallengeMismatch => bad("the card did not return our challenge".into()),
        SecureError::Malformed => bad("a cryptogram of the wrong length or padding".into()),
    }
}
