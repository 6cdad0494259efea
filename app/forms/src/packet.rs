//! A packet: the guidance sheet, then every form the decision needs, in one PDF.

use madoguchi_domain::{Case, Household};

use crate::data::{Context, Office};
use crate::draw::FieldReport;
use crate::error::FormsError;
use crate::fonts::Fonts;
use crate::guidance::{self, Guidance};
use crate::layout::{Fill, fill, members_for};
use crate::page::Page;
use crate::template::{Library, QrMembers, Template};

/// Turns the part of a case one form carries into the symbols of its QR code (the kiosk passes
/// the open MDG1 encoder; this crate does not depend on it).
pub type QrEncoder<'a> = dyn Fn(&Case) -> Result<Vec<String>, String> + 'a;

/// What to print.
pub struct PacketRequest<'a> {
    pub case: &'a Case,
    /// The event's name in Japanese as the catalogue gives it (「転入」, 「死亡」), for `event.ja`.
    pub event_name: &'a str,
    pub office: &'a Office,
    /// Catalogue form ids, in the order of the procedures that need them.
    pub forms: &'a [String],
    /// Ids of the procedures that apply.
    pub procedures: &'a [String],
    /// For each catalogue form id, the household indices of the members the procedures that
    /// ask for it are for (rows `source = "procedure"`); a form not listed names nobody.
    pub concerns: &'a [(String, Vec<usize>)],
    pub guidance: Option<&'a Guidance>,
    pub qr: &'a QrEncoder<'a>,
}

impl std::fmt::Debug for PacketRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PacketRequest")
            .field("forms", &self.forms)
            .finish_non_exhaustive()
    }
}

/// One form in the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedForm {
    /// The template's form id.
    pub id: String,
    pub title: String,
    /// 1-based page of its first sheet.
    pub first_page: usize,
    pub pages: usize,
}

/// The made packet.
#[derive(Clone, Debug)]
pub struct Packet {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub forms: Vec<PrintedForm>,
    /// Catalogue form ids with no template: the counter hands out its paper form.
    pub without_template: Vec<String>,
    /// What the clerk should look at (characters, overflowing text).
    pub reports: Vec<FieldReport>,
}

