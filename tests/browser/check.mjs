// Browser checks of an outcome-lens report (issues #6 and #21), driven by playwright-core in
// Debian's Chromium. run.sh makes the runs and calls this script; it can also be run by hand:
//
//   node tests/browser/check.mjs --report NAME:RUN/report.html:SECTIONS:MAX_PAGES \
//     [--report ...] --out DIR [--hostile OTHER_RUN/report.html]
//
// For each report it checks that the page made no network request (every request that is not
// file:// is aborted and counted), logged no console error, opened no dialog, that every
// <figure> and its chart have a non-zero rendered size, and it saves a screenshot and an A4
// print-to-PDF (DIR/NAME.png, DIR/NAME.pdf). In print, laid out at the A4 text width, every
// table must lie inside the page box. In the PDF (read with pdftotext and pdftoppm) it checks
// that there are SECTIONS sections, in order; at most MAX_PAGES pages; no page but the last
// left near-empty; no text outside the page's margins; no number or word broken across
// lines (every word of the PDF is a word of the printed page); and that no figure is split
// across pages (a figure's caption, above the chart, and its description, below it, are on
// the same page).
// For --hostile (a run whose unit names are markup) it checks that nothing ran or loaded and
// that the names show as text.
//
// Every check is counted; the last line is exactly "browser: N passed, M failed", and the exit
// code is 1 when any check failed, including when the browser cannot start.

import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

function parseArgs(argv) {
  const args = { reports: [], hostile: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === "--report") {
      const [name, file, sections, maxPages] = value.split(":");
      if (!name || !file || !Number.isInteger(Number(sections)) || !Number.isInteger(Number(maxPages))) {
        throw new Error(`--report wants NAME:FILE:SECTIONS:MAX_PAGES, not ${value}`);
      }
      args.reports.push({ name, file: resolve(file), sections: Number(sections), maxPages: Number(maxPages) });
    } else if (key === "--out") args.out = resolve(value);
    else if (key === "--hostile") args.hostile = resolve(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (args.reports.length === 0 || !args.out) {
    throw new Error("usage: check.mjs --report NAME:FILE:SECTIONS:MAX_PAGES [--report ...] --out DIR [--hostile FILE]");
  }
  return args;
}

let passed = 0;
let failed = 0;

function check(name, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
}

function finish() {
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** Opens a page that may only load file:// URLs (and data: URIs, which are not requests). */
async function openPage(context, file) {
  const record = { external: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  const page = await context.newPage();
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://") || url.startsWith("data:")) return route.continue();
    record.external.push(url);
    return route.abort();
  });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("file://") && !url.startsWith("data:") && !record.external.includes(url)) {
      record.external.push(url);
    }
  });
  page.on("console", (message) => {
    if (message.type() === "error") record.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => record.pageErrors.push(String(error)));
  page.on("dialog", async (dialog) => {
    record.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.setViewportSize({ width: 1280, height: 1800 });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  // Let late loads (images, fonts) settle before counting.
  await page.waitForLoadState("networkidle");
  return { page, record };
}

/** The text of each PDF page, whitespace collapsed. */
function pdfPages(pdf) {
  const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
  const count = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const pages = [];
  for (let i = 1; i <= count; i += 1) {
    const text = execFileSync("pdftotext", ["-f", String(i), "-l", String(i), "-layout", pdf, "-"], {
      encoding: "utf8",
    });
    pages.push(text.replace(/\s+/g, " ").trim());
  }
  return pages;
}

// A4 in PDF points, and the report's @page margins (15 mm top, 14 mm sides, 16 mm bottom).
const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM, side: 14 * MM };
// The A4 text width in CSS pixels (182 mm at 96 per inch), at which print lays out.
const TEXT_WIDTH_PX = Math.floor((182 / 25.4) * 96);
// A page whose last mark is above this share of its height is near-empty (the last page
// excepted): a page break left it so.
const NEAR_EMPTY = 0.4;

/** Every word of the PDF with its page and box (pdftotext -bbox). */
function pdfWords(pdf) {
  const html = execFileSync("pdftotext", ["-bbox", pdf, "-"], { encoding: "utf8", maxBuffer: 1 << 28 });
  const words = [];
  let page = 0;
  const pattern = /<page [^>]*>|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of html.matchAll(pattern)) {
    if (m[0].startsWith("<page")) {
      page += 1;
      continue;
    }
    const text = m[5].replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'");
    words.push({ page, xMin: Number(m[1]), xMax: Number(m[3]), text });
  }
  return words;
}

