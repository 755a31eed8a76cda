//! Offline, deterministic image and 3D tasks: scenes drawn into PNGs and models built as GLB
//! files in plain Rust (no image or glTF library), with flaw operators that Dojo's image and
//! 3D subnets meet in practice: a texture swapped or missing, a part missing, a label on the
//! wrong object. The ground truth ranks the outputs by flaw severity as for HTML apps.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::json;

use dojo_core::error::DojoError;
use dojo_core::media::{MediaKind, data_uri};
use dojo_core::task::{
    Annotation, Criteria, Flaw, FlawKind, GroundTruth, Modality, Output, Task, TaskShape,
    derive_seed,
};

// ---- PNG

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An RGBA image as a PNG file. The pixel data is stored (zlib without compression): the
/// images are small, and this keeps the encoder a few lines.
pub fn png_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let row = width as usize * 4;
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for y in 0..height as usize {
        raw.push(0);
        raw.extend_from_slice(&rgba[y * row..(y + 1) * row]);
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(b.len()).unwrap_or(u16::MAX);
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A small RGBA canvas.
#[derive(Debug, Clone)]
pub struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

type Rgb = [u8; 3];

impl Canvas {
    /// A canvas filled with `bg`.
    pub fn new(w: u32, h: u32, bg: Rgb) -> Self {
        let px = (0..w * h).flat_map(|_| [bg[0], bg[1], bg[2], 255]).collect();
        Self { w, h, px }
    }

    fn set(&mut self, x: i32, y: i32, c: Rgb) {
        if x >= 0 && y >= 0 && (x as u32) < self.w && (y as u32) < self.h {
            let i = (y as usize * self.w as usize + x as usize) * 4;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    /// Fills the rectangle at (`x`, `y`) of size `w`×`h`.
    pub fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Rgb) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.set(xx, yy, c);
            }
        }
    }

    /// Fills the disc of radius `r` around (`cx`, `cy`).
    pub fn disc(&mut self, cx: i32, cy: i32, r: i32, c: Rgb) {
        for yy in -r..=r {
            for xx in -r..=r {
                if xx * xx + yy * yy <= r * r {
                    self.set(cx + xx, cy + yy, c);
                }
            }
        }
    }

    /// The canvas as a PNG file.
    pub fn png(&self) -> Vec<u8> {
        png_rgba(self.w, self.h, &self.px)
    }
}

// ---- image tasks: "mark the ball"

const IMG_W: u32 = 240;
const IMG_H: u32 = 160;

/// Where things are in one generated sports picture, in pixels.
#[derive(Debug, Clone, Copy)]
struct Scene {
    player_x: i32,
    ball_x: i32,
    ball_y: i32,
    ball_r: i32,
    shirt: Rgb,
    pitch: Rgb,
}

impl Scene {
    fn random(rng: &mut ChaCha20Rng) -> Scene {
        const SHIRTS: [Rgb; 4] = [[220, 38, 38], [37, 99, 235], [250, 204, 21], [147, 51, 234]];
        let player_x = rng.gen_range(40..100);
        Scene {
            player_x,
            ball_x: player_x + rng.gen_range(50..110),
            ball_y: rng.gen_range(118..134),
            ball_r: rng.gen_range(9..13),
            shirt: SHIRTS[rng.gen_range(0..SHIRTS.len())],
            pitch: [34, rng.gen_range(120..160), 60],
        }
    }

    fn head(&self) -> (i32, i32, i32) {
        (self.player_x, 44, 12)
    }

