//! The impact preview (validation, every scenario, and the recent cases before and after),
//! accepting a changed outcome as the new expectation, publishing (起案 → 決裁 unless the city
//! turned approval off), discarding the draft, the versions list, restoring an earlier
//! version, and approving or sending back another supervisor's submission.

use super::*;

impl Desk {
    /// Runs the validator (loading) and every scenario on the draft, and compares the draft
    /// with the version in force over the scenarios and the recent cases.
    pub fn preview(&mut self) {
        self.notice = None;
        // A preview that cannot run must not leave an older one to publish on.
        self.impact = None;
        if self.working.is_none() {
            self.problem(no_change());
            return;
        }
        if self.base.is_none() {
            return;
        }
        // The floor's recent cases when the desk reads the floor, else this terminal's.
        let (from_floor, scope) = self.read_floor_recent(RECENT_CASES);
        self.impact_scope = scope;
        let Some(working) = &self.working else { return };
        let Some((_, base)) = &self.base else { return };
        let scenarios = match scenario::load_all(&working.loaded.catalogue, working.draft.files()) {
            Ok(scenarios) => scenarios,
            Err(problems) => {
                let problems = problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" / ");
                self.problem(Notice::new(
                    format!("シナリオを読めません: {problems}"),
                    format!("cannot read the scenarios: {problems}"),
                ));
                return;
            }
        };
        let local = match from_floor {
            Some(recent) => Ok(recent),
            None => self.store.recent_finished(RECENT_CASES).map(|records| {
                records
                    .into_iter()
                    .map(|r| RecentCase {
                        label: format!(
                            "案件 #{}（{}・{}人）",
                            r.id,
                            self.event_ja(r.case.event.kind),
                            r.case.household.members.len()
                        ),
                        as_of: r.case.event.visit_date(),
                        case: r.case,
                    })
                    .collect::<Vec<_>>()
            }),
        };
        let (recent, unread) = match local {
            Ok(recent) => (recent, None),
            // The scenarios still run; the supervisor is told the cases are missing.
            Err(e) => (
                Vec::new(),
                Some(Notice::new(
                    format!("最近の案件を読めませんでした: {e}"),
                    format!("could not read the recent cases: {e}"),
                )),
            ),
        };
        let impact = compare(
            &base.catalogue,
            &working.loaded.catalogue,
            &scenarios,
            &recent,
        );
        self.form_findings = self.check_forms(&working.loaded.catalogue);
        let detail = format!(
            "draft {}: {} scenarios changed, {} failing, {} of {} recent cases changed",
            working.id,
            impact.changed_scenarios(),
            impact.failing_scenarios(),
            impact.changed_cases(),
            impact.cases.len()
        );
        self.impact = Some(impact);
        self.screen = DeskScreen::Impact;
        self.audit("catalogue.preview", &detail);
        if let Some(message) = unread {
            self.problem(message);
        }
    }

    /// Accepts the draft's outcome as scenario `index`'s new expectation.
    pub fn accept_scenario(&mut self, index: usize) {
        if self.authorised().is_none() {
            return;
        }
        let Some((file, decision)) = self
            .impact
            .as_ref()
            .and_then(|i| i.scenarios.get(index))
            .and_then(|s| s.decision.clone().map(|d| (s.file.clone(), d)))
        else {
            return;
        };
        let accepted = self.try_change(|draft, _| {
            draft
                .accept_outcome(&file, &decision)
                .map_err(|e: AuthoringError| plain(e))
        });
        match accepted {
            Ok(()) => {
                self.audit("scenario.accept", &file);
                self.preview();
            }
            Err(problem) => self.problem(problem),
        }
    }

    /// Submits the draft (起案). Needs a note, a catalogue that loads and every scenario
    /// passing. With approval required it waits for another supervisor; otherwise it is
    /// published at once.
    pub fn publish(&mut self, note: &str) -> Option<Submitted> {
        if note.trim().is_empty() {
            self.problem(Notice::new(
                "公開の理由（メモ）を書いてください。",
                "Write why you publish (the note).",
            ));
            return None;
        }
        let author = self.authorised()?;
        self.preview();
        if !self.form_findings.is_empty() {
            let found = self.form_findings.join(" / ");
            self.problem(Notice::new(
                format!("帳票のテンプレートに問題があります。直してから公開してください: {found}"),
                format!("the form templates have problems; fix them before publishing: {found}"),
            ));
            return None;
        }
        let impact = self.impact.as_ref()?;
        if impact.failing_scenarios() > 0 {
            let failing = impact.failing_scenarios();
            self.problem(Notice::new(
                format!("シナリオが{failing}件失敗しています。直すか、新しい結果を正として採用してから公開してください。"),
                format!("{failing} scenarios fail: fix them, or accept the new outcome as right, before publishing."),
            ));
            return None;
        }
        let working = self.working.as_ref()?;
        let note = format!("{}（{}）", note.trim(), working.origin);
        match self
            .store
            .submit_draft(working.id, &note, &author, Utc::now())
        {
            Ok(submitted) => {
                self.working = None;
                self.impact = None;
                self.editing = None;
                if let Err(e) = self.open_base() {
                    self.problem(e);
                } else {
                    self.done(submitted_message(submitted));
                }
                self.screen = DeskScreen::Versions;
                Some(submitted)
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("公開できませんでした: {e}"),
                    format!("could not publish: {e}"),
                ));
                None
            }
        }
    }

    /// Throws the draft away.
    /// 下書きを捨てる: asks first (the draft may hold a morning of edits).
    pub fn ask_discard(&mut self) {
        if self.authorised().is_some() && self.working.is_some() {
            self.confirming = Some(DeskConfirm::DiscardDraft);
        }
    }

    /// この結果を正とする: asks first (it rewrites what a scenario expects).
    pub fn ask_accept_scenario(&mut self, index: usize) {
        let exists = self
            .impact
            .as_ref()
            .is_some_and(|i| i.scenarios.get(index).is_some_and(|s| s.decision.is_some()));
        if self.authorised().is_some() && exists {
            self.confirming = Some(DeskConfirm::AcceptScenario(index));
        }
    }

    /// The question waiting for an answer, if any.
    pub fn confirming(&self) -> Option<DeskConfirm> {
        self.confirming
    }

    /// Yes to the question asked: does it.
    pub fn confirm(&mut self) {
        match self.confirming.take() {
            Some(DeskConfirm::DiscardDraft) => self.discard(),
            Some(DeskConfirm::AcceptScenario(index)) => self.accept_scenario(index),
            None => {}
        }
    }

    /// No: nothing changes.
    pub fn dismiss(&mut self) {
        self.confirming = None;
    }

    pub fn discard(&mut self) {
        let Some(actor) = self.authorised() else {
            return;
        };
        let Some(working) = self.working.take() else {
            return;
        };
        if let Err(e) = self.store.discard_draft(working.id, &actor, Utc::now()) {
            self.problem(Notice::new(
                format!("下書きを消せませんでした: {e}"),
                format!("could not discard the draft: {e}"),
            ));
        }
        self.impact = None;
        self.editing = None;
        self.screen = DeskScreen::Home;
    }

    /// The published versions, newest first.
    pub fn versions(&self) -> &[CatalogueVersion] {
        &self.versions.published
    }

    /// Versions waiting for a second supervisor, oldest first.
    pub fn pending(&self) -> &[CatalogueVersion] {
        &self.versions.pending
    }

    /// Reads the versions and the approval setting again.
    pub(super) fn reload_versions(&mut self) {
        let read = self.store.catalogue_versions().and_then(|all| {
            Ok(Versions {
                pending: all
                    .iter()
                    .rev()
                    .filter(|v| v.status == CatalogueStatus::Pending.id())
                    .cloned()
                    .collect(),
                published: all
                    .into_iter()
                    .filter(|v| v.status == CatalogueStatus::Published.id())
                    .collect(),
                approval_required: self.store.approval_required()?,
            })
        });
        match read {
            Ok(versions) => self.versions = versions,
            Err(e) => self.problem(Notice::new(
                format!("版の一覧を読めませんでした: {e}"),
                format!("could not read the versions: {e}"),
            )),
        }
    }

    /// Opens a submitted version for a decision (approve or send back).
    pub fn open_pending(&mut self, id: i64) {
        self.deciding = Some(id);
        self.notice = None;
    }

    pub fn close_pending(&mut self) {
        self.deciding = None;
    }

    /// The submitted version open for a decision, and whether the signed-in supervisor may
    /// decide it (not its author).
    pub fn deciding(&self) -> Option<(CatalogueVersion, bool)> {
        let id = self.deciding?;
        let version = self.pending().iter().find(|v| v.id == id)?.clone();
        let may = self.user().is_some_and(|user| user != version.author);
        Some((version, may))
    }

    /// Whether publishing waits for a second supervisor (the city's setting).
    pub fn approval_required(&self) -> bool {
        self.versions.approval_required
    }

    pub fn in_force(&self) -> Option<&CatalogueVersion> {
        self.base.as_ref().map(|(v, _)| v)
    }

    /// Submits an earlier version to be in force again, as the newest. Audited.
    pub fn restore(&mut self, id: i64) -> Option<Submitted> {
        let author = self.authorised()?;
        let version = match self.store.catalogue(id) {
            Ok(Some(version)) => version,
            Ok(None) => {
                self.problem(Notice::new(
                    format!("版{id}はありません。"),
                    format!("There is no version {id}."),
                ));
                return None;
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("版{id}を読めませんでした: {e}"),
                    format!("could not read version {id}: {e}"),
                ));
                return None;
            }
        };
        let note = format!("版{id}に戻す（{}）", version.note);
        match self
            .store
            .propose(&version.files, &note, &author, Utc::now())
        {
            Ok(submitted) => {
                self.audit(
                    "catalogue.restore",
                    &format!("version {id} as {submitted:?}"),
                );
                let _ = self.open_base();
                self.done(submitted_message(submitted));
                Some(submitted)
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("戻せませんでした: {e}"),
                    format!("could not restore: {e}"),
                ));
                None
            }
        }
    }

    /// Approves a version another supervisor submitted (決裁): it is published.
    pub fn approve(&mut self, id: i64) -> Option<i64> {
        let approver = self.authorised()?;
        match self.store.approve(id, &approver, Utc::now()) {
            Ok(published) => {
                let _ = self.open_base();
                self.deciding = None;
                self.done(Notice::new(
                    format!("版{id}を決裁し、版{published}として公開しました。各窓口の次の案件から使われます。"),
                    format!("Version {id} is approved and published as version {published}. Every counter uses it from its next case."),
                ));
                Some(published)
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("決裁できませんでした: {e}"),
                    format!("could not approve: {e}"),
                ));
                None
            }
        }
    }

    /// Sends a submitted version back (差戻し), with the reason.
    pub fn reject(&mut self, id: i64, reason: &str) -> bool {
        if reason.trim().is_empty() {
            self.problem(Notice::new(
                "差し戻す理由を書いてください。",
                "Write why you send it back.",
            ));
            return false;
        }
        let Some(by) = self.authorised() else {
            return false;
        };
        match self.store.reject(id, reason, &by, Utc::now()) {
            Ok(()) => {
                self.deciding = None;
                self.reload_versions();
                self.done(Notice::new(
                    format!("版{id}を差し戻しました。"),
                    format!("Version {id} was sent back."),
                ));
                true
            }
            Err(e) => {
                self.problem(Notice::new(
                    format!("差し戻せませんでした: {e}"),
                    format!("could not send it back: {e}"),
                ));
                false
            }
        }
    }
}

/// What the supervisor is told after submitting.
fn submitted_message(submitted: Submitted) -> Notice {
    match submitted {
        Submitted::Published(id) => Notice::new(
            format!("版{id}を公開しました。各窓口の次の案件から使われます。"),
            format!("Version {id} is published. Every counter uses it from its next case."),
        ),
        Submitted::Pending(id) => Notice::new(
            format!("版{id}を決裁に回しました。別の管理者が「版」の画面で承認すると公開されます。"),
            format!(
                "Version {id} awaits approval: it is published when another supervisor approves it on the versions screen."
            ),
        ),
    }
}
