// The bank simulator's state and behaviour, without HTTP: several banks in one process sharing the
// card accounts, each with its own settings, seeded random streams, operations and statement plants.
import type { Clock } from '../../src/engine/clock.ts';
import { formatMinor, parseMinor, requireCurrency } from '../../src/money/amount.ts';
import { formatStatementCsv, type StatementLine } from '../../src/modules/channels/statement-csv.ts';
import { BindingBook, type SmsMessage } from './bindings.ts';
import { CardBook, type CardRecord } from './cards.ts';
import { type MoneyAnswer, type MoneyDesk, type MoneyRequest, moveMoney } from './money-ops.ts';
import { OperationBook } from './operations.ts';
import { type RandomSource, randomDigits, randomHex, seededRandom, seedFor } from './random.ts';
import { patchSettings, resolveSettings, type SettingsPatch, servesCard } from './settings.ts';
import { type BankConfig, type BankSettings, DEFAULT_BANKS, type OperationRecord, ok, refuse, type SimResult } from './sim-types.ts';
import { DEFAULT_TIME_ZONE, PlantedLines, statementDay } from './statement.ts';

export interface CardSeed {
  readonly cardNo: string;
  /** Decimal string in the card's currency ("250.00"). */
  readonly balance: string;
  readonly currency?: string;
  readonly name?: string;
  readonly idNo?: string;
}

export interface SimulatorOptions {
  readonly clock: Clock;
  readonly banks?: readonly BankConfig[];
  /** Seeds every random stream (outcomes, SMS codes, tokens); default 1. */
  readonly seed?: number;
  /** The statement day is the clock's day in this zone; default Asia/Shanghai. */
  readonly timeZone?: string;
  /** Local minutes after midnight at which the statement day turns; default 0 (midnight). */
  readonly cutoverMinutes?: number;
  /** Balance of a card first seen; default "100000.00". */
  readonly defaultBalance?: string;
  readonly defaultCurrency?: string;
  readonly cards?: readonly CardSeed[];
  /** The banks' customers (name and id number); default DEFAULT_CUSTOMERS. */
  readonly customers?: readonly { readonly name: string; readonly idNo: string }[];
}

export interface BindingInput {
  readonly cardNo: string;
  readonly name: string;
  readonly idNo: string;
  readonly phone: string;
}

export interface PlantRequest {
  readonly action: 'add' | 'alter' | 'drop';
  readonly requestId: string;
  readonly bankRef?: string;
  readonly type?: 'debit' | 'credit';
  readonly amount?: string;
  readonly currency?: string;
  readonly status?: 'succeeded' | 'failed';
  /** Milliseconds since the epoch; default now. Decides the statement day of an added line. */
  readonly time?: number;
}

interface BankRuntime {
  settings: BankSettings;
  outcomes: RandomSource;
  codes: RandomSource;
  counter: number;
  readonly plants: PlantedLines;
}

export class BankSimulator {
  readonly cards: CardBook;
  readonly bindings = new BindingBook();
  readonly operations = new OperationBook();
  private readonly banks = new Map<string, BankRuntime>();
  private readonly listeners = new Set<() => void>();
  readonly clock: Clock;
  readonly timeZone: string;
  readonly cutoverMinutes: number;

  constructor(options: SimulatorOptions) {
    this.clock = options.clock;
    this.timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    this.cutoverMinutes = options.cutoverMinutes ?? 0;
    statementDay(0, this.timeZone, this.cutoverMinutes);
    const currency = options.defaultCurrency ?? 'CNY';
    const amountMinor = parseMinor(options.defaultBalance ?? '100000.00', requireCurrency(currency));
    this.cards = new CardBook({ amountMinor, currency }, options.customers);
    const seed = options.seed ?? 1;
    for (const config of options.banks ?? DEFAULT_BANKS) {
      const settings = resolveSettings(config);
      this.banks.set(settings.code, {
        settings,
        outcomes: seededRandom(seedFor(seed, settings.code, 'outcomes')),
        codes: seededRandom(seedFor(seed, settings.code, 'codes')),
        counter: 0,
        plants: new PlantedLines(),
      });
    }
    for (const card of options.cards ?? []) this.provisionCard(card);
  }

