//! The real synthesisers and a real sound service: each language's voice makes audible speech
//! of a plausible length (measured by sox, not by our own reader), the speaker plays it into
//! PulseAudio, and a stop silences it at once.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use madoguchi_domain::Language;
use madoguchi_speech::testing::{RECORDING_FORMAT, SoundServer};
use madoguchi_speech::{Delivery, Output, Speaker, SpeechEvent, Utterance, Voices, synthesise};
use madoguchi_words::{Domain, catalog};

/// The scan screen's two lines, as the kiosk shows them in `language` (English is Slint's
/// own bundle, not a catalogue of ours).
fn scan_screen_words(language: Language) -> String {
    if language == Language::English {
        return "Show the QR code to the camera. Paper or a phone screen both work.".into();
    }
    let lines = [
        "QRコードを カメラに みせてください",
        "紙でも スマートフォンの 画面でも 読めます。",
    ];
    lines
        .iter()
        .map(|ja| {
            if language.is_japanese() {
                (*ja).to_string()
            } else {
                catalog(language, Domain::Kiosk)
                    .and_then(|c| c.get("", ja))
                    .unwrap_or_else(|| panic!("{} lacks {ja}", language.code()))
                    .to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("。 ")
}

fn voices() -> Voices {
    Voices::installed(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/voices"))
}

/// sox's own reading of an audio file (`format`: sox's options for a headerless one):
/// (seconds, RMS amplitude of full scale).
fn measured(format: &[&str], wav: &Path) -> (f64, f64) {
    let seconds = if format.is_empty() {
        let length = Command::new("sox")
            .arg("--i")
            .arg("-D")
            .arg(wav)
            .output()
            .expect("sox runs (scripts/setup installs it)");
        String::from_utf8_lossy(&length.stdout)
            .trim()
            .parse()
            .expect("a duration")
    } else {
        // A recording: 16-bit mono at 22,050 Hz.
        std::fs::metadata(wav).expect("recorded").len() as f64 / 44_100.0
    };
    let stat = Command::new("sox")
        .args(format)
        .arg(wav)
        .args(["-n", "stat"])
        .output()
        .expect("sox runs");
    let report = String::from_utf8_lossy(&stat.stderr).into_owned();
    let rms = report
        .lines()
        .find(|l| l.starts_with("RMS     amplitude:"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no RMS amplitude in {report}"));
    (seconds, rms)
}

#[test]
fn every_language_with_a_voice_speaks_audible_speech_of_a_plausible_length() {
    let voices = voices();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut spoken = 0;
    for language in Language::ALL {
        if !voices.speaks(language) {
            assert_eq!(
                language,
                Language::Filipino,
                "{} has no voice",
                language.code()
            );
            continue;
        }
        let text = scan_screen_words(language);
        let utterance = Utterance { language, text };
        let audio = synthesise(&voices, &utterance, Delivery::default(), &|| false)
            .unwrap_or_else(|e| panic!("{}: {e}", language.code()));
        let wav = folder.path().join(format!("{}.wav", language.code()));
        audio.write_wav(&wav).expect("written");
        let (seconds, rms) = measured(&[], &wav);
        let characters = utterance.text.chars().count() as f64;
        println!(
            "{:8} {characters:>4} characters → {seconds:5.2} s, RMS {rms:.3}",
            language.code()
        );
        assert!(rms > 0.02, "{}: silent ({rms})", language.code());
        assert!(
            seconds > 1.0 && seconds > characters * 0.02 && seconds < characters * 0.5,
            "{}: {seconds} s for {characters} characters",
            language.code()
        );
        let faster = synthesise(&voices, &utterance, Delivery::new(80, 200), &|| false)
            .expect("spoken faster");
        assert!(
            faster.duration().as_secs_f64() < seconds * 0.8,
            "{}: speed 200% took {:?} against {seconds} s",
            language.code(),
            faster.duration()
        );
        spoken += 1;
    }
    assert_eq!(
        spoken, 9,
        "Japanese, やさしい日本語, English and six translated languages"
    );
}

#[test]
fn a_cancel_kills_a_running_synthesiser() {
    let voices = voices();
    let long = Utterance {
        language: Language::Japanese,
        text: "転入届の期限は、引っ越してから十四日以内です。".repeat(60),
    };
    let started = Instant::now();
    let asked = std::cell::Cell::new(0);
    let result = synthesise(&voices, &long, Delivery::default(), &|| {
        asked.set(asked.get() + 1);
        asked.get() > 3
    });
    assert!(
        matches!(result, Err(madoguchi_speech::SpeechError::Cancelled)),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn wait_for(speaker: &Speaker, wanted: impl Fn(&SpeechEvent) -> bool) -> SpeechEvent {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(event) = speaker.wait_event(Duration::from_millis(200)) {
            if wanted(&event) {
                return event;
            }
            assert!(
                !matches!(event, SpeechEvent::Failed(..)),
                "speech failed: {event:?}"
            );
        }
    }
    panic!("no such speech event within 30 s");
}

#[test]
fn the_speaker_plays_through_the_sound_service_and_a_stop_silences_it() {
    let sound = SoundServer::start().expect("a private PulseAudio");
    let speaker = Speaker::start(
        voices(),
        Delivery::default(),
        Output {
            server: Some(sound.address()),
        },
    );
    // Played to the end, and what the sink played is speech.
    let recording = sound.folder().join("heard.raw");
    let mut recorder = sound.record(&recording).expect("parec");
    std::thread::sleep(Duration::from_millis(300));
    let id = speaker.say(Utterance {
        language: Language::Japanese,
        text: scan_screen_words(Language::Japanese),
    });
    wait_for(&speaker, |e| *e == SpeechEvent::Speaking(id));
    wait_for(&speaker, |e| *e == SpeechEvent::Finished(id));
    std::thread::sleep(Duration::from_millis(300));
    let _ = recorder.kill();
    let _ = recorder.wait();
    let (seconds, rms) = measured(&RECORDING_FORMAT, &recording);
    println!("recorded from the sink: {seconds:.2} s, RMS {rms:.3}");
    assert!(rms > 0.01, "the sink heard silence ({rms})");

    // A long text, stopped while it plays: the stream leaves the sink at once.
    let id = speaker.say(Utterance {
        language: Language::Vietnamese,
        text: scan_screen_words(Language::Vietnamese).repeat(8),
    });
    wait_for(&speaker, |e| *e == SpeechEvent::Speaking(id));
    // The null sink takes about a second to start taking audio; a stop then waits for it.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(sound.streams(), 1, "one voice playing");
    let stopped_at = Instant::now();
    speaker.stop();
    wait_for(&speaker, |e| *e == SpeechEvent::Stopped(id));
    println!("stopped after {:?}", stopped_at.elapsed());
    let deadline = Instant::now() + Duration::from_secs(5);
    while sound.streams() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(sound.streams(), 0, "the stopped voice left the sink");

    // A newer utterance ends the one before it.
    let first = speaker.say(Utterance {
        language: Language::English,
        text: "This is a long sentence that will not be finished. ".repeat(10),
    });
    wait_for(&speaker, |e| *e == SpeechEvent::Speaking(first));
    let second = speaker.say(Utterance {
        language: Language::English,
        text: "Next.".into(),
    });
    wait_for(&speaker, |e| *e == SpeechEvent::Stopped(first));
    wait_for(&speaker, |e| *e == SpeechEvent::Finished(second));
}

#[test]
fn without_a_sound_service_speech_fails_plainly() {
    let speaker = Speaker::start(
        voices(),
        Delivery::default(),
        Output {
            server: Some("unix:/nonexistent/native".into()),
        },
    );
    let id = speaker.say(Utterance {
        language: Language::English,
        text: "Hello.".into(),
    });
    let event = loop {
        match speaker.wait_event(Duration::from_secs(30)) {
            Some(SpeechEvent::Speaking(_)) => continue,
            other => break other,
        }
    };
    match event {
        Some(SpeechEvent::Failed(failed, message)) => {
            assert_eq!(failed, id);
            assert!(message.contains("sound service"), "{message}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}
