//! The city's own forms in the draft: a template placed in the form editor goes into the
//! catalogue's `forms/` folder (`city_<form id>.toml`, and the scanned page under it as
//! `city_<form id>.png.b64`), is checked with every other template at the preview, and is
//! published with the catalogue — after which every terminal prints that form with it.

use std::path::PathBuf;

use madoguchi_forms::authoring::{PlacedTemplate, problems};
use madoguchi_forms::{Library, encode_background};

use super::form_editor::FormEditor;
use super::*;

/// The file names a city form is kept under in the catalogue's `forms/` folder.
fn file_names(form_id: &str) -> (String, String) {
    (
        format!("city_{form_id}.toml"),
        format!("city_{form_id}.png"),
    )
}

/// What a city form is kept as: the template's text, naming its page as background when there
/// is one, and the page as base64 text.
fn city_files(template: &PlacedTemplate, page: Option<&[u8]>) -> (String, Option<String>) {
    let mut template = template.clone();
    template.form.background = page.map(|_| file_names(&template.form.id).1);
    (template.to_toml(), page.map(encode_background))
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
        let (text, encoded) = city_files(template, page);
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
        let template = PlacedTemplate::parse(self.form_file(&toml_name)?).ok()?;
        let page = self
            .form_file(&format!("{picture}.b64"))
            .and_then(|text| madoguchi_forms::decode_background(text).ok());
        Some((template, page))
    }

    /// The file `name` of the catalogue's `forms/` folder, in the draft (else in force).
    fn form_file(&self, name: &str) -> Option<&String> {
        let files = match &self.working {
            Some(working) => working.draft.files(),
            None => &self.base.as_ref()?.0.files,
        };
        files.get(&format!("{}{name}", madoguchi_rules::files::FORMS_FOLDER))
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

/// How many files of the import folders the editor offers: the newest first.
const OFFERED_FILES: usize = 30;

/// Where a supervisor's copy of a city form usually is: the account's own folders and a USB
/// stick mounted by the desktop.
pub fn default_import_folders() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        for sub in ["", "Downloads", "ダウンロード", "Documents", "ドキュメント"] {
            folders.push(home.join(sub));
        }
    }
    for media in ["/media", "/run/media"] {
        // /media/<user>/<stick> and /media/<stick>.
        for level_one in subfolders(Path::new(media)) {
            folders.extend(subfolders(&level_one));
            folders.push(level_one);
        }
    }
    folders
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .take(50)
                .collect()
        })
        .unwrap_or_default()
}

/// The PDFs and pictures directly in `folders`, newest first, at most [`OFFERED_FILES`].
fn form_files_in(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten().take(2000) {
            let path = entry.path();
            let is_form = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["pdf", "png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str())
            });
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if is_form && metadata.is_file() {
                let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
                found.push((modified, path));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.dedup_by(|a, b| a.1 == b.1);
    found
        .into_iter()
        .take(OFFERED_FILES)
        .map(|(_, p)| p)
        .collect()
}

/// One form of the catalogue as the forms screen lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormListing {
    pub id: String,
    pub title: String,
    /// Whether the city's own form (from the editor) prints it, rather than the shipped one.
    pub citys_own: bool,
}

impl Desk {
    /// The catalogue's forms, for the forms screen.
    pub fn form_listing(&self) -> Vec<FormListing> {
        let Some(catalogue) = self.catalogue() else {
            return Vec::new();
        };
        let folder = madoguchi_rules::files::FORMS_FOLDER;
        catalogue
            .forms
            .iter()
            .map(|form| FormListing {
                id: form.id.clone(),
                title: form.title.ja.clone(),
                citys_own: catalogue
                    .form_files
                    .0
                    .contains_key(&format!("{folder}{}", file_names(&form.id).0)),
            })
            .collect()
    }

    /// Opens the form editor on the catalogue's form number `index`: the city's template when
    /// the editor placed one before, else an empty page to bring the city's form onto.
    pub fn edit_form(&mut self, index: usize) {
        if self.authorised().is_none() {
            return;
        }
        let Some(catalogue) = self.catalogue() else {
            return;
        };
        let Some(form) = catalogue.forms.get(index) else {
            return;
        };
        let vocabulary = crate::packet::vocabulary(catalogue);
        let (id, title) = (form.id.clone(), form.title.ja.clone());
        // Back on the form being placed: it is kept as it was left.
        if self
            .form_editor
            .as_ref()
            .is_some_and(|e| e.template().form.id == id)
        {
            self.screen = DeskScreen::FormEditor;
            return;
        }
        let sample = match crate::samples::family_of_four() {
            Ok(sample) => sample,
            Err(e) => return self.problem(plain(e)),
        };
        let office = crate::packet::local_settings(Some(&self.store)).office;
        // A template the city wrote by hand under the editor's name is not the editor's to
        // overwrite: it is edited as text.
        if let Some(Err(said)) = self
            .form_file(&file_names(&id).0)
            .map(|text| PlacedTemplate::parse(text))
        {
            return self.problem(Notice::from_pair(said));
        }
        let (template, page) = match self.city_form(&id) {
            Some((template, page)) => (template, page),
            None => (PlacedTemplate::new(&id, &title, None), None),
        };
        let mut editor = FormEditor::new(template, &vocabulary, sample, office);
        if let Some(png) = page {
            match madoguchi_forms::scan::read_page(&png) {
                Ok(scan) => editor.set_page(scan, png),
                Err(e) => self.problem(Notice::from_pair(e)),
            }
        }
        let folders = self
            .import_folders
            .clone()
            .unwrap_or_else(default_import_folders);
        self.offered_files = form_files_in(&folders);
        self.form_editor = Some(editor);
        self.screen = DeskScreen::FormEditor;
    }

