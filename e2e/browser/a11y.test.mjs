// axe-core's WCAG 2.1 A and AA rules over every console page, in English and in Korean:
// signed out (sign-in, a refused sign-in), and signed in as the admin (the Tools page, the list,
// Create (empty, refused, with the Developer Console JSON open), the Properties of an OAuth,
// a JWT (before and after choosing OAuth) and an auto-provisioned configuration, Delete,
// readiness, the audit trail, users, API tokens, import, an error). Any violation fails the test and
// is printed with the elements it found. Each page leaves a screenshot in SCREENSHOT_DIR.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { launch, login, newContext, shot, startDemo } from './lib.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const STEP = { timeout: 300_000 };

/** The violations axe finds on the page as it is now, as readable lines. */
async function audit(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  return result.violations.map((v) => [
    `${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`),
  ].join('\n'));
}

/** The signed-in pages: a name and how to reach the state to check. */
const SIGNED_IN = [
  ['tools', (p, u) => p.goto(`${u}/console/tools`)],
  ['list', (p, u) => p.goto(`${u}/console/integrations`)],
  ['list-selected', (p, u) => p.goto(`${u}/console/integrations?selected=target-production`)],
  ['create', (p, u) => p.goto(`${u}/console/integrations/_new`)],
  ['create-dc-json', async (p, u) => {
    await p.goto(`${u}/console/integrations/_new`);
    await p.click('#dc-json summary');
  }],
  ['create-refused', async (p, u) => {
    await p.goto(`${u}/console/integrations/_new`);
    await Promise.all([p.waitForLoadState('load'), p.click('#form-submit')]);
    await p.waitForSelector('#error-summary');
  }],
  ['properties-oauth', (p, u) => p.goto(`${u}/console/integrations/target-staging`)],
  ['properties-jwt', (p, u) => p.goto(`${u}/console/integrations/target-production`)],
  ['properties-jwt-oauth-chosen', async (p, u) => {
    await p.goto(`${u}/console/integrations/target-production`);
    await p.selectOption('#f-auth_type', 'oauth');
    await p.waitForSelector('#oauth-fields:not([hidden])');
  }],
  ['properties-auto-provisioned', (p, u) => p.goto(`${u}/console/integrations/asset-compute`)],
  ['health-checked', async (p, u) => {
    await p.goto(`${u}/console/integrations?selected=target-staging`);
    await Promise.all([p.waitForURL(/selected=target-staging/), p.click('#action-health')]);
    await p.waitForSelector('.alert');
  }],
  ['delete', (p, u) => p.goto(`${u}/console/integrations/target-staging/delete`)],
  ['readiness', (p, u) => p.goto(`${u}/console/readiness`)],
  ['audit', (p, u) => p.goto(`${u}/console/audit`)],
  ['users', (p, u) => p.goto(`${u}/console/users`)],
  ['tokens', (p, u) => p.goto(`${u}/console/tokens`)],
  ['import', (p, u) => p.goto(`${u}/console/import`)],
];

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  let demo;
  let browser;

  before(async () => {
    demo = await startDemo();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  for (const lang of ['en', 'ko']) {
    test(`every console page in ${lang} passes`, STEP, async () => {
      const { context } = await newContext(browser, { bypassCSP: true });
      const page = await context.newPage();
      const found = [];
      const check = async (name) => {
        assert.equal(await page.getAttribute('html', 'lang'), lang, name);
        await shot(page, `a11y-${lang}-${name}`);
        for (const v of await audit(page)) found.push(`[${lang}] ${name} ${page.url()}\n  ${v}`);
      };
      // The switch's cookie sets the language for every page after it, signed in or not.
      await page.goto(`${demo.url}/console/lang?lang=${lang}&next=/console/login`);
      await check('login');
      await page.fill('#username', 'admin');
      await page.fill('#password', 'not-the-password');
      await Promise.all([page.waitForLoadState('load'), page.click('#sign-in')]);
      await page.waitForSelector('.alert-error');
      await check('login-refused');
      await login(page, demo);
      for (const [name, reach] of SIGNED_IN) {
        await reach(page, demo.url);
        await check(name);
      }
      const gone = await page.goto(`${demo.url}/console/integrations/no-such-configuration`);
      assert.equal(gone.status(), 404);
      await check('error');
      await context.close();
      assert.deepEqual(found, [], `axe-core found violations:\n${found.join('\n')}`);
    });
  }
});
