//! Image and 3D outputs arrive as base64 `data:` URIs. [`sniff`] decodes one and decides what
//! it is from its bytes (magic numbers), never from the declared type, so a script labelled
//! `image/png` is refused; the platform renders only what passes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::task::{Annotation, Modality};

/// What the bytes of an image or 3D output are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// Binary glTF 2.0.
    Glb,
}

impl MediaKind {
    /// The MIME type the platform serves it as.
    pub fn mime(self) -> &'static str {
        match self {
            MediaKind::Png => "image/png",
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Webp => "image/webp",
            MediaKind::Glb => "model/gltf-binary",
        }
    }
}

/// Why an output's content is not an acceptable image or model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Not a `data:...;base64,` URI.
    #[error("must be a base64 data: URI (data:<type>;base64,<bytes>)")]
    NotDataUri,
    /// The base64 does not decode.
    #[error("the base64 payload does not decode: {0}")]
    Base64(String),
    /// Decoded, but the bytes are no format accepted for the modality.
    #[error("the bytes are not {0} (checked by their content, not the declared type)")]
    Format(&'static str),
    /// A box lies outside the image or is empty.
    #[error("annotation {0:?}: a box must be non-empty and lie within 0..=1000 on both axes")]
    Annotation(String),
    /// Boxes on something that is not an image.
    #[error("annotations are only for image outputs")]
    AnnotationsOnNonImage,
}

/// The decoded bytes of a base64 `data:` URI.
pub fn decode_data_uri(content: &str) -> Result<Vec<u8>, MediaError> {
    let rest = content.strip_prefix("data:").ok_or(MediaError::NotDataUri)?;
    let (meta, payload) = rest.split_once(',').ok_or(MediaError::NotDataUri)?;
    if !meta.to_ascii_lowercase().ends_with(";base64") {
        return Err(MediaError::NotDataUri);
    }
    STANDARD.decode(payload.trim()).map_err(|e| MediaError::Base64(e.to_string()))
}

/// The kind of `bytes`, by magic number.
pub fn kind_of(bytes: &[u8]) -> Option<MediaKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MediaKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaKind::Jpeg)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(MediaKind::Webp)
    } else if bytes.len() >= 12 && &bytes[..4] == b"glTF" && bytes[4..8] == 2u32.to_le_bytes() {
        Some(MediaKind::Glb)
    } else {
        None
    }
}

/// Width and height of a PNG, from its header.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if kind_of(bytes)? != MediaKind::Png || bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

/// Checks an image or 3D output: a base64 `data:` URI whose bytes are a PNG, JPEG or WebP
/// image (for [`Modality::Image`]) or a GLB model (for [`Modality::Model3d`]). Other
/// modalities pass unchecked (`Ok(None)`).
pub fn sniff(modality: Modality, content: &str) -> Result<Option<MediaKind>, MediaError> {
    let want = match modality {
        Modality::Image => "a PNG, JPEG or WebP image",
        Modality::Model3d => "a binary glTF 2.0 (GLB) model",
        Modality::Html | Modality::Text => return Ok(None),
    };
    let kind = kind_of(&decode_data_uri(content)?).ok_or(MediaError::Format(want))?;
    let fits = match modality {
        Modality::Image => kind != MediaKind::Glb,
        _ => kind == MediaKind::Glb,
    };
    if fits { Ok(Some(kind)) } else { Err(MediaError::Format(want)) }
}

/// Checks an output's boxes: only on images, each non-empty and within the image.
pub fn check_annotations(modality: Modality, boxes: &[Annotation]) -> Result<(), MediaError> {
    if boxes.is_empty() {
        return Ok(());
    }
    if modality != Modality::Image {
        return Err(MediaError::AnnotationsOnNonImage);
    }
    for a in boxes {
        let ok = a.w > 0
            && a.h > 0
            && u32::from(a.x) + u32::from(a.w) <= 1000
            && u32::from(a.y) + u32::from(a.h) <= 1000
            && a.label.chars().count() <= 64;
        if !ok {
            return Err(MediaError::Annotation(a.label.chars().take(64).collect()));
        }
    }
    Ok(())
}

/// A base64 `data:` URI of `bytes` with the MIME type of their kind.
pub fn data_uri(kind: MediaKind, bytes: &[u8]) -> String {
    format!("data:{};base64,{}", kind.mime(), STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_decide_not_the_declared_type() {
        let png = data_uri(MediaKind::Png, b"\x89PNG\r\n\x1a\n rest");
        assert_eq!(sniff(Modality::Image, &png), Ok(Some(MediaKind::Png)));
        let lying = format!("data:image/png;base64,{}", STANDARD.encode("<script>x</script>"));
        assert!(matches!(sniff(Modality::Image, &lying), Err(MediaError::Format(_))));
        let glb = [b"glTF".as_slice(), &2u32.to_le_bytes(), &12u32.to_le_bytes()].concat();
        assert_eq!(
            sniff(Modality::Model3d, &data_uri(MediaKind::Glb, &glb)),
            Ok(Some(MediaKind::Glb))
        );
        assert!(sniff(Modality::Image, &data_uri(MediaKind::Glb, &glb)).is_err());
        assert!(sniff(Modality::Model3d, &png).is_err());
        assert_eq!(sniff(Modality::Image, "https://x/y.png"), Err(MediaError::NotDataUri));
        assert!(matches!(
            sniff(Modality::Image, "data:image/png;base64,@@"),
            Err(MediaError::Base64(_))
        ));
        assert_eq!(sniff(Modality::Text, "anything"), Ok(None));
    }

    #[test]
    fn boxes_stay_inside_images() {
        let b = |x, w| Annotation { label: "ball".into(), x, y: 0, w, h: 10 };
        assert!(check_annotations(Modality::Image, &[b(0, 1000)]).is_ok());
        assert!(check_annotations(Modality::Image, &[b(1, 1000)]).is_err());
        assert!(check_annotations(Modality::Image, &[b(0, 0)]).is_err());
        assert!(check_annotations(Modality::Html, &[b(0, 10)]).is_err());
    }
}
