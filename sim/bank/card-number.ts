// Card numbers are checked and then forgotten: the simulator keys cards by a one-way hash and keeps
// only the last four digits, so neither its memory, its data file nor its logs hold a card number.
import { createHash } from 'node:crypto';

const DIGITS = /^\d{12,19}$/;

/** The Luhn (mod 10) check every real card number passes. */
export function passesLuhn(cardNo: string): boolean {
  if (!DIGITS.test(cardNo)) return false;
  let sum = 0;
  for (let i = 0; i < cardNo.length; i++) {
    let digit = cardNo.charCodeAt(cardNo.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function cardKey(cardNo: string): string {
  return createHash('sha256').update(`formica-bank-sim-card:${cardNo}`).digest('hex');
}

export function lastFour(cardNo: string): string {
  return cardNo.slice(-4);
}

/** Who holds a card, compared by hash so the identity number is not kept either. */
export function holderKey(name: string, idNo: string): string {
  return createHash('sha256').update(`formica-bank-sim-holder:${name.trim()}\u0000${idNo.trim().toUpperCase()}`).digest('hex');
}
