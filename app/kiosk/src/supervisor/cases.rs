//! The statistics (read and exported as CSV) and the recent finished cases, one of which can
//! become a scenario in the draft ("pinning").

use super::*;

impl Desk {
    pub fn refresh_statistics(&mut self) {
        let today = self.today();
        let from = today - Days::new(STATISTICS_DAYS - 1);
        match self.store.statistics(from, today, self.offset) {
            Ok(stats) => self.statistics = Some(stats),
            Err(e) => self.problem(Notice::new(
                format!("統計を読めませんでした: {e}"),
                format!("could not read the statistics: {e}"),
            )),
        }
        let (floor, scope) = self.read_floor_statistics(from, today);
        self.floor_statistics = floor;
        self.statistics_scope = scope;
    }

    /// Writes the statistics as CSV. Audited.
    pub fn export_statistics(&mut self, path: &Path) -> bool {
        if self.authorised().is_none() {
            return false;
        }
        let Some(stats) = &self.statistics else {
            return false;
        };
        let written = stats
            .to_csv()
            .map_err(plain)
            .and_then(|csv| crate::output::write_private(path, &csv).map_err(plain));
        match written {
            Ok(()) => {
                let path = path.display().to_string();
                self.done(Notice::new(
                    format!("CSV を {path} に書き出しました。"),
                    format!("The CSV was written to {path}."),
                ));
                self.audit("statistics.export", &path);
                true
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("CSVを書き出せませんでした：{}", e.ja),
                    format!("could not write the CSV: {}", e.en),
                ));
                false
            }
        }
    }

    // ---- scenario from a case -------------------------------------------------------------

    /// Recent finished cases, by number, event, size and day only (as read when the cases
    /// screen opened).
    pub fn recent_cases(&self) -> &[(i64, String)] {
        &self.recent
    }

    pub(super) fn reload_recent_cases(&mut self) {
        self.recent = self
            .store
            .recent_finished(30)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    format!(
                        "案件 #{}　{}　{}人　{}",
                        r.id,
                        self.event_ja(r.case.event.kind),
                        r.case.household.members.len(),
                        r.case.event.visit_date().format("%Y-%m-%d")
                    ),
                )
            })
            .collect();
    }

    /// Adds a scenario made from finished case `id` to the draft. Audited.
    pub fn pin_case(&mut self, id: i64) -> Option<String> {
        self.authorised()?;
        let record = self
            .store
            .recent_finished(RECENT_CASES)
            .ok()?
            .into_iter()
            .find(|r| r.id == id)?;
        if let Err(e) = self.ensure_draft() {
            self.problem(e);
            return None;
        }
        let as_of = record.case.event.visit_date();
        let name = format!(
            "案件 #{id}から（{}）",
            self.event_ja(record.case.event.kind)
        );
        let added = self.try_change(|draft, catalogue| {
            let text = scenario_from_case(
                &Engine::new(catalogue),
                &record.case,
                as_of,
                &name,
                "窓口の実例から作成。氏名・住所・生年月日は置き換えています。",
            )
            .map_err(|e| {
                Notice::new(
                    format!("シナリオにできませんでした: {e}"),
                    format!("could not make a scenario: {e}"),
                )
            })?;
            Ok(draft.add_scenario(&format!("case-{id}"), text))
        });
        match added {
            Ok(path) => {
                self.audit("scenario.from_case", &format!("case {id} as {path}"));
                self.done(Notice::new(
                    format!("{path} を下書きに加えました。公開すると以後のテストに入ります。"),
                    format!(
                        "{path} was added to the draft; once published it is tested from then on."
                    ),
                ));
                Some(path)
            }
            Err(problem) => {
                self.problem(problem);
                None
            }
        }
    }
}
