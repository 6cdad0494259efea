//! From a decided case to the printed packet: the engine's decision becomes the guidance
//! sheet and the list of forms, each form's QR code carries its part of the case in the open
//! pre-fill format (`docs/qr-format.md`), and `madoguchi-forms` lays it all out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::{Days, NaiveDate};
use madoguchi_domain::Case;
use madoguchi_forms::{
    ComingNote, ConfirmItem, CounterStop, Fonts, Guidance, GuidanceProcedure, Library, Office,
    Packet, PacketRequest, render_packet,
};
use madoguchi_prefill::{Prefill, encode};
use madoguchi_rules::Decision;
use madoguchi_rules::decision::ProcedureDecision;

/// How long a form's back-office QR code stays readable: the office enters it within days, but
/// a form may wait in a tray.
const FORM_QR_DAYS: u64 = 90;

/// The template folder: `$MADOGUCHI_FORMS`, else the installed copy next to the binary
/// (`../share/madoguchi/forms`), else the source tree's `forms/`.
pub fn default_forms_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MADOGUCHI_FORMS") {
        return PathBuf::from(dir);
    }
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|bin| bin.join("../share/madoguchi/forms")))
        .filter(|dir| dir.is_dir());
    let dir =
        installed.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms"));
    dir.canonicalize().unwrap_or(dir)
}

pub fn load_library(dir: &Path) -> Result<Library> {
    Library::load(dir)
        .with_context(|| format!("cannot load the form templates in {}", dir.display()))
}

/// Local words the sheet uses: the office's name and where each counter is (settings
/// `office.city`, `office.mayor`, `counter.<id>.place`; the catalogue's places otherwise).
#[derive(Clone, Debug, Default)]
pub struct Local {
    pub office: Office,
    pub places: HashMap<String, String>,
}

/// Everything the packet is made from.
#[derive(Debug)]
pub struct PacketInput<'a> {
    pub case: &'a Case,
    pub decision: &'a Decision,
    pub local: &'a Local,
    /// The case's 受付番号 for the guidance sheet; empty for none.
    pub reception: &'a str,
    /// Whether the guidance sheet comes first: the interview's packet has it, a department
    /// counter printing its own forms again does not.
    pub guidance: bool,
}

pub fn make(library: &Library, fonts: &Fonts, input: &PacketInput<'_>) -> Result<Packet> {
    let forms = forms_of(input.decision);
    let procedures: Vec<String> = input
        .decision
        .procedures
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let guidance = input.guidance.then(|| guidance(input, library));
    let issued = input.case.event.visit_date();
    let qr = move |part: &Case| -> Result<Vec<String>, String> {
        let expires = issued
            .checked_add_days(Days::new(FORM_QR_DAYS))
            .unwrap_or(issued);
        encode(&Prefill {
            issued,
            expires,
            case: part.clone(),
        })
        .map_err(|e| e.to_string())
    };
    let packet = render_packet(
        library,
        fonts,
        &PacketRequest {
            case: input.case,
            office: &input.local.office,
            forms: &forms,
            procedures: &procedures,
            guidance: guidance.as_ref(),
            qr: &qr,
        },
    )?;
    Ok(packet)
}

/// Form ids in procedure order, each once.
pub fn forms_of(decision: &Decision) -> Vec<String> {
    let mut forms: Vec<String> = Vec::new();
    for procedure in &decision.procedures {
        for form in &procedure.forms {
            if !forms.contains(&form.id) {
                forms.push(form.id.clone());
            }
        }
    }
    forms
}

