//! Moving a provider in (G1): customers, sites or contacts from a file's
//! rows. Every row is checked against the rules and the directory first;
//! the rows are written in one transaction only when none is refused, so a
//! file is never half imported. A preview (`dry_run`) checks and writes
//! nothing.
use std::collections::{HashMap, HashSet};

use chrono::Utc;
use portal_platform::audit::{self, Actor};
use portal_platform::errors::{ServiceError, ServiceResult};
use portal_platform::outbox;
use portal_platform::time::to_proto;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1 as pb;
use tonic::Request;
use uuid::Uuid;

use crate::domain::{self, Action};
use crate::grpc::{Identity, SOURCE};
use crate::store;

/// Rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

fn cell<'a>(row: &'a pb::ImportRow, column: &str) -> &'a str {
    row.cells.get(column).map_or("", |v| v.trim())
}

/// A checked row, ready to write.
enum Checked {
    Customer {
        number: String,
        name: String,
        address: String,
        info: String,
    },
    Site {
        customer_id: Uuid,
        name: String,
        address: String,
        latitude: Option<f64>,
        longitude: Option<f64>,
    },
    Contact {
        customer_id: Uuid,
        name: String,
        email: String,
        language: String,
        site_ids: Vec<Uuid>,
    },
}

fn coordinate(v: &str) -> Result<Option<f64>, String> {
    let v = v.trim().replace(',', ".");
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Some)
        .ok_or_else(|| format!("'{v}' is not a coordinate"))
}

/// What the directory holds already, read once per import.
struct Known {
    customers: HashMap<String, Uuid>,
    /// `(customer, lower-cased site name)` -> site.
    sites: HashMap<(Uuid, String), Uuid>,
    emails: HashSet<String>,
}

/// Checks one row; what the file repeats is caught with `seen`.
fn check(
    kind: pb::ImportKind,
    row: &pb::ImportRow,
    known: &Known,
    seen: &mut HashSet<String>,
) -> Result<Checked, String> {
    let customer_of = |number: &str| {
        known
            .customers
            .get(number)
            .copied()
            .ok_or_else(|| format!("no customer numbered '{number}'"))
    };
    match kind {
        pb::ImportKind::Customers => {
            let number = cell(row, "number");
            domain::required("number", number)?;
            domain::required("name", cell(row, "name"))?;
            if known.customers.contains_key(number) {
                return Err(format!("customer number '{number}' already exists"));
            }
            if !seen.insert(format!("customer:{number}")) {
                return Err(format!("customer number '{number}' is twice in the file"));
            }
            Ok(Checked::Customer {
                number: number.to_owned(),
                name: cell(row, "name").to_owned(),
                address: cell(row, "address").to_owned(),
                info: cell(row, "info").to_owned(),
            })
        }
        pb::ImportKind::Sites => {
            let customer_id = customer_of(cell(row, "customer_number"))?;
            let name = cell(row, "name");
            domain::required("name", name)?;
            let (latitude, longitude) = (
                coordinate(cell(row, "latitude"))?,
                coordinate(cell(row, "longitude"))?,
            );
            domain::position(latitude, longitude)?;
            let key = (customer_id, name.to_lowercase());
            if known.sites.contains_key(&key) {
                return Err(format!("the customer already has a site named '{name}'"));
            }
            if !seen.insert(format!("site:{customer_id}:{}", key.1)) {
                return Err(format!(
                    "site '{name}' is twice in the file for this customer"
                ));
            }
            Ok(Checked::Site {
                customer_id,
                name: name.to_owned(),
                address: cell(row, "address").to_owned(),
                latitude,
                longitude,
            })
        }
        pb::ImportKind::Contacts => {
            let customer_id = customer_of(cell(row, "customer_number"))?;
            let name = cell(row, "name");
            domain::required("name", name)?;
            let email = cell(row, "email");
            domain::validate_email(email)?;
            let lower = email.to_lowercase();
            if known.emails.contains(&lower) {
                return Err(format!("a contact with e-mail '{email}' already exists"));
            }
            if !seen.insert(format!("email:{lower}")) {
                return Err(format!("e-mail '{email}' is twice in the file"));
            }
            let language = domain::language(cell(row, "language"))?;
            let mut site_ids = Vec::new();
            for site in cell(row, "sites")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let id = known
                    .sites
                    .get(&(customer_id, site.to_lowercase()))
                    .ok_or_else(|| format!("the customer has no site named '{site}'"))?;
                site_ids.push(*id);
            }
            Ok(Checked::Contact {
                customer_id,
                name: name.to_owned(),
                email: email.to_owned(),
                language,
                site_ids,
            })
        }
        pb::ImportKind::Unspecified => Err("say what the file holds".into()),
    }
}

