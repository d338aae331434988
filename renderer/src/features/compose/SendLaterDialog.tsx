import { useState } from 'react';
import { Dialog } from '../../shared/Dialog.tsx';
import { Field } from '../../shared/Field.tsx';

interface Props {
  readonly onSchedule: (sendAt: Date) => void;
  readonly onClose: () => void;
}

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

export function SendLaterDialog({ onSchedule, onClose }: Props) {
  const [now] = useState(() => new Date());
  const [value, setValue] = useState(() => toLocalInput(new Date(now.getTime() + 60 * 60 * 1000)));
  const chosen = new Date(value);
  const valid = !Number.isNaN(chosen.getTime()) && chosen.getTime() > now.getTime();
  return (
    <Dialog title="Send later" onClose={onClose}>
      <div className="quick-choices">
        {quickChoices(now).map((choice) => (
          <button
            key={choice.label}
            type="button"
            onClick={() => {
              onSchedule(choice.at);
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
          if (valid) onSchedule(chosen);
        }}
      >
        <Field
          label="Send at"
          error={valid ? undefined : { code: 'invalid_input', message: 'Choose a time in the future.' }}
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
