//! A thin drawing surface over a plotters backend, in logical units.
//!
//! Invariant: charts place everything in logical units (SVG user units); the canvas alone
//! multiplies by the PNG scale and rounds to pixels, so a high-DPI PNG is the same picture
//! with every length, line and type size multiplied, and SVG coordinates are whole numbers
//! written the same way on every run.

use std::fmt::Display;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::element::{Circle, Drawable, PathElement, PointCollection, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, ShapeStyle, TextStyle,
};

use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

use super::font::{faces, Face};
use super::style::{self, FAMILY};

/// A type face and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Font {
    /// Size in logical pixels.
    pub size: f64,
    /// Bold or regular.
    pub bold: bool,
}

impl Font {
    /// A regular face.
    pub fn regular(size: f64) -> Font {
        Font { size, bold: false }
    }

    /// A bold face.
    pub fn bold(size: f64) -> Font {
        Font { size, bold: true }
    }

    /// The height of a line of this text, with leading.
    pub fn line_height(&self) -> f64 {
        (self.size * 1.25).round()
    }
}

/// Horizontal alignment of text at its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The anchor is the left end.
    Left,
    /// The anchor is the middle.
    Centre,
    /// The anchor is the right end.
    Right,
}

/// A line's look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub colour: RGBColor,
    /// Width in logical pixels.
    pub width: f64,
    /// Dash and gap lengths, or `None` for a solid line.
    pub dash: Option<(f64, f64)>,
    /// Opacity (1 = opaque).
    pub opacity: f64,
}

impl Stroke {
    /// A solid opaque line.
    pub fn solid(colour: RGBColor, width: f64) -> Stroke {
        Stroke {
            colour,
            width,
            dash: None,
            opacity: 1.0,
        }
    }

    /// A dashed opaque line.
    pub fn dashed(colour: RGBColor, width: f64) -> Stroke {
        Stroke {
            colour,
            width,
            dash: Some((7.0, 4.0)),
            opacity: 1.0,
        }
    }
}

/// A marker's outline shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerShape {
    /// A circle.
    Circle,
    /// A triangle pointing up (above the limits).
    TriangleUp,
    /// A triangle pointing down (below the limits).
    TriangleDown,
    /// A diamond (the focus force).
    Diamond,
    /// A square.
    Square,
}

/// A marker: shape, size, fill and outline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    /// The shape.
    pub shape: MarkerShape,
    /// Half the marker's height in logical pixels.
    pub radius: f64,
    /// The fill, or `None` for a white (hollow) marker.
    pub fill: Option<RGBColor>,
    /// The outline colour.
    pub outline: RGBColor,
    /// The outline width.
    pub outline_width: f64,
}

/// Where the SVG convention puts the baseline below the top of a line of text, in em
/// (plotters writes `dy="0.76em"`); the PNG path uses the same.
const BASELINE_EM: f64 = 0.76;

/// Plotters' font size is 1.24 times the em (its SVG backend writes `font-size = size / 1.24`).
const SIZE_PER_EM: f64 = 1.24;

/// How text reaches the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMode {
    /// Whole strings (SVG: the viewer lays out the glyphs).
    Strings,
    /// One glyph at a time, placed from the font's metrics, its pixels replayed from a
    /// stamp of it (bitmaps only: a backend that draws text its own way, as SVG does, would not
    /// be asked for pixels by plotters).
    Glyphs,
}

/// A drawing surface: a plotters drawing area and the PNG scale.
pub struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    scale: f64,
    faces: &'static (Face, Face),
    mode: TextMode,
    /// Width in logical pixels.
    pub width: f64,
    /// Height in logical pixels.
    pub height: f64,
}

