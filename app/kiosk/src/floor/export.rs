//! The back-office hand-over (docs/export.md): a counter's cases from the floor as CSV and JSON
//! files in a folder that an RPA tool or a core system's file import watches.
//!
//! The fields, their order and their mapping to the law's items and the standard core
//! system's item names are data (`assets/export/fields.toml`, or the city's own copy with its
//! vendor's 基本データリスト ids filled in); this module only knows how to fill each field. Which
//! fields are personal is decided here, not by the file: a city's file cannot turn a name into
//! a plain field. Personal fields are written only by a back-office terminal (the server
//! refuses the sealed fields to any other login) and otherwise stay as empty columns, so the
//! order never changes. Every export is audited on the floor.
//!
//! Invariants: files appear whole or not at all (private, written then renamed); a case is
//! marked exported only after its files are on disk, so a crash gives the same case again,
//! never loses one; the case id and the counter are the key a reader de-duplicates on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset, Utc};
use madoguchi_central::{Central, ExportRow, ExportScope};
use madoguchi_domain::{Address, Case, EventKind, Member, Nationality, Sex, Zokugara};
use madoguchi_rules::Catalogue;
use madoguchi_store::StoreKey;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::output::write_private;

/// The shipped field list.
pub const SHIPPED_FIELDS: &str = include_str!("../../../../assets/export/fields.toml");

/// The format's name in every JSON file.
pub const FORMAT: &str = "madoguchi.counter-export";

/// Cases read from the floor at a time (one pair of files each).
pub const BATCH: i32 = 500;

/// The largest field file read.
const MAX_FIELDS_BYTES: usize = 256 * 1024;

/// Every field this module can fill, and whether it is personal.
const KNOWN: [(&str, bool); 29] = [
    ("format_version", false),
    ("case_id", false),
    ("reception", false),
    ("finished_at", false),
    ("terminal", false),
    ("counter", false),
    ("state", false),
    ("procedures", false),
    ("procedure_names", false),
    ("event", false),
    ("member", false),
    ("members", false),
    ("name", true),
    ("kana", true),
    ("birth_date", true),
    ("sex", true),
    ("relation", true),
    ("head", true),
    ("move_date", true),
    ("visit_date", true),
    ("postal_code", true),
    ("address", true),
    ("building", true),
    ("previous_address", true),
    ("moved_out_date", true),
    ("nationality", true),
    ("residence_card", true),
    ("residence_status", true),
    ("residence_until", true),
];

/// One field of the format, as the field file describes it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub ja: String,
    pub personal: bool,
    /// The 住民票 記載事項 it is (住民基本台帳法).
    #[serde(default)]
    pub law: String,
    /// The standard core system's item name, where a public source names it.
    #[serde(default)]
    pub standard: String,
    #[serde(default)]
    pub standard_source: String,
    /// The 基本データリスト item the city's core system imports it as (the city fills it).
    #[serde(default)]
    pub kihon_data_list: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    format: String,
    version: u32,
    field: Vec<Field>,
}

/// The export's format: its version and its fields in order.
#[derive(Clone, Debug)]
pub struct ExportFormat {
    pub version: u32,
    pub fields: Vec<Field>,
}

/// What the CSV's first line names each column by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Header {
    /// The field ids (`case_id`, `name` …): the default, stable across cities.
    #[default]
    Id,
    /// The Japanese labels.
    Japanese,
    /// The 基本データリスト item where the field file names one, else the id.
    KihonDataList,
}

impl ExportFormat {
    /// The shipped format.
    pub fn shipped() -> Result<ExportFormat> {
        ExportFormat::parse(SHIPPED_FIELDS)
            .map_err(|problems| anyhow::anyhow!("the shipped field list: {}", problems.join("; ")))
    }

    /// A city's field file, checked.
    pub fn load(path: &Path) -> Result<ExportFormat> {
        let bytes = crate::cmd::input::read_bounded(path, MAX_FIELDS_BYTES, "a field list")?;
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        ExportFormat::parse(&text).map_err(|problems| {
            anyhow::anyhow!("{}: {}", path.display(), one_line(&problems.join("; ")))
        })
    }

