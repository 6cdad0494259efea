//! From a decided case to the printed packet: the engine's decision becomes the guidance
//! sheet and the list of forms, each form's QR code carries its part of the case in the open
//! pre-fill format (`docs/qr-format.md`), and `madoguchi-forms` lays it all out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::{Days, NaiveDate};
use madoguchi_domain::Case;
use madoguchi_forms::{
    ComingNote, ConfirmItem, CounterStop, FeeLine, Fonts, Guidance, GuidanceProcedure, Library,
    Office, Packet, PacketRequest, SheetLanguage, SheetText, render_packet,
};
use madoguchi_prefill::{Prefill, encode};
use madoguchi_rules::catalogue::{Phrase, Text};
use madoguchi_rules::decision::{CounterRef, MovedDeadline, Named, ProcedureDecision};
use madoguchi_rules::files::FormFiles;
use madoguchi_rules::{Catalogue, Decision};

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

/// The templates `catalogue` prints with: the shipped ones, with the catalogue's own (the city's
/// forms from the form editor, `forms/` among its files) before them.
pub fn library_for(shipped: &Library, catalogue: &Catalogue) -> Result<Library> {
    if catalogue.form_files.is_empty() {
        return Ok(shipped.clone());
    }
    let city = Library::from_catalogue_files(&catalogue.form_files.0)
        .context("cannot load the catalogue's form templates")?;
    Ok(shipped.clone().overlaid_by(city))
}

/// The templates of the catalogue in use, read once from the shipped folder and built again
/// only when a catalogue carries other forms.
#[derive(Debug)]
pub struct Templates {
    shipped_dir: PathBuf,
    shipped: Option<Library>,
    current: Option<(FormFiles, [f32; 2], Library)>,
}

impl Templates {
    pub fn new(shipped_dir: PathBuf) -> Templates {
        Templates {
            shipped_dir,
            shipped: None,
            current: None,
        }
    }

    /// The library `catalogue`'s forms print with, values on pre-printed paper moved by
    /// `preprinted_offset` (mm). A catalogue whose own templates do not load (publishing
    /// checks them, but a version may come from elsewhere) prints with the shipped ones rather
    /// than not at all, and the log says so.
    pub fn for_catalogue(
        &mut self,
        catalogue: &Catalogue,
        preprinted_offset: [f32; 2],
    ) -> Result<&Library> {
        let fresh = self.current.as_ref().is_none_or(|(files, offset, _)| {
            *files != catalogue.form_files || *offset != preprinted_offset
        });
        if fresh {
            if self.shipped.is_none() {
                self.shipped = Some(load_library(&self.shipped_dir)?);
            }
            let shipped = self.shipped.as_ref().context("no shipped templates")?;
            let mut library = library_for(shipped, catalogue).unwrap_or_else(|error| {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "the catalogue's form templates do not load; printing with the shipped ones"
                );
                shipped.clone()
            });
            library.set_preprinted_offset(preprinted_offset);
            self.current = Some((catalogue.form_files.clone(), preprinted_offset, library));
        }
        self.current
            .as_ref()
            .map(|(_, _, library)| library)
            .context("no templates")
    }
}

/// Local words the sheet uses: the office's name and where each counter is (settings
/// `office.city`, `office.mayor`, `counter.<id>.place`; the catalogue's places otherwise).
#[derive(Clone, Debug, Default)]
pub struct Local {
    pub office: Office,
    pub places: HashMap<String, String>,
    /// Where values land on the city's pre-printed forms (`printer.offset_x`, `.offset_y`, in
    /// tenths of a millimetre), in millimetres right and down.
    pub preprinted_offset: [f32; 2],
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
    /// The guidance sheet's language: the one the session ran in.
    pub language: SheetLanguage,
}

pub fn make(library: &Library, fonts: &Fonts, input: &PacketInput<'_>) -> Result<Packet> {
    let forms = forms_of(input.decision);
    let concerns = concerns_of(input.decision);
    let procedures: Vec<String> = input
        .decision
        .procedures
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let guidance = input.guidance.then(|| guidance(input, library));
    let packet = render_packet(
        library,
        fonts,
        &PacketRequest {
            case: input.case,
            event_name: &input.decision.event_name.ja,
            office: &input.local.office,
            forms: &forms,
            procedures: &procedures,
            concerns: &concerns,
            guidance: guidance.as_ref(),
            qr: &form_qr,
        },
    )?;
    Ok(packet)
}

