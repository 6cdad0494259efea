//! The residents' home page: answer the counter's questions at home, on a phone or a computer,
//! and take away a pre-fill QR code (docs/qr-format.md) with a list of the procedures the
//! household will probably need.
//!
//! This crate owns the page's steps, its checks and its HTML. It is stateless: every step posts
//! all fields so far, the server keeps nothing and logs only the step names. It needs no
//! JavaScript. The questions, their wording and the procedure list come from the catalogue and
//! the rule engine (`madoguchi-rules`); the code comes from `madoguchi-prefill`. Like the
//! kiosk, it is a place where capability crates meet.

mod form;
mod pages;
mod text;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use madoguchi_domain::{Case, Language};
use madoguchi_prefill::Prefill;
use madoguchi_rules::{Catalogue, Engine};
use maud::Markup;

pub use form::{Fields, Step};
pub use madoguchi_words::Offered;
pub use text::missing_words;

use form::FieldError;
use pages::Page;

/// How long a code made on the page stays valid.
pub const VALID_DAYS: u64 = 30;

/// The page's shared, read-only state.
pub struct App {
    catalogue: &'static Catalogue,
    engine: Engine<'static>,
    today: fn() -> NaiveDate,
    languages: Offered,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

fn local_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl App {
    /// The page over a catalogue that lives as long as the process, in every language it
    /// can offer (drafts marked as such).
    pub fn new(catalogue: &'static Catalogue) -> App {
        App {
            catalogue,
            engine: Engine::new(catalogue),
            today: local_today,
            languages: text::languages_for_page(catalogue, &Language::TRANSLATED, true),
        }
    }

    /// The same page with a fixed "today", for tests.
    pub fn with_today(catalogue: &'static Catalogue, today: fn() -> NaiveDate) -> App {
        App {
            today,
            ..App::new(catalogue)
        }
    }

    /// The same page offering, besides Japanese and English, only the translated languages
    /// `listed` that it can (and, unless `offer_unreviewed`, only those fully reviewed).
    pub fn offering(self, listed: &[Language], offer_unreviewed: bool) -> App {
        App {
            languages: text::languages_for_page(self.catalogue, listed, offer_unreviewed),
            ..self
        }
    }

    /// The languages offered, and those left out with why.
    pub fn languages(&self) -> &Offered {
        &self.languages
    }

    /// Fields as posted, with `lang` one of the offered languages (Japanese otherwise).
    fn settled(&self, mut fields: Fields) -> Fields {
        let language = self.languages.chosen(fields.get("lang"));
        fields.set("lang", language.code());
        fields
    }
}

/// The routes: `GET /` (the first step; `?lang=vi` for a language the page offers) and
/// `POST /` (every step).
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(first_page).post(next_page))
        .with_state(Arc::new(app))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(private_headers))
}

/// Personal data must not be cached or leak through referrers, and the page runs no foreign
/// code.
async fn private_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn first_page(State(app): State<Arc<App>>, Query(query): Query<LangQuery>) -> Html<String> {
    let mut fields = Fields::default();
    fields.set("lang", query.lang.as_deref().unwrap_or("ja"));
    let mut fields = app.settled(fields);
    fields.set("visit_date", (app.today)().format("%Y-%m-%d").to_string());
    fields.set("members", "1");
    fields.set("m0_relation", madoguchi_domain::Zokugara::HEAD.word());
    tracing::info!(step = "start", "page");
    Html(render(&app, &fields, Step::Start, &[]).into_string())
}

async fn next_page(
    State(app): State<Arc<App>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let action = pairs
        .iter()
        .find(|(key, _)| key == "action")
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| "next".to_owned());
    let fields = app.settled(Fields::from_pairs(pairs));
    let (step, markup) = respond(&app, fields, &action);
    // Only the step and the button: never a field's value.
    tracing::info!(step = step.id(), action = action_kind(&action), "page");
    Html(markup.into_string()).into_response()
}

fn action_kind(action: &str) -> &'static str {
    match action {
        "back" => "back",
        a if a.starts_with("lang-") => "lang",
        "add_member" => "add_member",
        a if a.starts_with("remove_") => "remove_member",
        _ => "next",
    }
}

