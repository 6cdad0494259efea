//! The form editor's pictures: the catalogue's forms, and a city's own 住民異動届 (the sample
//! `docs/examples/city-paper-form.toml`, printed to PDF) brought onto the page, with fields, a
//! 和暦 date and the household rows placed over its cells as a supervisor drags them.

use madoguchi_forms::authoring::PlaceKind;
use madoguchi_kiosk::supervisor::form_editor::{FormEditor, Tool};
use madoguchi_kiosk::supervisor::{Desk, DeskScreen};
use madoguchi_kiosk::ui::{KioskApp, KioskWindow};

use crate::tour::{open_desk, with_desk};

/// How far the placing goes before the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The editor open on a form, the city's file offered from the supervisor's folder.
    Opened,
    /// Fields and rows placed; a field selected with the values it can hold.
    Placing,
    /// The household rows selected.
    Rows,
    /// The sample household's filled page.
    Preview,
}

pub fn forms_list(app: &mut KioskApp, window: &KioskWindow) {
    open_desk(app, window, true);
    with_desk(app, |desk| desk.go(DeskScreen::Forms));
}

pub fn editor(app: &mut KioskApp, window: &KioskWindow, stage: Stage) {
    open_desk(app, window, true);
    let folder = crate::tour::shots_folder().join("downloads");
    let written = std::fs::create_dir_all(&folder).and_then(|()| {
        let pdf = madoguchi_kiosk::samples::city_paper_form_pdf()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        std::fs::write(folder.join("midori-ido-todoke.pdf"), &pdf)?;
        Ok(pdf)
    });
    let pdf = match written {
        Ok(pdf) => pdf,
        Err(error) => return eprintln!("the form editor's pictures need the sample form: {error}"),
    };
    with_desk(app, move |desk| {
        desk.set_import_folders(vec![folder]);
        open_ido_todoke(desk);
        if stage == Stage::Opened {
            return;
        }
        // The pictures read their own sample in-process; the kiosk reads a file in a child.
        match madoguchi_forms::scan::read_page(&pdf).and_then(|page| {
            let png = page.png()?;
            Ok((page, png))
        }) {
            Ok((page, png)) => desk.edit_placing(|e| e.set_page(page, png)),
            Err(error) => return eprintln!("the sample form does not read: {error}"),
        }
        desk.edit_placing(|e| place_over_the_cells(e, stage));
        if stage == Stage::Preview {
            desk.preview_form();
        }
    });
}

fn open_ido_todoke(desk: &mut Desk) {
    let Some(index) = desk
        .form_listing()
        .iter()
        .position(|f| f.id == "jumin_ido_todoke")
    else {
        return;
    };
    desk.edit_form(index);
}

/// What a supervisor places on the city's 住民異動届, as the window test does.
fn place_over_the_cells(editor: &mut FormEditor, stage: Stage) {
    let place = |editor: &mut FormEditor, tool: Tool, from: [f64; 2], to: [f64; 2], value: &str| {
        editor.set_tool(tool);
        editor.drag(from, to);
        editor.choose(value);
    };
    place(
        editor,
        Tool::Place(PlaceKind::Era),
        [51.0, 43.0],
        [150.0, 53.0],
        "move_date",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [52.0, 55.2],
        [198.0, 68.5],
        "new_address",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [52.0, 71.0],
        [198.0, 84.5],
        "previous_address",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [51.5, 87.0],
        [198.5, 97.0],
        "filer.name",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Qr),
        [14.0, 236.0],
        [44.0, 266.0],
        "",
    );
    editor.set_tool(Tool::Rows);
    editor.drag([10.5, 112.8], [199.0, 123.2]);
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [11.0, 113.0],
        [21.0, 123.0],
        "row.number",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [23.0, 113.0],
        [91.0, 123.0],
        "member.name",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Era),
        [93.0, 113.0],
        [151.0, 123.0],
        "member.birth_date",
    );
    place(
        editor,
        Tool::Place(PlaceKind::Field),
        [153.0, 113.0],
        [199.0, 123.0],
        "member.relation",
    );
    editor.set_tool(Tool::Select);
    match stage {
        Stage::Rows => editor.tap([100.0, 160.0]),
        _ => {
            // The 届出人 box selected, the list narrowed to names.
            editor.tap([120.0, 92.0]);
            editor.search("氏名");
        }
    }
}
