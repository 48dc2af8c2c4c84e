/** Sign in and registration. Errors are shown next to the form and announced (role="alert"). */
import type { PublicRole } from '../../src/protocol/http.js';
import type { PublicUser, TandemClient } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { friendlyError } from '../shared/people.js';

/** The sign-in and registration forms; `onSignedIn` receives the user. */
export class AuthView {
  private readonly view = byId('auth-view');
  private readonly signInForm = byId<HTMLFormElement>('sign-in-form');
  private readonly registerForm = byId<HTMLFormElement>('register-form');
  private readonly signInError = byId('sign-in-error');
  private readonly registerError = byId('register-error');

  constructor(
    private readonly client: TandemClient,
    private readonly onSignedIn: (user: PublicUser) => void,
  ) {
    this.signInForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signIn();
    });
    this.registerForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.register();
    });
    byId('show-register').addEventListener('click', () => this.switchTo('register'));
    byId('show-sign-in').addEventListener('click', () => this.switchTo('sign-in'));
  }

  /** Shows the sign-in form, with `notice` under it: news ("you signed out") or, with `isError`, a problem. */
  show(notice = '', isError = false): void {
    this.view.hidden = false;
    this.switchTo('sign-in');
    setText(this.signInError, notice);
    this.signInError.classList.toggle('is-note', !isError);
    byId<HTMLInputElement>('sign-in-email').focus();
  }

  hide(): void {
    this.view.hidden = true;
    this.signInForm.reset();
    this.registerForm.reset();
    setText(this.signInError, '');
    setText(this.registerError, '');
  }

  private switchTo(form: 'sign-in' | 'register'): void {
    this.signInForm.hidden = form !== 'sign-in';
    this.registerForm.hidden = form !== 'register';
    const first = form === 'sign-in' ? 'sign-in-email' : 'register-first';
    if (!this.view.hidden) byId<HTMLInputElement>(first).focus();
  }

  private async signIn(): Promise<void> {
    const data = new FormData(this.signInForm);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!email || !password) return this.fail(this.signInError, 'Enter your email and password.', this.signInForm);
    await this.busy(this.signInForm, this.signInError, async () => this.onSignedIn(await this.client.signIn(email, password)));
  }

  private async register(): Promise<void> {
    if (!this.registerForm.checkValidity()) {
      return this.fail(this.registerError, 'Please fill in every field: a valid email and a password of at least 8 characters.', this.registerForm);
    }
    const data = new FormData(this.registerForm);
    const fields = {
      email: String(data.get('email')).trim(),
      password: String(data.get('password')),
      first_name: String(data.get('first_name')).trim(),
      last_name: String(data.get('last_name')).trim(),
      role: String(data.get('role')) as PublicRole, // the form offers MENTOR and MENTEE; the server validates
    };
    await this.busy(this.registerForm, this.registerError, async () => this.onSignedIn(await this.client.register(fields)));
  }

  /** Runs `work` with the form's button disabled; shows what went wrong. */
  private async busy(form: HTMLFormElement, error: HTMLElement, work: () => Promise<void>): Promise<void> {
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = true;
    setText(error, '');
    error.classList.remove('is-note');
    try {
      await work();
    } catch (failure) {
      this.fail(error, friendlyError(failure), form);
    } finally {
      button.disabled = false;
    }
  }

  private fail(error: HTMLElement, message: string, form: HTMLFormElement): void {
    error.classList.remove('is-note');
    setText(error, message);
    const invalid = form.querySelector<HTMLInputElement>('input:invalid') ?? form.querySelector<HTMLInputElement>('input[type="password"]');
    invalid?.focus();
    if (invalid?.type === 'password') invalid.select();
  }
}
