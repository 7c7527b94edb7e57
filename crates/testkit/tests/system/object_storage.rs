//! Object storage for real (E7), against moto, a real S3-compatible server
//! the tests start: a file larger than a part streams in as a multipart
//! upload and reads back the same; a refused upload leaves nothing, not
//! even an open multipart upload; the sweeper deletes old files no row
//! names and keeps the others, in S3 and in a local directory alike.
use std::time::Duration;

use bytes::Bytes;
use documents::blobs::Blobs;
use documents::{ingest, store, sweeper};
use futures::{Stream, StreamExt, stream};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use portal_platform::db::SystemPool;
use portal_platform::errors::ServiceError;
use portal_testkit::db::Databases;
use portal_testkit::s3::S3Server;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

const MIB: usize = 1024 * 1024;

/// A PDF-looking file of `len` bytes.
fn file(len: usize) -> Vec<u8> {
    let mut data = b"%PDF-1.7\n".to_vec();
    data.extend((data.len()..len).map(|i| (i % 251) as u8));
    data
}

/// `data` as an upload arrives: in pieces of 64 KiB.
fn pieces(data: &[u8]) -> impl Stream<Item = Result<Bytes, ServiceError>> + Unpin + use<> {
    let parts: Vec<_> = data
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(parts)
}

fn pdf_only(head: &[u8]) -> Result<(), ServiceError> {
    if head.starts_with(b"%PDF-") {
        Ok(())
    } else {
        Err(ServiceError::UnsupportedType("not a PDF".into()))
    }
}

fn key(tenant: Uuid) -> String {
    format!("{tenant}/document/{}/{}", Uuid::now_v7(), Uuid::now_v7())
}