    /// The picture; the flags are the flaw operators' knobs.
    fn draw(&self, swap_colours: bool, flat_ball: bool, no_ball: bool) -> Vec<u8> {
        let (shirt, pitch) =
            if swap_colours { (self.pitch, self.shirt) } else { (self.shirt, self.pitch) };
        let mut c = Canvas::new(IMG_W, IMG_H, [135, 195, 235]);
        c.rect(0, 90, IMG_W as i32, IMG_H as i32 - 90, pitch);
        for i in 0..6 {
            let stripe = [pitch[0], pitch[1].saturating_add(18), pitch[2]];
            c.rect(i * 44, 90, 22, IMG_H as i32 - 90, stripe);
        }
        let (hx, hy, hr) = self.head();
        c.rect(hx - 14, hy + 10, 28, 40, shirt);
        c.rect(hx - 12, hy + 50, 10, 42, [30, 41, 59]);
        c.rect(hx + 2, hy + 50, 10, 42, [30, 41, 59]);
        c.disc(hx, hy, hr, [234, 179, 140]);
        if !no_ball {
            c.disc(self.ball_x, self.ball_y, self.ball_r, [248, 250, 252]);
            if !flat_ball {
                let r = self.ball_r / 3;
                c.disc(self.ball_x, self.ball_y, r, [15, 23, 42]);
                c.disc(self.ball_x - 2 * r, self.ball_y - r, r - 1, [15, 23, 42]);
                c.disc(self.ball_x + 2 * r, self.ball_y + r, r - 1, [15, 23, 42]);
            } else {
                c.disc(self.ball_x, self.ball_y, self.ball_r, [148, 148, 148]);
            }
        }
        c.png()
    }
}

fn permille(v: i32, of: u32) -> u16 {
    u16::try_from((v.max(0) as u32 * 1000 / of).min(1000)).unwrap_or(1000)
}

fn box_around(label: &str, cx: i32, cy: i32, r: i32, margin: i32) -> Annotation {
    let (x0, y0) = ((cx - r - margin).max(0), (cy - r - margin).max(0));
    let (x1, y1) = ((cx + r + margin).min(IMG_W as i32), (cy + r + margin).min(IMG_H as i32));
    Annotation {
        label: label.into(),
        x: permille(x0, IMG_W),
        y: permille(y0, IMG_H),
        w: permille(x1 - x0, IMG_W).max(1),
        h: permille(y1 - y0, IMG_H).max(1),
    }
}

fn image_output(scene: &Scene, flaw: Option<(FlawKind, u8)>, margin: i32) -> Output {
    let kind = flaw.map(|f| f.0);
    let png = scene.draw(
        kind == Some(FlawKind::SwappedTexture),
        kind == Some(FlawKind::MissingTexture),
        kind == Some(FlawKind::MissingPart),
    );
    let ball = box_around("ball", scene.ball_x, scene.ball_y, scene.ball_r, margin);
    let annotations = match kind {
        Some(FlawKind::WrongLabel) => {
            let (hx, hy, hr) = scene.head();
            vec![box_around("ball", hx, hy, hr, margin)]
        }
        _ => vec![ball],
    };
    let flaws = flaw
        .map(|(k, s)| {
            let description = match k {
                FlawKind::WrongLabel => "the \"ball\" box is on the player's head",
                FlawKind::MissingPart => "the ball is missing from the picture",
                FlawKind::SwappedTexture => "the shirt and the pitch swapped colours",
                _ => "the ball is a flat grey disc without its pattern",
            };
            vec![Flaw { kind: k, severity: s, description: description.into(), interaction: None }]
        })
        .unwrap_or_default();
    Output {
        id: String::new(),
        modality: Modality::Image,
        content: data_uri(MediaKind::Png, &png),
        model: format!("procedural-image/{}", kind.map_or("viable".into(), |k| format!("{k:?}"))),
        flaws,
        interactions: vec![],
        annotations,
    }
}

// ---- 3D tasks: "a small house"

/// Geometry of one part: interleaved attributes kept apart for the buffer.
#[derive(Debug, Default, Clone)]
struct Mesh {
    pos: Vec<[f32; 3]>,
    nrm: Vec<[f32; 3]>,
    uv: Vec<[f32; 2]>,
    idx: Vec<u16>,
}

impl Mesh {
    fn face(&mut self, corners: &[[f32; 3]], uvs: &[[f32; 2]]) {
        let base = u16::try_from(self.pos.len()).unwrap_or(u16::MAX);
        let (a, b, c) = (corners[0], corners[1], corners[2]);
        let (u, v) =
            ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
        let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt().max(1e-6);
        for (p, t) in corners.iter().zip(uvs) {
            self.pos.push(*p);
            self.nrm.push([n[0] / len, n[1] / len, n[2] / len]);
            self.uv.push(*t);
        }
        for i in 1..corners.len() - 1 {
            let i = u16::try_from(i).unwrap_or(0);
            self.idx.extend_from_slice(&[base, base + i, base + i + 1]);
        }
    }

