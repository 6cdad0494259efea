//! Read-aloud: the words of a screen spoken in the resident's language.
//!
//! This crate owns the voices and the sound. Japanese (and やさしい日本語) is spoken by Open
//! JTalk (Debian's `open-jtalk` with the NAIST dictionary) in the "Mei" HTS voice, which the
//! product ships (`assets/voices`, CC BY 3.0, MMDAgent Project, Nagoya Institute of
//! Technology); the other languages by `espeak-ng`. The synthesiser runs as a child process
//! writing a WAV file into a private folder; the audio plays through the system's sound
//! service (PulseAudio, or PipeWire's PulseAudio service) with `libpulse-simple`.
//!
//! Invariants:
//! - Synthesis and playback never run on the caller's thread: [`Speaker`] owns a thread, and
//!   [`Speaker::say`] / [`Speaker::stop`] only send it a message.
//! - One voice at a time: a new utterance, or `stop`, ends the one before within a fraction of
//!   a second (the synthesiser is killed, the stream flushed).
//! - Bounded: at most [`MAX_CHARS`] characters are spoken, a synthesiser gets
//!   [`SYNTHESIS_TIMEOUT`] before it is killed, and its audio at most [`MAX_AUDIO`].
//! - The words spoken are never logged: they may be a resident's name, when the resident asks
//!   for it. What to say — and what not to say in a public hall — is the caller's decision.

mod audio;
mod speaker;
mod synth;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use madoguchi_domain::Language;

pub use audio::Audio;
pub use speaker::{Output, Speaker, SpeechEvent, sound_service_answers};
pub use synth::{Engine, Voices, synthesise};

/// The most characters one utterance may have: a screen's title, its question and choices, or
/// its list of procedures fit many times over.
pub const MAX_CHARS: usize = 4000;

/// How long a synthesiser may take before it is killed (Open JTalk takes about 0.2 s for a
/// sentence on the counter's machines).
pub const SYNTHESIS_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest audio accepted from a synthesiser.
pub const MAX_AUDIO: Duration = Duration::from_secs(300);

/// What to say, and in which language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Utterance {
    pub language: Language,
    pub text: String,
}

/// How loud and how fast: the configuration file's `[read_aloud]` volume and speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// 0–100: the share of full scale the voice plays at.
    pub volume: u8,
    /// 50–200: per cent of the voice's normal speed.
    pub speed: u16,
}

impl Delivery {
    pub const VOLUME: std::ops::RangeInclusive<u8> = 0..=100;
    pub const SPEED: std::ops::RangeInclusive<u16> = 50..=200;

    /// Clamped into the ranges above.
    pub fn new(volume: u8, speed: u16) -> Delivery {
        Delivery {
            volume: volume.min(*Self::VOLUME.end()),
            speed: speed.clamp(*Self::SPEED.start(), *Self::SPEED.end()),
        }
    }
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            volume: 80,
            speed: 100,
        }
    }
}

/// Why nothing was spoken.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("no voice reads {0} on this machine")]
    NoVoice(&'static str),
    #[error("the text is too long to read aloud ({0} characters; at most {MAX_CHARS})")]
    TooLong(usize),
    #[error("the synthesiser {program} could not start ({source}); install it (scripts/setup)")]
    Start {
        program: String,
        source: std::io::Error,
    },
    #[error("the synthesiser {0} did not finish in time and was stopped")]
    TimedOut(String),
    #[error("the synthesiser {program} failed ({status})")]
    Failed { program: String, status: String },
    #[error("the synthesiser's audio could not be read ({0})")]
    Audio(String),
    #[error("the sound service could not play ({0}); check that PulseAudio or PipeWire runs")]
    Sound(String),
    /// A newer utterance or a stop came first.
    #[error("stopped")]
    Cancelled,
}
