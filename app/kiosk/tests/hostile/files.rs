//! Files supervisors and IT staff hand the program: catalogue folders (`madoguchi rules check`)
//! and form templates (`madoguchi forms render --forms`), each damaged one way.

use std::path::{Path, PathBuf};

use crate::dirs::copy_dir;
use crate::support::{Madoguchi, Section, repo};

/// A copy of `from` in `dir/name`, with `change` made to it.
fn variant(from: &Path, dir: &Path, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let folder = dir.join(name);
    let _ = std::fs::remove_dir_all(&folder);
    copy_dir(from, &folder);
    change(&folder);
    folder
}

fn edit(file: &Path, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(file).expect("read");
    std::fs::write(file, change(text)).expect("write");
}

fn append(file: &Path, more: &str) {
    edit(file, |text| text + "\n" + more);
}

type Change = Box<dyn FnOnce(&Path)>;

fn catalogue_changes() -> Vec<(&'static str, Change)> {
    let procedures = |dir: &Path| dir.join("procedures/juminkiroku.toml");
    vec![
        (
            "a deadline of 2^40 days",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen("days = 14", "days = 1099511627776", 1)
                })
            }),
        ),
        (
            "a deadline of -14 days",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| t.replacen("days = 14", "days = -14", 1))
            }),
        ),
        (
            "in force from 9999-12-31",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen(
                        "effective_from = 2024-05-27",
                        "effective_from = 9999-12-31",
                        1,
                    )
                })
            }),
        ),
        (
            "in force from 0001-01-01",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen(
                        "effective_from = 2024-05-27",
                        "effective_from = 0001-01-01",
                        1,
                    )
                })
            }),
        ),
        (
            "a condition nested 20,000 deep",
            Box::new(move |d: &Path| {
                let deep = format!(
                    "{}event = tennyu{}",
                    "not(".repeat(20_000),
                    ")".repeat(20_000)
                );
                append(
                    &procedures(d),
                    &format!(
                        "[[procedure.rule]]\nwhen = \"{deep}\"\nbecause = {{ ja = \"x\", easy = \"x\", en = \"x\" }}\n"
                    ),
                )
            }),
        ),
        (
            "a comparison with 2^70",
            Box::new(move |d: &Path| {
                edit(&d.join("procedures/kodomo.toml"), |t| {
                    t.replacen("school_age < 18", "school_age < 1180591620717411303424", 1)
                })
            }),
        ),
        (
            "a comparison with the year 99999",
            Box::new(move |d: &Path| {
                append(
                    &procedures(d),
                    "[[procedure.rule]]\nwhen = \"move_date < 99999-01-01\"\nbecause = { ja = \"x\", easy = \"x\", en = \"x\" }\n",
                )
            }),
        ),
        (
            "a ルビ mark without its 》",
            Box::new(|d: &Path| {
                edit(&d.join("counters.toml"), |t| {
                    t.replacen("市民課《しみんか》", "市民課《しみんか", 1)
                })
            }),
        ),
        (
            "a reading 10,000 kana long",
            Box::new(|d: &Path| {
                edit(&d.join("counters.toml"), |t| {
                    t.replacen("《しみんか》", &format!("《{}》", "あ".repeat(10_000)), 1)
                })
            }),
        ),
        (
            "a fee of 10^12 yen",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen("yen = 300", "yen = 1000000000000", 1)
                })
            }),
        ),
        (
            "a fee for a certificate the case cannot ask for",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen(
                        "certificate = \"juminhyo\"",
                        "certificate = \"passport\"",
                        1,
                    )
                })
            }),
        ),
        (
            "a counter in a building the catalogue does not list",
            Box::new(|d: &Path| {
                edit(&d.join("counters.toml"), |t| {
                    t.replacen("building = \"honcho\"", "building = \"nowhere\"", 1)
                })
            }),
        ),
        (
            "a counter on floor 2^40",
            Box::new(|d: &Path| {
                edit(&d.join("counters.toml"), |t| {
                    t.replacen("floor = 1", "floor = 1099511627776", 1)
                })
            }),
        ),
        (
            "a 10 MB procedure name",
            Box::new(move |d: &Path| {
                edit(&procedures(d), |t| {
                    t.replacen(
                        "name = { ja = \"",
                        &format!("name = {{ ja = \"{}", "名".repeat(3_500_000)),
                        1,
                    )
                })
            }),
        ),
        (
            "a file that is not UTF-8",
            Box::new(|d: &Path| {
                std::fs::write(d.join("counters.toml"), [0xFF, 0xFE, 0x00, 0x41]).expect("write")
            }),
        ),
        (
            "an empty catalogue.toml",
            Box::new(|d: &Path| std::fs::write(d.join("catalogue.toml"), "").expect("write")),
        ),
        (
            "no questions.toml",
            Box::new(|d: &Path| std::fs::remove_file(d.join("questions.toml")).expect("remove")),
        ),
        (
            "questions.toml is a folder",
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("questions.toml")).expect("remove");
                std::fs::create_dir(d.join("questions.toml")).expect("folder");
            }),
        ),
        (
            "a number question from 10 to 1",
            Box::new(|d: &Path| {
                append(
                    &d.join("questions.toml"),
                    "[[question]]\nid = \"backwards\"\ntier = \"core\"\nkind = \"number\"\nmin = 10\nmax = 1\ntext = { ja = \"x\", easy = \"x\", en = \"x\" }\nlabel = { ja = \"x\", en = \"x\" }\nsource = \"x\"\n",
                )
            }),
        ),
        (
            "a number question over all of i64",
            Box::new(|d: &Path| {
                append(
                    &d.join("questions.toml"),
                    "[[question]]\nid = \"everything\"\ntier = \"core\"\nkind = \"number\"\nmin = -9223372036854775808\nmax = 9223372036854775807\ntext = { ja = \"x\", easy = \"x\", en = \"x\" }\nlabel = { ja = \"x\", en = \"x\" }\nsource = \"x\"\n",
                )
            }),
        ),
        (
            "two questions asked only after each other",
            Box::new(|d: &Path| {
                append(
                    &d.join("questions.toml"),
                    "[[question]]\nid = \"chick\"\ntier = \"core\"\nkind = \"yes_no\"\nask_when = \"egg = yes\"\ntext = { ja = \"x\", easy = \"x\", en = \"x\" }\nlabel = { ja = \"x\", en = \"x\" }\nsource = \"x\"\n\n[[question]]\nid = \"egg\"\ntier = \"core\"\nkind = \"yes_no\"\nask_when = \"chick = yes\"\ntext = { ja = \"x\", easy = \"x\", en = \"x\" }\nlabel = { ja = \"x\", en = \"x\" }\nsource = \"x\"\n",
                )
            }),
        ),
        (
            "a scenario of 50,000 members",
            Box::new(|d: &Path| {
                let member = "[[household.members]]\nrelation = \"child\"\nperson = { name = \"x\", birth_date = 2020-01-01 }\n";
                std::fs::write(
                    d.join("scenarios/99-huge.toml"),
                    format!("name = \"huge\"\n[event]\nkind = \"tennyu\"\nmove_date = 2026-04-01\nvisit_date = 2026-04-02\n{}", member.repeat(50_000)),
                )
                .expect("write")
            }),
        ),
        (
            "a scenario moving in the year 2201",
            Box::new(|d: &Path| {
                edit(&d.join("scenarios/01-tennyu-single-adult.toml"), |t| {
                    t.replacen("2026-", "2201-", 2)
                })
            }),
        ),
        (
            "no events.toml (a catalogue of before events were data)",
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("events.toml")).expect("remove");
                for file in ["okuyami", "shussei", "kekkon"] {
                    std::fs::remove_file(d.join(format!("procedures/{file}.toml")))
                        .expect("remove");
                }
            }),
        ),
        (
            "a procedure after 10,000 others, after a malformed id and after itself",
            Box::new(|d: &Path| {
                edit(&d.join("procedures/kodomo.toml"), |t| {
                    let many: Vec<String> = (0..10_000).map(|i| format!("\"p{i}\"")).collect();
                    t.replacen(
                        r#"after = ["shussei_todoke", "kokuho_kanyu"]"#,
                        &format!("after = [{}, \"Bad Id\", \"kodomo_iryo\"]", many.join(", ")),
                        1,
                    )
                })
            }),
        ),
        (
            "procedures that each come after the other",
            Box::new(|d: &Path| {
                edit(&d.join("procedures/hoken_nenkin.toml"), |t| {
                    t.replacen(
                        r#"after = ["shussei_todoke"]"#,
                        r#"after = ["kodomo_iryo"]"#,
                        1,
                    )
                })
            }),
        ),
        (
            "an `after` that is not a list",
            Box::new(|d: &Path| {
                edit(&d.join("procedures/okuyami.toml"), |t| {
                    t.replacen(
                        r#"after = ["kouki_soshitsu"]"#,
                        r#"after = { first = 1 }"#,
                        1,
                    )
                })
            }),
        ),
        (
            "an item whose `when` is 100,000 nested `not(`, names no question, or is a number",
            Box::new(|d: &Path| {
                edit(&d.join("items.toml"), |t| {
                    let deep =
                        format!("{}dog = yes{}", "not(".repeat(100_000), ")".repeat(100_000));
                    t.replacen(
                        r#"when = "funeral_by_filer = no""#,
                        &format!("when = \"{deep}\""),
                        1,
                    )
                    .replacen(
                        r#"id = "ininjo""#,
                        "id = \"ininjo\"\nwhen = \"nobody_asked = yes\"",
                        1,
                    )
                    .replacen(r#"id = "inkan""#, "id = \"inkan\"\nwhen = 3", 1)
                })
            }),
        ),
        (
            "an empty events.toml",
            Box::new(|d: &Path| std::fs::write(d.join("events.toml"), "").expect("write")),
        ),
        (
            "events.toml is a folder",
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("events.toml")).expect("remove");
                std::fs::create_dir(d.join("events.toml")).expect("folder");
            }),
        ),
        (
            "40 events",
            Box::new(|d: &Path| {
                let events: String = (0..40)
                    .map(|i| format!("[[event]]\nid = \"e{i}\"\nname = {{ ja = \"x\", easy = \"x\", en = \"x\" }}\ndate = {{ id = \"d{i}\", ja = \"x\", easy = \"x\", en = \"x\" }}\n\n"))
                    .collect();
                append(&d.join("events.toml"), &events)
            }),
        ),
        (
            "an event with 20 dates, one named kind and one 40 letters long",
            Box::new(|d: &Path| {
                let dates: Vec<String> = (0..20)
                    .map(|i| format!("{{ id = \"d{i}\", ja = \"x\", easy = \"x\", en = \"x\" }}"))
                    .chain([
                        "{ id = \"kind\", ja = \"x\", easy = \"x\", en = \"x\" }".to_string(),
                        format!(
                            "{{ id = \"{}\", ja = \"x\", easy = \"x\", en = \"x\" }}",
                            "a".repeat(40)
                        ),
                    ])
                    .collect();
                append(
                    &d.join("events.toml"),
                    &format!(
                        "[[event]]\nid = \"many\"\nname = {{ ja = \"x\", easy = \"x\", en = \"x\" }}\ndate = {{ id = \"day\", ja = \"x\", easy = \"x\", en = \"x\" }}\ndates = [{}]\n",
                        dates.join(", ")
                    ),
                )
            }),
        ),
        (
            "a date that stands in for itself",
            Box::new(|d: &Path| {
                edit(&d.join("events.toml"), |t| {
                    t.replacen(
                        "otherwise = \"death_date\"",
                        "otherwise = \"learned_date\"",
                        1,
                    )
                })
            }),
        ),
        (
            "a deadline of 10,000 months",
            Box::new(|d: &Path| {
                edit(&d.join("procedures/okuyami.toml"), |t| {
                    t.replacen("months = 3,", "months = 10000,", 1)
                })
            }),
        ),
        (
            "counters.toml is /dev/zero",
            Box::new(|d: &Path| {
                std::fs::remove_file(d.join("counters.toml")).expect("remove");
                std::os::unix::fs::symlink("/dev/zero", d.join("counters.toml")).expect("link");
            }),
        ),
        (
            "a scenario that is /dev/zero",
            Box::new(|d: &Path| {
                std::os::unix::fs::symlink("/dev/zero", d.join("scenarios/97-zero.toml"))
                    .expect("link")
            }),
        ),
        (
            "binary in a scenario",
            Box::new(|d: &Path| {
                std::fs::write(
                    d.join("scenarios/98-binary.toml"),
                    (0..=255u8).collect::<Vec<_>>(),
                )
                .expect("write")
            }),
        ),
    ]
}

