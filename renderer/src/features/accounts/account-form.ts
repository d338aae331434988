import type {
  Account,
  AccountInputDraft,
  AuthMethod,
  SecurityMode,
} from '../../../../preload/contract/accounts.ts';
import type { CallInput } from '../../../../preload/contract/channels.ts';

type Alias = Account['aliases'][number];

/** The account form as typed: numbers stay text until saved, so a half-typed port is not lost. */
export interface AccountForm {
  label: string;
  displayName: string;
  fromAddress: string;
  replyTo: string;
  host: string;
  port: string;
  security: SecurityMode;
  allowPlaintext: boolean;
  auth: AuthMethod;
  username: string;
  signatureText: string;
  signatureHtml: string;
  maxMessageMb: string;
  ratePerHour: string;
  color: string;
  dkimDomain: string;
  dkimSelector: string;
  aliases: Alias[];
}

export const EMPTY_FORM: AccountForm = {
  label: '',
  displayName: '',
  fromAddress: '',
  replyTo: '',
  host: '',
  port: '587',
  security: 'starttls',
  allowPlaintext: false,
  auth: 'password',
  username: '',
  signatureText: '',
  signatureHtml: '',
  maxMessageMb: '',
  ratePerHour: '',
  color: '#3b82f6',
  dkimDomain: '',
  dkimSelector: '',
  aliases: [],
};

const MB = 1024 * 1024;

export function formOf(account: Account): AccountForm {
  return {
    label: account.label,
    displayName: account.displayName,
    fromAddress: account.fromAddress,
    replyTo: account.replyTo ?? '',
    host: account.host,
    port: String(account.port),
    security: account.security,
    allowPlaintext: account.allowPlaintext,
    auth: account.auth,
    username: account.username,
    signatureText: account.signatureText,
    signatureHtml: account.signatureHtml,
    maxMessageMb: account.maxMessageBytes ? String(Math.round((account.maxMessageBytes / MB) * 10) / 10) : '',
    ratePerHour: account.ratePerHour ? String(account.ratePerHour) : '',
    color: account.color,
    dkimDomain: account.dkim?.domain ?? '',
    dkimSelector: account.dkim?.selector ?? '',
    aliases: account.aliases,
  };
}

/** A number field as typed; NaN goes to main as is, so its schema names the field that is wrong. */
function numberOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

export function inputOf(form: AccountForm): AccountInputDraft {
  const input: AccountInputDraft = {
    label: form.label,
    displayName: form.displayName,
    fromAddress: form.fromAddress.trim(),
    host: form.host.trim(),
    port: Number(form.port),
    security: form.security,
    allowPlaintext: form.allowPlaintext,
    auth: form.auth,
    username: form.username,
    signatureText: form.signatureText,
    signatureHtml: form.signatureHtml,
    color: form.color,
    aliases: form.aliases,
  };
  if (form.replyTo.trim()) input.replyTo = form.replyTo.trim();
  const maxMb = numberOf(form.maxMessageMb);
  if (maxMb !== undefined) input.maxMessageBytes = Math.round(maxMb * MB);
  const rate = numberOf(form.ratePerHour);
  if (rate !== undefined) input.ratePerHour = rate;
  if (form.dkimDomain.trim() || form.dkimSelector.trim())
    input.dkim = { domain: form.dkimDomain.trim(), selector: form.dkimSelector.trim() };
  return input;
}

/** An edit of a saved account: an optional field left empty is sent as null, which removes it. */
export function patchOf(form: AccountForm): CallInput<'accounts:update'>['patch'] {
  const input = inputOf(form);
  return {
    ...input,
    replyTo: input.replyTo ?? null,
    maxMessageBytes: input.maxMessageBytes ?? null,
    ratePerHour: input.ratePerHour ?? null,
    dkim: input.dkim ?? null,
  };
}
