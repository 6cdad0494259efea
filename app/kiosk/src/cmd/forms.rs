//! `madoguchi forms …`: the packet from a case file, and the templates in use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use madoguchi_forms::{Fonts, ProblemKind, ReportKind};
use madoguchi_rules::Engine;

use crate::catalogue_dir;
use crate::cmd::rules::read_case;
use crate::cmd::{print as print_cmd, store as store_cmd};
use crate::packet::{self, PacketInput};

/// What `forms render` needs.
#[derive(Debug)]
pub struct RenderArgs<'a> {
    pub case: &'a Path,
    pub out: &'a Path,
    pub catalogue: Option<&'a Path>,
    pub forms: Option<&'a Path>,
    /// Queue it for this printer too.
    pub print: Option<&'a str>,
    pub wait: u64,
    /// Write the packet even with required values missing (they print empty).
    pub allow_blanks: bool,
    pub language: madoguchi_forms::SheetLanguage,
    /// The 受付番号 for the guidance sheet; empty for none.
    pub reception: &'a str,
}

pub fn forms_dir(given: Option<&Path>) -> PathBuf {
    given.map_or_else(packet::default_forms_dir, Path::to_path_buf)
}

pub fn render(args: &RenderArgs<'_>) -> Result<ExitCode> {
    if args.reception.chars().count() > 12 || args.reception.chars().any(char::is_control) {
        anyhow::bail!(
            "--reception takes a 受付番号 of up to 12 printable characters (such as A-012)"
        );
    }
    let case = read_case(args.case)?;
    let store = store_cmd::open()?;
    let catalogue = match args.catalogue {
        Some(dir) => std::sync::Arc::new(catalogue_dir::load_quietly(dir)?),
        None => store_cmd::catalogue_in_force(&store)?.0,
    };
    let decision = Engine::new(&catalogue)
        .evaluate(&case, packet::as_of(&case))
        .context("cannot decide the procedures for this case")?;
    let library = packet::library_for(&packet::load_library(&forms_dir(args.forms))?, &catalogue)?;
    let fonts = Fonts::load();
    let local = packet::local_settings(Some(&store));
    let made = packet::make(
        &library,
        &fonts,
        &PacketInput {
            case: &case,
            decision: &decision,
            local: &local,
            reception: args.reception,
            guidance: true,
            language: args.language,
        },
    )?;
    let missing: Vec<_> = made
        .reports
        .iter()
        .filter(|r| matches!(r.kind, ReportKind::Missing { .. }))
        .collect();
    if !missing.is_empty() && !args.allow_blanks {
        for report in &missing {
            eprintln!("missing / 未記入: {}", report.message());
        }
        eprintln!(
            "error: {} required value(s) missing; nothing was written. Add them to the case (docs/case.md), or list them in `resident_writes`, or render with --allow-blanks for the resident to fill them in / 記入に必要な値が足りないため作成しませんでした",
            missing.len()
        );
        return Ok(ExitCode::from(4));
    }
    crate::output::write_private(args.out, &made.pdf)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "{}: {} pages, {} KB — 窓口案内シート + {} form(s)",
        args.out.display(),
        made.pages,
        made.pdf.len().div_ceil(1024),
        made.forms.len()
    );
    for form in &made.forms {
        println!(
            "  p.{:<3} {} ({} page(s))",
            form.first_page, form.title, form.pages
        );
    }
    for id in &made.without_template {
        println!("  (no template: {id} — the counter's paper form is used)");
    }
    if fonts.mincho().is_none() {
        eprintln!(
            "note: IPAmj明朝 is not installed (Debian fonts-ipamj-mincho): names print in BIZ UDゴシック"
        );
    }
    for report in &made.reports {
        let kind = if matches!(report.kind, ReportKind::Missing { .. }) {
            "left blank / 本人が記入"
        } else {
            "warning"
        };
        eprintln!("{kind}: {}", report.message());
    }
    if let Some(printer) = args.print {
        let mut store = store;
        let title = packet::print_title(&made);
        let code = print_cmd::queue_and_follow(
            &mut store,
            printer,
            &print_cmd::Document {
                title: &title,
                pages: made.pages,
                forms: made.forms.len(),
                pdf: &made.pdf,
            },
            std::time::Duration::from_secs(args.wait),
        )?;
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    let unprintable = made.reports.iter().any(|r| {
        matches!(&r.kind, ReportKind::Glyph(p) if p.kind == ProblemKind::Missing)
            || r.kind == ReportKind::Overflow
    });
    // The packet is written either way; exit 3 tells a script the clerk must look at it.
    Ok(if unprintable {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// `forms calibrate`: writes (and prints) the calibration page, or sets the printer's offset
/// for pre-printed forms from where the page's cross A was measured.
pub fn calibrate(
    out: Option<&Path>,
    print: Option<&str>,
    measured: Option<&str>,
    login: Option<&str>,
) -> Result<ExitCode> {
    let mut store = store_cmd::open()?;
    if let Some(measured) = measured {
        let max = madoguchi_forms::Library::MAX_OFFSET_MM;
        let offset = parse_measurement(measured)
            .and_then(|m| madoguchi_forms::offset_from_measurement(m, max))
            .with_context(|| {
                format!(
                    "--measured takes where cross A landed as LEFT,TOP in millimetres (such as 21.5,19.0), within {max} mm of {},{}; measure again, or check the paper is fed straight",
                    madoguchi_forms::CROSS_A_MM[0],
                    madoguchi_forms::CROSS_A_MM[1]
                )
            })?;
        let login = crate::cmd::sign_in::required(login, "setting the printer's offset")?;
        let supervisor = crate::cmd::sign_in::supervisor(
            &mut store,
            login,
            &mut crate::cmd::sign_in::Passwords::new(),
        )?;
        let now = chrono::Utc::now();
        for (key, mm) in [
            ("printer.offset_x", offset[0]),
            ("printer.offset_y", offset[1]),
        ] {
            let tenths = (mm * 10.0).round() as i32;
            store.change_setting(&supervisor, key, &tenths.to_string(), now)?;
            println!("{key} = {tenths}  ({mm:+.1} mm)");
        }
        println!(
            "Pre-printed forms now print {:+.1} mm right and {:+.1} mm down.",
            offset[0], offset[1]
        );
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out) = out else {
        anyhow::bail!(
            "give --out FILE for the calibration page (and --print PRINTER to print it), or --measured LEFT,TOP to set the offset it showed"
        );
    };
    let local = packet::local_settings(Some(&store));
    let pdf = madoguchi_forms::calibration_page(&Fonts::load(), local.preprinted_offset)?;
    crate::output::write_private(out, &pdf)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}: the calibration page (1 page)", out.display());
    if let Some(printer) = print {
        return print_cmd::queue_and_follow(
            &mut store,
            printer,
            &print_cmd::Document {
                title: "プリンターの位置合わせ",
                pages: 1,
                forms: 0,
                pdf: &pdf,
            },
            std::time::Duration::from_secs(120),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `forms page`: the city's paper form as the editor's page (PNG). Exit 2 with one line when
/// the file is not an A4 portrait PDF, PNG or JPEG.
pub fn page(file: &Path, out: &Path) -> Result<ExitCode> {
    let bytes = crate::form_page::read_bounded(file)?;
    let page = madoguchi_forms::scan::read_page(&bytes).map_err(anyhow::Error::msg)?;
    let png = page.png().map_err(anyhow::Error::msg)?;
    crate::output::write_private(out, &png)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "{}: {} × {} pixels (A4 at 150 dpi)",
        out.display(),
        page.width,
        page.height
    );
    Ok(ExitCode::SUCCESS)
}

/// `21.5,19.0` (a full-width comma too) as millimetres.
fn parse_measurement(text: &str) -> Option<[f32; 2]> {
    let (left, top) = text.split_once([',', '，'])?;
    let number = |s: &str| s.trim().parse::<f32>().ok().filter(|v| v.is_finite());
    Some([number(left)?, number(top)?])
}

pub fn list(forms: Option<&Path>) -> Result<ExitCode> {
    let dir = forms_dir(forms);
    let library = packet::load_library(&dir)?;
    println!("Form templates in {}:", dir.display());
    for template in library.templates() {
        let ids: Vec<&str> = template.form_ids().collect();
        println!(
            "  {:<24} {}  [{}]",
            template.id(),
            template.title(),
            ids.join(", ")
        );
    }
    let fonts = Fonts::load();
    match fonts.mincho() {
        Some(path) => println!("Names and addresses: IPAmj明朝 ({})", path.display()),
        None => println!(
            "Names and addresses: BIZ UDゴシック (install fonts-ipamj-mincho for every MJ character)"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `forms check`: every problem on its own line, then a summary; exit 1 when there is any.
pub fn check(
    catalogue: Option<&Path>,
    forms: Option<&Path>,
    extra_samples: &[PathBuf],
) -> Result<ExitCode> {
    let (catalogue, files) = match catalogue {
        Some(dir) => {
            let (loaded, files) = catalogue_dir::load_or_report(dir)?;
            (loaded.catalogue, files)
        }
        None => {
            let store = store_cmd::open()?;
            let version = store
                .newest_published()?
                .context("the store has no published catalogue")?;
            let loaded = catalogue_dir::load_version(&version.files).map_err(|problems| {
                anyhow::anyhow!("the published catalogue does not load: {problems}")
            })?;
            (loaded.catalogue, version.files)
        }
    };
    let dir = forms_dir(forms);
    // The templates the catalogue prints with: its own (the city's forms) before the folder's.
    let library = packet::library_for(&packet::load_library(&dir)?, &catalogue)?;
    let samples = samples(&catalogue, &files, &dir, extra_samples)?;
    let mut findings = madoguchi_forms::check_templates(&library, &packet::vocabulary(&catalogue));
    findings.extend(madoguchi_forms::check_fit(
        &library,
        &Fonts::load(),
        &packet::form_qr,
        &samples,
    ));
    for finding in &findings {
        println!("{finding}");
    }
    println!(
        "{} templates for {} catalogue forms, filled with {} sample cases: {} problem(s)",
        library.templates().len(),
        catalogue.forms.len(),
        samples.len(),
        findings.len()
    );
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The cases templates are filled with, each on the forms its decision asks for: the
/// catalogue's scenarios, the templates' own samples (`<forms>/samples/*.json`: the longest
/// names and addresses a form must hold) and any given on the command line. A sample the
/// catalogue cannot decide is an error: it says which.
fn samples(
    catalogue: &madoguchi_rules::Catalogue,
    files: &madoguchi_rules::CatalogueFiles,
    forms: &Path,
    extra: &[PathBuf],
) -> Result<Vec<madoguchi_forms::Sample>> {
    let scenarios = madoguchi_rules::scenario::load_all(catalogue, files).unwrap_or_default();
    let mut cases: Vec<(String, madoguchi_domain::Case)> = scenarios
        .into_iter()
        .map(|s| (s.file.display().to_string(), s.case))
        .collect();
    let mut own: Vec<PathBuf> = std::fs::read_dir(forms.join("samples"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    own.sort();
    for path in own.iter().chain(extra) {
        cases.push((path.display().to_string(), read_case(path)?));
    }
    let engine = Engine::new(catalogue);
    cases
        .into_iter()
        .map(|(name, case)| {
            let decision = engine
                .evaluate(&case, packet::as_of(&case))
                .with_context(|| format!("cannot decide the sample {name}"))?;
            Ok(madoguchi_forms::Sample {
                forms: packet::forms_of(&decision),
                concerns: packet::concerns_of(&decision),
                name,
                case,
            })
        })
        .collect()
}
