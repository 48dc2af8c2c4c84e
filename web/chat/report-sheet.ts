/**
 * Reporting a message, in the page (never the browser's prompt): a sheet with reasons people
 * recognise and optional words, a calm thank-you that says what happens next, and "Get help
 * now" with the programme's safeguarding contact (`SAFEGUARDING_CONTACT`) when it is set.
 */
import { byId, setText } from '../shared/dom.js';

/** The reasons offered, as the report's text starts with them (coordinators read them). */
export const REPORT_REASONS = [
  'It made me feel uncomfortable',
  'They asked me to talk somewhere else',
  'They asked for or shared personal details',
  'Bullying or being mean',
  'Something else',
] as const;

/** Sends a report with `reason`; rejects when it could not be sent. */
export type SendReport = (reason: string) => Promise<void>;

export class ReportSheet {
  private readonly dialog = byId<HTMLDialogElement>('report-sheet');
  private readonly form = byId<HTMLFormElement>('report-form');
  private readonly what = byId('report-what');
  private readonly words = byId<HTMLTextAreaElement>('report-words');
  private readonly error = byId('report-error');
  private readonly done = byId('report-done');
  private readonly doneText = byId('report-done-text');
  private readonly help = byId('help-now');
  private readonly helpButton = byId<HTMLButtonElement>('get-help');
  private readonly helpContact = byId('help-contact');
  private send: SendReport | null = null;
  private onSent: (() => void) | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor() {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.form.addEventListener('change', () => setText(this.error, ''));
    byId('report-cancel').addEventListener('click', () => this.close());
    byId('report-close').addEventListener('click', () => this.close());
    this.dialog.addEventListener('close', () => this.returnFocus?.focus());
    this.helpButton.addEventListener('click', () => {
      this.helpContact.hidden = false;
      this.helpButton.setAttribute('aria-expanded', 'true');
    });
    this.setContact(null);
  }

  /** The programme's safeguarding contact, from `GET /api/me`; null hides "Get help now". */
  setContact(contact: string | null): void {
    this.help.hidden = contact === null;
    setText(this.helpContact, contact ?? '');
  }

  /** Opens the sheet for the message described as `what` ("message from Mia Lee, 11:07"); `partnerFirstName` for the thank-you. */
  open(what: string, partnerFirstName: string, send: SendReport, onSent: () => void): void {
    this.send = send;
    this.onSent = onSent;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setText(this.what, `Report ${what}`);
    this.form.reset();
    this.form.hidden = false;
    this.done.hidden = true;
    setText(this.error, '');
    setText(this.doneText, `A coordinator from your programme will read it with the messages before it. ${partnerFirstName} is not told that you reported it.`);
    this.helpContact.hidden = true;
    this.helpButton.setAttribute('aria-expanded', 'false');
    this.dialog.showModal();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private async submit(): Promise<void> {
    const chosen = this.form.querySelector<HTMLInputElement>('input[name="report-reason"]:checked');
    if (!chosen || !this.send) {
      setText(this.error, 'Choose what is wrong, then send.');
      return;
    }
    const words = this.words.value.trim();
    const reason = words === '' ? chosen.value : `${chosen.value}: ${words}`;
    try {
      await this.send(reason);
    } catch {
      setText(this.error, 'The report could not be sent. Check your connection and try again.');
      return;
    }
    this.onSent?.();
    this.form.hidden = true;
    this.done.hidden = false;
    byId('report-done-title').focus();
  }
}
