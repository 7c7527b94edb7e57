// Maps for the sites pages, drawn with the vendored Leaflet (leaflet.js).
// a) #sites-map: one marker per [data-site-marker] element of the page's list
//    (data-lat, data-lng, data-name, data-href, optional data-status and
//    data-status-label); its popup links to the site.
// b) #position-map: a picker for #site-latitude / #site-longitude; a click or
//    a drag sets both inputs, typing in them moves the marker.
// Without tiles (data-tiles empty, or a tile fails) the map gets the class
// map-no-tiles and a notice (data-no-tiles-text); the markers stay usable.
// Without this file the list of sites and the typed inputs still work.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  if (typeof L === "undefined") return;
  // Icon.Default builds imagePath + "marker-icon.png" (and -2x, shadow).
  L.Icon.Default.imagePath = "/static/";

  // A number from an attribute or an input; "" is not 0.
  const num = (text) => {
    const t = (text || "").trim().replace(",", ".");
    return t === "" ? NaN : Number(t);
  };
  const point = (lat, lng) =>
    Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180
      ? L.latLng(lat, lng)
      : null;
  // Leaflet puts the attribution in innerHTML: it is given as plain text.
  const escape = (text) =>
    text.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");

  const noTiles = (el) => {
    if (el.classList.contains("map-no-tiles")) return;
    el.classList.add("map-no-tiles");
    const text = el.dataset.noTilesText;
    if (!text) return;
    const notice = document.createElement("p");
    notice.className = "map-notice";
    notice.setAttribute("role", "status");
    notice.textContent = text;
    el.appendChild(notice);
  };

  const baseMap = (el) => {
    const map = L.map(el, { maxZoom: 19, scrollWheelZoom: false });
    const url = (el.dataset.tiles || "").trim();
    if (url) {
      const tiles = L.tileLayer(url, {
        maxZoom: 19,
        attribution: escape(el.dataset.attribution || ""),
      });
      tiles.once("tileerror", () => noTiles(el));
      tiles.addTo(map);
    } else {
      noTiles(el);
    }
    return map;
  };

  // a) The sites map.
  const sitesEl = document.getElementById("sites-map");
  if (sitesEl) {
    const markers = [];
    for (const item of document.querySelectorAll("[data-site-marker]")) {
      const at = point(num(item.dataset.lat), num(item.dataset.lng));
      if (!at) continue;
      const name = item.dataset.name || "";
      const popup = document.createElement("div");
      const link = document.createElement("a");
      link.href = item.dataset.href || "#";
      link.textContent = name;
      popup.appendChild(link);
      const status = item.dataset.status;
      if (["conforming", "non_conforming", "none"].includes(status)) {
        const badge = document.createElement("span");
        badge.className = "inspection-" + status;
        badge.textContent = item.dataset.statusLabel || "";
        popup.append(" ", badge);
      }
      markers.push(L.marker(at, { title: name, alt: name, keyboard: true }).bindPopup(popup));
    }
    if (markers.length === 0) {
      sitesEl.hidden = true;
    } else {
      const map = baseMap(sitesEl);
      const group = L.featureGroup(markers).addTo(map);
      if (markers.length === 1) map.setView(markers[0].getLatLng(), 13);
      else map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 16 });
    }
  }

  // b) The position picker of the site form.
  const pickEl = document.getElementById("position-map");
  const latIn = document.getElementById("site-latitude");
  const lngIn = document.getElementById("site-longitude");
  if (pickEl && latIn && lngIn) {
    const map = baseMap(pickEl);
    let marker = null;
    const typed = () => point(num(latIn.value), num(lngIn.value));
    const write = (at) => {
      const w = at.wrap();
      latIn.value = w.lat.toFixed(6);
      lngIn.value = w.lng.toFixed(6);
    };
    const place = (at) => {
      if (marker) {
        marker.setLatLng(at);
        return;
      }
      const label = pickEl.dataset.markerLabel;
      marker = L.marker(at, label ? { draggable: true, title: label, alt: label } : { draggable: true });
      marker.on("drag dragend", () => write(marker.getLatLng()));
      marker.addTo(map);
    };

    const start = typed();
    const center = point(num(pickEl.dataset.centerLat), num(pickEl.dataset.centerLng));
    if (start) {
      map.setView(start, 15);
      place(start);
    } else if (center) {
      map.setView(center, 12);
    } else {
      map.setView([46.5, 2.5], 5);
    }

    map.on("click", (event) => {
      const at = event.latlng.wrap();
      write(at);
      place(at);
    });
    const moved = () => {
      const at = typed();
      if (!at) return;
      place(at);
      map.setView(at, Math.max(map.getZoom(), 15));
    };
    latIn.addEventListener("change", moved);
    lngIn.addEventListener("change", moved);
    // In a closed <details> the map had no size: measure again on opening.
    const folded = pickEl.closest("details");
    if (folded) {
      folded.addEventListener("toggle", () => {
        if (!folded.open) return;
        map.invalidateSize();
        const at = typed();
        if (at) map.setView(at, Math.max(map.getZoom(), 15));
      });
    }
  }
});
