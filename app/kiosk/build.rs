//! Compiles the kiosk's Slint UI (`ui/`) into Rust.
//!
//! Debug info is always on: the headless UI tests find elements by their accessible labels,
//! which needs it, and it costs the kiosk nothing it would notice. English comes from
//! `ui/translations/en/LC_MESSAGES/madoguchi-kiosk.po`, bundled into the binary.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_debug_info(true)
        .with_bundled_translations("../../ui/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    if let Err(error) = slint_build::compile_with_config("../../ui/main.slint", config) {
        panic!("the kiosk UI does not compile: {error}");
    }
}
