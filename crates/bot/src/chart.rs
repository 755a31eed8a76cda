//! The `/subnet` card's chart: a price line over a filled area, drawn into an RGB raster and
//! encoded as PNG (the `png` crate; no font rendering — the numbers are in the caption).

/// Chart width, pixels.
pub const WIDTH: u32 = 640;
/// Chart height, pixels.
pub const HEIGHT: u32 = 320;

const BACKGROUND: [u8; 3] = [0x0f, 0x14, 0x1a];
const GRID: [u8; 3] = [0x23, 0x2b, 0x35];
const UP: [u8; 3] = [0x22, 0xc5, 0x5e];
const DOWN: [u8; 3] = [0xef, 0x44, 0x44];
const PAD: i64 = 16;

struct Raster {
    px: Vec<u8>,
}

impl Raster {
    fn new() -> Self {
        let mut px = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
        for _ in 0..WIDTH * HEIGHT {
            px.extend_from_slice(&BACKGROUND);
        }
        Self { px }
    }

    fn put(&mut self, x: i64, y: i64, c: [u8; 3], alpha: u16) {
        if x < 0 || y < 0 || x >= i64::from(WIDTH) || y >= i64::from(HEIGHT) {
            return;
        }
        let i = ((y as usize) * WIDTH as usize + x as usize) * 3;
        for (px, &c) in self.px[i..i + 3].iter_mut().zip(&c) {
            *px = ((u16::from(*px) * (256 - alpha) + u16::from(c) * alpha) >> 8) as u8;
        }
    }

    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), c: [u8; 3]) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            for (ox, oy) in [(0, 0), (0, 1), (1, 0)] {
                self.put(x + ox, y + oy, c, 256);
            }
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
}

/// Renders `prices` (oldest first, any unit) as a PNG. Green when the last point is at or above
/// the first, red otherwise. Fewer than two points draw a flat line.
pub fn render(prices: &[u64]) -> Vec<u8> {
    let mut r = Raster::new();
    let (w, h) = (i64::from(WIDTH), i64::from(HEIGHT));
    for i in 1..4 {
        let y = PAD + (h - 2 * PAD) * i / 4;
        for x in PAD..w - PAD {
            r.put(x, y, GRID, 256);
        }
    }
    let series: Vec<u64> = match prices {
        [] => vec![0, 0],
        [p] => vec![*p, *p],
        ps => ps.to_vec(),
    };
    let lo = series.iter().copied().min().unwrap_or(0);
    let hi = series.iter().copied().max().unwrap_or(0);
    let span = (hi - lo).max(1);
    let color = if series.last() >= series.first() { UP } else { DOWN };
    let n = series.len() as i64 - 1;
    let points: Vec<(i64, i64)> = series
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let x = PAD + (w - 2 * PAD) * i as i64 / n;
            let frac = i128::from(p - lo) * i128::from(h - 2 * PAD) / i128::from(span);
            (x, h - PAD - frac as i64)
        })
        .collect();
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        for x in x0..=x1 {
            let y = if x1 == x0 { y0 } else { y0 + (y1 - y0) * (x - x0) / (x1 - x0) };
            for yy in y..h - PAD {
                r.put(x, yy, color, 48);
            }
        }
    }
    for pair in points.windows(2) {
        r.line(pair[0], pair[1], color);
    }
    encode(&r.px)
}

/// Renders signed values (largest first, e.g. share changes) as a diverging bar chart: one bar
/// per value from a zero line, green above and red below, scaled to the largest magnitude.
pub fn render_bars(values: &[i64]) -> Vec<u8> {
    let mut r = Raster::new();
    let (w, h) = (i64::from(WIDTH), i64::from(HEIGHT));
    let mid = h / 2;
    for x in PAD..w - PAD {
        r.put(x, mid, GRID, 256);
    }
    let max = values.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0).max(1);
    let n = i64::try_from(values.len()).unwrap_or(i64::MAX).max(1);
    let slot = ((w - 2 * PAD) / n).max(1);
    let half = i128::from(mid - PAD);
    for (i, &v) in values.iter().enumerate() {
        let x0 = PAD + slot * i64::try_from(i).unwrap_or(0);
        // In i128 so that the scaling of any i64 cannot overflow.
        let len = (i128::from(v.unsigned_abs()) * half / i128::from(max)) as i64;
        let (color, top, bottom) =
            if v >= 0 { (UP, mid - len, mid) } else { (DOWN, mid, mid + len) };
        for x in x0..x0 + (slot - slot / 4).max(1) {
            for y in top..=bottom {
                r.put(x, y, color, 256);
            }
        }
    }
    encode(&r.px)
}

fn encode(px: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Writing into a Vec cannot fail for a buffer of exactly WIDTH × HEIGHT × 3 bytes.
    if let Ok(mut w) = enc.write_header() {
        let _ = w.write_image_data(px);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_decodable_png_of_the_right_size() {
        let png = render(&[100, 120, 90, 150, 140]);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap_or_else(|e| panic!("not a PNG: {e}"));
        let info = reader.info();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    }

    #[test]
    fn bars_render_a_decodable_png_even_at_the_extremes() {
        for values in [&[][..], &[5, -5], &[i64::MAX, i64::MIN, 0]] {
            let png = render_bars(values);
            let reader = png::Decoder::new(std::io::Cursor::new(png))
                .read_info()
                .unwrap_or_else(|e| panic!("not a PNG: {e}"));
            assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        }
    }

    #[test]
    fn empty_and_flat_series_render() {
        assert!(render(&[]).starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(render(&[5]).starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(render(&[u64::MAX, 0]).starts_with(&[0x89, b'P', b'N', b'G']));
    }
}
