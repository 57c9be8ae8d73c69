//! Data sources and batches: images with their boxes, segment maps and labels.

pub mod fashion;
pub mod files;
pub mod folder;
pub mod idx;
pub mod image;
pub mod resize;
pub mod scenes;
pub mod source;
pub mod stream;
pub mod superpixels;
pub mod val_truth;

pub use image::Image;
pub use scenes::{Colours, Scene, Scenes};
pub use source::Dataset;
