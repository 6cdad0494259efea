//! What "fits" means, measured on the laid-out item tree of a window: every item lies inside
//! what its window and its clipping ancestors show (a scrolled list's content may run on below
//! its frame: that is what scrolling is for, but not sideways), and every text has the room its
//! words need at its font size (a text that is clipped or elided to "…" is cut).
//!
//! Slint's public testing API gives positions and sizes, not clipping ancestors nor a text's
//! preferred size, so this walks `i_slint_core`'s item tree (pinned to the same version as
//! the testing backend) and asks each text for its layout info, as Slint's layouts do.

use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::{Clip, ComplexText, Flickable, SimpleText, TextOverflow, TextWrap};
use i_slint_core::layout::Orientation;
use i_slint_core::window::{WindowAdapter, WindowInner};
use std::rc::Rc;

/// Half a pixel: layouts round to whole pixels.
const SLACK: f32 = 0.5;

#[derive(Clone, Copy, Debug)]
struct Area {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

impl Area {
    fn right(&self) -> f32 {
        self.x + self.width
    }

    fn bottom(&self) -> f32 {
        self.y + self.height
    }

    fn contains(&self, other: &Area) -> bool {
        other.x + SLACK >= self.x
            && other.y + SLACK >= self.y
            && other.right() <= self.right() + SLACK
            && other.bottom() <= self.bottom() + SLACK
    }

    fn intersect(&self, other: &Area) -> Area {
        let x = self.x.max(other.x);
        let y = self.y.max(other.y);
        Area {
            x,
            y,
            width: (self.right().min(other.right()) - x).max(0.0),
            height: (self.bottom().min(other.bottom()) - y).max(0.0),
        }
    }

