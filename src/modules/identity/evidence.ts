// Real-name evidence that its source has checked. A user shows evidence for one source; the source
// answers, and only its acceptance is recorded: the carrier's SMS code for the phone, the identity
// authority for the id number and name (public_security), the document (id_document) and the face,
// the bank for a card bound in the user's own name (bank_card, recorded when the binding is
// confirmed). Every verdict, accepted or refused, is audited. The first accepted id number becomes
// the user's; later evidence must name the same one, and no two users may hold one.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { AttemptThrottle, ThrottlePolicy } from './attempt-throttle.ts';
import type { AuthorityAnswer, IdentityAuthority, SourceVerdict } from './external-sources.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { IdentityError } from './identity-errors.ts';
import { IN_PERSON_SOURCE, type Level, type RemoteSource } from './identity-levels.ts';
import { sameName } from './names.ts';
import type { SmsCodes } from './sms-codes.ts';

/** What a user shows for each source. */
export type EvidenceInput =
  | { readonly source: 'carrier'; readonly smsCode: string }
  | { readonly source: 'public_security'; readonly idNo: string }
  | { readonly source: 'id_document'; readonly idNo: string; readonly validUntil: string }
  | { readonly source: 'face'; readonly idNo: string; readonly photo: string }
  | { readonly source: 'bank_card' };

export interface EvidenceVerdict {
  readonly source: RemoteSource;
  readonly result: 'accepted' | 'refused';
  /** Why it was refused (a stable code). */
  readonly reason?: string;
  /** The source's reference of an accepted check. */
  readonly reference?: string;
}

/** Per user: ten submissions at once, then waits from a minute doubling to an hour (a face photo cannot be tried endlessly). */
export const EVIDENCE_USER_POLICY: ThrottlePolicy = { free: 10, firstDelayMs: 60_000, maxDelayMs: 3600_000, forgetAfterMs: 24 * 3600_000 };

export const ID_NO_COLUMN = [
  'ALTER TABLE identity_users ADD COLUMN id_no TEXT',
  'CREATE UNIQUE INDEX identity_users_id_no ON identity_users (id_no) WHERE id_no IS NOT NULL',
];

interface Person {
  readonly id: string;
  readonly phone: string;
  readonly name: string;
  readonly idNo: string | null;
}

export interface EvidenceDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly authority: IdentityAuthority;
  readonly sms: SmsCodes;
  readonly throttle: AttemptThrottle;
  readonly log: AuditLog;
  /** Called after evidence was recorded (the level cache). */
  readonly changed: (userId: string) => void;
}

const refused = (source: RemoteSource, reason: string): EvidenceVerdict => ({ source, result: 'refused', reason });

export function normalizeIdNo(idNo: string): string {
  return idNo.trim().toUpperCase();
}

export class EvidenceChecks {
  constructor(private readonly deps: EvidenceDeps) {}

  /** Asks the evidence's source and records its verdict; limited per user (429 with Retry-After). */
  async submit(userId: string, input: EvidenceInput, address: string): Promise<EvidenceVerdict> {
    await this.deps.throttle.admit(`evidence-user:${userId}`, EVIDENCE_USER_POLICY);
    const person = await this.person(userId);
    const claimedIdNo = 'idNo' in input ? normalizeIdNo(input.idNo) : null;
    const early =
      claimedIdNo === null ? undefined : (this.idNoProblem(person, claimedIdNo, input.source) ?? (await this.idNoInUse(person, claimedIdNo, input.source)));
    const verdict = early ?? (await this.ask(person, input));
    return this.record(person, verdict, claimedIdNo, address);
  }

  /** The bank confirmed a card's holder at binding: evidence when the holder is the user, by name and id number. */
  async bankConfirmedHolder(userId: string, holder: { bank: string; cardId: string; name: string; idNo: string }): Promise<EvidenceVerdict> {
    const person = await this.person(userId);
    const idNo = normalizeIdNo(holder.idNo);
    const reference = `${holder.bank}:${holder.cardId}`;
    const verdict: EvidenceVerdict = !sameName(holder.name, person.name)
      ? refused('bank_card', 'holder_name_differs')
      : (this.idNoProblem(person, idNo, 'bank_card') ??
        (await this.idNoInUse(person, idNo, 'bank_card')) ?? { source: 'bank_card', result: 'accepted', reference });
    return this.record(person, verdict, idNo, `bank ${holder.bank}`);
  }

  /** An operator's face-to-face check, at the level the operator names. */
  async recordInPerson(userId: string, level: Level, reference: string): Promise<void> {
    await this.person(userId);
    await this.deps.db.transaction(async (tx) => {
      if (await insertEvidence(tx, userId, IN_PERSON_SOURCE, level, reference, 'operator', this.deps.clock.now()))
        await auditVerdict(tx, this.deps.log, 'operator', userId, `accepted ${IN_PERSON_SOURCE} (level ${level}), reference ${reference}`);
    });
    this.deps.changed(userId);
  }

