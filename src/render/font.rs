//! Metrics of the embedded DejaVu Sans faces, read from the font files themselves: glyph
//! advances, kerning, and glyph boxes.
//!
//! Why this exists: plotters' ab_glyph text path measures text correctly but, when it draws
//! into a bitmap, drops each glyph's left side bearing and truncates the vertical offset
//! toward zero, so letters sit unevenly ("wi ck", a raised full stop). The PNG path therefore
//! places every glyph itself from these metrics and asks plotters to draw one glyph at a time;
//! SVG text is written whole and laid out by the viewer. Both use these widths for layout.
//!
//! Invariant: only the tables needed for placement are read (`head`, `hhea`, `maxp`, `hmtx`,
//! `cmap`, `loca`, `glyf` headers, `kern` format 0); a malformed font is an error at start-up,
//! never a panic, and a character the font lacks takes glyph 0's metrics.

use std::sync::OnceLock;

use anyhow::{anyhow, bail, Result};

/// One face's metrics.
#[derive(Debug)]
pub struct Face {
    data: &'static [u8],
    /// Font units per em.
    pub units_per_em: f64,
    /// hhea ascender minus descender, the height ab_glyph scales to.
    pub height_units: f64,
    advances: Vec<u16>,
    boxes: Vec<Option<[i16; 4]>>,
    cmap: Cmap,
    kern: Option<(usize, usize)>,
}

#[derive(Debug)]
enum Cmap {
    /// Format 4 subtable offset.
    Format4(usize),
    /// Format 12 subtable offset.
    Format12(usize),
}

fn u16_at(data: &[u8], at: usize) -> Result<u16> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| anyhow!("font data ends early at byte {at}"))
}

fn i16_at(data: &[u8], at: usize) -> Result<i16> {
    Ok(u16_at(data, at)? as i16)
}

fn u32_at(data: &[u8], at: usize) -> Result<u32> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| anyhow!("font data ends early at byte {at}"))
}

fn table(data: &[u8], tag: &[u8; 4]) -> Result<(usize, usize)> {
    let count = u16_at(data, 4)? as usize;
    for i in 0..count {
        let record = 12 + 16 * i;
        if data.get(record..record + 4) == Some(&tag[..]) {
            return Ok((
                u32_at(data, record + 8)? as usize,
                u32_at(data, record + 12)? as usize,
            ));
        }
    }
    bail!(
        "the font has no {:?} table",
        String::from_utf8_lossy(&tag[..])
    )
}

impl Face {
    /// Reads a TrueType font's metrics.
    ///
    /// # Errors
    ///
    /// When a required table is missing or truncated.
    pub fn parse(data: &'static [u8]) -> Result<Face> {
        let (head, _) = table(data, b"head")?;
        let units_per_em = f64::from(u16_at(data, head + 18)?);
        let long_loca = i16_at(data, head + 50)? == 1;
        let (hhea, _) = table(data, b"hhea")?;
        let height_units = f64::from(i16_at(data, hhea + 4)?) - f64::from(i16_at(data, hhea + 6)?);
        let n_metrics = u16_at(data, hhea + 34)? as usize;
        let (maxp, _) = table(data, b"maxp")?;
        let n_glyphs = u16_at(data, maxp + 4)? as usize;
        let (hmtx, _) = table(data, b"hmtx")?;
        let mut advances = Vec::with_capacity(n_glyphs);
        for g in 0..n_glyphs {
            advances.push(u16_at(data, hmtx + 4 * g.min(n_metrics.saturating_sub(1)))?);
        }
        let (loca, _) = table(data, b"loca")?;
        let (glyf, _) = table(data, b"glyf")?;
        let offset = |g: usize| -> Result<usize> {
            Ok(if long_loca {
                u32_at(data, loca + 4 * g)? as usize
            } else {
                2 * u16_at(data, loca + 2 * g)? as usize
            })
        };
        let mut boxes = Vec::with_capacity(n_glyphs);
        for g in 0..n_glyphs {
            let (start, end) = (offset(g)?, offset(g + 1)?);
            boxes.push(if end > start {
                let at = glyf + start;
                Some([
                    i16_at(data, at + 2)?,
                    i16_at(data, at + 4)?,
                    i16_at(data, at + 6)?,
                    i16_at(data, at + 8)?,
                ])
            } else {
                None
            });
        }
        let (cmap_at, _) = table(data, b"cmap")?;
        let mut format4 = None;
        let mut format12 = None;
        for i in 0..u16_at(data, cmap_at + 2)? as usize {
            let record = cmap_at + 4 + 8 * i;
            let platform = u16_at(data, record)?;
            let encoding = u16_at(data, record + 2)?;
            let sub = cmap_at + u32_at(data, record + 4)? as usize;
            match (platform, encoding, u16_at(data, sub)?) {
                (3, 10, 12) | (0, 4, 12) => format12 = Some(sub),
                (3, 1, 4) | (0, 3, 4) => format4 = Some(sub),
                _ => {}
            }
        }
        let cmap = match (format12, format4) {
            (Some(sub), _) => Cmap::Format12(sub),
            (None, Some(sub)) => Cmap::Format4(sub),
            (None, None) => bail!("the font has no Unicode character map"),
        };
        let kern = match table(data, b"kern") {
            Ok((kern, _)) if u16_at(data, kern)? == 0 && u16_at(data, kern + 2)? > 0 => {
                let sub = kern + 4;
                let coverage = u16_at(data, sub + 4)?;
                // Format 0, horizontal kerning values.
                if coverage >> 8 == 0 && coverage & 1 == 1 {
                    Some((sub + 14, u16_at(data, sub + 6)? as usize))
                } else {
                    None
                }
            }
            _ => None,
        };
        Ok(Face {
            data,
            units_per_em,
            height_units,
            advances,
            boxes,
            cmap,
            kern,
        })
    }

