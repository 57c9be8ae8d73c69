//! The embedded dataset: deterministic procedural scenes of several objects with distinct
//! shapes, colours and textures on textured backgrounds, with boxes, instance masks and labels.

use rayon::prelude::*;

use super::Image;
use crate::rng::Rng;

/// Number of object classes the generator knows.
pub const MAX_CLASSES: usize = 6;

/// One object of a scene.
#[derive(Clone, Debug)]
pub struct Object {
    pub class: usize,
    /// (x0, y0, x1, y1) in pixels.
    pub bbox: [f32; 4],
    pub area: usize,
}

/// A generated scene.
#[derive(Clone, Debug)]
pub struct Scene {
    pub image: Image,
    pub objects: Vec<Object>,
    /// Instance map: 0 = background, i + 1 = object i.
    pub segments: Vec<u8>,
    /// Multi-hot classes present.
    pub labels: Vec<f32>,
    /// Class of the largest visible object (for probes).
    pub label: usize,
    /// The image as decoded, when crops should be taken from it rather than from `image` (a
    /// streamed image folder's training images); crops record their box in `image`'s pixels.
    pub source: Option<Picture>,
}

/// A picture at its own size and aspect ratio, and where it lies in its scene's square image.
#[derive(Clone, Debug)]
pub struct Picture {
    pub image: std::sync::Arc<Image>,
    /// The picture's extent `(y, x, h, w)` in the square's pixels: `(0, 0, size, size)` when
    /// the square is the picture squashed, wider than the square when the square shows its
    /// centre.
    pub extent: [f32; 4],
}

/// How objects are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colours {
    /// Each object gets a random saturated hue: its class shows only in shape and texture, which
    /// is what colour-invariant views are meant to teach.
    Random,
    /// Each class has its own colour: a shortcut a probe reads without any training.
    Class,
}

impl Scene {
    /// A scene from its image, its objects as placed and its instance map (0 = background,
    /// k + 1 = object k, later objects occluding earlier ones): each visible object gets its
    /// area and the tight box of what stays visible, `labels` the classes visible and `label`
    /// the class of the largest object. Hidden objects keep their placed box and area 0.
    pub fn from_instances(image: Image, mut objects: Vec<Object>, segments: Vec<u8>, classes: usize) -> Scene {
        let w = image.w;
        let mut tight = vec![[f32::MAX, f32::MAX, 0.0f32, 0.0f32]; objects.len()];
        for o in objects.iter_mut() {
            o.area = 0;
        }
        for (i, v) in segments.iter().enumerate() {
            if *v > 0 {
                let k = *v as usize - 1;
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                objects[k].area += 1;
                let t = &mut tight[k];
                *t = [t[0].min(x), t[1].min(y), t[2].max(x + 1.0), t[3].max(y + 1.0)];
            }
        }
        for (o, t) in objects.iter_mut().zip(tight) {
            if o.area > 0 {
                o.bbox = t;
            }
        }
        let mut labels = vec![0.0; classes];
        for o in objects.iter().filter(|o| o.area > 0) {
            labels[o.class] = 1.0;
        }
        let label = objects.iter().max_by_key(|o| o.area).map(|o| o.class).unwrap_or(0);
        Scene {
            image,
            objects,
            segments,
            labels,
            label,
            source: None,
        }
    }
}

/// Settings of the generator.
#[derive(Clone, Debug)]
pub struct Scenes {
    pub size: usize,
    pub classes: usize,
    pub objects: (usize, usize),
    pub colours: Colours,
    pub seed: u64,
}

/// Class colours (RGB) and textures; shapes below.
const COLOURS: [[f32; 3]; MAX_CLASSES] = [
    [0.9, 0.2, 0.2],
    [0.2, 0.7, 0.3],
    [0.2, 0.4, 0.9],
    [0.9, 0.8, 0.2],
    [0.7, 0.3, 0.8],
    [0.2, 0.8, 0.8],
];