/// The page that follows `action` on the submitted step, and which step it is.
pub fn respond(app: &App, mut fields: Fields, action: &str) -> (Step, Markup) {
    let current = Step::from_id(fields.get("step"));
    let target = match action {
        language if language.starts_with("lang-") => {
            let chosen = app.languages.chosen(&language["lang-".len()..]);
            fields.set("lang", chosen.code());
            current
        }
        "back" => {
            let previous = current.previous();
            if previous == Step::Questions {
                // Offer the answered questions again, so that answers can be changed.
                fields.set("shown", "");
                fields.set("review", "1");
            }
            previous
        }
        "add_member" => {
            fields.add_member();
            Step::Household
        }
        remove if remove.starts_with("remove_") => {
            if let Ok(index) = remove["remove_".len()..].parse() {
                fields.remove_member(index);
            }
            Step::Household
        }
        _ => return advance(app, fields, current),
    };
    if target == Step::Questions || target == Step::Result {
        return advance(app, fields, target.previous());
    }
    (target, render(app, &fields, target, &[]))
}

/// Checks the step just filled in and moves on, or shows it again with its errors.
fn advance(app: &App, mut fields: Fields, current: Step) -> (Step, Markup) {
    let too_long = fields.length_errors();
    if !too_long.is_empty() {
        let step = match current {
            Step::Questions | Step::Result => Step::Certificates,
            other => other,
        };
        return (step, render(app, &fields, step, &too_long));
    }
    let mut errors = Vec::new();
    match current {
        Step::Start => {
            form::event(&fields, app.catalogue, &mut errors);
            form::phone(&fields, &mut errors);
            if !errors.is_empty() {
                return (Step::Start, render(app, &fields, Step::Start, &errors));
            }
            (Step::Household, render(app, &fields, Step::Household, &[]))
        }
        Step::Household | Step::Questions => {
            if current == Step::Questions {
                let asked: Vec<String> = fields
                    .get("asking")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                fields.mark_shown(&asked);
            }
            let event = form::event(&fields, app.catalogue, &mut errors);
            form::household(&fields, event.as_ref().map(|e| e.date), &mut errors);
            if let Some(event) = &event {
                form::subject(event, app.catalogue, &mut errors);
            }
            if !errors.is_empty() {
                return (
                    Step::Household,
                    render(app, &fields, Step::Household, &errors),
                );
            }
            questions_or_certificates(app, fields)
        }
        Step::Certificates | Step::Result => {
            let case = form::case(&fields, app.catalogue, &mut errors);
            match case {
                Some(case) => result(app, &fields, case),
                None => (
                    Step::Certificates,
                    render(app, &fields, Step::Certificates, &errors),
                ),
            }
        }
    }
}

/// The questions the engine still wants answered (and that were not offered yet), or the
/// certificates step when there are none.
fn questions_or_certificates(app: &App, mut fields: Fields) -> (Step, Markup) {
    let mut ignored = Vec::new();
    let Some(case) = case_so_far(&fields, app.catalogue, &mut ignored) else {
        return (Step::Start, render(app, &fields, Step::Start, &ignored));
    };
    let shown = fields.shown();
    let mut remaining: Vec<_> = match app.engine.evaluate(&case, case.event.visit_date()) {
        Ok(decision) => decision
            .next_questions
            .into_iter()
            .filter(|q| !shown.contains(&q.id))
            .collect(),
        Err(_) => Vec::new(),
    };
    if fields.get("review") == "1" {
        fields.set("review", "");
        let mut again = answered_questions(app, &case);
        again.retain(|q| !remaining.iter().any(|r| r.id == q.id));
        again.append(&mut remaining);
        remaining = again;
    }
    if remaining.is_empty() {
        return (
            Step::Certificates,
            render(app, &fields, Step::Certificates, &[]),
        );
    }
    let asking: Vec<&str> = remaining.iter().map(|q| q.id.as_str()).collect();
    fields.set("asking", asking.join(","));
    let page = Page {
        catalogue: app.catalogue,
        languages: &app.languages,
        fields: &fields,
        step: Step::Questions,
        errors: &[],
    };
    (Step::Questions, pages::questions(&page, &remaining))
}

/// The questions already answered, in catalogue order, worded for the case's event, so that
/// a resident who goes back can change an answer.
fn answered_questions(app: &App, case: &Case) -> Vec<madoguchi_rules::decision::NextQuestion> {
    let event = case.event.kind();
    app.catalogue
        .questions
        .iter()
        .filter(|q| case.answers.contains_key(&q.id))
        .map(|q| madoguchi_rules::decision::NextQuestion {
            id: q.id.clone(),
            tier: q.tier,
            kind: q.kind,
            text: q.text_for(event).clone(),
            options: q.options(),
            members: app.engine.members_asked(case, &q.id),
            sensitive: q.sensitive,
            affects: Vec::new(),
        })
        .collect()
}

