// Errors a caller can act on: a stable machine code, a human message and a 4xx status.
// error-map.ts turns everything thrown in a request into one of these; nothing else reaches users.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const unauthorized = (message = 'a valid Bearer token is required') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