    fn describe(&self) -> String {
        format!(
            "({:.0},{:.0} {:.0}×{:.0})",
            self.x, self.y, self.width, self.height
        )
    }
}

/// Everything on the window that does not fit, one plain line each.
pub fn faults(window: &slint::Window) -> Vec<String> {
    let inner = WindowInner::from_pub(window);
    let adapter = inner.window_adapter();
    let size = window.size().to_logical(window.scale_factor());
    let shown = Area {
        x: 0.0,
        y: 0.0,
        width: size.width,
        height: size.height,
    };
    let root = ItemRc::new_root(inner.component());
    i_slint_core::item_tree::ensure_item_tree_instantiated(root.item_tree());
    // Slint lays out lazily: a scrolled list's height is read before its rows have been given
    // their widths, and is right only once they have. A window draws every frame again; this
    // walks twice, and keeps what the second walk finds.
    walk(&root, shown, &adapter, &mut Vec::new());
    let mut found = Vec::new();
    walk(&root, shown, &adapter, &mut found);
    found
}

fn area_of(item: &ItemRc) -> Area {
    let geometry = item.geometry();
    let origin = item.map_to_window(geometry.origin);
    Area {
        x: origin.x,
        y: origin.y,
        width: geometry.size.width,
        height: geometry.size.height,
    }
}

/// The element's name in the .slint source (its component and id), for the message.
pub fn name_of(item: &ItemRc) -> String {
    item.element_type_names_and_ids(0)
        .map(|names| {
            names
                .iter()
                .map(|(kind, id)| {
                    if id.is_empty() {
                        kind.to_string()
                    } else {
                        format!("{kind} {id}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" > ")
        })
        .unwrap_or_else(|| "an element".into())
}

/// A text that spills out of its box (a button too low for its words, a badge too narrow):
/// the box does not clip it, but the words run over its edge.
fn text_outside_its_box(item: &ItemRc, area: &Area) -> Option<String> {
    if item.downcast::<ComplexText>().is_none() && item.downcast::<SimpleText>().is_none() {
        return None;
    }
    let parent = item.parent_item(ParentItemTraversalMode::StopAtPopups)?;
    let frame = area_of(&parent);
    (frame.width > 0.0 && frame.height > 0.0 && !frame.contains(area)).then(|| {
        format!(
            "text {} {} spills out of its box {} ({})",
            name_of(item),
            area.describe(),
            frame.describe(),
            name_of(&parent)
        )
    })
}

fn walk(item: &ItemRc, allowed: Area, adapter: &Rc<dyn WindowAdapter>, found: &mut Vec<String>) {
    let name = name_of(item);
    if name.contains("ScrollBar") {
        return; // The style's own drawing of a scroll bar, not our layout.
    }
    let area = area_of(item);
    let mut inside = allowed;
    if let Some(clip) = item.downcast::<Clip>() {
        let clip = clip.as_pin_ref();
        if clip.is_visibility_clip() && clip.clip() {
            return; // `visible: false`: nothing below is shown.
        }
        if clip.clip() {
            // An element that clips its children means to: a moving bar, a text box's text.
            // What lies inside is checked for cut words only.
            inside = Area {
                x: f32::MIN / 4.0,
                y: f32::MIN / 4.0,
                width: f32::MAX / 2.0,
                height: f32::MAX / 2.0,
            };
        }
    }
    let drawn = area.width > 0.0 && area.height > 0.0;
    if drawn && !allowed.contains(&area) {
        found.push(format!(
            "{} {} lies outside what is shown {}",
            name_of(item),
            area.describe(),
            allowed.describe()
        ));
        return; // Its children are outside too: one line is enough.
    }
    if drawn && let Some(cut) = text_cut(item, &area, adapter) {
        found.push(cut);
    }
    if drawn && let Some(spill) = text_outside_its_box(item, &area) {
        found.push(spill);
    }
    if let Some(flickable) = item.downcast::<Flickable>() {
        let flickable = flickable.as_pin_ref();
        let content_width = flickable.content_width().get();
        if content_width > area.width + SLACK {
            found.push(format!(
                "{} {} scrolls sideways: its content is {content_width:.0} px wide",
                name_of(item),
                area.describe()
            ));
        }
        // The content runs on below the frame; scrolling shows it.
        inside = Area {
            x: area.x + flickable.content_x().get(),
            y: area.y + flickable.content_y().get(),
            width: content_width.max(area.width),
            height: flickable.content_height().get().max(area.height),
        }
        .intersect(&Area {
            x: allowed.x,
            y: f32::MIN / 4.0,
            width: allowed.width,
            height: f32::MAX / 2.0,
        });
    }
    let mut child = item.first_child();
    while let Some(current) = child {
        walk(&current, inside, adapter, found);
        child = current.next_sibling();
    }
}

/// Whether a text has less room than its words need: narrower than its line (or its longest
/// word, when it wraps), or lower than its wrapped lines.
fn text_cut(item: &ItemRc, area: &Area, adapter: &Rc<dyn WindowAdapter>) -> Option<String> {
    let (text, wraps) = if let Some(text) = item.downcast::<ComplexText>() {
        let text = text.as_pin_ref();
        let wraps = text.wrap() != TextWrap::NoWrap;
        let elides = text.overflow() == TextOverflow::Elide;
        (text.text().to_string(), wraps && !elides)
    } else if let Some(text) = item.downcast::<SimpleText>() {
        (text.as_pin_ref().text().to_string(), false)
    } else {
        return None;
    };
    if text.trim().is_empty() {
        return None;
    }
    let layout = |orientation, cross| {
        item.borrow()
            .as_ref()
            .layout_info(orientation, cross, adapter, item)
    };
    let horizontal = layout(Orientation::Horizontal, -1.0);
    let needed_width = if wraps {
        horizontal.min
    } else {
        horizontal.preferred
    };
    if area.width + SLACK < needed_width {
        return Some(format!(
            "text 「{}」 {} is cut: it needs {needed_width:.0} px across",
            excerpt(&text),
            area.describe()
        ));
    }
    let needed_height = layout(Orientation::Vertical, area.width).preferred;
    if area.height + SLACK < needed_height {
        return Some(format!(
            "text 「{}」 {} is cut: it needs {needed_height:.0} px down",
            excerpt(&text),
            area.describe()
        ));
    }
    None
}

fn excerpt(text: &str) -> String {
    let line: String = text.chars().take(24).collect();
    if text.chars().count() > 24 {
        format!("{line}…")
    } else {
        line
    }
}