fn case_so_far(
    fields: &Fields,
    catalogue: &Catalogue,
    errors: &mut Vec<FieldError>,
) -> Option<Case> {
    let event = form::event(fields, catalogue, errors)?;
    let household = form::household(fields, Some(event.date), errors);
    let case = Case {
        phone: form::phone(fields, errors),
        proxy: None,
        event,
        household,
        applicant: 0,
        answers: form::answers(fields),
        certificates: Vec::new(),
        resident_writes: Default::default(),
        identified_by: None,
    };
    form::checked(case, errors)
}

fn result(app: &App, fields: &Fields, case: Case) -> (Step, Markup) {
    let issued = (app.today)();
    let problem = |message: text::Message| {
        let errors = [FieldError {
            field: form::PAGE.into(),
            message,
        }];
        (
            Step::Certificates,
            render(app, fields, Step::Certificates, &errors),
        )
    };
    let Some(expires) = issued.checked_add_days(chrono::Days::new(VALID_DAYS)) else {
        return problem(text::Message::new(
            "今日の日付でQRコードを作れません。窓口で入力します。",
            "No code can be made on this date. The clerk will type it at the counter.",
        ));
    };
    let prefill = Prefill {
        issued,
        expires,
        case,
    };
    let decision = match app
        .engine
        .evaluate(&prefill.case, prefill.case.event.visit_date())
    {
        Ok(decision) => decision,
        // A post that did not come from the page's own choices (the answer's value is not
        // repeated: it is whatever was sent).
        Err(_) => {
            return problem(text::Message::new(
                "読み取れない回答があります。「もどる」で質問に答え直してください。",
                "An answer could not be read. Go back and answer the questions again.",
            ));
        }
    };
    let symbols = match madoguchi_prefill::encode(&prefill) {
        Ok(symbols) => symbols,
        Err(madoguchi_prefill::PrefillError::TooLarge { .. }) => {
            return problem(text::Message::new(
                "入力が多すぎてQRコードに入りません。窓口で入力します。",
                "There is too much to fit in the QR code. The clerk will type it at the counter.",
            ));
        }
        Err(_) => {
            return problem(text::Message::new(
                "QRコードを作れませんでした。窓口で入力します。",
                "The QR code could not be made. The clerk will type it at the counter.",
            ));
        }
    };
    let page = Page {
        catalogue: app.catalogue,
        languages: &app.languages,
        fields,
        step: Step::Result,
        errors: &[],
    };
    (
        Step::Result,
        pages::result(&page, &prefill, &symbols, &decision),
    )
}

fn render(app: &App, fields: &Fields, step: Step, errors: &[FieldError]) -> Markup {
    let page = Page {
        catalogue: app.catalogue,
        languages: &app.languages,
        fields,
        step,
        errors,
    };
    match step {
        Step::Start => pages::start(&page),
        Step::Household => pages::household(&page),
        Step::Certificates => pages::certificates(&page),
        Step::Questions | Step::Result => advance(app, fields.clone(), step.previous()).1,
    }
}

/// How long a client may take to send a request's headers (a slow or half-open connection).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may stay open, busy or idle, before it is closed.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// Connections served at once; more wait in the kernel's queue until one ends.
pub const MAX_CONNECTIONS: usize = 256;
/// The most a request's headers may take (a browser sends well under 2 KB).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The largest form a page posts (ten members, every question answered, is a few KB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Serves the page on an already bound `listener` until Ctrl-C. The caller binds, so it can
/// tell people the real address (port 0 picks a free one).
///
/// Every connection must send its headers within [`HEADER_READ_TIMEOUT`] and ends after
/// [`CONNECTION_LIFETIME`]; at most [`MAX_CONNECTIONS`] are served at once, so half-open or
/// idle connections cannot pile up.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "home page listening");
    let service = hyper_util::service::TowerToHyperService::new(router(app));
    let places = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        // Wait for a free place before accepting, so that the queue stays in the kernel.
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place,
            _ = &mut stop => return Ok(()),
        };
        let Ok(place) = place else {
            return Ok(());
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment, then go on.
                    tracing::warn!(%error, "accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => return Ok(()),
        };
        let service = service.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_header_size(MAX_HEADER_BYTES)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
            drop(place);
        });
    }
}
