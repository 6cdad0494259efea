//! Synthetic camera frames for the decoder's tests and benchmark: a symbol photographed at the
//! counter, in the ways that make reading hard. A camera cannot run here, so these frames
//! stand in for one. They are deterministic: the same seed gives the same frame.
//!
//! Each frame is 1280×720 grey. One or two symbols are drawn through a perspective projection
//! (tilt, rotation), with supersampling for anti-aliasing, on paper or on a phone screen. Blur,
//! sensor noise, low contrast, uneven light and screen moiré are applied as the kind asks.

use image::{GrayImage, Luma};
use imageproc::geometric_transformations::Projection;
use qrcode::{Color, EcLevel, QrCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;

/// What makes a frame hard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Square to the camera, well lit: the baseline.
    Clean,
    /// Turned by any angle.
    Rotated,
    /// Held at an angle: a strong perspective.
    Tilted,
    /// Small in the frame: about 3 pixels per module.
    Small,
    /// Out of focus.
    Blurred,
    /// A dark room: heavy sensor noise.
    Noisy,
    /// Faded print or a dim screen.
    LowContrast,
    /// Light from one side.
    UnevenLight,
    /// A phone screen photographed: moiré, pixel grid, glare.
    PhoneScreen,
    /// Two symbols (the parts of one code) in the same frame.
    TwoCodes,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Clean,
        Kind::Rotated,
        Kind::Tilted,
        Kind::Small,
        Kind::Blurred,
        Kind::Noisy,
        Kind::LowContrast,
        Kind::UnevenLight,
        Kind::PhoneScreen,
        Kind::TwoCodes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Clean => "clean",
            Kind::Rotated => "rotated",
            Kind::Tilted => "tilted",
            Kind::Small => "small",
            Kind::Blurred => "blurred",
            Kind::Noisy => "noisy",
            Kind::LowContrast => "low contrast",
            Kind::UnevenLight => "uneven light",
            Kind::PhoneScreen => "phone screen",
            Kind::TwoCodes => "two codes",
        }
    }
}

/// One synthetic frame and the symbol texts it shows.
#[derive(Debug)]
pub struct Frame {
    pub kind: Kind,
    pub seed: u64,
    pub image: GrayImage,
    pub expected: Vec<String>,
}

/// A symbol's modules: `true` is dark.
struct Modules {
    width: usize,
    dark: Vec<bool>,
}

