// The suitability questionnaire: a few questions whose options run from the most cautious to the
// most tolerant. The answers give a risk tolerance from 1 to 5; a product riskier than that is
// refused. The score rounds down, so a tolerance is never overstated.
import { FundError } from './fund-errors.ts';

export interface Question {
  readonly id: string;
  readonly text: string;
  readonly options: readonly { readonly text: string }[];
}

const q = (id: string, text: string, options: string[]): Question => ({ id, text, options: options.map((o) => ({ text: o })) });

export const QUESTIONS: readonly Question[] = [
  q('horizon', 'How long can this money stay invested?', ['Less than 3 months', '3 to 12 months', '1 to 3 years', 'More than 3 years']),
  q('loss', 'How much of it could you lose in a year without changing your plans?', ['Nothing', 'Up to 5%', 'Up to 15%', 'More than 15%']),
  q('experience', 'Which products have you held before?', [
    'Only bank deposits',
    'Money-market or bond funds',
    'Mixed or equity funds',
    'Stocks, futures or options',
  ]),
  q('income', 'How stable is your income?', ['No regular income', 'Irregular', 'Stable', 'Stable and growing, with savings']),
  q('reaction', 'Your investment falls 20% in a month. You would:', ['Sell everything', 'Sell part', 'Hold', 'Buy more']),
];

export const MIN_TOLERANCE = 1;
export const MAX_TOLERANCE = 5;

/** The tolerance (1-5) from one option index per question, in order; refuses answers that do not fit. */
export function riskTolerance(answers: readonly number[]): number {
  if (answers.length !== QUESTIONS.length) throw new FundError('invalid_answers', `answer each of the ${QUESTIONS.length} questions, in order`);
  let score = 0;
  let max = 0;
  answers.forEach((answer, i) => {
    const last = QUESTIONS[i].options.length - 1;
    if (!Number.isInteger(answer) || answer < 0 || answer > last)
      throw new FundError('invalid_answers', `answer ${i + 1} must be an option index from 0 to ${last}`);
    score += answer;
    max += last;
  });
  return MIN_TOLERANCE + Math.floor((score * (MAX_TOLERANCE - MIN_TOLERANCE)) / max);
}