    /// An axis-aligned box from `lo` to `hi`, its texture repeated `rep` times per unit.
    fn cuboid(lo: [f32; 3], hi: [f32; 3], rep: f32) -> Mesh {
        let mut m = Mesh::default();
        let [x0, y0, z0] = lo;
        let [x1, y1, z1] = hi;
        let q = |w: f32, h: f32| [[0.0, 0.0], [w * rep, 0.0], [w * rep, h * rep], [0.0, h * rep]];
        let (dx, dy, dz) = (x1 - x0, y1 - y0, z1 - z0);
        m.face(&[[x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]], &q(dx, dy));
        m.face(&[[x1, y0, z0], [x0, y0, z0], [x0, y1, z0], [x1, y1, z0]], &q(dx, dy));
        m.face(&[[x1, y0, z1], [x1, y0, z0], [x1, y1, z0], [x1, y1, z1]], &q(dz, dy));
        m.face(&[[x0, y0, z0], [x0, y0, z1], [x0, y1, z1], [x0, y1, z0]], &q(dz, dy));
        m.face(&[[x0, y1, z1], [x1, y1, z1], [x1, y1, z0], [x0, y1, z0]], &q(dx, dz));
        m.face(&[[x0, y0, z0], [x1, y0, z0], [x1, y0, z1], [x0, y0, z1]], &q(dx, dz));
        m
    }

    /// A four-sided pyramid roof over the rectangle `lo`–`hi` at height `y`, apex `h` higher.
    fn pyramid(lo: [f32; 2], hi: [f32; 2], y: f32, h: f32, rep: f32) -> Mesh {
        let mut m = Mesh::default();
        let apex = [(lo[0] + hi[0]) / 2.0, y + h, (lo[1] + hi[1]) / 2.0];
        let c = [[lo[0], y, hi[1]], [hi[0], y, hi[1]], [hi[0], y, lo[1]], [lo[0], y, lo[1]]];
        let t = [[0.0, 0.0], [2.0 * rep, 0.0], [rep, 1.5 * rep]];
        for i in 0..4 {
            m.face(&[c[i], c[(i + 1) % 4], apex], &t);
        }
        m
    }
}

/// A texture: rows of bricks or tiles in two colours with mortar lines.
fn tile_texture(face: Rgb, mortar: Rgb, rows: i32, offset: bool) -> Vec<u8> {
    let size = 64;
    let mut c = Canvas::new(size as u32, size as u32, mortar);
    let h = size / rows;
    for r in 0..rows {
        let shift = if offset && r % 2 == 1 { h } else { 0 };
        let mut x = -shift;
        while x < size {
            let shade = if (x / (2 * h) + r) % 2 == 0 { 0 } else { 18 };
            let col = [face[0].saturating_sub(shade), face[1].saturating_sub(shade), face[2]];
            c.rect(x + 1, r * h + 1, 2 * h - 2, h - 2, col);
            x += 2 * h;
        }
    }
    c.png()
}

struct Part {
    name: &'static str,
    mesh: Mesh,
    /// Index into the textures, or `None` for flat grey.
    texture: Option<usize>,
}