impl Modules {
    fn new(text: &str) -> Option<Modules> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        Some(Modules {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Dark at module coordinates (u, v)? Outside the symbol is the quiet zone: light.
    fn dark_at(&self, u: f32, v: f32) -> bool {
        if u < 0.0 || v < 0.0 {
            return false;
        }
        let (x, y) = (u as usize, v as usize);
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }
}

/// A symbol placed in the frame: the projection from frame pixels back to module coordinates.
struct Placement {
    to_modules: Projection,
    modules: Modules,
}

/// The settings of one frame, drawn from the kind and the seed.
struct Look {
    module_px: (f32, f32),
    rotation: f32,
    tilt: f32,
    blur: f32,
    noise: f64,
    dark: f32,
    light: f32,
    light_gradient: f32,
    screen: bool,
}

fn look(kind: Kind, rng: &mut StdRng) -> Look {
    let mut look = Look {
        module_px: (5.0, 8.0),
        rotation: rng.gen_range(-8.0..8.0),
        tilt: rng.gen_range(0.0..0.06),
        blur: rng.gen_range(0.3..0.8),
        noise: rng.gen_range(2.0..5.0),
        dark: rng.gen_range(20.0..50.0),
        light: rng.gen_range(200.0..240.0),
        light_gradient: 0.0,
        screen: false,
    };
    match kind {
        Kind::Clean => {}
        Kind::Rotated => look.rotation = rng.gen_range(0.0..360.0),
        Kind::Tilted => {
            look.tilt = rng.gen_range(0.15..0.25);
            look.rotation = rng.gen_range(-30.0..30.0);
        }
        Kind::Small => look.module_px = (3.0, 3.5),
        Kind::Blurred => look.blur = rng.gen_range(1.3..2.0),
        Kind::Noisy => look.noise = rng.gen_range(18.0..28.0),
        Kind::LowContrast => {
            look.dark = rng.gen_range(95.0..110.0);
            look.light = rng.gen_range(150.0..165.0);
        }
        Kind::UnevenLight => look.light_gradient = rng.gen_range(0.45..0.6),
        Kind::PhoneScreen => {
            look.screen = true;
            look.dark = rng.gen_range(40.0..70.0);
            look.light = rng.gen_range(180.0..215.0);
            look.module_px = (4.0, 7.0);
        }
        Kind::TwoCodes => look.module_px = (4.0, 5.5),
    }
    look
}

/// Places a symbol of `modules` (plus its 4-module quiet zone) in a `room` wide square around
/// `centre`. A person holds the code so that it fits the camera's preview: the symbol is made
/// no larger than 85% of the room, and moved no further than keeps it inside.
fn place(
    modules: Modules,
    centre: (f32, f32),
    room: f32,
    look: &Look,
    rng: &mut StdRng,
) -> Option<Placement> {
    let span = modules.width as f32 + 8.0;
    // A turned square needs |cos| + |sin| times its side; pushed corners need the tilt twice.
    let angle = look.rotation.to_radians();
    let footprint = (angle.cos().abs() + angle.sin().abs()) * (1.0 + 2.0 * look.tilt);
    let fits = 0.85 * room / (span * footprint);
    let module_px = rng
        .gen_range(look.module_px.0..=look.module_px.1)
        .min(fits.max(look.module_px.0.min(fits)));
    let side = span * module_px;
    let slack = ((room - side * footprint * 1.1) / 2.0).max(0.0);
    let centre = (
        centre.0 + rng.gen_range(-slack..=slack),
        centre.1 + rng.gen_range(-slack..=slack),
    );
    let half = side / 2.0;
    let (sin, cos) = angle.sin_cos();
    // Corners of the symbol with its quiet zone, turned, then pushed by the tilt.
    let corners = [(-half, -half), (half, -half), (half, half), (-half, half)].map(|(x, y)| {
        let jitter_x = rng.gen_range(-look.tilt..=look.tilt) * side;
        let jitter_y = rng.gen_range(-look.tilt..=look.tilt) * side;
        (
            centre.0 + x * cos - y * sin + jitter_x,
            centre.1 + x * sin + y * cos + jitter_y,
        )
    });
    let q = modules.width as f32 + 4.0;
    let module_corners = [(-4.0, -4.0), (q, -4.0), (q, q), (-4.0, q)];
    let to_modules = Projection::from_control_points(corners, module_corners)?;
    Some(Placement {
        to_modules,
        modules,
    })
}

/// Draws one frame showing `texts` (one symbol, or two side by side).
pub fn frame(kind: Kind, texts: &[String], seed: u64) -> Option<Frame> {
    let mut rng = StdRng::seed_from_u64(seed ^ (kind as u64) << 32);
    let look = look(kind, &mut rng);
    let (centres, room) = if texts.len() == 1 {
        (
            vec![(WIDTH as f32 / 2.0, HEIGHT as f32 / 2.0)],
            HEIGHT as f32,
        )
    } else {
        (
            vec![
                (WIDTH as f32 * 0.25, HEIGHT as f32 / 2.0),
                (WIDTH as f32 * 0.75, HEIGHT as f32 / 2.0),
            ],
            WIDTH as f32 / 2.0,
        )
    };
    let placements = texts
        .iter()
        .zip(centres)
        .map(|(text, centre)| place(Modules::new(text)?, centre, room, &look, &mut rng))
        .collect::<Option<Vec<_>>>()?;
    let mut image = draw(&placements, &look, &mut rng);
    if look.blur > 0.0 {
        image = imageproc::filter::gaussian_blur_f32(&image, look.blur);
    }
    imageproc::noise::gaussian_noise_mut(&mut image, 0.0, look.noise, rng.r#gen());
    Some(Frame {
        kind,
        seed,
        image,
        expected: texts.to_vec(),
    })
}

/// Supersamples each pixel 2×2 through the placements' projections.
fn draw(placements: &[Placement], look: &Look, rng: &mut StdRng) -> GrayImage {
    let background: f32 = rng.gen_range(60.0..140.0);
    let moire_angle: f32 = rng.gen_range(0.0..std::f32::consts::PI);
    let moire_period: f32 = rng.gen_range(5.0..9.0);
    let (moire_sin, moire_cos) = moire_angle.sin_cos();
    GrayImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let mut sum = 0.0;
        for (dx, dy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
            let (px, py) = (x as f32 + dx, y as f32 + dy);
            sum += sample(placements, look, background, (px, py));
        }
        let mut value = sum / 4.0;
        // Light falling off across the frame.
        value *= 1.0 - look.light_gradient * (x as f32 / WIDTH as f32);
        if look.screen {
            // The screen's pixel grid beating against the camera's: moiré stripes, and the
            // dark gaps between screen pixels.
            let phase = (x as f32 * moire_cos + y as f32 * moire_sin) / moire_period;
            value *= 1.0 + 0.18 * (phase * std::f32::consts::TAU).sin();
            if x % 3 == 0 || y % 3 == 0 {
                value *= 0.9;
            }
        }
        Luma([value.clamp(0.0, 255.0) as u8])
    })
}

fn sample(placements: &[Placement], look: &Look, background: f32, point: (f32, f32)) -> f32 {
    for placement in placements {
        let (u, v) = placement.to_modules * point;
        let width = placement.modules.width as f32;
        if (-4.0..width + 4.0).contains(&u) && (-4.0..width + 4.0).contains(&v) {
            return if placement.modules.dark_at(u, v) {
                look.dark
            } else {
                look.light
            };
        }
    }
    background
}

/// The standard corpus: every kind, for each payload, with `per_kind` seeds. Payloads are
/// single symbols; the two-code kind shows the first two payloads together.
pub fn standard(payloads: &[String], per_kind: u64) -> Vec<Frame> {
    let mut frames = Vec::new();
    for kind in Kind::ALL {
        for seed in 0..per_kind {
            if kind == Kind::TwoCodes {
                if payloads.len() >= 2 {
                    let pair = [payloads[0].clone(), payloads[1].clone()];
                    frames.extend(frame(kind, &pair, seed));
                }
                continue;
            }
            for (i, payload) in payloads.iter().enumerate() {
                frames.extend(frame(
                    kind,
                    std::slice::from_ref(payload),
                    seed * 16 + i as u64,
                ));
            }
        }
    }
    frames
}
