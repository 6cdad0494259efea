//! The printed rules (罫線) of a scanned form, found so that the form editor's boxes snap to the
//! cells a supervisor places them in.
//!
//! A rule is a long, thin run of dark pixels: horizontal runs at least [`MIN_RULE_MM`] long on
//! neighbouring pixel rows make one horizontal rule (a rule printed 0.5 mm thick is several rows
//! of a 200 dpi scan), and the same down the columns makes a vertical one. Words are short runs
//! and are left out. Everything is in millimetres from the page's top-left corner.

/// Shorter dark runs are letters, not rules.
pub const MIN_RULE_MM: f64 = 6.0;

/// How close an edge must be to a rule to snap to it.
pub const SNAP_MM: f64 = 2.0;

/// A page as grey pixels (0 black, 255 white), row by row.
#[derive(Clone, Copy, Debug)]
pub struct Raster<'a> {
    pub width: usize,
    pub height: usize,
    pub grey: &'a [u8],
    pub px_per_mm: f64,
}

/// One rule: a horizontal one lies at `at` (its y) from `from` to `to` (x); a vertical one at
/// x = `at` from y = `from` to `to`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub at: f64,
    pub from: f64,
    pub to: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    pub horizontal: Vec<Rule>,
    pub vertical: Vec<Rule>,
}

/// Darker than this is ink (a pale grey table shading is not).
const INK: u8 = 140;

/// The page's rules. A raster whose pixels do not match its size finds none.
pub fn find_rules(raster: &Raster<'_>) -> Rules {
    let (w, h) = (raster.width, raster.height);
    if raster.grey.len() != w * h || raster.px_per_mm <= 0.0 {
        return Rules::default();
    }
    let ink = |x: usize, y: usize| raster.grey[y * w + x] < INK;
    let min_run = (MIN_RULE_MM * raster.px_per_mm).ceil() as usize;
    let to_mm = |px: f64| px / raster.px_per_mm;
    Rules {
        horizontal: runs_to_rules(w, h, min_run, |line, i| ink(i, line))
            .into_iter()
            .map(|r| r.scaled(to_mm))
            .collect(),
        vertical: runs_to_rules(h, w, min_run, ink)
            .into_iter()
            .map(|r| r.scaled(to_mm))
            .collect(),
    }
}

/// A rule being gathered over neighbouring pixel lines, in pixels.
#[derive(Clone, Copy, Debug)]
struct Gathering {
    first_line: usize,
    last_line: usize,
    from: usize,
    to: usize,
}

impl Gathering {
    fn scaled(self, to_mm: impl Fn(f64) -> f64) -> Rule {
        Rule {
            at: to_mm((self.first_line + self.last_line) as f64 / 2.0 + 0.5),
            from: to_mm(self.from as f64),
            to: to_mm(self.to as f64),
        }
    }
}

/// Runs of ink at least `min_run` long along each of `lines` lines of `length` pixels, joined
/// across neighbouring lines where they overlap.
fn runs_to_rules(
    length: usize,
    lines: usize,
    min_run: usize,
    ink: impl Fn(usize, usize) -> bool,
) -> Vec<Gathering> {
    let mut done = Vec::new();
    let mut open: Vec<Gathering> = Vec::new();
    for line in 0..lines {
        let mut next_open = Vec::new();
        let mut i = 0;
        while i < length {
            if !ink(line, i) {
                i += 1;
                continue;
            }
            let start = i;
            while i < length && ink(line, i) {
                i += 1;
            }
            if i - start < min_run {
                continue;
            }
            let joined = open
                .iter()
                .position(|g| g.last_line + 1 == line && g.from < i && start < g.to);
            next_open.push(match joined {
                Some(index) => {
                    let g = open.swap_remove(index);
                    Gathering {
                        last_line: line,
                        from: g.from.min(start),
                        to: g.to.max(i),
                        ..g
                    }
                }
                None => Gathering {
                    first_line: line,
                    last_line: line,
                    from: start,
                    to: i,
                },
            });
        }
        done.append(&mut open);
        open = next_open;
    }
    done.append(&mut open);
    // A filled area (a black bar, a photo) is not a rule: rules are thin.
    let thickest = (min_run / 4).max(1);
    done.retain(|g| g.last_line - g.first_line < thickest);
    done
}

