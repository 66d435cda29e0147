//! Deterministic placement of point labels so that they do not overlap.
//!
//! Invariant: labels are placed one at a time in the caller's order (most important first);
//! each takes the first candidate position, nearest first, that stays inside the bounds and
//! overlaps no placed label and no marker. A label moved away from its point gets a leader
//! line. The same inputs always give the same positions.

/// An axis-aligned rectangle (left, top, right, bottom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    pub fn at((x, y): (f64, f64), width: f64, height: f64) -> Rect {
        Rect {
            left: x,
            top: y,
            right: x + width,
            bottom: y + height,
        }
    }

    /// A square of half-side `r` around a point.
    pub fn around((x, y): (f64, f64), r: f64) -> Rect {
        Rect {
            left: x - r,
            top: y - r,
            right: x + r,
            bottom: y + r,
        }
    }

    /// The overlapping area of two rectangles (0 when they only touch).
    pub fn overlap(&self, other: &Rect) -> f64 {
        let w = self.right.min(other.right) - self.left.max(other.left);
        let h = self.bottom.min(other.bottom) - self.top.max(other.top);
        if w > 0.0 && h > 0.0 {
            w * h
        } else {
            0.0
        }
    }

    /// Whether `self` lies inside `outer`.
    pub fn inside(&self, outer: &Rect) -> bool {
        self.left >= outer.left
            && self.right <= outer.right
            && self.top >= outer.top
            && self.bottom <= outer.bottom
    }

    /// The centre of the rectangle.
    pub fn centre(&self) -> (f64, f64) {
        (
            (self.left + self.right) / 2.0,
            (self.top + self.bottom) / 2.0,
        )
    }

    /// The distance from the rectangle to a point (0 inside).
    pub fn distance(&self, p: (f64, f64)) -> f64 {
        let (x, y) = self.nearest(p);
        ((x - p.0).powi(2) + (y - p.1).powi(2)).sqrt()
    }

    /// The point of the rectangle nearest to `p`.
    pub fn nearest(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            x.clamp(self.left, self.right),
            y.clamp(self.top, self.bottom),
        )
    }
}

/// A label to place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelRequest {
    /// The point it names.
    pub anchor: (f64, f64),
    /// The label's width.
    pub width: f64,
    /// The label's height.
    pub height: f64,
    /// The marker's half-size: labels keep at least this far from the point.
    pub clearance: f64,
}

/// Where a label went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The label's box.
    pub rect: Rect,
    /// A leader line from near the point to the label, when the label moved away.
    pub leader: Option<((f64, f64), (f64, f64))>,
}

/// Candidate top-left corners for a label, nearest first, and whether each needs a leader.
fn candidates(request: &LabelRequest) -> Vec<((f64, f64), bool)> {
    let (x, y) = request.anchor;
    let (w, h) = (request.width, request.height);
    let mut out = Vec::new();
    for ring in 0..8 {
        let d = request.clearance + 3.0 + ring as f64 * 12.0;
        let diagonal = d * 0.75;
        let leader = ring > 0;
        out.push(((x + d, y - h / 2.0), leader));
        out.push(((x - d - w, y - h / 2.0), leader));
        out.push(((x + diagonal, y - diagonal - h), leader));
        out.push(((x + diagonal, y + diagonal), leader));
        out.push(((x - diagonal - w, y - diagonal - h), leader));
        out.push(((x - diagonal - w, y + diagonal), leader));
        out.push(((x - w / 2.0, y - d - h), leader));
        out.push(((x - w / 2.0, y + d), leader));
        // Stacked positions beside the point, for crowded columns of labels.
        for step in 1..=4 {
            let dy = step as f64 * (h + 2.0);
            out.push(((x + d, y - h / 2.0 - dy), true));
            out.push(((x + d, y - h / 2.0 + dy), true));
            out.push(((x - d - w, y - h / 2.0 - dy), true));
            out.push(((x - d - w, y - h / 2.0 + dy), true));
        }
    }
    out
}

/// Places labels in order. `obstacles` are boxes labels should avoid (markers, fixed text);
/// `bounds` is where labels must stay.
pub fn place(requests: &[LabelRequest], obstacles: &[Rect], bounds: Rect) -> Vec<Placement> {
    place_clear(requests, obstacles, &[], &[], bounds)
}

