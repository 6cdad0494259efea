//! The form editor's screen: the desk's [`FormEditor`] goes into the `FormPlacing` global, and
//! the global's callbacks become calls on the desk's thread. The page's picture is converted for
//! the window only when the editor shows another one.

use std::cell::RefCell;

use madoguchi_forms::authoring::{Alignment, PlaceKind, Placed};
use slint::{ComponentHandle, Image, SharedString};

use super::generated::{DeskRow, FormPlacing, KioskWindow, PlacedBox, ValueRow};
use super::model;
use crate::supervisor::Desk;
use crate::supervisor::form_editor::{FormEditor, Selected, Tool};

/// The picture last handed to the window, by the editor's picture number.
#[derive(Default)]
pub struct ShownPicture(RefCell<Option<u64>>);

const TOOLS: [Tool; 6] = [
    Tool::Select,
    Tool::Place(PlaceKind::Field),
    Tool::Place(PlaceKind::Era),
    Tool::Place(PlaceKind::Check),
    Tool::Place(PlaceKind::Qr),
    Tool::Rows,
];

/// Pushes the open editor into the global.
pub fn push(desk: &Desk, window: &KioskWindow, shown: &ShownPicture) {
    let Some(editor) = desk.form_editor() else {
        return;
    };
    let g = window.global::<FormPlacing>();
    let template = editor.template();
    g.set_title(template.form.title.clone().into());
    g.set_form_id(template.form.id.clone().into());
    if *shown.0.borrow() != Some(editor.picture_generation()) {
        g.set_page(editor.picture().map(picture).unwrap_or_default());
        shown.0.replace(Some(editor.picture_generation()));
    }
    g.set_has_page(editor.has_page());
    g.set_showing_preview(editor.showing_preview());
    g.set_boxes(model(
        editor
            .boxes()
            .into_iter()
            .map(|b| PlacedBox {
                x: b.rect[0] as f32,
                y: b.rect[1] as f32,
                w: b.rect[2] as f32,
                h: b.rect[3] as f32,
                kind: b.kind.into(),
                caption: b.caption.into(),
                sample: b.sample.into(),
                selected: b.selected,
            })
            .collect(),
    ));
    g.set_tool(
        TOOLS
            .iter()
            .position(|t| *t == editor.tool())
            .and_then(|i| i32::try_from(i).ok())
            .unwrap_or(0),
    );
    push_selection(editor, &g);
    g.set_preprinted(template.form.paper == madoguchi_forms::authoring::Paper::Preprinted);
    let files = desk.offered_files();
    g.set_files(model(
        files
            .iter()
            .map(|f| DeskRow {
                title: f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .into(),
                text: f
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
                    .into(),
                mark: SharedString::new(),
                action: SharedString::new(),
            })
            .collect(),
    ));
    g.set_files_note(
        if files.is_empty() {
            "ホーム・ダウンロード・USBメモリに PDF や画像が見つかりません。場所を入力してください。"
        } else {
            "ホーム・ダウンロード・USBメモリで見つかったファイル（新しい順）："
        }
        .into(),
    );
}

fn push_selection(editor: &FormEditor, g: &FormPlacing<'_>) {
    let item = editor.selected_item();
    g.set_item_selected(item.is_some());
    g.set_rows_selected(editor.selected() == Some(Selected::Rows));
    g.set_selected_caption(editor.selected_caption().unwrap_or_default().into());
    let (kind, size, align, lines) = match item {
        Some(Placed::Field(f)) => ("field", f.size, f.align, f.lines),
        Some(Placed::Era(_)) => ("era", 0.0, Alignment::Left, 1),
        Some(Placed::Check(c)) => ("check", c.size, Alignment::Left, 1),
        Some(Placed::Qr(_)) => ("qr", 0.0, Alignment::Left, 1),
        None => ("", 0.0, Alignment::Left, 1),
    };
    g.set_selected_kind(kind.into());
    g.set_size_tenths((size * 10.0).round() as i32);
    g.set_align(match align {
        Alignment::Left => 0,
        Alignment::Center => 1,
        Alignment::Right => 2,
    });
    g.set_lines(i32::try_from(lines).unwrap_or(1));
    g.set_rows_per_page(
        editor
            .template()
            .rows
            .as_ref()
            .map_or(0, |r| i32::try_from(r.per_page).unwrap_or(0)),
    );
    g.set_query(editor.query().into());
    let chosen = item.map(Placed::value).unwrap_or_default();
    g.set_values(model(
        editor
            .values()
            .into_iter()
            .map(|(choice, sample)| ValueRow {
                name: choice.name.clone().into(),
                sample: sample.into(),
                chosen: choice.path == chosen,
            })
            .collect(),
    ));
}

