//! Image augmentations on CPU images. Geometric ones record where the crop lies.

pub mod boxes;
pub mod colour;
mod geometry;
pub mod masks;

pub use geometry::{Crop, draw_box, flip, placed, random_resized_crop};