    pub fn form_editor(&self) -> Option<&FormEditor> {
        self.form_editor.as_ref()
    }

    /// Changes the open editor (placing, choosing, sizing): nothing is saved until
    /// [`Desk::save_edited_form`].
    pub fn edit_placing(&mut self, change: impl FnOnce(&mut FormEditor)) {
        if let Some(editor) = &mut self.form_editor {
            self.notice = None;
            change(editor);
        }
    }

    /// The PDFs and pictures found in the import folders when the editor opened.
    pub fn offered_files(&self) -> &[PathBuf] {
        &self.offered_files
    }

    /// Where the editor looks for the city's form files (tests and pictures use their own).
    pub fn set_import_folders(&mut self, folders: Vec<PathBuf>) {
        self.import_folders = Some(folders);
    }

    /// The `madoguchi` program that reads a form's page in its own process.
    pub fn set_page_reader(&mut self, program: PathBuf) {
        self.page_reader = program;
    }

    /// Brings the city's form in `file` (a PDF or a picture) under the boxes, read in a child
    /// process that is stopped if it takes too long; a file that is not an A4 portrait page is
    /// refused with what to do.
    pub fn open_form_page(&mut self, file: &Path) {
        if self.authorised().is_none() || self.form_editor.is_none() {
            return;
        }
        let read = crate::form_page::open_isolated(
            &self.page_reader,
            file,
            crate::form_page::PAGE_TIMEOUT,
        )
        .and_then(|scan| scan.png().map(|png| (scan, png)));
        match read {
            Ok((scan, png)) => {
                if let Some(editor) = &mut self.form_editor {
                    editor.set_page(scan, png);
                }
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.done(Notice::new(
                    format!(
                        "「{name}」を様式のページにしました。欄を置く場所を指でなぞってください。"
                    ),
                    format!("「{name}」 is the form's page: drag where each box goes."),
                ));
            }
            Err(said) => self.problem(Notice::from_pair(said)),
        }
    }

    /// Renders the editor's form for the sample case, as the packet will print it, and shows
    /// the filled page.
    pub fn preview_form(&mut self) {
        let Some(editor) = &self.form_editor else {
            return;
        };
        let found = problems(editor.template());
        if !found.is_empty() {
            let said = found.join(" ");
            return self.problem(Notice::new(said.clone(), said));
        }
        match self.render_edited(editor) {
            Ok(page) => {
                if let Some(editor) = &mut self.form_editor {
                    editor.set_preview(page);
                }
                self.done(Notice::new(
                    "見本の世帯で印刷される形です。ほかの欄を直すと、欄の配置に戻ります。",
                    "This is how the sample household prints; a change goes back to placing.",
                ));
            }
            Err(said) => self.problem(Notice::new(
                format!("見本を作れませんでした: {said}"),
                format!("could not make the preview: {said}"),
            )),
        }
    }

    /// The first page of the edited form filled for the sample, at the page's resolution.
    fn render_edited(
        &self,
        editor: &FormEditor,
    ) -> Result<madoguchi_forms::scan::ScannedPage, String> {
        let template = editor.template();
        let (toml_name, picture) = file_names(&template.form.id);
        let folder = madoguchi_rules::files::FORMS_FOLDER;
        let (text, encoded) = city_files(template, editor.page_png());
        let mut files = std::collections::BTreeMap::new();
        if let Some(encoded) = encoded {
            files.insert(format!("{folder}{picture}.b64"), encoded);
        }
        files.insert(format!("{folder}{toml_name}"), text);
        let city = Library::from_catalogue_files(&files).map_err(|e| e.to_string())?;
        let shipped = crate::packet::load_library(&self.forms_dir).map_err(|e| format!("{e:#}"))?;
        let library = shipped.overlaid_by(city);
        let packet = madoguchi_forms::render_packet(
            &library,
            &madoguchi_forms::Fonts::load(),
            &madoguchi_forms::PacketRequest {
                case: editor.sample(),
                event_name: "",
                office: editor.office(),
                forms: std::slice::from_ref(&template.form.id),
                procedures: &[],
                concerns: &[],
                guidance: None,
                qr: &crate::packet::form_qr,
            },
        )
        .map_err(|e| e.to_string())?;
        madoguchi_forms::scan::read_page(&packet.pdf)
    }

    /// Puts the edited form into the draft, with its page.
    pub fn save_edited_form(&mut self) -> bool {
        let Some(editor) = self.form_editor.take() else {
            return false;
        };
        let saved = self.save_form(editor.template(), editor.page_png());
        self.form_editor = Some(editor);
        saved
    }

    /// Leaves the editor for the list of forms. What was placed stays until another form is
    /// opened or the supervisor signs out: opening the same form again comes back to it.
    pub fn close_form_editor(&mut self) {
        self.go(DeskScreen::Forms);
    }
}
