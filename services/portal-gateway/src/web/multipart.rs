//! Multipart forms (new request, comment, attachments; pages and API),
//! read as a stream with every limit enforced while reading: on the pages
//! the CSRF field must come first and is checked before anything else is
//! read; text fields, their count, files and their count are capped as the
//! bytes arrive; files go to an anonymous temporary file, never whole into
//! memory.
use std::io::SeekFrom;

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use axum::http::StatusCode;
use axum::response::Response;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::problem::Problem;
use crate::state::AppState;
use crate::web::csrf::{self, Form};
use crate::web::ctx::Ctx;

/// Files one form may carry.
pub const MAX_FILES: usize = 10;
/// A text field (a description, a comment) is never longer.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Text fields in one form.
pub const MAX_FIELDS: usize = 40;

/// The most a multipart route reads: every file a little past its limit
/// (drained, to answer 413 cleanly) and every text field.
pub fn body_limit(max_file_bytes: usize) -> usize {
    (MAX_FILES + 1) * (max_file_bytes + 64 * 1024) + MAX_FIELDS * MAX_FIELD_BYTES
}

/// The most a route publishing one document reads: its file and the
/// text fields, so a 2 GB body is cut off at the limit, not read through.
pub fn document_body_limit(max_file_bytes: usize) -> usize {
    max_file_bytes + 64 * 1024 + MAX_FIELDS * MAX_FIELD_BYTES
}

/// One file of a multipart form, spooled to disk.
pub struct Upload {
    /// The form field it came in.
    pub field: String,
    pub name: String,
    pub content_type: String,
    pub too_large: bool,
    pub len: usize,
    spool: Option<tokio::fs::File>,
}

impl Upload {
    /// The whole content, for a file read in the gateway itself (an import
    /// to parse); the permit of `slots` (held until the caller is done)
    /// bounds how many are in memory at once. Files for documents stream
    /// instead (`pieces`).
    pub async fn bytes(self, slots: &Semaphore) -> std::io::Result<(Vec<u8>, SemaphorePermit<'_>)> {
        let permit = slots
            .acquire()
            .await
            .map_err(|_| std::io::Error::other("upload slots closed"))?;
        let mut content = Vec::with_capacity(self.len);
        if let Some(mut f) = self.spool {
            f.seek(SeekFrom::Start(0)).await?;
            f.read_to_end(&mut content).await?;
        }
        Ok((content, permit))
    }
}

impl Upload {
    /// Up to the first `n` bytes (to recognise a format); the file stays
    /// as it was for [`Upload::bytes`].
    pub async fn head(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        let mut head = vec![0; n.min(self.len)];
        if let Some(f) = self.spool.as_mut() {
            f.seek(SeekFrom::Start(0)).await?;
            f.read_exact(&mut head).await?;
        }
        Ok(head)
    }
}

impl Upload {
    /// The spooled file as pieces of at most `piece` bytes, read as they
    /// are sent: only a piece at a time is in memory. A read error ends
    /// the stream with `Err`.
    pub fn pieces(
        self,
        piece: usize,
    ) -> impl futures::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
        let file = self.spool;
        futures::stream::unfold((file, false), move |(file, rewound)| async move {
            let mut f = file?;
            if !rewound && let Err(e) = f.seek(SeekFrom::Start(0)).await {
                return Some((Err(e), (None, true)));
            }
            let mut buf = vec![0; piece];
            match f.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(buf), (Some(f), true)))
                }
                Err(e) => Some((Err(e), (None, true))),
            }
        })
    }
}

impl Upload {
    /// The API's answer to a file that passed `max_bytes` while it was read.
    pub fn refuse_if_too_large(&self, max_bytes: usize) -> Result<(), Problem> {
        if !self.too_large {
            return Ok(());
        }
        Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!("{} is larger than the {max_bytes} byte limit", self.name),
        ))
    }

    /// `first` (a header), then the file a piece at a time as `piece`
    /// wraps it: what documents' client-streaming uploads take. A read
    /// error gives `piece(None)`, a part with nothing in it, which
    /// documents refuses: a file cut short is never stored as whole.
    pub fn after<T: Send + 'static>(
        self,
        first: T,
        piece: impl Fn(Option<Vec<u8>>) -> T + Send + 'static,
    ) -> impl futures::Stream<Item = T> + Send + 'static {
        use futures::StreamExt;
        let rest = self
            .pieces(crate::routes::publish::PIECE_BYTES)
            .map(move |p| piece(p.ok()));
        futures::stream::once(async move { first }).chain(rest)
    }
}

/// A multipart form whose CSRF field was checked: text fields and files.
pub struct MultipartForm {
    pub fields: Form,
    pub files: Vec<Upload>,
}

/// Why a form was refused, before or while it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Csrf,
    Malformed,
    FieldTooLong,
    TooManyFields,
    TooManyFiles,
    BodyTooLarge,
}

impl Refusal {
    fn page(self, ctx: &Ctx) -> Response {
        match self {
            Self::Csrf => ctx.fail(StatusCode::FORBIDDEN, "error-csrf"),
            Self::Malformed | Self::TooManyFields => {
                ctx.fail(StatusCode::BAD_REQUEST, "error-invalid")
            }
            Self::FieldTooLong => ctx.fail(StatusCode::PAYLOAD_TOO_LARGE, "error-invalid"),
            Self::TooManyFiles => ctx.fail(StatusCode::BAD_REQUEST, "error-too-many-files"),
            Self::BodyTooLarge => ctx.fail(StatusCode::PAYLOAD_TOO_LARGE, "error-file-too-large"),
        }
    }
}

