//! Runtime values read straight from their SCALE bytes by readers compiled from the metadata's
//! types.
//!
//! A [`Reader`] is compiled once per answer from the runtime's type registry: for a partial
//! struct (declared with the crate's `partial_struct!`) it knows, field by field in the
//! runtime's order, which fields to read (found by name, so added or reordered fields change
//! nothing) and how to step over the others; a field the struct needs and the runtime's type
//! lacks fails the compilation, naming every such field. Reading then walks the bytes once
//! without consulting the registry.
//!
//! Why not `scale-decode`'s derive, which keeps the same property: it collects every struct's
//! fields into a map, walks each field two or three times (to find where it ends, then to
//! decode it) and resolves the type of every byte of a byte string or account anew; one
//! `get_all_dynamic_info` answer for 128 subnets took 2.1 ms that way.

use scale_info::{PortableRegistry, Type, TypeDef, TypeDefPrimitive, form::PortableForm};

/// Why a runtime type does not fit the Rust type read from it, or its bytes do not decode.
/// Carries the path of fields to the offending one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", if path.is_empty() { String::new() } else { format!("field `{path}`: ") })]
pub struct LayoutError {
    /// Dotted field path from the outermost value (empty at the top).
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl LayoutError {
    /// An error at the current value.
    pub fn new(reason: impl Into<String>) -> Self {
        Self { path: String::new(), reason: reason.into() }
    }

    /// The same error seen from the struct holding field `field`.
    pub fn at(mut self, field: &str) -> Self {
        self.path =
            if self.path.is_empty() { field.to_string() } else { format!("{field}.{}", self.path) };
        self
    }
}

type Read<T> = dyn Fn(&mut &[u8]) -> Result<T, LayoutError> + Send + Sync;

/// Reads values of one runtime type as `T`; made by [`Layout::reader`].
pub struct Reader<T>(Box<Read<T>>);

impl<T> Reader<T> {
    /// A reader from its function.
    pub fn new(
        read: impl Fn(&mut &[u8]) -> Result<T, LayoutError> + Send + Sync + 'static,
    ) -> Self {
        Self(Box::new(read))
    }

    /// Reads one value from the front of `input`, advancing it past the value.
    pub fn read(&self, input: &mut &[u8]) -> Result<T, LayoutError> {
        (self.0)(input)
    }
}

impl<T> std::fmt::Debug for Reader<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader")
    }
}

/// A Rust type that can be read from a runtime type's SCALE bytes.
pub trait Layout: Sized {
    /// Compiles a reader of runtime type `ty`, or says why the type does not fit.
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError>;

    /// A reader of a sequence of items of runtime type `item` faster than one item at a time,
    /// where this type has one (bytes: one copy).
    fn seq_reader(_types: &PortableRegistry, _item: u32) -> Option<Reader<Vec<Self>>> {
        None
    }
}

fn resolve(types: &PortableRegistry, ty: u32) -> Result<&Type<PortableForm>, LayoutError> {
    types.resolve(ty).ok_or_else(|| LayoutError::new(format!("type {ty} is not in the registry")))
}

/// The type inside single-field wrappers (`AccountId32([u8; 32])`, `NetUid(u16)`, `(T,)`):
/// what leaf values (integers, arrays) are read from.
fn unwrapped(types: &PortableRegistry, mut ty: u32) -> Result<&Type<PortableForm>, LayoutError> {
    // A wrapper chain longer than this is a recursive type, not a newtype.
    for _ in 0..16 {
        let t = resolve(types, ty)?;
        match &t.type_def {
            TypeDef::Composite(c) => match c.fields.as_slice() {
                [only] => ty = only.ty.id,
                _ => return Ok(t),
            },
            TypeDef::Tuple(tuple) => match tuple.fields.as_slice() {
                [only] => ty = only.id,
                _ => return Ok(t),
            },
            _ => return Ok(t),
        }
    }
    Err(LayoutError::new(format!("type {ty} wraps itself")))
}

