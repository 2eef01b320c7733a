// The live viewer in a real browser: headless Chromium (Debian's, not a Playwright download) loads the
// page, sees a camera picture change and a label with its score appear, and saves a screenshot.
// Run by ViewerBrowserIT:  node view-test.mjs <viewer URL> <screenshot.png>
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node view-test.mjs <viewer URL> <screenshot.png>");
  process.exit(2);
}
const TIMEOUT_MS = 60_000;

/** Runs one wait, naming it when it fails, so the Java test reports which expectation was not met. */
async function step(what, wait) {
  try {
    return await wait();
  } catch (e) {
    throw new Error(`${what}: ${e.message.split("\n")[0]}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The page streams (Server-Sent Events) and never goes idle: wait for the DOM only.
  await page.goto(url, { waitUntil: "domcontentloaded" });

  const first = await step("a first camera picture", () =>
    page.waitForFunction(() => {
      const img = document.querySelector(".tile img[data-version]");
      return img && img.naturalWidth > 0 && { camera: img.closest(".tile").dataset.camera, version: img.dataset.version };
    }, null, { timeout: TIMEOUT_MS }));
  const { camera, version } = await first.jsonValue();

  const changed = await step(`a newer picture of ${camera} than version ${version}`, () =>
    page.waitForFunction(([id, seen]) => {
      const img = [...document.querySelectorAll(".tile")].find((t) => t.dataset.camera === id)?.querySelector("img");
      return img && img.naturalWidth > 0 && img.dataset.version !== seen && img.dataset.version;
    }, [camera, version], { timeout: TIMEOUT_MS }));

  const label = await step("a label with its score", () =>
    page.waitForFunction(() => [...document.querySelectorAll(".tile .label")]
      .map((l) => l.textContent).find((text) => /^\S.* \d\.\d\d$/.test(text)), null, { timeout: TIMEOUT_MS }));

  await step("the mask legend", () => page.waitForSelector("#legend .legend-entry", { timeout: TIMEOUT_MS }));
  // For the screenshot: every camera with a picture and a measured rate.
  await step("a picture and a rate on every tile", () =>
    page.waitForFunction(() => {
      const tiles = [...document.querySelectorAll(".tile")];
      return tiles.length > 0 && tiles.every((t) => t.querySelector("img").naturalWidth > 0
        && !t.querySelector(".stats").textContent.startsWith("0.0 "));
    }, null, { timeout: TIMEOUT_MS }));

  await page.screenshot({ path: screenshot, fullPage: true });
  if (errors.length) {
    throw new Error("the page threw: " + errors.join("; "));
  }
  console.log(JSON.stringify({
    camera, firstVersion: version, laterVersion: await changed.jsonValue(), label: await label.jsonValue(), screenshot,
  }));
} catch (e) {
  console.error("view-test: " + e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
