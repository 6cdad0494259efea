use super::*;

/// Pixels per millimetre of the editor's page (150 dpi).
const PX: f64 = 150.0 / 25.4;

/// A city's table: rules across at 50, 60, 70, 80 and 90 mm from x 20 to 190 mm, and down at
/// x 20, 60 and 190 mm, each 0.4 mm thick, on an A4 page at 150 dpi.
fn ruled_page() -> ScannedPage {
    let (width, height) = (1240, 1754);
    let mut grey = vec![255u8; width * height];
    let px = |mm: f64| (mm * PX).round() as usize;
    for y_mm in [50.0, 60.0, 70.0, 80.0, 90.0] {
        for y in px(y_mm - 0.2)..=px(y_mm + 0.2) {
            for x in px(20.0)..=px(190.0) {
                grey[y * width + x] = 0;
            }
        }
    }
    for x_mm in [20.0, 60.0, 190.0] {
        for x in px(x_mm - 0.2)..=px(x_mm + 0.2) {
            for y in px(50.0)..=px(90.0) {
                grey[y * width + x] = 0;
            }
        }
    }
    ScannedPage {
        width,
        height,
        grey,
    }
}

fn editor() -> FormEditor {
    let catalogue = crate::samples::shipped_catalogue().expect("catalogue");
    let mut editor = FormEditor::new(
        PlacedTemplate::new("inkan_toroku", "印鑑登録申請書", None),
        &crate::packet::vocabulary(&catalogue),
        crate::samples::family_of_four().expect("sample"),
        Office::default(),
    );
    editor.set_page(ruled_page(), Vec::new());
    editor
}

fn near(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.3)
}

#[test]
fn a_box_drawn_roughly_in_a_cell_snaps_to_its_rules() {
    let mut editor = editor();
    editor.drag([21.5, 51.0], [58.7, 58.6]);
    assert_eq!(editor.selected(), Some(Selected::Item(0)));
    let rect = editor.template().items[0].rect();
    assert!(near(rect, [20.0, 50.0, 40.0, 10.0]), "{rect:?}");
    // Far from any rule, a box stays where it was drawn.
    editor.drag([30.0, 200.0], [80.0, 208.0]);
    assert_eq!(editor.template().items[1].rect(), [30.0, 200.0, 50.0, 8.0]);
}

#[test]
fn the_first_household_row_repeats_as_far_as_the_rules_do() {
    let mut editor = editor();
    editor.set_tool(Tool::Rows);
    editor.drag([20.6, 60.8], [189.0, 69.5]);
    let rows = editor.template().rows.clone().expect("rows");
    assert!((rows.origin[0] - 20.0).abs() < 0.3 && (rows.origin[1] - 60.0).abs() < 0.3);
    assert!((rows.height - 10.0).abs() < 0.3, "{}", rows.height);
    assert_eq!(
        rows.per_page, 3,
        "rules at 70, 80 and 90 mm close three rows"
    );
    assert_eq!(editor.selected(), Some(Selected::Rows));
    editor.step_rows(true);
    assert_eq!(editor.template().rows.as_ref().map(|r| r.per_page), Some(4));

    // A box drawn in the first row belongs to every row, placed from the row's corner.
    editor.set_tool(Tool::Place(PlaceKind::Field));
    editor.drag([21.0, 61.0], [59.0, 69.0]);
    assert_eq!(editor.selected(), Some(Selected::RowItem(0)));
    let item = editor.template().rows.as_ref().expect("rows").items[0].rect();
    assert!(near(item, [0.0, 0.0, 40.0, 10.0]), "{item:?}");
    // It offers the row's member first, with the sample's first member.
    let values = editor.values();
    assert_eq!(values[0].0.path, "row.number");
    let name = values
        .iter()
        .find(|(c, _)| c.path == "member.name")
        .expect("the member's name");
    let first = editor.sample().household.members[0].person.name.clone();
    assert_eq!(name.1, first);
    editor.choose("member.name");
    assert!(
        editor
            .boxes()
            .iter()
            .any(|b| b.kind == "field" && b.caption == "世帯員の氏名" && b.sample == first)
    );
    // Outside the row, a box is the form's own.
    editor.drag([70.0, 120.0], [120.0, 128.0]);
    assert_eq!(editor.selected(), Some(Selected::Item(0)));
}