fn kind(t: &Type<PortableForm>) -> String {
    let path = t.path.segments.join("::");
    let def = match &t.type_def {
        TypeDef::Composite(_) => "a struct".to_string(),
        TypeDef::Variant(_) => "an enum".to_string(),
        TypeDef::Sequence(_) => "a sequence".to_string(),
        TypeDef::Array(a) => format!("an array of {}", a.len),
        TypeDef::Tuple(_) => "a tuple".to_string(),
        TypeDef::Primitive(p) => format!("{p:?}").to_lowercase(),
        TypeDef::Compact(_) => "a compact integer".to_string(),
        TypeDef::BitSequence(_) => "a bit sequence".to_string(),
    };
    if path.is_empty() { def } else { format!("{def} ({path})") }
}

fn mismatch(expected: &str, found: &Type<PortableForm>) -> LayoutError {
    LayoutError::new(format!("expected {expected}, the runtime has {}", kind(found)))
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], LayoutError> {
    if input.len() < n {
        return Err(LayoutError::new(format!(
            "the value ends early: {n} bytes needed, {} left",
            input.len()
        )));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn byte(input: &mut &[u8]) -> Result<u8, LayoutError> {
    let [b] = take(input, 1)? else { return Err(LayoutError::new("the value ends early")) };
    Ok(*b)
}

fn le(bytes: &[u8]) -> u128 {
    bytes.iter().rev().fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
}

/// A SCALE compact integer (up to 128 bits).
fn compact(input: &mut &[u8]) -> Result<u128, LayoutError> {
    let first = byte(input)?;
    // The low two bits say how many bytes hold the value: the first one alone, two, four, or
    // the first byte's upper six bits + 4 more after it.
    match first & 0b11 {
        0 => Ok(u128::from(first >> 2)),
        1 => Ok(((le(take(input, 1)?) << 8) | u128::from(first)) >> 2),
        2 => Ok(((le(take(input, 3)?) << 8) | u128::from(first)) >> 2),
        _ => {
            let n = usize::from(first >> 2) + 4;
            if n > 16 {
                return Err(LayoutError::new(format!("a compact integer of {n} bytes")));
            }
            Ok(le(take(input, n)?))
        }
    }
}

fn length(input: &mut &[u8]) -> Result<usize, LayoutError> {
    let n = compact(input)?;
    usize::try_from(n).map_err(|_| LayoutError::new(format!("a length of {n}")))
}

/// How to step over a value without reading it.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// Always this many bytes.
    Fixed(usize),
    /// A compact integer.
    Compact,
    /// A compact length, then that many items.
    Seq(Box<Shape>),
    /// One after another (struct and tuple fields).
    Items(Vec<Shape>),
    /// This many items of a size that varies.
    Array(usize, Box<Shape>),
    /// A one-byte index, then the fields of that variant (by index; `None`: no such variant).
    Variant(Vec<Option<Shape>>),
    /// A compact bit count, then the bits in stores of this many bytes.
    Bits(usize),
}

/// Nesting deeper than this is a recursive type (a call inside a call), which no value we skip
/// has.
const MAX_DEPTH: usize = 64;

fn primitive_size(p: &TypeDefPrimitive) -> Option<usize> {
    use TypeDefPrimitive as P;
    match p {
        P::Bool | P::U8 | P::I8 => Some(1),
        P::U16 | P::I16 => Some(2),
        P::Char | P::U32 | P::I32 => Some(4),
        P::U64 | P::I64 => Some(8),
        P::U128 | P::I128 => Some(16),
        P::U256 | P::I256 => Some(32),
        P::Str => None,
    }
}

impl Shape {
    /// The shape of runtime type `ty`.
    pub(crate) fn of(types: &PortableRegistry, ty: u32) -> Result<Shape, LayoutError> {
        Self::of_at(types, ty, 0)
    }

    fn of_at(types: &PortableRegistry, ty: u32, depth: usize) -> Result<Shape, LayoutError> {
        if depth > MAX_DEPTH {
            return Err(LayoutError::new(format!("type {ty} nests deeper than {MAX_DEPTH}")));
        }
        let items = |ids: &mut dyn Iterator<Item = u32>| -> Result<Shape, LayoutError> {
            let mut shapes: Vec<Shape> = Vec::new();
            for id in ids {
                match (Self::of_at(types, id, depth + 1)?, shapes.last_mut()) {
                    (Shape::Fixed(n), Some(Shape::Fixed(m))) => *m += n,
                    (shape, _) => shapes.push(shape),
                }
            }
            Ok(match shapes.as_slice() {
                [] => Shape::Fixed(0),
                [Shape::Fixed(n)] => Shape::Fixed(*n),
                _ => Shape::Items(shapes),
            })
        };
        let t = resolve(types, ty)?;
        Ok(match &t.type_def {
            TypeDef::Composite(c) => items(&mut c.fields.iter().map(|f| f.ty.id))?,
            TypeDef::Tuple(t) => items(&mut t.fields.iter().map(|f| f.id))?,
            TypeDef::Variant(v) => {
                let max = v.variants.iter().map(|v| usize::from(v.index)).max().unwrap_or(0);
                let mut by_index: Vec<Option<Shape>> = (0..=max).map(|_| None).collect();
                for variant in &v.variants {
                    let shape = items(&mut variant.fields.iter().map(|f| f.ty.id))?;
                    if let Some(slot) = by_index.get_mut(usize::from(variant.index)) {
                        *slot = Some(shape);
                    }
                }
                Shape::Variant(by_index)
            }
            TypeDef::Sequence(s) => {
                Shape::Seq(Box::new(Self::of_at(types, s.type_param.id, depth + 1)?))
            }
            TypeDef::Array(a) => {
                let len = usize::try_from(a.len).unwrap_or(usize::MAX);
                match Self::of_at(types, a.type_param.id, depth + 1)? {
                    Shape::Fixed(n) => Shape::Fixed(n.checked_mul(len).ok_or_else(|| {
                        LayoutError::new(format!("array type {ty} is too large"))
                    })?),
                    item => Shape::Array(len, Box::new(item)),
                }
            }
            TypeDef::Primitive(p) => match primitive_size(p) {
                Some(n) => Shape::Fixed(n),
                None => Shape::Seq(Box::new(Shape::Fixed(1))),
            },
            TypeDef::Compact(_) => Shape::Compact,
            TypeDef::BitSequence(b) => {
                let store = resolve(types, b.bit_store_type.id)?;
                match &store.type_def {
                    TypeDef::Primitive(p) => Shape::Bits(primitive_size(p).unwrap_or(1)),
                    _ => return Err(mismatch("a primitive bit store", store)),
                }
            }
        })
    }

    /// Steps `input` over one value of this shape.
    pub(crate) fn skip(&self, input: &mut &[u8]) -> Result<(), LayoutError> {
        match self {
            Shape::Fixed(n) => take(input, *n).map(|_| ()),
            Shape::Compact => {
                let first = byte(input)?;
                let more = match first & 0b11 {
                    0 => 0,
                    1 => 1,
                    2 => 3,
                    // Possibly wider than `compact` reads (`Compact<U256>`): only stepped over.
                    _ => usize::from(first >> 2) + 4,
                };
                take(input, more).map(|_| ())
            }
            Shape::Seq(item) => {
                let n = length(input)?;
                if let Shape::Fixed(size) = **item {
                    let bytes = n
                        .checked_mul(size)
                        .ok_or_else(|| LayoutError::new(format!("a sequence of {n} items")))?;
                    return take(input, bytes).map(|_| ());
                }
                (0..n).try_for_each(|_| item.skip(input))
            }
            Shape::Items(items) => items.iter().try_for_each(|s| s.skip(input)),
            Shape::Array(n, item) => (0..*n).try_for_each(|_| item.skip(input)),
            Shape::Variant(by_index) => {
                let index = byte(input)?;
                match by_index.get(usize::from(index)) {
                    Some(Some(fields)) => fields.skip(input),
                    _ => Err(LayoutError::new(format!("no variant has index {index}"))),
                }
            }
            Shape::Bits(store) => {
                let bits = length(input)?;
                let stores = bits.div_ceil(store.saturating_mul(8));
                take(input, stores.saturating_mul(*store)).map(|_| ())
            }
        }
    }
}

/// One field of a partial struct's plan, in the runtime's order.
#[derive(Debug)]
pub(crate) enum Step<S> {
    /// A field the struct names: read it into slot `S`.
    Take(S),
    /// A field it does not: step over it.
    Skip(Shape),
}

impl<S> Step<S> {
    /// A step over the field of type `ty`.
    pub(crate) fn skip(types: &PortableRegistry, ty: u32) -> Result<Self, LayoutError> {
        Shape::of(types, ty).map(Step::Skip)
    }

    /// Steps `input` over the field, when this is a skip; `Some(slot)` when it is to be read.
    #[inline]
    pub(crate) fn run<'s>(&'s self, input: &mut &[u8]) -> Result<Option<&'s S>, LayoutError> {
        match self {
            Step::Take(slot) => Ok(Some(slot)),
            Step::Skip(shape) => shape.skip(input).map(|()| None),
        }
    }
}

