//! The synthesisers: which one speaks a language, and running it as a bounded child process.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use madoguchi_domain::Language;

use crate::{Audio, Delivery, MAX_CHARS, SYNTHESIS_TIMEOUT, SpeechError, Utterance};

/// How often a running synthesiser is looked at (finished? cancelled? too slow?).
const POLL: Duration = Duration::from_millis(10);

/// espeak-ng's words per minute at normal speed.
const ESPEAK_WPM: u32 = 175;

/// Where the voices are on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voices {
    /// Open JTalk's program, its dictionary folder and the HTS voice it speaks with.
    pub open_jtalk: PathBuf,
    pub dictionary: PathBuf,
    pub japanese_voice: PathBuf,
    pub espeak: PathBuf,
    /// The espeak-ng voice of each language it reads. A language with none is not read
    /// aloud: espeak-ng 1.51 has no Filipino voice.
    pub espeak_voices: BTreeMap<Language, String>,
}

/// How one language is spoken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    OpenJTalk,
    /// espeak-ng with this voice.
    Espeak(String),
}

impl Voices {
    /// Debian's places for the programs and the dictionary, the Mei voice in `voice_dir`
    /// (the product's `voices` folder), and espeak-ng's voice for each language it has.
    pub fn installed(voice_dir: &Path) -> Voices {
        let espeak_voices = [
            (Language::English, "en"),
            (Language::ChineseSimplified, "cmn"),
            (Language::Vietnamese, "vi"),
            (Language::Korean, "ko"),
            (Language::PortugueseBrazil, "pt-br"),
            (Language::Nepali, "ne"),
            (Language::Indonesian, "id"),
        ]
        .into_iter()
        .map(|(language, voice)| (language, voice.to_string()))
        .collect();
        Voices {
            open_jtalk: PathBuf::from("/usr/bin/open_jtalk"),
            dictionary: PathBuf::from("/var/lib/mecab/dic/open-jtalk/naist-jdic"),
            japanese_voice: voice_dir.join("mei_normal.htsvoice"),
            espeak: PathBuf::from("/usr/bin/espeak-ng"),
            espeak_voices,
        }
    }

    /// The engine for `language`, if it has one configured.
    pub fn engine(&self, language: Language) -> Option<Engine> {
        if language.is_japanese() {
            return Some(Engine::OpenJTalk);
        }
        self.espeak_voices
            .get(&language)
            .map(|voice| Engine::Espeak(voice.clone()))
    }

    /// Why `language` cannot be read aloud here, or `None` when it can: no voice for it, or
    /// a program, dictionary or voice file missing.
    pub fn missing(&self, language: Language) -> Option<String> {
        let needed: Vec<&Path> = match self.engine(language)? {
            Engine::OpenJTalk => vec![&self.open_jtalk, &self.dictionary, &self.japanese_voice],
            Engine::Espeak(_) => vec![&self.espeak],
        };
        needed
            .into_iter()
            .find(|path| !path.exists())
            .map(|path| format!("{} is missing", path.display()))
    }

    /// Whether `language` can be read aloud on this machine.
    pub fn speaks(&self, language: Language) -> bool {
        self.engine(language).is_some() && self.missing(language).is_none()
    }
}

/// Speaks `utterance` into audio at `delivery`'s speed and volume. `cancelled` is asked while
/// the synthesiser runs; when it says yes the child is killed and nothing is returned.
pub fn synthesise(
    voices: &Voices,
    utterance: &Utterance,
    delivery: Delivery,
    cancelled: &dyn Fn() -> bool,
) -> Result<Audio, SpeechError> {
    let characters = utterance.text.chars().count();
    if characters > MAX_CHARS {
        return Err(SpeechError::TooLong(characters));
    }
    let engine = voices
        .engine(utterance.language)
        .ok_or(SpeechError::NoVoice(utterance.language.english_name()))?;
    let folder = tempfile::Builder::new()
        .prefix("madoguchi-speech-")
        .tempdir()
        .map_err(|error| SpeechError::Audio(error.to_string()))?;
    let wav = folder.path().join("speech.wav");
    let mut command = command_for(voices, &engine, delivery, &wav);
    let text = match engine {
        // Open JTalk reads one line only, and would pause at each space of やさしい日本語's
        // spaced words (分かち書き).
        Engine::OpenJTalk => utterance.text.replace([' ', '\u{3000}', '\n', '\r'], ""),
        Engine::Espeak(_) => utterance.text.clone(),
    };
    run(&mut command, &text, cancelled)?;
    Ok(Audio::read_wav(&wav)?.scaled(delivery.volume))
}

