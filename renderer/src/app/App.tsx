import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DraftContent } from '../../../preload/contract/compose.ts';
import type { QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { AccountsScreen } from '../features/accounts/AccountsScreen.tsx';
import { useSignIn } from '../features/accounts/use-sign-in.ts';
import type { ComposeSeed } from '../features/compose/compose-seed.ts';
import { ComposeScreen } from '../features/compose/ComposeScreen.tsx';
import { DraftsScreen } from '../features/drafts/DraftsScreen.tsx';
import { OutboxScreen } from '../features/outbox/OutboxScreen.tsx';
import { SentScreen } from '../features/sent/SentScreen.tsx';
import { SettingsScreen } from '../features/settings/SettingsScreen.tsx';
import { useAccounts } from '../shared/use-accounts.ts';
import { findIn } from '../shared/outbox-rows.ts';
import { useOutboxItems, useOutboxProgress } from '../shared/use-outbox-items.ts';
import { Notices } from './Notices.tsx';
import type { Screen } from './screens.ts';
import { Sidebar } from './Sidebar.tsx';
import { UndoToast } from './UndoToast.tsx';

export function App() {
  const [screen, setScreen] = useState<Screen>('compose');
  const [filter, setFilter] = useState<QueueState>();
  const [seed, setSeed] = useState<ComposeSeed>({ key: 0 });
  /** Whether the person began a message before the recovered draft arrived: then it stays put. */
  const composeEdited = useRef(false);
  const markComposeEdited = useCallback(() => {
    composeEdited.current = true;
  }, []);
  const [accountId, setAccountId] = useState<string>();
  const [justSent, setJustSent] = useState<QueueItem>();
  const { accounts, loaded: accountsLoaded, refresh } = useAccounts();
  // Held here, not by the Accounts screen: a sign-in waits for the browser while the person looks
  // elsewhere, and coming back must still show it and its Cancel.
  const signIn = useSignIn(refresh);
  const { items, loaded, counts } = useOutboxItems();
  const progress = useOutboxProgress();

  const navigate = useCallback((target: Screen, state?: QueueState) => {
    setScreen(target);
    setFilter(state);
  }, []);
  const showCompose = useCallback(() => {
    setScreen('compose');
  }, []);
  const openCompose = useCallback((content?: DraftContent, draftId?: string) => {
    setSeed((current) => ({
      key: current.key + 1,
      ...(content ? { content } : {}),
      ...(draftId ? { draftId } : {}),
    }));
    setScreen('compose');
  }, []);

  useEffect(
    () =>
      window.outbox.app.onMenuInvoked(({ command }) => {
        navigate(command);
      }),
    [navigate],
  );

  // A draft another program handed over (a mailto: link, `outbox compose`) opens in compose.
  useEffect(
    () =>
      window.outbox.drafts.onHandedOver((draft) => {
        openCompose(draft.content, draft.id);
      }),
    [openCompose],
  );
  // After the two above have subscribed: main holds the tray's and other programs' requests till now.
  useEffect(() => {
    void window.outbox.app.ready();
  }, []);

  // A screen that opened by itself (after Send, Undo, a menu item) takes the focus, so the keyboard
  // does not stay on a control that is now hidden.
  useEffect(() => {
    const active = document.activeElement;
    if (active && active !== document.body && (active as HTMLElement).offsetParent !== null) return;
    document.querySelector<HTMLElement>('.screen:not([hidden]) h1')?.focus();
  }, [screen, seed.key]);

  // After a crash the last draft comes back in compose, unless something was opened or typed meanwhile.
  useEffect(() => {
    void window.outbox.drafts.list().then((result) => {
      if (!result.ok) return;
      const latest = result.value.toSorted((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      if (latest && !composeEdited.current)
        setSeed((current) =>
          current.key === 0 ? { key: 1, content: latest.content, draftId: latest.id } : current,
        );
    });
  }, []);

  // From the core's page answers until the whole queue is in, then counted here (use-outbox-items.ts).
  const byState = useMemo(
    () => new Map(Object.entries(counts.byState) as [QueueState, number][]),
    [counts.byState],
  );

  const queuedCount = useCallback(
    (id: string) => (Object.hasOwn(counts.unsentByAccount, id) ? (counts.unsentByAccount[id] ?? 0) : 0),
    [counts.unsentByAccount],
  );

  return (
    <div className="app">
      <Sidebar screen={screen} filter={filter} counts={byState} total={counts.total} onNavigate={navigate} />
      <main className="main-pane">
        {accountsLoaded ? (
          <ComposeScreen
            key={seed.key}
            seed={seed}
            accounts={accounts}
            hidden={screen !== 'compose'}
            onActivate={showCompose}
            onSent={(item) => {
              setJustSent(item);
              openCompose();
              setScreen('outbox');
            }}
            onDiscard={() => {
              openCompose();
            }}
            onAddAccount={() => {
              navigate('accounts');
            }}
            onEdited={markComposeEdited}
          />
        ) : null}
        {screen === 'outbox' ? (
          <OutboxScreen
            items={items}
            loaded={loaded}
            counts={counts}
            progress={progress}
            accounts={accounts}
            filter={filter}
            onFilter={setFilter}
            onEdit={(content) => {
              openCompose(content);
            }}
            onOpenAccount={(id) => {
              setAccountId(id);
              navigate('accounts');
            }}
          />
        ) : null}
        {screen === 'sent' ? <SentScreen accounts={accounts} /> : null}
        {screen === 'drafts' ? (
          <DraftsScreen
            onOpen={(draft) => {
              openCompose(draft.content, draft.id);
            }}
          />
        ) : null}
        {screen === 'accounts' ? (
          <AccountsScreen
            accounts={accounts}
            selectedId={accountId}
            onSelect={setAccountId}
            refresh={refresh}
            signIn={signIn}
            queuedCount={queuedCount}
          />
        ) : null}
        {screen === 'settings' ? <SettingsScreen /> : null}
      </main>
      <div className="overlays">
        {justSent ? (
          <UndoToast
            key={justSent.id}
            item={justSent}
            current={findIn(items, justSent)}
            onUndone={(content) => {
              setJustSent(undefined);
              openCompose(content);
            }}
            onDismiss={() => {
              setJustSent(undefined);
            }}
          />
        ) : null}
        <Notices />
      </div>
    </div>
  );
}