    /// Reads a field list, with every problem found (one line each).
    pub fn parse(text: &str) -> Result<ExportFormat, Vec<String>> {
        let file: FieldFile = toml::from_str(text).map_err(|e| vec![one_line(&e.to_string())])?;
        let mut problems = Vec::new();
        if file.format != FORMAT {
            problems.push(format!("format is `{}`, not `{FORMAT}`", file.format));
        }
        if file.version == 0 {
            problems.push("version starts at 1".into());
        }
        let mut seen = BTreeSet::new();
        for field in &file.field {
            match KNOWN.iter().find(|(id, _)| *id == field.id) {
                None => problems.push(format!(
                    "field `{}` is not one Madoguchi can fill (known: {})",
                    field.id,
                    KNOWN.map(|(id, _)| id).join(", ")
                )),
                Some((_, personal)) if *personal != field.personal => problems.push(format!(
                    "field `{}` is {}personal: write `personal = {personal}`",
                    field.id,
                    if *personal { "" } else { "not " }
                )),
                Some(_) => {}
            }
            if !seen.insert(field.id.as_str()) {
                problems.push(format!("field `{}` is listed twice", field.id));
            }
            let texts = [
                &field.ja,
                &field.law,
                &field.standard,
                &field.standard_source,
                &field.kihon_data_list,
            ];
            if texts
                .iter()
                .any(|t| t.chars().count() > 300 || t.chars().any(char::is_control))
            {
                problems.push(format!(
                    "field `{}`: its texts are one line of at most 300 characters",
                    field.id
                ));
            }
        }
        for required in ["case_id", "counter"] {
            if !seen.contains(required) {
                problems.push(format!(
                    "field `{required}` is missing: readers de-duplicate on it"
                ));
            }
        }
        if problems.is_empty() {
            Ok(ExportFormat {
                version: file.version,
                fields: file.field,
            })
        } else {
            Err(problems)
        }
    }

    /// The CSV's first line.
    pub fn header(&self, header: Header) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| match header {
                Header::Id => f.id.clone(),
                Header::Japanese => f.ja.clone(),
                Header::KihonDataList if !f.kihon_data_list.is_empty() => f.kihon_data_list.clone(),
                Header::KihonDataList => f.id.clone(),
            })
            .collect()
    }
}

/// A message on one line (TOML's errors quote the file over several).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One case for the files: the floor's row and, when the personal fields were read, the case.
#[derive(Debug)]
pub struct ExportCase<'a> {
    pub counter: &'a str,
    pub row: &'a ExportRow,
    pub case: Option<Case>,
}

/// The rows of one case: one per household member when the case was opened, else one.
pub fn rows(
    format: &ExportFormat,
    catalogue: &Catalogue,
    case: &ExportCase<'_>,
) -> Vec<Vec<String>> {
    let members: Vec<Option<usize>> = match &case.case {
        Some(opened) if !opened.household.members.is_empty() => {
            (0..opened.household.members.len()).map(Some).collect()
        }
        _ => vec![None],
    };
    members
        .into_iter()
        .map(|member| {
            format
                .fields
                .iter()
                .map(|field| value(&field.id, format.version, catalogue, case, member))
                .collect()
        })
        .collect()
}

fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero"))
}

fn value(
    id: &str,
    version: u32,
    catalogue: &Catalogue,
    export: &ExportCase<'_>,
    member: Option<usize>,
) -> String {
    let row = export.row;
    match id {
        "format_version" => return version.to_string(),
        "case_id" => return row.case.to_string(),
        "reception" => return row.reception.clone(),
        "finished_at" => {
            return row
                .finished_at
                .with_timezone(&japan())
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string();
        }
        "terminal" => return row.terminal.clone(),
        "counter" => return export.counter.to_string(),
        "state" => return row.state.clone(),
        "procedures" => return row.procedures.join(";"),
        "procedure_names" => {
            return row
                .procedures
                .iter()
                .map(|id| catalogue.procedure_name(id))
                .collect::<Vec<_>>()
                .join("、");
        }
        "event" => return row.event.clone(),
        "members" => return row.members.to_string(),
        _ => {}
    }
    let (Some(case), Some(index)) = (&export.case, member) else {
        return String::new();
    };
    let Some(person) = case.household.members.get(index) else {
        return String::new();
    };
    case_value(id, case, index, person)
}

