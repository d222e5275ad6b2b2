// Single sign-on in a real headless Chromium against `imsbridge serve --demo`, whose IMS
// emulator plays Adobe IMS: the button, the emulator's sign-in page, the callback page that
// moves on (the session cookie is SameSite=Strict), the integrations list with the mapped
// role, and signing out; the same in Korean, with a person in no mapped group refused in
// words rather than a raw error.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { emulatorCall, launch, newContext, shot, startDemo } from './lib.mjs';

const STEP = { timeout: 120_000 };

describe('single sign-on', () => {
  let demo;
  let browser;

  before(async () => {
    demo = await startDemo();
    assert.ok(demo.ssoUser && demo.ssoPassword, 'the demo prints its SSO user beside the admin password');
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** From the console's sign-in page, through the emulator's page, back to the console. */
  async function signInThroughEmulator(page, email, password) {
    await page.goto(`${demo.url}/console/login`);
    await Promise.all([page.waitForURL(/\/ims\/authorize\/v2/), page.click('#sso-sign-in')]);
    assert.ok(page.url().startsWith(demo.emulator), `at the emulator: ${page.url()}`);
    const authorize = new URL(page.url());
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state'));
    assert.ok(authorize.searchParams.get('nonce'));
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('#submit');
  }

  test('signs in through the emulator, lands on the integrations as admin, and signs out', STEP, async () => {
    const { context } = await newContext(browser);
    // The callback's page moves on at once, too fast to read its body from the browser's
    // events, and a redirected request cannot be routed. So the emulator's redirect back is
    // held, and the callback is then opened as a navigation of its own, through a route that
    // reads the answer and hands the same answer on.
    let callbackUrl = null;
    await context.route(/\/ims\/authorize\/v2/, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch({ maxRedirects: 0 });
      callbackUrl = response.headers().location;
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="sent-back">sent back</p>' });
    });
    let callbackPage = null;
    await context.route(/\/auth\/callback/, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      callbackPage = { status: response.status(), html: await response.text() };
      await route.fulfill({ response });
    });
    const page = await context.newPage();
    await page.goto(`${demo.url}/console/login`);
    assert.equal((await page.textContent('#sso-sign-in')).trim(), 'Sign in with Adobe (emulated)');
    await shot(page, 'sso-01-login');
    await signInThroughEmulator(page, demo.ssoUser, demo.ssoPassword);
    await page.waitForSelector('#sent-back');
    assert.ok(callbackUrl?.startsWith(`${demo.url}/auth/callback?`), `sent back to the callback: ${callbackUrl}`);
    await page.goto(callbackUrl);
    await page.waitForURL(/\/console\/integrations$/);
    assert.ok(callbackPage, 'the callback was answered');
    assert.equal(callbackPage.status, 200, 'the callback answers with a page, not a bare redirect');
    assert.ok(callbackPage.html.includes('http-equiv="refresh"'), 'the callback answered with a page that moves on');
    assert.equal(await page.textContent('h1'), 'Adobe IMS Integrations');
    assert.equal((await page.textContent('.user strong')).trim(), `sso:${demo.ssoUser}`);
    assert.equal(await page.locator('nav a[href="/console/users"]').count(), 1, 'the admin role');
    await shot(page, 'sso-02-integrations');

    await page.goto(`${demo.url}/console/users`);
    const row = page.locator(`tr[data-username="sso:${demo.ssoUser}"] td.sign-in`);
    assert.equal((await row.textContent()).trim(), 'Single sign-on');
    assert.equal((await page.locator('tr[data-username="admin"] td.sign-in').textContent()).trim(), 'Password');

    await Promise.all([page.waitForURL(/\/console\/login/), page.click('form[action="/console/logout"] button')]);
    await page.goto(`${demo.url}/console/integrations`);
    await page.waitForURL(/\/console\/login/);
    await context.close();
  });

  test('signs in in Korean, and refuses someone in no mapped group in Korean words', STEP, async () => {
    const orgs = await emulatorCall(demo, 'GET', '/console/orgs');
    const outsider = { email: 'eve@example.com', name: 'Eve', password: 'correct horse battery staple', groups: ['staff'] };
    await emulatorCall(demo, 'POST', `/console/orgs/${encodeURIComponent(orgs[0].id)}/users`, outsider);

    const { context } = await newContext(browser, { locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(`${demo.url}/console/login`);
    assert.equal(await page.textContent('h1'), '로그인');
    await signInThroughEmulator(page, demo.ssoUser, demo.ssoPassword);
    await page.waitForURL(/\/console\/integrations$/);
    assert.equal(await page.textContent('h1'), 'Adobe IMS 통합');
    assert.equal(await page.locator('nav a[href="/console/users"]').count(), 1, 'the admin role');
    await shot(page, 'sso-03-integrations-ko');
    await Promise.all([page.waitForURL(/\/console\/login/), page.click('form[action="/console/logout"] button')]);

    // The emulator remembers Ada; sign in as someone else.
    await context.clearCookies();
    await signInThroughEmulator(page, outsider.email, outsider.password);
    await page.waitForURL(/\/console\/login\?sso_error=no_role/);
    const error = (await page.textContent('#login-error')).trim();
    assert.match(error, /관리자에게 액세스 권한을 요청하십시오/);
    assert.doesNotMatch(error, /no_role|error/);
    await shot(page, 'sso-04-no-role-ko');
    await context.close();
  });
});