/// The page's grey pixels as a picture the window draws.
fn picture(page: &madoguchi_forms::scan::ScannedPage) -> Image {
    match (u32::try_from(page.width), u32::try_from(page.height)) {
        (Ok(width), Ok(height)) => super::present::grey_pixels(width, height, &page.grey),
        _ => Image::default(),
    }
}

/// Wires the global's callbacks: each becomes one call on the desk's thread (`run`), the
/// editing ones through [`Desk::edit_placing`].
pub fn wire(
    window: &KioskWindow,
    run: impl Fn(Box<dyn FnOnce(&mut Desk) + Send>) + Clone + 'static,
) {
    let g = window.global::<FormPlacing>();
    // `on!(setter, |args| desk call)` and `edit!(setter, |args| editor call)`.
    macro_rules! on {
        ($setter:ident, |$desk:ident $(, $arg:ident)*| $body:expr) => {{
            let run = run.clone();
            g.$setter(move |$($arg),*| {
                $(let $arg = $arg.clone();)*
                run(Box::new(move |$desk: &mut Desk| { $body; }))
            });
        }};
    }
    macro_rules! edit {
        ($setter:ident, |$editor:ident $(, $arg:ident)*| $body:expr) => {
            on!($setter, |desk $(, $arg)*| desk.edit_placing(move |$editor: &mut FormEditor| { $body; }))
        };
    }
    edit!(on_drag, |e, x0, y0, x1, y1| e.drag(
        [f64::from(x0), f64::from(y0)],
        [f64::from(x1), f64::from(y1)]
    ));
    edit!(on_pick_tool, |e, index| e.set_tool(
        usize::try_from(index)
            .ok()
            .and_then(|i| TOOLS.get(i).copied())
            .unwrap_or(Tool::Select)
    ));
    edit!(on_search, |e, words| e.search(&words));
    edit!(on_choose, |e, index| {
        let path = usize::try_from(index)
            .ok()
            .and_then(|i| e.values().get(i).map(|(c, _)| c.path.clone()));
        if let Some(path) = path {
            e.choose(&path);
        }
    });
    edit!(on_step_size, |e, up| e.step_size(up));
    edit!(on_set_align, |e, index| e.set_alignment(match index {
        1 => Alignment::Center,
        2 => Alignment::Right,
        _ => Alignment::Left,
    }));
    edit!(on_step_lines, |e, up| e.step_lines(up));
    edit!(on_step_rows, |e, up| e.step_rows(up));
    edit!(on_remove, |e| e.remove_selected());
    edit!(on_set_preprinted, |e, on| e.set_preprinted(on));
    edit!(on_back_to_placing, |e| e.hide_preview());
    on!(on_open_file, |desk, file| desk
        .open_form_page(std::path::Path::new(file.trim())));
    on!(on_open_offered, |desk, index| {
        let file = usize::try_from(index)
            .ok()
            .and_then(|i| desk.offered_files().get(i).cloned());
        if let Some(file) = file {
            desk.open_form_page(&file);
        }
    });
    on!(on_preview, |desk| desk.preview_form());
    on!(on_save, |desk| desk.save_edited_form());
    on!(on_close, |desk| desk.close_form_editor());
}