/// The symbols of a form's back-office QR code: the part of the case the form carries, in the
/// open pre-fill format, issued on the visit day.
pub fn form_qr(part: &Case) -> Result<Vec<String>, String> {
    let issued = part.event.visit_date();
    let expires = issued
        .checked_add_days(Days::new(FORM_QR_DAYS))
        .unwrap_or(issued);
    encode(&Prefill {
        issued,
        expires,
        case: part.clone(),
    })
    .map_err(|e| e.to_string())
}

/// For each form id, the members the procedures asking for it are for (their `concerns`).
pub fn concerns_of(decision: &Decision) -> Vec<(String, Vec<usize>)> {
    let mut concerns: Vec<(String, Vec<usize>)> = Vec::new();
    for procedure in &decision.procedures {
        for form in &procedure.forms {
            match concerns.iter_mut().find(|(id, _)| *id == form.id) {
                Some((_, members)) => members.extend(&procedure.concerns),
                None => concerns.push((form.id.clone(), procedure.concerns.clone())),
            }
        }
    }
    concerns
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

/// A catalogue text in the sheet's language; やさしい日本語 falls back to Japanese where the
/// catalogue has none, a translated language to English where its table has none.
fn pick(language: SheetLanguage, text: &Text) -> String {
    text.get(language).to_string()
}

/// A name the clerk must recognise too (a procedure, a counter): in a translated language
/// with the Japanese beside it, 「Đăng ký khai sinh (出生届)」.
fn pick_beside(language: SheetLanguage, text: &Text) -> String {
    if language.is_translated() {
        beside(language, text.get(language), &text.ja)
    } else {
        pick(language, text)
    }
}

/// 「own (other)」, or 「own（other）」 where words are not spaced.
fn beside(language: SheetLanguage, own: &str, other: &str) -> String {
    if language.spaces_words() {
        format!("{own} ({other})")
    } else {
        format!("{own}（{other}）")
    }
}

fn pick_named(language: SheetLanguage, named: &Named) -> String {
    named.get(language).to_string()
}

fn pick_phrase(language: SheetLanguage, phrase: &Phrase) -> String {
    phrase.get(language).to_string()
}

fn guidance(input: &PacketInput<'_>, library: &Library) -> Guidance {
    let language = input.language;
    let mut counters: Vec<(Option<(usize, i32)>, CounterStop)> = Vec::new();
    let mut order: Vec<&str> = Vec::new();
    for procedure in &input.decision.procedures {
        let counter = &procedure.counter;
        let index = match order.iter().position(|id| *id == counter.id) {
            Some(index) => index,
            None => {
                order.push(&counter.id);
                counters.push((
                    counter
                        .building
                        .as_ref()
                        .map(|b| (b.order, counter.floor.unwrap_or(1))),
                    counter_stop(input, counter),
                ));
                counters.len() - 1
            }
        };
        counters[index]
            .1
            .procedures
            .push(guidance_procedure(input, procedure, library));
    }
    let case = input.case;
    let condolence = input.decision.tone == madoguchi_rules::catalogue::Tone::Condolence;
    // The household goes by its 世帯主, unless the 世帯主 is the person who died: then by the
    // family member at the counter, whom the sheet is for.
    let household = case
        .household
        .members
        .iter()
        .enumerate()
        .find(|(i, m)| {
            m.relation.category() == madoguchi_domain::Relation::Head
                && case.event.subject != Some(*i)
        })
        .map(|(_, m)| m)
        .or_else(|| case.applicant())
        .map_or_else(String::new, |m| m.person.name.clone());
    Guidance {
        language,
        office: format!("{}役所", input.local.office.city),
        visit_date: case.event.visit_date(),
        event: pick(language, &input.decision.event_name),
        condolence,
        household,
        // After a death the household is those who remain.
        members: case.household.members.len()
            - usize::from(condolence && case.event.subject.is_some()),
        reception: input.reception.to_string(),
        counters: walking_order(
            order.into_iter().zip(counters).collect(),
            &prerequisite_counters(input.decision),
        ),
        to_confirm: input
            .decision
            .to_confirm
            .iter()
            .map(|p| ConfirmItem {
                name: pick_beside(language, &p.name),
                counter: pick_beside(language, &p.counter.name),
                waiting_on: p
                    .waiting_on
                    .iter()
                    .map(|w| pick_phrase(language, &w.label))
                    .collect(),
            })
            .collect(),
        coming: input
            .decision
            .coming
            .iter()
            .map(|c| coming_note(language, c, case))
            .collect(),
    }
}

/// A counter on the route: its id, where it is (building order and floor), what the sheet says.
type RouteStop<'a> = (&'a str, (Option<(usize, i32)>, CounterStop));

