//! `madoguchi-dev screenshots --out DIR`: every screen of the tour (`tour.rs`) as a PNG, drawn
//! by the real window (run it under a display or Xvfb: `scripts/screenshots`).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use madoguchi_kiosk::catalogue_dir;
use madoguchi_kiosk::ui::KioskWindow;
use madoguchi_rules::Catalogue;
use slint::ComponentHandle;

use crate::tour::{self, Shot};

pub fn run(out: &Path, catalogue: Option<PathBuf>, only: Option<&str>) -> Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let dir = catalogue.unwrap_or_else(catalogue_dir::default_dir);
    let catalogue = Arc::new(catalogue_dir::load_quietly(&dir)?);
    let mut written = 0;
    for shot in tour::shots() {
        if only.is_some_and(|only| !shot.name.contains(only)) {
            continue;
        }
        let path = out.join(format!("{}.png", shot.name));
        take(&shot, &catalogue, &path)?;
        println!("{}", path.display());
        written += 1;
    }
    tour::finish();
    println!("{written} screenshots in {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Opens a fresh window, walks the steps, lets it draw, and saves what it shows.
fn take(shot: &Shot, catalogue: &Arc<Catalogue>, path: &Path) -> Result<()> {
    let (window, app) = tour::open(shot, catalogue)?;
    window.show().context("cannot show the window")?;
    let result: Rc<RefCell<Option<Result<()>>>> = Rc::new(RefCell::new(None));
    let weak = window.as_weak();
    let saved = result.clone();
    let target = path.to_path_buf();
    // Give the window a moment to be mapped and laid out, then take the picture.
    slint::Timer::single_shot(Duration::from_millis(400), move || {
        if let Some(window) = weak.upgrade() {
            *saved.borrow_mut() = Some(save(&window, &target));
        }
        let _ = slint::quit_event_loop();
    });
    slint::run_event_loop().context("the event loop failed")?;
    window.hide().ok();
    drop(app);
    result
        .borrow_mut()
        .take()
        .unwrap_or_else(|| Err(anyhow::anyhow!("the window never drew")))
}

fn save(window: &KioskWindow, path: &Path) -> Result<()> {
    let snapshot = window
        .window()
        .take_snapshot()
        .map_err(|e| anyhow::anyhow!("cannot take the screenshot: {e}"))?;
    let image = image::RgbaImage::from_raw(
        snapshot.width(),
        snapshot.height(),
        snapshot.as_bytes().to_vec(),
    )
    .context("the screenshot has the wrong size")?;
    image
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}
