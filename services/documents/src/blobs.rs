//! File contents in object storage, behind a few calls so that the store
//! (local directory now, S3 later) is chosen once, at startup.
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::{Bytes, BytesMut};
use futures::stream::{self, BoxStream, StreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl Blobs {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    /// The store itself, for writers that stream into it (`ingest`).
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        self.store.clone()
    }

    /// Opens the store named by `url`. Only `file://` is built in for now.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let Some(dir) = url.strip_prefix("file://") else {
            bail!("unsupported PORTAL_BLOB_URL {url:?}: only file:// URLs are built in for now");
        };
        if dir.is_empty() {
            bail!("PORTAL_BLOB_URL {url:?} names no directory");
        }
        // LocalFileSystem canonicalises its root, which must therefore exist.
        std::fs::create_dir_all(dir).with_context(|| format!("creating blob directory {dir}"))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("opening blob directory {dir}"))?
            // Removing a request's last file removes its now empty directory.
            .with_automatic_cleanup(true);
        Ok(Self::new(Arc::new(store)))
    }

    /// Writes all of `data` at `key`, atomically.
    pub async fn put(&self, key: &str, data: Bytes) -> object_store::Result<()> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(data))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> object_store::Result<Bytes> {
        self.store.get(&Path::from(key)).await?.bytes().await
    }

    /// The contents at `key` in pieces of exactly `chunk` bytes (the last
    /// one shorter). Opening fails at once if the object is missing.
    pub async fn stream(
        &self,
        key: &str,
        chunk: usize,
    ) -> object_store::Result<BoxStream<'static, object_store::Result<Bytes>>> {
        let body = self.store.get(&Path::from(key)).await?.into_stream();
        Ok(rechunk(body, chunk))
    }

    pub async fn delete(&self, key: &str) -> object_store::Result<()> {
        self.store.delete(&Path::from(key)).await
    }
}

/// Regroups a byte stream into pieces of `size` bytes; ends after an error.
pub fn rechunk<E: Send + 'static>(
    inner: BoxStream<'static, Result<Bytes, E>>,
    size: usize,
) -> BoxStream<'static, Result<Bytes, E>> {
    let size = size.max(1);
    stream::unfold(
        (inner, BytesMut::new(), false),
        move |(mut inner, mut buf, mut done)| async move {
            loop {
                if buf.len() >= size {
                    let piece = buf.split_to(size).freeze();
                    return Some((Ok(piece), (inner, buf, done)));
                }
                if done {
                    if buf.is_empty() {
                        return None;
                    }
                    let piece = buf.split().freeze();
                    return Some((Ok(piece), (inner, buf, done)));
                }
                match inner.next().await {
                    Some(Ok(bytes)) => buf.extend_from_slice(&bytes),
                    Some(Err(e)) => return Some((Err(e), (inner, BytesMut::new(), true))),
                    None => done = true,
                }
            }
        },
    )
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(parts: &[&'static [u8]]) -> BoxStream<'static, Result<Bytes, String>> {
        let items: Vec<Result<Bytes, String>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        stream::iter(items).boxed()
    }

    #[tokio::test]
    async fn regroups_into_fixed_pieces() {
        let out: Vec<_> = rechunk(pieces(&[b"ab", b"cdefg", b"h"]), 3)
            .collect::<Vec<_>>()
            .await;
        let out: Vec<Bytes> = out.into_iter().map(|r| r.expect("ok")).collect();
        assert_eq!(out, vec![&b"abc"[..], b"def", b"gh"]);
    }

    #[tokio::test]
    async fn stops_after_an_error() {
        let items: Vec<Result<Bytes, String>> = vec![
            Ok(Bytes::from_static(b"a")),
            Err("boom".into()),
            Ok(Bytes::from_static(b"b")),
        ];
        let out = rechunk(stream::iter(items).boxed(), 4)
            .collect::<Vec<_>>()
            .await;
        assert_eq!(out, vec![Err("boom".to_owned())]);
    }

    #[tokio::test]
    async fn local_files_round_trip() {
        let dir = std::env::temp_dir().join(format!("portal-blobs-{}", uuid::Uuid::now_v7()));
        let blobs = Blobs::from_url(&format!("file://{}", dir.display())).expect("opens");
        let data = Bytes::from(vec![7u8; 150]);
        blobs.put("t/request/o/a", data.clone()).await.expect("put");
        assert_eq!(blobs.get("t/request/o/a").await.expect("get"), data);
        let sizes: Vec<usize> = blobs
            .stream("t/request/o/a", 64)
            .await
            .expect("open")
            .map(|r| r.expect("read").len())
            .collect()
            .await;
        assert_eq!(sizes, vec![64, 64, 22]);
        blobs.delete("t/request/o/a").await.expect("delete");
        assert!(blobs.get("t/request/o/a").await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn other_schemes_are_refused_clearly() {
        let err = Blobs::from_url("s3://bucket").err().expect("refused");
        assert!(err.to_string().contains("only file://"), "{err}");
    }
}