/// The route: the first counter met stays first (the 転入届 at 市民課, which the others
/// need), then the city's counters by building (in the catalogue's order) and floor, then
/// counters whose building is not known, then other agencies. A counter whose procedure must
/// follow another counter's (`after`) then moves behind that counter.
fn walking_order(mut stops: Vec<RouteStop<'_>>, follows: &[(String, String)]) -> Vec<CounterStop> {
    if stops.is_empty() {
        return Vec::new();
    }
    let first = stops.remove(0);
    // A stable sort keeps the decision's order within one floor.
    stops.sort_by_key(|(_, (place, stop))| (stop.external, place.is_none(), *place));
    let mut stops: Vec<(&str, CounterStop)> = std::iter::once(first)
        .chain(stops)
        .map(|(id, (_, stop))| (id, stop))
        .collect();
    // Each pass moves a counter behind the last counter it must follow; a cycle between two
    // counters (each with a procedure after the other's) cannot be walked either way, so the
    // passes are bounded and the order they reach stands.
    for _ in 0..stops.len() * stops.len() {
        let misplaced = (1..stops.len()).find_map(|at| {
            let behind = follows
                .iter()
                .filter(|(later, _)| later == stops[at].0)
                .filter_map(|(_, earlier)| stops.iter().rposition(|(id, _)| id == earlier))
                .filter(|&earlier| earlier > at)
                .max()?;
            Some((at, behind))
        });
        let Some((at, behind)) = misplaced else { break };
        let stop = stops.remove(at);
        stops.insert(behind, stop);
    }
    stops.into_iter().map(|(_, stop)| stop).collect()
}

/// Pairs of counters (by id) where a procedure at the first must
/// follow one at the second.
fn prerequisite_counters(decision: &madoguchi_rules::Decision) -> Vec<(String, String)> {
    let counter_of = |id: &str| {
        decision
            .procedures
            .iter()
            .find(|p| p.id == id)
            .map(|p| &p.counter)
    };
    let mut pairs = Vec::new();
    for procedure in &decision.procedures {
        for first in procedure.after.iter().filter_map(|id| counter_of(id)) {
            if first.id != procedure.counter.id {
                pairs.push((procedure.counter.id.clone(), first.id.clone()));
            }
        }
    }
    pairs
}

fn counter_stop(input: &PacketInput<'_>, counter: &CounterRef) -> CounterStop {
    let language = input.language;
    // A place set on this terminal is in Japanese: other languages keep the catalogue's.
    let local = language
        .is_japanese()
        .then(|| input.local.places.get(&counter.id).cloned())
        .flatten();
    CounterStop {
        name: pick_beside(language, &counter.name),
        place: local.or_else(|| counter.place.as_ref().map(|p| pick(language, p))),
        building: counter.building.as_ref().map(|b| pick(language, &b.name)),
        floor: counter.floor,
        external: counter.external,
        procedures: Vec::new(),
    }
}

/// 「窓口 陽菜（7歳）」: a member by name and age, as the sheet names people.
fn member_label(language: SheetLanguage, case: &Case, index: usize) -> Option<String> {
    let member = case.household.members.get(index)?;
    let name = &member.person.name;
    let age = member
        .person
        .birth_date
        .map(|birth| madoguchi_domain::age::birthday_age(birth, case.event.visit_date()));
    Some(match (language, age) {
        (_, None) => name.clone(),
        (SheetLanguage::Japanese, Some(age)) => format!("{name}（{age}歳）"),
        (SheetLanguage::Easy, Some(age)) => format!("{name}（{age}歳《さい》）"),
        (_, Some(age)) => beside(language, name, &age.to_string()),
    })
}