  /** Called after every change of state (persistence listens here). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  settings(bank: string): BankSettings | undefined {
    return this.banks.get(bank)?.settings;
  }

  listBanks(): BankSettings[] {
    return [...this.banks.values()].map((b) => b.settings);
  }

  configure(bank: string, patch: SettingsPatch): SimResult<BankSettings> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    try {
      runtime.settings = patchSettings(runtime.settings, patch);
    } catch (error) {
      return refuse('invalid_request', (error as Error).message);
    }
    this.changed();
    return ok(runtime.settings);
  }

  startBinding(bank: string, input: BindingInput): SimResult<{ bindingRequestId: string; expiresAt: number }> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    const opened = this.cards.open(input.cardNo);
    if (!opened.ok) return opened;
    if (!servesCard(runtime.settings, input.cardNo)) return refuse('card_not_served', `${bank} does not serve this card`);
    if (!this.cards.claim(opened.value, input.name, input.idNo)) {
      return refuse('holder_mismatch', "the name or identity number is not the card holder's, or not a customer's of the bank");
    }
    runtime.counter += 1;
    const id = `bnd_${bank.toLowerCase()}_${runtime.counter.toString().padStart(8, '0')}`;
    const code = randomDigits(runtime.codes, 6);
    const request = this.bindings.start(id, bank, opened.value, input.phone, code, this.clock.now());
    this.changed();
    return ok({ bindingRequestId: request.id, expiresAt: request.expiresAt });
  }

  confirmBinding(bank: string, id: string, smsCode: string): SimResult<{ token: string; last4: string }> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    const newToken = () => `tok_${bank.toLowerCase()}_${randomHex(runtime.codes, 24)}`;
    const result = this.bindings.confirm(bank, id, smsCode, this.clock.now(), newToken);
    this.changed();
    return result.ok ? ok({ token: result.value.token, last4: result.value.last4 }) : result;
  }

  smsFor(phone: string): readonly SmsMessage[] {
    return this.bindings.messagesFor(phone);
  }

  debit(bank: string, request: Omit<MoneyRequest, 'type'>): SimResult<MoneyAnswer> {
    return this.move(bank, { ...request, type: 'debit' });
  }

  credit(bank: string, request: Omit<MoneyRequest, 'type'>): SimResult<MoneyAnswer> {
    return this.move(bank, { ...request, type: 'credit' });
  }

  findOperation(bank: string, requestId: string): SimResult<OperationRecord> {
    if (!this.banks.has(bank)) return unknownBank(bank);
    const operation = this.operations.get(bank, requestId);
    return operation ? ok(operation) : refuse('operation_unknown', `${bank} never received request '${requestId}'`);
  }

  statementLines(bank: string, day: string): SimResult<StatementLine[]> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    return ok(runtime.plants.linesFor(day, this.operations.onDay(bank, day)));
  }

  statementCsv(bank: string, day: string): SimResult<string> {
    const lines = this.statementLines(bank, day);
    return lines.ok ? ok(formatStatementCsv(lines.value)) : lines;
  }

  plant(bank: string, request: PlantRequest): SimResult<{ day?: string }> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    if (request.action === 'drop') {
      runtime.plants.plant({ action: 'drop', requestId: request.requestId });
      this.changed();
      return ok({});
    }
    const currency = request.currency ?? this.operations.get(bank, request.requestId)?.currency ?? 'CNY';
    const amountMinor = parseOrUndefined(request.amount ?? '', currency);
    if (amountMinor === undefined) return refuse('invalid_request', 'a planted line needs a valid amount and currency');
    if (request.action === 'alter') {
      runtime.plants.plant({ action: 'alter', requestId: request.requestId, amountMinor });
      this.changed();
      return ok({});
    }
    return this.plantExtra(runtime, request, amountMinor, currency);
  }

  provisionCard(seed: CardSeed): SimResult<CardRecord> {
    const currency = seed.currency ?? 'CNY';
    const amountMinor = parseOrUndefined(seed.balance, currency);
    if (amountMinor === undefined) return refuse('invalid_request', `balance '${seed.balance}' ${currency} is not valid`);
    const holder = seed.name !== undefined && seed.idNo !== undefined ? { name: seed.name, idNo: seed.idNo } : undefined;
    const result = this.cards.provision(seed.cardNo, { amountMinor, currency }, holder);
    this.changed();
    return result;
  }

  /** A customer the banks know (so cards may be bound in their name). */
  enrollCustomer(name: string, idNo: string): void {
    this.cards.enroll(name, idNo);
    this.changed();
  }

