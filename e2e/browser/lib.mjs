// Shared pieces of the browser tests: start `imsbridge serve --demo`, drive headless
// Chromium (Debian's /usr/bin/chromium through playwright-core), talk to the demo's IMS
// emulator as an admin would use the Developer Console, and keep every HTML page the server
// sent so that tests can assert no secret ever appeared in a page source.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The binary under test: `IMSBRIDGE_BIN`, else the workspace's debug build. */
export const BIN = process.env.IMSBRIDGE_BIN ?? path.resolve(here, '../../target/debug/imsbridge');

/** Where step screenshots go (the best are copied to docs/screenshots by hand). */
export const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(here, 'screenshots');

/** Chromium: Debian's package, never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/**
 * Starts `imsbridge serve --demo` on a free loopback port with a fresh data directory and
 * resolves once it prints its URL and the admin password.
 */
export async function startDemo() {
  const dir = mkdtempSync(path.join(tmpdir(), 'imsbridge-e2e-'));
  const child = spawn(
    BIN,
    ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 90 s:\n${out}\n${err}`)), 90_000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}):\n${out}\n${err}`)); });
    child.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/imsbridge listening on (http:\/\/\S+)/);
      const password = out.match(/admin password: (\S+)/);
      if (url && password) {
        clearTimeout(timer);
        const emulator = out.match(/IMS emulator runs at (http:\/\/[^\s,]+?)\.?(\s|$)/);
        const ssoUser = out.match(/single sign-on demo user \(.*\): (\S+)/);
        const ssoPassword = out.match(/single sign-on demo password: (\S+)/);
        resolve({
          url: url[1].replace(/\/$/, ''), password: password[1], emulator: emulator?.[1],
          ssoUser: ssoUser?.[1], ssoPassword: ssoPassword?.[1],
        });
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    ...info,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with a fresh profile. */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
    ],
  });
}

/**
 * A browser context that records every HTML page source the server sends.
 * `options.locale` sets Accept-Language (e.g. 'ko-KR').
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    deviceScaleFactor: 1,
    locale: options.locale ?? 'en-US',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    // Only the accessibility test injects a script (axe-core) past the page's CSP.
    bypassCSP: options.bypassCSP ?? false,
  });
  const sources = [];
  context.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (!type.startsWith('text/html')) return;
    try {
      sources.push({ url: response.url(), html: await response.text() });
    } catch {
      // Redirects and aborted loads have no body.
    }
  });
  return { context, sources };
}

/** Saves a full-page screenshot of a step. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the login form. */
export async function login(page, demo) {
  await page.goto(`${demo.url}/console/integrations`);
  await page.fill('#username', 'admin');
  await page.fill('#password', demo.password);
  await Promise.all([page.waitForURL(/\/console\/integrations/), page.click('#sign-in')]);
}

export async function emulatorCall(demo, method, path, body) {
  if (!demo.emulator) throw new Error('the demo did not print its IMS emulator URL');
  const r = await fetch(`${demo.emulator}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Developer Console: the OAuth Server-to-Server credential that replaces a JWT one (same
 * client id). The demo migrates its customer credentials in the Developer Console already;
 * any other is migrated here.
 */
export async function migrateInDeveloperConsole(demo, clientId) {
  const id = encodeURIComponent(clientId);
  const existing = await emulatorCall(demo, 'GET', `/console/credentials/${id}`);
  if (existing.oauth) return existing.oauth.credential;
  return emulatorCall(demo, 'POST', `/console/credentials/${id}/migrate`);
}

/** Developer Console: a new project with an OAuth credential; returns its project JSON. */
export async function newProjectJson(demo, name, scopes) {
  const orgs = await emulatorCall(demo, 'GET', '/console/orgs');
  const project = await emulatorCall(demo, 'POST', `/console/orgs/${encodeURIComponent(orgs[0].id)}/projects`, { name });
  const credential = await emulatorCall(demo, 'POST', `/console/projects/${encodeURIComponent(project.id)}/credentials/oauth`, { scopes });
  const json = await emulatorCall(demo, 'GET', `/console/projects/${encodeURIComponent(project.id)}`);
  return { json, credential };
}

/** The ids of a form's fields that can be used (not disabled, itself or by a fieldset). */
export async function liveControls(page, formSelector) {
  return page.$$eval(
    [`${formSelector} input:not([type=hidden])`, `${formSelector} select`, `${formSelector} textarea`,
      `select[form=switch-form]`].join(', '),
    (els) => [...new Set(els)].filter((e) => !e.matches(':disabled')).map((e) => e.id),
  );
}