impl From<Refusal> for Problem {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Csrf | Refusal::Malformed => Problem::invalid("a malformed multipart body"),
            Refusal::FieldTooLong => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                format!("a text field is longer than {MAX_FIELD_BYTES} bytes"),
            ),
            Refusal::TooManyFields => {
                Problem::invalid(format!("more than {MAX_FIELDS} text fields"))
            }
            Refusal::TooManyFiles => Problem::invalid(format!("more than {MAX_FILES} files")),
            Refusal::BodyTooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "the body is larger than the files it may carry",
            ),
        }
    }
}

/// Reads a page's multipart form; a file over the size limit is drained
/// and marked, so the answer can say which.
pub async fn read(ctx: &Ctx, multipart: Multipart) -> Result<MultipartForm, Response> {
    read_limited(
        Some(ctx.csrf.as_str()),
        ctx.state.max_upload_bytes,
        multipart,
    )
    .await
    .map_err(|r| r.page(ctx))
}

/// Reads a page's multipart form whose files may be up to `max_file_bytes`
/// (a published document).
pub async fn read_up_to(
    ctx: &Ctx,
    max_file_bytes: usize,
    multipart: Multipart,
) -> Result<MultipartForm, Response> {
    read_limited(Some(ctx.csrf.as_str()), max_file_bytes, multipart)
        .await
        .map_err(|r| r.page(ctx))
}

/// Reads an API multipart body whose files may be up to `max_file_bytes`.
pub async fn read_api_up_to(
    max_file_bytes: usize,
    multipart: Multipart,
) -> Result<MultipartForm, Problem> {
    Ok(read_limited(None, max_file_bytes, multipart).await?)
}

/// Reads an API multipart body (a bearer token, no CSRF field) with the
/// same limits.
pub async fn read_api(state: &AppState, multipart: Multipart) -> Result<MultipartForm, Problem> {
    Ok(read_limited(None, state.max_upload_bytes, multipart).await?)
}

async fn read_limited(
    csrf_cookie: Option<&str>,
    max_file_bytes: usize,
    mut multipart: Multipart,
) -> Result<MultipartForm, Refusal> {
    let mut fields = Vec::new();
    if let Some(cookie) = csrf_cookie {
        // The pages put the token first; nothing else is read until it matches.
        let first = next(&mut multipart).await?.ok_or(Refusal::Csrf)?;
        if first.name() != Some(csrf::FIELD) {
            return Err(Refusal::Csrf);
        }
        let token = text(first, 256).await.map_err(|_| Refusal::Csrf)?;
        if !csrf::matches(Some(cookie), Some(&token)) {
            return Err(Refusal::Csrf);
        }
        fields.push((csrf::FIELD.to_owned(), token));
    }
    let mut files = Vec::new();
    while let Some(field) = next(&mut multipart).await? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_none() {
            if fields.len() >= MAX_FIELDS {
                return Err(Refusal::TooManyFields);
            }
            fields.push((name, text(field, MAX_FIELD_BYTES).await?));
            continue;
        }
        let upload = spool(field, max_file_bytes).await?;
        // An empty file input sends a nameless, empty part.
        if upload.name.is_empty() && upload.len == 0 {
            continue;
        }
        if files.len() >= MAX_FILES {
            return Err(Refusal::TooManyFiles);
        }
        files.push(upload);
    }
    Ok(MultipartForm {
        fields: Form(fields),
        files,
    })
}

async fn next(multipart: &mut Multipart) -> Result<Option<Field<'_>>, Refusal> {
    match multipart.next_field().await {
        Ok(f) => Ok(f),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Refusal::BodyTooLarge),
        Err(_) => Err(Refusal::Malformed),
    }
}

/// A text field, refused as soon as it passes `max` bytes.
async fn text(mut field: Field<'_>, max: usize) -> Result<String, Refusal> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| Refusal::Malformed)? {
        if bytes.len() + chunk.len() > max {
            return Err(Refusal::FieldTooLong);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| Refusal::Malformed)
}

/// A file field written to an anonymous temporary file (gone when dropped).
async fn spool(mut field: Field<'_>, max: usize) -> Result<Upload, Refusal> {
    let mut upload = Upload {
        field: field.name().unwrap_or_default().to_owned(),
        name: field.file_name().unwrap_or("attachment").to_owned(),
        content_type: field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned(),
        too_large: false,
        len: 0,
        spool: None,
    };
    let io = |_| Refusal::Malformed;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Refusal::BodyTooLarge);
            }
            Err(_) => return Err(Refusal::Malformed),
        };
        if upload.too_large || upload.len + chunk.len() > max {
            // Drained to the end (the route's body limit bounds it), not kept.
            upload.too_large = true;
            upload.spool = None;
            continue;
        }
        if upload.spool.is_none() {
            let file = tokio::task::spawn_blocking(tempfile::tempfile)
                .await
                .map_err(|_| Refusal::Malformed)?
                .map_err(io)?;
            upload.spool = Some(tokio::fs::File::from_std(file));
        }
        if let Some(f) = upload.spool.as_mut() {
            f.write_all(&chunk).await.map_err(io)?;
        }
        upload.len += chunk.len();
    }
    if let Some(f) = upload.spool.as_mut() {
        f.flush().await.map_err(io)?;
    }
    Ok(upload)
}
