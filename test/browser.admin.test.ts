/**
 * The admin page and the ways in, in real Chromium: an admin creates users and matches them,
 * unmatching shows both partners the notice; a wrong password is refused with a message; a
 * newcomer registers; and the screenshot of the chat page that the README shows.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { createUser, loginAdmin, match, uniqueEmail } from './helpers/http.js';
import { Receiver, webhookEnv } from './helpers/receiver.js';
import { ADMIN, startServer, suiteCleanup } from './helpers/server.js';
import { until } from './helpers/wait.js';
import { composer, DESKTOP, openPerson, PHONE, screenshot, scrollsSideways, sendWithEnter, signIn, withChromium, type Person } from './browser/harness.js';
import { connected, openScene, pairInBrowsers, signedInPerson, type Scene } from './browser/scene.js';
import { passwordOf } from './helpers/accounts.js';

withChromium('admin page and sign-in in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  /** An admin signed in on the admin page of `http` (the scene's server unless another is given). */
  async function adminPage(t: { after(fn: () => unknown): void }, viewport = DESKTOP, http = scene.server.http): Promise<Person> {
    const admin = await openPerson(scene.browser, `${http}/admin`, viewport);
    t.after(async () => {
      await admin.context.close();
      assert.deepEqual(admin.problems, [], "the admin's page reported problems");
    });
    const signInForm = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    await signInForm.getByLabel('Email').fill(ADMIN.email);
    await signInForm.getByLabel('Password').fill(ADMIN.password);
    await signInForm.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    return admin;
  }

  it('an admin creates a mentor and a mentee, matches them, and the mentee finds the mentor', async (t) => {
    const admin = await adminPage(t);
    const mentorEmail = uniqueEmail('ada');
    const menteeEmail = uniqueEmail('ben');
    const userForm = admin.page.getByRole('form', { name: 'Create a user' });
    for (const [first, last, email, role] of [
      ['Ada', 'Lovelace', mentorEmail, 'Mentor'],
      ['Ben', 'Carter', menteeEmail, 'Mentee'],
    ] as const) {
      await userForm.getByLabel('First name').fill(first);
      await userForm.getByLabel('Last name').fill(last);
      await userForm.getByLabel('Email').fill(email);
      await userForm.getByLabel('Password').fill('a-good-password');
      await userForm.getByLabel('Role').selectOption({ label: role });
      await userForm.getByRole('button', { name: 'Create user' }).click();
      await userForm
        .getByRole('status')
        .filter({ hasText: `${first} ${last}` })
        .waitFor();
    }
    const matchForm = admin.page.getByRole('form', { name: 'Match a mentee with a mentor' });
    await matchForm.getByLabel("Mentor's email").fill(mentorEmail);
    await matchForm.getByLabel("Mentee's email").fill(menteeEmail);
    await matchForm.getByRole('button', { name: 'Match' }).click();
    await matchForm.getByRole('status').filter({ hasText: 'Matched Ben Carter with Ada Lovelace' }).waitFor();

    await matchForm.getByLabel("Mentor's email").fill(mentorEmail);
    await matchForm.getByLabel("Mentee's email").fill(menteeEmail);
    await matchForm.getByRole('button', { name: 'Match' }).click();
    await matchForm.getByRole('alert').filter({ hasText: 'already has a mentor' }).waitFor();
    await admin.page.getByRole('link', { name: 'Matches' }).click();
    await admin.page.locator(`#matches-body tr[data-mentee="${menteeEmail}"]`).waitFor();
    await screenshot(admin.page, 'admin-desktop');

    const mentee = await openPerson(scene.browser, `${scene.server.http}/`);
    t.after(() => mentee.context.close());
    await signIn(mentee.page, menteeEmail, 'a-good-password');
    await connected(mentee);
    await mentee.page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
  });

  it('unmatching shows both partners the notice and closes their composers', async (t) => {
    const { mentor, mentee, menteeAgent } = await pairInBrowsers(t, scene);
    await sendWithEnter(mentee.page, 'See you Thursday!');
    await mentor.page.locator('#message-list li', { hasText: 'See you Thursday!' }).waitFor();

    const admin = await adminPage(t, PHONE);
    assert.equal(await scrollsSideways(admin.page), false, 'the admin page fits a phone');
    await admin.page.getByRole('link', { name: 'Matches' }).click();
    await screenshot(admin.page, 'admin-phone');
    const unmatch = admin.page.getByRole('button', { name: 'Unmatch Mia Lee from Tom Ng' });
    await unmatch.click();
    await admin.page.getByRole('button', { name: 'Confirm: Unmatch Mia Lee from Tom Ng' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'no longer matched' }).waitFor();
    await admin.page.locator(`#matches-body tr[data-mentee="${menteeAgent.email}"]`).waitFor({ state: 'detached' });

    for (const [person, partner] of [
      [mentee, 'Tom Ng'],
      [mentor, 'Mia Lee'],
    ] as const) {
      await person.page
        .getByRole('alert')
        .filter({ hasText: `Your match with ${partner} has ended` })
        .waitFor();
      assert.equal(await composer(person.page).isDisabled(), true);
      assert.equal(await person.page.getByRole('button', { name: 'Send' }).isDisabled(), true);
      await person.page.locator('.partner-preview', { hasText: 'Match ended' }).waitFor();
      assert.deepEqual(await person.page.locator('#message-list li .body').allTextContents(), ['See you Thursday!'], 'the history stays readable');
    }
    await screenshot(mentee.page, 'unmatched-mentee');
    await screenshot(mentor.page, 'unmatched-mentor');
  });

  it('the admin sees a failed webhook delivery and retries it', async (t) => {
    const receiver = await Receiver.start(t);
    let down = true;
    receiver.answer = () => (down ? 500 : 200);
    const server = await startServer(t, webhookEnv(receiver, { WEBHOOK_RETRY_HOURS: '0.00001' }));
    const api = await loginAdmin(server.http);
    await match(api, await createUser(api, { role: 'MENTOR' }), await createUser(api, { role: 'MENTEE' }));
    await until('the match event to fail', async () => ((await api.get('/api/webhooks/deliveries?status=failed')).body.deliveries as unknown[]).length === 1);
    const [failed] = (await api.get('/api/webhooks/deliveries?status=failed')).body.deliveries as Array<{ id: string }>;

    const admin = await adminPage(t, DESKTOP, server.http);
    await admin.page.getByRole('link', { name: /^Deliveries/ }).click();
    const row = admin.page.locator(`#deliveries-body tr[data-delivery="${failed!.id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /match\.created[\s\S]*HTTP 500/);
    down = false;
    const tried = receiver.requests.length;
    await row.getByRole('button', { name: /^Retry match\.created/ }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: `match.created ${failed!.id} will be sent again.` })
      .waitFor();
    await admin.page.locator('#no-deliveries').waitFor();
    await receiver.until((requests) => requests.length > tried);
    assert.equal(receiver.requests.at(-1)!.id, failed!.id);
    await screenshot(admin.page, 'admin-deliveries');
  });

  it('a wrong password shows the error and keeps the form; the right one signs in', async (t) => {
    const mentee = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const person = await openPerson(scene.browser, `${scene.server.http}/`, PHONE);
    t.after(() => person.context.close());
    await signIn(person.page, mentee.email, 'not-the-password').catch(() => {});
    await person.page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    assert.equal(await person.page.locator('#account').isVisible(), false);
    assert.equal(await person.page.getByLabel('Email').first().inputValue(), mentee.email, 'the email is kept');
    assert.equal(await scrollsSideways(person.page), false);
    await screenshot(person.page, 'wrong-password-phone');
    assert.deepEqual(person.problems, []);

    await signIn(person.page, mentee.email, passwordOf(mentee.email));
    await person.page.getByText('You have no mentor yet').waitFor();
  });

  it('a newcomer registers as a mentee from the sign-in page and is signed in', async (t) => {
    const person = await openPerson(scene.browser, `${scene.server.http}/`, PHONE);
    t.after(() => person.context.close());
    await person.page.getByRole('button', { name: 'Create an account' }).click();
    const form = person.page.getByRole('form', { name: 'Create an account' });
    await form.getByLabel('Mentee').check();
    await form.getByLabel('First name').fill('Noor');
    await form.getByLabel('Last name').fill('Haddad');
    await form.getByLabel('Email').fill(uniqueEmail('noor'));
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    await form.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
    await form.getByLabel('Password').fill('long-enough-password');
    await form.getByRole('button', { name: 'Create account' }).click();
    await person.page.getByText('Noor Haddad · Mentee').waitFor();
    await person.page.getByText('You have no mentor yet').waitFor();
    assert.deepEqual(person.problems, []);
  });

  it('the chat page as the README shows it', async (t) => {
    const tom = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const mia = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const sam = await createUser(scene.admin, { role: 'MENTEE', first: 'Sam', last: 'Okafor' });
    await match(scene.admin, tom, mia);
    await match(scene.admin, tom, sam);
    const [mentor, mentee, other] = await Promise.all([signedInPerson(t, scene, tom), signedInPerson(t, scene, mia), signedInPerson(t, scene, sam)]);
    await mentor.page.getByRole('button', { name: /Mia Lee/ }).click();
    await Promise.all([connected(mentor), connected(mentee), connected(other)]);
    const say = async (person: Person, text: string, reader: Person) => {
      await sendWithEnter(person.page, text);
      await reader.page.locator('#message-list li .body', { hasText: text }).waitFor();
    };
    await say(mentee, 'Hi Tom! I finished the first draft of my portfolio. Could you have a look before Thursday?', mentor);
    await say(mentor, 'Great work, Mia. I will read it tonight and leave comments.', mentee);
    await say(mentor, 'Start with the case study: it is your strongest piece.', mentee);
    await say(mentee, 'Thank you! I will move it to the top.', mentor);
    await mentee.page.locator('#message-list li.mine .tick.read').nth(1).waitFor();
    await sendWithEnter(other.page, 'Is our call still on for Friday?');
    await mentor.page
      .getByRole('button', { name: /Sam Okafor/ })
      .locator('.unread', { hasText: '1' })
      .waitFor();
    await composer(mentee.page).pressSequentially('One more question');
    await mentor.page.locator('#typing', { hasText: 'Mia is typing…' }).waitFor();
    const path = await screenshot(mentor.page, 'chat-page');
    if (process.env.TANDEM_UPDATE_DOCS === '1') {
      const docs = join(process.cwd(), 'docs');
      mkdirSync(docs, { recursive: true });
      copyFileSync(path, join(docs, 'chat-page.png'));
    }
  });
});