/// The named fields of struct type `ty` (name, type id), in the runtime's order.
pub(crate) fn named_fields(
    types: &PortableRegistry,
    ty: u32,
) -> Result<Vec<(Option<&str>, u32)>, LayoutError> {
    let t = resolve(types, ty)?;
    match &t.type_def {
        TypeDef::Composite(c) => {
            Ok(c.fields.iter().map(|f| (f.name.as_deref(), f.ty.id)).collect())
        }
        _ => Err(mismatch("a struct", t)),
    }
}

/// The error of a struct whose runtime type lacks the fields `missing` names.
pub(crate) fn missing_fields(ty: u32, types: &PortableRegistry, missing: &[&str]) -> LayoutError {
    let name = types.resolve(ty).map(|t| t.path.segments.join("::")).unwrap_or_default();
    let fields = missing.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    LayoutError::new(format!("the runtime's {name} has no field {fields}"))
}

/// Declares a partial struct: the fields taoplex reads of a runtime struct type, found by name
/// ([`Layout`] for it; every other field of the runtime's type is stepped over).
macro_rules! partial_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty ),*
        }

        impl $crate::layout::Layout for $name {
            fn reader(
                types: &::scale_info::PortableRegistry,
                ty: u32,
            ) -> ::std::result::Result<$crate::layout::Reader<Self>, $crate::layout::LayoutError> {
                use $crate::layout::{Layout, LayoutError, Reader, Step};
                #[allow(non_camel_case_types)]
                #[derive(Debug)]
                enum Slot { $($field),* }
                struct Readers { $($field: Reader<$ty>),* }
                struct Plan { $($field: ::std::option::Option<Reader<$ty>>),* }
                #[derive(Default)]
                struct Out { $($field: ::std::option::Option<$ty>),* }

                let mut plan = Plan { $($field: None),* };
                let mut steps = ::std::vec::Vec::new();
                for (name, field_ty) in $crate::layout::named_fields(types, ty)? {
                    match name {
                        $(
                            Some(stringify!($field)) if plan.$field.is_none() => {
                                plan.$field = Some(
                                    <$ty as Layout>::reader(types, field_ty)
                                        .map_err(|e| e.at(stringify!($field)))?,
                                );
                                steps.push(Step::Take(Slot::$field));
                            }
                        )*
                        _ => steps.push(Step::skip(types, field_ty)?),
                    }
                }
                let missing: ::std::vec::Vec<&str> =
                    [$((stringify!($field), plan.$field.is_none())),*]
                        .into_iter()
                        .filter_map(|(field, absent)| absent.then_some(field))
                        .collect();
                let readers = match plan {
                    Plan { $($field: Some($field)),* } => Readers { $($field),* },
                    _ => return Err($crate::layout::missing_fields(ty, types, &missing)),
                };
                Ok(Reader::new(move |input| {
                    let mut out = Out::default();
                    for step in &steps {
                        match step.run(input)? {
                            $(
                                Some(Slot::$field) => {
                                    out.$field = Some(
                                        readers.$field.read(input).map_err(|e| e.at(stringify!($field)))?,
                                    );
                                }
                            )*
                            None => {}
                        }
                    }
                    match out {
                        Out { $($field: Some($field)),* } => Ok($name { $($field),* }),
                        _ => Err(LayoutError::new("a field was not read")),
                    }
                }))
            }
        }
    };
}
pub(crate) use partial_struct;

