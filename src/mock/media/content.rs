//! Uploaded media content: a base64 data URI, or bare base64 as Veriff's
//! public `js-integration-demo` sends it [3P], decoded to bytes with a content
//! type.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::mock::errors::ApiError;

/// Media contexts the mock accepts: the `context`/`name` enum of the session
/// media page (docs/veriff-api.md, section 4.5 [DOC]). Anything else is 400 code 1402.
pub(crate) const CONTEXTS: [&str; 16] = [
    "document-and-face",
    "document-and-face-pre",
    "document-back",
    "document-back-pre",
    "document-front",
    "document-front-pre",
    "document-front-with-signature",
    "document-front-with-signature-pre",
    "face",
    "face-pre",
    "face-nfc",
    "face-reference",
    "face-cropped",
    "address-front",
    "document-front-face-cropped",
    "registry-face",
];

/// Longest accepted `image.content`, in characters: docs/veriff-api.md, section 4.4 [DOC]
/// "images ≤ 24 MB as base64" (decimal megabytes, data-URI prefix included).
pub(crate) const MAX_CONTENT_CHARS: usize = 24_000_000;

/// The content types a medium may have: the upload formats of
/// docs/veriff-api.md, section 4.4 [DOC] (JPEG, PNG, HEIF/HEIC, WebP, PDF)
/// and the download types of section 4.6 [DOC] (`image/jpg`, WebM videos,
/// JSON NFC data). Content of any other type is refused, so that a download
/// is always typed as Veriff documents it.
const MEDIA_TYPES: [&str; 9] = [
    "image/jpeg",
    "image/jpg",
    "image/png",
    "image/heif",
    "image/heic",
    "image/webp",
    "application/pdf",
    "video/webm",
    "application/json",
];

/// Standard alphabet; padding optional (some clients drop it).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A decoded medium.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub(crate) mimetype: String,
    pub(crate) bytes: Vec<u8>,
}

/// Decodes `image.content`.
///
/// - `data:<type>[;param]*;base64,<data>`: the type is kept (lowercased,
///   parameters dropped); an empty type is sniffed from the bytes. A data URI
///   that is not `;base64`, or whose type is over 255 characters, is 400
///   code 1401.
/// - anything else is taken as bare base64 and its type sniffed from the
///   bytes (JPEG, PNG, WebP, HEIC/HEIF, PDF).
/// - a type, declared or sniffed, that is not one of [`MEDIA_TYPES`]: 400
///   code 1104 (invalid parameters; the code is the mock's choice, the
///   formats are documented).
/// - ASCII whitespace (line breaks of MIME base64) is ignored; padding is
///   optional. Not base64: 400 code 1401. Nothing left after decoding: 400
///   code 1400. Over [`MAX_CONTENT_CHARS`]: 413.
pub(crate) fn decode(content: &str) -> Result<Decoded, ApiError> {
    if content.len() > MAX_CONTENT_CHARS {
        return Err(ApiError::image_too_large());
    }
    let (declared, data) = match split_data_uri(content) {
        Some(parts) => parts?,
        None => (None, content),
    };
    let bytes = decode_base64(data)?;
    if bytes.is_empty() {
        return Err(ApiError::image_data_not_found());
    }
    let mimetype = declared.or_else(|| sniff(&bytes).map(str::to_owned));
    match mimetype {
        Some(mimetype) if MEDIA_TYPES.contains(&mimetype.as_str()) => {
            Ok(Decoded { mimetype, bytes })
        }
        _ => Err(ApiError::unsupported_format()),
    }
}

/// `Some` when `content` is a data URI: its declared type (if any) and its
/// data, or 1401 when it is not a base64 one.
#[allow(clippy::type_complexity)]
fn split_data_uri(content: &str) -> Option<Result<(Option<String>, &str), ApiError>> {
    let scheme = content.get(..5)?;
    if !scheme.eq_ignore_ascii_case("data:") {
        return None;
    }
    let rest = &content[5..];
    let Some((meta, data)) = rest.split_once(',') else {
        return Some(Err(ApiError::image_not_base64()));
    };
    let mut parts = meta.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let is_base64 = meta
        .rsplit(';')
        .next()
        .is_some_and(|last| last.trim().eq_ignore_ascii_case("base64"));
    // RFC 6838 caps type and subtype at 127 characters each.
    if !is_base64 || !meta.contains(';') || media_type.len() > 255 {
        return Some(Err(ApiError::image_not_base64()));
    }
    let declared = (!media_type.is_empty()).then_some(media_type);
    Some(Ok((declared, data)))
}