fn case_value(id: &str, case: &Case, index: usize, member: &Member) -> String {
    let person = &member.person;
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let foreign = match &person.nationality {
        Some(Nationality::Foreign(foreign)) => Some(foreign),
        _ => None,
    };
    match id {
        "member" => (index + 1).to_string(),
        "name" => person.name.clone(),
        "kana" => person.kana.clone().unwrap_or_default(),
        "birth_date" => person.birth_date.map(day).unwrap_or_default(),
        // ISO/IEC 5218 (JIS X 0303): 1 male, 2 female, 0 not known.
        "sex" => match person.sex {
            Some(Sex::Male) => "1".into(),
            Some(Sex::Female) => "2".into(),
            None => "0".into(),
        },
        "relation" => member.relation.word().into(),
        "head" => head(case),
        "move_date" => day(case.event.date),
        "visit_date" => day(case.event.visit_date),
        "postal_code" => new_address(case)
            .and_then(|a| a.postal_code.clone())
            .unwrap_or_default(),
        "address" => new_address(case)
            .map(|a| a.text.clone())
            .unwrap_or_default(),
        "building" => new_address(case)
            .and_then(|a| a.building.clone())
            .unwrap_or_default(),
        // The hand-over carries the 前住所 of a 転入 only: a 転居's is this city's own record.
        "previous_address" => match &case.event.previous_address {
            Some(address) if case.event.kind == EventKind::TENNYU => whole(address),
            _ => String::new(),
        },
        "moved_out_date" => case.event.moved_out_date().map(day).unwrap_or_default(),
        "nationality" => match &person.nationality {
            Some(Nationality::Japanese) => "日本".into(),
            Some(Nationality::Foreign(foreign)) => foreign.country.clone().unwrap_or_default(),
            None => String::new(),
        },
        "residence_card" => foreign
            .and_then(|f| f.card_number.as_ref())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        "residence_status" => foreign
            .and_then(|f| f.status)
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        "residence_until" => foreign
            .and_then(|f| f.period_end)
            .map(day)
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn whole(address: &Address) -> String {
    match &address.building {
        Some(building) => format!("{}　{building}", address.text),
        None => address.text.clone(),
    }
}

fn new_address(case: &Case) -> Option<&Address> {
    case.event.address_after()
}

/// The 世帯主's name: the member who heads the household, else the head they join.
fn head(case: &Case) -> String {
    case.household
        .members
        .iter()
        .find(|m| m.relation == Zokugara::HEAD)
        .map(|m| m.person.name.clone())
        .or_else(|| case.household.joining_head.clone())
        .unwrap_or_default()
}

/// A JSON row: the fields' ids and values in the format's order.
struct Ordered<'a> {
    keys: &'a [Field],
    values: &'a [String],
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.keys.len()))?;
        for (field, value) in self.keys.iter().zip(self.values) {
            map.serialize_entry(&field.id, value)?;
        }
        map.end()
    }
}

