import { useEffect, useId, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { isValidRecipient, splitAddresses } from './recipients.ts';

interface Props {
  readonly label: string;
  readonly addresses: readonly string[];
  readonly onChange: (addresses: string[]) => void;
  readonly error?: ErrorInfo | undefined;
}

/** Recipients as chips, checked as they are typed, with completion from recently used addresses. */
export function RecipientField({ label, addresses, onChange, error }: Props) {
  const id = useId();
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [active, setActive] = useState(-1);
  const listId = `${id}-list`;
  const errorId = `${id}-error`;
  const invalid = addresses.filter((address) => !isValidRecipient(address));
  const typingInvalid = text.includes('@') && /[\s,;]$/.test(text) && !isValidRecipient(text);

  useEffect(() => {
    const prefix = text.trim();
    if (prefix === '') return;
    let current = true;
    const timer = setTimeout(() => {
      void window.outbox.contacts.recent({ prefix, limit: 8 }).then((result) => {
        if (current) {
          setSuggestions(result.ok ? result.value.filter((s) => !addresses.includes(s)) : []);
          setActive(-1);
        }
      });
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, addresses]);

  const shown = text.trim() === '' ? [] : suggestions;

  function commit(values: readonly string[]) {
    // One chip per address, whatever its case: repeats within a paste too.
    const seen = new Set(addresses.map((address) => address.toLowerCase()));
    const fresh = values.filter((value) => {
      const key = value.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (fresh.length > 0) onChange([...addresses, ...fresh]);
    setText('');
    setSuggestions([]);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' && shown.length > 0) {
      event.preventDefault();
      setActive((index) => (index + 1) % shown.length);
    } else if (event.key === 'ArrowUp' && shown.length > 0) {
      event.preventDefault();
      setActive((index) => (index <= 0 ? shown.length - 1 : index - 1));
    } else if (event.key === 'Escape' && shown.length > 0) {
      event.preventDefault();
      setSuggestions([]);
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      // Sending (compose handles the key next): what is typed goes with the message.
      if (text.trim() !== '') commit(splitAddresses(text));
    } else if (event.key === 'Enter') {
      const chosen = shown[active];
      if (chosen !== undefined || text.trim() !== '') {
        event.preventDefault();
        commit(chosen !== undefined ? [chosen] : splitAddresses(text));
      }
    } else if ((event.key === ',' || event.key === ';') && text.trim() !== '') {
      event.preventDefault();
      commit(splitAddresses(text));
    } else if (event.key === 'Backspace' && text === '' && addresses.length > 0) {
      onChange(addresses.slice(0, -1));
    }
  }

  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    const pasted = splitAddresses(`${text}${event.clipboardData.getData('text')}`);
    if (pasted.length > 1) {
      event.preventDefault();
      commit(pasted);
    }
  }

  const describedBy = invalid.length > 0 || typingInvalid || error ? errorId : undefined;
  return (
    <div className="field recipients">
      <label htmlFor={id}>{label}</label>
      <div className="chips">
        <ul className="chip-list" aria-label={`${label} recipients`}>
          {addresses.map((address) => (
            <li key={address} className={isValidRecipient(address) ? 'chip' : 'chip chip-invalid'}>
              <span>{address}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${address}`}
                onClick={() => {
                  onChange(addresses.filter((a) => a !== address));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={id}
          type="text"
          role="combobox"
          autoComplete="off"
          aria-autocomplete="list"
          aria-expanded={shown.length > 0}
          aria-controls={listId}
          aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
          aria-invalid={typingInvalid || invalid.length > 0 || error ? true : undefined}
          aria-describedby={describedBy}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => {
            if (text.trim() !== '') commit(splitAddresses(text));
          }}
        />
      </div>
      <ul
        id={listId}
        role="listbox"
        className="suggestions"
        aria-label={`Suggested ${label} addresses`}
        hidden={shown.length === 0}
      >
        {shown.map((suggestion, index) => (
          <li
            key={suggestion}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => {
              event.preventDefault();
              commit([suggestion]);
            }}
          >
            {suggestion}
          </li>
        ))}
      </ul>
      <div id={errorId}>
        {invalid.length > 0 || typingInvalid ? (
          <p className="error-message" role="alert">
            {invalid.length > 0
              ? `Not a valid email address: ${invalid.join(', ')}`
              : 'This does not look like an email address yet.'}
          </p>
        ) : null}
        <ErrorMessage error={error} />
      </div>
    </div>
  );
}
