//! The virtual card's side of vsmartcard's vpcd protocol: the emulator connects to the vpcd
//! driver inside pcscd (connecting is inserting the card, closing is removing it) and answers
//! what pcscd sends.
//!
//! Framing both ways is a big-endian u16 length, then the payload. A one-byte payload from vpcd
//! is a control code (`00` power off, `01` power on, `02` reset, `04` ask for the ATR); anything
//! longer is a command APDU, answered with one frame of data and status word.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::virtual_card::VirtualCard;

/// An ATR announcing T=1. The reader never relies on it: cards are recognised by their AID.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// The port of vpcd's first slot in Debian's `vsmartcard-vpcd` configuration.
pub const DEFAULT_VPCD_PORT: u16 = 35963;

const POLL: Duration = Duration::from_millis(100);
const RECONNECT_DELAY: Duration = Duration::from_millis(200);

/// How the card behaves on the wire.
#[derive(Clone, Debug)]
pub struct WireBehaviour {
    pub vpcd: SocketAddr,
    /// Added before every answer, like a slow card or a weak contactless field.
    pub delay: Duration,
    /// Pull the card out when the N-th command APDU (counting from 1) arrives, before it is
    /// answered. The emulator then ends.
    pub pull_at: Option<u32>,
    /// When pcscd goes away, wait for it and insert the card again (a card stays in its
    /// reader across a service restart).
    pub reconnect: bool,
}

impl WireBehaviour {
    pub fn new(vpcd: SocketAddr) -> WireBehaviour {
        WireBehaviour {
            vpcd,
            delay: Duration::ZERO,
            pull_at: None,
            reconnect: true,
        }
    }
}

/// What the emulator reports as it runs. Carries no card data: commands are named by their
/// instruction byte only, so a PIN never reaches a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmulatorEvent {
    Inserted,
    Disconnected,
    Command {
        index: u32,
        ins: u8,
        /// How many bytes of data the command carried (its Lc; 0 for a tries query): a VERIFY
        /// of four is the PIN, of fourteen the 照合番号B.
        data_len: u8,
        status: u16,
        /// The PIN's tries left after the command; `None` for a card without a PIN.
        tries_left: Option<u8>,
    },
    Pulled {
        index: u32,
    },
}

/// Why the emulator stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmulatorEnd {
    Stopped,
    Pulled,
    Disconnected,
}

/// The card and its counters, shared with whoever watches the emulator.
#[derive(Debug)]
pub struct SharedCard {
    card: Mutex<VirtualCard>,
    inserted: AtomicBool,
}

impl SharedCard {
    pub fn new(card: VirtualCard) -> Arc<SharedCard> {
        Arc::new(SharedCard {
            card: Mutex::new(card),
            inserted: AtomicBool::new(false),
        })
    }

    pub fn card(&self) -> MutexGuard<'_, VirtualCard> {
        // A poisoned lock only means a panic elsewhere; the card's state is still whole.
        self.card.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Connected to vpcd, which pcscd sees as a card in the reader.
    pub fn is_inserted(&self) -> bool {
        self.inserted.load(Ordering::SeqCst)
    }
}

/// Runs the emulator on this thread until `stop` is set, the card is pulled, or (without
/// `reconnect`) pcscd goes away.
pub fn run(
    shared: &SharedCard,
    wire: &WireBehaviour,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(EmulatorEvent),
) -> EmulatorEnd {
    let mut commands = 0u32;
    loop {
        if stop.load(Ordering::SeqCst) {
            return EmulatorEnd::Stopped;
        }
        let Ok(stream) = TcpStream::connect_timeout(&wire.vpcd, Duration::from_secs(1)) else {
            std::thread::sleep(RECONNECT_DELAY);
            continue;
        };
        shared.inserted.store(true, Ordering::SeqCst);
        on_event(EmulatorEvent::Inserted);
        let end = serve(stream, shared, wire, stop, &mut commands, on_event);
        shared.inserted.store(false, Ordering::SeqCst);
        shared.card().reset();
        match end {
            EmulatorEnd::Disconnected => {
                on_event(EmulatorEvent::Disconnected);
                if !wire.reconnect {
                    return end;
                }
            }
            other => return other,
        }
    }
}