/// Lays out and writes the packet.
pub fn render_packet(
    library: &Library,
    fonts: &Fonts,
    request: &PacketRequest<'_>,
) -> Result<Packet, FormsError> {
    if request.case.applicant().is_none() {
        return Err(FormsError::NoApplicant);
    }
    let mut reports = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    if let Some(sheet) = request.guidance {
        pages.extend(guidance::lay_out(sheet, fonts, 1, &mut reports));
    }
    let (templates, without_template) = choose(library, request.forms);
    let concerned: Vec<Vec<usize>> = templates
        .iter()
        .map(|(template, _)| concerned_by(template, request.concerns))
        .collect();
    let mut sheets: Vec<(&Template, Fill<'_>)> = Vec::new();
    for ((template, variant), concerned) in templates.iter().zip(&concerned) {
        for subject in subjects(template, request.case, concerned) {
            let context = Context {
                case: request.case,
                office: request.office,
                procedures: request.procedures,
                event_name: request.event_name,
                variant,
                subject,
                procedure_members: concerned,
            };
            let qr = qr_symbols(template, &context, request.qr);
            sheets.push((
                template,
                Fill {
                    fonts,
                    context,
                    qr,
                    // Numbered from 0 here; moved to the packet's pages below.
                    first_page: 0,
                    preprinted_offset: library.preprinted_offset,
                },
            ));
        }
    }
    // Each form is filled on its own (most of it is choosing the QR code's mask), then placed
    // after the pages before it.
    let filled = crate::parallel::map(&sheets, |(template, sheet)| {
        let mut form_reports = Vec::new();
        let filled = fill(template, sheet, &mut form_reports);
        (filled, form_reports)
    });
    let mut forms = Vec::new();
    for ((template, _), (filled, form_reports)) in sheets.iter().zip(filled) {
        let first_page = pages.len() + 1;
        reports.extend(form_reports.into_iter().map(|report| FieldReport {
            page: report.page + first_page,
            ..report
        }));
        forms.push(PrintedForm {
            id: template.id().to_string(),
            title: template.title().to_string(),
            first_page,
            pages: filled.pages.len(),
        });
        pages.extend(filled.pages);
    }
    let title = match request.guidance {
        Some(_) => format!("{}・申請書", guidance::TITLE),
        None => "申請書".to_string(),
    };
    let pdf = crate::pdf::write(&pages, fonts, &library.images, &title)?;
    Ok(Packet {
        pdf,
        pages: pages.len(),
        forms,
        without_template,
        reports,
    })
}

/// The members the procedures asking for any of the template's form ids are for, in
/// household order, each once.
fn concerned_by(template: &Template, concerns: &[(String, Vec<usize>)]) -> Vec<usize> {
    let mut members: Vec<usize> = concerns
        .iter()
        .filter(|(form, _)| template.form_ids().any(|id| id == form))
        .flat_map(|(_, members)| members.iter().copied())
        .collect();
    members.sort_unstable();
    members.dedup();
    members
}

/// The members a template prints for, one sheet each: for a `per_member` form, each member its
/// question names (else the applicant); for one with rows, the first member of the rows (whom
/// `filer.relation` relates the 届出人 to); else the member the event is about, if any; else
/// the applicant.
fn subjects(template: &Template, case: &Case, procedure_members: &[usize]) -> Vec<usize> {
    if let Some(question) = &template.file.form.per_member {
        return match case.answers.get(question) {
            Some(madoguchi_domain::Answer::Members(list)) if !list.is_empty() => list.clone(),
            _ => vec![case.applicant],
        };
    }
    let first_row = template.file.rows.as_ref().and_then(|rows| {
        crate::layout::member_indices_for(rows.source, case, procedure_members)
            .first()
            .copied()
    });
    // A sheet without rows after a death or a birth is about the member the event is about
    // (葬祭費: the person who died), the 届出人 related to them.
    let concerned = template
        .file
        .rows
        .is_none()
        .then_some(case.event.subject)
        .flatten();
    vec![first_row.or(concerned).unwrap_or(case.applicant)]
}

/// Each template once, in first-asked order, with the form id that asked for it.
fn choose<'l, 'f>(
    library: &'l Library,
    forms: &'f [String],
) -> (Vec<(&'l Template, &'f str)>, Vec<String>) {
    let mut chosen: Vec<(&Template, &str)> = Vec::new();
    let mut missing = Vec::new();
    for id in forms {
        match library.for_form(id) {
            Some(template) => {
                if !chosen.iter().any(|(t, _)| t.id() == template.id()) {
                    chosen.push((template, id));
                }
            }
            None => {
                if !missing.contains(id) {
                    missing.push(id.clone());
                }
            }
        }
    }
    (chosen, missing)
}

/// The case cut down to the people the form is about, without the interview's answers.
fn qr_symbols(template: &Template, context: &Context<'_>, encode: &QrEncoder<'_>) -> Vec<String> {
    let case = context.case;
    // A sheet for one member of several (one registrant's seal) carries that member.
    let person = if template.file.form.per_member.is_some() {
        case.household.members.get(context.subject)
    } else {
        case.applicant()
    };
    let Some(applicant) = person else {
        return Vec::new();
    };
    let mut members = vec![applicant.clone()];
    match template.qr_members() {
        QrMembers::Applicant => {}
        QrMembers::Household => {
            members = case.household.members.clone();
        }
        QrMembers::Rows => {
            let source = template
                .file
                .rows
                .as_ref()
                .map_or(crate::template::RowSource::Household, |r| r.source);
            for member in members_for(source, context) {
                if member != applicant {
                    members.push(member.clone());
                }
            }
        }
    }
    // The member the event is about (the person who died, the newborn) is what every form of
    // that event is for: carried always, and the event points at them among those carried.
    let mut event = case.event.clone();
    if let Some(subject) = event.subject.and_then(|i| case.household.members.get(i)) {
        if !members.contains(subject) {
            members.push(subject.clone());
        }
        event.subject = members.iter().position(|m| m == subject);
    }
    let applicant_index = members.iter().position(|m| m == applicant).unwrap_or(0);
    let part = Case {
        phone: None,
        event,
        household: Household {
            members,
            joining_head: case.household.joining_head.clone(),
            previous_head: case.household.previous_head.clone(),
        },
        applicant: applicant_index,
        answers: Default::default(),
        certificates: case.certificates.clone(),
        resident_writes: Default::default(),
        proxy: None,
        identified_by: None,
    };
    encode(&part).unwrap_or_default()
}