/// The CSV file's bytes: UTF-8 with a byte-order mark (Excel and most RPA tools read Japanese
/// right only with it), CRLF line ends (RFC 4180), every value quoted when it needs to be. A
/// value a spreadsheet would run as a formula gets a leading `'`, as in the store's export
/// (the JSON keeps every value exactly).
pub fn csv_bytes(format: &ExportFormat, header: Header, rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    writer.write_record(format.header(header))?;
    for row in rows {
        writer.write_record(row.iter().cloned().map(madoguchi_store::export::neutralise))?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write the CSV: {e}"))
}

/// The JSON file's bytes: the format, its version, the counter, when it was written, and the
/// rows as objects with the fields in order.
pub fn json_bytes(
    format: &ExportFormat,
    counter: &str,
    written: DateTime<Utc>,
    personal: bool,
    rows: &[Vec<String>],
) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct File<'a> {
        format: &'a str,
        version: u32,
        counter: &'a str,
        written_at: String,
        personal: bool,
        fields: Vec<&'a str>,
        rows: Vec<Ordered<'a>>,
    }
    let file = File {
        format: FORMAT,
        version: format.version,
        counter,
        written_at: written
            .with_timezone(&japan())
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        personal,
        fields: format.fields.iter().map(|f| f.id.as_str()).collect(),
        rows: rows
            .iter()
            .map(|values| Ordered {
                keys: &format.fields,
                values,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// What one export run is asked to do.
#[derive(Debug)]
pub struct ExportRequest<'a> {
    pub counter: &'a str,
    pub scope: ExportScope,
    pub personal: bool,
    pub header: Header,
    pub out: &'a Path,
    pub now: DateTime<Utc>,
}

/// What one export run wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub cases: usize,
    pub rows: usize,
    pub files: Vec<PathBuf>,
}

/// Reads the counter's cases from the floor and writes them out, a batch of [`BATCH`] cases to
/// a pair of files, marking each batch exported once its files are written (a scheduled run
/// goes on until nothing is left; an on-demand one reads its range once).
pub fn run(
    central: &mut Central,
    format: &ExportFormat,
    catalogue: &Catalogue,
    floor_key: &StoreKey,
    request: &ExportRequest<'_>,
) -> Result<Exported> {
    if !request.out.is_dir() {
        bail!(
            "{} is not a folder: make it first (the RPA tool or the core system watches it)",
            request.out.display()
        );
    }
    let mut exported = Exported::default();
    for batch in 0.. {
        let rows =
            central.counter_export(request.counter, request.scope, request.personal, BATCH)?;
        if rows.is_empty() {
            break;
        }
        let mut lines = Vec::new();
        for row in &rows {
            let case = match (&row.sealed, request.personal) {
                (Some(sealed), true) => Some(open(floor_key, row, sealed)?),
                _ => None,
            };
            lines.extend(rows_of(format, catalogue, request.counter, row, case));
        }
        let stem = format!(
            "{}-{}-{batch:03}",
            request.counter,
            request.now.with_timezone(&japan()).format("%Y%m%d-%H%M%S")
        );
        let csv_path = request.out.join(format!("{stem}.csv"));
        let json_path = request.out.join(format!("{stem}.json"));
        write_private(&csv_path, &csv_bytes(format, request.header, &lines)?)
            .with_context(|| format!("cannot write {}", csv_path.display()))?;
        write_private(
            &json_path,
            &json_bytes(
                format,
                request.counter,
                request.now,
                request.personal,
                &lines,
            )?,
        )
        .with_context(|| format!("cannot write {}", json_path.display()))?;
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.case).collect();
        central.counter_exported(request.counter, &ids)?;
        exported.cases += rows.len();
        exported.rows += lines.len();
        exported.files.extend([csv_path, json_path]);
        // An on-demand range is one read; a scheduled run goes on while a batch came back full.
        if matches!(request.scope, ExportScope::FinishedSince(_)) || rows.len() < BATCH as usize {
            break;
        }
    }
    Ok(exported)
}

fn rows_of(
    format: &ExportFormat,
    catalogue: &Catalogue,
    counter: &str,
    row: &ExportRow,
    case: Option<Case>,
) -> Vec<Vec<String>> {
    rows(format, catalogue, &ExportCase { counter, row, case })
}

