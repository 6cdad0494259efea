//! `madoguchi-dev card-emulate`: a virtual card (My Number card, 在留カード, 特別永住者証明書) in
//! vsmartcard's virtual reader, for
//! the demo card (scripts/demo-card) and the card tests. Development only: a counter PC has a
//! USB reader and never vsmartcard-vpcd, whose driver takes "cards" over the network.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Result, bail};
use madoguchi_card::emulator::{
    CardBehaviour, CardPersona, EmulatorEnd, EmulatorEvent, SharedCard, VirtualCard, WireBehaviour,
    vpcd,
};

/// The switches of `card-emulate`.
#[derive(Debug)]
pub struct EmulateOptions<'a> {
    pub persona: &'a Path,
    pub vpcd: &'a str,
    pub blocked: bool,
    pub not_my_number: bool,
    pub bad_signature: bool,
    pub slow_ms: u64,
    pub pull_at: Option<u32>,
}

pub fn emulate(options: &EmulateOptions<'_>) -> Result<ExitCode> {
    let persona = CardPersona::load(options.persona)?;
    let behaviour = CardBehaviour {
        not_my_number: options.not_my_number,
        blocked: options.blocked,
        bad_signature: options.bad_signature,
    };
    let address = resolve(options.vpcd)?;
    let mut wire = WireBehaviour::new(address);
    wire.delay = Duration::from_millis(options.slow_ms);
    wire.pull_at = options.pull_at;
    let shared = SharedCard::new(VirtualCard::from_persona(&persona, behaviour));
    println!(
        "card emulator: {} → vpcd at {address} (Ctrl-C takes the card out)",
        options.persona.display()
    );
    let never = AtomicBool::new(false);
    let end = vpcd::run(&shared, &wire, &never, &mut |event| print_event(&event));
    Ok(match end {
        EmulatorEnd::Pulled | EmulatorEnd::Stopped => ExitCode::SUCCESS,
        EmulatorEnd::Disconnected => ExitCode::FAILURE,
    })
}

fn resolve(address: &str) -> Result<SocketAddr> {
    let with_port = if address.contains(':') {
        address.to_owned()
    } else {
        format!("{address}:{}", vpcd::DEFAULT_VPCD_PORT)
    };
    match with_port.to_socket_addrs()?.next() {
        Some(address) => Ok(address),
        None => bail!("no address for {with_port}"),
    }
}

/// One line per event, for the person running the demo and for tests. Commands are shown by
/// instruction and status word only: never their data (a VERIFY carries the PIN).
fn print_event(event: &EmulatorEvent) {
    let line = match event {
        EmulatorEvent::Inserted => "card inserted".to_string(),
        EmulatorEvent::Disconnected => "pcscd went away; waiting to insert the card again".into(),
        EmulatorEvent::Command {
            index,
            ins,
            data_len,
            status,
            tries_left,
        } => format!(
            "apdu {index}: {} -> {:02X} {:02X}{}",
            instruction_name(*ins, *data_len),
            status >> 8,
            status & 0xFF,
            tries_left.map_or(String::new(), |left| format!(" (PIN tries left {left})"))
        ),
        EmulatorEvent::Pulled { index } => format!("card pulled at apdu {index}"),
    };
    println!("{line}");
    let _ = std::io::stdout().flush();
}

fn instruction_name(ins: u8, data_len: u8) -> &'static str {
    match (ins, data_len) {
        (0xA4, _) => "SELECT",
        (0x20, 0) => "VERIFY tries query",
        (0x20, 14) => "VERIFY 照合番号B",
        (0x20, _) => "VERIFY PIN",
        (0xB0, _) => "READ BINARY",
        (0xC0, _) => "GET RESPONSE",
        (0x84, _) => "GET CHALLENGE",
        (0x82, _) => "MUTUAL AUTHENTICATE",
        _ => "other",
    }
}