fn command_for(voices: &Voices, engine: &Engine, delivery: Delivery, wav: &Path) -> Command {
    let speed = delivery
        .speed
        .clamp(*Delivery::SPEED.start(), *Delivery::SPEED.end());
    match engine {
        Engine::OpenJTalk => {
            let mut command = Command::new(&voices.open_jtalk);
            command
                .arg("-x")
                .arg(&voices.dictionary)
                .arg("-m")
                .arg(&voices.japanese_voice)
                .arg("-r")
                .arg(format!("{:.2}", f64::from(speed) / 100.0))
                .arg("-ow")
                .arg(wav);
            command
        }
        Engine::Espeak(voice) => {
            let mut command = Command::new(&voices.espeak);
            command
                .arg("-v")
                .arg(voice)
                .arg("-s")
                .arg((ESPEAK_WPM * u32::from(speed) / 100).to_string())
                .arg("-w")
                .arg(wav)
                .arg("--stdin");
            command
        }
    }
}

/// Runs the synthesiser with `text` on its standard input, waiting for it within the timeout.
fn run(command: &mut Command, text: &str, cancelled: &dyn Fn() -> bool) -> Result<(), SpeechError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| SpeechError::Start {
            program: program.clone(),
            source,
        })?;
    if let Some(mut input) = child.stdin.take() {
        // A few kilobytes at most: the pipe takes them without the child reading first. A
        // child that exits early closes the pipe; its status says why.
        let _ = input.write_all(text.as_bytes());
        let _ = input.write_all(b"\n");
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(SpeechError::Failed {
                    program,
                    status: status.to_string(),
                });
            }
            Ok(None) => {}
            Err(error) => {
                let _ = child.kill();
                return Err(SpeechError::Failed {
                    program,
                    status: error.to_string(),
                });
            }
        }
        let timed_out = started.elapsed() > SYNTHESIS_TIMEOUT;
        if timed_out || cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(if timed_out {
                SpeechError::TimedOut(program)
            } else {
                SpeechError::Cancelled
            });
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_and_easy_japanese_speak_with_open_jtalk_and_filipino_has_no_voice() {
        let voices = Voices::installed(Path::new("/nowhere"));
        assert_eq!(voices.engine(Language::Japanese), Some(Engine::OpenJTalk));
        assert_eq!(voices.engine(Language::Easy), Some(Engine::OpenJTalk));
        assert_eq!(
            voices.engine(Language::Nepali),
            Some(Engine::Espeak("ne".into()))
        );
        assert_eq!(voices.engine(Language::Filipino), None);
        assert!(!voices.speaks(Language::Filipino));
        let missing = voices.missing(Language::Japanese).expect("no voice file");
        assert!(missing.ends_with(" is missing"), "{missing}");
    }

    #[test]
    fn too_long_a_text_is_refused_before_any_program_runs() {
        let voices = Voices::installed(Path::new("/nowhere"));
        let utterance = Utterance {
            language: Language::English,
            text: "a".repeat(MAX_CHARS + 1),
        };
        let result = synthesise(&voices, &utterance, Delivery::default(), &|| false);
        assert!(matches!(result, Err(SpeechError::TooLong(n)) if n == MAX_CHARS + 1));
    }

    #[test]
    fn a_missing_program_is_a_plain_error() {
        let mut voices = Voices::installed(Path::new("/nowhere"));
        voices.espeak = PathBuf::from("/nowhere/espeak-ng");
        let utterance = Utterance {
            language: Language::Vietnamese,
            text: "Xin chào".into(),
        };
        let error = synthesise(&voices, &utterance, Delivery::default(), &|| false)
            .expect_err("no program");
        assert!(error.to_string().contains("could not start"), "{error}");
    }
}