/// A bright, saturated colour of hue `h` in [0, 1) (HSV with s = 0.75, v = 0.9).
fn saturated(h: f32) -> [f32; 3] {
    let (s, v) = (0.75, 0.9);
    let f = |n: f32| {
        let k = (n + h * 6.0) % 6.0;
        v - v * s * k.min(4.0 - k).clamp(0.0, 1.0)
    };
    [f(5.0), f(3.0), f(1.0)]
}

/// Is (u, v) in [-1, 1]² inside the class's shape?
fn inside(class: usize, u: f32, v: f32) -> bool {
    match class {
        0 => u * u + v * v <= 1.0,                                     // disc
        1 => u.abs() <= 0.85 && v.abs() <= 0.85,                       // square
        2 => (-0.9..=0.9).contains(&v) && u.abs() <= (v + 0.9) * 0.55, // triangle
        3 => {
            let r = u * u + v * v;
            (0.35..=1.0).contains(&r) // ring
        }
        4 => u.abs() <= 0.3 || v.abs() <= 0.3, // cross
        _ => u.abs() + v.abs() <= 1.0,         // diamond
    }
}

/// The class's texture multiplier at pixel (x, y).
fn texture(class: usize, x: f32, y: f32) -> f32 {
    match class {
        0 => 1.0,
        1 => {
            if ((x / 2.0).floor() + (y / 2.0).floor()) as i64 % 2 == 0 {
                1.0
            } else {
                0.6
            }
        }
        2 => 0.8 + 0.2 * (x * 1.5).sin(),
        3 => 1.0,
        4 => 0.75 + 0.25 * ((x + y) * 1.2).sin(),
        _ => {
            if (y as i64) % 3 == 0 {
                0.55
            } else {
                1.0
            }
        }
    }
}

impl Scenes {
    /// Scene `index` of stream `stream` (0 = training, 1 = held out).
    pub fn scene(&self, stream: u64, index: u64) -> Scene {
        let s = self.size;
        let mut rng = Rng::derive(self.seed, stream, index);
        let mut image = Image::new(3, s, s);
        // Background: a dull colour with low-contrast stripes or noise.
        let bg = [rng.range(0.2, 0.6), rng.range(0.2, 0.6), rng.range(0.2, 0.6)];
        let (freq, phase, angle) = (
            rng.range(0.2, 0.9),
            rng.range(0.0, std::f32::consts::TAU),
            rng.range(0.0, std::f32::consts::PI),
        );
        let (ca, sa) = (angle.cos(), angle.sin());
        for y in 0..s {
            for x in 0..s {
                let t = ((x as f32 * ca + y as f32 * sa) * freq + phase).sin() * 0.08;
                for (c, b) in bg.iter().enumerate() {
                    image.set(c, y, x, (b + t + rng.range(-0.04, 0.04)).clamp(0.0, 1.0));
                }
            }
        }
        let mut segments = vec![0u8; s * s];
        let count = self.objects.0 + rng.below(self.objects.1 - self.objects.0 + 1);
        let mut objects: Vec<Object> = vec![];
        for k in 0..count {
            let class = rng.below(self.classes);
            let side = rng.range(0.3, 0.6) * s as f32;
            let cx = rng.range(side / 2.0, s as f32 - side / 2.0);
            let cy = rng.range(side / 2.0, s as f32 - side / 2.0);
            let shade = rng.range(0.85, 1.1);
            // Class colours draw nothing, so their scenes stay as they were before random
            // colours existed.
            let base = match self.colours {
                Colours::Class => COLOURS[class],
                Colours::Random => saturated(rng.f32()),
            };
            let colour = base.map(|v| (v * shade).clamp(0.0, 1.0));
            let (x0, y0) = ((cx - side / 2.0).max(0.0), (cy - side / 2.0).max(0.0));
            let (x1, y1) = ((cx + side / 2.0).min(s as f32), (cy + side / 2.0).min(s as f32));
            for y in y0 as usize..(y1.ceil() as usize).min(s) {
                for x in x0 as usize..(x1.ceil() as usize).min(s) {
                    let u = (x as f32 + 0.5 - cx) / (side / 2.0);
                    let v = (y as f32 + 0.5 - cy) / (side / 2.0);
                    if inside(class, u, v) {
                        let t = texture(class, x as f32, y as f32);
                        for (c, col) in colour.iter().enumerate() {
                            image.set(c, y, x, (col * t).clamp(0.0, 1.0));
                        }
                        segments[y * s + x] = (k + 1) as u8;
                    }
                }
            }
            objects.push(Object {
                class,
                bbox: [x0, y0, x1, y1],
                area: 0,
            });
        }
        Scene::from_instances(image, objects, segments, self.classes)
    }

