//! How a screen reader names an element of the kiosk's window: the role and label of the item
//! itself, or of the nearest widget around it that has a role (a button's focus scope is named
//! by its button). Read from Slint's item tree (`i_slint_core`, pinned like the testing backend).

use i_slint_core::accessibility::AccessibleStringProperty;
use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::AccessibleRole;

pub fn announced_as(item: &ItemRc) -> Option<(AccessibleRole, String)> {
    let mut current = Some(item.clone());
    while let Some(element) = current {
        let role = element.accessible_role();
        if role != AccessibleRole::None {
            let label = element
                .accessible_string_property(AccessibleStringProperty::Label)
                .map(|l| l.to_string())
                .unwrap_or_default();
            return Some((role, label));
        }
        current = element.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    None
}