/// `madoguchi rules check` and `rules test` on each damaged catalogue.
pub fn catalogues(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("catalogue folders (madoguchi rules check, rules test)");
    let shipped = repo("assets/catalogue");
    for (name, change) in catalogue_changes() {
        let folder = variant(&shipped, dir, "catalogue", change);
        let folder = folder.to_string_lossy().into_owned();
        for command in ["check", "test"] {
            let ran = madoguchi.run(&["rules", command, "--catalogue", &folder]);
            section.check(&format!("{command}: {name}"), ran.problem_listing_errors());
        }
    }
    section
}

fn template_changes() -> Vec<(&'static str, Change)> {
    let inkan = |dir: &Path| dir.join("inkan_toroku.toml");
    let with_background = |name: &'static str| -> Change {
        Box::new(move |d: &Path| {
            edit(&d.join("inkan_toroku.toml"), |t| {
                t.replacen(
                    "qr_members = \"applicant\"",
                    &format!("qr_members = \"applicant\"\nbackground = \"{name}\""),
                    1,
                )
            })
        })
    };
    vec![
        (
            "a text of size 10^30",
            Box::new(move |d: &Path| {
                edit(&inkan(d), |t| t.replacen("size = 20", "size = 1e30", 1))
            }),
        ),
        (
            "a text of size 0",
            Box::new(move |d: &Path| edit(&inkan(d), |t| t.replacen("size = 20", "size = 0", 1))),
        ),
        (
            "a box at -10^9 mm",
            Box::new(move |d: &Path| {
                edit(&inkan(d), |t| {
                    t.replacen(
                        "rect = [10, 8, 60, 7]",
                        "rect = [-1e9, -1e9, 1e12, 1e12]",
                        1,
                    )
                })
            }),
        ),
        (
            "a box of NaN",
            Box::new(move |d: &Path| {
                edit(&inkan(d), |t| {
                    t.replacen("rect = [10, 8, 60, 7]", "rect = [nan, inf, -inf, nan]", 1)
                })
            }),
        ),
        (
            "a 5 MB text",
            Box::new(move |d: &Path| {
                edit(&inkan(d), |t| {
                    t.replacen(
                        "text = \"あて\"",
                        &format!("text = \"{}\"", "あ".repeat(1_700_000)),
                        1,
                    )
                })
            }),
        ),
        (
            "10^9 household rows a sheet",
            Box::new(|d: &Path| {
                edit(&d.join("jumin_ido_todoke.toml"), |t| {
                    let at = t.find("per_page = ").expect("per_page");
                    let end = at + t[at..].find('\n').expect("line");
                    format!("{}per_page = 1000000000{}", &t[..at], &t[end..])
                })
            }),
        ),
        ("a background of /dev/zero", with_background("/dev/zero")),
        ("a background that is a folder", with_background(".")),
        (
            "a background claiming 20,000 × 20,000",
            Box::new(move |d: &Path| {
                std::fs::write(d.join("huge.png"), crate::qr::huge_png(20_000, 20_000))
                    .expect("write");
                edit(&inkan(d), |t| {
                    t.replacen(
                        "qr_members = \"applicant\"",
                        "qr_members = \"applicant\"\nbackground = \"huge.png\"",
                        1,
                    )
                })
            }),
        ),
        (
            "a background that is not there",
            with_background("nothing.png"),
        ),
        (
            "a template that is not UTF-8",
            Box::new(move |d: &Path| std::fs::write(inkan(d), [0xC3, 0x28, 0xFF]).expect("write")),
        ),
        (
            "a template of 100,000 items",
            Box::new(move |d: &Path| {
                append(
                    &inkan(d),
                    &"[[item]]\ntype = \"box\"\nrect = [10, 10, 5, 5]\n".repeat(100_000),
                )
            }),
        ),
        (
            "an unknown value path",
            Box::new(move |d: &Path| {
                edit(&inkan(d), |t| {
                    t.replacen(
                        "value = \"office.mayor\"",
                        "value = \"../../etc/passwd\"",
                        1,
                    )
                })
            }),
        ),
        (
            "a `when` that names nothing, compares with a table, or is a string",
            Box::new(move |d: &Path| {
                edit(&d.join("sousaihi.toml"), |t| {
                    t.replacen(
                        r#"when = { value = "answer.funeral_by_filer", equals = true }"#,
                        r#"when = { value = "../../etc/passwd", equals = true }"#,
                        1,
                    )
                    .replacen(
                        r#"when = { value = "answer.funeral_by_filer", equals = true }"#,
                        r#"when = { value = "answer.funeral_by_filer", equals = { a = [1] } }"#,
                        1,
                    )
                    .replacen(
                        r#"when = { value = "answer.funeral_by_filer", equals = false }"#,
                        r#"when = "answer.funeral_by_filer""#,
                        1,
                    )
                })
            }),
        ),
    ]
}

