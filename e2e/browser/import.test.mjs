// The console's Import page in a real headless Chromium against `imsbridge serve --demo`:
// upload the AEM Managed Services fixture (AEM OSGi configurations), review the preview
// (create / needs-secret / needs-certificate, the missing value named by file and property),
// import exactly that, and find the new configuration in the list; the same preview in
// Korean from a folder upload with "update existing" ticked. No uploaded secret ever comes
// back in a page. Screenshots of both previews go to SCREENSHOT_DIR.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { launch, login, newContext, shot, startDemo } from './lib.mjs';

const STEP = { timeout: 120_000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const AMS = path.resolve(here, '../../crates/interop/tests/fixtures/aem-osgi/ams');
/** The fixture's plain client secret and its AEM-encrypted one: neither may reach a page. */
const SECRETS = [
  'p8e-Fixture-SmartContent-0123456789abcdef',
  '4a1d7c2e9b3f5a8d6c0e2b4f7a9c1d3e5b7f9a2c4e6d8b0a1c3e5f7a9b2d4c6e',
];

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('the Import page', () => {
  let demo;
  let browser;
  const allSources = [];

  before(async () => {
    demo = await startDemo();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function open(options) {
    const { context, sources } = await newContext(browser, options);
    allSources.push(sources);
    return { context, page: await context.newPage() };
  }

  const row = (name) => `#import-rows tr[data-name="${name}"]`;

  test('previews AEM OSGi files, imports what was previewed, and lists the result', STEP, async () => {
    const { context, page } = await open();
    await login(page, demo);
    await Promise.all([page.waitForURL(/\/console\/import$/), page.click('#action-import')]);
    assert.equal(await page.textContent('h1'), 'Import');
    assert.equal(await page.getAttribute('nav a[href="/console/import"]', 'aria-current'), 'page');
    await page.selectOption('#f-format', 'aem-osgi');
    await page.setInputFiles('#f-files', filesUnder(AMS));
    await Promise.all([page.waitForSelector('#import-preview'), page.click('#import-preview-button')]);

    const action = async (name) => page.getAttribute(row(name), 'data-action');
    assert.equal(await action('smart-content-service'), 'create');
    assert.equal(await action('target'), 'needs-secret');
    assert.equal(await action('analytics-legacy'), 'needs-certificate');
    assert.equal((await page.textContent(`${row('target')} .badge`)).trim(), 'Needs a secret');
    const missing = await page.textContent(`${row('target')} .missing`);
    assert.match(missing, /IMSAccessTokenRequestCustomizerImpl-target\.config/);
    assert.match(missing, /auth\.ims\.client\.secret/);
    assert.match(await page.textContent(row('analytics-legacy')), /key pair/);
    assert.ok(await page.isVisible('#import-submit'));
    await shot(page, 'import-01-preview');

    await Promise.all([page.waitForSelector('#import-done'), page.click('#import-submit')]);
    assert.equal(
      await page.getAttribute('#import-results tr[data-name="smart-content-service"]', 'data-status'),
      'created',
    );
    assert.equal(await page.locator('#import-results tr').count(), 2, 'a header and the one row written');
    await shot(page, 'import-02-done');
    await Promise.all([page.waitForURL(/\/console\/integrations$/), page.click('#import-to-list')]);
    const listed = page.locator('tr[data-name="smart-content-service"]');
    assert.equal(await listed.count(), 1);
    assert.match(await listed.textContent(), /Smart Content Service/);

    await context.close();
  });

  test('the same preview in Korean, from a folder, updating what exists', STEP, async () => {
    const { context, page } = await open({ locale: 'ko-KR' });
    await login(page, demo);
    await page.goto(`${demo.url}/console/import`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal(await page.textContent('h1'), '가져오기');
    await page.setInputFiles('#f-folder', AMS);
    await page.check('#f-update');
    await Promise.all([page.waitForSelector('#import-preview'), page.click('#import-preview-button')]);
    const action = async (name) => page.getAttribute(row(name), 'data-action');
    assert.equal(await action('smart-content-service'), 'update');
    assert.equal(await action('target'), 'needs-secret');
    assert.equal(await action('analytics-legacy'), 'needs-certificate');
    assert.equal((await page.textContent(`${row('target')} .badge`)).trim(), '비밀 필요');
    assert.equal((await page.textContent(`${row('analytics-legacy')} .badge`)).trim(), '인증서 필요');
    // Folder names give the run modes.
    assert.match(await page.textContent(row('target')), /author, prod/);
    assert.equal((await page.textContent('#import-submit')).trim(), '가져오기');
    await shot(page, 'import-03-ko-preview');
    await context.close();
  });

  test('an upload is imported once, and no uploaded secret reaches a page', STEP, async () => {
    const { context, page } = await open();
    await login(page, demo);
    await page.goto(`${demo.url}/console/import`);
    await page.setInputFiles('#f-files', filesUnder(AMS));
    await page.check('#f-update');
    await Promise.all([page.waitForSelector('#import-preview'), page.click('#import-preview-button')]);
    const stage = await page.getAttribute('#import-apply input[name="stage"]', 'value');
    const csrf = await page.getAttribute('#import-apply input[name="csrf_token"]', 'value');
    await Promise.all([page.waitForSelector('#import-done'), page.click('#import-submit')]);
    assert.equal(
      await page.getAttribute('#import-results tr[data-name="smart-content-service"]', 'data-status'),
      'updated',
    );
    // The same preview again: it was used up.
    const again = await page.request.post(`${demo.url}/console/import/apply`, {
      form: { csrf_token: csrf, stage },
    });
    assert.equal(again.status(), 422);
    assert.match(await again.text(), /expired or was imported already/);
    await context.close();

    const pages = allSources.flat();
    assert.ok(pages.some((s) => s.url.endsWith('/console/import')), 'the import pages were recorded');
    for (const { url, html } of pages) {
      for (const secret of SECRETS) {
        assert.ok(!html.includes(secret), `${url} shows an uploaded secret`);
      }
    }
  });
});
