// meldroute dashboard: draws the suppressed figures as SVG bar charts, each with a data table.
// No external library and no inline styles, so the page runs under a Content-Security-Policy of 'self'.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  // Colours with at least 4.5:1 contrast against white, so bars and legends stay readable.
  const KLEUREN = ["#1f4e79", "#a04a00", "#2e6b30", "#6a1b9a", "#b71c1c", "#00695c", "#5d4037", "#37474f",
    "#ad1457", "#283593", "#4e342e", "#33691e", "#bf360c", "#004d40", "#4a148c", "#263238", "#880e4f",
    "#1a237e", "#3e2723"];
  const main = document.getElementById("dashboard");
  const labels = JSON.parse(main.dataset.labels || "{}");
  const open = main.dataset.open === "ja";
  const drempel = Number(main.dataset.drempel || "10");
  const formulier = document.getElementById("keuze");
  const status = document.getElementById("status");
  let volgnummer = 0;

  function label(dimensie, code) {
    return (labels[dimensie] && labels[dimensie][code]) || code;
  }

  function maak(naam, attributen, tekst, ns) {
    const element = ns ? document.createElementNS(ns, naam) : document.createElement(naam);
    for (const [sleutel, waarde] of Object.entries(attributen || {})) {
      element.setAttribute(sleutel, String(waarde));
    }
    if (tekst !== undefined) {
      element.textContent = tekst;
    }
    return element;
  }

  function svg(naam, attributen, tekst) {
    return maak(naam, attributen, tekst, SVG);
  }

  // A table of the API as series: one per code of the dimension, a value (or null: suppressed) per period.
  function alsReeksen(tabel, dimensie, perioden) {
    const perCode = new Map();
    for (const cel of tabel.cellen) {
      const code = cel.waarden[dimensie];
      if (!perCode.has(code)) {
        perCode.set(code, new Map());
      }
      perCode.get(code).set(cel.periode, cel.onderdrukt ? null : cel.aantal);
    }
    const codes = Array.from(perCode.keys()).sort((a, b) => label(dimensie, a).localeCompare(label(dimensie, b), "nl"));
    return codes.map((code) => ({
      naam: label(dimensie, code),
      waarden: perioden.map((p) => (perCode.get(code).has(p) ? perCode.get(code).get(p) : 0)),
    }));
  }

  function periodenVan(data) {
    const perioden = new Set();
    for (const tabel of [data.vormenOverTijd, data.gemeenten, data.melderDomeinen]) {
      for (const cel of tabel.cellen) {
        perioden.add(cel.periode);
      }
    }
    for (const tijd of data.doorlooptijden) {
      perioden.add(tijd.periode);
    }
    return Array.from(perioden).sort();
  }

  function staafdiagram(houder, titel, perioden, reeksen, eenheid) {
    houder.replaceChildren();
    volgnummer += 1;
    const id = "grafiek-" + volgnummer;
    const breedte = 760;
    const hoogte = 320;
    const marge = { links: 48, rechts: 12, boven: 16, onder: 40 };
    const plotB = breedte - marge.links - marge.rechts;
    const plotH = hoogte - marge.boven - marge.onder;
    const getoond = reeksen.flatMap((r) => r.waarden).filter((w) => w !== null);
    const maximum = Math.max(drempel, ...getoond, 1);
    const y = (waarde) => marge.boven + plotH - (waarde / maximum) * plotH;

    const beschrijving = titel + ": " + reeksen.length + " reeksen over " + perioden.length +
      " perioden; de cijfers staan in de tabel onder de grafiek.";
    const tekening = svg("svg", {
      viewBox: "0 0 " + breedte + " " + hoogte, role: "img", "aria-labelledby": id + "-titel", class: "staaf",
    });
    tekening.appendChild(svg("title", { id: id + "-titel" }, beschrijving));
    const defs = svg("defs");
    const arcering = svg("pattern", { id: id + "-arcering", width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" });
    arcering.appendChild(svg("rect", { width: 6, height: 6, fill: "#ffffff" }));
    arcering.appendChild(svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#4d4d4d", "stroke-width": 2 }));
    defs.appendChild(arcering);
    tekening.appendChild(defs);

    for (const fractie of [0, 0.5, 1]) {
      const waarde = Math.round(maximum * fractie);
      tekening.appendChild(svg("line", { x1: marge.links, x2: breedte - marge.rechts, y1: y(waarde), y2: y(waarde),
        class: "raster" }));
      tekening.appendChild(svg("text", { x: marge.links - 6, y: y(waarde) + 4, "text-anchor": "end", class: "as" },
        String(waarde)));
    }
    const groep = plotB / Math.max(perioden.length, 1);
    const staaf = Math.max(2, (groep * 0.8) / Math.max(reeksen.length, 1));
    perioden.forEach((periode, i) => {
      const begin = marge.links + i * groep + groep * 0.1;
      reeksen.forEach((reeks, j) => {
        const waarde = reeks.waarden[i];
        const x = begin + j * staaf;
        if (waarde === null) {
          // Suppressed: a hatched bar up to the threshold, never a number.
          tekening.appendChild(svg("rect", { x: x, y: y(drempel), width: Math.max(staaf - 1, 1),
            height: marge.boven + plotH - y(drempel), fill: "url(#" + id + "-arcering)", stroke: KLEUREN[j % KLEUREN.length],
            class: "onderdrukt", "data-reeks": reeks.naam, "data-periode": periode }));
        } else if (waarde > 0) {
          tekening.appendChild(svg("rect", { x: x, y: y(waarde), width: Math.max(staaf - 1, 1),
            height: marge.boven + plotH - y(waarde), fill: KLEUREN[j % KLEUREN.length], class: "waarde",
            "data-reeks": reeks.naam, "data-periode": periode }));
        }
      });
      tekening.appendChild(svg("text", { x: begin + (groep * 0.8) / 2, y: hoogte - marge.onder + 16,
        "text-anchor": "middle", class: "as" }, periode));
    });
    tekening.appendChild(svg("line", { x1: marge.links, x2: breedte - marge.rechts, y1: y(0), y2: y(0), class: "nullijn" }));
    houder.appendChild(tekening);

    const legenda = maak("ul", { class: "legenda", "aria-label": "Legenda" });
    reeksen.forEach((reeks, j) => {
      const item = maak("li");
      const blokje = svg("svg", { width: 14, height: 14, "aria-hidden": "true", focusable: "false" });
      blokje.appendChild(svg("rect", { width: 14, height: 14, fill: KLEUREN[j % KLEUREN.length] }));
      item.appendChild(blokje);
      item.appendChild(document.createTextNode(" " + reeks.naam));
      legenda.appendChild(item);
    });
    houder.appendChild(legenda);

    const details = maak("details");
    details.appendChild(maak("summary", {}, "Tabel bij deze grafiek"));
    const tabel = maak("table");
    tabel.appendChild(maak("caption", {}, titel + " (" + eenheid + ")"));
    const kop = maak("tr");
    kop.appendChild(maak("th", { scope: "col" }, "Periode"));
    for (const reeks of reeksen) {
      kop.appendChild(maak("th", { scope: "col" }, reeks.naam));
    }
    tabel.appendChild(maak("thead")).appendChild(kop);
    const romp = maak("tbody");
    perioden.forEach((periode, i) => {
      const rij = maak("tr");
      rij.appendChild(maak("th", { scope: "row" }, periode));
      for (const reeks of reeksen) {
        const waarde = reeks.waarden[i];
        rij.appendChild(maak("td", waarde === null ? { class: "onderdrukt" } : {},
          waarde === null ? "onderdrukt" : String(waarde)));
      }
      romp.appendChild(rij);
    });
    tabel.appendChild(romp);
    details.appendChild(tabel);
    houder.appendChild(details);
  }

  function teken(data) {
    const grafieken = ["vormen", "gemeenten", "domeinen", "doorlooptijden"].map((n) => document.getElementById("grafiek-" + n));
    if (data.volledigOnderdrukt) {
      grafieken.forEach((g) => g.replaceChildren());
      status.textContent = "Te weinig signalen in deze periode: alle cijfers zijn onderdrukt.";
      return;
    }
    const perioden = periodenVan(data);
    const titel = (houder) => document.getElementById(houder.dataset.titel).textContent;
    staafdiagram(grafieken[0], titel(grafieken[0]), perioden, alsReeksen(data.vormenOverTijd, "uitbuitingsvorm", perioden), "aantal signalen");
    staafdiagram(grafieken[1], titel(grafieken[1]), perioden, alsReeksen(data.gemeenten, "gemeente", perioden), "aantal signalen");
    staafdiagram(grafieken[2], titel(grafieken[2]), perioden, alsReeksen(data.melderDomeinen, "melderDomein", perioden), "aantal signalen");
    const perPeriode = new Map(data.doorlooptijden.map((t) => [t.periode, t]));
    const tijden = [
      { naam: "Mediaan", sleutel: "mediaanDagen" },
      { naam: "90e percentiel", sleutel: "p90Dagen" },
    ].map((maat) => ({
      naam: maat.naam,
      waarden: perioden.map((p) => (perPeriode.has(p) && !perPeriode.get(p).onderdrukt ? perPeriode.get(p)[maat.sleutel] : null)),
    }));
    staafdiagram(grafieken[3], titel(grafieken[3]), perioden, tijden, "dagen");
    status.textContent = "Cijfers van " + data.van + " tot en met " + data.tot + " per " + data.periode + ".";
  }

  async function laad() {
    const parameters = new URLSearchParams({ periode: formulier.periode.value });
    if (formulier.van.value) {
      parameters.set("van", formulier.van.value);
    }
    if (formulier.tot.value) {
      parameters.set("tot", formulier.tot.value);
    }
    const token = formulier.token.value.trim();
    const kop = { Accept: "application/json" };
    let adres;
    if (token) {
      adres = "/v1/statistieken/evaluatie?" + parameters.toString();
      kop.Authorization = "Bearer " + token;
    } else if (open) {
      adres = "/dashboard/gegevens?" + parameters.toString();
    } else {
      status.textContent = "Vul eerst een toegangstoken in.";
      return;
    }
    status.textContent = "Cijfers worden geladen…";
    try {
      const antwoord = await fetch(adres, { headers: kop, credentials: "omit", cache: "no-store" });
      if (!antwoord.ok) {
        status.textContent = "De cijfers konden niet worden geladen (status " + antwoord.status + ").";
        return;
      }
      teken(await antwoord.json());
    } catch (fout) {
      status.textContent = "De cijfers konden niet worden geladen: de dienst is niet bereikbaar.";
    }
  }

  formulier.addEventListener("submit", (gebeurtenis) => {
    gebeurtenis.preventDefault();
    laad();
  });
  if (open) {
    laad();
  }
})();
