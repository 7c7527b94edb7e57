//! File contents in object storage, behind a few calls so that the store
//! (a local directory or an S3 bucket) is chosen once, at startup.
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::{Bytes, BytesMut};
use futures::stream::{self, BoxStream, StreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Uploads written at once by default (`with_writers`).
pub const DEFAULT_WRITERS: usize = 8;

#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Each streamed write holds its parts in memory (`ingest`): at most
    /// this many at once, so many uploads wait rather than exhaust memory.
    writers: Arc<tokio::sync::Semaphore>,
}

impl Blobs {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            writers: Arc::new(tokio::sync::Semaphore::new(DEFAULT_WRITERS)),
        }
    }

    /// The same store with `n` (at least one) uploads written at once.
    pub fn with_writers(self, n: usize) -> Self {
        Self {
            writers: Arc::new(tokio::sync::Semaphore::new(n.max(1))),
            ..self
        }
    }

    /// A turn to write an upload, held until the write is over.
    pub async fn writer_slot(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.writers.clone().acquire_owned().await.ok()
    }

    /// The store itself, for writers that stream into it (`ingest`).
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        self.store.clone()
    }

    /// Opens the store named by `url`: `file:///directory` or
    /// `s3://bucket[/prefix]`, the latter configured by the standard `AWS_*`
    /// variables (endpoint, region, keys, `AWS_ALLOW_HTTP`).
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        Self::from_url_with(url, &[])
    }

    /// [`Self::from_url`] with S3 settings that win over the environment
    /// (`("aws_endpoint", "http://…")`): tests pass them instead of changing
    /// the process's environment, which their parallel threads share.
    pub fn from_url_with(url: &str, s3_settings: &[(&str, &str)]) -> anyhow::Result<Self> {
        if let Some(dir) = url.strip_prefix("file://") {
            return Self::local(url, dir);
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            return Self::s3(url, rest, s3_settings);
        }
        bail!("unsupported PORTAL_BLOB_URL {url:?}: use file:///directory or s3://bucket[/prefix]");
    }

    fn local(url: &str, dir: &str) -> anyhow::Result<Self> {
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

    fn s3(url: &str, rest: &str, settings: &[(&str, &str)]) -> anyhow::Result<Self> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("PORTAL_BLOB_URL {url:?} names no bucket");
        }
        let mut builder = AmazonS3Builder::from_env().with_url(format!("s3://{bucket}"));
        for (key, value) in settings {
            let key: AmazonS3ConfigKey = key
                .to_ascii_lowercase()
                .parse()
                .with_context(|| format!("unknown S3 setting {key:?}"))?;
            builder = builder.with_config(key, *value);
        }
        let s3 = builder
            .build()
            .with_context(|| format!("opening S3 bucket {bucket} (PORTAL_BLOB_URL, AWS_*)"))?;
        // The S3 client has no prefix of its own: keys are placed under it here.
        let store: Arc<dyn ObjectStore> = match prefix.trim_matches('/') {
            "" => Arc::new(s3),
            prefix => Arc::new(PrefixStore::new(s3, prefix)),
        };
        Ok(Self::new(store))
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
        let err = Blobs::from_url("gs://bucket").err().expect("refused");
        let text = err.to_string();
        assert!(text.contains("file://") && text.contains("s3://"), "{err}");
        let err = Blobs::from_url("s3://").err().expect("refused");
        assert!(err.to_string().contains("names no bucket"), "{err}");
    }

    #[test]
    fn s3_urls_open_without_reaching_the_server() {
        // Building the client makes no request: nothing listens on port 9.
        let settings = [
            ("aws_endpoint", "http://127.0.0.1:9"),
            ("AWS_ALLOW_HTTP", "true"),
            ("aws_region", "eu-central-1"),
        ];
        assert!(Blobs::from_url_with("s3://bucket", &settings).is_ok());
        assert!(Blobs::from_url_with("s3://bucket/portal/files/", &settings).is_ok());
        let err = Blobs::from_url_with("s3://bucket", &[("aws_no_such_thing", "1")])
            .err()
            .expect("refused");
        assert!(err.to_string().contains("aws_no_such_thing"), "{err}");
    }
}
