//! Image augmentations on CPU images. Geometric ones record where the crop lies.

pub mod boxes;
mod colour;
mod geometry;
pub mod masks;

pub use colour::{blur, color_jitter, grayscale, solarize};
pub use geometry::{Crop, flip, random_resized_crop};
