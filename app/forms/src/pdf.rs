//! Writes laid-out pages as one PDF: A4 sheets, each face embedded once as a subset (CID
//! TrueType, Identity-H, with a ToUnicode map so the text can be copied and searched), streams
//! compressed.

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::error::FormsError;
use crate::fonts::{FontKey, Fonts};
use crate::page::{A4_HEIGHT, A4_WIDTH, Mark, Page};

const MM: f32 = 72.0 / 25.4;
const FONT_NAMES: [&[u8]; FontKey::COUNT] = [
    b"F0", b"F1", b"F2", b"F3", b"F4", b"F5", b"F6", b"F7", b"F8", b"F9", b"F10", b"F11", b"F12",
];

/// A decoded picture: 8-bit RGB rows.
#[derive(Clone, Debug)]
pub(crate) struct RasterImage {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

/// Glyphs used per face: old glyph id → new id in the subset, and what each stands for.
#[derive(Default)]
struct UsedFace {
    remapper: GlyphRemapper,
    texts: BTreeMap<u16, String>,
}

struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

pub(crate) fn write(
    pages: &[Page],
    fonts: &Fonts,
    images: &[RasterImage],
    title: &str,
) -> Result<Vec<u8>, FormsError> {
    let used = used_glyphs(pages);
    let mut refs = Refs(0);
    let catalog_id = refs.next();
    let tree_id = refs.next();
    let info_id = refs.next();
    let mut pdf = Pdf::new();

    // Subsetting and deflating the faces and the pages take most of the writing; each piece
    // is independent, so they run side by side and are written in order after.
    let faces: Vec<(&FontKey, &UsedFace)> = used.iter().collect();
    let font_files =
        crate::parallel::map(&faces, |(key, face_use)| font_file(fonts, **key, face_use));
    let streams = crate::parallel::map(pages, |page| {
        compress_to_vec_zlib(&content_stream(page, &used), 6)
    });
    let mut font_refs: [Option<Ref>; FontKey::COUNT] = [None; FontKey::COUNT];
    for ((key, face_use), file) in faces.into_iter().zip(font_files) {
        let file = file?;
        font_refs[key.index()] = Some(write_font(
            &mut pdf, &mut refs, fonts, *key, face_use, &file,
        )?);
    }
    let image_refs: Vec<Ref> = images
        .iter()
        .map(|image| write_image(&mut pdf, &mut refs, image))
        .collect();

    let mut page_ids = Vec::with_capacity(pages.len());
    for compressed in &streams {
        let page_id = refs.next();
        let content_id = refs.next();
        page_ids.push(page_id);
        pdf.stream(content_id, compressed)
            .filter(Filter::FlateDecode);
        let mut page_writer = pdf.page(page_id);
        page_writer
            .media_box(Rect::new(0.0, 0.0, A4_WIDTH * MM, A4_HEIGHT * MM))
            .parent(tree_id)
            .contents(content_id);
        let mut resources = page_writer.resources();
        let mut font_dict = resources.fonts();
        for (index, font_ref) in font_refs.iter().enumerate() {
            if let Some(font_ref) = font_ref {
                font_dict.pair(Name(FONT_NAMES[index]), *font_ref);
            }
        }
        font_dict.finish();
        let mut xobjects = resources.x_objects();
        for (index, image_ref) in image_refs.iter().enumerate() {
            xobjects.pair(Name(format!("Im{index}").as_bytes()), *image_ref);
        }
    }
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.document_info(info_id)
        .title(TextStr(title))
        .producer(TextStr("Madoguchi"));
    Ok(pdf.finish())
}

fn used_glyphs(pages: &[Page]) -> BTreeMap<FontKey, UsedFace> {
    let mut used: BTreeMap<FontKey, UsedFace> = BTreeMap::new();
    for page in pages {
        for mark in &page.marks {
            if let Mark::Text { font, glyphs, .. } = mark {
                let face_use = used.entry(*font).or_insert_with(|| {
                    let mut fresh = UsedFace::default();
                    fresh.remapper.remap(0);
                    fresh
                });
                for (gid, text) in glyphs {
                    let new = face_use.remapper.remap(*gid);
                    face_use.texts.entry(new).or_insert_with(|| text.clone());
                }
            }
        }
    }
    used
}

/// A face cut down to the glyphs the document uses, deflated, with its length before.
struct FontFile {
    compressed: Vec<u8>,
    length: usize,
}

fn font_file(fonts: &Fonts, key: FontKey, face_use: &UsedFace) -> Result<FontFile, FormsError> {
    let face = loaded(fonts, key)?;
    let subset = subsetter::subset(face.data, face.index, &face_use.remapper)
        .map_err(|e| FormsError::Font(format!("cannot subset {}: {e}", face.postscript_name)))?;
    Ok(FontFile {
        compressed: compress_to_vec_zlib(&subset, 6),
        length: subset.len(),
    })
}

fn loaded(fonts: &Fonts, key: FontKey) -> Result<&crate::fonts::LoadedFace, FormsError> {
    fonts
        .face(key)
        .ok_or_else(|| FormsError::Font(format!("{key:?} is not loaded")))
}

fn write_font(
    pdf: &mut Pdf,
    refs: &mut Refs,
    fonts: &Fonts,
    key: FontKey,
    face_use: &UsedFace,
    file: &FontFile,
) -> Result<Ref, FormsError> {
    let face = loaded(fonts, key)?;
    let type0_id = refs.next();
    let cid_id = refs.next();
    let descriptor_id = refs.next();
    let file_id = refs.next();
    let cmap_id = refs.next();
    let base_name = format!("{}+{}", subset_tag(key, face_use), face.postscript_name);
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_id)
        .base_font(Name(base_name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    let units = f32::from(face.face.units_per_em());
    let to_pdf = |v: f32| v * 1000.0 / units;
    let mut cid = pdf.cid_font(cid_id);
    // CFF outlines (Noto CJK) make a CIDFontType0, whose subset the subsetter writes with each
    // CID equal to its glyph id; TrueType outlines a CIDFontType2 with an identity map.
    cid.subtype(if face.cff {
        CidFontType::Type0
    } else {
        CidFontType::Type2
    })
    .base_font(Name(base_name.as_bytes()))
    .system_info(system_info)
    .font_descriptor(descriptor_id)
    .default_width(1000.0);
    if !face.cff {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let old_ids: Vec<u16> = face_use.remapper.remapped_gids().collect();
    let widths: Vec<f32> = old_ids
        .iter()
        .map(|old| face.advance_em(*old) * 1000.0)
        .collect();
    cid.widths().consecutive(0, widths);
    cid.finish();

    let bbox = face.face.global_bounding_box();
    let mut descriptor = pdf.font_descriptor(descriptor_id);
    descriptor
        .name(Name(base_name.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            to_pdf(f32::from(bbox.x_min)),
            to_pdf(f32::from(bbox.y_min)),
            to_pdf(f32::from(bbox.x_max)),
            to_pdf(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(to_pdf(f32::from(face.face.ascender())))
        .descent(to_pdf(f32::from(face.face.descender())))
        .cap_height(to_pdf(f32::from(
            face.face.capital_height().unwrap_or(face.face.ascender()),
        )))
        .stem_v(80.0);
    if face.cff {
        descriptor.font_file3(file_id);
    } else {
        descriptor.font_file2(file_id);
    }
    descriptor.finish();

    let mut stream = pdf.stream(file_id, &file.compressed);
    stream.filter(Filter::FlateDecode);
    if face.cff {
        stream.pair(Name(b"Subtype"), Name(b"OpenType"));
    } else {
        stream.pair(Name(b"Length1"), file.length as i32);
    }
    stream.finish();

    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Madoguchi-UCS"), system_info);
    for (new, text) in &face_use.texts {
        cmap.pair_with_multiple(*new, text.chars());
    }
    pdf.cmap(cmap_id, &cmap.finish());
    Ok(type0_id)
}

/// Six capital letters naming the subset, as PDF requires; derived from the glyphs so the same
/// packet gives the same file.
fn subset_tag(key: FontKey, face_use: &UsedFace) -> String {
    let mut hash: u32 = 2_166_136_261 ^ key.index() as u32;
    for gid in face_use.remapper.remapped_gids() {
        hash = (hash ^ u32::from(gid)).wrapping_mul(16_777_619);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
        .collect()
}

fn write_image(pdf: &mut Pdf, refs: &mut Refs, image: &RasterImage) -> Ref {
    let id = refs.next();
    let compressed = compress_to_vec_zlib(&image.rgb, 6);
    let mut xobject = pdf.image_xobject(id, &compressed);
    xobject.filter(Filter::FlateDecode);
    xobject.width(image.width as i32);
    xobject.height(image.height as i32);
    xobject.color_space().device_rgb();
    xobject.bits_per_component(8);
    id
}

fn content_stream(page: &Page, used: &BTreeMap<FontKey, UsedFace>) -> Vec<u8> {
    let mut content = Content::new();
    for mark in &page.marks {
        draw(&mut content, mark, used);
    }
    content.finish().to_vec()
}

fn x_pt(x: f32) -> f32 {
    x * MM
}

fn y_pt(y: f32) -> f32 {
    (A4_HEIGHT - y) * MM
}

fn draw(content: &mut Content, mark: &Mark, used: &BTreeMap<FontKey, UsedFace>) {
    match mark {
        Mark::Text {
            x,
            baseline,
            size,
            scale,
            font,
            glyphs,
            shaped,
        } => {
            let Some(face_use) = used.get(font) else {
                return;
            };
            let new_id = |gid: &u16| face_use.remapper.get(*gid).unwrap_or(0);
            if let Some(run) = shaped {
                // Copying gives the run's text back whole, not glyph by glyph (a reordered
                // Devanagari vowel sign, a conjunct of three letters).
                content
                    .begin_marked_content_with_properties(Name(b"Span"))
                    .properties()
                    .actual_text(TextStr(&run.text));
            }
            content.begin_text();
            content.set_font(Name(FONT_NAMES[font.index()]), *size);
            if (*scale - 1.0).abs() > f32::EPSILON {
                content.set_horizontal_scaling(scale * 100.0);
            }
            match shaped {
                None => {
                    let mut encoded = Vec::with_capacity(glyphs.len() * 2);
                    for (gid, _) in glyphs {
                        encoded.extend_from_slice(&new_id(gid).to_be_bytes());
                    }
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x_pt(*x), y_pt(*baseline)]);
                    content.show(Str(&encoded));
                }
                // Each glyph where the shaper put it.
                Some(run) => {
                    for ((gid, _), (dx, dy)) in glyphs.iter().zip(&run.placed) {
                        let (gx, gy) = (x_pt(*x + dx), y_pt(*baseline + dy));
                        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, gx, gy]);
                        content.show(Str(&new_id(gid).to_be_bytes()));
                    }
                }
            }
            content.end_text();
            if shaped.is_some() {
                content.end_marked_content();
            }
        }
        Mark::Line {
            from,
            to,
            width,
            dashed,
        } => {
            content.save_state();
            content.set_line_width(width * MM);
            if *dashed {
                content.set_dash_pattern([2.0, 2.0], 0.0);
            }
            content.move_to(x_pt(from.0), y_pt(from.1));
            content.line_to(x_pt(to.0), y_pt(to.1));
            content.stroke();
            content.restore_state();
        }
        Mark::Rect {
            x,
            y,
            w,
            h,
            stroke,
            fill,
        } => {
            content.save_state();
            if let Some(grey) = fill {
                content.set_fill_gray(*grey);
            }
            if let Some(width) = stroke {
                content.set_line_width(width * MM);
            }
            content.rect(x_pt(*x), y_pt(y + h), w * MM, h * MM);
            match (fill.is_some(), stroke.is_some()) {
                (true, true) => content.fill_nonzero_and_stroke(),
                (true, false) => content.fill_nonzero(),
                _ => content.stroke(),
            };
            content.restore_state();
        }
        Mark::Ellipse {
            cx,
            cy,
            rx,
            ry,
            width,
        } => {
            content.save_state();
            content.set_line_width(width * MM);
            ellipse(content, x_pt(*cx), y_pt(*cy), rx * MM, ry * MM);
            content.stroke();
            content.restore_state();
        }
        Mark::Qr {
            x,
            y,
            size,
            n,
            dark,
        } => qr(content, *x, *y, *size, *n, dark),
        Mark::Image { x, y, w, h, image } => {
            content.save_state();
            content.transform([w * MM, 0.0, 0.0, h * MM, x_pt(*x), y_pt(y + h)]);
            content.x_object(Name(format!("Im{image}").as_bytes()));
            content.restore_state();
        }
    }
}

fn ellipse(content: &mut Content, cx: f32, cy: f32, rx: f32, ry: f32) {
    const K: f32 = 0.552_284_8;
    content.move_to(cx + rx, cy);
    content.cubic_to(cx + rx, cy + K * ry, cx + K * rx, cy + ry, cx, cy + ry);
    content.cubic_to(cx - K * rx, cy + ry, cx - rx, cy + K * ry, cx - rx, cy);
    content.cubic_to(cx - rx, cy - K * ry, cx - K * rx, cy - ry, cx, cy - ry);
    content.cubic_to(cx + K * rx, cy - ry, cx + rx, cy - K * ry, cx + rx, cy);
    content.close_path();
}

/// Dark modules as filled rectangles, one per horizontal run.
fn qr(content: &mut Content, x: f32, y: f32, size: f32, n: usize, dark: &[bool]) {
    let module = size / n as f32;
    content.save_state();
    content.set_fill_gray(0.0);
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if !dark[row * n + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && dark[row * n + col] {
                col += 1;
            }
            let top = y + row as f32 * module;
            content.rect(
                x_pt(x + start as f32 * module),
                y_pt(top + module),
                (col - start) as f32 * module * MM,
                module * MM,
            );
        }
    }
    content.fill_nonzero();
    content.restore_state();
}