  private async ask(person: Person, input: EvidenceInput): Promise<EvidenceVerdict> {
    switch (input.source) {
      case 'carrier':
        return this.phoneCode(person, input.smsCode);
      case 'bank_card':
        return this.bankCard(person);
      case 'public_security':
        return fromAuthority('public_security', await this.deps.authority.check({ idNo: input.idNo, name: person.name }), (a) => a.identity);
      case 'id_document': {
        const answer = await this.deps.authority.check({ idNo: input.idNo, name: person.name, documentValidUntil: input.validUntil });
        return fromAuthority('id_document', answer, (a) => a.document);
      }
      case 'face': {
        const answer = await this.deps.authority.check({ idNo: input.idNo, name: person.name, photo: input.photo });
        return fromAuthority('face', answer, (a) => a.face);
      }
    }
  }

  private async phoneCode(person: Person, code: string): Promise<EvidenceVerdict> {
    try {
      await this.deps.sms.consume(person.phone, 'phone', code);
      return { source: 'carrier', result: 'accepted', reference: `sms:${person.phone}` };
    } catch (error) {
      if (error instanceof IdentityError) return refused('carrier', error.code);
      throw error;
    }
  }

  /** A card is evidence only once its bank confirmed the user as its holder, which is recorded when the binding is confirmed. */
  private async bankCard(person: Person): Promise<EvidenceVerdict> {
    const row = await this.deps.db.get<{ reference: string }>("SELECT reference FROM identity_verifications WHERE user_id = ? AND source = 'bank_card'", [
      person.id,
    ]);
    return row ? { source: 'bank_card', result: 'accepted', reference: row.reference } : refused('bank_card', 'no_card_bound_in_your_name');
  }

  /** An id number other than the one on file is refused before any source is asked. */
  private idNoProblem(person: Person, idNo: string, source: RemoteSource): EvidenceVerdict | undefined {
    return person.idNo !== null && person.idNo !== idNo ? refused(source, 'id_number_differs') : undefined;
  }

  private async idNoInUse(person: Person, idNo: string | null, source: RemoteSource): Promise<EvidenceVerdict | undefined> {
    if (idNo === null || person.idNo === idNo) return undefined;
    const other = await this.deps.db.get<{ id: string }>('SELECT id FROM identity_users WHERE id_no = ? AND id <> ?', [idNo, person.id]);
    return other ? refused(source, 'id_number_in_use') : undefined;
  }

  /** Audits the verdict; an accepted one is recorded, with the id number it established, in the same commit. */
  private async record(person: Person, verdict: EvidenceVerdict, idNo: string | null, address: string): Promise<EvidenceVerdict> {
    const outcome = await this.deps.db.transaction(async (tx) => {
      if (verdict.result === 'refused') {
        await auditVerdict(tx, this.deps.log, person.id, person.id, `refused ${verdict.source}: ${verdict.reason}, from ${address}`);
        return verdict;
      }
      if (idNo !== null && person.idNo === null) {
        const { changes } = await tx.run('UPDATE identity_users SET id_no = ? WHERE id = ? AND id_no IS NULL', [idNo, person.id]);
        if (changes === 0) return refused(verdict.source, 'id_number_differs');
      }
      const reference = verdict.reference ?? '';
      const added = await insertEvidence(tx, person.id, verdict.source, '', reference, 'user', this.deps.clock.now());
      const again = added ? '' : ' (the source was on file already)';
      await auditVerdict(tx, this.deps.log, person.id, person.id, `accepted ${verdict.source}, reference ${reference}${again}, from ${address}`);
      return verdict;
    });
    if (outcome.result === 'accepted') this.deps.changed(person.id);
    return outcome;
  }

  private async person(userId: string): Promise<Person> {
    const row = await this.deps.db.get<{ id: string; phone: string; name: string; id_no: string | null }>(
      'SELECT id, phone, name, id_no FROM identity_users WHERE id = ?',
      [userId],
    );
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    return { id: row.id, phone: row.phone, name: row.name, idNo: row.id_no };
  }
}

function fromAuthority(
  source: RemoteSource,
  answer: AuthorityAnswer,
  pick: (a: Extract<AuthorityAnswer, { status: 'answered' }>) => SourceVerdict | undefined,
) {
  if (answer.status !== 'answered') throw new IdentityError('source_unavailable', `the identity authority did not answer (${answer.cause}); try again later`);
  const verdict = pick(answer) ?? answer.identity;
  if (verdict.verdict === 'match') return { source, result: 'accepted', reference: answer.checkId } satisfies EvidenceVerdict;
  return refused(source, verdict.reason);
}

/** Each verdict enters the chained audit log in the commit that records it. */
function auditVerdict(tx: SqlExecutor, log: AuditLog, actor: string, userId: string, detail: string) {
  return log.append(tx, { kind: 'identity.verification', actor, subject: userId, detail });
}

async function insertEvidence(tx: SqlExecutor, userId: string, source: string, level: string, reference: string, by: string, now: number): Promise<boolean> {
  const { changes } = await tx.run(
    `INSERT INTO identity_verifications (user_id, source, granted_level, reference, verified_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, source, granted_level) DO NOTHING`,
    [userId, source, level, reference, by, BigInt(now)],
  );
  return changes > 0;
}