/// A GLB (binary glTF 2.0) of `parts`, with `textures` (PNG files) embedded in its buffer.
fn glb(parts: &[Part], textures: &[Vec<u8>]) -> Vec<u8> {
    let mut bin: Vec<u8> = Vec::new();
    let mut views = Vec::new();
    let mut accessors = Vec::new();
    let mut push_view = |bin: &mut Vec<u8>, bytes: &[u8], target: Option<u32>| -> usize {
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        let mut v = json!({ "buffer": 0, "byteOffset": bin.len(), "byteLength": bytes.len() });
        if let Some(t) = target {
            v["target"] = json!(t);
        }
        bin.extend_from_slice(bytes);
        views.push(v);
        views.len() - 1
    };
    let mut meshes = Vec::new();
    let mut materials = Vec::new();
    for p in parts {
        let f3 =
            |v: &[[f32; 3]]| v.iter().flatten().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let f2: Vec<u8> = p.mesh.uv.iter().flatten().flat_map(|x| x.to_le_bytes()).collect();
        let idx: Vec<u8> = p.mesh.idx.iter().flat_map(|x| x.to_le_bytes()).collect();
        let (mut lo, mut hi) = ([f32::MAX; 3], [f32::MIN; 3]);
        for q in &p.mesh.pos {
            for k in 0..3 {
                lo[k] = lo[k].min(q[k]);
                hi[k] = hi[k].max(q[k]);
            }
        }
        let n = p.mesh.pos.len();
        let pv = push_view(&mut bin, &f3(&p.mesh.pos), Some(34_962));
        accessors.push(json!({ "bufferView": pv, "componentType": 5126, "count": n, "type": "VEC3", "min": lo, "max": hi }));
        let nv = push_view(&mut bin, &f3(&p.mesh.nrm), Some(34_962));
        accessors
            .push(json!({ "bufferView": nv, "componentType": 5126, "count": n, "type": "VEC3" }));
        let tv = push_view(&mut bin, &f2, Some(34_962));
        accessors
            .push(json!({ "bufferView": tv, "componentType": 5126, "count": n, "type": "VEC2" }));
        let iv = push_view(&mut bin, &idx, Some(34_963));
        accessors.push(json!({ "bufferView": iv, "componentType": 5123, "count": p.mesh.idx.len(), "type": "SCALAR" }));
        let a = accessors.len() - 4;
        let pbr = match p.texture {
            Some(t) => {
                json!({ "baseColorTexture": { "index": t }, "metallicFactor": 0.0, "roughnessFactor": 0.9 })
            }
            None => {
                json!({ "baseColorFactor": [0.55, 0.55, 0.55, 1.0], "metallicFactor": 0.0, "roughnessFactor": 0.9 })
            }
        };
        materials.push(json!({ "name": p.name, "pbrMetallicRoughness": pbr }));
        meshes.push(json!({ "name": p.name, "primitives": [{
            "attributes": { "POSITION": a, "NORMAL": a + 1, "TEXCOORD_0": a + 2 },
            "indices": a + 3, "material": materials.len() - 1 }] }));
    }
    let images: Vec<_> = textures
        .iter()
        .map(|png| json!({ "bufferView": push_view(&mut bin, png, None), "mimeType": "image/png" }))
        .collect();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let nodes: Vec<_> =
        parts.iter().enumerate().map(|(i, p)| json!({ "name": p.name, "mesh": i })).collect();
    let doc = json!({
        "asset": { "version": "2.0", "generator": "taoplex dojo-gen" },
        "scene": 0,
        "scenes": [{ "nodes": (0..parts.len()).collect::<Vec<_>>() }],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
        "textures": (0..textures.len()).map(|i| json!({ "source": i, "sampler": 0 })).collect::<Vec<_>>(),
        "samplers": [{ "wrapS": 10_497, "wrapT": 10_497 }],
        "images": images,
        "buffers": [{ "byteLength": bin.len() }],
        "bufferViews": views,
        "accessors": accessors,
    });
    let mut text = doc.to_string().into_bytes();
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    let total = 12 + 8 + text.len() + 8 + bin.len();
    let u = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&u(total));
    out.extend_from_slice(&u(text.len()));
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&text);
    out.extend_from_slice(&u(bin.len()));
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}

/// Colours of one viable house.
#[derive(Debug, Clone, Copy)]
struct House {
    brick: Rgb,
    roof: Rgb,
    width: f32,
}

impl House {
    fn random(rng: &mut ChaCha20Rng) -> House {
        House {
            brick: [rng.gen_range(150..190), rng.gen_range(60..90), rng.gen_range(40..60)],
            roof: [rng.gen_range(90..130), rng.gen_range(20..40), rng.gen_range(20..40)],
            width: rng.gen_range(1.6..2.2),
        }
    }

