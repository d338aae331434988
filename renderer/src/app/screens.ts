export const SCREENS = ['compose', 'outbox', 'sent', 'drafts', 'accounts', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_LABELS: Record<Screen, string> = {
  compose: 'New message',
  outbox: 'Outbox',
  sent: 'Sent',
  drafts: 'Drafts',
  accounts: 'Accounts',
  settings: 'Settings',
};
