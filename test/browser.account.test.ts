/**
 * Accounts in real Chromium: the audit log an admin reads (a sentence with names, the raw
 * ids a click away, an import's counts), and the way back in through a password reset link.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Agent, createUser, match } from './helpers/http.js';
import { ADMIN, suiteCleanup } from './helpers/server.js';
import { DESKTOP, openPerson, PHONE, screenshot, signIn, withChromium, type Person } from './browser/harness.js';
import { openScene, type Scene } from './browser/scene.js';

withChromium('accounts in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  async function open(t: { after(fn: () => unknown): void }, url: string, viewport = DESKTOP): Promise<Person> {
    const person = await openPerson(scene.browser, url, viewport);
    t.after(async () => {
      await person.context.close();
      assert.deepEqual(person.problems, [], 'the page reported problems');
    });
    return person;
  }

  it('the audit log says what happened with names, the ids under Details, an import as counts', async (t) => {
    const { admin, server } = scene;
    const mentor = await createUser(admin, { role: 'MENTOR', first: 'Dana', last: 'Okafor' });
    const mentee = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    await match(admin, mentor, mentee);
    assert.equal((await admin.post(`/api/matches/${encodeURIComponent(mentee.email)}/pause`)).status, 200);
    const imported = await admin.request(
      'POST',
      '/api/import',
      `${JSON.stringify({ kind: 'user', email: 'sam.import@tandem.test', first_name: 'Sam', last_name: 'Port', role: 'MENTEE' })}\n`,
      {
        'content-type': 'application/x-ndjson',
      },
    );
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const me = (await server.tandem.store.accounts.byEmail(ADMIN.email))!;
    const adminName = `${me.firstName} ${me.lastName}`;

    const page = (await open(t, `${server.http}/admin`)).page;
    const form = page.getByRole('form', { name: 'Sign in as an admin' });
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel(/^Password/).fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    // The audit log lives in the Safeguarding view.
    await page.getByRole('link', { name: /^Safeguarding/ }).click();
    const paused = page.locator('#audit-body tr', { hasText: `${adminName} paused Mia Lee and Dana Okafor` });
    await paused.waitFor();
    await page.locator('#audit-body tr', { hasText: `${adminName} matched Mia Lee with Dana Okafor` }).waitFor();
    await page.locator('#audit-body tr', { hasText: `${adminName} created Mia Lee as a mentee` }).waitFor();
    const importRow = page.locator('#audit-body tr', { hasText: `${adminName} imported history: 1 user created and 0 updated` });
    await importRow.waitFor();
    assert.doesNotMatch(await page.locator('#audit-body').innerText(), /\[object Object\]/);

    const facts = paused.locator('dl');
    assert.equal(await facts.isVisible(), false, 'the ids are a click away, not in the way');
    await paused.getByText('Details').click();
    await facts.waitFor();
    assert.match(await facts.innerText(), /target\s+pair:\d+/);
    await importRow.getByText('Details').click();
    assert.match(await importRow.locator('dl').innerText(), /users\s+\{"created":1,"updated":0,"unchanged":0\}/);
    await page.locator('.audit-card').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-audit-log');
  });

  it('the registration form lists every password rule up front and marks each as the person types', async (t) => {
    const page = (await open(t, `${scene.server.http}/`, PHONE)).page;
    await page.getByRole('button', { name: 'Create an account' }).click();
    const rules = page.getByRole('list', { name: 'Requirements' }).getByRole('listitem');
    assert.deepEqual(await rules.allInnerTexts(), [
      'At least 8 characters',
      'Not one of the most common passwords',
      'Does not contain your email address',
      'Does not contain your first or last name',
    ]);
    const state = async () =>
      Object.fromEntries(
        await Promise.all((await rules.all()).map(async (rule) => [await rule.getAttribute('data-rule'), await rule.getAttribute('data-state')])),
      );
    const form = page.getByRole('form', { name: 'Create an account' });
    await form.getByLabel('First name').fill('Priyanka');
    await form.getByLabel('Last name').fill('Sharma');
    await form.getByLabel('Email').fill('priyanka.s@example.org');
    await form.getByLabel(/^Password/).fill('priya');
    assert.deepEqual(await state(), { length: 'broken', common: 'unknown', email: 'met', name: 'met' });
    await form.getByLabel(/^Password/).fill('my name is Priyanka');
    assert.deepEqual(await state(), { length: 'met', common: 'unknown', email: 'met', name: 'broken' });
    assert.match(await rules.nth(3).innerText(), /\(not met\)/, 'a screen reader hears the verdict too');
    await form.getByLabel(/^Password/).fill('a quiet harbour at dawn');
    assert.deepEqual(await state(), { length: 'met', common: 'unknown', email: 'met', name: 'met' });
    await screenshot(page, 'register-password-rules-phone');
    await form.getByLabel(/^Password/).fill('password1');
    await form.getByRole('button', { name: 'Create account' }).click();
    await form.getByRole('alert').filter({ hasText: 'one of the most common passwords' }).waitFor();
  });

  it('a password reset link: a weak password is refused on the page, a good one is set and signs in', async (t) => {
    const { admin, server } = scene;
    const mentee = await createUser(admin, { role: 'MENTEE', first: 'Rosa', last: 'Park' });
    const made = await admin.post(`/api/users/${encodeURIComponent(mentee.email)}/password-reset`);
    assert.equal(made.status, 201);
    const page = (await open(t, made.body.url, PHONE)).page;
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel(/^Password/).fill('password1');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: 'most common passwords' }).waitFor();
    await screenshot(page, 'reset-password-weak-phone');
    await page.getByLabel(/^Password/).fill('a quiet harbour at dawn');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    assert.equal((await mentee.get('/api/me')).status, 401, 'the old session ended');
    await page.getByRole('link', { name: 'Sign in with it' }).click();
    await signIn(page, mentee.email, 'a quiet harbour at dawn');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();

    const used = (await open(t, made.body.url)).page;
    await used.getByLabel(/^Password/).fill('another quiet harbour');
    await used.getByRole('button', { name: 'Set password' }).click();
    await used.getByRole('alert').filter({ hasText: 'This password reset link is not valid' }).waitFor();
    assert.equal((await new Agent(server.http).post('/api/auth/login', { email: mentee.email, password: 'another quiet harbour' })).status, 401);
  });
});
