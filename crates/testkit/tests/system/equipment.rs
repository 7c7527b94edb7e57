//! Sites, equipment and inspections (issue #11: B2, B3, C7, D4): who sees
//! which site and equipment, what staff may record, a request raised for an
//! equipment, and an inspection that sets the equipment's status.
use chrono::{Duration, Utc};
use portal_testkit::Stack;
use serde_json::{Value, json};

use crate::fixtures::{self, s};

fn tomorrow(hour: i64) -> String {
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let at = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour);
    at.to_rfc3339()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| a.iter().map(|i| s(&i["id"])).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sites_and_equipment_are_seen_within_scope_only() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "kit").await?;
    let other = fixtures::tenant(&stack, "kit-other").await?;
    let api = &stack.api;
    let (site_a, site_b) = (t.site_ids[0].clone(), t.site_ids[1].clone());
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (_, tech) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let only_a =
        fixtures::extra_contact(&stack, &t, "manager@kit-client.example", &[&site_a]).await?;

    // Sites: the whole customer for its contact, one site for the narrowed one.
    let all = api.get("/api/v1/sites", &t.contact).await?.expect(200)?;
    assert_eq!(ids(&all).len(), 2);
    assert_eq!(all["items"][0]["customer_name"], "Boulangerie Martin");
    let one = api.get("/api/v1/sites", &only_a).await?.expect(200)?;
    assert_eq!(ids(&one), std::slice::from_ref(&site_a));
    api.get(&format!("/api/v1/sites/{site_b}"), &only_a)
        .await?
        .problem(404)?;
    let theirs = api.get("/api/v1/sites", &other.admin).await?.expect(200)?;
    assert!(!ids(&theirs).contains(&site_a), "another tenant's sites");
    api.get(&format!("/api/v1/sites/{site_a}"), &other.admin)
        .await?
        .problem(404)?;

    // Staff move a site on the map; a contact may not.
    let moved = api
        .put(
            &format!("/api/v1/sites/{site_a}"),
            &dispatcher,
            &json!({"name": "Lyon bakery", "address": "3 quai Saint-Antoine, Lyon", "latitude": 45.7625, "longitude": 4.8322}),
        )
        .await?
        .expect(200)?;
    assert_eq!(moved["latitude"], 45.7625);
    api.put(
        &format!("/api/v1/sites/{site_a}"),
        &t.contact,
        &json!({"name": "Mine now"}),
    )
    .await?
    .problem(403)?;
    let p = api
        .put(
            &format!("/api/v1/sites/{site_a}"),
            &dispatcher,
            &json!({"name": "Lyon bakery", "latitude": 45.0}),
        )
        .await?
        .problem(400)?;
    assert!(s(&p["detail"]).contains("both"), "{p}");

    // Equipment: admins and dispatchers add it; the serial is unique.
    let boiler = api
        .post(
            &format!("/api/v1/sites/{site_a}/equipment"),
            Some(&dispatcher),
            &json!({"kind": "Boiler", "name": "Main boiler", "make": "Viessmann", "model": "Vitodens 200",
                    "serial_number": "VD-1001", "location": "Cellar", "installed_on": "2019-05-01"}),
        )
        .await?
        .expect(201)?;
    assert_eq!(boiler["last_inspection"], Value::Null);
    assert_eq!(boiler["installed_on"], "2019-05-01");
    let oven = api
        .post(
            &format!("/api/v1/sites/{site_b}/equipment"),
            Some(&t.admin),
            &json!({"kind": "Oven", "name": "Deck oven", "serial_number": "OV-7"}),
        )
        .await?
        .expect(201)?;
    for (body, status, why) in [
        (
            json!({"kind": "Pump", "name": "P", "serial_number": "vd-1001"}),
            409,
            "already used",
        ),
        (
            json!({"kind": "Pump", "name": "P", "installed_on": "2999-01-01"}),
            400,
            "future",
        ),
        (
            json!({"kind": "Pump", "name": "P", "custom_fields": {"colour": "red"}}),
            400,
            "colour",
        ),
        (json!({"kind": " ", "name": "P"}), 400, "kind"),
    ] {
        let p = api
            .post(
                &format!("/api/v1/sites/{site_a}/equipment"),
                Some(&dispatcher),
                &body,
            )
            .await?
            .problem(status)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    api.post(
        &format!("/api/v1/sites/{site_a}/equipment"),
        Some(&tech),
        &json!({"kind": "Pump", "name": "P"}),
    )
    .await?
    .problem(403)?;
    api.post(
        &format!("/api/v1/sites/{site_a}/equipment"),
        Some(&other.admin),
        &json!({"kind": "Pump", "name": "P"}),
    )
    .await?
    .problem(404)?;

    // The tenant's own fields: admins define them, then equipment fills them.
    let settings = json!({"fields": [{"key": "refrigerant", "label": "Refrigerant"}],
                          "checklists": [{"kind": "boiler", "items": ["Pressure", "Flue"]}]});
    api.put("/api/v1/equipment-settings", &dispatcher, &settings)
        .await?
        .problem(403)?;
    api.put("/api/v1/equipment-settings", &t.admin, &settings)
        .await?
        .expect(200)?;
    let updated = api
        .put(
            &format!("/api/v1/equipment/{}", s(&boiler["id"])),
            &dispatcher,
            &json!({"kind": "Boiler", "name": "Main boiler", "serial_number": "VD-1001",
                    "custom_fields": {"refrigerant": "R32"}}),
        )
        .await?
        .expect(200)?;
    assert_eq!(updated["custom_fields"]["refrigerant"], "R32");

    // Who sees which equipment.
    let of_a = api
        .get(&format!("/api/v1/sites/{site_a}/equipment"), &only_a)
        .await?
        .expect(200)?;
    assert_eq!(ids(&of_a), [s(&boiler["id"])]);
    api.get(&format!("/api/v1/sites/{site_b}/equipment"), &only_a)
        .await?
        .problem(404)?;
    let listed = api.get("/api/v1/equipment", &only_a).await?.expect(200)?;
    assert_eq!(ids(&listed), [s(&boiler["id"])]);
    let listed = api
        .get("/api/v1/equipment", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(ids(&listed).len(), 2);
    let found = api
        .get("/api/v1/equipment?q=vd-10", &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(ids(&found), [s(&boiler["id"])]);
    api.get(&format!("/api/v1/equipment/{}", s(&oven["id"])), &only_a)
        .await?
        .problem(404)?;
    api.get(
        &format!("/api/v1/equipment/{}", s(&oven["id"])),
        &other.admin,
    )
    .await?
    .problem(404)?;
    let other_list = api
        .get("/api/v1/equipment", &other.contact)
        .await?
        .expect(200)?;
    assert!(ids(&other_list).is_empty());
    let detail = api
        .get(&format!("/api/v1/equipment/{}", s(&boiler["id"])), &only_a)
        .await?
        .expect(200)?;
    assert_eq!(detail["checklist"], json!(["Pressure", "Flue"]));

    // E5: the same scope in the downloads, the tenant's fields as columns.
    let csv = download(&stack, &only_a, "/api/v1/equipment/export.csv").await?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].ends_with("created_at,field:refrigerant"), "{csv}");
    assert!(
        lines[1].contains("VD-1001") && lines[1].ends_with(",R32"),
        "{csv}"
    );
    let csv = download(&stack, &t.contact, "/api/v1/equipment/export.csv").await?;
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let csv = download(&stack, &only_a, "/api/v1/sites/export.csv").await?;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("Boulangerie Martin"), "{csv}");
    for path in ["/api/v1/equipment/export.xlsx", "/api/v1/sites/export.xlsx"] {
        let res = stack
            .api
            .http
            .get(format!("{}{path}", stack.api.base))
            .bearer_auth(&dispatcher)
            .send()
            .await?;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert!(
            res.bytes().await?.starts_with(b"PK\x03\x04"),
            "{path}: a zip"
        );
    }
    let res = stack
        .api
        .http
        .get(format!(
            "{}/api/v1/equipment/export.csv?site_id={site_b}",
            stack.api.base
        ))
        .bearer_auth(&only_a)
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 404, "another site's download");
    Ok(())
}