    /// The glyph for a character (0 when the font lacks it).
    pub fn glyph(&self, c: char) -> u16 {
        self.lookup(c as u32).unwrap_or(0)
    }

    fn lookup(&self, code: u32) -> Result<u16> {
        let data = self.data;
        match self.cmap {
            Cmap::Format12(sub) => {
                let groups = u32_at(data, sub + 12)? as usize;
                let (mut lo, mut hi) = (0, groups);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let at = sub + 16 + 12 * mid;
                    let (start, end) = (u32_at(data, at)?, u32_at(data, at + 4)?);
                    if code < start {
                        hi = mid;
                    } else if code > end {
                        lo = mid + 1;
                    } else {
                        return Ok((u32_at(data, at + 8)? + code - start) as u16);
                    }
                }
                Ok(0)
            }
            Cmap::Format4(sub) => {
                if code > 0xFFFF {
                    return Ok(0);
                }
                let segments = u16_at(data, sub + 6)? as usize / 2;
                let ends = sub + 14;
                let starts = ends + 2 * segments + 2;
                let deltas = starts + 2 * segments;
                let ranges = deltas + 2 * segments;
                for s in 0..segments {
                    let end = u32::from(u16_at(data, ends + 2 * s)?);
                    if code > end {
                        continue;
                    }
                    let start = u32::from(u16_at(data, starts + 2 * s)?);
                    if code < start {
                        return Ok(0);
                    }
                    let delta = u32::from(u16_at(data, deltas + 2 * s)?);
                    let range = u16_at(data, ranges + 2 * s)? as usize;
                    if range == 0 {
                        return Ok(((code + delta) & 0xFFFF) as u16);
                    }
                    let at = ranges + 2 * s + range + 2 * (code - start) as usize;
                    let glyph = u32::from(u16_at(data, at)?);
                    return Ok(if glyph == 0 {
                        0
                    } else {
                        ((glyph + delta) & 0xFFFF) as u16
                    });
                }
                Ok(0)
            }
        }
    }

    /// A glyph's advance in font units.
    pub fn advance(&self, glyph: u16) -> f64 {
        f64::from(self.advances.get(glyph as usize).copied().unwrap_or(0))
    }

    /// A glyph's box (x_min, y_min, x_max, y_max) in font units; `None` for blank glyphs.
    pub fn bounds(&self, glyph: u16) -> Option<[i16; 4]> {
        self.boxes.get(glyph as usize).copied().flatten()
    }

    /// The kerning between two glyphs in font units (0 when none).
    pub fn kern(&self, left: u16, right: u16) -> f64 {
        let Some((pairs, count)) = self.kern else {
            return 0.0;
        };
        let key = (u32::from(left) << 16) | u32::from(right);
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = pairs + 6 * mid;
            let Ok(found) = u32_at(self.data, at) else {
                return 0.0;
            };
            match found.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return i16_at(self.data, at + 4).map_or(0.0, f64::from);
                }
            }
        }
        0.0
    }

    /// Pen positions of each character of `text` in em, and the total width in em.
    pub fn layout(&self, text: &str) -> (Vec<(char, u16, f64)>, f64) {
        let mut pen = 0.0;
        let mut out = Vec::with_capacity(text.len());
        let mut previous: Option<u16> = None;
        for c in text.chars() {
            let glyph = self.glyph(c);
            if let Some(p) = previous {
                pen += self.kern(p, glyph);
            }
            out.push((c, glyph, pen / self.units_per_em));
            pen += self.advance(glyph);
            previous = Some(glyph);
        }
        (out, pen / self.units_per_em)
    }
}

/// The regular and bold faces, parsed once.
pub fn faces() -> Result<&'static (Face, Face)> {
    static FACES: OnceLock<std::result::Result<(Face, Face), String>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let regular = Face::parse(dejavu::sans::regular()).map_err(|e| format!("{e:#}"))?;
            let bold = Face::parse(dejavu::sans::bold()).map_err(|e| format!("{e:#}"))?;
            Ok((regular, bold))
        })
        .as_ref()
        .map_err(|e| anyhow!("the embedded DejaVu Sans font: {e}"))
}

#[cfg(test)]
mod tests;
