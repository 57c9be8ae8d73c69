//! Human-readable forms of types, as used in messages and graph dumps.

use std::fmt;

use super::Ty;

fn times(n: u64) -> String {
    if n == 1 { String::new() } else { format!("{n}× ") }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Image { c, h, w, n } => write!(f, "{}image[{c}×{h}×{w}]", times(*n)),
            Ty::Tokens { len, dim, grid, cls, n } => {
                write!(f, "{}tokens[{len}×{dim}", times(*n))?;
                if let Some((gh, gw)) = grid {
                    write!(f, ", grid {gh}×{gw}")?;
                }
                if *cls {
                    write!(f, ", cls")?;
                }
                write!(f, "]")
            }
            Ty::Vector { dim, n } => write!(f, "{}vector[{dim}]", times(*n)),
            Ty::Matrix { rows, cols, n } => write!(f, "{}matrix[{rows}×{cols}]", times(*n)),
            Ty::Scalar { n } => write!(f, "{}scalar", times(*n)),
            Ty::Mask {
                grid,
                keep: Some(keep),
                n,
            } => {
                write!(f, "{}mask[{}×{}, keep {keep}]", times(*n), grid.0, grid.1)
            }
            Ty::Mask { grid, keep: None, n } => write!(f, "{}mask[{}×{}, keep varies]", times(*n), grid.0, grid.1),
            Ty::Boxes { k } => write!(f, "boxes[{k}]"),
            Ty::Segments { h, w } => write!(f, "segments[{h}×{w}]"),
            Ty::Slots { slots, dim } => write!(f, "slots[{slots}×{dim}]"),
            Ty::Labels { classes } => write!(f, "labels[{classes}]"),
            Ty::Geometry => write!(f, "geometry"),
            Ty::Bank { size, dim } => write!(f, "bank[{size}×{dim}]"),
            Ty::Batch(inner) => write!(f, "batch {inner}"),
            Ty::Across { n, views } => write!(f, "{}across[batch×{views}]", times(*n)),
        }
    }
}
