//! Reading a code from a stream of frames. No camera runs here: the image-sequence source stands
//! in for one, and with `--features camera` the GStreamer backend runs a real pipeline fed from
//! a file instead of `v4l2src`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use madoguchi_domain::{Answer, Case};
use madoguchi_prefill::camera::{Frames, ImageSequence, ReadError, read_code};
use madoguchi_prefill::corpus::{self, Kind};
use madoguchi_prefill::{Prefill, Progress, encode, render};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn two_part_code() -> (Prefill, Vec<String>) {
    let mut case: Case =
        serde_json::from_str(include_str!("../../../docs/examples/family-of-four.json"))
            .expect("sample");
    for i in 0..13 {
        let text: String = (0..24)
            .filter_map(|j| char::from_u32(0x4E00 + ((i * 7919 + j * 104_729) % 20_000)))
            .collect();
        case.answers
            .insert(format!("note_{i}"), Answer::Choice(text));
    }
    let prefill = Prefill {
        issued: date(2026, 4, 1),
        expires: date(2026, 5, 1),
        case,
    };
    let symbols = encode(&prefill).expect("encodes");
    assert_eq!(symbols.len(), 2, "the test wants a two-part code");
    (prefill, symbols)
}

#[test]
fn parts_shown_one_by_one_across_frames_are_put_together() {
    let (prefill, symbols) = two_part_code();
    let frame = |text: &str, seed| {
        corpus::frame(Kind::Clean, &[text.to_string()], seed)
            .expect("frame")
            .image
    };
    let empty = image::GrayImage::from_pixel(1280, 720, image::Luma([128]));
    let frames = vec![
        frame(&symbols[1], 1),
        empty,
        // A QR code that is not ours, behind the resident: skipped.
        frame("HTTPS://EXAMPLE.COM/", 2),
        frame(&symbols[0], 3),
    ];
    let read = read_code(
        &mut Frames(frames.into_iter()),
        date(2026, 4, 10),
        Duration::from_secs(60),
    )
    .expect("reads");
    assert_eq!(read, prefill);
}

#[test]
fn frames_that_end_before_the_code_is_whole_say_what_is_missing() {
    let (_, symbols) = two_part_code();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("part2.png");
    std::fs::write(&path, render::png(&symbols[1], 4).expect("png")).expect("write");
    let result = read_code(
        &mut ImageSequence::new(vec![path]),
        date(2026, 4, 10),
        Duration::from_secs(60),
    );
    match result {
        Err(ReadError::NotFound { frames, progress }) => {
            assert_eq!(frames, 1);
            assert_eq!(
                progress,
                Progress::Waiting {
                    missing: vec![1],
                    count: 2
                }
            );
        }
        other => panic!("{other:?}"),
    }
    let missing = ImageSequence::new(vec![PathBuf::from("/nonexistent/frame.png")]);
    assert!(matches!(
        read_code(&mut { missing }, date(2026, 4, 10), Duration::from_secs(1)),
        Err(ReadError::Camera(_))
    ));
}

#[cfg(feature = "camera")]
#[test]
fn the_gstreamer_backend_delivers_frames_that_decode() {
    use madoguchi_prefill::camera::GstCamera;

    let (prefill, symbols) = two_part_code();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut frame_files = Vec::new();
    for (i, symbol) in symbols.iter().enumerate() {
        let path = dir.path().join(format!("part{i}.png"));
        std::fs::write(&path, render::png(symbol, 4).expect("png")).expect("write");
        frame_files.push(path);
    }
    // Two pipelines stand in for a camera pointed at each part in turn; each ends like the
    // default one, in a GRAY8 appsink named "frames".
    let mut sources: Vec<GstCamera> = frame_files
        .iter()
        .map(|path| {
            GstCamera::open(&format!(
                "filesrc location={} ! pngdec ! imagefreeze num-buffers=3 ! videoconvert ! video/x-raw,format=GRAY8 ! appsink name=frames",
                path.display()
            ))
            .expect("pipeline starts")
        })
        .collect();
    let mut frames = Vec::new();
    for source in &mut sources {
        use madoguchi_prefill::camera::FrameSource;
        while let Some(frame) = source.next_frame().expect("frame") {
            frames.push(frame);
        }
    }
    assert_eq!(frames.len(), 6);
    let read = read_code(
        &mut Frames(frames.into_iter()),
        date(2026, 4, 10),
        Duration::from_secs(60),
    )
    .expect("reads");
    assert_eq!(read, prefill);
}
