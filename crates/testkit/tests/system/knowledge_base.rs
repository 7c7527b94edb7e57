//! The knowledge base (E6): articles found in their own language (plurals,
//! accents, Polish by prefix), drafts kept from contacts, public articles
//! for readers who are not logged in, Markdown without scripts, contacts'
//! comments hidden by staff, and `kb.article.published`.
use portal_testkit::Stack;
use serde_json::{Value, json};

use crate::fixtures::{self, s};

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|a| a.iter().map(|i| s(&i["title"])).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn articles_are_found_in_their_language_and_comments_are_moderated() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "kb").await?;
    let other = fixtures::tenant(&stack, "kb-other").await?;
    let api = &stack.api;
    let (_, technician) = fixtures::staff(&stack, &t, "Theo Tech", "technician").await?;
    let nats = async_nats::connect(stack.nats.url()).await?;
    let mut announced = nats.subscribe("portal.*.kb.article.published").await?;

    let article = |category: &str,
                   title: &str,
                   body: &str,
                   language: &str,
                   audience: &str,
                   published: bool| {
        json!({"category": category, "title": title, "body": body, "language": language,
               "audience": audience, "published": published})
    };
    let mut ids = Vec::new();
    for body in [
        article(
            "Chauffage",
            "Entretien des chaudières",
            "Les **chaudières** à gaz sont révisées chaque année.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))",
            "fr",
            "public",
            true,
        ),
        article(
            "Heizung",
            "Heizkörper entlüften",
            "Wenn die Heizungen gluckern, entlüften Sie die Heizkörper.",
            "de",
            "portal",
            true,
        ),
        article(
            "Calefacción",
            "Purgar los radiadores",
            "Las calderas y los radiadores necesitan aire fuera.",
            "es",
            "portal",
            true,
        ),
        article(
            "Ogrzewanie",
            "Serwis pompy ciepła",
            "Pompy ciepła sprawdzamy raz w roku.",
            "pl",
            "portal",
            true,
        ),
        article(
            "Heating",
            "Boiler recall (draft)",
            "Not ready yet.",
            "en",
            "portal",
            false,
        ),
    ] {
        let a = api
            .post("/api/v1/kb/articles", Some(&t.admin), &body)
            .await?
            .expect(201)?;
        ids.push(s(&a["id"]));
    }
    let (french, draft) = (ids[0].clone(), ids[4].clone());

    // Announced once per published article, never for the draft.
    let mut seen = 0;
    while seen < 4 {
        let msg = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            futures::StreamExt::next(&mut announced),
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("the subscription ended"))?;
        let e: portal_proto::events::v1::KbArticlePublished = prost::Message::decode(msg.payload)?;
        assert_ne!(e.article_id, draft, "a draft is not announced");
        seen += 1;
    }

    // Each language's words: singular for plural, no accents, German
    // compounds' plural, Polish by its start.
    for (q, want) in [
        ("chaudiere", "Entretien des chaudières"),
        ("révisée", "Entretien des chaudières"),
        ("Heizung", "Heizkörper entlüften"),
        ("caldera", "Purgar los radiadores"),
        ("pompa", "Serwis pompy ciepła"),
        ("ciepło", "Serwis pompy ciepła"),
    ] {
        let found = api
            .get(
                &format!("/api/v1/kb/articles?q={}", urlencoding(q)),
                &t.contact,
            )
            .await?
            .expect(200)?;
        assert_eq!(
            titles(&found).first().map(String::as_str),
            Some(want),
            "{q}: {found}"
        );
    }
    let none = api
        .get("/api/v1/kb/articles?q=elevator", &t.contact)
        .await?
        .expect(200)?;
    assert!(titles(&none).is_empty(), "{none}");

    // Drafts are staff's; the contact sees four, in categories.
    let all = api
        .get("/api/v1/kb/articles", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(titles(&all).len(), 4, "{all}");
    assert!(!titles(&all).iter().any(|x| x.contains("draft")));
    api.get(&format!("/api/v1/kb/articles/{draft}"), &t.contact)
        .await?
        .problem(404)?;
    let staff_all = api
        .get("/api/v1/kb/articles", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(titles(&staff_all).len(), 5);
    api.get(&format!("/api/v1/kb/articles/{french}"), &other.admin)
        .await?
        .problem(404)?;

    // Markdown is shown without anything that runs.
    let read = api
        .get(&format!("/api/v1/kb/articles/{french}"), &t.contact)
        .await?
        .expect(200)?;
    let html = s(&read["html"]);
    assert!(html.contains("<strong>chaudières</strong>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );

    // Writing is for admins and dispatchers.
    for token in [&t.contact, &technician] {
        api.post(
            "/api/v1/kb/articles",
            Some(token),
            &article("X", "Mine", "text", "en", "portal", true),
        )
        .await?
        .problem(403)?;
    }
    api.post(
        "/api/v1/kb/articles",
        Some(&t.admin),
        &article("X", "Italian", "testo", "it", "portal", true),
    )
    .await?
    .problem(400)?;

    // Comments: contacts on published articles only; staff hide them.
    let path = format!("/api/v1/kb/articles/{french}/comments");
    let c = api
        .post(
            &path,
            Some(&t.contact),
            &json!({"body": "Merci, très clair !"}),
        )
        .await?
        .expect(201)?;
    assert_eq!(c["author_name"], "Claire Martin");
    api.post(&path, Some(&t.contact), &json!({"body": "   "}))
        .await?
        .problem(400)?;
    api.post(&path, Some(&t.admin), &json!({"body": "Staff"}))
        .await?
        .problem(403)?;
    api.post(
        &format!("/api/v1/kb/articles/{draft}/comments"),
        Some(&t.contact),
        &json!({"body": "Early"}),
    )
    .await?
    .problem(404)?;
    api.post(
        &format!("/api/v1/kb/comments/{}/hide", s(&c["id"])),
        Some(&t.contact),
        &json!({}),
    )
    .await?
    .problem(403)?;
    api.post(
        &format!("/api/v1/kb/comments/{}/hide", s(&c["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(200)?;
    let after = api
        .get(&format!("/api/v1/kb/articles/{french}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(after["comments"].as_array().map(Vec::len), Some(0));
    let staff_view = api
        .get(&format!("/api/v1/kb/articles/{french}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(staff_view["comments"][0]["hidden"], true);
    api.post(
        &path,
        Some(&t.contact),
        &json!({"body": "Toujours utile en 2027"}),
    )
    .await?
    .expect(201)?;

    // Not logged in: the public articles only, on the tenant's pages.
    let page = |path: String| {
        let http = api.http.clone();
        let url = format!("{}{path}", api.base);
        async move {
            let res = http.get(url).send().await?;
            Ok::<_, anyhow::Error>((res.status().as_u16(), res.text().await?))
        }
    };
    let (status, body) = page(format!("/t/{}/kb", t.slug)).await?;
    assert_eq!(status, 200);
    assert!(
        body.contains("Entretien des chaudières"),
        "the public article is listed"
    );
    assert!(
        !body.contains("Heizkörper entlüften"),
        "a portal article is not"
    );
    let (status, _) = page(format!("/t/{}/kb/{}", t.slug, ids[1])).await?;
    assert_eq!(
        status, 404,
        "a portal article is not shown to a reader not logged in"
    );
    let (status, body) = page(format!("/t/{}/kb/{french}", t.slug)).await?;
    assert_eq!(status, 200);
    assert!(body.contains("<strong>chaudières</strong>") && !body.contains("<script>alert"));
    // Comments name contacts: not shown to readers who are not logged in.
    assert!(
        !body.contains("Toujours utile") && !body.contains("Claire Martin"),
        "no comment for anonymous readers"
    );

    // Files: staff attach them; whoever reads the article reads its files.
    let manual = b"%PDF-1.4\n% boiler manual\n%%EOF\n".to_vec();
    let files = format!("/api/v1/kb/articles/{french}/files");
    let attached = api
        .upload(
            &files,
            &t.admin,
            "Manuel chaudière.pdf",
            "application/pdf",
            manual.clone(),
        )
        .await?
        .expect(201)?;
    let file_id = s(&attached["id"]);
    api.upload(
        &files,
        &t.contact,
        "mine.pdf",
        "application/pdf",
        manual.clone(),
    )
    .await?
    .problem(403)?;
    api.upload(
        &files,
        &t.admin,
        "lie.pdf",
        "application/pdf",
        b"MZ\x90\0 a program".to_vec(),
    )
    .await?
    .problem(415)?;
    let read = api
        .get(&format!("/api/v1/kb/articles/{french}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(read["files"].as_array().map(Vec::len), Some(1), "{read}");
    assert_eq!(read["files"][0]["name"], "Manuel chaudière.pdf");
    let got = api
        .http
        .get(format!("{}/api/v1/kb/files/{file_id}", api.base))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await?.to_vec(), manual);
    api.get(&format!("/api/v1/kb/files/{file_id}"), &other.admin)
        .await?
        .problem(404)?;
    let (status, _) = page(format!("/t/{}/kb/files/{file_id}", t.slug)).await?;
    assert_eq!(status, 200, "a public article's file, not logged in");
    let hidden = api
        .upload(
            &format!("/api/v1/kb/articles/{}/files", ids[1]),
            &t.admin,
            "Schaltplan.pdf",
            "application/pdf",
            manual,
        )
        .await?
        .expect(201)?;
    let (status, _) = page(format!("/t/{}/kb/files/{}", t.slug, s(&hidden["id"]))).await?;
    assert_eq!(
        status, 404,
        "a portal article's file is not for readers not logged in"
    );
    Ok(())
}

fn urlencoding(q: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", [("q", q)])
        .ok()
        .and_then(|u| u.query().map(|v| v.trim_start_matches("q=").to_owned()))
        .unwrap_or_default()
}
