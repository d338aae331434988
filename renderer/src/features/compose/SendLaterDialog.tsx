import { useState } from 'react';
import { lateLimitMinutes } from '../../../../preload/contract/compose.ts';
import { Dialog } from '../../shared/Dialog.tsx';
import { Field } from '../../shared/Field.tsx';

interface Props {
  /** The time a message taken back was scheduled for; used when still ahead. */
  readonly initialAt?: Date;
  /** The late limit it had: a message taken back keeps it unless the user changes it. */
  readonly initialLateLimit?: number;
  /** `lateLimitMinutes`: hold the message rather than send it more than this late. */
  readonly onSchedule: (sendAt: Date, lateLimitMinutes?: number) => void;
  readonly onClose: () => void;
}

const DEFAULT_LATE_LIMIT = '30';

/** `datetime-local` wants local wall-clock time without a zone. */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function quickChoices(now: Date): { label: string; at: Date }[] {
  const inHour = new Date(now.getTime() + 60 * 60 * 1000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(8, 0, 0, 0);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  monday.setHours(8, 0, 0, 0);
  return [
    { label: 'In 1 hour', at: inHour },
    { label: 'Tomorrow at 8:00', at: tomorrow },
    { label: 'Monday at 8:00', at: monday },
  ];
}

export function SendLaterDialog({ initialAt, initialLateLimit, onSchedule, onClose }: Props) {
  const [now] = useState(() => new Date());
  const [value, setValue] = useState(() =>
    toLocalInput(
      initialAt && initialAt.getTime() > now.getTime() ? initialAt : new Date(now.getTime() + 60 * 60 * 1000),
    ),
  );
  const chosen = new Date(value);
  const [limited, setLimited] = useState(initialLateLimit !== undefined);
  const [limitText, setLimitText] = useState(
    initialLateLimit === undefined ? DEFAULT_LATE_LIMIT : String(initialLateLimit),
  );
  const limit = lateLimitMinutes.safeParse(Number(limitText));
  const limitValid = !limited || limit.success;
  const valid = !Number.isNaN(chosen.getTime()) && chosen.getTime() > now.getTime() && limitValid;
  const schedule = (at: Date) => {
    if (!limited) onSchedule(at);
    else if (limit.success) onSchedule(at, limit.data);
  };
  return (
    <Dialog title="Send later" onClose={onClose}>
      <div className="quick-choices">
        {quickChoices(now).map((choice) => (
          <button
            key={choice.label}
            type="button"
            disabled={!limitValid}
            onClick={() => {
              schedule(choice.at);
            }}
          >
            {choice.label}
          </button>
        ))}
      </div>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) schedule(chosen);
        }}
      >
        <Field
          label="Send at"
          error={
            !Number.isNaN(chosen.getTime()) && chosen.getTime() > now.getTime()
              ? undefined
              : { code: 'invalid_input', message: 'Choose a time in the future.' }
          }
        >
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={value}
              min={toLocalInput(now)}
              onChange={(event) => {
                setValue(event.target.value);
              }}
            />
          )}
        </Field>
        <label className="inline-check">
          <input
            type="checkbox"
            checked={limited}
            aria-describedby="late-limit-hint"
            onChange={(event) => {
              setLimited(event.target.checked);
            }}
          />
          Don't send if it would go late
        </label>
        {limited ? (
          <Field
            label="Late by more than (minutes)"
            error={
              limitValid
                ? undefined
                : { code: 'invalid_input', message: 'Give a whole number of minutes, at least 1.' }
            }
          >
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                step={1}
                value={limitText}
                onChange={(event) => {
                  setLimitText(event.target.value);
                }}
              />
            )}
          </Field>
        ) : null}
        <p className="field-hint" id="late-limit-hint">
          If your computer is off or asleep at that time, Outbox sends it when it can, unless this is ticked:
          then it holds it for you to decide.
        </p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!valid}>
            Schedule
          </button>
        </div>
      </form>
    </Dialog>
  );
}