/// `madoguchi forms render --forms DIR` of the eight-forms family with each damaged template.
pub fn templates(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("form templates (madoguchi forms render --forms)");
    let shipped = repo("forms");
    let case = repo("docs/examples/eight-forms.json");
    for (name, change) in template_changes() {
        let folder = variant(&shipped, dir, "forms", change);
        let out = dir.join("packet.pdf");
        let _ = std::fs::remove_file(&out);
        let ran = madoguchi.run(&[
            "forms",
            "render",
            "--case",
            &case.to_string_lossy(),
            "--forms",
            &folder.to_string_lossy(),
            "--catalogue",
            &repo("assets/catalogue").to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]);
        // A template problem is reported (exit 2), or printed around (exit 3 with warnings,
        // one per field): never a panic or a hang.
        let problem = ran
            .problem()
            .filter(|p| !(ran.code() == Some(3) && p.contains("lines on stderr")));
        section.check(name, problem);
        // `forms check` of the same folder: a refusal in one line, or its findings on standard
        // output with exit status 1.
        let checked = madoguchi.run(&[
            "forms",
            "check",
            "--forms",
            &folder.to_string_lossy(),
            "--catalogue",
            &repo("assets/catalogue").to_string_lossy(),
        ]);
        let problem = checked
            .problem()
            .filter(|p| !(checked.code() == Some(1) && p.contains("0 lines on stderr")));
        section.check(&format!("{name} (forms check)"), problem);
    }
    section
}

