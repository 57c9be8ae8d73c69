//! The layout `format` gives small recipes, comment by comment.

use super::format;

/// `src` formatted, which must parse.
fn fmt(src: &str) -> String {
    format(src).expect("parses")
}

#[test]
fn spacing_is_one_canonical_form() {
    assert_eq!(
        fmt("network  b=vit( patch:4,dim :64 ,)\nlet z=sg( b(v) )|>l2norm\nloss l weight 0.5=mse(z,-z*2)\n"),
        "network b = vit(patch: 4, dim: 64)\nlet z = sg(b(v)) |> l2norm\nloss l weight 0.5 = mse(z, -z * 2)\n"
    );
}

#[test]
fn settings_take_a_line_each_and_views_keep_counts_and_pairs() {
    assert_eq!(
        fmt("data { source = scenes(size: 32) batch=64 }\nview a[2], b = crop_pair(image, boxes: boxes)\ntrain {}"),
        "data {\n  source = scenes(size: 32)\n  batch = 64\n}\nview a[2], b = crop_pair(image, boxes: boxes)\ntrain {}\n"
    );
}

#[test]
fn comments_stay_where_they_were_written() {
    let src = "# A recipe.\n\n\n# About data.\ndata {\n  # the source\n  batch = 64 # per step\n}\n\
               view v = image # the image\n  |> flip(p: 0.5)   # mirrored\n# the end\n";
    assert_eq!(
        fmt(src),
        "# A recipe.\n\n# About data.\ndata {\n  # the source\n  batch = 64  # per step\n}\n\
         view v = image  # the image\n  |> flip(p: 0.5)  # mirrored\n# the end\n"
    );
}

#[test]
fn a_hash_in_a_string_is_no_comment() {
    assert_eq!(
        fmt("data { source = image_folder(path: \"a#b\") }"),
        "data {\n  source = image_folder(path: \"a#b\")\n}\n"
    );
}

#[test]
fn line_breaks_before_pipes_and_after_brackets_are_kept() {
    let src = "let s = stack_views(\n    g |> f |> cls,\nl |> f\n |> cls,\n)\nview v = image |> flip(p: 0.5)\n|> blur(p: 1.0)";
    assert_eq!(
        fmt(src),
        "let s = stack_views(\n  g |> f |> cls,\n  l |> f\n    |> cls\n)\nview v = image |> flip(p: 0.5)\n  |> blur(p: 1.0)\n"
    );
}

#[test]
fn a_recipe_that_does_not_parse_is_refused() {
    assert!(format("view v = image |> (").is_err());
}

#[test]
fn a_long_list_wraps_where_its_author_wrapped_it() {
    assert_eq!(
        fmt("let w = vector([1, 2,\n      3, 4])"),
        "let w = vector([1, 2,\n  3, 4])\n"
    );
}
