// Browser checks of an outcome-lens report (issue #6), driven by playwright-core in Debian's
// Chromium. run.sh makes the runs and calls this script; it can also be run by hand:
//
//   node tests/browser/check.mjs --report RUN/report.html --sections 7 --out DIR \
//     [--hostile OTHER_RUN/report.html]
//
// For the report it checks that the page made no network request (every request that is not
// file:// is aborted and counted), logged no console error, opened no dialog, that every
// <figure> and its chart have a non-zero rendered size, and it saves a screenshot and an A4
// print-to-PDF; in the PDF (read with pdftotext) it checks that there are --sections section
// headings, that each section starts a page, and that no figure is split across pages (a
// figure's caption, above the chart, and its description, below it, are on the same page).
// For --hostile (a run whose unit names are markup) it checks that nothing ran or loaded and
// that the names show as text.
//
// Every check is counted; the last line is exactly "browser: N passed, M failed", and the exit
// code is 1 when any check failed, including when the browser cannot start.

import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, statSync } from "node:fs";
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
  const args = { sections: null, hostile: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === "--report") args.report = resolve(value);
    else if (key === "--out") args.out = resolve(value);
    else if (key === "--sections") args.sections = Number(value);
    else if (key === "--hostile") args.hostile = resolve(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.report || !args.out || !Number.isInteger(args.sections)) {
    throw new Error("usage: check.mjs --report FILE --out DIR --sections N [--hostile FILE]");
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

async function checkReport(context, args) {
  const { page, record } = await openPage(context, args.report);
  check("report: no network request", record.external.length === 0, record.external.join(", "));
  check(
    "report: no console error",
    record.consoleErrors.length + record.pageErrors.length === 0,
    [...record.consoleErrors, ...record.pageErrors].join(" | "),
  );
  check("report: no dialog", record.dialogs.length === 0, record.dialogs.join(" | "));

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
  check("report: has figures", figures.length > 0, "no <figure> in the page");
  const empty = figures.filter(
    (f) => !(f.width > 0 && f.height > 0 && f.chartWidth > 0 && f.chartHeight > 0 && f.imageLoaded),
  );
  check(
    `report: every figure (${figures.length}) has a non-zero rendered size`,
    figures.length > 0 && empty.length === 0,
    empty.map((f) => `${f.id} ${f.chartWidth}x${f.chartHeight}`).join(", "),
  );

  const headings = await page.$$eval("main h2", (elements) =>
    elements.map((h) => h.textContent.replace(/\s+/g, " ").trim()),
  );
  check(
    `report: ${args.sections} section headings in the page`,
    headings.length === args.sections,
    `found ${headings.length}: ${headings.join(" / ")}`,
  );

  mkdirSync(args.out, { recursive: true });
  const screenshot = join(args.out, "report.png");
  await page.screenshot({ path: screenshot });
  check("report: screenshot saved", statSync(screenshot).size > 0, screenshot);

  await page.emulateMedia({ media: "print" });
  const pdf = join(args.out, "report.pdf");
  await page.pdf({ path: pdf, format: "A4", printBackground: true, preferCSSPageSize: true });
  check("report: A4 PDF saved", statSync(pdf).size > 0, pdf);
  check("report: still no network request after printing", record.external.length === 0, record.external.join(", "));

  const pages = pdfPages(pdf);
  // Each section starts a page (the report's print style sheet breaks before every section),
  // so a section's heading is the first text of exactly one page; the contents list on the
  // first page names the sections too, but never at the top of a page.
  const sectionPages = headings.map((heading) => pages.findIndex((text) => text.startsWith(heading)));
  const missing = headings.filter((_, i) => sectionPages[i] < 0);
  check(
    `pdf: ${args.sections} sections, each starting a page (${pages.length} pages)`,
    headings.length === args.sections && missing.length === 0,
    missing.length ? `no page starts with: ${missing.join(" / ")}` : `pages ${sectionPages.map((p) => p + 1).join(", ")}`,
  );
  const ordered = sectionPages.every((page, i) => i === 0 || page > sectionPages[i - 1]);
  check("pdf: sections in order", missing.length === 0 && ordered, sectionPages.map((p) => p + 1).join(", "));

  const split = [];
  for (const figure of figures) {
    const number = figure.id.replace("figure-", "");
    const captionPage = pages.findIndex((text) => text.includes(`Figure ${number}. `));
    const descriptionPage = pages.findIndex((text) => text.includes(`Figure ${number} shows`));
    if (captionPage < 0 || descriptionPage < 0 || captionPage !== descriptionPage) {
      split.push(`figure ${number}: caption on page ${captionPage + 1}, description on page ${descriptionPage + 1}`);
    }
  }
  check(`pdf: no figure (${figures.length}) split across pages`, figures.length > 0 && split.length === 0, split.join("; "));
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
    await checkReport(context, args);
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