fn decode_base64(data: &str) -> Result<Vec<u8>, ApiError> {
    let decoded = if data.bytes().any(|byte| byte.is_ascii_whitespace()) {
        let compact: Vec<u8> = data
            .bytes()
            .filter(|byte| !byte.is_ascii_whitespace())
            .collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(data)
    };
    decoded.map_err(|_| ApiError::image_not_base64())
}

/// The content type told by the first bytes of a file.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let brand = bytes.get(4..12);
    Some(if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else if matches!(brand, Some(b"ftypheic" | b"ftypheix")) {
        "image/heic"
    } else if matches!(brand, Some(b"ftypmif1" | b"ftypmsf1" | b"ftypheif")) {
        "image/heif"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_uris_keep_their_declared_type() {
        assert_eq!(
            decode("data:image/PNG;base64,iVBORw0KGgo="),
            Ok(Decoded {
                mimetype: "image/png".into(),
                bytes: b"\x89PNG\r\n\x1a\n".to_vec()
            })
        );
        assert_eq!(
            decode("data:image/jpeg;name=a.jpg;base64,/9j/4A").map(|d| d.mimetype),
            Ok("image/jpeg".into())
        );
        // No declared type: sniffed.
        assert_eq!(
            decode("data:;base64,/9j/4AAQ").map(|d| d.mimetype),
            Ok("image/jpeg".into())
        );
    }

    #[test]
    fn bare_base64_is_sniffed() {
        assert_eq!(
            decode("/9j/4AAQ").map(|d| d.mimetype),
            Ok("image/jpeg".into())
        );
        assert_eq!(
            decode("iVBORw0KGgo").map(|d| d.mimetype),
            Ok("image/png".into())
        );
        assert_eq!(
            decode("JVBERi0xLjQ=").map(|d| d.mimetype),
            Ok("application/pdf".into())
        );
        // MIME line breaks are fine.
        assert_eq!(
            decode("iVBO\r\nRw0KGgo").map(|d| d.bytes),
            Ok(b"\x89PNG\r\n\x1a\n".to_vec())
        );
    }

    #[test]
    fn content_of_an_undocumented_type_is_refused() {
        // "hello": no known format.
        assert_eq!(decode("aGVsbG8="), Err(ApiError::unsupported_format()));
        assert_eq!(
            decode("data:text/plain;base64,aGVsbG8="),
            Err(ApiError::unsupported_format())
        );
        assert_eq!(
            decode("data:image/jpg;base64,aGVsbG8=").map(|d| d.mimetype),
            Ok("image/jpg".into())
        );
    }

    #[test]
    fn bad_content_gets_its_documented_code() {
        for bad in [
            "data:image/jpeg,/9j/4AAQ",
            "data:image/jpeg;base64",
            "data:image/jpeg;base64,not base64!",
            "@@@@",
            "a",
        ] {
            assert_eq!(decode(bad), Err(ApiError::image_not_base64()), "{bad}");
        }
        let long_type = format!("data:image/{};base64,/9j/4AAQ", "x".repeat(300));
        assert_eq!(decode(&long_type), Err(ApiError::image_not_base64()));
        assert_eq!(
            decode("data:image/jpeg;base64,"),
            Err(ApiError::image_data_not_found())
        );
        assert_eq!(
            decode(&"A".repeat(MAX_CONTENT_CHARS + 1)),
            Err(ApiError::image_too_large())
        );
    }

    #[test]
    fn image_signatures_are_recognised() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic"), Some("image/heic"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1"), Some("image/heif"));
        assert_eq!(sniff(b""), None);
    }
}