/// A download's text, which must answer 200.
async fn download(stack: &Stack, token: &str, path: &str) -> anyhow::Result<String> {
    let res = stack
        .api
        .http
        .get(format!("{}{path}", stack.api.base))
        .bearer_auth(token)
        .send()
        .await?;
    anyhow::ensure!(res.status().as_u16() == 200, "{path}: {}", res.status());
    Ok(res.text().await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_inspection_sets_the_status_and_a_request_names_its_equipment() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "inspect").await?;
    let api = &stack.api;
    let (site_a, site_b) = (t.site_ids[0].clone(), t.site_ids[1].clone());
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (tom_id, tom) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let (_, tina) = fixtures::staff(&stack, &t, "Tina Tech", "technician").await?;
    api.put(
        "/api/v1/equipment-settings",
        &t.admin,
        &json!({"checklists": [{"kind": "Extinguisher", "items": ["Seal", "Pressure"]}]}),
    )
    .await?
    .expect(200)?;
    let add = |site: String, name: &'static str| {
        let dispatcher = dispatcher.clone();
        async move {
            api.post(
                &format!("/api/v1/sites/{site}/equipment"),
                Some(&dispatcher),
                &json!({"kind": "Extinguisher", "name": name}),
            )
            .await?
            .expect(201)
        }
    };
    let hall = s(&add(site_a.clone(), "Hall extinguisher").await?["id"]);
    let kitchen = s(&add(site_a.clone(), "Kitchen extinguisher").await?["id"]);
    let elsewhere = s(&add(site_b.clone(), "Workshop extinguisher").await?["id"]);

    // C7: raised for an equipment, at its site; another site's is refused.
    let p = api
        .post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": site_a, "title": "Yearly check", "description": "Due", "equipment_id": elsewhere}),
        )
        .await?
        .problem(400)?;
    assert!(s(&p["detail"]).contains("equipment"), "{p}");
    let request = api
        .post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": site_a, "title": "Yearly check", "description": "Due", "equipment_id": hall}),
        )
        .await?
        .expect(201)?;
    let wo = fixtures::accept(&stack, &t, &s(&request["id"])).await?;
    let w = api
        .get(&format!("/api/v1/work-orders/{wo}"), &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(w["equipment_id"], hall.as_str());

    let results = format!("/api/v1/work-orders/{wo}/inspection-results");
    let good = json!({"results": [
        {"equipment_id": hall, "result": "conforming",
         "checklist": [{"item": "Seal", "ok": true}, {"item": "Pressure", "ok": true}]},
        {"equipment_id": kitchen, "result": "non_conforming", "remarks": "Pressure low",
         "checklist": [{"item": "Seal", "ok": true}, {"item": "Pressure", "ok": false}]}]});
    // Not before the work is started.
    api.post(
        &format!("/api/v1/work-orders/{wo}/schedule"),
        Some(&dispatcher),
        &json!({"technician_ids": [tom_id], "start": tomorrow(9), "end": tomorrow(11)}),
    )
    .await?
    .expect(200)?;
    api.post(&results, Some(&tom), &good).await?.problem(409)?;
    api.post(
        &format!("/api/v1/work-orders/{wo}/start"),
        Some(&tom),
        &json!({}),
    )
    .await?
    .expect(200)?;
    let w = api
        .get(&format!("/api/v1/work-orders/{wo}"), &tom)
        .await?
        .expect(200)?;
    assert!(
        w["allowed_actions"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("record_inspection"))),
        "{w}"
    );
    // Only the planned technician; each refusal changes nothing.
    api.post(&results, Some(&tina), &good).await?.problem(403)?;
    api.post(&results, Some(&dispatcher), &good)
        .await?
        .problem(403)?;
    api.post(&results, Some(&t.contact), &good)
        .await?
        .problem(403)?;
    for (body, why) in [
        (
            json!({"results": [{"equipment_id": elsewhere, "result": "conforming",
                    "checklist": [{"item": "Seal", "ok": true}, {"item": "Pressure", "ok": true}]}]}),
            "not at this work order's site",
        ),
        (
            json!({"results": [{"equipment_id": hall, "result": "conforming",
                    "checklist": [{"item": "Seal", "ok": true}]}]}),
            "Seal, Pressure",
        ),
        (
            json!({"results": [{"equipment_id": kitchen, "result": "non_conforming",
                    "checklist": [{"item": "Seal", "ok": true}, {"item": "Pressure", "ok": false}]}]}),
            "remarks",
        ),
    ] {
        let p = api.post(&results, Some(&tom), &body).await?.problem(400)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    let none = api.get(&results, &dispatcher).await?.expect(200)?;
    assert_eq!(none["items"], json!([]));
    let hall_now = api
        .get(&format!("/api/v1/equipment/{hall}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(hall_now["last_inspection"], Value::Null);

    let recorded = api.post(&results, Some(&tom), &good).await?.expect(200)?;
    assert_eq!(recorded["items"].as_array().map(Vec::len), Some(2));
    let hall_now = api
        .get(&format!("/api/v1/equipment/{hall}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(hall_now["last_inspection"]["result"], "conforming");
    assert!(hall_now["last_inspection"]["date"].is_string());
    assert_eq!(hall_now["inspections"][0]["by"], "Tom Tech");
    assert_eq!(hall_now["work_orders"][0]["id"], wo.as_str());
    let kitchen_now = api
        .get(&format!("/api/v1/equipment/{kitchen}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(kitchen_now["last_inspection"]["result"], "non_conforming");
    assert_eq!(kitchen_now["inspections"][0]["remarks"], "Pressure low");
    let summary = api
        .get(&format!("/api/v1/sites/{site_a}/summary"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(summary["equipment"], 2);
    assert_eq!(summary["conforming"], 1);
    assert_eq!(summary["non_conforming"], 1);
    assert_eq!(summary["never_inspected"], 0);
    assert_eq!(summary["last_inspection"]["work_order_id"], wo.as_str());
    assert_eq!(summary["last_inspection"]["non_conforming"], 1);

    // Recording again replaces; after completion nothing changes any more.
    let fixed = json!({"results": [{"equipment_id": kitchen, "result": "conforming",
        "checklist": [{"item": "Seal", "ok": true}, {"item": "Pressure", "ok": true}]}]});
    api.post(&results, Some(&tom), &fixed).await?.expect(200)?;
    let listed = api.get(&results, &t.contact).await?.expect(200)?;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    let summary = api
        .get(&format!("/api/v1/sites/{site_a}/summary"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(summary["conforming"], 2);
    api.post(
        &format!("/api/v1/work-orders/{wo}/complete"),
        Some(&tom),
        &json!({"notes": "Checked"}),
    )
    .await?
    .expect(200)?;
    api.post(&results, Some(&tom), &good).await?.problem(409)?;
    // The service report lists what the inspection found.
    let report = crate::service_report::report_of(&stack, &dispatcher, &wo).await?;
    let (status, _, pdf) = crate::service_report::download(&stack, &t.contact, &report).await?;
    assert_eq!(status, 200);
    let text = crate::service_report::pdf_text(&pdf)?;
    for expected in [
        "Inspection: 2 conforming, 0 non-conforming",
        "Hall extinguisher",
        "Kitchen extinguisher",
        "Pressure: passed",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    let summary = api
        .get(&format!("/api/v1/sites/{site_a}/summary"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(summary["conforming"], 2, "{summary}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_inspection_plan_makes_one_work_order_per_period_however_many_runners()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "plans").await?;
    let other = fixtures::tenant(&stack, "plans-other").await?;
    let api = &stack.api;
    let (site_a, site_b) = (t.site_ids[0].clone(), t.site_ids[1].clone());
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (_, tech) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let elsewhere = api
        .post(
            &format!("/api/v1/sites/{site_b}/equipment"),
            Some(&dispatcher),
            &json!({"kind": "Boiler", "name": "Workshop boiler"}),
        )
        .await?
        .expect(201)?;
    let today = Utc::now().date_naive();
    let due = today + Duration::days(10);
    let plans = format!("/api/v1/sites/{site_a}/inspection-plans");
    // Refused plans are not kept.
    for (body, why) in [
        (
            json!({"title": "Fire safety", "every_months": 0, "next_due": due}),
            "every_months",
        ),
        (
            json!({"title": "Fire safety", "every_months": 12, "next_due": today - Duration::days(1)}),
            "past",
        ),
        (
            json!({"title": " ", "every_months": 12, "next_due": due}),
            "title",
        ),
        (
            json!({"title": "Boiler", "every_months": 12, "next_due": due, "equipment_id": elsewhere["id"]}),
            "at this site",
        ),
    ] {
        let p = api
            .post(&plans, Some(&dispatcher), &body)
            .await?
            .problem(400)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    let body = json!({"title": "Fire safety", "every_months": 12, "next_due": due});
    api.post(&plans, Some(&tech), &body).await?.problem(403)?;
    api.post(&plans, Some(&t.contact), &body)
        .await?
        .problem(403)?;
    api.post(&plans, Some(&other.admin), &body)
        .await?
        .problem(404)?;
    let plan = api
        .post(&plans, Some(&dispatcher), &body)
        .await?
        .expect(201)?;
    assert_eq!(plan["next_due"], due.to_string());
    let summary = api
        .get(&format!("/api/v1/sites/{site_a}/summary"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(summary["next_inspection"]["due"], due.to_string());
    assert_eq!(summary["next_inspection"]["work_order_id"], Value::Null);

    // Two runners at once (two replicas): one work order for the period.
    let db = stack.db("work-orders").await?;
    let system = portal_platform::db::SystemPool::new(db.clone());
    let now = Utc::now();
    let (a, b) = tokio::join!(
        work_orders::plans::run_due(&db, &system, today, now),
        work_orders::plans::run_due(&db, &system, today, now),
    );
    assert_eq!(a? + b?, 1);
    let to_plan = api
        .get("/api/v1/work-orders?status=to_plan", &dispatcher)
        .await?
        .expect(200)?;
    let made: Vec<&Value> = to_plan["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|w| s(&w["title"]).starts_with("Fire safety (due"))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(made.len(), 1, "{to_plan}");
    assert_eq!(made[0]["site_id"], site_a.as_str());
    // The plan moved on a year; running again makes nothing.
    assert_eq!(
        work_orders::plans::run_due(&db, &system, today, Utc::now()).await?,
        0
    );
    let listed = api.get(&plans, &t.contact).await?.expect(200)?;
    let next = (due + chrono::Months::new(12)).to_string();
    assert_eq!(listed["items"][0]["next_due"], next.as_str());
    let summary = api
        .get(&format!("/api/v1/sites/{site_a}/summary"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(summary["next_inspection"]["due"], due.to_string());
    assert_eq!(summary["next_inspection"]["work_order_id"], made[0]["id"]);
    api.get(&plans, &other.admin).await?.problem(404)?;

    // A stopped plan makes nothing more, even when its next period is due.
    let stopped = api
        .post(
            &format!("/api/v1/inspection-plans/{}/stop", s(&plan["id"])),
            Some(&dispatcher),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(stopped["active"], false);
    let far = today + Duration::days(400);
    assert_eq!(
        work_orders::plans::run_due(&db, &system, far, Utc::now()).await?,
        0
    );
    Ok(())
}

/// Imports `text` as `kind` (a preview when `dry_run`).
async fn import(
    stack: &Stack,
    token: &str,
    kind: &str,
    dry_run: bool,
    text: &str,
) -> anyhow::Result<portal_testkit::api::Answer> {
    stack
        .api
        .upload(
            &format!("/api/v1/imports/{kind}?dry_run={dry_run}"),
            token,
            &format!("{kind}.csv"),
            "text/csv",
            text.as_bytes().to_vec(),
        )
        .await
}

fn refused_lines(report: &Value) -> Vec<i64> {
    report["refused"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["line"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_provider_moves_in_from_files_and_nothing_is_half_imported() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "movein").await?;
    let other = fixtures::tenant(&stack, "movein-other").await?;
    let api = &stack.api;
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (_, tech) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let customers = |token: String| async move {
        let page = api
            .get("/api/v1/customers?limit=100", &token)
            .await?
            .expect(200)?;
        anyhow::Ok(page["items"].as_array().map(Vec::len).unwrap_or(0))
    };
    let before = customers(dispatcher.clone()).await?;

    // One bad row (a number twice): the report says which, nothing is written.
    let bad = "number,name,address\nC-10,Garage Dupont,1 rue A\nC-10,Garage Martin,2 rue B\nC-11,Hôtel Bellevue,\n";
    let report = import(&stack, &dispatcher, "customers", false, bad)
        .await?
        .expect(200)?;
    assert_eq!(report["rows"], 3);
    assert_eq!(refused_lines(&report), [3]);
    assert!(
        s(&report["refused"][0]["reason"]).contains("twice"),
        "{report}"
    );
    assert_eq!(report["written"], false);
    assert_eq!(customers(dispatcher.clone()).await?, before);
    // Fixed: the preview writes nothing, the import writes every row.
    let good = bad.replace("C-10,Garage Martin", "C-12,Garage Martin");
    let preview = import(&stack, &dispatcher, "customers", true, &good)
        .await?
        .expect(200)?;
    assert_eq!(
        (preview["refused"].clone(), preview["written"].clone()),
        (json!([]), json!(false))
    );
    assert_eq!(customers(dispatcher.clone()).await?, before);
    let done = import(&stack, &dispatcher, "customers", false, &good)
        .await?
        .expect(200)?;
    assert_eq!(done["written"], true);
    assert_eq!(customers(dispatcher.clone()).await?, before + 3);

    // Sites and contacts find their customer by number, their sites by name.
    let sites = "customer_number;name;address;latitude;longitude\nC-10;Workshop;1 rue A;45,1;4,9\nC-11;Kitchen;;;\n";
    let done = import(&stack, &dispatcher, "sites", false, sites)
        .await?
        .expect(200)?;
    assert_eq!(done["written"], true, "{done}");
    let contacts = "customer_number,name,email,language,sites\nC-10,Paul Dupont,paul@dupont.example,fr,Workshop\nC-11,Anna Nowak,anna@bellevue.example,pl,Nowhere\n";
    let report = import(&stack, &dispatcher, "contacts", false, contacts)
        .await?
        .expect(200)?;
    assert_eq!(refused_lines(&report), [3], "{report}");
    let contacts = contacts.replace(",Nowhere", ",Kitchen");
    let done = import(&stack, &dispatcher, "contacts", false, &contacts)
        .await?
        .expect(200)?;
    assert_eq!(done["written"], true, "{done}");

    // Equipment: a serial already used and another customer's site are
    // refused; once fixed, every row is there.
    api.post(
        &format!("/api/v1/sites/{}/equipment", t.site_ids[0]),
        Some(&dispatcher),
        &json!({"kind": "Oven", "name": "Deck oven", "serial_number": "OV-1"}),
    )
    .await?
    .expect(201)?;
    let equipment = "customer_number,site_name,kind,name,serial_number,installed_on\n\
        C-10,Workshop,Compressor,Air compressor,CP-1,2021-04-01\n\
        C-10,Workshop,Oven,Second oven,OV-1,\n\
        C-10,Kitchen,Fridge,Cold room,CR-1,\n\
        C-11,Kitchen,Fridge,Cold room,CR-2,\n";
    let report = import(&stack, &dispatcher, "equipment", false, equipment)
        .await?
        .expect(200)?;
    assert_eq!(refused_lines(&report), [3, 4], "{report}");
    assert!(
        s(&report["refused"][1]["reason"]).contains("no site named 'Kitchen'"),
        "{report}"
    );
    let listed = api
        .get("/api/v1/equipment?q=compressor", &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(listed["items"], json!([]), "nothing half imported");
    let fixed = equipment
        .replace(
            "C-10,Workshop,Oven,Second oven,OV-1,",
            "C-10,Workshop,Oven,Second oven,OV-2,",
        )
        .replace("C-10,Kitchen,", "C-11,Kitchen,")
        .replace(
            "C-11,Kitchen,Fridge,Cold room,CR-2",
            "C-11,Kitchen,Fridge,Freezer,CR-2",
        );
    let done = import(&stack, &dispatcher, "equipment", false, &fixed)
        .await?
        .expect(200)?;
    assert_eq!(done["written"], true, "{done}");
    let listed = api
        .get("/api/v1/equipment?q=cp-1", &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(listed["items"][0]["installed_on"], "2021-04-01");

    // Files that cannot be used at all: a clear 400, nothing written.
    for (kind, text, why) in [
        (
            "customers",
            "number,nom\nC-20,x\n".to_owned(),
            "'nom' is not one of",
        ),
        (
            "customers",
            "number,name\nC-20,=HYPERLINK(\"http://x\")\n".to_owned(),
            "formula",
        ),
        (
            "customers",
            std::iter::once("number,name".to_owned())
                .chain((0..10_001).map(|i| format!("Z-{i},Bulk {i}")))
                .collect::<Vec<_>>()
                .join("\n"),
            "more than 10000 rows",
        ),
    ] {
        let p = import(&stack, &dispatcher, kind, false, &text)
            .await?
            .problem(400)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    assert_eq!(customers(dispatcher.clone()).await?, before + 3);
    // Who may: not a technician, not a contact; another tenant sees none of it.
    import(&stack, &tech, "customers", true, &good)
        .await?
        .problem(403)?;
    import(&stack, &t.contact, "customers", true, &good)
        .await?
        .problem(403)?;
    let theirs = import(
        &stack,
        &other.admin,
        "sites",
        true,
        "customer_number,name\nC-10,Spy\n",
    )
    .await?
    .expect(200)?;
    assert_eq!(
        refused_lines(&theirs),
        [2],
        "another tenant's customer numbers are unknown"
    );
    Ok(())
}
