//! Demo data through the public REST API, as a real client would create it:
//! a tenant, its admin, a dispatcher and a technician, a customer with two
//! sites and an activated contact, and a second customer whose portal is
//! still off (to try "enable portal" and secure links); once the contact is
//! in, their requests as work to plan, planned, in progress and done.
//! Idempotent: an existing `demo` tenant is left as it is.

use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::{http, mail};

pub const TENANT: &str = "demo";
pub const ADMIN_EMAIL: &str = "admin@demo.example";
pub const ADMIN_PASSWORD: &str = "demo-admin-pass";
pub const CONTACT_EMAIL: &str = "claire@martin.example";
pub const CONTACT_PASSWORD: &str = "demo-contact-pass";
/// Other staff, by role: (role, e-mail, password).
pub const STAFF: [(&str, &str, &str); 2] = [
    ("dispatcher", "dispatch@demo.example", "demo-dispatch-pass"),
    ("technician", "tech@demo.example", "demo-tech-pass"),
];

const MAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the demo contact's invitation went.
pub enum Invitation {
    /// Read from the local mailbox and accepted: the contact can log in.
    Accepted,
    /// Sent to a real SMTP server: the contact must follow the mail's link.
    SentToSmtp,
    /// The tenant existed already; nothing was sent.
    Existing,
}