impl Identity {
    pub(crate) async fn import_directory(
        &self,
        req: Request<pb::ImportDirectoryRequest>,
    ) -> ServiceResult<pb::ImportReport> {
        let kind = pb::ImportKind::try_from(req.get_ref().kind)
            .ok()
            .filter(|k| *k != pb::ImportKind::Unspecified)
            .ok_or_else(|| ServiceError::Invalid("kind is customers, sites or contacts".into()))?;
        let action = match kind {
            pb::ImportKind::Contacts => Action::ManageContacts,
            _ => Action::ManageCustomers,
        };
        let claims = self.staff_may(&req, action).await?;
        let actor = Actor::of(&claims, &req);
        let r = req.into_inner();
        if r.rows.len() > MAX_ROWS {
            return Err(ServiceError::Invalid(format!(
                "a file holds at most {MAX_ROWS} rows"
            )));
        }
        let known = Known {
            customers: store::customer_numbers(&self.pool, claims.tid)
                .await?
                .into_iter()
                .collect(),
            sites: store::site_names(&self.pool, claims.tid)
                .await?
                .into_iter()
                .map(|(customer, name, id)| ((customer, name), id))
                .collect(),
            emails: store::contact_emails(&self.pool, claims.tid)
                .await?
                .into_iter()
                .collect(),
        };
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(r.rows.len());
        let mut refused = Vec::new();
        for row in &r.rows {
            match check(kind, row, &known, &mut seen) {
                Ok(c) => checked.push(c),
                Err(reason) => refused.push(pb::RowRefusal {
                    line: row.line,
                    reason,
                }),
            }
        }
        let rows = i32::try_from(r.rows.len()).unwrap_or(i32::MAX);
        if !refused.is_empty() || r.dry_run {
            return Ok(pb::ImportReport {
                rows,
                refused,
                written: false,
            });
        }
        let mut tx = self.pool.begin().await?;
        let now = Utc::now();
        for c in checked {
            match c {
                Checked::Customer {
                    number,
                    name,
                    address,
                    info,
                } => {
                    store::insert_customer(
                        &mut *tx,
                        &store::NewCustomer {
                            tenant_id: claims.tid,
                            number: &number,
                            name: &name,
                            address: &address,
                            info: &info,
                        },
                    )
                    .await?;
                }
                Checked::Site {
                    customer_id,
                    name,
                    address,
                    latitude,
                    longitude,
                } => {
                    let row = store::insert_site(
                        &mut tx,
                        &store::NewSite {
                            tenant_id: claims.tid,
                            customer_id,
                            name: &name,
                            address: &address,
                            latitude,
                            longitude,
                        },
                    )
                    .await?;
                    let event = ev::SiteCreated {
                        tenant_id: claims.tid.to_string(),
                        site: Some(crate::directory::site_state(&row)),
                        by_id: claims.sub.to_string(),
                        at: Some(to_proto(now)),
                    };
                    outbox::enqueue(&mut tx, claims.tid, SOURCE, &event).await?;
                }
                Checked::Contact {
                    customer_id,
                    name,
                    email,
                    language,
                    site_ids,
                } => {
                    let row = store::insert_contact(
                        &mut tx,
                        &store::NewContact {
                            tenant_id: claims.tid,
                            customer_id,
                            name: &name,
                            email: &email,
                            language: &language,
                            notifications: true,
                            site_ids: &site_ids,
                            access_from: None,
                            access_until: None,
                        },
                    )
                    .await?;
                    audit::record(
                        &mut tx,
                        claims.tid,
                        &actor,
                        "contact.created",
                        ("contact", Some(row.id)),
                        crate::directory::contact_scope(&row),
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(pb::ImportReport {
            rows,
            refused: Vec::new(),
            written: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: i32, cells: &[(&str, &str)]) -> pb::ImportRow {
        pb::ImportRow {
            line,
            cells: cells
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn known() -> (Known, Uuid, Uuid) {
        let (customer, site) = (Uuid::now_v7(), Uuid::now_v7());
        let known = Known {
            customers: [("C-1".to_owned(), customer)].into_iter().collect(),
            sites: [((customer, "bakery".to_owned()), site)]
                .into_iter()
                .collect(),
            emails: ["claire@martin.example".to_owned()].into_iter().collect(),
        };
        (known, customer, site)
    }

    #[test]
    fn rows_are_checked_against_the_directory_and_the_file() {
        let (known, _, site) = known();
        let mut seen = HashSet::new();
        let customers = pb::ImportKind::Customers;
        assert!(
            check(
                customers,
                &row(2, &[("number", "C-2"), ("name", "Hotel")]),
                &known,
                &mut seen
            )
            .is_ok()
        );
        for (cells, why) in [
            (vec![("number", "C-2"), ("name", "Hotel again")], "twice"),
            (
                vec![("number", "C-1"), ("name", "Bakery")],
                "already exists",
            ),
            (vec![("number", "C-3")], "name"),
        ] {
            let e = check(customers, &row(3, &cells), &known, &mut seen)
                .err()
                .unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
        let sites = pb::ImportKind::Sites;
        for (cells, why) in [
            (
                vec![("customer_number", "C-9"), ("name", "X")],
                "no customer",
            ),
            (
                vec![("customer_number", "C-1"), ("name", "Bakery")],
                "already has",
            ),
            (
                vec![
                    ("customer_number", "C-1"),
                    ("name", "Shop"),
                    ("latitude", "45"),
                ],
                "both",
            ),
            (
                vec![
                    ("customer_number", "C-1"),
                    ("name", "Shop"),
                    ("latitude", "x"),
                    ("longitude", "1"),
                ],
                "coordinate",
            ),
        ] {
            let e = check(sites, &row(2, &cells), &known, &mut seen)
                .err()
                .unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
        let contacts = pb::ImportKind::Contacts;
        let ok = check(
            contacts,
            &row(
                2,
                &[
                    ("customer_number", "C-1"),
                    ("name", "Ann"),
                    ("email", "ann@x.example"),
                    ("sites", " Bakery "),
                ],
            ),
            &known,
            &mut seen,
        );
        assert!(matches!(ok, Ok(Checked::Contact { ref site_ids, .. }) if site_ids == &[site]));
        for (cells, why) in [
            (
                vec![
                    ("customer_number", "C-1"),
                    ("name", "Cl"),
                    ("email", "CLAIRE@martin.example"),
                ],
                "already exists",
            ),
            (
                vec![
                    ("customer_number", "C-1"),
                    ("name", "Ann"),
                    ("email", "ann@x.example"),
                ],
                "twice",
            ),
            (
                vec![
                    ("customer_number", "C-1"),
                    ("name", "Bo"),
                    ("email", "bo@x.example"),
                    ("sites", "Nowhere"),
                ],
                "no site",
            ),
        ] {
            let e = check(contacts, &row(3, &cells), &known, &mut seen)
                .err()
                .unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
    }
}
