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

  // What one bar stands for. Empty (no events at all in the period), suppressed (withheld), zero and a count are
  // four different things and are drawn differently: nothing, a small hatched marker, a tick with "0", a bar.
  const LEEG = { soort: "leeg" };
  const ONDERDRUKT = { soort: "onderdrukt" };
  function getal(aantal) {
    return { soort: aantal === 0 ? "nul" : "waarde", aantal: aantal };
  }

  // Periods in which a table has nothing at all: no count above 0, nothing withheld, not even a total.
  function legePerioden(tabel, perioden) {
    const gevuld = new Set();
    for (const regel of tabel.cellen.concat(tabel.totalen || [])) {
      if (regel.onderdrukt || regel.aantal > 0) {
        gevuld.add(regel.periode);
      }
    }
    return new Set(perioden.filter((p) => !gevuld.has(p)));
  }

  // A table of the API as series: one per code of the dimension, a value per period.
  function alsReeksen(tabel, dimensie, perioden) {
    const leeg = legePerioden(tabel, perioden);
    const perCode = new Map();
    for (const cel of tabel.cellen) {
      const code = cel.waarden[dimensie];
      if (!perCode.has(code)) {
        perCode.set(code, new Map());
      }
      perCode.get(code).set(cel.periode, cel.onderdrukt ? ONDERDRUKT : getal(cel.aantal));
    }
    const codes = Array.from(perCode.keys()).sort((a, b) => label(dimensie, a).localeCompare(label(dimensie, b), "nl"));
    return codes.map((code) => ({
      naam: label(dimensie, code),
      // A code without a cell in a period that has figures counted nothing there: zero, not unknown.
      waarden: perioden.map((p) => (leeg.has(p) ? LEEG : perCode.get(code).get(p) || getal(0))),
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

  function tekstVan(waarde) {
    if (waarde.soort === "leeg") {
      return "geen gegevens";
    }
    return waarde.soort === "onderdrukt" ? "onderdrukt" : String(waarde.aantal);
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
    const getoond = reeksen.flatMap((r) => r.waarden).filter((w) => w.soort === "waarde").map((w) => w.aantal);
    const maximum = Math.max(1, ...getoond);
    const y = (waarde) => marge.boven + plotH - (waarde / maximum) * plotH;
    const basis = y(0);
    // Fixed heights, independent of the scale: a marker must not suggest a size.
    const MARKER = 10;
    const TIK = 3;

    const beschrijving = titel + ": " + reeksen.length + " reeksen over " + perioden.length +
      " perioden; de cijfers staan in de tabel onder de grafiek.";
    const tekening = svg("svg", {
      viewBox: "0 0 " + breedte + " " + hoogte, role: "img", "aria-labelledby": id + "-titel", class: "staaf",
    });
    tekening.appendChild(svg("title", { id: id + "-titel" }, beschrijving));
    const defs = svg("defs");
    const arcering = svg("pattern", { id: id + "-arcering", width: 4, height: 4, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" });
    arcering.appendChild(svg("rect", { width: 4, height: 4, fill: "#ffffff" }));
    arcering.appendChild(svg("line", { x1: 0, y1: 0, x2: 0, y2: 4, stroke: "#1a1a1a", "stroke-width": 2 }));
    defs.appendChild(arcering);
    tekening.appendChild(defs);

    const stappen = maximum >= 2 ? [0, 0.5, 1] : [0, 1];
    for (const fractie of stappen) {
      const waarde = Math.round(maximum * fractie);
      tekening.appendChild(svg("line", { x1: marge.links, x2: breedte - marge.rechts, y1: y(waarde), y2: y(waarde),
        class: "raster" }));
      tekening.appendChild(svg("text", { x: marge.links - 6, y: y(waarde) + 4, "text-anchor": "end", class: "as" },
        String(waarde)));
    }
    const groep = plotB / Math.max(perioden.length, 1);
    const staaf = Math.max(2, (groep * 0.8) / Math.max(reeksen.length, 1));
    const breed = Math.max(staaf - 1, 1);
    const labelstap = Math.max(1, Math.ceil(56 / groep));
    perioden.forEach((periode, i) => {
      const begin = marge.links + i * groep + groep * 0.1;
      const midden = begin + (groep * 0.8) / 2;
      if (reeksen.length > 0 && reeksen.every((r) => r.waarden[i].soort === "leeg")) {
        // Empty: nothing was counted in this period. No bar, no marker; a quiet note where the bars would be.
        tekening.appendChild(svg("text", { x: midden, y: basis - 6, "text-anchor": "middle", class: "leeg",
          "data-periode": periode }, groep >= 30 ? "geen" : "–"));
      }
      reeksen.forEach((reeks, j) => {
        const waarde = reeks.waarden[i];
        const x = begin + j * staaf;
        const kleur = KLEUREN[j % KLEUREN.length];
        const uitleg = reeks.naam + ", " + periode + ": " + tekstVan(waarde);
        let vorm = null;
        if (waarde.soort === "onderdrukt") {
          // Suppressed: a small hatched marker on the axis, the same for every suppressed figure; never a size.
          vorm = svg("rect", { x: x, y: basis - MARKER, width: breed, height: MARKER,
            fill: "url(#" + id + "-arcering)", stroke: kleur, "stroke-width": 1, class: "onderdrukt" });
        } else if (waarde.soort === "nul") {
          // Zero: a tick on the axis in the series' colour, with "0" above it where there is room.
          vorm = svg("rect", { x: x, y: basis - TIK, width: breed, height: TIK, fill: kleur, class: "nul" });
          if (breed >= 8) {
            tekening.appendChild(svg("text", { x: x + breed / 2, y: basis - TIK - 3, "text-anchor": "middle",
              class: "nullabel", "data-reeks": reeks.naam, "data-periode": periode }, "0"));
          }
        } else if (waarde.soort === "waarde") {
          vorm = svg("rect", { x: x, y: y(waarde.aantal), width: breed, height: basis - y(waarde.aantal),
            fill: kleur, class: "waarde" });
        }
        if (vorm !== null) {
          vorm.setAttribute("data-reeks", reeks.naam);
          vorm.setAttribute("data-periode", periode);
          vorm.appendChild(svg("title", {}, uitleg));
          tekening.appendChild(vorm);
        }
      });
      // Period labels are about 56 units wide: with many periods, label every so many so they never overlap.
      if (i % labelstap === 0) {
        tekening.appendChild(svg("text", { x: midden, y: hoogte - marge.onder + 16,
          "text-anchor": "middle", class: "as periodelabel" }, periode));
      }
    });
    tekening.appendChild(svg("line", { x1: marge.links, x2: breedte - marge.rechts, y1: basis, y2: basis, class: "nullijn" }));
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
    houder.appendChild(sleutel(id));

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
        const klasse = waarde.soort === "leeg" || waarde.soort === "onderdrukt" ? { class: waarde.soort } : {};
        rij.appendChild(maak("td", klasse, waarde.soort === "leeg" ? "–" : tekstVan(waarde)));
      }
      romp.appendChild(rij);
    });
    tabel.appendChild(romp);
    details.appendChild(tabel);
    details.appendChild(maak("p", { class: "toelichting" },
      "– : geen gegevens in deze periode. onderdrukt: een aantal van 1 tot " + drempel +
      ", of een cijfer waaruit zo'n aantal terug te rekenen zou zijn."));
    houder.appendChild(details);
  }

  // How to read the three kinds of marks, drawn exactly as in the chart.
  function sleutel(id) {
    const lijst = maak("ul", { class: "sleutel", "aria-label": "Zo leest u de grafiek" });
    const items = [
      ["onderdrukt", "onderdrukt (1 tot " + drempel + " of terug te rekenen; de hoogte zegt niets)"],
      ["nul", "0: niets geteld"],
      ["leeg", "geen: geen gegevens in die periode"],
    ];
    for (const [soort, tekst] of items) {
      const item = maak("li");
      const blokje = svg("svg", { width: 18, height: 14, "aria-hidden": "true", focusable: "false" });
      if (soort === "onderdrukt") {
        blokje.appendChild(svg("rect", { x: 1, y: 3, width: 16, height: 10, fill: "url(#" + id + "-arcering)",
          stroke: "#1a1a1a", "stroke-width": 1 }));
      } else if (soort === "nul") {
        blokje.appendChild(svg("rect", { x: 1, y: 10, width: 16, height: 3, fill: "#1a1a1a" }));
      } else {
        blokje.appendChild(svg("line", { x1: 1, x2: 17, y1: 13, y2: 13, stroke: "#1a1a1a", "stroke-width": 1 }));
      }
      item.appendChild(blokje);
      item.appendChild(document.createTextNode(" " + tekst));
      lijst.appendChild(item);
    }
    return lijst;
  }

  // The outcome table's totals per code, as a one-way table (a code without a total counted nothing).
  function perCode(tabel) {
    return {
      cellen: tabel.totalen.filter((t) => t.dimensie === "terugkoppeling").map((t) => ({
        periode: t.periode, waarden: { terugkoppeling: t.waarde }, aantal: t.aantal, onderdrukt: t.onderdrukt,
      })),
      totalen: tabel.totalen.filter((t) => t.dimensie === null),
    };
  }

  // The region's share of escalations per outcome code, in percent, and of any first outcome.
  function aandeelReeksen(aandelen, perioden) {
    const regio = new Map();
    for (const a of aandelen) {
      if (a.gemeente === null) {
        regio.set(a.periode + "|" + (a.terugkoppeling || ""), a);
      }
    }
    const codes = [""].concat(Object.keys(labels.terugkoppeling || {}));
    return codes.map((code) => ({
      naam: code === "" ? "Een eerste terugkoppeling (elke soort)" : label("terugkoppeling", code),
      waarden: perioden.map((p) => {
        const a = regio.get(p + "|" + code);
        if (!a) {
          return LEEG;
        }
        return a.onderdrukt || a.aandeel === null ? ONDERDRUKT : getal(Math.round(a.aandeel * 1000) / 10);
      }),
    }));
  }

  // Median and 90th percentile of days to a first outcome, for the region.
  function tijdReeksen(tijden, perioden) {
    const regio = new Map(tijden.filter((t) => t.gemeente === null).map((t) => [t.periode, t]));
    return [
      { naam: "Mediaan", sleutel: "mediaanDagen" },
      { naam: "90e percentiel", sleutel: "p90Dagen" },
    ].map((maat) => ({
      naam: maat.naam,
      waarden: perioden.map((p) => {
        const tijd = regio.get(p);
        if (!tijd) {
          return LEEG;
        }
        return tijd.onderdrukt || tijd[maat.sleutel] === null ? ONDERDRUKT : getal(tijd[maat.sleutel]);
      }),
    }));
  }

  function teken(data) {
    const grafieken = ["vormen", "gemeenten", "domeinen", "doorlooptijden", "terugkoppelingen",
      "terugkoppeling-aandelen", "terugkoppeling-tijden"].map((n) => document.getElementById("grafiek-" + n));
    // The month fields show the range the figures cover (widened to whole periods), in the form
    // `<input type="month">` takes: YYYY-MM.
    formulier.van.value = data.van;
    formulier.tot.value = data.tot;
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
    // A period without final decisions has no turnaround: empty, not suppressed. The decisions table says
    // which periods have any (a count, or a withheld one).
    const zonderBesluiten = legePerioden(data.uitkomsten, perioden);
    const perPeriode = new Map(data.doorlooptijden.map((t) => [t.periode, t]));
    const tijden = [
      { naam: "Mediaan", sleutel: "mediaanDagen" },
      { naam: "90e percentiel", sleutel: "p90Dagen" },
    ].map((maat) => ({
      naam: maat.naam,
      waarden: perioden.map((p) => {
        if (zonderBesluiten.has(p) || !perPeriode.has(p)) {
          return LEEG;
        }
        const tijd = perPeriode.get(p);
        return tijd.onderdrukt || tijd[maat.sleutel] === null ? ONDERDRUKT : getal(tijd[maat.sleutel]);
      }),
    }));
    staafdiagram(grafieken[3], titel(grafieken[3]), perioden, tijden, "dagen");
    staafdiagram(grafieken[4], titel(grafieken[4]), perioden,
      alsReeksen(perCode(data.terugkoppelingen), "terugkoppeling", perioden), "aantal terugkoppelingen");
    staafdiagram(grafieken[5], titel(grafieken[5]), perioden, aandeelReeksen(data.terugkoppelingAandelen, perioden),
      "procent van de opschalingen");
    staafdiagram(grafieken[6], titel(grafieken[6]), perioden, tijdReeksen(data.doorlooptijdenTerugkoppeling, perioden),
      "dagen");
    status.textContent = "Cijfers van " + data.van + " tot en met " + data.tot + " per " + data.periode + ".";
  }

  // The intervisie (a token bound to a municipality, or a policy officer's choice): one table per period of the
  // municipality's published figures next to the region's, as the API gives them.
  const INTERVISIE_NAMEN = { uitbuitingsvorm: "Uitbuitingsvorm", sector: "Sector", locatietype: "Locatietype",
    melderDomein: "Melderdomein", uitkomst: "Uitkomst" };
  function tekstVanCel(cel) {
    return cel.onderdrukt ? "onderdrukt" : String(cel.aantal);
  }
  function tekenIntervisie(data) {
    const sectie = document.getElementById("intervisie");
    const houder = document.getElementById("tabel-intervisie");
    houder.replaceChildren();
    if (!data || !data.gemeenteCode || data.volledigOnderdrukt || data.cijfers.length === 0) {
      sectie.hidden = true;
      return;
    }
    const tabel = maak("table", { class: "intervisie" });
    tabel.appendChild(maak("caption", {}, "Gemeente " + label("gemeente", data.gemeenteCode) + " en de regio"));
    const kop = maak("tr");
    for (const naam of ["Periode", "Cijfer", "Waarde", label("gemeente", data.gemeenteCode), "Regio"]) {
      kop.appendChild(maak("th", { scope: "col" }, naam));
    }
    tabel.appendChild(maak("thead")).appendChild(kop);
    const romp = maak("tbody");
    for (const cijfer of data.cijfers) {
      const rij = maak("tr");
      rij.appendChild(maak("td", {}, cijfer.periode));
      rij.appendChild(maak("td", {}, cijfer.dimensie ? INTERVISIE_NAMEN[cijfer.dimensie] || cijfer.dimensie : "Alle signalen"));
      rij.appendChild(maak("td", {}, cijfer.dimensie ? label(cijfer.dimensie, cijfer.waarde) : ""));
      rij.appendChild(maak("td", {}, tekstVanCel(cijfer.gemeente)));
      rij.appendChild(maak("td", {}, tekstVanCel(cijfer.regio)));
      romp.appendChild(rij);
    }
    tabel.appendChild(romp);
    houder.appendChild(tabel);
    sectie.hidden = false;
  }

  async function laadIntervisie(parameters, kop) {
    try {
      const antwoord = await fetch("/v1/statistieken/intervisie?" + parameters.toString(),
        { headers: kop, credentials: "omit", cache: "no-store" });
      tekenIntervisie(antwoord.ok ? await antwoord.json() : null);
    } catch (fout) {
      tekenIntervisie(null);
    }
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
      if (token) {
        await laadIntervisie(parameters, kop);
      }
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
