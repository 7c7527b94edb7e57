//! Where work happens, for the work-order pages: customer and site names
//! and addresses from identity's directory (work orders only carry ids),
//! and links that open the address in a map.
use std::collections::HashMap;

use futures::StreamExt;
use portal_proto::identity::v1 as id;
use serde::Serialize;

use crate::views::WorkOrder;
use crate::web::ctx::{Ctx, Session};

/// How many customers a page looks up at once.
const CONCURRENT: usize = 8;

/// A work order's customer and site, as a page shows them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Place {
    pub customer: String,
    pub site: String,
    pub address: String,
    /// `geo:` URI: the phone's map app (RFC 5870).
    pub geo: Option<String>,
    /// The same place on a web map, for phones without a `geo:` handler.
    pub web_map: Option<String>,
}

/// The customers a page's work orders belong to, looked up once each.
#[derive(Default)]
pub struct Places {
    customers: HashMap<String, id::CustomerDetail>,
}

impl Places {
    /// Looks up `customer_ids` with the session's token (what it may not
    /// read, or what fails, stays unnamed: the page still shows the work).
    pub async fn load(ctx: &Ctx, s: &Session, mut customer_ids: Vec<String>) -> Self {
        customer_ids.retain(|c| !c.is_empty());
        customer_ids.sort_unstable();
        customer_ids.dedup();
        let calls: Vec<_> = customer_ids
            .into_iter()
            .map(|customer_id| {
                let mut identity = ctx.state.identity.clone();
                let req = s.caller.request(id::GetCustomerRequest {
                    customer_id: customer_id.clone(),
                });
                async move { (customer_id, identity.get_customer(req).await) }
            })
            .collect();
        let answers: Vec<_> = futures::stream::iter(calls)
            .buffer_unordered(CONCURRENT)
            .collect()
            .await;
        let mut customers = HashMap::new();
        for (customer_id, answer) in answers {
            match answer {
                Ok(d) => {
                    customers.insert(customer_id, d.into_inner());
                }
                Err(e) => tracing::debug!(customer_id, error = %e, "customer not shown"),
            }
        }
        Self { customers }
    }

    /// The customers of `orders`, for `load`.
    pub fn of_orders<'a>(orders: impl IntoIterator<Item = &'a WorkOrder>) -> Vec<String> {
        orders.into_iter().map(|w| w.customer_id.clone()).collect()
    }

    pub fn of(&self, customer_id: &str, site_id: &str) -> Place {
        let Some(detail) = self.customers.get(customer_id) else {
            return Place::default();
        };
        let customer = detail
            .customer
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        match detail.sites.iter().find(|s| s.id == site_id) {
            Some(site) => {
                let (geo, web_map) = map_links(&site.address, site.latitude, site.longitude)
                    .map_or((None, None), |(g, w)| (Some(g), Some(w)));
                Place {
                    customer,
                    site: site.name.clone(),
                    address: site.address.clone(),
                    geo,
                    web_map,
                }
            }
            None => Place {
                customer,
                ..Place::default()
            },
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `geo:` URI and a web map link: from the site's position when it has
/// one, else a search for its address; none without either.
pub fn map_links(address: &str, lat: Option<f64>, lon: Option<f64>) -> Option<(String, String)> {
    match (lat, lon) {
        (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => Some((
            format!("geo:{lat},{lon}?q={lat},{lon}"),
            format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"),
        )),
        _ => {
            let address = address.split_whitespace().collect::<Vec<_>>().join(" ");
            (!address.is_empty()).then(|| {
                let q = encode(&address);
                (
                    format!("geo:0,0?q={q}"),
                    format!("https://www.openstreetmap.org/search?query={q}"),
                )
            })
        }
    }
}

/// Where a contact's work happens: site names of their customer.
pub async fn site_names(ctx: &Ctx, s: &Session) -> HashMap<String, String> {
    let places = Places::load(ctx, s, vec![s.me.customer_id.clone()]).await;
    places
        .customers
        .values()
        .flat_map(|d| d.sites.iter().map(|x| (x.id.clone(), x.name.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_open_at_the_position_else_at_the_address() {
        let (geo, web) = map_links("ignored", Some(45.9), Some(6.13)).unwrap_or_default();
        assert_eq!(geo, "geo:45.9,6.13?q=45.9,6.13");
        assert!(web.contains("mlat=45.9&mlon=6.13"), "{web}");
        let (geo, web) = map_links("1 quai du Lac,\n Annecy & co", None, None).unwrap_or_default();
        assert_eq!(geo, "geo:0,0?q=1%20quai%20du%20Lac%2C%20Annecy%20%26%20co");
        assert!(web.ends_with("query=1%20quai%20du%20Lac%2C%20Annecy%20%26%20co"));
        assert_eq!(map_links("  ", None, Some(1.0)), None);
        assert_eq!(map_links("", Some(f64::NAN), Some(1.0)), None);
    }
}
