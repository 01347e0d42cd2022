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

export const IdNo = z.string().regex(/^[0-9]{17}[0-9Xx]$|^[A-Za-z0-9]{6,32}$/, 'must be an identity document number');
const SmsCode = z.string().regex(/^\d{6}$/, 'must be the 6 digits of the SMS code');
/** A photo as base64 (about 300 KB at most). */
const Photo = z
  .string()
  .max(400_000)
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be a base64 image');

export const VerificationBody = z
  .discriminatedUnion('source', [
    z.strictObject({
      source: z.literal('carrier'),
      sms_code: SmsCode.meta({ description: 'the code sent to the phone at sign-up (or by POST /v1/me/phone/code)' }),
    }),
    z.strictObject({ source: z.literal('public_security'), id_no: IdNo }),
    z.strictObject({
      source: z.literal('id_document'),
      id_no: IdNo,
      valid_until: z.iso.date().meta({ description: 'the last valid day printed on the document' }),
    }),
    z.strictObject({ source: z.literal('face'), id_no: IdNo, photo: Photo }),
    z.strictObject({ source: z.literal('bank_card') }),
  ])
  .meta({ description: 'evidence for one external source; the source checks it and answers with its verdict' });
export const PinResetBody = z.strictObject({ sms_code: SmsCode, id_no: IdNo, payment_pin: Pin.meta({ description: 'the new PIN' }) });
export const PasswordCodeBody = z.strictObject({ phone: Phone });
export const PasswordResetBody = z.strictObject({ phone: Phone, sms_code: SmsCode, new_password: Password });
export const CodeSentOutput = z.object({ sent: z.boolean().meta({ description: 'true: a code is on its way if the phone is known' }) });
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
export const VerdictOutput = ProfileOutput.extend({
  verdict: z.object({
    source: z.enum(REMOTE_SOURCES),
    result: z.enum(['accepted', 'refused']),
    reason: z.string().optional().meta({ description: 'why the source refused, e.g. name_mismatch, face_no_match, sms_code_wrong, id_number_differs' }),
    reference: z.string().optional(),
  }),
});
export const LevelOutput = z.object({ user_id: z.string(), level: z.enum(LEVELS) });