/// Turns a plotters drawing error into an error with context.
pub fn drawn<T, E: Display>(result: std::result::Result<T, E>) -> Result<T> {
    result.map_err(|e| anyhow!("cannot draw the chart: {e}"))
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    /// A canvas over a whole drawing area of `width` × `height` logical pixels drawn at `scale`.
    ///
    /// # Errors
    ///
    /// When the embedded font cannot be read.
    pub fn new(
        area: &'a DrawingArea<DB, Shift>,
        (width, height): (f64, f64),
        scale: f64,
        mode: TextMode,
    ) -> Result<Self> {
        Ok(Canvas {
            area,
            scale,
            faces: faces()?,
            mode,
            width,
            height,
        })
    }

    fn face(&self, font: Font) -> &'static Face {
        if font.bold {
            &self.faces.1
        } else {
            &self.faces.0
        }
    }

    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    fn pt(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    fn width_px(&self, w: f64) -> u32 {
        ((w * self.scale).round() as u32).max(1)
    }

    fn font_desc(&self, font: Font) -> FontDesc<'static> {
        let face = if font.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FAMILY), font.size * self.scale, face)
    }

    fn text_style(&self, font: Font, colour: RGBColor, align: Align) -> TextStyle<'static> {
        let h = match align {
            Align::Left => HPos::Left,
            Align::Centre => HPos::Center,
            Align::Right => HPos::Right,
        };
        self.font_desc(font)
            .color(&colour)
            .pos(Pos::new(h, VPos::Top))
    }

    /// Fills the whole canvas.
    pub fn fill(&self, colour: RGBColor) -> Result<()> {
        drawn(self.area.fill(&colour))
    }

    /// The width of `text` in logical pixels.
    pub fn text_width(&self, text: &str, font: Font) -> f64 {
        self.face(font).layout(text).1 * font.size / SIZE_PER_EM
    }

    /// Draws one line of text with its top at `y`.
    pub fn text(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: Font,
        colour: RGBColor,
        align: Align,
    ) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        match self.mode {
            TextMode::Strings => {
                let style = self.text_style(font, colour, align);
                drawn(
                    self.area
                        .draw(&Text::new(text.to_string(), self.pt((x, y)), style)),
                )
            }
            TextMode::Glyphs => {
                let width = self.text_width(text, font);
                let left = match align {
                    Align::Left => x,
                    Align::Centre => x - width / 2.0,
                    Align::Right => x - width,
                };
                self.glyphs(text, (left, y), font, colour, FontTransform::None)
            }
        }
    }

    /// Draws one line of text turned a quarter left (reading upwards), with the tops of the
    /// letters at x. `align` is along the reading direction: `Left` starts the text at y (it
    /// runs up from there), `Centre` centres it on y, `Right` ends it at y.
    pub fn text_upwards(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: Font,
        colour: RGBColor,
        align: Align,
    ) -> Result<()> {
        match self.mode {
            TextMode::Strings => {
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Centre => HPos::Center,
                    Align::Right => HPos::Right,
                };
                let style = self
                    .font_desc(font)
                    .color(&colour)
                    .pos(Pos::new(h, VPos::Top))
                    .transform(FontTransform::Rotate270);
                drawn(
                    self.area
                        .draw(&Text::new(text.to_string(), self.pt((x, y)), style)),
                )
            }
            TextMode::Glyphs => {
                let width = self.text_width(text, font);
                let start = match align {
                    Align::Left => y,
                    Align::Centre => y + width / 2.0,
                    Align::Right => y + width,
                };
                self.glyphs(text, (x, start), font, colour, FontTransform::Rotate270)
            }
        }
    }

    /// Draws text glyph by glyph. `start` is the top-left of the line (for upward text, the
    /// bottom-left corner as seen once turned: glyph tops at `start.0`, text starting at
    /// `start.1`). Each glyph is handed to plotters alone at a position that undoes its
    /// rounding (see the `font` module).
    fn glyphs(
        &self,
        text: &str,
        start: (f64, f64),
        font: Font,
        colour: RGBColor,
        turn: FontTransform,
    ) -> Result<()> {
        let face = self.face(font);
        let em = font.size / SIZE_PER_EM * self.scale;
        // ab_glyph scales the hhea height (ascender − descender) to the size it is given.
        let size = em * face.height_units / face.units_per_em;
        let unit = em / face.units_per_em;
        let style = FontDesc::new(
            FontFamily::Name(FAMILY),
            size,
            if font.bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            },
        )
        .color(&colour)
        .pos(Pos::new(HPos::Left, VPos::Top))
        .transform(turn.clone());
        let upwards = matches!(turn, FontTransform::Rotate270);
        let (glyphs, _) = face.layout(text);
        let (x0, y0) = (start.0 * self.scale, start.1 * self.scale);
        let baseline = (BASELINE_EM * em).round();
        let mut buffer = [0u8; 4];
        for (c, glyph, pen) in glyphs {
            let Some([x_min, _, _, y_max]) = face.bounds(glyph) else {
                continue;
            };
            let min_x = (f64::from(x_min) * unit).floor();
            let min_y = (-f64::from(y_max) * unit).floor();
            // Plotters shifts each glyph down by trunc(size / 2 + min_y) and ignores min_x.
            let shift = (size / 2.0 + min_y).trunc();
            let along = (pen * em).round() + min_x;
            let position = if upwards {
                (x0.round() + baseline + min_y - shift, y0.round() - along)
            } else {
                (x0.round() + along, y0.round() + baseline + min_y - shift)
            };
            let glyph_text: &str = c.encode_utf8(&mut buffer);
            let key = StampKey {
                glyph: c,
                size: size.to_bits(),
                bold: font.bold,
                upwards,
                colour: (colour.0, colour.1, colour.2),
            };
            let stamp = Stamp::cached(key, glyph_text, &style)?;
            drawn(self.area.draw(&Stamped {
                at: (position.0 as i32, position.1 as i32),
                stamp: &stamp,
            }))?;
        }
        Ok(())
    }

    /// Splits `text` into lines no wider than `max_width` (words are never broken).
    pub fn wrap(&self, text: &str, font: Font, max_width: f64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.text_width(&candidate, font) > max_width {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Shortens `text` with an ellipsis until it fits `max_width`.
    pub fn fit(&self, text: &str, font: Font, max_width: f64) -> String {
        if self.text_width(text, font) <= max_width {
            return text.to_string();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if self.text_width(&candidate, font) <= max_width {
                return candidate;
            }
        }
        String::new()
    }

    /// Draws a polyline (solid or dashed).
    pub fn line(&self, points: &[(f64, f64)], stroke: Stroke) -> Result<()> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: stroke.colour.mix(stroke.opacity),
            filled: false,
            stroke_width: self.width_px(stroke.width),
        };
        match stroke.dash {
            None => {
                let pixels: Vec<(i32, i32)> = points.iter().map(|p| self.pt(*p)).collect();
                drawn(self.area.draw(&PathElement::new(pixels, style)))
            }
            Some((dash, gap)) => {
                for piece in dash_polyline(points, dash, gap) {
                    let pixels: Vec<(i32, i32)> = piece.iter().map(|p| self.pt(*p)).collect();
                    drawn(self.area.draw(&PathElement::new(pixels, style)))?;
                }
                Ok(())
            }
        }
    }

    /// Fills a polygon.
    pub fn polygon(&self, points: &[(f64, f64)], colour: RGBColor, opacity: f64) -> Result<()> {
        if points.len() < 3 {
            return Ok(());
        }
        let pixels: Vec<(i32, i32)> = points.iter().map(|p| self.pt(*p)).collect();
        drawn(
            self.area
                .draw(&Polygon::new(pixels, colour.mix(opacity).filled())),
        )
    }

    /// Fills a rectangle given two corners.
    pub fn rect(&self, a: (f64, f64), b: (f64, f64), colour: RGBColor, opacity: f64) -> Result<()> {
        drawn(self.area.draw(&Rectangle::new(
            [self.pt(a), self.pt(b)],
            colour.mix(opacity).filled(),
        )))
    }

    /// Outlines a rectangle given two corners.
    pub fn rect_outline(&self, a: (f64, f64), b: (f64, f64), stroke: Stroke) -> Result<()> {
        let points = [a, (b.0, a.1), b, (a.0, b.1), a];
        self.line(&points, stroke)
    }

    /// Draws a ring (a circle outline).
    pub fn ring(&self, centre: (f64, f64), radius: f64, stroke: Stroke) -> Result<()> {
        let style = ShapeStyle {
            color: stroke.colour.mix(stroke.opacity),
            filled: false,
            stroke_width: self.width_px(stroke.width),
        };
        drawn(
            self.area
                .draw(&Circle::new(self.pt(centre), self.px(radius).max(1), style)),
        )
    }

    /// Draws a marker centred on `centre`.
    pub fn marker(&self, centre: (f64, f64), marker: Marker) -> Result<()> {
        let fill = marker.fill.unwrap_or(style::WHITE);
        let outline = Stroke::solid(marker.outline, marker.outline_width);
        match marker.shape {
            MarkerShape::Circle => {
                let radius = self.px(marker.radius).max(1);
                drawn(
                    self.area
                        .draw(&Circle::new(self.pt(centre), radius, fill.filled())),
                )?;
                self.ring(centre, marker.radius, outline)
            }
            shape => {
                let points = marker_outline(shape, centre, marker.radius);
                self.polygon(&points, fill, 1.0)?;
                let mut closed = points.clone();
                closed.push(points[0]);
                self.line(&closed, outline)
            }
        }
    }
}