    fn model(&self, flaw: Option<(FlawKind, u8)>) -> Vec<u8> {
        let w = self.width / 2.0;
        let textures = vec![
            tile_texture(self.brick, [214, 211, 200], 8, true),
            tile_texture(self.roof, [60, 20, 20], 6, false),
        ];
        let (mut walls, mut roof, mut chimney) = (Some(0), Some(1), Some(0));
        let (mut has_roof, mut has_chimney) = (true, true);
        match flaw {
            Some((FlawKind::SwappedTexture, _)) => {
                (walls, roof, chimney) = (Some(1), Some(0), Some(1))
            }
            Some((FlawKind::MissingTexture, 1)) => roof = None,
            Some((FlawKind::MissingTexture, _)) => (walls, roof, chimney) = (None, None, None),
            Some((FlawKind::MissingPart, 1)) => has_chimney = false,
            Some((FlawKind::MissingPart, _)) => (has_roof, has_chimney) = (false, false),
            _ => {}
        }
        let mut parts = vec![Part {
            name: "walls",
            mesh: Mesh::cuboid([-w, 0.0, -0.8], [w, 1.2, 0.8], 1.0),
            texture: walls,
        }];
        if has_roof {
            parts.push(Part {
                name: "roof",
                mesh: Mesh::pyramid([-w - 0.15, -0.95], [w + 0.15, 0.95], 1.2, 0.9, 1.0),
                texture: roof,
            });
        }
        if has_chimney {
            parts.push(Part {
                name: "chimney",
                mesh: Mesh::cuboid([w * 0.35, 1.3, -0.2], [w * 0.35 + 0.3, 2.1, 0.1], 2.0),
                texture: chimney,
            });
        }
        glb(&parts, &textures)
    }
}

fn model_output(house: &House, flaw: Option<(FlawKind, u8)>) -> Output {
    let flaws = flaw
        .map(|(k, s)| {
            let description = match (k, s) {
                (FlawKind::SwappedTexture, _) => {
                    "the roof wears the brick texture and the walls the roof tiles"
                }
                (FlawKind::MissingTexture, 1) => "the roof has no texture",
                (FlawKind::MissingTexture, _) => "no part has a texture",
                (FlawKind::MissingPart, 1) => "the chimney is missing",
                _ => "the roof and the chimney are missing",
            };
            vec![Flaw { kind: k, severity: s, description: description.into(), interaction: None }]
        })
        .unwrap_or_default();
    Output {
        id: String::new(),
        modality: Modality::Model3d,
        content: data_uri(MediaKind::Glb, &house.model(flaw)),
        model: format!("procedural-3d/{}", flaw.map_or("viable".into(), |(k, _)| format!("{k:?}"))),
        flaws,
        interactions: vec![],
        annotations: vec![],
    }
}

// ---- the generator

/// Which media a [`MediaGenerator`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaTask {
    /// A sports picture with a "ball" box to check.
    Image,
    /// A textured house model.
    Model3d,
}

/// Generates image or 3D tasks; deterministic: the same seed gives the same task.
#[derive(Debug, Clone)]
pub struct MediaGenerator {
    /// Image or 3D.
    pub kind: MediaTask,
    /// Task shape.
    pub shape: TaskShape,
}

/// The flaw kinds of image outputs.
pub const IMAGE_FLAWS: [FlawKind; 4] = [
    FlawKind::WrongLabel,
    FlawKind::MissingPart,
    FlawKind::SwappedTexture,
    FlawKind::MissingTexture,
];
/// The flaw kinds of 3D outputs.
pub const MODEL_FLAWS: [FlawKind; 3] =
    [FlawKind::SwappedTexture, FlawKind::MissingTexture, FlawKind::MissingPart];

