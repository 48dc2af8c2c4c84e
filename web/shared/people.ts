/** How people and API errors are shown on the pages. */
import { ApiError, type PublicUser } from '../../src/client/index.js';

/** "First Last", as the server's `sender_name`. */
export function fullName(user: Pick<PublicUser, 'first_name' | 'last_name'>): string {
  return `${user.first_name} ${user.last_name}`.trim();
}

/** Up to two initials for an avatar. */
export function initials(user: Pick<PublicUser, 'first_name' | 'last_name'>): string {
  const letters = [user.first_name, user.last_name].map((part) => Array.from(part.trim())[0] ?? '').join('');
  return letters.toUpperCase() || '?';
}

/** "Mentor" for MENTOR. */
export function roleName(role: string): string {
  return role.charAt(0) + role.slice(1).toLowerCase();
}

/** "Mia Lee · Mentee" for the account bar (just "Admin" for an admin named Admin). */
export function accountLabel(user: PublicUser): string {
  const name = fullName(user);
  const role = roleName(user.role);
  return name === role ? name : `${name} · ${role}`;
}

/** What to tell a user about a failed request, in plain words. */
export function friendlyError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'invalid_credentials':
      return 'Wrong email or password.';
    case 'email_taken':
      return 'An account with this email already exists.';
    case 'registration_closed':
      return 'Registration is closed. Ask an admin for an account.';
    case 'rate_limited':
      return 'Too many attempts. Please wait a moment and try again.';
    case 'invalid_request':
      return 'Please check the fields: a valid email, a password of at least 8 characters, and both names.';
    case 'unauthenticated':
      return 'Your session has ended. Please sign in again.';
    default:
      return error.message;
  }
}