/// The corners of a polygonal marker. Triangles and diamonds are drawn a little larger than
/// circles of the same radius so that they look the same size.
pub fn marker_outline(shape: MarkerShape, (x, y): (f64, f64), radius: f64) -> Vec<(f64, f64)> {
    match shape {
        MarkerShape::TriangleUp => {
            let r = radius * 1.25;
            vec![
                (x, y - r),
                (x + r * 0.95, y + r * 0.7),
                (x - r * 0.95, y + r * 0.7),
            ]
        }
        MarkerShape::TriangleDown => {
            let r = radius * 1.25;
            vec![
                (x, y + r),
                (x - r * 0.95, y - r * 0.7),
                (x + r * 0.95, y - r * 0.7),
            ]
        }
        MarkerShape::Diamond => {
            let r = radius * 1.3;
            vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
        }
        MarkerShape::Square | MarkerShape::Circle => {
            let r = radius * 0.9;
            vec![
                (x - r, y - r),
                (x + r, y - r),
                (x + r, y + r),
                (x - r, y + r),
            ]
        }
    }
}

/// Cuts a polyline into dashes of length `dash` separated by `gap`, continuing the pattern
/// across vertices.
pub fn dash_polyline(points: &[(f64, f64)], dash: f64, gap: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    if points.len() < 2 || dash <= 0.0 {
        return pieces;
    }
    // Position within the current dash-gap period, and whether we are in a dash.
    let mut drawing = true;
    let mut left = dash;
    let mut current: Vec<(f64, f64)> = vec![points[0]];
    for pair in points.windows(2) {
        let (mut x0, mut y0) = pair[0];
        let (x1, y1) = pair[1];
        let mut length = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        while length > 0.0 {
            let step = left.min(length);
            let t = step / length;
            let (xm, ym) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            if drawing {
                current.push((xm, ym));
            }
            length -= step;
            left -= step;
            x0 = xm;
            y0 = ym;
            if left <= 1e-9 {
                if drawing {
                    pieces.push(std::mem::take(&mut current));
                    left = gap;
                } else {
                    current = vec![(x0, y0)];
                    left = dash;
                }
                drawing = !drawing;
            }
        }
    }
    if drawing && current.len() > 1 {
        pieces.push(current);
    }
    pieces
}

