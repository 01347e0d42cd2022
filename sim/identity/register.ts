// The identity authority's register: the people it knows (id number, name, the identity document
// it issued and when that expires) and, for the face check, each person's seeded outcome. The
// verdicts are pure functions of the register, the clock and the seeded draw.
import { createHash } from 'node:crypto';
import { sameName } from '../../src/modules/identity/names.ts';
import { type RandomSource, seededRandom, seedFor } from '../bank/random.ts';

export interface Person {
  readonly idNo: string;
  readonly name: string;
  /** The document's last valid day, YYYY-MM-DD. */
  readonly documentValidUntil: string;
  /** The document was reported lost or revoked: the register still knows the person. */
  readonly documentRevoked?: boolean;
  /** The face check's answer for this person; absent: drawn from the seeded source per photo. */
  readonly face?: 'match' | 'no_match';
}

export type Verdict = { readonly verdict: 'match' } | { readonly verdict: 'mismatch'; readonly reason: string };

const MATCH: Verdict = { verdict: 'match' };
const mismatch = (reason: string): Verdict => ({ verdict: 'mismatch', reason });

export class PeopleRegister {
  private readonly people = new Map<string, Person>();

  constructor(
    private readonly seed: number,
    /** Share of photos that match when the person has no fixed face outcome. */
    private readonly faceMatchRate: number,
  ) {}

  enroll(person: Person): void {
    this.people.set(person.idNo.toUpperCase(), person);
  }

  find(idNo: string): Person | undefined {
    return this.people.get(idNo.toUpperCase());
  }

  /** The id number and name against the register (the citizen database check). */
  identity(idNo: string, name: string): Verdict {
    const person = this.find(idNo);
    if (!person) return mismatch('not_in_register');
    return sameName(person.name, name) ? MATCH : mismatch('name_mismatch');
  }

  /** The document shown: a person's own, still valid on `today` (YYYY-MM-DD) and not revoked. */
  document(idNo: string, name: string, validUntil: string, today: string): Verdict {
    const identity = this.identity(idNo, name);
    if (identity.verdict !== 'match') return identity;
    const person = this.find(idNo)!;
    if (person.documentValidUntil !== validUntil) return mismatch('document_mismatch');
    if (person.documentRevoked) return mismatch('document_revoked');
    return validUntil < today ? mismatch('document_expired') : MATCH;
  }

  /** The photo against the register's: the person's fixed outcome, else a draw seeded by person and photo (the same photo always gets the same answer). */
  face(idNo: string, name: string, photo: string): Verdict {
    const identity = this.identity(idNo, name);
    if (identity.verdict !== 'match') return identity;
    const person = this.find(idNo)!;
    if (person.face) return person.face === 'match' ? MATCH : mismatch('face_no_match');
    const digest = createHash('sha256').update(photo).digest('hex');
    const draw: RandomSource = seededRandom(seedFor(this.seed, person.idNo, digest));
    return draw.next() < this.faceMatchRate ? MATCH : mismatch('face_no_match');
  }

  snapshot(): Person[] {
    return [...this.people.values()];
  }

  restore(people: readonly Person[]): void {
    for (const person of people) this.enroll(person);
  }
}