macro_rules! unsigned {
    ($($t:ty $({ $($seq:tt)* })?),*) => {$(
        impl Layout for $t {
            $($($seq)*)?

            fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
                uint_reader(types, ty).map(|read| {
                    Reader::new(move |input| {
                        let v = read(input)?;
                        <$t>::try_from(v).map_err(|_| {
                            LayoutError::new(format!("{v} does not fit {}", stringify!($t)))
                        })
                    })
                })
            }
        }
    )*};
}

unsigned!(
    u8 {
        fn seq_reader(types: &PortableRegistry, item: u32) -> Option<Reader<Vec<Self>>> {
            match unwrapped(types, item).ok()?.type_def {
                TypeDef::Primitive(TypeDefPrimitive::U8) => Some(Reader::new(|input| {
                    let n = length(input)?;
                    take(input, n).map(<[u8]>::to_vec)
                })),
                // Names and symbols of `DynamicInfo` are `Vec<Compact<u8>>`.
                TypeDef::Compact(_) => Some(Reader::new(|input| {
                    let n = length(input)?;
                    let mut out = Vec::with_capacity(n.min(input.len()));
                    for _ in 0..n {
                        let b = compact(input)?;
                        out.push(u8::try_from(b).map_err(|_| {
                            LayoutError::new(format!("{b} does not fit u8"))
                        })?);
                    }
                    Ok(out)
                })),
                _ => None,
            }
        }
    },
    u16,
    u32,
    u64,
    u128
);