/// `rect` (`[x, y, width, height]`) with each edge moved onto the nearest rule within
/// `tolerance` that runs along it; an edge with none stays where it is, and a box that would
/// become too small keeps its size.
pub fn snap(rect: [f64; 4], rules: &Rules, tolerance: f64) -> [f64; 4] {
    let [x, y, w, h] = rect;
    let nearest = |value: f64, along: (f64, f64), candidates: &[Rule]| {
        candidates
            .iter()
            .filter(|r| (r.at - value).abs() <= tolerance)
            .filter(|r| r.from < along.1 && along.0 < r.to)
            .min_by(|a, b| (a.at - value).abs().total_cmp(&(b.at - value).abs()))
            .map_or(value, |r| r.at)
    };
    let left = nearest(x, (y, y + h), &rules.vertical);
    let right = nearest(x + w, (y, y + h), &rules.vertical);
    let top = nearest(y, (x, x + w), &rules.horizontal);
    let bottom = nearest(y + h, (x, x + w), &rules.horizontal);
    let (x, w) = if right - left >= 1.0 {
        (left, right - left)
    } else {
        (x, w)
    };
    let (y, h) = if bottom - top >= 1.0 {
        (top, bottom - top)
    } else {
        (y, h)
    };
    [x, y, w, h]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page 100 × 60 mm at 8 px/mm with a table: rules at y = 10, 30, 50 mm from x = 10 to
    /// 90, and at x = 10, 50, 90 from y = 10 to 50, 2 px thick; and a word (short strokes).
    fn table() -> (Vec<u8>, usize, usize) {
        let (w, h) = (800, 480);
        let mut grey = vec![255u8; w * h];
        for y_mm in [10, 30, 50] {
            for y in y_mm * 8..y_mm * 8 + 2 {
                for x in 80..720 {
                    grey[y * w + x] = 0;
                }
            }
        }
        for x_mm in [10, 50, 90] {
            for x in x_mm * 8..x_mm * 8 + 2 {
                for y in 80..402 {
                    grey[y * w + x] = 0;
                }
            }
        }
        // 「氏名」-sized strokes: 3 mm long, in the first cell.
        for y in 150..160 {
            for x in 120..144 {
                grey[y * w + x] = 30;
            }
        }
        (grey, w, h)
    }

    fn rules_of_the_table() -> Rules {
        let (grey, width, height) = table();
        find_rules(&Raster {
            width,
            height,
            grey: &grey,
            px_per_mm: 8.0,
        })
    }

    #[test]
    fn the_rules_of_a_table_are_found_and_words_are_not() {
        let rules = rules_of_the_table();
        let ats = |rules: &[Rule]| rules.iter().map(|r| r.at).collect::<Vec<_>>();
        let mut horizontal = ats(&rules.horizontal);
        horizontal.sort_by(f64::total_cmp);
        let mut vertical = ats(&rules.vertical);
        vertical.sort_by(f64::total_cmp);
        for (found, expected) in horizontal.iter().zip([10.0, 30.0, 50.0]) {
            assert!((found - expected).abs() < 0.3, "{horizontal:?}");
        }
        for (found, expected) in vertical.iter().zip([10.0, 50.0, 90.0]) {
            assert!((found - expected).abs() < 0.3, "{vertical:?}");
        }
        assert_eq!(horizontal.len(), 3, "{horizontal:?}");
        assert_eq!(vertical.len(), 3, "{vertical:?}");
        let first = rules.horizontal[0];
        assert!((first.from - 10.0).abs() < 0.3 && (first.to - 90.0).abs() < 0.3);
    }

    #[test]
    fn a_box_dragged_roughly_over_a_cell_snaps_to_it() {
        let rules = rules_of_the_table();
        let snapped = snap([11.2, 9.1, 37.5, 19.6], &rules, SNAP_MM);
        let expected = [10.0, 10.0, 40.0, 20.0];
        for (s, e) in snapped.iter().zip(expected) {
            assert!((s - e).abs() < 0.3, "{snapped:?}");
        }
        // Far from every rule, a box stays as drawn.
        assert_eq!(
            snap([60.0, 36.0, 20.0, 8.0], &rules, SNAP_MM),
            [60.0, 36.0, 20.0, 8.0]
        );
    }

    #[test]
    fn a_solid_block_and_a_mismatched_raster_find_no_rules() {
        let (w, h) = (200, 200);
        let grey = vec![0u8; w * h];
        let raster = Raster {
            width: w,
            height: h,
            grey: &grey,
            px_per_mm: 8.0,
        };
        assert_eq!(find_rules(&raster), Rules::default());
        let short = Raster {
            grey: &grey[..10],
            ..raster
        };
        assert_eq!(find_rules(&short), Rules::default());
    }
}
