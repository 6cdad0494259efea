//! `madoguchi-dev bench card`: how many commands a read takes and how long, for each card type
//! (My Number card, 在留カード of both generations, 特別永住者証明書, driving licence), against
//! the card emulator through a private pcscd (as root, with no other pcscd running).
//!
//! Time inside pcscd, vpcd and the emulator is not ours; what the target limits is our own
//! overhead: the read's wall time minus connecting, the card's answers and the reset.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use madoguchi_card::emulator::{
    CardBehaviour, CardPersona, EmulatorThread, Persona, VirtualCard, WireBehaviour,
};
use madoguchi_card::protocol::read_card;
use madoguchi_card::residence::ResidenceCardNumber;
use madoguchi_card::residence::signature::TrustStore;
use madoguchi_card::testbed::TestPcscd;
use madoguchi_card::{CardKind, CardService, Pin, ReadTiming, ReaderEvent, ReaderWatcher};

const DEMO: &str = include_str!("../../../../../assets/personas/demo.toml");
const LONG_ADDRESS: &str = include_str!("../../../../../assets/personas/long-address.toml");
const INSERTIONS: usize = 5;

fn persona(text: &str) -> Result<Persona> {
    Persona::from_toml(text).map_err(|e| anyhow::anyhow!("bundled persona: {e}"))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

pub fn run(reads: u32) -> Result<ExitCode> {
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    println!("bench card ({profile}): demo persona, private pcscd + vsmartcard vpcd + emulator");
    let demo = persona(DEMO)?;
    let pin = Pin::parse("1234").map_err(|e| anyhow::anyhow!("{e}"))?;
    own_code_alone(&demo, &pin)?;

    let pcscd = TestPcscd::start().context("starting a private pcscd for the benchmark")?;
    let service = CardService::new();
    let reader = pcscd.reader_name(0);
    let wire = WireBehaviour::new(pcscd.slot_address(0));

    let mut watcher = ReaderWatcher::new();
    watcher.wait(Duration::from_millis(200))?;
    let mut present_to_facts = Vec::new();
    let mut detection = Vec::new();
    for _ in 0..INSERTIONS {
        let placed = Instant::now();
        let emulator = EmulatorThread::spawn(
            VirtualCard::new(&demo, CardBehaviour::default()),
            wire.clone(),
        );
        wait_for(&mut watcher, &ReaderEvent::CardInserted(reader.clone()))?;
        let seen = Instant::now();
        detection.push(seen - placed);
        // What the kiosk does: show the tries left, take the PIN (no time here), read.
        service.pin_state(&reader)?;
        service.read(&reader, &pin, false)?;
        present_to_facts.push(seen.elapsed());
        emulator.remove();
        wait_for(&mut watcher, &ReaderEvent::CardRemoved(reader.clone()))?;
    }

    let emulator = EmulatorThread::spawn(
        VirtualCard::new(&demo, CardBehaviour::default()),
        wire.clone(),
    );
    wait_for(&mut watcher, &ReaderEvent::CardInserted(reader.clone()))?;
    let mut timings: Vec<ReadTiming> = Vec::new();
    for _ in 0..reads.max(1) {
        let (result, timing) = service.read_timed(&reader, &pin, false);
        result?;
        timings.push(timing);
    }
    let (with_number, number_timing) = service.read_timed(&reader, &pin, true);
    with_number?;
    drop(emulator);
    wait_for(&mut watcher, &ReaderEvent::CardRemoved(reader.clone()))?;

    let long = persona(LONG_ADDRESS)?;
    let _long_card = EmulatorThread::spawn(VirtualCard::new(&long, CardBehaviour::default()), wire);
    wait_for(&mut watcher, &ReaderEvent::CardInserted(reader.clone()))?;
    let long_pin = Pin::parse("1357").map_err(|e| anyhow::anyhow!("{e}"))?;
    let (long_read, long_timing) = service.read_timed(&reader, &long_pin, false);
    long_read?;

    let apdus = timings.first().map_or(0, |t| t.apdus);
    println!(
        "APDUs per read: {apdus} for the four facts (target ≤ 7), {} with the 個人番号, {} for the {}-byte long address",
        number_timing.apdus,
        long_timing.apdus,
        long.address.len()
    );
    println!(
        "read, connect → four facts, {} (target < 150 ms of our own)",
        split(&timings)
    );
    let worst_own = timings
        .iter()
        .map(ReadTiming::own_overhead)
        .max()
        .unwrap_or_default();
    println!(
        "our own code, worst of {}: {:.3} ms",
        timings.len(),
        ms(worst_own)
    );
    println!(
        "card present (watcher event) → tries query → four facts (PIN typing excluded), median of {INSERTIONS}: {:.1} ms",
        ms(median(present_to_facts))
    );
    println!(
        "card placed → watcher event, median of {INSERTIONS}: {:.0} ms (pcscd polls the virtual slot every 0.4 s; a CCID reader's driver can report insertion sooner)",
        ms(median(detection))
    );
    drop(_long_card);
    wait_for(&mut watcher, &ReaderEvent::CardRemoved(reader.clone()))?;
    other_cards(&service, &mut watcher, &reader, &wire_for(&pcscd), reads)?;
    drop(pcscd);
    Ok(ExitCode::SUCCESS)
}

/// "median of N: total = connect + card answers + reset + our own code", each a median.
fn split(timings: &[ReadTiming]) -> String {
    let part = |f: fn(&ReadTiming) -> Duration| ms(median(timings.iter().map(f).collect()));
    format!(
        "median of {}: {:.2} ms = connect {:.2} + card answers {:.2} + reset {:.2} + our own code {:.3} ms",
        timings.len(),
        part(|t| t.total),
        part(|t| t.connect),
        part(|t| t.card_io),
        part(|t| t.disconnect),
        part(ReadTiming::own_overhead),
    )
}

fn wire_for(pcscd: &TestPcscd) -> WireBehaviour {
    WireBehaviour::new(pcscd.slot_address(0))
}

/// The personas beside the sources (the residence cards' images and test PKI are files).
const PERSONAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/personas");

/// What one read of a card of each other type costs: identification (which card), the tries
/// query where there is a PIN, and the read itself — APDUs, wall time through pcscd, and our
/// own code's share (for the 在留カード that includes the authentication's cryptography and
/// the signature check).
fn other_cards(
    service: &CardService,
    watcher: &mut ReaderWatcher,
    reader: &str,
    wire: &WireBehaviour,
    reads: u32,
) -> Result<()> {
    let personas = std::path::Path::new(PERSONAS);
    let trust = TrustStore::load(&[&personas.join("zairyu/trust")])?;
    let today = chrono::Local::now().date_naive();
    let cards = [
        (
            "在留カード, 2nd generation",
            "zairyu-nguyen.toml",
            "UH12345678VN",
        ),
        (
            "特別永住者証明書, 2nd generation",
            "zairyu-kim.toml",
            "SP20240001KR",
        ),
        (
            "在留カード, 1st generation",
            "zairyu-santos.toml",
            "AB98765432CD",
        ),
        ("driving licence", "menkyo-watanabe.toml", "1357"),
    ];
    for (label, file, key) in cards {
        let persona = CardPersona::load(&personas.join(file))?;
        let emulator = EmulatorThread::spawn(
            VirtualCard::from_persona(&persona, CardBehaviour::default()),
            wire.clone(),
        );
        wait_for(watcher, &ReaderEvent::CardInserted(reader.to_owned()))?;
        let mut identify = Vec::new();
        let mut timings = Vec::new();
        for _ in 0..reads.max(1) {
            let start = Instant::now();
            let kind = service.card_kind(reader)?;
            identify.push(start.elapsed());
            let timing = match kind {
                CardKind::ResidenceCard => {
                    let number = ResidenceCardNumber::parse(key)?;
                    let (facts, timing) = service.read_residence(reader, &number, &trust, today);
                    facts?;
                    timing
                }
                CardKind::DrivingLicence => {
                    service.licence_pin_state(reader)?;
                    let pin = Pin::parse(key).map_err(|e| anyhow::anyhow!("{e}"))?;
                    let (facts, timing) = service.read_licence(reader, &pin);
                    facts?;
                    timing
                }
                CardKind::MyNumberCard => bail!("{file} is not the card the benchmark expects"),
            };
            timings.push(timing);
        }
        println!(
            "{label}: {} APDUs; identification {:.2} ms; read {}",
            timings.first().map_or(0, |t| t.apdus),
            ms(median(identify)),
            split(&timings)
        );
        drop(emulator);
        wait_for(watcher, &ReaderEvent::CardRemoved(reader.to_owned()))?;
    }
    Ok(())
}

/// Our protocol code and parsing with the card in memory: no pcscd, no sockets.
fn own_code_alone(demo: &Persona, pin: &Pin) -> Result<()> {
    let mut card = VirtualCard::new(demo, CardBehaviour::default());
    let iterations = 20_000u32;
    let start = Instant::now();
    for _ in 0..iterations {
        card.reset();
        let (result, _) = read_card(&mut card, pin, false);
        std::hint::black_box(result?);
    }
    println!(
        "protocol and parsing alone (in-memory card): {:.2} µs per read over {iterations}",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
    );
    Ok(())
}

fn wait_for(watcher: &mut ReaderWatcher, want: &ReaderEvent) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if watcher.wait(Duration::from_millis(500))?.contains(want) {
            return Ok(());
        }
    }
    bail!("timed out waiting for {want:?}")
}
