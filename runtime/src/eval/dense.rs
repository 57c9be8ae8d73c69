//! Targets of the dense probe: the class under each cell of a grid over a scene (0 for
//! background, 1 + class for an object), from its instance map.

use crate::data::Scene;
use crate::exec::segments::grid_labels;
use crate::val::SegMap;

/// The class of every cell of a `g`×`g` grid over `scene` (its most frequent class), row-major;
/// `None` for a scene without an instance map.
pub fn cell_classes(scene: &Scene, g: usize) -> Option<Vec<usize>> {
    let (h, w) = (scene.image.h, scene.image.w);
    if scene.segments.len() != h * w || scene.objects.is_empty() {
        return None;
    }
    let data = scene
        .segments
        .iter()
        .map(|id| match *id as usize {
            0 => 0,
            i => scene.objects.get(i - 1).map_or(0, |o| (o.class + 1).min(255) as u8),
        })
        .collect();
    let labels = grid_labels(&SegMap { data, h, w }, g);
    Some(labels.into_iter().map(usize::from).collect())
}