type ReadUint = fn(&mut &[u8]) -> Result<u128, LayoutError>;

/// An unsigned integer as `u128`: a primitive (`u8`…`u128`) or a compact, inside any wrappers.
fn uint_reader(types: &PortableRegistry, ty: u32) -> Result<ReadUint, LayoutError> {
    use TypeDefPrimitive as P;
    let t = unwrapped(types, ty)?;
    Ok(match &t.type_def {
        TypeDef::Primitive(P::U8) => |i| take(i, 1).map(le),
        TypeDef::Primitive(P::U16) => |i| take(i, 2).map(le),
        TypeDef::Primitive(P::U32) => |i| take(i, 4).map(le),
        TypeDef::Primitive(P::U64) => |i| take(i, 8).map(le),
        TypeDef::Primitive(P::U128) => |i| take(i, 16).map(le),
        TypeDef::Compact(_) => compact,
        _ => return Err(mismatch("an unsigned integer", t)),
    })
}

impl Layout for i128 {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        use TypeDefPrimitive as P;
        let t = unwrapped(types, ty)?;
        let bytes: usize = match &t.type_def {
            TypeDef::Primitive(P::I8) => 1,
            TypeDef::Primitive(P::I16) => 2,
            TypeDef::Primitive(P::I32) => 4,
            TypeDef::Primitive(P::I64) => 8,
            TypeDef::Primitive(P::I128) => 16,
            _ => return Err(mismatch("a signed integer", t)),
        };
        let shift = 128 - 8 * bytes;
        Ok(Reader::new(move |input| {
            // Sign-extends by shifting the value's top bit to bit 127 and back.
            let raw = le(take(input, bytes)?);
            Ok(i128::from_le_bytes((raw << shift).to_le_bytes()) >> shift)
        }))
    }
}

impl Layout for bool {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        let t = unwrapped(types, ty)?;
        match &t.type_def {
            TypeDef::Primitive(TypeDefPrimitive::Bool) => {
                Ok(Reader::new(|input| match byte(input)? {
                    0 => Ok(false),
                    1 => Ok(true),
                    b => Err(LayoutError::new(format!("{b} is not a bool"))),
                }))
            }
            _ => Err(mismatch("a bool", t)),
        }
    }
}

impl Layout for [u8; 32] {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        let t = unwrapped(types, ty)?;
        let is_byte = |id: u32| {
            matches!(
                resolve(types, id).map(|t| &t.type_def),
                Ok(TypeDef::Primitive(TypeDefPrimitive::U8))
            )
        };
        match &t.type_def {
            TypeDef::Array(a) if a.len == 32 && is_byte(a.type_param.id) => {
                Ok(Reader::new(|input| {
                    let mut out = [0u8; 32];
                    out.copy_from_slice(take(input, 32)?);
                    Ok(out)
                }))
            }
            _ => Err(mismatch("32 bytes", t)),
        }
    }
}

