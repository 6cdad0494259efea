//! `madoguchi-dev bench floor`: a busy day on one floor. A private PostgreSQL cluster (the
//! tests' `TestCluster`) takes `terminals` interview desks, each pushing `cases` finished
//! cases spread over `seconds` (a real day's 8 hours compressed; 0 pushes as fast as they
//! go), each case routed to two of `counters` department counters; each department follows
//! its list (LISTEN/NOTIFY) and marks every case done with a hand-over event.
//!
//! Prints the total time, the time of one push (p50, p95, max) and the delay from a case's
//! end to its appearance in a department's list (p50, p95, max). Timing is printed, never
//! asserted.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use madoguchi_central::testbed::TestCluster;
use madoguchi_central::{CaseRow, Central, ConnectOptions, HandoverKind, HandoverRow, Terminal};

const PASSWORD: &str = "a-benchmark-terminal-password";

fn percentile(values: &mut [Duration], p: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    values.sort();
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[index.min(values.len() - 1)]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn options(cluster: &TestCluster, login: &str) -> ConnectOptions {
    ConnectOptions {
        connection: cluster.connection_string(login),
        password: Some(PASSWORD.into()),
        ca_file: None,
    }
}

fn terminal(login: String, counters: Vec<String>) -> Terminal {
    Terminal {
        login,
        place: "bench".into(),
        counters,
        supervisor: false,
        back_office: false,
    }
}

/// A case like the counter's: a family's statistics, two routes, 700 sealed bytes.
fn case(desk: usize, n: usize, counters: usize) -> CaseRow {
    let finished_at = Utc::now();
    let first = (desk + n) % counters;
    let second = (desk + n + 1 + desk % (counters - 1).max(1)) % counters;
    let mut routes = std::collections::BTreeMap::new();
    for counter in [first, second] {
        routes.insert(format!("counter_{counter}"), vec!["procedure".to_string()]);
    }
    CaseRow {
        id: uuid::Uuid::new_v4(),
        reception: format!("{:03}", n + 1),
        started_at: finished_at - chrono::Duration::minutes(12),
        finished_at,
        event: "tennyu".into(),
        members: 3,
        procedures: vec![
            "tennyu_todoke".into(),
            "kokuho_kanyu".into(),
            "jidou_teate".into(),
        ],
        routes,
        forms_printed: 4,
        sealed: Some(vec![0x5a; 700]),
    }
}

pub fn run(terminals: usize, cases: usize, counters: usize, seconds: u64) -> Result<ExitCode> {
    let counters = counters.max(2);
    let profile = if cfg!(debug_assertions) {
        "debug build: figures are not representative"
    } else {
        "release build"
    };
    println!(
        "bench floor ({profile}): {terminals} desks × {cases} cases over {seconds} s, {counters} department counters, one PostgreSQL"
    );
    // Each desk's cases are spread over `seconds` (0: as fast as they go), with a little
    // jitter so that desks do not push in step.
    let pace = Duration::from_secs(seconds) / u32::try_from(cases.max(1)).unwrap_or(u32::MAX);
    let cluster = TestCluster::start();
    let mut admin = cluster.superuser();
    madoguchi_central::migrate(&mut admin)?;
    for desk in 0..terminals {
        madoguchi_central::add_terminal(
            &mut admin,
            &terminal(format!("desk_{desk}"), vec![]),
            PASSWORD,
        )?;
    }
    for counter in 0..counters {
        madoguchi_central::add_terminal(
            &mut admin,
            &terminal(
                format!("dept_{counter}"),
                vec![format!("counter_{counter}")],
            ),
            PASSWORD,
        )?;
    }

    let expected_routes = terminals * cases * 2;
    let seen_routes = Arc::new(AtomicUsize::new(0));
    let delays = Arc::new(Mutex::new(Vec::with_capacity(expected_routes)));
    let stop = Arc::new(AtomicBool::new(false));
    let since = Utc::now() - chrono::Duration::minutes(1);
    let departments: Vec<_> = (0..counters)
        .map(|counter| {
            let options = options(&cluster, &format!("dept_{counter}"));
            let (seen_routes, delays, stop) = (
                Arc::clone(&seen_routes),
                Arc::clone(&delays),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || -> Result<usize> {
                department(
                    &options,
                    &format!("counter_{counter}"),
                    since,
                    &seen_routes,
                    &delays,
                    &stop,
                )
            })
        })
        .collect();

    let started = Instant::now();
    let desks: Vec<_> = (0..terminals)
        .map(|desk| {
            let options = options(&cluster, &format!("desk_{desk}"));
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let mut central = Central::connect(&options)?;
                let mut times = Vec::with_capacity(cases);
                for n in 0..cases {
                    let jitter = Duration::from_millis(((desk * 7 + n * 13) % 20) as u64);
                    std::thread::sleep(pace + jitter);
                    let row = case(desk, n, counters);
                    let push = Instant::now();
                    central.push_case(&row)?;
                    times.push(push.elapsed());
                }
                Ok(times)
            })
        })
        .collect();
    let mut pushes = Vec::with_capacity(terminals * cases);
    for desk in desks {
        let times = desk
            .join()
            .map_err(|_| anyhow::anyhow!("a desk thread panicked"))??;
        pushes.extend(times);
    }
    let pushed_in = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen_routes.load(Ordering::SeqCst) < expected_routes && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let everything_in = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let mut handovers = 0;
    for department in departments {
        handovers += department
            .join()
            .map_err(|_| anyhow::anyhow!("a department thread panicked"))??;
    }
    let done: i64 = admin
        .query_one("SELECT count(*) FROM routes WHERE state = 'done'", &[])?
        .get(0);
    let mut delays = delays.lock().map(|d| d.clone()).unwrap_or_default();
    println!(
        "  pushed {} cases in {:.1} s ({:.0} cases/s); every route seen by its department after {:.1} s",
        pushes.len(),
        pushed_in.as_secs_f64(),
        pushes.len() as f64 / pushed_in.as_secs_f64(),
        everything_in.as_secs_f64()
    );
    println!(
        "  one push: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(percentile(&mut pushes, 0.5)),
        ms(percentile(&mut pushes, 0.95)),
        ms(percentile(&mut pushes, 1.0))
    );
    println!(
        "  case end → department list: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms ({} of {} routes seen)",
        ms(percentile(&mut delays, 0.5)),
        ms(percentile(&mut delays, 0.95)),
        ms(percentile(&mut delays, 1.0)),
        delays.len(),
        expected_routes
    );
    println!("  hand-over events pushed: {handovers}; routes marked done: {done}");
    Ok(ExitCode::SUCCESS)
}

