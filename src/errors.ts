/**
 * The error catalogue: every error a client can see, with a stable `lower_snake` code and
 * its HTTP status. HTTP replies carry `{"error": code, "message": message}`.
 */
export const ErrorCatalogue = {
  invalid_request: { status: 400, message: 'The request is not valid' },
  invalid_json: { status: 400, message: 'The body is not valid JSON' },
  unauthenticated: { status: 401, message: 'Authentication required' },
  invalid_credentials: { status: 401, message: 'Invalid email or password' },
  forbidden: { status: 403, message: 'You are not allowed to do this' },
  origin_not_allowed: { status: 403, message: 'Origin not allowed' },
  registration_closed: { status: 403, message: 'Registration is closed' },
  reset_link_invalid: { status: 410, message: 'This password reset link is not valid: it was used, has expired or was replaced; ask an admin for a new one' },
  no_local_password: { status: 409, message: 'This user signs in through the platform: there is no Tandem password to reset' },
  role_not_self_registered: { status: 403, message: 'Mentors are vetted by the programme: an admin creates mentor accounts' },
  local_auth_disabled: { status: 403, message: "Sign-in is done by the platform: Tandem's own accounts are off (AUTH)" },
  setup_token_invalid: { status: 403, message: 'This setup link is not valid: use the link Tandem printed at start' },
  not_matched: { status: 403, message: 'You are not matched with this user' },
  conversation_private: { status: 403, message: 'Conversations are private under this policy' },
  not_found: { status: 404, message: 'Not found' },
  user_not_found: { status: 404, message: 'No such user' },
  match_not_found: { status: 404, message: 'This mentee has no active match' },
  delivery_not_found: { status: 404, message: 'No webhook delivery has this id' },
  message_not_found: { status: 404, message: 'No such message in this conversation' },
  not_own_message: { status: 403, message: 'You can only change your own messages' },
  message_deleted: { status: 409, message: 'This message was deleted' },
  edit_window_passed: { status: 409, message: 'This message can no longer be edited' },
  unknown_reaction: { status: 400, message: 'This reaction is not one of the published set' },
  held_not_found: { status: 404, message: 'No held message has this id' },
  report_not_found: { status: 404, message: 'No report has this id' },
  conversation_not_found: { status: 404, message: 'No conversation has this id' },
  attachment_not_found: { status: 404, message: 'No such attachment' },
  attachment_unavailable: { status: 400, message: 'An attachment is not one of your uploads to this conversation that is still unsent' },
  email_taken: { status: 409, message: 'A user with this email already exists' },
  already_matched: { status: 409, message: 'This mentee already has a mentor' },
  mentor_at_capacity: { status: 409, message: 'This mentor has no room for another mentee' },
  already_decided: { status: 409, message: 'This message was approved or rejected already' },
  already_resolved: { status: 409, message: 'This report was resolved already' },
  match_paused: { status: 409, message: 'This conversation is paused' },
  delivery_not_failed: { status: 409, message: 'Only a failed delivery can be retried' },
  identity_conflict: { status: 409, message: 'This email belongs to another account of the platform' },
  role_locked: { status: 409, message: 'The user has an active match: end it before changing their role' },
  weak_password: { status: 400, message: 'The password is too weak' },
  wrong_role: { status: 400, message: 'A match needs a MENTOR and a MENTEE' },
  setup_closed: { status: 410, message: 'Tandem has an admin already: sign in on /admin' },
  setup_expired: { status: 410, message: 'This setup link has expired: restart Tandem for a new one' },
  request_timeout: { status: 408, message: 'The request took too long to arrive' },
  body_too_large: { status: 413, message: 'The body is too large' },
  attachment_too_large: { status: 413, message: 'The file is larger than ATTACHMENT_MAX_BYTES' },
  attachment_malformed: { status: 400, message: 'The file is damaged: its structure does not follow its format' },
  attachment_type: { status: 415, message: 'This type of file cannot be attached' },
  attachment_quota: { status: 429, message: 'You have uploaded as much as a day allows (ATTACHMENT_DAILY_BYTES); try again later' },
  search_query: { status: 400, message: 'The search needs at least one word of letters or digits' },
  uri_too_long: { status: 414, message: 'A path parameter is too long' },
  unsupported_media_type: { status: 415, message: 'State-changing requests must be application/json' },
  rate_limited: { status: 429, message: 'Too many requests' },
  headers_too_large: { status: 431, message: 'The request headers are too large' },
  internal: { status: 500, message: 'Internal error' },
  unavailable: { status: 503, message: 'A backend is unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

/** An error meant for the client: its code and message are safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** For `rate_limited`: when to try again (HTTP sends it as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message ?? ErrorCatalogue[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCatalogue[code].status;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
