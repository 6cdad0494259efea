//! Application forms filled from a case, and the guidance sheet, as one A4 PDF packet.
//!
//! This crate owns the template format (`forms/*.toml`, documented in `docs/forms.md`), laying
//! text out as Japanese forms need it (禁則 line breaking, shrink-to-fit, 和暦 era boxes, rows
//! for household members continuing on extra sheets), choosing a face for every character (BIZ
//! UDゴシック built in, IPAmj明朝 for names when installed, IVS variants), and writing the PDF
//! with each face subset once per document. It reports every character no face can draw and
//! every text that does not fit, with its form and field, so the kiosk can warn the clerk.
//!
//! For the form editor it owns the model of a template placed over a city's scanned form
//! (`authoring`: it writes only what the loader reads), the printed rules found on the scan for
//! boxes to snap to (`ruling`), the values a box can hold with their Japanese names and a
//! sample's preview (`choices`), and the printer's calibration page for pre-printed paper.
//!
//! It knows nothing of the rules engine, the QR format or printers: the kiosk passes the
//! decision's forms and a QR encoder in, and sends the PDF to the printer queue.

pub mod authoring;
mod calibration;
mod check;
pub mod choices;
mod data;
mod draw;
mod error;
mod fonts;
mod guidance;
mod layout;
mod packet;
mod page;
mod paragraph;
mod parallel;
mod pdf;
pub mod ruling;
pub mod scan;
mod sheet_words;
mod template;
mod text;

pub use calibration::{CROSS_A_MM, CROSS_B_MM, calibration_page, offset_from_measurement};
pub use check::{AnswerShape, Finding, Sample, Vocabulary, check_fit, check_templates};
pub use data::Office;
pub use draw::{FieldReport, ReportKind};
pub use error::FormsError;
pub use fonts::{DEBIAN_MINCHO, Fonts, GlyphProblem, ProblemKind};
pub use guidance::{
    ComingNote, ConfirmItem, CounterStop, FeeLine, Guidance, GuidanceProcedure, SheetLanguage,
    SheetText, both_calendars,
};
pub use packet::{Packet, PacketRequest, PrintedForm, QrEncoder, render_packet};
pub use sheet_words::missing_words as missing_sheet_words;
pub use template::{
    CATALOGUE_FOLDER, Library, QrMembers, RowSource, Template, decode_background, encode_background,
};
