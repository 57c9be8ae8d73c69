//! A view whose pixels are made later, on the training device (`data.views = "device"`): which
//! of its scene's images it is cut from, the box, and what each photometric op of its pipeline
//! drew, in order. The CPU stage makes every draw as it does for its own views, so both paths
//! show the same crops, flips and colours for a seed, an epoch and an image.

use crate::augment::colour::Jitter;

/// Which of its scene's images a view is cut from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The picture as decoded (a streamed folder's training image).
    Picture,
    /// The scene's square image.
    Image,
}

/// What one photometric op drew for a view; `None` or `false` where it leaves the view as is.
#[derive(Clone, Debug, PartialEq)]
pub enum Photo {
    Jitter(Option<Jitter>),
    Grey(bool),
    /// The blur's normalised kernel, from −radius to radius.
    Blur(Option<Vec<f32>>),
    /// The threshold at and above which values are inverted.
    Solarize(Option<f32>),
}

/// A view to be made on the device.
#[derive(Clone, Debug, PartialEq)]
pub struct Deferred {
    pub source: Source,
    /// The source's channels.
    pub channels: usize,
    /// The box `(y, x, h, w)` in the source's pixels.
    pub bx: (f32, f32, f32, f32),
    /// The side of the square the box is resized to.
    pub size: usize,
    /// Whether the view is mirrored left to right.
    pub mirrored: bool,
    /// Resized by bilinear sampling whatever the box's size, as `box_crops` cuts boxes; else as
    /// `resize_box` resizes, filtered across the source where the box is larger than the square.
    pub sampled: bool,
    /// The photometric ops after the crop, in the pipeline's order.
    pub photo: Vec<Photo>,
}

impl Deferred {
    /// The box `bx` of `source` resized to `size`×`size` as `resize_box` does: not mirrored,
    /// nothing photometric yet.
    pub fn crop(source: Source, channels: usize, bx: (f32, f32, f32, f32), size: usize) -> Deferred {
        Deferred {
            source,
            channels,
            bx,
            size,
            mirrored: false,
            sampled: false,
            photo: vec![],
        }
    }
}
