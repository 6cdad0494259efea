//! The speaker: a thread that synthesises one utterance at a time and plays it, ending it as
//! soon as a newer one (or a stop) arrives.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use libpulse_binding::def::BufferAttr;
use libpulse_binding::sample::{Format, Spec};
use libpulse_binding::stream::Direction;
use libpulse_simple_binding::Simple;

use crate::{Audio, Delivery, SpeechError, Utterance, Voices, synthesise};

/// How much audio is written to the sound service at once, and about how much it holds
/// ahead: a stop is heard within about twice this.
const CHUNK_MILLIS: u32 = 100;

/// The sound service to play through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// A PulseAudio server address (`unix:/run/…/native`); `None`: the session's own
    /// (`PULSE_SERVER`, or the user's PulseAudio or PipeWire).
    pub server: Option<String>,
}

/// What became of an utterance (by the number [`Speaker::say`] gave it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpeechEvent {
    /// Synthesised; its audio has started playing.
    Speaking(u64),
    /// Played to the end.
    Finished(u64),
    /// Ended by a newer utterance or a stop.
    Stopped(u64),
    /// Could not be spoken, and why (never the words themselves).
    Failed(u64, String),
}

enum Command {
    Say(u64, Utterance),
    Quit,
}

/// Speaks on its own thread. Dropping it stops the voice and ends the thread.
#[derive(Debug)]
pub struct Speaker {
    commands: Sender<Command>,
    /// The number of the utterance that may speak; anything older stops.
    latest: Arc<AtomicU64>,
    events: Receiver<SpeechEvent>,
    voices: Voices,
    /// The languages a voice reads here, looked up once at start: the window asks on every
    /// refresh and must not touch the disk to know.
    speaks: Vec<madoguchi_domain::Language>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The words are a resident's business: not even a debug print shows them.
            Command::Say(id, utterance) => write!(f, "Say({id}, {})", utterance.language.code()),
            Command::Quit => write!(f, "Quit"),
        }
    }
}

impl Speaker {
    pub fn start(voices: Voices, delivery: Delivery, output: Output) -> Speaker {
        let (commands, inbox) = channel();
        let (report, events) = channel();
        let latest = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            voices: voices.clone(),
            delivery,
            output,
            latest: latest.clone(),
            report,
        };
        let thread = std::thread::Builder::new()
            .name("read-aloud".into())
            .spawn(move || worker.run(&inbox))
            .ok();
        if thread.is_none() {
            tracing::warn!("the read-aloud thread could not start: nothing will be spoken");
        }
        let speaks = madoguchi_domain::Language::ALL
            .into_iter()
            .filter(|language| thread.is_some() && voices.speaks(*language))
            .collect();
        Speaker {
            commands,
            latest,
            events,
            voices,
            speaks,
            thread,
        }
    }

    /// Starts speaking `utterance`, ending whatever was being said. Returns its number, which
    /// the events carry.
    pub fn say(&self, utterance: Utterance) -> u64 {
        let id = self.latest.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.commands.send(Command::Say(id, utterance));
        id
    }

    /// Ends whatever is being said (the screen changed).
    pub fn stop(&self) {
        self.latest.fetch_add(1, Ordering::SeqCst);
    }

    /// The next thing that happened, if any (never waits).
    pub fn try_event(&self) -> Option<SpeechEvent> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event (tests).
    pub fn wait_event(&self, timeout: std::time::Duration) -> Option<SpeechEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    pub fn voices(&self) -> &Voices {
        &self.voices
    }

    /// Whether a voice reads `language` here (as found at start; no disk access).
    pub fn speaks(&self, language: madoguchi_domain::Language) -> bool {
        self.speaks.contains(&language)
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.stop();
        let _ = self.commands.send(Command::Quit);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker {
    voices: Voices,
    delivery: Delivery,
    output: Output,
    latest: Arc<AtomicU64>,
    report: Sender<SpeechEvent>,
}

impl Worker {
    fn run(self, inbox: &Receiver<Command>) {
        while let Ok(Command::Say(id, utterance)) = inbox.recv() {
            let event = match self.speak(id, &utterance) {
                Ok(()) => SpeechEvent::Finished(id),
                Err(SpeechError::Cancelled) => SpeechEvent::Stopped(id),
                Err(error) => {
                    tracing::warn!(
                        language = utterance.language.code(),
                        %error,
                        "could not read aloud"
                    );
                    SpeechEvent::Failed(id, error.to_string())
                }
            };
            let _ = self.report.send(event);
        }
    }

    fn speak(&self, id: u64, utterance: &Utterance) -> Result<(), SpeechError> {
        let cancelled = || self.latest.load(Ordering::SeqCst) != id;
        if cancelled() {
            return Err(SpeechError::Cancelled);
        }
        let audio = synthesise(&self.voices, utterance, self.delivery, &cancelled)?;
        let _ = self.report.send(SpeechEvent::Speaking(id));
        play(&self.output, &audio, &cancelled)
    }
}

/// Whether the sound service answers: a playback stream is opened and closed, nothing played
/// (`madoguchi doctor`).
pub fn sound_service_answers(output: &Output) -> Result<(), SpeechError> {
    let spec = Spec {
        format: Format::S16le,
        channels: 1,
        rate: 22050,
    };
    Simple::new(
        output.server.as_deref(),
        "Madoguchi",
        Direction::Playback,
        None,
        "doctor",
        &spec,
        None,
        None,
    )
    .map(drop)
    .map_err(|error| {
        SpeechError::Sound(
            error
                .to_string()
                .unwrap_or_else(|| format!("error {}", error.0)),
        )
    })
}

/// Plays `audio` a chunk at a time, asking the sound service to hold little ahead, so that a
/// stop between chunks is heard at once.
pub(crate) fn play(
    output: &Output,
    audio: &Audio,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), SpeechError> {
    let sound = |error: libpulse_binding::error::PAErr| {
        SpeechError::Sound(
            error
                .to_string()
                .unwrap_or_else(|| format!("error {}", error.0)),
        )
    };
    let spec = Spec {
        format: Format::S16le,
        channels: u8::try_from(audio.channels).unwrap_or(0),
        rate: audio.rate,
    };
    if !spec.is_valid() {
        return Err(SpeechError::Audio(format!(
            "{} channel(s) at {} Hz cannot be played",
            audio.channels, audio.rate
        )));
    }
    let frame = usize::from(audio.channels) * 2;
    let chunk = (audio.rate * CHUNK_MILLIS / 1000) as usize * frame;
    let ahead = u32::try_from(chunk * 2).unwrap_or(u32::MAX);
    let buffering = BufferAttr {
        maxlength: u32::MAX,
        tlength: ahead,
        prebuf: u32::MAX,
        minreq: u32::MAX,
        fragsize: u32::MAX,
    };
    let stream = Simple::new(
        output.server.as_deref(),
        "Madoguchi",
        Direction::Playback,
        None,
        "よみあげ",
        &spec,
        None,
        Some(&buffering),
    )
    .map_err(sound)?;
    for piece in audio.bytes().chunks(chunk.max(frame)) {
        if cancelled() {
            let _ = stream.flush();
            return Err(SpeechError::Cancelled);
        }
        // Blocks until the sound service has room: about a chunk's time once playing.
        stream.write(piece).map_err(sound)?;
    }
    stream.drain().map_err(sound)
}
