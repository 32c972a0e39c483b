import { after, before } from "node:test";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "./server.js";

const root = path.resolve(import.meta.dirname, "../..");

/** The system Chromium (never a downloaded one); CHROMIUM_PATH overrides where it lives. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].filter(
    Boolean,
  ) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`No Chromium found (tried ${candidates.join(", ")}); run SETUP_SYSTEM=1 npm run setup or set CHROMIUM_PATH`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Builds client/dist (widget, console, demo pages) when any client source is newer, so tests run the current code. */
export function buildClient(): void {
  const res = spawnSync(process.execPath, [path.join(root, "scripts/build-client.mjs"), "--if-stale"], { cwd: root, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`client build failed:\n${res.stdout}\n${res.stderr}`);
}

/**
 * For browser test files: builds the client, then starts one server and one browser for the whole file and
 * closes both after it. They reach the file through `use`.
 */
export function useBrowserAndServer(use: (s: { t: TestServer; browser: Browser }) => void): void {
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    buildClient();
    t = await startTestServer();
    browser = await launchBrowser();
    use({ t, browser });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });
}

/** The widget's root element on a page that embeds it (its UI lives in an open shadow root under it). */
export const widget = (page: Page) => page.locator("#understudy-widget");

/** Signs in on the console's sign-in form at `baseUrl`, as a person would. */
export async function signInToConsole(page: Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(baseUrl + "/console/");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
