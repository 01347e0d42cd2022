// Wire shapes of the user and identity routes (field names fixed by spec/wallet.md).
import { z } from 'zod';
import { LEVELS, REMOTE_SOURCES } from '../../modules/identity/identity-levels.ts';
import { cleanText } from './common.ts';

export const Phone = z
  .string()
  .regex(/^1[3-9]\d{9}$/, 'must be a mainland mobile number of 11 digits')
  .meta({ example: '13800138000' });
const Password = cleanText({ min: 8, max: 128 });
const Name = cleanText({ trim: true, min: 1, max: 64 });
const Reference = cleanText({ trim: true, min: 1, max: 128 });
export const UserId = z.string().regex(/^usr_[0-9A-Z]{26}$/, 'must be a user id (usr_...)');

export const RegisterBody = z.strictObject({ phone: Phone, password: Password, name: Name });
export const RegisterOutput = z.object({ user_id: z.string() });
export const LoginBody = z.strictObject({ phone: Phone, password: cleanText({ min: 1, max: 128 }) });
export const LoginOutput = z.object({
  token: z.string(),
  user_id: z.string(),
  session_id: z.string(),
  expires_at: z.string().meta({ description: 'when the session ends unless used again (12 hours after the last use)' }),
  absolute_expires_at: z.string().meta({ description: 'when it ends in any case (7 days after login, refreshes included)' }),
});
export const SessionOutput = z.object({
  session_id: z.string(),
  current: z.boolean(),
  created_at: z.string(),
  last_used_at: z.string(),
  expires_at: z.string(),
  absolute_expires_at: z.string(),
  address: z.string(),
  user_agent: z.string(),
});
export const SessionListOutput = z.object({ sessions: z.array(SessionOutput) });
export const SessionParams = z.strictObject({ id: z.string().regex(/^ses_[0-9A-Z]{26}$/, 'must be a session id (ses_...)') });
export const PasswordChangeBody = z.strictObject({ old_password: cleanText({ min: 1, max: 128 }), new_password: Password });
export const EventListOutput = z.object({
  events: z.array(z.object({ event_id: z.string(), kind: z.string(), detail: z.string(), address: z.string(), created_at: z.string() })),
});
const Pin = z.string().regex(/^\d{6}$/, 'must be 6 digits');
export const PaymentPinBody = z.strictObject({
  payment_pin: Pin.meta({ description: 'the new PIN' }),
  current_pin: Pin.optional().meta({ description: 'the PIN now set: needed to change it' }),
  password: cleanText({ min: 1, max: 128 }).optional().meta({ description: 'the login password: needed to set a first PIN' }),
});

export const VerificationBody = z.strictObject({
  source: z.enum(REMOTE_SOURCES).meta({ description: 'the external source that confirmed the identity' }),
  reference: Reference.meta({ description: "the source's reference of the check" }),
});
export const InPersonVerificationBody = z.strictObject({
  level: z.enum(['II', 'III']).default('III'),
  reference: Reference,
});

const VerificationOutput = z.object({
  source: z.string(),
  granted_level: z.string().nullable(),
  reference: z.string(),
  verified_by: z.string(),
  created_at: z.string(),
});
export const ProfileOutput = z.object({
  user_id: z.string(),
  phone: z.string(),
  name: z.string(),
  level: z.enum(LEVELS),
  may_invest: z.boolean(),
  has_payment_pin: z.boolean(),
  verifications: z.array(VerificationOutput),
  created_at: z.string(),
});
export const LevelOutput = z.object({ user_id: z.string(), level: z.enum(LEVELS) });
