//! No screen can clip: every screen of the tour (`madoguchi-dev`'s `tour.rs`, the same steps
//! the screenshots walk) is laid out by Slint's testing backend with the real fonts at the two
//! window sizes a counter has (1280×800 and 1920×1080) and at each text size 文字を大きく offers
//! (1×, 1.5×, 2×), and the laid-out tree is measured (`layout/geometry.rs`): nothing outside
//! the window or its frame, no text cut. On each screen every control is also checked to be
//! announced to a screen reader (`layout/accessibility.rs`: a role and a label for each).
//! The floor's screens need a PostgreSQL cluster, started as the tests start it (root, like
//! CI).
//!
//! `cargo test --workspace --test layout -- 09-household` checks only the screens whose name
//! contains the words given.

#[path = "layout/accessibility.rs"]
mod accessibility;
#[path = "support/announced.rs"]
mod announced;
#[path = "layout/geometry.rs"]
mod geometry;
#[path = "../src/bin/madoguchi-dev/shots_floor.rs"]
mod shots_floor;
#[path = "../src/bin/madoguchi-dev/shots_forms.rs"]
mod shots_forms;
#[path = "../src/bin/madoguchi-dev/tour.rs"]
mod tour;

use std::process::ExitCode;

use madoguchi_kiosk::ui::{Kiosk, KioskWindow, Theme};
use slint::ComponentHandle;

const WINDOW_SIZES: [(f32, f32); 2] = [(1280.0, 800.0), (1920.0, 1080.0)];

slint::slint! {
    // What the check must catch: a button pushed past the window's edge, a text squeezed into
    // less room than its words need, a list whose last row cannot be scrolled to, and words
    // running over the edge of their badge; a tap area no screen reader knows, and a button
    // without a label.
    export component Faulty inherits Window {
        width: 400px;
        height: 300px;
        default-font-family: "BIZ UDPGothic";
        Rectangle { x: 350px; y: 10px; width: 100px; height: 40px; background: red; }
        Text { x: 10px; y: 60px; width: 40px; text: "はみ出す文字"; font-size: 20px; }
        Flickable {
            x: 10px;
            y: 100px;
            width: 200px;
            height: 100px;
            content-height: 150px;
            Rectangle { y: 120px; width: 100px; height: 60px; background: blue; }
        }
        Rectangle {
            x: 250px;
            y: 220px;
            width: 60px;
            height: 30px;
            background: green;
            Text { text: "Important"; font-size: 20px; }
        }
        TouchArea { x: 10px; y: 260px; width: 40px; height: 30px; }
        Rectangle {
            x: 60px;
            y: 260px;
            width: 40px;
            height: 30px;
            accessible-role: button;
            TouchArea { }
        }
        Rectangle {
            x: 110px;
            y: 260px;
            width: 40px;
            height: 30px;
            accessible-role: button;
            accessible-label: "OK";
            TouchArea { }
        }
    }
}
const TEXT_SCALES: [f32; 3] = [1.0, 1.5, 2.0];

/// The check itself, on a window built to fail it: a test that cannot fail proves nothing.
fn the_check_finds_what_does_not_fit() {
    let faulty = Faulty::new().expect("the faulty window");
    faulty.show().expect("shown");
    let found = geometry::faults(faulty.window());
    let said = found.join("\n");
    assert!(
        said.contains("lies outside what is shown (0,0 400×300)"),
        "{said}"
    );
    assert!(
        said.contains("「はみ出す文字」") && said.contains("is cut"),
        "{said}"
    );
    assert!(
        said.contains("(10,100 200×150)"),
        "the list's last row: {said}"
    );
    assert!(
        said.contains("spills out of its box (250,220 60×30)"),
        "{said}"
    );
    assert_eq!(found.len(), 4, "{said}");
    let unannounced = accessibility::unannounced(faulty.window());
    let said = unannounced.join("\n");
    assert!(said.contains("no accessible role"), "{said}");
    assert!(said.contains("a Button without a label"), "{said}");
    assert_eq!(
        unannounced.len(),
        2,
        "the labelled button is announced: {said}"
    );
    faulty.hide().ok();
}

/// With the resident's own display (the window's part right of `clerk_width`): the PIN pad's
/// keys are there and not on the clerk's part, which says the resident is entering it.
fn residents_part_faults(window: &KioskWindow, clerk_width: f32) -> Vec<String> {
    use i_slint_backend_testing::ElementHandle;
    let screen = window.global::<Kiosk>().get_screen();
    let keys: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(window, "1")
        .filter(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .collect();
    let mut faults = Vec::new();
    if screen == madoguchi_kiosk::ui::Screen::Pin {
        if keys.is_empty() {
            faults.push("no PIN pad on either display".to_string());
        }
        for key in &keys {
            let x = key.absolute_position().x;
            if x < clerk_width {
                faults.push(format!("a PIN key at x={x} on the clerk's display"));
            }
        }
        let waiting = ElementHandle::find_by_accessible_label(
            window,
            "ご本人が手元の画面で暗証番号を押しています",
        )
        .any(|e| e.absolute_position().x < clerk_width);
        if !waiting {
            faults.push("the clerk's display does not say the resident is entering the PIN".into());
        }
    }
    faults
}

fn main() -> ExitCode {
    i_slint_backend_testing::init_no_event_loop();
    the_check_finds_what_does_not_fit();
    let catalogue = madoguchi_kiosk::samples::shipped_catalogue().expect("the shipped catalogue");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut faults = Vec::new();
    let mut checked = 0;
    let mut controls = 0;
    for shot in tour::shots() {
        if !only.is_empty() && !only.iter().any(|o| shot.name.contains(o.as_str())) {
            continue;
        }
        let (window, app) = tour::open(&shot, &catalogue).expect("the screen opens");
        window.show().expect("shown");
        // A counter with the resident's own display: the window spans the clerk's and theirs.
        let resident_width = window.global::<Kiosk>().get_resident_width();
        window
            .window()
            .set_size(slint::LogicalSize::new(1280.0 + resident_width, 800.0));
        for fault in accessibility::unannounced(window.window()) {
            faults.push(format!("{}: {fault}", shot.name));
        }
        controls += accessibility::announced(window.window());
        for (width, height) in WINDOW_SIZES {
            for scale in TEXT_SCALES {
                window.global::<Theme>().set_text_scale(scale);
                window
                    .window()
                    .set_size(slint::LogicalSize::new(width + resident_width, height));
                if resident_width > 0.0 {
                    faults.extend(
                        residents_part_faults(&window, width)
                            .into_iter()
                            .map(|f| format!("{} at {width}×{height}: {f}", shot.name)),
                    );
                }
                for fault in geometry::faults(window.window()) {
                    faults.push(format!(
                        "{} at {width}×{height}, text ×{scale}: {fault}",
                        shot.name
                    ));
                }
                checked += 1;
            }
        }
        window.hide().ok();
        drop(app);
    }
    tour::finish();
    for fault in &faults {
        println!("{fault}");
    }
    println!(
        "{checked} layouts checked (screens × window sizes × text sizes), {controls} controls announced, {} faults",
        faults.len()
    );
    if faults.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
