//! `madoguchi-dev floor-terminal` and `floor-counter`: terminals of a counter floor without a
//! window, for the tests that run several of them as separate processes against one central
//! PostgreSQL (and for trying a floor by hand). They use the kiosk's own parts: the store as
//! the runtime writes it, the floor link, the counter's live list.
//!
//! Each prints one line per event with the wall-clock time in milliseconds, so a test can tell
//! how long a case took from one terminal to another.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_central::HandoverKind;
use madoguchi_kiosk::cmd::kiosk;
use madoguchi_kiosk::floor::counter::{CounterList, mark};
use madoguchi_kiosk::floor::{FloorConfig, FloorLink};

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn say(line: &str) -> Result<()> {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    Ok(())
}

fn floor_config() -> Result<FloorConfig> {
    FloorConfig::from_env()?.context("this tool needs floor settings (MADOGUCHI_CENTRAL)")
}

/// What an interview desk does: finish `cases` cases, `pause_ms` apart; wait up to `wait`
/// seconds for the link to send them; with `follow`, until every counter has finished.
pub struct Desk {
    pub cases: usize,
    pub pause_ms: u64,
    pub wait: u64,
    pub follow: bool,
}

/// An interview desk: finishes cases of `case` (a case file; the sample family without one),
/// each decided with the catalogue in force and routed to the counters the decision names,
/// then waits for the link to send them and, when asked, follows them to the last counter.
pub fn terminal(desk: Desk, case: Option<&std::path::Path>) -> Result<ExitCode> {
    let Desk {
        cases,
        pause_ms,
        wait,
        follow,
    } = desk;
    let case = match case {
        Some(path) => madoguchi_kiosk::cmd::input::read_case(path)?,
        None => madoguchi_kiosk::samples::family_of_four().context("the bundled sample case")?,
    };
    let config = floor_config()?;
    let stores = kiosk::stores(None)?;
    say(&format!(
        "catalogue {}",
        stores.checksum.as_deref().unwrap_or("folder")
    ))?;
    let link = FloorLink::start(
        config.connect_options()?,
        stores.runtime.share(),
        config.floor_key()?,
        config.trusted_keys()?,
    );
    let mut store = stores.runtime;
    let mut made = Vec::new();
    for _ in 0..cases {
        let id =
            madoguchi_kiosk::samples::finish_routed_case(&mut store, &stores.catalogue, &case, 3)?;
        link.poke();
        let uuid = store.case_uuid(id)?.unwrap_or_default();
        say(&format!(
            "finished {uuid} {} {}",
            store.reception(id)?,
            now_ms()
        ))?;
        made.push(uuid);
        std::thread::sleep(Duration::from_millis(pause_ms));
    }
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let state = link.state();
        if state.online && store.unsent()?.total() == 0 {
            say(&format!("sent {}", state.pushed))?;
            if let Some(floor_id) = state.adopted_catalogue {
                say(&format!("adopted catalogue {floor_id}"))?;
            }
            if let Some(why) = &state.refused_catalogue {
                say(&format!("refused catalogue {why}"))?;
            }
            break;
        }
        if Instant::now() >= deadline {
            say(&format!("waiting {}", store.unsent()?.total()))?;
            return Ok(ExitCode::from(3));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if follow {
        follow_progress(&config, &made, deadline)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints each counter's state of the cases this desk made as it changes, until every route
/// is done or not needed.
fn follow_progress(config: &FloorConfig, cases: &[String], deadline: Instant) -> Result<()> {
    let mut client = madoguchi_central::Central::connect(&config.connect_options()?)?;
    let mut shown: BTreeMap<(String, String), String> = BTreeMap::new();
    while Instant::now() < deadline {
        let mut finished = true;
        for case in cases {
            let id = uuid::Uuid::parse_str(case)?;
            for route in client.progress(id)? {
                let key = (case.clone(), route.counter.clone());
                if shown.get(&key) != Some(&route.state) {
                    say(&format!(
                        "progress {case} {} {} {}",
                        route.counter,
                        route.state,
                        now_ms()
                    ))?;
                    shown.insert(key, route.state.clone());
                }
                finished &= matches!(route.state.as_str(), "done" | "not_needed");
            }
        }
        if finished {
            say("all done")?;
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    say("still open")?;
    Ok(())
}

/// A department counter: follows its 受付一覧 for `seconds`, printing each household as it
/// appears; with `mark_done`, marks each new one done (through the outbox and the link).
pub fn counter(seconds: u64, mark_done: bool) -> Result<ExitCode> {
    let config = floor_config()?;
    let counter = config
        .counter
        .clone()
        .context("a counter terminal's settings name its counter")?;
    let mut store = madoguchi_kiosk::cmd::store::open()?;
    let link = FloorLink::start(
        config.connect_options()?,
        store.share(),
        config.floor_key()?,
        config.trusted_keys()?,
    );
    let mut list = CounterList::new(&counter, config.connect_options()?);
    let since = Utc::now() - chrono::Duration::hours(12);
    let mut seen = HashSet::new();
    let mut marked = HashSet::new();
    let mut offline = false;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    say(&format!("listening {counter}"))?;
    while Instant::now() < deadline {
        let changed = match list.wait_for_change(Duration::from_millis(250), since) {
            Ok(changed) => {
                offline = false;
                changed
            }
            Err(error) => {
                if !offline {
                    say(&format!("offline {error:#}"))?;
                    offline = true;
                }
                std::thread::sleep(Duration::from_millis(500));
                continue;
            }
        };
        for waiting in changed.unwrap_or_default() {
            if seen.insert(waiting.case) {
                say(&format!(
                    "waiting {} {} {} {}",
                    waiting.case,
                    waiting.reception,
                    waiting.procedures.join(","),
                    now_ms()
                ))?;
            }
            if mark_done && waiting.state == "waiting" && marked.insert(waiting.case) {
                mark(
                    &mut store,
                    waiting.case,
                    &counter,
                    HandoverKind::Done,
                    "",
                    Utc::now(),
                )?;
                link.poke();
                say(&format!("marked {} {}", waiting.case, now_ms()))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