fn coming_note(
    language: SheetLanguage,
    coming: &madoguchi_rules::decision::Coming,
    case: &Case,
) -> ComingNote {
    let who = member_label(language, case, coming.member).map_or_else(String::new, |who| {
        if language.spaces_words() {
            format!(" ({who})")
        } else {
            format!("（{who}）")
        }
    });
    ComingNote {
        date: coming.date,
        what: format!("{}{who}", pick(language, &coming.name)),
        todo: pick(language, &coming.todo),
    }
}

fn guidance_procedure(
    input: &PacketInput<'_>,
    procedure: &ProcedureDecision,
    library: &Library,
) -> GuidanceProcedure {
    let language = input.language;
    GuidanceProcedure {
        name: pick_beside(language, &procedure.name),
        critical: procedure.critical,
        who: procedure
            .concerns
            .iter()
            .filter_map(|&i| member_label(language, input.case, i))
            .collect(),
        why: procedure
            .reasons
            .iter()
            .map(|r| pick(language, r))
            .collect(),
        deadline: procedure.deadline.as_ref().map(|d| d.date),
        deadline_moved: procedure
            .deadline
            .as_ref()
            .and_then(|d| d.moved.as_ref())
            .map(|m| moved_note(language, m)),
        overdue: procedure.deadline.as_ref().is_some_and(|d| d.overdue),
        bring: procedure
            .bring
            .iter()
            .map(|b| pick_named(language, b))
            .collect(),
        fees: procedure
            .fees
            .iter()
            .map(|fee| FeeLine {
                what: pick(language, &fee.what),
                yen: fee.yen,
                copies: fee.copies,
            })
            .collect(),
        forms: procedure
            .forms
            .iter()
            .map(|f| form_title(language, f, library))
            .collect(),
        after: procedure
            .after
            .iter()
            .filter_map(|id| input.decision.procedures.iter().find(|p| &p.id == id))
            .map(|first| {
                let (name, counter) = (
                    pick(language, &first.name),
                    pick(language, &first.counter.name),
                );
                if language.is_japanese() {
                    format!("{name}（{counter}）")
                } else {
                    beside(language, &name, &counter)
                }
            })
            .collect(),
    }
}

/// A form by the title its printed sheet carries (the template's), so the resident can match
/// the two; in another language with the catalogue's translation beside it.
fn form_title(language: SheetLanguage, form: &Named, library: &Library) -> (String, bool) {
    let template = library.for_form(&form.id);
    let printed = template.map_or_else(|| form.ja.clone(), |t| t.title().to_string());
    let title = if language.is_japanese() {
        printed
    } else {
        beside(language, &printed, form.get(language))
    };
    (title, template.is_some())
}

fn moved_note(language: SheetLanguage, moved: &MovedDeadline) -> String {
    match language {
        SheetLanguage::Japanese => format!(
            "{}は{}のため翌開庁日",
            moved.counted.format("%-m月%-d日"),
            moved.closed.ja
        ),
        SheetLanguage::Easy => format!(
            "{}は 休《やす》みの 日《ひ》なので、次《つぎ》の 日《ひ》",
            moved.counted.format("%-m月%-d日")
        ),
        SheetLanguage::English => format!(
            "{} is {}: the next open day",
            moved.counted.format("%-d %B"),
            moved.closed.en
        ),
        translated => translated.closed_day(moved.counted),
    }
}

