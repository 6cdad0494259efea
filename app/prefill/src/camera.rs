//! Where frames come from: a webcam (GStreamer, behind the `camera` feature) or a sequence of
//! image files (tests, demos, a recorded session). [`read_code`] turns frames into a decoded
//! pre-fill code, collecting parts across frames as the resident shows them one by one.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use image::GrayImage;

use crate::error::PrefillError;
use crate::scan;
use crate::symbol::{Assembler, Prefill, Progress};

/// Why no frame came.
#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    #[error("カメラを開けません / cannot open the camera: {0}")]
    Open(String),
    #[error("カメラの映像が止まりました / the camera stopped: {0}")]
    Stream(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// A source of greyscale frames. `Ok(None)` means the source has ended (a file sequence ran
/// out); a camera never ends on its own.
pub trait FrameSource {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, CameraError>;
}

/// Image files (PNG, JPEG or SVG), one frame each, in the order given.
#[derive(Debug)]
pub struct ImageSequence {
    paths: std::vec::IntoIter<PathBuf>,
}

impl ImageSequence {
    pub fn new(paths: Vec<PathBuf>) -> ImageSequence {
        ImageSequence {
            paths: paths.into_iter(),
        }
    }
}

impl FrameSource for ImageSequence {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, CameraError> {
        let Some(path) = self.paths.next() else {
            return Ok(None);
        };
        scan::frame_from_file(&path)
            .map(Some)
            .map_err(|e| CameraError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })
    }
}

/// Frames already in memory.
#[derive(Debug)]
pub struct Frames(pub std::vec::IntoIter<GrayImage>);

impl FrameSource for Frames {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, CameraError> {
        Ok(self.0.next())
    }
}

/// What went wrong while reading a code from frames.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Camera(#[from] CameraError),
    #[error(transparent)]
    Code(#[from] PrefillError),
    /// The time ran out, or the frames ended, before a whole code was seen.
    #[error("QRコードが読み取れませんでした / no whole code was read ({frames} frames)")]
    NotFound { frames: u32, progress: Progress },
}

/// Reads frames until one whole code has been seen (all its parts, across frames) or `timeout`
/// passes. Symbols that are not Madoguchi codes (a shop's QR code behind the resident's) are
/// skipped; a damaged, expired or mixed code is reported at once.
pub fn read_code(
    source: &mut dyn FrameSource,
    today: NaiveDate,
    timeout: Duration,
) -> Result<Prefill, ReadError> {
    let started = Instant::now();
    let mut assembler = Assembler::default();
    let mut frames = 0;
    while started.elapsed() < timeout {
        let Some(frame) = source.next_frame()? else {
            break;
        };
        frames += 1;
        for symbol in scan::symbols_in(&frame) {
            match assembler.add(&symbol) {
                Ok(Progress::Complete) => return Ok(assembler.finish(today)?),
                Ok(_) | Err(PrefillError::WrongPrefix) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
    Err(ReadError::NotFound {
        frames,
        progress: assembler.progress(),
    })
}

#[cfg(feature = "camera")]
pub use gst::GstCamera;

#[cfg(feature = "camera")]
mod gst {
    //! A GStreamer pipeline ending in an appsink that hands over 8-bit grey frames.

    use gstreamer::prelude::*;
    use gstreamer_app::AppSink;
    use image::GrayImage;

    use super::{CameraError, FrameSource};

    /// The default pipeline: the first V4L2 webcam at 1280×720, converted to grey.
    pub const DEFAULT_PIPELINE: &str = "v4l2src device=/dev/video0 ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=1280,height=720 ! appsink name=frames max-buffers=2 drop=true";

    /// Frames from a GStreamer pipeline whose sink is `appsink name=frames` delivering GRAY8.
    pub struct GstCamera {
        pipeline: gstreamer::Element,
        sink: AppSink,
    }

    impl std::fmt::Debug for GstCamera {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("GstCamera")
        }
    }

    impl GstCamera {
        /// Starts `pipeline` (GStreamer launch syntax), e.g. [`DEFAULT_PIPELINE`].
        pub fn open(pipeline: &str) -> Result<GstCamera, CameraError> {
            gstreamer::init().map_err(|e| CameraError::Open(e.to_string()))?;
            let pipeline =
                gstreamer::parse::launch(pipeline).map_err(|e| CameraError::Open(e.to_string()))?;
            let bin = pipeline
                .clone()
                .dynamic_cast::<gstreamer::Bin>()
                .map_err(|_| CameraError::Open("the pipeline is not a bin".into()))?;
            let sink = bin
                .by_name("frames")
                .and_then(|e| e.dynamic_cast::<AppSink>().ok())
                .ok_or_else(|| CameraError::Open("no appsink named \"frames\"".into()))?;
            pipeline
                .set_state(gstreamer::State::Playing)
                .map_err(|e| CameraError::Open(e.to_string()))?;
            Ok(GstCamera { pipeline, sink })
        }
    }

    impl FrameSource for GstCamera {
        fn next_frame(&mut self) -> Result<Option<GrayImage>, CameraError> {
            let sample = match self.sink.pull_sample() {
                Ok(sample) => sample,
                Err(_) if self.sink.is_eos() => return Ok(None),
                Err(e) => return Err(CameraError::Stream(e.to_string())),
            };
            let caps = sample
                .caps()
                .ok_or_else(|| CameraError::Stream("frame without caps".into()))?;
            let info = gstreamer_video_info(caps)?;
            let buffer = sample
                .buffer()
                .ok_or_else(|| CameraError::Stream("sample without buffer".into()))?;
            let map = buffer
                .map_readable()
                .map_err(|e| CameraError::Stream(e.to_string()))?;
            let (width, height, stride) = info;
            let mut pixels = Vec::with_capacity((width * height) as usize);
            for row in map.as_slice().chunks(stride).take(height as usize) {
                pixels.extend_from_slice(row.get(..width as usize).unwrap_or(row));
            }
            GrayImage::from_raw(width, height, pixels)
                .map(Some)
                .ok_or_else(|| CameraError::Stream("short frame".into()))
        }
    }

    /// Width, height and row stride of a GRAY8 frame (rows are padded to 4 bytes).
    fn gstreamer_video_info(caps: &gstreamer::CapsRef) -> Result<(u32, u32, usize), CameraError> {
        let structure = caps
            .structure(0)
            .ok_or_else(|| CameraError::Stream("empty caps".into()))?;
        let format = structure.get::<&str>("format").unwrap_or("");
        if format != "GRAY8" {
            return Err(CameraError::Stream(format!(
                "frames are {format}, not GRAY8: end the pipeline with video/x-raw,format=GRAY8"
            )));
        }
        let width = structure
            .get::<i32>("width")
            .map_err(|e| CameraError::Stream(e.to_string()))?;
        let height = structure
            .get::<i32>("height")
            .map_err(|e| CameraError::Stream(e.to_string()))?;
        let width = u32::try_from(width).map_err(|_| CameraError::Stream("bad width".into()))?;
        let height = u32::try_from(height).map_err(|_| CameraError::Stream("bad height".into()))?;
        Ok((width, height, (width as usize).div_ceil(4) * 4))
    }

    impl Drop for GstCamera {
        fn drop(&mut self) {
            let _ = self.pipeline.set_state(gstreamer::State::Null);
        }
    }
}

#[cfg(feature = "camera")]
pub use gst::DEFAULT_PIPELINE;