/// A department: hears its counter's changes, reads the recent part of its list and notes
/// how long each new case took to arrive; a second connection, as the clerk would later, marks
/// each one done (so the marking does not hold up the list).
fn department(
    options: &ConnectOptions,
    counter: &str,
    since: chrono::DateTime<Utc>,
    seen_routes: &AtomicUsize,
    delays: &Mutex<Vec<Duration>>,
    stop: &AtomicBool,
) -> Result<usize> {
    let mut list = Central::connect(options).context("a department connects")?;
    list.listen_routes()?;
    let (to_mark, marking) = std::sync::mpsc::channel::<uuid::Uuid>();
    let marker = {
        let options = options.clone();
        let counter = counter.to_string();
        std::thread::spawn(move || -> Result<usize> {
            let mut marks = Central::connect(&options)?;
            let mut handovers = 0;
            for case in marking {
                marks.push_handover(&HandoverRow {
                    id: uuid::Uuid::new_v4(),
                    case,
                    counter: counter.clone(),
                    kind: HandoverKind::Done,
                    detail: String::new(),
                    at: Utc::now(),
                })?;
                handovers += 1;
            }
            Ok(handovers)
        })
    };
    let mut seen = HashSet::new();
    let mut newest = since;
    while !stop.load(Ordering::SeqCst) {
        if !list.route_changed(Some(counter), Duration::from_millis(200))? {
            continue;
        }
        // Cases may commit a little out of their end order: read a window behind the newest.
        let window = newest - chrono::Duration::seconds(5);
        for waiting in list.routed_to(counter, window)? {
            if !seen.insert(waiting.case) {
                continue;
            }
            let delay = (Utc::now() - waiting.finished_at)
                .to_std()
                .unwrap_or_default();
            newest = newest.max(waiting.finished_at);
            if let Ok(mut delays) = delays.lock() {
                delays.push(delay);
            }
            seen_routes.fetch_add(1, Ordering::SeqCst);
            let _ = to_mark.send(waiting.case);
        }
    }
    drop(to_mark);
    marker
        .join()
        .map_err(|_| anyhow::anyhow!("a marker thread panicked"))?
}

