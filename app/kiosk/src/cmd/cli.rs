//! The product's command line: `madoguchi` and its commands. Development tools
//! (screenshots, benchmarks, store simulations) are `madoguchi-dev`'s.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use madoguchi_domain::Language;

use crate::catalogue_dir;
use crate::cmd::{
    card as card_cmd, central as central_cmd, doctor, export as export_cmd, forms as forms_cmd,
    kiosk as kiosk_cmd, print as print_cmd, qr as qr_cmd, rules as rules_cmd, store as store_cmd,
};

/// The longest validity `qr encode` gives a code: the format's limit.
const VALID_DAYS_MAX: i64 = madoguchi_prefill::symbol::MAX_VALID_DAYS as i64;

#[derive(Debug, Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "書かないワンストップ窓口 — the no-writing one-stop counter"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The touchscreen kiosk (the default with no arguments).
    Kiosk {
        /// Resident self-service: an attract screen and the QR code path only.
        #[arg(long)]
        self_service: bool,
        /// Seconds without a tap before the session warns and then clears (default 180; the
        /// store setting `kiosk.idle_seconds` otherwise).
        #[arg(long, value_name = "SECONDS")]
        idle: Option<u64>,
        /// Use this catalogue folder instead of the store's newest published version.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        /// A department counter's terminal on the floor: show this counter's 受付一覧 (its id in
        /// the catalogue, e.g. hoken_nenkin) instead of the interview (default: `counter` in
        /// the floor settings, docs/central.md).
        #[arg(long, value_name = "COUNTER", conflicts_with = "self_service")]
        counter: Option<String>,
    },
    /// The terminal's configuration file (/etc/madoguchi/madoguchi.toml, docs/deploy.md).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// What a technician checks first: the card readers, the store and its key, the catalogue,
    /// the printer, the counter floor; one line each, exit 3 when something is wrong.
    Doctor,
    /// Check, test and run the procedure catalogue.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// The My Number card: readers, reading, and the card emulator for demos and tests.
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
    /// The pre-fill QR code residents make at home (docs/qr-format.md).
    Qr {
        #[command(subcommand)]
        command: QrCommand,
    },
    /// The counter floor's central PostgreSQL: set it up, add and revoke terminals, see how
    /// it is, push this terminal's outbox (docs/central.md).
    Central {
        #[command(subcommand)]
        command: CentralCommand,
    },
    /// The kiosk's database: counts, retention, resuming (MADOGUCHI_DB, MADOGUCHI_STORE_KEY_FILE).
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// The pre-filled application forms and the guidance sheet (templates in forms/).
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// The print queue: send a PDF to a CUPS printer and follow it to the end.
    Print {
        #[command(subcommand)]
        command: PrintCommand,
    },
    /// Serve the residents' home page: answer at home, take away a QR code (stateless; no
    /// JavaScript needed).
    PrefillServer {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: std::net::SocketAddr,
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// The translated languages offered besides 日本語 and English, by code
        /// (zh-Hans,vi,ko,fil,pt-BR,ne,id; default: all seven).
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        languages: Option<Vec<String>>,
        /// `offer` also offers a language whose texts are machine drafts (the page says so in
        /// it); `hide` offers only fully reviewed ones.
        #[arg(long, default_value = "offer", value_parser = ["offer", "hide"])]
        unreviewed: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Check the file: one line per problem with its line number, exit 1 when there is one.
    Check {
        /// The file to check (default: $MADOGUCHI_CONFIG, else /etc/madoguchi/madoguchi.toml).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CatalogueArg {
    /// The catalogue folder (default: the shipped catalogue).
    #[arg(long, value_name = "DIR")]
    pub catalogue: Option<PathBuf>,
}

impl CatalogueArg {
    pub fn dir(&self) -> PathBuf {
        self.catalogue
            .clone()
            .unwrap_or_else(catalogue_dir::default_dir)
    }
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    /// The case JSON (docs/case.md); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub case: PathBuf,
    /// Apply the rules in force on this day (default: the case's visit date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
    pub as_of: Option<NaiveDate>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Debug, Subcommand)]
