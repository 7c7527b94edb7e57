//! The password rule, in one place: identity enforces it, the pages state
//! it (hint, `minlength`, the refusal's sentence).

/// Fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