fn serve(
    mut stream: TcpStream,
    shared: &SharedCard,
    wire: &WireBehaviour,
    stop: &AtomicBool,
    commands: &mut u32,
    on_event: &mut dyn FnMut(EmulatorEvent),
) -> EmulatorEnd {
    if stream.set_read_timeout(Some(POLL)).is_err() || stream.set_nodelay(true).is_err() {
        return EmulatorEnd::Disconnected;
    }
    let mut frames = FrameReader::default();
    loop {
        let frame = match frames.next(&mut stream, stop) {
            Ok(Some(frame)) => frame,
            Ok(None) => return EmulatorEnd::Stopped,
            Err(_) => return EmulatorEnd::Disconnected,
        };
        let reply = match frame.as_slice() {
            [0x00] | [0x01] | [0x02] => {
                shared.card().reset();
                None
            }
            [0x04] => Some(ATR.to_vec()),
            [_] => None,
            apdu => {
                *commands += 1;
                if wire.pull_at == Some(*commands) {
                    let _ = stream.shutdown(Shutdown::Both);
                    on_event(EmulatorEvent::Pulled { index: *commands });
                    return EmulatorEnd::Pulled;
                }
                std::thread::sleep(wire.delay);
                let mut card = shared.card();
                let answer = card.process(apdu);
                let status = answer
                    .get(answer.len().saturating_sub(2)..)
                    .map_or(0, |sw| u16::from_be_bytes([sw[0], sw[1]]));
                on_event(EmulatorEvent::Command {
                    index: *commands,
                    ins: apdu.get(1).copied().unwrap_or(0),
                    data_len: if apdu.len() > 5 {
                        apdu.get(4).copied().unwrap_or(0)
                    } else {
                        0
                    },
                    status,
                    tries_left: card.pin_tries_left(),
                });
                Some(answer)
            }
        };
        if let Some(payload) = reply
            && write_frame(&mut stream, &payload).is_err()
        {
            return EmulatorEnd::Disconnected;
        }
    }
}

fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too long"))?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame)
}

/// Collects length-prefixed frames from a socket that times out every [`POLL`], so that a stop
/// request is noticed without losing bytes that arrived half-way through a frame.
#[derive(Default)]
struct FrameReader {
    buffer: Vec<u8>,
}

impl FrameReader {
    /// The next frame; `None` when `stop` was set; an error when the peer closed.
    fn next(&mut self, stream: &mut TcpStream, stop: &AtomicBool) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(frame) = self.take_frame() {
                return Ok(Some(frame));
            }
            if stop.load(Ordering::SeqCst) {
                return Ok(None);
            }
            let mut chunk = [0u8; 1024];
            match stream.read(&mut chunk) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    // vpcd sends a frame's length and its payload in two writes; with delayed
                    // ACKs here and Nagle's algorithm there, every command would wait 40 ms.
                    // Linux turns quick ACKs off again on its own, so ask after every read.
                    let _ = socket2::SockRef::from(&*stream).set_tcp_quickack(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn take_frame(&mut self) -> Option<Vec<u8>> {
        let [high, low, ..] = self.buffer[..] else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([high, low]));
        if self.buffer.len() < 2 + len {
            return None;
        }
        let frame = self.buffer[2..2 + len].to_vec();
        self.buffer.drain(..2 + len);
        Some(frame)
    }
}

/// An emulator running on its own thread, for tests and the benchmark. Dropping it removes the
/// card.
#[derive(Debug)]
pub struct EmulatorThread {
    shared: Arc<SharedCard>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<EmulatorEnd>>,
}

impl EmulatorThread {
    pub fn spawn(card: VirtualCard, wire: WireBehaviour) -> EmulatorThread {
        let shared = SharedCard::new(card);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || run(&shared, &wire, &stop, &mut |_| {}))
        };
        EmulatorThread {
            shared,
            stop,
            thread: Some(thread),
        }
    }

    pub fn card(&self) -> MutexGuard<'_, VirtualCard> {
        self.shared.card()
    }

    pub fn is_inserted(&self) -> bool {
        self.shared.is_inserted()
    }

    /// True once the emulator has ended (pulled, or stopped).
    pub fn has_ended(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Whether the emulator ends within `timeout`. A pulled card closes its connection just
    /// before its thread returns, so a caller that saw the removal may have to wait a moment.
    pub fn ends_within(&self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while !self.has_ended() {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        true
    }

    /// Takes the card out of the reader and waits for the emulator to end.
    pub fn remove(mut self) -> EmulatorEnd {
        self.finish()
    }

    fn finish(&mut self) -> EmulatorEnd {
        self.stop.store(true, Ordering::SeqCst);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(end)) => end,
            _ => EmulatorEnd::Stopped,
        }
    }
}

impl Drop for EmulatorThread {
    fn drop(&mut self) {
        self.finish();
    }
}
