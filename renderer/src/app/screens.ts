export type Screen = 'compose' | 'outbox' | 'sent' | 'drafts' | 'accounts' | 'settings';

export const SCREEN_LABELS: Record<Screen, string> = {
  compose: 'New message',
  outbox: 'Outbox',
  sent: 'Sent',
  drafts: 'Drafts',
  accounts: 'Accounts',
  settings: 'Settings',
};