/// `bench floor-statistics`: the supervisor's main view (28 days across the floor) over
/// `cases` stored cases, a year of a busy floor. The rows are made in the database
/// (generate_series, triggers off for the load), the summaries rebuilt once, and the view is
/// timed against them; the same totals straight from the cases table are timed beside it.
pub fn statistics(cases: u64) -> Result<ExitCode> {
    let profile = if cfg!(debug_assertions) {
        "debug client; the queries run in PostgreSQL"
    } else {
        "release build"
    };
    println!("bench floor-statistics ({profile}): {cases} cases");
    let cluster = TestCluster::start();
    let mut admin = cluster.superuser();
    madoguchi_central::migrate(&mut admin)?;
    let load = Instant::now();
    admin.batch_execute(&format!(
        "INSERT INTO terminals (login, counters)
           SELECT 'desk_' || i, '{{}}' FROM generate_series(0, 99) i;
         SET session_replication_role = replica;
         INSERT INTO cases (id, terminal, started_at, finished_at, event, members, procedures, forms_printed)
           SELECT gen_random_uuid(), 'desk_' || (i % 100), t - interval '12 minutes', t,
                  (ARRAY['tennyu', 'tenkyo', 'tenshutsu'])[1 + i % 3], 1 + i % 4,
                  '{{tennyu_todoke}}', i % 6
           FROM (SELECT i, timestamptz '2026-12-01 00:00+09' - i * interval '3 seconds' AS t
                 FROM generate_series(1, {cases}) i) s;
         INSERT INTO routes (case_id, counter, terminal, state)
           SELECT id, 'counter_' || (abs(hashtext(id::text)) % 5), terminal, 'done' FROM cases;
         SET session_replication_role = DEFAULT;"
    ))?;
    println!("  loaded in {:.0} s", load.elapsed().as_secs_f64());
    let rebuild = Instant::now();
    admin.batch_execute("SELECT rebuild_floor_statistics(); ANALYZE;")?;
    println!(
        "  summaries rebuilt in {:.1} s",
        rebuild.elapsed().as_secs_f64()
    );
    let to = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).context("a date")?;
    for (label, days) in [("28 days", 27), ("a year", 364)] {
        let from = to - chrono::Duration::days(days);
        let mut times = Vec::new();
        let mut shown = None;
        for _ in 0..5 {
            let started = Instant::now();
            let statistics = madoguchi_central::floor_statistics(&mut admin, from, to)?;
            times.push(started.elapsed());
            shown = Some(statistics);
        }
        let statistics = shown.unwrap_or_default();
        println!(
            "  main view, {label}: median {:.1} ms ({} cases, {} days, {} counters, {} terminals)",
            ms(percentile(&mut times, 0.5)),
            statistics.cases,
            statistics.per_day.len(),
            statistics.per_counter.len(),
            statistics.per_terminal.len()
        );
    }
    let started = Instant::now();
    let raw: i64 = admin
        .query_one(
            "SELECT count(*) FROM cases c JOIN routes r ON r.case_id = c.id
             WHERE c.finished_at >= timestamptz '2026-11-03 00:00+09'",
            &[],
        )?
        .get(0);
    println!(
        "  the same 28 days' routes counted from the rows instead: {:.0} ms ({raw} routes)",
        ms(started.elapsed())
    );
    Ok(ExitCode::SUCCESS)
}
