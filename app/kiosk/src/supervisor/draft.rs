//! The one way the draft changes: copy the draft (starting one from the version in force when
//! there is none), make the change, load the result, and keep it — and save it — only if it
//! loads. The store keeps the draft, so a kiosk that stops loses no edit.

use super::*;

impl Desk {
    /// Makes `change` to a copy of the draft (starting one if needed) and keeps it only if the
    /// catalogue still loads; otherwise the problem shows beside `field`.
    pub(super) fn change_draft(
        &mut self,
        field: &'static str,
        change: impl FnOnce(&mut Draft, &Catalogue) -> Result<(), AuthoringError>,
    ) -> bool {
        if let Err(e) = self.ensure_draft() {
            self.problem(e);
            return false;
        }
        match self.try_change(|draft, catalogue| change(draft, catalogue).map_err(plain)) {
            Ok(()) => {
                if let Some(editing) = &mut self.editing {
                    editing.errors.remove(field);
                }
                true
            }
            Err(problem) => {
                self.field_error(field, problem);
                false
            }
        }
    }

    /// The one way the draft changes: `change` is made to a copy, the copy is loaded, and only
    /// a copy that loads replaces the draft and is saved (the preview, now stale, is dropped).
    /// The draft must exist (`ensure_draft`).
    pub(super) fn try_change<T>(
        &mut self,
        change: impl FnOnce(&mut Draft, &Catalogue) -> Result<T, Notice>,
    ) -> Result<T, Notice> {
        let working = self.working.as_mut().ok_or_else(no_change)?;
        let mut changed = working.draft.clone();
        let made = change(&mut changed, &working.loaded.catalogue)?;
        let loaded = load(changed.files().clone())?;
        working.draft = changed;
        working.loaded = loaded;
        self.impact = None;
        self.save_draft();
        Ok(made)
    }

    pub(super) fn ensure_draft(&mut self) -> Result<(), Notice> {
        if self.working.is_some() {
            return Ok(());
        }
        let author = self.authorised().ok_or_else(sign_in_first)?;
        let (version, _) = self.base.as_ref().ok_or_else(nothing_published)?;
        let files = version.files.clone();
        let origin = format!("版{}から", version.id);
        let id = self
            .store
            .save_draft(None, &files, &author, Utc::now())
            .map_err(plain)?;
        let loaded = load(files.clone())?;
        self.working = Some(Working {
            id,
            draft: Draft::new(files),
            loaded,
            origin: origin.clone(),
        });
        self.audit("catalogue.draft", &format!("draft {id}: {origin}"));
        Ok(())
    }

    pub(super) fn save_draft(&mut self) {
        let Some(author) = self.authorised() else {
            return;
        };
        let now = Utc::now();
        if let Some(working) = &mut self.working {
            match self
                .store
                .save_draft(Some(working.id), working.draft.files(), &author, now)
            {
                Ok(id) => working.id = id,
                Err(e) => self.problem(Notice::new(
                    format!("下書きを保存できませんでした: {e}"),
                    format!("could not save the draft: {e}"),
                )),
            }
        }
    }
}