/// The back-office hand-over's field lists a city writes (`madoguchi central export --check
/// --fields`): every damaged one is refused in one line; the shipped one is accepted.
pub fn field_lists(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("export field lists (madoguchi central export --check)");
    let shipped = std::fs::read_to_string(repo("assets/export/fields.toml")).expect("fields");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("an empty file", Vec::new()),
        ("binary bytes", (0..=255u8).cycle().take(4096).collect()),
        ("16 MB of text", "a".repeat(16 * 1024 * 1024).into_bytes()),
        ("not TOML", b"[[field]\nid = ".to_vec()),
        (
            "another format",
            shipped
                .replacen("madoguchi.counter-export", "someone.else", 1)
                .into_bytes(),
        ),
        (
            "version 0",
            shipped
                .replacen("version = 1", "version = 0", 1)
                .into_bytes(),
        ),
        (
            "a version past u32",
            shipped
                .replacen("version = 1", "version = 99999999999999", 1)
                .into_bytes(),
        ),
        (
            "a name made plain",
            shipped
                .replacen(
                    "ja = \"氏名\"\npersonal = true",
                    "ja = \"氏名\"\npersonal = false",
                    1,
                )
                .into_bytes(),
        ),
        (
            "a field Madoguchi cannot fill (the My Number)",
            format!(
                "{shipped}\n[[field]]\nid = \"my_number\"\nja = \"個人番号\"\npersonal = true\n"
            )
            .into_bytes(),
        ),
        (
            "case_id twice, no counter",
            shipped
                .replacen("id = \"counter\"", "id = \"case_id\"", 1)
                .into_bytes(),
        ),
        (
            "a label of 5,000 characters",
            shipped
                .replacen(
                    "ja = \"氏名\"",
                    &format!("ja = \"{}\"", "名".repeat(5000)),
                    1,
                )
                .into_bytes(),
        ),
        (
            "a control character in a label",
            shipped
                .replacen("ja = \"氏名\"", "ja = \"氏\\u0007名\"", 1)
                .into_bytes(),
        ),
        (
            "an unknown key",
            shipped
                .replacen("personal = true", "personal = true\nsecret = \"x\"", 1)
                .into_bytes(),
        ),
    ];
    let check = |bytes: &[u8]| {
        let file = dir.join("fields.toml");
        std::fs::write(&file, bytes).expect("write");
        madoguchi.run(&[
            "central",
            "export",
            "--check",
            "--fields",
            file.to_str().expect("utf-8"),
        ])
    };
    for (name, bytes) in cases {
        section.check(name, check(&bytes).refused());
    }
    let ran = check(shipped.as_bytes());
    let accepted = ran
        .problem()
        .or_else(|| (ran.code() != Some(0)).then(|| format!("refused: {}", ran.stderr.trim())));
    section.check("the shipped list", accepted);
    section
}

