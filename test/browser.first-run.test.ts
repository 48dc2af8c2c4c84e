/**
 * The README's first ten minutes, in Chromium: a fresh Tandem with no admin prints its setup
 * link; the link's page makes the first admin, who (signed in already) creates a mentor and a
 * mentee on the admin page and matches them; the two sign in on the chat page and chat.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FIRST_ADMIN, startFirstRun } from './helpers/first-run.js';
import { launchBrowser, openPerson, screenshot, sendWithEnter, signIn, withChromium, type Person } from './browser/harness.js';
import { connected } from './browser/scene.js';

withChromium('first run in Chromium', () => {
  it('setup link → first admin → a mentor and a mentee → match → chat', async (t) => {
    const server = await startFirstRun(t);
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const people: Person[] = [];
    t.after(async () => {
      for (const person of people) await person.context.close();
    });
    const open = async (url: string) => {
      const person = await openPerson(browser, url);
      people.push(person);
      return person;
    };

    const admin = await open(server.link);
    const setup = admin.page.getByRole('form', { name: 'The first admin' });
    await setup.getByLabel('First name').fill(FIRST_ADMIN.first_name);
    await setup.getByLabel('Last name').fill(FIRST_ADMIN.last_name);
    await setup.getByLabel('Email').fill(FIRST_ADMIN.email);
    await setup.getByLabel('Password').fill(FIRST_ADMIN.password);
    await screenshot(admin.page, 'setup-page');
    await setup.getByRole('button', { name: 'Create admin' }).click();
    await admin.page.getByRole('heading', { name: 'Tandem is ready' }).waitFor();
    await admin.page.getByRole('link', { name: /create mentors and mentees/ }).click();
    await admin.page.getByRole('heading', { name: 'People', level: 1 }).waitFor();

    const userForm = admin.page.getByRole('form', { name: 'Create a user' });
    const newcomers = [
      ['Maria', 'Silva', 'maria@programme.test', 'Mentor', 'mentor-password-1'],
      ['Sam', 'Okafor', 'sam@programme.test', 'Mentee', 'mentee-password-1'],
    ] as const;
    for (const [first, last, email, role, password] of newcomers) {
      await userForm.getByLabel('First name').fill(first);
      await userForm.getByLabel('Last name').fill(last);
      await userForm.getByLabel('Email').fill(email);
      await userForm.getByLabel('Password').fill(password);
      await userForm.getByLabel('Role').selectOption({ label: role });
      await userForm.getByRole('button', { name: 'Create user' }).click();
      await userForm
        .getByRole('status')
        .filter({ hasText: `${first} ${last}` })
        .waitFor();
    }
    const matchForm = admin.page.getByRole('form', { name: 'Match a mentee with a mentor' });
    await matchForm.getByLabel("Mentor's email").fill('maria@programme.test');
    await matchForm.getByLabel("Mentee's email").fill('sam@programme.test');
    await matchForm.getByRole('button', { name: 'Match' }).click();
    await matchForm.getByRole('status').filter({ hasText: 'Matched Sam Okafor with Maria Silva' }).waitFor();

    const [mentor, mentee] = await Promise.all([open(`${server.http}/`), open(`${server.http}/`)]);
    await signIn(mentor.page, 'maria@programme.test', 'mentor-password-1');
    await signIn(mentee.page, 'sam@programme.test', 'mentee-password-1');
    await Promise.all([connected(mentor), connected(mentee)]);
    await sendWithEnter(mentee.page, 'Hi Maria, I am Sam!');
    await mentor.page.locator('#message-list li .body', { hasText: 'Hi Maria, I am Sam!' }).waitFor();
    await sendWithEnter(mentor.page, 'Welcome, Sam.');
    await mentee.page.locator('#message-list li .body', { hasText: 'Welcome, Sam.' }).waitFor();

    const again = await open(server.link);
    await again.page.getByRole('heading', { name: 'Tandem is set up' }).waitFor();
    for (const person of people) assert.deepEqual(person.problems, [], 'no page reported a problem');
  });
});