fn guidance(input: &PacketInput<'_>, library: &Library) -> Guidance {
    let mut counters: Vec<CounterStop> = Vec::new();
    let mut order: Vec<&str> = Vec::new();
    for procedure in &input.decision.procedures {
        let counter_id = procedure.counter.id.as_str();
        let index = match order.iter().position(|id| *id == counter_id) {
            Some(index) => index,
            None => {
                order.push(counter_id);
                counters.push(CounterStop {
                    name: procedure.counter.name.ja.clone(),
                    place: input
                        .local
                        .places
                        .get(counter_id)
                        .cloned()
                        .or_else(|| procedure.counter.place.as_ref().map(|p| p.ja.clone())),
                    external: procedure.counter.external,
                    procedures: Vec::new(),
                });
                counters.len() - 1
            }
        };
        counters[index]
            .procedures
            .push(guidance_procedure(procedure, library));
    }
    // The city's own counters first, in the order met; other agencies last.
    counters.sort_by_key(|c| c.external);
    Guidance {
        office: format!("{}役所", input.local.office.city),
        visit_date: input.case.event.visit_date(),
        event: input.case.event.kind().ja().to_string(),
        reception: input.reception.to_string(),
        counters,
        to_confirm: input
            .decision
            .to_confirm
            .iter()
            .map(|p| ConfirmItem {
                name: p.name.ja.clone(),
                counter: p.counter.name.ja.clone(),
                waiting_on: p.waiting_on.iter().map(|w| w.label.ja.clone()).collect(),
            })
            .collect(),
        coming: input
            .decision
            .coming
            .iter()
            .map(|c| coming_note(c, input.case))
            .collect(),
    }
}

/// 「後期高齢者医療の被保険者になります（74歳の方）」: people are named by age on the sheet, as
/// everywhere on it, and by the age they would give themselves (counted from the birthday: on
/// the eve of the 75th birthday that is 74, where the law already counts 75).
fn coming_note(coming: &madoguchi_rules::decision::Coming, case: &Case) -> ComingNote {
    let age = case
        .household
        .members
        .get(coming.member)
        .and_then(|m| m.person.birth_date)
        .map(|birth| madoguchi_domain::age::birthday_age(birth, case.event.visit_date()))
        .map_or_else(String::new, |age| format!("（{age}歳の方）"));
    ComingNote {
        date: coming.date,
        what: format!("{}{age}", coming.name.ja),
        todo: coming.todo.ja.clone(),
    }
}

fn guidance_procedure(procedure: &ProcedureDecision, library: &Library) -> GuidanceProcedure {
    GuidanceProcedure {
        name: procedure.name.ja.clone(),
        critical: procedure.critical,
        why: procedure.reasons.iter().map(|r| r.ja.clone()).collect(),
        deadline: procedure.deadline.as_ref().map(|d| d.date),
        deadline_moved: procedure
            .deadline
            .as_ref()
            .and_then(|d| d.moved.as_ref())
            .map(|m| {
                format!(
                    "{}は{}のため翌開庁日",
                    m.counted.format("%-m月%-d日"),
                    m.closed.ja
                )
            }),
        overdue: procedure.deadline.as_ref().is_some_and(|d| d.overdue),
        bring: procedure.bring.iter().map(|b| b.ja.clone()).collect(),
        forms: procedure
            .forms
            .iter()
            .map(|f| (f.ja.clone(), library.for_form(&f.id).is_some()))
            .collect(),
    }
}

/// The print job's title: what CUPS shows in its queue (and cups-pdf names the file after).
pub fn print_title(packet: &Packet) -> String {
    let forms: Vec<&str> = packet.forms.iter().map(|f| f.title.as_str()).collect();
    format!("窓口案内シート・{}", forms.join("・"))
}

/// Reads the office's words from the store's settings when there is a store.
pub fn local_settings(store: Option<&madoguchi_store::Store>) -> Local {
    let mut local = Local::default();
    let Some(store) = store else {
        return local;
    };
    let get = |key: &str| store.setting(key).ok().flatten();
    if let Some(city) = get("office.city") {
        local.office.mayor = get("office.mayor").unwrap_or_else(|| format!("{city}長"));
        local.office.city = city;
    }
    if let Ok(places) = store.settings_with_prefix("counter.") {
        for (key, value) in places {
            if let Some(id) = key
                .strip_prefix("counter.")
                .and_then(|rest| rest.strip_suffix(".place"))
            {
                local.places.insert(id.to_string(), value);
            }
        }
    }
    local
}

/// The day the rules are applied for a packet: the visit date.
pub fn as_of(case: &Case) -> NaiveDate {
    case.event.visit_date()
}
