//! The city's own forms in the draft: a template placed in the form editor goes into the
//! catalogue's `forms/` folder (`city_<form id>.toml`, and the scanned page under it as
//! `city_<form id>.png.b64`), is checked with every other template at the preview, and is
//! published with the catalogue — after which every terminal prints that form with it.

use madoguchi_forms::authoring::{PlacedTemplate, problems};
use madoguchi_forms::{Library, encode_background};

use super::*;

/// The file names a city form is kept under in the catalogue's `forms/` folder.
fn file_names(form_id: &str) -> (String, String) {
    (
        format!("city_{form_id}.toml"),
        format!("city_{form_id}.png"),
    )
}

impl Desk {
    /// Puts `template` into the draft, with `page` (the scanned form as PNG) under it when given.
    /// Refused — the reason as the notice, the draft as it was — when the template is not
    /// complete, names a form the catalogue does not have, or would not load.
    pub fn save_form(&mut self, template: &PlacedTemplate, page: Option<&[u8]>) -> bool {
        if self.authorised().is_none() {
            return false;
        }
        let found = problems(template);
        if !found.is_empty() {
            let said = found.join(" ");
            self.problem(Notice::new(said.clone(), said));
            return false;
        }
        let known = self.base.as_ref().is_some_and(|(_, base)| {
            base.catalogue
                .forms
                .iter()
                .any(|f| f.id == template.form.id)
        });
        if !known {
            self.problem(Notice::new(
                format!("帳票「{}」はカタログにありません。", template.form.id),
                format!("the catalogue has no form `{}`", template.form.id),
            ));
            return false;
        }
        if let Err(e) = self.ensure_draft() {
            self.problem(e);
            return false;
        }
        let (toml_name, picture) = file_names(&template.form.id);
        let mut template = template.clone();
        template.form.background = page.map(|_| picture.clone());
        let text = template.to_toml();
        let encoded = page.map(encode_background);
        let saved = self.try_change(|draft, _| {
            draft.put_form_file(&toml_name, text).map_err(plain)?;
            match encoded {
                Some(encoded) => draft.put_form_file(&format!("{picture}.b64"), encoded),
                None => {
                    draft.remove_form_file(&format!("{picture}.b64"));
                    Ok(())
                }
            }
            .map_err(plain)?;
            let forms = madoguchi_rules::files::FormFiles::of(draft.files());
            Library::from_catalogue_files(&forms.0)
                .map(|_| ())
                .map_err(|e| {
                    Notice::new(
                        format!("様式を読み込めません: {e}"),
                        format!("the form does not load: {e}"),
                    )
                })
        });
        match saved {
            Ok(()) => {
                self.audit("catalogue.form", &format!("forms/{toml_name}"));
                self.done(Notice::new(
                    format!("「{}」を下書きに保存しました。", template.form.title),
                    format!("saved 「{}」 in the draft", template.form.title),
                ));
                true
            }
            Err(problem) => {
                self.problem(problem);
                false
            }
        }
    }

    /// The city's form for `form_id` in the draft (else in the version in force), as the
    /// editor placed it, with its page: to open it again. `None` when there is none, or when
    /// it was written by hand.
    pub fn city_form(&self, form_id: &str) -> Option<(PlacedTemplate, Option<Vec<u8>>)> {
        let (toml_name, picture) = file_names(form_id);
        let files = match &self.working {
            Some(working) => working.draft.files(),
            None => &self.base.as_ref()?.0.files,
        };
        let folder = madoguchi_rules::files::FORMS_FOLDER;
        let template = PlacedTemplate::parse(files.get(&format!("{folder}{toml_name}"))?).ok()?;
        let page = files
            .get(&format!("{folder}{picture}.b64"))
            .and_then(|text| madoguchi_forms::decode_background(text).ok());
        Some((template, page))
    }

    /// What `forms check` finds in the draft's templates with the shipped ones (values the
    /// catalogue cannot give, boxes overlapping or off the sheet, a form without a template),
    /// one line each; an empty list when they pass.
    pub(super) fn check_forms(&self, catalogue: &Catalogue) -> Vec<String> {
        let shipped = match crate::packet::load_library(&self.forms_dir) {
            Ok(shipped) => shipped,
            Err(e) => return vec![format!("{e:#}")],
        };
        match crate::packet::library_for(&shipped, catalogue) {
            Ok(library) => {
                madoguchi_forms::check_templates(&library, &crate::packet::vocabulary(catalogue))
                    .into_iter()
                    .map(|finding| finding.to_string())
                    .collect()
            }
            Err(e) => vec![format!("{e:#}")],
        }
    }

    /// What the preview found wrong with the draft's form templates.
    pub fn form_findings(&self) -> &[String] {
        &self.form_findings
    }
}
