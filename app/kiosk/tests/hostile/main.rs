//! The hostile-input suite: for every entry point — the command line, the QR text and image
//! decoders, the case JSON, the catalogue loader, the form templates, the home page's routes
//! the card's TLV, typed values and stored catalogue files — a corpus of hostile inputs, each under a time limit, and property
//! tests over the whole accepted domain. Nothing may panic (exit 101), hang, or answer with
//! more than one plain line.
//!
//! It prints how many inputs it tried per entry point, and fails listing every input that was
//! not handled. Its own `main` (`harness = false`): the report is the point.

mod card;
mod cases;
mod commands;
mod config;
#[path = "../support/dirs.rs"]
mod dirs;
mod files;
mod floor;
mod homepage;
mod properties;
mod qr;
mod support;
mod typed;

use madoguchi_rules::Catalogue;
use support::{Madoguchi, Section, repo};

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let catalogue: &'static Catalogue = Box::leak(Box::new(
        madoguchi_kiosk::catalogue_dir::load_quietly(&repo("assets/catalogue"))
            .expect("the shipped catalogue"),
    ));
    let madoguchi = Madoguchi::new(&dir.path().join("home"));
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).expect("dir");

    let mut sections: Vec<Section> = Vec::new();
    let mut run = |section: Section| {
        println!(
            "  {:<62} {:>6} inputs, {} not handled",
            section.name,
            section.tried,
            section.failures.len()
        );
        sections.push(section);
    };
    println!("hostile-input suite:");
    run(cases::library(catalogue));
    run(cases::command_line(&madoguchi, &files));
    run(qr::text(catalogue));
    run(qr::command_line(&madoguchi));
    run(qr::images(&madoguchi, &files));
    run(files::catalogues(&madoguchi, &files));
    run(files::templates(&madoguchi, &files));
    run(files::form_pages(&madoguchi, &files));
    run(files::catalogue_forms(&madoguchi, &files));
    run(files::field_lists(&madoguchi, &files));
    run(config::files(&madoguchi, &files));
    run(config::backup_targets(&madoguchi, &files));
    run(floor::settings_files(&madoguchi, &files));
    run(floor::signatures(&madoguchi, &files));
    run(homepage::routes(&madoguchi));
    run(card::tlv(5_000));
    run(typed::values());
    run(typed::stored_catalogues());
    run(commands::reproductions(&madoguchi, &files));
    if let Some(section) = commands::full_disk(&madoguchi, &files) {
        run(section);
    }
    run(properties::accepted_domain(catalogue, 256, 24));

    let total: usize = sections.iter().map(|s| s.tried).sum();
    let failures: Vec<String> = sections
        .iter()
        .flat_map(|s| s.failures.iter().map(move |f| format!("[{}] {f}", s.name)))
        .collect();
    println!("  {total} inputs in all");
    if !failures.is_empty() {
        for failure in &failures {
            println!("NOT HANDLED {failure:.600}");
        }
        panic!("{} hostile inputs were not handled", failures.len());
    }
}
