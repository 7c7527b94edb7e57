//! Writing an upload to object storage as its pieces arrive (E7): never
//! whole in memory, its type judged from its first bytes before anything
//! is stored, its size capped as it grows, its SHA-256 computed on the way.
//! A refused or broken upload leaves nothing behind.
use bytes::Bytes;
use futures::{Stream, StreamExt};
use object_store::buffered::BufWriter;
use portal_platform::errors::{ServiceError, ServiceResult};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::blobs::Blobs;
use crate::domain::mib;

/// Bytes looked at to recognise a format (PDF allows its header anywhere
/// in the first KiB).
pub const HEAD_BYTES: usize = 1024;
/// Part size of a multipart write (S3's smallest part is 5 MiB).
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts of one upload in flight at once: bounds an upload's memory.
const PARTS_IN_FLIGHT: usize = 2;

/// What was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub size: i64,
    pub sha256: Vec<u8>,
}

/// Writes `pieces` at `key`. `check` sees the first [`HEAD_BYTES`] (or the
/// whole file when shorter) before a byte is written and may refuse it;
/// `name` is for messages. Nothing stays at `key` after an error.
pub async fn store<S, E>(
    blobs: &Blobs,
    key: &str,
    name: &str,
    max_bytes: usize,
    mut pieces: S,
    check: impl FnOnce(&[u8]) -> ServiceResult<()>,
) -> ServiceResult<Stored>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<ServiceError>,
{
    // The head is gathered first, so a file that lies about its type is
    // refused before storage sees it.
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() < HEAD_BYTES {
        match pieces.next().await {
            Some(piece) => head.extend_from_slice(&piece.map_err(Into::into)?),
            None => {
                ended = true;
                break;
            }
        }
        if head.len() > max_bytes {
            return Err(too_large(name, max_bytes));
        }
    }
    if head.is_empty() {
        return Err(ServiceError::Invalid(format!("{name} is empty")));
    }
    check(&head[..head.len().min(HEAD_BYTES)])?;

    // Checked first, then a turn: a refused file never waits in line.
    let _turn = blobs.writer_slot().await;
    let mut writer = BufWriter::with_capacity(blobs.store(), key.into(), PART_BYTES)
        .with_max_concurrency(PARTS_IN_FLIGHT);
    let mut hash = Sha256::new();
    let mut size = 0usize;
    let written = async {
        let mut next = Some(Bytes::from(head));
        loop {
            let piece = match next.take() {
                Some(p) => p,
                None if ended => break,
                None => match pieces.next().await {
                    Some(p) => p.map_err(Into::into)?,
                    None => break,
                },
            };
            size += piece.len();
            if size > max_bytes {
                return Err(too_large(name, max_bytes));
            }
            hash.update(&piece);
            writer.put(piece).await.map_err(storage)?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = written {
        // Refused or broken off before the end: the multipart write (if one
        // began) is aborted, so nothing stays.
        if let Err(abort) = writer.abort().await {
            tracing::warn!(key, error = %abort, "could not abort a refused upload");
        }
        return Err(e);
    }
    // The last part, or the single write of a small file. A writer that
    // failed here cannot be aborted any more: whatever it left is deleted,
    // or swept later.
    if let Err(e) = writer.shutdown().await {
        if let Err(del) = blobs.delete(key).await {
            tracing::warn!(key, error = %del, "could not remove a file whose write failed");
        }
        return Err(ServiceError::Internal(
            anyhow::Error::new(e).context("storing a file"),
        ));
    }
    let size = i64::try_from(size).map_err(|_| too_large(name, max_bytes))?;
    Ok(Stored {
        size,
        sha256: hash.finalize().to_vec(),
    })
}

fn too_large(name: &str, max_bytes: usize) -> ServiceError {
    ServiceError::TooLarge(format!(
        "{name} is larger than the {} limit",
        mib(max_bytes)
    ))
}

fn storage(e: object_store::Error) -> ServiceError {
    ServiceError::Internal(anyhow::Error::new(e).context("storing a file"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    fn blobs() -> (Blobs, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("portal-ingest-{}", uuid::Uuid::now_v7()));
        let blobs = Blobs::from_url(&format!("file://{}", dir.display())).expect("opens");
        (blobs, dir)
    }

    fn pieces(parts: Vec<Vec<u8>>) -> impl Stream<Item = ServiceResult<Bytes>> + Unpin {
        stream::iter(parts.into_iter().map(|p| Ok(Bytes::from(p))))
    }

    #[tokio::test]
    async fn pieces_are_stored_whole_with_their_hash() {
        let (blobs, dir) = blobs();
        let parts = vec![b"%PDF-1.7 ".to_vec(), vec![b'x'; 3000], b"end".to_vec()];
        let whole: Vec<u8> = parts.concat();
        let stored = store(&blobs, "t/k", "a.pdf", 10_000, pieces(parts), |head| {
            assert!(head.len() <= HEAD_BYTES && head.starts_with(b"%PDF-"));
            Ok(())
        })
        .await
        .expect("stored");
        assert_eq!(stored.size, whole.len() as i64);
        assert_eq!(stored.sha256, Sha256::digest(&whole).to_vec());
        assert_eq!(&blobs.get("t/k").await.expect("read")[..], &whole[..]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn refused_files_leave_nothing() {
        let (blobs, dir) = blobs();
        let big = vec![vec![1u8; 700], vec![2u8; 700], vec![3u8; 700]];
        let err = store(&blobs, "t/big", "big.bin", 2000, pieces(big), |_| Ok(()))
            .await
            .expect_err("too large");
        assert!(matches!(err, ServiceError::TooLarge(_)), "{err:?}");
        assert!(blobs.get("t/big").await.is_err());

        let lie = vec![b"MZ\x90\0 not a pdf".to_vec()];
        let err = store(&blobs, "t/lie", "lie.pdf", 2000, pieces(lie), |_| {
            Err(ServiceError::UnsupportedType("not a PDF".into()))
        })
        .await
        .expect_err("refused");
        assert!(matches!(err, ServiceError::UnsupportedType(_)), "{err:?}");
        assert!(blobs.get("t/lie").await.is_err());

        let err = store(&blobs, "t/empty", "e.txt", 2000, pieces(vec![]), |_| Ok(()))
            .await
            .expect_err("empty");
        assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