impl MediaGenerator {
    /// Generates the task of `seed`.
    pub fn generate(&self, seed: u64) -> Result<Task, DojoError> {
        let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &["media", self.label()]));
        let severities: Vec<u8> = match self.shape {
            TaskShape::TwoViableTwoFlawed => vec![rng.gen_range(1..=3), rng.gen_range(1..=3)],
            TaskShape::OneOriginalThreeFlawed => vec![1, 2, 3],
        };
        let viable = 4 - severities.len();
        let pool: &[FlawKind] = match self.kind {
            MediaTask::Image => &IMAGE_FLAWS,
            MediaTask::Model3d => &MODEL_FLAWS,
        };
        let mut kinds = pool.to_vec();
        kinds.shuffle(&mut rng);
        let flaws: Vec<(FlawKind, u8)> =
            severities.iter().zip(kinds).map(|(s, k)| (k, *s)).collect();
        let (prompt, mut outputs) = match self.kind {
            MediaTask::Image => {
                let scene = Scene::random(&mut rng);
                let margins: Vec<i32> = (0..4).map(|_| rng.gen_range(2..6)).collect();
                let mut outs: Vec<Output> =
                    (0..viable).map(|i| image_output(&scene, None, margins[i])).collect();
                for (i, f) in flaws.iter().enumerate() {
                    outs.push(image_output(&scene, Some(*f), margins[viable + i]));
                }
                (
                    "A football player next to the ball on a striped pitch. Mark the ball with \
                     a box labelled \"ball\"."
                        .to_string(),
                    outs,
                )
            }
            MediaTask::Model3d => {
                let houses: Vec<House> = (0..viable).map(|_| House::random(&mut rng)).collect();
                let mut outs: Vec<Output> = houses.iter().map(|h| model_output(h, None)).collect();
                for f in &flaws {
                    let base = houses[rng.gen_range(0..houses.len())];
                    outs.push(model_output(&base, Some(*f)));
                }
                (
                    "A small house as a 3D model: brick walls, a red tiled roof and a chimney."
                        .to_string(),
                    outs,
                )
            }
        };
        for (i, o) in outputs.iter_mut().enumerate() {
            o.id = super::output_id(derive_seed(seed, &[self.label()]), i);
        }
        let ground_truth = Some(GroundTruth::from_outputs(&outputs)?);
        Ok(Task {
            id: format!("task-{}-{seed:016x}", self.label()),
            prompt,
            outputs,
            ground_truth,
            criteria: Criteria::default(),
            shape: self.shape,
            seed: Some(seed),
        })
    }

    fn label(&self) -> &'static str {
        match self.kind {
            MediaTask::Image => "image",
            MediaTask::Model3d => "3d",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dojo_core::media::{decode_data_uri, sniff};

    #[test]
    fn png_matches_known_checksums() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let png = png_rgba(1, 1, &[255, 0, 0, 255]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
    }

    #[test]
    fn media_tasks_are_deterministic_sniffable_and_ranked() {
        for kind in [MediaTask::Image, MediaTask::Model3d] {
            for shape in [TaskShape::TwoViableTwoFlawed, TaskShape::OneOriginalThreeFlawed] {
                let g = MediaGenerator { kind, shape };
                let t = g.generate(11).unwrap();
                assert_eq!(t, g.generate(11).unwrap());
                assert_ne!(t, g.generate(12).unwrap());
                let gt = t.ground_truth.as_ref().unwrap();
                for o in &t.outputs {
                    assert!(sniff(o.modality, &o.content).unwrap().is_some(), "{kind:?}");
                    assert_eq!(gt.ranks[&o.id] == 0, o.flaws.is_empty());
                }
                // Flawed outputs differ from every viable one.
                let viable: Vec<_> = t.outputs.iter().filter(|o| o.flaws.is_empty()).collect();
                for o in t.outputs.iter().filter(|o| !o.flaws.is_empty()) {
                    assert!(viable.iter().all(|v| (v.content.clone(), v.annotations.clone())
                        != (o.content.clone(), o.annotations.clone())));
                }
            }
        }
    }

    #[test]
    fn glb_json_describes_its_parts_and_textures() {
        let h = House { brick: [170, 70, 50], roof: [110, 30, 30], width: 2.0 };
        let bytes = h.model(Some((FlawKind::MissingPart, 1)));
        let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let doc: serde_json::Value = serde_json::from_slice(&bytes[20..20 + json_len]).unwrap();
        let names: Vec<&str> =
            doc["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["walls", "roof"]);
        assert_eq!(doc["images"].as_array().unwrap().len(), 2);
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, bytes.len());
        let uri = data_uri(MediaKind::Glb, &bytes);
        assert_eq!(decode_data_uri(&uri).unwrap(), bytes);
    }
}