/// The print job's title: what CUPS shows in its queue (and cups-pdf names the file after).
pub fn print_title(packet: &Packet) -> String {
    // A form printed once per member (印鑑登録, 個人番号カード) is named once.
    let mut forms: Vec<&str> = Vec::new();
    for form in &packet.forms {
        if !forms.contains(&form.title.as_str()) {
            forms.push(&form.title);
        }
    }
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
    let tenths = |key: &str| {
        get(key)
            .and_then(|v| v.trim().parse::<i16>().ok())
            .unwrap_or(0)
    };
    local.preprinted_offset = [
        f32::from(tenths("printer.offset_x")) / 10.0,
        f32::from(tenths("printer.offset_y")) / 10.0,
    ];
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

/// What the catalogue lets a case hold, for the templates' bindings and the form editor's
/// list of values.
pub fn vocabulary(catalogue: &madoguchi_rules::Catalogue) -> madoguchi_forms::Vocabulary {
    use madoguchi_forms::AnswerShape;
    use madoguchi_rules::catalogue::QuestionKind;
    madoguchi_forms::Vocabulary {
        forms: catalogue
            .forms
            .iter()
            .map(|f| (f.id.clone(), f.title.ja.clone()))
            .collect(),
        questions: catalogue
            .questions
            .iter()
            .map(|q| {
                let shape = match q.kind {
                    QuestionKind::YesNo => AnswerShape::YesNo,
                    QuestionKind::Number { .. } => AnswerShape::Number,
                    QuestionKind::Date => AnswerShape::Date,
                    QuestionKind::Members => AnswerShape::Members,
                    QuestionKind::Choice => {
                        AnswerShape::Choice(q.choices.iter().map(|c| c.id.clone()).collect())
                    }
                };
                (q.id.clone(), shape)
            })
            .collect(),
        question_labels: catalogue
            .questions
            .iter()
            .map(|q| (q.id.clone(), q.label.ja.clone()))
            .collect(),
        procedures: catalogue.procedures.iter().map(|p| p.id.clone()).collect(),
        procedure_names: catalogue
            .procedures
            .iter()
            .map(|p| (p.id.clone(), p.name.ja.clone()))
            .collect(),
        event_dates: catalogue
            .events
            .iter()
            .flat_map(|e| e.date_ids())
            .map(|d| d.id().to_string())
            .collect(),
    }
}

/// The day the rules are applied for a packet: the visit date.
pub fn as_of(case: &Case) -> NaiveDate {
    case.event.visit_date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_catalogue() -> Catalogue {
        crate::catalogue_dir::load_quietly(&crate::catalogue_dir::default_dir()).expect("loads")
    }

    fn with_forms(files: &[(&str, &str)]) -> Catalogue {
        let mut catalogue = shipped_catalogue();
        catalogue.form_files = FormFiles(
            files
                .iter()
                .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
                .collect(),
        );
        catalogue
    }

    const CITY_JUMINHYO: &str = "[form]\nid = \"juminhyo_seikyu\"\ntitle = \"住民票の写し等交付請求書（市の様式）\"\n\
        qr_members = \"applicant\"\n\n[[item]]\ntype = \"field\"\nrect = [20, 20, 100, 10]\nvalue = \"applicant.name\"\n";

    /// The catalogue's own template prints its form; a catalogue whose template does not load
    /// prints with the shipped ones instead of not at all; going back to a catalogue without
    /// forms goes back to the shipped template.
    #[test]
    fn the_catalogue_in_use_chooses_the_templates() {
        let mut templates = Templates::new(default_forms_dir());
        let title = |templates: &mut Templates, catalogue: &Catalogue| {
            templates
                .for_catalogue(catalogue, [0.0, 0.0])
                .expect("a library")
                .for_form("juminhyo_seikyu")
                .map(|t| t.title().to_string())
        };
        let city = with_forms(&[("forms/city_juminhyo.toml", CITY_JUMINHYO)]);
        assert_eq!(
            title(&mut templates, &city).as_deref(),
            Some("住民票の写し等交付請求書（市の様式）")
        );
        let broken = with_forms(&[("forms/city_juminhyo.toml", "[form\nid = ")]);
        assert_eq!(
            title(&mut templates, &broken).as_deref(),
            Some("住民票の写し等交付請求書")
        );
        assert_eq!(
            title(&mut templates, &city).as_deref(),
            Some("住民票の写し等交付請求書（市の様式）")
        );
        assert_eq!(
            title(&mut templates, &shipped_catalogue()).as_deref(),
            Some("住民票の写し等交付請求書")
        );
    }
}
