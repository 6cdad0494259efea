//! Moving a catalogue between kiosks: the version in force written out with its checksum
//! file, and a folder read back in as a draft (checked against its checksum and loaded first).

use super::*;

impl Desk {
    /// Writes the version in force to `dir` with its checksum file. Audited.
    pub fn export_catalogue(&mut self, dir: &Path) -> bool {
        if self.authorised().is_none() {
            return false;
        }
        let Some((version, _)) = &self.base else {
            return false;
        };
        let signature = self.store.catalogue_signature(version.id).ok().flatten();
        let result =
            madoguchi_store::catalogue_folder::write_export(version, signature.as_ref(), dir);
        match result {
            Ok(()) => {
                let detail = format!("version {} to {}", version.id, dir.display());
                let (id, dir) = (version.id, dir.display());
                self.done(Notice::new(
                    format!("版{id}を {dir} に書き出しました。"),
                    format!("Version {id} was written to {dir}."),
                ));
                self.audit("catalogue.export", &detail);
                true
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("書き出せませんでした: {e}"),
                    format!("could not write it out: {e}"),
                ));
                false
            }
        }
    }

    /// Reads an exported catalogue, checks its checksum, and makes it the draft, then shows
    /// the impact preview (publishing it is the usual step). Audited.
    pub fn import_catalogue(&mut self, dir: &Path) -> bool {
        let Some(author) = self.authorised() else {
            return false;
        };
        if self.working.is_some() {
            self.say(Notice::new(
                "下書きがあります。取り込む前に、公開するか捨ててください（下書きは消しません）。",
                "There is a draft: publish it or discard it before importing (the draft is kept).",
            ));
            return false;
        }
        let files = match catalogue_dir::read_export(dir) {
            Ok(files) => files,
            Err(e) => {
                self.problem(plain(e));
                return false;
            }
        };
        let loaded = match load(files.clone()) {
            Ok(loaded) => loaded,
            Err(e) => {
                self.problem(Notice::new(
                    format!("取り込むルールに誤りがあります：{}", e.ja),
                    format!("the imported catalogue has a mistake: {}", e.en),
                ));
                return false;
            }
        };
        let id = match self.store.save_draft(None, &files, &author, Utc::now()) {
            Ok(id) => id,
            Err(e) => {
                self.problem(Notice::new(
                    format!("下書きにできませんでした: {e}"),
                    format!("could not make it the draft: {e}"),
                ));
                return false;
            }
        };
        let origin = format!("{}から取り込み", dir.display());
        self.audit("catalogue.import", &format!("draft {id}, {origin}"));
        self.working = Some(Working {
            id,
            draft: Draft::new(files),
            loaded,
            origin,
        });
        self.preview();
        true
    }
}