fn open(floor_key: &StoreKey, row: &ExportRow, sealed: &[u8]) -> Result<Case> {
    let context = madoguchi_store::floor::floor_context(&row.case.to_string());
    let plain = floor_key.open(sealed, &context).map_err(|_| {
        anyhow::anyhow!(
            "case {} cannot be opened with this terminal's floor key (is it the floor's?)",
            row.case
        )
    })?;
    Case::from_json(&plain).with_context(|| format!("case {} cannot be read", row.case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_field_list_is_valid_and_covers_every_field() {
        let format = ExportFormat::shipped().expect("valid");
        assert_eq!(format.fields.len(), KNOWN.len());
        let ids: Vec<&str> = format.fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            KNOWN.map(|(id, _)| id).to_vec(),
            "the documented order"
        );
    }

    #[test]
    fn a_city_cannot_make_a_personal_field_plain_or_invent_one() {
        let text = SHIPPED_FIELDS.replace(
            "id = \"name\"\nja = \"氏名\"\npersonal = true",
            "id = \"name\"\nja = \"氏名\"\npersonal = false",
        );
        let problems = ExportFormat::parse(&text).expect_err("refused");
        assert!(
            problems.iter().any(|p| p.contains("`name` is personal")),
            "{problems:?}"
        );
        let text = format!(
            "{SHIPPED_FIELDS}\n[[field]]\nid = \"my_number\"\nja = \"個人番号\"\npersonal = true\n"
        );
        let problems = ExportFormat::parse(&text).expect_err("refused");
        assert!(
            problems.iter().any(|p| p.contains("`my_number`")),
            "{problems:?}"
        );
        let text = SHIPPED_FIELDS.replace("id = \"case_id\"", "id = \"reception\"");
        let problems = ExportFormat::parse(&text).expect_err("refused");
        assert!(problems.iter().any(|p| p.contains("twice")), "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("`case_id` is missing")),
            "{problems:?}"
        );
    }

    fn row() -> ExportRow {
        ExportRow {
            case: uuid::Uuid::nil(),
            reception: "A-003".into(),
            finished_at: DateTime::parse_from_rfc3339("2026-11-20T01:02:03Z")
                .expect("time")
                .with_timezone(&Utc),
            terminal: "desk_1".into(),
            event: "tennyu".into(),
            members: 4,
            state: "waiting".into(),
            procedures: vec!["jidou_teate".into()],
            sealed: None,
        }
    }

    #[test]
    fn rows_follow_the_field_order_and_leave_personal_fields_empty_without_the_case() {
        let format = ExportFormat::shipped().expect("valid");
        let catalogue = crate::samples::shipped_catalogue().expect("catalogue");
        let row = row();
        let plain = rows(
            &format,
            &catalogue,
            &ExportCase {
                counter: "kodomo",
                row: &row,
                case: None,
            },
        );
        assert_eq!(plain.len(), 1, "one row per case without the household");
        let at = |id: &str| {
            format
                .fields
                .iter()
                .position(|f| f.id == id)
                .expect("field")
        };
        assert_eq!(plain[0][at("finished_at")], "2026-11-20T10:02:03+09:00");
        assert_eq!(plain[0][at("procedure_names")], "児童手当の認定請求");
        assert_eq!(plain[0][at("name")], "");

        let family = crate::samples::family_of_four().expect("family");
        let opened = rows(
            &format,
            &catalogue,
            &ExportCase {
                counter: "kodomo",
                row: &row,
                case: Some(family.clone()),
            },
        );
        assert_eq!(opened.len(), 4, "one row per member");
        assert_eq!(
            opened[1][at("name")],
            family.household.members[1].person.name
        );
        assert_eq!(opened[1][at("member")], "2");
        assert_eq!(
            opened[1][at("head")],
            family.household.members[0].person.name
        );
        let csv = String::from_utf8(csv_bytes(&format, Header::Id, &opened).expect("csv"))
            .expect("utf-8");
        assert!(csv.starts_with("\u{feff}format_version,case_id,reception,"));
        assert_eq!(csv.matches("\r\n").count(), 5);
        let json: serde_json::Value = serde_json::from_slice(
            &json_bytes(&format, "kodomo", Utc::now(), true, &opened).expect("json"),
        )
        .expect("parses");
        assert_eq!(json["rows"].as_array().map(Vec::len), Some(4));
        assert_eq!(json["rows"][0]["reception"], "A-003");
    }

    #[test]
    fn a_formula_typed_as_a_name_is_text_in_the_csv_and_exact_in_the_json() {
        let format = ExportFormat::shipped().expect("valid");
        let catalogue = crate::samples::shipped_catalogue().expect("catalogue");
        let mut family = crate::samples::family_of_four().expect("family");
        family.household.members[0].person.name = "=HYPERLINK(\"http://x\")".into();
        let row = row();
        let lines = rows(
            &format,
            &catalogue,
            &ExportCase {
                counter: "kodomo",
                row: &row,
                case: Some(family),
            },
        );
        let csv =
            String::from_utf8(csv_bytes(&format, Header::Id, &lines).expect("csv")).expect("utf-8");
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        let json: serde_json::Value = serde_json::from_slice(
            &json_bytes(&format, "kodomo", Utc::now(), true, &lines).expect("json"),
        )
        .expect("parses");
        assert_eq!(json["rows"][0]["name"], "=HYPERLINK(\"http://x\")");
    }
}
