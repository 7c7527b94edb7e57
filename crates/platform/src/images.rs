//! Photos (D6): which image formats are taken, recognised by their first
//! bytes rather than by a file name or a declared type, which a phone or a
//! client may get wrong (or lie about).

/// The formats a work order's photos may have: what every browser shows
/// and the service report can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
}

impl PhotoFormat {
    /// Bytes needed to recognise a format.
    pub const SNIFF_BYTES: usize = 12;

    /// The format whose signature `head` (the file's first bytes) starts with.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(&b"WEBP"[..]) {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }
}

/// What a refused photo is told.
pub fn not_a_photo(name: &str) -> String {
    format!("{name} is not a photo: only JPEG, PNG and WebP images are taken")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_bytes() {
        let cases: &[(&[u8], Option<PhotoFormat>)] = &[
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", Some(PhotoFormat::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\r", Some(PhotoFormat::Png)),
            (b"RIFF\x10\0\0\0WEBPVP8 ", Some(PhotoFormat::Webp)),
            (b"RIFF\x10\0\0\0WAVEfmt ", None),
            (b"GIF89a", None),
            (b"%PDF-1.7", None),
            (b"MZ\x90\0", None),
            (b"", None),
            (b"\xFF\xD8", None),
        ];
        for (head, want) in cases {
            assert_eq!(PhotoFormat::sniff(head), *want, "{head:?}");
        }
        assert_eq!(PhotoFormat::Webp.content_type(), "image/webp");
    }
}
