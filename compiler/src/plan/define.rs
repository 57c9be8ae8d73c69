//! The macro that turns a list of ops into one struct per op (its input slots and typed
//! parameters, decoded from what a graph node bound) and an enum over them, and the trait the
//! lowering decodes every such enum through.

use super::decode::Args;
use crate::value::Param;

/// An enum of decoded built-ins (ops, view ops, networks, the optimiser, ...).
pub trait Kind: Sized {
    /// Decodes built-in `name`; `None` when it is not of this kind.
    fn decode_kind(name: &str, args: &Args) -> Option<Result<Self, String>>;
    /// Its constant parameters, as the plan's text shows them.
    fn shown_params(&self) -> Vec<(&'static str, Param)>;
}

/// Defines each op's struct and the enum over them, from a list of `registry/declare/` (each
/// field's parameter declaration is the registry's; the plan reads only its name and type).
macro_rules! define_ops {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty = $param:expr),* $(,)? }),* $(,)?) => {
        $(
            #[doc = concat!("`", $name, "`: its inputs' slots and its parameters.")]
            #[derive(Clone, Debug, PartialEq, Serialize)]
            pub struct $Op {
                $(pub $field: $ty),*
            }

            impl $Op {
                // An op without fields (`mask_fill`) reads nothing.
                #[allow(unused_variables)]
                fn decode(args: &Args) -> Result<Self, String> {
                    Ok($Op { $($field: Field::decode(args, stringify!($field))?),* })
                }

                #[allow(unused_mut)]
                fn shown(&self) -> Vec<(&'static str, Param)> {
                    let mut out = vec![];
                    $(if let Some(p) = self.$field.shown() {
                        out.push((stringify!($field), p));
                    })*
                    out
                }
            }
        )*

        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum $Enum {
            $($Op($Op)),*
        }

        impl $Enum {
            /// Every op of this kind, by the name recipes call it.
            pub const NAMES: &[&str] = &[$($name),*];

            /// Decodes built-in `name` from what its graph node bound; `None` when `name` is not
            /// an op of this kind.
            pub fn decode(name: &str, args: &Args) -> Option<Result<Self, String>> {
                Some(match name {
                    $($name => $Op::decode(args).map($Enum::$Op),)*
                    _ => return None,
                })
            }

            /// The name recipes call it by.
            pub fn name(&self) -> &'static str {
                match self {
                    $($Enum::$Op(_) => $name),*
                }
            }

            /// Its constant parameters, as the plan's text shows them.
            pub fn shown(&self) -> Vec<(&'static str, Param)> {
                match self {
                    $($Enum::$Op(op) => op.shown()),*
                }
            }
        }

        /// As written in a recipe: `name(param: value, ...)`.
        impl std::fmt::Display for $Enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let params: Vec<String> = self.shown().iter().map(|(n, p)| format!("{n}: {p}")).collect();
                write!(f, "{}({})", self.name(), params.join(", "))
            }
        }

        impl $crate::plan::define::Kind for $Enum {
            fn decode_kind(name: &str, args: &Args) -> Option<Result<Self, String>> {
                $Enum::decode(name, args)
            }
            fn shown_params(&self) -> Vec<(&'static str, Param)> {
                self.shown()
            }
        }
    };
}