impl<T: Layout + 'static> Layout for Vec<T> {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        let t = unwrapped(types, ty)?;
        let item = match &t.type_def {
            TypeDef::Sequence(s) => s.type_param.id,
            _ => return Err(mismatch("a sequence", t)),
        };
        if let Some(fast) = T::seq_reader(types, item) {
            return Ok(fast);
        }
        let item = T::reader(types, item)?;
        Ok(Reader::new(move |input| {
            let n = length(input)?;
            // Every item takes at least one byte, so a corrupt length cannot over-allocate.
            let mut out = Vec::with_capacity(n.min(input.len()));
            for _ in 0..n {
                out.push(item.read(input)?);
            }
            Ok(out)
        }))
    }
}

impl<T: Layout + 'static> Layout for Option<T> {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        let t = resolve(types, ty)?;
        let TypeDef::Variant(v) = &t.type_def else { return Err(mismatch("an Option", t)) };
        let none = v.variants.iter().find(|v| v.name == "None" && v.fields.is_empty());
        let some = v.variants.iter().find(|v| v.name == "Some");
        let (Some(none), Some(some)) = (none, some) else { return Err(mismatch("an Option", t)) };
        let [field] = some.fields.as_slice() else { return Err(mismatch("an Option", t)) };
        let (none, some_index, inner) = (none.index, some.index, T::reader(types, field.ty.id)?);
        Ok(Reader::new(move |input| match byte(input)? {
            i if i == none => Ok(None),
            i if i == some_index => inner.read(input).map(Some),
            i => Err(LayoutError::new(format!("{i} is neither None nor Some"))),
        }))
    }
}

impl<A: Layout + 'static, B: Layout + 'static> Layout for (A, B) {
    fn reader(types: &PortableRegistry, ty: u32) -> Result<Reader<Self>, LayoutError> {
        let t = resolve(types, ty)?;
        let ids: Vec<u32> = match &t.type_def {
            TypeDef::Tuple(t) => t.fields.iter().map(|f| f.id).collect(),
            TypeDef::Composite(c) => c.fields.iter().map(|f| f.ty.id).collect(),
            _ => return Err(mismatch("a pair", t)),
        };
        let [a, b] = ids.as_slice() else { return Err(mismatch("a pair", t)) };
        let (a, b) = (A::reader(types, *a)?, B::reader(types, *b)?);
        Ok(Reader::new(move |input| Ok((a.read(input)?, b.read(input)?))))
    }
}

#[cfg(test)]
mod tests {
    use parity_scale_codec::{Compact, Encode};
    use scale_info::TypeInfo;

    use super::*;