/// `madoguchi forms page FILE`: the city's paper form for the form editor. Every broken,
/// misshapen or oversized file is refused in one line; nothing panics or hangs.
pub fn form_pages(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section = Section::new("paper forms (madoguchi forms page)");
    let png = |w: u32, h: u32| {
        let mut bytes = Vec::new();
        image::GrayImage::from_pixel(w, h, image::Luma([255]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .expect("png");
        bytes
    };
    // A PNG whose header claims 60,000 × 60,000 pixels: refused from the header.
    let mut claims_huge = png(1, 1);
    claims_huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    claims_huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    // The IHDR chunk's CRC over its type and data, so that only the size is a lie.
    let crc = crc32fast::hash(&claims_huge[12..29]);
    claims_huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let letter = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let absurd_box = String::from_utf8_lossy(&letter)
        .replace("612 792", "99999999 99999999")
        .into_bytes();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", Vec::new(), "PNG"),
        ("text", b"a form, honestly".to_vec(), "PNG"),
        ("PDF header only", b"%PDF-1.7".to_vec(), "PDF"),
        ("truncated PDF", letter[..60].to_vec(), "PDF"),
        ("Letter-sized PDF", letter, "A4縦"),
        ("PDF with an absurd page box", absurd_box, "A4縦"),
        ("landscape picture", png(297, 210), "A4縦"),
        ("PNG claiming 60000 px a side", claims_huge, "大きすぎ"),
        ("truncated PNG", png(210, 297)[..40].to_vec(), "PNG"),
    ];
    for (name, bytes, says) in cases {
        let file = dir.join("form-file");
        std::fs::write(&file, &bytes).expect("write");
        let out = dir.join("page.png");
        let ran = madoguchi.run(&[
            "forms",
            "page",
            &file.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]);
        section.check(name, ran.refused_saying(says));
    }
    let ran = madoguchi.run(&["forms", "page", &dir.to_string_lossy(), "--out", "x.png"]);
    section.check("a folder", ran.refused_saying("not a file"));
    section
}

/// A catalogue folder carrying the city's own form (`forms/*.toml` and its picture as base64
/// text), damaged one way each: `forms render --catalogue` refuses it in one line (or the
/// catalogue's own error lines); nothing panics or hangs.
pub fn catalogue_forms(madoguchi: &Madoguchi, dir: &Path) -> Section {
    let mut section =
        Section::new("city forms in a catalogue (madoguchi forms render --catalogue)");
    let template = "[form]\nid = \"inkan_toroku\"\ntitle = \"印鑑登録申請書（市の様式）\"\n\
        background = \"city.png\"\nqr_members = \"applicant\"\n\n\
        [[item]]\ntype = \"field\"\nrect = [40, 40, 100, 10]\nvalue = \"applicant.name\"\n";
    let mut claims_huge = Vec::new();
    image::GrayImage::from_pixel(1, 1, image::Luma([255]))
        .write_to(
            &mut std::io::Cursor::new(&mut claims_huge),
            image::ImageFormat::Png,
        )
        .expect("png");
    claims_huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    claims_huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32fast::hash(&claims_huge[12..29]);
    claims_huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let encode = |bytes: &[u8]| madoguchi_forms::encode_background(bytes);
    let cases: Vec<(&str, String, String)> = vec![
        ("damaged base64", template.into(), "iVBOR***%%".into()),
        ("not a picture", template.into(), encode(b"hello")),
        (
            "a PNG claiming 60000 px a side",
            template.into(),
            encode(&claims_huge),
        ),
        (
            "background outside the folder",
            template.replace("city.png", "../../../etc/passwd"),
            encode(b"x"),
        ),
        ("broken template", "[form\nid = ".into(), encode(b"x")),
        (
            "5 MB of base64",
            template.into(),
            "A".repeat(5 * 1024 * 1024),
        ),
        (
            "a value no case has",
            template.replace("applicant.name", "applicant.shoe_size"),
            encode(b"x"),
        ),
    ];
    let case = repo("docs/examples/eight-forms.json");
    for (name, text, picture) in cases {
        let folder = variant(
            &repo("assets/catalogue"),
            dir,
            "catalogue-forms",
            |folder| {
                std::fs::create_dir_all(folder.join("forms")).expect("forms");
                std::fs::write(folder.join("forms/city.toml"), &text).expect("template");
                std::fs::write(folder.join("forms/city.png.b64"), &picture).expect("picture");
            },
        );
        let out = dir.join("packet.pdf");
        let ran = madoguchi.run(&[
            "forms",
            "render",
            "--case",
            &case.to_string_lossy(),
            "--catalogue",
            &folder.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]);
        section.check(
            name,
            ran.problem_listing_errors().or_else(|| {
                ran.status
                    .is_some_and(|s| s.success())
                    .then(|| "accepted what it should refuse".to_string())
            }),
        );
    }
    section
}
