/** The error every `TandemApi` call rejects with. */
/** A refused request: `code` is the API's stable error code (`invalid_credentials`, …), `status` the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the route itself is missing (a server without that part of the API yet). */
  get routeMissing(): boolean {
    return this.status === 404 && this.code === 'not_found';
  }
}