/// Whether the segment from `a` to `b` passes through `rect`.
fn crosses(rect: &Rect, a: (f64, f64), b: (f64, f64)) -> bool {
    // Liang–Barsky clipping of the segment against the box.
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - rect.left),
        (dx, rect.right - a.0),
        (-dy, a.1 - rect.top),
        (dy, rect.bottom - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// How many of `lines` (polylines) pass through `rect`.
fn crossings(rect: &Rect, lines: &[Vec<(f64, f64)>]) -> usize {
    lines
        .iter()
        .filter(|line| line.windows(2).any(|w| crosses(rect, w[0], w[1])))
        .count()
}

/// [`place`], with boxes a label must not cover (`hard`: a focus marker, counted as a label)
/// and lines it must not be crossed by (`lines`: the funnel's limits and target, in pixels).
/// A crossing costs less than covering a label but more than covering a marker.
pub fn place_clear(
    requests: &[LabelRequest],
    obstacles: &[Rect],
    hard: &[Rect],
    lines: &[Vec<(f64, f64)>],
    bounds: Rect,
) -> Vec<Placement> {
    let mut placed: Vec<Rect> = hard.to_vec();
    let mut out = Vec::with_capacity(requests.len());
    for request in requests {
        let mut best: Option<(f64, Rect, bool)> = None;
        for (index, (corner, leader)) in candidates(request).into_iter().enumerate() {
            let rect = Rect::at(corner, request.width, request.height);
            if !rect.inside(&bounds) {
                continue;
            }
            let label_overlap: f64 = placed.iter().map(|p| p.overlap(&rect)).sum();
            let marker_overlap: f64 = obstacles.iter().map(|o| o.overlap(&rect)).sum();
            // A label nearer to another marker than to its own point may be read as that
            // marker's label.
            let own = rect.distance(request.anchor);
            let ambiguous = obstacles
                .iter()
                .any(|o| rect.distance(o.centre()) + 1.0 < own);
            // Overlapping another label is far worse than covering a marker, which is worse
            // than sitting ambiguously; among equals, nearer candidates (lower index) win.
            let crossed = crossings(&rect, lines);
            let cost = label_overlap * 1_000.0
                + crossed as f64 * 400.0
                + marker_overlap * 10.0
                + if ambiguous { 5.0 } else { 0.0 }
                + index as f64 * 0.01;
            if best.is_none_or(|(c, _, _)| cost < c) {
                best = Some((cost, rect, leader));
            }
            if label_overlap <= 0.0 && crossed == 0 && marker_overlap <= 0.0 && !ambiguous {
                break;
            }
        }
        let (rect, leader) = match best {
            Some((_, rect, leader)) => (rect, leader),
            // Nothing fits inside the bounds: put it to the right, pulled inside.
            None => {
                let mut rect = Rect::at(
                    (
                        request.anchor.0 + request.clearance + 3.0,
                        request.anchor.1 - request.height / 2.0,
                    ),
                    request.width,
                    request.height,
                );
                let dx = (bounds.right - rect.right).min(0.0) + (bounds.left - rect.left).max(0.0);
                let dy = (bounds.bottom - rect.bottom).min(0.0) + (bounds.top - rect.top).max(0.0);
                rect = Rect::at(
                    (rect.left + dx, rect.top + dy),
                    request.width,
                    request.height,
                );
                (rect, true)
            }
        };
        placed.push(rect);
        let leader = leader.then(|| {
            let end = rect.nearest(request.anchor);
            let (dx, dy) = (end.0 - request.anchor.0, end.1 - request.anchor.1);
            let length = (dx * dx + dy * dy).sqrt().max(1e-9);
            let start = (
                request.anchor.0 + dx / length * (request.clearance + 1.0),
                request.anchor.1 + dy / length * (request.clearance + 1.0),
            );
            (start, end)
        });
        out.push(Placement { rect, leader });
    }
    out
}

/// Moves one-dimensional label positions (tops of labels, in any order) apart so that
/// neighbours are at least `gap` apart, keeping their order and staying within [lo, hi]
/// where there is room. Returns the new positions in the input order.
pub fn spread(positions: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|a, b| positions[*a].total_cmp(&positions[*b]).then(a.cmp(b)));
    let mut sorted: Vec<f64> = order.iter().map(|i| positions[*i].max(lo)).collect();
    // Push down from the top, then back up from the bottom if that ran past `hi`.
    for i in 1..sorted.len() {
        sorted[i] = sorted[i].max(sorted[i - 1] + gap);
    }
    if let Some(last) = sorted.last_mut() {
        *last = last.min(hi);
    }
    for i in (0..sorted.len().saturating_sub(1)).rev() {
        sorted[i] = sorted[i].min(sorted[i + 1] - gap);
    }
    let mut out = vec![0.0; positions.len()];
    for (rank, index) in order.iter().enumerate() {
        out[*index] = sorted[rank];
    }
    out
}

#[cfg(test)]
mod tests;