/// The demo provider is in Lyon: its pages, mails and reports say Paris time.
const ZONE: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// Seeds the demo tenant through the gateway at `base` (`https://host:port`).
/// `mail_dir` is `None` when mails go to an SMTP server.
pub fn demo(base: &str, operator_token: &str, mail_dir: Option<&Path>) -> Result<Invitation> {
    let api = |path: &str| format!("{base}/api/v1{path}");

    let tenant = http::call(
        "POST",
        &api("/tenants"),
        Some(operator_token),
        Some(&json!({
            "slug": TENANT,
            "name": "Demo Services",
            "admin_email": ADMIN_EMAIL,
            "admin_password": ADMIN_PASSWORD,
            "time_zone": ZONE.name(),
        })),
    )?;
    if tenant.status == 409 {
        println!("Demo tenant `{TENANT}` exists already: keeping its data.");
        return Ok(Invitation::Existing);
    }
    tenant.ensure_success("creating the demo tenant")?;
    println!("Created tenant `{TENANT}`.");

    let login = http::call(
        "POST",
        &api("/auth/login"),
        None,
        Some(&json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
    )?
    .ensure_success("logging in as the demo admin")?;
    let token = string_field(&login.json()?, "access_token")?;
    let staff = |method: &str, path: &str, body: Value, what: &str| {
        http::call(method, &api(path), Some(&token), Some(&body))?
            .ensure_success(what)?
            .json()
    };

    let customer = staff(
        "POST",
        "/customers",
        json!({
            "number": "C-1001",
            "name": "Boulangerie Martin",
            "address": "12 rue de la Paix, Lyon",
            "info": "Open 6:00-19:00",
        }),
        "creating the demo customer",
    )?;
    let customer_id = string_field(&customer, "id")?;
    let mut site_ids = Vec::new();
    for site in [
        json!({"name": "Lyon bakery", "address": "12 rue de la Paix, Lyon", "latitude": 45.76, "longitude": 4.83}),
        json!({"name": "Villeurbanne workshop", "address": "3 avenue Henri Barbusse, Villeurbanne", "latitude": 45.77, "longitude": 4.88}),
    ] {
        let site = staff(
            "POST",
            &format!("/customers/{customer_id}/sites"),
            site,
            "creating a demo site",
        )?;
        site_ids.push(string_field(&site, "id")?);
    }
    let contact = staff(
        "POST",
        &format!("/customers/{customer_id}/contacts"),
        json!({
            "name": "Claire Martin",
            "email": CONTACT_EMAIL,
            "language": "fr",
            "notifications": true,
            "site_ids": [],
        }),
        "creating the demo contact",
    )?;
    let contact_id = string_field(&contact, "id")?;
    // PUT may answer 200 with an empty body: check the status only.
    http::call(
        "PUT",
        &api(&format!("/customers/{customer_id}/portal")),
        Some(&token),
        Some(&json!({"enabled": true})),
    )?
    .ensure_success("enabling the customer portal")?;
    println!("Created customer C-1001 with two sites and contact {CONTACT_EMAIL}.");

    let mut technician_id = String::new();
    for (role, email, password) in STAFF {
        let member = staff(
            "POST",
            "/staff",
            json!({"email": email, "name": format!("Demo {role}"), "roles": [role], "password": password}),
            "creating demo staff",
        )?;
        if role == "technician" {
            technician_id = string_field(&member, "id")?;
        }
    }
    let hotel = staff(
        "POST",
        "/customers",
        json!({
            "number": "C-1002",
            "name": "Hôtel du Parc",
            "address": "8 place Bellecour, Lyon",
            "info": "Portal not enabled yet",
        }),
        "creating the second demo customer",
    )?;
    let hotel_id = string_field(&hotel, "id")?;
    staff(
        "POST",
        &format!("/customers/{hotel_id}/sites"),
        json!({"name": "Hotel kitchen", "address": "8 place Bellecour, Lyon"}),
        "creating the hotel's site",
    )?;
    staff(
        "POST",
        &format!("/customers/{hotel_id}/contacts"),
        json!({"name": "Marc Weber", "email": "marc@hotel-parc.example", "language": "de"}),
        "creating the hotel's contact",
    )?;
    println!("Created staff (dispatcher, technician) and customer C-1002 (portal off).");

    // Remember the mails present now, so the invitation is the new one.
    let before = mail_dir.map(mail::snapshot).unwrap_or_default();
    http::call(
        "POST",
        &api(&format!("/contacts/{contact_id}/invitation")),
        Some(&token),
        Some(&json!({})),
    )?
    .ensure_success("inviting the demo contact")?;

    let Some(mail_dir) = mail_dir else {
        return Ok(Invitation::SentToSmtp);
    };
    let path = mail::wait_for_new(mail_dir, &before, MAIL_TIMEOUT)
        .context("the invitation mail did not arrive")?;
    let raw = fs::read(&path).with_context(|| format!("failed to read {}", path.display()))?;
    let Some(invitation) = mail::invitation_token(&String::from_utf8_lossy(&raw)) else {
        bail!("no `invitations/accept?token=` link in {}", path.display());
    };
    http::call(
        "POST",
        &api("/auth/invitations/accept"),
        None,
        Some(&json!({"token": invitation, "password": CONTACT_PASSWORD})),
    )?
    .ensure_success("accepting the demo contact's invitation")?;
    println!("Accepted the invitation from {}.", path.display());
    let kit = equipment(&api, &token, &site_ids)?;
    work(&api, &token, &technician_id, &site_ids[0], &kit)?;
    quotes(&api, &token, &customer_id, &site_ids[0])?;
    papers(&api, &token, &customer_id, &kit)?;
    knowledge_base(&api, &token)?;
    Ok(Invitation::Accepted)
}

/// Quotes for the bakery (E3): one waiting for Claire's signature, one she
/// accepted (signed, and planned work by now), one she declined.
fn quotes(
    api: &dyn Fn(&str) -> String,
    admin: &str,
    customer_id: &str,
    site_id: &str,
) -> Result<()> {
    let contact = {
        let answer = http::call(
            "POST",
            &api("/auth/login"),
            None,
            Some(&json!({"tenant": TENANT, "email": CONTACT_EMAIL, "password": CONTACT_PASSWORD})),
        )?
        .ensure_success("logging in as the demo contact")?;
        string_field(&answer.json()?, "access_token")?
    };
    let valid = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let quote = |title: &str, lines: Value| -> Result<String> {
        let made = http::call(
            "POST",
            &api("/quotes"),
            Some(admin),
            Some(
                &json!({"customer_id": customer_id, "site_id": site_id, "title": title,
                "valid_until": valid, "lines": lines}),
            ),
        )?
        .ensure_success("writing a demo quote")?
        .json()?;
        string_field(&made, "id")
    };
    quote(
        "Replace the proofing cabinet door seals",
        json!([
            {"description": "Door seal kit, proofing cabinet", "quantity": 2, "unit_price": 84.5, "tax_rate": 20},
            {"description": "Labour (hours)", "quantity": 1.5, "unit_price": 62, "tax_rate": 20}
        ]),
    )?;
    let accepted = quote(
        "Annual descaling of the combi oven",
        json!([{"description": "Descaling and inspection", "quantity": 1, "unit_price": 240, "tax_rate": 20}]),
    )?;
    http::call(
        "POST",
        &api(&format!("/quotes/{accepted}/accept")),
        Some(&contact),
        Some(&json!({"signer_name": "Claire Martin", "signature_png": SIGNATURE_PNG})),
    )?
    .ensure_success("accepting a demo quote")?;
    // Billed: a final invoice of the accepted quote, to pay.
    let invoice = http::call(
        "POST",
        &api("/invoices"),
        Some(admin),
        Some(&json!({"quote_id": accepted})),
    )?
    .ensure_success("drafting the demo invoice")?
    .json()?;
    http::call(
        "POST",
        &api(&format!(
            "/invoices/{}/finalize",
            string_field(&invoice, "id")?
        )),
        Some(admin),
        Some(&json!({})),
    )?
    .ensure_success("finalising the demo invoice")?;
    let declined = quote(
        "New display fridge",
        json!([{"description": "Display fridge, 1.2 m", "quantity": 1, "unit_price": 3150, "tax_rate": 20}]),
    )?;
    http::call(
        "POST",
        &api(&format!("/quotes/{declined}/decline")),
        Some(&contact),
        Some(&json!({"reason": "We keep the old one one more year."})),
    )?
    .ensure_success("declining a demo quote")?;
    println!("Wrote three demo quotes (one to sign, one accepted and invoiced, one declined).");
    Ok(())
}

/// A one-page PDF saying `lines`, with a correct cross-reference table.
fn demo_pdf(lines: &[&str]) -> Vec<u8> {
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("BT /F1 14 Tf 72 {} Td ({l}) Tj ET\n", 740 - 24 * i))
        .collect();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for at in offsets {
        out.push_str(&format!("{at:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// Papers of the bakery (E1, B1): a certificate for each extinguisher and
/// the maintenance contract, as staff publish them from files.
fn papers(api: &dyn Fn(&str) -> String, admin: &str, customer_id: &str, kit: &Kit) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("portal-demo-{}", std::process::id()));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let publish = |fields: &[(&str, &str)], name: &str, lines: &[&str]| -> Result<()> {
        let file = dir.join(name);
        fs::write(&file, demo_pdf(lines)).with_context(|| format!("writing {}", file.display()))?;
        http::upload(&api("/documents"), admin, fields, &file, "application/pdf")?
            .ensure_success("publishing a demo document")?;
        Ok(())
    };
    for (n, extinguisher) in kit.extinguishers.iter().enumerate() {
        let title = format!("Extinguisher {} - inspection certificate", n + 1);
        publish(
            &[
                ("kind", "certificate"),
                ("equipment_id", extinguisher),
                ("title", &title),
            ],
            &format!("extinguisher-{}-certificate.pdf", n + 1),
            &[
                "Inspection certificate",
                "Portable fire extinguisher",
                "Result: conforming",
            ],
        )?;
    }
    publish(
        &[
            ("kind", "contract"),
            ("customer_id", customer_id),
            ("title", "Maintenance contract 2027"),
        ],
        "maintenance-contract-2027.pdf",
        &[
            "Maintenance contract 2027",
            "Boulangerie Martin",
            "Two visits a year, call-outs within 24 h",
        ],
    )?;
    let _ = fs::remove_dir_all(&dir);
    println!("Published two certificates and the maintenance contract.");
    Ok(())
}

/// Help articles (E6), mostly in French for Claire, one public.
fn knowledge_base(api: &dyn Fn(&str) -> String, admin: &str) -> Result<()> {
    let articles = [
        (
            "Chauffage",
            "Entretien annuel des chaudières",
            "fr",
            "public",
            "Les **chaudières** à gaz doivent être entretenues une fois par an.\n\n\
          - Coupez l'alimentation avant la visite ;\n- Laissez un accès dégagé ;\n\
          - Gardez le carnet d'entretien à portée de main.\n\n\
          Après la visite, l'attestation d'entretien est publiée dans vos documents.",
        ),
        (
            "Fours",
            "Le four affiche une erreur : que faire ?",
            "fr",
            "portal",
            "1. Notez le **code d'erreur** affiché.\n2. Éteignez le four, attendez une minute, rallumez-le.\n\
          3. Si l'erreur revient, faites une demande en joignant une photo de l'écran.",
        ),
        (
            "Sécurité incendie",
            "Extincteurs : la vérification annuelle",
            "fr",
            "portal",
            "Chaque extincteur est vérifié une fois par an. Le certificat de chaque appareil \
          est disponible sur la page de l'équipement.",
        ),
        (
            "Ovens",
            "Descaling a combi oven",
            "en",
            "portal",
            "Descale every **three months** in hard-water areas. Use only the manufacturer's product.",
        ),
        (
            "Kältetechnik",
            "Kühlräume richtig beladen",
            "de",
            "portal",
            "Lassen Sie zwischen den Waren und den Verdampfern mindestens zehn Zentimeter frei.",
        ),
    ];
    let mut ids = Vec::new();
    for (category, title, language, audience, body) in articles {
        let made = http::call(
            "POST",
            &api("/kb/articles"),
            Some(admin),
            Some(&json!({"category": category, "title": title, "body": body,
                         "language": language, "audience": audience, "published": true})),
        )?
        .ensure_success("writing a demo article")?
        .json()?;
        ids.push(string_field(&made, "id")?);
    }
    // The boiler article carries its checklist as a file.
    let dir = std::env::temp_dir().join(format!("portal-demo-kb-{}", std::process::id()));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join("checklist-entretien-chaudiere.pdf");
    fs::write(
        &file,
        demo_pdf(&[
            "Checklist : entretien annuel",
            "1. Couper le gaz",
            "2. Nettoyer le brûleur",
        ]),
    )
    .with_context(|| format!("writing {}", file.display()))?;
    let attached = http::upload(
        &api(&format!("/kb/articles/{}/files", ids[0])),
        admin,
        &[],
        &file,
        "application/pdf",
    );
    let _ = fs::remove_dir_all(&dir);
    attached?.ensure_success("attaching a file to a demo article")?;
    println!("Wrote five help articles (one public, one with a file).");
    Ok(())
}

/// The demo equipment the demo work refers to.
struct Kit {
    mixer: String,
    extinguishers: [String; 2],
}

/// Equipment at both bakery sites, with the tenant's own field and a
/// checklist for extinguishers (B3).
fn equipment(api: &dyn Fn(&str) -> String, admin: &str, site_ids: &[String]) -> Result<Kit> {
    let call = |method: &str, path: &str, body: Value, what: &str| {
        http::call(method, &api(path), Some(admin), Some(&body))?
            .ensure_success(what)?
            .json()
    };
    call(
        "PUT",
        "/equipment-settings",
        json!({"fields": [{"key": "refrigerant", "label": "Refrigerant"}, {"key": "contract", "label": "Maintenance contract"}],
               "checklists": [{"kind": "Fire extinguisher", "items": ["Seal intact", "Pressure in the green", "Label readable"]},
                              {"kind": "Refrigeration", "items": ["Temperature holds", "Door seal", "No ice on the coil"]}]}),
        "defining the demo equipment fields",
    )?;
    let mut ids = Vec::new();
    for (site, body) in [
        (
            0,
            json!({"kind": "Oven", "name": "Deck oven", "make": "Bongard", "model": "Orion 4", "serial_number": "BG-ORI-20931", "location": "Bakehouse", "installed_on": "2017-09-12"}),
        ),
        (
            0,
            json!({"kind": "Refrigeration", "name": "Walk-in fridge", "make": "Friginox", "model": "CF 2000", "serial_number": "FX-88412", "location": "Back store", "installed_on": "2020-02-03", "custom_fields": {"refrigerant": "R452A", "contract": "Gold"}}),
        ),
        (
            0,
            json!({"kind": "Mixer", "name": "Dough mixer", "make": "VMI", "model": "SPI 160", "serial_number": "VMI-160-7731", "location": "Bakehouse"}),
        ),
        (
            0,
            json!({"kind": "Fire extinguisher", "name": "Extinguisher, shop", "make": "Sicli", "serial_number": "SIC-2019-0141", "location": "By the shop door", "installed_on": "2019-03-01"}),
        ),
        (
            0,
            json!({"kind": "Fire extinguisher", "name": "Extinguisher, bakehouse", "make": "Sicli", "serial_number": "SIC-2019-0142", "location": "Bakehouse, next to the oven", "installed_on": "2019-03-01"}),
        ),
        (
            1,
            json!({"kind": "Boiler", "name": "Workshop boiler", "make": "Viessmann", "model": "Vitodens 200-W", "serial_number": "VI-7781-22", "location": "Boiler room"}),
        ),
        (
            1,
            json!({"kind": "Fire extinguisher", "name": "Extinguisher, workshop", "make": "Sicli", "serial_number": "SIC-2021-0007", "location": "Workshop entrance"}),
        ),
    ] {
        let made = call(
            "POST",
            &format!("/sites/{}/equipment", site_ids[site]),
            body,
            "creating demo equipment",
        )?;
        ids.push(string_field(&made, "id")?);
    }
    let due = (chrono::Utc::now() + chrono::Duration::days(60)).date_naive();
    call(
        "POST",
        &format!("/sites/{}/inspection-plans", site_ids[0]),
        json!({"title": "Fire extinguisher check", "every_months": 12, "next_due": due.to_string()}),
        "planning the demo inspections",
    )?;
    println!("Created 7 pieces of demo equipment at both sites and a yearly inspection plan.");
    Ok(Kit {
        mixer: ids[2].clone(),
        extinguishers: [ids[3].clone(), ids[4].clone()],
    })
}

/// A 1×1 PNG standing in for a customer's drawn signature.
const SIGNATURE_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Claire's requests, accepted, as work in each state: one to plan, one
/// planned for tomorrow, one in progress, one done and signed.
fn work(
    api: &dyn Fn(&str) -> String,
    admin: &str,
    technician_id: &str,
    site_id: &str,
    kit: &Kit,
) -> Result<()> {
    let log_in = |email: &str, password: &str| -> Result<String> {
        let answer = http::call(
            "POST",
            &api("/auth/login"),
            None,
            Some(&json!({"tenant": TENANT, "email": email, "password": password})),
        )?
        .ensure_success("logging in for the demo work")?;
        string_field(&answer.json()?, "access_token")
    };
    let contact = log_in(CONTACT_EMAIL, CONTACT_PASSWORD)?;
    let (_, tech_email, tech_password) = STAFF[1];
    let technician = log_in(tech_email, tech_password)?;
    let call = |token: &str, path: &str, body: Value, what: &str| {
        http::call("POST", &api(path), Some(token), Some(&body))?
            .ensure_success(what)?
            .json()
    };

    let now = chrono::Utc::now();
    // Tomorrow 09:00 in Lyon.
    let tomorrow = {
        use chrono::TimeZone;
        let day = (now + chrono::Duration::days(1))
            .with_timezone(&ZONE)
            .date_naive();
        ZONE.from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap_or_default())
            .earliest()
            .map_or(now, |t| t.with_timezone(&chrono::Utc))
    };
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    let work = [
        ("Proofing cabinet door does not close", None, 0, ""),
        (
            "Oven no longer reaches 250 °C",
            Some((tomorrow, tomorrow + chrono::Duration::hours(2))),
            0,
            "",
        ),
        (
            "Walk-in fridge alarm",
            Some((now, now + chrono::Duration::hours(2))),
            1,
            "",
        ),
        (
            "Dough mixer makes a grinding noise",
            Some((now, now + chrono::Duration::hours(1))),
            2,
            kit.mixer.as_str(),
        ),
        (
            "Yearly fire extinguisher check",
            Some((now, now + chrono::Duration::hours(1))),
            3,
            kit.extinguishers[0].as_str(),
        ),
    ];
    for (title, plan, steps, equipment_id) in work {
        let request = call(
            &contact,
            "/requests",
            json!({"site_id": site_id, "title": title, "description": format!("{title}. Seen this morning by the team."), "category": "repair", "priority": "normal", "equipment_id": equipment_id}),
            "creating a demo request",
        )?;
        let request_id = string_field(&request, "id")?;
        call(
            admin,
            &format!("/requests/{request_id}/accept"),
            json!({}),
            "accepting a demo request",
        )?;
        let work_order = wait_for_work_order(api, admin, &request_id)?;
        let Some((start, end)) = plan else { continue };
        call(
            admin,
            &format!("/work-orders/{work_order}/schedule"),
            json!({"technician_ids": [technician_id], "start": at(start), "end": at(end), "force": true}),
            "planning demo work",
        )?;
        if steps >= 1 {
            call(
                &technician,
                &format!("/work-orders/{work_order}/start"),
                json!({}),
                "starting demo work",
            )?;
        }
        if steps >= 3 {
            // An inspection (D4): one extinguisher fine, one to refill.
            let answers = |ok: bool| {
                json!([{"item": "Seal intact", "ok": true}, {"item": "Pressure in the green", "ok": ok},
                       {"item": "Label readable", "ok": true}])
            };
            call(
                &technician,
                &format!("/work-orders/{work_order}/inspection-results"),
                json!({"results": [
                    {"equipment_id": kit.extinguishers[0], "result": "conforming", "checklist": answers(true)},
                    {"equipment_id": kit.extinguishers[1], "result": "non_conforming",
                     "remarks": "Pressure below the green zone: to be refilled.", "checklist": answers(false)}]}),
                "recording demo inspection results",
            )?;
        }
        if steps >= 2 {
            call(
                &technician,
                &format!("/work-orders/{work_order}/complete"),
                json!({"notes": "Replaced the worn gearbox bearing and greased the drive. Runs quietly.", "minutes_spent": 55, "signer_name": "Claire Martin", "signature_png": SIGNATURE_PNG}),
                "completing demo work",
            )?;
        }
    }
    println!(
        "Created demo work: one to plan, one planned, one in progress, one done, one inspection done."
    );
    availability(api, admin, technician_id)
}

/// The technician works Mon–Fri 08:00–17:00 (Lyon's time, the tenant's zone)
/// and is at a training on Monday and Tuesday next week, so the board shows
/// both.
fn availability(api: &dyn Fn(&str) -> String, admin: &str, technician_id: &str) -> Result<()> {
    use chrono::Datelike;
    let hours: Vec<Value> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "17:00"}))
        .collect();
    http::call(
        "PUT",
        &api(&format!("/technicians/{technician_id}/working-hours")),
        Some(admin),
        Some(&json!({ "hours": hours })),
    )?
    .ensure_success("setting the demo technician's hours")?;
    let today = chrono::Utc::now().with_timezone(&ZONE).date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()))
        + chrono::Duration::days(7);
    // Midnight in Lyon (never in a clock change's gap: those are at 02:00).
    let midnight = |d: chrono::NaiveDate| {
        use chrono::TimeZone;
        ZONE.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    };
    http::call(
        "POST",
        &api(&format!("/technicians/{technician_id}/absences")),
        Some(admin),
        Some(&json!({
            "from": midnight(monday),
            "until": midnight(monday + chrono::Duration::days(2)),
            "reason": "training",
            "note": "Refrigeration safety course",
        })),
    )?
    .ensure_success("recording the demo technician's absence")?;
    println!(
        "Gave the technician hours (Mon–Fri 08:00–17:00) and a training next Monday and Tuesday."
    );
    Ok(())
}

/// The work order an accepted request becomes (two event hops away).
fn wait_for_work_order(
    api: &dyn Fn(&str) -> String,
    token: &str,
    request_id: &str,
) -> Result<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let request = http::call(
            "GET",
            &api(&format!("/requests/{request_id}")),
            Some(token),
            None,
        )?
        .ensure_success("reading a demo request")?
        .json()?;
        if let Some(id) = request["work_order_id"]
            .as_str()
            .filter(|id| !id.is_empty())
        {
            return Ok(id.to_owned());
        }
        if std::time::Instant::now() > deadline {
            bail!("request {request_id} got no work order within 30 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A string field of an answer; ids may also come as numbers.
fn string_field(value: &Value, name: &str) -> Result<String> {
    match &value[name] {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        _ => bail!("answer has no `{name}`: {value}"),
    }
}