    /// The registry holding `T` and `T`'s id in it.
    fn registry<T: TypeInfo + 'static>() -> (PortableRegistry, u32) {
        let mut registry = scale_info::Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<T>()).id;
        (registry.into(), id)
    }

    fn read<T: Layout, R: TypeInfo + Encode + 'static>(value: &R) -> Result<T, LayoutError> {
        let (types, ty) = registry::<R>();
        let bytes = value.encode();
        let mut input = bytes.as_slice();
        let out = T::reader(&types, ty)?.read(&mut input)?;
        assert!(input.is_empty(), "{} bytes left over", input.len());
        Ok(out)
    }

    /// What an older runtime had.
    #[derive(TypeInfo, Encode)]
    struct Before {
        netuid: u16,
        #[codec(compact)]
        tao_in: u64,
        name: Vec<u8>,
    }

    /// A later runtime: fields added before, between and after, and reordered, of every kind
    /// a skip has to step over.
    #[derive(TypeInfo, Encode)]
    struct After {
        pending: Vec<(u32, Option<String>)>,
        name: Vec<Compact<u8>>,
        flags: [Option<u16>; 2],
        tao_in: u128,
        kind: Kind,
        netuid: u16,
        totals: Vec<Compact<u128>>,
    }

    #[derive(TypeInfo, Encode)]
    enum Kind {
        #[allow(dead_code)]
        Plain,
        Weighted {
            weight: u64,
            curve: Vec<u8>,
        },
    }

    partial_struct! {
        #[derive(Debug, PartialEq)]
        struct Subnet {
            netuid: u16,
            tao_in: u64,
            name: Vec<u8>,
        }
    }

    partial_struct! {
        /// Needs fields `Before` lacks: only ever refused.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct WantsMore {
            netuid: u16,
            alpha_in: u64,
            owner: [u8; 32],
        }
    }

    #[test]
    fn a_partial_struct_reads_its_fields_by_name_whatever_the_runtime_adds_or_reorders() {
        let want = Subnet { netuid: 7, tao_in: 1_000_000_000, name: b"apex".to_vec() };
        let before = Before { netuid: 7, tao_in: 1_000_000_000, name: b"apex".to_vec() };
        assert_eq!(read::<Subnet, _>(&before).unwrap(), want);
        let after = After {
            pending: vec![(1, Some("x".into())), (2, None)],
            name: b"apex".iter().map(|b| Compact(*b)).collect(),
            flags: [Some(3), None],
            tao_in: 1_000_000_000,
            kind: Kind::Weighted { weight: 5, curve: vec![1, 2, 3] },
            netuid: 7,
            totals: vec![Compact(u128::MAX), Compact(0)],
        };
        assert_eq!(read::<Subnet, _>(&after).unwrap(), want);
    }

    #[test]
    fn fields_the_runtime_lacks_or_changed_are_named() {
        let before = Before { netuid: 7, tao_in: 1, name: vec![] };
        let err = read::<WantsMore, _>(&before).unwrap_err();
        assert!(err.reason.ends_with("has no field `alpha_in`, `owner`"), "{err}");

        partial_struct! {
            #[derive(Debug)]
            #[allow(dead_code)]
            struct NameAsNumber {
                name: u64,
            }
        }
        let err = read::<NameAsNumber, _>(&before).unwrap_err();
        assert_eq!(err.path, "name");
        assert!(err.to_string().starts_with("field `name`: expected an unsigned integer"), "{err}");
    }

    #[test]
    fn integers_too_wide_for_their_field_and_truncated_values_are_errors() {
        #[derive(TypeInfo, Encode)]
        struct Wide {
            netuid: u64,
            tao_in: u64,
            name: Vec<u8>,
        }
        let err = read::<Subnet, _>(&Wide { netuid: 70_000, tao_in: 0, name: vec![] }).unwrap_err();
        assert_eq!((err.path.as_str(), err.reason.as_str()), ("netuid", "70000 does not fit u16"));

        let (types, ty) = registry::<Before>();
        let bytes = Before { netuid: 7, tao_in: 1, name: b"apex".to_vec() }.encode();
        let reader = Subnet::reader(&types, ty).unwrap();
        for cut in 0..bytes.len() {
            let mut input = &bytes[..cut];
            assert!(reader.read(&mut input).is_err(), "{cut} of {} bytes", bytes.len());
        }
    }

    #[test]
    fn compact_integers_round_trip_at_every_mode_boundary() {
        let edges = [
            0u128,
            63,
            64,
            16_383,
            16_384,
            (1 << 30) - 1,
            1 << 30,
            u128::from(u32::MAX),
            u128::from(u64::MAX),
            u128::MAX,
        ];
        for n in edges {
            assert_eq!(read::<u128, _>(&Compact(n)).unwrap(), n);
            // And stepped over: the next field lands where it should.
            assert_eq!(read::<(u128, u8), _>(&(Compact(n), 9u8)).unwrap(), (n, 9));
            let (types, ty) = registry::<Compact<u128>>();
            let bytes = Compact(n).encode();
            let mut input = bytes.as_slice();
            Shape::of(&types, ty).unwrap().skip(&mut input).unwrap();
            assert!(input.is_empty());
        }
    }

    #[test]
    fn signed_integers_are_sign_extended_and_options_follow_the_variant_index() {
        assert_eq!(read::<i128, _>(&-5i32).unwrap(), -5);
        assert_eq!(read::<i128, _>(&i64::MIN).unwrap(), i128::from(i64::MIN));
        assert_eq!(read::<i128, _>(&i128::MAX).unwrap(), i128::MAX);
        assert_eq!(read::<Option<u16>, _>(&Some(3u16)).unwrap(), Some(3));
        assert_eq!(read::<Option<u16>, _>(&None::<u16>).unwrap(), None);
        assert!(read::<bool, _>(&true).unwrap());
    }
}
