//! Who sees what (A1, A8-A10, B5, G5): customers switched, request
//! visibility per customer, staff roles as a table, the audit log.
use portal_testkit::Stack;
use serde_json::{Value, json};

use crate::fixtures::{self, s};

fn titles(list: &Value) -> Vec<String> {
    let mut t: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(&r["title"]))
        .collect();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contact_of_two_customers_switches_and_sees_one_at_a_time() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "switch").await?;
    let api = &stack.api;
    fixtures::submit_request(&stack, &t, "Bakery oven").await?;
    let second = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-2", "name": "Hotel du Parc"}),
        )
        .await?
        .expect(201)?;
    let c2 = s(&second["id"]);
    api.post(
        &format!("/api/v1/customers/{c2}/sites"),
        Some(&t.admin),
        &json!({"name": "Hotel"}),
    )
    .await?
    .expect(201)?;
    api.put(
        &format!("/api/v1/customers/{c2}/portal"),
        &t.admin,
        &json!({"enabled": true}),
    )
    .await?
    .expect(200)?;
    let added = api
        .post(
            &format!("/api/v1/contacts/{}/customers", t.contact_id),
            Some(&t.admin),
            &json!({"customer_id": c2}),
        )
        .await?
        .expect(200)?;
    assert_eq!(added["other_customer_ids"], json!([c2]));

    let login =
        json!({"tenant": "switch", "email": t.contact_email, "password": "contact password 1"});
    let first = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let me = api
        .get("/api/v1/me", &s(&first["access_token"]))
        .await?
        .expect(200)?;
    assert_eq!(
        me["customer_id"],
        t.customer_id.as_str(),
        "home customer first"
    );
    assert_eq!(me["customers"].as_array().map(Vec::len), Some(2));

    let switched = api
        .post(
            "/api/v1/me/customer",
            Some(&s(&first["access_token"])),
            &json!({"customer_id": c2}),
        )
        .await?
        .expect(200)?;
    let token = s(&switched["access_token"]);
    let me = api.get("/api/v1/me", &token).await?.expect(200)?;
    assert_eq!(me["customer_id"], c2.as_str());
    assert_eq!(me["customer_name"], "Hotel du Parc");
    assert!(titles(&api.get("/api/v1/requests", &token).await?.expect(200)?).is_empty());
    api.get(&format!("/api/v1/customers/{}", t.customer_id), &token)
        .await?
        .problem(404)?;
    api.get(&format!("/api/v1/customers/{c2}"), &token)
        .await?
        .expect(200)?;
    // The switch survives a refresh.
    let refreshed = api
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": s(&switched["refresh_token"])}),
        )
        .await?
        .expect(200)?;
    let me = api
        .get("/api/v1/me", &s(&refreshed["access_token"]))
        .await?
        .expect(200)?;
    assert_eq!(me["customer_id"], c2.as_str());
    // A customer that is not theirs: not found.
    let other = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-3", "name": "Elsewhere"}),
        )
        .await?
        .expect(201)?;
    api.post(
        "/api/v1/me/customer",
        Some(&token),
        &json!({"customer_id": s(&other["id"])}),
    )
    .await?
    .problem(404)?;

    // Portal off for the home customer: they land on the other one (A1).
    api.put(
        &format!("/api/v1/customers/{}/portal", t.customer_id),
        &t.admin,
        &json!({"enabled": false}),
    )
    .await?
    .expect(200)?;
    let again = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let me = api
        .get("/api/v1/me", &s(&again["access_token"]))
        .await?
        .expect(200)?;
    assert_eq!(me["customer_id"], c2.as_str());
    assert_eq!(me["customers"].as_array().map(Vec::len), Some(1));
    // Off for both: no login at all.
    api.put(
        &format!("/api/v1/customers/{c2}/portal"),
        &t.admin,
        &json!({"enabled": false}),
    )
    .await?
    .expect(200)?;
    let off = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .problem(403)?;
    assert_eq!(off["type"], "urn:portal:problem:portal-disabled");
    // Unless the tenant opens the portal to every customer.
    api.put(
        "/api/v1/tenant",
        &t.admin,
        &json!({"name": "Switch", "portal_enabled": true,
        "portal_all_customers": true, "registration_open": true}),
    )
    .await?
    .expect(200)?;
    api.post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_customer_chooses_which_requests_its_contacts_see() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "visible").await?;
    let api = &stack.api;
    let old = fixtures::submit_request(&stack, &t, "Old request").await?;
    // Tokens carry the bound in whole seconds: keep a second on each side.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let cut = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    fixtures::submit_request(&stack, &t, "New request").await?;
    let portal = format!("/api/v1/customers/{}/portal", t.customer_id);
    let fresh_token = || fixtures::login(&stack, "visible", &t.contact_email, "contact password 1");

    api.put(
        &portal,
        &t.admin,
        &json!({"enabled": true, "request_visibility": "since"}),
    )
    .await?
    .problem(400)?;
    let set = api
        .put(&portal, &t.admin, &json!({"enabled": true, "request_visibility": "since", "visible_since": cut.to_rfc3339()}))
        .await?
        .expect(200)?;
    assert_eq!(set["request_visibility"], "since");
    let contact = fresh_token().await?;
    assert_eq!(
        titles(&api.get("/api/v1/requests", &contact).await?.expect(200)?),
        ["New request"]
    );
    api.get(&format!("/api/v1/requests/{}", s(&old["id"])), &contact)
        .await?
        .problem(404)?;
    // Staff still see everything.
    assert_eq!(
        titles(&api.get("/api/v1/requests", &t.admin).await?.expect(200)?).len(),
        2
    );

    // "Only after the portal was enabled": it was enabled before both.
    api.put(
        &portal,
        &t.admin,
        &json!({"enabled": true, "request_visibility": "after_enabled"}),
    )
    .await?
    .expect(200)?;
    let contact = fresh_token().await?;
    assert_eq!(
        titles(&api.get("/api/v1/requests", &contact).await?.expect(200)?).len(),
        2
    );
    api.put(
        &portal,
        &t.admin,
        &json!({"enabled": true, "request_visibility": "all"}),
    )
    .await?
    .expect(200)?;
    let contact = fresh_token().await?;
    api.get(&format!("/api/v1/requests/{}", s(&old["id"])), &contact)
        .await?
        .expect(200)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_roles_allow_what_the_table_says() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "roles").await?;
    let api = &stack.api;
    let mut tokens = vec![("admin", t.admin.clone())];
    for role in ["dispatcher", "technician"] {
        let email = format!("{role}@roles.example");
        api.post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": role, "roles": [role], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
        tokens.push((
            role,
            fixtures::login(&stack, "roles", &email, "staff password 1").await?,
        ));
    }
    // A technician cannot add staff either.
    api.post("/api/v1/staff", Some(&tokens[2].1),
        &json!({"email": "x@roles.example", "name": "x", "roles": ["admin"], "password": "staff password 1"}))
        .await?
        .problem(403)?;

    let customer = format!("/api/v1/customers/{}", t.customer_id);
    // (action, admin, dispatcher, technician) -> may?
    let table: [(&str, [bool; 3]); 6] = [
        ("list customers", [true, true, true]),
        ("create customer", [true, true, false]),
        ("invite contact", [true, true, false]),
        ("create secure link", [true, true, false]),
        ("read audit log", [true, false, false]),
        ("change tenant settings", [true, false, false]),
    ];
    for (action, allowed) in table {
        for (i, (role, token)) in tokens.iter().enumerate() {
            let answer = match action {
                "list customers" => api.get("/api/v1/customers", token).await?,
                "create customer" => {
                    api.post(
                        "/api/v1/customers",
                        Some(token),
                        &json!({"number": format!("R-{role}"), "name": "X"}),
                    )
                    .await?
                }
                "invite contact" => {
                    api.post(
                        &format!("/api/v1/contacts/{}/invitation", t.contact_id),
                        Some(token),
                        &json!({}),
                    )
                    .await?
                }
                "create secure link" => {
                    api.post(&format!("{customer}/secure-links"), Some(token), &json!({}))
                        .await?
                }
                "read audit log" => api.get("/api/v1/audit", token).await?,
                _ => {
                    api.put(
                        "/api/v1/tenant",
                        token,
                        &json!({"name": "Roles", "portal_enabled": true,
                        "portal_all_customers": false, "registration_open": true}),
                    )
                    .await?
                }
            };
            let status = answer.status.as_u16();
            if allowed[i] {
                // Inviting an active contact is refused for its state, not the role.
                assert!(
                    status < 400 || status == 409,
                    "{role} may {action}: {status} {}",
                    answer.body
                );
            } else {
                assert_eq!(status, 403, "{role} may not {action}: {}", answer.body);
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contacts_see_their_organisation_and_admins_read_who_changed_access() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "audit").await?;
    let api = &stack.api;
    // B5: the organisation's contacts, all or those sharing my sites.
    let site_b =
        fixtures::extra_contact(&stack, &t, "site-b@audit-client.example", &[&t.site_ids[1]])
            .await?;
    // A colleague of the other site only: one of "all", not of "mine".
    fixtures::extra_contact(&stack, &t, "site-a@audit-client.example", &[&t.site_ids[0]]).await?;
    let all = api
        .get(
            &format!("/api/v1/customers/{}/contacts", t.customer_id),
            &site_b,
        )
        .await?
        .expect(200)?;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(3));
    assert!(
        all["items"][0]["access_from"].is_null(),
        "no account details for contacts"
    );
    // Claire sees every site, so she shares one with the site manager.
    let mine = api
        .get(
            &format!("/api/v1/customers/{}/contacts?mine=true", t.customer_id),
            &site_b,
        )
        .await?
        .expect(200)?;
    let emails: Vec<_> = mine["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| s(&c["email"]))
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(!emails.contains(&"site-a@audit-client.example".to_owned()));
    // Another tenant's customer does not exist for them.
    let other = fixtures::invited_tenant(&stack, "audit-other").await?;
    api.get(
        &format!("/api/v1/customers/{}", other.customer_id),
        &t.admin,
    )
    .await?
    .problem(404)?;
    api.get(
        &format!("/api/v1/customers/{}/contacts", other.customer_id),
        &site_b,
    )
    .await?
    .problem(404)?;

    // G5: an access change from a known address is in the log with its author.
    api.post_from(
        "203.0.113.50",
        &format!("/api/v1/customers/{}/secure-links", t.customer_id),
        Some(&t.admin),
        &json!({"label": "front desk"}),
    )
    .await?
    .expect(201)?;
    // An accept is recorded by requests, in the same log.
    let request = fixtures::submit_request(&stack, &t, "Audited oven").await?;
    api.post_from(
        "203.0.113.51",
        &format!("/api/v1/requests/{}/accept", s(&request["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(200)?;
    let log = api.get("/api/v1/audit", &t.admin).await?.expect(200)?;
    let items = log["items"].as_array().cloned().unwrap_or_default();
    let accepted = &items[0];
    assert_eq!(accepted["action"], "request.accepted");
    assert_eq!(accepted["actor"], "admin@audit.example");
    assert_eq!(accepted["client_ip"], "203.0.113.51");
    assert_eq!(accepted["target_id"], request["id"]);
    let link = &items[1];
    assert_eq!(link["action"], "secure_link.created");
    assert_eq!(link["actor"], "admin@audit.example");
    assert_eq!(link["client_ip"], "203.0.113.50");
    // Pages follow one another without gaps or repeats.
    let first = api
        .get("/api/v1/audit?limit=2", &t.admin)
        .await?
        .expect(200)?;
    let cursor = s(&first["next_cursor"]);
    let second = api
        .get(&format!("/api/v1/audit?limit=2&cursor={cursor}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(first["items"][0]["id"], items[0]["id"]);
    assert_eq!(second["items"][0]["id"], items[2]["id"]);
    assert_eq!(second["items"][1]["id"], items[3]["id"]);
    let actions: Vec<String> = items.iter().map(|a| s(&a["action"])).collect();
    for expected in [
        "contact.created",
        "customer.portal_enabled",
        "contact.invited",
        "account.activated",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    assert!(
        !actions.iter().any(|a| a.contains("audit-other")),
        "one tenant's log only"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_change_a_customer_and_no_one_else_can() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "recust").await?;
    let other = fixtures::tenant(&stack, "recust-other").await?;
    let api = &stack.api;
    let path = format!("/api/v1/customers/{}", t.customer_id);
    let changed = api
        .put(
            &path,
            &t.admin,
            &json!({"number": "C-100", "name": "Boulangerie Martin SA",
                    "address": "1 rue du Four, Lyon", "info": "Key at the front desk"}),
        )
        .await?
        .expect(200)?;
    assert_eq!(changed["number"], "C-100");
    assert_eq!(changed["name"], "Boulangerie Martin SA");
    let read = api.get(&path, &t.admin).await?.expect(200)?;
    assert_eq!(read["address"], "1 rue du Four, Lyon");
    assert_eq!(read["info"], "Key at the front desk");

    // A number already used, a blank name: refused, nothing changed.
    api.post(
        "/api/v1/customers",
        Some(&t.admin),
        &json!({"number": "C-200", "name": "Hotel du Parc"}),
    )
    .await?
    .expect(201)?;
    let taken = api
        .put(
            &path,
            &t.admin,
            &json!({"number": "C-200", "name": "Renamed"}),
        )
        .await?
        .problem(409)?;
    assert!(s(&taken["detail"]).contains("C-200"), "{taken}");
    api.put(&path, &t.admin, &json!({"number": "C-100", "name": "  "}))
        .await?
        .problem(400)?;
    let read = api.get(&path, &t.admin).await?.expect(200)?;
    assert_eq!(read["name"], "Boulangerie Martin SA");
    assert_eq!(read["number"], "C-100");

    // The customer's own contact, and another tenant's admin, cannot.
    api.put(
        &path,
        &t.contact,
        &json!({"number": "X", "name": "Mine now"}),
    )
    .await?
    .problem(403)?;
    api.put(
        &path,
        &other.admin,
        &json!({"number": "X", "name": "Mine now"}),
    )
    .await?
    .problem(404)?;
    let log = api.get("/api/v1/audit", &t.admin).await?.expect(200)?;
    let changes: Vec<&Value> = log["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "customer.changed")
        .collect();
    assert_eq!(changes.len(), 1, "one change recorded: {log}");
    assert_eq!(changes[0]["target_id"], t.customer_id.as_str());
    Ok(())
}