enum FormsCommand {
    /// Decide a case and write its packet: the guidance sheet and every form, filled in.
    Render {
        /// The case JSON (docs/case.md); `-` reads standard input.
        #[arg(long, value_name = "FILE")]
        case: PathBuf,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The catalogue folder (default: the newest published catalogue in the store).
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        /// The template folder (default: the shipped forms/).
        #[arg(long, value_name = "DIR")]
        forms: Option<PathBuf>,
        /// Also print it: queue it for this CUPS printer and follow it.
        #[arg(long, value_name = "PRINTER")]
        print: Option<String>,
        /// With --print: how long to follow the job before leaving it queued.
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        wait: u64,
        /// Write (and print) the packet even when values the forms require are missing; they
        /// print as empty boxes for the resident to fill in. Without it a missing value stops
        /// the packet (exit 4), one line per value and form.
        #[arg(long)]
        allow_blanks: bool,
        /// The guidance sheet's language: `ja`, `easy` (やさしい日本語 with ルビ), `en`, or a
        /// translated one (`zh-Hans`, `vi`, `ko`, `fil`, `pt-BR`, `ne`, `id`), which prints with
        /// the Japanese beside it.
        #[arg(long, default_value = "ja", value_name = "LANG", value_parser = crate::cmd::input::language)]
        language: madoguchi_domain::Language,
        /// The 受付番号 to print at the top of the guidance sheet (up to 12 characters).
        #[arg(long, default_value = "", value_name = "NUMBER")]
        reception: String,
    },
    /// The printer's calibration page for the city's pre-printed forms (docs/forms.md); with
    /// --measured, where its cross A landed becomes the printer's offset.
    Calibrate {
        /// Where to write the page (PDF).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also print the page: queue it for this CUPS printer and follow it.
        #[arg(long, value_name = "PRINTER")]
        print: Option<String>,
        /// Where cross A's centre landed, measured from the sheet's left and top edges in
        /// millimetres (e.g. 21.5,19.0).
        #[arg(long, value_name = "LEFT,TOP")]
        measured: Option<String>,
        /// The supervisor who signs in to set the offset.
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
    },
    /// The form editor's page from the city's paper form: the first page of a PDF, or a PNG or
    /// JPEG scan, as an A4 grey PNG at 150 dpi (the editor runs this in its own process).
    Page {
        /// The PDF, PNG or JPEG file.
        file: PathBuf,
        /// Where to write the page (PNG).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// List the templates and the catalogue form ids each prints.
    List {
        #[arg(long, value_name = "DIR")]
        forms: Option<PathBuf>,
    },
    /// Check the templates against the catalogue and sample cases: forms without a template,
    /// values no case can have, fields overlapping or off the sheet, text that does not fit.
    Check {
        /// The catalogue folder (default: the newest published catalogue in the store).
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        /// The template folder (default: the shipped forms/).
        #[arg(long, value_name = "DIR")]
        forms: Option<PathBuf>,
        /// More sample cases to fill every template with (docs/case.md), besides the
        /// catalogue's scenarios and the templates' own samples (forms/samples/*.json).
        #[arg(long, value_name = "FILE")]
        sample: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PrintCommand {
    /// Queue a PDF and follow it until printed (CUPS at $MADOGUCHI_CUPS or $CUPS_SERVER).
    File {
        file: PathBuf,
        /// The CUPS queue (default: $MADOGUCHI_PRINTER, else the store setting `printer`).
        #[arg(long)]
        printer: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// How long to follow the job before leaving it queued (exit status 3).
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        wait: u64,
    },
    /// Carry on with every waiting job (after a stopped printer or a restart).
    Resume {
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        wait: u64,
    },
    /// Queue a failed job again.
    Retry {
        id: i64,
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        wait: u64,
    },
    /// The newest jobs, with why any of them waits.
    Queue {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate the catalogue: one line per problem, naming file and line.
    Check {
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// List the days the offices are closed besides weekends (national holidays, 12月29日〜1月3日
    /// and the city's own days), from a day on: what moves a deadline to the next open day.
    Calendar {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// The first day listed (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        from: Option<NaiveDate>,
        /// How many days ahead to look.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u16).range(1..=1000))]
        days: u16,
    },
    /// Run the scenario tests in the catalogue's scenarios/ folder.
    Test {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// Only scenarios whose file name contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Decide the procedures for a case and print the decision as JSON.
    Evaluate {
        #[command(flatten)]
        case: CaseArgs,
    },
    /// Explain why one procedure does or does not apply to a case.
    Explain {
        #[command(flatten)]
        case: CaseArgs,
        /// The procedure id.
        #[arg(long)]
        procedure: String,
        /// Print the trace as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Simulate the interview for every scenario and report how many questions it asks.
    Interview {
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// How far each language's text table (translations/<code>.toml) is translated and
    /// reviewed; with --language, the texts it lacks, as entries for a translator to fill in.
    Translations {
        #[command(flatten)]
        catalogue: CatalogueArg,
        /// The language whose missing texts to print (vi, zh-Hans, ko, fil, pt-BR, ne, id).
        #[arg(long, value_parser = crate::cmd::input::translated_language)]
        language: Option<madoguchi_domain::Language>,
    },
}

#[derive(Debug, Subcommand)]
enum CardCommand {
    /// List the readers, whether a card is in each, which card (My Number card, 在留カード /
    /// 特別永住者証明書), and the PIN's tries left (uses no try).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Read the card and print what it says as JSON, asking for what that card needs: a My
    /// Number card's four facts (氏名, 住所, 生年月日, 性別) with its PIN (from the terminal
    /// without echo, or one line of standard input); a 在留カード's or 特別永住者証明書's
    /// entries with the 12-character number printed on it (one line), its signature checked.
    Read {
        /// The reader to use (default: the first one holding a card).
        #[arg(long)]
        reader: Option<String>,
        /// Also read the 個人番号 (only when a form needs it; it is never stored).
        #[arg(long)]
        my_number: bool,
        /// Use the last PIN try without asking (otherwise a prompt, or a refusal without a
        /// terminal).
        #[arg(long)]
        allow_last_try: bool,
        /// Open the four facts with the 照合番号B printed on the card (birth date, expiry
        /// year, security code) instead of the PIN; never the 個人番号.
        #[arg(long, conflicts_with_all = ["my_number", "allow_last_try"])]
        code_b: bool,
        /// (在留カード) a folder of the 出入国在留管理庁's certificates to trust, besides
        /// /etc/madoguchi/zairyu-trust and /usr/share/madoguchi/zairyu-trust. Repeatable.
        #[arg(long, value_name = "DIR")]
        trust: Vec<PathBuf>,
        /// (在留カード) save the card's name, address or front image (TIFF, as the chip holds
        /// them) in this folder as private files, for the clerk to look at.
        #[arg(long, value_name = "DIR")]
        images: Option<PathBuf>,
    },
}

/// How an administrator's command reaches the central database.
#[derive(Debug, Args)]
struct AdminArgs {
    /// libpq parameters without the password: "host=db.city.lg.jp dbname=madoguchi
    /// user=madoguchi_owner" (a folder as host: the server's Unix socket).
    #[arg(long, value_name = "PARAMETERS")]
    connection: String,
    /// A file holding the login's password.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The city's CA certificate (PEM), for a network host.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
}

impl AdminArgs {
    fn admin(&self) -> central_cmd::AdminConnection<'_> {
        central_cmd::AdminConnection {
            connection: &self.connection,
            password_file: self.password_file.as_deref(),
            ca_file: self.ca_file.as_deref(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum CentralCommand {
    /// Create the schema and roles (or bring them up to date) and make the floor key.
    Init {
        #[command(flatten)]
        admin: AdminArgs,
        /// Where to make the floor key (kept when it exists).
        #[arg(long, value_name = "FILE")]
        floor_key: PathBuf,
    },
    /// Apply the schema's migrations the database lacks.
    Migrate {
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Create a terminal's own login (SCRAM); its password is written to --terminal-password-file.
    AddTerminal {
        /// The terminal's login: small letters, digits and _ (desk_1, hoken_2).
        login: String,
        /// A counter it serves in counter mode (repeat for several); none for an interview desk.
        #[arg(long = "counter", value_name = "ID")]
        counters: Vec<String>,
        /// Where it stands, for the list of terminals.
        #[arg(long)]
        place: Option<String>,
        /// The password's file: made (mode 0600) when missing, else its password is used.
        #[arg(long, value_name = "FILE")]
        terminal_password_file: PathBuf,
        /// The desk where versions are approved: it also publishes catalogue versions.
        #[arg(long)]
        supervisor: bool,
        /// A back-office terminal: its counters' exports may carry the personal fields
        /// (docs/export.md).
        #[arg(long)]
        back_office: bool,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Stop a terminal's login at once (a stolen or retired PC).
    RevokeTerminal {
        login: String,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Remove the sealed personal fields of cases older than the retention period on the
    /// floor (run daily). Audited.
    Purge {
        /// Days the personal fields are kept after a case ends (default: the floor's
        /// retention period, `set-retention`, else 30).
        #[arg(long)]
        days: Option<u32>,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Set the floor's retention period: the central purge uses it, and every terminal takes
    /// it for its local copies when its link next reaches the server. Audited.
    SetRetention {
        /// Days the personal fields are kept after a case ends (1 to 3650).
        #[arg(long)]
        days: u32,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Counts of terminals, cases and waiting work, and the catalogue in force (nothing personal).
    Status {
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Make the city's catalogue publishing key (ed25519) and the public-key file terminals
    /// trust.
    PublishingKey {
        /// The private key's file (made, mode 0600; never replaced); the public one is
        /// beside it with `.pub`.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// On the approving desk: sign the version in force if needed and send it to the floor.
    Publish {
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        wait: u64,
    },
    /// Push this terminal's finished cases and hand-over events now (its central.toml); exit 3
    /// when the server cannot be reached and some wait.
    Sync {
        /// How long to keep trying.
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        wait: u64,
    },
    /// Write a counter's cases from the floor as CSV and JSON files into a folder an RPA tool
    /// or the core system's file import watches (docs/export.md); audited on the floor.
    Export {
        /// The counter (default: `counter` in this terminal's central.toml).
        #[arg(long, value_name = "ID")]
        counter: Option<String>,
        /// The folder to write into.
        #[arg(long, value_name = "DIR", required_unless_present = "check")]
        out: Option<PathBuf>,
        /// Write the personal fields too (a back-office terminal only: add-terminal
        /// --back-office).
        #[arg(long)]
        personal: bool,
        /// Export again every case finished since this day (西暦 or 和暦); by default, the
        /// cases this terminal has not exported yet.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// The CSV's first line: id (field ids), ja (Japanese labels) or kihon (the
        /// 基本データリスト items the field list names).
        #[arg(long, default_value = "id", value_name = "WORDS")]
        header: String,
        /// The city's field list (default: the shipped assets/export/fields.toml).
        #[arg(long, value_name = "FILE")]
        fields: Option<PathBuf>,
        /// Run again every this many minutes until stopped.
        #[arg(long, value_name = "MINUTES")]
        every: Option<u64>,
        /// Only check the field list and print it.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Counts of what is stored (no personal data), and any unfinished case.
    Info {
        #[arg(long)]
        json: bool,
        /// Also run SQLite's full integrity check.
        #[arg(long)]
        check: bool,
    },
    /// Remove personal fields past the retention period now (also done at every start).
    Purge,
    /// A consistent copy of the database while kiosks work, written privately and whole (the
    /// personal fields stay sealed: back the key up apart). Audited.
    Backup {
        /// The copy's file (replaced when it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the case a stopped kiosk left open, as JSON.
    Resume,
    /// Cases for a date range, for the back office (docs/export.md). Audited.
    Export {
        /// First day (local date, inclusive).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        from: NaiveDate,
        /// Last day (local date, inclusive).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        to: NaiveDate,
        /// JSON instead of CSV.
        #[arg(long)]
        json: bool,
        /// Include names, addresses and answers (a supervisor signs in with --as; audited).
        #[arg(long)]
        personal: bool,
        /// The supervisor who signs in (with --personal).
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
        /// Write here (private, mode 0600) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Validate a catalogue folder and submit it as the newest version: published when a
    /// second supervisor approves it (or at once when `catalogue.approval` is off). Audited.
    ImportCatalogue {
        dir: PathBuf,
        #[arg(long)]
        note: String,
        /// The supervisor who signs in and submits it.
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
    },
    /// List the stored catalogue versions: published, waiting for approval, sent back.
    Catalogues,
    /// Approve a version another supervisor submitted (決裁): it is published.
    ApproveCatalogue {
        id: i64,
        /// The approving supervisor (not the one who submitted it).
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
    },
    /// Send a submitted version back (差戻し), with the reason.
    RejectCatalogue {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
    },
    /// Write a stored catalogue version out as a folder (default: the newest published).
    ExportCatalogue {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long)]
        id: Option<i64>,
    },
    /// Set a setting as a supervisor (audited): office.city, office.mayor,
    /// counter.<id>.place, printer, retention_days (1-3650), kiosk.idle_seconds (20-3600),
    /// catalogue.approval (required|off). Without a value, list the settings.
    Set {
        key: Option<String>,
        /// The value (a negative number is a value too, refused by its range).
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
        /// The supervisor who signs in.
        #[arg(long = "as", value_name = "LOGIN")]
        login: Option<String>,
    },
    /// Add or update a staff account as a supervisor. Passwords are asked for, or read from
    /// standard input one per line: the supervisor's, then the account's. The first
    /// supervisor of a new store needs no --as.
    AddStaff {
        #[arg(long)]
        login: String,
        #[arg(long)]
        supervisor: bool,
        /// The supervisor who signs in.
        #[arg(long = "as", value_name = "LOGIN")]
        by: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum QrCommand {
    /// Encode a case as a pre-fill code: a PNG or SVG image, or the symbol text (.txt).
    /// A code too large for one symbol of QR version 20 becomes qr-1.png, qr-2.png, ….
    Encode {
        /// The case JSON (docs/case.md); `-` reads standard input.
        #[arg(long, value_name = "FILE")]
        case: PathBuf,
        #[arg(long, value_name = "FILE.png|FILE.svg|FILE.txt")]
        out: PathBuf,
        /// The day the code is made (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        issued: Option<NaiveDate>,
        /// Days the code stays valid after it is made (1 to 90).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=VALID_DAYS_MAX))]
        valid_days: u32,
    },
    /// Decode a code from image files (PNG, JPEG, SVG), text files of scanner lines, or
    /// `--text`, in any order, and print it as JSON.
    Decode {
        files: Vec<PathBuf>,
        /// A symbol as a 2D scanner types it (repeat for several parts).
        #[arg(long, value_name = "SYMBOL")]
        text: Vec<String>,
        /// Check the expiry against this day instead of today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        today: Option<NaiveDate>,
    },
    /// Read a code from a stream of frames, collecting its parts across frames: the webcam
    /// (builds with `--features camera`), or image files standing in for frames.
    Scan {
        /// Image files to use as frames, in order.
        frames: Vec<PathBuf>,
        /// Use the webcam; optionally a GStreamer pipeline ending in
        /// `video/x-raw,format=GRAY8 ! appsink name=frames` (default: /dev/video0 at 1280×720).
        #[arg(long, value_name = "PIPELINE", num_args = 0..=1, default_missing_value = "")]
        camera: Option<String>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::input::day)]
        today: Option<NaiveDate>,
    },
}

impl Cli {
    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            None => kiosk_cmd::run(&kiosk_cmd::KioskArgs::default()),
            Some(Command::Kiosk {
                self_service,
                idle,
                catalogue,
                counter,
            }) => kiosk_cmd::run(&kiosk_cmd::KioskArgs {
                self_service,
                catalogue,
                idle,
                counter,
            }),
            Some(Command::Doctor) => doctor::run(),
            Some(Command::Config {
                command: ConfigCommand::Check { file },
            }) => config_check(file),
            Some(Command::Rules { command }) => match command {
                RulesCommand::Check { catalogue } => rules_cmd::check(&catalogue.dir()),
                RulesCommand::Calendar {
                    catalogue,
                    from,
                    days,
                } => rules_cmd::calendar(&catalogue.dir(), from, days),
                RulesCommand::Test { catalogue, filter } => {
                    rules_cmd::test(&catalogue.dir(), filter.as_deref())
                }
                RulesCommand::Evaluate { case } => rules_cmd::evaluate(&case),
                RulesCommand::Explain {
                    case,
                    procedure,
                    json,
                } => rules_cmd::explain(&case, &procedure, json),
                RulesCommand::Interview { catalogue } => rules_cmd::interview(&catalogue.dir()),
                RulesCommand::Translations {
                    catalogue,
                    language,
                } => rules_cmd::translations(&catalogue.dir(), language),
            },
            Some(Command::Card { command }) => match command {
                CardCommand::Status { json } => card_cmd::status(json),
                CardCommand::Read {
                    reader,
                    code_b: true,
                    ..
                } => card_cmd::read_by_code_b(reader.as_deref()),
                CardCommand::Read {
                    reader,
                    my_number,
                    allow_last_try,
                    code_b: false,
                    trust,
                    images,
                } => card_cmd::read(&card_cmd::ReadOptions {
                    reader: reader.as_deref(),
                    with_my_number: my_number,
                    allow_last_try,
                    trust: &trust,
                    images: images.as_deref(),
                }),
            },
            Some(Command::Qr { command }) => match command {
                QrCommand::Encode {
                    case,
                    out,
                    issued,
                    valid_days,
                } => qr_cmd::encode(&case, &out, issued, valid_days),
                QrCommand::Decode { files, text, today } => {
                    if files.is_empty() && text.is_empty() {
                        anyhow::bail!("give image or text files, or --text SYMBOL");
                    }
                    qr_cmd::decode(&files, &text, today)
                }
                QrCommand::Scan {
                    frames,
                    camera,
                    timeout,
                    today,
                } => qr_cmd::scan(&frames, camera.as_deref(), timeout, today),
            },
            Some(Command::Central { command }) => match command {
                CentralCommand::Init { admin, floor_key } => {
                    central_cmd::init(&admin.admin(), &floor_key)
                }
                CentralCommand::Migrate { admin } => central_cmd::migrate(&admin.admin()),
                CentralCommand::AddTerminal {
                    login,
                    counters,
                    place,
                    terminal_password_file,
                    supervisor,
                    back_office,
                    admin,
                } => central_cmd::add_terminal(
                    &admin.admin(),
                    &central_cmd::terminal(
                        &login,
                        place.as_deref(),
                        &counters,
                        supervisor,
                        back_office,
                    ),
                    &terminal_password_file,
                ),
                CentralCommand::RevokeTerminal { login, admin } => {
                    central_cmd::revoke_terminal(&admin.admin(), &login)
                }
                CentralCommand::Status { admin } => central_cmd::status(&admin.admin()),
                CentralCommand::Purge { days, admin } => central_cmd::purge(&admin.admin(), days),
                CentralCommand::SetRetention { days, admin } => {
                    central_cmd::set_retention(&admin.admin(), days)
                }
                CentralCommand::Sync { wait } => {
                    central_cmd::sync(std::time::Duration::from_secs(wait))
                }
                CentralCommand::Export {
                    counter,
                    out,
                    personal,
                    since,
                    header,
                    fields,
                    every,
                    check,
                } => export_cmd::run(&export_cmd::ExportArgs {
                    counter: counter.as_deref(),
                    out: out.as_deref(),
                    personal,
                    since: since.as_deref(),
                    header: export_cmd::header(&header)?,
                    fields: fields.as_deref(),
                    every,
                    check,
                }),
                CentralCommand::PublishingKey { out } => central_cmd::publishing_key(&out),
                CentralCommand::Publish { wait } => {
                    central_cmd::publish(std::time::Duration::from_secs(wait))
                }
            },
            Some(Command::Store { command }) => match command {
                StoreCommand::Info { json, check } => store_cmd::info(json, check),
                StoreCommand::Purge => store_cmd::purge(),
                StoreCommand::Backup { out } => store_cmd::backup(&out),
                StoreCommand::Resume => store_cmd::resume(),
                StoreCommand::Export {
                    from,
                    to,
                    json,
                    personal,
                    login,
                    out,
                } => store_cmd::export(from, to, json, personal, login.as_deref(), out.as_deref()),
                StoreCommand::ImportCatalogue { dir, note, login } => {
                    store_cmd::import_catalogue(&dir, &note, login.as_deref())
                }
                StoreCommand::Catalogues => store_cmd::catalogues(),
                StoreCommand::ApproveCatalogue { id, login } => {
                    store_cmd::approve_catalogue(id, login.as_deref())
                }
                StoreCommand::RejectCatalogue { id, reason, login } => {
                    store_cmd::reject_catalogue(id, &reason, login.as_deref())
                }
                StoreCommand::ExportCatalogue { out, id } => store_cmd::export_catalogue(&out, id),
                StoreCommand::Set { key, value, login } => {
                    store_cmd::set(key.as_deref(), value.as_deref(), login.as_deref())
                }
                StoreCommand::AddStaff {
                    login,
                    supervisor,
                    by,
                } => store_cmd::add_staff(&login, supervisor, by.as_deref()),
            },
            Some(Command::Forms { command }) => match command {
                FormsCommand::Render {
                    case,
                    out,
                    catalogue,
                    forms,
                    print,
                    wait,
                    allow_blanks,
                    language,
                    reception,
                } => forms_cmd::render(&forms_cmd::RenderArgs {
                    reception: &reception,
                    case: &case,
                    out: &out,
                    catalogue: catalogue.as_deref(),
                    forms: forms.as_deref(),
                    print: print.as_deref(),
                    wait,
                    allow_blanks,
                    language,
                }),
                FormsCommand::List { forms } => forms_cmd::list(forms.as_deref()),
                FormsCommand::Page { file, out } => forms_cmd::page(&file, &out),
                FormsCommand::Calibrate {
                    out,
                    print,
                    measured,
                    login,
                } => forms_cmd::calibrate(
                    out.as_deref(),
                    print.as_deref(),
                    measured.as_deref(),
                    login.as_deref(),
                ),
                FormsCommand::Check {
                    catalogue,
                    forms,
                    sample,
                } => forms_cmd::check(catalogue.as_deref(), forms.as_deref(), &sample),
            },
            Some(Command::Print { command }) => match command {
                PrintCommand::File {
                    file,
                    printer,
                    title,
                    wait,
                } => print_cmd::print_file(&file, printer.as_deref(), title.as_deref(), wait),
                PrintCommand::Resume { wait } => print_cmd::resume(wait),
                PrintCommand::Retry { id, wait } => print_cmd::retry(id, wait),
                PrintCommand::Queue { json } => print_cmd::queue(json),
            },
            Some(Command::PrefillServer {
                listen,
                catalogue,
                languages,
                unreviewed,
            }) => {
                let listed = homepage_languages(languages.as_deref())?;
                let catalogue = catalogue_dir::load_quietly(&catalogue.dir())?;
                // The page serves this catalogue for the life of the process.
                let catalogue: &'static _ = Box::leak(Box::new(catalogue));
                let app = madoguchi_homepage::App::new(catalogue)
                    .offering(&listed, unreviewed == "offer");
                for (language, why) in &app.languages().withheld {
                    tracing::warn!(language = language.code(), why, "a language is not offered");
                }
                let runtime = tokio::runtime::Runtime::new()?;
                runtime.block_on(async {
                    let listener = tokio::net::TcpListener::bind(listen).await?;
                    // Tests and scripts read this line to learn the port when given port 0.
                    println!(
                        "home page: http://{}/ (Ctrl-C stops)",
                        listener.local_addr()?
                    );
                    madoguchi_homepage::serve(app, listener).await
                })?;
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// The home page's `--languages`: each a translated language's code (every one when none).
fn homepage_languages(codes: Option<&[String]>) -> Result<Vec<Language>> {
    let Some(codes) = codes else {
        return Ok(Language::TRANSLATED.to_vec());
    };
    codes
        .iter()
        .map(|code| {
            Language::from_code(code.trim())
                .filter(|language| language.is_translated())
                .ok_or_else(|| {
                    let known: Vec<&str> = Language::TRANSLATED.iter().map(|l| l.code()).collect();
                    anyhow::anyhow!(
                        "--languages: `{}` is not one of {} (日本語 and English are always offered)",
                        code.chars().take(40).collect::<String>(),
                        known.join(", ")
                    )
                })
        })
        .collect()
}

/// `madoguchi config check`: the file's problems, one per line, or that it is valid.
fn config_check(file: Option<PathBuf>) -> Result<ExitCode> {
    let Some(path) = file.or_else(crate::config::path) else {
        println!(
            "{} does not exist: the defaults and the store's settings apply",
            crate::config::INSTALLED_PATH
        );
        return Ok(ExitCode::SUCCESS);
    };
    match crate::config::load(&path) {
        Ok(_) => {
            println!("{}: valid", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!(
                "{} problem(s): fix the lines above and run `madoguchi config check` again",
                problems.list.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}
