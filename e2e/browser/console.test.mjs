// The seed's workflow in a real headless Chromium against `imsbridge serve --demo`:
// sign in, Create (verified with IMS, or saved without verifying), the JWT warning, read-only Properties, Authentication Type = OAuth,
// Save & Close, Check Health; a refused verification; an auto-provisioned configuration;
// the same in Korean; a stale edit in a second tab; the switch without JavaScript; and no
// secret in any page source; and a login form on another site that cannot sign the browser in. Each step leaves a screenshot in SCREENSHOT_DIR.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  launch, liveControls, login, migrateInDeveloperConsole, newContext, newProjectJson, shot,
  startDemo,
} from './lib.mjs';

const STEP = { timeout: 120_000 };

describe('the console', () => {
  let demo;
  let browser;
  const allSources = [];
  const secrets = [];

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
    const page = await context.newPage();
    return { context, page };
  }

  const row = (name) => `tr[data-name="${name}"]`;

  test('signs in and lists JWT configurations with their warning', STEP, async () => {
    const { context, page } = await open();
    await page.goto(`${demo.url}/`);
    await page.waitForURL(/\/console\/login/);
    await shot(page, '01-login');
    await login(page, demo);
    assert.equal(await page.textContent('h1'), 'Adobe IMS Integrations');
    const warning = page.locator(`${row('target-production')} .jwt-warning`);
    assert.equal((await warning.textContent()).trim(), 'JWT Credentials (deprecated)');
    assert.equal(await page.locator(`${row('target-staging')} .jwt-warning`).count(), 0);
    const auto = page.locator(`${row('asset-compute')} .origin-auto`);
    assert.equal((await auto.textContent()).trim(), 'Auto-provisioned');
    // Nothing selected: the selection actions wait for a row.
    assert.ok(await page.locator('#action-properties').isDisabled());
    await shot(page, '02-list');
    await context.close();
  });

  test('creates an OAuth configuration filled from the Developer Console project JSON', STEP, async () => {
    const scopes = ['openid', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext', 'campaign_sdk'];
    const { json, credential } = await newProjectJson(demo, 'AEM Campaign', scopes);
    secrets.push(...credential.client_secrets);
    const { context, page } = await open();
    await login(page, demo);
    await page.click('#action-create');
    await page.waitForURL(/\/console\/integrations\/_new/);
    assert.equal(await page.inputValue('#f-authorization_server'), 'https://ims-na1.adobelogin.com');
    await page.selectOption('#f-cloud_solution', 'campaign');
    await page.fill('#f-title', 'Adobe Campaign (production)');
    assert.equal(await page.inputValue('#f-name'), 'adobe-campaign-production');
    await page.fill('#f-authorization_server', demo.emulator);
    await page.click('#dc-json summary');
    await page.fill('#f-project_json', JSON.stringify(json, null, 2));
    await page.click('#dc-json-fill');
    assert.equal(await page.inputValue('#f-client_id'), credential.client_id);
    assert.equal(await page.inputValue('#f-org_id'), credential.org_id);
    assert.equal(await page.inputValue('#f-scopes'), scopes.join(','));
    assert.equal(await page.inputValue('#f-project_json'), '', 'the JSON with its secret is not sent');
    await shot(page, '03-create');
    await Promise.all([page.waitForURL(/selected=adobe-campaign-production/), page.click('#form-submit')]);
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(), 'The configuration was created.');
    const created = page.locator(`${row('adobe-campaign-production')}`);
    assert.equal((await created.locator('.badge-oauth').textContent()).trim(), 'OAuth');
    assert.ok(await created.locator('input[type=radio]').isChecked());
    await shot(page, '04-created');
    await context.close();
  });

  test('Create verifies with IMS: a wrong secret is refused beside its field, then "Save without verifying" saves it', STEP, async () => {
    const scopes = ['openid', 'AdobeID', 'target_sdk'];
    const { credential } = await newProjectJson(demo, 'AEM Target offline', scopes);
    secrets.push(...credential.client_secrets);
    const wrong = 'p8e-typed-from-memory-00000000';
    secrets.push(wrong);
    const { context, page } = await open();
    await login(page, demo);
    await page.goto(`${demo.url}/console/integrations/_new`);
    await page.selectOption('#f-cloud_solution', 'target');
    await page.fill('#f-title', 'Adobe Target (offline setup)');
    await page.fill('#f-authorization_server', demo.emulator);
    await page.fill('#f-client_id', credential.client_id);
    await page.fill('#f-client_secret', wrong);
    await page.fill('#f-scopes', scopes.join(','));
    await page.fill('#f-org_id', credential.org_id);
    await Promise.all([page.waitForLoadState('load'), page.click('#form-submit')]);
    await page.waitForSelector('#verification-failed');
    assert.equal((await page.textContent('#f-client_secret-error')).trim(), 'Adobe IMS: invalid client_secret parameter');
    assert.equal(await page.locator('.field[data-field=client_secret].has-error').count(), 1);
    assert.equal((await page.textContent('#verification-failed dd[data-detail=ims_error]')).trim(), 'invalid_client');
    assert.equal(await page.inputValue('#f-client_secret'), '', 'the secret is never sent back');
    assert.equal(await page.inputValue('#f-client_id'), credential.client_id);
    await shot(page, '04a-create-verification-failed');
    const list = await page.context().request.get(`${demo.url}/console/integrations?q=offline`);
    assert.ok(!(await list.text()).includes('adobe-target-offline-setup'), 'nothing was saved');

    // The admin knows better (the secret is made in the Developer Console later).
    await page.fill('#f-client_secret', wrong);
    assert.equal((await page.textContent('#form-save-unverified')).trim(), 'Save without verifying');
    await Promise.all([page.waitForURL(/selected=adobe-target-offline-setup/), page.click('#form-save-unverified')]);
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(), 'The configuration was created.');
    assert.equal(await page.locator(row('adobe-target-offline-setup')).count(), 1);
    await page.goto(`${demo.url}/console/audit?action=config.create.unverified`);
    assert.ok((await page.textContent('main')).includes('adobe-target-offline-setup'), 'audited as unverified');
    await shot(page, '04b-saved-without-verifying');
    await context.close();
  });

  test('migrates a JWT configuration: read-only, Authentication Type = OAuth, Save & Close', STEP, async () => {
    const { context, page } = await open();
    await login(page, demo);
    // Select the row (a click anywhere on it), then Properties in the toolbar.
    await page.click(`${row('target-production')} td:nth-child(3)`);
    assert.ok(await page.locator(`${row('target-production')} input[type=radio]`).isChecked());
    assert.ok(!(await page.locator('#action-properties').isDisabled()));
    await shot(page, '05-select-jwt');
    await Promise.all([page.waitForURL(/\/console\/integrations\/target-production$/), page.click('#action-properties')]);

    // Read-only: every field disabled but the Authentication Type dropdown.
    assert.deepEqual(await liveControls(page, '#config-form'), ['f-auth_type']);
    assert.ok(await page.locator('#form-submit').isDisabled());
    assert.equal(await page.locator('#auth-switch-submit').isVisible(), false, 'the no-JS button hides');
    assert.equal((await page.textContent('label[for=f-auth_type]')).trim(), 'Authentication Type');
    const apiKey = await page.inputValue('#f-api_key');
    assert.match(await page.inputValue('#f-certificate_fingerprint'), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(await page.locator('.props-head .badge-readonly').isVisible());
    assert.ok(await page.locator('#jwt-read-only').isVisible());
    assert.ok(!(await page.locator('.props-head .badge-oauth').isVisible()));
    await shot(page, '06-jwt-read-only');

    // Authentication Type = OAuth: the form switches in place, pre-filled.
    const before = page.url();
    await page.selectOption('#f-auth_type', 'oauth');
    assert.ok(await page.locator('#oauth-fields').isVisible());
    assert.ok(!(await page.locator('#jwt-fields').isVisible()));
    assert.equal(await page.inputValue('#f-client_id'), apiKey);
    assert.match(page.url(), /auth_type=oauth/);
    assert.equal(page.url().split('?')[0], before.split('?')[0]);
    assert.ok(!(await page.locator('#form-submit').isDisabled()));
    // The page says what the form now is: OAuth, no longer JWT and read-only.
    assert.ok(await page.locator('.props-head .badge-oauth').isVisible());
    for (const gone of ['.props-head .badge-jwt', '.props-head .badge-readonly', '#jwt-read-only']) {
      assert.ok(!(await page.locator(gone).isVisible()), `${gone} still shows`);
    }

    // The admin migrates the credential in the Developer Console and copies its details.
    const oauth = await migrateInDeveloperConsole(demo, apiKey);
    secrets.push(...oauth.client_secrets);
    assert.equal(oauth.client_id, apiKey);
    await page.fill('#f-client_secret', oauth.client_secrets[0]);
    await page.fill('#f-scopes', oauth.scopes.join(','));
    await shot(page, '07-oauth-details');
    await Promise.all([page.waitForURL(/selected=target-production/), page.click('#form-submit')]);

    // Back in the console the warning is gone.
    assert.equal(await page.locator(`${row('target-production')} .jwt-warning`).count(), 0);
    assert.equal((await page.textContent(`${row('target-production')} .badge-oauth`)).trim(), 'OAuth');
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(),
      'The configuration now uses OAuth Server-to-Server credentials.');

    // Check Health on the still-selected row: green.
    await Promise.all([page.waitForURL(/selected=target-production/), page.click('#action-health')]);
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(), 'Token is retrieved successfully');
    assert.equal((await page.textContent(`${row('target-production')} .health-badge`)).trim(), 'Healthy');
    assert.ok(await page.locator(`${row('target-production')} .badge-healthy`).isVisible());
    await shot(page, '08-migrated-healthy');
    await context.close();
  });

  test('a refused verification keeps the JWT configuration and shows IMS reason and debug id', STEP, async () => {
    const { context, page } = await open();
    await login(page, demo);
    await page.goto(`${demo.url}/console/integrations/analytics-reporting`);
    await page.selectOption('#f-auth_type', 'oauth');
    const wrong = 'p8e-this-is-not-the-secret-0000';
    secrets.push(wrong);
    await page.fill('#f-client_secret', wrong);
    await Promise.all([page.waitForLoadState('load'), page.click('#form-submit')]);
    await page.waitForSelector('#verification-failed');
    assert.equal((await page.textContent('#verification-failed .alert-title')).trim(), 'Adobe IMS refused the new credential');
    assert.ok((await page.textContent('#verification-failed dd[data-detail=reason]')).trim().length > 0);
    assert.ok((await page.textContent('#verification-failed dd[data-detail=ims_error]')).trim().length > 0);
    assert.ok((await page.textContent('#verification-failed dd[data-detail=debug_id]')).trim().length > 0);
    assert.equal(await page.inputValue('#f-client_secret'), '', 'the secret is never sent back');
    await shot(page, '09-verification-failed');
    await page.goto(`${demo.url}/console/integrations?auth_type=jwt`);
    assert.equal(await page.locator(`${row('analytics-reporting')} .jwt-warning`).count(), 1);
    await context.close();
  });

  test('an auto-provisioned JWT configuration shows the note and offers no migration', STEP, async () => {
    const { context, page } = await open();
    await login(page, demo);
    await page.goto(`${demo.url}/console/integrations/asset-compute?auth_type=oauth`);
    assert.match(await page.textContent('#auto-provisioned-note'),
      /handled automatically by Adobe and must not be migrated manually/);
    assert.ok(await page.locator('#f-auth_type').isDisabled());
    assert.equal(await page.locator('#f-auth_type option').count(), 1);
    assert.equal(await page.locator('#form-submit').count(), 0);
    assert.equal(await page.locator('#oauth-fields').count(), 0);
    assert.deepEqual(await liveControls(page, '#config-form'), []);
    await shot(page, '10-auto-provisioned');
    await context.close();
  });

  test('the same walk in Korean', STEP, async () => {
    const { context, page } = await open({ locale: 'ko-KR' });
    await page.goto(`${demo.url}/console/login`);
    assert.equal((await page.textContent('h1')).trim(), '로그인');
    await login(page, demo);
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal((await page.textContent('h1')).trim(), 'Adobe IMS 통합');
    assert.equal((await page.textContent('.breadcrumbs')).replace(/\s+/g, ' ').trim(), '도구 보안 Adobe IMS 통합');
    assert.equal((await page.textContent('#action-create')).trim(), '만들기');
    assert.equal((await page.textContent(`${row('launch-tags')} .jwt-warning`)).trim(), 'JWT 자격 증명(사용 안 함)');
    await shot(page, '11-ko-list');

    await page.click(`${row('launch-tags')} td:nth-child(3)`);
    assert.equal((await page.textContent('#action-properties')).trim(), '속성');
    await Promise.all([page.waitForURL(/launch-tags$/), page.click('#action-properties')]);
    assert.deepEqual(await liveControls(page, '#config-form'), ['f-auth_type']);
    assert.equal((await page.textContent('label[for=f-auth_type]')).trim(), '인증 유형');
    assert.equal((await page.textContent('#form-submit')).trim(), '저장 및 닫기');
    await shot(page, '12-ko-read-only');

    await page.selectOption('#f-auth_type', 'oauth');
    const apiKey = await page.inputValue('#f-client_id');
    const oauth = await migrateInDeveloperConsole(demo, apiKey);
    secrets.push(...oauth.client_secrets);
    await page.fill('#f-client_secret', oauth.client_secrets[0]);
    await page.fill('#f-scopes', oauth.scopes.join(','));
    await shot(page, '13-ko-oauth-details');
    await Promise.all([page.waitForURL(/selected=launch-tags/), page.click('#form-submit')]);
    assert.equal(await page.locator(`${row('launch-tags')} .jwt-warning`).count(), 0);
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(),
      '이제 구성에서 OAuth 서버 간 자격 증명을 사용합니다.');
    await Promise.all([page.waitForURL(/selected=launch-tags/), page.click('#action-health')]);
    assert.equal((await page.textContent('.alert-success .alert-title')).trim(), '토큰을 성공적으로 가져왔습니다');
    await shot(page, '14-ko-migrated');

    // The language switch (a cookie) wins over Accept-Language.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/console/lang?')),
      page.selectOption('#lang-select', 'en'),
    ]);
    await page.waitForSelector('html[lang=en]');
    assert.equal((await page.textContent('h1')).trim(), 'Adobe IMS Integrations');
    await context.close();
  });

  test('a stale edit in a second tab is refused and both sides keep their data', STEP, async () => {
    const { context, page: tab1 } = await open();
    await login(tab1, demo);
    const tab2 = await context.newPage();
    const url = `${demo.url}/console/integrations/target-staging`;
    await tab1.goto(url);
    await tab2.goto(url);
    await tab1.fill('#f-title', 'Adobe Target (staging, tab 1)');
    await Promise.all([tab1.waitForURL(/selected=target-staging/), tab1.click('#form-submit')]);
    assert.equal((await tab1.textContent(`${row('target-staging')} .cell-title`)).trim(), 'Adobe Target (staging, tab 1)');

    await tab2.fill('#f-title', 'Adobe Target (staging, tab 2)');
    await Promise.all([tab2.waitForLoadState('load'), tab2.click('#form-submit')]);
    await tab2.waitForSelector('#conflict');
    assert.equal((await tab2.textContent('#conflict-table tr[data-field=title] td.yours')).trim(), 'Adobe Target (staging, tab 2)');
    assert.equal((await tab2.textContent('#conflict-table tr[data-field=title] td.theirs')).trim(), 'Adobe Target (staging, tab 1)');
    assert.equal(await tab2.inputValue('#f-title'), 'Adobe Target (staging, tab 2)');
    await shot(tab2, '15-stale-edit-conflict');
    await tab1.reload();
    assert.equal((await tab1.textContent(`${row('target-staging')} .cell-title`)).trim(), 'Adobe Target (staging, tab 1)');
    await context.close();
  });

  test('without JavaScript, selection and the Authentication Type switch reload the page', STEP, async () => {
    const { context, page } = await open({ javaScriptEnabled: false });
    await login(page, demo);
    await page.check(`${row('analytics-reporting')} input[type=radio]`);
    await Promise.all([page.waitForURL(/analytics-reporting$/), page.click('#action-properties')]);
    assert.ok(await page.locator('#auth-switch-submit').isVisible());
    assert.equal(await page.locator('#oauth-fields').isVisible(), false);
    await page.selectOption('#f-auth_type', 'oauth');
    await Promise.all([page.waitForURL(/auth_type=oauth/), page.click('#auth-switch-submit')]);
    assert.ok(await page.locator('#oauth-fields').isVisible());
    assert.equal(await page.inputValue('#f-client_id'), await page.getAttribute('#f-client_id', 'value'));
    await shot(page, '16-no-javascript-switch');
    await context.close();
  });

  test('a login form on another site cannot sign the browser in', STEP, async () => {
    // Login CSRF: another origin's page posts the form (with credentials its author knows).
    const form = `<!doctype html><form id="f" method="post" action="${demo.url}/console/login">
      <input name="username" value="admin"><input name="password" value="${demo.password}">
      </form><script>document.getElementById('f').submit()</script>`;
    const other = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(form);
    });
    await new Promise((r) => other.listen(0, '127.0.0.1', r));
    // Not recorded with the console's pages: this one holds the password on purpose.
    const { context } = await newContext(browser);
    const page = await context.newPage();
    try {
      const refused = page.waitForResponse((r) => r.url() === `${demo.url}/console/login`);
      await page.goto(`http://127.0.0.1:${other.address().port}/`);
      const response = await refused;
      assert.equal(response.status(), 403);
      assert.equal((await response.json()).error, 'cross_site');
      assert.equal(response.headers()['set-cookie'], undefined);
      await page.goto(`${demo.url}/console/integrations`);
      await page.waitForURL(/\/console\/login/);
    } finally {
      await context.close();
      other.close();
    }
  });

  test('no page source ever contained a secret', async () => {
    const pages = allSources.flat();
    assert.ok(pages.length > 20, `only ${pages.length} pages were recorded`);
    for (const { url, html } of pages) {
      for (const secret of secrets) {
        assert.ok(!html.includes(secret), `${url} contains a client secret`);
      }
      assert.ok(!html.includes('PRIVATE KEY'), `${url} contains a private key`);
      assert.ok(!html.includes(demo.password), `${url} contains the admin password`);
    }
  });
});
