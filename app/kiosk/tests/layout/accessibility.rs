//! What a screen reader can announce, measured on the same item tree: every control a finger
//! or a key can use — each visible `TouchArea`, focusable `FocusScope` and `TextInput` — belongs to an
//! element with an accessible role and a label (itself, or the widget around it), which is
//! what Orca says over AT-SPI when it is reached.

use i_slint_core::item_tree::ItemRc;
use i_slint_core::items::{FocusScope, TextInput, TouchArea};
use i_slint_core::window::WindowInner;

/// Every control on the window that a screen reader could not name, one line each.
pub fn unannounced(window: &slint::Window) -> Vec<String> {
    let inner = WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    i_slint_core::item_tree::ensure_item_tree_instantiated(root.item_tree());
    let mut found = Vec::new();
    walk(&root, &mut found);
    found
}

/// How many controls the window has that a screen reader names (for the summary line).
pub fn announced(window: &slint::Window) -> usize {
    let inner = WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let mut count = 0;
    count_controls(&root, &mut count);
    count
}

fn is_control(item: &ItemRc) -> bool {
    item.downcast::<TouchArea>()
        .is_some_and(|t| t.as_pin_ref().enabled())
        // A scope neither Tab nor a tap can focus only hears the keys its children pass on
        // (the window's keypad scope): nobody lands on it.
        || item.downcast::<FocusScope>().is_some_and(|f| {
            let f = f.as_pin_ref();
            f.enabled() && (f.focus_on_tab_navigation() || f.focus_on_click())
        })
        || item
            .downcast::<TextInput>()
            .is_some_and(|t| t.as_pin_ref().enabled())
}

fn walk(item: &ItemRc, found: &mut Vec<String>) {
    if !item.is_visible() {
        return;
    }
    let name = super::geometry::name_of(item);
    if name.contains("ScrollBar") || name.contains("Scrolled::drag") {
        // The style's scroll bars and a list's drag-to-scroll area: a screen reader scrolls
        // by its own commands, not by a control on the screen.
        return;
    }
    if is_control(item) {
        match super::announced::announced_as(item) {
            None => found.push(format!("{name}: no accessible role")),
            Some((role, label)) if label.trim().is_empty() => {
                found.push(format!("{name}: a {role:?} without a label"));
            }
            Some(_) => {}
        }
    }
    let mut child = item.first_child();
    while let Some(next) = child {
        walk(&next, found);
        child = next.next_sibling();
    }
}

fn count_controls(item: &ItemRc, count: &mut usize) {
    if !item.is_visible() {
        return;
    }
    if is_control(item) && super::announced::announced_as(item).is_some() {
        *count += 1;
    }
    let mut child = item.first_child();
    while let Some(next) = child {
        count_controls(&next, count);
        child = next.next_sibling();
    }
}