#[test]
fn the_selected_box_moves_resizes_and_goes() {
    let mut editor = editor();
    editor.drag([30.0, 200.0], [80.0, 208.0]);
    editor.set_tool(Tool::Select);
    // A drag from inside moves it, its size kept.
    editor.drag([40.0, 204.0], [50.0, 224.0]);
    assert_eq!(editor.template().items[0].rect(), [40.0, 220.0, 50.0, 8.0]);
    // From its bottom-right corner it is resized.
    editor.drag([90.0, 228.0], [120.0, 232.0]);
    assert_eq!(editor.template().items[0].rect(), [40.0, 220.0, 80.0, 12.0]);
    // A tap elsewhere selects nothing; on the box, the box.
    editor.drag([5.0, 5.0], [5.0, 5.0]);
    assert_eq!(editor.selected(), None);
    editor.drag([60.0, 225.0], [60.0, 225.0]);
    assert_eq!(editor.selected(), Some(Selected::Item(0)));
    editor.remove_selected();
    assert!(editor.template().items.is_empty());
    // A drag off the sheet ends at its edge.
    editor.set_tool(Tool::Place(PlaceKind::Field));
    editor.drag([190.0, 280.0], [400.0, f64::NAN]);
    let rect = editor.template().items[0].rect();
    assert!(
        rect[0] + rect[2] <= 210.0 && rect[1] + rect[3] <= 297.0,
        "{rect:?}"
    );
}

#[test]
fn each_kind_of_box_is_offered_the_values_it_can_show() {
    let mut editor = editor();
    editor.set_tool(Tool::Place(PlaceKind::Era));
    editor.drag([30.0, 200.0], [110.0, 208.0]);
    assert!(!editor.values().is_empty());
    assert!(editor.values().iter().all(|(c, _)| c.date));
    editor.search("申請者 生年月日");
    let found: Vec<_> = editor
        .values()
        .iter()
        .map(|(c, _)| c.path.clone())
        .collect();
    assert_eq!(found, ["applicant.birth_date"]);
    editor.choose("applicant.birth_date");
    let Placed::Era(era) = &editor.template().items[0] else {
        panic!("an era box");
    };
    assert_eq!(
        era.label.as_deref(),
        Some("申請者の生年月日"),
        "named for the clerk"
    );

    // A check mark is placed where it is tapped, and holds a yes or no.
    editor.set_tool(Tool::Place(PlaceKind::Check));
    editor.drag([30.0, 230.0], [30.0, 230.0]);
    assert_eq!(editor.selected(), Some(Selected::Item(1)));
    assert!(editor.values().iter().all(|(c, _)| c.yes_no));

    editor.set_tool(Tool::Place(PlaceKind::Qr));
    editor.drag([160.0, 250.0], [190.0, 280.0]);
    assert!(
        editor.values().is_empty(),
        "the QR code holds the form's own"
    );
    let found = madoguchi_forms::authoring::problems(editor.template());
    assert_eq!(found.len(), 1, "the check box has no value yet: {found:?}");
}

#[test]
fn a_fields_settings_stay_within_what_prints() {
    let mut editor = editor();
    editor.drag([30.0, 200.0], [110.0, 208.0]);
    for _ in 0..30 {
        editor.step_size(true);
        editor.step_lines(true);
    }
    editor.set_alignment(Alignment::Right);
    let Placed::Field(field) = &editor.template().items[0] else {
        panic!("a field");
    };
    assert_eq!(
        (field.size, field.lines, field.align),
        (20.0, 6, Alignment::Right)
    );
    for _ in 0..30 {
        editor.step_size(false);
        editor.step_lines(false);
    }
    let Placed::Field(field) = &editor.template().items[0] else {
        panic!("a field");
    };
    assert_eq!((field.size, field.lines), (6.0, 1));
    editor.set_preprinted(true);
    assert_eq!(editor.template().form.paper, Paper::Preprinted);
}

/// What a window (or a broken touch screen) may send: points off the sheet, not numbers at
/// all, a search of a megabyte, a value no list offers. Nothing panics, nothing lands off the
/// sheet, and the search keeps its first hundred characters.
#[test]
fn hostile_drags_and_words_are_bounded() {
    let mut editor = editor();
    for (from, to) in [
        ([f64::NAN, f64::NAN], [f64::INFINITY, f64::NEG_INFINITY]),
        ([-1e300, 1e300], [1e300, -1e300]),
        ([205.0, 290.0], [1e9, 1e9]),
    ] {
        editor.drag(from, to);
    }
    editor.set_tool(Tool::Rows);
    editor.drag([0.0, 290.0], [210.0, 297.0]);
    editor.step_rows(true);
    editor.set_tool(Tool::Select);
    editor.drag([f64::NAN, 0.0], [0.0, f64::NAN]);
    editor.search(&"氏名".repeat(500_000));
    assert_eq!(editor.query().chars().count(), 100);
    editor.choose("no.such.value");
    for item in &editor.template().items {
        let r = item.rect();
        assert!(r.iter().all(|v| v.is_finite()), "{r:?}");
        assert!(
            r[0] >= 0.0
                && r[1] >= 0.0
                && r[0] + r[2] <= 210.0 + 1e-9
                && r[1] + r[3] <= 297.0 + 1e-9,
            "{r:?}"
        );
    }
    let rows = editor.template().rows.as_ref().expect("rows");
    assert!(
        rows.origin[1] + rows.height * rows.per_page as f64 <= 297.0 + 1e-9,
        "{rows:?}"
    );
}
