import {
  lazy,
  Suspense,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { messageSizeLimit } from '../../../../preload/contract/account-rules.ts';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { AttachmentInfo, ComposeInput, DraftContent } from '../../../../preload/contract/compose.ts';
import type { ErrorInfo, Result } from '../../../../preload/contract/errors.ts';
import type { QueueItem } from '../../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { isAboutField } from '../../shared/error-text.ts';
import { Field } from '../../shared/Field.tsx';
import { formatTime } from '../../shared/format.ts';
import { AttachmentList } from './AttachmentList.tsx';
import { htmlToText, textToHtml, withoutSignature, withSignature, type Signature } from './body-text.ts';
import type { ComposeSeed } from './compose-seed.ts';
import { FromPicker } from './FromPicker.tsx';
import { RecipientField } from './RecipientField.tsx';
import { isValidRecipient } from './recipients.ts';
import { SendLaterDialog } from './SendLaterDialog.tsx';

const RichEditor = lazy(() => import('./RichEditor.tsx').then((module) => ({ default: module.RichEditor })));

const AUTOSAVE_MS = 3000;

interface Props {
  readonly seed: ComposeSeed;
  readonly accounts: readonly Account[];
  readonly hidden: boolean;
  /** Files were dropped while another screen was showing. */
  readonly onActivate: () => void;
  readonly onSent: (item: QueueItem) => void;
  readonly onDiscard: () => void;
  readonly onAddAccount: () => void;
  /** The person typed, pasted or dropped something here (not a change made by the app itself). */
  readonly onEdited?: () => void;
}

function nameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function signatureOf(account: Account | undefined, alias: string | undefined): Signature {
  const entry = account?.aliases.find((a) => a.address === alias);
  if (entry && (entry.signatureText || entry.signatureHtml))
    return { text: entry.signatureText, html: entry.signatureHtml };
  return { text: account?.signatureText ?? '', html: account?.signatureHtml ?? '' };
}

/** What compose carries from its seed to the draft and the message without showing a field for it. */
type KeptFields = Pick<DraftContent, 'sendAt' | 'lateLimitMinutes' | 'inReplyTo' | 'references'>;

function keptFields(content: DraftContent | undefined): KeptFields {
  const kept: KeptFields = {};
  if (content?.sendAt !== undefined) kept.sendAt = content.sendAt;
  if (content?.lateLimitMinutes !== undefined) kept.lateLimitMinutes = content.lateLimitMinutes;
  if (content?.inReplyTo !== undefined) kept.inReplyTo = content.inReplyTo;
  if (content?.references !== undefined) kept.references = content.references;
  return kept;
}

export function ComposeScreen({
  seed,
  accounts,
  hidden,
  onActivate,
  onSent,
  onDiscard,
  onAddAccount,
  onEdited,
}: Props) {
  const initial = seed.content;
  const body = withoutSignature({
    text: initial?.text ?? '',
    ...(initial?.html ? { html: initial.html } : {}),
  });
  const [accountId, setAccountId] = useState(initial?.accountId);
  const [alias, setAlias] = useState(initial?.from);
  const [to, setTo] = useState<string[]>(initial?.to ?? []);
  const [cc, setCc] = useState<string[]>(initial?.cc ?? []);
  const [bcc, setBcc] = useState<string[]>(initial?.bcc ?? []);
  const [showCopies, setShowCopies] = useState(cc.length + bcc.length > 0);
  const [subject, setSubject] = useState(initial?.subject ?? '');
  const [mode, setMode] = useState<'rich' | 'plain'>(initial?.text && !initial.html ? 'plain' : 'rich');
  const [html, setHtml] = useState(body.html ?? '');
  const [text, setText] = useState(body.text);
  const [attachments, setAttachments] = useState<AttachmentInfo[]>(
    (initial?.attachments ?? []).map((ref) => ({ path: ref.path, name: nameOf(ref.path), size: 0 })),
  );
  // Files another program handed over (issue 18): marked for as long as they stay attached.
  const [fromProgram] = useState<ReadonlySet<string>>(
    () => new Set(initial?.attachments.filter((ref) => ref.addedBy === 'program').map((ref) => ref.path)),
  );
  const [savedAt, setSavedAt] = useState<string>();
  // A refused autosave (the drafts are full) is said where "Draft saved" would be.
  const [draftError, setDraftError] = useState<ErrorInfo>();
  const [error, setError] = useState<ErrorInfo>();
  const [attachError, setAttachError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState(false);
  const [laterOpen, setLaterOpen] = useState(false);
  // Kept as they came (a mailto: reply, a message taken back), never edited here.
  const [kept] = useState(() => keptFields(initial));
  const bodyLabelId = useId();

  const account =
    accounts.find((a) => a.id === accountId) ?? accounts.find((a) => a.isDefault) ?? accounts[0];
  const signature = signatureOf(account, alias);

  const content = useMemo((): DraftContent => {
    const draft: DraftContent = {
      to,
      cc,
      bcc,
      subject,
      attachments: attachments.map((file) =>
        fromProgram.has(file.path) ? { path: file.path, addedBy: 'program' } : { path: file.path },
      ),
    };
    Object.assign(draft, kept);
    if (account) draft.accountId = account.id;
    if (alias) draft.from = alias;
    if (mode === 'rich') {
      draft.html = html;
      draft.text = htmlToText(html);
    } else {
      draft.text = text;
    }
    return draft;
  }, [account, alias, to, cc, bcc, subject, attachments, fromProgram, kept, mode, html, text]);

  // Attachments taken back from the outbox or a draft arrive as paths: read their sizes again.
  useEffect(() => {
    const paths = (initial?.attachments ?? []).map((ref) => ref.path);
    if (paths.length === 0) return;
    void window.outbox.files.stat({ paths }).then((result) => {
      if (result.ok) setAttachments(result.value);
      else setAttachError(result.error);
    });
  }, [initial]);

  function attach(result: Result<AttachmentInfo[]>) {
    if (!result.ok) {
      setAttachError(result.error);
      return;
    }
    setAttachError(undefined);
    setAttachments((current) => [
      ...current,
      ...result.value.filter((file) => !current.some((c) => c.path === file.path)),
    ]);
  }

  async function pickFiles() {
    attach(await window.outbox.files.pick());
  }

  // Drops anywhere in the window attach files; without preventDefault on dragover Chromium refuses the drop.
  const attachRef = useRef(attach);
  useEffect(() => {
    attachRef.current = attach;
  });
  useEffect(() => {
    const onDragOver = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      onActivate();
      // The preload reads their paths and main records them as chosen, as a pick does.
      void window.outbox.local.chooseDropped(files).then((result) => {
        attachRef.current(result);
      });
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [onActivate]);

  // Autosave: every few seconds while something changed, and once more when the window goes away.
  // A message taken back from the outbox exists nowhere else now: it is saved as a draft at once.
  const takenBack = seed.content !== undefined && seed.draftId === undefined;
  const latest = useRef({ content, draftId: seed.draftId, dirty: takenBack, saving: false });
  const firstContent = useRef(content);
  useEffect(() => {
    latest.current.content = content;
    if (content !== firstContent.current) latest.current.dirty = true;
  }, [content]);
  useEffect(() => {
    const state = latest.current;
    const save = () => {
      const { content: draft } = state;
      const empty =
        draft.to.length + draft.cc.length + draft.bcc.length + draft.attachments.length === 0 &&
        !draft.subject &&
        !draft.text;
      if (!state.dirty || state.saving || empty) return;
      state.dirty = false;
      state.saving = true;
      void window.outbox.drafts
        .save({ ...(state.draftId ? { id: state.draftId } : {}), content: draft })
        .then((result) => {
          state.saving = false;
          if (result.ok) {
            state.draftId = result.value.id;
            setSavedAt(result.value.updatedAt);
            setDraftError(undefined);
          } else {
            state.dirty = true;
            setDraftError(result.error);
          }
        });
    };
    save();
    const timer = setInterval(save, AUTOSAVE_MS);
    window.addEventListener('pagehide', save);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', save);
      // Replaced by another message (a draft opened, a message taken back): keep what was typed since.
      save();
    };
  }, []);

  function localError(): ErrorInfo | undefined {
    if (!account) return { code: 'unknown_account', message: 'Add an account first.', field: 'accountId' };
    const all = [...to, ...cc, ...bcc];
    if (all.length === 0) return { code: 'no_recipients', message: '', field: 'to' };
    const bad = all.find((address) => !isValidRecipient(address));
    if (bad !== undefined) {
      const field = to.includes(bad) ? 'to' : cc.includes(bad) ? 'cc' : 'bcc';
      return { code: 'invalid_address', message: `“${bad}” needs fixing before sending.`, field };
    }
    return undefined;
  }

  async function send(sendAt?: Date, lateLimitMinutes?: number) {
    if (busy) return;
    const problem = localError();
    setError(problem);
    if (problem || !account) return;
    setBusy(true);
    latest.current.saving = true;
    const full = withSignature(mode === 'rich' ? { text: htmlToText(html), html } : { text }, signature);
    const request: ComposeInput = {
      accountId: account.id,
      to,
      cc,
      bcc,
      subject,
      text: full.text,
      attachments: attachments.map((file) => ({ path: file.path })),
    };
    if (full.html !== undefined) request.html = full.html;
    if (alias) request.from = alias;
    if (kept.inReplyTo !== undefined) request.inReplyTo = kept.inReplyTo;
    if (kept.references !== undefined) request.references = kept.references;
    if (sendAt) request.sendAt = sendAt.toISOString();
    if (sendAt && lateLimitMinutes !== undefined) request.lateLimitMinutes = lateLimitMinutes;
    if (latest.current.draftId) request.draftId = latest.current.draftId;
    const result = await window.outbox.outbox.enqueue(request);
    setBusy(false);
    latest.current.saving = false;
    if (result.ok) {
      latest.current.dirty = false;
      onSent(result.value);
    } else {
      setError(result.error);
    }
  }

  async function discard() {
    latest.current.dirty = false;
    latest.current.saving = true;
    if (latest.current.draftId) await window.outbox.drafts.delete({ id: latest.current.draftId });
    onDiscard();
  }

  // The latest `send`: a recipient typed but not yet a chip becomes one on this same key press,
  // and the send must see it, after the re-render that follows.
  const sendLatest = useRef(send);
  useLayoutEffect(() => {
    sendLatest.current = send;
  });
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !laterOpen) {
      event.preventDefault();
      setTimeout(() => void sendLatest.current(), 0);
    }
  }

  const fieldError = (field: string) => (isAboutField(error, field) ? error : undefined);
  const generalError =
    error &&
    !['accountId', 'from', 'to', 'cc', 'bcc', 'subject', 'attachments'].some((f) => isAboutField(error, f))
      ? error
      : undefined;

  if (accounts.length === 0) {
    return (
      <section className="screen compose" hidden={hidden} aria-labelledby="compose-title">
        <h1 id="compose-title" tabIndex={-1}>
          New message
        </h1>
        <p>Outbox needs an account to send mail from.</p>
        <button type="button" className="primary" onClick={onAddAccount}>
          Add an account
        </button>
      </section>
    );
  }

  return (
    <section className="screen compose" hidden={hidden} aria-labelledby="compose-title" onKeyDown={onKeyDown}>
      <header className="screen-header">
        <h1 id="compose-title" tabIndex={-1}>
          New message
        </h1>
        <span className="draft-state" aria-live="polite">
          {draftError
            ? `Draft not saved: ${draftError.message}`
            : savedAt
              ? `Draft saved at ${formatTime(savedAt)}`
              : ''}
        </span>
      </header>
      <form
        noValidate
        className="compose-form"
        onInputCapture={onEdited}
        onPasteCapture={onEdited}
        onDropCapture={onEdited}
        // Enter in a field never sends: only the Send button and Ctrl+Enter do.
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <FromPicker
          accounts={accounts}
          accountId={account?.id}
          alias={alias}
          error={fieldError('accountId') ?? fieldError('from')}
          onChange={(id, address) => {
            setAccountId(id);
            setAlias(address);
          }}
        />
        <RecipientField label="To" addresses={to} onChange={setTo} error={fieldError('to')} />
        {showCopies ? (
          <>
            <RecipientField label="Cc" addresses={cc} onChange={setCc} error={fieldError('cc')} />
            <RecipientField label="Bcc" addresses={bcc} onChange={setBcc} error={fieldError('bcc')} />
          </>
        ) : (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setShowCopies(true);
            }}
          >
            Add Cc and Bcc
          </button>
        )}
        {kept.inReplyTo ? <p className="field-hint">In reply to {kept.inReplyTo}</p> : null}
        <Field label="Subject" error={fieldError('subject')}>
          {(control) => (
            <input
              {...control}
              type="text"
              value={subject}
              onChange={(event) => {
                setSubject(event.target.value);
              }}
            />
          )}
        </Field>
        <div className="body-field">
          <div className="body-header">
            <span id={bodyLabelId} className="section-label">
              Message
            </span>
            <label className="inline-check">
              <input
                type="checkbox"
                checked={mode === 'plain'}
                onChange={(event) => {
                  if (event.target.checked) {
                    setText(htmlToText(html));
                    setMode('plain');
                  } else {
                    setHtml(textToHtml(text));
                    setMode('rich');
                  }
                }}
              />
              Plain text
            </label>
          </div>
          {mode === 'rich' ? (
            <Suspense fallback={<p className="loading">Loading editor…</p>}>
              <RichEditor initialHtml={html} onChange={setHtml} labelledBy={bodyLabelId} />
            </Suspense>
          ) : (
            <textarea
              className="plain-body"
              aria-labelledby={bodyLabelId}
              value={text}
              onChange={(event) => {
                setText(event.target.value);
              }}
            />
          )}
          {signature.text || signature.html ? (
            <div className="signature-preview" aria-label="Signature">
              <span className="section-label">Signature</span>
              <pre>{signature.text || htmlToText(signature.html)}</pre>
            </div>
          ) : null}
        </div>
        <AttachmentList
          attachments={attachments}
          addedByProgram={fromProgram}
          limitBytes={account && messageSizeLimit(account)}
          bodyBytes={(content.text?.length ?? 0) + (content.html?.length ?? 0)}
          onAdd={() => void pickFiles()}
          onRemove={(path) => {
            setAttachments((current) => current.filter((file) => file.path !== path));
          }}
          error={fieldError('attachments') ?? attachError}
        />
        <div className="compose-actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            aria-keyshortcuts="Control+Enter Meta+Enter"
            onClick={() => void send()}
          >
            {busy ? 'Sending…' : 'Send'}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setLaterOpen(true);
            }}
          >
            Send later…
          </button>
          <button type="button" onClick={() => void discard()}>
            Discard
          </button>
          <span className="shortcut-hint">Ctrl+Enter sends</span>
        </div>
        <ErrorMessage error={generalError} />
      </form>
      {laterOpen ? (
        <SendLaterDialog
          {...(kept.sendAt === undefined ? {} : { initialAt: new Date(kept.sendAt) })}
          {...(kept.lateLimitMinutes === undefined ? {} : { initialLateLimit: kept.lateLimitMinutes })}
          onClose={() => {
            setLaterOpen(false);
          }}
          onSchedule={(at, lateLimitMinutes) => {
            setLaterOpen(false);
            void send(at, lateLimitMinutes);
          }}
        />
      ) : null}
    </section>
  );
}
