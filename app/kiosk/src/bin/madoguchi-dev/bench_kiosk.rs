//! `madoguchi-dev bench kiosk`: how long the kiosk takes from launch to its first drawn
//! screen, and how much memory it holds while it waits for the next resident.
//!
//! Each start is a new process (`madoguchi-dev kiosk-once`: the kiosk the product binary
//! opens, through the same library call) with a store in a temp folder, timed from spawn to
//! its `ready` line, which it prints after drawing the first screen. The memory is the idle
//! process's resident set (VmRSS) after `idle` seconds.

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use madoguchi_kiosk::cmd::kiosk::{KioskArgs, open};
use madoguchi_kiosk::ui::KioskApp;
use slint::ComponentHandle;

pub fn run(starts: u32, idle: u64) -> Result<ExitCode> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display: run it under Xvfb, e.g. `xvfb-run -a env SLINT_BACKEND=winit-software madoguchi-dev bench kiosk`"
        );
    }
    let scratch =
        Scratch(std::env::temp_dir().join(format!("madoguchi-bench-kiosk-{}", std::process::id())));
    std::fs::create_dir_all(&scratch.0).context("no temp folder")?;
    let exe = std::env::current_exe().context("cannot find this program")?;
    let launch = |exit_after: u64| {
        Command::new(&exe)
            .args(["kiosk-once", "--exit-after"])
            .arg(exit_after.to_string())
            .env("MADOGUCHI_DB", scratch.0.join("db.sqlite3"))
            .env("MADOGUCHI_STORE_KEY_FILE", scratch.0.join("store.key"))
            .env("MADOGUCHI_DEMO_CARD", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the kiosk")
    };
    // The first start creates the store and unpacks the catalogue; it is not counted.
    let mut times = Vec::new();
    for round in 0..=starts {
        let started = Instant::now();
        let mut child = launch(1)?;
        let ready = wait_ready(&mut child)?;
        let elapsed = started.elapsed();
        let _ = child.wait();
        if !ready {
            bail!("the kiosk never drew its first screen");
        }
        if round > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let worst = times.last().copied().unwrap_or_default();
    println!(
        "start-up to the first drawn screen ({starts} starts): median {:.0} ms, worst {:.0} ms (target < 1000 ms)",
        ms(median),
        ms(worst)
    );
    let mut child = launch(idle + 5)?;
    if !wait_ready(&mut child)? {
        bail!("the kiosk never drew its first screen");
    }
    std::thread::sleep(Duration::from_secs(idle));
    let rss = resident_kb(child.id()).context("cannot read the kiosk's memory")?;
    let _ = child.kill();
    let _ = child.wait();
    println!(
        "memory while idle on the start screen after {idle} s: {:.1} MB resident (target < 150 MB)",
        rss as f64 / 1024.0
    );
    Ok(ExitCode::SUCCESS)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Reads the child's output until its `ready` line (or its end).
fn wait_ready(child: &mut std::process::Child) -> Result<bool> {
    let stdout = child.stdout.take().context("no output")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.starts_with("ready"));
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(ready)
}

fn resident_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The bench's store folder, removed at the end.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The kiosk as `madoguchi` opens it; `ready` once the first screen is drawn, closed after
/// `exit_after` seconds.
pub fn once(exit_after: u64) -> Result<ExitCode> {
    let (window, app) = open(&KioskArgs::default())?;
    let _timer = KioskApp::start_timer(&app);
    // Once the loop runs, draw the first screen into a buffer: the figure then includes a
    // whole render (the software renderer has no "frame shown" notifier).
    let weak = window.as_weak();
    slint::Timer::single_shot(Duration::ZERO, move || {
        if let Some(window) = weak.upgrade() {
            let drawn = window.window().take_snapshot().is_ok();
            println!("ready drawn={drawn}");
        }
    });
    slint::Timer::single_shot(Duration::from_secs(exit_after), || {
        let _ = slint::quit_event_loop();
    });
    window
        .run()
        .context("the kiosk window could not run (is there a display?)")?;
    Ok(ExitCode::SUCCESS)
}