async fn moto_with_bucket(bucket: &str) -> anyhow::Result<S3Server> {
    let s3 = S3Server::start().await?;
    s3.create_bucket(bucket).await?;
    Ok(s3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_streams_into_s3_in_parts_and_reads_back() -> anyhow::Result<()> {
    let s3 = moto_with_bucket("portal-files").await?;
    let blobs = s3.blobs("s3://portal-files/portal")?;
    let data = file(12 * MIB + 321);
    let key = key(Uuid::now_v7());

    let stored = ingest::store(&blobs, &key, "big.pdf", 64 * MIB, pieces(&data), pdf_only).await?;
    assert_eq!(stored.size, i64::try_from(data.len())?);
    assert_eq!(stored.sha256, Sha256::digest(&data).to_vec());

    // S3 marks a multipart object's ETag with its part count: 5 + 5 + 2 MiB.
    let meta = blobs.store().head(&Path::from(key.as_str())).await?;
    let etag = meta.e_tag.unwrap_or_default();
    assert!(
        etag.trim_matches('"').ends_with("-3"),
        "not three parts: {etag}"
    );
    assert_eq!(meta.size, u64::try_from(data.len())?);

    assert!(blobs.get(&key).await? == data, "read back whole");
    let mut streamed = Vec::with_capacity(data.len());
    let mut reader = blobs.stream(&key, MIB).await?;
    while let Some(piece) = reader.next().await {
        streamed.extend_from_slice(&piece?);
    }
    assert!(streamed == data, "read back in pieces");

    // The URL's prefix is where the file is in the bucket.
    let bucket = s3.blobs("s3://portal-files")?;
    assert_eq!(
        bucket.get(&format!("portal/{key}")).await?.len(),
        data.len()
    );
    assert_eq!(s3.open_multipart_uploads("portal-files").await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_upload_leaves_nothing_in_s3() -> anyhow::Result<()> {
    let s3 = moto_with_bucket("portal-files").await?;
    let blobs = s3.blobs("s3://portal-files")?;

    // Past the limit after a first part went up: the multipart upload is
    // aborted, not left open (S3 would keep, and bill, its parts).
    let too_large = key(Uuid::now_v7());
    let err = ingest::store(
        &blobs,
        &too_large,
        "big.pdf",
        8 * MIB,
        pieces(&file(12 * MIB)),
        pdf_only,
    )
    .await
    .err()
    .ok_or_else(|| anyhow::anyhow!("a file over the limit was stored"))?;
    assert!(matches!(err, ServiceError::TooLarge(_)), "{err:?}");

    // A file that is not what it says is refused before a byte is stored.
    let lie = key(Uuid::now_v7());
    let mut exe = b"MZ\x90\0".to_vec();
    exe.extend(file(6 * MIB));
    let err = ingest::store(&blobs, &lie, "lie.pdf", 64 * MIB, pieces(&exe), pdf_only)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a file of the wrong type was stored"))?;
    assert!(matches!(err, ServiceError::UnsupportedType(_)), "{err:?}");

    for key in [&too_large, &lie] {
        assert!(
            matches!(
                blobs.get(key).await,
                Err(object_store::Error::NotFound { .. })
            ),
            "{key} is there"
        );
    }
    let listed: Vec<_> = blobs.store().list(None).collect().await;
    assert!(listed.is_empty(), "the bucket holds {listed:?}");
    assert_eq!(s3.open_multipart_uploads("portal-files").await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_deletes_only_unreferenced_files_in_s3() -> anyhow::Result<()> {
    let s3 = moto_with_bucket("portal-files").await?;
    // Something else's file in the bucket, outside the portal's prefix.
    let bucket = s3.blobs("s3://portal-files")?;
    bucket
        .put("elsewhere/file", Bytes::from_static(b"not ours"))
        .await?;

    sweeps_what_no_row_names(&s3.blobs("s3://portal-files/portal")?).await?;
    assert!(
        bucket.get("elsewhere/file").await.is_ok(),
        "swept outside its prefix"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_deletes_only_unreferenced_files_in_a_directory() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("portal-test-sweep-{}", Uuid::now_v7()));
    let blobs = Blobs::from_url(&format!("file://{}", dir.display()))?;
    let swept = sweeps_what_no_row_names(&blobs).await;
    let _ = std::fs::remove_dir_all(&dir);
    swept
}

/// A documents database as the service migrates it, and its owner's pool
/// (the one cross-tenant work uses).
async fn documents_database() -> anyhow::Result<(Databases, PgPool)> {
    use clap::Parser;
    let dbs = Databases::create(&["documents"]).await?;
    let url = dbs.url(0);
    let cfg = documents::Config::try_parse_from([
        "documents",
        "--database-url",
        &url,
        "--service-secret",
        "object-storage-test-secret",
    ])?;
    documents::migrate(&cfg).await?;
    let pool = PgPool::connect(&url).await?;
    Ok((dbs, pool))
}

/// Files named by an attachment, a document and an earlier version (rows of
/// two tenants) stay; one named by nothing goes, and only once old enough.
async fn sweeps_what_no_row_names(blobs: &Blobs) -> anyhow::Result<()> {
    let (dbs, pool) = documents_database().await?;
    let checked = async {
        // Every table that names files is one the sweeper looks in.
        let mut tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND column_name = 'blob_key' ORDER BY 1",
        )
        .fetch_all(&pool)
        .await?;
        let mut known = store::BLOB_KEY_TABLES.map(str::to_owned).to_vec();
        tables.sort();
        known.sort();
        assert_eq!(tables, known, "tables with a blob_key column");

        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let attachment = format!("{a}/request/{}/{}", Uuid::now_v7(), Uuid::now_v7());
        let (document, version) = (key(b), key(b));
        let orphan = format!("{a}/request/{}/{}", Uuid::now_v7(), Uuid::now_v7());
        for key in [&attachment, &document, &version, &orphan] {
            blobs.put(key, Bytes::from_static(b"bytes")).await?;
        }
        // As the owner: the rows of two tenants, past row-level security.
        sqlx::query(
            "INSERT INTO attachments (id, tenant_id, owner_type, owner_id, customer_id, name,
                                      content_type, size, sha256, blob_key, created_by)
             VALUES (gen_random_uuid(), $1, 'request', gen_random_uuid(), gen_random_uuid(),
                     'a.txt', 'text/plain', 5, '\\x00', $2, gen_random_uuid())",
        )
        .bind(a)
        .bind(&attachment)
        .execute(&pool)
        .await?;
        let doc = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO documents (id, tenant_id, kind, customer_id, title, content_type, size,
                                    sha256, blob_key)
             VALUES ($1, $2, 'certificate', gen_random_uuid(), 'Certificate',
                     'application/pdf', 5, '\\x00', $3)",
        )
        .bind(doc)
        .bind(b)
        .bind(&document)
        .execute(&pool)
        .await?;
        sqlx::query(
            "INSERT INTO document_versions (document_id, version, tenant_id, content_type, size,
                                            sha256, blob_key, created_at)
             VALUES ($1, 1, $2, 'application/pdf', 5, '\\x00', $3, now())",
        )
        .bind(doc)
        .bind(b)
        .bind(&version)
        .execute(&pool)
        .await?;

        let system = SystemPool::new(pool.clone());
        let hour = Duration::from_secs(3600);
        assert_eq!(
            sweeper::sweep_once(blobs, &system, hour).await?,
            0,
            "young files go"
        );
        assert_eq!(
            sweeper::sweep_once(blobs, &system, Duration::ZERO).await?,
            1
        );
        for kept in [&attachment, &document, &version] {
            assert!(blobs.get(kept).await.is_ok(), "{kept} was swept");
        }
        assert!(
            matches!(
                blobs.get(&orphan).await,
                Err(object_store::Error::NotFound { .. })
            ),
            "the unreferenced file is still there"
        );
        // Another replica's sweep right after finds nothing more.
        assert_eq!(
            sweeper::sweep_once(blobs, &system, Duration::ZERO).await?,
            0
        );
        anyhow::Ok(())
    }
    .await;
    pool.close().await;
    dbs.drop_all().await?;
    checked
}