  /** A card's balance as a decimal string, for tests and demos. */
  cardBalance(cardNo: string): SimResult<{ last4: string; balance: string; currency: string }> {
    const card = this.cards.find(cardNo);
    if (!card) return refuse('card_unknown', 'no such card');
    const balance = formatMinor(card.balanceMinor, requireCurrency(card.currency));
    return ok({ last4: card.last4, balance, currency: card.currency });
  }

  /** For persistence: every bank's moving parts. */
  runtimeSnapshot() {
    return [...this.banks.values()].map((b) => ({
      settings: b.settings,
      outcomes: b.outcomes.state(),
      codes: b.codes.state(),
      counter: b.counter,
      plants: b.plants.snapshot(),
    }));
  }

  restoreRuntime(rows: ReturnType<BankSimulator['runtimeSnapshot']>): void {
    for (const row of rows) {
      const runtime = this.banks.get(row.settings.code);
      // A bank dropped from the configuration since the file was written is ignored.
      if (!runtime) continue;
      runtime.settings = row.settings;
      runtime.outcomes = seededRandom(row.outcomes);
      runtime.codes = seededRandom(row.codes);
      runtime.counter = row.counter;
      runtime.plants.restore(row.plants);
    }
  }

  private move(bank: string, request: MoneyRequest): SimResult<MoneyAnswer> {
    const runtime = this.banks.get(bank);
    if (!runtime) return unknownBank(bank);
    const result = moveMoney(this.desk(runtime), request);
    this.changed();
    return result;
  }

  private desk(runtime: BankRuntime): MoneyDesk {
    return {
      settings: runtime.settings,
      cards: this.cards,
      bindings: this.bindings,
      operations: this.operations,
      draw: () => runtime.outcomes.next(),
      nextBankRef: () => {
        runtime.counter += 1;
        return `${runtime.settings.code}${runtime.counter.toString().padStart(12, '0')}`;
      },
      now: () => this.clock.now(),
      dayOf: (ms) => statementDay(ms, this.timeZone, this.cutoverMinutes),
    };
  }

  private plantExtra(runtime: BankRuntime, request: PlantRequest, amountMinor: bigint, currency: string) {
    const time = request.time ?? this.clock.now();
    const day = statementDay(time, this.timeZone, this.cutoverMinutes);
    runtime.counter += 1;
    const line: StatementLine = {
      requestId: request.requestId,
      bankRef: request.bankRef ?? `${runtime.settings.code}X${runtime.counter.toString().padStart(11, '0')}`,
      type: request.type ?? 'debit',
      amountMinor,
      currency,
      status: request.status ?? 'succeeded',
      time,
    };
    runtime.plants.plant({ action: 'add', day, line });
    this.changed();
    return ok({ day });
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function unknownBank<T>(bank: string): SimResult<T> {
  return refuse('bank_unknown', `no simulated bank '${bank}'`);
}

function parseOrUndefined(amount: string, currency: string): bigint | undefined {
  try {
    return parseMinor(amount, requireCurrency(currency));
  } catch {
    return undefined;
  }
}