/** How far down each page its last mark is, as a share of the page height (pdftoppm). */
function pageFill(pdf) {
  const dir = mkdtempSync(join(tmpdir(), "outcome-lens-pages-"));
  try {
    execFileSync("pdftoppm", ["-r", "20", "-gray", pdf, join(dir, "p")]);
    return readdirSync(dir)
      .filter((f) => f.endsWith(".pgm"))
      .sort()
      .map((f) => {
        const bytes = readFileSync(join(dir, f));
        // P5 header: "P5", width, height, maxval, each followed by whitespace.
        const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString("latin1"));
        const [width, height] = [Number(header[1]), Number(header[2])];
        const pixels = bytes.subarray(header[0].length);
        let last = -1;
        for (let y = 0; y < height; y += 1) {
          for (let x = 0; x < width; x += 1) {
            if (pixels[y * width + x] < 200) {
              last = y;
              break;
            }
          }
        }
        return (last + 1) / height;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A word without the punctuation around it, for comparing the PDF with the page. */
function bare(word) {
  return word.replace(/^[("'“‘[«]+/u, "").replace(/[)"'”’\],.;:!?»]+$/u, "");
}

/** A number whose thousands are grouped wrongly ("3,0", "23,45,6"): a broken figure. */
function misgrouped(word) {
  return /^[−-]?\d/.test(word) && /,/.test(word) && !/^[−-]?\d{1,3}(,\d{3})+(\.\d+)?%?$/.test(word);
}

async function checkReport(context, report, out) {
  const tag = report.name;
  const { page, record } = await openPage(context, report.file);
  check(`${tag}: no network request`, record.external.length === 0, record.external.join(", "));
  check(
    `${tag}: no console error`,
    record.consoleErrors.length + record.pageErrors.length === 0,
    [...record.consoleErrors, ...record.pageErrors].join(" | "),
  );
  check(`${tag}: no dialog`, record.dialogs.length === 0, record.dialogs.join(" | "));

  const figures = await page.$$eval("figure", (elements) =>
    elements.map((figure) => {
      const box = figure.getBoundingClientRect();
      const chart = figure.querySelector(".chart-image");
      const chartBox = chart ? chart.getBoundingClientRect() : { width: 0, height: 0 };
      const image = chart && chart.tagName === "IMG" ? chart : null;
      return {
        id: figure.id,
        width: box.width,
        height: box.height,
        chartWidth: chartBox.width,
        chartHeight: chartBox.height,
        imageLoaded: image ? image.complete && image.naturalWidth > 0 : true,
      };
    }),
  );
  check(`${tag}: has figures`, figures.length > 0, "no <figure> in the page");
  const empty = figures.filter(
    (f) => !(f.width > 0 && f.height > 0 && f.chartWidth > 0 && f.chartHeight > 0 && f.imageLoaded),
  );
  check(
    `${tag}: every figure (${figures.length}) has a non-zero rendered size`,
    figures.length > 0 && empty.length === 0,
    empty.map((f) => `${f.id} ${f.chartWidth}x${f.chartHeight}`).join(", "),
  );

  const headings = await page.$$eval("main h2", (elements) =>
    elements.map((h) => h.textContent.replace(/\s+/g, " ").trim()),
  );
  check(
    `${tag}: ${report.sections} section headings in the page`,
    headings.length === report.sections,
    `found ${headings.length}: ${headings.join(" / ")}`,
  );

  mkdirSync(out, { recursive: true });
  const screenshot = join(out, `${tag}.png`);
  await page.screenshot({ path: screenshot });
  check(`${tag}: screenshot saved`, statSync(screenshot).size > 0, screenshot);

  // Laid out for print at the A4 text width: every table inside the page box.
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: TEXT_WIDTH_PX, height: 1800 });
  const tables = await page.$$eval("table", (elements) =>
    elements
      .filter((t) => getComputedStyle(t).display !== "none")
      .map((t) => ({
        id: t.id || `part of ${t.dataset.partOf}`,
        right: t.getBoundingClientRect().right,
        overflow: t.scrollWidth - t.clientWidth,
      })),
  );
  const pageRight = await page.evaluate(() => document.documentElement.clientWidth);
  const wide = tables.filter((t) => t.right > pageRight + 1 || t.overflow > 1);
  check(
    `${tag}: every printed table (${tables.length}) inside the page box at the A4 text width`,
    tables.length > 0 && wide.length === 0,
    wide.map((t) => `${t.id} ends at ${Math.round(t.right)} px of ${pageRight}`).join(", "),
  );
  // The words a reader sees in print: the page's text and its charts' labels.
  const printed = await page.evaluate(() =>
    [document.body.innerText, ...[...document.querySelectorAll("svg text")].map((t) => t.textContent)].join(" "),
  );
  const vocabulary = new Set(printed.split(/\s+/).map(bare).filter(Boolean));
  // A hyphenated word may break after a hyphen ("out-of-" / "court"): its pieces are words.
  for (const word of [...vocabulary]) {
    const pieces = word.split("-");
    for (let k = 1; k < pieces.length; k += 1) {
      vocabulary.add(`${pieces.slice(0, k).join("-")}-`);
      vocabulary.add(pieces.slice(k).join("-"));
    }
  }

  const pdf = join(out, `${tag}.pdf`);
  await page.pdf({ path: pdf, format: "A4", printBackground: true, preferCSSPageSize: true });
  check(`${tag}: A4 PDF saved`, statSync(pdf).size > 0, pdf);
  check(`${tag}: still no network request after printing`, record.external.length === 0, record.external.join(", "));

  const pages = pdfPages(pdf);
  check(
    `${tag}: pdf has at most ${report.maxPages} pages`,
    pages.length <= report.maxPages,
    `${pages.length} pages`,
  );
  // Each section's heading is followed by its scope line; the contents list names the
  // sections too, but without it.
  const text = pages.join(" ");
  let from = 0;
  const positions = headings.map((heading) => {
    const at = text.indexOf(`${heading} Scope:`, from);
    if (at >= 0) from = at + heading.length;
    return at;
  });
  const missing = headings.filter((_, i) => positions[i] < 0);
  check(
    `${tag}: pdf has ${report.sections} sections, in order (${pages.length} pages)`,
    headings.length === report.sections && missing.length === 0,
    `not found in order: ${missing.join(" / ")}`,
  );

  const fill = pageFill(pdf);
  const nearEmpty = fill
    .map((share, i) => ({ page: i + 1, share }))
    .filter((p) => p.page < fill.length && p.share < NEAR_EMPTY);
  check(
    `${tag}: no near-empty page (content below ${NEAR_EMPTY * 100}% of the height on every page but the last)`,
    fill.length === pages.length && nearEmpty.length === 0,
    nearEmpty.map((p) => `page ${p.page} ends at ${Math.round(p.share * 100)}%`).join(", "),
  );

  const words = pdfWords(pdf);
  const outside = words.filter((w) => w.xMin < PAGE.side - 1 || w.xMax > PAGE.width - PAGE.side + 1);
  check(
    `${tag}: no text outside the page margins (${words.length} words)`,
    words.length > 0 && outside.length === 0,
    outside.slice(0, 8).map((w) => `page ${w.page}: "${w.text}" at ${w.xMin.toFixed(0)}-${w.xMax.toFixed(0)} pt`).join(", "),
  );
  const broken = words.filter((w) => {
    const word = bare(w.text);
    return word && (!vocabulary.has(word) || misgrouped(word));
  });
  check(
    `${tag}: no number or word broken across lines`,
    words.length > 0 && broken.length === 0,
    `${broken.length} pieces, e.g. ${broken.slice(0, 12).map((w) => `page ${w.page}: "${w.text}"`).join(", ")}`,
  );

  const split = [];
  for (const figure of figures) {
    const number = figure.id.replace("figure-", "");
    const captionPage = pages.findIndex((text) => text.includes(`Figure ${number}. `));
    const descriptionPage = pages.findIndex((text) => text.includes(`Figure ${number} shows`));
    if (captionPage < 0 || descriptionPage < 0 || captionPage !== descriptionPage) {
      split.push(`figure ${number}: caption on page ${captionPage + 1}, description on page ${descriptionPage + 1}`);
    }
  }
  check(`${tag}: no figure (${figures.length}) split across pages`, figures.length > 0 && split.length === 0, split.join("; "));
  await page.close();
}

async function checkHostile(context, file) {
  const { page, record } = await openPage(context, file);
  check("hostile names: no network request", record.external.length === 0, record.external.join(", "));
  check("hostile names: no dialog (nothing ran)", record.dialogs.length === 0, record.dialogs.join(" | "));
  check(
    "hostile names: no console error",
    record.consoleErrors.length + record.pageErrors.length === 0,
    [...record.consoleErrors, ...record.pageErrors].join(" | "),
  );
  const text = await page.evaluate(() => document.body.innerText);
  check("hostile names: <script>alert(1)</script> shows as text", text.includes("<script>alert(1)</script>"));
  check("hostile names: \"><img src=x onerror=alert(1)> shows as text", text.includes('"><img src=x onerror=alert(1)>'));
  const injected = await page.evaluate(
    () => document.querySelectorAll("script, img:not(.chart-image), iframe, object, embed").length,
  );
  check("hostile names: no element made from data", injected === 0, `${injected} elements`);
  await page.close();
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    check("arguments", false, error.message);
    finish();
  }
  const profile = mkdtempSync(join(tmpdir(), "outcome-lens-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 60_000,
    });
    check("chromium starts", true);
  } catch (error) {
    check("chromium starts", false, `${CHROMIUM}: ${error.message.split("\n")[0]}`);
    rmSync(profile, { recursive: true, force: true });
    finish();
  }
  try {
    for (const report of args.reports) await checkReport(context, report, args.out);
    if (args.hostile) await checkHostile(context, args.hostile);
  } catch (error) {
    check("checks ran to the end", false, error.stack || String(error));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  finish();
}

await main();
