// The base of every refusal a module reports: a stable code, a human message and optional
// machine-readable fields. http/error-map.ts gives each code its HTTP status, in one table.
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