/// Clips a polyline to a rectangle, returning the visible runs (Liang–Barsky per segment).
pub fn clip_polyline(points: &[(f64, f64)], rect: (f64, f64, f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let (left, top, right, bottom) = rect;
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let mut t0 = 0.0_f64;
        let mut t1 = 1.0_f64;
        let mut visible = true;
        for (p, q) in [
            (-dx, x0 - left),
            (dx, right - x0),
            (-dy, y0 - top),
            (dy, bottom - y0),
        ] {
            if p.abs() < 1e-12 {
                if q < 0.0 {
                    visible = false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        if !visible || t0 > t1 {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        let start = (x0 + dx * t0, y0 + dy * t0);
        let end = (x0 + dx * t1, y0 + dy * t1);
        if current.is_empty() || t0 > 0.0 {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current = vec![start];
        }
        current.push(end);
        if t1 < 1.0 {
            runs.push(std::mem::take(&mut current));
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests;

/// What a glyph's pixels depend on besides where it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct StampKey {
    glyph: char,
    /// The type size handed to plotters (its bits).
    size: u64,
    bold: bool,
    upwards: bool,
    colour: (u8, u8, u8),
}

/// A glyph as plotters draws it (its `draw_text` for one character): the pixels its font
/// rasteriser gives, with their colours, and its layout box. Drawing it again replays them,
/// so that each glyph is rasterised once per thread instead of every time it is drawn, with
/// the same pixels.
struct Stamp {
    pixels: Vec<(i32, i32, BackendColor)>,
    layout: ((i32, i32), (i32, i32)),
    anchor: Pos,
    transform: FontTransform,
    alpha_zero: bool,
}

thread_local! {
    /// The glyphs drawn so far on this thread (a run's charts use a few hundred).
    static STAMPS: std::cell::RefCell<std::collections::HashMap<StampKey, std::rc::Rc<Stamp>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl Stamp {
    /// The stamp of `key`: the glyph `text` drawn in `style`, unless this thread has drawn it.
    fn cached(key: StampKey, text: &str, style: &TextStyle) -> Result<std::rc::Rc<Stamp>> {
        if let Some(stamp) = STAMPS.with(|stamps| stamps.borrow().get(&key).cloned()) {
            return Ok(stamp);
        }
        let layout = style
            .layout_box(text)
            .map_err(|e| anyhow!("cannot lay out a glyph: {e:?}"))?;
        let mut pixels = Vec::new();
        style
            .draw(text, (0, 0), |x, y, colour| {
                pixels.push((x, y, colour));
                Ok::<(), std::convert::Infallible>(())
            })
            .map_err(|e| anyhow!("cannot draw a glyph: {e:?}"))?
            .unwrap_or_else(|never| match never {});
        let stamp = std::rc::Rc::new(Stamp {
            pixels,
            layout,
            anchor: style.anchor(),
            transform: BackendTextStyle::transform(style),
            alpha_zero: BackendTextStyle::color(style).alpha == 0.0,
        });
        STAMPS.with(|stamps| stamps.borrow_mut().insert(key, stamp.clone()));
        Ok(stamp)
    }
}

/// A [`Stamp`] placed at a point: drawn exactly as plotters' `draw_text` draws its text.
struct Stamped<'s> {
    at: (i32, i32),
    stamp: &'s Stamp,
}

impl<'a, 's> PointCollection<'a, (i32, i32)> for &'a Stamped<'s> {
    type Point = &'a (i32, i32);
    type IntoIter = std::iter::Once<&'a (i32, i32)>;

    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Stamped<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some(pos) = points.next() else {
            return Ok(());
        };
        let stamp = self.stamp;
        if stamp.alpha_zero {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = stamp.layout;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match stamp.anchor.h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match stamp.anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let (w, h) = backend.get_size();
        for &(x, y, colour) in &stamp.pixels {
            let (x, y) = stamp.transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                backend.draw_pixel((x, y), colour)?;
            }
        }
        Ok(())
    }
}