    /// Scenes `range` of a stream, generated in parallel.
    pub fn many(&self, stream: u64, range: std::ops::Range<u64>) -> Vec<Scene> {
        range.into_par_iter().map(|i| self.scene(stream, i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Scenes;

    fn scenes() -> Scenes {
        Scenes {
            size: 32,
            classes: 6,
            objects: (1, 3),
            colours: super::Colours::Random,
            seed: 7,
        }
    }

    #[test]
    fn scenes_are_deterministic() {
        let a = scenes().scene(0, 5);
        let b = scenes().scene(0, 5);
        assert_eq!(a.image, b.image);
        assert_eq!(a.segments, b.segments);
        assert_ne!(scenes().scene(0, 6).image, a.image);
    }

    #[test]
    fn labels_boxes_and_masks_agree() {
        for i in 0..50 {
            let s = scenes().scene(0, i);
            assert!((1..=3).contains(&s.objects.len()));
            assert_eq!(s.labels[s.label], 1.0);
            for (k, o) in s.objects.iter().enumerate() {
                for y in 0..32 {
                    for x in 0..32 {
                        if s.segments[y * 32 + x] as usize == k + 1 {
                            assert!(x as f32 >= o.bbox[0] && x as f32 + 1.0 <= o.bbox[2]);
                            assert!(y as f32 >= o.bbox[1] && y as f32 + 1.0 <= o.bbox[3]);
                        }
                    }
                }
            }
        }
    }

    /// The colour direction (RGB over its largest channel, so shade and texture cancel) of
    /// every visible object of class 0 in the first scenes.
    fn class_zero_colours(colours: super::Colours) -> Vec<[f32; 3]> {
        let g = super::Scenes { colours, ..scenes() };
        let mut out = vec![];
        for i in 0..60 {
            let s = g.scene(0, i);
            for (k, o) in s.objects.iter().enumerate().filter(|(_, o)| o.class == 0) {
                if let Some(at) = s.segments.iter().position(|v| *v as usize == k + 1) {
                    let px: Vec<f32> = (0..3).map(|c| s.image.data[c * 32 * 32 + at]).collect();
                    let max = px.iter().cloned().fold(0.0, f32::max);
                    out.push([px[0] / max, px[1] / max, px[2] / max]);
                    assert_eq!(o.class, 0);
                }
            }
        }
        out
    }

    fn spread(colours: &[[f32; 3]]) -> f32 {
        let mut most = 0.0f32;
        for a in colours {
            for b in colours {
                most = most.max((0..3).map(|c| (a[c] - b[c]).abs()).sum());
            }
        }
        most
    }

    #[test]
    fn class_colours_are_a_shortcut_and_random_colours_are_not() {
        let fixed = class_zero_colours(super::Colours::Class);
        let random = class_zero_colours(super::Colours::Random);
        assert!(
            fixed.len() > 5 && random.len() > 5,
            "class 0 appears with either colouring"
        );
        assert!(spread(&fixed) < 0.05, "one class, one colour: {fixed:?}");
        assert!(spread(&random) > 1.0, "one class, many colours: {random:?}");
    }

    #[test]
    fn every_class_appears() {
        let mut seen = [false; 6];
        for i in 0..200 {
            seen[scenes().scene(0, i).label] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
